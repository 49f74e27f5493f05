"""RARP (RFC 903): a server answers for the MACs it knows; a client retries with backoff until answered."""

from ipaddress import IPv4Address

from lanlab.proto.rarp import RarpClient, RarpServer
from lanlab.units import SECOND
from lanlab.wire import Arp, ArpOp, MacAddress

CLIENT = MacAddress("02:00:00:00:00:09")
SERVER = MacAddress("02:00:00:00:00:01")


def server() -> RarpServer:
    return RarpServer(SERVER, IPv4Address("198.18.0.1"), {"02:00:00:00:00:09": "198.18.0.9"})


def test_client_broadcasts_a_request_naming_its_own_mac():
    """The request is broadcast, opcode 3, with our MAC as sender and target and no IPs."""
    client = RarpClient(CLIENT)
    client.start(0)
    (frame,) = client.frames_to_send(0)
    assert frame.destination == MacAddress.BROADCAST
    packet = frame.packet
    assert (packet.op, packet.sender_mac, packet.target_mac) == (ArpOp.RARP_REQUEST, CLIENT, CLIENT)
    assert int(packet.sender_ip) == int(packet.target_ip) == 0


def test_server_answers_to_the_asker_with_the_address_from_its_table():
    """The reply is opcode 4, unicast to the requester, target IP = the table's address."""
    client, rarp = RarpClient(CLIENT), server()
    client.start(0)
    rarp.handle_packet(client.frames_to_send(0)[0].packet, 1)
    (reply,) = rarp.frames_to_send(1)
    assert reply.destination == CLIENT
    assert (reply.packet.op, reply.packet.target_ip, reply.packet.sender_ip) == (
        ArpOp.RARP_REPLY,
        IPv4Address("198.18.0.9"),
        IPv4Address("198.18.0.1"),
    )


def test_server_stays_silent_for_unknown_macs_and_plain_arp():
    """A MAC not in the table and ordinary ARP get no answer; unknown ones are counted."""
    rarp = server()
    stranger = MacAddress("02:00:00:00:00:77")
    rarp.handle_packet(Arp(ArpOp.RARP_REQUEST, stranger, IPv4Address(0), stranger, IPv4Address(0)), 0)
    rarp.handle_packet(Arp(ArpOp.REQUEST, CLIENT, IPv4Address("198.18.0.9"), MacAddress(0), IPv4Address(1)), 0)
    assert rarp.frames_to_send(0) == [] and rarp.unknown == 1


def test_client_retries_with_backoff_until_answered_then_stops():
    """Unanswered, the client asks again after 1, 2, 4, 8, 8 s; the reply ends the retries."""
    client, rarp = RarpClient(CLIENT), server()
    client.start(0)
    asked_at = [0]
    client.frames_to_send(0)
    for _ in range(5):
        now = client.get_timer()
        client.handle_timer(now)
        assert len(client.frames_to_send(now)) == 1
        asked_at.append(now)
    assert [b - a for a, b in zip(asked_at, asked_at[1:])] == [
        1 * SECOND,
        2 * SECOND,
        4 * SECOND,
        8 * SECOND,
        8 * SECOND,
    ]
    request = Arp(ArpOp.RARP_REQUEST, CLIENT, IPv4Address(0), CLIENT, IPv4Address(0))
    rarp.handle_packet(request, asked_at[-1])
    client.handle_packet(rarp.frames_to_send(0)[0].packet, asked_at[-1] + 1)
    learned = client.next_event()
    assert learned.address == IPv4Address("198.18.0.9") and client.address == learned.address
    assert client.get_timer() is None and client.tries == 6


def test_client_ignores_replies_for_other_macs():
    """A reply naming another MAC does not give us an address."""
    client = RarpClient(CLIENT)
    client.start(0)
    other = MacAddress("02:00:00:00:00:42")
    client.handle_packet(Arp(ArpOp.RARP_REPLY, SERVER, IPv4Address("198.18.0.1"), other, IPv4Address("198.18.0.42")), 1)
    assert client.address is None and client.next_event() is None
