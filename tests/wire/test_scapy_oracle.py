"""scapy, an independent implementation, agrees with us both ways on every header's fields."""

from ipaddress import IPv4Address

from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import ARP, LLC, Dot3, Ether

from lanlab.wire import Arp, Ethernet, Icmp, IPv4, Udp
from lanlab.wire import Dot3 as OurDot3
from wire_strategies import arps, ethernets, ipv4s, llcs, macs, payloads, u8, u16

SRC, DST = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2")


@settings(max_examples=50)
@given(ethernets, arps)
def test_scapy_reads_our_arp_frames(eth, arp):
    """scapy parses an Ethernet/ARP frame we built to the same field values."""
    frame = Ether(Ethernet(eth.dst, eth.src, 0x0806).build(arp.build()))
    assert frame.dst == str(eth.dst) and frame.src == str(eth.src) and frame.type == 0x0806
    a = frame[ARP]
    assert (a.op, a.hwsrc, a.psrc, a.hwdst, a.pdst) == (
        arp.op,
        str(arp.sender_mac),
        str(arp.sender_ip),
        str(arp.target_mac),
        str(arp.target_ip),
    )
    assert (a.hwtype, a.ptype, a.hwlen, a.plen) == (1, 0x0800, 6, 4)


@settings(max_examples=50)
# options are NOPs here: scapy reads options past an EOL and would take a random "source route"
# option's last hop as the pseudo-header destination
@given(
    ipv4s.map(lambda h: IPv4(h.src, h.dst, 17, h.ttl, h.ident, h.tos, h.flags & 0b011, 0, b"\x01" * len(h.options))),
    u16,
    u16,
    payloads,
)
def test_scapy_reads_our_ipv4_udp_and_agrees_on_checksums(ip, sport, dport, payload):
    """scapy parses our IPv4/UDP and, recomputing both checksums itself, gets the values we wrote."""
    packet = IP(ip.build(Udp(sport, dport).build(payload, ip.src, ip.dst)))
    assert (packet.src, packet.dst, packet.ttl, packet.id, packet.tos, int(packet.flags), packet.frag) == (
        str(ip.src),
        str(ip.dst),
        ip.ttl,
        ip.ident,
        ip.tos,
        ip.flags,
        0,
    )
    assert packet.ihl * 4 == 20 + len(ip.options) and bytes(packet)[20 : packet.ihl * 4] == ip.options
    ours_ip, ours_udp = packet.chksum, packet[UDP].chksum
    del packet.chksum, packet[UDP].chksum
    again = IP(bytes(packet))
    assert (again.chksum, again[UDP].chksum) == (ours_ip, ours_udp)
    assert (again[UDP].sport, again[UDP].dport, again[UDP].len, bytes(again[UDP].payload)) == (
        sport,
        dport,
        8 + len(payload),
        payload,
    )


@settings(max_examples=50)
@given(st.sampled_from([0, 3, 8, 11]), st.integers(0, 4), st.integers(0, 0xFFFFFFFF), payloads)
def test_scapy_reads_our_icmp_and_agrees_on_the_checksum(icmp_type, code, rest, payload):
    """scapy computes the same ICMP checksum over our echo / unreachable / time exceeded and data."""
    icmp = Icmp(icmp_type, code, rest)
    packet = ICMP(icmp.build(payload))
    ours = packet.chksum
    del packet.chksum
    assert ICMP(bytes(packet)).chksum == ours and packet.type == icmp.type and packet.code == icmp.code


@settings(max_examples=30)
@given(macs, macs, llcs, payloads)
def test_scapy_reads_our_dot3_llc(dst, src, llc, payload):
    """scapy reads our 802.3 length and LLC SAPs."""
    frame = Dot3(OurDot3(dst, src).build(llc.build(payload)))
    assert frame.len == 3 + len(payload) and frame.dst == str(dst)
    assert (frame[LLC].dsap, frame[LLC].ssap, frame[LLC].ctrl) == (llc.dsap, llc.ssap, llc.control)


@settings(max_examples=50)
@given(st.sampled_from(["who-has", "is-at", 3, 4]), macs, macs, u8, u16, payloads)
def test_we_read_scapy_frames(op, mac_a, mac_b, ttl, port, payload):
    """We parse ARP and IPv4/UDP/ICMP frames scapy built, to scapy's field values."""
    arp_frame = bytes(
        Ether(dst=str(mac_b), src=str(mac_a))
        / ARP(op=op, hwsrc=str(mac_a), psrc="198.18.0.1", hwdst=str(mac_b), pdst="198.18.0.2")
    )
    eth, rest = Ethernet.parse(arp_frame)
    arp, _ = Arp.parse(rest)
    assert (eth.src, eth.dst, arp.sender_mac, arp.target_ip) == (mac_a, mac_b, mac_a, DST)
    assert arp.op == ARP(op=op).op

    udp_frame = bytes(
        Ether() / IP(src=str(SRC), dst=str(DST), ttl=ttl, flags="DF") / UDP(sport=port, dport=53) / payload
    )
    _, rest = Ethernet.parse(udp_frame)
    ip, rest = IPv4.parse(rest)
    udp, data = Udp.parse(rest)
    reference = Ether(udp_frame)
    assert (ip.ttl, ip.dont_fragment, ip.checksum, udp.src_port, udp.checksum, data) == (
        ttl,
        True,
        reference[IP].chksum,
        port,
        reference[UDP].chksum,
        payload,
    )
    assert udp.checksum_ok(data, ip.src, ip.dst)

    ping = bytes(IP(src=str(SRC), dst=str(DST)) / ICMP(id=port, seq=ttl) / payload)
    _, rest = IPv4.parse(ping)
    icmp, data = Icmp.parse(rest)
    assert (icmp.ident, icmp.seq, icmp.checksum, data) == (port, ttl, IP(ping)[ICMP].chksum, payload)


@given(ipv4s)
def test_an_ipv4_header_summing_to_minus_zero_gets_checksum_zero_as_scapy_computes(ip):
    """An identification chosen so the header sums to 0xFFFF ("-0") gives checksum 0x0000, scapy's too."""
    header = IPv4(ip.src, ip.dst, ip.proto, ip.ttl, 0, ip.tos, ip.flags, 0, ip.options, checksum=0).build()
    ident = (0xFFFF - int.from_bytes(header, "big") % 0xFFFF) % 0xFFFF
    wire = IPv4(ip.src, ip.dst, ip.proto, ip.ttl, ident, ip.tos, ip.flags, 0, ip.options).build()
    assert wire[10:12] == b"\0\0"
    packet = IP(wire)
    del packet.chksum
    assert bytes(packet)[10:12] == b"\0\0"
