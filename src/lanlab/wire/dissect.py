"""dissect(frame): every header of an Ethernet frame, parsed, and a tshark-like summary of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any

from lanlab.wire.arp import Arp
from lanlab.wire.errors import TruncatedError, WireError
from lanlab.wire.ethernet import MAX_DOT3_LENGTH, Dot3, Ethernet
from lanlab.wire.ipv4 import IPv4
from lanlab.wire.mac import MacAddress
from lanlab.wire.registry import byte_count, next_codec, quotes, summary_of

if TYPE_CHECKING:
    from lanlab.wire.fields import Header

# A quoted datagram was up to 64 KiB long; the quote keeps its start (RFC 792: IP header and 64 bits of
# data; RFC 1812 4.3.2.3: as much as fits in 576 bytes). Its declared lengths may run this far past it.
QUOTE_SLACK = 0xFFFF
ETHERNET_MINIMUM = 60  # bytes before the FCS; a shorter frame is padded (IEEE 802.3 4.2.3.3)
FCS_LENGTH = 4


@dataclass(frozen=True, slots=True)
class Dissection:
    """A parsed frame: `layers` are header objects, outermost first, then the remaining payload bytes."""

    layers: list[Any]
    protocol: str
    info: str
    src: str
    dst: str
    error: str | None = None  # why dissection stopped early (tshark's [Malformed Packet])
    cut_short: str | None = None  # the header a capture's snaplen cut off (tshark's [Packet size limited ...])
    quoted: int | None = None  # index in layers where the datagram an ICMP error quotes begins
    # What follows the network layer's own bytes in the frame (tshark's Ethernet "Padding", "Trailer" and its
    # guessed "Frame check sequence"): never part of the payload.
    padding: bytes = b""
    trailer: bytes = b""
    fcs: bytes = b""

    @property
    def headers(self) -> list[Any]:
        """The header objects only."""
        return self.layers[:-1]

    @property
    def payload(self) -> bytes:
        """The bytes after the last header."""
        payload: bytes = self.layers[-1]
        return payload

    @property
    def quote(self) -> str | None:
        """The quoted datagram in a few words, "UDP 198.18.0.2:40000 → 198.18.0.1:9", when there is one."""
        return None if self.quoted is None else quote_summary(self.headers[self.quoted :])


def dissect(frame: bytes | memoryview, wire_length: int | None = None, guess_fcs: bool = True) -> Dissection:
    """Parse an Ethernet frame as deep as registered codecs go; a WireError stops it and is recorded, not raised.

    wire_length: the frame's length on the wire, when a capture's snaplen kept only its first bytes. Headers
    that were captured whole are then decoded (their declared lengths may run past the capture), and the
    first one the cut reaches is named in `cut_short` instead of making the frame Malformed, as tshark does:
    only a length that runs past the frame's length on the wire is an error. An ICMP error's quoted
    datagram is decoded the same way, as a datagram cut short (its headers follow the ICMP header).

    Bytes after the network layer's own length (IPv4's total length, ARP's 28 bytes, 802.3's length) are
    the frame's padding, trailer and perhaps FCS, as `ethernet_tail` names them. guess_fcs: whether the
    capture leaves unsaid if frames end in an FCS (pcap does), so that the last 4 such bytes may be one.
    """
    frame = bytes(frame)
    layers: list[Any] = []
    error = cut_short = quoted = None
    snapped = missing = wire_length - len(frame) if wire_length is not None and wire_length > len(frame) else 0
    rest = frame
    # 802.3 frames put a length where Ethernet II puts the EtherType (IEEE 802.3 3.2.6).
    cls: type[Header] | None = (
        Dot3 if len(frame) >= 14 and int.from_bytes(frame[12:14], "big") <= MAX_DOT3_LENGTH else Ethernet
    )
    try:
        while cls is not None:
            parse_cut = getattr(cls, "parse_cut", None) if missing else None
            try:
                if parse_cut is not None:
                    h, rest, missing = parse_cut(rest, missing)
                else:
                    h, rest = cls.parse(rest)
            except TruncatedError as failure:
                partial = next_codec(layers[-1], cut=True) if layers and 0 < failure.missing <= missing else None
                if partial is None:
                    raise
                layers.append(partial.parse(rest)[0])  # the fields that are whole (ports of a quoted TCP header)
                rest = b""
                raise
            layers.append(h)
            if quoted is None and quotes(h):
                quoted, missing = len(layers), QUOTE_SLACK
            cls = next_codec(h)
    except TruncatedError as failure:
        if not 0 < failure.missing <= missing:
            error = str(failure)
        elif quoted is None or snapped:  # a quote is short by design; only a snaplen cut is worth saying
            cut_short = f"{failure.header} cut short by snaplen"
    except WireError as failure:
        error = str(failure)
    tail = (b"", b"", b"")
    end = _frame_end(layers)
    if end is not None and end < len(frame) and not snapped:
        if isinstance(layers[-1], Arp):
            rest = b""  # its parse hands on the rest of the frame, which is all tail: ARP carries nothing more
        tail = ethernet_tail(frame[end:], len(frame), guess_fcs)
    layers.append(bytes(rest))
    protocol, info = describe(layers)
    if error is not None:
        info = f"{info} [Malformed Packet: {error}]" if layers[:-1] else f"[Malformed Packet: {error}]"
    elif cut_short is not None:
        info = f"{info} [Packet size limited during capture]"  # tshark's words
    src, dst = endpoints(layers[:quoted] if quoted is not None else layers[:-1])
    return Dissection(layers, protocol, info, src, dst, error, cut_short, quoted, *tail)


def _frame_end(headers: Sequence[Any]) -> int | None:
    """Where the network layer's own bytes end in the frame, when its header says (None: it does not)."""
    if not headers:
        return None
    outer = headers[0]
    if isinstance(outer, Dot3):
        return 14 + int(outer.length or 0)
    if isinstance(outer, Ethernet) and len(headers) > 1:
        inner = headers[1]
        if isinstance(inner, IPv4) and inner.total_length is not None:  # always, once parsed
            return 14 + inner.total_length
        if isinstance(inner, Arp):
            return 14 + Arp.SIZE
    return None


def ethernet_tail(tail: bytes, frame_length: int, guess_fcs: bool) -> tuple[bytes, bytes, bytes]:
    """(padding, trailer, fcs) of the bytes after the network layer, as Wireshark's add_ethernet_trailer
    splits them with its defaults: zeros that pad the frame to 60 bytes are padding (other bytes there are
    not: they stay trailer); when the FCS is not known to be absent, a frame of 64 bytes or more whose
    trailer has 4 bytes ends in an FCS; the rest is trailer."""
    padding = 0
    if frame_length >= ETHERNET_MINIMUM and frame_length - len(tail) < ETHERNET_MINIMUM:
        padding = ETHERNET_MINIMUM - (frame_length - len(tail))
        if any(tail[:padding]):
            padding = 0
    trailer = tail[padding:]
    if guess_fcs and frame_length >= ETHERNET_MINIMUM + FCS_LENGTH and len(trailer) >= FCS_LENGTH:
        return tail[:padding], trailer[:-FCS_LENGTH], trailer[-FCS_LENGTH:]
    return tail[:padding], trailer, b""


def describe(layers: Sequence[Any]) -> tuple[str, str]:
    """(protocol, info) for header objects, outermost first, optionally ending in payload bytes."""
    if layers and isinstance(layers[-1], (bytes, bytearray, memoryview)):
        headers, payload = layers[:-1], bytes(layers[-1])
    else:
        headers, payload = layers, b""
    if headers and payload:
        # Like tshark, name what the payload is when a codec is registered for it (RIP in UDP 520):
        # a simulator frame carries the RIP message as bytes after its UDP header object.
        upper = next_codec(headers[-1])
        if upper is not None:
            try:
                top, rest = upper.parse(payload)
                headers, payload = [*headers, top], bytes(rest)
            except WireError:
                pass
    for depth, h in enumerate(headers):  # a quoted datagram's headers describe the error, not the frame
        if quotes(h):
            headers, payload = headers[: depth + 1], b""
            break
    for depth in range(len(headers) - 1, -1, -1):
        summary = summary_of(headers[depth])
        if summary is not None:
            return summary(headers[depth], headers[:depth], payload)
    return "Data", byte_count(len(payload))


def quote_summary(headers: Sequence[Any]) -> str | None:
    """A quoted datagram in a few words: its protocol, addresses and, where quoted, ports."""
    if not headers or not isinstance(getattr(headers[0], "src", None), IPv4Address):
        return None
    ip, upper = headers[0], headers[1] if len(headers) > 1 else None
    if upper is not None and hasattr(upper, "src_port"):
        return f"{upper.NAME} {ip.src}:{upper.src_port} → {ip.dst}:{upper.dst_port}"
    name = upper.NAME if upper is not None else f"{ip.NAME} proto={int(ip.proto)}"
    return f"{name} {ip.src} → {ip.dst}"


def endpoints(headers: Sequence[Any]) -> tuple[str, str]:
    """tshark's Source/Destination columns: the network address when there is one, else the MAC."""
    src = dst = ""
    for h in headers:
        if isinstance(getattr(h, "src", None), (MacAddress, IPv4Address)):
            src, dst = str(h.src), str(h.dst)
    return src, dst
