"""Classic libpcap files (LINKTYPE_ETHERNET), microsecond or nanosecond timestamps; streaming both ways."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

from lanlab.units import SECOND
from lanlab.wire.errors import MalformedError, truncated

LINKTYPE_ETHERNET = 1
MAGIC_MICRO = 0xA1B2C3D4
MAGIC_NANO = 0xA1B23C4D
DEFAULT_SNAPLEN = 262144  # what tcpdump and dumpcap use

# Written little-endian whatever the machine, so the same run gives the same bytes everywhere.
_FILE_HEADER = struct.Struct("<IHHiIII")
_RECORD = {"<": struct.Struct("<IIII"), ">": struct.Struct(">IIII")}


class PcapWriter:
    """Write frames to a pcap file object, one record per write(); nothing is buffered here."""

    def __init__(self, fileobj: BinaryIO, nanosecond: bool = False, snaplen: int = DEFAULT_SNAPLEN,
                 linktype: int = LINKTYPE_ETHERNET) -> None:
        self._file = fileobj
        self._units = 1 if nanosecond else 1000
        self._per_second = SECOND // self._units
        self._snaplen = snaplen
        fileobj.write(_FILE_HEADER.pack(MAGIC_NANO if nanosecond else MAGIC_MICRO, 2, 4, 0, 0, snaplen, linktype))

    def write(self, t_ns: int, frame: bytes) -> None:
        """Append one frame seen at time t_ns (nanoseconds since the epoch, or since the run started)."""
        ticks = t_ns // self._units
        seconds, fraction = divmod(ticks, self._per_second)
        if not 0 <= seconds <= 0xFFFFFFFF:
            raise ValueError(f"pcap: time {t_ns} ns is outside what a pcap record holds (0 to 2**32 s)")
        captured = frame[: self._snaplen]
        self._file.write(_RECORD["<"].pack(seconds, fraction, len(captured), len(frame)))
        self._file.write(captured)


class PcapReader:
    """Iterate (t_ns, frame) over a pcap file object, either byte order, micro- or nanosecond."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._file = fileobj
        head = fileobj.read(_FILE_HEADER.size)
        if len(head) < _FILE_HEADER.size:
            raise truncated("pcap", "file header", 0, _FILE_HEADER.size, len(head))
        for order in "<>":
            magic = struct.unpack(order + "I", head[:4])[0]
            if magic in (MAGIC_MICRO, MAGIC_NANO):
                break
        else:
            raise MalformedError(f"pcap: magic {head[:4].hex()} at offset 0 is not a pcap file's")
        self._record = _RECORD[order]
        self._units = 1 if magic == MAGIC_NANO else 1000
        _, major, minor, _, _, self.snaplen, self.linktype = struct.unpack(order + "IHHiIII", head)
        self.nanosecond = magic == MAGIC_NANO
        self._offset = _FILE_HEADER.size

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        per_second = SECOND // self._units
        while True:
            head = self._file.read(16)
            if not head:
                return
            if len(head) < 16:
                raise truncated("pcap", "record header", self._offset, 16, len(head))
            seconds, fraction, captured, _ = self._record.unpack(head)
            frame = self._file.read(captured)
            if len(frame) < captured:
                raise truncated("pcap", "frame", self._offset + 16, captured, len(frame))
            self._offset += 16 + captured
            yield (seconds * per_second + fraction) * self._units, frame
