"""Simulated DNS servers in odd but legal zones (a trial as a teacher and a hostile student)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import load_topology
from lanlab.sim.commands import schedule

ZONE = """nodes:
  ns: {{kind: host, ip: 198.18.0.53/24, dns: {{zone: lab., auto: {auto}, records: {{www: 198.18.0.3}}}}}}
  pc1: {{kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}}
  sw1: {{kind: switch}}
links:
  - [ns:eth0, sw1:p1]
  - [pc1:eth0, sw1:p2]
"""


@pytest.mark.parametrize("auto", ["false", "true"])
def test_the_servers_counters_count_each_query_once(tmp_path: Path, auto):
    """Three answered queries and two refused ones count 3 and 2. A zone without auto: keeps one DnsServer,
    whose own counters grow with every query, and each query added them all again (1 + 2 + 3 = 6 answered)."""
    path = tmp_path / "zone.yaml"
    path.write_text(ZONE.format(auto=auto))
    net = load_topology(path)
    for i, name in enumerate(["www.lab", "nope.lab", "lab", "example.com", "example.org"]):
        schedule(net, f"at {i + 1}s pc1 dig +short {name}")
    net.run(10)
    service = net.node("ns").dns_service
    assert (service.answered, service.refused) == (3, 2)
