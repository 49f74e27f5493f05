"""The TCP codec: round trips, options, checksum, fuzzing, and scapy as an oracle both ways."""

from ipaddress import IPv4Address

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scapy.layers.inet import IP, TCP

from lanlab.wire import (
    Eol,
    Mss,
    Nop,
    Sack,
    SackPermitted,
    Tcp,
    TcpFlags,
    Timestamps,
    UnknownOption,
    WindowScale,
    WireError,
    describe,
    internet_checksum,
    pseudo_header_sum,
)
from lanlab.wire.tcp import pack_options

SRC, DST = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2")
u16, u32 = st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)

single_options = st.one_of(
    st.builds(Nop),
    st.builds(Mss, u16),
    st.builds(WindowScale, st.integers(0, 255)),
    st.builds(SackPermitted),
    st.builds(Timestamps, u32, u32),
    st.builds(Sack, st.lists(st.tuples(u32, u32), min_size=1, max_size=3).map(tuple)),
    st.builds(UnknownOption, st.integers(6, 255).filter(lambda k: k not in (8,)), st.binary(max_size=6)),
)


@st.composite
def option_lists(draw):
    """Options that fit in 40 bytes; an explicit Eol only where padding would not write one."""
    options = tuple(draw(st.lists(single_options, max_size=6)))
    while len(pack_options(options)) > 40:
        options = options[:-1]
    if draw(st.booleans()) and len(b"".join(o.pack() for o in options)) % 4 == 0 and len(pack_options(options)) < 40:
        options += (Eol(),)
    return options


headers = st.builds(Tcp, u16, u16, u32, u32, st.integers(0, 0xFFF).map(TcpFlags), u16, u16, option_lists())


@given(headers, st.binary(max_size=64))
def test_parse_of_build_gives_the_header_back(h, payload):
    """Building a header with any options and parsing it gives the same fields and payload."""
    parsed, rest = Tcp.parse(h.build(payload, SRC, DST))
    assert rest == payload
    for field in ("src_port", "dst_port", "seq", "ack", "flags", "window", "urgent", "options"):
        assert getattr(parsed, field) == getattr(h, field), field
    assert parsed.data_offset * 4 == 20 + len(pack_options(h.options))


@given(headers, st.binary(max_size=64))
def test_build_of_parse_gives_the_bytes_back(h, payload):
    """Parsed headers rebuild to exactly the bytes they came from, checksum included."""
    wire = h.build(payload, SRC, DST)
    parsed, rest = Tcp.parse(wire)
    assert parsed.build(rest) == wire


@given(headers, st.binary(max_size=64))
def test_checksum_covers_the_pseudo_header(h, payload):
    """The computed checksum makes header + payload + pseudo-header sum to zero; a changed byte breaks it."""
    wire = h.build(payload, SRC, DST)
    assert internet_checksum(wire, pseudo_header_sum(SRC, DST, 6, len(wire))) == 0
    parsed, rest = Tcp.parse(wire)
    assert parsed.checksum_ok(rest, SRC, DST)
    assert not parsed.checksum_ok(rest, SRC, IPv4Address("198.18.0.3"))


def test_without_addresses_the_checksum_is_zero_and_a_given_one_is_kept():
    """build() without IPs writes checksum 0; an explicit (bad) checksum is written as given."""
    assert Tcp(1, 2, 3, 4, TcpFlags.ACK, 5).build()[16:18] == b"\x00\x00"
    assert Tcp(1, 2, 3, 4, TcpFlags.ACK, 5, checksum=0xBEEF).build(b"x", SRC, DST)[16:18] == b"\xbe\xef"


def test_padding_and_an_explicit_end_of_option_list():
    """Options are zero-padded to 4 bytes; padding parses to nothing, an EOL before more padding is kept."""
    assert Tcp(1, 2, 0, 0, TcpFlags.SYN, 0, options=(Nop(),)).build()[20:] == b"\x01\x00\x00\x00"
    parsed, _ = Tcp.parse(Tcp(1, 2, 0, 0, TcpFlags.SYN, 0, options=(Nop(),)).build())
    assert parsed.options == (Nop(),)
    with_eol = Tcp(1, 2, 0, 0, TcpFlags.SYN, 0, options=(Mss(1460), Eol()))
    assert with_eol.build()[20:] == b"\x02\x04\x05\xb4\x00\x00\x00\x00"
    assert Tcp.parse(with_eol.build())[0].options == (Mss(1460), Eol())


@pytest.mark.parametrize(
    "options, why",
    [
        (b"\x02\x03\x05\x00", "kind 2 cannot have length 3"),
        (b"\x05\x04\x00\x00", "kind 5 cannot have length 4"),
        (b"\x02\x09\x00\x00", "beyond the options"),
        (b"\x01\x01\x01\x03", "no length byte"),
    ],
)
def test_bad_option_lengths_are_malformed(options, why):
    """An option whose length is wrong for its kind, or runs past the header, is a WireError naming it."""
    raw = Tcp(1, 2, 3, 4, TcpFlags.ACK, 5, data_offset=6).build() + options
    with pytest.raises(WireError, match=why):
        Tcp.parse(raw)


def test_data_offset_below_five_or_past_the_end_is_an_error():
    """A data offset under 5 words is malformed; one longer than the bytes given is truncated."""
    with pytest.raises(WireError, match="data_offset"):
        Tcp.parse(Tcp(1, 2, 3, 4, TcpFlags.ACK, 5, data_offset=4).build())
    with pytest.raises(WireError, match="truncated"):
        Tcp.parse(Tcp(1, 2, 3, 4, TcpFlags.ACK, 5, data_offset=15).build())


@given(headers, st.data())
def test_truncated_headers_raise_wire_error(h, data):
    """Every cut of a valid header short of its data offset is a WireError."""
    wire = h.build()
    cut = data.draw(st.integers(0, len(wire) - 1))
    with pytest.raises(WireError):
        Tcp.parse(wire[:cut])


def test_summary_reads_like_tshark():
    """describe() gives tshark's Info line: ports, flags, Seq/Ack, Win, Len and SYN options."""
    h = Tcp(40000, 7788, 100, 0, TcpFlags.SYN, 65535, options=(Mss(1460), WindowScale(7), SackPermitted()))
    assert describe([h, b""]) == ("TCP", "40000 → 7788 [SYN] Seq=100 Win=65535 Len=0 MSS=1460 WS=128 SACK_PERM")
    ack = Tcp(7788, 40000, 5, 101, TcpFlags.PSH | TcpFlags.ACK, 502)
    assert describe([ack, b"thank YOU!"])[1] == "7788 → 40000 [PSH, ACK] Seq=5 Ack=101 Win=502 Len=10"


def _scapy_view(option):
    if isinstance(option, Mss):
        return ("MSS", option.value)
    if isinstance(option, WindowScale):
        return ("WScale", option.shift)
    if isinstance(option, SackPermitted):
        return ("SAckOK", b"")
    if isinstance(option, Timestamps):
        return ("Timestamp", (option.tsval, option.tsecr))
    if isinstance(option, Sack):
        return ("SAck", tuple(edge for block in option.blocks for edge in block))
    return ("NOP", None)


known_options = (
    st.lists(
        st.one_of(
            st.builds(Nop),
            st.builds(Mss, u16),
            st.builds(WindowScale, st.integers(0, 14)),
            st.builds(SackPermitted),
            st.builds(Timestamps, u32, u32),
            st.builds(Sack, st.lists(st.tuples(u32, u32), min_size=1, max_size=2).map(tuple)),
        ),
        max_size=3,
    )
    .map(tuple)
    .filter(lambda options: len(pack_options(options)) <= 40)
)


@given(u16, u16, u32, u32, st.integers(0, 0xFF).map(TcpFlags), u16, u16, known_options, st.binary(max_size=40))
def test_scapy_reads_our_segments(sport, dport, seq, ack, flags, window, urgent, options, payload):
    """scapy parses our segment to the same fields and options, and computes the same checksum."""
    wire = Tcp(sport, dport, seq, ack, flags, window, urgent, options).build(payload, SRC, DST)
    packet = IP(src=str(SRC), dst=str(DST), proto=6) / TCP(wire)
    segment = IP(bytes(packet))[TCP]
    assert (segment.sport, segment.dport, segment.seq, segment.ack) == (sport, dport, seq, ack)
    assert (int(segment.flags), segment.window, segment.urgptr) == (int(flags), window, urgent)
    assert [(name, value) for name, value in segment.options if name != "EOL"] == [_scapy_view(o) for o in options]
    expected = segment.chksum
    del segment.chksum
    rebuilt = IP(bytes(IP(src=str(SRC), dst=str(DST)) / segment))[TCP]
    assert rebuilt.chksum == expected
    assert bytes(segment.payload) == payload


@given(
    u16,
    u16,
    u32,
    u32,
    st.integers(0, 0xFF),
    u16,
    st.binary(max_size=40),
    st.sampled_from(
        [
            [],
            [("MSS", 1460)],
            [("MSS", 536), ("NOP", None), ("WScale", 7), ("SAckOK", b"")],
            [("NOP", None), ("NOP", None), ("Timestamp", (1, 2))],
        ]
    ),
)
def test_we_read_scapy_segments(sport, dport, seq, ack, flags, window, payload, options):
    """We parse segments scapy built to scapy's fields, options and a valid checksum."""
    ip = IP(
        bytes(
            IP(src=str(SRC), dst=str(DST))
            / TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, window=window, options=options)
            / payload
        )
    )
    h, rest = Tcp.parse(bytes(ip[TCP]))
    assert (h.src_port, h.dst_port, h.seq, h.ack, int(h.flags), h.window) == (sport, dport, seq, ack, flags, window)
    assert [_scapy_view(o) for o in h.options] == [(n, v if n != "SAckOK" else b"") for n, v in options]
    assert h.checksum == ip[TCP].chksum and h.checksum_ok(rest, SRC, DST)
    assert rest == payload


@given(u32, u32)
def test_nop_nop_timestamps_pack_as_each_option_packs(tsval, tsecr):
    """The shortcut for NOP NOP timestamps writes what packing the three options one by one writes."""
    options = (Nop(), Nop(), Timestamps(tsval, tsecr))
    assert pack_options(options) == b"\x01\x01" + Timestamps(tsval, tsecr).pack()
    assert pack_options(options[::-1]) == Timestamps(tsval, tsecr).pack() + b"\x01\x01"  # not the shortcut


@given(st.integers(0, 0xFFF), st.integers(0, 0xFFF))
def test_or_of_two_flags_is_the_flags_of_the_or(a, b):
    """TcpFlags | TcpFlags gives the TcpFlags of the two values or-ed, as IntFlag's own operator does."""
    combined = TcpFlags(a) | TcpFlags(b)
    assert combined.__class__ is TcpFlags and combined == a | b and combined is TcpFlags(a | b)
    assert TcpFlags(a) | 0 == a


@given(u16, u16, u32, u32, st.binary(max_size=40).filter(lambda payload: len(payload) % 2 == 0))
def test_a_sum_of_minus_zero_gives_checksum_zero_as_scapy_computes(sport, dport, seq, ack, payload):
    """When the one's complement sum is 0xFFFF ("-0") the checksum is 0x0000, not 0xFFFF: scapy's bytes."""
    flags = TcpFlags.ACK
    # two payload bytes chosen so the whole sum (pseudo-header included) is 0 modulo 0xFFFF
    segment = Tcp(sport, dport, seq, ack, flags, 1000, checksum=0).build(payload + b"\0\0")
    total = pseudo_header_sum(SRC, DST, 6, len(segment)) + int.from_bytes(segment, "big")
    payload += ((0xFFFF - total % 0xFFFF) % 0xFFFF).to_bytes(2, "big")
    wire = Tcp(sport, dport, seq, ack, flags, 1000).build(payload, SRC, DST)
    assert wire[16:18] == b"\0\0"
    segment = IP(bytes(IP(src=str(SRC), dst=str(DST), proto=6) / TCP(wire)))[TCP]
    del segment.chksum
    assert bytes(IP(bytes(IP(src=str(SRC), dst=str(DST)) / segment))[TCP])[16:18] == b"\0\0"
