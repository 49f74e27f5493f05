"""The rapid spanning tree (IEEE 802.1w, as consolidated in 802.1D-2004 clause 17), one bridge, sans-IO.

The standard specifies RSTP as state machines that share variables (17.19) and run until
none of them can move; here each machine is a table: its states' entry actions and, per
state, the (condition, next state) transitions in the standard's order, plus the
transitions taken from any state. The clause of every machine is in its table's name.

    PPM 17.24 protocol migration    BDM 17.25 bridge detection (edge ports)
    PTX 17.26 port transmit         PIM 17.27 port information
    PRS 17.28 role selection        PRT 17.29 port role transitions
    PST 17.30 port state            TCM 17.31 topology change
    (PTI 17.22 timers: tick(); PRX 17.23 receive: handle_bpdu())

Timers count whole seconds (17.19.44 tick), ticked once a second from the first link up;
everything else happens at once on a BPDU or a link change, which is what makes a failover
take milliseconds: the alternate port becomes root port and forwards in the same call.
Two readings of the text follow 802.1Q-2005 as mstpd does: recordDispute sets `disputed`,
and a message from the port's current designated bridge and port is always superior (17.6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from lanlab.units import SECOND
from lanlab.proto.spanning import (
    BRIDGE_ADDRESS,
    DEFAULT_PORT_PRIORITY,
    DEFAULT_PRIORITY,
    PORT_NUMBER,
    FdbFlush,
    PortRole,
    PortState,
    PortStatus,
    SpanningTreeBridge,
)
from lanlab.wire.mac import MacAddress
from lanlab.wire.stp import Bpdu, BpduFlags, BpduRole, BpduType, BridgeId

MIGRATE_TIME: Final = 3  # 17.13.9
TX_HOLD_COUNT: Final = 6  # 17.13.12

Vector = tuple[int, int, int, int]  # 17.5 priority vector: root, root path cost, designated bridge, designated port


@dataclass(frozen=True, slots=True)
class Times:
    """17.19.x *Times: Message Age, Max Age, Forward Delay, Hello Time, in whole seconds."""

    message_age: int = 0
    max_age: int = 20
    forward_delay: int = 15
    hello_time: int = 2


class Info(Enum):
    """17.19.10 infoIs."""

    DISABLED = "disabled"
    AGED = "aged"
    MINE = "mine"
    RECEIVED = "received"


class Rcvd(Enum):
    """17.19.29 rcvdInfo, the verdict of rcvInfo() (17.21.8)."""

    SUPERIOR_DESIGNATED = 1
    REPEATED_DESIGNATED = 2
    INFERIOR_DESIGNATED = 3
    INFERIOR_ROOT_ALTERNATE = 4
    OTHER = 5


@dataclass(slots=True, eq=False)
class RstpPort:
    """One port's 17.19 variables (timers in seconds, counting down on each tick)."""

    name: str
    port_id: int
    path_cost: int
    admin_edge: bool = False
    auto_edge: bool = True
    point_to_point: bool = True  # operPointToPointMAC: agreements are only trusted on point-to-point links
    enabled: bool = False
    fd_while: int = 0
    hello_when: int = 0
    mdelay_while: int = 0
    rb_while: int = 0
    rcvd_info_while: int = 0
    rr_while: int = 0
    tc_while: int = 0
    edge_delay_while: int = 0
    tx_count: int = 0
    agree: bool = False
    agreed: bool = False
    disputed: bool = False
    fdb_flush: bool = False
    forward: bool = False
    forwarding: bool = False
    learn: bool = False
    learning: bool = False
    mcheck: bool = False
    new_info: bool = False
    oper_edge: bool = False
    proposed: bool = False
    proposing: bool = False
    rcvd_msg: bool = False
    rcvd_rstp: bool = False
    rcvd_stp: bool = False
    rcvd_tc: bool = False
    rcvd_tc_ack: bool = False
    rcvd_tcn: bool = False
    re_root: bool = False
    reselect: bool = False
    selected: bool = False
    send_rstp: bool = True
    sync: bool = False
    synced: bool = False
    tc_ack: bool = False
    tc_prop: bool = False
    updt_info: bool = False
    learned: bool = False  # not in 17.19: whether a flush would forget anything (keeps the event list quiet)
    info_is: Info = Info.DISABLED
    rcvd_info: Rcvd = Rcvd.OTHER
    role: PortRole = PortRole.DISABLED
    selected_role: PortRole = PortRole.DISABLED
    port_priority: Vector = (0, 0, 0, 0)
    port_times: Times = Times()
    designated_priority: Vector = (0, 0, 0, 0)
    designated_times: Times = Times()
    msg_priority: Vector = (0, 0, 0, 0)
    msg_times: Times = Times()
    bpdu: Bpdu | None = None
    machine: dict[str, str] = field(default_factory=dict)  # machine name -> current state


Condition = Callable[["RstpBridge", RstpPort], bool]
Action = Callable[["RstpBridge", RstpPort], None]


@dataclass(frozen=True)
class Machine:
    """One per-port state machine of clause 17: entry actions, per-state transitions, from-anywhere transitions."""

    name: str
    begin: Callable[[RstpPort], str]
    entry: dict[str, Action]
    transitions: dict[str, Sequence[tuple[Condition, str]]]
    anywhere: Sequence[tuple[Condition, str]] = ()


def _always(b: RstpBridge, p: RstpPort) -> bool:
    return True


def _xc(b: RstpBridge, p: RstpPort) -> bool:
    """selected && !updtInfo: the condition under every role and transmit transition."""
    return p.selected and not p.updt_info


def _hello(p: RstpPort) -> int:
    return p.designated_times.hello_time  # 17.20.7 HelloTime


def _fwd_delay(p: RstpPort) -> int:
    return p.designated_times.forward_delay  # 17.20.6 FwdDelay


def _max_age(p: RstpPort) -> int:
    return p.designated_times.max_age  # 17.20.8 MaxAge


def _forward_delay(p: RstpPort) -> int:
    return _hello(p) if p.send_rstp else _fwd_delay(p)  # 17.20.5 forwardDelay


def _edge_delay(p: RstpPort) -> int:
    return MIGRATE_TIME if p.point_to_point else _max_age(p)  # 17.20.4 EdgeDelay


def _set(**values: object) -> Action:
    """An entry action that only assigns port variables."""
    items = tuple(values.items())

    def action(b: RstpBridge, p: RstpPort) -> None:
        for name, value in items:
            setattr(p, name, value)

    return action


def _do(*actions: Action) -> Action:
    def action(b: RstpBridge, p: RstpPort) -> None:
        for a in actions:
            a(b, p)

    return action


# -- 17.24 Port Protocol Migration ---------------------------------------------------------------

PPM = Machine(
    "PPM 17.24",
    begin=lambda p: "CHECKING_RSTP",
    entry={
        "CHECKING_RSTP": lambda b, p: _set(mcheck=False, send_rstp=b.rstp_version, mdelay_while=MIGRATE_TIME)(b, p),
        "SELECTING_STP": _set(send_rstp=False, mdelay_while=MIGRATE_TIME),
        "SENSING": _set(rcvd_rstp=False, rcvd_stp=False),
    },
    transitions={
        "CHECKING_RSTP": [
            (lambda b, p: p.mdelay_while == 0, "SENSING"),
            (lambda b, p: p.mdelay_while != MIGRATE_TIME and not p.enabled, "CHECKING_RSTP"),
        ],
        "SELECTING_STP": [(lambda b, p: p.mdelay_while == 0 or not p.enabled or p.mcheck, "SENSING")],
        "SENSING": [
            (
                lambda b, p: not p.enabled or p.mcheck or (b.rstp_version and not p.send_rstp and p.rcvd_rstp),
                "CHECKING_RSTP",
            ),
            (lambda b, p: p.send_rstp and p.rcvd_stp, "SELECTING_STP"),
        ],
    },
)

# -- 17.25 Bridge Detection: an edge port (no bridge behind it) forwards at once ---------------------

BDM = Machine(
    "BDM 17.25",
    begin=lambda p: "EDGE" if p.admin_edge else "NOT_EDGE",
    entry={"EDGE": _set(oper_edge=True), "NOT_EDGE": _set(oper_edge=False)},
    transitions={
        "EDGE": [(lambda b, p: (not p.enabled and not p.admin_edge) or not p.oper_edge, "NOT_EDGE")],
        "NOT_EDGE": [
            (
                lambda b, p: (
                    (not p.enabled and p.admin_edge)
                    or (p.edge_delay_while == 0 and p.auto_edge and p.send_rstp and p.proposing)
                ),
                "EDGE",
            ),
        ],
    },
)

# -- 17.26 Port Transmit ----------------------------------------------------------------------------


def _may_send(b: RstpBridge, p: RstpPort) -> bool:
    """xc2: new information, under the Transmit Hold Count, and not in the same tick as a periodic one."""
    return p.new_info and p.tx_count < b.tx_hold_count and p.hello_when != 0 and _xc(b, p)


PTX = Machine(
    "PTX 17.26",
    begin=lambda p: "TRANSMIT_INIT",
    entry={
        "TRANSMIT_INIT": _set(new_info=True, tx_count=0),
        "TRANSMIT_PERIODIC": lambda b, p: setattr(
            p, "new_info", p.new_info or p.role == PortRole.DESIGNATED or (p.role == PortRole.ROOT and p.tc_while != 0)
        ),
        "TRANSMIT_CONFIG": lambda b, p: b._transmit(p, BpduType.CONFIG),
        "TRANSMIT_TCN": lambda b, p: b._transmit(p, BpduType.TCN),
        "TRANSMIT_RSTP": lambda b, p: b._transmit(p, BpduType.RST),
        "IDLE": lambda b, p: setattr(p, "hello_when", _hello(p)),
    },
    transitions={
        "TRANSMIT_INIT": [(_always, "IDLE")],
        "TRANSMIT_PERIODIC": [(_always, "IDLE")],
        "TRANSMIT_CONFIG": [(_always, "IDLE")],
        "TRANSMIT_TCN": [(_always, "IDLE")],
        "TRANSMIT_RSTP": [(_always, "IDLE")],
        "IDLE": [
            (lambda b, p: p.hello_when == 0 and _xc(b, p), "TRANSMIT_PERIODIC"),
            (lambda b, p: p.send_rstp and _may_send(b, p), "TRANSMIT_RSTP"),
            (lambda b, p: not p.send_rstp and p.role == PortRole.ROOT and _may_send(b, p), "TRANSMIT_TCN"),
            (lambda b, p: not p.send_rstp and p.role == PortRole.DESIGNATED and _may_send(b, p), "TRANSMIT_CONFIG"),
        ],
    },
)

# -- 17.27 Port Information ---------------------------------------------------------------------------


def _better_or_same_info(b: RstpBridge, p: RstpPort, new_info_is: Info) -> bool:
    """17.21.1 betterorsameInfo."""
    if new_info_is == Info.RECEIVED and p.info_is == Info.RECEIVED:
        return p.msg_priority <= p.port_priority
    if new_info_is == Info.MINE and p.info_is == Info.MINE:
        return p.designated_priority <= p.port_priority
    return False


def _update(b: RstpBridge, p: RstpPort) -> None:
    p.proposing = p.proposed = False
    p.agreed = p.agreed and _better_or_same_info(b, p, Info.MINE)
    p.synced = p.synced and p.agreed
    p.port_priority, p.port_times = p.designated_priority, p.designated_times
    p.updt_info, p.info_is, p.new_info = False, Info.MINE, True


def _superior_designated(b: RstpBridge, p: RstpPort) -> None:
    p.agreed = p.proposing = False
    b._record_proposal(p)
    b._set_tc_flags(p)
    b._record_priority_and_times(p)
    p.info_is, p.reselect, p.selected, p.rcvd_msg = Info.RECEIVED, True, False, False


def _repeated_designated(b: RstpBridge, p: RstpPort) -> None:
    b._record_proposal(p)
    b._set_tc_flags(p)
    b._updt_rcvd_info_while(p)
    p.rcvd_msg = False


def _inferior_designated(b: RstpBridge, p: RstpPort) -> None:
    # 17.21.10 recordDispute, read as 802.1Q-2005 13.26.7: a designated port that hears a designated,
    # learning port with worse information on the same LAN must not forward
    if p.bpdu is not None and p.bpdu.bpdu_type == BpduType.RST and p.bpdu.flags & BpduFlags.LEARNING:
        p.disputed, p.agreed = True, False
    p.rcvd_msg = False


def _not_designated(b: RstpBridge, p: RstpPort) -> None:
    # 17.21.9 recordAgreement
    flags = p.bpdu.flags if p.bpdu is not None and p.bpdu.bpdu_type == BpduType.RST else 0
    if b.rstp_version and p.point_to_point and flags & BpduFlags.AGREEMENT:
        p.agreed, p.proposing = True, False
    else:
        p.agreed = False
    b._set_tc_flags(p)
    p.rcvd_msg = False


PIM = Machine(
    "PIM 17.27",
    begin=lambda p: "DISABLED",
    entry={
        "DISABLED": _set(
            rcvd_msg=False,
            proposing=False,
            proposed=False,
            agree=False,
            agreed=False,
            rcvd_info_while=0,
            info_is=Info.DISABLED,
            reselect=True,
            selected=False,
        ),
        "AGED": _set(info_is=Info.AGED, reselect=True, selected=False),
        "UPDATE": _update,
        "SUPERIOR_DESIGNATED": _superior_designated,
        "REPEATED_DESIGNATED": _repeated_designated,
        "INFERIOR_DESIGNATED": _inferior_designated,
        "NOT_DESIGNATED": _not_designated,
        "OTHER": _set(rcvd_msg=False),
        "CURRENT": lambda b, p: None,
        "RECEIVE": lambda b, p: setattr(p, "rcvd_info", b._rcv_info(p)),
    },
    transitions={
        "DISABLED": [(lambda b, p: p.enabled, "AGED"), (lambda b, p: p.rcvd_msg, "DISABLED")],
        "AGED": [(lambda b, p: p.selected and p.updt_info, "UPDATE")],
        "UPDATE": [(_always, "CURRENT")],
        "SUPERIOR_DESIGNATED": [(_always, "CURRENT")],
        "REPEATED_DESIGNATED": [(_always, "CURRENT")],
        "INFERIOR_DESIGNATED": [(_always, "CURRENT")],
        "NOT_DESIGNATED": [(_always, "CURRENT")],
        "OTHER": [(_always, "CURRENT")],
        "CURRENT": [
            (lambda b, p: p.selected and p.updt_info, "UPDATE"),
            (
                lambda b, p: (
                    p.info_is == Info.RECEIVED and p.rcvd_info_while == 0 and not p.updt_info and not p.rcvd_msg
                ),
                "AGED",
            ),
            (lambda b, p: p.rcvd_msg and not p.updt_info, "RECEIVE"),
        ],
        "RECEIVE": [
            (lambda b, p: p.rcvd_info == Rcvd.SUPERIOR_DESIGNATED, "SUPERIOR_DESIGNATED"),
            (lambda b, p: p.rcvd_info == Rcvd.REPEATED_DESIGNATED, "REPEATED_DESIGNATED"),
            (lambda b, p: p.rcvd_info == Rcvd.INFERIOR_DESIGNATED, "INFERIOR_DESIGNATED"),
            (lambda b, p: p.rcvd_info == Rcvd.INFERIOR_ROOT_ALTERNATE, "NOT_DESIGNATED"),
            (lambda b, p: p.rcvd_info == Rcvd.OTHER, "OTHER"),
        ],
    },
    anywhere=[(lambda b, p: not p.enabled and p.info_is != Info.DISABLED, "DISABLED")],
)

# -- 17.29 Port Role Transitions ----------------------------------------------------------------------


def _all_synced(b: RstpBridge) -> bool:
    """17.20.3 allSynced."""
    return all(
        q.selected and q.role == q.selected_role and (q.synced or q.role == PortRole.ROOT) for q in b.ports.values()
    )


def _re_rooted(b: RstpBridge, p: RstpPort) -> bool:
    """17.20.10 reRooted: no other port is still a recent root port."""
    return all(q is p or q.rr_while == 0 for q in b.ports.values())


def _root_may_advance(b: RstpBridge, p: RstpPort) -> bool:
    return p.fd_while == 0 or (_re_rooted(b, p) and p.rb_while == 0 and b.rstp_version)


def _designated_may_advance(b: RstpBridge, p: RstpPort) -> bool:
    return (p.fd_while == 0 or p.agreed or p.oper_edge) and (p.rr_while == 0 or not p.re_root) and not p.sync


def _role_is(role: PortRole) -> Condition:
    return lambda b, p: p.role != p.selected_role and p.selected_role == role and _xc(b, p)


def _set_sync_tree(b: RstpBridge, p: RstpPort) -> None:
    for q in b.ports.values():  # 17.21.14
        q.sync = True


def _set_re_root_tree(b: RstpBridge, p: RstpPort) -> None:
    for q in b.ports.values():  # 17.21.15
        q.re_root = True


def _agreed_upstream(b: RstpBridge, p: RstpPort) -> bool:
    return ((_all_synced(b) and not p.agree) or (p.proposed and p.agree)) and _xc(b, p)


PRT = Machine(
    "PRT 17.29",
    begin=lambda p: "INIT_PORT",
    entry={
        # 17.29.1 disabled port
        "INIT_PORT": lambda b, p: _set(
            role=PortRole.DISABLED,
            learn=False,
            forward=False,
            synced=False,
            sync=True,
            re_root=True,
            rr_while=_fwd_delay(p),
            fd_while=_max_age(p),
            rb_while=0,
        )(b, p),
        "DISABLE_PORT": lambda b, p: _set(role=p.selected_role, learn=False, forward=False)(b, p),
        "DISABLED_PORT": lambda b, p: _set(fd_while=_max_age(p), synced=True, rr_while=0, sync=False, re_root=False)(
            b, p
        ),
        # 17.29.2 root port
        "ROOT_PROPOSED": _do(_set_sync_tree, _set(proposed=False)),
        "ROOT_AGREED": _set(proposed=False, sync=False, agree=True, new_info=True),
        "ROOT_SYNCED": _set(synced=True, sync=False),
        "REROOT": _set_re_root_tree,
        "REROOTED": _set(re_root=False),
        "ROOT_LEARN": lambda b, p: _set(fd_while=_forward_delay(p), learn=True)(b, p),
        "ROOT_FORWARD": _set(fd_while=0, forward=True),
        "ROOT_PORT": lambda b, p: _set(role=PortRole.ROOT, rr_while=_fwd_delay(p))(b, p),
        # 17.29.3 designated port
        "DESIGNATED_PROPOSE": lambda b, p: _set(proposing=True, edge_delay_while=_edge_delay(p), new_info=True)(b, p),
        "DESIGNATED_SYNCED": _set(rr_while=0, synced=True, sync=False),
        "DESIGNATED_RETIRED": _set(re_root=False),
        "DESIGNATED_DISCARD": lambda b, p: _set(learn=False, forward=False, disputed=False, fd_while=_forward_delay(p))(
            b, p
        ),
        "DESIGNATED_LEARN": lambda b, p: _set(learn=True, fd_while=_forward_delay(p))(b, p),
        "DESIGNATED_FORWARD": lambda b, p: _set(forward=True, fd_while=0, agreed=p.send_rstp)(b, p),
        "DESIGNATED_PORT": _set(role=PortRole.DESIGNATED),
        # 17.29.4 alternate and backup port
        "BLOCK_PORT": lambda b, p: _set(role=p.selected_role, learn=False, forward=False)(b, p),
        "ALTERNATE_PROPOSED": _do(_set_sync_tree, _set(proposed=False)),
        "ALTERNATE_AGREED": _set(proposed=False, agree=True, new_info=True),
        "BACKUP_PORT": lambda b, p: setattr(p, "rb_while", 2 * _hello(p)),
        "ALTERNATE_PORT": lambda b, p: _set(
            fd_while=_forward_delay(p), synced=True, rr_while=0, sync=False, re_root=False
        )(b, p),
    },
    transitions={
        "INIT_PORT": [(_always, "DISABLE_PORT")],
        "DISABLE_PORT": [(lambda b, p: not p.learning and not p.forwarding and _xc(b, p), "DISABLED_PORT")],
        "DISABLED_PORT": [
            (
                lambda b, p: (p.fd_while != _max_age(p) or p.sync or p.re_root or not p.synced) and _xc(b, p),
                "DISABLED_PORT",
            ),
        ],
        **{
            state: [(_always, "ROOT_PORT")]
            for state in (
                "ROOT_PROPOSED",
                "ROOT_AGREED",
                "ROOT_SYNCED",
                "REROOT",
                "REROOTED",
                "ROOT_LEARN",
                "ROOT_FORWARD",
            )
        },
        "ROOT_PORT": [
            (lambda b, p: p.proposed and not p.agree and _xc(b, p), "ROOT_PROPOSED"),
            (_agreed_upstream, "ROOT_AGREED"),
            (lambda b, p: ((p.agreed and not p.synced) or (p.sync and p.synced)) and _xc(b, p), "ROOT_SYNCED"),
            (lambda b, p: not p.forward and not p.re_root and _xc(b, p), "REROOT"),
            (lambda b, p: p.re_root and p.forward and _xc(b, p), "REROOTED"),
            (lambda b, p: _root_may_advance(b, p) and not p.learn and _xc(b, p), "ROOT_LEARN"),
            (lambda b, p: _root_may_advance(b, p) and p.learn and not p.forward and _xc(b, p), "ROOT_FORWARD"),
            (lambda b, p: p.rr_while != _fwd_delay(p) and _xc(b, p), "ROOT_PORT"),
        ],
        **{
            state: [(_always, "DESIGNATED_PORT")]
            for state in (
                "DESIGNATED_PROPOSE",
                "DESIGNATED_SYNCED",
                "DESIGNATED_RETIRED",
                "DESIGNATED_DISCARD",
                "DESIGNATED_LEARN",
                "DESIGNATED_FORWARD",
            )
        },
        "DESIGNATED_PORT": [
            (
                lambda b, p: not p.forward and not p.agreed and not p.proposing and not p.oper_edge and _xc(b, p),
                "DESIGNATED_PROPOSE",
            ),
            (
                lambda b, p: (
                    (
                        (not p.learning and not p.forwarding and not p.synced)
                        or (p.agreed and not p.synced)
                        or (p.oper_edge and not p.synced)
                        or (p.sync and p.synced)
                    )
                    and _xc(b, p)
                ),
                "DESIGNATED_SYNCED",
            ),
            (lambda b, p: p.rr_while == 0 and p.re_root and _xc(b, p), "DESIGNATED_RETIRED"),
            (
                lambda b, p: (
                    ((p.sync and not p.synced) or (p.re_root and p.rr_while != 0) or p.disputed)
                    and not p.oper_edge
                    and (p.learn or p.forward)
                    and _xc(b, p)
                ),
                "DESIGNATED_DISCARD",
            ),
            (lambda b, p: _designated_may_advance(b, p) and not p.learn and _xc(b, p), "DESIGNATED_LEARN"),
            (
                lambda b, p: _designated_may_advance(b, p) and p.learn and not p.forward and _xc(b, p),
                "DESIGNATED_FORWARD",
            ),
        ],
        "BLOCK_PORT": [(lambda b, p: not p.learning and not p.forwarding and _xc(b, p), "ALTERNATE_PORT")],
        "ALTERNATE_PROPOSED": [(_always, "ALTERNATE_PORT")],
        "ALTERNATE_AGREED": [(_always, "ALTERNATE_PORT")],
        "BACKUP_PORT": [(_always, "ALTERNATE_PORT")],
        "ALTERNATE_PORT": [
            (lambda b, p: p.proposed and not p.agree and _xc(b, p), "ALTERNATE_PROPOSED"),
            (_agreed_upstream, "ALTERNATE_AGREED"),
            (lambda b, p: p.rb_while != 2 * _hello(p) and p.role == PortRole.BACKUP and _xc(b, p), "BACKUP_PORT"),
            (
                lambda b, p: (p.fd_while != _forward_delay(p) or p.sync or p.re_root or not p.synced) and _xc(b, p),
                "ALTERNATE_PORT",
            ),
        ],
    },
    anywhere=[
        (_role_is(PortRole.DISABLED), "DISABLE_PORT"),
        (_role_is(PortRole.ROOT), "ROOT_PORT"),
        (_role_is(PortRole.DESIGNATED), "DESIGNATED_PORT"),
        (_role_is(PortRole.ALTERNATE), "BLOCK_PORT"),
        (_role_is(PortRole.BACKUP), "BLOCK_PORT"),
    ],
)

# -- 17.30 Port State Transition ------------------------------------------------------------------------


def _start_learning(b: RstpBridge, p: RstpPort) -> None:
    p.learning = p.learned = True


PST = Machine(
    "PST 17.30",
    begin=lambda p: "DISCARDING",
    entry={
        "DISCARDING": _set(learning=False, forwarding=False),
        "LEARNING": _start_learning,
        "FORWARDING": _set(forwarding=True),
    },
    transitions={
        "DISCARDING": [(lambda b, p: p.learn, "LEARNING")],
        "LEARNING": [(lambda b, p: not p.learn, "DISCARDING"), (lambda b, p: p.forward, "FORWARDING")],
        "FORWARDING": [(lambda b, p: not p.forward, "DISCARDING")],
    },
)

# -- 17.31 Topology Change ------------------------------------------------------------------------------


def _flush(b: RstpBridge, p: RstpPort) -> None:
    """fdbFlush: done at once (17.19.7 allows it), reported only if the port ever learned anything."""
    if p.learned:
        b._events.append(FdbFlush(p.name))
        p.learned = p.learning
    p.fdb_flush = False


def _new_tc_while(b: RstpBridge, p: RstpPort) -> None:
    """17.21.7 newTcWhile."""
    if p.tc_while == 0:
        if p.send_rstp:
            p.tc_while, p.new_info = _hello(p) + 1, True
        else:
            p.tc_while = b.root_times.max_age + b.root_times.forward_delay


def _set_tc_prop_tree(b: RstpBridge, p: RstpPort) -> None:
    for q in b.ports.values():  # 17.21.18: every port but this one passes the change on
        if q is not p:
            q.tc_prop = True


def _root_or_designated(p: RstpPort) -> bool:
    return p.role in (PortRole.ROOT, PortRole.DESIGNATED)


TCM = Machine(
    "TCM 17.31",
    begin=lambda p: "INACTIVE",
    entry={
        "INACTIVE": _do(_flush, _set(tc_while=0, tc_ack=False)),
        "LEARNING": _set(rcvd_tc=False, rcvd_tcn=False, rcvd_tc_ack=False, tc_prop=False),
        "DETECTED": _do(_new_tc_while, _set_tc_prop_tree, _set(new_info=True)),
        "ACKNOWLEDGED": _set(tc_while=0, rcvd_tc_ack=False),
        "PROPAGATING": _do(_new_tc_while, _flush, _set(tc_prop=False)),
        "NOTIFIED_TC": _do(
            lambda b, p: _set(rcvd_tcn=False, rcvd_tc=False, tc_ack=p.tc_ack or p.role == PortRole.DESIGNATED)(b, p),
            _set_tc_prop_tree,
        ),
        "NOTIFIED_TCN": _new_tc_while,
        "ACTIVE": lambda b, p: None,
    },
    transitions={
        "INACTIVE": [(lambda b, p: p.learn and not p.fdb_flush, "LEARNING")],
        "LEARNING": [
            (lambda b, p: _root_or_designated(p) and p.forward and not p.oper_edge, "DETECTED"),
            (
                lambda b, p: (
                    not _root_or_designated(p)
                    and not (p.learn or p.learning)
                    and not (p.rcvd_tc or p.rcvd_tcn or p.rcvd_tc_ack or p.tc_prop)
                ),
                "INACTIVE",
            ),
            (lambda b, p: p.rcvd_tc or p.rcvd_tcn or p.rcvd_tc_ack or p.tc_prop, "LEARNING"),
        ],
        "DETECTED": [(_always, "ACTIVE")],
        "ACKNOWLEDGED": [(_always, "ACTIVE")],
        "PROPAGATING": [(_always, "ACTIVE")],
        "NOTIFIED_TC": [(_always, "ACTIVE")],
        "NOTIFIED_TCN": [(_always, "NOTIFIED_TC")],
        "ACTIVE": [
            (lambda b, p: not _root_or_designated(p) or p.oper_edge, "LEARNING"),
            (lambda b, p: p.rcvd_tc_ack, "ACKNOWLEDGED"),
            (lambda b, p: p.tc_prop and not p.oper_edge, "PROPAGATING"),
            (lambda b, p: p.rcvd_tc, "NOTIFIED_TC"),
            (lambda b, p: p.rcvd_tcn, "NOTIFIED_TCN"),
        ],
    },
)

PORT_MACHINES: Final = (PPM, BDM, PTX, PIM, PRT, PST, TCM)
_MAX_STEPS: Final = 10_000  # a bug guard: the machines settle in tens of steps


class RstpBridge(SpanningTreeBridge):
    """An 802.1w bridge: add_port() each port, then feed it links, BPDUs and timers."""

    INITIAL = (PortRole.DISABLED, PortState.DISCARDING)
    rstp_version: bool  # 17.20.11: ForceProtocolVersion >= 2 (False: a forced STP-compatible bridge)

    def __init__(
        self,
        address: MacAddress | str,
        priority: int = DEFAULT_PRIORITY,
        *,
        hello_time: int = 2 * SECOND,
        max_age: int = 20 * SECOND,
        forward_delay: int = 15 * SECOND,
        tx_hold_count: int = TX_HOLD_COUNT,
        force_stp: bool = False,
    ) -> None:
        super().__init__(address, priority)
        self.bridge_times = Times(0, max_age // SECOND, forward_delay // SECOND, hello_time // SECOND)
        self.tx_hold_count = tx_hold_count
        self.rstp_version = not force_stp  # 17.20.11 (ForceProtocolVersion >= 2)
        self.ports: dict[str, RstpPort] = {}
        self.root_priority: Vector = (self.my_id, 0, self.my_id, 0)
        self.root_port_id = 0
        self.root_times = self.bridge_times
        self._next_tick: int | None = None
        self._now = 0

    # -- configuration --------------------------------------------------------------------

    def add_port(
        self,
        name: str,
        number: int,
        cost: int,
        priority: int = DEFAULT_PORT_PRIORITY,
        *,
        edge: bool = False,
        point_to_point: bool = True,
    ) -> None:
        """Declare a port (link down until handle_link); `edge` is AdminEdge (17.13.1)."""
        pid = self._new_port_id(name, number, cost, priority)
        p = RstpPort(
            name,
            pid,
            cost,
            admin_edge=edge,
            point_to_point=point_to_point,
            designated_times=self.bridge_times,
            port_times=self.bridge_times,
        )
        self.ports[name] = p
        for m in PORT_MACHINES:  # BEGIN
            p.machine[m.name] = m.begin(p)
            m.entry[p.machine[m.name]](self, p)
        p.reselect = True

    # -- inputs ---------------------------------------------------------------------------

    def handle_link(self, port: str, up: bool, now: int) -> None:
        """The port's link came up or went down (portEnabled, 17.19.18)."""
        p = self._port(port)
        self._now = now
        if self._next_tick is None and up:
            self._next_tick = now + SECOND
        p.enabled = up
        if up:
            p.edge_delay_while = MIGRATE_TIME  # 17.23 PRX DISCARD state, entered while the port was down
        self._run()

    def handle_bpdu(self, port: str, bpdu: Bpdu, now: int) -> None:
        """A BPDU arrived on `port` (17.23 Port Receive, after the 9.3.4 validation)."""
        p = self._port(port)
        self._now = now
        if not p.enabled:
            return
        if bpdu.bpdu_type == BpduType.CONFIG and (
            bpdu.message_age >= bpdu.max_age
            or (
                int.from_bytes(bpdu.bridge_mac, "big") == self.my_id & BRIDGE_ADDRESS
                and bpdu.port_id & PORT_NUMBER == p.port_id & PORT_NUMBER
            )
        ):
            return  # 9.3.4 a): stale, or our own BPDU come back to the port that sent it
        if bpdu.bpdu_type == BpduType.RST or bpdu.version >= 2:
            p.rcvd_rstp = True  # 17.21.22 updtBPDUVersion
        else:
            p.rcvd_stp = True
        p.bpdu = bpdu
        p.oper_edge = False  # a bridge is behind this port after all
        p.rcvd_msg = True
        p.edge_delay_while = MIGRATE_TIME
        self._run()

    def get_timer(self) -> int | None:
        """The next one-second tick (17.22), or None before any link came up."""
        return self._next_tick

    def handle_timer(self, now: int) -> None:
        """Tick every timer once per whole second passed (17.22 Port Timers)."""
        self._now = now
        while self._next_tick is not None and self._next_tick <= now:
            self._next_tick += SECOND
            for p in self.ports.values():
                for name in (
                    "hello_when",
                    "tc_while",
                    "fd_while",
                    "rcvd_info_while",
                    "rr_while",
                    "rb_while",
                    "mdelay_while",
                    "edge_delay_while",
                    "tx_count",
                ):
                    value = getattr(p, name)
                    if value:
                        setattr(p, name, value - 1)
            self._run()

    # -- queries --------------------------------------------------------------------------

    def forwarding(self, port: str) -> bool:
        """Whether frames may be relayed through `port`."""
        return bool(self._port(port).forwarding)

    def learning(self, port: str) -> bool:
        """Whether source addresses of frames received on `port` may be learned."""
        return bool(self._port(port).learning)

    def root(self) -> tuple[int, str | None, int]:
        """(root bridge id as int, root port or None, root path cost)."""
        root_port = next((p.name for p in self.ports.values() if p.port_id == self.root_port_id), None)
        return self.root_priority[0], root_port, self.root_priority[1]

    def status(self) -> list[PortStatus]:
        """Every port's role, state and the information it holds."""
        rows = []
        for p in self.ports.values():
            state = PortState.FORWARDING if p.forwarding else PortState.LEARNING if p.learning else PortState.DISCARDING
            held = p.port_priority if p.info_is != Info.DISABLED else p.designated_priority
            rows.append(
                PortStatus(
                    p.name,
                    p.port_id,
                    p.role,
                    state,
                    p.path_cost,
                    BridgeId.from_int(held[0]),
                    held[1],
                    BridgeId.from_int(held[2]),
                    held[3],
                    p.oper_edge,
                )
            )
        return rows

    # -- running the machines ---------------------------------------------------------------

    def _run(self) -> None:
        """Step every machine until none can move (the standard's simultaneous machines, serialised)."""
        for _ in range(_MAX_STEPS):
            moved = False
            if any(p.reselect for p in self.ports.values()):
                self._role_selection()
                moved = True
            for p in self.ports.values():
                for m in PORT_MACHINES:
                    moved |= self._step(m, p)
            if not moved:
                self._report()
                return
        raise AssertionError(f"RSTP machines of {self.bridge_id} did not settle")

    def _step(self, m: Machine, p: RstpPort) -> bool:
        state = p.machine[m.name]
        for condition, target in (*m.anywhere, *m.transitions.get(state, ())):
            if condition(self, p):
                p.machine[m.name] = target
                m.entry[target](self, p)
                return True
        return False

    # -- 17.28 Port Role Selection (the one per-bridge machine) ------------------------------

    def _role_selection(self) -> None:
        """ROLE_SELECTION: clearReselectTree, updtRolesTree, setSelectedTree (17.21.2, .25, .16)."""
        for p in self.ports.values():
            p.reselect = False
        self._updt_roles_tree()
        if not any(p.reselect for p in self.ports.values()):
            for p in self.ports.values():
                p.selected = True

    def _updt_roles_tree(self) -> None:
        """17.21.25: the best root path priority vector picks the root port; each port's role follows."""
        best: tuple[Vector, int] = ((self.my_id, 0, self.my_id, 0), 0)
        root_port: RstpPort | None = None
        for p in self.ports.values():
            root, cost, bridge, port = p.port_priority
            if p.info_is == Info.RECEIVED and bridge & BRIDGE_ADDRESS != self.my_id & BRIDGE_ADDRESS:
                offer = ((root, cost + p.path_cost, bridge, port), p.port_id)
                if offer < best:
                    best, root_port = offer, p
        self.root_priority, self.root_port_id = best
        if root_port is not None:
            t = root_port.port_times
            self.root_times = Times(t.message_age + 1, t.max_age, t.forward_delay, t.hello_time)
        else:
            self.root_times = self.bridge_times
        root, cost = self.root_priority[0], self.root_priority[1]
        for p in self.ports.values():
            p.designated_priority = (root, cost, self.my_id, p.port_id)
            p.designated_times = Times(
                self.root_times.message_age,
                self.root_times.max_age,
                self.root_times.forward_delay,
                self.bridge_times.hello_time,
            )
        for p in self.ports.values():
            if p.info_is == Info.DISABLED:
                p.selected_role = PortRole.DISABLED
            elif p.info_is == Info.AGED:
                p.updt_info, p.selected_role = True, PortRole.DESIGNATED
            elif p.info_is == Info.MINE:
                p.selected_role = PortRole.DESIGNATED
                if p.designated_priority != p.port_priority or p.designated_times != p.port_times:
                    p.updt_info = True
            elif p is root_port:
                p.selected_role, p.updt_info = PortRole.ROOT, False
            elif p.designated_priority >= p.port_priority:
                ours = p.port_priority[2] & BRIDGE_ADDRESS == self.my_id & BRIDGE_ADDRESS
                p.selected_role = PortRole.BACKUP if ours else PortRole.ALTERNATE
                p.updt_info = False
            else:
                p.selected_role, p.updt_info = PortRole.DESIGNATED, True

    # -- 17.21 procedures used by the tables ---------------------------------------------------

    def _rcv_info(self, p: RstpPort) -> Rcvd:
        """17.21.8 rcvInfo, with 17.6's rule that the same designated port may always replace its information."""
        bpdu = p.bpdu
        assert bpdu is not None
        if bpdu.bpdu_type == BpduType.TCN:
            p.rcvd_tcn = True  # 802.1Q-2005 13.26.6: a TCN is otherwise "other" information
            return Rcvd.OTHER
        p.msg_priority = (int(bpdu.root), bpdu.root_path_cost, int(bpdu.bridge), bpdu.port_id)
        p.msg_times = Times(
            *(-(-t // 256) for t in (bpdu.message_age, bpdu.max_age, bpdu.forward_delay, bpdu.hello_time))
        )  # seconds, rounded up
        msg, held = p.msg_priority, p.port_priority
        role = bpdu.role
        if role == BpduRole.DESIGNATED:
            same_sender = (
                msg[2] & BRIDGE_ADDRESS == held[2] & BRIDGE_ADDRESS and msg[3] & PORT_NUMBER == held[3] & PORT_NUMBER
            )
            if msg < held or (same_sender and msg != held) or (msg == held and p.msg_times != p.port_times):
                return Rcvd.SUPERIOR_DESIGNATED
            if msg == held:
                return Rcvd.REPEATED_DESIGNATED
            return Rcvd.INFERIOR_DESIGNATED
        if role in (BpduRole.ROOT, BpduRole.ALTERNATE_BACKUP) and msg >= held:
            return Rcvd.INFERIOR_ROOT_ALTERNATE
        return Rcvd.OTHER

    def _record_proposal(self, p: RstpPort) -> None:
        """17.21.11."""
        if (
            p.bpdu is not None
            and p.bpdu.role == BpduRole.DESIGNATED
            and p.bpdu.flags & BpduFlags.PROPOSAL
            and p.bpdu.bpdu_type == BpduType.RST
        ):
            p.proposed = True

    def _set_tc_flags(self, p: RstpPort) -> None:
        """17.21.17."""
        bpdu = p.bpdu
        assert bpdu is not None
        if bpdu.bpdu_type == BpduType.TCN:
            p.rcvd_tcn = True
            return
        p.rcvd_tc = p.rcvd_tc or bool(bpdu.flags & BpduFlags.TC)
        p.rcvd_tc_ack = p.rcvd_tc_ack or bool(bpdu.flags & BpduFlags.TC_ACK)

    def _record_priority_and_times(self, p: RstpPort) -> None:
        """17.21.12 recordPriority, 17.21.13 recordTimes, 17.21.23 updtRcvdInfoWhile."""
        p.port_priority = p.msg_priority
        t = p.msg_times
        p.port_times = Times(t.message_age, t.max_age, t.forward_delay, max(1, t.hello_time))
        self._updt_rcvd_info_while(p)

    def _updt_rcvd_info_while(self, p: RstpPort) -> None:
        t = p.port_times
        p.rcvd_info_while = 3 * t.hello_time if t.message_age + 1 <= t.max_age else 0

    def _transmit(self, p: RstpPort, kind: BpduType) -> None:
        """17.21.19-21 txConfig / txRstp / txTcn, then the PTX bookkeeping of the state that called it."""
        p.new_info = False
        p.tx_count += 1
        if kind != BpduType.TCN:
            p.tc_ack = False
        if not p.enabled:
            return
        if kind == BpduType.TCN:
            self._out.append((p.name, Bpdu(BpduType.TCN)))
            return
        flags = BpduFlags.TC if p.tc_while else 0
        if kind == BpduType.CONFIG:
            flags |= BpduFlags.TC_ACK if p.tc_ack else 0
        else:
            role = {PortRole.ROOT: BpduRole.ROOT, PortRole.DESIGNATED: BpduRole.DESIGNATED}.get(
                p.role, BpduRole.ALTERNATE_BACKUP
            )
            flags |= role << 2
            flags |= (BpduFlags.PROPOSAL if p.proposing else 0) | (BpduFlags.AGREEMENT if p.agree else 0)
            flags |= (BpduFlags.LEARNING if p.learning else 0) | (BpduFlags.FORWARDING if p.forwarding else 0)
        root, bridge = BridgeId.from_int(p.designated_priority[0]), self.bridge_id
        t = p.designated_times
        self._out.append(
            (
                p.name,
                Bpdu(
                    kind,
                    int(flags),
                    root.priority,
                    root.mac,
                    p.designated_priority[1],
                    bridge.priority,
                    bridge.mac,
                    p.port_id,
                    t.message_age * 256,
                    t.max_age * 256,
                    t.hello_time * 256,
                    t.forward_delay * 256,
                    version=2 if kind == BpduType.RST else 0,
                ),
            )
        )
