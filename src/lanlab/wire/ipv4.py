"""IPv4 (RFC 791): header checksum, options kept as bytes, flags and fragment offset."""

from __future__ import annotations

from enum import IntEnum, IntFlag
from ipaddress import IPv4Address

from lanlab.wire.errors import malformed
from lanlab.wire.icmp import QUOTED_IP
from lanlab.wire.fields import Extent, Leaf, bits, Header, header, ipv4, u8, u16
from lanlab.wire.registry import register

MIN_HEADER = 20
DF = 0b010  # flags: don't fragment (plain ints: `h.flags & MF` is on the forwarding path, IntFlag's & is slow)
MF = 0b001  # flags: more fragments


class IpFlags(IntFlag):
    """Names for the 3 flag bits (RFC 791 3.1), for people; declared high bit first so 3 reads "DF|MF"."""

    RESERVED = 0b100  # must be zero (RFC 3514's "evil bit")
    DF = DF
    MF = MF


class IpProto(IntEnum):
    """What an IPv4 datagram carries (the protocol field)."""

    ICMP = 1
    TCP = 6
    UDP = 17


@header(
    "IPv4",
    layout=(
        bits("B", ("version", 4, 4), ("_ihl", 4)),
        u8("tos"),
        u16("total_length"),
        u16("ident"),
        bits("H", Leaf("flags", width=3, meaning=IpFlags), ("frag_offset", 13)),
        u8("ttl"),
        u8("proto", IpProto),
        u16("checksum"),
        ipv4("src"),
        ipv4("dst"),
    ),
    extent=Extent(header_length=("_ihl", 4), payload_end=("total_length", 0), tail="options"),
)
class IPv4(Header):
    """An IPv4 header. flags: bit 2 = DF, bit 1 = MF (the reserved bit is bit 0's neighbour, 0b100)."""

    src: IPv4Address
    dst: IPv4Address
    proto: int
    ttl: int = 64
    ident: int = 0
    tos: int = 0
    flags: int = 0
    frag_offset: int = 0
    options: bytes = b""
    total_length: int | None = None
    checksum: int | None = None

    def build(self, payload: bytes = b"") -> bytes:
        """Header + payload, with total_length and checksum computed unless given."""
        options = self.options
        if len(options) & 3 or len(options) > 40:
            raise malformed(
                self.NAME,
                "options",
                MIN_HEADER,
                f"{len(options)} bytes: must be a multiple of 4, at most 40 (pad with EOL)",
            )
        ihl = 5 + (len(options) >> 2)
        total_length = self.total_length
        if total_length is None:
            total_length = MIN_HEADER + len(options) + len(payload)
        checksum = self.checksum
        if checksum is None:
            # RFC 791's header checksum from the fields as numbers, each at its place in its 16-bit word
            # (checksum.complement_of_sum), so the header is packed once, checksum and all
            total = (
                0x4000  # version 4
                + (ihl << 8)
                + self.tos
                + total_length
                + self.ident
                + (self.flags << 13)
                + self.frag_offset
                + (self.ttl << 8)
                + self.proto
                + self.src._ip  # type: ignore[attr-defined]  # ipaddress's int, without an __int__ call
                + self.dst._ip  # type: ignore[attr-defined]
            )
            if options:
                total += int.from_bytes(options, "big")
            remainder = total % 0xFFFF  # complement_of_sum, inlined: its call is a tenth of a build
            checksum = 0xFFFF - remainder if remainder else 0 if total else 0xFFFF
        head = self._pack(
            ihl,
            self.tos,
            total_length,
            self.ident,
            self.flags,
            self.frag_offset,
            self.ttl,
            self.proto,
            checksum,
            self.src,
            self.dst,
        )
        return head + options + payload

    @property
    def header_length(self) -> int:
        """Bytes of header, options included (IHL * 4)."""
        return MIN_HEADER + len(self.options)

    @property
    def dont_fragment(self) -> bool:
        """The DF flag."""
        return bool(self.flags & DF)

    @property
    def more_fragments(self) -> bool:
        """The MF flag."""
        return bool(self.flags & MF)


def _ipv4_next(h: IPv4) -> list[tuple[str, int]]:
    # Only the first fragment starts with the upper header; later ones are a continuation.
    if h.frag_offset or h.flags & MF:
        return []
    return [("ip_proto", h.proto)]


def _ipv4_summary(h: IPv4, below: object, payload: bytes) -> tuple[str, str]:
    if h.frag_offset or h.flags & MF:
        return "IPv4", f"Fragmented IP protocol (proto={h.proto}, off={h.frag_offset * 8}, ID={h.ident:04x})"
    return "IPv4", f"{h.src} → {h.dst} proto={h.proto}"


register(IPv4, under=[("ethertype", 0x0800), QUOTED_IP], next_keys=_ipv4_next, summary=_ipv4_summary)
