"""A sweep's runs with programs execute behind the same wall as `lanlab sim run --app`: a forked
child in a fresh network namespace (cli.sim_wall.enter_network_namespace), so whatever a
program digs out of the interpreter reaches no real network. The worker (this process, a pool
process or a Dask worker, which keep their own network to talk to their scheduler) never runs a
program itself.

One child per batch of runs, not per run: a fork and a new namespace cost more than a small run
(issue 18 measured 34 ms of fork beside 26 ms of run), and a child that lives through its batch
keeps what the shim compiled for the runs before (the standard library modules each program
executes afresh). Each program still has its own modules (the shim's overlay); runs with
`--app-limits` get a process each (a plain fork inside the namespace: the limits are a process's,
as `sim run`'s are). The child sends each result through the pipe as it is done, so a child that
dies (killed, out of memory) costs the run it was in, not the batch: the runs after it go to a new
child.

With --run-limit every batch runs in such a child (a plain fork for the runs without programs), in a
process group of its own that dies with its parent: the parent waits for each result at most the
limit, then kills the group (the child and any --app-limits process of it) and a new child goes on
with the runs after that one. The parent is the worker itself, so this holds on a remote Dask
cluster too."""

from __future__ import annotations

import math
import os
import pickle
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from lanlab.orphans import die_with

if TYPE_CHECKING:
    from lanlab.cli.sim_wall import Limits

T = TypeVar("T")
R = TypeVar("R")
_LENGTH = 4  # bytes of the length before each pickled result
POLL_MOST_MS = 2**31 - 1  # poll(2) takes an int of ms: a longer --run-limit waits in turns of this


class WallError(RuntimeError):
    """The walled child ended without a result (killed, or out of memory)."""


class RunTimedOut(WallError):
    """A run still going at --run-limit: its child was killed (the row's error; `wall_s` how long it ran)."""

    def __init__(self, limit: float, wall_s: float) -> None:
        super().__init__(
            f"the run took more than --run-limit {limit:g}s of wall-clock time and was stopped; its network "
            "or a program in it may never end (raise --run-limit if it needs longer)"
        )
        self.limit, self.wall_s = limit, wall_s

    def __reduce__(self) -> tuple[Any, ...]:  # unpickled with its own two arguments, not its message
        return (type(self), (self.limit, self.wall_s))


Outcome = tuple[bool, Any]  # (True, result) or (False, the exception raised)


def map_behind_wall(
    work: Callable[[T, dict[str, Any]], R],
    items: Sequence[T],
    *,
    unshare: bool = True,
    limits: Limits | None = None,
    run_limit: float | None = None,
    scratch: str | None = None,
) -> list[Outcome]:
    """`work(item, wall)` for each item, in forked children behind a network-namespace wall (`wall`
    is the run document's entry: {"kind": "namespace"|"none", "reason": ...}); one outcome per
    item, in order. One child does them all unless one dies: that item's outcome is a WallError
    and a new child goes on with the rest. `unshare=False`: a plain fork (already behind a wall);
    `limits`: setrlimit in the child (--app-limits); `run_limit`: seconds of wall-clock time an item
    may take, past which its child is killed and its outcome is RunTimedOut; `scratch`: the folder the
    children's temporary folders go in (the sweep's, which it removes: where.py), else TMPDIR."""
    outcomes: list[Outcome] = []
    while len(outcomes) < len(items):
        rest = items[len(outcomes) :]
        done, death = _child(work, rest, unshare, limits, run_limit, scratch)
        outcomes.extend(done)
        if death is not None:
            outcomes.append((False, death))
    return outcomes


def behind_wall(work: Callable[[dict[str, Any]], R], *, unshare: bool = True, limits: Limits | None = None) -> R:
    """`work(wall)` in one forked child behind the wall; exceptions come back as raised."""
    [(ok, value)] = map_behind_wall(lambda _, wall: work(wall), [None], unshare=unshare, limits=limits)
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _child(
    work: Callable[[T, dict[str, Any]], R],
    items: Sequence[T],
    unshare: bool,
    limits: Limits | None,
    run_limit: float | None = None,
    parent: str | None = None,
) -> tuple[list[Outcome], WallError | None]:
    """Fork one child for `items`; the outcomes it sent, and why it ended early (None if it did not).

    The child's temporary files (its hosts' folders) go in a folder of the parent's, removed when the
    child has ended: a child killed past its CPU limit, or out of memory, removes nothing itself. That
    folder is in `parent` when given: this process killed (a sweep's pool worker) removes nothing either."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    scratch = tempfile.mkdtemp(prefix="lanlab-run-", dir=parent)
    try:
        data, status, overdue = _forked(work, items, unshare, limits, scratch, run_limit)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcomes: list[Outcome] = []
    while len(data) >= _LENGTH:
        size = int.from_bytes(data[:_LENGTH], "big")
        if len(data) < _LENGTH + size:
            break  # cut off by the child's death
        outcomes.append(pickle.loads(data[_LENGTH : _LENGTH + size]))  # noqa: S301 - our own child's bytes
        data = data[_LENGTH + size :]
    if len(outcomes) == len(items):
        return outcomes, None
    if overdue is not None and run_limit is not None:
        return outcomes, RunTimedOut(run_limit, round(overdue, 6))
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU and limits is not None:
        return outcomes, WallError(_cpu_words(limits))
    how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"status {os.waitstatus_to_exitcode(status)}"
    return outcomes, WallError(f"the run's process ended with {how} before sending its result")


def _forked(
    work: Callable[[T, dict[str, Any]], R],
    items: Sequence[T],
    unshare: bool,
    limits: Limits | None,
    scratch: str,
    run_limit: float | None = None,
) -> tuple[bytes, int, float | None]:
    """Fork the child (its temporary files in `scratch`), read all it sends; its bytes, its wait status, and,
    when an item took more than `run_limit` s (the child then killed), how long that item had run. The
    parent interrupted meanwhile (Ctrl-C) kills the child first, so the scratch folder is not removed under it."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    with warnings.catch_warnings():  # a Dask worker has threads; the child only runs this one, then exits
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its coverage is the parent's results)
        os.close(read_end)
        tempfile.tempdir = scratch
        if run_limit is not None:
            _own_group_dying_with(parent)
        _serve(work, items, write_end, unshare, limits)
    os.close(write_end)
    group = run_limit is not None
    if group:
        try:  # also here, so that a kill right after the fork finds the group
            os.setpgid(pid, pid)
        except OSError:  # the child already did it, or has already ended
            pass
    overdue = None
    try:
        if run_limit is None:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
        else:
            data, overdue = _read_in_time(read_end, run_limit)
            if overdue is not None:
                _kill(pid, group)
    except BaseException:
        _kill(pid, group)
        os.waitpid(pid, 0)
        raise
    return data, os.waitpid(pid, 0)[1], overdue


def _read_in_time(fd: int, run_limit: float) -> tuple[bytes, float | None]:
    """What the child sends on `fd` (closed here) until it ends, or until it has sent no result for
    `run_limit` s: then the bytes so far and how long the item had run (None when the child ended)."""
    data = bytearray()
    parsed = 0  # bytes of whole results in data
    since = time.monotonic()  # when the current item began: the child's start, or the last result
    # poll, not select.select: that raises ValueError for a descriptor of 1024 or more (FD_SETSIZE), which
    # a busy Dask worker's pipe can be
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    try:
        while True:
            left = since + run_limit - time.monotonic()
            if left <= 0:
                return bytes(data), time.monotonic() - since
            if not poller.poll(min(math.ceil(left * 1000), POLL_MOST_MS)):
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return bytes(data), None
            data += chunk
            while len(data) - parsed >= _LENGTH:
                size = int.from_bytes(data[parsed : parsed + _LENGTH], "big")
                if len(data) - parsed < _LENGTH + size:
                    break
                parsed += _LENGTH + size
                since = time.monotonic()
    finally:
        os.close(fd)


def _kill(pid: int, group: bool) -> None:
    """SIGKILL the child, and with it its process group when it leads one (an --app-limits process of its)."""
    try:
        if group:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # pragma: no cover - already reaped
        pass


def _own_group_dying_with(parent: int) -> None:  # pragma: no cover - runs in the child
    """A --run-limit child: a process group of its own (the parent kills it whole at the limit), SIGKILLed
    when the thread that forked it ends (a worker killed, the sweep killed), so no run outlives its sweep.
    Out of the terminal's group, Ctrl-C no longer reaches it: the parent kills it when interrupted."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    die_with(parent)


def _serve(
    work: Callable[[T, dict[str, Any]], R], items: Sequence[T], fd: int, unshare: bool, limits: Limits | None
) -> None:  # pragma: no cover - runs in the child
    """The child: the wall, then each item's outcome written as it is done; never returns."""
    from lanlab.cli.sim_wall import Wall, above_inherited, apply_limits, enter_network_namespace

    status = 0
    try:
        with os.fdopen(fd, "wb") as pipe:
            wall: dict[str, Any] = {"kind": "namespace", "reason": None}
            try:
                reason = enter_network_namespace() if unshare else None
                wall = (Wall("namespace") if reason is None else Wall("none", reason)).as_dict()
                if limits is not None:
                    apply_limits(above_inherited(limits))
                    # sim run's handler prints and exits 1; here the parent tells SIGXCPU apart and the
                    # run's row says it (no core file: the default action of SIGXCPU dumps one)
                    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
                    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            except BaseException as error:  # noqa: BLE001 - every item fails alike
                _send(pipe, (False, error))
                os._exit(0)
            for item in items:
                try:
                    outcome: Outcome = (True, work(item, wall))
                except BaseException as error:  # noqa: BLE001 - the child must not return into the worker
                    outcome = (False, error)
                _send(pipe, outcome)
    except BaseException:  # noqa: BLE001 - the parent sees the results missing and says so
        status = 1
    os._exit(status)


def _send(pipe: Any, outcome: Outcome) -> None:
    try:
        data = pickle.dumps(outcome)
    except Exception as error:  # noqa: BLE001 - an exception that does not pickle, said in words
        data = pickle.dumps((False, WallError(f"{type(outcome[1]).__name__}: {outcome[1]} ({error})")))
    pipe.write(len(data).to_bytes(_LENGTH, "big") + data)
    pipe.flush()


def _cpu_words(limits: Limits) -> str:
    return (
        f"the run used its CPU time (--app-limits cpu={limits.cpu}s) and was stopped; "
        "a program probably loops without waiting"
    )
