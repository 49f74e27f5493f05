"""A learning switch (IEEE 802.1D transparent bridge): learn, age, flood, filter, forward."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from mypy_extensions import mypyc_attr

from lanlab.i18n import L_, Deferred, L_counted
from lanlab.proto.mactable import DEFAULT_AGEING_NS, MacTable
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Port
from lanlab.sim.devices.storm import remember_flood

if TYPE_CHECKING:
    from lanlab.sim.devices.storm import StormReport
    from lanlab.sim.stacks.stp import SpanningTree
    from lanlab.sim.core.engine import Engine
    from lanlab.sim.core.trace import Tracer
    from lanlab.wire import MacAddress


@mypyc_attr(allow_interpreted_subclasses=True)  # sim.stacks.stp's StpSwitchPort (compiled build)
class SwitchPort(Port):
    """A switch port: an arriving frame goes straight into the bridge's relay (802.1D 7.5)."""

    __slots__ = ()

    def fire(self, frame: Frame, now: int) -> None:
        if not self.up:
            return
        switch: Switch = self.node  # type: ignore[assignment]  # no typing.cast: a call per frame in pure Python
        if switch.tracer is not None:
            switch.tracer.record(now, switch.name, self.name, "rx", frame)
        switch.relay(self, frame, now)


class Switch:
    """Store-and-forward with no processing delay: a frame leaves as soon as it has arrived."""

    kind: Final = "switch"

    def __init__(self, name: str, engine: Engine, ageing: int = DEFAULT_AGEING_NS) -> None:
        self.name = name
        self.engine = engine
        self.ports: dict[str, Port] = {}
        self.table: MacTable[MacAddress, Port] = MacTable(ageing)
        self.tracer: Tracer | None = None
        # The ports a flood goes out of, in creation order: the linked ones, decided when a link is made,
        # so a flood tests nothing per port. Under STP (sim.stp) only its forwarding ones.
        self.forwarding: list[Port] = []
        self.stp: SpanningTree | None = None  # when the switch runs STP or RSTP (sim.stacks.stp)
        self.port_class: type[Port] = SwitchPort  # sim.stp swaps in its own port class
        # Frames flooded lately (ident -> None): one flooded twice has gone round a loop (sim.storm).
        self.flooded: dict[int, None] | None = {}
        self.storm: StormReport | None = None  # once this switch saw a frame come back (devices.storm)

    def port(self, name: str) -> Port:
        """The port called `name`, created on first use (links name switch ports)."""
        port = self.ports.get(name)
        if port is None:
            port = self.ports[name] = self.port_class(self, name, self.engine)
        return port

    def attach(self, own: Port, peer: Port) -> None:
        """Called by Network.link: `own` joins the flood list, or the spanning tree decides when it does."""
        if self.stp is not None:
            self.stp.attach(own)
        else:
            self.forwarding = [p for p in self.ports.values() if p.peer is not None]

    def link_changed(self, port: Port, up: bool, now: int) -> None:
        """The cable at `port` was unplugged or plugged back (--do "link A B down|up"). Without a spanning
        tree (whose machine flushes the port itself), a port that goes down forgets what it learned, as a
        Linux bridge's br_fdb_delete_by_port does: frames to those addresses are flooded until relearned."""
        if self.stp is not None:
            self.stp.link_changed(port, up, now)
        elif not up:
            note = self.forget(port.name)
            if note and self.tracer is not None:
                self.tracer.record(now, self.name, port.name, "link", None, note)

    def forget(self, port_name: str) -> Deferred | str:
        """Drop the addresses learned on a port; the event list's line for it ("": there were none)."""
        forgotten = self.table.forget_port(self.ports[port_name])
        if not forgotten:
            return ""
        return L_counted(
            "{port} forgets {count} learned address",
            "{port} forgets {count} learned addresses",
            forgotten,
            port=port_name,
        )

    @property
    def mac_table(self) -> list[dict[str, object]]:
        """The live table as rows {"mac", "port", "age"} (age in seconds)."""
        return [
            {"mac": str(row.mac), "port": row.port.name, "age": round(row.age / 1e9, 6)}  # type: ignore[attr-defined]
            for row in self.table.rows(self.engine.now)
        ]

    def relay(self, port: Port, frame: Frame, now: int) -> None:
        """Learn the source, then forward, filter or flood by the destination."""
        eth = frame.eth
        table = self.table
        src = eth.src
        # The common case inline (a known station on its usual port); MacTable.learn otherwise.
        entry = table.entries.get(src)
        if entry is not None and entry.port is port:
            entry.seen = now
        elif table.learn(src, port, now) and self.tracer is not None:
            self.tracer.record(
                now, self.name, port.name, "learn", frame, L_("{mac} is on {port}", mac=src, port=port.name)
            )
        dst = eth.dst
        if dst[0] & 1:  # group address, broadcast included: 802.1D floods it
            self.flood(port, frame, now)
            return
        entry = table.entries.get(dst)
        if entry is None or now - entry.seen > table.ageing:
            self.flood(port, frame, now)
            return
        out = entry.port
        if out is port:
            if self.tracer is not None:
                self.tracer.record(
                    now, self.name, port.name, "filter", frame, L_("{mac} is on the arrival port", mac=dst)
                )
            return
        if self.tracer is not None:
            self.tracer.record(now, self.name, out.name, "forward", frame, f"{dst} -> {out.name}")
        out.send(frame, now)

    def flood(self, arrival: Port, frame: Frame, now: int) -> None:
        """Send a copy out of every forwarding port except the arrival port.

        Port.send directly: the list holds only linked ports, and under STP only forwarding ones,
        so StpSwitchPort.send's check of the port state would be decided twice."""
        if self.flooded is not None:
            remember_flood(self, arrival, frame, now)
        if self.tracer is not None:
            names = [p.name for p in self.forwarding if p is not arrival]
            self.tracer.record(
                now,
                self.name,
                arrival.name,
                "flood",
                frame,
                L_("copies to {ports}", ports=", ".join(names) or L_("no other port")),
            )
        send = Port.send
        for out in self.forwarding:
            if out is not arrival:
                send(out, frame, now)
