"""802.1D-1998 STP: port states and their timers, Hello/Max Age/Forward Delay, TCN, failure and recovery."""

import pytest

from bridgelab import MS, TRIANGLE, build
from lanlab.proto import FdbFlush, PortChanged, PortState, StpBridge, TopologyChange
from lanlab.proto.spanning import SECOND
from lanlab.proto.stp import PORT_STATE_TRANSITIONS
from lanlab.wire import Bpdu, BpduFlags, BpduType

LINE = [("sw1:p1", "sw2:p1"), ("sw2:p2", "sw3:p1")]


def triangle():
    return build(StpBridge, {"sw1": 32768, "sw2": 32768, "sw3": 32768}, TRIANGLE)


def states(lab, *endpoints):
    return [lab.roles()[e][1] for e in endpoints]


def test_ports_listen_then_learn_then_forward_one_forward_delay_apart():
    """A root or designated port listens for 15 s, learns for 15 s, then forwards (8.6.12, 8.7.5)."""
    lab = triangle()
    lab.run(15 * SECOND - 1)
    assert states(lab, "sw1:p1", "sw2:p1", "sw3:p2") == ["listening", "listening", "blocking"]
    lab.run(15 * SECOND)
    assert states(lab, "sw1:p1", "sw2:p1", "sw3:p2") == ["learning", "learning", "blocking"]
    assert not lab.bridges["sw1"].forwarding("p1") and lab.bridges["sw1"].learning("p1")
    lab.run(30 * SECOND - 1)
    assert states(lab, "sw1:p1", "sw2:p1") == ["learning", "learning"]
    lab.run(30 * SECOND)
    assert states(lab, "sw1:p1", "sw2:p1", "sw3:p1", "sw3:p2") == ["forwarding"] * 3 + ["blocking"]


def test_every_state_change_is_reported_in_order():
    """Each port's reported changes chain (each starts where the last ended) and cover the standard's moves."""
    lab = triangle()
    lab.run(60 * SECOND)
    lab.cut("sw1:p2")
    lab.run(120 * SECOND)
    changes = [(n, e) for _, n, e in lab.changes if isinstance(e, PortChanged)]
    last = {}
    for n, e in changes:
        assert last.get((n, e.port), ("disabled", "disabled")) == (e.old_role.value, e.old_state.value)
        last[(n, e.port)] = (e.role.value, e.state.value)
    assert {v for k, v in last.items()} == {
        tuple(v) for k, v in lab.roles().items() if k in {f"{n}:{p}" for n, p in last}
    }
    seen = {(e.old_state.value, e.state.value) for _, e in changes}
    assert {
        ("disabled", "listening"),
        ("listening", "learning"),
        ("learning", "forwarding"),
        ("listening", "blocking"),
        ("forwarding", "disabled"),
        ("blocking", "listening"),
    } <= seen


def test_a_move_outside_the_transition_table_is_refused():
    """The state table is enforced: disabled -> forwarding is not a move 802.1D allows."""
    bridge = StpBridge("02:00:00:00:00:01")
    bridge.add_port("p1", 1, 19)
    assert (PortState.DISABLED, PortState.FORWARDING) not in PORT_STATE_TRANSITIONS
    with pytest.raises(AssertionError, match="forbids disabled -> forwarding"):
        bridge._set_state(bridge.ports["p1"], PortState.FORWARDING)


def test_only_the_root_originates_hellos_every_two_seconds():
    """The root sends a configuration BPDU on each designated port every Hello Time; others relay at once."""
    lab = build(StpBridge, {"sw1": 32768, "sw2": 32768, "sw3": 32768}, LINE)
    lab.run(20 * SECOND)
    root_times = [t for t, n, port, _ in lab.sent if n == "sw1" and t > 5 * SECOND]
    assert root_times == [t * SECOND for t in range(6, 21, 2)]
    relayed = [t for t, n, port, _ in lab.sent if n == "sw2" and port == "p2" and t > 5 * SECOND]
    assert relayed == [t + 1 * MS for t in root_times[:-1]]  # the last one is still on the wire at 20 s
    assert not [t for t, n, _, _ in lab.sent if n == "sw3" and t > 5 * SECOND]  # sw3 has no designated port


def test_message_age_grows_hop_by_hop_and_timers_come_from_the_root():
    """A relayed BPDU carries the root's timers and a Message Age of the time held plus the increment."""
    lab = build(StpBridge, {"sw1": 32768, "sw2": 32768, "sw3": 32768}, LINE)
    lab.run(10 * SECOND)
    last = {(n, port): bpdu for _, n, port, bpdu in lab.sent}
    from_root, relayed = last[("sw1", "p1")], last[("sw2", "p2")]
    assert from_root.message_age == 0 and relayed.message_age == 1  # 1/256 s a hop; the 1 ms held rounds down
    assert relayed.hello_time == from_root.hello_time == 512
    assert (relayed.root_path_cost, relayed.root_mac) == (20_000, from_root.bridge_mac)


def test_hold_time_allows_one_configuration_bpdu_per_second_per_port():
    """Answers to a burst of inferior BPDUs are held: the first goes at once, the next one second later (8.6.1)."""
    bridge = StpBridge("02:00:00:00:00:01")
    bridge.add_port("p1", 1, 19)
    bridge.handle_link("p1", True, 0)
    bridge.handle_timer(0)
    assert len(bridge.bpdus_to_send(0)) == 1
    inferior = Bpdu(root_mac="02:00:00:00:00:09", bridge_mac="02:00:00:00:00:09")
    for t in (100, 200, 300):
        bridge.handle_bpdu("p1", inferior, t * MS)
    assert bridge.bpdus_to_send(300 * MS) == []
    assert bridge.get_timer() == 1 * SECOND
    bridge.handle_timer(1 * SECOND)
    assert [p for p, _ in bridge.bpdus_to_send(SECOND)] == ["p1"]


def test_stale_or_looped_back_bpdus_are_ignored():
    """A BPDU with Message Age >= Max Age, or our own BPDU back on the port that sent it, changes nothing (9.3.4)."""
    bridge = StpBridge("02:00:00:00:00:05")
    bridge.add_port("p1", 1, 19)
    bridge.handle_link("p1", True, 0)
    bridge.handle_bpdu("p1", Bpdu(root_priority=0, root_mac="02:00:00:00:00:01", message_age=20 * 256), 0)
    bridge.handle_bpdu("p1", Bpdu(root_priority=0, bridge_mac="02:00:00:00:00:05", port_id=0x8001), 0)
    assert bridge.is_root


def test_root_information_times_out_after_max_age():
    """If the root falls silent, its information ages out after Max Age and the next bridge takes over (8.7.4)."""
    lab = build(StpBridge, {"sw1": 32768, "sw2": 32768}, [("sw1:p1", "sw2:p1")])
    lab.run(40 * SECOND)
    lab.bridges["sw1"].bridge_hello_time = 1000 * SECOND  # the root stops talking (a one-way failure)
    lab.bridges["sw1"].hello_expiry = 1000 * SECOND
    lab.run(80 * SECOND)
    took_over = [t for t, n, e in lab.changes if n == "sw2" and getattr(e, "root_port", "x") is None]
    assert 18 * SECOND < took_over[-1] - 40 * SECOND <= 20 * SECOND + 1 * MS


def test_topology_change_notification_reaches_the_root_and_short_ageing_follows():
    """A new forwarding port sends TCNs up until acknowledged; the root sets TC for Max Age + Forward Delay,
    and every bridge ages its table with Forward Delay meanwhile (8.6.14, 8.7.2, 8.7.7)."""
    lab = build(StpBridge, {"sw1": 32768, "sw2": 32768, "sw3": 32768, "sw4": 32768}, LINE)
    lab.run(60 * SECOND)
    lab.changes.clear()
    lab.link("sw3:p2", "sw4:p1")  # sw3:p2 becomes designated and, 30 s later, forwarding
    lab.run(200 * SECOND)
    tcns = [(t, n) for t, n, _, b in lab.sent if b.bpdu_type == BpduType.TCN and t > 60 * SECOND]
    first_ack = {}
    for t, n, _, b in lab.sent:
        if b.flags & BpduFlags.TC_ACK and t > 60 * SECOND:
            first_ack.setdefault(n, t)
    assert set(first_ack) == {"sw1", "sw2"}
    assert all(t <= 90 * SECOND + 1 * SECOND + 2 * MS for t in first_ack.values())  # held at most a Hold Time
    assert tcns == [(90 * SECOND, "sw3"), (90 * SECOND + 1 * MS, "sw2")]  # each stopped once acknowledged
    short = {n: (t, e.ageing) for t, n, e in lab.changes if isinstance(e, TopologyChange) and e.active}
    assert short["sw1"] == (90 * SECOND + 2 * MS, 15 * SECOND)
    assert set(short) >= {"sw1", "sw2", "sw3"}
    over = {n: t for t, n, e in lab.changes if isinstance(e, TopologyChange) and not e.active}
    assert over["sw1"] == 90 * SECOND + 2 * MS + 35 * SECOND


@pytest.mark.parametrize(
    ("cut", "low", "high"),
    [
        ("sw1:p2", 30, 30),  # sw3 loses its root port: its alternate port goes listening at once
        ("sw1:p1", 45, 50),  # sw2 loses its root port: sw3 waits for sw2's old information to reach Max Age
    ],
)
def test_failure_heals_in_30_to_50_seconds(cut, low, high):
    """After a link failure the blocked port forwards again after 2 x Forward Delay, plus up to Max Age
    when the failure is not on its own bridge; meanwhile and after, no broadcast loops."""
    lab = triangle()
    lab.run(60 * SECOND)
    lab.cut(cut)
    lab.run(60 * SECOND + 1)
    assert lab.flood("sw1")["sw3"] <= 1 and lab.flood("sw3")["sw1"] <= 1
    for second in range(61, 121):
        lab.run(second * SECOND)
        assert max(lab.flood("sw2").values()) <= 1
    healed = [
        t
        for t, n, e in lab.changes
        if n == "sw3" and isinstance(e, PortChanged) and e.port == "p2" and e.state.value == "forwarding"
    ]
    assert low * SECOND <= healed[-1] - 60 * SECOND <= high * SECOND
    assert lab.flood("sw1") == lab.flood("sw2") == {"sw1": 1, "sw2": 1, "sw3": 1}


def test_failed_link_comes_back_and_the_tree_returns_without_a_loop():
    """Restoring the link blocks sw3:p2 again; at every second in between, no bridge sees a frame twice."""
    lab = triangle()
    lab.run(60 * SECOND)
    lab.cut("sw1:p2")
    lab.run(100 * SECOND)
    lab.link("sw3:p1", "sw1:p2")
    for second in range(101, 161):
        lab.run(second * SECOND)
        assert max(lab.flood("sw1").values()) <= 1
    assert states(lab, "sw3:p1", "sw3:p2") == ["forwarding", "blocking"]
    assert any(isinstance(e, FdbFlush) and n == "sw3" for _, n, e in lab.changes)
