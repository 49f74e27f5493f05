"""Interop with the Linux bridge's STP: we parse its BPDUs field by field, and it accepts ours."""

import time

import pytest

from lanlab.wire import Bpdu, BpduType, Dot3, Llc, MacAddress, dissect
from lanlab.wire.stp import STP_MULTICAST

pytestmark = pytest.mark.netns

# Runs inside the host namespace: print, as hex, the first frame to the STP group address seen on eth0.
CAPTURE = """
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("eth0", 0))
s.settimeout(1)
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    try:
        frame = s.recv(2048)
    except TimeoutError:
        continue
    if frame[:6] == bytes.fromhex("0180c2000000"):
        print(frame.hex())
        break
"""

# Runs inside the host namespace: send the given frame (hex) out of eth0 every 100 ms for a second.
SEND = """
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for _ in range(10):
    s.send(bytes.fromhex(sys.argv[1]))
    time.sleep(0.1)
"""


def _bridge_value(ns, path):
    return ns.run("cat", f"/sys/class/net/{path}").stdout.strip()


def _linux_id(text):
    """Linux writes a bridge id as 8000.020000000001."""
    priority, mac = text.split(".")
    return int(priority, 16), MacAddress(mac)


@pytest.fixture
def stp_bridge(lab):
    """A Linux bridge with STP on (priority 4096, hello 1 s) and one host namespace wired to it."""
    bridge = lab.bridge(stp=True)
    bridge.run(
        "ip",
        "link",
        "set",
        "br0",
        "type",
        "bridge",
        "priority",
        "4096",
        "hello_time",
        "100",
        "forward_delay",
        "400",
        "max_age",
        "1200",
    )
    host = lab.namespace("h")
    lab.attach(host, bridge, ip=None)
    port = bridge.run("ls", "/sys/class/net/br0/brif").stdout.split()[0]
    return bridge, host, port


def test_we_parse_the_linux_bridges_bpdus_field_by_field(stp_bridge):
    """A Linux bridge's configuration BPDU parses to the values its sysfs reports."""
    bridge, host, port = stp_bridge
    captured = host.python("-c", CAPTURE, "6", timeout=20).stdout.strip()
    assert captured, "the Linux bridge sent no BPDU within 6 s"
    layers = dissect(bytes.fromhex(captured)).layers
    dot3, llc, bpdu = layers[0], layers[1], layers[2]
    assert isinstance(dot3, Dot3) and dot3.dst == STP_MULTICAST and dot3.length == 38
    assert (llc.dsap, llc.ssap, llc.control) == (0x42, 0x42, 0x03)
    assert isinstance(bpdu, Bpdu) and (bpdu.bpdu_type, bpdu.version) == (BpduType.CONFIG, 0)
    assert (bpdu.bridge_priority, bpdu.bridge_mac) == _linux_id(_bridge_value(bridge, "br0/bridge/bridge_id"))
    assert (bpdu.root_priority, bpdu.root_mac) == _linux_id(_bridge_value(bridge, "br0/bridge/root_id"))
    assert bpdu.root_priority == 4096 and bpdu.root_path_cost == 0 and bpdu.message_age == 0
    assert bpdu.port_id == int(_bridge_value(bridge, f"{port}/brport/port_id"), 16)
    # sysfs gives times in centiseconds, BPDUs in 1/256 s
    for field, name in (("hello_time", "hello_time"), ("max_age", "max_age"), ("forward_delay", "forward_delay")):
        assert getattr(bpdu, field) == int(_bridge_value(bridge, f"br0/bridge/{name}")) * 256 // 100


def test_the_linux_bridge_accepts_our_superior_bpdu_and_elects_our_root(stp_bridge):
    """Our configuration BPDU announcing a priority-0 root makes the Linux bridge take it as root via that port."""
    bridge, host, port = stp_bridge
    ours = MacAddress("02:00:00:00:00:aa")
    bpdu = Bpdu(
        root_priority=0,
        root_mac=ours,
        bridge_priority=0,
        bridge_mac=ours,
        port_id=0x8001,
        max_age=12 * 256,
        hello_time=1 * 256,
        forward_delay=4 * 256,
    )
    frame = Dot3(STP_MULTICAST, ours).build(Llc().build(bpdu.build()))
    host.python("-c", SEND, (frame + bytes(60 - len(frame))).hex(), timeout=20)
    deadline = time.monotonic() + 3
    while _bridge_value(bridge, "br0/bridge/root_id") != "0000.0200000000aa" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _bridge_value(bridge, "br0/bridge/root_id") == "0000.0200000000aa"
    assert int(_bridge_value(bridge, "br0/bridge/root_port")) == int(
        _bridge_value(bridge, f"{port}/brport/port_no"), 16
    )
