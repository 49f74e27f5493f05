"""A sweep's run with programs executes behind the same wall as `lanlab sim run --app`: a forked
child in a fresh network namespace (cli.sim_wall.enter_network_namespace), so whatever a
program digs out of the interpreter reaches no real network. The child sends its result back
through a pipe and exits; the worker (this process, a pool process or a Dask worker, which keep
their own network to talk to their scheduler) never runs a program itself. A fork per run also
gives each run a process of its own: what a program leaves behind (a module it patched, memory
it grew) ends with it."""

from __future__ import annotations

import os
import pickle
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class WallError(RuntimeError):
    """The walled child ended without a result (killed, or out of memory)."""


def behind_wall(work: Callable[[dict[str, Any]], T]) -> T:
    """`work(wall)` in a forked child behind a network-namespace wall; `wall` is the run document's
    `wall` entry ({"kind": "namespace"|"none", "reason": ...}). Exceptions come back as raised."""
    from lanlab.cli.sim_wall import Wall, enter_network_namespace

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # a Dask worker has threads; the child only runs this one, then exits
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its coverage is the parent's result)
        os.close(read_end)
        status = 0
        try:
            reason = enter_network_namespace()
            wall = Wall("namespace") if reason is None else Wall("none", reason)
            outcome: tuple[bool, Any] = (True, work(wall.as_dict()))
        except BaseException as error:  # noqa: BLE001 - the child must not return into the worker
            outcome = (False, error)
        try:
            data = pickle.dumps(outcome)
        except Exception as error:  # noqa: BLE001 - an exception that does not pickle, said in words
            data = pickle.dumps((False, WallError(f"{type(outcome[1]).__name__}: {outcome[1]} ({error})")))
        try:
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        except BaseException:  # noqa: BLE001 - the parent sees no result and says so
            status = 1
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        how = (
            f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"status {os.waitstatus_to_exitcode(status)}"
        )
        raise WallError(f"the run's process ended with {how} before sending its result")
    ok, value = pickle.loads(data)  # noqa: S301 - our own child's bytes
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]
