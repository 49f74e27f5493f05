"""Where runs go: this process, a process pool, a Dask cluster through its address."""

import multiprocessing
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager

import pytest

from lanlab.sweep import SweepError, where
from lanlab.sweep.api import sweep
from lanlab.sweep.plan import make_plan
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ARGS = dict(
    until="150s",
    vary=["nodes.*.rip.split_horizon=none,poisoned_reverse"],
    metrics=["route_changes", "routing_convergence"],
)


def plain(rows):
    """Rows without their wall time (the one column that is not the run's)."""
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
    return [{k: v for k, v in row.items() if k != "wall_s"} for row in records]


@pytest.fixture(scope="module")
def in_process():
    return plain(sweep(EXAMPLES / "count-to-infinity.yaml", "1-3", workers=1, **ARGS))


def test_in_process_rows_are_in_values_then_seed_order(in_process):
    """One row per (value, seed), in the order of the values, then the seeds."""
    assert [(r["nodes.*.rip.split_horizon"], r["seed"]) for r in in_process] == [
        (v, s) for v in ("none", "poisoned_reverse") for s in (1, 2, 3)
    ]
    assert all(r["error"] is None for r in in_process)


def test_a_process_pool_gives_the_same_rows(in_process, monkeypatch):
    """Without Dask, 2 processes of a pool: the rows of the in-process sweep."""
    monkeypatch.setattr(where, "have_dask", lambda: False)
    assert plain(sweep(EXAMPLES / "count-to-infinity.yaml", "1-3", workers=2, **ARGS)) == in_process


@pytest.mark.slow
def test_a_dask_cluster_at_its_address_gives_the_same_rows(in_process):
    """A LocalCluster of 2 workers, reached as a remote one is (--scheduler tcp://...)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        rows = sweep(EXAMPLES / "count-to-infinity.yaml", "1-3", scheduler=cluster.scheduler_address, **ARGS)
    assert plain(rows) == in_process


def test_no_scheduler_there_is_a_sweep_error():
    """An address nobody answers at says how to start a scheduler."""
    pytest.importorskip("distributed")
    with pytest.raises(SweepError, match="dask scheduler"):
        sweep(EXAMPLES / "count-to-infinity.yaml", "1", scheduler="tcp://127.0.0.1:9", **ARGS)


@contextmanager
def a_service(answer: bytes | None):
    """A loopback TCP service that is not a Dask scheduler: it sends `answer` to each connection, or
    (None) keeps it open saying nothing for 30 s; yields its tcp:// address."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)
            if answer is not None:
                connection.sendall(answer)
            else:
                timer = threading.Timer(30, connection.close)
                timer.daemon = True
                timer.start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()
        for connection in held:
            connection.close()


def test_a_service_that_is_not_dask_is_a_sweep_error():
    """An address where another service answers (an SSH banner) is the one-line SweepError naming what
    went wrong (numpy's MemoryError for a frame of 2.8 EiB came out as a traceback)."""
    pytest.importorskip("distributed")
    with a_service(b"SSH-2.0-OpenSSH_9.6p1\r\n" + b"x" * 64) as address:
        with pytest.raises(SweepError, match=r"no Dask scheduler answers there \(MemoryError: .*start one with"):
            list(where.run_tasks(make_plan(EXAMPLES / "broadcast.yaml", "1", until="1s").tasks, 1, address))


def test_a_service_that_says_nothing_is_a_sweep_error_in_bounded_time(monkeypatch):
    """An address that takes the connection and says nothing is a SweepError after CONNECT_S + 5 s (the
    sweep waited for as long as the service kept the connection: for ever)."""
    pytest.importorskip("distributed")
    monkeypatch.setattr(where, "CONNECT_S", 1, raising=False)
    with a_service(None) as address:
        start = time.monotonic()
        with pytest.raises(SweepError, match=r"nothing answered as a Dask scheduler in 6 s"):
            list(where.run_tasks(make_plan(EXAMPLES / "broadcast.yaml", "1", until="1s").tasks, 1, address))
        assert time.monotonic() - start < 15


def test_a_scheduler_without_workers_is_a_sweep_error(monkeypatch):
    """A scheduler with no worker is a SweepError saying to start one, after CONNECT_S s (the runs
    waited for ever, nothing said)."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(where, "CONNECT_S", 1, raising=False)
    plan = make_plan(EXAMPLES / "broadcast.yaml", "1-2", until="1s")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster:
        with pytest.raises(SweepError, match=r"has no worker to run the sweep \(none came in 1 s\); start some"):
            list(where.run_tasks(plan.tasks, 1, cluster.scheduler_address))


def rows_killing_a_pool_worker(tasks):
    """The rows of `tasks` on a 2-process pool, one of its processes killed once the first row is in."""
    rows = []
    for row in where.run_tasks(tasks, 2, None):
        if not rows:
            os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)
        rows.append(row)
    return rows


def test_a_pool_worker_that_dies_costs_no_row(monkeypatch):
    """Without Dask, a pool process killed mid-sweep: the batches it broke run again in a new pool,
    every row comes back as in process (BrokenProcessPool ended the sweep, its rows lost)."""
    monkeypatch.setattr(where, "have_dask", lambda: False)
    tasks = make_plan(EXAMPLES / "count-to-infinity.yaml", "1-200", until="150s").tasks
    rows = rows_killing_a_pool_worker(tasks)
    assert sorted(row["seed"] for row in rows) == list(range(1, 201))
    assert all(row["error"] is None for row in rows)


def test_a_pool_that_keeps_breaking_gives_rows_saying_why(monkeypatch):
    """When the pool breaks more often than POOL_BREAKS (0 here), each run of a batch it broke is a
    row with that error, and the sweep ends with every row."""
    monkeypatch.setattr(where, "have_dask", lambda: False)
    monkeypatch.setattr(where, "POOL_BREAKS", 0, raising=False)
    tasks = make_plan(EXAMPLES / "count-to-infinity.yaml", "1-200", until="150s").tasks
    rows = rows_killing_a_pool_worker(tasks)
    assert sorted(row["seed"] for row in rows) == list(range(1, 201))
    failed = [row for row in rows if row["error"]]
    assert failed and all("a worker process of the pool died" in row["error"] for row in failed)


def test_a_batch_that_fails_on_dask_gives_rows_saying_why(monkeypatch):
    """A batch whose Dask task raises (as one does whose worker died each time Dask tried it: KilledWorker)
    is a row per run with that error, the other batches' rows kept (it was a traceback, every row lost)."""
    distributed = pytest.importorskip("distributed")
    from lanlab.sweep.task import run_batch

    def dies_on_seed_2(batch, scratch=None):
        if any(task.seed == 2 for task in batch):
            raise RuntimeError("the worker died")
        return run_batch(batch, scratch)

    monkeypatch.setattr(where, "run_batch", dies_on_seed_2)
    tasks = make_plan(EXAMPLES / "broadcast.yaml", "1-3", until="1s").tasks
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        rows = list(where.run_tasks(tasks, 3, cluster.scheduler_address))
    assert sorted(row["seed"] for row in rows) == [1, 2, 3]
    assert [(row["seed"], row["error"]) for row in rows if row["error"]] == [(2, "RuntimeError: the worker died")]


def test_a_local_cluster_has_no_more_workers_than_runs(monkeypatch):
    """--workers 64 for 3 runs starts a LocalCluster of 3 processes (it started 64, each a Python process)."""
    distributed = pytest.importorskip("distributed")
    asked = []

    class Refused(Exception):
        pass

    def local_cluster(n_workers, **options):
        asked.append(n_workers)
        raise Refused

    monkeypatch.setattr(distributed, "LocalCluster", local_cluster)
    monkeypatch.setattr(where, "have_dask", lambda: True)
    tasks = make_plan(EXAMPLES / "broadcast.yaml", "1-3", until="1s").tasks
    with pytest.raises(Refused):
        list(where.run_tasks(tasks, 64, None))
    assert asked == [3]


def test_batches_cover_every_task_once_in_order():
    """200 tasks for 2 workers: 16 batches of at most 13, every task once, in order; 3 tasks: 3 batches."""
    tasks = list(range(200))
    cut = where.batches(tasks, 2)
    assert len(cut) == 16 and max(len(b) for b in cut) == 13
    assert [t for b in cut for t in b] == tasks
    assert where.batches([1, 2, 3], 2) == [[1], [2], [3]]


def test_a_big_sweep_goes_out_in_small_batches():
    """50,000 tasks for 2 workers: batches of at most MOST_PER_BATCH (they were 3,125 long, and an
    interrupted sweep lost every run of the batches under way), every task once, in order."""
    tasks = list(range(50_000))
    cut = where.batches(tasks, 2)
    assert max(len(b) for b in cut) == where.MOST_PER_BATCH <= 32
    assert [t for b in cut for t in b] == tasks


@pytest.mark.slow
def test_programs_run_on_dask_workers_from_the_text_sent(tmp_path):
    """--app through a 2-worker LocalCluster's address: each run forks behind its wall on the worker,
    the rows are those of the in-process sweep."""
    distributed = pytest.importorskip("distributed")
    (tmp_path / "hello.py").write_text("import socket\nprint(socket.gethostname())\nprint('again')\n")
    args = dict(until="1s", metrics=["output_lines", "program_exit"], apps=[f"pc3={tmp_path / 'hello.py'}"])
    here = plain(sweep(EXAMPLES / "broadcast.yaml", "1-4", workers=1, **args))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        there = plain(sweep(EXAMPLES / "broadcast.yaml", "1-4", scheduler=cluster.scheduler_address, **args))
    assert there == here
    assert [(r["output_lines"], r["program_exit"], r["error"]) for r in here] == [(2, 0, None)] * 4


@pytest.mark.slow
def test_stdin_args_and_modules_reach_dask_workers(tmp_path):
    """--stdin, --arg, --app-limits and a helper module beside the program, through a 2-worker
    LocalCluster's address with the folder gone (the workers had only what the tasks carried): the
    rows are the in-process sweep's."""
    distributed = pytest.importorskip("distributed")
    (tmp_path / "helper.py").write_text("def shout(text):\n    return text.upper()\n")
    (tmp_path / "echo.py").write_text("import sys, helper\nprint(helper.shout(input()), sys.argv[1:])\n")
    args = dict(
        until="1s",
        metrics=["program_exit", "said=programs.0.output.0.text"],
        apps=[f"pc3={tmp_path / 'echo.py'}"],
        stdins=["pc3=hello"],
        args=["pc3=7788"],
        app_limits="cpu=10s,mem=1GiB",  # each run then forks once more inside its batch's wall
    )
    from lanlab.sweep.plan import make_plan

    plan = make_plan(EXAMPLES / "broadcast.yaml", "1-4", **args)
    here = plain(where.run_tasks(plan.tasks, 1, None))
    for path in tmp_path.iterdir():
        path.unlink()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        there = plain(where.run_tasks(plan.tasks, 2, cluster.scheduler_address))
    assert sorted(there, key=lambda r: r["seed"]) == here
    assert [(r["said"], r["program_exit"], r["error"]) for r in here] == [("HELLO ['7788']", 0, None)] * 4


def test_a_cluster_left_without_workers_gives_rows_saying_why(monkeypatch):
    """Every worker of a --scheduler cluster gone mid-sweep: after WORKERLESS_S seconds with none, each run
    left is a row saying so and the sweep ends (it waited for ever); the rows already done are kept."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(where, "WORKERLESS_S", 1)
    tasks = make_plan(EXAMPLES / "count-to-infinity.yaml", "1-40", until="150s").tasks
    rows = []
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        started = time.monotonic()
        for row in where.run_tasks(tasks, 1, cluster.scheduler_address):
            if not rows:
                cluster.scale(0)  # the only worker leaves after the first batch
            rows.append(row)
    assert time.monotonic() - started < 60
    assert sorted(row["seed"] for row in rows) == list(range(1, 41))
    lost = [row for row in rows if row["error"]]
    assert lost and len(lost) < 40
    assert {row["error"] for row in lost} == {"WorkersLost: the Dask cluster has had no worker for 1 s"}


def test_a_local_cluster_that_cannot_start_is_a_sweep_error(monkeypatch):
    """Dask's LocalCluster failing to start (its workers talk over 127.0.0.1: in a namespace whose loopback
    is down it times out) is a SweepError saying --workers 1 runs in this process; it was a traceback."""
    pytest.importorskip("distributed")
    import distributed

    def cannot(*args, **kwargs):
        raise RuntimeError("Cluster failed to start: Timed out trying to connect to tcp://127.0.0.1:1 after 30 s")

    monkeypatch.setattr(distributed, "LocalCluster", cannot)
    with pytest.raises(SweepError, match=r"--workers 2: could not start them .*--workers 1 runs the sweep"):
        sweep(EXAMPLES / "broadcast.yaml", "1-4", workers=2, until="1s")


def endless_and_short(run_limit: str) -> list:
    """Seeds 1 and 3 of count-to-infinity.yaml over 150 s of sim time, seed 2 over 10^9 s (hours of work)."""
    limited = dict(until="150s", metrics=["route_changes"], run_limit=run_limit)
    tasks = make_plan(EXAMPLES / "count-to-infinity.yaml", [1, 3], **limited).tasks
    endless = make_plan(EXAMPLES / "count-to-infinity.yaml", [2], **{**limited, "until": "1000000000s"}).tasks
    return [tasks[0], *endless, tasks[1]]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("engine", ["pool", "dask"])
def test_a_run_past_the_run_limit_ends_as_a_row_on_a_pool_and_on_dask(monkeypatch, engine):
    """On a process pool (no Dask) and on a Dask cluster's workers, a run that would take hours is stopped at
    run_limit (1 s), a row saying so, and the sweep ends with the other rows done (it held its worker for ever)."""
    tasks = endless_and_short("1s")
    if engine == "pool":
        monkeypatch.setattr(where, "have_dask", lambda: False)
        rows = list(where.run_tasks(tasks, 2, None))
    else:
        distributed = pytest.importorskip("distributed")
        with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
            rows = list(where.run_tasks(tasks, 2, cluster.scheduler_address))
    by_seed = {row["seed"]: row for row in rows}
    assert sorted(by_seed) == [1, 2, 3]
    assert by_seed[2]["error"].startswith("RunTimedOut: the run took more than --run-limit 1s")
    assert by_seed[1]["error"] is None and by_seed[3]["error"] is None
    assert by_seed[1]["route_changes"] is not None


@pytest.mark.timeout(60)
def test_the_python_api_takes_a_run_limit():
    """lanlab.sim.sweep(..., run_limit=1): a run of hours in this process is a row saying it was stopped."""
    rows = plain(sweep(EXAMPLES / "count-to-infinity.yaml", [4], until="1000000000s", workers=1, run_limit=1))
    assert len(rows) == 1 and rows[0]["seed"] == 4
    assert rows[0]["error"].startswith("RunTimedOut: the run took more than --run-limit 1s")


@pytest.mark.timeout(60)
def test_ctrl_c_ends_a_pool_sweep_whose_run_never_ends(monkeypatch):
    """Without Dask, Ctrl-C while a pool process is in a run of hours (no run limit) ends the sweep at once,
    the pool's processes killed, the rows done kept (the pool's shutdown waited for that run for ever)."""
    monkeypatch.setattr(where, "have_dask", lambda: False)
    tasks = [task.__class__(**{**task.__dict__, "run_limit": None}) for task in endless_and_short("1s")]
    rows = []
    timer = threading.Timer(4, os.kill, (os.getpid(), signal.SIGINT))  # the pool's processes ignore it
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            for row in where.run_tasks(tasks, 2, None):
                rows.append(row)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 20
    assert 1 in {row["seed"] for row in rows} and 2 not in {row["seed"] for row in rows}
    assert not [child for child in multiprocessing.active_children() if child.is_alive()]
