"""Same topology + seed + commands = same events and byte-identical captures; tshark reads them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lanlab.sim import Network
from lanlab.sim.core.trace import jsonl_line
from lanlab.wire import PcapngReader, PcapReader, dissect

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hub_vs_switch.yaml"
COMMANDS = [
    "pc2 udp listen 7788 --reply hello",
    "pc3 udp listen 7788 --reply hi",
    "pc4 udp listen 7788 --reply hey",
    "pc1 udp broadcast Hi --port 7788 --wait 0.5",
    "at 0.6s pc1 ping pc3 -c 2 -i 0.1",
    "at 0.7s pc2 ping pc4 -c 2 -i 0.1",
    "at 1s pc1 udp send pc2 9 closed",
]


def run_once(tmp_path: Path, seed: int, name: str) -> tuple[list[str], bytes]:
    net = Network.from_yaml(EXAMPLE, seed=seed)
    for command in COMMANDS:
        net.do(command)
    net.start_trace()
    out = tmp_path / f"{name}.pcapng"
    net.capture(out)
    net.run(2)
    net.close()
    return [jsonl_line(e) for e in net.trace], out.read_bytes()


def test_same_seed_same_events_and_bytes(tmp_path: Path):
    """Two runs with one seed give the same event list and the same capture bytes."""
    events_a, capture_a = run_once(tmp_path, 7, "a")
    events_b, capture_b = run_once(tmp_path, 7, "b")
    assert events_a == events_b and capture_a == capture_b
    assert len(events_a) > 100


def test_capture_holds_every_link_and_parses(tmp_path: Path):
    """One pcapng interface per link; every frame dissects; ARP, ICMP and UDP are all there."""
    _, raw = run_once(tmp_path, 1, "c")
    with open(tmp_path / "c.pcapng", "rb") as stream:
        records = list(PcapngReader(stream))
    assert {name for name, _, _ in records} == {
        "pc1:eth0-sw1:p1",
        "pc2:eth0-sw1:p2",
        "sw1:p3-hub1:p1",
        "pc3:eth0-hub1:p2",
        "pc4:eth0-hub1:p3",
    }
    protocols = {dissect(frame).protocol for _, _, frame in records}
    assert {"ARP", "ICMP", "UDP"} <= protocols
    times = [t for _, t, _ in records]
    assert times == sorted(times)


def test_pcap_needs_one_point_and_holds_both_directions(tmp_path: Path):
    """A .pcap capture at pc1:eth0 holds pc1's requests and the replies."""
    net = Network.from_yaml(EXAMPLE)
    with pytest.raises(ValueError, match="one capture point"):
        net.capture(tmp_path / "x.pcap")
    net.capture(tmp_path / "one.pcap", ["pc1:eth0"])
    net.ping("pc1", "pc2", count=2, interval=0.1)
    net.close()
    with open(tmp_path / "one.pcap", "rb") as stream:
        infos = [dissect(frame).info for _, frame in PcapReader(stream)]
    assert len(infos) == 6 and infos[0] == "Who has 198.18.0.2? Tell 198.18.0.1"
    assert sum("reply" in info for info in infos) == 2


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (.ci/run installs it)")
def test_tshark_reads_the_capture_without_complaint(tmp_path: Path):
    """tshark finds no malformed packet and no bad checksum in a multi-device capture."""
    run_once(tmp_path, 1, "t")
    net = Network.from_yaml(EXAMPLE)
    for command in COMMANDS:
        net.do(command)
    net.capture(tmp_path / "pc1.pcap", ["pc1:eth0"])
    net.run(2)
    net.close()
    for name, least in (("t.pcapng", 50), ("pc1.pcap", 10)):
        done = subprocess.run(
            [
                "tshark",
                "-r",
                str(tmp_path / name),
                "-o",
                "udp.check_checksum:TRUE",
                "-o",
                "ip.check_checksum:TRUE",
                "-T",
                "fields",
                "-e",
                "_ws.col.Protocol",
                "-e",
                "_ws.expert.message",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert len(lines) > least
        assert {line.split("\t")[0] for line in lines} >= {"ARP", "ICMP", "UDP"}
        bad = [
            line for line in lines if "alformed" in line or "checksum" in line.lower() and "incorrect" in line.lower()
        ]
        assert not bad, bad
