"""200 runs of examples/rip-ring.yaml over seeds (130 s of sim time each, a ping across the failure):
wall with 1 worker (in process), with 2 (a process pool), and through a 2-worker Dask LocalCluster's
address as a remote cluster is used; speed-ups and the overhead each task adds, in one run."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lanlab.sweep.plan import make_plan
from lanlab.sweep.where import _on_dask, _on_pool, run_tasks

RING = Path(__file__).resolve().parents[1] / "examples" / "rip-ring.yaml"
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def timed(rows_of) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    rows = list(rows_of)
    return time.perf_counter() - start, rows


def main() -> None:
    from distributed import LocalCluster

    plan = make_plan(RING, range(1, RUNS + 1), do=["at 30s pc1 ping pc3 -c 90 -i 1"], until="130s",
                     metrics=["ping_received", "frames"])
    one, serial = timed(run_tasks(plan.tasks, 1, None))
    work = sum(row["wall_s"] for row in serial)  # the runs themselves, measured inside each
    two, pooled = timed(_on_pool(plan.tasks, 2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=50) as cluster:
        list(_on_dask(plan.tasks[:4], cluster.scheduler_address, 2))  # workers warm: imports done
        dask, clustered = timed(_on_dask(plan.tasks, cluster.scheduler_address, 2))
    assert sorted(r["frames"] for r in serial) == sorted(r["frames"] for r in pooled) == \
        sorted(r["frames"] for r in clustered), "the same runs must give the same rows everywhere"
    print(f"{RUNS} runs of {RING.name} (130 s sim, ping across the failure), {work / RUNS * 1000:.0f} ms each")
    print(f"  1 worker (in process)          {one:7.2f} s")
    print(f"  2 workers (process pool)       {two:7.2f} s   {one / two:.2f}x   (target >= 1.8x)")
    print(f"  2-worker LocalCluster address  {dask:7.2f} s   {one / dask:.2f}x   (target >= 1.6x)")
    for name, wall in (("process pool", two), ("dask", dask)):
        print(f"  overhead per task, {name:12s} {(wall * 2 - work) / RUNS * 1000:6.1f} ms   (target < 50 ms)")


if __name__ == "__main__":
    main()
