"""Hosts: ARP before IP, retries and failure, TTL, broadcast kinds, port unreachable, gateway."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

from lanlab.sim import Network
from lanlab.units import SECOND
from lanlab.wire import IcmpType

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_ping_resolves_with_arp_first(net: Network):
    """The first frame pc1 sends is 'who has pc3?', then the echo; the reply comes back."""
    net.start_trace()
    result = net.ping("pc1", "pc3", count=2, interval=0.2)
    assert (result.transmitted, result.received) == (2, 2)
    sent = [e for e in net.trace if e.device == "pc1" and e.event_kind == "tx"]
    assert sent[0].summary == "Who has 198.18.0.3? Tell 198.18.0.1"
    assert [e.proto for e in sent] == ["ARP", "ICMP", "ICMP"]
    assert result.rtt_ns[0] > result.rtt_ns[1]  # the first waited for ARP
    assert {"ip": "198.18.0.3", "mac": str(net.node("pc3").nics[0].mac), "interface": "eth0"} in net.node(
        "pc1"
    ).arp_table


def test_unanswered_arp_retries_then_reports_host_unreachable():
    """No such host: three requests one second apart, then 'Destination Host Unreachable'."""
    net = Network("lonely")
    net.add_host("a", ip="198.18.0.1/24")
    net.add_switch("sw")
    net.link("a:eth0", "sw:p1")
    net.start_trace()
    result = net.ping("a", "198.18.0.9", count=1, timeout=5)
    requests = [e.t for e in net.trace if e.device == "a" and e.event_kind == "tx"]
    assert requests == [0, SECOND, 2 * SECOND]
    assert result.received == 0 and result.errors == 1
    assert result.error_messages == ["From 198.18.0.1 icmp_seq=1 Destination Host Unreachable"]


def test_packets_wait_for_arp_and_leave_in_order():
    """Datagrams sent before ARP completes are queued and delivered in order once resolved."""
    net = Network("queue")
    for n in (1, 2):
        net.add_host(f"h{n}", ip=f"198.18.0.{n}/24")
    net.link("h1:eth0", "h2:eth0")
    got: list[bytes] = []
    net.node("h2").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    for text in (b"one", b"two", b"three"):
        net.node("h1").send_udp(1000, IPv4Address("198.18.0.2"), 9, text, 0)
    net.run(0.01)
    assert got == [b"one", b"two", b"three"]


def test_ttl_is_carried_and_reported(net: Network):
    """ping -t sets the request's TTL; the reply carries the responder's default 64."""
    net.start_trace()
    result = net.ping("pc1", "pc2", count=1, ttl=5)
    requests = [e.frame for e in net.trace if e.event_kind == "tx" and e.device == "pc1" and e.proto == "ICMP"]
    assert requests[0].l3.ttl == 5
    assert result.replies[0][1] == 64


def test_limited_and_directed_broadcast_reach_every_host_but_not_the_sender(net: Network):
    """255.255.255.255 and 198.18.0.255 are delivered to every other host, hub and switch alike."""
    for dst in ("255.255.255.255", "198.18.0.255"):
        got: list[str] = []
        for n in (1, 2, 3, 4):
            host = net.node(f"pc{n}")
            host.udp.unbind(7788)
            host.udp.bind(7788, lambda h, frame, now, got=got: got.append(h.name))
        net.node("pc1").send_udp(5000, IPv4Address(dst), 7788, b"Hi", net.now)
        net.run(net.now / 1e9 + 0.01)
        assert sorted(got) == ["pc2", "pc3", "pc4"], dst


def test_broadcast_is_one_frame_from_the_sender(net: Network):
    """One frame leaves pc1; the switch and the hub make the copies."""
    net.do("pc1 udp broadcast Hi --port 7788 --wait 0.5")
    net.run(1)
    assert net.node("pc1").nics[0].port.tx_frames == 1
    assert net.node("sw1").ports["p2"].tx_frames == 1 and net.node("hub1").ports["p3"].tx_frames == 1


def test_broadcast_ping_is_ignored():
    """Like Linux (icmp_echo_ignore_broadcasts), hosts do not answer a broadcast echo request."""
    net = Network("bping")
    for n in (1, 2):
        net.add_host(f"h{n}", ip=f"198.18.0.{n}/24")
    net.link("h1:eth0", "h2:eth0")
    result = net.ping("h1", "198.18.0.255", count=1, timeout=0.5)
    assert result.received == 0


def test_closed_udp_port_answers_port_unreachable(net: Network):
    """A unicast datagram to a closed port gets ICMP port unreachable quoting it; a broadcast does not."""
    net.node("pc1").send_udp(5000, IPv4Address("198.18.0.2"), 9, b"knock", 0)
    net.node("pc1").send_udp(5000, IPv4Address("198.18.0.255"), 9, b"knock", 0)
    net.run(0.1)
    errors = net.node("pc1").icmp_errors
    assert len(errors) == 1
    _, sender, icmp = errors[0]
    assert sender == IPv4Address("198.18.0.2") and (icmp.type, icmp.code) == (IcmpType.DEST_UNREACHABLE, 3)


def test_off_link_destination_goes_to_the_gateway_mac():
    """A packet for another subnet is framed to the default gateway's MAC (ARP for the gateway)."""
    net = Network("gw")
    net.add_host("pc", ip="198.18.0.1/24", gateway="198.18.0.254")
    net.add_host("gw", ip="198.18.0.254/24")
    net.link("pc:eth0", "gw:eth0")
    net.start_trace()
    net.node("pc").send_udp(5000, IPv4Address("198.18.5.5"), 9, b"far", 0)
    net.run(0.01)
    assert net.trace[0].summary == "Who has 198.18.0.254? Tell 198.18.0.1"
    udp = [e for e in net.trace if e.device == "gw" and e.event_kind == "drop" and e.proto == "UDP"]
    assert udp and udp[0].note == "IP destination is not this host"
    assert udp[0].frame.eth.dst == net.node("gw").nics[0].mac


def test_gratuitous_arp_updates_other_caches(net: Network):
    """announce() broadcasts pc3's own address; a host that knew pc3 refreshes its entry."""
    net.ping("pc1", "pc3", count=1)
    net.start_trace()
    net.node("pc3").announce()
    net.run(net.now / 1e9 + 0.01)
    [tx] = [e for e in net.trace if e.event_kind == "tx" and e.device == "pc3"]
    assert tx.frame.l3.sender_ip == tx.frame.l3.target_ip == IPv4Address("198.18.0.3")
    assert {e.device for e in net.trace if e.event_kind == "rx"} >= {"pc1", "pc2", "pc4"}


def test_network_records_the_trace_from_the_start_when_asked():
    """Network(trace=True) and from_yaml(trace=True) fill net.trace without start_trace()."""
    net = Network("t", trace=True)
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    net.link("a:eth0", "b:eth0")
    net.ping("a", "b", count=1)
    assert [e.event_kind for e in net.trace][:2] == ["tx", "rx"]
    assert Network.from_yaml(EXAMPLES / "arp.yaml", trace=True).tracer is not None


def test_derived_macs_are_stable_and_local():
    """Without a mac:, a host's MAC comes from its name: same name, same MAC, locally administered."""
    one, two = Network(), Network()
    a = one.add_host("pc1", ip="198.18.0.1/24").nics[0].mac
    b = two.add_host("pc1", ip="198.18.0.1/24").nics[0].mac
    c = one.add_host("pc2", ip="198.18.0.2/24").nics[0].mac
    assert a == b and a != c and a.is_local and not a.is_multicast


def test_static_arp_entry_replaces_a_learned_one_at_once(net: Network):
    """arp -s over a learned entry takes effect for the very next packet (no stale MAC)."""
    net.ping("pc1", "pc2", count=1)
    pc1, other = net.node("pc1"), net.node("pc3").nics[0].mac
    pc1.nics[0].arp.add_static(IPv4Address("198.18.0.2"), other)
    net.start_trace()
    pc1.send_udp(5000, IPv4Address("198.18.0.2"), 9, b"x", net.now)
    net.run(net.now / 1e9 + 0.01)
    [tx] = [e for e in net.trace if e.event_kind == "tx" and e.device == "pc1"]
    assert tx.frame.eth.dst == other


def test_a_host_reaches_itself_through_lo_without_a_frame_on_any_link(net: Network):
    """Ping and UDP to the host's own address and to 127.0.0.1 are answered through its lo, as on Linux: 20 us
    round trips, no ARP, nothing on the links (before, pc1 ARPed for itself and lost every ping)."""
    net.start_trace()
    own = net.ping("pc1", "198.18.0.1", count=2, interval=0.2)
    lo = net.ping("pc1", "127.0.0.1", count=2, interval=0.2)
    assert (own.received, lo.received) == (2, 2)
    assert own.rtt_ns == lo.rtt_ns == [20_000, 20_000]
    assert sum(link.frames for link in net.links) == 0
    assert {e.port for e in net.trace if e.device == "pc1" and e.event_kind in ("tx", "rx")} == {"lo"}
    pc1, heard = net.node("pc1"), []
    pc1.udp.bind(9, lambda host, frame, now: heard.append((str(frame.l3.src), frame.data)))
    pc1.send_udp(4000, IPv4Address("198.18.0.1"), 9, b"own", net.engine.now)
    pc1.send_udp(4000, IPv4Address("127.0.0.1"), 9, b"lo", net.engine.now)
    net.run(net.engine.now / SECOND + 1)
    assert heard == [("198.18.0.1", b"own"), ("127.0.0.1", b"lo")]  # the source is the address sent to


def test_a_31_link_has_no_broadcast_so_the_peer_is_pinged_by_unicast_after_arp():
    """RFC 3021: on a /31 the peer's address is a host, not the broadcast; ping ARPs for it and is answered."""
    net = Network("p2p", trace=True)
    net.add_host("a", ip="198.18.0.0/31")
    net.add_host("b", ip="198.18.0.1/31")
    net.link("a", "b")
    result = net.ping("a", "b", count=2)
    assert (result.transmitted, result.received) == (2, 2)
    sent = [e for e in net.trace if e.device == "a" and e.event_kind == "tx"]
    assert sent[0].summary == "Who has 198.18.0.1? Tell 198.18.0.0"
    assert [e.proto for e in sent] == ["ARP", "ICMP", "ICMP"]


def test_a_burst_sent_before_arp_answers_all_arrives_and_an_overflow_is_an_event():
    """Ten datagrams sent at once to an unresolved neighbour all arrive (Linux holds 101); past a smaller
    queue the oldest is dropped and the event list says so."""
    for limit, expected in ((None, list(range(10))), (4, [6, 7, 8, 9])):
        net = Network("burst", trace=True)
        net.add_host("a", ip="198.18.0.1/24")
        net.add_host("b", ip="198.18.0.2/24")
        net.link("a", "b")
        if limit is not None:
            net.node("a").nics[0].arp.queue_limit = limit
        got: list[int] = []
        net.node("b").udp.bind(9, lambda h, frame, now, got=got: got.append(frame.data[0]))
        for n in range(10):
            net.node("a").send_udp(5000, IPv4Address("198.18.0.2"), 9, bytes([n]), 0)
        net.run(1)
        assert got == expected
        drops = [e.summary for e in net.trace if e.event_kind == "drop" and e.device == "a"]
        assert len(drops) == 10 - len(expected)
        if drops:
            assert drops[0] == "ARP queue for 198.18.0.2 full (4 packets): the oldest, to 198.18.0.2, dropped"
