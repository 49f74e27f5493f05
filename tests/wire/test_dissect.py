"""dissect() and describe(): layers, tshark-like protocol and info, endpoints, malformed frames."""

import pytest

from lanlab.wire import Arp, Ethernet, Icmp, IPv4, Udp, describe, dissect
from wire_samples import A_IP, A_MAC, B_IP, SAMPLES, ip_frame, udp_frame


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
        IPv4(A_IP, B_IP, 17, ident=0x1234, frag_offset=185).build(b"x" * 16))
    d = dissect(frame)
    assert d.protocol == "IPv4" and d.info.startswith("Fragmented IP protocol (proto=17, off=1480, ID=1234)")


def test_malformed_upper_layer_keeps_what_parsed():
    """A frame whose UDP length lies keeps Ethernet and IPv4 and reports the malformed part."""
    frame = bytearray(udp_frame(b"abc"))
    frame[14 + 20 + 4 : 14 + 20 + 6] = (200).to_bytes(2, "big")
    d = dissect(bytes(frame))
    assert [type(h) for h in d.headers] == [Ethernet, IPv4] and "UDP" in d.error and "Malformed" in d.info
