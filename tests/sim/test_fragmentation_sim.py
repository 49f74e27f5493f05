"""Hosts fragment what exceeds an interface's MTU and reassemble it (RFC 791); tshark reassembles the capture."""

import shutil
import subprocess
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from lanlab.proto.fragments import REASSEMBLY_TIMEOUT, fragment
from lanlab.sim import Network
from lanlab.sim.core.frame import ETH_HEADER, Frame
from lanlab.units import SECOND
from lanlab.wire import Icmp, IcmpType, IPv4, TimeExceededCode, Udp, UnreachableCode
from simnets import narrow_chain
from lanlab.wire.ipv4 import DF


def two_hosts(mtu: int | None = None) -> Network:
    net = Network("frag", trace=True)
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    net.add_switch("sw")
    net.link("a:eth0", "sw:p1", mtu=mtu)
    net.link("b:eth0", "sw:p2")
    return net


def received(net: Network, size: int) -> list[bytes]:
    got: list[bytes] = []
    net.node("b").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    net.node("a").send_udp(5000, IPv4Address("198.18.0.2"), 9, bytes(i & 0xFF for i in range(size)), net.now)
    net.run(net.now / 1e9 + 1)
    return got


def test_a_datagram_over_the_mtu_leaves_in_fragments_and_arrives_whole(tmp_path: Path):
    """3000 bytes over an MTU of 1000: four fragments no bigger than the MTU, one 3000-byte delivery."""
    net = two_hosts(mtu=1000)
    net.capture(tmp_path / "frag.pcapng")
    assert received(net, 3000) == [bytes(i & 0xFF for i in range(3000))]
    net.close()
    sent = [e.frame for e in net.trace if e.event_kind == "tx" and e.device == "a" and isinstance(e.frame.l3, IPv4)]
    assert len(sent) == 4 and all(frame.size - ETH_HEADER <= 1000 for frame in sent)
    assert [frame.l3.frag_offset * 8 for frame in sent] == [0, 976, 1952, 2928]
    assert any("Fragmented IP protocol" in e.summary for e in net.trace)
    if shutil.which("tshark") is not None:
        done = subprocess.run(
            ["tshark", "-r", str(tmp_path / "frag.pcapng"), "-Y", "udp", "-T", "fields", "-e", "udp.length"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert "3008" in done.stdout.split()  # tshark put the fragments back together


def test_the_largest_udp_payload_crosses_a_1500_mtu():
    """65,507 bytes (the most a UDP datagram carries) leave as 45 fragments and arrive whole."""
    net = two_hosts()
    assert [len(data) for data in received(net, 65_507)] == [65_507]
    sent = [e.frame for e in net.trace if e.event_kind == "tx" and e.device == "a" and isinstance(e.frame.l3, IPv4)]
    assert len(sent) == 45 and max(frame.size for frame in sent) == 1514


def test_a_datagram_missing_a_fragment_times_out_with_icmp_time_exceeded_code_1():
    """Fragment zero without the rest: 30 s later the receiver sends time exceeded, code 1 (RFC 792)."""
    net = two_hosts()
    net.ping("a", "b", count=1)  # ARP both ways first
    a, b = net.node("a"), net.node("b")
    header = IPv4(a.addresses[0], b.addresses[0], 17, ident=0x4242)
    first, _rest = fragment(header, Udp(5000, 9).build(bytes(2000), header.src, header.dst), 1500)
    eth = a.nics[0].ethernet_to(b.nics[0].mac)
    a.nics[0].port.send(Frame(eth, first[0], None, first[1], ETH_HEADER + 20 + len(first[1]), 999), net.now)
    start = net.now
    net.run((start + REASSEMBLY_TIMEOUT) / 1e9 + 1)
    errors = [(t, icmp) for t, src, icmp in a.icmp_errors if icmp.type == IcmpType.TIME_EXCEEDED]
    assert len(errors) == 1 and errors[0][1].code == TimeExceededCode.REASSEMBLY
    assert errors[0][0] >= start + REASSEMBLY_TIMEOUT


@pytest.mark.parametrize("mtu", [67, 70000])
def test_an_mtu_outside_ipv4s_range_is_refused(mtu: int):
    """A link MTU below 68 or above 65535 is a NetworkError naming the range."""
    from lanlab.sim.network import NetworkError

    net = Network()
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    with pytest.raises(NetworkError, match="from 68 to 65535"):
        net.link("a:eth0", "b:eth0", mtu=mtu)


def routed(mtu_a: int | None, mtu_b: int) -> Network:
    """a - r1 - b, with the MTUs of a's link and b's link."""
    net = Network("frag-routed", trace=True)
    net.add_host("a", ip="198.18.0.1/24", gateway="198.18.0.254")
    net.add_host("b", ip="198.18.1.2/24", gateway="198.18.1.254")
    net.add_router("r1", {"eth0": "198.18.0.254/24", "eth1": "198.18.1.254/24"})
    net.link("a:eth0", "r1:eth0", mtu=mtu_a)
    net.link("r1:eth1", "b:eth0", mtu=mtu_b)
    return net


def test_a_router_fragments_fragments_again_for_a_smaller_next_hop():
    """a sends 3000 bytes in fragments of 1000 (no DF); r1 cuts each again for b's 576-byte link, keeping the
    identification; b puts the pieces back together (RFC 791 3.2, fragmenting a fragment)."""
    net = routed(1000, 576)
    got: list[bytes] = []
    net.node("b").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    net.ping("a", "b", count=1)  # ARP on both sides first
    payload = bytes(i & 0xFF for i in range(3000))
    net.node("a").send_udp(5000, IPv4Address("198.18.1.2"), 9, payload, net.now)
    net.run(net.now / 1e9 + 1)
    assert got == [payload]
    frames = [
        e.frame
        for e in net.trace
        if e.event_kind == "tx"
        and e.device == "r1"
        and e.port == "eth1"
        and isinstance(e.frame.l3, IPv4)
        and e.frame.l3.proto == 17
    ]
    assert len(frames) > 4 and all(frame.size - ETH_HEADER <= 576 for frame in frames)
    out = [frame.l3 for frame in frames]
    assert len({ip.ident for ip in out}) == 1
    offsets = sorted(ip.frag_offset * 8 for ip in out)
    assert offsets[0] == 0 and [ip for ip in out if not ip.flags & 1] == [max(out, key=lambda ip: ip.frag_offset)]


def test_df_too_big_for_the_next_hop_is_dropped_with_fragmentation_needed_and_the_mtu():
    """A DF datagram (hosts set DF, as Linux) that does not fit b's 576-byte link: r1 drops it and tells a
    'fragmentation needed' with next-hop MTU 576 (RFC 1191), which a capture shows to tshark."""
    net = routed(None, 576)
    got: list[bytes] = []
    net.node("b").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    net.ping("a", "b", count=1)
    net.node("a").send_udp(5000, IPv4Address("198.18.1.2"), 9, bytes(1000), net.now)
    net.run(net.now / 1e9 + 1)
    assert got == []
    errors = [icmp for _, _, icmp in net.node("a").icmp_errors if icmp.type == IcmpType.DEST_UNREACHABLE]
    assert [(icmp.code, icmp.rest & 0xFFFF) for icmp in errors] == [(UnreachableCode.FRAG_NEEDED, 576)]
    drop = [e for e in net.trace if e.event_kind == "drop" and e.device == "r1"]
    assert drop and "needs fragmenting to 576 bytes but DF is set" in drop[0].summary


def test_an_interface_mtu_in_yaml_beats_its_links(tmp_path: Path):
    """mtu: on a router's interface (and a host's) sets that NIC's MTU, even where its link says another; a bad
    one is FILE:LINE."""
    from lanlab.sim import TopologyError, load_topology

    path = tmp_path / "mtu.yaml"
    path.write_text(
        "nodes:\n"
        "  a: {kind: host, ip: 198.18.0.1/24, gateway: 198.18.0.254, mtu: 1200}\n"
        "  b: {kind: host, interfaces: {eth0: {ip: 198.18.1.2/24, mtu: 900}}, gateway: 198.18.1.254}\n"
        "  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: {ip: 198.18.1.254/24, mtu: 576}}}\n"
        "links:\n  - {endpoints: [a:eth0, r1:eth0], mtu: 1000}\n  - [r1:eth1, b:eth0]\n"
    )
    net = load_topology(path)
    assert [nic.mtu for nic in net.node("a").nics] == [1200]
    assert [nic.mtu for nic in net.node("b").nics] == [900]
    assert [nic.mtu for nic in net.node("r1").nics] == [1000, 576]
    path.write_text(path.read_text().replace("mtu: 576", "mtu: 20"))
    with pytest.raises(TopologyError, match=r"mtu.yaml:4: .*mtu must be from 68 to 65535 bytes, not 20"):
        load_topology(path)


def test_a_nic_drops_a_frame_larger_than_its_own_mtu():
    """a (MTU 3000) sends 2000 bytes whole to b (MTU 1500): b's NIC drops the 2042-byte frame, counts it on its
    port and says why in the event list, as Linux's driver drops an oversized frame on receive."""
    net = Network("rx-mtu", trace=True)
    net.add_host("a", interfaces={"eth0": {"ip": "198.18.0.1/24", "mtu": 3000}})
    net.add_host("b", ip="198.18.0.2/24")
    net.link("a:eth0", "b:eth0")
    got: list[bytes] = []
    net.node("b").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    for size in (2000, 1000):  # the second fits and arrives
        net.node("a").send_udp(5000, IPv4Address("198.18.0.2"), 9, bytes(size), net.now)
        net.run(net.now / 1e9 + 1)
    assert got == [bytes(1000)]
    drops = [e for e in net.trace if e.event_kind == "drop" and e.device == "b"]
    assert [e.frame.size for e in drops] == [2042]
    assert "larger than this interface's MTU 1500" in drops[0].summary
    assert net.node("b").nics[0].port.drops == 1


def test_fragmentation_needed_sets_a_path_mtu_that_later_datagrams_are_cut_to():
    """After r1's 'fragmentation needed' (MTU 576), a's next 1000-byte datagram to b leaves in fragments of
    at most 576 bytes and arrives; after 10 minutes a tries the interface's 1500 again (RFC 1191 4, 6.3)."""
    net = routed(None, 576)
    got: list[bytes] = []
    net.node("b").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    net.ping("a", "b", count=1)
    a = net.node("a")

    def send() -> list[Frame]:
        start = net.now
        a.send_udp(5000, IPv4Address("198.18.1.2"), 9, bytes(1000), net.now)
        net.run(net.now / 1e9 + 1)
        return [
            e.frame
            for e in net.trace
            if e.event_kind == "tx"
            and e.device == "a"
            and e.t >= start
            and isinstance(e.frame.l3, IPv4)
            and e.frame.l3.proto == 17
        ]

    assert [frame.size for frame in send()] == [1042] and got == []  # too big for r1's eth1: refused
    cut = send()
    assert len(cut) == 2 and all(frame.size - ETH_HEADER <= 576 for frame in cut) and got == [bytes(1000)]
    net.run(net.now / 1e9 + 600)
    assert [frame.size for frame in send()] == [1042]  # the estimate aged out: the whole datagram again
    assert got == [bytes(1000)]


def test_fragmentation_needed_never_raises_a_path_mtu_nor_goes_below_552():
    """A later, larger next-hop MTU is ignored, and an MTU of 0 (a pre-RFC 1191 router) counts as 552, as Linux."""
    net = routed(None, 576)
    a = net.node("a")
    dst = IPv4Address("198.18.1.2")
    quoted = IPv4(a.addresses[0], dst, 17, flags=2).build(bytes(8))
    way = a.destination(dst)
    for mtu, expected in ((1000, 1000), (1400, 1000), (0, 552), (300, 552)):
        a.learn_path_mtu(Icmp(IcmpType.DEST_UNREACHABLE, UnreachableCode.FRAG_NEEDED, mtu), quoted, net.now)
        assert way.max_frame - ETH_HEADER == expected


def tcp_receiver():
    import socket

    conn, _ = socket.create_server(("", 5001)).accept()
    total = 0
    while data := conn.recv(65536):
        total += len(data)
    return total


def tcp_sender(size):
    import socket

    with socket.create_connection(("198.18.1.2", 5001)) as s:
        s.sendall(bytes(size))


def test_tcp_shrinks_its_segments_to_a_learned_path_mtu():
    """A 20 kB TCP transfer over a 576-byte hop between two routers (both ends on 1500-byte links, so each offers
    MSS 1460): after 'fragmentation needed' the sender's segments fit 576 with DF still set (MSS 536, none
    fragmented by the host) and everything arrives (RFC 1191 6.4)."""
    from lanlab.sim.shim import run_programs
    from lanlab.units import SECOND

    net = narrow_chain(576, "a", "b")
    net.node("b").run(tcp_receiver)
    client = net.node("a").run(tcp_sender, 20_000)
    run_programs(net, 10 * SECOND)
    assert net.programs[0].result == 20_000 and client.exit == 0
    sent = [
        e.frame
        for e in net.trace
        if e.event_kind == "tx"
        and e.device == "a"
        and isinstance(e.frame.l3, IPv4)
        and e.frame.l3.proto == 6
        and e.frame.data
    ]
    big = [frame for frame in sent if frame.size - ETH_HEADER > 576]
    assert big and all(frame.l3.flags & 2 for frame in sent)  # the first flight was too big; never fragmented
    after = sent[sent.index(big[-1]) + 1 :]
    assert after and max(len(frame.data) for frame in after) == 536


def test_a_host_on_a_narrow_link_offers_an_mss_its_peer_fits_without_path_mtu_discovery():
    """b's own link is 576 bytes: its SYN offers MSS 536 (the interface's MTU less 40, as Linux's advmss), so a's
    segments fit from the first and no 'fragmentation needed' comes back (b offered 1460 whatever its MTU)."""
    from lanlab.sim.shim import run_programs
    from lanlab.units import SECOND
    from lanlab.wire.tcp import Mss, TcpFlags

    net = routed(None, 576)
    net.node("b").run(tcp_receiver)
    client = net.node("a").run(tcp_sender, 20_000)
    run_programs(net, 10 * SECOND)
    assert net.programs[0].result == 20_000 and client.exit == 0
    tcp = [e for e in net.trace if e.event_kind == "tx" and e.frame is not None and isinstance(e.frame.l3, IPv4)]
    syns = {e.device: e.frame.l4 for e in tcp if e.frame.l3.proto == 6 and TcpFlags.SYN in e.frame.l4.flags}
    assert (syns["a"].option(Mss).value, syns["b"].option(Mss).value) == (1460, 536)
    assert max(e.frame.size - ETH_HEADER for e in tcp if e.device == "a") <= 576
    assert not any(e.frame.l3.proto == 1 for e in tcp)  # no ICMP at all


def test_an_echo_reply_leaves_without_df_and_is_fragmented_on_its_way_back():
    """Once a has learned the 1000-byte hop, its second ping of 1400 bytes is answered: b's reply, which b's own
    link fits, leaves without DF (Linux's ICMP socket is IP_PMTUDISC_DONT) and r2 fragments it. With DF r2
    refused it and that ping was lost, as iputils never sees on Linux."""
    net = narrow_chain(1000, "a", "b")
    net.ping("a", "b", count=1)  # ARP everywhere first
    start = net.now
    session = net.node("a").ping(IPv4Address("198.18.1.2"), count=3, size=1400, interval=SECOND // 4)
    net.run(net.now / 1e9 + 2)
    assert [seq for seq, _ttl, _rtt in session.result.replies] == [2, 3]
    assert session.result.errors == 1  # the first request's 'fragmentation needed' from r1
    replies = [
        e.frame.l3
        for e in net.trace
        if e.event_kind == "tx" and e.device == "b" and e.t >= start and isinstance(e.frame.l3, IPv4)
    ]
    assert len(replies) == 2 and not any(ip.flags & DF for ip in replies)
    assert len({ip.ident for ip in replies}) == 2  # no DF: each its own identification (RFC 6864 4.1)
    assert not [icmp for _, _, icmp in net.node("b").icmp_errors]  # no 'fragmentation needed' about a reply


def test_icmp_errors_leave_without_df():
    """r1's 'fragmentation needed' and b's 'port unreachable' are sent with DF clear, as Linux's icmp_send."""
    net = narrow_chain(1000, "a", "b")
    net.ping("a", "b", count=1)
    a = net.node("a")
    a.send_udp(5000, IPv4Address("198.18.1.2"), 9, bytes(1400), net.now)
    net.run(net.now / 1e9 + 1)
    a.send_udp(5000, IPv4Address("198.18.1.2"), 9, bytes(10), net.now)
    net.run(net.now / 1e9 + 1)
    errors = [
        (e.device, e.frame.l3)
        for e in net.trace
        if e.event_kind == "tx" and isinstance(e.frame.l3, IPv4) and isinstance(e.frame.l4, Icmp)
        if e.frame.l4.type == IcmpType.DEST_UNREACHABLE
    ]
    assert {str(ip.src) for _, ip in errors} == {"198.18.0.254", "198.18.1.2"}  # r1's, and b's (r2 forwards it)
    assert not any(ip.flags & DF for _, ip in errors)


def test_a_learned_path_mtu_still_cuts_a_datagram_that_waits_for_arp():
    """Two minutes after a learned r1's 1000-byte hop (its ARP entry for r1 gone, the path MTU kept for 10
    minutes), a's 1400-byte datagram waits for ARP already in fragments and arrives: it waited whole, with DF,
    and r1 refused it again (Linux fragments before its neighbour layer)."""
    net = narrow_chain(1000, "a", "b")
    got: list[bytes] = []
    net.node("b").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    net.ping("a", "b", count=1)
    a = net.node("a")
    a.send_udp(5000, IPv4Address("198.18.1.2"), 9, bytes(1400), net.now)  # refused: a learns 1000
    net.run(net.now / 1e9 + 120)
    assert not a.arp_table  # a's entry for r1 has expired
    a.send_udp(5000, IPv4Address("198.18.1.2"), 9, bytes(1400), net.now)
    net.run(net.now / 1e9 + 1)
    assert got == [bytes(1400)]
    frag_needed = [icmp for _, _, icmp in a.icmp_errors if icmp.code == UnreachableCode.FRAG_NEEDED]
    assert len(frag_needed) == 1


def test_ping_m_do_dont_and_want_as_iputils():
    """ping -M over a 1000-byte hop, as iputils 20221126 printed it in namespaces: do gets r1's fragmentation
    needed, then refuses locally at the learned MTU; dont is fragmented by r1 and answered."""
    net = narrow_chain(1000, "a", "b")
    net.ping("a", "b", count=1)
    big = net.do("a ping b -c 2 -s 3000 -M do")
    learn = net.do("at 2s a ping b -c 3 -i 0.2 -s 1400 -M do")
    dont = net.do("at 3s a ping b -c 2 -i 0.2 -s 1400 -M dont")
    net.run(4)
    assert big.command.lines()[1:] == [
        "ping: local error: message too long, mtu=1500",
        "ping: local error: message too long, mtu=1500",
        "",
        "--- b ping statistics ---",
        "2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms",
    ]
    assert learn.command.lines()[1:4] == [
        "From r1 (198.18.0.254) icmp_seq=1 Frag needed and DF set (mtu = 1000)",
        "ping: local error: message too long, mtu=1000",
        "ping: local error: message too long, mtu=1000",
    ]
    assert dont.command.result()["received"] == 2
    sent = [e.frame.l3 for e in net.trace if e.event_kind == "tx" and e.device == "a" and e.t >= 3 * SECOND]
    assert sent and not any(ip.flags & DF for ip in sent if isinstance(ip, IPv4))


def test_ping_m_takes_only_iputils_words():
    """-M probe (which iputils 20221126 refuses) or any other word is a command error naming the choices."""
    from lanlab.sim import CommandError

    net = narrow_chain(1000, "a", "b")
    with pytest.raises(CommandError, match="choose from 'do', 'dont', 'want'"):
        net.do("a ping b -M probe")
