"""Collision and broadcast domains counted on textbook figures, against the answers a course gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _brute_span(kinds, links, rate):
    """The textbook computation as an oracle: all-pairs shortest paths over the hubs, then every pair of
    stations in cabling order, the first of equal pairs kept."""
    from lanlab.topology.domains import REPEATER

    repeater = REPEATER_DELAY_BITS * 1_000_000_000 // rate
    hubs = sorted({n for a, _, b, _, _, _ in links for n in (a, b) if kinds[n] == REPEATER})
    far = 1 << 40
    hops = {(x, y): 0 if x == y else far for x in hubs for y in hubs}
    delay = {(x, y): 0 if x == y else far for x in hubs for y in hubs}
    attached = []
    for a, pa, b, pb, _, d in links:
        if kinds[a] == REPEATER and kinds[b] == REPEATER:
            hops[a, b] = hops[b, a] = 1
            delay[a, b] = delay[b, a] = min(delay[a, b], repeater + d)
        else:
            hub, station = (a, f"{b}:{pb}") if kinds[a] == REPEATER else (b, f"{a}:{pa}")
            attached.append((station, hub, d))
    for k in hubs:
        for x in hubs:
            for y in hubs:
                hops[x, y] = min(hops[x, y], hops[x, k] + hops[k, y])
                delay[x, y] = min(delay[x, y], delay[x, k] + delay[k, y])
    repeaters, farthest, one_way, slowest = 0, None, 0, None
    for i, (s1, h1, d1) in enumerate(attached):
        for s2, h2, d2 in attached[i + 1 :]:
            if hops[h1, h2] + 1 > repeaters:
                repeaters, farthest = hops[h1, h2] + 1, (s1, s2)
            if d1 + delay[h1, h2] + repeater + d2 > one_way:
                one_way, slowest = d1 + delay[h1, h2] + repeater + d2, (s1, s2)
    return repeaters, farthest, 2 * one_way, slowest


@given(
    st.integers(1, 6).flatmap(
        lambda hubs: st.tuples(
            st.just(hubs),
            st.lists(
                st.tuples(st.integers(0, hubs - 1), st.integers(0, hubs - 1), st.sampled_from([5, 500, 9000])),
                max_size=8,
            ),
            st.lists(st.tuples(st.integers(0, hubs - 1), st.sampled_from([5, 500, 9000])), min_size=1, max_size=8),
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_the_span_of_any_hub_cascade_matches_all_pairs_shortest_paths(cascade):
    """Repeaters, farthest pair, round trip and slowest pair of any connected cascade (loops, parallel
    cables, equal delays) are those of Floyd-Warshall over all station pairs, ties to the first pair."""
    from lanlab.topology.domains import domains_of

    count, extra, stations = cascade
    kinds = {f"h{i}": "hub" for i in range(count)} | {f"s{j}": "host" for j in range(len(stations))}
    links = [(f"h{i}", f"p{i}", f"h{i + 1}", "up", RATE, DELAY) for i in range(count - 1)]  # connected
    links += [(f"h{a}", f"x{n}", f"h{b}", f"y{n}", RATE, d) for n, (a, b, d) in enumerate(extra) if a != b]
    links += [(f"s{j}", "eth0", f"h{hub}", f"s{j}", RATE, d) for j, (hub, d) in enumerate(stations)]
    [medium] = [m for m in domains_of(kinds, links).collision if m.hubs]
    expected = _brute_span(kinds, [link for link in links if kinds[link[0]] == "hub" or kinds[link[2]] == "hub"], RATE)
    assert (medium.repeaters, medium.farthest, medium.round_trip, medium.slowest) == expected


def test_a_cascade_of_300_hubs_and_10000_hosts_on_one_hub_are_counted():
    """300 hubs in a row and 10,000 stations on one hub (Floyd-Warshall over the hubs and every pair of
    stations took 30 s and 16 s for them; breadth first from each occupied hub, milliseconds)."""
    from lanlab.topology.domains import domains_of

    kinds = {f"h{i}": "hub" for i in range(300)} | {"a": "host", "b": "host"}
    links = [(f"h{i}", "p2", f"h{i + 1}", "p1", RATE, DELAY) for i in range(299)]
    links += [("a", "eth0", "h0", "p0", RATE, DELAY), ("b", "eth0", "h299", "p3", RATE, DELAY)]
    [medium] = domains_of(kinds, links).collision[:1]
    kinds = {"hub": "hub"} | {f"pc{i}": "host" for i in range(10_000)}
    star = [(f"pc{i}", "eth0", "hub", f"p{i}", RATE, DELAY) for i in range(10_000)]
    [star_medium] = domains_of(kinds, star).collision
    assert medium.repeaters == 300 and medium.farthest == ("a:eth0", "b:eth0")
    assert star_medium.repeaters == 1 and star_medium.farthest == ("pc0:eth0", "pc1:eth0")
