"""Where a sweep's tasks run: in this process (1 worker), a Dask cluster (a LocalCluster on this
machine's cores, or a running one at --scheduler), or a process pool when Dask is not installed.
Each yields rows as runs finish, so an interrupted sweep keeps the rows done."""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from lanlab.i18n import L_
from lanlab.sweep.task import Task, run_batch, run_task
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
    if scheduler is not None:
        yield from _on_dask(tasks, scheduler, workers)
    elif workers == 1:
        if any(task.apps for task in tasks):  # behind one wall per batch (task.run_batch)
            yield from (row for batch in batches(tasks, 1) for row in run_batch(batch))
        else:
            yield from (run_task(task) for task in tasks)
    elif have_dask():
        yield from _on_dask(tasks, None, workers)
    else:
        yield from _on_pool(tasks, workers)


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


def _on_pool(tasks: list[Task], workers: int) -> Iterator[dict[str, Any]]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # The workers fork while the futures are submitted. Frozen, this process's objects stay out of
        # their collector's walks, which would copy every page it touches (gc.freeze's documented
        # use): 200 rip-ring runs on 2 workers spent 1.25 ms CPU per task more than in process,
        # 0.5 ms frozen (2 alternated rounds, load 14).
        gc.freeze()
        try:
            with _children_ignore_ctrl_c():
                futures = [pool.submit(run_batch, batch) for batch in batches(tasks, workers)]
        finally:
            gc.unfreeze()
        try:
            for future in as_completed(futures):
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


def _on_dask(tasks: list[Task], scheduler: str | None, workers: int) -> Iterator[dict[str, Any]]:
    """The tasks as Dask futures; a LocalCluster of `workers` single-threaded processes when no
    scheduler is given (the simulator is pure Python: threads would share one GIL)."""
    from distributed import Client, LocalCluster, as_completed as dask_completed

    cluster = None
    try:
        if scheduler is None:
            with _children_ignore_ctrl_c():
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
                )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except ValueError as error:  # distributed's parse of the address
        raise SweepError(
            L_(
                "--scheduler {scheduler}: not a scheduler's address ({error}); give one like tcp://127.0.0.1:8786",
                scheduler=scheduler,
                error=error,
            )
        ) from None
    except (OSError, TimeoutError) as error:
        raise SweepError(
            L_(
                "--scheduler {scheduler}: no Dask scheduler answers there ({error}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`",
                scheduler=scheduler,
                error=error,
            )
        ) from None
    try:
        if scheduler is not None:  # a cluster's size is its own: as many batches as it has threads
            workers = max(1, sum(client.nthreads().values()))
        futures = client.map(run_batch, batches(tasks, workers), pure=False)
        try:
            for future in dask_completed(futures):
                yield from future.result()
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
