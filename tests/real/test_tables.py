"""lanlab.real.tables: the kernel's tables read in the simulator's keys (`ip` answers stubbed: no root needed)."""

from __future__ import annotations

import pytest

from lanlab.real import tables


def test_a_route_the_kernel_never_uses_is_not_in_the_routing_table(monkeypatch: pytest.MonkeyPatch):
    """BIRD's RIP route (metric 32) beside a static route to the same prefix (metric 0): only the static one is
    listed, as the simulator's router lists it; a RIP route alone for its prefix stays."""
    answer = [
        {"dst": "198.18.1.0/24", "gateway": "198.18.12.1", "dev": "eth0", "protocol": "bird", "metric": 32},
        {"dst": "198.18.1.0/24", "gateway": "198.18.12.1", "dev": "eth0"},
        {"dst": "198.18.3.0/24", "gateway": "198.18.12.1", "dev": "eth0", "protocol": "bird", "metric": 32},
        {"dst": "198.18.12.0/24", "dev": "eth0", "protocol": "kernel", "scope": "link"},
    ]
    monkeypatch.setattr(tables, "_json", lambda argv: answer)
    assert [(row["prefix"], row["source"]) for row in tables.routes("lanlab-rtest-r2")] == [
        ("198.18.1.0/24", "static"),
        ("198.18.3.0/24", "rip"),
        ("198.18.12.0/24", "connected"),
    ]
