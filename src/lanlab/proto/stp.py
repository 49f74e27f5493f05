"""The classic spanning tree (IEEE 802.1D-1998 clause 8), one bridge, sans-IO.

The procedures are the standard's, by name and clause (8.6 elements of procedure, 8.7
operation, 8.8 management), driven by BPDUs, link changes and six timers. Port states move
only along the table PORT_STATE_TRANSITIONS below:

    blocking -> listening -> learning -> forwarding      (Forward Delay each step)
    any enabled state -> blocking                         (no longer root or designated)
    any -> disabled, disabled -> blocking                 (link down / up)

Message Age grows by the time the information spent in this bridge plus
`message_age_increment` per hop; like Linux (1/256 s a hop) rather than a whole second, so a
ring wider than Max Age seconds of hops still converges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    TopologyChange,
)
from lanlab.wire.mac import MacAddress
from lanlab.wire.stp import Bpdu, BpduFlags, BpduType, BridgeId, from_ticks, to_ticks

# 8.10.2 Table 8-3: recommended / default values
HELLO_TIME: Final = 2 * SECOND
MAX_AGE: Final = 20 * SECOND
FORWARD_DELAY: Final = 15 * SECOND
HOLD_TIME: Final = 1 * SECOND

_B = PortState.BLOCKING
_LI = PortState.LISTENING
_LE = PortState.LEARNING
_F = PortState.FORWARDING
_D = PortState.DISABLED

# (from, to) -> why: the only moves a port's state may make (8.4, 8.6.12, 8.6.13, 8.7.5, 8.8.2, 8.8.3)
PORT_STATE_TRANSITIONS: Final = {
    (_D, _B): "port enabled (8.8.2)",
    (_B, _LI): "selected as root or designated port (8.6.12 make forwarding)",
    (_LI, _LE): "forward delay timer expired (8.7.5)",
    (_LE, _F): "forward delay timer expired (8.7.5)",
    (_LI, _B): "no longer root or designated (8.6.13 make blocking)",
    (_LE, _B): "no longer root or designated (8.6.13 make blocking)",
    (_F, _B): "no longer root or designated (8.6.13 make blocking)",
    (_B, _D): "port disabled (8.8.3)",
    (_LI, _D): "port disabled (8.8.3)",
    (_LE, _D): "port disabled (8.8.3)",
    (_F, _D): "port disabled (8.8.3)",
}


@dataclass(slots=True)
class _Port:
    """8.5.5 port parameters and the port's three timers (absolute deadlines, None when stopped)."""

    name: str
    port_id: int
    path_cost: int
    state: PortState = PortState.DISABLED
    designated_root: int = 0
    designated_cost: int = 0
    designated_bridge: int = 0
    designated_port: int = 0
    topology_change_ack: bool = False
    config_pending: bool = False
    message_age_origin: int | None = None  # when this port's information had Message Age 0
    forward_delay_expiry: int | None = None
    hold_expiry: int | None = None


class StpBridge(SpanningTreeBridge):
    """An 802.1D-1998 bridge: add_port() each port, then feed it links, BPDUs and timers."""

    def __init__(
        self,
        address: MacAddress | str,
        priority: int = DEFAULT_PRIORITY,
        *,
        hello_time: int = HELLO_TIME,
        max_age: int = MAX_AGE,
        forward_delay: int = FORWARD_DELAY,
        hold_time: int = HOLD_TIME,
        message_age_increment: int = SECOND // 256,
    ) -> None:
        super().__init__(address, priority)
        self.bridge_hello_time, self.bridge_max_age, self.bridge_forward_delay = hello_time, max_age, forward_delay
        self.hold_time, self.message_age_increment = hold_time, message_age_increment
        self.ports: dict[str, _Port] = {}
        self._now = 0
        self._started = False
        # 8.8.1 initialisation: this bridge is the root until it hears of a better one
        self.designated_root = self.my_id
        self.root_path_cost = 0
        self.root_port: _Port | None = None
        self.max_age, self.hello_time, self.forward_delay = max_age, hello_time, forward_delay
        self.topology_change_detected = False
        self.topology_change = False
        self.hello_expiry: int | None = None
        self.tcn_expiry: int | None = None
        self.topology_change_expiry: int | None = None

    # -- configuration --------------------------------------------------------------------

    def add_port(self, name: str, number: int, cost: int, priority: int = DEFAULT_PORT_PRIORITY) -> None:
        """Declare a port (link down until handle_link says otherwise)."""
        pid = self._new_port_id(name, number, cost, priority)
        self.ports[name] = _Port(name, pid, cost)

    # -- inputs ---------------------------------------------------------------------------

    def handle_link(self, port: str, up: bool, now: int) -> None:
        """The port's link came up (8.8.2 enable port) or went down (8.8.3 disable port)."""
        p = self._port(port)
        self._now = now
        if up and p.state == PortState.DISABLED:
            if not self._started:
                self._started = True
                self.hello_expiry = now  # the first Hello goes out at once
            self._enable_port(p)
        elif not up and p.state != PortState.DISABLED:
            self._disable_port(p)
        self._report()

    def handle_bpdu(self, port: str, bpdu: Bpdu, now: int) -> None:
        """A BPDU arrived on `port` (8.7.1 configuration, 8.7.2 topology change notification)."""
        p = self._port(port)
        self._now = now
        if p.state == PortState.DISABLED:
            return
        if bpdu.bpdu_type == BpduType.CONFIG:
            # 9.3.4 a): drop information that has outlived Max Age, and our own BPDU looped back to this port
            if bpdu.message_age >= bpdu.max_age:
                return
            if bpdu.bridge_mac == self.bridge_id.mac and bpdu.port_id & PORT_NUMBER == p.port_id & PORT_NUMBER:
                return
            self._received_config_bpdu(p, bpdu)
        elif bpdu.bpdu_type == BpduType.TCN:
            self._received_tcn_bpdu(p)
        # RST BPDUs are not 802.1D-1998 BPDUs: a legacy bridge ignores them (9.3.4)
        self._report()

    def get_timer(self) -> int | None:
        """The earliest running timer's deadline, or None."""
        deadlines = [deadline for deadline, _expiry, _port in self._timers() if deadline is not None]
        return min(deadlines) if deadlines else None

    def handle_timer(self, now: int) -> None:
        """Run every timer whose deadline has come, earliest first (8.7.3-8.7.8); a tie goes to the
        bridge's timers, then the ports' in port order, so a run is the same every time."""
        self._now = now
        while True:
            due = [
                (deadline, order, expiry, port)
                for order, (deadline, expiry, port) in enumerate(self._timers())
                if deadline is not None and deadline <= now
            ]
            if not due:
                break
            _, _, expiry, port = min(due, key=lambda timer: timer[:2])
            if port is None:
                expiry()
            else:
                expiry(port)
        self._report()

    # -- queries --------------------------------------------------------------------------

    def forwarding(self, port: str) -> bool:
        """Whether frames may be relayed through `port`."""
        return bool(self._port(port).state == PortState.FORWARDING)

    def learning(self, port: str) -> bool:
        """Whether source addresses of frames received on `port` may be learned."""
        return self._port(port).state in (PortState.LEARNING, PortState.FORWARDING)

    def root(self) -> tuple[int, str | None, int]:
        """(root bridge id as int, root port or None, root path cost)."""
        return self.designated_root, (self.root_port.name if self.root_port else None), self.root_path_cost

    def status(self) -> list[PortStatus]:
        """Every port's role, state and designated information."""
        return [
            PortStatus(
                p.name,
                p.port_id,
                self._role(p),
                p.state,
                p.path_cost,
                BridgeId.from_int(p.designated_root),
                p.designated_cost,
                BridgeId.from_int(p.designated_bridge),
                p.designated_port,
            )
            for p in self.ports.values()
        ]

    def _role(self, p: _Port) -> PortRole:
        if p.state == PortState.DISABLED:
            return PortRole.DISABLED
        if p is self.root_port:
            return PortRole.ROOT
        if self._designated_port(p):
            return PortRole.DESIGNATED
        # a blocked port: holding a better path from another bridge (alternate) or from this one (backup)
        return (
            PortRole.BACKUP
            if p.designated_bridge & BRIDGE_ADDRESS == self.my_id & BRIDGE_ADDRESS
            else PortRole.ALTERNATE
        )

    # -- timers -------------------------------------------------------------------------

    def _timers(self) -> list[tuple[int | None, Callable[..., None], _Port | None]]:
        """Every timer as (deadline or None when stopped, its 8.7 expiry procedure, its port)."""
        timers: list[tuple[int | None, Callable[..., None], _Port | None]] = [
            (self.hello_expiry, self._hello_timer_expiry, None),
            (self.tcn_expiry, self._tcn_timer_expiry, None),
            (self.topology_change_expiry, self._topology_change_timer_expiry, None),
        ]
        for p in self.ports.values():
            age = None if p.message_age_origin is None else p.message_age_origin + self.max_age
            timers += [
                (age, self._message_age_timer_expiry, p),
                (p.forward_delay_expiry, self._forward_delay_timer_expiry, p),
                (p.hold_expiry, self._hold_timer_expiry, p),
            ]
        return timers

    # -- 8.6 elements of procedure -------------------------------------------------------

    def _transmit_config(self, p: _Port) -> None:
        """8.6.1: send our view on p, at most one per Hold Time."""
        if p.hold_expiry is not None:
            p.config_pending = True
            return
        if self.root_port is None:
            age = 0
        else:
            origin = self.root_port.message_age_origin
            age = (self._now - origin if origin is not None else 0) + self.message_age_increment
            if age >= self.max_age:  # the information is too old to pass on
                return
        flags = (BpduFlags.TC if self.topology_change else 0) | (BpduFlags.TC_ACK if p.topology_change_ack else 0)
        root = BridgeId.from_int(self.designated_root)
        self._out.append(
            (
                p.name,
                Bpdu(
                    BpduType.CONFIG,
                    flags,
                    root.priority,
                    root.mac,
                    self.root_path_cost,
                    self.bridge_id.priority,
                    self.bridge_id.mac,
                    p.port_id,
                    to_ticks(age),
                    to_ticks(self.max_age),
                    to_ticks(self.hello_time),
                    to_ticks(self.forward_delay),
                ),
            )
        )
        p.topology_change_ack = False
        p.config_pending = False
        p.hold_expiry = self._now + self.hold_time

    def _supersedes_port_info(self, p: _Port, bpdu: Bpdu) -> bool:
        """8.6.2.2: the BPDU carries better information than p holds, or fresher from the same sender."""
        root, bridge = int(bpdu.root), int(bpdu.bridge)
        received = (root, bpdu.root_path_cost, bridge)
        held = (p.designated_root, p.designated_cost, p.designated_bridge)
        if received != held:
            return received < held
        return bridge != self.my_id or bpdu.port_id <= p.designated_port

    def _record_config_information(self, p: _Port, bpdu: Bpdu) -> None:
        """8.6.2: hold the BPDU's information; its Message Age timer starts at the received age."""
        p.designated_root, p.designated_cost = int(bpdu.root), bpdu.root_path_cost
        p.designated_bridge, p.designated_port = int(bpdu.bridge), bpdu.port_id
        p.message_age_origin = self._now - from_ticks(bpdu.message_age)

    def _record_config_timeout_values(self, bpdu: Bpdu) -> None:
        """8.6.3: take the root's timer values and Topology Change flag from the root port."""
        self.max_age, self.hello_time = from_ticks(bpdu.max_age), from_ticks(bpdu.hello_time)
        self.forward_delay = from_ticks(bpdu.forward_delay)
        self._set_topology_change(bool(bpdu.flags & BpduFlags.TC))

    def _config_bpdu_generation(self) -> None:
        """8.6.4: a configuration BPDU on every designated port."""
        for p in self.ports.values():
            if p.state != PortState.DISABLED and self._designated_port(p):
                self._transmit_config(p)

    def _transmit_tcn(self) -> None:
        """8.6.6: tell the root, through the root port, that the topology changed."""
        if self.root_port is not None:
            self._out.append((self.root_port.name, Bpdu(BpduType.TCN)))

    def _configuration_update(self) -> None:
        """8.6.7."""
        self._root_selection()
        self._designated_port_selection()

    def _root_selection(self) -> None:
        """8.6.8: the root port offers the best (root, cost to root, designated bridge, designated port, port id)."""
        best: tuple[int, int, int, int, int] | None = None
        self.root_port = None
        for p in self.ports.values():
            if p.state == PortState.DISABLED or self._designated_port(p) or p.designated_root >= self.my_id:
                continue
            offer = (
                p.designated_root,
                p.designated_cost + p.path_cost,
                p.designated_bridge,
                p.designated_port,
                p.port_id,
            )
            if best is None or offer < best:
                best, self.root_port = offer, p
        if self.root_port is None:
            self.designated_root, self.root_path_cost = self.my_id, 0
        else:
            self.designated_root = self.root_port.designated_root
            self.root_path_cost = self.root_port.designated_cost + self.root_port.path_cost

    def _designated_port_selection(self) -> None:
        """8.6.9: this bridge is designated on every LAN where its offer beats the one held."""
        for p in self.ports.values():
            if p.state == PortState.DISABLED:
                continue
            ours = (self.root_path_cost, self.my_id, p.port_id)
            theirs = (p.designated_cost, p.designated_bridge, p.designated_port)
            if self._designated_port(p) or p.designated_root != self.designated_root or ours <= theirs:
                self._become_designated_port(p)

    def _become_designated_port(self, p: _Port) -> None:
        """8.6.10."""
        p.designated_root, p.designated_cost = self.designated_root, self.root_path_cost
        p.designated_bridge, p.designated_port = self.my_id, p.port_id

    def _port_state_selection(self) -> None:
        """8.6.11: root and designated ports head for forwarding, every other enabled port blocks."""
        for p in self.ports.values():
            if p.state == PortState.DISABLED:
                continue
            if p is self.root_port:
                p.config_pending = p.topology_change_ack = False
                self._make_forwarding(p)
            elif self._designated_port(p):
                p.message_age_origin = None
                self._make_forwarding(p)
            else:
                p.config_pending = p.topology_change_ack = False
                self._make_blocking(p)

    def _make_forwarding(self, p: _Port) -> None:
        """8.6.12."""
        if p.state == PortState.BLOCKING:
            self._set_state(p, PortState.LISTENING)
            p.forward_delay_expiry = self._now + self.forward_delay

    def _make_blocking(self, p: _Port) -> None:
        """8.6.13: a port that stops learning or forwarding is a topology change."""
        if p.state not in (PortState.DISABLED, PortState.BLOCKING):
            if p.state in (PortState.FORWARDING, PortState.LEARNING):
                self._topology_change_detection()
            self._set_state(p, PortState.BLOCKING)
            p.forward_delay_expiry = None

    def _topology_change_detection(self) -> None:
        """8.6.14: the root flags the change for Max Age + Forward Delay; others notify the root."""
        if self.is_root:
            self._set_topology_change(True)
            self.topology_change_expiry = self._now + self.bridge_max_age + self.bridge_forward_delay
        elif not self.topology_change_detected:
            self._transmit_tcn()
            self.tcn_expiry = self._now + self.bridge_hello_time
        self.topology_change_detected = True

    def _topology_change_acknowledged(self) -> None:
        """8.6.15."""
        self.topology_change_detected = False
        self.tcn_expiry = None

    def _acknowledge_topology_change(self, p: _Port) -> None:
        """8.6.16."""
        p.topology_change_ack = True
        self._transmit_config(p)

    # -- 8.7 operation ------------------------------------------------------------------

    def _received_config_bpdu(self, p: _Port, bpdu: Bpdu) -> None:
        """8.7.1."""
        was_root = self.is_root
        if self._supersedes_port_info(p, bpdu):
            self._record_config_information(p, bpdu)
            self._configuration_update()
            self._port_state_selection()
            if was_root and not self.is_root:
                self.hello_expiry = None
                if self.topology_change_detected:
                    self.topology_change_expiry = None
                    self._transmit_tcn()
                    self.tcn_expiry = self._now + self.bridge_hello_time
            if p is self.root_port:
                self._record_config_timeout_values(bpdu)
                self._config_bpdu_generation()
                if bpdu.flags & BpduFlags.TC_ACK:
                    self._topology_change_acknowledged()
        elif self._designated_port(p):
            self._transmit_config(p)  # 8.6.5 reply: correct the sender of inferior information

    def _received_tcn_bpdu(self, p: _Port) -> None:
        """8.7.2."""
        if self._designated_port(p):
            self._topology_change_detection()
            self._acknowledge_topology_change(p)

    def _hello_timer_expiry(self) -> None:
        """8.7.3."""
        self._config_bpdu_generation()
        self.hello_expiry = self._now + self.bridge_hello_time

    def _message_age_timer_expiry(self, p: _Port) -> None:
        """8.7.4: the information on p is too old; take over the LAN and recompute."""
        p.message_age_origin = None
        was_root = self.is_root
        self._become_designated_port(p)
        self._configuration_update()
        self._port_state_selection()
        if self.is_root and not was_root:
            self._become_root()

    def _forward_delay_timer_expiry(self, p: _Port) -> None:
        """8.7.5."""
        p.forward_delay_expiry = None
        if p.state == PortState.LISTENING:
            self._set_state(p, PortState.LEARNING)
            p.forward_delay_expiry = self._now + self.forward_delay
        elif p.state == PortState.LEARNING:
            self._set_state(p, PortState.FORWARDING)
            if any(self._designated_for(q) for q in self.ports.values()):
                self._topology_change_detection()

    def _tcn_timer_expiry(self) -> None:
        """8.7.6: repeat the notification until the root acknowledges it."""
        self._transmit_tcn()
        self.tcn_expiry = self._now + self.bridge_hello_time

    def _topology_change_timer_expiry(self) -> None:
        """8.7.7."""
        self.topology_change_expiry = None
        self.topology_change_detected = False
        self._set_topology_change(False)

    def _hold_timer_expiry(self, p: _Port) -> None:
        """8.7.8."""
        p.hold_expiry = None
        if p.config_pending:
            self._transmit_config(p)

    def _become_root(self) -> None:
        """8.7.4 / 8.8.3 tail: a bridge that has just become root takes its own timers and says so."""
        self.max_age, self.hello_time = self.bridge_max_age, self.bridge_hello_time
        self.forward_delay = self.bridge_forward_delay
        self._topology_change_detection()
        self.tcn_expiry = None
        self._config_bpdu_generation()
        self.hello_expiry = self._now + self.bridge_hello_time

    # -- 8.8 management -------------------------------------------------------------------

    def _enable_port(self, p: _Port) -> None:
        """8.8.2 (with 8.8.1's initialise port)."""
        self._become_designated_port(p)
        self._set_state(p, PortState.BLOCKING)
        p.topology_change_ack = p.config_pending = False
        p.message_age_origin = p.forward_delay_expiry = p.hold_expiry = None
        self._port_state_selection()

    def _disable_port(self, p: _Port) -> None:
        """8.8.3."""
        was_root = self.is_root
        self._become_designated_port(p)
        self._set_state(p, PortState.DISABLED)
        p.topology_change_ack = p.config_pending = False
        p.message_age_origin = p.forward_delay_expiry = p.hold_expiry = None
        self._events.append(FdbFlush(p.name))  # what was learned there is unreachable now
        self._configuration_update()
        self._port_state_selection()
        if self.is_root and not was_root:
            self._become_root()

    # -- helpers --------------------------------------------------------------------------

    def _designated_port(self, p: _Port) -> bool:
        return p.designated_bridge == self.my_id and p.designated_port == p.port_id

    def _designated_for(self, p: _Port) -> bool:
        return p.state != PortState.DISABLED and p.designated_bridge == self.my_id

    def _set_state(self, p: _Port, state: PortState) -> None:
        if (p.state, state) not in PORT_STATE_TRANSITIONS:
            raise AssertionError(f"802.1D forbids {p.state.value} -> {state.value} on {p.name}")
        p.state = state

    def _set_topology_change(self, active: bool) -> None:
        if active != self.topology_change:
            self.topology_change = active
            self._events.append(TopologyChange(active, self.forward_delay))
