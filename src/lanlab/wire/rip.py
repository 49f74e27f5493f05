"""RIP messages: RIPv1 (RFC 1058) and RIPv2 (RFC 2453), with the authentication entry (RFC 2453 4.1).

A message is a 4-byte header and a list of 20-byte entries. An entry whose address family is
0xFFFF carries authentication instead of a route; RIPv2 puts it first (simple password, type 2),
keyed MD5 (RFC 4822) adds another at the end; both are kept in order as `RipAuth` so that a
message parses and builds back to the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from ipaddress import IPv4Address

from lanlab.wire.errors import MalformedError, TruncatedError

RIP_PORT = 520
RIP_MULTICAST = IPv4Address("224.0.0.9")  # RFC 2453 4 (RIP-2 routers)
RIP_INFINITY = 16  # RFC 2453 3.6
RIP_MAX_ENTRIES = 25  # RFC 2453 3.6, an auth entry counts as one of them
AFI_INET = 2
AFI_AUTH = 0xFFFF
AUTH_SIMPLE_PASSWORD = 2  # RFC 2453 4.1
ZERO_ADDRESS = IPv4Address(0)

_HEADER = struct.Struct("!BBH")
_ENTRY = struct.Struct("!HHIIII")
_AUTH = struct.Struct("!HH16s")
HEADER_LENGTH = _HEADER.size
ENTRY_LENGTH = _ENTRY.size


class RipCommand(IntEnum):
    REQUEST = 1
    RESPONSE = 2


@dataclass(frozen=True, slots=True)
class RipEntry:
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

    def pack(self) -> bytes:
        return _ENTRY.pack(self.afi, self.tag, int(self.address), int(self.mask), int(self.next_hop), self.metric)


@dataclass(frozen=True, slots=True)
class RipAuth:
    """An authentication entry: for type 2 `data` is the password, NUL-padded to 16 bytes."""

    auth_type: int = AUTH_SIMPLE_PASSWORD
    data: bytes = b""

    @classmethod
    def password(cls, password: str | bytes) -> RipAuth:
        """The simple-password entry of RFC 2453 4.1 (at most 16 bytes, padded with NULs)."""
        raw = password.encode() if isinstance(password, str) else password
        if len(raw) > 16:
            raise ValueError(f"RIP password is {len(raw)} bytes; at most 16 fit (RFC 2453 4.1)")
        return cls(AUTH_SIMPLE_PASSWORD, raw.ljust(16, b"\0"))

    def pack(self) -> bytes:
        if len(self.data) > 16:
            raise ValueError(f"RIP auth data is {len(self.data)} bytes; at most 16 fit")
        return _AUTH.pack(AFI_AUTH, self.auth_type, self.data)


@dataclass(frozen=True, slots=True)
class Rip:
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
        return (self.command == RipCommand.REQUEST and len(routes) == 1
                and routes[0].afi == 0 and routes[0].metric == RIP_INFINITY)

    @classmethod
    def parse(cls, data: bytes | memoryview) -> tuple[Rip, bytes]:
        data = bytes(data)
        if len(data) < HEADER_LENGTH:
            raise TruncatedError(f"RIP: header needs {HEADER_LENGTH} bytes at offset 0, got {len(data)}")
        command, version, domain = _HEADER.unpack_from(data)
        body = len(data) - HEADER_LENGTH
        if body % ENTRY_LENGTH:
            raise MalformedError(f"RIP: entries field at offset {HEADER_LENGTH} is {body} bytes, "
                                 f"not a multiple of {ENTRY_LENGTH}")
        entries: list[RipEntry | RipAuth] = []
        for offset in range(HEADER_LENGTH, len(data), ENTRY_LENGTH):
            afi, tag, address, mask, next_hop, metric = _ENTRY.unpack_from(data, offset)
            if afi == AFI_AUTH:
                _, auth_type, auth_data = _AUTH.unpack_from(data, offset)
                entries.append(RipAuth(auth_type, auth_data))
            else:
                entries.append(RipEntry(IPv4Address(address), metric, IPv4Address(mask),
                                        IPv4Address(next_hop), tag, afi))
        return cls(command, version, tuple(entries), domain), b""

    def build(self, payload: bytes = b"") -> bytes:
        return _HEADER.pack(self.command, self.version, self.domain) + b"".join(
            e.pack() for e in self.entries) + payload

    def summary(self) -> str:
        """tshark's Info column for RIP: the command name."""
        try:
            return RipCommand(self.command).name.capitalize()
        except ValueError:
            return f"Unknown command ({self.command})"
