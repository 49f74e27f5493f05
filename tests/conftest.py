"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from lanlab.i18n import set_language
from netlab import Lab, build_lan, netns_unavailable_reason

# The suite reads lanlab's English whatever the machine's locale (LANGUAGE decides first, and is
# read by gettext alone, so the tools the tests run keep their own locale).
os.environ["LANGUAGE"] = "en"

# Hypothesis: no per-example deadline (the 2-core machines are shared, and a slow example is not a
# wrong one); in CI the examples are derived from each test's name, so a red run can be rerun as is.
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def english():
    """Every test starts in English; one that says `lanlab --lang zh` in process leaves no trace."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def lab():
    """A Lab of network namespaces, removed after the test (skips where namespaces can't be made)."""
    reason = netns_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    made = Lab()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def lan(lab):
    """Factory: lan(n_hosts, subnet="198.18.0.0/24") -> Lan of hosts on one bridge."""

    def make(n_hosts: int, subnet: str = "198.18.0.0/24", stp: bool = False):
        return build_lan(lab, n_hosts, subnet, stp)

    return make
