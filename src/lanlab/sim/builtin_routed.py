"""The routed network built into the package: `lanlab demo` shows RIP, traceroute and RARP on it.

    pc1 ─┐                                        ┌─ pc3  (RARP server)
         hub1 ── r1 ══════════ r2 ── sw2 ─────────┤
    pc2 ─┘   198.18.1.0/24  198.18.12.0/24  198.18.2.0/24  └─ pc4  (ip: rarp)

r1 and r2 run RIPv2 (poisoned reverse); hosts use their router as default gateway. pc4 has
no address: it asks for one with RARP at start-up and pc3 answers from its table.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface

from lanlab.sim.network import Network
from lanlab.sim.stacks.rarp import RarpBoot, RarpService
from lanlab.sim.devices.router import Router
from lanlab.wire import MacAddress

PICTURE = """\
    pc1 ─┐                                   ┌─ pc3 (RARP server)
         hub1 ── r1 ═════════ r2 ── sw2 ─────┤
    pc2 ─┘  198.18.1.0/24  198.18.12.0/24  198.18.2.0/24 └─ pc4 (ip: rarp)"""
PC4_MAC = MacAddress("02:00:00:00:02:04")


def two_subnets(seed: int = 1) -> Network:
    """Two LANs (one on a hub, one on a switch) joined by two RIP routers."""
    net = Network("two-subnets", seed)
    net.add_host("pc1", ip="198.18.1.1/24", gateway="198.18.1.254")
    net.add_host("pc2", ip="198.18.1.2/24", gateway="198.18.1.254")
    pc3 = net.add_host("pc3", ip="198.18.2.3/24", gateway="198.18.2.254")
    pc4 = net.add_host("pc4", interfaces={"eth0": {"ip": None, "mac": PC4_MAC}}, gateway="198.18.2.254")
    for name, lan, core in (("r1", "198.18.1.254/24", "198.18.12.1/24"), ("r2", "198.18.2.254/24", "198.18.12.2/24")):
        router = Router(name, net.engine)
        router.add_interface("eth0", IPv4Interface(lan))
        router.add_interface("eth1", IPv4Interface(core))
        router.enable_rip()
        net.add_node(router)
    net.add_hub("hub1")
    net.add_switch("sw2")
    for a, b in (
        ("pc1:eth0", "hub1:p1"),
        ("pc2:eth0", "hub1:p2"),
        ("r1:eth0", "hub1:p3"),
        ("pc3:eth0", "sw2:p1"),
        ("pc4:eth0", "sw2:p2"),
        ("r2:eth0", "sw2:p3"),
    ):
        net.link(a, b)
    net.link("r1:eth1", "r2:eth1", delay="1ms")
    RarpService(pc3, {PC4_MAC: IPv4Address("198.18.2.4")})
    RarpBoot(pc4, pc4.nics[0], 24)
    return net
