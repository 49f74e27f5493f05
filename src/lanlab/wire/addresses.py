"""Memos that turn wire bytes into address objects: parsers meet the same few addresses on every frame
of a conversation, and a dict hit costs a fraction of making an IPv4Address or MacAddress. Each memo is
bounded (cleared at 4096 entries); the objects are immutable, so sharing them is invisible."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.wire.mac import MacAddress

WIRE_MACS: dict[bytes, MacAddress] = {}


def mac_from_wire(raw: bytes) -> MacAddress:
    """A MacAddress for six bytes already checked for length, memoised (a dict hit costs a third of
    making a bytes subclass instance)."""
    mac = WIRE_MACS.get(raw)
    if mac is None:
        if len(WIRE_MACS) >= 4096:
            WIRE_MACS.clear()
        mac = WIRE_MACS[raw] = bytes.__new__(MacAddress, raw)
    return mac


IPV4S: dict[int, IPv4Address] = {}


def ipv4_from_int(value: int) -> IPv4Address:
    """An IPv4Address for a 32-bit int, memoised: addresses repeat on every frame of a flow."""
    address = IPV4S.get(value)
    if address is None:
        if len(IPV4S) >= 4096:
            IPV4S.clear()
        address = IPV4S[value] = IPv4Address(value)
    return address


MAC_PAIRS: dict[bytes, tuple[MacAddress, MacAddress]] = {}
IPV4_PAIRS: dict[int, tuple[IPv4Address, IPv4Address]] = {}


def mac_pair(raw: bytes) -> tuple[MacAddress, MacAddress]:
    """Two adjacent MACs (Ethernet's destination and source) from 12 bytes, memoised as a pair:
    one dict hit per frame of a conversation instead of two."""
    pair = MAC_PAIRS.get(raw)
    if pair is None:
        if len(MAC_PAIRS) >= 4096:
            MAC_PAIRS.clear()
        pair = MAC_PAIRS[raw] = (mac_from_wire(raw[:6]), mac_from_wire(raw[6:]))
    return pair


def ipv4_pair(value: int) -> tuple[IPv4Address, IPv4Address]:
    """Two adjacent IPv4 addresses (IPv4's source and destination) from one 64-bit int, memoised as a pair."""
    pair = IPV4_PAIRS.get(value)
    if pair is None:
        if len(IPV4_PAIRS) >= 4096:
            IPV4_PAIRS.clear()
        pair = IPV4_PAIRS[value] = (ipv4_from_int(value >> 32), ipv4_from_int(value & 0xFFFFFFFF))
    return pair
