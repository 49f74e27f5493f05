"""A sweep's plan: the product of seeds and --vary values as Tasks, checked before anything runs
(the topology, each --vary against it, each --do), so a mistake is one line, not N failed rows."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lanlab.i18n import L_, joined, message_of
from lanlab.sweep.metrics import BUILTINS, TRACED_KINDS, Metric, parse_metric
from lanlab.sweep.task import App, Task, varied
from lanlab.sweep.vary import SweepError, Vary, check_runs, combinations, parse_seeds, parse_vary, shown_value
from lanlab.units import UnitError, format_duration, parse_duration

if TYPE_CHECKING:
    from lanlab.cli.sim_wall import Limits
    from lanlab.sim.shim import SentModule

DEFAULT_METRICS = ("frames", "drops", "events")


@dataclass(frozen=True)
class Plan:
    name: str
    tasks: list[Task]
    metrics: list[Metric]
    varied: list[str]
    run_limit: float | None = None  # --run-limit, seconds


def make_plan(
    file: str | Path,
    seeds: str | int | Iterable[int],
    vary: Iterable[str | Vary] = (),
    do: Iterable[str] = (),
    until: str | float = "10s",
    metrics: Iterable[str] = (),
    keep_documents: bool = False,
    apps: Iterable[str] = (),
    stdins: Iterable[str] = (),
    args: Iterable[str] = (),
    app_limits: str | None = None,
    run_limit: str | float | None = None,
) -> Plan:
    from lanlab.sim.commands import CommandError, schedule
    from lanlab.sim.network import Network
    from lanlab.topology import read_text

    limit = read_run_limit(run_limit)
    text = read_text(file)
    seed_list = seeds_of(seeds)
    if not seed_list:
        raise SweepError(L_("--seeds: give at least one seed, like 1-100"))
    varies = [v if isinstance(v, Vary) else parse_vary(v) for v in vary]
    check_distinct(varies)
    check_runs(len(seed_list), varies)
    chosen = [parse_metric(m) for m in metrics] or [
        parse_metric(m) if m in BUILTINS else parse_metric(f"{m}={m}") for m in DEFAULT_METRICS
    ]
    if len({m.name for m in chosen}) != len(chosen):
        raise SweepError(L_("--metric: two metrics share a name; give each its own NAME="))
    try:
        end = parse_duration(until)
    except UnitError as error:
        raise SweepError(L_("--until: {error}", error=message_of(error))) from None
    asked = [kind for m in chosen for kind in m.event_kinds]
    trace = bool(asked)
    kinds = tuple(dict.fromkeys((*TRACED_KINDS, *asked)))  # the built-ins' route,stp, then any other named
    do = tuple(do)
    programs = tuple(read_apps(apps))
    limits = read_limits(app_limits, programs)
    tasks = []
    for values in combinations(varies):
        probe = Task(str(file), text, seed_list[0], values)
        try:
            network = Network.from_yaml(str(file), seed_list[0], text=text, edit=varied(probe))
        except ValueError as error:  # a --vary that matches nothing, or TopologyError (a ValueError too)
            problems = getattr(error, "problems", None)
            problem = joined(list(problems), "; ") if problems else message_of(error)
            if values:
                shown = ", ".join(f"{k}={shown_value(v)}" for k, v in values.items())
                raise SweepError(
                    L_("{file} with {values}: {problem}", file=file, values=shown, problem=problem)
                ) from None
            if problems:  # each begins FILE:LINE: said one a line, as sim run says them
                raise
            raise SweepError(L_("{file}: {problem}", file=file, problem=problem)) from None
        for command in do:
            try:
                scheduled = schedule(network, command)
            except CommandError as error:
                raise SweepError(L_("--do {error}", error=message_of(error))) from None
            check_targets(network, scheduled, command)
            if scheduled.at > end:  # `sim run` says "(not started: --until ended the run first)", exit 1
                raise starts_after_the_end("--do", command, scheduled.at, end)
        for app in programs:
            if app.at > end:  # `sim run` says the program was "not started"
                raise starts_after_the_end("--app", f"{app.node}={app.path}", app.at, end)
            if not hasattr(network.nodes.get(app.node), "run_program"):
                raise SweepError(
                    L_(
                        "--app {node}={path}: no host called {name} (nodes: {nodes})",
                        node=app.node,
                        path=app.path,
                        name=repr(app.node),
                        nodes=", ".join(network.nodes),
                    )
                )
        stdin_of, args_of = read_inputs(stdins, args, programs, list(network.nodes))
        network.close()
        tasks.extend(
            Task(
                str(file),
                text,
                seed,
                values,
                do,
                end,
                tuple(chosen),
                keep_documents,
                trace,
                programs,
                tuple(stdin_of.items()),
                tuple((node, tuple(values)) for node, values in args_of.items()),
                limits,
                kinds,
                limit,
            )
            for seed in seed_list
        )
    return Plan(Path(file).stem, tasks, chosen, [v.path for v in varies], limit)


def seeds_of(seeds: str | int | Iterable[int]) -> list[int]:
    """The seeds of `lanlab.sim.sweep(file, seeds)` as --seeds reads them: "1-10" parsed, a seed alone
    (7) as [7], any other iterable in its order; each seed once, as on the command line (the API ran
    [1, 1, 1] three times and gave three identical rows; 7 was a TypeError)."""
    if isinstance(seeds, str):
        return parse_seeds(seeds)
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        return [seeds]
    try:
        return list(dict.fromkeys(seeds))
    except TypeError:  # not iterable, or a list of lists
        raise SweepError(
            L_("seeds: give a text like 1-100, a seed, or a list of seeds (not {seeds})", seeds=repr(seeds))
        ) from None


def read_run_limit(value: str | float | None, option: str = "--run-limit") -> float | None:
    """--run-limit (or --sweep-limit, `option`) as seconds of wall-clock time: a number of seconds or a
    duration (90, 1.5s, 10min); None is no limit. 0, a negative or a text that is no duration is a SweepError."""
    if value is None:
        return None
    try:
        ns = parse_duration(value)
    except UnitError as error:
        raise SweepError(
            L_(
                "{option}: {error}; give the seconds it may take, like 60 or 10min",
                option=option,
                error=message_of(error),
            )
        ) from None
    if ns < 1_000_000:  # under a millisecond: no run is done in that
        raise SweepError(
            L_(
                "{option} {value}: too short for any run; give the seconds it may take (1ms or more), like 60 or 10min",
                option=option,
                value=value,
            )
        )
    if option == "--run-limit" and not hasattr(os, "fork"):
        raise SweepError(L_("--run-limit needs os.fork (Linux, macOS), which this system does not have"))
    return ns / 1e9


def check_distinct(varies: list[Vary]) -> None:
    """Each path in one --vary only: a second one on the same path replaced the first's values (a
    run is one value per path), so the sweep ran only the last one's, in two identical columns."""
    seen: set[str] = set()
    for vary in varies:
        if vary.path in seen:
            raise SweepError(
                L_(
                    "--vary {path} is given twice; give all its values in one --vary, like {path}=V1,V2,V3",
                    path=vary.path,
                )
            )
        seen.add(vary.path)


# Where each command keeps the word `sim run` resolves with network.resolve_ip when the command
# starts (a node's name or an IPv4 address); tcp connect's host is not one (the program resolves it).
RESOLVED: dict[str, Callable[[Any], str | None]] = {
    "ping": lambda command: command.args.target,
    "traceroute": lambda command: command.args.target,
    "udp send": lambda command: command.args.host,
    "dig": lambda command: command.server_word,
    "nslookup": lambda command: command.server_word,
}


def check_targets(network: Any, scheduled: Any, text: str) -> None:
    """Before any run, sim run's check of a --do's target, `network.resolve_ip` (which sim run makes
    when the command starts, then exits 2): a word that is neither a node nor an IPv4 address is a
    SweepError. A node's name passes here: its address may come later in the run (DHCP)."""
    from lanlab.sim.core.errors import NetworkError

    read = RESOLVED.get(scheduled.command.words)
    word = read(scheduled.command) if read is not None else None
    if word is None or word in network.nodes:
        return
    try:
        network.resolve_ip(word)
    except NetworkError as error:
        problem = L_("{text}: {problem}", text=repr(text), problem=message_of(error))  # as parse_do says it
        raise SweepError(L_("--do {error}", error=problem)) from None


def starts_after_the_end(option: str, text: str, at: int, end: int) -> SweepError:
    """A --do or --app timed after --until: it would never start in any run."""
    return SweepError(
        L_(
            "{option} {text}: starts at {at}, after --until {until} ends every run; start it earlier or raise --until",
            option=option,
            text=repr(text),
            at=format_duration(at),
            until=format_duration(end),
        )
    )


def read_apps(apps: Iterable[str]) -> list[App]:
    """Each `[at T] NODE=FILE.py` with the file's text, which then travels with every task; a
    missing file or one that is not Python is a SweepError (sim run's words)."""
    from lanlab.cli.sim_apps import AppSpecError, read_app

    read = []
    for text in apps:
        try:
            at, node, path = read_app(text)
        except AppSpecError as error:
            raise SweepError(message_of(error)) from None
        if not path.is_file():  # sim run's words (lanlab.cli.sim_apps)
            problem = (
                L_("{path!r} is a directory", path=str(path))
                if path.is_dir()
                else L_("no such file {path!r}", path=str(path))
            )
            raise SweepError(L_("--app {text!r}: {problem}; give a Python file", text=text, problem=problem))
        source = path.read_bytes()
        try:
            compile(source, str(path), "exec")
        except SyntaxError as error:
            where = L_(" (line {line})", line=error.lineno) if error.lineno else ""
            raise SweepError(
                L_(
                    "--app {text!r}: {path} is not valid Python: {error}{where}",
                    text=text,
                    path=path,
                    error=error.msg,
                    where=where,
                )
            ) from None
        read.append(App(node, str(path), source, at, tuple(modules_beside(path, source, text))))
    return read


def read_inputs(
    stdins: Iterable[str], args: Iterable[str], programs: tuple[App, ...], nodes: list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """--stdin and --arg as sim run reads them: each node's stdin text and argument list."""
    from lanlab.cli.sim_apps import AppSpecError, program_inputs

    try:
        return program_inputs(tuple(stdins), tuple(args), {app.node for app in programs}, nodes)
    except AppSpecError as error:
        raise SweepError(message_of(error)) from None


def read_limits(text: str | None, programs: tuple[App, ...]) -> Limits | None:
    """--app-limits as sim run reads it (its words), each run's own."""
    from lanlab.cli.common import LanlabError
    from lanlab.cli.sim_wall import parse_limits

    if text is None:
        return None
    if not programs:
        raise SweepError(L_("--app-limits limits the programs of a run; add --app NODE=PROGRAM.py"))
    try:
        return parse_limits(text)
    except LanlabError as error:
        raise SweepError(error.format_message()) from None


def modules_beside(program: Path, source: bytes, spec: str) -> list[SentModule]:
    """The modules of the program's folder it imports (and they import, in turn), read now, so
    that they travel with it as its text does: `import helper` finds helper.py or the package
    helper/ (all its .py files) beside it, as Python's sys.path[0] would. Found by reading the
    import statements (ast); a name built at run time (importlib.import_module(name)) is not seen."""
    folder = program.resolve().parent
    found: dict[str, SentModule] = {}
    pending = [source]
    while pending:
        tree = ast.parse(pending.pop())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in {name.partition(".")[0] for name in names} - found.keys():
                for module in _read_module(folder, name, spec):
                    found[module.name] = module
                    pending.append(module.source)
    return sorted(found.values(), key=lambda module: module.name)


def _read_module(folder: Path, name: str, spec: str) -> list[SentModule]:
    """`name`.py in `folder`, or every .py file of the package `name`/ (as dotted names)."""
    from lanlab.sim.shim import SentModule

    single, package = folder / f"{name}.py", folder / name
    if (package / "__init__.py").is_file():
        files = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    elif single.is_file():
        files = [single]
    else:
        return []  # not the program's own: the standard library's or an installed one
    read = []
    for path in files:
        relative = path.relative_to(folder).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        source = path.read_bytes()
        try:
            compile(source, str(path), "exec")
        except SyntaxError as error:
            where = f" (line {error.lineno})" if error.lineno else ""
            raise SweepError(
                f"--app {spec!r}: {path}, which it imports, is not valid Python: {error.msg}{where}"
            ) from None
        read.append(SentModule(".".join(parts), str(path), source))
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
