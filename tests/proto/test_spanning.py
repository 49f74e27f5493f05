"""What 802.1D STP and 802.1w RSTP share: who wins the election, which port leads to the root, no loops."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgelab import TRIANGLE, build
from lanlab.proto import LocalStpError, RstpBridge, StpBridge, port_cost
from lanlab.proto.spanning import SECOND

KINDS = {"stp": StpBridge, "rstp": RstpBridge}
CONVERGED = 40 * SECOND  # 802.1D needs 2 x Forward Delay; RSTP far less


@pytest.fixture(params=sorted(KINDS))
def make(request):
    """Each test runs once with each protocol."""
    return KINDS[request.param]


def roles(lab, *endpoints):
    return [lab.roles()[e][0] for e in endpoints]


def test_lowest_mac_wins_when_priorities_tie(make):
    """With equal priorities the bridge with the lowest MAC is root; every bridge agrees on it."""
    lab = build(make, {"sw1": 32768, "sw2": 32768, "sw3": 32768}, TRIANGLE)
    lab.run(CONVERGED)
    assert [b.root()[0] for b in lab.bridges.values()] == [lab.bridges["sw1"].my_id] * 3
    assert lab.bridges["sw1"].is_root and not lab.bridges["sw3"].is_root


def test_priority_beats_mac(make):
    """A lower priority wins the election whatever the MACs (the bridge id is priority first)."""
    lab = build(make, {"sw1": 32768, "sw2": 32768, "sw3": 4096}, TRIANGLE)
    lab.run(CONVERGED)
    assert all(b.root()[0] == lab.bridges["sw3"].my_id for b in lab.bridges.values())
    assert roles(lab, "sw3:p1", "sw3:p2") == ["designated", "designated"]
    assert sorted(roles(lab, "sw1:p1", "sw2:p1")) == ["alternate", "designated"]


def test_root_port_is_the_cheapest_path_not_the_shortest(make):
    """sw3's direct link to the root costs more than two cheap hops through sw2, so sw3 goes through sw2."""
    lab = build(
        make, {"sw1": 32768, "sw2": 32768, "sw3": 32768}, TRIANGLE, costs={"sw3:p1": 200_000, "sw1:p2": 200_000}
    )
    lab.run(CONVERGED)
    assert lab.bridges["sw3"].root() == (lab.bridges["sw1"].my_id, "p2", 40_000)
    assert roles(lab, "sw3:p1", "sw1:p2") == ["alternate", "designated"]


def test_equal_cost_tie_goes_to_the_lower_sender_bridge_id(make):
    """sw4 reaches the root through sw2 or sw3 at equal cost: it picks sw2, the lower designated bridge id."""
    links = [("sw1:p1", "sw2:p1"), ("sw1:p2", "sw3:p1"), ("sw4:p1", "sw3:p2"), ("sw4:p2", "sw2:p2")]
    lab = build(make, {"sw1": 32768, "sw2": 32768, "sw3": 32768, "sw4": 32768}, links)
    lab.run(CONVERGED)
    assert lab.bridges["sw4"].root()[1] == "p2"
    assert roles(lab, "sw4:p1", "sw3:p2") == ["alternate", "designated"]


def test_parallel_links_tie_goes_to_the_lower_sender_port_id(make):
    """Two links between the same bridges: the one from the root's lower port id (p1) is the root port."""
    lab = build(make, {"sw1": 32768, "sw2": 32768}, [("sw1:p1", "sw2:p2"), ("sw1:p2", "sw2:p1")])
    lab.run(CONVERGED)
    assert lab.bridges["sw2"].root()[1] == "p2"
    assert roles(lab, "sw2:p2", "sw2:p1") == ["root", "alternate"]
    assert lab.roles()["sw2:p1"][1] in ("blocking", "discarding")


def test_a_bridge_looped_to_itself_blocks_one_port_as_backup(make):
    """Two ports of one bridge wired together: the higher port id yields and is a backup port."""
    lab = build(make, {"sw1": 32768}, [("sw1:p1", "sw1:p2")])
    lab.run(CONVERGED)
    assert roles(lab, "sw1:p1", "sw1:p2") == ["designated", "backup"]
    assert lab.bridges["sw1"].forwarding("p1") and not lab.bridges["sw1"].forwarding("p2")


def test_converged_triangle_delivers_a_broadcast_once_to_each_bridge(make):
    """Once converged, exactly one port of the loop blocks: a flood reaches every bridge once, never twice."""
    lab = build(make, {"sw1": 32768, "sw2": 32768, "sw3": 32768}, TRIANGLE)
    lab.run(CONVERGED)
    blocked = [
        e
        for e, (_, state) in lab.roles().items()
        if state in ("blocking", "discarding") and e.split(":")[1] in ("p1", "p2")
    ]
    assert blocked == ["sw3:p2"]
    for start in lab.bridges:
        assert lab.flood(start) == {"sw1": 1, "sw2": 1, "sw3": 1}


graphs = st.integers(2, 6).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.sampled_from([4096, 32768, 61440]), min_size=n, max_size=n),
        st.lists(st.tuples(st.integers(1, n), st.integers(1, n)), min_size=n - 1, max_size=2 * n),
    )
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs, st.sampled_from(sorted(KINDS)))
def test_any_topology_converges_to_a_loop_free_spanning_tree(graph, kind):
    """Random bridges and links (loops, parallel links): after convergence every bridge that is
    connected to another gets each broadcast exactly once, and all agree on the lowest bridge id as root."""
    n, priorities, pairs = graph
    free = {i: iter(range(1, 9)) for i in range(1, n + 1)}
    links = []
    for a, b in pairs:
        if a == b:
            continue
        pa, pb = next(free[a], None), next(free[b], None)
        if pa is None or pb is None:
            continue
        links.append((f"sw{a}:p{pa}", f"sw{b}:p{pb}"))
    lab = build(KINDS[kind], {f"sw{i}": priorities[i - 1] for i in range(1, n + 1)}, links, ports=8)
    lab.run(CONVERGED)
    for start in lab.bridges:
        copies = lab.flood(start)
        reached = {name for name, count in copies.items() if count}
        assert all(count <= 1 for count in copies.values()), copies
        roots = {lab.bridges[name].root()[0] for name in reached}
        assert roots == {min(lab.bridges[name].my_id for name in reached)}


def test_port_cost_follows_the_802_1d_2004_table():
    """Recommended path costs: 20 Tb/s divided by the rate, within 1..200,000,000 (Table 17-3)."""
    assert [port_cost(r) for r in (10**7, 10**8, 10**9, 10**10, 10**11)] == [2_000_000, 200_000, 20_000, 2_000, 200]
    assert port_cost(9600) == 200_000_000 and port_cost(10**15) == 1 and port_cost(None) == 20_000


def test_caller_mistakes_raise_local_stp_error(make):
    """Unknown ports, a port number used twice and impossible values are the caller's error."""
    bridge = make("02:00:00:00:00:01", 32768)
    bridge.add_port("p1", 1, 19)
    with pytest.raises(LocalStpError):
        bridge.add_port("p9", 1, 19)
    with pytest.raises(LocalStpError):
        bridge.add_port("p2", 2, 0)
    with pytest.raises(LocalStpError):
        bridge.handle_link("nope", True, 0)
    with pytest.raises(LocalStpError):
        make("02:00:00:00:00:01", 70000)
