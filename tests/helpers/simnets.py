"""Small simulated networks the tests share (as Python networks, and as topology files)."""

from __future__ import annotations

from lanlab.sim import Network


def pair() -> Network:
    """pc1 (198.18.0.1) and pc2 (198.18.0.2) on one switch."""
    net = Network("pair")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.link("pc1:eth0", "sw1:p1")
    net.link("pc2:eth0", "sw1:p2")
    return net


# The same pair as a topology file, for tests that write one (labs, the CLI).
PAIR_YAML = """name: t
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  sw1: {kind: switch}
links:
  - [pc1:eth0, sw1:p1]
  - [pc2:eth0, sw1:p2]
"""
