"""A sweep's run with programs executes in a forked child behind a network-namespace wall."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lanlab.sweep.wall import WallError, behind_wall, map_behind_wall


def test_the_work_runs_in_another_process_and_its_result_comes_back():
    """The child's pid is not ours; what the work returns is the caller's result."""
    assert behind_wall(lambda wall: os.getpid()) != os.getpid()


def test_the_child_is_in_a_network_namespace_of_its_own():
    """Where user namespaces are allowed, the child's /proc/self/ns/net is not ours and the wall says so."""
    wall, namespace = behind_wall(lambda wall: (wall, os.readlink("/proc/self/ns/net")))
    if wall["kind"] == "none":
        pytest.skip(f"this machine allows no network namespace here: {wall['reason']}")
    assert wall == {"kind": "namespace", "reason": None}
    assert namespace != os.readlink("/proc/self/ns/net")


def test_an_exception_in_the_child_is_raised_in_the_caller():
    """The run's error is the caller's, with its type and words."""
    with pytest.raises(ZeroDivisionError):
        behind_wall(lambda wall: 1 // 0)


def test_a_child_that_dies_without_a_result_is_a_wall_error():
    """A child killed before it answers (as by the kernel's OOM killer) is said, not waited on forever."""
    with pytest.raises(WallError, match="signal 9"):
        behind_wall(lambda wall: os.kill(os.getpid(), 9))


def test_a_batch_shares_one_child_and_a_death_costs_only_its_item():
    """Three items in one child (one pid); an item whose child is killed is a WallError and the
    items after it go on in a new child."""
    outcomes = map_behind_wall(lambda item, wall: os.getpid(), [1, 2, 3])
    assert all(ok for ok, _ in outcomes) and len({pid for _, pid in outcomes}) == 1
    outcomes = map_behind_wall(
        lambda item, wall: os.kill(os.getpid(), 9) if item == "die" else (item, os.getpid()), ["a", "die", "b"]
    )
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert isinstance(outcomes[1][1], WallError) and outcomes[0][1][0] == "a" and outcomes[2][1][0] == "b"
    assert outcomes[0][1][1] != outcomes[2][1][1]


def spin_forever(item, wall):
    """An item that never ends: a loop of pure Python that never waits."""
    while item == "spin":
        pass
    return item, os.getpid(), os.getpgid(0)


@pytest.mark.timeout(30)
def test_an_item_past_the_run_limit_is_killed_and_the_others_go_on():
    """With run_limit=1, an item that never ends is a RunTimedOut after about 1 s (how long it ran said),
    its child killed; the item after it runs in a new child, the one before it was done in the first."""
    from lanlab.sweep.wall import RunTimedOut

    start = time.monotonic()
    outcomes = map_behind_wall(spin_forever, ["a", "spin", "b"], unshare=False, run_limit=1.0)
    took = time.monotonic() - start
    assert [ok for ok, _ in outcomes] == [True, False, True]
    timed_out = outcomes[1][1]
    assert isinstance(timed_out, RunTimedOut) and "--run-limit 1s" in str(timed_out)
    assert 1.0 <= timed_out.wall_s < 5 and took < 10
    (_, first, first_group), (_, second, second_group) = outcomes[0][1], outcomes[2][1]
    assert first != second
    assert first_group == first and second_group == second  # each child leads its own group, killed whole
    assert not running(first)  # the killed child is gone, not left spinning


def running(pid: int) -> bool:
    """The process exists and is not a zombie (one killed waits there for a reaper that may be slow)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.timeout(30)
def test_a_grandchild_of_a_timed_out_item_is_killed_with_it(tmp_path):
    """A process the item started (as --app-limits starts one per run) dies with the item's child at the limit."""
    marker = tmp_path / "grandchild"

    def starts_a_grandchild(item, wall):
        pid = os.fork()
        if pid == 0:  # waits 30 s at most, should the test fail
            for _ in range(600):
                time.sleep(0.05)
            os._exit(0)
        marker.write_text(str(pid))
        while True:
            time.sleep(0.05)

    [(ok, _)] = map_behind_wall(starts_a_grandchild, [1], unshare=False, run_limit=1.0)
    grandchild = int(marker.read_text())
    assert not ok
    for _ in range(100):
        if not running(grandchild):
            break
        time.sleep(0.05)
    else:
        os.kill(grandchild, 9)
        raise AssertionError(f"the grandchild {grandchild} outlived its timed-out run")


HIGH_DESCRIPTORS = """
import os, resource
from lanlab.sweep.wall import map_behind_wall
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY and hard < 1200:
    raise SystemExit(3)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
held = [os.dup(0) for _ in range(1100 - 3)]  # the next descriptors, the pipe's among them, are past 1024
assert max(held) >= 1024, max(held)
print(map_behind_wall(lambda item, wall: item * 2, [1, 2], unshare=False, run_limit=30))
"""


def test_the_run_limit_wait_works_with_descriptors_past_1024():
    """A --run-limit batch's result pipe numbered past 1024 (a busy Dask worker's) is waited on (select.select raised)."""
    done = subprocess.run([sys.executable, "-c", HIGH_DESCRIPTORS], capture_output=True, text=True, timeout=60)
    if done.returncode == 3:
        pytest.skip("the hard RLIMIT_NOFILE here is under 1200")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[(True, 2), (True, 4)]\n"
