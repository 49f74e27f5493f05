"""DNS codec (RFC 1035): names and compression, records, round trips, scapy both ways, tshark, bad bytes."""

import shutil
import subprocess
from ipaddress import IPv4Address, IPv6Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.dns import DNS, DNSQR, DNSRR, DNSRROPT, EDNS0OPT_DISPATCHER, EDNS0TLV

from lanlab.wire import (
    Dns,
    DnsType,
    Ethernet,
    IPv4,
    MalformedError,
    Mx,
    Question,
    Rcode,
    Record,
    Soa,
    TruncatedError,
    Udp,
    WireError,
    dissect,
)
from lanlab.wire.dns import Edns
from lanlab.wire.pcap import PcapWriter
from wire_strategies import ips, u16, u32

labels = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
names = st.lists(labels, min_size=0, max_size=4).map(lambda parts: ".".join(parts) + ".")
rdata = st.one_of(
    st.tuples(st.just(DnsType.A), ips),
    st.tuples(st.just(DnsType.AAAA), st.binary(min_size=16, max_size=16).map(IPv6Address)),
    st.tuples(st.sampled_from([DnsType.NS, DnsType.CNAME, DnsType.PTR]), names),
    st.tuples(st.just(DnsType.MX), st.builds(Mx, u16, names)),
    st.tuples(st.just(DnsType.TXT), st.lists(st.binary(max_size=20), min_size=1, max_size=3).map(tuple)),
    st.tuples(st.just(DnsType.SOA), st.builds(Soa, names, names, u32, u32, u32, u32, u32)),
    st.tuples(st.integers(100, 200), st.binary(max_size=20)),
)
records = st.builds(lambda name, typed, ttl: Record(name, typed[0], typed[1], ttl), names, rdata, u32)
messages = st.builds(
    Dns,
    u16,
    st.lists(st.builds(Question, names, u16, u16), max_size=3).map(tuple),
    *[st.lists(records, max_size=3).map(tuple)] * 3,
    st.integers(0, 1),
    st.integers(0, 15),
    st.integers(0, 1),
    st.integers(0, 1),
    st.integers(0, 1),
    st.integers(0, 1),
    st.integers(0, 7),
    st.integers(0, 15),
)


@given(messages)
def test_parse_of_build_gives_the_message_back(message):
    """Any message, names compressed on the way out, parses back to itself."""
    parsed, rest = Dns.parse(message.build())
    assert parsed == message and rest == b""


@given(messages)
def test_build_of_parse_gives_the_bytes_back(message):
    """Bytes we built rebuild byte for byte (compression is deterministic)."""
    wire = message.build()
    assert Dns.parse(wire)[0].build() == wire


def test_names_are_compressed_as_rfc_1035_4_1_4_shows():
    """A repeated suffix becomes a pointer to where it was first written: the answer's name points at the question."""
    reply = Dns.query(0x1A2B, "pc3.lab").reply(
        [Record("pc3.lab.", DnsType.A, IPv4Address("198.18.0.3"), 60), Record("lab.", DnsType.NS, "ns.lab.", 60)]
    )
    wire = reply.build()
    assert wire[25:27] == b"\xc0\x0c"  # the answer (after 12 + 9 + 4 bytes) names the question at offset 12
    assert b"\x02ns\xc0\x10" in wire  # "ns" then a pointer to "lab." inside the question's name
    assert len(wire) < len(Dns.query(1, "x").build()) + 60


def test_pointer_loops_and_forward_pointers_are_malformed():
    """A name that points at itself or forwards (a loop needs one) is a MalformedError, not a hang."""
    head = bytes.fromhex("12340100000100000000 0000".replace(" ", ""))
    for name in (b"\xc0\x0c", b"\x01a\xc0\x0e", b"\xc0\x20"):
        with pytest.raises(MalformedError, match="does not point back"):
            Dns.parse(head + name + b"\x00\x01\x00\x01" + bytes(20))


@pytest.mark.parametrize(
    "name, error",
    [
        (b"\x05abc", TruncatedError),  # label runs past the end
        (b"\x03abc", TruncatedError),  # no terminating root label
        (b"\x80abc\x00", MalformedError),  # reserved label type 10
        (b"\x01a\xc0", TruncatedError),  # a pointer cut after its first byte
        ((b"\x3f" + b"a" * 63) * 4 + b"\x00", MalformedError),  # 257 bytes: longer than 255
    ],
)
def test_bad_names_are_wire_errors(name, error):
    """Truncated names, reserved label types and over-long names raise the right WireError."""
    head = bytes.fromhex("123401000001000000000000")
    with pytest.raises(error):
        Dns.parse(head + name + b"\x00\x01\x00\x01")


def test_record_data_of_the_wrong_size_is_malformed():
    """An A record whose rdata is 3 bytes is refused naming the type."""
    good = Dns(1, (), (Record("a.", DnsType.A, IPv4Address("198.18.0.1")),), qr=1).build()
    bad = good[:-6] + b"\x00\x03" + good[-4:-1]
    with pytest.raises(MalformedError, match="not a valid A record"):
        Dns.parse(bad)


def test_building_refuses_labels_and_names_that_do_not_fit():
    """A 64-byte label or a 300-byte name cannot be built."""
    with pytest.raises(MalformedError):
        Dns.query(1, "a" * 64 + ".lab").build()
    with pytest.raises(MalformedError):
        Dns.query(1, ".".join(["abcdefghi"] * 30)).build()


@given(st.binary(max_size=200))
def test_random_bytes_raise_only_wire_error(data):
    """Any bytes parse or raise WireError; a parsed message can be summarised."""
    try:
        message = Dns.parse(data)[0]
    except WireError:
        return
    message.summary()


@settings(max_examples=50)
@given(u16, names.filter(lambda n: n != "."), ips)
def test_scapy_reads_our_reply(ident, name, address):
    """scapy reads our compressed reply: id, flags, question and answer."""
    ours = Dns.query(ident, name).reply([Record(name, DnsType.A, address, 300)])
    theirs = DNS(ours.build())
    assert (theirs.id, theirs.qr, theirs.aa, theirs.rd, theirs.rcode) == (ident, 1, 1, 1, 0)
    assert theirs.qd[0].qname.decode() == name and theirs.an[0].rdata == str(address) and theirs.an[0].ttl == 300


def test_we_read_scapys_query_and_reply():
    """A query and an NXDOMAIN reply scapy builds parse to the same fields with us."""
    query = bytes(DNS(id=7, rd=1, qd=DNSQR(qname="pc3.lab.", qtype="A")))
    assert Dns.parse(query)[0] == Dns.query(7, "pc3.lab")
    reply = bytes(
        DNS(
            id=7,
            qr=1,
            aa=1,
            rcode=3,
            qd=DNSQR(qname="nope.lab."),
            ns=DNSRR(rrname="lab.", type="A", rdata="198.18.0.53", ttl=5),
        )
    )
    parsed = Dns.parse(reply)[0]
    assert parsed.rcode == Rcode.NXDOMAIN and parsed.authorities[0].data == IPv4Address("198.18.0.53")
    assert "No such name" in parsed.summary()


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
def test_tshark_reads_our_messages_with_our_info_line(tmp_path):
    """tshark decodes a query and a compressed reply we build with no malformed field, and its Info is ours."""
    query = Dns.query(0x1A2B, "pc3.lab")
    reply = query.reply(
        [
            Record("pc3.lab.", DnsType.CNAME, "host3.lab.", 60),
            Record("host3.lab.", DnsType.A, IPv4Address("198.18.0.3"), 60),
        ]
    )
    client, server = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.53")
    frames = []
    for message, (src, dst, sport, dport) in (
        (query, (client, server, 40000, 53)),
        (reply, (server, client, 53, 40000)),
    ):
        udp = Udp(sport, dport).build(message.build(), src, dst)
        frames.append(Ethernet("02:5e:00:00:00:02", "02:5e:00:00:00:01", 0x0800).build(IPv4(src, dst, 17).build(udp)))
    path = tmp_path / "dns.pcap"
    with path.open("wb") as file:
        writer = PcapWriter(file)
        for i, frame in enumerate(frames):
            writer.write(i * 1_000_000, frame)
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(path),
            "-T",
            "fields",
            "-e",
            "dns.id",
            "-e",
            "dns.count.answers",
            "-e",
            "dns.a",
            "-e",
            "dns.cname",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.col.Info",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("\t") for line in out.rstrip("\n").splitlines()]
    assert rows[0][:2] == ["0x1a2b", "0"] and rows[1][:4] == ["0x1a2b", "2", "198.18.0.3", "host3.lab"]
    assert [r[4] for r in rows] == ["", ""]
    assert [r[5] for r in rows] == [dissect(f).info for f in frames]


edns = st.builds(
    Edns,
    u16,
    st.integers(0, 255),
    st.integers(0, 255),
    st.booleans(),
    st.lists(st.tuples(u16, st.binary(max_size=12)), max_size=3).map(tuple),
)


@given(edns, messages)
def test_edns_rides_an_opt_record_and_comes_back(value, message):
    """RFC 6891 6.1: an Edns written as the OPT record of a message's additional section reads back
    the same, size, extended RCODE, version, DO and options, through the message's bytes."""
    sent = Dns(message.id, message.questions, additionals=(value.record(),))
    parsed = Dns.parse(sent.build())[0]
    assert parsed.edns == value and len(parsed.opts) == 1 and parsed.opts[0].name == "."


# Option codes scapy reads as plain TLVs: the ones it has a class for (OWN, DAU, client subnet, cookie...)
# it dissects by their own layout, which arbitrary bytes need not follow
scapy_generic_edns = edns.filter(lambda value: all(code not in EDNS0OPT_DISPATCHER for code, _ in value.options))


@given(scapy_generic_edns)
def test_scapy_reads_our_opt_record(value):
    """scapy's DNSRROPT sees our OPT's payload size, extended RCODE, version, DO bit and options."""
    theirs = DNS(Dns(1, (Question("pc3.lab."),), additionals=(value.record(),)).build()).ar[0]
    assert (theirs.type, theirs.rclass, theirs.extrcode, theirs.version) == (
        41,
        value.udp_size,
        value.extended_rcode,
        value.version,
    )
    assert bool(theirs.z & 0x8000) == value.do
    assert [(o.optcode, o.optdata) for o in theirs.rdata] == [(c, d) for c, d in value.options]


def test_we_read_scapys_opt_record():
    """scapy's query with EDNS(0), 4096 bytes, DO set and a COOKIE option: our Edns says the same."""
    query = DNS(
        id=9,
        qd=DNSQR(qname="pc3.lab."),
        ar=DNSRROPT(rclass=4096, z=0x8000, rdata=[EDNS0TLV(optcode=10, optdata=b"12345678")]),
    )
    assert Dns.parse(bytes(query))[0].edns == Edns(4096, 0, 0, True, ((10, b"12345678"),))


def test_an_option_that_overruns_its_record_is_a_wire_error():
    """An OPT whose option says more bytes than the record holds is refused, not read past."""
    record = Record(".", DnsType.OPT, b"\x00\x0a\x00\x08abc", 0, 1232)
    with pytest.raises(TruncatedError):
        Edns.of(record)


def test_a_name_that_cannot_be_on_the_wire_is_shown_with_its_controls_escaped_too():
    """A question built by hand for "a..\\x1b[2J" (an empty label: never on the wire) is summarised with ESC as
    \\x1b, as a valid name's would be; it was shown raw, so printing the summary could clear a terminal."""
    summary = Dns(1, questions=(Question("a..\x1b[2J\u202e"),)).summary()
    assert "\x1b" not in summary and "\u202e" not in summary
    assert "A a..\\x1b[2J\\u202e" in summary
