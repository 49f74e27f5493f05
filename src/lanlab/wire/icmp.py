"""ICMP (RFC 792): echo, and the errors (destination unreachable, source quench, redirect, time exceeded,
parameter problem), whose data quotes the datagram they are about: the dissector decodes that quote."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from lanlab.wire.checksum import internet_checksum
from lanlab.wire.fields import Header, header, u8, u16, u32
from lanlab.wire.registry import register

QUOTE_LIMIT = 576 - 20 - 8  # RFC 1812 4.3.2.3: the quote, after the error's IP and ICMP headers


class IcmpType(IntEnum):
    """ICMP message types this lab speaks."""

    ECHO_REPLY = 0
    DEST_UNREACHABLE = 3
    SOURCE_QUENCH = 4
    REDIRECT = 5
    ECHO_REQUEST = 8
    TIME_EXCEEDED = 11
    PARAMETER_PROBLEM = 12


# The errors: each carries the offending datagram's IP header and at least 64 bits of its data (RFC 792).
ERRORS = frozenset(
    {
        IcmpType.DEST_UNREACHABLE,
        IcmpType.SOURCE_QUENCH,
        IcmpType.REDIRECT,
        IcmpType.TIME_EXCEEDED,
        IcmpType.PARAMETER_PROBLEM,
    }
)
QUOTED_IP = ("quoted_ip", 4)  # the registry key under which ipv4.py registers IPv4 for a quoted datagram


class UnreachableCode(IntEnum):
    """Codes of DEST_UNREACHABLE."""

    NET = 0
    HOST = 1
    PROTOCOL = 2
    PORT = 3
    FRAG_NEEDED = 4


class TimeExceededCode(IntEnum):
    """Codes of TIME_EXCEEDED."""

    TTL = 0
    REASSEMBLY = 1


@header("ICMP", layout=(u8("type", IcmpType), u8("code"), u16("checksum"), u32("rest")))
class Icmp(Header):
    """An ICMP header; `rest` is the 32-bit rest of header (echo: ident, seq; frag-needed: next-hop MTU)."""

    type: int
    code: int
    rest: int = 0
    checksum: int | None = None

    @classmethod
    def echo(cls, ident: int, seq: int, reply: bool = False) -> Icmp:
        """An echo request (or reply) header."""
        return cls(IcmpType.ECHO_REPLY if reply else IcmpType.ECHO_REQUEST, 0, (ident << 16) | seq)

    @property
    def ident(self) -> int:
        """Echo identifier (first half of rest)."""
        return self.rest >> 16

    @property
    def seq(self) -> int:
        """Echo sequence number (second half of rest)."""
        return self.rest & 0xFFFF

    @property
    def mtu(self) -> int:
        """Next-hop MTU of a frag-needed message (RFC 1191)."""
        return self.rest & 0xFFFF

    def build(self, payload: bytes = b"") -> bytes:
        """Header + payload, checksum over both computed unless given."""
        checksum = self.checksum
        if checksum is None:
            checksum = internet_checksum(self._pack(self.type, self.code, 0, self.rest) + payload)
        return self._pack(self.type, self.code, checksum, self.rest) + payload


def quote(datagram: bytes) -> bytes:
    """What an ICMP error carries about `datagram` (a built IPv4 datagram, link padding after it or not): as
    much of it as keeps the error within 576 bytes (RFC 1812 4.3.2.3; Linux's icmp_send for hosts and routers
    alike), never less than RFC 792's header and 8 bytes of data."""
    total_length = int.from_bytes(datagram[2:4], "big")
    return bytes(datagram[: min(total_length, QUOTE_LIMIT)])


# tshark's wording (epan/dissectors/packet-icmp.c): the type, then the code's meaning where it has codes
_TYPE_NAMES = {
    IcmpType.DEST_UNREACHABLE: "Destination unreachable",
    IcmpType.SOURCE_QUENCH: "Source quench (flow control)",
    IcmpType.REDIRECT: "Redirect",
    IcmpType.TIME_EXCEEDED: "Time-to-live exceeded",
    IcmpType.PARAMETER_PROBLEM: "Parameter problem",
}
_CODE_NAMES = {
    IcmpType.DEST_UNREACHABLE: (
        "Network unreachable",
        "Host unreachable",
        "Protocol unreachable",
        "Port unreachable",
        "Fragmentation needed",
        "Source route failed",
        "Destination network unknown",
        "Destination host unknown",
        "Source host isolated",
        "Network administratively prohibited",
        "Host administratively prohibited",
        "Network unreachable for TOS",
        "Host unreachable for TOS",
        "Communication administratively filtered",
        "Host precedence violation",
        "Precedence cutoff in effect",
    ),
    IcmpType.REDIRECT: (
        "Redirect for network",
        "Redirect for host",
        "Redirect for TOS and network",
        "Redirect for TOS and host",
    ),
    IcmpType.TIME_EXCEEDED: ("Time to live exceeded in transit", "Fragment reassembly time exceeded"),
    IcmpType.PARAMETER_PROBLEM: ("Pointer indicates the error", "Required option missing", "Bad length"),
}


def _icmp_summary(h: Icmp, below: Sequence[object], payload: bytes) -> tuple[str, str]:
    if h.type in (IcmpType.ECHO_REQUEST, IcmpType.ECHO_REPLY):
        kind = "request" if h.type == IcmpType.ECHO_REQUEST else "reply"
        ttl = next((f", ttl={layer.ttl}" for layer in reversed(below) if hasattr(layer, "ttl")), "")
        return "ICMP", f"Echo (ping) {kind} id={h.ident:#06x}, seq={h.seq}{ttl}"
    name = _TYPE_NAMES.get(h.type)  # type: ignore[call-overload]
    if name is None:
        return "ICMP", f"Type {h.type}, code {h.code}"
    codes = _CODE_NAMES.get(h.type)  # type: ignore[call-overload]
    if codes is None:
        return "ICMP", name
    return "ICMP", f"{name:<20} ({codes[h.code] if h.code < len(codes) else f'code {h.code}'})"


register(
    Icmp,
    under=[("ip_proto", 1)],
    summary=_icmp_summary,
    next_keys=lambda h: [QUOTED_IP] if h.type in ERRORS else [],
    quotes=lambda h: h.type in ERRORS,
)
