"""BOOTP (RFC 951) and DHCP (RFC 2131), with the options a LAN uses (RFC 2132).

A message is BOOTP's fixed 236-byte header, then (DHCP) the magic cookie 99.130.83.99 and a list
of options, each code, length, value, closed by END (255). Options are kept in wire order as raw
`DhcpOption(code, data)` so that any message builds back to its bytes (PAD bytes and the padding
after END included: many clients pad to BOOTP's 300 bytes, RFC 951 "vend" field); `value(code)`
and `decoded_options()` interpret the known ones for people and for the protocol machines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from enum import IntEnum
from ipaddress import IPv4Address
from typing import Any

from lanlab.wire.errors import malformed, truncated
from lanlab.wire.fields import Item, Leaf, Header, header, ipv4, u8, u16, u32
from lanlab.wire.mac import MacAddress
from lanlab.wire.registry import register

SERVER_PORT = 67  # RFC 2131 4.1
CLIENT_PORT = 68
MAGIC_COOKIE = bytes((99, 130, 83, 99))  # RFC 2132 2
BROADCAST_FLAG = 0x8000  # RFC 2131 2, figure 2
PAD = 0
END = 255
ETHERNET_HTYPE = 1  # RFC 1700 hardware types
ZERO = IPv4Address(0)


class BootOp(IntEnum):
    BOOTREQUEST = 1
    BOOTREPLY = 2


class DhcpMessageType(IntEnum):
    """Option 53 (RFC 2132 9.6)."""

    DISCOVER = 1
    OFFER = 2
    REQUEST = 3
    DECLINE = 4
    ACK = 5
    NAK = 6
    RELEASE = 7
    INFORM = 8


class DhcpOptionCode(IntEnum):
    """The option codes lanlab names (RFC 2132 section in the comment)."""

    SUBNET_MASK = 1  # 3.3
    ROUTER = 3  # 3.5
    DNS_SERVERS = 6  # 3.8
    HOSTNAME = 12  # 3.14
    DOMAIN_NAME = 15  # 3.17
    BROADCAST_ADDRESS = 28  # 5.3
    REQUESTED_ADDRESS = 50  # 9.1
    LEASE_TIME = 51  # 9.2
    OVERLOAD = 52  # 9.3
    MESSAGE_TYPE = 53  # 9.6
    SERVER_ID = 54  # 9.7
    PARAMETER_LIST = 55  # 9.8
    MESSAGE = 56  # 9.9
    MAX_MESSAGE_SIZE = 57  # 9.10
    RENEWAL_TIME = 58  # 9.11 (T1)
    REBINDING_TIME = 59  # 9.12 (T2)
    VENDOR_CLASS = 60  # 9.13
    CLIENT_ID = 61  # 9.14


def _addresses(data: bytes) -> tuple[IPv4Address, ...]:
    return tuple(IPv4Address(data[i : i + 4]) for i in range(0, len(data) - len(data) % 4, 4))


def _address(data: bytes) -> IPv4Address:
    return IPv4Address(data[:4])


def _seconds(data: bytes) -> int:
    return int.from_bytes(data[:4], "big")


def _text(data: bytes) -> str:
    return data.decode("ascii", "backslashreplace")


# code -> (how many bytes it must hold, what it means): the meaning is what value() returns.
_DECODERS: dict[int, tuple[Callable[[int], bool], Callable[[bytes], Any]]] = {
    DhcpOptionCode.SUBNET_MASK: (lambda n: n == 4, _address),
    DhcpOptionCode.ROUTER: (lambda n: n >= 4 and n % 4 == 0, _addresses),
    DhcpOptionCode.DNS_SERVERS: (lambda n: n >= 4 and n % 4 == 0, _addresses),
    DhcpOptionCode.HOSTNAME: (lambda n: n >= 1, _text),
    DhcpOptionCode.DOMAIN_NAME: (lambda n: n >= 1, _text),
    DhcpOptionCode.BROADCAST_ADDRESS: (lambda n: n == 4, _address),
    DhcpOptionCode.REQUESTED_ADDRESS: (lambda n: n == 4, _address),
    DhcpOptionCode.LEASE_TIME: (lambda n: n == 4, _seconds),
    DhcpOptionCode.OVERLOAD: (lambda n: n == 1, lambda d: d[0]),
    DhcpOptionCode.MESSAGE_TYPE: (lambda n: n == 1, lambda d: d[0]),
    DhcpOptionCode.SERVER_ID: (lambda n: n == 4, _address),
    DhcpOptionCode.PARAMETER_LIST: (lambda n: n >= 1, tuple),
    DhcpOptionCode.MESSAGE: (lambda n: n >= 1, _text),
    DhcpOptionCode.MAX_MESSAGE_SIZE: (lambda n: n == 2, lambda d: int.from_bytes(d, "big")),
    DhcpOptionCode.RENEWAL_TIME: (lambda n: n == 4, _seconds),
    DhcpOptionCode.REBINDING_TIME: (lambda n: n == 4, _seconds),
    DhcpOptionCode.VENDOR_CLASS: (lambda n: n >= 1, _text),
    DhcpOptionCode.CLIENT_ID: (lambda n: n >= 2, bytes),
}


@dataclasses.dataclass(frozen=True, slots=True)
class DhcpOption:
    """One option as it is on the wire: its code and value bytes (PAD and END are not options)."""

    code: int
    data: bytes = b""

    @property
    def name(self) -> str:
        try:
            return DhcpOptionCode(self.code).name.lower()
        except ValueError:
            return f"option_{self.code}"

    def value(self) -> Any:
        """The option's meaning (an address, a tuple of addresses, seconds, text...) or its bytes."""
        rule = _DECODERS.get(self.code)
        if rule is None:
            return self.data
        fits, decode = rule
        if not fits(len(self.data)):
            raise malformed("DHCP", self.name, 0, f"{len(self.data)} bytes do not fit option {self.code}")
        return decode(self.data)

    # Constructors for the options a client, server or relay sends.
    @classmethod
    def message_type(cls, kind: DhcpMessageType) -> DhcpOption:
        return cls(DhcpOptionCode.MESSAGE_TYPE, bytes((kind,)))

    @classmethod
    def address(cls, code: DhcpOptionCode, *addresses: IPv4Address | str) -> DhcpOption:
        return cls(code, b"".join(IPv4Address(a).packed for a in addresses))

    @classmethod
    def seconds(cls, code: DhcpOptionCode, seconds: int) -> DhcpOption:
        return cls(code, seconds.to_bytes(4, "big"))

    @classmethod
    def text(cls, code: DhcpOptionCode, text: str) -> DhcpOption:
        return cls(code, text.encode("ascii"))

    @classmethod
    def parameter_list(cls, *codes: int) -> DhcpOption:
        return cls(DhcpOptionCode.PARAMETER_LIST, bytes(codes))

    @classmethod
    def client_id(cls, mac: MacAddress | str) -> DhcpOption:
        """RFC 2132 9.14: hardware type 1 (Ethernet) then the MAC."""
        return cls(DhcpOptionCode.CLIENT_ID, bytes((ETHERNET_HTYPE,)) + MacAddress(mac).packed)


def _name16(data: bytes) -> str:
    return data.split(b"\0", 1)[0].decode("ascii", "backslashreplace")


@header(
    "DHCP",
    layout=(
        u8("op", BootOp),
        u8("htype"),
        u8("hlen"),
        u8("hops"),
        u32("xid"),
        u16("secs"),
        u16("flags"),
        ipv4("ciaddr"),
        ipv4("yiaddr"),
        ipv4("siaddr"),
        ipv4("giaddr"),
        Item("16s", (Leaf("chaddr_raw"),)),
        Item("64s", (Leaf("sname"),)),
        Item("128s", (Leaf("file"),)),
    ),
)
class Dhcp(Header):
    """A BOOTP/DHCP message. `options` is None for plain BOOTP (no magic cookie); `padding` is whatever
    follows the END option (or, for BOOTP, the vendor area), kept so a message rebuilds byte for byte."""

    op: int
    xid: int
    chaddr_raw: bytes = bytes(16)
    options: tuple[DhcpOption, ...] | None = ()
    ciaddr: IPv4Address = ZERO
    yiaddr: IPv4Address = ZERO
    siaddr: IPv4Address = ZERO
    giaddr: IPv4Address = ZERO
    secs: int = 0
    flags: int = 0
    hops: int = 0
    htype: int = ETHERNET_HTYPE
    hlen: int = 6
    sname: bytes = bytes(64)
    file: bytes = bytes(128)
    padding: bytes = b""
    pads: tuple[int, ...] = ()  # where PAD bytes sat among the options (index in `options` they precede)

    @classmethod
    def new(
        cls,
        op: BootOp,
        xid: int,
        mac: MacAddress | str,
        kind: DhcpMessageType | None,
        options: Sequence[DhcpOption] = (),
        **fields: Any,
    ) -> Dhcp:
        """A DHCP message from a client's MAC: message type first (RFC 2131 4.1 asks for it), then `options`."""
        chaddr = MacAddress(mac).packed.ljust(16, b"\0")
        listed = (DhcpOption.message_type(kind), *options) if kind is not None else tuple(options)
        return cls(op, xid, chaddr, listed, **fields)

    @property
    def chaddr(self) -> MacAddress:
        """The client's hardware address (the first hlen bytes, for Ethernet 6)."""
        return MacAddress(self.chaddr_raw[:6])

    @property
    def broadcast(self) -> bool:
        """The client asks for replies by broadcast (RFC 2131 4.1, the B flag)."""
        return bool(self.flags & BROADCAST_FLAG)

    def option(self, code: int) -> DhcpOption | None:
        """The first option with `code`, or None."""
        for option in self.options or ():
            if option.code == code:
                return option
        return None

    def value(self, code: int, default: Any = None) -> Any:
        """What option `code` means, or `default` when the message does not carry it."""
        option = self.option(code)
        return default if option is None else option.value()

    @property
    def message_type(self) -> int | None:
        kind: int | None = self.value(DhcpOptionCode.MESSAGE_TYPE)
        return kind

    def decoded_options(self) -> dict[str, Any]:
        """Every option by name with its meaning (for --verbose and --json); undecodable ones as bytes."""
        decoded: dict[str, Any] = {}
        for option in self.options or ():
            try:
                value = option.value()
            except ValueError:
                value = option.data
            if option.code == DhcpOptionCode.MESSAGE_TYPE and isinstance(value, int):
                value = _kind_name(value)
            decoded[option.name] = value
        return decoded

    @classmethod
    def parse(cls, data: bytes | memoryview) -> tuple[Dhcp, bytes]:
        """The message; it fills its UDP datagram, so nothing is left over."""
        data = bytes(data)
        op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file = cls._unpack(data)
        rest = data[cls.SIZE :]
        options: tuple[DhcpOption, ...] | None
        pads: list[int] = []
        if rest[:4] != MAGIC_COOKIE:
            options, padding = None, rest  # plain BOOTP: a 64-byte vendor area, kept as is
        else:
            listed: list[DhcpOption] = []
            offset = 4
            while True:
                if offset >= len(rest):  # RFC 2131 4.1: options end with END; a missing END is cut short
                    raise truncated(cls.NAME, "options", cls.SIZE + offset, cls.SIZE + offset + 1, cls.SIZE + len(rest))
                code = rest[offset]
                if code == END:
                    offset += 1
                    break
                if code == PAD:
                    pads.append(len(listed))
                    offset += 1
                    continue
                if offset + 2 > len(rest) or offset + 2 + rest[offset + 1] > len(rest):
                    length = rest[offset + 1] if offset + 1 < len(rest) else 0
                    raise truncated(
                        cls.NAME,
                        f"option {code}",
                        cls.SIZE + offset,
                        cls.SIZE + offset + 2 + length,
                        cls.SIZE + len(rest),
                    )
                length = rest[offset + 1]
                listed.append(DhcpOption(code, rest[offset + 2 : offset + 2 + length]))
                offset += 2 + length
            options, padding = tuple(listed), rest[offset:]
        return cls._new(
            op,
            xid,
            chaddr,
            options,
            ciaddr,
            yiaddr,
            siaddr,
            giaddr,
            secs,
            flags,
            hops,
            htype,
            hlen,
            sname,
            file,
            padding,
            tuple(pads),
        ), b""

    def build(self, payload: bytes = b"") -> bytes:
        fixed = self._pack(
            self.op,
            self.htype,
            self.hlen,
            self.hops,
            self.xid,
            self.secs,
            self.flags,
            self.ciaddr,
            self.yiaddr,
            self.siaddr,
            self.giaddr,
            self.chaddr_raw,
            self.sname,
            self.file,
        )
        if self.options is None:
            return fixed + self.padding + payload
        parts = [fixed, MAGIC_COOKIE]
        pads = list(self.pads)
        for index, option in enumerate(self.options):
            while pads and pads[0] == index:
                parts.append(bytes((PAD,)))
                pads.pop(0)
            if len(option.data) > 255:
                raise malformed(self.NAME, option.name, 0, f"{len(option.data)} bytes; an option holds at most 255")
            parts.append(bytes((option.code, len(option.data))) + option.data)
        parts.append(bytes(len(pads)))  # PADs after the last option
        parts.append(bytes((END,)))
        return b"".join(parts) + self.padding + payload

    def summary(self) -> str:
        """tshark's Info column, spacing included: "DHCP Offer    - Transaction ID 0x3d1d" (BOOTP: "Boot Request")."""
        option = self.option(DhcpOptionCode.MESSAGE_TYPE) if self.options is not None else None
        kind = option.data[0] if option is not None and len(option.data) == 1 else None
        if self.options is None:
            name = "Boot Request" if self.op == BootOp.BOOTREQUEST else "Boot Reply"
        else:
            name = "DHCP" if kind is None else f"DHCP {_TSHARK_WORDS.get(kind, _kind_name(kind)):8}"
        return f"{name} - Transaction ID 0x{self.xid:x}"


_TSHARK_WORDS: dict[int, str] = {
    DhcpMessageType.ACK: "ACK",
    DhcpMessageType.NAK: "NAK",
    **{k: k.name.capitalize() for k in DhcpMessageType if k not in (DhcpMessageType.ACK, DhcpMessageType.NAK)},
}


def _kind_name(kind: int) -> str:
    try:
        return DhcpMessageType(kind).name
    except ValueError:
        return f"type {kind}"


def _dhcp_summary(h: Dhcp, below: Sequence[object], payload: bytes) -> tuple[str, str]:
    return ("DHCP" if h.options is not None else "BOOTP"), h.summary()


register(Dhcp, under=[("udp_port", SERVER_PORT), ("udp_port", CLIENT_PORT)], summary=_dhcp_summary)
