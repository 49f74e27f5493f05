"""ARP cache (RFC 826) driven by hand: requests, replies, queues, retries, timeouts, gratuitous."""

from ipaddress import IPv4Address

from lanlab.proto.arp import ArpCache, QueueOverflow
from lanlab.units import SECOND as S
from lanlab.wire import Arp, ArpOp, MacAddress

A_MAC, B_MAC = MacAddress("02:00:00:00:00:0a"), MacAddress("02:00:00:00:00:0b")
A_IP, B_IP, C_IP = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2"), IPv4Address("198.18.0.3")


def pair() -> tuple[ArpCache[str], ArpCache[str]]:
    return ArpCache(A_MAC, A_IP), ArpCache(B_MAC, B_IP)


def test_resolution_round_trip_releases_queued_packets_in_order():
    """An unresolved send queues, broadcasts a request; the reply releases the packets in order."""
    a, b = pair()
    assert a.resolve(B_IP, "p1", 0) is None
    assert a.resolve(B_IP, "p2", 0) is None
    [(dst, request)] = a.arp_to_send()  # one request for two packets
    assert dst == MacAddress.BROADCAST and request.op == ArpOp.REQUEST and request.target_ip == B_IP
    b.handle_arp(request, 1)
    [(reply_dst, reply)] = b.arp_to_send()
    assert reply_dst == A_MAC and reply.op == ArpOp.REPLY and reply.sender_mac == B_MAC
    assert b.lookup(A_IP, 1) == A_MAC  # the target learns the requester (RFC 826)
    a.handle_arp(reply, 2)
    assert a.packets_to_send() == [(B_MAC, "p1"), (B_MAC, "p2")]
    assert a.resolve(B_IP, "p3", 3) == B_MAC


def test_bystander_does_not_learn_from_a_request_for_someone_else():
    """RFC 826: only the target (or a host that already knows the sender) updates its table."""
    c = ArpCache(MacAddress("02:00:00:00:00:0c"), C_IP)
    c.handle_arp(Arp(ArpOp.REQUEST, A_MAC, A_IP, MacAddress(0), B_IP), 0)
    assert c.lookup(A_IP, 0) is None and c.arp_to_send() == []


def test_known_sender_is_refreshed_by_any_arp():
    """The merge flag: an entry we hold is updated even from an ARP not aimed at us."""
    c = ArpCache(MacAddress("02:00:00:00:00:0c"), C_IP)
    c.add_static(C_IP, MacAddress("02:00:00:00:00:0c"))
    c.handle_arp(Arp(ArpOp.REQUEST, A_MAC, A_IP, MacAddress(0), C_IP), 0)
    new_mac = MacAddress("02:00:00:00:00:ee")
    c.handle_arp(Arp(ArpOp.REQUEST, new_mac, A_IP, MacAddress(0), B_IP), 1)
    assert c.lookup(A_IP, 1) == new_mac


def test_retries_then_failure_drops_the_queue():
    """No reply: a request per retry interval, then ResolutionFailed with the queued packets."""
    a = ArpCache[str](A_MAC, A_IP, retry_interval=S, retries=3)
    a.resolve(C_IP, "x", 0)
    sent = len(a.arp_to_send())
    for t in (1, 2, 3):
        assert a.get_timer() == t * S
        a.handle_timer(t * S)
        sent += len(a.arp_to_send())
    assert sent == 3
    failed = a.next_event()
    assert failed is not None and failed.ip == C_IP and failed.packets == ["x"]
    assert a.get_timer() is None and a.next_event() is None


def test_queue_is_bounded_and_drops_the_oldest():
    """Past the queue limit the oldest waiting packet is dropped for the newest (Linux's __neigh_event_send),
    counted and told as a QueueOverflow event."""
    a = ArpCache[int](A_MAC, A_IP, queue_limit=2)
    for n in range(5):
        a.resolve(B_IP, n, 0)
    a.handle_arp(Arp(ArpOp.REPLY, B_MAC, B_IP, A_MAC, A_IP), 1)
    assert [p for _, p in a.packets_to_send()] == [3, 4]
    assert a.queue_drops == 3
    assert [a.next_event() for _ in range(4)] == [QueueOverflow(B_IP, n) for n in (0, 1, 2)] + [None]


def test_the_default_queue_holds_linuxs_101_packets():
    """By default 101 packets wait for one address (Linux's unres_qlen), so a program's burst is not lost."""
    a = ArpCache[int](A_MAC, A_IP)
    for n in range(101):
        a.resolve(B_IP, n, 0)
    a.handle_arp(Arp(ArpOp.REPLY, B_MAC, B_IP, A_MAC, A_IP), 1)
    assert len(a.packets_to_send()) == 101 and a.queue_drops == 0


def test_entries_time_out():
    """An entry expires after the cache timeout and must be resolved again."""
    a = ArpCache[str](A_MAC, A_IP, timeout=60 * S)
    a.handle_arp(Arp(ArpOp.REPLY, B_MAC, B_IP, A_MAC, A_IP), 0)
    assert a.lookup(B_IP, 59 * S) == B_MAC
    assert a.rows(59 * S)[0].expires_in == S
    assert a.lookup(B_IP, 60 * S) is None
    assert a.resolve(B_IP, "again", 61 * S) is None and len(a.arp_to_send()) == 1


def test_gratuitous_arp_updates_holders_and_is_not_answered():
    """announce() sends a request for our own address; a host holding us updates, nobody replies."""
    a, b = pair()
    b.handle_arp(Arp(ArpOp.REQUEST, A_MAC, A_IP, MacAddress(0), B_IP), 0)  # b now knows a
    b.arp_to_send()
    moved = ArpCache[str](MacAddress("02:00:00:00:00:99"), A_IP)
    moved.announce()
    [(dst, garp)] = moved.arp_to_send()
    assert dst == MacAddress.BROADCAST and garp.sender_ip == garp.target_ip == A_IP
    b.handle_arp(garp, 1)
    assert b.lookup(A_IP, 1) == MacAddress("02:00:00:00:00:99")
    assert b.arp_to_send() == []


def test_live_lists_live_entries_and_removes_nothing():
    """live(now) is an observer's view: expired entries are left out but stay until rows() drops them."""
    a, b = pair()
    a.resolve(B_IP, "p", 0)
    [(_, request)] = a.arp_to_send()
    b.handle_arp(request, 0)
    a.handle_arp(b.arp_to_send()[0][1], 0)
    assert [entry.mac for entry in a.live(1)] == [B_MAC]
    late = a.timeout + 1
    assert a.live(late) == [] and len(a._entries) == 1
    assert a.rows(late) == [] and len(a._entries) == 0
