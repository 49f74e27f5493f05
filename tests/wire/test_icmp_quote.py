"""ICMP errors: the datagram they quote is decoded (IPv4 header, UDP/TCP ports), as tshark does."""

import shutil

import pytest
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import Ether

from lanlab.wire import IPv4, Icmp, IcmpType, Tcp, dissect
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.tcp import PartialTcp
from tshark_fields import all_fields, comparable, disagreements, ours_by_field, tshark_by_frame

OUTER = {"src": "198.18.1.1", "dst": "198.18.0.2"}
QUOTED = IP(src="198.18.0.2", dst="198.18.9.9", ttl=1, id=77)


def error_frame(icmp: ICMP, quoted, keep: int | None = 8) -> bytes:
    """An ICMP error built by scapy, quoting `quoted`'s IP header and `keep` bytes of its data (None: all)."""
    datagram = bytes(quoted)
    header = (datagram[0] & 0x0F) * 4
    quote = datagram if keep is None else datagram[: header + keep]
    return bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(**OUTER) / icmp / quote)


CASES = [  # (ICMP header, quoted datagram, bytes of its data kept, the quote in a few words)
    (ICMP(type=3, code=3), QUOTED / UDP(sport=40000, dport=9) / b"hello", 8, "UDP 198.18.0.2:40000 → 198.18.9.9:9"),
    (
        ICMP(type=11, code=0),
        QUOTED / UDP(sport=33434, dport=33435) / (b"x" * 20),
        8,
        "UDP 198.18.0.2:33434 → 198.18.9.9:33435",
    ),
    (
        ICMP(type=3, code=1),
        QUOTED / TCP(sport=5555, dport=80, seq=1234, flags="S"),
        8,
        "TCP 198.18.0.2:5555 → 198.18.9.9:80",
    ),
    (
        ICMP(type=3, code=13),
        QUOTED / TCP(sport=5555, dport=443, flags="S"),
        None,
        "TCP 198.18.0.2:5555 → 198.18.9.9:443",
    ),
    (ICMP(type=5, code=1, gw="198.18.1.2"), QUOTED / UDP(sport=1, dport=2), 8, "UDP 198.18.0.2:1 → 198.18.9.9:2"),
    (ICMP(type=12, code=0, ptr=8), QUOTED / TCP(sport=7, dport=8), 8, "TCP 198.18.0.2:7 → 198.18.9.9:8"),
    (ICMP(type=4, code=0), QUOTED / UDP(sport=3, dport=4), 8, "UDP 198.18.0.2:3 → 198.18.9.9:4"),
    (ICMP(type=11, code=0), QUOTED / ICMP(type=8, id=5, seq=9), 8, "ICMP 198.18.0.2 → 198.18.9.9"),
]


@pytest.mark.parametrize(("icmp", "quoted", "keep", "words"), CASES)
def test_quoted_datagram_is_decoded_after_the_icmp_header(icmp, quoted, keep, words):
    """The quoted IPv4 header and its ports follow the ICMP layer; the frame's endpoints stay the outer ones."""
    d = dissect(error_frame(icmp, quoted, keep))
    assert d.error is None and d.cut_short is None
    assert [type(h) for h in d.headers[1:3]] == [IPv4, Icmp] and d.quoted == 3
    inner = d.headers[3]
    assert isinstance(inner, IPv4) and (str(inner.src), str(inner.dst), inner.ttl, inner.ident) == (
        "198.18.0.2",
        "198.18.9.9",
        1,
        77,
    )
    assert (d.src, d.dst, d.protocol) == ("198.18.1.1", "198.18.0.2", "ICMP")
    assert d.quote == words


def test_a_tcp_header_quoted_in_8_bytes_gives_its_ports_and_sequence_number():
    """RFC 792 quotes 64 bits of data: a TCP header is cut there, and its first three fields still show."""
    d = dissect(error_frame(ICMP(type=3, code=1), QUOTED / TCP(sport=5555, dport=80, seq=1234), 8))
    assert d.headers[-1] == PartialTcp(5555, 80, 1234)
    whole = dissect(error_frame(ICMP(type=3, code=1), QUOTED / TCP(sport=5555, dport=80, seq=1234), None))
    assert isinstance(whole.headers[-1], Tcp) and whole.headers[-1].seq == 1234


def test_icmp_errors_are_named_as_tshark_names_them():
    """Info: source quench, redirect and parameter problem in tshark's words (its %-20s padding included)."""
    infos = [dissect(error_frame(icmp, quoted, keep)).info for icmp, quoted, keep, _ in CASES]
    assert infos[4] == "Redirect             (Redirect for host)"
    assert infos[5] == "Parameter problem    (Pointer indicates the error)"
    assert infos[6] == "Source quench (flow control)"
    assert infos[3] == "Destination unreachable (Communication administratively filtered)"


def test_an_echo_is_not_taken_for_a_quote():
    """An echo request's data is payload, not a quoted datagram."""
    frame = bytes(Ether() / IP(**OUTER) / ICMP(type=8, id=1, seq=1) / bytes(QUOTED / UDP(sport=1, dport=2)))
    d = dissect(frame)
    assert d.quoted is None and d.quote is None and d.headers[-1].type == IcmpType.ECHO_REQUEST


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
def test_tshark_reads_the_same_quoted_fields(tmp_path):
    """Every field of the quoted IPv4 and UDP/TCP headers has the value tshark gives its second occurrence."""
    path = tmp_path / "icmp_errors.pcap"
    frames = [error_frame(icmp, quoted, keep) for icmp, quoted, keep, _ in CASES]
    with path.open("wb") as out:
        writer = PcapWriter(out)
        for i, frame in enumerate(frames):
            writer.write(i * 1000, frame)
    theirs = tshark_by_frame(str(path), all_fields())
    for number, frame in enumerate(frames, 1):
        d = dissect(frame)
        ours = ours_by_field(comparable(d.headers, theirs[number]))
        assert len(ours["ip.src"]) == 2 and len(theirs[number].fields["ip.src"]) == 2  # outer and quoted
        assert disagreements(ours, theirs[number].fields) == {}, number
        if d.quote.startswith(("UDP", "TCP")):
            port = "udp.srcport" if d.quote.startswith("UDP") else "tcp.srcport"
            assert ours[port] == theirs[number].fields[port]
