"""Captures from tcpdump's test suite (tests/wire/data, BSD licence): the frames decode once read wrongly."""

import shutil
import subprocess
from pathlib import Path

import pytest

from lanlab.cli.decode import read_capture
from lanlab.wire import IPv4, Rip, RipAuth, Udp
from lanlab.wire.pcap import PcapReader, split_linktype

DATA = Path(__file__).parent / "data"


def frames(name):
    with (DATA / name).open("rb") as capture:
        return list(read_capture(capture))


def test_snaplen_cut_frame_keeps_its_whole_headers():
    """dns_udp_2.pcap frame 2 (98 of 266 bytes): IPv4 and UDP decoded, DNS said to be cut short, not Malformed."""
    frame = frames("dns_udp_2.pcap")[1]
    assert (len(frame.data), frame.wire_length) == (98, 266)
    d = frame.dissect()
    assert d.error is None and d.cut_short == "DNS cut short by snaplen"
    ip, udp = d.headers[1:3]
    assert isinstance(ip, IPv4) and ip.total_length == 252 and isinstance(udp, Udp) and udp.length == 232
    assert (d.src, d.dst) == ("209.87.249.18", "192.168.1.11")
    assert d.info == "53 → 43966 Len=224 [Packet size limited during capture]"  # Len from the length field
    assert len(d.payload) == 98 - 14 - 20 - 8  # what was captured of the DNS message


@pytest.mark.parametrize("number", range(5, 13))
def test_hmac_sha_authenticated_ripv2_is_decoded(number):
    """ripv2_auth.pcap frames 5-12 (RFC 4822 HMAC-SHA digests of 20 to 64 bytes) decode as RIPv2, not truncated."""
    frame = frames("ripv2_auth.pcap")[number - 1]
    d = frame.dissect()
    assert d.error is None and d.protocol == "RIPv2"
    rip = d.headers[-1]
    assert isinstance(rip, Rip) and rip.entries[0].auth_type == 3
    trailer = rip.entries[-1]
    assert isinstance(trailer, RipAuth) and trailer.auth_type == 1
    assert len(trailer.data) == rip.entries[0].data[3]  # the digest is "Auth Data Len" bytes long
    assert rip.build() == frame.data[14 + 20 + 8 : 14 + d.headers[1].total_length]  # builds back to the same bytes


@pytest.mark.parametrize(
    ("name", "word", "fcs"),
    [
        ("heapoverflow-tcp_print.pcap", 0x30000001, None),
        ("esp_truncated.pcap", 0x40000001, None),
        ("bootp_asan.pcap", 0x04000001, 0),
    ],
)
def test_link_type_word_with_fcs_bits_reads_as_ethernet(name, word, fcs):
    """The upper bits of a pcap link-type word (FCS length, P bit) are masked off: the frames decode as Ethernet."""
    with (DATA / name).open("rb") as capture:
        reader = PcapReader(capture)
        assert (reader.linktype, reader.fcs_length) == (1, fcs) == split_linktype(word)
    d = frames(name)[0].dissect()
    assert type(d.headers[0]).__name__ == "Ethernet" and isinstance(d.headers[1], IPv4)


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
def test_tshark_agrees_on_the_cut_frame():
    """tshark also decodes dns_udp_2.pcap frame 2's IPv4 and UDP headers and says the packet size was limited."""
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(DATA / "dns_udp_2.pcap"),
            "-Y",
            "frame.number == 2",
            "-T",
            "fields",
            "-e",
            "ip.len",
            "-e",
            "udp.length",
            "-e",
            "_ws.short",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split("\t")
    d = frames("dns_udp_2.pcap")[1].dissect()
    assert [int(out[0]), int(out[1])] == [d.headers[1].total_length, d.headers[2].length]
    assert out[2].startswith("[Packet size limited during capture") and d.cut_short
