"""lanlab.orphans: a child that dies with the process that started it."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from lanlab.orphans import die_with

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")


def child_status(parent_of: int) -> int:
    """Fork a child that calls die_with(parent_of) then exits 0; its exit status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        die_with(parent_of)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_child_whose_starter_is_its_parent_goes_on():
    """The pid that started it is its parent: it carries on (exit 0)."""
    assert child_status(os.getpid()) == 0


def test_a_child_handed_to_another_parent_leaves_at_once():
    """Its parent is not the pid that started it (that one died before the call): it leaves, exit 1, whatever
    pid its new parent has (1, or a subreaper's)."""
    assert child_status(os.getpid() + 1_000_000) == 1


def test_a_child_is_killed_when_its_starter_ends():
    """A grandchild that called die_with(its parent) is SIGKILLed when that parent exits."""
    read, write = os.pipe()
    middle = os.fork()
    if middle == 0:  # pragma: no cover - the starter: forks the grandchild, says its pid, exits
        grandchild = os.fork()
        if grandchild == 0:
            die_with(os.getppid())
            time.sleep(30)
            os._exit(0)
        os.write(write, str(grandchild).encode())
        time.sleep(0.2)  # the grandchild has called die_with by now
        os._exit(0)
    os.close(write)
    grandchild = int(os.read(read, 32))
    os.close(read)
    os.waitpid(middle, 0)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(grandchild, signal.SIGKILL)
    pytest.fail("the grandchild outlived its starter")
