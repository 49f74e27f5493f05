"""lanlab.real.netns: the per-namespace files under /etc/netns are removed with the lab, and so is
/etc/netns itself when a run made it (paths moved to a temporary folder: no root needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.real import netns
from lanlab.real.model import read_lab

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """/etc/netns and the run's marker moved under tmp_path."""
    monkeypatch.setattr(netns, "ETC_NETNS", tmp_path / "etc" / "netns")
    monkeypatch.setattr(netns, "ETC_NETNS_MADE", tmp_path / "made")
    (tmp_path / "etc").mkdir()
    return tmp_path / "etc" / "netns"


def write(run: str) -> netns.Built:
    built = netns.Built(read_lab(EXAMPLES / "hub_vs_switch.yaml"), run)
    netns._write_hosts(built)
    return built


def test_etc_netns_made_by_a_run_is_removed_by_the_last_removal(etc: Path):
    """A run that made /etc/netns writes each node's hosts file; removing it while another run's
    files are there keeps the folder, and the last removal leaves no /etc/netns behind."""
    first, second = write("rtest1"), write("rtest2")
    assert (etc / first.ns("pc2") / "hosts").read_text().splitlines()[2] == "198.18.0.2\tpc2"
    netns.remove("rtest1")
    assert etc.is_dir() and not (etc / first.ns("pc2")).exists() and (etc / second.ns("pc2")).is_dir()
    netns.remove("rtest2")
    assert not etc.exists()


def test_an_etc_netns_that_was_there_before_is_left(etc: Path):
    """/etc/netns that existed before the run (the machine's, or ip netns's) stays, empty or not."""
    etc.mkdir()
    write("rtest3")
    netns.remove("rtest3")
    assert etc.is_dir() and list(etc.iterdir()) == []


def test_a_file_someone_put_in_etc_netns_keeps_it(etc: Path):
    """Only an empty /etc/netns is removed: a folder another tool wrote there stays, and so does /etc/netns."""
    write("rtest4")
    (etc / "theirs").mkdir()
    netns.remove("rtest4")
    assert (etc / "theirs").is_dir()


def test_hosts_files_name_every_address_of_a_node(etc: Path):
    """A router's every interface address is in the hosts files, its first first (only the first was:
    gethostbyaddr of r1's far side failed on the kernel and named r1 in the simulator)."""
    built = netns.Built(read_lab(EXAMPLES / "count-to-infinity.yaml"), "rtest5")
    netns._write_hosts(built)
    lines = (etc / built.ns("pc1") / "hosts").read_text().splitlines()
    r1 = [line.split("\t")[0] for line in lines if line.endswith("\tr1")]
    assert len(r1) == 2 and r1[0] == built.lab.address_of("r1")
    netns.remove("rtest5")


def test_a_node_that_asks_a_dns_server_still_finds_its_own_name_in_its_hosts_file(etc: Path):
    """pc1 has dns: its hosts file holds localhost and pc1's own address, not the other nodes' (the simulator
    answers a host's own name without asking DNS; the kernel's pc1 asked the server for it)."""
    built = netns.Built(read_lab(EXAMPLES / "dns.yaml"), "rtest6")
    netns._write_hosts(built)
    assert (etc / built.ns("pc1") / "hosts").read_text() == "127.0.0.1\tlocalhost\n198.18.0.1\tpc1\n"
    netns.remove("rtest6")
