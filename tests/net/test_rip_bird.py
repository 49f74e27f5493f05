"""Interoperability with a real RIP daemon: BIRD 2 and lanlab's speaker on the two ends of a veth."""

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from lanlab.wire import Ethernet, IPv4, Rip, RipCommand, Udp, dissect

PEER = Path(__file__).resolve().parent.parent / "helpers" / "rip_peer.py"
pytestmark = [
    pytest.mark.netns,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("bird") is None or shutil.which("birdc") is None, reason="BIRD 2 not installed (apt install bird2)"
    ),
]

BIRD_CONF = """
router id 198.18.0.1;
protocol device {{ scan time 1; }}
protocol direct {{ ipv4; interface "eth0"; }}
protocol static {{ ipv4; route 198.19.5.0/24 blackhole; }}
protocol rip rip1 {{
  ipv4 {{ import all; export all; }};
  interface "eth0" {{ update time 2; {auth} }};
}}
"""


def run_bird(tmp_path: Path, ns, password: str | None):
    auth = f'authentication plaintext; password "{password}";' if password else ""
    conf = tmp_path / "bird.conf"
    conf.write_text(BIRD_CONF.format(auth=auth))
    socket_path = tmp_path / "bird.ctl"
    daemon = ns.popen("bird", "-f", "-c", str(conf), "-s", str(socket_path), "-P", str(tmp_path / "bird.pid"))
    for _ in range(50):
        if socket_path.exists():
            return daemon, socket_path
        time.sleep(0.1)
    daemon.kill()
    pytest.fail(f"bird did not start (exit status {daemon.poll()})")


@pytest.mark.parametrize("password", [None, "s3cret"])
def test_bird_and_lanlab_exchange_routes(lab, tmp_path, password):
    """We parse every RIP frame BIRD sends; BIRD installs our network and we install BIRD's."""
    bird_ns, our_ns = lab.namespace("bird"), lab.namespace("us")
    lab.link(bird_ns, our_ns, "198.18.0.1/24", "198.18.0.2/24")
    daemon, control = run_bird(tmp_path, bird_ns, password)
    try:
        result = our_ns.python(
            str(PEER), "eth0", "198.18.0.2/24", "198.19.77.1/24", "7", *([password] if password else []), timeout=30
        )
        shown = bird_ns.run("birdc", "-s", str(control), "show", "route", "protocol", "rip1").stdout
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
    report = json.loads(result.stdout)
    assert len(report["frames"]) >= 3, result.stderr
    for frame in report["frames"]:
        dissection = dissect(bytes.fromhex(frame))
        assert dissection.error is None and dissection.protocol == "RIPv2", dissection.info
        ip, udp = dissection.headers[1], dissection.headers[2]
        assert isinstance(dissection.headers[0], Ethernet) and isinstance(ip, IPv4) and isinstance(udp, Udp)
        message = dissection.headers[3]
        assert isinstance(message, Rip) and message.command in (RipCommand.REQUEST, RipCommand.RESPONSE)
        rip_bytes = bytes.fromhex(frame)[14 + ip.header_length + 8 : 14 + ip.total_length]
        assert message.build() == rip_bytes  # nothing lost: it rebuilds byte for byte
        if password:
            assert message.auth is not None and message.auth.data.rstrip(b"\0") == password.encode()
    assert report["routes"]["198.19.5.0/24"]["next_hop"] == "198.18.0.1"
    assert report["dropped"] == {}
    assert re.search(r"198\.19\.77\.0/24\s+unicast \[rip1 [^\]]*\] \* \(120/2\)", shown), shown
    assert "via 198.18.0.2 on eth0" in shown
