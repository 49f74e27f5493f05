"""pcapng files: one named Interface Description Block per capture point, Enhanced Packet Blocks; streaming.

Block layout and option codes from the pcapng specification (draft-ietf-opsawg-pcapng):
SHB 0x0A0D0D0A, IDB 1 (if_name = 2, if_tsresol = 9, if_fcslen = 13), EPB 6, SPB 3, opt_endofopt = 0;
read also: the obsolete Packet Block 2 (appendix "Packet Block (obsolete!)"), an EPB with a 16-bit interface id
followed by a 16-bit drops count.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

from lanlab.units import SECOND
from lanlab.wire.errors import MalformedError, truncated
from lanlab.wire.pcap import DEFAULT_SNAPLEN, LINKTYPE_ETHERNET, MAX_CAPTURED

SHB, IDB, PB, SPB, EPB = 0x0A0D0D0A, 1, 2, 3, 6
BYTE_ORDER_MAGIC = 0x1A2B3C4D
OPT_END, OPT_SHB_USERAPPL, OPT_IF_NAME, OPT_IF_TSRESOL, OPT_IF_FCSLEN = 0, 4, 2, 9, 13
TSRESOL_NS = 9  # timestamps in units of 10^-9 s
# Wireshark's MAX_BLOCK_SIZE: an EPB's fixed part, the largest frame and room for options; a longer block
# length is damage (tshark: "total block length ... is too large"), refused before anything is read.
MAX_BLOCK = 32 + MAX_CAPTURED + 131072


def _option(code: int, value: bytes) -> bytes:
    padding = -len(value) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\x00" * padding


def _block(block_type: int, body: bytes) -> bytes:
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


class PcapngWriter:
    """Write a pcapng section to a file object; add_interface() names each capture point."""

    def __init__(self, fileobj: BinaryIO, application: str = "lanlab") -> None:
        self._file = fileobj
        self._interfaces = 0
        options = _option(OPT_SHB_USERAPPL, application.encode()) + _option(OPT_END, b"")
        # section length -1: unknown, we stream (pcapng 4.1)
        fileobj.write(_block(SHB, struct.pack("<IHHq", BYTE_ORDER_MAGIC, 1, 0, -1) + options))

    def add_interface(self, name: str, linktype: int = LINKTYPE_ETHERNET, snaplen: int = DEFAULT_SNAPLEN) -> int:
        """Describe a capture point (a link or port, e.g. "sw1:p1"); returns its interface id for write()."""
        options = (
            _option(OPT_IF_NAME, name.encode()) + _option(OPT_IF_TSRESOL, bytes([TSRESOL_NS])) + _option(OPT_END, b"")
        )
        self._file.write(_block(IDB, struct.pack("<HHI", linktype, 0, snaplen) + options))
        self._interfaces += 1
        return self._interfaces - 1

    def write(self, interface_id: int, t_ns: int, frame: bytes, wire_length: int | None = None) -> None:
        """Append one frame seen on interface `interface_id` at time t_ns (nanoseconds); `wire_length`, when a
        snaplen kept only part of it, is its length on the wire."""
        if not 0 <= interface_id < self._interfaces:
            raise ValueError(f"pcapng: interface {interface_id} was never added (add_interface first)")
        padding = b"\x00" * (-len(frame) % 4)
        original = len(frame) if wire_length is None else wire_length
        head = struct.pack("<IIIII", interface_id, t_ns >> 32, t_ns & 0xFFFFFFFF, len(frame), original)
        self._file.write(_block(EPB, head + frame + padding))


class PcapngReader:
    """Iterate (interface_name, t_ns, frame) over a pcapng file object (any byte order, several sections).

    After each frame: `linktype` and `fcs_length` (FCS bytes ending it, None when not said) of its
    interface, and `wire_length`, its length on the wire (more than len(frame) when a snaplen cut it).
    """

    def __init__(self, fileobj: BinaryIO) -> None:
        self._file = fileobj
        self._order = "<"
        self._offset = 0
        self._frames = 0
        self._interfaces: list[tuple[str, int, int, int | None]] = []  # name, ticks per second, linktype, FCS
        self.linktype: int | None = None
        self.fcs_length: int | None = None
        self.wire_length = 0

    def __iter__(self) -> Iterator[tuple[str, int, bytes]]:
        while True:
            head = self._file.read(8)
            if not head:
                return
            if len(head) < 8:
                raise truncated("pcapng", "block header", self._offset, 8, len(head))
            if self._offset == 0 and head[:4] != struct.pack("<I", SHB):
                raise MalformedError(f"pcapng: block type {head[:4].hex()} at offset 0 is not a section header")
            if head[:4] == struct.pack("<I", SHB):
                order_magic = self._file.read(4)
                if order_magic not in (struct.pack("<I", BYTE_ORDER_MAGIC), struct.pack(">I", BYTE_ORDER_MAGIC)):
                    raise MalformedError(
                        f"pcapng: the section header at offset {self._offset} has byte-order magic "
                        f"{order_magic.hex()}, not 1a2b3c4d in either order"
                    )
                self._order = "<" if order_magic == struct.pack("<I", BYTE_ORDER_MAGIC) else ">"
                rest_head = order_magic
            else:
                rest_head = b""
            block_type, total = struct.unpack(self._order + "II", head)
            if total < 12 or total % 4:
                raise MalformedError(f"pcapng: block length {total} at offset {self._offset + 4} is invalid")
            if total > MAX_BLOCK:  # checked before reading: the length may be damage, not a block
                raise MalformedError(
                    f"pcapng: {self._what(block_type)} (offset {self._offset}) claims a block of {total} bytes, "
                    f"more than the {MAX_BLOCK} a block may have"
                )
            body = rest_head + self._file.read(total - 12 - len(rest_head))
            trailer = self._file.read(4)
            if len(body) + len(trailer) < total - 8:
                raise truncated("pcapng", "block body", self._offset + 8, total - 8, len(body) + len(trailer))
            (total_again,) = struct.unpack(self._order + "I", trailer)
            if total_again != total:  # tshark: "block lengths don't match"; the block's bounds are not known
                raise MalformedError(
                    f"pcapng: {self._what(block_type)} (offset {self._offset}) begins with block length {total} "
                    f"but ends with {total_again}"
                )
            packet = self._block(block_type, body)
            self._offset += total
            if packet is not None:
                self._frames += 1
                yield packet

    def _block(self, block_type: int, body: bytes) -> tuple[str, int, bytes] | None:
        order = self._order
        try:
            if block_type == SHB:
                self._interfaces = []
            elif block_type == IDB:
                linktype, _, _ = struct.unpack_from(order + "HHI", body)
                name, resolution, fcs = f"if{len(self._interfaces)}", 10**6, None
                for code, value in self._options(body[8:]):
                    if code == OPT_IF_NAME:
                        name = value.decode("utf-8", "replace")
                    elif code == OPT_IF_TSRESOL and value:
                        exponent = value[0] & 0x7F
                        resolution = 2**exponent if value[0] & 0x80 else 10**exponent
                    elif code == OPT_IF_FCSLEN and value:
                        fcs = value[0] // 8  # the option counts bits
                self._interfaces.append((name, resolution, linktype, fcs))
            elif block_type in (EPB, PB):  # PB: the same fields, the interface id 16 bits then 16 of drops count
                layout = order + ("IIIII" if block_type == EPB else "H2xIIII")
                interface, high, low, captured, self.wire_length = struct.unpack_from(layout, body)
                if captured > MAX_CAPTURED:
                    raise MalformedError(
                        f"pcapng: frame {self._frames + 1} (offset {self._offset}) claims {captured} "
                        f"captured bytes, more than the {MAX_CAPTURED} a frame may have"
                    )
                name, resolution, self.linktype, self.fcs_length = self._interface(interface)
                frame = body[20 : 20 + captured]
                if len(frame) < captured:
                    raise truncated("pcapng", "packet data", self._offset + 28, captured, len(frame))
                return name, ((high << 32) | low) * SECOND // resolution, frame
            elif block_type == SPB:
                (self.wire_length,) = struct.unpack_from(order + "I", body)
                name, _, self.linktype, self.fcs_length = self._interface(0)
                return name, 0, body[4 : 4 + self.wire_length]
        except (struct.error, IndexError) as error:
            raise MalformedError(f"pcapng: block type {block_type} at offset {self._offset}: {error}") from None
        return None  # other block types (statistics, name resolution, ...) carry no frames

    def _what(self, block_type: int) -> str:
        """A damaged block as an error names it: the frame's number for a packet block, else its type."""
        return f"frame {self._frames + 1}" if block_type in (EPB, SPB, PB) else f"block type {block_type}"

    def _interface(self, number: int) -> tuple[str, int, int, int | None]:
        """The description of the interface a packet block names (pcapng 4.3: it must come before)."""
        if number >= len(self._interfaces):
            raise MalformedError(
                f"pcapng: frame {self._frames + 1} (offset {self._offset}) names interface {number}, but its "
                f"section describes {len(self._interfaces)} (an interface description block must come first)"
            )
        return self._interfaces[number]

    def _options(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        offset = 0
        while offset + 4 <= len(data):
            code, length = struct.unpack_from(self._order + "HH", data, offset)
            if code == OPT_END:
                return
            yield code, data[offset + 4 : offset + 4 + length]
            offset += 4 + length + (-length % 4)
