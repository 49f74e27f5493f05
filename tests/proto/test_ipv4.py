"""IPv4 host decisions: which destinations are ours (broadcast kinds, multicast), routes."""

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest

from lanlab.proto.ipv4 import Delivery, Ipv4Host, LocalIpError, directed_broadcast, multicast_mac_bytes


def host(gateway: str | None = None) -> Ipv4Host:
    h = Ipv4Host(IPv4Address(gateway) if gateway else None)
    h.add_address(0, IPv4Interface("198.18.0.1/24"))
    return h


def test_delivery_kinds():
    """Own address, limited and directed broadcast are accepted; others' unicast is not."""
    h = host()
    assert h.accepts(IPv4Address("198.18.0.1")) == Delivery.UNICAST
    assert h.accepts(IPv4Address("255.255.255.255")) == Delivery.LIMITED_BROADCAST
    assert h.accepts(IPv4Address("198.18.0.255")) == Delivery.DIRECTED_BROADCAST
    assert h.accepts(IPv4Address("198.18.0.2")) is None
    assert h.accepts(IPv4Address("198.18.1.255")) is None


def test_multicast_only_after_join():
    """A group's packets are accepted only after joining, and not after leaving."""
    h = host()
    group = IPv4Address("239.1.2.3")
    assert h.accepts(group) is None
    h.join(group)
    assert h.accepts(group) == Delivery.MULTICAST
    h.leave(group)
    assert h.accepts(group) is None
    with pytest.raises(LocalIpError):
        h.join(IPv4Address("198.18.0.9"))


def test_routes_on_link_gateway_and_none():
    """On-link goes direct, off-link to the gateway, and without a gateway it is an error."""
    assert host().route(IPv4Address("198.18.0.7")).next_hop == IPv4Address("198.18.0.7")
    assert host("198.18.0.254").route(IPv4Address("8.8.8.8")).next_hop == IPv4Address("198.18.0.254")
    with pytest.raises(LocalIpError, match="no route"):
        host().route(IPv4Address("8.8.8.8"))
    assert host().route(IPv4Address("255.255.255.255")).broadcast
    assert host().route(IPv4Address("198.18.0.255")).broadcast


def test_multicast_mac_mapping():
    """RFC 1112: 01:00:5e plus the low 23 bits of the group."""
    assert multicast_mac_bytes(IPv4Address("239.129.2.3")).hex(":") == "01:00:5e:01:02:03"


@pytest.mark.parametrize("address", ["198.18.0.0/31", "198.18.0.1/31", "198.18.0.7/32"])
def test_a_31_or_32_has_no_broadcast_address(address):
    """RFC 3021: every address of a /31 is a host's, so neither is a broadcast; a /32 is one host."""
    h = Ipv4Host(None)
    h.add_address(0, IPv4Interface(address))
    network = IPv4Interface(address).network
    assert directed_broadcast(network) is None
    assert h.accepts(network.broadcast_address) in (Delivery.UNICAST, None)
    if network.prefixlen == 31:
        peer = IPv4Address(int(IPv4Interface(address).ip) ^ 1)
        assert h.accepts(peer) is None
        assert not h.route(peer).broadcast
        assert h.route(peer).next_hop == peer


def test_directed_broadcast_is_the_all_ones_host_up_to_a_30():
    """Up to /30 the directed broadcast is the subnet's last address (RFC 919/922)."""
    assert directed_broadcast(IPv4Network("198.18.0.0/30")) == IPv4Address("198.18.0.3")
    assert directed_broadcast(IPv4Network("198.18.0.0/15")) == IPv4Address("198.19.255.255")
