"""The Internet checksum (RFC 1071), shared by IPv4, ICMP, UDP and TCP."""

from __future__ import annotations

from ipaddress import IPv4Address


def internet_checksum(data: bytes | memoryview, initial: int = 0) -> int:
    """The 16-bit one's complement of the one's complement sum of `data` (odd length padded with a zero byte).

    The one's complement sum of 16-bit words is the number's value modulo 0xFFFF, because
    2**16 = 1 (mod 0xFFFF) (RFC 1071 section 2(A), the end-around carry): one int.from_bytes
    and one modulo, in C, instead of a loop over words. `initial` is a partial sum to add in
    (a pseudo-header). A non-zero sum that is 0 mod 0xFFFF is 0xFFFF ("-0"), so its checksum is 0.
    """
    value = int.from_bytes(data, "big")
    if len(data) & 1:
        value <<= 8
    value += initial
    remainder = value % 0xFFFF
    if remainder:
        return 0xFFFF - remainder
    return 0 if value else 0xFFFF


def pseudo_header_sum(src: IPv4Address, dst: IPv4Address, proto: int, length: int) -> int:
    """The sum of the IPv4 pseudo-header's words (RFC 768, RFC 9293 3.1) for UDP and TCP checksums."""
    # what int() returns, without a Python-level __int__ call per address (ipaddress's private field)
    s: int = src._ip  # type: ignore[attr-defined]
    d: int = dst._ip  # type: ignore[attr-defined]
    return (s >> 16) + (s & 0xFFFF) + (d >> 16) + (d & 0xFFFF) + proto + length
