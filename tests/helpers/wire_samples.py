"""One frame of every kind lanlab.wire builds, with the summary tshark gives it (shared by wire and cli tests)."""

from ipaddress import IPv4Address

from lanlab.wire import (
    Arp,
    ArpOp,
    Dot3,
    EtherType,
    Ethernet,
    Icmp,
    IcmpType,
    IPv4,
    IpProto,
    Llc,
    MacAddress,
    TimeExceededCode,
    Udp,
    UnreachableCode,
    quote,
)

A_MAC, B_MAC = MacAddress("02:00:00:00:00:01"), MacAddress("02:00:00:00:00:02")
A_IP, B_IP = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2")


def ip_frame(proto: int, transport: bytes, ttl: int = 64, src=A_IP, dst=B_IP) -> bytes:
    """An Ethernet/IPv4 frame from A to B carrying already-built transport bytes."""
    return Ethernet(B_MAC, A_MAC, EtherType.IPV4).build(IPv4(src, dst, proto, ttl=ttl, ident=7).build(transport))


def udp_frame(payload: bytes = b"hello", sport: int = 40000, dport: int = 7788) -> bytes:
    """An Ethernet/IPv4/UDP frame with a pseudo-header checksum."""
    return ip_frame(IpProto.UDP, Udp(sport, dport).build(payload, A_IP, B_IP))


def icmp_error(icmp_type: int, code: int, rest: int = 0) -> bytes:
    """An ICMP error from B about a UDP datagram A sent, quoting its header + 8 bytes."""
    offending = IPv4(A_IP, B_IP, IpProto.UDP).build(Udp(40000, 7788).build(b"x" * 20, A_IP, B_IP))
    return ip_frame(IpProto.ICMP, Icmp(icmp_type, code, rest).build(quote(offending)), src=B_IP, dst=A_IP)


def arp_frame(op: int, ethertype: int = EtherType.ARP) -> bytes:
    """An ARP (or RARP) frame; requests broadcast, replies unicast."""
    request = op in (ArpOp.REQUEST, ArpOp.RARP_REQUEST)
    if op == ArpOp.REQUEST:
        arp = Arp(op, A_MAC, A_IP, MacAddress(0), B_IP)
    elif op == ArpOp.REPLY:
        arp = Arp(op, B_MAC, B_IP, A_MAC, A_IP)
    elif op == ArpOp.RARP_REQUEST:
        arp = Arp(op, A_MAC, IPv4Address(0), A_MAC, IPv4Address(0))
    else:
        arp = Arp(op, B_MAC, B_IP, A_MAC, A_IP)
    return Ethernet(MacAddress.BROADCAST if request else A_MAC, A_MAC if request else B_MAC, ethertype).build(
        arp.build()
    )


def llc_frame() -> bytes:
    """An 802.3/LLC frame to the STP group address with an opaque payload."""
    return Dot3(MacAddress("01:80:c2:00:00:00"), A_MAC).build(Llc(0x42, 0x42, 0x03).build(b"\x00" * 35))


# (frame, protocol, info) as lanlab's dissector (and, modulo tshark's extra detail, tshark) summarises them
SAMPLES = [
    (arp_frame(ArpOp.REQUEST), "ARP", "Who has 198.18.0.2? Tell 198.18.0.1"),
    (arp_frame(ArpOp.REPLY), "ARP", "198.18.0.2 is at 02:00:00:00:00:02"),
    (arp_frame(ArpOp.RARP_REQUEST, EtherType.RARP), "RARP", "Who is 02:00:00:00:00:01? Tell 02:00:00:00:00:01"),
    (arp_frame(ArpOp.RARP_REPLY, EtherType.RARP), "RARP", "02:00:00:00:00:01 is at 198.18.0.1"),
    (
        ip_frame(IpProto.ICMP, Icmp.echo(1, 1).build(b"abcdefgh" * 4)),
        "ICMP",
        "Echo (ping) request id=0x0001, seq=1, ttl=64",
    ),
    (
        ip_frame(IpProto.ICMP, Icmp.echo(1, 1, reply=True).build(b"abcdefgh" * 4), ttl=63),
        "ICMP",
        "Echo (ping) reply id=0x0001, seq=1, ttl=63",
    ),
    (
        icmp_error(IcmpType.DEST_UNREACHABLE, UnreachableCode.NET),
        "ICMP",
        "Destination unreachable (Network unreachable)",
    ),
    (icmp_error(IcmpType.DEST_UNREACHABLE, UnreachableCode.HOST), "ICMP", "Destination unreachable (Host unreachable)"),
    (icmp_error(IcmpType.DEST_UNREACHABLE, UnreachableCode.PORT), "ICMP", "Destination unreachable (Port unreachable)"),
    (
        icmp_error(IcmpType.DEST_UNREACHABLE, UnreachableCode.FRAG_NEEDED, 1400),
        "ICMP",
        "Destination unreachable (Fragmentation needed)",
    ),
    (
        icmp_error(IcmpType.TIME_EXCEEDED, TimeExceededCode.TTL),
        "ICMP",
        "Time-to-live exceeded (Time to live exceeded in transit)",
    ),
    (udp_frame(), "UDP", "40000 → 7788 Len=5"),
    (llc_frame(), "STP", "Conf. Root = 0/0/00:00:00:00:00:00  Cost = 0  Port = 0x0000"),  # 35 zeros: a BPDU
]


def rip_frame(rip) -> bytes:
    """A RIP message from A's port 520 to the RIPv2 multicast group."""
    from lanlab.wire.rip import RIP_MULTICAST, RIP_PORT

    datagram = Udp(RIP_PORT, RIP_PORT).build(rip.build(), A_IP, RIP_MULTICAST)
    return Ethernet(MacAddress("01:00:5e:00:00:09"), A_MAC, EtherType.IPV4).build(
        IPv4(A_IP, RIP_MULTICAST, IpProto.UDP, ttl=1).build(datagram)
    )


def _rip_samples() -> list:
    from lanlab.wire.rip import Rip, RipAuth, RipCommand, RipEntry

    response = Rip(
        RipCommand.RESPONSE,
        2,
        (
            RipAuth.password("lanlab"),
            RipEntry(IPv4Address("198.18.1.0"), 1, IPv4Address("255.255.255.0")),
            RipEntry(IPv4Address("198.18.2.0"), 16, IPv4Address("255.255.255.0")),
        ),
    )
    request = Rip(RipCommand.REQUEST, 1, (RipEntry(IPv4Address(0), 16, afi=0),))
    return [(rip_frame(response), "RIPv2", "Response"), (rip_frame(request), "RIPv1", "Request")]


SAMPLES += _rip_samples()


def tcp_frame(flags, options=(), payload: bytes = b"", seq: int = 1000, ack: int = 0, sport: int = 40000) -> bytes:
    """An Ethernet/IPv4/TCP frame from A:sport to B:7000 with a pseudo-header checksum."""
    from lanlab.wire.tcp import Tcp

    segment = Tcp(sport, 7000, seq, ack, flags, 64240, options=options).build(payload, A_IP, B_IP)
    return ip_frame(IpProto.TCP, segment)


def _tcp_samples() -> list:
    from lanlab.wire.tcp import Mss, Nop, SackPermitted, TcpFlags, Timestamps, WindowScale

    syn = (Mss(1460), SackPermitted(), Timestamps(1, 0), Nop(), WindowScale(7))
    return [  # the SYN on a port of its own: tshark would scale the later segments' window by its WS
        (
            tcp_frame(TcpFlags.SYN, syn, sport=40001),
            "TCP",
            "40001 → 7000 [SYN] Seq=1000 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=1 TSecr=0 WS=128",
        ),
        (
            tcp_frame(TcpFlags.PSH | TcpFlags.ACK, (Nop(), Nop(), Timestamps(5, 1)), b"hello tcp", 1001, 2001),
            "TCP",
            "40000 → 7000 [PSH, ACK] Seq=1001 Ack=2001 Win=64240 Len=9 TSval=5 TSecr=1",
        ),
        (
            tcp_frame(TcpFlags.FIN | TcpFlags.ACK, (), b"", 1010, 2001),
            "TCP",
            "40000 → 7000 [FIN, ACK] Seq=1010 Ack=2001 Win=64240 Len=0",
        ),
    ]


SAMPLES += _tcp_samples()


def bpdu_frame(bpdu) -> bytes:
    """A BPDU in 802.3/LLC to the bridge group address."""
    from lanlab.wire.stp import STP_MULTICAST

    return Dot3(STP_MULTICAST, A_MAC).build(Llc().build(bpdu.build()))


def _stp_samples() -> list:
    from lanlab.wire.stp import Bpdu, BpduFlags, BpduType

    config = Bpdu(BpduType.CONFIG, 0, 32768, A_MAC, 4, 32768, B_MAC, 0x8002)
    rst = Bpdu(
        BpduType.RST,
        BpduFlags.TC | BpduFlags.LEARNING | BpduFlags.FORWARDING | (3 << 2),
        4096,
        A_MAC,
        0,
        4096,
        A_MAC,
        0x8001,
        version=2,
    )
    return [
        (bpdu_frame(config), "STP", "Conf. Root = 32768/0/02:00:00:00:00:01  Cost = 4  Port = 0x8002"),
        (bpdu_frame(rst), "STP", "RST. TC + Root = 4096/0/02:00:00:00:00:01  Cost = 0  Port = 0x8001"),
        (bpdu_frame(Bpdu(BpduType.TCN)), "STP", "Topology Change Notification"),
    ]


SAMPLES += _stp_samples()
