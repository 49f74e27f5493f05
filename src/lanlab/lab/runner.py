"""A lab's stages run through the simulator's Python API (Network, its --do words, programs on
hosts, the trace), each stage a fresh network of the submission's topology, and every check judged."""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lanlab.i18n import L_, message_of
from lanlab.lab import checks
from lanlab.lab.checks import Result
from lanlab.lab.model import Check, Lab, LabError, Stage, app_parts, inside, located
from lanlab.lab.variants import fill
from lanlab.topology import TopologyError
from lanlab.topology.reader import nests_too_deep, yaml_mistake
from lanlab.units import parse_duration
from lanlab.os_reasons import reason_of


@dataclass
class StageTrail:
    """What a report shows of one stage: its events, per trace or question check the positions of
    the events its query selected (what a failed check is about), and the run as the viewer's
    format-1 document (lanlab.view; None when the stage was not recorded for a page)."""

    stage: Stage
    events: list[Any]
    selected: dict[str, list[int]]
    document: dict[str, Any] | None = None


def trail_of(stage: Stage, events: list[Any], document: dict[str, Any] | None = None) -> StageTrail:
    position = {id(event): n for n, event in enumerate(events)}
    selected: dict[str, list[int]] = {}
    for check in stage.checks:
        if check.query is not None:
            chosen = check.query.where.select(events)
            if check.query.then is not None:
                chosen += check.query.then.select(events)
            selected[check.id] = sorted({position[id(event)] for event in chosen})
    return StageTrail(stage, events, selected, document)


@dataclass
class Submission:
    """What a student hands in: a topology, answers, programs (by node), all in one folder."""

    topology: Path
    folder: Path
    answers: dict[str, Any] = field(default_factory=dict)
    # node or file name the lab gives -> the program to run instead; else the lab's name in folder
    programs: dict[str, Path] = field(default_factory=dict)
    unread: str | None = None  # why the answers file could not be read (its questions then fail saying so)
    handed_in: bool = False  # a folder a student handed in (lab grade), not files named on the command line


MAX_ANSWERS_BYTES = 1024 * 1024  # an answers file is a few lines


def read_answers(path: Path, values: dict[str, str]) -> dict[str, Any]:
    """An answers file: `check-id: value` lines (YAML); a LabError naming the answers file (FILE:LINE
    where it can) when it cannot be read, is not UTF-8 text, or is not a mapping. A value is the text
    as written ("" for none), a list of texts, or kept as written when it has another shape (a
    mapping, a list in a list), for the question it answers to refuse."""
    try:
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_ANSWERS_BYTES + 1)
    except OSError as error:
        raise LabError(
            [L_("{file}: cannot read the answers file: {reason}", file=path, reason=reason_of(error))]
        ) from None
    if len(data) > MAX_ANSWERS_BYTES:
        raise LabError(
            [
                L_(
                    "{file}: the answers file is more than 1 MiB; answers are a few `question-id: your answer` lines",
                    file=path,
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LabError(
            [
                L_(
                    "{file}: the answers file is not text: byte {byte} at offset {offset} is not UTF-8 (answers "
                    "are `question-id: your answer` lines, saved as UTF-8)",
                    file=path,
                    byte=f"{error.object[error.start]:#04x}",
                    offset=error.start,
                )
            ]
        ) from None
    try:
        text = fill(text, values, str(path))
    except TopologyError as error:  # an unknown {{placeholder}}
        raise LabError(error.problems) from None
    if nests_too_deep(text):  # PyYAML builds nested values recursively
        raise LabError(
            [L_("{file}: the answers nest too deeply; answers are `question-id: your answer` lines", file=path)]
        )
    try:
        # Every key and value as the student wrote it (BaseLoader resolves nothing): safe_load made the
        # question id 01 the number 1 (its answer then never found), an answer 010 the number 8, yes True.
        answers = yaml.load(text, Loader=yaml.BaseLoader) or {}  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as error:
        line, problem = yaml_mistake(error, text)
        raise LabError(
            [L_("{file}:{line}: not valid YAML: {problem}", file=path, line=line, problem=problem)]
        ) from None
    if not isinstance(answers, dict):
        raise LabError([L_("{file}:1: answers are `question-id: your answer` lines", file=path)])
    return {str(key): _answer(value) for key, value in answers.items()}


# YAML's null (`q1: ~`, `q1: null`), which BaseLoader leaves as text: the question left unanswered, as `q1:` is
NULLS = frozenset({"~", "null", "Null", "NULL"})


def _answer(value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, list):
        return [item if isinstance(item, (list, dict)) else "" if item is None else str(item) for item in value]
    return "" if value in NULLS else str(value)


def build(lab: Lab, submission: Submission, stage: Stage) -> Any:
    from lanlab.sim import Network
    from lanlab.sim.report import EVENTS_AFTER_STORM  # a stage stops a storm as sim run does

    topology = lab.topology if stage.lab_topology else submission.topology
    text = lab.topology_text(topology)
    network = Network.from_yaml(topology, stage.seed, text=text)
    network.engine.events_after_storm = EVENTS_AFTER_STORM
    network.start_trace()
    return network


def lab_programs(lab: Lab) -> list[Path]:
    """The teacher's programs (run.lab_app), each inside the lab file's folder."""
    return [
        inside(lab.path.parent, app_parts(text)[2], "run.lab_app") for stage in lab.stages for text in stage.lab_apps
    ]


MOST_FILES_NAMED = 20  # of a folder's Python files, when the program a lab runs is not among them


def start_programs(
    network: Any, lab: Lab, stage: Stage, submission: Submission
) -> tuple[dict[str, list[str]], list[Any]]:
    """Start the stage's programs, the student's (run.app: from their folder, or as --app names them)
    and the lab's own (run.lab_app: from the lab file's folder, whatever a student's folder holds);
    returns each node's printed lines (filled as the run goes) and the programs (whose `error` says
    why one ended badly)."""
    printed: dict[str, list[str]] = {}
    programs: list[Any] = []
    stdin_of: dict[str, str] = {}
    for text in stage.stdin:
        node, _, value = text.partition("=")
        stdin_of[node.strip()] = stdin_of.get(node.strip(), "") + value + "\n"
    args_of: dict[str, list[str]] = {}
    for text in stage.args:
        node, _, value = text.partition("=")
        args_of.setdefault(node.strip(), []).append(value)
    from lanlab.sim.shim import program_stdin

    streams: dict[str, io.TextIOWrapper] = {}
    for text, teachers in [(text, False) for text in stage.apps] + [(text, True) for text in stage.lab_apps]:
        at, node, name = app_parts(text)
        host = network.nodes.get(node)
        if host is None:  # a student's topology that renamed the node, or the lab file's own typo
            names = list(network.nodes)
            shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
            raise LabError(
                [
                    L_(
                        "stage {stage}: run.app runs a program on {node}, and the topology has no node {node} "
                        "(its nodes: {nodes})",
                        stage=stage.name,
                        node=node,
                        nodes=shown or L_("none"),
                    )
                ]
            )
        folder = lab.path.parent if teachers else submission.folder
        path = (
            inside(folder, name, "run.lab_app")
            if teachers
            else submission.programs.get(node)
            or submission.programs.get(name)
            or inside(folder, name, L_("program for {node}", node=node))
        )
        if not path.is_file() and submission.handed_in and not teachers:  # said to the student: what is there
            found = sorted(child.name for child in folder.iterdir() if child.suffix == ".py" and child.is_file())
            shown = ", ".join(found[:MOST_FILES_NAMED]) if found else L_("none")
            if len(found) > MOST_FILES_NAMED:  # a folder of thousands: the problem (and the result line) stays short
                shown = L_("{files}, … ({count} in all)", files=shown, count=f"{len(found):,}")
            raise LabError(
                [
                    L_(
                        "no program {name} for {node} in the folder handed in (Python files in it: {files})",
                        name=path.name,
                        node=node,
                        files=shown,
                    )
                ]
            )
        if not path.is_file():
            raise LabError(
                [
                    L_(
                        "no program {name} for {node} in {folder} (lab check: give one with --app {node}=FILE.py)",
                        name=path.name,
                        node=node,
                        folder=folder,
                    )
                ]
            )
        lines = printed.setdefault(node, [])
        try:
            program = host.run_program(
                str(path),
                stdin=streams.setdefault(node, program_stdin(stdin_of.get(node, ""))),
                args=args_of.get(node, []),
                at=at,
            )
        except SyntaxError as error:  # NUL bytes in the source too (compile() says so as a SyntaxError)
            where = L_(" (line {line})", line=error.lineno) if error.lineno else ""
            raise NotPython(
                L_(
                    "{node} {program} is not valid Python: {error}{where}",
                    node=node,
                    program=path.name,
                    error=error.msg,
                    where=where,
                )
            ) from None
        program.sinks.append(lambda p, t, line, lines=lines: lines.append(line))
        programs.append(program)
    return printed, programs


class NotPython(Exception):
    """A stage's program does not compile: the stage fails with `why`, the other stages still run."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def run_stage(
    lab: Lab,
    stage: Stage,
    submission: Submission,
    app_cpu: float = 5.0,
    problems: list[str] | None = None,
    trails: list[StageTrail] | None = None,
    stops: list[str] | None = None,
) -> list[Result]:
    """Build, check the configuration, run (stopping at each state check's time), judge the rest;
    a program that ended with an error is told in `problems` (`NODE PROGRAM: error`), a run the
    simulator stopped early (a broadcast storm) in `stops`, the stage's events in `trails` (for a
    report: then the tables are followed too, for the viewer's page)."""
    from lanlab.sim import CommandError, schedule
    from lanlab.sim.shim import run_programs

    network = build(lab, submission, stage)
    # The viewer's TableHistory runs the engine instant by instant and only reads the tables, so
    # the run (and every check) is the same as without it; grading does without.
    history = record(network) if trails is not None else None
    results: dict[str, Result] = {}
    for check in stage.checks:
        if check.kind == "expect":
            results[check.id] = checks.judge(check, stage.name, *checks.expect(network, check.body))
    for n, text in enumerate(stage.do):
        try:
            schedule(network, text)
        except CommandError as error:  # its words were read with the lab; here, a node the topology lacks
            problem = L_("run.{key}: {problem}", key="do", problem=message_of(error))
            line = stage.do_lines[n] if n < len(stage.do_lines) else 0
            raise LabError(
                [located(lab.path, line, problem) if line else L_("{file}: {problem}", file=lab.path, problem=problem)]
            ) from None
    printed, programs = start_programs(network, lab, stage, submission)
    with_programs = bool(stage.apps or stage.lab_apps) or any(
        c.command.words.startswith("tcp ") for c in network.commands
    )

    def run_to(end: int) -> None:
        if end <= network.now or network.engine.stopped:
            return
        engine_run = history.run if history is not None else network.engine.run
        run_programs(network, end, app_cpu, run=engine_run) if with_programs else engine_run(end)

    timed = sorted(
        (parse_duration(check.body["at"]), n, check)
        for n, check in enumerate(stage.checks)
        if check.kind == "state" and check.body.get("at", "end") != "end"
    )
    for at, _, check in timed:
        run_to(min(at, stage.until))
        results[check.id] = checks.judge(check, stage.name, *checks.state(network, check.body))
    run_to(stage.until)
    network.close()
    if stops is not None and network.engine.stopped:  # the checks judge a run cut short: say so, and why
        stops.append(stopped_early(network, stage))
    if problems is not None:
        problems.extend(filter(None, map(program_problem, programs)))
    if trails is not None:
        trails.append(trail_of(stage, list(network.trace), page_document(network, history, programs)))
    for check in stage.checks:
        if check.id in results:
            continue
        result = judge_at_end(network, check, stage.name, printed, submission.answers, submission.unread)
        results[check.id] = misnamed(lab, check, submission.answers, result)
    return [results[check.id] for check in stage.checks]


def misnamed(lab: Lab, check: Check, answers: dict[str, Any], result: Result) -> Result:
    """A question with no answer, where answers.yaml holds one under an id no question has that is
    close to its own (`reqests:` for `requests:`): said, rather than a bare "no answer"."""
    if check.kind != "question" or check.id in answers or result.passed:
        return result
    ids = {other.id for other in lab.checks if other.kind == "question"}
    strays = {key.lower(): key for key in answers if key not in ids}  # Q1 for q1 too
    close = difflib.get_close_matches(check.id.lower(), list(strays), n=1, cutoff=0.6)
    if not close:
        return result
    found = L_(
        "{found}; answers.yaml answers {key}:, which no question is: was it meant as {id}:?",
        found=result.found,
        key=repr(strays[close[0]]),
        id=check.id,
    )
    return Result(result.id, result.stage, result.points, result.passed, found, result.hint)


def stopped_early(network: Any, stage: Stage) -> str:
    """Why a stage's run ended before its until: (a broadcast storm), as lab check and lab grade say it."""
    from lanlab.sim.devices.storm import first_storm

    storm = first_storm(network.nodes)
    seconds = f"{network.now / 1e9:.6f}"
    if storm is None:
        return L_("stage {stage}: the run stopped at {time} s", stage=stage.name, time=seconds)
    return L_(
        "stage {stage}: the run stopped at {time} s, {events} events after a {storm}; the checks judge what "
        "happened until then (a loop: turn on the spanning tree, stp: {{enabled: true}}, or take a cable out)",
        stage=stage.name,
        time=seconds,
        events=f"{network.engine.events_after_storm:,}",
        storm=storm.line(network.now),
    )


ERROR_SHOWN = 1_000  # characters of a program's error a problem keeps (as checks.OUTPUT_SHOWN of its output)


def short(text: str, most: int = ERROR_SHOWN) -> str:
    """`text`, cut to `most` characters with … and its length: raise ValueError("x" * 3_000_000) made a
    problem of megabytes, and lab grade's result line, past the 1 MiB it keeps, was lost with every point."""
    if len(text) <= most:
        return text
    return L_("{start}… ({characters} characters in all)", start=text[:most], characters=f"{len(text):,}")


def program_problem(program: Any) -> str | None:
    """`NODE PROGRAM: why` for a program that ended badly: its error (a traceback's last line, a busy
    loop), or the exit status it chose (sys.exit(3)); None for one that ended well or still runs."""
    if program.error:
        error = short(checks.printable(program.error))  # a student's exception may hold any text, any length
        return L_("{node} {program}: {error}", node=program.node, program=Path(program.path).name, error=error)
    if program.exit:
        return L_(
            "{node} {program}: exit status {status}",
            node=program.node,
            program=Path(program.path).name,
            status=program.exit,
        )
    return None


def record(network: Any) -> Any:
    from lanlab.view import record as follow_tables

    return follow_tables(network)


def page_document(network: Any, history: Any, programs: list[Any]) -> dict[str, Any]:
    """The stage's run as the viewer's document (the page `sim run --html` would write)."""
    from lanlab.sim.report import EVENTS_AFTER_STORM
    from lanlab.view import build_document

    stopped = (  # an L_ text: the page's banner shows it in the reader's language
        L_("stopped {events} events after a broadcast storm was seen", events=f"{EVENTS_AFTER_STORM:,}")
        if network.engine.stopped
        else None
    )
    return build_document(network, history, programs=programs, stopped=stopped)  # type: ignore[no-any-return]


def judge_at_end(
    network: Any,
    check: Check,
    stage: str,
    printed: dict[str, list[str]],
    answers: dict[str, Any],
    unread: str | None = None,
) -> Result:
    if check.kind == "state":
        return checks.judge(check, stage, *checks.state(network, check.body))
    if check.kind == "output":
        return checks.judge(check, stage, *checks.output(printed.get(check.body["node"], []), check.body))
    if check.kind == "question":
        if unread is not None and check.id not in answers:
            return checks.judge(check, stage, False, L_("no answer: {problem}", problem=unread))
        return checks.judge(check, stage, *checks.question(check, network.trace, answers))
    assert check.query is not None  # trace
    value = check.query.value(network.trace)
    return checks.judge(check, stage, check.query.passes(value), checks.show(value))


def run_lab(
    lab: Lab,
    submission: Submission,
    app_cpu: float = 5.0,
    results: list[Result] | None = None,
    problems: list[str] | None = None,
    trails: list[StageTrail] | None = None,
    stops: list[str] | None = None,
) -> list[Result]:
    """Every stage in order, their results appended to `results` as each ends (so a run stopped
    by a time limit keeps what it passed), programs' errors to `problems`, runs the simulator
    stopped early to `stops`; a topology the simulator refuses is a LabError (FILE:LINE)."""
    results = [] if results is None else results
    for stage in lab.stages:
        try:
            results.extend(run_stage(lab, stage, submission, app_cpu, problems, trails, stops))
        except NotPython as error:  # that stage fails, said why; the stages that do not run the program count
            results.extend(Result(c.id, stage.name, c.points, False, error.why, c.hint) for c in stage.checks)
            if problems is not None:
                problems.append(error.why)  # an L_ text: lab grade's row shows it in the reader's language
            if trails is not None:  # a report's page for the stage: its network, which never ran
                network = build(lab, submission, stage)
                trails.append(trail_of(stage, [], page_document(network, record(network), [])))
        except TopologyError as error:
            if isinstance(error, LabError):
                raise
            raise LabError(error.problems) from None
    return results


def unfinished(lab: Lab, done: list[Result], why: str) -> list[Result]:
    """The checks a stopped run did not reach, failed with the reason (a crash, a time limit)."""
    seen = {result.id for result in done}
    return done + [
        Result(check.id, stage.name, check.points, False, why, check.hint)
        for stage in lab.stages
        for check in stage.checks
        if check.id not in seen
    ]
