"""The namespace lab the real-network tests stand on."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netlab import needs_netns

needs_ping = pytest.mark.skipif(shutil.which("ping") is None, reason="iputils ping is not installed")


@needs_netns
@needs_ping
def test_lan_hosts_reach_each_other_through_the_bridge(lan):
    """Two hosts on a lab bridge answer each other's ping; their MACs are distinct."""
    net = lan(2)
    a, b = net.hosts
    assert a.ip == "198.18.0.1" and b.ip == "198.18.0.2"
    assert a.mac != b.mac
    a.run("ping", "-c", "1", "-W", "2", b.ip)


@needs_netns
def test_lab_removes_its_namespaces(lab):
    """Closing a lab deletes every namespace it made."""
    ns = lab.namespace()
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert ns.name in names
    lab.close()
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert ns.name not in names


@needs_netns
@needs_ping
def test_point_to_point_link_carries_traffic(lab):
    """lab.link joins two namespaces directly with a veth pair."""
    a, b = lab.namespace(), lab.namespace()
    lab.link(a, b, "198.19.0.1/30", "198.19.0.2/30")
    a.run("ping", "-c", "1", "-W", "2", "198.19.0.2")


REPO = Path(__file__).resolve().parents[2]


def test_bench_scan_runs_outside_the_test_environment():
    """bench/scan.py imports the lab with pytest not installed (the bench is no test)."""
    blocked = (
        "import runpy, sys; sys.modules['pytest'] = None; "
        f"runpy.run_path({str(REPO / 'bench' / 'scan.py')!r}, run_name='scan')"
    )
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@needs_netns
def test_lab_tests_skip_with_the_reason_where_ping_is_missing(tmp_path: Path):
    """With iproute2 but no iputils on PATH, the tests that ping skip and say why."""
    for tool in ("ip", "sysctl", "cat"):
        (tmp_path / tool).symlink_to(shutil.which(tool))
    pings = [
        f"tests/helpers/test_netlab.py::{name}"
        for name in ("test_lan_hosts_reach_each_other_through_the_bridge", "test_point_to_point_link_carries_traffic")
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *pings],
        cwd=REPO,
        env={**os.environ, "PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "2 skipped" in result.stdout, result.stdout
    assert "iputils ping is not installed" in result.stdout


@needs_netns
def test_leaked_namespaces_of_dead_runs_are_removed_and_live_ones_kept():
    """A namespace named for a pid that has exited goes; one named for this live process stays."""
    from netlab import remove_leaked_namespaces

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, live = f"ll{done.stdout.strip()}x0h0", f"ll{os.getpid()}x999h0"
    for name in (dead, live):
        subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        removed = remove_leaked_namespaces()
        names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
        assert dead in removed and dead not in names
        assert live not in removed and live in names
    finally:
        for name in (dead, live):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
