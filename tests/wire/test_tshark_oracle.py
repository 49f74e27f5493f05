"""tshark, Wireshark's dissector, reads every frame we build from a pcap and a pcapng: no malformed
packet, no checksum error (checksum validation on), and the same field values as our parser."""

import shutil
import subprocess

import pytest

from lanlab.wire import dissect
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.pcapng import PcapngWriter
from tshark_fields import all_fields, comparable, disagreements, ours_by_field, tshark_by_frame
from wire_samples import SAMPLES

pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")

PREFERENCES = [
    "-o",
    "ip.check_checksum:TRUE",
    "-o",
    "udp.check_checksum:TRUE",
    "-o",
    "tcp.check_checksum:TRUE",
    "-o",
    "tcp.relative_sequence_numbers:FALSE",
]


def _tshark(*argv):
    result = subprocess.run(["tshark", *PREFERENCES, *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    """The sample frames written once as pcap (microseconds) and as pcapng (two named interfaces)."""
    folder = tmp_path_factory.mktemp("captures")
    with (folder / "all.pcap").open("wb") as out:
        writer = PcapWriter(out)
        for i, (frame, _, _) in enumerate(SAMPLES):
            writer.write(1_700_000_000_000_000_000 + i * 1000, frame)
    with (folder / "all.pcapng").open("wb") as out:
        writer = PcapngWriter(out)
        ports = [writer.add_interface("pc1:eth0"), writer.add_interface("sw1:p2")]
        for i, (frame, _, _) in enumerate(SAMPLES):
            writer.write(ports[i % 2], 1_700_000_000_000_000_000 + i, frame)
    return folder


@pytest.mark.parametrize("name", ["all.pcap", "all.pcapng"])
def test_tshark_finds_nothing_malformed_or_bad(captures, name):
    """No frame draws a malformed-packet mark, a checksum error or any warning from tshark."""
    flagged = _tshark(
        "-r",
        str(captures / name),
        "-Y",
        '_ws.malformed || _ws.expert.severity >= "Warning"',
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "_ws.expert.message",
    )
    assert flagged == ""
    assert len(_tshark("-r", str(captures / name)).splitlines()) == len(SAMPLES)


@pytest.mark.parametrize("name", ["all.pcap", "all.pcapng"])
def test_tshark_reads_the_same_field_values(captures, name):
    """Every field we parse from each frame has the value tshark decodes for it (tests/helpers/tshark_fields.py)."""
    theirs = tshark_by_frame(str(captures / name), all_fields())
    assert len(theirs) == len(SAMPLES)
    for number, (frame, _, info) in enumerate(SAMPLES, 1):
        headers = dissect(frame).headers
        assert comparable(headers, theirs[number]) == headers, info  # tshark read the same protocols
        ours = ours_by_field(headers)
        assert ours and disagreements(ours, theirs[number].fields) == {}, info
        assert {"eth.src", "eth.dst"} <= theirs[number].fields.keys() & ours.keys(), info  # compared, not skipped


def test_tshark_protocol_and_info_match_ours(captures):
    """tshark's Protocol column is ours; its Info starts with ours (it adds seq=1/256 and request links)."""
    rows = _tshark(
        "-r", str(captures / "all.pcap"), "-T", "fields", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"
    ).splitlines()
    for (_frame, protocol, info), row in zip(SAMPLES, rows):
        their_protocol, their_info = row.split("\t")
        assert their_protocol == protocol
        assert " ".join(their_info.replace("/256", "").split()).startswith(" ".join(info.split(" ttl=")[0].split()))
