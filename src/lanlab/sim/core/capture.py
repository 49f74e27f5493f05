"""Captures: frames crossing chosen links, written as pcap or pcapng while the run goes.

A link's two ports get a tap; the tap builds the frame's bytes (the only place the simulator
does) and stamps them with the time the transmission started (a station's frame on a hub link:
when it reached the hub intact; sim.hub says why). A frame that waits in an output queue is
handed over when it is queued, stamped with its later start, so records pass through a
`TimeOrder` that holds each until the clock reaches its stamp: the file is in time order
(tshark's frame.time_delta is never negative).
"""

from __future__ import annotations

from heapq import heappop, heappush
from pathlib import Path
from typing import IO, Any

from lanlab.i18n import L_
from lanlab.sim.core.engine import Engine
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Link, Port
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.pcapng import PcapngWriter


class TimeOrder:
    """Writes records in stamp order. Every stamp handed in is at or after the engine's clock
    (a transmission starts now or later), so a record whose stamp the clock has reached can be
    written: nothing stamped earlier can still come."""

    __slots__ = ("engine", "write", "pending", "seq")

    def __init__(self, engine: Engine, write: Any) -> None:
        self.engine = engine
        self.write = write  # write(interface, t, data)
        self.pending: list[tuple[int, int, int, bytes]] = []
        self.seq = 0  # same stamp: the order they were handed in

    def add(self, interface: int, t: int, data: bytes) -> None:
        self.seq += 1
        heappush(self.pending, (t, self.seq, interface, data))
        self.flush(self.engine.now)

    def flush(self, until: int | None = None) -> None:
        """Write every record stamped at or before `until` (None: all of them, at the end)."""
        pending = self.pending
        while pending and (until is None or pending[0][0] <= until):
            t, _, interface, data = heappop(pending)
            self.write(interface, t, data)


class PcapngTap:
    """One pcapng interface per link."""

    __slots__ = ("order", "interface", "frames")

    def __init__(self, order: TimeOrder, interface: int) -> None:
        self.order = order
        self.interface = interface
        self.frames = 0

    def write(self, port: Port, frame: Frame, t: int) -> None:
        self.frames += 1
        self.order.add(self.interface, t, frame.to_bytes())


class PcapTap:
    """Classic pcap holds one capture point: both directions of one link."""

    __slots__ = ("order", "frames")

    def __init__(self, order: TimeOrder) -> None:
        self.order = order
        self.frames = 0

    def write(self, port: Port, frame: Frame, t: int) -> None:
        self.frames += 1
        self.order.add(0, t, frame.to_bytes())


class Capture:
    """An open capture file and the links it watches."""

    def __init__(
        self,
        path: Path,
        stream: IO[bytes],
        links: list[Link],
        taps: list[Any],
        order: TimeOrder,
        writer: PcapngWriter | None = None,
    ) -> None:
        self.path = path
        self.stream = stream
        self.links = links
        self.taps = taps
        self.order = order
        self.writer = writer  # a pcapng file's, which takes an interface for a link cabled later (watch)

    @classmethod
    def open(cls, path: Path, links: list[Link], engine: Engine) -> Capture:
        if path.suffix not in (".pcap", ".pcapng"):
            raise ValueError(L_("{path}: a capture file ends in .pcapng (every link) or .pcap (one link)", path=path))
        if path.suffix == ".pcap" and len(links) != 1:
            raise ValueError(
                L_(
                    "a .pcap file holds one capture point: give exactly one --capture NODE:PORT "
                    "(or write .pcapng for several links)"
                )
            )
        stream = path.open("wb")
        taps: list[Any] = []
        writer = None
        if path.suffix == ".pcap":
            pcap = PcapWriter(stream, nanosecond=True)
            order = TimeOrder(engine, lambda interface, t, data: pcap.write(t, data))
            taps.append(PcapTap(order))
            links[0].a.tap = links[0].b.tap = taps[0]
        else:
            writer = PcapngWriter(stream)
            order = TimeOrder(engine, writer.write)
            for link in links:
                tap = PcapngTap(order, writer.add_interface(link.name))
                link.a.tap = link.b.tap = tap
                taps.append(tap)
        # The file's header on disk now: sim run --app forks its walled child after the capture is
        # opened, and a header left in this process's buffer was written again when the waiting
        # parent exited, after everything the child wrote (a second section in the pcapng).
        stream.flush()
        return cls(path, stream, links, taps, order, writer)

    def watch(self, link: Link) -> None:
        """Capture a link cabled after the file was opened too: a pcapng section may describe an interface
        at any point before its first packet (its Interface Description Block goes out now)."""
        assert self.writer is not None  # only an every-link pcapng capture watches new links
        tap = PcapngTap(self.order, self.writer.add_interface(link.name))
        link.a.tap = link.b.tap = tap
        self.links.append(link)
        self.taps.append(tap)

    @property
    def frames(self) -> int:
        return sum(tap.frames for tap in self.taps)

    def close(self) -> None:
        for link in self.links:
            link.a.tap = link.b.tap = None
        self.order.flush()
        self.stream.close()
