"""Ports and full-duplex links: delay, rate (serialisation), loss, a bounded output queue.

One scheduled event per frame hop: when a port sends, the start of serialisation is the
later of now and the transmitter's busy-until time, the end is start + size / rate, and the
arrival at the peer is end + delay. The queue is real: the start times of frames still
waiting are kept, and a frame that finds `queue` frames waiting is tail-dropped.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Final

from mypy_extensions import mypyc_attr

from lanlab.i18n import L_, N_
from lanlab.sim.core.frame import MIN_FRAME, WIRE_OVERHEAD, Frame

if TYPE_CHECKING:
    from lanlab.sim.core.engine import Engine
    from lanlab.sim.devices.hub import CollisionDomain
    from lanlab.sim.core.node import Node, Receiver
    from lanlab.sim.core.trace import Tracer

DEFAULT_DELAY_NS: Final = 1_000  # 1 us
DEFAULT_RATE_BPS: Final = 100_000_000  # 100 Mbps
DEFAULT_QUEUE: Final = 100  # frames waiting per output queue (ns-3 DropTail default)
LOOPBACK_DELAY: Final = 10_000  # 10 us through a host's own lo (on no link: its LoopbackPort, its TCP's own path)
NS_BITS: Final = 8_000_000_000  # bits per byte * ns per second


def wire_time(size: int, rate: int) -> int:
    """Nanoseconds a frame of `size` bytes occupies a link of `rate` bps (padding, preamble, FCS, gap)."""
    return ((size if size > MIN_FRAME else MIN_FRAME) + WIRE_OVERHEAD) * NS_BITS // rate


@mypyc_attr(allow_interpreted_subclasses=True)  # sim.stacks.stp's StpSwitchPort derives from SwitchPort
class Port:
    """A device's attachment point. `send` transmits towards the peer; `fire` is an arrival.

    Node kinds either give their ports a `fire` of their own (switch, host: one call less per
    hop) or use this one, which calls `node.receive(port, frame, now)`.
    """

    __slots__ = (
        "node",
        "name",
        "engine",
        "peer",
        "link",
        "busy_until",
        "waiting",
        "queue_limit",
        "rate",
        "ns_per_byte",
        "delay",
        "loss",
        "up",
        "domain",
        "_tap",
        "_tracer",
        "watched",
        "tx_frames",
        "tx_bytes",
        "drops",
        "lost",
    )

    def __init__(self, node: Node, name: str, engine: Engine) -> None:
        self.node = node
        self.name = name
        self.engine = engine
        self.peer: Port | None = None
        self.link: Link | None = None
        self.busy_until = 0
        self.waiting: deque[int] = deque()  # serialisation start times of queued frames
        self.queue_limit = DEFAULT_QUEUE
        self.rate = DEFAULT_RATE_BPS
        self.ns_per_byte = NS_BITS // DEFAULT_RATE_BPS
        self.delay = DEFAULT_DELAY_NS
        self.loss = 0.0
        self.up = True
        self.domain: CollisionDomain | None = None  # set when the peer is a hub (half duplex)
        self._tap: Any = None
        self._tracer: Tracer | None = None
        self.watched = True  # the slow path of send: not linked, down, lossy, traced, captured or on a hub
        self.tx_frames = 0
        self.tx_bytes = 0
        self.drops = 0  # queue overflow, link down, lost on the link, collisions given up
        self.lost = 0  # of which lost on the link (sent, never arrived)

    def __repr__(self) -> str:
        return f"<Port {self.label}>"

    @property
    def label(self) -> str:
        return f"{self.node.name}:{self.name}"

    @property
    def tap(self) -> Any:
        """A capture writer for this port's link (None: not captured)."""
        return self._tap

    @tap.setter
    def tap(self, tap: Any) -> None:
        self._tap = tap
        self.refresh()

    @property
    def tracer(self) -> Tracer | None:
        """The event list being recorded (None: off)."""
        return self._tracer

    @tracer.setter
    def tracer(self, tracer: Tracer | None) -> None:
        self._tracer = tracer
        self.refresh()

    def refresh(self) -> None:
        """Recompute whether send needs its slow path and the rate's time per byte (call after changing
        peer, up, loss, domain or rate)."""
        # Whole nanoseconds per byte when the rate divides 8e9 bit-ns (10 Mb/s to 8 Gb/s in decimal
        # steps): a small product then gives wire_time's value exactly, where bytes * 8e9 // rate needs
        # a multi-digit multiply and divide. 0: another rate, wire_time's way.
        self.ns_per_byte = NS_BITS // self.rate if self.rate > 0 and NS_BITS % self.rate == 0 else 0
        self.watched = (
            self.peer is None
            or not self.up
            or self.loss > 0.0
            or self._tap is not None
            or self._tracer is not None
            or self.domain is not None
        )

    @property
    def rx_frames(self) -> int:
        """Frames that arrived here: what the peer sent, minus what the link lost."""
        peer = self.peer
        return 0 if peer is None else peer.tx_frames - peer.lost

    def room_at(self, now: int, frames: int = 1) -> int | None:
        """When `frames` more frames sent from `now` on would all find room in the output queue: None
        if they do now (or never could, or the port shares a collision domain, whose stations queue
        their own way), else the time enough waiting frames have gone onto the wire."""
        if self.domain is not None or frames > self.queue_limit:
            return None
        waiting = self.waiting
        while waiting and waiting[0] <= now:
            waiting.popleft()
        if self.busy_until <= now or len(waiting) + frames <= self.queue_limit:
            return None
        return waiting[len(waiting) + frames - self.queue_limit - 1]

    def send(self, frame: Frame, now: int) -> None:
        """Queue `frame` for transmission; schedules its arrival at the peer (one event)."""
        # One test for the common full-duplex, unobserved port; a hub station is always watched.
        watched = self.watched
        if watched and self.domain is not None:
            self.domain.offer(self, frame, now)
            return
        busy = self.busy_until
        if busy > now:
            waiting = self.waiting
            while waiting and waiting[0] <= now:
                waiting.popleft()
            if len(waiting) >= self.queue_limit:
                self.drop(frame, now, N_("output queue full"))
                return
            waiting.append(busy)
            start = busy
        else:
            start = now
        if watched and not self._observe(frame, now, start):
            return
        size = frame.size
        per_byte = self.ns_per_byte
        if per_byte:
            end = start + ((size if size > MIN_FRAME else MIN_FRAME) + WIRE_OVERHEAD) * per_byte
        else:
            end = start + wire_time(size, self.rate)
        self.busy_until = end
        self.tx_frames += 1
        self.tx_bytes += size
        engine = self.engine
        peer: Port = self.peer  # type: ignore[assignment]  # linked: the slow path checked
        # The engine's unchecked path: end + delay is never before now.
        engine.push((end + self.delay, next(engine.tickets), peer, frame))

    def _observe(self, frame: Frame, now: int, start: int) -> bool:
        """The slow path: link state, capture, trace, loss. False when the frame goes no further."""
        if self.peer is None or not self.up:
            self.drop(frame, now, N_("link down") if self.peer is not None else N_("not connected"))
            return False
        if self._tap is not None:
            self._tap.write(self, frame, start)
        if self._tracer is not None:
            # Recorded now, so the event list stays in time order; a queued frame says when it goes.
            queued = L_("waits in the output queue until {time:.6f} s", time=start / 1e9) if start > now else ""
            self._tracer.record(now, self.node.name, self.name, "tx", frame, queued)
        if self.loss and self.lost_on_link(frame, now):
            # The frame still occupies the wire; it just never arrives.
            size = frame.size
            self.busy_until = start + wire_time(size, self.rate)
            self.tx_frames += 1
            self.tx_bytes += size
            return False
        return True

    def lost_on_link(self, frame: Frame, now: int) -> bool:
        """Draw the link's loss for `frame` (call only when `loss` is set: no draw, no change to a
        lossless run); a lost frame is counted and traced here, its transmission by the caller."""
        if self.engine.rng.random() >= self.loss:
            return False
        self.lost += 1
        self.drops += 1
        if self._tracer is not None:
            self._tracer.record(now, self.node.name, self.name, "drop", frame, N_("lost on the link"))
        return True

    def fire(self, frame: Frame, now: int) -> None:
        """A frame's last bit arrived here."""
        if not self.up:
            return
        if self._tracer is not None:
            self._tracer.record(now, self.node.name, self.name, "rx", frame)
        node: Receiver = self.node  # type: ignore[assignment]  # a kind from outside: no port class of its own
        node.receive(self, frame, now)

    def drop(self, frame: Frame, now: int, reason: str) -> None:
        self.drops += 1
        if self._tracer is not None:
            self._tracer.record(now, self.node.name, self.name, "drop", frame, reason)


class Link:
    """A cable between two ports, with its parameters and counters (both directions)."""

    __slots__ = ("a", "b", "delay", "rate", "loss", "queue", "collisions")

    def __init__(
        self,
        a: Port,
        b: Port,
        *,
        delay: int = DEFAULT_DELAY_NS,
        rate: int = DEFAULT_RATE_BPS,
        loss: float = 0.0,
        queue: int = DEFAULT_QUEUE,
    ) -> None:
        if a.peer is not None or b.peer is not None:
            used = a if a.peer is not None else b
            raise ValueError(f"port {used.label} is already linked")
        self.a = a
        self.b = b
        self.delay = delay
        self.rate = rate
        self.loss = loss
        self.queue = queue
        self.collisions = 0
        for port, peer in ((a, b), (b, a)):
            port.peer = peer
            port.link = self
            port.delay = delay
            port.rate = rate
            port.loss = loss
            port.queue_limit = queue
            port.refresh()

    @property
    def name(self) -> str:
        return f"{self.a.label}-{self.b.label}"

    @property
    def frames(self) -> int:
        return self.a.tx_frames + self.b.tx_frames

    @property
    def bytes(self) -> int:
        return self.a.tx_bytes + self.b.tx_bytes

    @property
    def drops(self) -> int:
        return self.a.drops + self.b.drops

    def set_up(self, up: bool) -> None:
        """Plug or unplug the cable: frames sent or arriving while down are lost."""
        for port in (self.a, self.b):
            port.up = up
            port.refresh()

    def counters(self) -> dict[str, object]:
        return {
            "a": self.a.label,
            "b": self.b.label,
            "frames": self.frames,
            "bytes": self.bytes,
            "drops": self.drops,
            "collisions": self.collisions,
        }
