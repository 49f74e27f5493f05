"""Where runs go: this process, a process pool, a Dask cluster through its address."""

import pytest

from lanlab.sweep import SweepError, where
from lanlab.sweep.api import sweep
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
