"""Hubs and their shared medium: repeaters, half-duplex CSMA/CD with binary exponential backoff.

A hub is a repeater (IEEE 802.3 clause 9/27): it passes bits on as they arrive, with no queue,
so hubs cabled to hubs form ONE medium, one collision domain (`CollisionDomain`), whatever
the number of hubs. A station is a port cabled to a hub that is not another hub's (a host's
NIC, a switch or router port): a switch port on a hub is a station of the hub's medium, and the
switch's other ports are media of their own.

Time on the medium. A signal from station S reaches station X after
    d(S, X) = delay(S's link) + sum over the hubs on the path of (REPEATER_DELAY + delay of the
              hub-to-hub link towards the next one) + REPEATER_DELAY of X's hub + delay(X's link)
(the shortest path; REPEATER_DELAY_BITS of lanlab.topology.domains, at the medium's slowest rate). A transmission
started at t and ending at e (its wire time, preamble and inter-frame gap included) is carrier
at X from t + d to e + d.

CSMA/CD (802.3 4.2.3). A station with a frame senses the carrier at its own place: busy, it
waits for the carrier to drop there and then transmits (1-persistent), so stations that waited
for the same frame start together and collide. A station starts while another's signal is still
on its way to it: each detects the collision when the other's first bit arrives (X at t_S + d,
S at t_X + d), sends a 32-bit jam and stops, so its signal ends then, and the medium carries
only the jam after a collision, not the rest of the frames. Each waits r slot times, r uniform
in [0, 2^min(n,10)), after its n-th collision, giving up after 16 attempts (4.2.3.2.5). A
collision detected more than the slot time (512 bit times) into a transmission is a *late
collision*: the medium is bigger than its round trip allows (5-4-3 rule, `sim check` warns); it
is its own event kind, `late-collision`, counted, and the frame is not retried (802.3 4.2.3.2.4,
as NICs do): it is lost to the layers above. A collision is seen everywhere after its
propagation time: every station senses the colliding signals and the jams as carrier.

A frame's tail reaching a hub decides what the hub does with it: damaged by a collision, it is
discarded there (event `collision`, "damaged frame discarded"; a capture skips it, as a capturing
NIC drops a runt or bad FCS); intact, it is repeated out of every other port after the
repeater delay, to stations and on to the next hubs. The sender's own hub notes the frame sent:
the station goes on with its next frame (a sender that never heard of the collision that damaged
its frame, a late collision past its last bit, goes on too). A frame is written to a capture once
it is known intact at the hub and stamped then (a capturing NIC stamps after its FCS check);
stamping it with its start instead would put the file out of time order by up to a frame time.

A link's `loss` applies both ways: a station's frame lost on its link occupies the medium (it
can collide) but is repeated to no one, and the station goes on as if it had been sent; a
repeated copy lost on the way out reaches no one on that port.

A loop of hubs: a repeater loop is a storm of bits. The frame goes round the loop for ever (each
hub repeats it as it comes back), each hub remembers the frames it repeated (sim.storm) so the
first one to see a frame again names the loop in the storm warning, and from then on the medium
is busy for ever: no station of it transmits again (their queues fill and drop).
`Engine.max_events` bounds the run.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING, Final

from lanlab.i18n import L_, N_
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Port, wire_time
from lanlab.sim.core.trace import register_kind
from lanlab.sim.devices.storm import remember_flood
from lanlab.topology.domains import REPEATER_DELAY_BITS  # one figure for the run and for sim check
from lanlab.units import SECOND

if TYPE_CHECKING:
    from lanlab.sim.devices.storm import StormReport
    from lanlab.sim.core.engine import Engine
    from lanlab.sim.core.trace import Tracer

SLOT_BITS: Final = 512  # 802.3 slot time for 10/100 Mb/s
JAM_BITS: Final = 32
ATTEMPT_LIMIT: Final = 16
BACKOFF_LIMIT: Final = 10
LATE: Final = "late-collision"

register_kind(LATE)


class Transmission:
    """One attempt to put a frame on the shared medium; `fire` is the sender hearing a collision."""

    __slots__ = (
        "frame",
        "station",
        "start",
        "end",
        "damaged",
        "lost",
        "size",
        "detect_at",
        "heard",
        "detected",
        "at_hub",
    )

    def __init__(self, frame: Frame, station: Station, start: int, end: int) -> None:
        self.frame = frame
        self.station = station
        self.start = start
        self.end = end  # its signal's end at the sender: the frame's wire time, or the jam's end
        self.damaged = False  # it overlapped another signal somewhere on the medium
        self.lost = False  # drawn from the link's loss when it starts: repeated to no one
        self.size = frame.size
        self.detect_at = 0  # when the sender hears the first colliding signal (0: never)
        self.heard: Transmission | None = None  # whose signal that is
        self.detected = False
        self.at_hub = False  # its tail reached the sender's hub (once: a cut tail is scheduled again)

    def fire(self, at: int, now: int) -> None:
        if at == self.detect_at and not self.detected:  # else an earlier collision took its place
            self.station.domain.detected(self, now)


class Station:
    """The MAC of a port on a shared medium: its queue, attempt count, pending wake-up."""

    __slots__ = ("port", "domain", "hub", "queue", "attempts", "active", "wake", "deferring")

    def __init__(self, port: Port, domain: CollisionDomain, hub: Hub) -> None:
        self.port = port
        self.domain = domain
        self.hub = hub  # the hub its cable goes to
        self.queue: deque[Frame] = deque()
        self.attempts = 0
        self.active = False  # a transmission, a deferral or a backoff is under way
        self.wake = 0  # the token of its one live wake-up; an older scheduled one is ignored
        self.deferring = False  # waiting for the carrier to drop at its place

    def fire(self, token: int, now: int) -> None:
        if token == self.wake:
            self.domain.attempt(self, now)


class CollisionDomain:
    """The shared medium of a hub, or of every hub of a cascade (merged as hubs are cabled)."""

    __slots__ = (
        "engine",
        "hubs",
        "stations",
        "live",
        "collisions",
        "late_collisions",
        "storming",
        "_hop",
        "_repeater",
        "_reach",
    )

    def __init__(self, engine: Engine, hub: Hub) -> None:
        self.engine = engine
        self.hubs: list[Hub] = [hub]
        self.stations: dict[Port, Station] = {}
        self.live: list[Transmission] = []  # transmissions whose signal may still be somewhere
        self.collisions = 0
        self.late_collisions = 0
        self.storming = False  # a repeater loop: the medium is busy for ever
        self._hop: dict[Hub, dict[Hub, int]] | None = None  # hub-to-hub propagation (None: stale)
        self._repeater = 0
        self._reach = 0  # the longest station-to-station propagation

    # -- shape ---------------------------------------------------------------------------
    def add_station(self, port: Port, hub: Hub) -> None:
        port.domain = self
        port.refresh()  # a station's send goes through the domain (Port.send's watched path)
        self.stations[port] = Station(port, self, hub)
        self._hop = None

    def merge(self, other: CollisionDomain) -> CollisionDomain:
        """Two media joined by a hub-to-hub cable: one medium (the larger one kept)."""
        if other is self:
            self._hop = None
            return self
        keep, gone = (self, other) if len(self.stations) >= len(other.stations) else (other, self)
        for hub in gone.hubs:
            hub.domain = keep
            keep.hubs.append(hub)
        for port, station in gone.stations.items():
            port.domain = station.domain = keep
            keep.stations[port] = station
        keep.live.extend(gone.live)
        keep.collisions += gone.collisions
        keep.late_collisions += gone.late_collisions
        keep.storming = keep.storming or gone.storming
        keep._hop = None
        return keep

    def changed(self) -> None:
        """A cable of the medium was pulled or plugged: propagation paths are recomputed."""
        self._hop = None

    def _paths(self) -> dict[Hub, dict[Hub, int]]:
        """Shortest propagation from each hub's input to each hub's input (Dijkstra per hub: a
        cascade has a handful), through hub-to-hub cables that are up."""
        ports = [p for hub in self.hubs for p in hub.ports.values() if p.peer is not None]
        rate = min((p.rate for p in ports), default=0) or 1
        repeater = self._repeater = REPEATER_DELAY_BITS * SECOND // rate
        hop: dict[Hub, dict[Hub, int]] = {}
        for source in self.hubs:
            best = {source: 0}
            todo = [(0, id(source), source)]
            while todo:
                spent, _, hub = heapq.heappop(todo)
                if spent > best[hub]:
                    continue
                for port in hub.ports.values():
                    peer = port.peer
                    if peer is None or not port.up or not isinstance(peer.node, Hub):
                        continue
                    there = spent + repeater + port.delay
                    if there < best.get(peer.node, there + 1):
                        best[peer.node] = there
                        heapq.heappush(todo, (there, id(peer.node), peer.node))
            hop[source] = best
        self._hop = hop
        delays = [s.port.delay for s in self.stations.values()]
        far = max((d for row in hop.values() for d in row.values()), default=0)
        self._reach = far + repeater + 2 * max(delays, default=0)
        return hop

    def distance(self, a: Station, b: Station) -> int:
        """Propagation from station a's first bit to station b (-1: no path, a cable is down)."""
        hop = self._hop if self._hop is not None else self._paths()
        between = hop[a.hub].get(b.hub)
        if between is None:
            return -1
        return a.port.delay + between + self._repeater + b.port.delay

    def repeater_delay(self) -> int:
        if self._hop is None:
            self._paths()
        return self._repeater

    # -- CSMA/CD -------------------------------------------------------------------------
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

    def _sense(self, station: Station, now: int) -> tuple[int, list[tuple[Transmission, int]]]:
        """The carrier at `station`'s place now: until when it is busy (0: idle), and the signals
        already sent that have not reached it yet (with their propagation to it)."""
        if self._hop is None:
            self._paths()
        live = self.live
        if live and live[0].end + self._reach <= now:  # signals gone from everywhere
            reach = self._reach
            live = self.live = [t for t in live if t.end + reach > now]
        busy = 0
        coming: list[tuple[Transmission, int]] = []
        for other in live:
            if other.station is station:
                continue
            d = self.distance(other.station, station)
            if d < 0:
                continue
            if other.start + d <= now:
                if other.end + d > now and other.end + d > busy:
                    busy = other.end + d
            else:
                coming.append((other, d))
        return busy, coming

    def attempt(self, station: Station, now: int) -> None:
        station.wake += 1  # whatever was scheduled for it before is superseded
        if self.storming:
            station.deferring = True  # never woken: the loop keeps the carrier up for ever
            return
        busy, coming = self._sense(station, now)
        if busy:
            station.deferring = True
            self.engine.schedule(busy, station, station.wake)  # carrier sensed: transmit when idle
            return
        station.deferring = False
        self._transmit(station, now, coming)

    def _transmit(self, station: Station, now: int, coming: list[tuple[Transmission, int]]) -> None:
        port = station.port
        frame = station.queue[0]
        transmission = Transmission(frame, station, now, now + wire_time(frame.size, port.rate))
        self.live.append(transmission)
        port.tx_frames += 1
        port.tx_bytes += frame.size
        if port.tracer is not None:
            port.tracer.record(now, port.node.name, port.name, "tx", frame)
        if port.loss:
            transmission.lost = port.lost_on_link(frame, now)
        self.engine.schedule(transmission.end + port.delay, port.peer, transmission)  # type: ignore[arg-type]  # a station is linked
        if coming:
            self._collide(transmission, coming, now)

    def _collide(self, new: Transmission, coming: list[tuple[Transmission, int]], now: int) -> None:
        """`new` starts while the signals in `coming` are on their way to its sender: where they
        overlap, both frames are damaged, and each sender hears the other's first bit."""
        fresh = False
        for other, d in coming:
            heard_by_new, heard_by_other = other.start + d, now + d
            if heard_by_new >= new.end and heard_by_other >= other.end:
                continue  # each had finished before the other's signal got there
            if not other.damaged:
                other.damaged = fresh = True
                self._count(other.station.port)
            if not new.damaged:
                new.damaged = True
                self._count(new.station.port)
            self._will_hear(other, heard_by_other, new)
            self._will_hear(new, heard_by_new, other)
        if fresh:
            self.collisions += 1

    def _will_hear(self, transmission: Transmission, at: int, other: Transmission) -> None:
        """Its sender will hear `other`'s signal at `at`, if it is still sending then."""
        if at >= transmission.end or transmission.detected:
            return
        if transmission.detect_at and transmission.detect_at <= at:
            return
        transmission.detect_at = at
        transmission.heard = other
        self.engine.schedule(at, transmission, at)

    def detected(self, transmission: Transmission, now: int) -> None:
        """The sender hears the collision: it jams, stops, and backs off (or, late, gives the frame up)."""
        transmission.detected = True
        station = transmission.station
        port = station.port
        jam_end = now + JAM_BITS * SECOND // port.rate
        if jam_end < transmission.end:
            transmission.end = jam_end  # the rest of the frame is never sent
            self.engine.schedule(jam_end + port.delay, port.peer, transmission)  # type: ignore[arg-type]
        into = now - transmission.start
        late = into > SLOT_BITS * SECOND // port.rate
        heard = transmission.heard.station.port.label if transmission.heard is not None else "?"
        if late:
            self.late_collisions += 1
        if port.tracer is not None:
            us = format(into / 1000, "g")
            note = (
                L_(
                    "with a frame from {port}, heard {us} us into its own; past the slot time: not retried",
                    port=heard,
                    us=us,
                )
                if late
                else L_("with a frame from {port}, heard {us} us into its own; jam, backing off", port=heard, us=us)
            )
            port.tracer.record(now, port.node.name, port.name, LATE if late else "collision", station.queue[0], note)
        self._recheck_deferring(now)
        if late:
            self._give_up(station, jam_end, N_("late collision"))
        else:
            self._backoff(station, jam_end)

    def _recheck_deferring(self, now: int) -> None:
        """A signal was cut short: stations waiting for it to pass may transmit sooner."""
        for station in self.stations.values():
            if station.deferring and station.active:
                busy, _ = self._sense(station, now)
                station.wake += 1
                self.engine.schedule(busy or now, station, station.wake)

    def _count(self, port: Port) -> None:
        if port.link is not None:
            port.link.collisions += 1

    def _backoff(self, station: Station, after: int) -> None:
        station.attempts += 1
        if station.attempts >= ATTEMPT_LIMIT:
            self._give_up(station, after, N_("excessive collisions"))
            return
        slots = self.engine.rng.randrange(1 << min(station.attempts, BACKOFF_LIMIT))
        slot_ns = SLOT_BITS * SECOND // station.port.rate
        station.wake += 1
        self.engine.schedule(after + slots * slot_ns, station, station.wake)

    def _give_up(self, station: Station, after: int, reason: str) -> None:
        frame = station.queue.popleft()
        station.port.drop(frame, after, reason)
        station.attempts = 0
        if not station.queue:
            station.active = False
            return
        station.wake += 1
        self.engine.schedule(after, station, station.wake)

    def delivered(self, transmission: Transmission, now: int) -> None:
        """The frame's tail reached the sender's hub and the sender heard no collision: it may
        send its next one."""
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
        hub: Hub = self.node  # type: ignore[assignment]
        hub.repeat(self, transmission, now)


class Hub:
    """A multiport repeater: part of one collision domain, no addresses, no table."""

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
        """Called by Network.link: a hub's port joins the two media into one; any other port
        becomes a station of this hub's medium."""
        if isinstance(peer.node, Hub):
            self.domain.merge(peer.node.domain)
        else:
            self.domain.add_station(peer, self)

    def link_changed(self, port: Port, up: bool, now: int) -> None:
        self.domain.changed()

    @property
    def collisions(self) -> int:
        """Collisions on this hub's medium (the whole cascade's)."""
        return self.domain.collisions

    @property
    def late_collisions(self) -> int:
        return self.domain.late_collisions

    def repeat(self, port: Port, transmission: Transmission, now: int) -> None:
        """A transmission's tail reached this hub on `port`: discard it if damaged, else repeat it."""
        frame = transmission.frame
        sender = transmission.station.port
        first = port is sender.peer  # the sender's own hub: the end of its transmission
        if first:
            if transmission.at_hub or now != transmission.end + sender.delay:
                return  # the frame was cut short by a jam: its tail arrives at the other time
            transmission.at_hub = True
        if transmission.damaged:
            if port.tracer is not None:
                port.tracer.record(now, self.name, port.name, "collision", frame, N_("damaged frame discarded"))
            if first and not transmission.detected:
                self.domain.delivered(transmission, now)  # its sender never heard: it goes on
            return
        if first:
            if sender.tap is not None:  # written and stamped now it is known intact (module docstring)
                sender.tap.write(sender, frame, now)
            self.domain.delivered(transmission, now)
            if transmission.lost:
                return  # the drop was traced when it was sent
        if self.flooded is not None:
            remember_flood(self, port, frame, now)
            if self.storm is not None:
                self.domain.storming = True
        tracer = port.tracer
        targets = [p for p in self.ports.values() if p is not port and p.peer is not None and p.up]
        if tracer is not None:
            tracer.record(
                now,
                self.name,
                port.name,
                "flood",
                frame,
                L_("repeated to {ports}", ports=", ".join(p.name for p in targets) or L_("no other port")),
            )
        engine = self.engine
        out_at = now + self.domain.repeater_delay()
        for out in targets:
            out.tx_frames += 1
            out.tx_bytes += frame.size
            if out.tap is not None:
                out.tap.write(out, frame, now)
            if out.loss and out.lost_on_link(frame, now):
                continue
            peer = out.peer
            # To a station: the frame; to the next hub of the cascade: the transmission, whose
            # tail it repeats in turn.
            engine.schedule(out_at + out.delay, peer, transmission if isinstance(peer, HubPort) else frame)  # type: ignore[arg-type]
