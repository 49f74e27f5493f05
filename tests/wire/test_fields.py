"""The field-table mechanism itself: what every generated header class promises."""

import copy
import dataclasses
import pickle
from ipaddress import IPv4Address

import pytest

from lanlab.wire import Ethernet, IPv4, MacAddress, MalformedError, Udp
from lanlab.wire.fields import Extent, fast_constructor, header, u8, u16


def test_headers_are_frozen_dataclasses():
    """Assigning a field raises FrozenInstanceError; dataclasses.replace makes a changed copy."""
    h = IPv4("198.18.0.1", "198.18.0.2", 17)
    assert dataclasses.is_dataclass(h) and not hasattr(h, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.ttl = 1
    lower = dataclasses.replace(h, ttl=1)
    assert lower.ttl == 1 and h.ttl == 64 and lower.src == h.src


def test_parsed_and_constructed_headers_are_equal_and_hash_alike():
    """A header parsed from bytes equals (and hashes like) the one constructed with the same values."""
    h = Udp(1234, 5678, 13, 0xBEEF)
    parsed, _ = Udp.parse(h.build(b"hello"))
    assert parsed == h and hash(parsed) == hash(h) and type(parsed) is Udp


def test_copy_and_pickle_keep_the_header():
    """copy, deepcopy and pickle give an equal header of the same class."""
    h = Ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0806)
    for clone in (copy.copy(h), copy.deepcopy(h), pickle.loads(pickle.dumps(h))):
        assert clone == h and type(clone) is Ethernet


def test_constructor_coerces_text_and_names_itself_in_errors():
    """Text addresses become MacAddress/IPv4Address; a missing argument names the class like a dataclass would."""
    h = IPv4("198.18.0.1", IPv4Address("198.18.0.2"), 6)
    assert type(h.src) is IPv4Address and type(Ethernet("02:00:00:00:00:01", b"\x02" * 6, 1).src) is MacAddress
    with pytest.raises(TypeError, match=r"IPv4\(\) missing 2 required positional arguments"):
        IPv4("198.18.0.1")


def test_bit_fields_out_of_range_are_refused_at_build():
    """A value wider than its bit field is a MalformedError naming the field, not a corrupted neighbour."""
    with pytest.raises(MalformedError, match="flags"):
        IPv4("198.18.0.1", "198.18.0.2", 17, flags=8).build()
    with pytest.raises(MalformedError):
        Udp(70000, 1).build()


@pytest.mark.parametrize(("patch", "field"), [((0, 0x44), "ihl"), ((3, 10), "total_length")])
def test_extent_checks_name_the_field(patch, field):
    """A header length below the fixed part, or a total length below the header, is malformed at that field."""
    data = bytearray(IPv4("198.18.0.1", "198.18.0.2", 17).build(b"x" * 8))
    data[patch[0]] = patch[1]
    with pytest.raises(MalformedError, match=field):
        IPv4.parse(bytes(data))


def test_address_memos_stay_correct_past_their_bound():
    """Parsing more distinct addresses than the memos hold still gives each frame its own addresses."""
    for n in range(5000):
        mac = MacAddress(0x020000000000 + n)
        ip = IPv4Address(0xC6120000 + n)
        eth, _ = Ethernet.parse(Ethernet(mac, MacAddress(n), 0x0800).build())
        packet, _ = IPv4.parse(IPv4(ip, IPv4Address(n), 17).build())
        assert (eth.dst, eth.src, packet.src, packet.dst) == (mac, MacAddress(n), ip, IPv4Address(n))


def test_layout_mistakes_fail_when_the_class_is_made():
    """A layout naming no field, or a tail without a header length, is a TypeError at class creation."""
    with pytest.raises(TypeError, match="not a field"):

        @header("X", layout=(u8("typo"),))
        class X:
            value: int

    with pytest.raises(TypeError, match="tail needs a header_length"):

        @header("Y", layout=(u16("length"),), extent=Extent(tail="rest"))
        class Y:
            length: int
            rest: bytes = b""


def test_fast_constructor_makes_frozen_instances():
    """fast_constructor builds an instance equal to the dataclass constructor's, still frozen."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Pair:
        left: int
        right: int

    made = fast_constructor(Pair)(1, 2)
    assert made == Pair(1, 2) and type(made) is Pair
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.left = 3
