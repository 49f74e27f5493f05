"""TCP header (RFC 9293 3.1) and its options: MSS, window scale, SACK-permitted, SACK,
timestamps, NOP, EOL; options lanlab does not know are kept as `UnknownOption` so a parse
and a build give the same bytes back."""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from enum import IntFlag
from ipaddress import IPv4Address
from typing import Any, ClassVar, Final, Union

from lanlab.wire.checksum import internet_checksum, pseudo_header_sum
from lanlab.wire.errors import malformed
from lanlab.wire.fields import Extent, Leaf, bits, fast_constructor, Header, header, record, u16, u32, unfrozen_twin
from lanlab.wire.ipv4 import IpProto
from lanlab.wire.registry import CUT, register

PROTO_TCP: Final = int(IpProto.TCP)  # a plain int for the checksum's pseudo-header and the hot paths
MIN_HEADER = 20  # data offset 5


class TcpFlags(IntFlag):
    """The control bits (RFC 9293 3.1; ECE/CWR from RFC 3168). The four reserved bits above
    them are kept as unnamed bits, so odd headers still round-trip."""

    FIN = 0x01
    SYN = 0x02
    RST = 0x04
    PSH = 0x08
    ACK = 0x10
    URG = 0x20
    ECE = 0x40
    CWR = 0x80

    def __str__(self) -> str:
        names = [flag.name for flag in TcpFlags if flag in self and flag.name]
        return ",".join(names) if names else "none"

    def __or__(self, other: Any) -> Any:
        # Flag.__or__ makes the result through the enum's constructor in Python (about 1 us, as much
        # as building the rest of a segment); two TcpFlags combine through the memo below instead.
        if other.__class__ is TcpFlags:
            return _flags(self._value_ | other._value_)
        return IntFlag.__or__(self, other)


@record
class Eol:
    """End of option list (kind 0). Padding after the last option needs no Eol object.

    RFC 9293 3.1 says the header after an EOL is zero padding; `after` keeps what a sender put there
    when it is not zeros, so that such a header still parses and builds back to the same bytes."""

    after: bytes = b""
    KIND: ClassVar[int] = 0

    def pack(self) -> bytes:
        return b"\x00" + self.after


@record
class Nop:
    """No-operation (kind 1), used to align the options after it."""

    KIND: ClassVar[int] = 1

    def pack(self) -> bytes:
        return b"\x01"


@record
class Mss:
    """Maximum segment size the sender can receive (kind 2, RFC 9293 3.7.1); only on a SYN."""

    value: int
    KIND: ClassVar[int] = 2

    def pack(self) -> bytes:
        return struct.pack("!BBH", 2, 4, self.value)


@record
class WindowScale:
    """Window scale shift count (kind 3, RFC 7323 2); only on a SYN."""

    shift: int
    KIND: ClassVar[int] = 3

    def pack(self) -> bytes:
        return struct.pack("!BBB", 3, 3, self.shift)


@record
class SackPermitted:
    """Selective acknowledgements may be used (kind 4, RFC 2018 2); only on a SYN."""

    KIND: ClassVar[int] = 4

    def pack(self) -> bytes:
        return b"\x04\x02"


@record
class Sack:
    """Selective acknowledgement blocks (kind 5, RFC 2018 3): (left edge, right edge) pairs."""

    blocks: tuple[tuple[int, int], ...]
    KIND: ClassVar[int] = 5

    def pack(self) -> bytes:
        edges = [edge for block in self.blocks for edge in block]
        return struct.pack(f"!BB{len(edges)}I", 5, 2 + 4 * len(edges), *edges)


@record
class Timestamps:
    """Timestamp value and echo reply (kind 8, RFC 7323 3)."""

    tsval: int
    tsecr: int
    KIND: ClassVar[int] = 8

    def pack(self) -> bytes:
        return struct.pack("!BBII", 8, 10, self.tsval, self.tsecr)


@record
class UnknownOption:
    """Any other kind, kept byte for byte."""

    kind: int
    data: bytes = b""

    def pack(self) -> bytes:
        return bytes((self.kind, 2 + len(self.data))) + self.data


TcpOption = Union[Eol, Nop, Mss, WindowScale, SackPermitted, Sack, Timestamps, UnknownOption]

# kind -> (exact length or None for "2 + 8n", decoder of the option's body)
# Parsing makes an option object per option of every segment: fast constructors, shared
# instances of the field-less options, precompiled structs (bench/wire.py).
_NOP, _SACK_PERMITTED = Nop(), SackPermitted()
_new_mss, _new_window_scale = fast_constructor(Mss), fast_constructor(WindowScale)
_new_timestamps, _new_sack = fast_constructor(Timestamps), fast_constructor(Sack)
_U16, _TWO_U32 = struct.Struct("!H"), struct.Struct("!II")
_KNOWN_OPTIONS: dict[int, tuple[int | None, Callable[[bytes], TcpOption]]] = {
    Mss.KIND: (4, lambda body: _new_mss(_U16.unpack(body)[0])),
    WindowScale.KIND: (3, lambda body: _new_window_scale(body[0])),
    SackPermitted.KIND: (2, lambda body: _SACK_PERMITTED),
    Timestamps.KIND: (10, lambda body: _new_timestamps(*_TWO_U32.unpack(body))),
    Sack.KIND: (None, lambda body: _new_sack(_sack_blocks(body))),
}
_NOP_NOP_TIMESTAMPS_LEAD = int.from_bytes(bytes([Nop.KIND, Nop.KIND, Timestamps.KIND, 10]), "big")
_NOP_NOP_TIMESTAMPS_LAYOUT = struct.Struct("!III")
_UnfrozenTimestamps = unfrozen_twin(Timestamps)


class _FlagsMemo(dict[int, TcpFlags]):
    """TcpFlags(value), memoised: making an IntFlag costs more than the rest of a header, and a dict
    hit through __getitem__ costs no Python call (at most 4096 values: 12 bits)."""

    def __missing__(self, value: int) -> TcpFlags:
        flags = self[value] = TcpFlags(value)
        return flags


_flags = _FlagsMemo().__getitem__


def _sack_blocks(body: bytes) -> tuple[tuple[int, int], ...]:
    edges = struct.unpack(f"!{len(body) // 4}I", body)
    return tuple(zip(edges[0::2], edges[1::2]))


def _options_in(segment: bytes, start: int, end: int) -> tuple[TcpOption, ...]:
    """The options in segment[start:end] (the parser's tail hook, so the common case needs no slice)."""
    if end - start == 12:
        lead, tsval, tsecr = _NOP_NOP_TIMESTAMPS_LAYOUT.unpack_from(segment, start)
        if lead == _NOP_NOP_TIMESTAMPS_LEAD:
            # what Linux, BSD and Windows put on every segment once timestamps are agreed
            # (RFC 7323 appendix A layout): decoded in one step
            timestamps = _UnfrozenTimestamps()  # _new_timestamps inlined: this runs for every segment
            timestamps.tsval, timestamps.tsecr = tsval, tsecr
            timestamps.__class__ = Timestamps
            return _NOP, _NOP, timestamps
    return _parse_options(bytes(segment[start:end]))


def _parse_options(data: bytes) -> tuple[TcpOption, ...]:
    """Decode the option bytes. An EOL that only starts the padding is not returned, so
    `build` (which pads with zeros) gives the same bytes back."""
    options: list[TcpOption] = []
    offset = 0
    while offset < len(data):
        kind = data[offset]
        if kind == Eol.KIND:
            # RFC 9293 3.1: what follows EOL is padding. Keep the Eol only when it is not
            # what the zero padding of the preceding options would have written anyway.
            after = data[offset + 1 :]
            if any(after):
                options.append(Eol(bytes(after)))
            elif -(-offset // 4) * 4 != len(data):
                options.append(Eol())
            break
        if kind == Nop.KIND:
            options.append(_NOP)
            offset += 1
            continue
        where = MIN_HEADER + offset
        if offset + 1 >= len(data):
            raise malformed("TCP", "options", where, f"option kind {kind} has no length byte")
        length = data[offset + 1]
        if length < 2 or offset + length > len(data):
            raise malformed("TCP", "options", where, f"option kind {kind} has length {length}, beyond the options")
        body = data[offset + 2 : offset + length]
        known = _KNOWN_OPTIONS.get(kind)
        if known is None:
            options.append(UnknownOption(kind, bytes(body)))
        else:
            expected, decode = known
            if (expected is not None and length != expected) or (expected is None and (length - 2) % 8):
                raise malformed("TCP", "options", where, f"option kind {kind} cannot have length {length}")
            options.append(decode(body))
        offset += length
    return tuple(options)


def pack_options(options: tuple[TcpOption, ...]) -> bytes:
    """The option bytes, zero-padded to a multiple of four (RFC 9293 3.1)."""
    if len(options) == 3:
        first, second, third = options
        if first.__class__ is Nop and second.__class__ is Nop and third.__class__ is Timestamps:
            # NOP NOP timestamps, on every segment once timestamps are agreed (the parser's fast path too)
            return _NOP_NOP_TIMESTAMPS_LAYOUT.pack(_NOP_NOP_TIMESTAMPS_LEAD, third.tsval, third.tsecr)
    raw = b"".join([option.pack() for option in options])
    return raw + bytes(-len(raw) % 4)


@header(
    "TCP",
    layout=(
        u16("src_port"),
        u16("dst_port"),
        u32("seq"),
        u32("ack"),
        bits("H", ("data_offset", 4), Leaf("flags", width=12, convert=_flags)),  # 4 reserved bits kept in flags
        u16("window"),
        u16("checksum"),
        u16("urgent"),
    ),
    # RFC 9293 3.1: the data offset counts 32-bit words; options fill the header up to it
    extent=Extent(header_length=("data_offset", 4), tail="options", tail_parser=_options_in),
)
class Tcp(Header):
    """A TCP header. `data_offset` (32-bit words) and `checksum` are computed by `build` when
    None; parse fills them with what was on the wire."""

    src_port: int
    dst_port: int
    seq: int
    ack: int
    flags: TcpFlags
    window: int
    urgent: int = 0
    options: tuple[TcpOption, ...] = ()
    data_offset: int | None = None
    checksum: int | None = None

    def build(
        self, payload: bytes = b"", src_ip: IPv4Address | None = None, dst_ip: IPv4Address | None = None
    ) -> bytes:
        """Header + payload. With both IPs the checksum covers the pseudo-header; without them
        it is 0 (unless given)."""
        options = pack_options(self.options)
        if len(options) > 40:
            raise malformed(self.NAME, "options", MIN_HEADER, f"{len(options)} bytes of options, at most 40 fit")
        data_offset = (MIN_HEADER + len(options)) >> 2 if self.data_offset is None else self.data_offset
        checksum = self.checksum
        body = options + payload
        if checksum is None:
            if src_ip is None or dst_ip is None:
                checksum = 0
            else:
                # RFC 9293 3.1's checksum from the header's fields as numbers (checksum.complement_of_sum),
                # the bytes after them and the pseudo-header, so the header is packed once, checksum and all
                value = int.from_bytes(body, "big")
                total = (
                    src_ip._ip  # type: ignore[attr-defined]  # pseudo_header_sum's terms, without its call
                    + dst_ip._ip  # type: ignore[attr-defined]
                    + (PROTO_TCP + MIN_HEADER)
                    + len(body)
                    + self.src_port
                    + self.dst_port
                    + self.seq
                    + self.ack
                    + (data_offset << 12)
                    + self.flags
                    + self.window
                    + self.urgent
                    + (value << 8 if len(body) & 1 else value)
                )
                remainder = total % 0xFFFF  # complement_of_sum, inlined: its call is a tenth of a build
                checksum = 0xFFFF - remainder if remainder else 0 if total else 0xFFFF
        return (
            self._pack(
                self.src_port,
                self.dst_port,
                self.seq,
                self.ack,
                data_offset,
                self.flags,  # an IntFlag is an int to struct
                self.window,
                checksum,
                self.urgent,
            )
            + body
        )

    def checksum_ok(self, payload: bytes, src_ip: IPv4Address, dst_ip: IPv4Address) -> bool:
        """Whether the checksum parsed from the wire matches header + payload."""
        segment = Tcp.build(self, payload)
        return internet_checksum(segment, pseudo_header_sum(src_ip, dst_ip, PROTO_TCP, len(segment))) == 0

    def option(self, kind: type) -> Any:
        """The first option of the given class, or None."""
        return next((option for option in self.options if isinstance(option, kind)), None)


def tcp_checksum(src_ip: IPv4Address, dst_ip: IPv4Address, segment: bytes) -> int:
    """The checksum over the pseudo-header and a whole segment: 0 when the segment's is right."""
    return internet_checksum(segment, pseudo_header_sum(src_ip, dst_ip, PROTO_TCP, len(segment)))


def _option_text(option: TcpOption) -> str | None:
    # tshark's Info column: "MSS=1460 WS=128 SACK_PERM" (WS shown as the multiplier).
    if isinstance(option, Mss):
        return f"MSS={option.value}"
    if isinstance(option, WindowScale):
        return f"WS={1 << min(option.shift, 14)}"
    if isinstance(option, SackPermitted):
        return "SACK_PERM"
    if isinstance(option, Timestamps):
        return f"TSval={option.tsval} TSecr={option.tsecr}"
    if isinstance(option, Sack):
        return " ".join(f"SLE={left} SRE={right}" for left, right in option.blocks)
    return None


def _summary(h: Tcp, below: Sequence[Any], payload: bytes) -> tuple[str, str]:
    flags = ", ".join(flag.name for flag in TcpFlags if flag in h.flags and flag.name) or "<None>"
    parts = [f"{h.src_port} → {h.dst_port} [{flags}] Seq={h.seq}"]
    if TcpFlags.ACK in h.flags:
        parts.append(f"Ack={h.ack}")
    parts += [f"Win={h.window}", f"Len={len(payload)}"]
    parts += [text for text in map(_option_text, h.options) if text]
    return "TCP", " ".join(parts)


@header("TCP", layout=(u16("src_port"), u16("dst_port"), u32("seq")))
class PartialTcp(Header):
    """The first 8 bytes of a TCP header, all an ICMP error must quote (RFC 792) or a short snaplen may
    leave: the dissector shows them when the whole header is not there, as tshark does."""

    src_port: int
    dst_port: int
    seq: int


register(
    PartialTcp,
    under=[("ip_proto" + CUT, PROTO_TCP)],
    summary=lambda h, below, payload: ("TCP", f"{h.src_port} → {h.dst_port} Seq={h.seq}"),
)
register(
    Tcp,
    under=[("ip_proto", PROTO_TCP)],
    next_keys=lambda h: [("tcp_port", h.dst_port), ("tcp_port", h.src_port)],
    summary=_summary,
)
