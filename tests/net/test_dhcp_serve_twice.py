"""Two `lanlab dhcp serve` in one namespace, in namespaces the test makes: one per interface, never two on one."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from netlab import Lab, needs_netns

pytestmark = needs_netns


@pytest.fixture
def server():
    """A namespace with eth0 (198.18.0.1/24) and eth1 (198.18.1.1/24), each a veth to a namespace of its own."""
    lab = Lab()
    try:
        server = lab.namespace("srv")
        lab.link(server, lab.namespace("a"), "198.18.0.1/24", None)
        lab.link(server, lab.namespace("b"), "198.18.1.1/24", None, ifname_a="eth1")
        yield server
    finally:
        lab.close()


def test_a_second_server_on_an_interface_already_served_is_refused(server):
    """A second server on eth0 started silently (SO_REUSEADDR shares a UDP port) and both answered every client,
    NAKing each other's offers; it now says port 67 is taken, status 2. A server on eth1 meanwhile starts."""
    first = server.dhcp_serving("198.18.0.100-198.18.0.110", "--timeout", "20s")
    try:
        time.sleep(1.5)  # the first has its socket
        second = server.lanlab("dhcp", "serve", "-I", "eth0", "--pool", "198.18.0.120-198.18.0.130", "--timeout", "1s")
        beside = server.lanlab("dhcp", "serve", "-I", "eth1", "--pool", "198.18.1.100-198.18.1.110", "--timeout", "1s")
    finally:
        first.terminate()
        first.communicate(timeout=10)
    assert second.returncode == 2, second.stdout + second.stderr
    assert second.stderr == (
        "lanlab: cannot serve DHCP on eth0: port 67 is taken there: another DHCP server (a lanlab dhcp serve, "
        "dnsmasq, dhcpd) serves it\n"
    )
    assert beside.returncode == 1 and "serving 198.18.1.100-198.18.1.110 on eth1" in beside.stdout, beside.stderr


def test_a_server_on_every_interface_that_shares_port_67_leaves_room_for_one_on_eth0(server):
    """A dnsmasq or dhcpd on 0.0.0.0:67 with SO_REUSEADDR (serving another LAN) made `dhcp serve -I eth0` say port
    67 was taken; it starts beside it now, as it did before servers on one interface were refused."""
    holder = (
        "import socket, sys, time\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "s.bind(('', 67))\n"
        "print('bound', flush=True)\n"
        "time.sleep(20)\n"
    )
    wildcard = server.popen(sys.executable, "-c", holder, stdout=subprocess.PIPE, text=True)
    try:
        assert wildcard.stdout.readline() == "bound\n"
        beside = server.lanlab("dhcp", "serve", "-I", "eth0", "--pool", "198.18.0.100-198.18.0.110", "--timeout", "1s")
    finally:
        wildcard.kill()
        wildcard.wait(timeout=10)
    assert beside.returncode == 1 and "serving 198.18.0.100-198.18.0.110 on eth0" in beside.stdout, beside.stderr
