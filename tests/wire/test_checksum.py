"""The Internet checksum against the word-by-word loop of RFC 1071 section 4.1."""

import struct

from hypothesis import given
from hypothesis import strategies as st

from lanlab.wire import Tcp, TcpFlags, Udp, internet_checksum, pseudo_header_sum
from lanlab.wire.checksum import complement_of_sum
from tests.helpers.wire_strategies import ips, ipv4s, payloads, u8, u16, u32


def _rfc1071(data: bytes, initial: int = 0) -> int:
    """RFC 1071 4.1, transcribed: add 16-bit words, fold the carries, complement."""
    if len(data) % 2:
        data += b"\x00"
    total = initial
    for i in range(0, len(data), 2):
        total += (data[i] << 8) + data[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@given(st.binary(max_size=300), st.integers(0, 0x3FFFF))
def test_checksum_matches_rfc1071(data, initial):
    """Same value as the RFC's loop, any length (odd too), with or without a pseudo-header sum."""
    assert internet_checksum(data, initial) == _rfc1071(data, initial)
    assert internet_checksum(memoryview(data)) == _rfc1071(data)


@given(st.binary(min_size=2, max_size=300).filter(lambda d: len(d) % 2 == 0))
def test_data_with_its_checksum_sums_to_zero(data):
    """Appending the checksum makes the whole verify to 0, unless the data is all zeros."""
    checksum = internet_checksum(data)
    total = internet_checksum(data + checksum.to_bytes(2, "big"))
    assert total == 0 or not any(data)


def test_checksum_edge_values():
    """All zeros sums to 0 (checksum 0xFFFF); all ones is -0 (checksum 0)."""
    assert internet_checksum(b"") == 0xFFFF and internet_checksum(b"\x00\x00") == 0xFFFF
    assert internet_checksum(b"\xff\xff") == 0


def _pseudo_header(src, dst, proto: int, length: int) -> bytes:
    """RFC 768's pseudo-header as bytes: source, destination, zero, protocol, length."""
    return struct.pack("!IIBBH", int(src), int(dst), 0, proto, length)


@given(ips, ips, u8, u16, st.binary(max_size=100))
def test_pseudo_header_sum_counts_as_its_words(src, dst, proto, length, data):
    """The pseudo-header as a partial sum (addresses as whole numbers) checksums like its packed words."""
    expected = _rfc1071(_pseudo_header(src, dst, proto, length) + data)
    assert internet_checksum(data, pseudo_header_sum(src, dst, proto, length)) == expected


@given(st.integers(0, 1 << 200))
def test_complement_of_a_sum_is_the_checksum_of_its_bytes(total):
    """Any number taken as 16-bit words checksums as complement_of_sum of the number itself (2**16 = 1 mod 0xFFFF)."""
    data = total.to_bytes(2 * -(-total.bit_length() // 16) or 2, "big")
    assert complement_of_sum(total) == _rfc1071(data)


@given(ipv4s.filter(lambda h: h.checksum is None), payloads)
def test_a_built_ipv4_header_verifies_by_rfc1071(h, payload):
    """IPv4.build's checksum, added up from the fields, makes the packed header verify (RFC 1071 4.1's loop)."""
    header = h.build(payload)[: 20 + len(h.options)]
    assert _rfc1071(header) == 0


@given(ips, ips, u16, u16, u32, u32, st.integers(0, 0xFFF), u16, u16, st.binary(max_size=40), st.binary(max_size=65))
def test_a_built_tcp_segment_verifies_by_rfc1071(src, dst, sport, dport, seq, ack, flags, window, urgent, raw, data):
    """Tcp.build's checksum, added up from the fields, options (any bytes) and payload of any length, verifies
    over the packed pseudo-header and segment."""
    options = raw + bytes(-len(raw) % 4)
    segment = Tcp(sport, dport, seq, ack, TcpFlags(flags), window, urgent).build(options + data, src, dst)
    assert _rfc1071(_pseudo_header(src, dst, 6, len(segment)) + segment) == 0


@given(ips, ips, u16, u16, st.binary(max_size=65))
def test_a_built_udp_datagram_verifies_by_rfc1071(src, dst, sport, dport, data):
    """Udp.build's checksum verifies over the packed pseudo-header and datagram; a computed 0 is sent as 0xFFFF."""
    datagram = Udp(sport, dport).build(data, src, dst)
    assert _rfc1071(_pseudo_header(src, dst, 17, len(datagram)) + datagram) == 0
    assert datagram[6:8] != b"\x00\x00"
