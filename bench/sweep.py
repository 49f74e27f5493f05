"""200 runs of examples/rip-ring.yaml over seeds (130 s of sim time each, a ping across the failure):
wall with 1 worker (in process), with 2 (a process pool), and through a 2-worker Dask LocalCluster's
address as a remote cluster is used; speed-ups and the overhead each task adds, in one invocation.

The machine is shared: the three are timed in ROUNDS rounds, their order rotated each round (so a
burst of someone else's load falls on each in turn), and compared by their medians; every sample
is printed too.

    .venv/bin/python bench/sweep.py [RUNS] [ROUNDS]

`apps` first: RUNS runs of examples/broadcast.yaml with a UDP server and client (--app) in this
process, each behind a wall of its own (a fork and a network namespace per run, as before) against
one walled child per batch (task.run_batch), alternated; the cost of the wall per run, each.

    .venv/bin/python bench/sweep.py apps [RUNS] [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import tempfile

from lanlab.sweep.plan import make_plan
from lanlab.sweep.task import run_batch, run_task
from lanlab.sweep.where import _on_dask, _on_pool, batches, run_tasks

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RING = EXAMPLES / "rip-ring.yaml"
APPS = sys.argv[1:2] == ["apps"]
NUMBERS = sys.argv[2:] if APPS else sys.argv[1:]
RUNS = int(NUMBERS[0]) if NUMBERS else (60 if APPS else 200)
ROUNDS = int(NUMBERS[1]) if len(NUMBERS) > 1 else 3
SERVER = """import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 7788))
for _ in range(2):
    data, peer = s.recvfrom(100)
    s.sendto(data.upper(), peer)
"""
CLIENT = """import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for word in ("one", "two"):
    s.sendto(word.encode(), ("198.18.0.2", 7788))
    print(s.recvfrom(100)[0].decode())
"""


def timed(rows_of: Iterable[dict]) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    rows = list(rows_of)
    return time.perf_counter() - start, rows


def cpu_seconds(client: object | None = None) -> float:
    """CPU time (user + system) of this process, its reaped children (a pool's workers, once joined)
    and, given a Dask client, every worker of its cluster: what the machine's load does not change."""
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    if client is not None:
        total += sum(t[0] + t[1] for t in client.run(os.times).values())  # type: ignore[attr-defined]
    return total


def main() -> None:
    from distributed import Client, LocalCluster

    plan = make_plan(
        RING,
        range(1, RUNS + 1),
        do=["at 30s pc1 ping pc3 -c 90 -i 1"],
        until="130s",
        metrics=["ping_received", "frames"],
    )
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
    ) as cluster:
        address = cluster.scheduler_address
        list(_on_dask(plan.tasks[:4], address, 2))  # workers warm: imports done
        client = Client(address)
        ways: dict[str, Callable[[], Iterable[dict]]] = {
            "1 worker (in process)": lambda: run_tasks(plan.tasks, 1, None),
            "2 workers (process pool)": lambda: _on_pool(plan.tasks, 2),
            "2-worker LocalCluster address": lambda: _on_dask(plan.tasks, address, 2),
        }
        names = list(ways)
        walls: dict[str, list[float]] = {name: [] for name in names}
        cpus: dict[str, list[float]] = {name: [] for name in names}
        frames: dict[str, list[int]] = {}
        work: list[float] = []
        for round_ in range(ROUNDS):
            for name in names[round_ % 3 :] + names[: round_ % 3]:
                before = cpu_seconds(client)
                wall, rows = timed(ways[name]())
                cpus[name].append(cpu_seconds(client) - before)
                walls[name].append(wall)
                frames[name] = sorted(row["frames"] for row in rows)
                if name == names[0]:
                    work.append(sum(row["wall_s"] for row in rows))  # the runs themselves, measured inside each
        client.close()
    assert all(found == frames[names[0]] for found in frames.values()), (
        "the same runs must give the same rows everywhere"
    )
    median = {name: statistics.median(values) for name, values in walls.items()}
    one, serial_work = median[names[0]], statistics.median(work)
    targets = {names[1]: "1.8x", names[2]: "1.6x"}
    print(
        f"{RUNS} runs of {RING.name} (130 s sim, ping across the failure), {serial_work / RUNS * 1000:.0f} ms each; "
        f"median of {ROUNDS} alternating rounds"
    )
    for name in names:
        samples = " ".join(f"{value:.2f}" for value in walls[name])
        ratio = "" if name == names[0] else f"   {one / median[name]:.2f}x (target >= {targets[name]})"
        print(f"  {name:30s} {median[name]:7.2f} s{ratio}   [{samples}]")
    for name, label in ((names[1], "process pool"), (names[2], "dask")):
        print(
            f"  overhead per task, {label:12s} {(median[name] * 2 - serial_work) / RUNS * 1000:6.1f} ms   "
            "(target < 50 ms)"
        )
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    print("  CPU seconds, every process counted (the load does not change them):")
    for name in names:
        extra = "" if name == names[0] else f"   {(cpu[name] - cpu[names[0]]) / RUNS * 1000:+6.1f} ms CPU per task"
        samples = " ".join(f"{value:.2f}" for value in cpus[name])
        print(f"    {name:30s} {cpu[name]:7.2f} s{extra}   [{samples}]")


def apps() -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "server.py").write_text(SERVER)
        (Path(folder) / "client.py").write_text(CLIENT)
        plan = make_plan(
            EXAMPLES / "broadcast.yaml",
            range(1, RUNS + 1),
            until="2s",
            metrics=["output_lines"],
            apps=[f"pc2={folder}/server.py", f"at 0.5s pc1={folder}/client.py"],
        )
    plain = make_plan(EXAMPLES / "broadcast.yaml", range(1, RUNS + 1), until="2s", metrics=["frames"])
    ways: dict[str, Callable[[], Iterable[dict]]] = {  # generators: timed() runs them
        "without programs (no wall)": lambda: (run_task(task) for task in plain.tasks),
        "a wall per run (before)": lambda: (run_task(task) for task in plan.tasks),
        "a wall per batch (now)": lambda: (row for batch in batches(plan.tasks, 1) for row in run_batch(batch)),
    }
    names = list(ways)
    walls: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(ROUNDS):
        for name in names[round_ % 3 :] + names[: round_ % 3]:
            wall, rows = timed(ways[name]())
            assert all(row["error"] is None for row in rows), rows
            walls[name].append(wall)
    median = {name: statistics.median(values) for name, values in walls.items()}
    print(f"{RUNS} runs of broadcast.yaml, 2 s sim, in this process; median of {ROUNDS} alternating rounds")
    for name in names:
        samples = " ".join(f"{value:.2f}" for value in walls[name])
        print(f"  {name:30s} {median[name]:6.2f} s  {median[name] / RUNS * 1000:6.1f} ms per run   [{samples}]")
    print(f"  per-batch wall saves {median[names[1]] / median[names[2]]:.2f}x of the walled sweep's time")


if __name__ == "__main__":
    apps() if APPS else main()
