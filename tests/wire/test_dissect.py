"""dissect() and describe(): layers, tshark-like protocol and info, endpoints, malformed frames."""

import pytest

from lanlab.wire import Arp, Ethernet, EtherType, Icmp, IpProto, IPv4, Tcp, TcpFlags, Udp, describe, dissect
from wire_samples import A_IP, A_MAC, B_IP, B_MAC, SAMPLES, ip_frame, udp_frame


@pytest.mark.parametrize(("frame", "protocol", "info"), SAMPLES, ids=[s[2][:30] for s in SAMPLES])
def test_dissect_names_protocol_and_info(frame, protocol, info):
    """Each sample frame gets tshark's protocol name and info line."""
    d = dissect(frame)
    assert (d.protocol, d.info, d.error) == (protocol, info, None)


@pytest.mark.parametrize(("frame", "protocol", "info"), SAMPLES, ids=[s[2][:30] for s in SAMPLES])
def test_describe_gives_the_same_summary_from_headers(frame, protocol, info):
    """describe() on the header objects (no bytes built) agrees with dissect()."""
    layers = dissect(frame).layers
    assert describe(layers) == (protocol, info)
    assert describe(layers[:-1])[0] == protocol


def test_dissect_layers_and_endpoints():
    """A UDP frame dissects to Ethernet, IPv4, Udp and the payload; endpoints are the IP addresses."""
    d = dissect(udp_frame(b"payload"))
    assert [type(h) for h in d.headers] == [Ethernet, IPv4, Udp] and d.payload == b"payload"
    assert (d.src, d.dst) == (str(A_IP), str(B_IP))


def test_arp_endpoints_are_macs():
    """Without an IP layer the endpoints are the Ethernet addresses, as in tshark."""
    d = dissect(SAMPLES[0][0])
    assert isinstance(d.headers[1], Arp) and (d.src, d.dst) == (str(A_MAC), "ff:ff:ff:ff:ff:ff")


def test_ethernet_padding_is_not_payload():
    """Padding to the 60-byte Ethernet minimum is dropped by IPv4's total length."""
    frame = ip_frame(1, Icmp.echo(1, 2).build())
    d = dissect(frame + b"\x00" * (60 - len(frame)))
    assert d.payload == b"" and d.protocol == "ICMP"


def test_later_fragments_are_not_parsed_as_transport():
    """A non-first fragment is only IPv4: its payload does not start with a UDP header."""
    from lanlab.wire import EtherType, MacAddress

    frame = Ethernet(MacAddress(2), MacAddress(1), EtherType.IPV4).build(
        IPv4(A_IP, B_IP, 17, ident=0x1234, frag_offset=185).build(b"x" * 16)
    )
    d = dissect(frame)
    assert d.protocol == "IPv4" and d.info.startswith("Fragmented IP protocol (proto=17, off=1480, ID=1234)")


def test_malformed_upper_layer_keeps_what_parsed():
    """A frame whose UDP length lies keeps Ethernet and IPv4 and reports the malformed part."""
    frame = bytearray(udp_frame(b"abc"))
    frame[14 + 20 + 4 : 14 + 20 + 6] = (200).to_bytes(2, "big")
    d = dissect(bytes(frame))
    assert [type(h) for h in d.headers] == [Ethernet, IPv4] and "UDP" in d.error and "Malformed" in d.info


def test_frame_cut_by_snaplen_keeps_its_whole_headers():
    """Given its length on the wire, a frame cut inside the UDP payload keeps Ethernet, IPv4 and UDP, not Malformed."""
    frame = udp_frame(b"x" * 100)
    d = dissect(frame[:50], wire_length=len(frame))
    assert d.error is None and d.protocol == "UDP" and d.info == "40000 → 7788 Len=100"  # tshark's, to the byte
    assert [type(h).__name__ for h in d.headers] == ["Ethernet", "IPv4", "Udp"] and len(d.payload) == 50 - 42
    assert d.cut_short is None  # no header was cut: tshark marks nothing either
    cut_header = dissect(frame[:38], wire_length=len(frame))  # 4 bytes of the UDP header
    assert cut_header.error is None and cut_header.cut_short == "UDP cut short by snaplen"
    assert cut_header.info.endswith("[Packet size limited during capture]")


def test_length_beyond_the_wire_length_is_still_malformed():
    """A declared length past what was on the wire is an error, snaplen or not; without wire_length as before."""
    frame = udp_frame(b"x" * 100)
    assert dissect(frame[:50], wire_length=60).error is not None
    assert dissect(frame[:50]).error is not None and dissect(frame[:50]).cut_short is None


def test_tcp_header_cut_by_snaplen_shows_ports_and_sequence_number():
    """A TCP header cut after 8 bytes gives its first fields (PartialTcp), as tshark shows them."""
    from lanlab.wire.tcp import PartialTcp

    segment = Tcp(1234, 80, 99, 0, TcpFlags.SYN, 65535).build(b"", A_IP, B_IP)
    frame = Ethernet(B_MAC, A_MAC, EtherType.IPV4).build(IPv4(A_IP, B_IP, IpProto.TCP).build(segment))
    d = dissect(frame[: 14 + 20 + 10], wire_length=len(frame))
    assert d.headers[-1] == PartialTcp(1234, 80, 99) and d.cut_short == "TCP cut short by snaplen" and d.error is None
