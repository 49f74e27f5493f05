"""tcpdump's own test captures (about 830 files, many of them fuzzed) through `lanlab decode` and tshark.

The corpus is not in this repository (tests/wire/data keeps the few files the specific fixes need):
these tests run when /work/corpus/tcpdump, or the folder $LANLAB_TCPDUMP_CORPUS names, holds it, and
skip with the reason otherwise. Get it from the `tests/` folder of the tcpdump repository.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.decode import Frame, read_capture
from lanlab.cli.main import cli
from lanlab.wire import Dot3, Ethernet, WireError
from lanlab.wire.registry import registered
from lanlab.wire.pcap import LINKTYPE_ETHERNET, MAGIC_MICRO, MAGIC_NANO
from lanlab.wire.pcapng import PcapngWriter
from tshark_fields import FIELDS, NOT_COMPARED, all_fields, comparable, disagreements, ours_by_field, tshark_by_frame


def _corpus() -> Path | None:
    for folder in (os.environ.get("LANLAB_TCPDUMP_CORPUS"), "/work/corpus/tcpdump"):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return None


CORPUS = _corpus()
FILES = sorted(p.name for pattern in ("*.pcap", "*.pcapng") for p in CORPUS.glob(pattern)) if CORPUS else []
needs_corpus = pytest.mark.skipif(
    CORPUS is None,
    reason="tcpdump's test captures not found: put its tests/ folder "
    "at /work/corpus/tcpdump or name it in $LANLAB_TCPDUMP_CORPUS",
)
needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")


def frames_of(name: str) -> list[Frame]:
    """The frames `decode` reads from a corpus file (those before any damage)."""
    frames: list[Frame] = []
    with (CORPUS / name).open("rb") as capture:  # type: ignore[operator]
        try:
            frames.extend(read_capture(capture))
        except WireError:
            pass
    return frames


def ethernet_files() -> list[str]:
    """The corpus files with at least one frame decode reads as Ethernet (the ones worth asking tshark about)."""
    return [name for name in FILES if any(frame.linktype == LINKTYPE_ETHERNET for frame in frames_of(name))]


def test_every_decoded_field_is_compared_or_excused():
    """Each field of each header class decode can produce has a tshark field, or a reason in NOT_COMPARED."""
    assert set(registered()) <= set(FIELDS), "a codec the comparison with tshark does not know"
    for cls, mapping in FIELDS.items():
        for field in dataclasses.fields(cls):
            assert field.name in mapping or field.name in NOT_COMPARED[cls], f"{cls.__name__}.{field.name}"


@needs_corpus
@pytest.mark.parametrize("name", FILES)
def test_decode_never_raises_on_the_corpus(name):
    """Text, --verbose and --json: exit 0, or 2 with a one-line error for a damaged file; never a traceback."""
    for mode in ([], ["--verbose"], ["--json"]):
        result = CliRunner().invoke(cli, ["decode", str(CORPUS / name), *mode])  # type: ignore[operator]
        assert result.exception is None or isinstance(result.exception, SystemExit), (mode, result.exception)
        assert result.exit_code in (0, 2), (mode, result.output[-300:])
        if result.exit_code == 2:
            assert result.stderr.count("\n") == 1 and result.stderr.startswith("lanlab: "), result.stderr


def _linktype_word(path: Path) -> int | None:
    """The whole link-type word of a classic pcap file's header (None for pcapng or no pcap at all)."""
    head = path.read_bytes()[:24]
    for order in "<>":
        if len(head) == 24 and struct.unpack(order + "I", head[:4])[0] in (MAGIC_MICRO, MAGIC_NANO):
            return struct.unpack(order + "I", head[20:24])[0]
    return None


@needs_corpus
def test_link_type_words_with_fcs_bits_read_as_ethernet():
    """Every frame of every file whose link-type word is Ethernet with upper bits set decodes from an Ethernet header."""
    frames = 0
    for name in FILES:
        word = _linktype_word(CORPUS / name)  # type: ignore[operator]
        if word is None or word & 0xFFFF != LINKTYPE_ETHERNET or word == LINKTYPE_ETHERNET:
            continue
        for frame in frames_of(name):
            d = frame.dissect()
            ethernet = (d.headers and isinstance(d.headers[0], (Ethernet, Dot3))) or d.cut_short in (
                "Ethernet cut short by snaplen",
                "IEEE 802.3 cut short by snaplen",
            )  # 8 bytes captured
            assert ethernet and "not Ethernet" not in d.info, (name, d.info)
            frames += 1
    assert frames >= 249  # 45 files in tcpdump's suite as of 2026


ETHERNET_FILES = ethernet_files() if CORPUS else []


@pytest.fixture(scope="module")
def tshark_corpus(tmp_path_factory):
    """tshark's reading of every Ethernet frame of the corpus: (file, frame number) -> TsharkFrame.

    One tshark run over one pcapng holding them all (with their lengths on the wire) instead of one run a
    file: 480 tshark start-ups took minutes. Reassembly is off, so no frame borrows from another file's."""
    path = tmp_path_factory.mktemp("corpus") / "ethernet.pcapng"
    where = []
    with path.open("wb") as out:
        writer = PcapngWriter(out)
        port = writer.add_interface("corpus")
        for name in ETHERNET_FILES:
            for number, frame in enumerate(frames_of(name), 1):
                if frame.linktype == LINKTYPE_ETHERNET:
                    writer.write(port, frame.t_ns, frame.data, frame.wire_length)
                    where.append((name, number))
    theirs = tshark_by_frame(
        str(path),
        all_fields(),
        timeout=600,
        options=("tcp.desegment_tcp_streams:FALSE", "ip.defragment:FALSE", "udp.try_heuristic_first:FALSE"),
    )
    assert len(theirs) == len(where) > 8000, "tshark did not read every frame of the merged corpus"
    return {place: theirs[index] for index, place in enumerate(where, 1)}


@needs_corpus
@needs_tshark
@pytest.mark.parametrize("name", ETHERNET_FILES)
def test_every_field_both_decode_agrees_with_tshark(name, tshark_corpus):
    """Each field lanlab and tshark both decode, in each frame, has the same value (occurrence by occurrence)."""
    differing = {}
    for number, frame in enumerate(frames_of(name), 1):
        if frame.linktype != LINKTYPE_ETHERNET:
            continue
        theirs = tshark_corpus[name, number]
        d = frame.dissect()
        found = disagreements(ours_by_field(comparable(d.headers, theirs)), theirs.fields)
        if found:
            differing[number] = found
    assert differing == {}


@needs_corpus
def test_dpkt_reads_the_same_ipv4_udp_and_tcp_headers():
    """A second oracle: dpkt parses every whole IPv4 datagram we decode in the corpus to the same header values."""
    import dpkt
    from ipaddress import IPv4Address

    from lanlab.wire import IPv4, Tcp, Udp

    compared = 0
    for name in ETHERNET_FILES:
        for frame in frames_of(name):
            d = frame.dissect()
            if frame.linktype != LINKTYPE_ETHERNET or d.error or d.cut_short or frame.fcs_length:
                continue
            ip = next((h for h in d.headers[: d.quoted] if isinstance(h, IPv4)), None)
            if ip is None or ip.frag_offset or ip.more_fragments:
                continue
            theirs = dpkt.ethernet.Ethernet(frame.data).data
            if not isinstance(theirs, dpkt.ip.IP):  # dpkt stops at what it does not know (VLAN tags, ...)
                continue
            assert (IPv4Address(theirs.src), IPv4Address(theirs.dst), theirs.ttl, theirs.id, theirs.p, theirs.len) == (
                ip.src,
                ip.dst,
                ip.ttl,
                ip.ident,
                ip.proto,
                ip.total_length,
            ), (name, d.info)
            upper = d.headers[d.headers.index(ip) + 1] if d.headers.index(ip) + 1 < len(d.headers) else None
            if isinstance(upper, (Udp, Tcp)) and isinstance(theirs.data, (dpkt.udp.UDP, dpkt.tcp.TCP)):
                assert (theirs.data.sport, theirs.data.dport) == (upper.src_port, upper.dst_port), (name, d.info)
            compared += 1
    assert compared > 1000
