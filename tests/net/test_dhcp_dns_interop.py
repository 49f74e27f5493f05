"""DHCP and DNS against real third parties, between namespaces the test makes: busybox's udhcpc takes a lease
from `lanlab dhcp serve`, and our codecs read what dnsmasq sends, captured with dumpcap."""

import json
import shutil
import subprocess
import time

import pytest

from lanlab.wire import Dhcp, DhcpMessageType, Dns, DnsType, dissect
from lanlab.wire.pcapng import PcapngReader
from netlab import Lab, needs_netns

UDHCPC = shutil.which("busybox")
pytestmark = [needs_netns, pytest.mark.skipif(UDHCPC is None, reason="busybox (udhcpc) not installed")]


@pytest.fixture
def lan():
    lab = Lab()
    try:
        bridge = lab.bridge()
        server, client = lab.namespace("srv"), lab.namespace("cli")
        lab.attach(server, bridge, "198.18.0.1/24")
        lab.attach(client, bridge, None)
        yield server, client
    finally:
        lab.close()


def udhcpc(client, tmp_path, *extra):
    """Run udhcpc once in `client`; its script writes what it was given, one line per event."""
    record = tmp_path / "events"
    script = tmp_path / "script.sh"
    script.write_text(f'#!/bin/sh\necho "$1 ip=$ip subnet=$subnet router=$router dns=$dns lease=$lease" >> {record}\n')
    script.chmod(0o755)
    result = client.run(
        UDHCPC,
        "udhcpc",
        "-i",
        "eth0",
        "-f",
        "-q",
        "-n",
        "-t",
        "4",
        "-T",
        "1",
        "-s",
        str(script),
        *extra,
        check=False,
        timeout=30,
    )
    return result, record.read_text().splitlines() if record.exists() else []


def test_udhcpc_takes_a_lease_from_lanlab_dhcp_serve(lan, tmp_path):
    """A real client gets 198.18.0.100 with mask, router, DNS and lease time from our server; the server logs
    DISCOVER -> OFFER and REQUEST -> ACK and lists the lease as bound."""
    server, client = lan
    serving = server.dhcp_serving(
        "198.18.0.100-198.18.0.110",
        "--lease",
        "10m",
        "--router",
        "198.18.0.1",
        "--dns",
        "198.18.0.53",
        "--count",
        "2",
        "--timeout",
        "25s",
        "--json",
    )
    try:
        time.sleep(0.5)
        result, events = udhcpc(client, tmp_path)
        out, err = serving.communicate(timeout=30)
    finally:
        serving.kill()
    assert result.returncode == 0, result.stderr
    assert events[-1] == "bound ip=198.18.0.100 subnet=255.255.255.0 router=198.18.0.1 dns=198.18.0.53 lease=600"
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["heard"], line["answer"]) for line in lines[:2]] == [("DISCOVER", "OFFER"), ("REQUEST", "ACK")]
    assert lines[-1]["leases"][0]["address"] == "198.18.0.100" and lines[-1]["leases"][0]["state"] == "bound"
    assert serving.returncode == 0, err


@pytest.mark.skipif(
    shutil.which("dnsmasq") is None or shutil.which("dumpcap") is None or shutil.which("dig") is None,
    reason="needs dnsmasq, dumpcap and dig (dnsutils)",
)
def test_our_codecs_read_dnsmasqs_dhcp_and_dns(lan, tmp_path):
    """dnsmasq's OFFER/ACK and its DNS answer, captured on the client's link, parse with our codecs to the values
    dnsmasq was configured with, and our summaries match tshark's Info column."""
    server, client = lan
    capture = tmp_path / "link.pcapng"
    dnsmasq = server.popen(
        "dnsmasq",
        "--no-daemon",
        "--conf-file=/dev/null",
        "--interface=eth0",
        "--bind-interfaces",
        "--dhcp-range=198.18.0.120,198.18.0.130,255.255.255.0,2h",
        "--no-resolv",
        "--no-hosts",
        "--address=/pc3.lab/198.18.0.3",
        f"--dhcp-leasefile={tmp_path / 'leases'}",
        "--pid-file=",
        "--dhcp-option=6,198.18.0.1",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    dumpcap = client.popen(
        "dumpcap",
        "-q",
        "-i",
        "eth0",
        "-w",
        str(capture),
        "-f",
        "udp",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.5)
        result, events = udhcpc(client, tmp_path)
        assert result.returncode == 0, result.stderr
        leased = events[-1].split()[1].removeprefix("ip=")
        client.run("ip", "addr", "add", f"{leased}/24", "dev", "eth0")
        dig = client.run("dig", "+tries=2", "+time=2", "@198.18.0.1", "pc3.lab", "A", check=False)
        assert "198.18.0.3" in dig.stdout
        time.sleep(0.5)
    finally:
        dumpcap.terminate()
        dumpcap.wait(timeout=10)
        dnsmasq.kill()
    assert events[-1] == f"bound ip={leased} subnet=255.255.255.0 router=198.18.0.1 dns=198.18.0.1 lease=7200"
    with capture.open("rb") as file:
        frames = [frame for _, _, frame in PcapngReader(file)]
    dissections = [dissect(frame) for frame in frames]
    assert all(d.error is None for d in dissections), [d.error for d in dissections if d.error]
    dhcp = [h for d in dissections for h in d.headers if isinstance(h, Dhcp)]
    kinds = list(dict.fromkeys(m.message_type for m in dhcp))  # udhcpc repeats DISCOVER while dnsmasq pings
    assert kinds == [DhcpMessageType.DISCOVER, DhcpMessageType.OFFER, DhcpMessageType.REQUEST, DhcpMessageType.ACK]
    (ack_message,) = [m for m in dhcp if m.message_type == DhcpMessageType.ACK]
    ack = ack_message.decoded_options()
    assert ack["lease_time"] == 7200 and str(ack["subnet_mask"]) == "255.255.255.0"
    assert [str(a) for a in ack["dns_servers"]] == ["198.18.0.1"] and str(ack_message.yiaddr) == leased
    answers = [h for d in dissections for h in d.headers if isinstance(h, Dns) and h.qr]
    assert [(r.rtype, str(r.data)) for r in answers[0].answers] == [(DnsType.A, "198.18.0.3")]
    info = (
        subprocess.run(
            ["tshark", "-r", str(capture), "-T", "fields", "-e", "_ws.col.Info"], capture_output=True, text=True
        ).stdout.splitlines()
        if shutil.which("tshark")
        else []
    )
    if info:
        ours = [d.info for d in dissections]
        assert [i for i, t in zip(ours, info) if "DHCP" in t or "query" in t] == [
            t for t in info if "DHCP" in t or "query" in t
        ]
