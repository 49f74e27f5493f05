"""Every capture file is in time order, however frames queue: tshark never sees time go backwards."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.sim import Network
from lanlab.wire.pcapng import PcapngReader

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("update_golden", ROOT / "scripts" / "update_golden.py")
update_golden = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
sys.modules.setdefault("update_golden", update_golden)
spec.loader.exec_module(update_golden)  # type: ignore[union-attr]
needs_tshark = pytest.mark.skipif(
    shutil.which("tshark") is None, reason="tshark is not installed (.ci/run installs it)"
)


def stamps(path: Path) -> list[int]:
    with path.open("rb") as stream:
        return [t for _, t, _ in PcapngReader(stream)]


def test_frames_queued_behind_others_are_written_in_time_order(tmp_path: Path):
    """A burst both ways over a slow link (frames wait in output queues) still gives a capture in time order."""
    net = Network("burst")
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    net.link("a:eth0", "b:eth0", rate="1Mbps")
    net.capture(tmp_path / "burst.pcapng")
    net.ping("a", "b", count=1)  # ARP first, so the burst below is not held by it
    for _ in range(5):
        net.node("a").send_udp(5000, net.node("b").addresses[0], 9, bytes(1000), net.now)
    net.node("b").send_udp(5000, net.node("a").addresses[0], 9, b"x", net.now + 1)
    net.run(net.now / 1e9 + 1)
    net.close()
    times = stamps(tmp_path / "burst.pcapng")
    assert len(times) >= 10 and times == sorted(times)


@needs_tshark
@pytest.mark.slow
@pytest.mark.parametrize("case", update_golden.example_cases(), ids=lambda case: case.name)
def test_every_examples_capture_has_no_negative_time_delta(case, tmp_path: Path):
    """tshark's frame.time_delta is >= 0 for every frame of every example's capture (as its header runs it)."""
    pcap = tmp_path / "run.pcapng"
    words = list(case.args) + ["--pcap", str(pcap)]
    for option in ("--trace", "--filter"):  # the event list is not what is checked here
        while option in words:
            del words[words.index(option) : words.index(option) + 2]
    result = CliRunner().invoke(cli, words)
    assert pcap.exists(), result.output
    done = subprocess.run(
        ["tshark", "-r", str(pcap), "-T", "fields", "-e", "frame.time_delta"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    deltas = [float(line) for line in done.stdout.split()]
    assert deltas and min(deltas) >= 0


@needs_tshark
def test_an_every_link_capture_takes_links_cabled_after_it_was_opened(tmp_path: Path):
    """net.capture(f) before net.link(...) records that link's frames too, as tshark reads them: a new
    interface block each (the file had no interface and no frame)."""
    net = Network("late")
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    path = tmp_path / "early.pcapng"
    net.capture(path)
    net.link("a:eth0", "b:eth0")
    net.ping("a", "b", count=1)
    net.close()
    shown = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields", "-e", "_ws.col.Protocol"], capture_output=True, text=True
    )
    assert shown.stdout.split() == ["ARP", "ARP", "ICMP", "ICMP"]
