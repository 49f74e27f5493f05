"""The spanning tree on a simulated switch: lanlab.proto's STP/RSTP machine wired to the switch's ports.

    from lanlab.sim.stacks.stp import enable_stp
    enable_stp(net.node("sw1"), priority=4096, mode="rstp")   # before linking the switch
    ...; net.node("sw1").stp.status()                          # what `--do "sw1 stp"` shows

A switch without STP is untouched (its ports are plain SwitchPorts: no test on the frame
path). With STP its ports are StpSwitchPorts: a BPDU (to 01:80:c2:00:00:00) goes to the
machine and is never relayed; a port that is not forwarding discards what arrives (after
learning the source in the learning state) and sends nothing but BPDUs. Every role or state
change, root change and topology change is an event of kind `stp`; a topology change ages the
MAC table with Forward Delay (802.1D) or flushes the ports concerned (RSTP).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from lanlab.i18n import L_, Deferred
from lanlab.proto.rstp import RstpBridge
from lanlab.proto.spanning import bridge_address  # noqa: F401  (re-exported: sim's callers import it here)
from lanlab.proto.spanning import (
    DEFAULT_PRIORITY,
    FdbFlush,
    PortChanged,
    PortState,
    StpEvent,
    WORDS,
    TopologyChange,
    port_cost,
    port_number,
)
from lanlab.proto.stp import StpBridge
from lanlab.sim.core.engine import Engine, MachineTimer, TimedMachine
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Port
from lanlab.sim.devices.hub import Hub
from lanlab.sim.devices.switch import SwitchPort
from lanlab.sim.core.trace import register_kind
from lanlab.wire import Bpdu, BpduType, BridgeId, Dot3, Llc, MacAddress
from lanlab.wire.stp import STP_MULTICAST

if TYPE_CHECKING:
    from lanlab.sim.devices.switch import Switch

Bridge = StpBridge | RstpBridge
MODES: Final[dict[str, type[Bridge]]] = {"stp": StpBridge, "rstp": RstpBridge}
_LLC: Final = Llc()
_DOT3_SIZE: Final = 14
_LLC_SIZE: Final = 3
_BPDU_SIZE: Final[dict[int, int]] = {BpduType.CONFIG: 35, BpduType.RST: 36, BpduType.TCN: 4}

register_kind("stp", "STP")


class StpSwitchPort(SwitchPort):
    """A switch port under the spanning tree: BPDUs to the machine, frames only through forwarding ports."""

    __slots__ = ("forwarding", "learning")

    def __init__(self, node: Switch, name: str, engine: Engine) -> None:
        super().__init__(node, name, engine)
        self.forwarding = False
        self.learning = False

    def fire(self, frame: Frame, now: int) -> None:
        if not self.up:
            return
        switch: Switch = self.node
        tracer = switch.tracer
        if tracer is not None:
            tracer.record(now, switch.name, self.name, "rx", frame)
        if frame.eth.dst == STP_MULTICAST:
            switch.stp.receive(self, frame, now)  # 802.1D 7.12.3: never relayed
            return
        if not self.forwarding:
            if self.learning:
                switch.table.learn(frame.eth.src, self, now)
            if tracer is not None:
                tracer.record(now, switch.name, self.name, "drop", frame, self.not_forwarding())
            return
        switch.relay(self, frame, now)

    def send(self, frame: Frame, now: int) -> None:
        if self.forwarding:
            Port.send(self, frame, now)
        else:  # a unicast entry still pointing at a learning port
            self.drop(frame, now, self.not_forwarding())

    def not_forwarding(self) -> Deferred:
        """Why a frame stops here: "p2 is blocking"."""
        return L_("{port} is {state}", port=self.name, state=WORDS[self.stp_state])

    @property
    def stp_state(self) -> str:
        if self.learning:
            return "learning"
        return "discarding" if self.node.stp.mode == "rstp" else "blocking"


class SpanningTree:
    """One switch's STP or RSTP: the machine, its timer, and what its events do to the switch."""

    def __init__(self, switch: Switch, machine: Bridge, mode: str, costs: dict[str, int]) -> None:
        self.switch = switch
        self.machine = machine
        self.mode = mode
        self.costs = costs  # configured port costs; the others come from the link rate
        self.timer = MachineTimer(switch.engine, machine, self)
        self.normal_ageing = switch.table.ageing
        self.history: list[tuple[int, StpEvent]] = []  # every event, for benches and tests

    # -- wiring ---------------------------------------------------------------------------

    def attach(self, port: Port) -> None:
        """A link was plugged into `port`: declare it to the machine (cost from the rate); the
        machine hears of the link as the run starts, so an event list sees the ports come up."""
        number = port_number(port.name, self.switch.ports)
        cost = self.costs.get(port.name) or port_cost(port.rate)
        if isinstance(self.machine, RstpBridge):
            # 802.1D-2004 6.4.3: a port on a hub is on a shared medium, where agreements are not trusted
            shared = isinstance(port.peer.node, Hub) if port.peer is not None else False
            self.machine.add_port(port.name, number, cost, point_to_point=not shared)
        else:
            self.machine.add_port(port.name, number, cost)
        self.switch.engine.schedule(self.switch.engine.now, self, port)

    def fire(self, port: Port, now: int) -> None:
        """The engine event attach() scheduled: the link at `port` is there."""
        self.link_changed(port, port.up, now)

    def link_changed(self, port: Port, up: bool, now: int) -> None:
        """The cable at `port` was unplugged or plugged back."""
        self.machine.handle_link(port.name, up, now)
        self._drain(now)

    def receive(self, port: Port, frame: Frame, now: int) -> None:
        """A frame to the bridge group address arrived on `port`."""
        bpdu = frame.l4
        if isinstance(bpdu, Bpdu):
            self.machine.handle_bpdu(port.name, bpdu, now)
            self._drain(now)

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        self._drain(now)

    # -- output ---------------------------------------------------------------------------

    def _drain(self, now: int) -> None:
        switch = self.switch
        for port_name, bpdu in self.machine.bpdus_to_send(now):
            port = switch.ports[port_name]
            size = _BPDU_SIZE[bpdu.bpdu_type]
            eth = Dot3(STP_MULTICAST, self.machine.bridge_id.mac, _LLC_SIZE + size)  # 802.3 length: LLC + BPDU
            frame = Frame(eth, _LLC, bpdu, b"", _DOT3_SIZE + _LLC_SIZE + size, switch.engine.next_frame_id())
            Port.send(port, frame, now)  # BPDUs leave whatever the port's state
        changed = False
        while (event := self.machine.next_event()) is not None:
            self.history.append((now, event))
            note = self._apply(event)
            changed |= isinstance(event, PortChanged)
            if switch.tracer is not None and note:
                switch.tracer.record(
                    now,
                    switch.name,
                    event.port if isinstance(event, (PortChanged, FdbFlush)) else None,
                    "stp",
                    None,
                    note,
                )
        if changed:
            switch.forwarding = [p for p in switch.ports.values() if isinstance(p, StpSwitchPort) and p.forwarding]
        self.timer.arm()

    def _apply(self, event: StpEvent) -> Deferred | str:
        """Do what the event means for the switch; the event list's line for it ("": nothing to say)."""
        switch = self.switch
        if isinstance(event, PortChanged):
            port = switch.ports[event.port]
            assert isinstance(port, StpSwitchPort)
            port.forwarding = event.state == PortState.FORWARDING
            port.learning = event.state in (PortState.LEARNING, PortState.FORWARDING)
        elif isinstance(event, TopologyChange):
            switch.table.ageing = event.ageing if event.active else self.normal_ageing
        elif isinstance(event, FdbFlush):
            return switch.forget(event.port)
        return event.summary

    # -- what people see ------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """`--do "sw1 stp"` and `tables.sw1.stp`: the bridge, its root, each port's role and state."""
        root, root_port, cost = self.machine.root()
        return {
            "mode": self.mode,
            "bridge_id": str(self.machine.bridge_id),
            "root_id": str(BridgeId.from_int(root)),
            "root_port": root_port,
            "root_cost": cost,
            "is_root": self.machine.is_root,
            "ports": [row.as_dict() for row in self.machine.status()],
        }

    def converged_at(self) -> int:
        """When the last port role or state changed (ns)."""
        return max((t for t, e in self.history if isinstance(e, PortChanged)), default=0)


def enable_stp(
    switch: Switch,
    *,
    priority: int = DEFAULT_PRIORITY,
    mode: str = "stp",
    costs: dict[str, int] | None = None,
    address: MacAddress | str | None = None,
) -> SpanningTree:
    """Run STP ("stp", 802.1D) or RSTP ("rstp", 802.1w) on `switch`; do it before linking the switch."""
    if mode not in MODES:
        raise ValueError(f"STP mode {mode!r}: choose stp or rstp")
    if switch.ports:
        raise ValueError(f"{switch.name}: enable STP before linking the switch")
    if address is None:
        address = bridge_address(switch.name)
    machine = MODES[mode](address, priority)
    switch.stp = SpanningTree(switch, machine, mode, dict(costs or {}))
    switch.port_class = StpSwitchPort
    return switch.stp  # type: ignore[no-any-return]
