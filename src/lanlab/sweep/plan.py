"""A sweep's plan: the product of seeds and --vary values as Tasks, checked before anything runs
(the topology, each --vary against it, each --do), so a mistake is one line, not N failed rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lanlab.sweep.metrics import BUILTINS, Metric, parse_metric
from lanlab.sweep.task import App, Task, topology_text
from lanlab.sweep.vary import SweepError, Vary, combinations, parse_seeds, parse_vary
from lanlab.units import UnitError, parse_duration

DEFAULT_METRICS = ("frames", "drops", "events")


@dataclass(frozen=True)
class Plan:
    name: str
    tasks: list[Task]
    metrics: list[Metric]
    varied: list[str]


def make_plan(
    file: str | Path,
    seeds: str | Iterable[int],
    vary: Iterable[str | Vary] = (),
    do: Iterable[str] = (),
    until: str | float = "10s",
    metrics: Iterable[str] = (),
    keep_documents: bool = False,
    apps: Iterable[str] = (),
) -> Plan:
    from lanlab.sim.commands import CommandError, schedule
    from lanlab.sim.network import Network
    from lanlab.topology import read_text

    text = read_text(file)
    seed_list = parse_seeds(seeds) if isinstance(seeds, str) else list(seeds)
    if not seed_list:
        raise SweepError("--seeds: give at least one seed, like 1-100")
    varies = [v if isinstance(v, Vary) else parse_vary(v) for v in vary]
    chosen = [parse_metric(m) for m in metrics] or [
        parse_metric(m) if m in BUILTINS else parse_metric(f"{m}={m}") for m in DEFAULT_METRICS
    ]
    if len({m.name for m in chosen}) != len(chosen):
        raise SweepError("--metric: two metrics share a name; give each its own NAME=")
    try:
        end = parse_duration(until)
    except UnitError as error:
        raise SweepError(f"--until: {error}") from None
    trace = any(m.needs_events for m in chosen)
    do = tuple(do)
    programs = tuple(read_apps(apps))
    tasks = []
    for values in combinations(varies):
        probe = Task(str(file), text, seed_list[0], values)
        try:
            network = Network.from_yaml(str(file), seed_list[0], text=topology_text(probe))
        except ValueError as error:  # a --vary that matches nothing, or TopologyError (a ValueError too)
            problems = getattr(error, "problems", None)
            where = f" with {', '.join(f'{k}={v}' for k, v in values.items())}" if values else ""
            raise SweepError(f"{file}{where}: " + ("; ".join(problems) if problems else str(error))) from None
        for command in do:
            try:
                schedule(network, command)
            except CommandError as error:
                raise SweepError(f"--do {error}") from None
        for app in programs:
            if not hasattr(network.nodes.get(app.node), "run_program"):
                raise SweepError(
                    f"--app {app.node}={app.path}: no host called {app.node!r} (nodes: {', '.join(network.nodes)})"
                )
        network.close()
        tasks.extend(
            Task(str(file), text, seed, values, do, end, tuple(chosen), keep_documents, trace, programs)
            for seed in seed_list
        )
    return Plan(Path(file).stem, tasks, chosen, [v.path for v in varies])


def read_apps(apps: Iterable[str]) -> list[App]:
    """Each `[at T] NODE=FILE.py` with the file's text, which then travels with every task; a
    missing file or one that is not Python is a SweepError (sim run's words)."""
    from lanlab.cli.sim_apps import AppSpecError, read_app

    read = []
    for text in apps:
        try:
            at, node, path = read_app(text)
        except AppSpecError as error:
            raise SweepError(str(error)) from None
        if not path.is_file():
            problem = f"{str(path)!r} is a directory" if path.is_dir() else f"no such file {str(path)!r}"
            raise SweepError(f"--app {text!r}: {problem}; give a Python file")
        source = path.read_bytes()
        try:
            compile(source, str(path), "exec")
        except SyntaxError as error:
            where = f" (line {error.lineno})" if error.lineno else ""
            raise SweepError(f"--app {text!r}: {path} is not valid Python: {error.msg}{where}") from None
        read.append(App(node, str(path), source, at))
    return read


def columns_of(plan: Plan) -> list[str]:
    return ["seed", *plan.varied, *(m.name for m in plan.metrics), "error", "wall_s"]


def as_table(rows: list[dict[str, Any]]) -> Any:
    """A pandas DataFrame when pandas is installed, else the list of rows."""
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows)
