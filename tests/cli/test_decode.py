"""`lanlab decode`: summary lines, --verbose, --json, --hex, and errors on bad input."""

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.units import MILLISECOND, SECOND
from lanlab.wire import Ethernet, EtherType, IPv4, IpProto
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.pcapng import PcapngWriter
from wire_samples import A_IP, A_MAC, B_IP, B_MAC, SAMPLES


def _pcap(tmp_path):
    path = tmp_path / "lan.pcap"
    with path.open("wb") as out:
        writer = PcapWriter(out)
        for i, (frame, _, _) in enumerate(SAMPLES):
            writer.write(SECOND + i * 250 * MILLISECOND, frame)
    return path


def test_decode_prints_one_tshark_like_line_per_frame(tmp_path):
    """Each frame gives number, relative time, endpoints, protocol, length and info."""
    result = CliRunner().invoke(cli, ["decode", str(_pcap(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(SAMPLES)
    assert lines[0].split()[:5] == ["1", "0.000000", "02:00:00:00:00:01", "→", "ff:ff:ff:ff:ff:ff"]
    assert lines[0].endswith("ARP 42 Who has 198.18.0.2? Tell 198.18.0.1")
    assert lines[4].split()[1] == "1.000000" and "Echo (ping) request id=0x0001, seq=1, ttl=64" in lines[4]


def test_decode_pcapng_shows_interface_names(tmp_path):
    """A pcapng's frames carry the name of the capture point they were seen on."""
    path = tmp_path / "lan.pcapng"
    with path.open("wb") as out:
        writer = PcapngWriter(out)
        port = writer.add_interface("sw1:p1")
        writer.write(port, 5, SAMPLES[0][0])
    result = CliRunner().invoke(cli, ["decode", str(path)])
    assert result.exit_code == 0 and "[sw1:p1]" in result.output


def test_decode_verbose_shows_every_field_with_meanings(tmp_path):
    """--verbose lists every field of every layer, naming enumerated values."""
    result = CliRunner().invoke(cli, ["decode", "--verbose", str(_pcap(tmp_path))])
    assert "ethertype: 0x0806 (ARP)" in result.output and "op: 1 (REQUEST)" in result.output
    assert "proto: 1 (ICMP)" in result.output and "ttl: 64" in result.output


def test_decode_json_is_one_object_per_frame(tmp_path):
    """--json prints one parsable object per frame with layers and their fields."""
    result = CliRunner().invoke(cli, ["decode", "--json", str(_pcap(tmp_path))])
    documents = [json.loads(line) for line in result.output.splitlines()]
    assert [d["info"] for d in documents] == [info for _, _, info in SAMPLES]
    udp = next(d for d in documents if d["protocol"] == "UDP")
    assert [layer["layer"] for layer in udp["layers"]] == ["Ethernet", "IPv4", "UDP"]
    assert udp["layers"][1]["fields"]["src"] == "198.18.0.1" and udp["payload"] == b"hello".hex()


def test_decode_hex_decodes_one_frame():
    """--hex takes one frame as hex, spaces and colons allowed."""
    text = " ".join(f"{b:02x}" for b in SAMPLES[0][0])
    result = CliRunner().invoke(cli, ["decode", "--hex", text])
    assert result.exit_code == 0 and "Who has 198.18.0.2? Tell 198.18.0.1" in result.output


def test_decode_errors_are_one_line_with_exit_2(tmp_path):
    """A missing file, a non-capture, bad hex or no input at all: one line, exit status 2, no traceback."""
    not_pcap = tmp_path / "notes.txt"
    not_pcap.write_text("hello world, not a capture")
    for argv in (
        ["decode", str(tmp_path / "missing.pcap")],
        ["decode", str(not_pcap)],
        ["decode", "--hex", "zz"],
        ["decode"],
    ):
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 2, argv
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_decode_truncated_capture_prints_whole_frames_then_fails(tmp_path):
    """A capture cut inside a record: the whole frames before it are printed, then a one-line error, exit 2."""
    whole = _pcap(tmp_path).read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole[:-10])
    result = CliRunner().invoke(cli, ["decode", str(cut)])
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == len(SAMPLES) - 1 and "truncated" in result.stderr


def test_decode_says_when_a_capture_is_not_ethernet(tmp_path):
    """A Linux cooked capture (tcpdump -i any) is listed, each frame marked as not decoded, with the reason."""
    path = tmp_path / "any.pcap"
    with path.open("wb") as out:
        PcapWriter(out, linktype=113).write(0, b"\x00\x04" + bytes(14))
    result = CliRunner().invoke(cli, ["decode", str(path)])
    assert result.exit_code == 0 and "linktype 113 is not Ethernet" in result.output


def test_decode_dash_reads_pcap_and_pcapng_from_standard_input(tmp_path):
    """`decode -` reads the capture from stdin, pcap or pcapng, as tcpdump -w - writes it."""
    pcapng = tmp_path / "lan.pcapng"
    with pcapng.open("wb") as out:
        writer = PcapngWriter(out)
        writer.write(writer.add_interface("eth0"), 5, SAMPLES[0][0])
    for path, lines in ((_pcap(tmp_path), len(SAMPLES)), (pcapng, 1)):
        result = CliRunner().invoke(cli, ["decode", "-"], input=path.read_bytes())
        assert result.exit_code == 0, result.output
        assert len(result.output.splitlines()) == lines
        assert "Who has 198.18.0.2? Tell 198.18.0.1" in result.output.splitlines()[0]


@pytest.mark.timeout(20)
def test_decode_dash_streams_each_frame_before_the_pipe_closes():
    """From a pipe, a frame is printed as soon as it arrives, not when the capture ends."""
    import io
    import subprocess
    import sys

    head = io.BytesIO()
    writer = PcapWriter(head)
    writer.write(0, SAMPLES[0][0])
    decoder = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "decode", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=False
    )
    try:
        decoder.stdin.write(head.getvalue())
        decoder.stdin.flush()
        first = decoder.stdout.readline().decode()  # the pipe is still open: only streaming can answer
        assert "Who has 198.18.0.2? Tell 198.18.0.1" in first
        decoder.stdin.close()
        assert decoder.wait(timeout=20) == 0
    finally:
        decoder.kill()
        decoder.wait()


def test_decode_dash_with_nothing_on_standard_input_is_one_line_error():
    """An empty stdin is not a capture: one line, exit 2, naming standard input."""
    result = CliRunner().invoke(cli, ["decode", "-"], input=b"")
    assert result.exit_code == 2 and "standard input is not a readable pcap" in result.output


def test_decode_verbose_names_the_ipv4_flags_like_tshark():
    """--verbose shows IPv4 flags in hex with their names: 0x2 (DF), 0x1 (MF), none for 0."""

    def flags_line(flags: int) -> str:
        frame = Ethernet(B_MAC, A_MAC, EtherType.IPV4).build(IPv4(A_IP, B_IP, IpProto.UDP, flags=flags).build(b"x" * 8))
        result = CliRunner().invoke(cli, ["decode", "--verbose", "--hex", frame.hex()])
        return next(line.strip() for line in result.output.splitlines() if line.strip().startswith("flags:"))

    assert flags_line(0b010) == "flags: 0x2 (DF)"
    assert flags_line(0b001) == "flags: 0x1 (MF)"
    assert flags_line(0b011) == "flags: 0x3 (DF|MF)"
    assert flags_line(0) == "flags: 0x0"


DATA = Path(__file__).parent.parent / "wire" / "data"  # captures from tcpdump's test suite (BSD licence)
MEMORY_LIMIT = 768 * 2**20  # far below the 4 GiB a damaged length asks for


def _decode_under_memory_limit(path: Path) -> subprocess.CompletedProcess:
    """lanlab decode in a child process whose address space is capped (resource.setrlimit)."""
    program = (
        f"import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT})); "
        "from lanlab.cli.main import main; sys.argv = ['lanlab', 'decode', sys.argv[1]]; main()"
    )
    return subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, timeout=60)


def _with_huge_record(tmp_path: Path) -> Path:
    """A pcap with one good frame, then a record header claiming 0xFFFFFFF0 captured bytes."""
    path = _pcap(tmp_path)
    with path.open("r+b") as capture:
        data = capture.read()
        first_end = 24 + 16 + len(SAMPLES[0][0])
        capture.seek(first_end)
        capture.write(struct.pack("<IIII", 1, 0, 0xFFFFFFF0, 0xFFFFFFF0) + data[first_end + 16 :])
    return path


def test_pcap_record_claiming_4_gib_is_refused_with_its_frame_number(tmp_path):
    """captured length 0xFFFFFFF0: no 4 GiB read (no MemoryError under a memory limit), one line naming frame 2."""
    result = _decode_under_memory_limit(_with_huge_record(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "is damaged (pcap: frame 2 " in result.stderr and "4294967280" in result.stderr and "262144" in result.stderr
    assert len(result.stdout.splitlines()) == 1  # the good frame before it is shown


def test_pcapng_block_claiming_4_gib_is_refused_with_its_frame_number(tmp_path):
    """pcapng block length 0xFFFFFFF0: refused before reading, one line naming frame 2, exit 2, no MemoryError."""
    path = tmp_path / "lan.pcapng"
    with path.open("wb") as out:
        writer = PcapngWriter(out)
        port = writer.add_interface("eth0")
        writer.write(port, 5, SAMPLES[0][0])
        out.write(struct.pack("<II", 6, 0xFFFFFFF0) + bytes(64))
    result = _decode_under_memory_limit(path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "is damaged (pcapng: frame 2 " in result.stderr
    assert "4294967280" in result.stderr


def test_decode_shows_the_datagram_an_icmp_error_quotes(tmp_path):
    """Summary, --verbose and --json show the quoted IPv4 header and its UDP ports (wire_samples' port unreachable)."""
    frame = next(frame for frame, _, info in SAMPLES if info == "Destination unreachable (Port unreachable)")
    summary = CliRunner().invoke(cli, ["decode", "--hex", frame.hex()]).output
    assert summary.rstrip().endswith(
        f"Destination unreachable (Port unreachable) [quoted: UDP {A_IP}:40000 → {B_IP}:7788]"
    )
    verbose = CliRunner().invoke(cli, ["decode", "--verbose", "--hex", frame.hex()]).output.splitlines()
    assert "        IPv4 (quoted)" in verbose and "        UDP (quoted)" in verbose
    assert "            src_port: 40000" in verbose and f"            src: {A_IP}" in verbose
    document = json.loads(CliRunner().invoke(cli, ["decode", "--json", "--hex", frame.hex()]).output)
    assert document["quoted"] == f"UDP {A_IP}:40000 → {B_IP}:7788"
    assert [(layer["layer"], layer.get("quoted", False)) for layer in document["layers"]] == [
        ("Ethernet", False),
        ("IPv4", False),
        ("ICMP", False),
        ("IPv4", True),
        ("UDP", True),
    ]
    assert document["layers"][4]["fields"]["dst_port"] == 7788 and document["src"] == str(B_IP)


def test_decode_marks_a_frame_cut_short_by_the_snaplen():
    """dns_udp_2.pcap frame 2: wire length in the Length column, UDP decoded, "cut short by snaplen" in every mode."""
    path = str(DATA / "dns_udp_2.pcap")
    line = CliRunner().invoke(cli, ["decode", path]).output.splitlines()[1]
    assert "UDP 266 53 → 43966 Len=224 [Packet size limited during capture]" in line and "Malformed" not in line
    verbose = CliRunner().invoke(cli, ["decode", "--verbose", path]).output
    assert "    [Packet size limited during capture: DNS cut short by snaplen]" in verbose
    assert "Malformed" not in verbose and "        length: 232" in verbose
    document = json.loads(CliRunner().invoke(cli, ["decode", "--json", path]).output.splitlines()[1])
    assert (document["length"], document["captured"], document["error"]) == (266, 98, None)
    assert document["cut_short"] == "DNS cut short by snaplen"
    assert [layer["layer"] for layer in document["layers"]] == ["Ethernet", "IPv4", "UDP"]


def test_any_interface_hint_only_for_linux_cooked_captures(tmp_path):
    """'capture on one interface, not any' is said for link type 113 (tcpdump -i any) and no other."""
    said = {}
    for linktype in (113, 101, 127):
        path = tmp_path / f"{linktype}.pcap"
        with path.open("wb") as out:
            PcapWriter(out, linktype=linktype).write(0, bytes(20))
        output = CliRunner().invoke(cli, ["decode", str(path)]).output
        assert f"linktype {linktype} is not Ethernet (1)" in output
        said[linktype] = "not 'any'" in output
    assert said == {113: True, 101: False, 127: False}


def test_fcs_said_by_the_link_type_word_is_not_taken_for_payload(tmp_path):
    """Link type word with the P bit and 2 words of FCS (4 bytes): Ethernet, and the FCS is not in the payload."""
    path = tmp_path / "fcs.pcap"
    frame = next(frame for frame, protocol, _ in SAMPLES if protocol == "UDP")
    with path.open("wb") as out:
        PcapWriter(out, linktype=(2 << 28) | (1 << 26) | 1).write(0, frame + b"\xde\xad\xbe\xef")
    document = json.loads(CliRunner().invoke(cli, ["decode", "--json", str(path)]).output)
    assert document["protocol"] == "UDP" and document["length"] == len(frame) + 4
    assert "deadbeef" not in document["payload"] and document["error"] is None


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
def test_quoted_probes_of_a_simulated_traceroute_are_the_ones_tshark_reads(tmp_path):
    """A traceroute in the simulator, captured: each ICMP error's quoted IPv4 and UDP fields equal tshark's."""
    from tshark_fields import all_fields, comparable, disagreements, ours_by_field, tshark_by_frame

    from lanlab.wire import dissect
    from lanlab.wire.pcap import PcapReader

    path = tmp_path / "tr.pcap"
    example = Path(__file__).parent.parent.parent / "examples" / "rip-ring.yaml"
    run = CliRunner().invoke(
        cli,
        [
            "sim",
            "run",
            str(example),
            "--until",
            "95s",
            "--do",
            "at 90s pc1 traceroute pc3 -q 1",
            "--capture",
            "pc1:eth0",
            "--pcap",
            str(path),
        ],
    )
    assert run.exit_code == 0, run.output
    with path.open("rb") as capture:
        frames = [frame for _, frame in PcapReader(capture)]
    theirs = tshark_by_frame(str(path), all_fields())
    quoted = 0
    for number, frame in enumerate(frames, 1):
        d = dissect(frame)
        if d.quoted is None:
            continue
        quoted += 1
        ours = ours_by_field(comparable(d.headers, theirs[number]))
        assert len(ours["udp.dstport"]) == 1 and ours["udp.dstport"] == theirs[number].fields["udp.dstport"]
        assert disagreements(ours, theirs[number].fields) == {}
    assert quoted == 4  # three routers' time exceeded, then pc3's port unreachable


def test_text_from_the_capture_cannot_act_on_the_terminal(tmp_path):
    """A DNS name holding an escape sequence, a NUL and a bidi override is shown escaped (\\x1b, \\x00, \\u202e), in
    the summary and --verbose alike: it cannot clear the screen, colour it or turn a line around."""
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    hostile = b"\x1b[2J\x1b[31mPWNED\x00\xe2\x80\xae.example"
    frame = bytes(
        Ether(src=A_MAC, dst=B_MAC) / IP(src=A_IP, dst=B_IP) / UDP(sport=5353, dport=53) / DNS(qd=DNSQR(qname=hostile))
    )
    path = tmp_path / "hostile.pcap"
    with path.open("wb") as out:
        PcapWriter(out).write(SECOND, frame)
    for args in ([], ["--verbose"]):
        result = CliRunner().invoke(cli, ["decode", str(path), *args])
        assert result.exit_code == 0, result.output
        assert not any(ord(c) < 0x20 and c not in "\n\t" or c == "\u202e" for c in result.output)
        assert "\\x1b[2J\\x1b[31mPWNED" in result.output


def _pcapng_blocks(*blocks):
    """A pcapng file of an SHB, an Ethernet IDB and then `blocks`, each (type, body) or (type, body, trailing length)."""
    out = bytearray()
    shb = (0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = (1, struct.pack("<HHI", 1, 0, 65535))
    for block in (shb, idb, *blocks):
        block_type, body = block[:2]
        total = 12 + len(body)
        out += struct.pack("<II", block_type, total) + body + struct.pack("<I", block[2] if len(block) > 2 else total)
    return bytes(out)


def test_decode_reads_the_obsolete_packet_block_like_an_enhanced_one(tmp_path):
    """A pcapng Packet Block (type 2, obsolete) is decoded like an EPB: its frame is shown, as tshark shows it."""
    frame = SAMPLES[0][0]
    body = struct.pack("<HHIIII", 0, 0, 0, 5, len(frame), len(frame)) + frame + bytes(-len(frame) % 4)
    path = tmp_path / "old.pcapng"
    path.write_bytes(_pcapng_blocks((2, body)))
    result = CliRunner().invoke(cli, ["decode", str(path)])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 1
    assert result.output.rstrip().endswith("ARP 42 Who has 198.18.0.2? Tell 198.18.0.1")


def test_decode_refuses_a_block_whose_two_lengths_differ(tmp_path):
    """A block whose trailing Block Total Length is not its leading one is damage: one line, exit 2."""
    frame = SAMPLES[0][0]
    epb = struct.pack("<IIIII", 0, 0, 5, len(frame), len(frame)) + frame + bytes(-len(frame) % 4)
    path = tmp_path / "bad.pcapng"
    path.write_bytes(_pcapng_blocks((6, epb), (6, epb, 12 + len(epb) + 4)))
    result = CliRunner().invoke(cli, ["decode", str(path)])
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 1  # the good frame before it
    assert len(result.stderr.strip().splitlines()) == 1 and "is damaged (pcapng: frame 2 " in result.stderr
    assert "begins with block length 76 but ends with 80" in result.stderr


def test_decode_hex_with_an_odd_number_of_digits_says_so():
    """--hex abc: they are hex digits, one short of whole bytes; the error says the count is odd, one line, exit 2."""
    result = CliRunner().invoke(cli, ["decode", "--hex", "abc"])
    assert result.exit_code == 2
    assert result.output == "lanlab: --hex has an odd number of hex digits (3); each byte is two, e.g. 0806 not 806\n"
