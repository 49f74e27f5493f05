"""ARP (RFC 826) and RARP (RFC 903): the same packet, for Ethernet and IPv4."""

from __future__ import annotations

from enum import IntEnum
from ipaddress import IPv4Address

from lanlab.wire.fields import const, Header, header, ipv4, mac, u8, u16
from lanlab.wire.mac import MacAddress
from lanlab.wire.registry import register

HTYPE_ETHERNET = 1


class ArpOp(IntEnum):
    """ARP opcodes; RARP (RFC 903) adds 3 and 4 and travels with EtherType RARP."""

    REQUEST = 1
    REPLY = 2
    RARP_REQUEST = 3
    RARP_REPLY = 4


@header(
    "ARP",
    layout=(
        const(u16("hardware_type"), HTYPE_ETHERNET),
        const(u16("protocol_type"), 0x0800),
        const(u8("hardware_size"), 6),
        const(u8("protocol_size"), 4),
        u16("op", ArpOp),
        mac("sender_mac"),
        ipv4("sender_ip"),
        mac("target_mac"),
        ipv4("target_ip"),
    ),
)
class Arp(Header):
    """An ARP or RARP packet for Ethernet hardware addresses and IPv4 protocol addresses."""

    op: int
    sender_mac: MacAddress
    sender_ip: IPv4Address
    target_mac: MacAddress
    target_ip: IPv4Address


def _arp_summary(h: Arp, below: object, payload: bytes) -> tuple[str, str]:
    # tshark's wording (epan/dissectors/packet-arp.c)
    if h.op == ArpOp.REQUEST:
        if h.sender_ip == h.target_ip:
            return "ARP", f"Gratuitous ARP for {h.sender_ip} (Request)"
        if int(h.sender_ip) == 0:
            return "ARP", f"Who has {h.target_ip}? (ARP Probe)"
        return "ARP", f"Who has {h.target_ip}? Tell {h.sender_ip}"
    if h.op == ArpOp.REPLY:
        if h.sender_ip == h.target_ip:
            return "ARP", f"Gratuitous ARP for {h.sender_ip} (Reply)"
        return "ARP", f"{h.sender_ip} is at {h.sender_mac}"
    if h.op == ArpOp.RARP_REQUEST:
        return "RARP", f"Who is {h.target_mac}? Tell {h.sender_mac}"
    if h.op == ArpOp.RARP_REPLY:
        return "RARP", f"{h.target_mac} is at {h.target_ip}"
    return "ARP", f"Unknown ARP opcode {h.op:#06x}"


register(Arp, under=[("ethertype", 0x0806), ("ethertype", 0x8035)], summary=_arp_summary)
