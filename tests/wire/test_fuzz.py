"""Random and truncated bytes into every parser raise WireError and nothing else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.wire import (
    Arp,
    Dot3,
    EtherType,
    Ethernet,
    Icmp,
    IPv4,
    IpProto,
    Llc,
    MacAddress,
    TruncatedError,
    Udp,
    WireError,
    dissect,
)
from lanlab.wire.rip import Rip
from lanlab.wire.stp import Bpdu
from lanlab.wire.tcp import Tcp
from wire_samples import A_IP, B_IP
from wire_strategies import HEADERS

PARSERS = [Ethernet, Dot3, Llc, Arp, IPv4, Icmp, Udp, Tcp, Rip, Bpdu]
MAC_A, MAC_B = MacAddress(1), MacAddress(2)


@pytest.mark.parametrize("cls", PARSERS, ids=lambda c: c.__name__)
@given(data=st.binary(max_size=80))
def test_random_bytes_raise_only_wire_error(cls, data):
    """Any bytes either parse or raise a WireError (never IndexError, struct.error, ...)."""
    try:
        cls.parse(data)
    except WireError:
        pass
    try:
        cls.parse(memoryview(data))
    except WireError:
        pass


@pytest.mark.parametrize("name", sorted(HEADERS))
@given(data=st.data())
def test_truncated_header_raises_truncated_error_naming_the_field(name, data):
    """Cutting a valid header short raises TruncatedError naming header, field and offset."""
    h = data.draw(HEADERS[name])
    built = h.build(b"")
    cut = data.draw(st.integers(0, type(h).SIZE - 1))
    with pytest.raises(TruncatedError, match=r"truncated at field '\w+' \(offset \d+\)"):
        type(h).parse(built[:cut])


@given(data=st.binary(max_size=120))
def test_dissect_never_raises(data):
    """dissect() takes any bytes and reports what it could not parse instead of raising."""
    result = dissect(data)
    assert isinstance(result.layers[-1], bytes)
    assert (result.error is None) or "Malformed" in result.info


def _carrying(kind: str, body: bytes) -> bytes:
    """A frame whose lower layers are valid and whose `kind` layer is `body`, so dissect() reaches that codec."""
    if kind == "llc":
        return Dot3(MAC_B, MAC_A).build(Llc().build(body))
    if kind == "arp":
        return Ethernet(MAC_B, MAC_A, EtherType.ARP).build(body)
    proto, port = {
        "icmp": (IpProto.ICMP, 0),
        "tcp": (IpProto.TCP, 0),
        "udp": (IpProto.UDP, 0),
        "rip": (IpProto.UDP, 520),
    }[kind]
    if port:
        body = Udp(port, port).build(body)
    return Ethernet(MAC_B, MAC_A, EtherType.IPV4).build(IPv4("198.18.0.1", "198.18.0.2", proto).build(body))


@pytest.mark.parametrize("kind", ["llc", "arp", "icmp", "tcp", "udp", "rip"])
@given(body=st.binary(max_size=80))
def test_dissect_of_random_upper_layers_reports_not_raises(kind, body):
    """Random bytes where a registered codec (STP, ARP, ICMP, TCP, UDP, RIP) starts: parsed or reported, never raised."""
    result = dissect(_carrying(kind, body))
    valid_below = {"llc": 2, "arp": 1, "icmp": 2, "tcp": 2, "udp": 2, "rip": 3}[kind]
    assert len(result.headers) >= valid_below and isinstance(result.layers[-1], bytes)
    assert result.error is None or "Malformed" in result.info


@given(
    quote=st.binary(max_size=80),
    icmp_type=st.sampled_from([3, 4, 5, 11, 12]),
    cut=st.integers(0, 140),
    extra=st.integers(0, 2000),
)
def test_dissect_of_cut_frames_and_quotes_never_raises(quote, icmp_type, cut, extra):
    """An ICMP error quoting random bytes, cut anywhere by a snaplen: never an exception, and the cut makes nothing
    Malformed (an error of the cut frame is one the whole frame has too: the bytes' fault, not the snaplen's)."""
    datagram = IPv4(A_IP, B_IP, IpProto.ICMP).build(Icmp(icmp_type, 0).build(quote))
    frame = Ethernet(MAC_B, MAC_A, EtherType.IPV4).build(datagram)
    result = dissect(frame[:cut], wire_length=len(frame) + extra)
    assert isinstance(result.layers[-1], bytes)
    if result.error is not None:
        assert dissect(frame).error is not None, result.error
