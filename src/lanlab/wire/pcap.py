"""Classic libpcap files (LINKTYPE_ETHERNET), microsecond or nanosecond timestamps; streaming both ways.

The file header's link-type word also says how many FCS bytes end each frame (draft-ietf-opsawg-pcap
4, "LinkType and additional information"): bits 0-15 the link type, bit 26 (P) set when bits 28-31
give the FCS length in 16-bit words. Readers take the link type from the low 16 bits, as libpcap and
Wireshark do, so a file whose writer set the upper bits still reads as Ethernet.
"""

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
# The most a frame may hold: Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD, which tshark refuses to read past
# ("File has 4294967280-byte packet, bigger than maximum of 262144"); a damaged length never becomes a 4 GiB read.
MAX_CAPTURED = 262144
LINKTYPE_MASK = 0xFFFF
FCS_PRESENT = 1 << 26
FCS_WORDS_SHIFT = 28

# Written little-endian whatever the machine, so the same run gives the same bytes everywhere.
_FILE_HEADER = struct.Struct("<IHHiIII")
_RECORD = {"<": struct.Struct("<IIII"), ">": struct.Struct(">IIII")}


class PcapWriter:
    """Write frames to a pcap file object, one record per write(); nothing is buffered here."""

    def __init__(
        self,
        fileobj: BinaryIO,
        nanosecond: bool = False,
        snaplen: int = DEFAULT_SNAPLEN,
        linktype: int = LINKTYPE_ETHERNET,
    ) -> None:
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


def split_linktype(word: int) -> tuple[int, int | None]:
    """The link type and the FCS length in bytes (None: not said) of a pcap header's link-type word."""
    fcs = (word >> FCS_WORDS_SHIFT) * 2 if word & FCS_PRESENT else None
    return word & LINKTYPE_MASK, fcs


class PcapReader:
    """Iterate (t_ns, frame) over a pcap file object, either byte order, micro- or nanosecond.

    `wire_length` is the length on the wire of the frame yielded last (more than len(frame) when the
    capture's snaplen cut it short); `fcs_length` the FCS bytes ending each frame, None when not said.
    """

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
        _, major, minor, _, _, self.snaplen, word = struct.unpack(order + "IHHiIII", head)
        self.linktype, self.fcs_length = split_linktype(word)
        self.nanosecond = magic == MAGIC_NANO
        self.wire_length = 0
        self._offset = _FILE_HEADER.size

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        per_second = SECOND // self._units
        number = 0
        while True:
            head = self._file.read(16)
            if not head:
                return
            number += 1
            if len(head) < 16:
                raise truncated("pcap", "record header", self._offset, 16, len(head))
            seconds, fraction, captured, self.wire_length = self._record.unpack(head)
            if captured > MAX_CAPTURED:  # checked before reading: the length may be damage, not a frame
                raise MalformedError(
                    f"pcap: frame {number} (offset {self._offset}) claims {captured} captured bytes, "
                    f"more than the {MAX_CAPTURED} a frame may have"
                )
            frame = self._file.read(captured)
            if len(frame) < captured:
                raise truncated("pcap", "frame", self._offset + 16, captured, len(frame))
            self._offset += 16 + captured
            yield (seconds * per_second + fraction) * self._units, frame
