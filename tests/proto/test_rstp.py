"""802.1w RSTP: roles, proposal/agreement, sub-second failover, edge ports, topology change, STP fallback."""

import pytest

from bridgelab import MS, TRIANGLE, build
from lanlab.proto import FdbFlush, PortChanged, RstpBridge, StpBridge
from lanlab.proto.rstp import PORT_MACHINES
from lanlab.proto.spanning import SECOND
from lanlab.wire import Bpdu, BpduFlags, BpduRole, BpduType


def triangle():
    return build(RstpBridge, {"sw1": 32768, "sw2": 32768, "sw3": 32768}, TRIANGLE)


def flagged(lab, flag, after=0):
    return [(t, n, port) for t, n, port, b in lab.sent if b.bpdu_type == BpduType.RST and b.flags & flag and t >= after]


def test_triangle_converges_within_two_seconds_with_one_alternate_port():
    """Roles settle by handshake, not timers: root, designated and one alternate port, all within 2 s."""
    lab = triangle()
    lab.run(2 * SECOND)
    assert lab.roles() == {
        "sw1:p1": ("designated", "forwarding"),
        "sw1:p2": ("designated", "forwarding"),
        "sw2:p1": ("root", "forwarding"),
        "sw2:p2": ("designated", "forwarding"),
        "sw3:p1": ("root", "forwarding"),
        "sw3:p2": ("alternate", "discarding"),
        **{f"sw{i}:p{n}": ("disabled", "discarding") for i in (1, 2, 3) for n in (3, 4)},
    }


def test_a_designated_port_proposes_and_forwards_as_soon_as_the_root_port_agrees():
    """Proposal down, agreement back up (17.29.2-3): the designated port forwards a link delay after the agreement."""
    lab = build(RstpBridge, {"sw1": 32768, "sw2": 32768}, [("sw1:p1", "sw2:p1")])
    lab.run(1 * SECOND)
    proposals = flagged(lab, BpduFlags.PROPOSAL)
    agreements = flagged(lab, BpduFlags.AGREEMENT)
    assert proposals[0][1:] == ("sw1", "p1") or proposals[0][1:] == ("sw2", "p1")
    assert ("sw2", "p1") in [(n, p) for _, n, p in agreements]
    agreed_at = min(t for t, n, p in agreements if n == "sw2")
    forward = [
        t
        for t, n, e in lab.changes
        if n == "sw1" and isinstance(e, PortChanged) and e.port == "p1" and e.state.value == "forwarding"
    ]
    assert forward == [agreed_at + 1 * MS]
    bpdu = [b for t, n, p, b in lab.sent if n == "sw2" and b.flags & BpduFlags.AGREEMENT][0]
    assert bpdu.role == BpduRole.ROOT and bpdu.version == 2


@pytest.mark.parametrize("cut", ["sw1:p2", "sw1:p1"])
def test_link_failure_heals_in_well_under_a_second(cut):
    """Whichever link of the triangle fails, the alternate port takes over within milliseconds, loop-free."""
    lab = triangle()
    lab.run(60 * SECOND)
    lab.changes.clear()
    lab.cut(cut)
    lab.run(61 * SECOND)
    healed = [
        t
        for t, n, e in lab.changes
        if n == "sw3" and isinstance(e, PortChanged) and e.port == "p2" and e.state.value == "forwarding"
    ]
    assert healed and healed[-1] - 60 * SECOND < 10 * MS
    assert lab.flood("sw1") == lab.flood("sw2") == lab.flood("sw3") == {"sw1": 1, "sw2": 1, "sw3": 1}


def test_restored_link_takes_back_its_role_within_a_second_without_a_loop():
    """When the failed link returns, sw3 re-roots through it and blocks p2 again, with no loop at any point."""
    lab = triangle()
    lab.run(60 * SECOND)
    lab.cut("sw1:p2")
    lab.run(70 * SECOND)
    lab.link("sw3:p1", "sw1:p2")
    for ms in range(1, 1000, 1):
        lab.run(70 * SECOND + ms * MS)
        assert max(lab.flood("sw1").values()) <= 1
    assert lab.roles()["sw3:p1"] == ("root", "forwarding") and lab.roles()["sw3:p2"] == ("alternate", "discarding")


def test_failover_flushes_learned_addresses_through_topology_change():
    """The new root port's change is a topology change: TC flags go out and the other bridges flush (17.31)."""
    lab = triangle()
    lab.run(60 * SECOND)
    lab.changes.clear()
    lab.cut("sw1:p2")
    lab.run(62 * SECOND)
    tc_from = {(n, p) for _, n, p in flagged(lab, BpduFlags.TC, after=60 * SECOND)}
    assert {("sw3", "p2"), ("sw2", "p1")} <= tc_from  # sw3 announces, sw2 passes it on to the root
    flushed = {(n, e.port) for _, n, e in lab.changes if isinstance(e, FdbFlush)}
    assert ("sw2", "p1") in flushed and ("sw2", "p2") not in flushed  # not the port the change came in on


def test_a_port_without_a_bridge_behind_it_becomes_an_edge_port_and_forwards():
    """A port that hears no BPDU is taken for an edge port after Migrate Time (3 s) and forwards (17.25)."""
    lab = build(RstpBridge, {"sw1": 32768}, [])
    bridge = lab.bridges["sw1"]
    bridge.handle_link("p1", True, 0)
    lab.run(2 * SECOND)
    assert not bridge.forwarding("p1")
    lab.run(4 * SECOND)
    assert bridge.forwarding("p1") and bridge.status()[0].edge


def test_an_admin_edge_port_forwards_at_once_until_a_bpdu_arrives():
    """A configured edge port forwards on link up; a BPDU on it means a bridge is there after all."""
    bridge = RstpBridge("02:00:00:00:00:01")
    bridge.add_port("p1", 1, 20_000, edge=True)
    bridge.handle_link("p1", True, 0)
    assert bridge.forwarding("p1")
    better = Bpdu(BpduType.RST, BpduRole.DESIGNATED << 2, 0, "02:00:00:00:00:09", 0, 0, "02:00:00:00:00:09", version=2)
    bridge.handle_bpdu("p1", better, 5 * MS)
    assert not bridge.status()[0].edge and bridge.root()[1] == "p1"


def test_information_ages_out_after_three_hellos_of_silence():
    """A neighbour that falls silent (no link down) is forgotten after 3 x Hello Time (17.21.23)."""
    lab = build(RstpBridge, {"sw1": 32768, "sw2": 32768}, [("sw1:p1", "sw2:p1")])
    lab.run(10 * SECOND)
    assert not lab.bridges["sw2"].is_root
    del lab.peer[("sw1", "p1")]  # sw1's BPDUs are lost from now on, the link stays up
    lab.run(14 * SECOND)
    assert not lab.bridges["sw2"].is_root
    lab.run(17 * SECOND)
    assert lab.bridges["sw2"].is_root


def test_rstp_falls_back_to_stp_bpdus_facing_a_legacy_bridge():
    """An RSTP port that hears an 802.1D configuration BPDU sends configuration BPDUs from then on (17.24)."""
    lab = build(RstpBridge, {"sw1": 32768}, [])
    lab.add("sw2", StpBridge("02:00:00:00:00:02")).add_port("p1", 1, 20_000)
    lab.bridges["sw1"].add_port("p9", 9, 20_000)
    lab.link("sw1:p9", "sw2:p1")
    lab.run(60 * SECOND)
    late = [b for t, n, p, b in lab.sent if n == "sw1" and t > 10 * SECOND]
    assert late and all(b.bpdu_type == BpduType.CONFIG for b in late)
    assert lab.bridges["sw2"].root()[1] == "p1" and lab.bridges["sw1"].forwarding("p9")


def test_every_machine_names_its_clause_and_every_target_state_has_an_entry():
    """The machine tables are complete: each transition leads to a state with an entry action."""
    for machine in PORT_MACHINES:
        assert " 17." in machine.name
        targets = {t for rows in machine.transitions.values() for _, t in rows} | {t for _, t in machine.anywhere}
        assert targets <= set(machine.entry) and set(machine.transitions) <= set(machine.entry)
