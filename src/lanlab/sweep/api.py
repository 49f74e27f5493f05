"""`lanlab.sim.sweep(...)`: a sweep from Python, its rows as a pandas DataFrame (or a list)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lanlab.sweep.plan import as_table, make_plan
from lanlab.sweep.vary import Vary, value_key
from lanlab.sweep.where import default_workers, run_tasks


def sweep(
    file: str | Path,
    seeds: str | int | Iterable[int] = "1-10",
    *,
    vary: Iterable[str | Vary] = (),
    do: Iterable[str] = (),
    until: str | float = "10s",
    metrics: Iterable[str] = (),
    workers: int | None = None,
    scheduler: str | None = None,
    keep_documents: bool = False,
    apps: Iterable[str] = (),
    stdins: Iterable[str] = (),
    args: Iterable[str] = (),
    app_limits: str | None = None,
    run_limit: str | float | None = None,
) -> Any:
    """Run FILE once per seed and per combination of `vary` values; returns one row per run, in
    (values, seed) order: seed, each varied path, each metric, error (None when it ran), wall_s.

        from lanlab.sim import sweep
        rows = sweep("examples/count-to-infinity.yaml", "1-20", until="150s",
                     vary=["nodes.*.rip.split_horizon=none,poisoned_reverse"],
                     metrics=["route_changes", "routing_convergence"])

    `apps=["pc1=server.py", "at 1s pc2=client.py"]` runs programs as `sim run --app` does, in
    every run (behind a network-namespace wall, in a process of their batch's); `stdins`, `args`
    and `app_limits` are sim run's --stdin, --arg and --app-limits (["pc1=hello"], ["pc1=7788"],
    "cpu=10s,mem=512MiB").
    `run_limit` (seconds, or a duration like "10min") stops a run still going after that much wall-clock
    time, its row's error saying so (RunTimedOut: ...); None (the default) lets every run take its time.
    `keep_documents=True` adds each run's `sim run --json` document as `document`."""
    plan = make_plan(file, seeds, vary, do, until, metrics, keep_documents, apps, stdins, args, app_limits, run_limit)
    order = {(task.seed, tuple(value_key(v) for v in task.values.values())): i for i, task in enumerate(plan.tasks)}
    rows = list(run_tasks(plan.tasks, workers or default_workers(), scheduler))
    rows.sort(key=lambda row: order[(row["seed"], tuple(value_key(row[p]) for p in plan.varied))])
    return as_table(rows)
