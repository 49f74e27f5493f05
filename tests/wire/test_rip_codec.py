"""RIP codec: round trips, fuzzing, and scapy as an independent oracle both ways."""

from ipaddress import IPv4Address

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scapy.layers.rip import RIP, RIPAuth, RIPEntry

from lanlab.wire import Udp, WireError, describe
from lanlab.wire.rip import AFI_AUTH, AUTH_KEYED, AUTH_TRAILER, Rip, RipAuth, RipCommand, RipEntry

addresses = st.integers(0, 2**32 - 1).map(IPv4Address)
route_entries = st.builds(
    RipEntry,
    address=addresses,
    metric=st.integers(0, 2**32 - 1),
    mask=addresses,
    next_hop=addresses,
    tag=st.integers(0, 0xFFFF),
    afi=st.integers(0, 0xFFFE),
)
# type 3 (keyed) names where its trailer starts: made consistent in keyed_messages below
auth_entries = st.builds(
    RipAuth, auth_type=st.integers(0, 0xFFFF).filter(lambda t: t != 3), data=st.binary(min_size=16, max_size=16)
)
messages = st.builds(
    Rip,
    command=st.integers(0, 255),
    version=st.integers(0, 255),
    entries=st.lists(st.one_of(route_entries, auth_entries), max_size=30).map(tuple),
    domain=st.integers(0, 0xFFFF),
)


@given(messages)
def test_build_then_parse_gives_the_same_message(message):
    """Every message parses back from its bytes to an equal object, with no payload left over."""
    parsed, rest = Rip.parse(message.build())
    assert parsed == message and rest == b""


@st.composite
def keyed_messages(draw):
    """A message with keyed authentication (RFC 4822): the first entry names the trailer's offset and digest
    length; the trailer carries a digest of 16 (MD5) to 64 (HMAC-SHA-512) bytes."""
    routes = draw(st.lists(route_entries, max_size=24))
    digest = draw(st.binary(min_size=16, max_size=64))
    offset = 4 + 20 * (1 + len(routes))
    key_data = (
        offset.to_bytes(2, "big")
        + bytes([draw(st.integers(0, 255)), len(digest)])
        + draw(st.integers(0, 2**32 - 1)).to_bytes(4, "big")
        + bytes(8)
    )
    return Rip(RipCommand.RESPONSE, 2, (RipAuth(AUTH_KEYED, key_data), *routes, RipAuth(AUTH_TRAILER, digest)))


@given(keyed_messages())
def test_keyed_authentication_trailer_of_any_digest_length_round_trips(message):
    """A keyed message parses to its routes and a trailer holding the whole digest, and builds to the same bytes."""
    data = message.build()
    parsed, rest = Rip.parse(data)
    assert parsed == message and rest == b"" and parsed.build() == data
    assert len(parsed.entries[-1].data) == message.entries[0].data[3]


def test_trailer_offset_that_points_nowhere_leaves_the_message_as_20_byte_entries():
    """A type-3 entry whose offset does not lead to an 0xFFFF/1 trailer: the message is read as plain entries."""
    key_data = (200).to_bytes(2, "big") + bytes(14)
    message = Rip(RipCommand.RESPONSE, 2, (RipAuth(AUTH_KEYED, key_data), RipEntry(IPv4Address("10.0.0.0"), 1)))
    assert Rip.parse(message.build())[0] == message


@given(st.binary(max_size=200))
def test_parse_of_random_bytes_raises_only_wire_errors(data):
    """Arbitrary bytes either parse and rebuild identically or raise a WireError."""
    try:
        message, _ = Rip.parse(data)
    except WireError:
        return
    assert message.build() == data


def test_truncated_header_and_ragged_entries_are_errors_naming_the_field():
    """Three bytes cut the header at its domain field; a 19-byte entry is cut short; both say where."""
    with pytest.raises(WireError, match="domain.*offset 2"):
        Rip.parse(b"\x02\x02\x00")
    with pytest.raises(WireError, match="entries.*offset 4"):
        Rip.parse(b"\x02\x02\x00\x00" + b"\x00" * 19)


def test_simple_password_entry_is_first_and_padded():
    """The password entry is AFI 0xFFFF, type 2, the password NUL-padded to 16 bytes (RFC 2453 4.1)."""
    message = Rip(
        RipCommand.RESPONSE,
        2,
        (RipAuth.password("s3cret"), RipEntry(IPv4Address("10.1.0.0"), 1, IPv4Address("255.255.0.0"))),
    )
    data = message.build()
    assert data[4:8] == b"\xff\xff\x00\x02" and data[8:24] == b"s3cret" + b"\0" * 10
    assert Rip.parse(data)[0].auth == RipAuth.password("s3cret")
    with pytest.raises(ValueError):
        RipAuth.password("x" * 17)


def test_whole_table_request_is_recognised():
    """One entry with AFI 0 and metric 16 is the "send me everything" request (RFC 2453 3.9.1)."""
    request = Rip(RipCommand.REQUEST, 2, (RipEntry(IPv4Address(0), 16, afi=0),))
    assert request.is_whole_table_request
    assert not Rip(RipCommand.REQUEST, 2, (RipEntry(IPv4Address("10.0.0.0"), 16),)).is_whole_table_request


@given(
    st.lists(
        st.tuples(addresses, st.integers(0, 32), st.integers(1, 16), addresses, st.integers(0, 0xFFFF)), max_size=25
    ),
    st.booleans(),
)
def test_scapy_reads_what_we_build(routes, with_password):
    """scapy decodes our bytes into the same command, version, password and entries."""
    auth = (RipAuth.password("pw"),) if with_password else ()
    entries = tuple(
        RipEntry(addr, metric, IPv4Address((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF), hop, tag)
        for addr, plen, metric, hop, tag in routes
    )
    ours = Rip(RipCommand.RESPONSE, 2, auth + entries)
    theirs = RIP(ours.build())
    assert (theirs.cmd, theirs.version) == (2, 2)
    layer = theirs.payload
    if with_password:
        assert isinstance(layer, RIPAuth) and layer.password == b"pw" + b"\0" * 14
        layer = layer.payload
    for entry in entries:
        assert isinstance(layer, RIPEntry)
        assert (layer.addr, layer.mask, layer.nextHop, layer.metric, layer.RouteTag) == (
            str(entry.address),
            str(entry.mask),
            str(entry.next_hop),
            entry.metric,
            entry.tag,
        )
        layer = layer.payload


@given(st.lists(st.tuples(addresses, addresses, st.integers(1, 16)), max_size=25), st.sampled_from([1, 2]))
def test_we_read_what_scapy_builds(routes, command):
    """Our parser decodes scapy's RIP packets, auth entry included, to the same fields."""
    packet = RIP(cmd=command, version=2) / RIPAuth(authtype=2, password=b"key".ljust(16, b"\0"))
    for addr, mask, metric in routes:
        packet = packet / RIPEntry(addr=str(addr), mask=str(mask), metric=metric)
    message, _ = Rip.parse(bytes(packet))
    assert message.command == command and message.auth.data.rstrip(b"\0") == b"key"
    assert message.entries[0].auth_type == 2 and message.build() == bytes(packet)
    assert [(e.address, e.mask, e.metric) for e in message.routes] == routes
    assert all(e.afi != AFI_AUTH for e in message.routes)


def test_describe_names_rip_carried_as_bytes_after_a_udp_header():
    """describe() on header objects + payload bytes sees RIP in UDP 520, as tshark would."""
    message = Rip(RipCommand.RESPONSE, 2, (RipEntry(IPv4Address("198.19.0.0"), 1, IPv4Address("255.255.0.0")),))
    assert describe([Udp(520, 520), message.build()]) == ("RIPv2", "Response")
    assert describe([Udp(520, 520), b"\x02\x02\x00"]) == ("UDP", "520 → 520 Len=3")  # not RIP: left as UDP
