"""One run of a sweep: everything it needs travels in the Task (topology text, values, --do), so a
Dask worker on another machine needs no shared filesystem; the result is the run's row."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

import yaml

from lanlab.sweep.metrics import TRACED_KINDS, Metric
from lanlab.sweep.vary import apply

CPU_LIMIT = 5.0  # s: `sim run --app-cpu`'s default, the busy-loop stop of a program


@dataclass(frozen=True)
class Task:
    """A (seed, values) of a sweep and what it shares with the others."""

    name: str  # the topology file's name, for messages
    text: str  # the topology file's text
    seed: int
    values: dict[str, Any]  # --vary path -> value
    do: tuple[str, ...] = ()
    until: int = 10_000_000_000  # ns
    metrics: tuple[Metric, ...] = ()
    keep_document: bool = False
    trace: bool = field(default=False)  # add `events` of kinds route,stp, as --trace jsonl --filter route,stp


def topology_text(task: Task) -> str:
    """The topology with the task's --vary values written into its data."""
    if not task.values:
        return task.text
    data = copy.deepcopy(yaml.safe_load(task.text))
    for path, value in task.values.items():
        if apply(data, path, value) == 0:
            raise ValueError(f"--vary {path}: matches nothing in {task.name}")
    return yaml.safe_dump(data, sort_keys=False)


def run_document_of(task: Task) -> dict[str, Any]:
    """The JSON document `lanlab sim run FILE --seed S --json [--do ...]` prints for this task
    (with `--trace jsonl --filter route,stp` when `task.trace`): the same steps, the same builder."""
    from lanlab.sim.commands import schedule
    from lanlab.sim.network import Network
    from lanlab.sim.devices.storm import record_rates
    from lanlab.sim.report import EVENTS_AFTER_STORM, run_document
    from lanlab.sim.shim import run_programs

    network = Network.from_yaml(task.name, task.seed, text=topology_text(task))
    network.engine.events_after_storm = EVENTS_AFTER_STORM
    for text in task.do:
        schedule(network, text)
    if task.trace:
        network.start_trace(list(TRACED_KINDS))
    try:
        if any(c.command.words.startswith("tcp ") for c in network.commands):
            events = run_programs(network, task.until, CPU_LIMIT)
        else:
            events = network.run(task.until / 1e9)
    finally:
        network.close()
    record_rates(network)
    document = run_document(network, events)
    if task.trace:
        document["events"] = [event.as_dict() for event in network.trace]
    return document


def run_task(task: Task) -> dict[str, Any]:
    """The row of one run: seed, the varied values, each metric, error (None when it ran), wall_s.
    A run that fails is a row with its error, never the end of the sweep."""
    row: dict[str, Any] = {"seed": task.seed, **task.values}
    start = time.perf_counter()
    try:
        document = run_document_of(task)
    except Exception as error:  # noqa: BLE001 - any failure of one run is that run's row
        problems = getattr(error, "problems", None)
        row.update({m.name: None for m in task.metrics})
        row["error"] = "; ".join(problems) if problems else f"{type(error).__name__}: {error}"
    else:
        for metric in task.metrics:
            try:
                row[metric.name] = metric(document)
            except (TypeError, ValueError, ArithmeticError) as error:
                row[metric.name] = None
                row["error"] = f"--metric {metric.name}: {error}"
        row.setdefault("error", None)
        if task.keep_document:
            row["document"] = document
    row["wall_s"] = round(time.perf_counter() - start, 6)
    return row
