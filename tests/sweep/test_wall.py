"""A sweep's run with programs executes in a forked child behind a network-namespace wall."""

import os

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
