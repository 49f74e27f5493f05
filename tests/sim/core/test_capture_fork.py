"""A capture opened before sim run --app forks its walled child is written once: its header is on
disk when it opens, so the waiting parent, exiting, has nothing of it left to write again."""

import os
from pathlib import Path

import pytest

from lanlab.sim import Network

SECTION_HEADER = bytes.fromhex("0a0d0d0a")


def two_hosts() -> Network:
    network = Network("pair")
    network.add_host("pc1", ip="198.18.0.1/24")
    network.add_host("pc2", ip="198.18.0.2/24")
    network.link("pc1:eth0", "pc2:eth0")
    return network


def test_the_capture_header_is_on_disk_once_opened(tmp_path: Path):
    """Network.capture leaves nothing of the file in this process's buffer."""
    path = tmp_path / "run.pcapng"
    capture = two_hosts().capture(path)
    try:
        assert path.read_bytes().startswith(SECTION_HEADER)
    finally:
        capture.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_child_forked_after_the_capture_opened_writes_the_only_section(tmp_path: Path):
    """The child runs and closes the capture; the parent then closes its copy (as its exit does):
    the file holds one section and every frame, not a second header after them."""
    alone = tmp_path / "alone.pcapng"
    network = two_hosts()
    capture = network.capture(alone)
    network.ping("pc1", "198.18.0.2", count=1)
    network.run(2)
    capture.close()
    path = tmp_path / "run.pcapng"
    network = two_hosts()
    capture = network.capture(path)
    pid = os.fork()
    if pid == 0:  # pragma: no cover  (the child: whatever happens, it never returns into pytest)
        status = 1
        try:
            network.ping("pc1", "198.18.0.2", count=1)
            network.run(2)
            capture.close()
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    capture.stream.close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert path.read_bytes().count(SECTION_HEADER) == 1
    assert path.read_bytes() == alone.read_bytes()
