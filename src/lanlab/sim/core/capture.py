"""Captures: frames crossing chosen links, written as pcap or pcapng while the run goes.

A link's two ports get a tap; the tap builds the frame's bytes (the only place the simulator
does) and hands them to the writer with the time its transmission started (a station's frame on
a hub link: when it reached the hub intact; sim.hub says why).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Link, Port
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.pcapng import PcapngWriter


class PcapngTap:
    """One pcapng interface per link."""

    __slots__ = ("writer", "interface", "frames")

    def __init__(self, writer: PcapngWriter, interface: int) -> None:
        self.writer = writer
        self.interface = interface
        self.frames = 0

    def write(self, port: Port, frame: Frame, t: int) -> None:
        self.frames += 1
        self.writer.write(self.interface, t, frame.to_bytes())


class PcapTap:
    """Classic pcap holds one capture point: both directions of one link."""

    __slots__ = ("writer", "frames")

    def __init__(self, writer: PcapWriter) -> None:
        self.writer = writer
        self.frames = 0

    def write(self, port: Port, frame: Frame, t: int) -> None:
        self.frames += 1
        self.writer.write(t, frame.to_bytes())


class Capture:
    """An open capture file and the links it watches."""

    def __init__(self, path: Path, stream: IO[bytes], links: list[Link], taps: list[Any]) -> None:
        self.path = path
        self.stream = stream
        self.links = links
        self.taps = taps

    @classmethod
    def open(cls, path: Path, links: list[Link]) -> Capture:
        if path.suffix not in (".pcap", ".pcapng"):
            raise ValueError(f"{path}: a capture file ends in .pcapng (every link) or .pcap (one link)")
        if path.suffix == ".pcap" and len(links) != 1:
            raise ValueError("a .pcap file holds one capture point: give exactly one --capture NODE:PORT "
                             "(or write .pcapng for several links)")
        stream = path.open("wb")
        taps: list[Any] = []
        if path.suffix == ".pcap":
            taps.append(PcapTap(PcapWriter(stream, nanosecond=True)))
            links[0].a.tap = links[0].b.tap = taps[0]
        else:
            writer = PcapngWriter(stream)
            for link in links:
                tap = PcapngTap(writer, writer.add_interface(link.name))
                link.a.tap = link.b.tap = tap
                taps.append(tap)
        return cls(path, stream, links, taps)

    @property
    def frames(self) -> int:
        return sum(tap.frames for tap in self.taps)

    def close(self) -> None:
        for link in self.links:
            link.a.tap = link.b.tap = None
        self.stream.close()
