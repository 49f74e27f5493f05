"""A port of the file is an interface's name in a namespace: names Linux cannot hold are FILE:LINE
errors when the file is read, names it can hold are built, and a failing `ip -batch` is one line; a
MAC two hosts share is refused when read, as the simulator refuses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lanlab.real import netns
from lanlab.real.model import TopologyError, read_lab

from netlab import netns_unavailable_reason

needs_namespaces = pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))


def switch_with_port(tmp_path: Path, port: str, kind: str = "switch") -> Path:
    """pc1 cabled to sw1's port `port` (a YAML string: any characters)."""
    path = tmp_path / "t.yaml"
    quoted = port.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(
        f"nodes:\n  pc1: {{kind: host, ip: 198.18.0.1/24}}\n  sw1: {{kind: {kind}}}\n"
        f'links:\n  - [pc1:eth0, "sw1:{quoted}"]\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("port", "kind", "said"),
    [
        ("交换机端口一号", "switch", "21 bytes in UTF-8"),  # 7 characters, 21 bytes: the kernel counts bytes
        ("p/1", "switch", "cannot be a Linux interface name"),
        ("p 1", "hub", "cannot be a Linux interface name"),
        ("p%d", "switch", "cannot be a Linux interface name"),  # the kernel would call it p0
        ("p#1", "switch", "cannot be a Linux interface name"),  # a comment in `ip -batch`
        ("..", "switch", "cannot be a Linux interface name"),
        ("lo", "switch", "loopback"),
        ("br0", "switch", "bridge"),
        ("br0", "hub", "bridge"),
    ],
)
def test_a_port_linux_cannot_name_is_a_file_line_error(tmp_path, port, kind, said):
    """Too many UTF-8 bytes, a character dev_valid_name or `ip -batch` refuses, lo, or the bridge's br0: FILE:LINE."""
    path = switch_with_port(tmp_path, port, kind)
    with pytest.raises(TopologyError) as caught:
        read_lab(path)
    assert [p.split(": ", 1)[0] for p in caught.value.problems] == [f"{path}:5"]
    assert said in caught.value.problems[0] and repr(port) in caught.value.problems[0]


def test_br0_is_a_port_name_on_a_router(tmp_path):
    """Only a switch or hub holds the lab's bridge: a router's port may be called br0."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  r1: {kind: router, interfaces: {br0: 198.18.0.1/24}}\n  pc1: {kind: host, ip: 198.18.0.2/24}\n"
        "links:\n  - [r1:br0, pc1:eth0]\n"
    )
    assert read_lab(path).links[0].a == ("r1", "br0")


@needs_namespaces
def test_ports_of_15_utf8_bytes_dots_and_dashes_are_built(tmp_path):
    """A port of five Chinese characters (15 bytes), p-1.x and eth0 are made as the file names them."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "  sw1: {kind: switch}\nlinks:\n  - [pc1:eth0, sw1:口口口口口]\n  - [pc2:eth0, sw1:p-1.x]\n",
        encoding="utf-8",
    )
    run = f"t{os.getpid()}ports"
    built = netns.build(read_lab(path), run)
    try:
        ports = netns.inside(built.ns("sw1"), "ls", "/sys/class/net/br0/brif").split()
        assert sorted(ports) == sorted(["口口口口口", "p-1.x"])
    finally:
        netns.remove(run)
    assert not [ns for ns in netns.namespaces() if ns.startswith(netns.namespace(run, ""))]


@needs_namespaces
def test_a_failing_ip_batch_is_one_line(tmp_path):
    """`ip -batch` says the kernel's answer and the failed line on two lines: the RealError is one."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  sw1: {kind: switch}\nlinks: [[pc1:eth0, sw1:p1]]\n"
    )
    run = f"t{os.getpid()}batch"
    built = netns.build(read_lab(path), run)
    try:
        with pytest.raises(netns.RealError) as caught:
            netns.batch(built.ns("pc1"), ["link add eth0 type dummy"])  # eth0 is there: File exists
    finally:
        netns.remove(run)
    said = str(caught.value)
    assert "\n" not in said and "File exists" in said and "Command failed" in said


def sim_problems(path: Path) -> list[str]:
    """The problem lines `sim run` prints for the file."""
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "sim", "run", str(path), "--until", "0s"], capture_output=True, text=True
    )
    return done.stderr.splitlines()


def test_a_mac_two_hosts_share_is_refused_as_the_simulator_refuses_it(tmp_path):
    """Two hosts given one MAC (a bridge would learn it on each port in turn): the simulator's FILE:LINE problem."""
    path = tmp_path / "t.yaml"
    path.write_text(
        'nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24, mac: "02:00:00:00:00:01"}\n'
        '  pc2: {kind: host, ip: 198.18.0.2/24, mac: "02:00:00:00:00:01"}\n  sw1: {kind: switch}\n'
        "links:\n  - [pc1:eth0, sw1:p1]\n  - [pc2:eth0, sw1:p2]\n"
    )
    with pytest.raises(TopologyError) as caught:
        read_lab(path)
    assert caught.value.problems == sim_problems(path)
    assert caught.value.problems[0].startswith(f"{path}:3: duplicate MAC address")


@pytest.mark.parametrize("gateway", ["198.18.9.1", "198.18.0.1", "198.18.0.255"])
def test_a_gateway_off_the_hosts_subnet_is_refused_as_the_simulator_refuses_it(tmp_path, gateway):
    """A gateway off the subnet, the host's own address or the broadcast address: the simulator's
    FILE:LINE problem, not ip's 'Nexthop has invalid gateway' once half the lab is built."""
    path = tmp_path / "t.yaml"
    path.write_text(
        f"nodes:\n  pc1: {{kind: host, ip: 198.18.0.1/24, gateway: {gateway}}}\n"
        "  pc2: {kind: host, ip: 198.18.0.2/24}\nlinks:\n  - [pc1:eth0, pc2:eth0]\n"
    )
    with pytest.raises(TopologyError) as caught:
        read_lab(path)
    assert caught.value.problems == sim_problems(path)
    assert caught.value.problems[0].startswith(f"{path}:2: node pc1: gateway {gateway} ")
