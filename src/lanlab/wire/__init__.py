"""Codecs: frozen header dataclasses, parse(bytes) and build(); pcap and pcapng. No state, no clock, no sockets.

Every header: `Cls.parse(data) -> (header, payload)`, `h.build(payload=b"") -> bytes`; lengths and
checksums that are None are computed by build; errors are WireError (TruncatedError, MalformedError).

How a protocol module is written (wire/tcp.py, wire/rip.py, wire/stp.py follow udp.py):

1. Declare the header once: the dataclass body is the Python API (constructor order, defaults),
   the `layout` is the wire format in wire order, built from fields.u8/u16/u32/mac/ipv4, const(...)
   for fixed values and bits(code, (name, width), ...) for bit fields (see fields.py):

       @header("UDP", layout=(u16("src_port"), u16("dst_port"), u16("length"), u16("checksum")))
       class Udp:
           src_port: int
           dst_port: int
           length: int | None = None
           checksum: int | None = None

   The decorator makes it a frozen slotted dataclass and generates `_unpack`, `_pack`, a fast
   constructor, `_new` (positional constructor for parsers) and, when every field is on the wire,
   `parse` and `build`. A header whose length is on the wire passes extent=Extent(header_length=...,
   payload_end=..., tail=..., tail_parser=...) and still gets a generated parse (ipv4.py: IHL, total
   length, options; udp.py: length; tcp.py: data offset, options parsed to objects, flags converted
   by a Leaf(..., convert=...)).
   Computed fields (lengths, checksums) mean writing build yourself over `_pack` (udp.py, ipv4.py);
   a parse the layout cannot express is written over `_unpack`/`_new` (ethernet.Dot3, rip.py).
   A layout name starting with "_" is a wire value that is not a field (IPv4's IHL).
   Raise only WireError: use errors.truncated(...) / errors.malformed(...) (header, field, offset).
   Checksums: checksum.internet_checksum(data, initial) and checksum.pseudo_header_sum(src, dst, proto, length).

2. Register it with the dissector at the bottom of the module (registry.py explains the arguments):

       register(Udp, under=[("ip_proto", 17)],
                next_keys=lambda h: [("udp_port", h.dst_port), ("udp_port", h.src_port)],
                summary=lambda h, below, payload: ("UDP", f"{h.src_port} → {h.dst_port} Len={len(payload)}"))

   e.g. Tcp: under=[("ip_proto", 6)]; Rip: under=[("udp_port", 520)]; Bpdu: under=[("llc_sap", 0x42)].

3. Import the module below (one line) and re-export its public names, so that importing
   lanlab.wire registers every codec: the core knows the modules only through this list.
"""

from lanlab.wire import arp, dhcp, dns, ethernet, icmp, ipv4, rip, stp, tcp, udp  # noqa: F401 - importing registers the codecs
from lanlab.wire.arp import Arp, ArpOp
from lanlab.wire.checksum import internet_checksum, pseudo_header_sum
from lanlab.wire.dhcp import BootOp, Dhcp, DhcpMessageType, DhcpOption, DhcpOptionCode
from lanlab.wire.dissect import Dissection, describe, dissect
from lanlab.wire.errors import MalformedError, TruncatedError, WireError
from lanlab.wire.dns import Dns, DnsClass, DnsType, Mx, Question, Rcode, Record, Soa
from lanlab.wire.ethernet import Dot3, EtherType, Ethernet, Llc
from lanlab.wire.fields import wire_fields
from lanlab.wire.icmp import Icmp, IcmpType, TimeExceededCode, UnreachableCode, quote
from lanlab.wire.ipv4 import IPv4, IpFlags, IpProto
from lanlab.wire.mac import MacAddress
from lanlab.wire.pcap import PcapReader, PcapWriter
from lanlab.wire.pcapng import PcapngReader, PcapngWriter
from lanlab.wire.rip import Rip, RipAuth, RipCommand, RipEntry
from lanlab.wire.stp import STP_MULTICAST, Bpdu, BpduFlags, BpduRole, BpduType, BridgeId
from lanlab.wire.tcp import (
    Eol,
    Mss,
    Nop,
    PartialTcp,
    Sack,
    SackPermitted,
    Tcp,
    TcpFlags,
    TcpOption,
    Timestamps,
    UnknownOption,
    WindowScale,
)
from lanlab.wire.udp import Udp

__all__ = [
    "Arp",
    "ArpOp",
    "Dissection",
    "Dot3",
    "EtherType",
    "Ethernet",
    "IPv4",
    "Icmp",
    "IcmpType",
    "IpFlags",
    "IpProto",
    "Llc",
    "MacAddress",
    "MalformedError",
    "PcapReader",
    "PcapWriter",
    "PcapngReader",
    "PcapngWriter",
    "Rip",
    "RipAuth",
    "RipCommand",
    "RipEntry",
    "TimeExceededCode",
    "TruncatedError",
    "Udp",
    "UnreachableCode",
    "WireError",
    "Eol",
    "Mss",
    "Nop",
    "PartialTcp",
    "Sack",
    "SackPermitted",
    "Tcp",
    "TcpFlags",
    "TcpOption",
    "Timestamps",
    "UnknownOption",
    "WindowScale",
    "BootOp",
    "Dhcp",
    "DhcpMessageType",
    "DhcpOption",
    "DhcpOptionCode",
    "Dns",
    "DnsClass",
    "DnsType",
    "Mx",
    "Question",
    "Rcode",
    "Record",
    "Soa",
    "Bpdu",
    "BpduFlags",
    "BpduRole",
    "BpduType",
    "BridgeId",
    "STP_MULTICAST",
    "describe",
    "dissect",
    "internet_checksum",
    "pseudo_header_sum",
    "quote",
    "wire_fields",
]
