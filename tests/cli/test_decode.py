"""`lanlab decode`: summary lines, --verbose, --json, --hex, and errors on bad input."""

import json

import pytest

from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.wire import Ethernet, EtherType, IPv4, IpProto
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.pcapng import PcapngWriter
from wire_samples import A_IP, A_MAC, B_IP, B_MAC, SAMPLES


def _pcap(tmp_path):
    path = tmp_path / "lan.pcap"
    with path.open("wb") as out:
        writer = PcapWriter(out)
        for i, (frame, _, _) in enumerate(SAMPLES):
            writer.write(1_000_000_000 + i * 250_000_000, frame)
    return path


def test_decode_prints_one_tshark_like_line_per_frame(tmp_path):
    """Each frame gives number, relative time, endpoints, protocol, length and info."""
    result = CliRunner().invoke(cli, ["decode", str(_pcap(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(SAMPLES)
    assert lines[0].split() [:5] == ["1", "0.000000", "02:00:00:00:00:01", "→", "ff:ff:ff:ff:ff:ff"]
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
    for argv in (["decode", str(tmp_path / "missing.pcap")], ["decode", str(not_pcap)],
                 ["decode", "--hex", "zz"], ["decode"]):
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
    decoder = subprocess.Popen([sys.executable, "-m", "lanlab", "decode", "-"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=False)
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
