"""dig and nslookup given names no DNS message can hold (a trial): refused before asking, in BIND's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import load_topology
from lanlab.sim.commands import CommandError, schedule

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize(
    "words, said",
    [
        ("dig a..b.lab", "dig: 'a..b.lab' is not a legal name (empty label)"),
        ("dig .lab", "dig: '.lab' is not a legal name (empty label)"),
        ("dig " + "a" * 64 + ".lab", "dig: '" + "a" * 64 + ".lab' is not a legal name (label too long)"),
        ("nslookup lab..", "nslookup: 'lab..' is not a legal name (empty label)"),
    ],
)
def test_a_name_that_cannot_be_asked_is_refused_as_bind_refuses_it(words, said):
    """BIND's dig and nslookup say "'NAME' is not a legal name (REASON)" and ask nothing; the simulated ones
    printed three ';; communications error ... timed out' lines for queries that never left."""
    net = load_topology(EXAMPLES / "dns.yaml")
    with pytest.raises(CommandError) as error:
        schedule(net, f"pc1 {words}")
    assert str(error.value).endswith(": " + said)


def test_a_question_in_capitals_is_answered_in_capitals():
    """dig PC3.LAB: the ANSWER SECTION names PC3.LAB. as asked, as BIND and dnsmasq answer."""
    net = load_topology(EXAMPLES / "dns.yaml")
    dig = schedule(net, "at 1s pc1 dig PC3.LAB")
    net.run(3)
    assert "PC3.LAB.\t\t300\tIN\tA\t198.18.0.3" in dig.lines()
