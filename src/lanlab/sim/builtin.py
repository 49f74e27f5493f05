"""The network built into the package: `lanlab demo` runs the note's story on it.

    pc1 ─┐                 ┌─ pc3
    pc2 ─┼─ sw1 ── hub1 ───┤
    pc5 ─┘                 └─ pc4

Hosts are 198.18.0.N/24 (RFC 2544 benchmarking addresses, never routed on the Internet).
"""

from __future__ import annotations

from lanlab.sim.network import Network

PICTURE = """\
    pc1 ─┐                  ┌─ pc3
    pc2 ─┼─ sw1 ─── hub1 ───┤
    pc5 ─┘                  └─ pc4"""


def classroom(seed: int = 1) -> Network:
    """Three hosts on a switch, two on a hub behind it."""
    net = Network("classroom", seed)
    for n in range(1, 6):
        net.add_host(f"pc{n}", ip=f"198.18.0.{n}/24")
    net.add_switch("sw1")
    net.add_hub("hub1")
    net.link("pc1:eth0", "sw1:p1")
    net.link("pc2:eth0", "sw1:p2")
    net.link("pc5:eth0", "sw1:p5")
    net.link("sw1:p3", "hub1:p1")
    net.link("pc3:eth0", "hub1:p2")
    net.link("pc4:eth0", "hub1:p3")
    return net
