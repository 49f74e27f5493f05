"""RARP roles in topology files: `ip: rarp` hosts learn their address from a `rarp_server:` host."""

from pathlib import Path

import pytest

from lanlab.sim import TopologyError, load_topology
from lanlab.units import SECOND

LAN = """
nodes:
  pc3: {kind: host, ip: 198.18.2.3/24, rarp_server: {"02:00:00:00:02:04": 198.18.2.4}}
  pc4: {kind: host, ip: rarp/24, mac: "02:00:00:00:02:04"}
  sw: {kind: switch}
links:
  - [pc3:eth0, sw:p1]
  - [pc4:eth0, sw:p2]
"""


def load(tmp_path: Path, text: str = LAN):
    path = tmp_path / "rarp.yaml"
    path.write_text(text)
    return load_topology(path)


def test_rarp_host_learns_its_address_and_can_ping(tmp_path):
    """pc4 starts without an address, gets 198.18.2.4 from pc3, then pings it."""
    net = load(tmp_path)
    assert net.node("pc4").addresses == []
    net.run(1)
    assert [str(a) for a in net.node("pc4").addresses] == ["198.18.2.4"]
    assert net.ping("pc4", "pc3", count=1).received == 1


def test_rarp_host_retries_until_a_server_appears(tmp_path):
    """With the server's cable out for 5 s, pc4 keeps asking and is answered once it is back."""
    net = load(tmp_path, LAN + "events:\n  - at 0s link pc3:eth0 sw:p1 down\n  - at 5s link pc3:eth0 sw:p1 up\n")
    net.start_trace()
    net.run(20)
    asked = [e.t for e in net.trace if e.device == "pc4" and e.event_kind == "tx" and e.proto == "RARP"]
    assert len(asked) >= 4 and asked[:4] == [0, SECOND, 3 * SECOND, 7 * SECOND]
    assert [str(a) for a in net.node("pc4").addresses] == ["198.18.2.4"]


def test_rarp_fields_are_checked_with_file_and_line(tmp_path):
    """A bad rarp_server entry and ip: rarp/99 are reported at their lines."""
    bad = LAN.replace('"02:00:00:00:02:04": 198.18.2.4', '"02:00:00:00:02:04": not-an-ip').replace("rarp/24", "rarp/99")
    with pytest.raises(TopologyError) as error:
        load(tmp_path, bad)
    assert "rarp.yaml:3:" in str(error.value) and "rarp.yaml:4:" in str(error.value)


def test_server_with_two_interfaces_answers_on_the_one_asked(tmp_path):
    """A RARP server on two LANs answers out of the interface the request came in on, as that interface."""
    net = load(
        tmp_path,
        """
nodes:
  srv: {kind: host, interfaces: {eth0: {ip: 198.18.1.1/24}, eth1: {ip: 198.18.2.1/24}},
        rarp_server: {"02:00:00:00:02:04": 198.18.2.4}}
  pc4: {kind: host, ip: rarp/24, mac: "02:00:00:00:02:04"}
  sw1: {kind: switch}
  sw2: {kind: switch}
links:
  - [srv:eth0, sw1:p1]
  - [srv:eth1, sw2:p1]
  - [pc4:eth0, sw2:p2]
""",
    )
    net.start_trace()
    net.run(1)
    assert [str(a) for a in net.node("pc4").addresses] == ["198.18.2.4"]
    answers = [e for e in net.trace if e.device == "srv" and e.event_kind == "tx" and e.proto == "RARP"]
    assert [e.port for e in answers] == ["eth1"]
    told = [e.note for e in net.trace if e.device == "pc4" and e.event_kind == "deliver"]
    assert any("told by 198.18.2.1" in str(note) for note in told)
