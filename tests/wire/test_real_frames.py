"""Frames a real Linux stack sent (ARP, ping, UDP with its port unreachable, a TCP exchange) between two
lab namespaces, captured by dumpcap as pcap and pcapng, all parse cleanly."""

import shutil
import signal
import subprocess
import time

import pytest

from lanlab.wire import IPv4, IpProto, dissect, internet_checksum
from lanlab.wire.pcap import PcapReader
from lanlab.wire.pcapng import PcapngReader
from netlab import needs_netns

pytestmark = [
    needs_netns,
    pytest.mark.skipif(
        shutil.which("dumpcap") is None or shutil.which("socat") is None,
        reason="needs dumpcap (apt install tshark) and socat",
    ),
]


def _start_capture(ns, path, pcapng):
    """dumpcap on ns's eth0, returned once it says it is capturing."""
    argv = ["dumpcap", "-q", "-i", "eth0", "-w", str(path)] + ([] if pcapng else ["-P"])
    process = ns.popen(*argv, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "Capturing on" in line or not line:
            break
    assert process.poll() is None, "dumpcap did not start"
    # "Capturing on" can come a moment before the packet socket sees traffic on a loaded machine;
    # an ARP sent in that moment was once missing from the capture.
    time.sleep(0.3)
    return process


def _traffic(a, b):
    """ARP + ping, a UDP datagram to a closed port (ICMP port unreachable), a TCP connection with data."""
    for host in (a, b):  # so that the ping starts with an ARP exchange
        host.run("ip", "neigh", "flush", "all")
    a.run("ping", "-c", "2", "-i", "0.2", "-W", "2", b.ip)
    a.run("socat", "-u", "-", f"UDP:{b.ip}:7788", input="hello udp\n")
    server = b.popen("socat", "-u", "TCP-LISTEN:7000,reuseaddr", "OPEN:/dev/null", stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if ":7000" in b.run("ss", "-ltn").stdout:
                break
            time.sleep(0.1)
        a.run("socat", "-u", "-", f"TCP:{b.ip}:7000", input="hello tcp\n" * 50)
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    time.sleep(0.3)  # let the last segments reach the capture


def test_real_traffic_parses_cleanly(lan, tmp_path):
    """Every captured frame dissects without error; ARP, ICMP, UDP and TCP are all there, IP checksums valid."""
    net = lan(2)
    a, b = net.hosts
    captures = [_start_capture(a, tmp_path / "real.pcap", False), _start_capture(a, tmp_path / "real.pcapng", True)]
    try:
        _traffic(a, b)
    finally:
        for process in captures:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
    with (tmp_path / "real.pcap").open("rb") as capture:
        pcap_frames = [frame for _, frame in PcapReader(capture)]
    with (tmp_path / "real.pcapng").open("rb") as capture:
        pcapng_frames = [(name, frame) for name, _, frame in PcapngReader(capture)]
    assert {name for name, _ in pcapng_frames} == {"eth0"}
    assert len(pcap_frames) >= 10 and len(pcapng_frames) >= 10

    seen = set()
    for frame in pcap_frames + [frame for _, frame in pcapng_frames]:
        d = dissect(frame)
        assert d.error is None, (d.error, frame.hex())
        seen.add(d.protocol)
        ip = next((h for h in d.headers if isinstance(h, IPv4)), None)
        if ip is not None:
            assert internet_checksum(frame[14 : 14 + ip.header_length]) == 0
            if ip.proto == IpProto.TCP:
                seen.add("TCP")
    assert {"ARP", "ICMP", "UDP", "TCP"} <= seen
    assert any("Destination unreachable (Port unreachable)" == dissect(f).info for f in pcap_frames)
    assert any(dissect(f).info.startswith("Echo (ping) reply") for f in pcap_frames)
