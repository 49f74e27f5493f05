"""Which tshark field holds each field lanlab decodes, for tests that compare the two dissectors.

FIELDS maps a header class to {our field: (tshark field, how to read ours in tshark's terms)}. Every
field of every class lanlab.wire decodes is either there or in NOT_COMPARED with the reason, and
test_every_decoded_field_is_mapped keeps it so: a new field cannot slip past the comparison.
Values are compared as tshark writes them with `-T fields` (numbers in decimal or 0x hex, addresses
as text), after `normal()`; repeated fields (the quoted IPv4 header of an ICMP error, RIP entries,
DNS records) are compared occurrence by occurrence, in wire order.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from typing import Any

from lanlab.wire import (
    Arp,
    Bpdu,
    Dhcp,
    Dns,
    Dot3,
    Ethernet,
    Icmp,
    IcmpType,
    IPv4,
    Llc,
    Question,
    Record,
    Rip,
    RipAuth,
    RipEntry,
    Tcp,
    Udp,
)
from lanlab.wire.tcp import PartialTcp

Read = Callable[[Any], Any]


def _field(name: str) -> Read:
    return lambda h: getattr(h, name)


def _plain(*pairs: tuple[str, str]) -> dict[str, tuple[str, Read]]:
    return {ours: (theirs, _field(ours)) for ours, theirs in pairs}


def _tcp_options(h: Tcp) -> str | None:
    # tshark's field spans the whole option area, the zeros after an EOL included
    raw = b"".join(option.pack() for option in h.options).ljust(h.data_offset * 4 - 20, b"\0")
    return raw.hex() if raw else None


def _dns_name(h: Question | Record) -> str:
    return h.name.rstrip(".") or "<Root>"  # tshark writes names without the final dot, the root as <Root>


ECHO = (IcmpType.ECHO_REQUEST, IcmpType.ECHO_REPLY)

FIELDS: dict[type, dict[str, tuple[str, Read]]] = {
    Ethernet: _plain(("dst", "eth.dst"), ("src", "eth.src"), ("ethertype", "eth.type")),
    Dot3: _plain(("dst", "eth.dst"), ("src", "eth.src"), ("length", "eth.len")),
    Llc: _plain(("dsap", "llc.dsap"), ("ssap", "llc.ssap"), ("control", "llc.control")),
    Arp: _plain(
        ("op", "arp.opcode"),
        ("sender_mac", "arp.src.hw_mac"),
        ("sender_ip", "arp.src.proto_ipv4"),
        ("target_mac", "arp.dst.hw_mac"),
        ("target_ip", "arp.dst.proto_ipv4"),
    ),
    IPv4: {
        **_plain(
            ("src", "ip.src"),
            ("dst", "ip.dst"),
            ("proto", "ip.proto"),
            ("ttl", "ip.ttl"),
            ("ident", "ip.id"),
            ("tos", "ip.dsfield"),
            ("flags", "ip.flags"),
            ("total_length", "ip.len"),
            ("checksum", "ip.checksum"),
            ("frag_offset", "ip.frag_offset"),
        )
    },
    Icmp: {
        **_plain(("type", "icmp.type"), ("code", "icmp.code"), ("checksum", "icmp.checksum")),
        "rest": ("icmp.ident", lambda h: h.ident if h.type in ECHO else None),
    },
    Udp: _plain(
        ("src_port", "udp.srcport"), ("dst_port", "udp.dstport"), ("length", "udp.length"), ("checksum", "udp.checksum")
    ),
    Tcp: {
        **_plain(
            ("src_port", "tcp.srcport"),
            ("dst_port", "tcp.dstport"),
            ("seq", "tcp.seq_raw"),
            ("ack", "tcp.ack_raw"),
            ("flags", "tcp.flags"),
            ("window", "tcp.window_size_value"),
            ("checksum", "tcp.checksum"),
            ("urgent", "tcp.urgent_pointer"),
        ),
        "data_offset": ("tcp.hdr_len", lambda h: h.data_offset * 4),
        "options": ("tcp.options", _tcp_options),
    },
    PartialTcp: _plain(("src_port", "tcp.srcport"), ("dst_port", "tcp.dstport"), ("seq", "tcp.seq_raw")),
    Rip: _plain(("command", "rip.command"), ("version", "rip.version")),
    RipEntry: _plain(
        ("address", "rip.ip"),
        ("metric", "rip.metric"),
        ("mask", "rip.netmask"),
        ("next_hop", "rip.next_hop"),
        ("tag", "rip.route_tag"),
        ("afi", "rip.family"),
    ),
    RipAuth: {"auth_type": ("rip.auth.type", lambda h: h.auth_type if h.auth_type != 1 else None)},
    Bpdu: {
        **_plain(
            ("bpdu_type", "stp.type"),
            ("flags", "stp.flags"),
            ("root_mac", "stp.root.hw"),
            ("root_path_cost", "stp.root.cost"),
            ("bridge_mac", "stp.bridge.hw"),
            ("port_id", "stp.port"),
            ("version", "stp.version"),
        ),
        # tshark splits a bridge priority into the priority and the 802.1t system ID extension (VLAN)
        "root_priority": ("stp.root.prio", lambda h: h.root_priority & 0xF000),
        "bridge_priority": ("stp.bridge.prio", lambda h: h.bridge_priority & 0xF000),
        # times travel in 1/256 s; tshark writes seconds
        **{
            ours: (theirs, lambda h, ours=ours: getattr(h, ours) / 256)
            for ours, theirs in (
                ("message_age", "stp.msg_age"),
                ("max_age", "stp.max_age"),
                ("hello_time", "stp.hello"),
                ("forward_delay", "stp.forward"),
            )
        },
    },
    Dhcp: _plain(
        ("op", "dhcp.type"),
        ("xid", "dhcp.id"),
        ("ciaddr", "dhcp.ip.client"),
        ("yiaddr", "dhcp.ip.your"),
        ("siaddr", "dhcp.ip.server"),
        ("giaddr", "dhcp.ip.relay"),
        ("secs", "dhcp.secs"),
        ("flags", "dhcp.flags"),
        ("hops", "dhcp.hops"),
        ("htype", "dhcp.hw.type"),
        ("hlen", "dhcp.hw.len"),
    ),
    Dns: {
        **_plain(
            ("id", "dns.id"),
            ("qr", "dns.flags.response"),
            ("opcode", "dns.flags.opcode"),
            ("aa", "dns.flags.authoritative"),
            ("tc", "dns.flags.truncated"),
            ("rd", "dns.flags.recdesired"),
            ("ra", "dns.flags.recavail"),
            ("rcode", "dns.flags.rcode"),
        ),
        # our z is the three bits RFC 1035 reserved; RFC 2535 made the last two AD and CD, which tshark shows
        "z": ("dns.flags.z", lambda h: h.z >> 2),
        "questions": ("dns.count.queries", lambda h: len(h.questions)),
        "answers": ("dns.count.answers", lambda h: len(h.answers)),
        "authorities": ("dns.count.auth_rr", lambda h: len(h.authorities)),
        "additionals": ("dns.count.add_rr", lambda h: len(h.additionals)),
    },
    Question: {**_plain(("qtype", "dns.qry.type"), ("qclass", "dns.qry.class")), "name": ("dns.qry.name", _dns_name)},
    Record: {
        **_plain(("rtype", "dns.resp.type")),
        "name": ("dns.resp.name", _dns_name),
        # an OPT record (RFC 6891 6.1.2) uses class for the UDP payload size and TTL for flags
        "ttl": ("dns.resp.ttl", lambda h: None if h.rtype == 41 else h.ttl),
        "rclass": ("dns.resp.class", lambda h: None if h.rtype == 41 else h.rclass),
    },
}

# Fields deliberately not compared, and why.
NOT_COMPARED: dict[type, dict[str, str]] = {
    IPv4: {"options": "tshark has no field with the raw option bytes (it decodes each option)"},
    Icmp: {"rest": "only an echo's identifier is one tshark field (mapped above); other types split it otherwise"},
    Bpdu: {"version1_length": "present in RSTP BPDUs only; tshark names it only there"},
    Rip: {"entries": "compared entry by entry (RipEntry, RipAuth)", "domain": "tshark shows it for RIPv1 only"},
    RipAuth: {"data": "tshark splits it by authentication type (password, key ID, digest, ...)"},
    Dhcp: {
        "chaddr_raw": "tshark shows it as a MAC only for Ethernet hardware type",
        "options": "each option is its own tshark field",
        "sname": "tshark omits it when empty",
        "file": "as sname",
        "padding": "not a field in tshark",
        "pads": "not a field in tshark",
    },
    Record: {"data": "each record type is its own tshark field"},
}
for cls in FIELDS:
    NOT_COMPARED.setdefault(cls, {})


def normal(value: Any) -> Any:
    """One spelling for numbers (tshark writes some in hex, booleans as 0/1) and addresses."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value
    text = str(value).lower()
    if text.replace(".", "", 1).isdigit() and "." in text:
        return float(text)
    if text.startswith("0x"):
        try:
            return int(text, 16)
        except ValueError:
            return text
    if text in ("true", "false"):
        return int(text == "true")
    return int(text) if text.isdigit() else text


def _walk(value: Any, out: dict[str, list[Any]]) -> None:
    """Add the tshark-named values of one header (and the entries it holds) to `out`, in wire order."""
    mapping = FIELDS.get(type(value))
    if mapping is None:
        return
    for name in (f.name for f in dataclasses.fields(value)):
        if name in mapping:
            field, read = mapping[name]
            ours = read(value)
            if ours is not None:
                out.setdefault(field, []).append(normal(ours))
        item = getattr(value, name)
        if isinstance(item, tuple) and item and dataclasses.is_dataclass(item[0]):
            for entry in item:
                _walk(entry, out)


def ours_by_field(headers: list[Any]) -> dict[str, list[Any]]:
    """tshark field -> our values for it, in the order tshark meets them (outermost header first)."""
    out: dict[str, list[Any]] = {}
    for h in headers:
        _walk(h, out)
    return out


def all_fields() -> list[str]:
    """Every tshark field FIELDS names."""
    return sorted({field for mapping in FIELDS.values() for field, _ in mapping.values()})


AGGREGATOR = "\x1f"  # between occurrences: a byte no field value holds


@dataclasses.dataclass
class TsharkFrame:
    """What tshark decoded of one frame: field values, the protocol stack, and its verdict."""

    fields: dict[str, list[Any]]
    protocols: list[str]  # frame.protocols without tshark's "ethertype" step
    malformed: bool  # [Malformed Packet]
    short: bool  # [Packet size limited during capture]


VERDICTS = ["frame.protocols", "_ws.malformed", "_ws.short"]


def tshark_by_frame(
    path: str, fields: list[str], timeout: float = 120, options: tuple[str, ...] = ()
) -> dict[int, TsharkFrame]:
    """frame number -> what tshark decodes of it, every occurrence of every field, from the capture at `path`."""
    argv = [
        "tshark",
        "-n",
        "-r",
        path,
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        f"aggregator={AGGREGATOR}",
        "-E",
        "separator=/t",
        "-o",
        "tcp.relative_sequence_numbers:FALSE",
        "-e",
        "frame.number",
    ]
    for option in options:
        argv += ["-o", option]
    for field in VERDICTS + fields:
        argv += ["-e", field]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, errors="replace")
    frames = {}
    for row in result.stdout.splitlines():
        number, protocols, malformed, short, *values = row.split("\t")
        if not number.isdigit():
            continue
        frames[int(number)] = TsharkFrame(
            {field: [normal(v) for v in value.split(AGGREGATOR)] for field, value in zip(fields, values) if value},
            [p for p in protocols.split(":") if p != "ethertype"],
            bool(malformed),
            bool(short),
        )
    return frames


# Our layer classes by the name tshark gives their protocol in frame.protocols.
PROTOCOLS = {
    Ethernet: "eth",
    Dot3: "eth",
    Llc: "llc",
    Arp: "arp",
    IPv4: "ip",
    Icmp: "icmp",
    Udp: "udp",
    Tcp: "tcp",
    PartialTcp: "tcp",
    Rip: "rip",
    Bpdu: "stp",
    Dhcp: "dhcp",
    Dns: "dns",
}
ISL_MULTICAST = "01:00:0c:00:00:00"  # Cisco ISL: tshark reads such a frame as ISL, with its own fields


def comparable(headers: list[Any], theirs: TsharkFrame) -> list[Any]:
    """Our headers that tshark decoded as the same protocols in the same order (the common start of both
    stacks): a field is compared only where both dissectors read the same header."""
    if headers and str(getattr(headers[0], "dst", "")) == ISL_MULTICAST:
        return []
    count = 0
    for h, protocol in zip(headers, theirs.protocols):
        if PROTOCOLS.get(type(h)) != protocol:
            break
        count += 1
    return headers[:count]


def disagreements(ours: dict[str, list[Any]], theirs: dict[str, list[Any]]) -> dict[str, tuple[Any, Any]]:
    """The fields both decoded whose values differ: {field: (ours, theirs)}, occurrence by occurrence."""
    differing = {}
    for field, values in ours.items():
        their_values = theirs.get(field)
        if not their_values:
            continue  # tshark did not decode it: nothing to agree on
        count = min(len(values), len(their_values))
        if values[:count] != their_values[:count]:
            differing[field] = (values[:count], their_values[:count])
    return differing
