"""`lanlab dhcp serve` given hostile settings (a trial), in a namespace the test makes: each mistake is one line
and exit status 2 before anything is served; SIGTERM prints the lease table as Ctrl-C does."""

from __future__ import annotations

import shutil
import signal
import time

import pytest

from netlab import Lab, needs_netns

pytestmark = needs_netns
BUSYBOX = shutil.which("busybox")


@pytest.fixture
def server_namespace(request):
    """A namespace whose eth0 (on a bridge) has the address the test is parametrised with."""
    lab = Lab()
    try:
        bridge = lab.bridge()
        server = lab.namespace("srv")
        lab.attach(server, bridge, getattr(request, "param", "198.18.0.1/24"))
        yield lab, bridge, server
    finally:
        lab.close()


@pytest.mark.parametrize(
    "args, said",
    [
        (
            "--pool 198.18.0.1-198.18.0.1",
            "pool 198.18.0.1-198.18.0.1 has no address to lend in 198.18.0.0/24: the server's own address and the "
            "subnet's network and broadcast addresses are never lent; give others",
        ),
        ("--pool 198.18.0.255-198.18.0.255", "pool 198.18.0.255-198.18.0.255 has no address to lend"),
        (
            "--pool 198.18.0.10-198.18.0.20 --lease 0s",
            "lease: at least 4s (a client probes its new address for a second, and renews at half the lease)",
        ),
        (
            "--pool 198.18.0.10-198.18.0.20 --lease 500ms",
            "lease: at least 4s (a client probes its new address for a second, and renews at half the lease)",
        ),
        (
            "--pool 198.18.0.10-198.18.0.20 --router 198.19.0.1",
            "router 198.19.0.1 is not in 198.18.0.0/24: clients reach their gateway directly",
        ),
        (
            "--pool 198.18.0.10-198.18.0.20 --router 198.18.0.0",
            "router 198.18.0.0 is the network or broadcast address of 198.18.0.0/24, no host's: give the gateway's",
        ),
        ("--pool 198.18.0.10-198.18.0.20 --timeout 0s", "0s is no time to wait: give more than 0, like 5s"),
    ],
)
def test_a_setting_that_cannot_serve_is_one_line_and_status_2(server_namespace, args, said):
    """A pool of only the server's own address (or only the broadcast address) served nothing and waited;
    a lease under 1 s went out as 0 s; a router off the subnet or its network address was handed out;
    --timeout 0s served for ever (0 read as no timeout)."""
    _, _, server = server_namespace
    result = server.lanlab("dhcp", "serve", "-I", "eth0", *args.split(), timeout=20)
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("server_namespace", ["198.18.0.1/32"], indirect=True)
def test_a_32_has_no_address_to_lend(server_namespace):
    """On a /32 the only address is the server's own: said at once, status 2."""
    _, _, server = server_namespace
    result = server.lanlab("dhcp", "serve", "-I", "eth0", "--pool", "198.18.0.1-198.18.0.1", timeout=20)
    assert result.returncode == 2 and "has no address to lend in 198.18.0.1/32" in result.stderr


@pytest.mark.skipif(BUSYBOX is None, reason="busybox (udhcpc) not installed")
def test_sigterm_prints_the_lease_table_and_exits_143(server_namespace, tmp_path):
    """A service manager's SIGTERM ended the server without its lease table; now it prints it, as after
    Ctrl-C, and exits 143 (128 + SIGTERM)."""
    lab, bridge, server = server_namespace
    client = lab.namespace("cli")
    lab.attach(client, bridge, None)
    serving = server.dhcp_serving("198.18.0.100-198.18.0.110")
    try:
        time.sleep(1)
        script = tmp_path / "script.sh"
        script.write_text("#!/bin/sh\nexit 0\n")
        script.chmod(0o755)
        client.run(
            BUSYBOX, "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "4", "-T", "1", "-s", str(script), check=False
        )
        serving.send_signal(signal.SIGTERM)
        out, err = serving.communicate(timeout=10)
    finally:
        if serving.poll() is None:
            serving.kill()
    assert serving.returncode == 143, out + err
    assert "REQUEST  from" in out and out.rstrip().splitlines()[-1].split()[:1] == ["198.18.0.100"]


HOSTILE_DISCOVER = r"""
import socket, struct
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.bind(("", 68))
name = b"\x1b[2J\x1b[31mPWNED\xe2\x80\xae"
fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 9, 0, 0x8000, bytes(4), bytes(4), bytes(4), bytes(4),
                    bytes.fromhex("02aa00000099").ljust(16, b"\0"), b"", b"")
sock.sendto(fixed + b"\x63\x82\x53\x63" + bytes([53, 1, 1, 12, len(name)]) + name + b"\xff", ("198.18.0.255", 67))
"""


def test_a_clients_host_name_cannot_act_on_the_terminal(server_namespace, tmp_path):
    """A DISCOVER whose host name holds an escape sequence and a bidi override: the lease table at the end shows
    them escaped (\\x1b, \\u202e); printed raw they cleared and coloured the screen of whoever ran the server."""
    lab, bridge, server = server_namespace
    client = lab.namespace("cli")
    lab.attach(client, bridge, "198.18.0.50/24")
    program = tmp_path / "discover.py"
    program.write_text(HOSTILE_DISCOVER)
    serving = server.dhcp_serving("198.18.0.100-198.18.0.110", "--count", "1")
    try:
        time.sleep(1)
        client.python(str(program), check=False)
        out, err = serving.communicate(timeout=20)
    finally:
        if serving.poll() is None:
            serving.kill()
    assert "\\x1b[2J\\x1b[31mPWNED\\u202e" in out, out + err
    assert not any(ord(c) < 0x20 and c != "\n" or c == "\u202e" for c in out)
