"""The Internet checksum (RFC 1071), shared by IPv4, ICMP, UDP and TCP."""

from __future__ import annotations

import sys
from array import array
from ipaddress import IPv4Address

_SWAP = sys.byteorder == "little"


def internet_checksum(data: bytes, initial: int = 0) -> int:
    """The 16-bit one's complement of the one's complement sum of `data` (odd length padded with a zero byte).

    Summing native-order 16-bit words and swapping the result is the same as summing
    big-endian words (RFC 1071 section 2(B), byte-order independence); array makes it one C loop.
    `initial` is a big-endian partial sum to add in (a pseudo-header).
    """
    if len(data) & 1:
        data = bytes(data) + b"\x00"
    total = sum(array("H", data))
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    if _SWAP:
        total = ((total & 0xFF) << 8) | (total >> 8)
    total += initial
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header_sum(src: IPv4Address, dst: IPv4Address, proto: int, length: int) -> int:
    """The one's complement sum of the IPv4 pseudo-header (RFC 768, RFC 9293 3.1) for UDP and TCP checksums."""
    s, d = int(src), int(dst)
    return (s >> 16) + (s & 0xFFFF) + (d >> 16) + (d & 0xFFFF) + proto + length
