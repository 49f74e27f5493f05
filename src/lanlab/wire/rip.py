"""RIP messages: RIPv1 (RFC 1058) and RIPv2 (RFC 2453), with the authentication entry (RFC 2453 4.1).

A message is a 4-byte header and a list of 20-byte entries. An entry whose address family is
0xFFFF carries authentication instead of a route; RIPv2 puts it first (simple password, type 2).
Keyed authentication (type 3: keyed MD5, RFC 2082; HMAC-SHA, RFC 4822) also ends the message with a
trailer, 0xFFFF, type 1 and the digest, at the offset the first entry names ("RIP-2 packet length");
the digest is 16 bytes for MD5 but 20 to 64 for HMAC-SHA, so the trailer is not always a 20-byte
entry. Both are kept in order as `RipAuth` (the trailer's data is its digest, of any length) so that a
message parses and builds back to the same bytes.
"""

from __future__ import annotations

import struct
from enum import IntEnum
from ipaddress import IPv4Address
from typing import Sequence

from lanlab.wire.errors import malformed, truncated
from lanlab.wire.fields import Item, Leaf, const, Header, header, ipv4, u8, u16, u32
from lanlab.wire.registry import register

RIP_PORT = 520
RIP_MULTICAST = IPv4Address("224.0.0.9")  # RFC 2453 4 (RIP-2 routers)
RIP_INFINITY = 16  # RFC 2453 3.6
RIP_MAX_ENTRIES = 25  # RFC 2453 3.6, an auth entry counts as one of them
AFI_INET = 2
AFI_AUTH = 0xFFFF
AUTH_TRAILER = 1  # RFC 2082 3.2 / RFC 4822 2.2: the authentication data at the end of a keyed message
AUTH_SIMPLE_PASSWORD = 2  # RFC 2453 4.1
AUTH_KEYED = 3  # RFC 2082 / RFC 4822
ZERO_ADDRESS = IPv4Address(0)
ENTRY_LENGTH = 20


class RipCommand(IntEnum):
    REQUEST = 1
    RESPONSE = 2


@header("RIP entry", layout=(u16("afi"), u16("tag"), ipv4("address"), ipv4("mask"), ipv4("next_hop"), u32("metric")))
class RipEntry(Header):
    """One route: RIPv1 leaves tag, mask and next hop zero (RFC 1058 3.1 "must be zero")."""

    address: IPv4Address
    metric: int
    mask: IPv4Address = ZERO_ADDRESS
    next_hop: IPv4Address = ZERO_ADDRESS
    tag: int = 0
    afi: int = AFI_INET

    @property
    def prefixlen(self) -> int:
        """The mask as a prefix length (a RIPv2 mask is contiguous; RFC 2453 4.3)."""
        return bin(int(self.mask)).count("1")


@header("RIP authentication", layout=(const(u16("afi"), AFI_AUTH), u16("auth_type"), Item("16s", (Leaf("data"),))))
class RipAuth(Header):
    """An authentication entry: for type 2 `data` is the password, NUL-padded to 16 bytes; for type 3 the
    trailer's offset, key ID, digest length and sequence number; for the trailer (type 1) the digest."""

    auth_type: int = AUTH_SIMPLE_PASSWORD
    data: bytes = bytes(16)

    @classmethod
    def password(cls, password: str | bytes) -> RipAuth:
        """The simple-password entry of RFC 2453 4.1 (at most 16 bytes, padded with NULs)."""
        raw = password.encode() if isinstance(password, str) else password
        if len(raw) > 16:
            raise ValueError(f"RIP password is {len(raw)} bytes; at most 16 fit (RFC 2453 4.1)")
        return cls(AUTH_SIMPLE_PASSWORD, raw.ljust(16, b"\0"))

    def build(self, payload: bytes = b"") -> bytes:
        if self.auth_type == AUTH_TRAILER:  # a digest of any length
            return struct.pack("!HH", AFI_AUTH, AUTH_TRAILER) + self.data + payload
        if len(self.data) != 16:  # struct would pad or cut silently
            raise malformed(self.NAME, "data", 4, f"{len(self.data)} bytes, must be 16")
        return self._pack(self.auth_type, self.data) + payload


@header("RIP", layout=(u8("command", RipCommand), u8("version"), u16("domain")))
class Rip(Header):
    """A RIP message: command, version and its entries in wire order (routes and auth entries)."""

    command: int
    version: int = 2
    entries: tuple[RipEntry | RipAuth, ...] = ()
    domain: int = 0  # the "must be zero" field (RFC 2453 4); kept so odd messages round-trip

    @property
    def auth(self) -> RipAuth | None:
        """The authentication entry, which RFC 2453 4.1 places first, or None."""
        first = self.entries[0] if self.entries else None
        return first if isinstance(first, RipAuth) else None

    @property
    def routes(self) -> tuple[RipEntry, ...]:
        return tuple(e for e in self.entries if isinstance(e, RipEntry))

    @property
    def is_whole_table_request(self) -> bool:
        """RFC 2453 3.9.1: one entry, address family 0 and metric 16 asks for everything."""
        routes = self.routes
        return (
            self.command == RipCommand.REQUEST
            and len(routes) == 1
            and routes[0].afi == 0
            and routes[0].metric == RIP_INFINITY
        )

    @classmethod
    def parse(cls, data: bytes | memoryview) -> tuple[Rip, bytes]:
        """The message; RIP fills its UDP datagram, so nothing is left over."""
        command, version, domain = cls._unpack(data)
        end = _trailer_offset(data)
        body = end - cls.SIZE
        if body % ENTRY_LENGTH:
            raise truncated(
                cls.NAME,
                f"entries[{body // ENTRY_LENGTH}]",
                cls.SIZE + body - body % ENTRY_LENGTH,
                cls.SIZE + (body // ENTRY_LENGTH + 1) * ENTRY_LENGTH,
                len(data),
            )
        entries: list[RipEntry | RipAuth] = []
        for offset in range(cls.SIZE, end, ENTRY_LENGTH):
            chunk = bytes(data[offset : offset + ENTRY_LENGTH])
            if chunk[:2] == b"\xff\xff":
                entries.append(RipAuth.parse(chunk)[0])
            else:
                entries.append(_ENTRIES.get(chunk) or _entry(chunk))
        if end < len(data):
            entries.append(RipAuth._new(AUTH_TRAILER, bytes(data[end + 4 :])))
        return cls._new(command, version, tuple(entries), domain), b""

    def build(self, payload: bytes = b"") -> bytes:
        return self._pack(self.command, self.version, self.domain) + b"".join(e.build() for e in self.entries) + payload

    def summary(self) -> str:
        """tshark's Info column for RIP: the command name."""
        try:
            return RipCommand(self.command).name.capitalize()
        except ValueError:
            return f"Unknown command ({self.command})"


# Route entries by their 20 bytes: a router sends the same entries every 30 s, and a dict hit costs a
# seventh of parsing one (bench/sim_rip.py). RipEntry is immutable, so one object can stand for all.
_ENTRIES: dict[bytes, RipEntry] = {}


def _entry(chunk: bytes) -> RipEntry:
    """RipEntry.parse of a 20-byte route entry, memoised in _ENTRIES (at most 4096)."""
    entry = RipEntry.parse(chunk)[0]
    if len(_ENTRIES) >= 4096:
        _ENTRIES.clear()
    _ENTRIES[chunk] = entry
    return entry


def _trailer_offset(data: bytes | memoryview) -> int:
    """Where the entries end: at the keyed-authentication trailer when the first entry names one that is
    there (RFC 4822 2.2, "RIP-2 packet length"), else at the end of the message."""
    first = Rip.SIZE
    if data[first : first + 4] != b"\xff\xff\x00\x03" or len(data) < first + ENTRY_LENGTH:
        return len(data)
    offset = int.from_bytes(data[first + 4 : first + 6], "big")
    if offset <= first or offset + 4 > len(data) or data[offset : offset + 4] != b"\xff\xff\x00\x01":
        return len(data)
    return offset


def _rip_summary(h: Rip, below: Sequence[object], payload: bytes) -> tuple[str, str]:
    return f"RIPv{h.version}", h.summary()  # tshark: Protocol "RIPv2", Info "Response"


register(Rip, under=[("udp_port", RIP_PORT)], summary=_rip_summary)
