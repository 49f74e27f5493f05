"""A hub and its collision domain: half-duplex CSMA/CD with binary exponential backoff.

Every port attached to a hub is a station of one shared medium (IEEE 802.3 4.2.3). A station
with a frame senses the carrier: if the medium is busy it waits for it to go idle and then
transmits (1-persistent), so stations that waited for the same frame start together and
collide. A collision is seen by a station that starts before the other's signal can reach it
(the window is the round-trip propagation across the hub). Both frames are damaged, the
medium carries a jam, and each sender waits r slot times, r uniform in [0, 2^min(n,10)), after
its n-th collision, giving up after 16 attempts (4.2.3.2.5). The hub repeats an undamaged
frame out of every other port.

A link's `loss` applies both ways: a station's frame lost on its link occupies the medium (it
can collide) but never reaches the hub, and the station goes on as if it had been sent, since
nothing told it otherwise; a repeated copy lost on the way out reaches no one on that port.
A capture skips a frame damaged by a collision: a capturing NIC discards it too (a runt or a bad
FCS), and writing it would show good-looking frames where none got through; the event list has
the collision. So a station's frame is written once its last bit reached the hub intact (or was
lost on the link: full-duplex captures show lost frames on the sending side too), and stamped
then, as a capturing NIC stamps a frame after its FCS check; a full-duplex link's frames are
stamped when they start. Stamping it with its start instead would put the file out of time
order by up to a frame time, since other links write in between.

Hubs can be cascaded. Each hub keeps its own collision domain, and a hub-to-hub link is a
station on both sides: hub1's port towards hub2 is a station of hub2's medium, so a frame hub1
repeats towards hub2 enters hub2's domain as a transmission from that port (it defers, may
collide, backs off and waits in a bounded queue like any station's frame). Real cascaded
repeaters form ONE collision domain (bits repeated as they arrive, a collision jammed across
the whole cascade, the 5-4-3 rule limiting its size); merging domains would make every
collision, timing window and counter depend on the whole cascade's shape, whereas one domain
per hub keeps each segment's CSMA/CD exactly as above, adds one frame time per hub on the path
(store-and-forward, like a switch), and still shows what a student cascades hubs for: every
frame reaches every port of every hub, collisions are counted per link. A loop of hubs makes
frames circulate as a real repeater loop does; the station queues bound the memory,
`Engine.max_events` the time, and each hub remembers the frames it repeated (sim.storm) so the
loop is named by the storm warning, as a switch's is.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Final, cast

from lanlab.i18n import L_, N_
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Port, wire_time
from lanlab.sim.devices.storm import remember_flood
from lanlab.units import SECOND

if TYPE_CHECKING:
    from lanlab.sim.devices.storm import StormReport
    from lanlab.sim.core.engine import Engine
    from lanlab.sim.core.trace import Tracer

SLOT_BITS: Final = 512  # 802.3 slot time for 10/100 Mb/s
JAM_BITS: Final = 32
ATTEMPT_LIMIT: Final = 16
BACKOFF_LIMIT: Final = 10


class Transmission:
    """One attempt to put a frame on the shared medium."""

    __slots__ = ("frame", "station", "start", "damaged", "lost", "size")

    def __init__(self, frame: Frame, station: Station, start: int) -> None:
        self.frame = frame
        self.station = station
        self.start = start
        self.damaged = False
        self.lost = False  # drawn from the link's loss when it starts: it never reaches the hub
        self.size = frame.size


class Station:
    """The MAC of a port on a shared medium: its queue, attempt count, pending retry."""

    __slots__ = ("port", "domain", "queue", "attempts", "active")

    def __init__(self, port: Port, domain: CollisionDomain) -> None:
        self.port = port
        self.domain = domain
        self.queue: deque[Frame] = deque()
        self.attempts = 0
        self.active = False  # a transmission or a retry is under way

    def fire(self, arg: Any, now: int) -> None:
        self.domain.attempt(self, now)


class CollisionDomain:
    """The shared medium behind one hub."""

    __slots__ = ("engine", "hub", "stations", "current", "free_at", "collisions")

    def __init__(self, engine: Engine, hub: Hub) -> None:
        self.engine = engine
        self.hub = hub
        self.stations: dict[Port, Station] = {}
        self.current: Transmission | None = None
        self.free_at = 0
        self.collisions = 0

    def add_station(self, port: Port) -> None:
        port.domain = self
        port.refresh()  # a station's send goes through the domain (Port.send's watched path)
        self.stations[port] = Station(port, self)

    def window(self, port: Port) -> int:
        """Round-trip propagation: how long a start stays unheard by the other stations."""
        return 2 * max((p.delay for p in self.stations), default=port.delay)

    def offer(self, port: Port, frame: Frame, now: int) -> None:
        """A station's upper layer sends `frame` (Port.send on a hub link comes here)."""
        station = self.stations[port]
        if not port.up:
            port.drop(frame, now, N_("link down"))
            return
        if len(station.queue) > port.queue_limit:
            port.drop(frame, now, N_("output queue full"))
            return
        station.queue.append(frame)
        if not station.active:
            station.active = True
            self.attempt(station, now)

    def attempt(self, station: Station, now: int) -> None:
        current = self.current
        window = self.window(station.port)
        if current is not None and current.station is not station and now - current.start < window:
            self._collide(station, current, now, window)
        elif now < self.free_at:
            self.engine.schedule(self.free_at, station)  # carrier sensed: transmit when idle
        else:
            self._transmit(station, now, window)

    def _transmit(self, station: Station, now: int, window: int) -> None:
        port = station.port
        frame = station.queue[0]
        transmission = Transmission(frame, station, now)
        end = now + wire_time(frame.size, port.rate)
        self.current = transmission
        self.free_at = end + window
        port.tx_frames += 1
        port.tx_bytes += frame.size
        if port.tracer is not None:
            port.tracer.record(now, port.node.name, port.name, "tx", frame)
        if port.loss:
            transmission.lost = port.lost_on_link(frame, now)
        self.engine.schedule(end + port.delay, port.peer, transmission)  # type: ignore[arg-type]  # a station is linked

    def _collide(self, station: Station, current: Transmission, now: int, window: int) -> None:
        jam = JAM_BITS * SECOND // station.port.rate
        if not current.damaged:
            current.damaged = True
            self.collisions += 1
            self._count(current.station.port)
            self._backoff(current.station, now + jam)
        self._count(station.port)
        tracer = station.port.tracer
        if tracer is not None:
            tracer.record(now, station.port.node.name, station.port.name, "collision",
                          station.queue[0], L_("with a frame from {port}; backing off", port=current.station.port.label))
        self._backoff(station, now + jam)
        self.free_at = max(self.free_at, now + jam + window)

    def _count(self, port: Port) -> None:
        if port.link is not None:
            port.link.collisions += 1

    def _backoff(self, station: Station, after: int) -> None:
        station.attempts += 1
        if station.attempts >= ATTEMPT_LIMIT:
            frame = station.queue.popleft()
            station.port.drop(frame, after, N_("excessive collisions"))
            station.attempts = 0
            if not station.queue:
                station.active = False
                return
            self.engine.schedule(after, station)
            return
        slots = self.engine.rng.randrange(1 << min(station.attempts, BACKOFF_LIMIT))
        slot_ns = SLOT_BITS * SECOND // station.port.rate
        self.engine.schedule(after + slots * slot_ns, station)

    def delivered(self, transmission: Transmission, now: int) -> None:
        """The frame reached the hub intact: the station may send its next one."""
        if self.current is transmission:
            self.current = None  # it got through: nobody can collide with it any more
        station = transmission.station
        station.queue.popleft()
        station.attempts = 0
        if station.queue:
            self.attempt(station, now)
        else:
            station.active = False


class HubPort(Port):
    """A hub's port: receives transmissions from the shared medium, not plain frames."""

    __slots__ = ()

    def fire(self, transmission: Transmission, now: int) -> None:  # type: ignore[override]
        cast("Hub", self.node).repeat(self, transmission, now)


class Hub:
    """A multiport repeater: one collision domain, no addresses, no table."""

    kind: Final = "hub"

    def __init__(self, name: str, engine: Engine) -> None:
        self.name = name
        self.engine = engine
        self.ports: dict[str, Port] = {}
        self.domain = CollisionDomain(engine, self)
        self.tracer: Tracer | None = None
        # Frames repeated lately (ident -> None): one repeated twice has gone round a loop (sim.storm).
        self.flooded: dict[int, None] | None = {}
        self.storm: StormReport | None = None  # once a repeated frame came back (devices.storm)

    def port(self, name: str) -> Port:
        """The port called `name`, created on first use (links name hub ports)."""
        port = self.ports.get(name)
        if port is None:
            port = self.ports[name] = HubPort(self, name, self.engine)
        return port

    def attach(self, own: Port, peer: Port) -> None:
        """Called by Network.link: the peer becomes a station of this hub's medium (another hub's
        port too: each hub of a cascade adds the other's port to its own domain)."""
        self.domain.add_station(peer)

    @property
    def collisions(self) -> int:
        return self.domain.collisions

    def repeat(self, port: Port, transmission: Transmission, now: int) -> None:
        frame = transmission.frame
        if transmission.damaged:
            if port.tracer is not None:
                port.tracer.record(now, self.name, port.name, "collision", frame, N_("damaged frame discarded"))
            return
        sender = transmission.station.port
        if sender.tap is not None:  # written and stamped now it is known intact (module docstring)
            sender.tap.write(sender, frame, now)
        self.domain.delivered(transmission, now)
        if transmission.lost:
            return  # the drop was traced when it was sent
        if self.flooded is not None:
            remember_flood(self, port, frame, now)
        tracer = port.tracer
        targets = [p for p in self.ports.values() if p is not port and p.peer is not None and p.up]
        if tracer is not None:
            tracer.record(now, self.name, port.name, "flood", frame,
                          L_("repeated to {ports}", ports=", ".join(p.name for p in targets) or L_("no other port")))
        engine = self.engine
        for out in targets:
            if out.domain is not None:  # a link to another hub: a station of that hub's medium
                out.domain.offer(out, frame, now)
                continue
            out.tx_frames += 1
            out.tx_bytes += frame.size
            if out.tap is not None:
                out.tap.write(out, frame, now)
            if out.loss and out.lost_on_link(frame, now):
                continue
            engine.schedule(now + out.delay, out.peer, frame)  # type: ignore[arg-type]
