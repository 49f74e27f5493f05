"""Where a sweep's tasks run: in this process (1 worker), a Dask cluster (a LocalCluster on this
machine's cores, or a running one at --scheduler), or a process pool when Dask is not installed.
Each yields rows as runs finish, so an interrupted sweep keeps the rows done."""

from __future__ import annotations

import gc
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from lanlab.i18n import L_, message_of
from lanlab.sweep.task import Task, failed_row, run_batch, run_task
from lanlab.sweep.vary import SweepError


def have_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def engine_name(workers: int, scheduler: str | None) -> str:
    """What runs the tasks: 'dask tcp://...', 'dask LocalCluster', 'process pool' or 'in process'
    (English, as --json has it; an L_ text, shown translated)."""
    if scheduler is not None:
        return f"dask {scheduler}"
    if workers == 1:
        return L_("in process")
    return "dask LocalCluster" if have_dask() else L_("process pool")


def run_tasks(tasks: list[Task], workers: int, scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Rows in the order runs (batches of runs, off this process) finish."""
    if not tasks:  # --resume with every run done: no cluster or pool to start
        return
    if scheduler is not None:  # its workers' temporary folders are on their machines, theirs to remove
        yield from _on_dask(tasks, scheduler, workers, None)
        return
    with _sweep_scratch() as scratch:
        if workers == 1:
            if any(task.apps or task.run_limit is not None for task in tasks):  # a child per batch (task.run_batch)
                yield from (row for batch in batches(tasks, 1) for row in run_batch(batch, scratch))
            else:
                yield from (run_task(task) for task in tasks)
        elif have_dask():
            yield from _on_dask(tasks, None, workers, scratch)
        else:
            yield from _on_pool(tasks, workers, scratch)


@contextmanager
def _sweep_scratch() -> Iterator[str | None]:
    """A folder of this process for the temporary folders of the batches' children (wall.py), removed when
    the sweep ends however it ends. A worker removes its batch's own folder, but a sweep left early kills
    its workers (_kill_workers; a SIGTERM to the process group reaches them too), and every batch then in
    progress left a lanlab-run-* folder in TMPDIR. A LocalCluster's workers are processes of this machine,
    so their folders are in here too. None when TMPDIR takes no folder: each batch's child then tries its
    own, and a run that cannot is a row saying why, not the sweep's end."""
    try:
        scratch = tempfile.mkdtemp(prefix="lanlab-sweep-")
    except OSError:
        yield None
        return
    try:
        yield scratch
    finally:
        for _ in range(SCRATCH_TRIES):  # a child still ending may write in it meanwhile: rmtree then fails
            shutil.rmtree(scratch, ignore_errors=True)
            if not os.path.exists(scratch):
                break
            time.sleep(0.1)


SCRATCH_TRIES = 10


@contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Worker processes started in here ignore SIGINT (inherited): Ctrl-C reaches the whole process
    group, and only this process should answer it, keep the rows done and stop the workers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


BATCHES_PER_WORKER = 8  # enough to even out the runs' lengths, few enough that per-task costs vanish
# At most this many runs a batch: a batch's rows come back when all its runs are done, so a batch is what
# an interrupted sweep loses and what the progress line moves by. 50,000 runs on 2 workers made batches of
# 3,125 (12 s each here): Ctrl-C after 12 s kept no row, the progress line moved by sixteenths. 32 runs of
# 15 ms still spread a task's ~20 ms round trip thin.
MOST_PER_BATCH = 32


def batches(tasks: list[Task], workers: int) -> list[list[Task]]:
    """The tasks in about BATCHES_PER_WORKER batches per worker (of at most MOST_PER_BATCH runs), each sent
    as one task: a run of a small network takes ~15 ms, less than a Dask task's round trip (~20 ms), so one
    run per task would spend more time scheduling than simulating."""
    size = min(MOST_PER_BATCH, max(1, -(-len(tasks) // (workers * BATCHES_PER_WORKER))))
    return [tasks[at : at + size] for at in range(0, len(tasks), size)]


POOL_BREAKS = 3  # a pool whose worker died is made again this often for the batches not done, as Dask retries


def _on_pool(tasks: list[Task], workers: int, scratch: str | None = None) -> Iterator[dict[str, Any]]:
    """The batches in a process pool. A worker that dies (killed, out of memory) breaks the pool and every
    batch not done with it (BrokenProcessPool: the sweep was a traceback, its rows lost): those go to a new
    pool, up to POOL_BREAKS times; then each of their runs is a row saying why."""
    pending = batches(tasks, workers)
    for _ in range(POOL_BREAKS + 1):
        broken: list[list[Task]] = []
        yield from _pool_round(pending, workers, broken, scratch)
        if not broken:
            return
        pending = broken
    for batch in pending:
        yield from (failed_row(task, RuntimeError(POOL_DIED)) for task in batch)


POOL_DIED = "a worker process of the pool died during the run's batch (killed, or out of memory), each time it was run"


def _pool_round(
    pending: list[list[Task]], workers: int, broken: list[list[Task]], scratch: str | None = None
) -> Iterator[dict[str, Any]]:
    """One pool for `pending`: the rows of the batches done; those the pool broke on go to `broken`. Left
    early (Ctrl-C, SIGTERM, --sweep-limit), the pool's processes are killed: its shutdown waited for the
    batches running, and a run that never ends kept the sweep from ever ending."""
    with ProcessPoolExecutor(max_workers=min(workers, len(pending))) as pool:
        # The workers fork while the futures are submitted. Frozen, this process's objects stay out of
        # their collector's walks, which would copy every page it touches (gc.freeze's documented
        # use): 200 rip-ring runs on 2 workers spent 1.25 ms CPU per task more than in process,
        # 0.5 ms frozen (2 alternated rounds, load 14).
        gc.freeze()
        try:
            with _children_ignore_ctrl_c():
                futures = {pool.submit(run_batch, batch, scratch): batch for batch in pending}
        finally:
            gc.unfreeze()
        finished = False
        try:
            for future in as_completed(futures):
                try:
                    rows = future.result()
                except BrokenProcessPool:
                    broken.append(futures[future])
                    continue
                yield from rows
            finished = True
        finally:
            if not finished:
                # Killed, the pool breaks and fails every batch not done (BrokenProcessPool). Not cancelled first:
                # Python 3.11's pool then sets that exception on a cancelled future, InvalidStateError, a
                # traceback on stderr from its thread at every Ctrl-C.
                _kill_workers(pool)
        broken.sort(key=pending.index)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """SIGKILL the pool's processes (Python 3.14's kill_workers, else each process the pool holds): their
    batches' rows are not wanted any more, and a batch that never ends would hold the pool's shutdown."""
    kill = getattr(pool, "kill_workers", None)
    if kill is not None:
        kill()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, ValueError):  # pragma: no cover - already gone, or closed
            pass


def _on_dask_batch(future: Any, batch: list[Task]) -> list[dict[str, Any]]:
    """A batch's rows from its finished Dask future; when the batch itself failed (its worker died each time
    Dask tried it, KilledWorker), each run of it is a row saying why, not the sweep's end. TimeoutError when
    the rows do not come within POLL_S: they were kept by a worker that has left, and Dask runs the batch again."""
    try:
        return future.result(timeout=POLL_S)  # type: ignore[no-any-return]
    except TimeoutError:
        raise
    except Exception as error:  # noqa: BLE001 - the batch's runs fail, the sweep goes on
        return [failed_row(task, error) for task in batch]


CONNECT_S = 10  # how long a --scheduler has to answer, and then to have a worker
WORKERLESS_S = 60  # how long a cluster may be left without any worker mid-sweep (a supervisor may restart them)
POLL_S = 1.0  # how often a sweep waiting for its batches looks whether the cluster still has a worker


def _dask_rows(client: Any, batches: dict[Any, list[Task]]) -> Iterator[dict[str, Any]]:
    """The rows of each batch's future as it finishes. A cluster left with no worker (every one stopped,
    killed, or gone with its machine) keeps Dask's futures waiting for one for ever, the sweep saying
    nothing; after WORKERLESS_S seconds without any, each run left is a row saying so, and the sweep ends."""
    from distributed import wait

    _quiet_abandoned_gathers()
    left = list(batches)
    workerless_since: float | None = None
    while left:
        try:
            done = wait(left, timeout=POLL_S, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            done = set()
        fetched = []
        for future in [future for future in left if future in done]:
            if future.status not in ("finished", "error") or (
                future.status == "finished" and not client.who_has([future]).get(future.key)
            ):
                continue  # lost with the worker that ran it or held its rows: Dask runs it again when one comes
            try:
                rows = _on_dask_batch(future, batches[future])
            except TimeoutError:
                continue
            fetched.append(future)
            yield from rows
        if fetched:
            left = [future for future in left if future not in fetched]
            workerless_since = None
        elif sum(client.nthreads().values()):
            workerless_since = None
        elif workerless_since is None:
            workerless_since = time.monotonic()
        elif time.monotonic() - workerless_since >= WORKERLESS_S:
            lost = WorkersLost(L_("the Dask cluster has had no worker for {seconds} s", seconds=WORKERLESS_S))
            for future in left:
                yield from (failed_row(task, lost) for task in batches[future])
            return


def _quiet_abandoned_gathers() -> None:
    """Asking for rows that went with a worker just as it left ends in result()'s timeout, and distributed
    leaves the gather it started running: when the sweep cancels the batch, that raises AllExit with nobody
    to hear, and asyncio prints "Task exception was never retrieved" and a traceback. Those records go."""
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, _AbandonedGathers) for f in logger.filters):
        logger.addFilter(_AbandonedGathers())


class _AbandonedGathers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return type(error).__name__ != "AllExit"


class WorkersLost(RuntimeError):
    """Every worker of the cluster left mid-sweep and none came back (the error of the runs they left)."""


def connect(scheduler: str) -> Any:
    """A Client of the Dask scheduler at `scheduler`, or a one-line SweepError within about CONNECT_S
    seconds: not an address, nothing there, or something there that is not a Dask scheduler (a service
    that sends other bytes made a numpy MemoryError traceback; one that keeps the connection open and
    says nothing made the sweep wait for ever). The Client is made in a thread of its own (a daemon:
    a connection that hangs is left behind when the sweep ends), as its own timeout does not cover the
    handshake."""
    from distributed import Client

    made: dict[str, Any] = {}

    def make() -> None:
        try:
            made["client"] = Client(scheduler, timeout=f"{CONNECT_S}s")
        except BaseException as error:  # noqa: BLE001 - said in the caller's thread
            made["error"] = error

    thread = threading.Thread(target=make, name="lanlab-sweep-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_S + 5)
    error = made.get("error")
    if "client" in made:
        return made["client"]
    if error is None:
        error = TimeoutError(L_("nothing answered as a Dask scheduler in {seconds} s", seconds=CONNECT_S + 5))
    if isinstance(error, ValueError):  # distributed's parse of the address
        raise SweepError(
            L_(
                "--scheduler {scheduler}: not a scheduler's address ({error}); give one like tcp://127.0.0.1:8786",
                scheduler=scheduler,
                error=error,
            )
        ) from None
    if not isinstance(error, (OSError, TimeoutError)):  # bytes that are not Dask's, or an address it cannot use
        error = f"{type(error).__name__}: {error}"
    raise SweepError(
        L_(
            "--scheduler {scheduler}: no Dask scheduler answers there ({error}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`",
            scheduler=scheduler,
            error=error if isinstance(error, str) else message_of(error),
        )
    ) from None


def _wait_for_workers(client: Any, scheduler: str) -> int:
    """The threads of a cluster that had none when the sweep connected, once one comes within
    CONNECT_S seconds; else a SweepError (the runs waited for ever, the sweep saying nothing)."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_S)
    except TimeoutError:
        raise SweepError(
            L_(
                "--scheduler {scheduler}: the scheduler has no worker to run the sweep (none came in {seconds} s); "
                "start some with `dask worker {scheduler}`",
                scheduler=scheduler,
                seconds=CONNECT_S,
            )
        ) from None
    return max(1, sum(client.nthreads().values()))


def _on_dask(
    tasks: list[Task], scheduler: str | None, workers: int, scratch: str | None = None
) -> Iterator[dict[str, Any]]:
    """The tasks as Dask futures; a LocalCluster of `workers` single-threaded processes when no
    scheduler is given (the simulator is pure Python: threads would share one GIL). `scratch`: a folder
    of this machine for the batches' temporary folders, None for a --scheduler's workers (elsewhere)."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        workers = min(workers, len(tasks))  # no idle processes: --workers 64 for 3 runs started 64
        try:
            with _children_ignore_ctrl_c():
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
                )
        except (RuntimeError, OSError) as error:  # its workers talk over 127.0.0.1: a loopback that is down
            raise SweepError(
                L_(
                    "--workers {workers}: could not start them on this machine ({reason}); --workers 1 runs the "
                    "sweep in this process",
                    workers=workers,
                    reason=str(error).splitlines()[0] if str(error) else type(error).__name__,
                )
            ) from None
        client = Client(cluster)
    else:
        client = connect(scheduler)
    try:
        if scheduler is not None:  # a cluster's size is its own: as many batches as it has threads
            workers = sum(client.nthreads().values())
            if not workers:
                workers = _wait_for_workers(client, scheduler)
        cut = batches(tasks, workers)
        futures = client.map(run_batch, cut, scratch=scratch, pure=False)
        try:
            yield from _dask_rows(client, dict(zip(futures, cut)))
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
