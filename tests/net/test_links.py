"""What lanlab.net.links says about interfaces, asked in the network namespace the command runs in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from lanlab.net import links

needs_unshare = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None,
    reason="needs root, unshare and ip",
)


def in_own_namespace(script: str) -> subprocess.CompletedProcess:
    """A shell script run in a network namespace of its own (`unshare -n`: sysfs still shows this one's)."""
    return subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True, timeout=30)


def test_an_interface_that_does_not_exist_is_taken_as_up():
    """No such interface (or a name the kernel cannot hold): True, so that the send itself says what is wrong."""
    assert links.is_up("no-such-if0") and links.is_up("x" * 40) and links.is_up("")


@needs_unshare
def test_ping_on_a_down_interface_of_another_namespace_says_it_is_down():
    """ping -I a1, a1 down in the namespace ping runs in (one sysfs does not show): "interface a1 is down" and
    how to bring it up (it read the mounted sysfs, found no a1, and asked "is 'a1' an interface or an address
    here?"); the broadcast's list of down interfaces is this namespace's too."""
    lanlab = f"{sys.executable} -m lanlab"
    done = in_own_namespace(
        "ip link add a1 type veth peer name b1 && ip addr add 198.18.3.1/24 dev a1 && "
        f"{lanlab} ping -c 1 -W 1 -I a1 198.18.3.2; echo status=$?; {lanlab} udp broadcast --wait 0.1"
    )
    lines = done.stderr.splitlines()
    assert lines[0] == "lanlab: interface a1 is down; bring it up with `ip link set a1 up`"
    assert "status=2" in done.stdout
    assert "these interfaces are down: a1, b1;" in lines[1]
