"""RFC 1812 forwarding decisions: TTL and checksum, ICMP errors and when they are not sent, broadcasts."""

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.proto.forwarding import Deliver, Drop, Forward, Forwarder, SendIcmp, decrement_ttl
from lanlab.proto.routing import Route, RouteSource, RoutingTable
from lanlab.wire import Icmp, IcmpType, IpProto, IPv4, Udp, UnreachableCode

INTERFACES = {"eth0": IPv4Interface("198.18.0.254/24"), "eth1": IPv4Interface("198.18.1.254/24")}
UDP_PROBE = Udp(40000, 33434).build(b"probe")


def router(**options) -> Forwarder:
    table = RoutingTable()
    for name, interface in INTERFACES.items():
        table.install(Route(interface.network, name, None, 0, RouteSource.CONNECTED))
    table.install(Route(IPv4Network("198.19.0.0/16"), "eth1", IPv4Address("198.18.1.1"), 2, RouteSource.RIP))
    return Forwarder(INTERFACES, table, **options)


def arriving(
    dst: str, ttl: int = 64, src: str = "198.18.0.1", proto: int = IpProto.UDP, payload: bytes = UDP_PROBE
) -> tuple[IPv4, bytes]:
    """A datagram as parsed from the wire (so it carries its received checksum)."""
    return IPv4.parse(IPv4(IPv4Address(src), IPv4Address(dst), proto, ttl=ttl).build(payload))


def decide(forwarder: Forwarder, datagram: tuple[IPv4, bytes], interface: str = "eth0"):
    header, payload = datagram
    return forwarder.decide(header, interface, lambda: payload)


@given(
    st.integers(2, 255),
    st.integers(0, 255),
    st.integers(0, 0xFFFF),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.binary(max_size=8).map(lambda b: b.ljust((len(b) + 3) // 4 * 4, b"\0")),
)
def test_incremental_checksum_equals_a_full_recomputation(ttl, proto, ident, src, dst, options):
    """The RFC 1624 update gives the checksum a full recomputation would, for any header."""
    received, _ = IPv4.parse(
        IPv4(IPv4Address(src), IPv4Address(dst), proto, ttl=ttl, ident=ident, options=options).build(b"x")
    )
    patched = decrement_ttl(received)
    recomputed, _ = IPv4.parse(
        IPv4(received.src, received.dst, proto, ttl=ttl - 1, ident=ident, options=options).build(b"x")
    )
    assert patched.ttl == ttl - 1 and patched.checksum == recomputed.checksum


def test_forward_to_a_connected_network_goes_to_the_destination_itself():
    """A datagram for a connected subnet leaves on that interface, next hop = destination, TTL - 1."""
    decision = decide(router(), arriving("198.18.1.7"))
    assert isinstance(decision, Forward)
    assert (decision.interface, decision.next_hop, decision.header.ttl) == ("eth1", IPv4Address("198.18.1.7"), 63)


def test_forward_through_a_learned_route_goes_to_its_gateway():
    """A datagram matching a RIP route is sent to the route's next hop."""
    decision = decide(router(), arriving("198.19.4.4"))
    assert isinstance(decision, Forward) and decision.next_hop == IPv4Address("198.18.1.1")


def test_ttl_one_gets_time_exceeded_from_the_incoming_interface():
    """TTL 1 cannot be forwarded: Time Exceeded, sourced from the interface it came in on, quoting it whole
    (it fits in 576 bytes: RFC 1812 4.3.2.3)."""
    header, payload = arriving("198.19.4.4", ttl=1)
    decision = router().decide(header, "eth0", lambda: payload)
    assert isinstance(decision, SendIcmp)
    assert (decision.icmp.type, decision.icmp.code) == (IcmpType.TIME_EXCEEDED, 0)
    assert decision.source == IPv4Address("198.18.0.254") and decision.destination == IPv4Address("198.18.0.1")
    assert decision.quote == header.build(payload)


def test_no_route_gets_net_unreachable():
    """A destination no route covers gets Destination Unreachable, code 0 (net)."""
    decision = decide(router(), arriving("203.0.113.9"))
    assert isinstance(decision, SendIcmp) and decision.icmp.code == UnreachableCode.NET


def test_no_route_is_answered_before_the_ttl_is_looked_at():
    """TTL 1 to a network no route covers gets net unreachable, not Time Exceeded: Linux looks the route up
    first (traceroute meets !N at the first router; the simulator's met Time Exceeded there, !N a hop on)."""
    decision = decide(router(), arriving("203.0.113.9", ttl=1))
    assert isinstance(decision, SendIcmp)
    assert (decision.icmp.type, decision.icmp.code) == (IcmpType.DEST_UNREACHABLE, UnreachableCode.NET)


@pytest.mark.parametrize("code", [UnreachableCode.HOST, UnreachableCode.PORT])
def test_host_and_port_unreachable_are_built_on_request(code):
    """When ARP fails (host) or nobody listens (port) the caller gets the matching error."""
    header, payload = arriving("198.18.1.7")
    decision = router().icmp_error(header, "eth0", lambda: payload, code)
    assert isinstance(decision, SendIcmp) and (decision.icmp.type, decision.icmp.code) == (3, code)


@pytest.mark.parametrize(
    "src, dst, proto, payload",
    [
        ("198.18.0.1", "203.0.113.9", IpProto.ICMP, Icmp(IcmpType.DEST_UNREACHABLE, 1).build(b"x" * 28)),
        ("0.0.0.0", "203.0.113.9", IpProto.UDP, UDP_PROBE),
    ],
)
def test_no_error_about_an_error_or_an_unspecified_source(src, dst, proto, payload):
    """Errors are never sent about ICMP errors or to a non-unicast source (RFC 1812 4.3.2.7)."""
    decision = decide(router(), arriving(dst, src=src, proto=proto, payload=payload))
    assert isinstance(decision, Drop)


def test_an_echo_request_without_route_still_gets_an_error():
    """An ICMP query (not an error) does get Destination Unreachable."""
    decision = decide(router(), arriving("203.0.113.9", proto=IpProto.ICMP, payload=Icmp.echo(1, 1).build(b"hi")))
    assert isinstance(decision, SendIcmp)


def test_no_error_about_a_non_first_fragment():
    """A later fragment that cannot be forwarded is dropped silently."""
    header = IPv4(IPv4Address("198.18.0.1"), IPv4Address("203.0.113.9"), IpProto.UDP, frag_offset=10)
    assert isinstance(router().decide(header, "eth0", lambda: b"12345678"), Drop)


def test_broadcasts_limited_never_directed_not_by_default():
    """255.255.255.255 and our own subnet's broadcast are for us; another subnet's is dropped unless enabled."""
    assert isinstance(decide(router(), arriving("255.255.255.255")), Deliver)
    assert isinstance(decide(router(), arriving("198.18.0.255")), Deliver)
    assert isinstance(decide(router(), arriving("198.18.1.255")), Drop)
    forwarded = decide(router(forward_directed_broadcast=True), arriving("198.18.1.255"))
    assert isinstance(forwarded, Forward) and forwarded.interface == "eth1"


def test_a_directed_broadcast_whose_ttl_runs_out_is_dropped_without_an_error():
    """TTL 1 to another subnet's broadcast, forwarding of directed broadcasts on: dropped, no Time Exceeded (no
    error about a broadcast); it went out with TTL 0."""
    dropped = decide(router(forward_directed_broadcast=True), arriving("198.18.1.255", ttl=1))
    assert isinstance(dropped, Drop) and dropped.reason.startswith("TTL expired, no ICMP error allowed")


def test_our_addresses_and_link_local_groups_are_delivered_other_multicast_dropped():
    """Datagrams to the router itself or 224.0.0.9 stay here; 239.1.1.1 is not routed."""
    assert isinstance(decide(router(), arriving("198.18.1.254")), Deliver)
    assert isinstance(decide(router(), arriving("224.0.0.9")), Deliver)
    assert isinstance(decide(router(), arriving("239.1.1.1")), Drop)
