"""Broadcast storms: detected, named by their loop links, bounded by the link queues, stopped by max_events."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.sim import Engine, Network, load_topology
from lanlab.sim.devices.storm import first_storm, loop_links

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def mesh(n: int) -> Network:
    """n switches, every pair linked (a full mesh: each broadcast multiplies), pc1 on sw1."""
    net = Network("mesh")
    net.add_host("pc1", ip="198.18.0.1/24")
    for i in range(1, n + 1):
        net.add_switch(f"sw{i}")
    port = {i: 1 for i in range(1, n + 1)}
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            net.link(f"sw{i}:p{port[i]}", f"sw{j}:p{port[j]}", queue=20)
            port[i] += 1
            port[j] += 1
    net.link("pc1:eth0", f"sw1:p{port[1]}")
    return net


def test_storm_example_is_detected_and_names_the_three_loop_links():
    """One ARP request in the triangle comes back to a switch within microseconds; the report names
    the three switch-to-switch links (not the host links) and carries the frame."""
    net = load_topology(EXAMPLES / "storm.yaml")
    net.engine.max_events = 50_000
    net.run(10)
    storm = first_storm(net.nodes)
    assert storm is not None and storm.t < 100_000  # microseconds after the ping starts
    assert [link.name for link in storm.links] == ["sw1:p1-sw2:p1", "sw2:p2-sw3:p2", "sw3:p1-sw1:p2"]
    line = storm.line(net.now)
    assert line.startswith("broadcast storm: frame 1 (Who has 198.18.0.2? Tell 198.18.0.1) came back to ")
    assert "frames/s" in line


def test_max_events_stops_the_run_where_it_is():
    """The engine stops after exactly max_events events, keeps its clock there, and stays stopped."""
    net = load_topology(EXAMPLES / "storm.yaml")
    net.engine.max_events = 20_000
    assert net.run(10) == 20_000
    assert net.engine.stopped and net.engine.events == 20_000 and 0 < net.now < 10e9
    stopped_at = net.now
    assert net.run(20) == 0 and net.now == stopped_at
    unlimited = Engine()
    assert unlimited.max_events == 0 and unlimited.run(10) == 0 and not unlimited.stopped


def test_events_after_storm_stops_a_storm_soon_after_it_is_seen_and_nothing_else():
    """With events_after_storm the storm run stops that many events after the report (noticed within
    STORM_CHECK events), says why; a loop-free run with more events than that is not stopped."""
    from lanlab.sim.core.engine import STORM_CHECK

    net = load_topology(EXAMPLES / "storm.yaml")
    net.engine.events_after_storm = 5_000
    events = net.run(10)
    assert net.engine.stopped and net.engine.stopped_by == "storm"
    assert 5_000 <= events <= 5_000 + STORM_CHECK and net.engine.events == events
    calm = load_topology(EXAMPLES / "hub_vs_switch.yaml")
    calm.engine.events_after_storm = 50
    calm.ping("pc1", "pc3", count=20, interval=0.01)
    assert calm.engine.events > 50 and not calm.engine.stopped and calm.engine.stopped_by is None


def test_a_mesh_multiplies_one_broadcast_until_the_queues_overflow_and_memory_stays_bounded():
    """In a full mesh of 4 switches each copy becomes several: frames grow until output queues drop
    (tail drop), and the events waiting never exceed what the queues and links can hold."""
    net = mesh(4)
    net.engine.max_events = 200_000
    net.node("pc1").ping(net.resolve_ip("198.18.0.9"), count=1, interval=10**9, size=56, timeout=10**9, ttl=None)
    peak = 0
    while not net.engine.stopped and net.now < 10**9:
        net.run(net.now / 1e9 + 0.0005)
        peak = max(peak, net.engine.pending())
    capacity = sum(port.queue_limit + 2 for node in net.nodes.values() for port in node.ports.values())
    assert sum(link.drops for link in net.links) > 0
    assert 100 < peak <= capacity + 10  # per port: its queue, the frame on the wire, one in flight; timers
    storm = first_storm(net.nodes)
    assert storm is not None and len(storm.links) == 6  # every mesh link is on a loop


def test_no_storm_is_reported_on_a_tree():
    """A loop-free network floods each broadcast once per switch: no storm."""
    net = Network()
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.add_switch("sw2")
    net.link("pc1:eth0", "sw1:p1")
    net.link("sw1:p2", "sw2:p1")
    net.link("pc2:eth0", "sw2:p2")
    assert net.ping("pc1", "pc2", count=3).received == 3
    assert first_storm(net.nodes) is None


def _still_connected(edges: list[tuple[int, int]], cut: int, a: int, b: int) -> bool:
    """The oracle: a path from a to b without edge number `cut` (a plain search, no cleverness)."""
    seen, todo = {a}, [a]
    while todo:
        node = todo.pop()
        for number, (x, y) in enumerate(edges):
            if number != cut and node in (x, y):
                other = y if node == x else x
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
    return b in seen


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.lists(st.tuples(st.integers(1, n), st.integers(1, n)), max_size=9)))
def test_loop_links_are_exactly_the_links_whose_ends_stay_connected_without_them(pairs):
    """On any multigraph of switches (parallel links, a switch cabled to itself), loop_links from sw1
    names exactly the links reachable from sw1 whose two ends are still connected without them."""
    net = Network("graph")
    switches = {k for pair in pairs for k in pair} | {1}
    for k in sorted(switches):
        net.add_switch(f"sw{k}")
    used = {k: 0 for k in switches}
    links = []
    for a, b in pairs:
        used[a] += 1
        used[b] += 1
        links.append(net.link(f"sw{a}:p{used[a]}", f"sw{b}:p{used[b] + (a == b)}"))
        used[b] += a == b
    reachable = {1} | {k for k in switches if _still_connected(pairs, -1, 1, k)}
    expected = sorted(
        (links[i].name for i, (a, b) in enumerate(pairs) if a in reachable and _still_connected(pairs, i, a, b))
    )
    assert [link.name for link in loop_links(net.node("sw1"))] == expected


def test_ping_returns_when_max_events_stops_a_storm():
    """Network.ping in a loop without STP comes back (unanswered) once max_events stops the engine."""
    net = load_topology(EXAMPLES / "storm.yaml")
    net.engine.max_events = 20_000
    result = net.ping("pc1", "pc2", count=2)
    assert net.engine.stopped and result.received <= 2 and net.engine.events == 20_000


def test_loop_links_leave_out_a_ring_that_a_blocking_port_cuts():
    """Under STP a ring of switches is no loop once a port blocks: loop_links walks forwarding ports only
    (stp.yaml at 50 s: the tree has converged and the cable is not pulled until 60 s)."""
    net = load_topology(EXAMPLES / "stp.yaml")
    net.run(50)
    switches = [node for node in net.nodes.values() if node.name.startswith("sw")]
    assert any(not port.forwarding for sw in switches for port in sw.ports.values() if port.peer is not None)
    assert loop_links(switches[0]) == []


def test_a_storm_stops_at_the_same_event_however_the_run_is_cut():
    """Run as one call or as calls of 37 us each (sim view records a run instant by instant), the storm
    is noticed and the run stops at the same event and time (--html stopped at 200,008 events, 201,000 without)."""
    whole = load_topology(EXAMPLES / "storm.yaml")
    whole.engine.events_after_storm = 5_000
    whole.run(10)
    cut = load_topology(EXAMPLES / "storm.yaml")
    cut.engine.events_after_storm = 5_000
    while not cut.engine.stopped and cut.now < 10**10:
        cut.run(cut.now / 1e9 + 37e-6)
    assert whole.engine.stopped_by == cut.engine.stopped_by == "storm"
    assert (cut.engine.events, cut.now) == (whole.engine.events, whole.now)
