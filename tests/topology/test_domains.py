"""Collision and broadcast domains counted on textbook figures, against the answers a course gives."""

from __future__ import annotations

from lanlab.topology import read_document
from lanlab.topology.domains import REPEATER_DELAY_BITS, Domains, find_domains
from lanlab.units import SECOND

RATE = 100_000_000
DELAY = 1_000


def domains_of(tmp_path, text: str) -> Domains:
    path = tmp_path / "net.yaml"
    path.write_text(text)
    return find_domains(read_document(path), RATE, DELAY)


# A router with two switches and three hubs (the classic exercise): r1 joins two LANs; sw1 has
# two hubs on its ports, sw2 one hub and one host. Course answer: 6 collision domains (r1-sw1,
# r1-sw2, sw1-hub1's medium, sw1-hub2's medium, sw2-hub3's medium, sw2-pc7) and 2 broadcast domains.
ROUTER_TWO_SWITCHES_THREE_HUBS = """
nodes:
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}}
  sw1: {kind: switch}
  sw2: {kind: switch}
  hub1: {kind: hub}
  hub2: {kind: hub}
  hub3: {kind: hub}
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  pc3: {kind: host, ip: 198.18.0.3/24}
  pc4: {kind: host, ip: 198.18.0.4/24}
  pc5: {kind: host, ip: 198.18.1.5/24}
  pc6: {kind: host, ip: 198.18.1.6/24}
  pc7: {kind: host, ip: 198.18.1.7/24}
links:
  - [r1:eth0, sw1:p1]
  - [r1:eth1, sw2:p1]
  - [sw1:p2, hub1:p1]
  - [sw1:p3, hub2:p1]
  - [sw2:p2, hub3:p1]
  - [pc1:eth0, hub1:p2]
  - [pc2:eth0, hub1:p3]
  - [pc3:eth0, hub2:p2]
  - [pc4:eth0, hub2:p3]
  - [pc5:eth0, hub3:p2]
  - [pc6:eth0, hub3:p3]
  - [pc7:eth0, sw2:p3]
"""


def test_router_two_switches_three_hubs_has_six_collision_and_two_broadcast_domains(tmp_path):
    """The classic exercise: every switch and router port starts a collision domain, the router bounds two LANs."""
    domains = domains_of(tmp_path, ROUTER_TWO_SWITCHES_THREE_HUBS)
    assert (len(domains.collision), len(domains.broadcast)) == (6, 2)
    hub1 = next(d for d in domains.collision if d.hubs == ("hub1",))
    assert set(hub1.stations) == {"sw1:p2", "pc1:eth0", "pc2:eth0"}
    lans = {frozenset(d.hosts): d for d in domains.broadcast}
    left = lans[frozenset({"pc1:eth0", "pc2:eth0", "pc3:eth0", "pc4:eth0"})]
    right = lans[frozenset({"pc5:eth0", "pc6:eth0", "pc7:eth0"})]
    assert (left.routers, right.routers) == (("r1:eth0",), ("r1:eth1",))
    assert set(left.devices) == {"sw1", "hub1", "hub2"}


HUB_CASCADE = """
nodes:
  hub1: {kind: hub}
  hub2: {kind: hub}
  hub3: {kind: hub}
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  pc3: {kind: host, ip: 198.18.0.3/24}
  pc4: {kind: host, ip: 198.18.0.4/24}
links:
  - [hub1:up, hub2:p1]
  - [hub2:p2, hub3:up]
  - [pc1:eth0, hub1:p1]
  - [pc2:eth0, hub1:p2]
  - [pc3:eth0, hub2:p3]
  - [pc4:eth0, hub3:p1]
"""


def test_a_hub_cascade_is_one_collision_domain(tmp_path):
    """Hubs linked to hubs are one medium: one collision domain with every station, one broadcast domain."""
    domains = domains_of(tmp_path, HUB_CASCADE)
    assert (len(domains.collision), len(domains.broadcast)) == (1, 1)
    (medium,) = domains.collision
    assert medium.hubs == ("hub1", "hub2", "hub3")
    assert set(medium.stations) == {"pc1:eth0", "pc2:eth0", "pc3:eth0", "pc4:eth0"}
    assert len(medium.ports) == 4 + 8  # the stations' NICs and the hubs' eight ports
    assert medium.repeaters == 3 and set(medium.farthest or ()) & {"pc4:eth0"}
    # pc1 -> hub1 -> hub2 -> hub3 -> pc4 and back: four cables and three repeaters of 46 bit times each way
    assert medium.round_trip == 2 * (4 * DELAY + 3 * REPEATER_DELAY_BITS * SECOND // RATE)


SWITCH_WITH_A_HUB = """
nodes:
  sw1: {kind: switch}
  hub1: {kind: hub}
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  pc3: {kind: host, ip: 198.18.0.3/24}
  pc4: {kind: host, ip: 198.18.0.4/24}
  pc5: {kind: host, ip: 198.18.0.5/24}
links:
  - [pc1:eth0, sw1:p1]
  - [pc2:eth0, sw1:p2]
  - [sw1:p3, hub1:p1]
  - [pc3:eth0, hub1:p2]
  - [pc4:eth0, hub1:p3]
  - [pc5:eth0, hub1:p4]
"""


def test_a_hub_on_a_switch_port_is_its_own_collision_domain(tmp_path):
    """A switch with two hosts and a hub of three: 3 collision domains (the switch port is a station of the hub's)."""
    domains = domains_of(tmp_path, SWITCH_WITH_A_HUB)
    assert (len(domains.collision), len(domains.broadcast)) == (3, 1)
    point_to_point = [d for d in domains.collision if not d.hubs]
    assert sorted(d.stations for d in point_to_point) == [("pc1:eth0", "sw1:p1"), ("pc2:eth0", "sw1:p2")]
    (medium,) = [d for d in domains.collision if d.hubs]
    assert "sw1:p3" in medium.stations and len(medium.stations) == 4
    (lan,) = domains.broadcast
    assert len(lan.hosts) == 5 and lan.routers == ()


def chain(hubs: int, rate: str, delay: str = "1us") -> str:
    nodes = "".join(f"  hub{i}: {{kind: hub}}\n" for i in range(1, hubs + 1))
    cable = f"rate: {rate}, delay: {delay}"
    links = "".join(f"  - {{endpoints: [hub{i}:b, hub{i + 1}:a], {cable}}}\n" for i in range(1, hubs))
    return (
        f"nodes:\n{nodes}  pa: {{kind: host, ip: 198.18.0.1/24}}\n  pb: {{kind: host, ip: 198.18.0.2/24}}\n"
        f"links:\n{links}  - {{endpoints: [pa:eth0, hub1:s], {cable}}}\n"
        f"  - {{endpoints: [pb:eth0, hub{hubs}:s], {cable}}}\n"
    )


def test_the_5_4_3_rule_allows_four_repeaters_at_10_mbps(tmp_path):
    """Four repeaters between two stations at 10 Mb/s keep the rule; a fifth breaks it, naming both stations."""
    assert domains_of(tmp_path, chain(4, "10Mbps")).warnings() == []
    (warning,) = domains_of(tmp_path, chain(5, "10Mbps")).warnings()
    assert "5 repeaters between pa:eth0 and pb:eth0" in warning and "5-4-3" in warning
    assert "late collision" in warning


def test_100_mbps_allows_two_class_ii_repeaters(tmp_path):
    """Two repeaters at 100 Mb/s on 100 m cables (0.5 us) keep the rule; three break it (class II)."""
    assert domains_of(tmp_path, chain(2, "100Mbps", "0.5us")).warnings() == []
    (warning,) = domains_of(tmp_path, chain(3, "100Mbps", "0.5us")).warnings()
    assert "3 repeaters" in warning and "class II" in warning


def test_two_repeaters_on_long_cables_pass_the_slot_time_and_are_warned_of(tmp_path):
    """Two repeaters at 100 Mb/s on 1 us cables: 3 cables and 2 repeaters each way, 7.84 us, past the
    5.12 us slot time: a warning naming the round trip and both stations, though the count is kept."""
    (warning,) = domains_of(tmp_path, chain(2, "100Mbps")).warnings()
    assert "a round trip of 7.84 us between pa:eth0 and pb:eth0" in warning and "late collision" in warning
    assert "repeaters between" not in warning


def test_a_hub_loop_is_one_collision_domain_counted_by_shortest_paths(tmp_path):
    """A ring of three hubs is one medium; its stations are one repeater hop apart at most (the loop's short way)."""
    text = chain(3, "100Mbps") + "  - [hub3:loop, hub1:loop]\n"
    (medium,) = domains_of(tmp_path, text).collision
    assert medium.hubs == ("hub1", "hub2", "hub3") and medium.repeaters == 2
