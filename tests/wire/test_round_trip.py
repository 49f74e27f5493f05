"""Every codec: parse(build(h)) == h, build(parse(x)) == x, and computed lengths and checksums."""

from ipaddress import IPv4Address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.wire import (
    Arp,
    Dot3,
    Ethernet,
    Icmp,
    IcmpType,
    IPv4,
    MalformedError,
    Udp,
    UnreachableCode,
    WireError,
    internet_checksum,
    quote,
)
from wire_strategies import HEADERS, payloads


@pytest.mark.parametrize("name", sorted(HEADERS))
@given(data=st.data(), payload=payloads)
def test_parse_of_build_gives_the_header_back(name, data, payload):
    """Building a generated header and parsing the bytes gives the same header (computed fields filled in)."""
    h = data.draw(HEADERS[name])
    built = h.build(payload)
    parsed, rest = type(h).parse(built)
    assert bytes(rest) == payload
    for field in type(h).__dataclass_fields__:
        given_value = getattr(h, field)
        if given_value is not None:
            assert getattr(parsed, field) == given_value, field


@pytest.mark.parametrize("name", sorted(HEADERS))
@given(data=st.data(), payload=payloads)
def test_build_of_parse_gives_the_bytes_back(name, data, payload):
    """Parsing valid bytes and building the result (with its payload) reproduces them exactly."""
    h = data.draw(HEADERS[name])
    wire = h.build(payload)
    parsed, rest = type(h).parse(wire)
    assert parsed.build(bytes(rest)) == wire


@pytest.mark.parametrize("name", sorted(HEADERS))
@given(data=st.data(), raw=st.binary(max_size=90))
def test_any_bytes_that_parse_build_back_the_same(name, data, raw):
    """Arbitrary bytes that parse rebuild to themselves, up to the length the header claims."""
    cls = type(data.draw(HEADERS[name]))
    try:
        parsed, rest = cls.parse(raw)
    except WireError:
        return
    built = parsed.build(bytes(rest))
    assert built == raw[: len(built)]


def test_ipv4_checksum_and_length_are_computed():
    """A built IPv4 header sums to zero and states header + payload as its total length."""
    built = IPv4(IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2"), 17, options=b"\x01\x01\x01\x00").build(b"abcd")
    assert internet_checksum(built[:24]) == 0
    assert int.from_bytes(built[2:4], "big") == 28 and built[0] == 0x46


def test_ipv4_keeps_a_given_bad_checksum_and_drops_padding():
    """A checksum given is written as is; parse stops the payload at total_length (Ethernet padding)."""
    h = IPv4(IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2"), 1, checksum=0x1234)
    built = h.build(b"hi") + b"\x00" * 10
    parsed, rest = IPv4.parse(built)
    assert parsed.checksum == 0x1234 and rest == b"hi"


def test_ipv4_options_must_be_whole_words():
    """Options that are not a multiple of 4 bytes cannot be built (the IHL counts 32-bit words)."""
    with pytest.raises(MalformedError, match="options"):
        IPv4(IPv4Address("1.2.3.4"), IPv4Address("1.2.3.5"), 6, options=b"\x01").build()


def test_ipv4_flags_and_fragment_offset_share_a_word():
    """DF and MF are bits of the flags field; the fragment offset is the low 13 bits."""
    h = IPv4(IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2"), 17, flags=0b011, frag_offset=185)
    built = h.build()
    assert built[6:8] == ((0b011 << 13) | 185).to_bytes(2, "big")
    parsed, _ = IPv4.parse(built)
    assert parsed.dont_fragment and parsed.more_fragments and parsed.frag_offset == 185
    with pytest.raises(MalformedError, match="frag_offset"):
        IPv4(h.src, h.dst, 17, frag_offset=0x2000).build()


def test_udp_checksum_uses_the_pseudo_header():
    """With both IPs the UDP checksum verifies over pseudo-header + datagram; without them it is 0."""
    src, dst = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2")
    built = Udp(1234, 5678).build(b"hello", src, dst)
    parsed, payload = Udp.parse(built)
    assert parsed.length == 13 and parsed.checksum != 0 and parsed.checksum_ok(payload, src, dst)
    assert not parsed.checksum_ok(b"jello", src, dst)
    assert Udp(1234, 5678).build(b"hello")[6:8] == b"\x00\x00"


def test_icmp_echo_fields_and_checksum():
    """An echo request carries ident and seq in the rest of header and sums to zero with its data."""
    built = Icmp.echo(0x1234, 7).build(b"ping")
    parsed, data = Icmp.parse(built)
    assert parsed.type == IcmpType.ECHO_REQUEST and parsed.ident == 0x1234 and parsed.seq == 7 and data == b"ping"
    assert internet_checksum(built) == 0


def test_icmp_error_quotes_as_much_as_fits_in_576_bytes():
    """A port unreachable quotes the whole offending datagram when it fits, link padding left out, and a big
    one's first 548 bytes, so the error is 576 bytes (RFC 1812 4.3.2.3, as Linux's icmp_send)."""
    small = IPv4(IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2"), 17).build(Udp(1, 2).build(b"x" * 100))
    assert quote(small + bytes(20)) == small
    big = IPv4(IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2"), 17).build(Udp(1, 2).build(b"x" * 1000))
    error = Icmp(IcmpType.DEST_UNREACHABLE, UnreachableCode.PORT).build(quote(big))
    _, quoted = Icmp.parse(error)
    assert quoted == big[:548] and 20 + len(error) == 576
    inner, _ = IPv4.parse_cut(quoted, len(big) - len(quoted))[:2]
    assert inner.proto == 17 and inner.total_length == len(big)


def test_dot3_length_is_the_payload_length():
    """An 802.3 header states its payload's length and parse drops the padding after it."""
    built = Dot3("01:80:c2:00:00:00", "02:00:00:00:00:01").build(b"\x42\x42\x03" + b"B" * 35) + b"\x00" * 8
    parsed, payload = Dot3.parse(built)
    assert parsed.length == 38 and len(payload) == 38


def test_arp_constants_are_checked():
    """An ARP packet for another hardware type is malformed, and says which field."""
    arp = Arp(1, "02:00:00:00:00:01", "198.18.0.1", "00:00:00:00:00:00", "198.18.0.2")
    with pytest.raises(MalformedError, match="hardware_type"):
        Arp.parse(b"\x00\x06" + arp.build()[2:])


def test_ethernet_accepts_text_addresses():
    """Constructors accept text addresses and store MacAddress / IPv4Address."""
    e = Ethernet("02:00:00:00:00:02", "02-00-00-00-00-01", 0x0800)
    assert str(e.src) == "02:00:00:00:00:01" and Ethernet.parse(e.build())[0] == e
