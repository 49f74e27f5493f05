"""One run of a sweep: everything it needs travels in the Task (topology text, values, --do), so a
Dask worker on another machine needs no shared filesystem; the result is the run's row."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from yaml.nodes import MappingNode

from lanlab.sweep.metrics import TRACED_KINDS, Metric
from lanlab.i18n import L_, joined
from lanlab.sweep.vary import SweepError, apply
from lanlab.sweep.wall import behind_wall
from lanlab.units import SECOND

if TYPE_CHECKING:
    from lanlab.cli.sim_wall import Limits
    from lanlab.sim.shim import SentModule

CPU_LIMIT = 5.0  # s: `sim run --app-cpu`'s default, the busy-loop stop of a program


@dataclass(frozen=True)
class App:
    """An --app of a sweep: the program's text travels with every task (no shared filesystem)."""

    node: str
    path: str  # as given (`sim run` reports this name)
    source: bytes
    at: int = 0  # ns
    modules: tuple[SentModule, ...] = ()  # the modules of its folder it imports, read with it


@dataclass(frozen=True)
class Task:
    """A (seed, values) of a sweep and what it shares with the others."""

    name: str  # the topology file's name, for messages
    text: str  # the topology file's text
    seed: int
    values: dict[str, Any]  # --vary path -> value
    do: tuple[str, ...] = ()
    until: int = 10 * SECOND  # ns
    metrics: tuple[Metric, ...] = ()
    keep_document: bool = False
    trace: bool = field(default=False)  # add `events` of `kinds`, as --trace jsonl --filter route,stp
    apps: tuple[App, ...] = ()
    stdin: tuple[tuple[str, str], ...] = ()  # node -> its --stdin lines, one text
    args: tuple[tuple[str, tuple[str, ...]], ...] = ()  # node -> its --arg values
    limits: Limits | None = None  # --app-limits, each run's own
    kinds: tuple[str, ...] = TRACED_KINDS  # the event kinds a traced run records (its metrics read)
    run_limit: float | None = None  # --run-limit: wall-clock seconds the run may take (None: no limit)


def varied(task: Task) -> Callable[[MappingNode], None]:
    """What writes the task's --vary values into its topology's YAML tree (the file's lines kept)."""

    def edit(root: MappingNode) -> None:
        for path, value in task.values.items():
            if apply(root, path, value) == 0:
                raise SweepError(L_("--vary {path}: matches nothing in {file}", path=path, file=task.name))

    return edit


def run_document_of(task: Task, wall: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document `lanlab sim run FILE --seed S --json [--do ...] [--app ...]` prints for
    this task (with `--trace jsonl --filter route,stp` when `task.trace`, the kinds `task.kinds`):
    the same steps, the same builder. With programs, `wall` is what keeps them off the real network
    (wall.py)."""
    return run_of(task, wall).document


@dataclass(frozen=True)
class Run:
    """What a run leaves for its row: its document, why any --do could not run (as `sim run` says
    `error: ...` and exits 2), and its number of events (what `events` alone reads, also when the
    document's `events` is the traced list)."""

    document: dict[str, Any]
    errors: tuple[str, ...]
    events: int


def run_of(task: Task, wall: dict[str, Any] | None = None) -> Run:
    """The run of `task`: see run_document_of."""
    from lanlab.sim.commands import schedule
    from lanlab.sim.network import Network
    from lanlab.sim.devices.storm import record_rates
    from lanlab.sim.report import EVENTS_AFTER_STORM, run_document
    from lanlab.sim.shim import run_programs

    network = Network.from_yaml(task.name, task.seed, text=task.text, edit=varied(task))
    network.engine.events_after_storm = EVENTS_AFTER_STORM
    done = [schedule(network, text) for text in task.do]
    if task.trace:
        network.start_trace(list(task.kinds))
    programs = start_apps(network, task)
    try:
        if programs or any(c.command.words.startswith("tcp ") for c in network.commands):
            events = run_programs(network, task.until, CPU_LIMIT)
        else:
            events = network.run(task.until / SECOND)
    finally:
        network.close()
    record_rates(network)
    document = run_document(network, events)
    if task.trace:
        document["events"] = [event.as_dict() for event in network.trace]
    if task.apps:
        document["programs"] = [program.as_dict() for program in programs]
        document["wall"] = wall
    errors = tuple(
        L_("--do {error}", error=L_("{text}: {problem}", text=repr(text), problem=scheduled.error))
        for text, scheduled in zip(task.do, done)
        if scheduled.error is not None
    )
    return Run(document, errors, events)


def start_apps(network: Any, task: Task) -> list[Any]:
    """Each program on its host, as `sim run --app` starts them: one stdin per host (its --stdin
    lines), the host's --arg values as sys.argv[1:]."""
    from lanlab.sim.shim import program_stdin, start_program

    stdin_of, args_of = dict(task.stdin), dict(task.args)
    streams: dict[str, io.TextIOWrapper] = {}
    programs = []
    for app in task.apps:
        host = network.nodes.get(app.node)
        if host is None or not hasattr(host, "run_program"):
            raise ValueError(f"--app {app.node}={app.path}: no host called {app.node!r}")
        programs.append(
            start_program(
                host,
                path=app.path,
                source=app.source,
                modules=app.modules,
                at=app.at,
                stdin=streams.setdefault(app.node, program_stdin(stdin_of.get(app.node, ""))),
                args=list(args_of.get(app.node, ())),
            )
        )
    return programs


def run_task(task: Task, wall: dict[str, Any] | None = None) -> dict[str, Any]:
    """The row of one run: seed, the varied values, each metric, error (None when it ran), wall_s.
    A run that fails is a row with its error, never the end of the sweep. A run with programs
    forks behind a wall of its own, unless it is already behind one (`wall`, its entry: a batch's
    child, wall.py); with --app-limits, in a process of its own there."""
    row: dict[str, Any] = {"seed": task.seed, **task.values}
    start = time.perf_counter()
    try:
        if not task.apps:
            run = run_of(task)
        elif wall is None:
            run = behind_wall(lambda wall: run_of(task, wall), limits=task.limits)
        elif task.limits is not None:
            run = behind_wall(lambda _: run_of(task, wall), unshare=False, limits=task.limits)
        else:
            run = run_of(task, wall)
    except Exception as error:  # noqa: BLE001 - any failure of one run is that run's row
        problems = getattr(error, "problems", None)
        row.update({m.name: None for m in task.metrics})
        row["error"] = "; ".join(problems) if problems else f"{type(error).__name__}: {error}"
    else:
        document = run.document
        problems = list(run.errors)  # a --do that could not run fails its run, as in `sim run` (exit 2)
        for metric in task.metrics:
            try:
                row[metric.name] = metric(document, run.events)
            except (TypeError, ValueError, ArithmeticError) as error:
                row[metric.name] = None
                problems.append(f"--metric {metric.name}: {error}")
        row["error"] = joined(problems, "; ") if problems else None
        if task.keep_document:
            row["document"] = document
    row["wall_s"] = round(time.perf_counter() - start, 6)
    return row


def run_batch(tasks: list[Task], scratch: str | None = None) -> list[dict[str, Any]]:
    """The rows of a batch of runs; those with programs share one child behind one wall (wall.py:
    a fork and a namespace per batch, not per run). A run whose child dies is a row with its error.
    With --run-limit the runs without programs share a plain forked child too, and a run still going
    at the limit is killed with its child, a row saying so (RunTimedOut), the others going on. The
    children's temporary folders go in `scratch` when given (the sweep's own, where.py)."""
    from lanlab.sweep.wall import map_behind_wall

    limit = next((task.run_limit for task in tasks if task.run_limit is not None), None)
    walled = [task for task in tasks if task.apps]
    plain = [task for task in tasks if not task.apps]
    rows: dict[int, dict[str, Any]] = {}
    if limit is None:
        rows.update((id(task), run_task(task)) for task in plain)
    else:
        outcomes = map_behind_wall(
            lambda task, _: run_task(task), plain, unshare=False, run_limit=limit, scratch=scratch
        )
        for task, (ok, value) in zip(plain, outcomes):
            rows[id(task)] = value if ok else failed_row(task, value)
    for task, (ok, value) in zip(walled, map_behind_wall(run_task, walled, run_limit=limit, scratch=scratch)):
        rows[id(task)] = value if ok else failed_row(task, value)
    return [rows[id(task)] for task in tasks]


def failed_row(task: Task, error: BaseException) -> dict[str, Any]:
    """The row of a run whose process died before it could make its own. Its error on one line (Dask's
    own text for a lost scheduler has a line break: the closing "seed N failed" was two lines, the csv
    cell too); its wall_s how long it ran when that is known (a run stopped at --run-limit)."""
    return {
        "seed": task.seed,
        **task.values,
        **{m.name: None for m in task.metrics},
        "error": " ".join(f"{type(error).__name__}: {error}".split()),
        "wall_s": getattr(error, "wall_s", None),
    }
