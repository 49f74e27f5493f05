"""Hypothesis strategies for every header of lanlab.wire, shared by the wire tests."""

from ipaddress import IPv4Address

from hypothesis import strategies as st

from lanlab.wire import Arp, Dot3, Ethernet, Icmp, IPv4, Llc, MacAddress, Udp

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
macs = st.binary(min_size=6, max_size=6).map(MacAddress)
ips = u32.map(IPv4Address)
payloads = st.binary(max_size=64)
optional_u16 = st.none() | u16

ethernets = st.builds(Ethernet, macs, macs, st.integers(0x0600, 0xFFFF))
dot3s = st.builds(Dot3, macs, macs, st.none())
llcs = st.builds(Llc, u8, u8, u8)
arps = st.builds(Arp, st.integers(1, 4), macs, ips, macs, ips)
ipv4s = st.builds(
    IPv4,
    ips,
    ips,
    u8,
    ttl=u8,
    ident=u16,
    tos=u8,
    flags=st.integers(0, 7),
    frag_offset=st.integers(0, 0x1FFF),
    options=st.integers(0, 10).flatmap(lambda words: st.binary(min_size=4 * words, max_size=4 * words)),
    checksum=optional_u16,
)
icmps = st.builds(Icmp, u8, u8, u32, optional_u16)
udps = st.builds(Udp, u16, u16, st.none(), optional_u16)

# header strategy -> how many bytes of payload its build() may be given and parse() gives back whole
HEADERS = {
    "Ethernet": ethernets,
    "Dot3": dot3s,
    "Llc": llcs,
    "Arp": arps,
    "IPv4": ipv4s,
    "Icmp": icmps,
    "Udp": udps,
}
