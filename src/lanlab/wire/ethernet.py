"""Ethernet II, and the IEEE 802.3 + 802.2 LLC header that STP BPDUs ride in."""

from __future__ import annotations

from enum import IntEnum

from lanlab.wire.errors import malformed, truncated
from lanlab.wire.fields import Header, header, mac, u8, u16
from lanlab.wire.mac import MacAddress
from lanlab.wire.registry import byte_count, register

# A type/length field up to 1500 is an 802.3 length; from 0x0600 on it is an EtherType (IEEE 802.3 3.2.6).
MAX_DOT3_LENGTH = 1500
MIN_ETHERTYPE = 0x0600


class EtherType(IntEnum):
    """What an Ethernet II frame carries."""

    IPV4 = 0x0800
    ARP = 0x0806
    RARP = 0x8035
    VLAN = 0x8100
    IPV6 = 0x86DD


@header("Ethernet", layout=(mac("dst"), mac("src"), u16("ethertype", EtherType)))
class Ethernet(Header):
    """An Ethernet II header: destination, source, EtherType."""

    dst: MacAddress
    src: MacAddress
    ethertype: int


@header("IEEE 802.3", layout=(mac("dst"), mac("src"), u16("length")))
class Dot3(Header):
    """An IEEE 802.3 header, whose third field is the length of the LLC payload that follows."""

    dst: MacAddress
    src: MacAddress
    length: int | None = None

    @classmethod
    def parse(cls, data: bytes | memoryview) -> tuple[Dot3, bytes]:
        """The header and its `length` bytes of payload (frame padding dropped)."""
        dst, src, length = cls._unpack(data)
        if length > MAX_DOT3_LENGTH:
            raise malformed(cls.NAME, "length", 12, f"{length:#06x} is an EtherType, not an 802.3 length")
        if len(data) < 14 + length:
            raise truncated(cls.NAME, "payload", 14, 14 + length, len(data))
        return cls._new(dst, src, length), bytes(data[14 : 14 + length])

    def build(self, payload: bytes = b"") -> bytes:
        """Header + payload; length is len(payload) unless given."""
        length = len(payload) if self.length is None else self.length
        return self._pack(self.dst, self.src, length) + payload


@header("LLC", layout=(u8("dsap"), u8("ssap"), u8("control")))
class Llc(Header):
    """An IEEE 802.2 LLC header; the defaults are STP's (SAP 0x42, unnumbered information)."""

    dsap: int = 0x42
    ssap: int = 0x42
    control: int = 0x03


def _ethernet_next(h: Ethernet) -> list[tuple[str, int]]:
    return [("ethertype", h.ethertype)]


register(
    Ethernet,
    next_keys=_ethernet_next,
    summary=lambda h, below, payload: (
        "Ethernet",
        f"Ethernet II, type {h.ethertype:#06x}, {byte_count(len(payload))}",
    ),
)
register(
    Dot3, next_keys=lambda h: [("dot3", 0)], summary=lambda h, below, payload: ("IEEE 802.3", f"Length {len(payload)}")
)
register(
    Llc,
    under=[("dot3", 0)],
    next_keys=lambda h: [("llc_sap", h.dsap)],
    summary=lambda h, below, payload: ("LLC", f"DSAP {h.dsap:#04x} SSAP {h.ssap:#04x}"),
)
