"""The Internet checksum (RFC 1071), shared by IPv4, ICMP, UDP and TCP."""

from __future__ import annotations

from ipaddress import IPv4Address


def internet_checksum(data: bytes | memoryview, initial: int = 0) -> int:
    """The 16-bit one's complement of the one's complement sum of `data` (odd length padded with a zero byte).

    The one's complement sum of 16-bit words is the number's value modulo 0xFFFF, because
    2**16 = 1 (mod 0xFFFF) (RFC 1071 section 2(A), the end-around carry): one int.from_bytes
    and one modulo, in C, instead of a loop over words. `initial` is a partial sum to add in
    (a pseudo-header, or header fields added as numbers: see complement_of_sum).
    """
    value = int.from_bytes(data, "big")
    if len(data) & 1:
        value <<= 8
    return complement_of_sum(value + initial)


def complement_of_sum(total: int) -> int:
    """The checksum for `total`, any sum of 16-bit-aligned words or numbers made of them.

    Only total modulo 0xFFFF matters (2**16 = 1), so a header's fields can be added as plain numbers
    (a 32-bit address as it is, a byte shifted to its place in its word) without packing them first.
    A non-zero sum that is 0 mod 0xFFFF is 0xFFFF ("-0"), so its checksum is 0; an all-zero one's is 0xFFFF.
    """
    remainder = total % 0xFFFF
    if remainder:
        return 0xFFFF - remainder
    return 0 if total else 0xFFFF


def pseudo_header_sum(src: IPv4Address, dst: IPv4Address, proto: int, length: int) -> int:
    """The IPv4 pseudo-header (RFC 768, RFC 9293 3.1) as a partial sum for UDP and TCP checksums.

    A partial sum is only ever taken modulo 0xFFFF (complement_of_sum), so each address counts as its
    32-bit value, as good as its two 16-bit words added."""
    # what int() returns, without a Python-level __int__ call per address (ipaddress's private field)
    return src._ip + dst._ip + proto + length  # type: ignore[attr-defined, no-any-return]
