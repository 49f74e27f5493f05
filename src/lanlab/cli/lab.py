"""`lanlab lab check|new|grade`: exercises a teacher writes in YAML, checked against a simulated run."""

from __future__ import annotations

import csv
import errno
import io
import os
import sys
from pathlib import Path
from typing import Any

import click

from lanlab.cli.common import EXIT_INTERRUPTED, EXIT_NO_ANSWER, EXIT_OK, MAX_SECONDS, fail, print_json
from lanlab.cli.help import Group
from lanlab.cli.sim_wall import walled_command
from lanlab.i18n import _, counted, localize
from lanlab.lab.isolate import ISOLATIONS
from lanlab.os_reasons import reason_of
from lanlab.text import one_line


@click.group(name="lab", cls=Group)
def lab() -> None:
    """Labs with checks: a lab file (YAML, docs/labs.md) runs a network and checks what happened.

    \b
      lanlab lab new labs/hub_vs_switch/lab.yaml --student alice --out alice/
      lanlab lab check labs/hub_vs_switch/lab.yaml --topology alice/topology.yaml \\
          --answers alice/answers.yaml --student alice
      lanlab lab grade labs/hub_vs_switch/lab.yaml submissions/ --csv grades.csv

    Exit status of check: 0 every check passed, 1 some failed; of new: 0 written; of grade: 0 once
    every student has a row, whatever the scores. 2 error (a lab file's mistakes as FILE:LINE), 130
    on Ctrl-C.
    """


def _errors_exit(error: Any) -> None:
    for problem in error.problems:
        click.echo(localize(problem), err=True)
    sys.exit(2)


def _load(file: Path, student: str | None) -> Any:
    from lanlab.lab import LabError, load_lab
    from lanlab.lab.model import variant_problems
    from lanlab.topology import TopologyError

    try:
        the_lab = load_lab(file, student)
        problems = variant_problems(the_lab)  # a value only some students draw: the lab file's mistake, said now
    except (LabError, TopologyError) as error:
        _errors_exit(error)
    if problems:
        _errors_exit(LabError(problems))
    return the_lab


def _shown(value: Any) -> Any:
    """A report's value with every text UTF-8 can write: a name in bytes that are not UTF-8 (a student's
    folder, a file in it, as os.fsdecode gives them) shows those bytes as \\xff; the rest is unchanged."""
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)  # an L_ text: English, as --json has it
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


# What a spreadsheet takes for the start of a formula (OWASP's CSV injection): a folder a student names
# =HYPERLINK(...) must not be one on the teacher's screen
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)  # the teacher's check ids, as scripts find the columns by them
    writer.writerows([_inert(cell) for cell in row] for row in rows)
    return out.getvalue()


def _inert(cell: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, behind an apostrophe (which it shows as text and
    does not display); numbers, and text that is a number ("-1"), as they are."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
        return cell
    try:
        float(cell)
    except ValueError:
        return "'" + cell
    return cell


PROBLEM_CELL = 400  # characters of a row's problem (a topology error can name thousands of nodes; --json has it all)


def _cell(problem: str | None) -> str:
    """A row's problem in the reader's language, cut to PROBLEM_CELL characters."""
    text = one_line(localize(problem or ""))  # a program's error may hold \r: it must not redraw the report
    return text if len(text) <= PROBLEM_CELL else text[: PROBLEM_CELL - 1] + "…"


@lab.command(name="check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--topology",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The student's topology (default: the lab's own, with the student's values).",
)
@click.option(
    "--answers",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The student's answers to the questions (YAML: `check-id: answer`).",
)
@click.option(
    "--app",
    "apps",
    multiple=True,
    metavar="NODE=prog.py",
    help="The student's program for NODE (instead of the file the lab names); NAME.py=prog.py "
    "replaces the lab's NAME.py wherever it runs. Repeatable.",
)
@click.option("--student", default=None, metavar="ID", help="Whose variant (values drawn from this id).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document: checks, score, total.")
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per check.")
@click.option(
    "--html",
    "html",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="report.html",
    help="Also write the viewer's page of the run (as sim run --html), the checks beside the event list: "
    "choosing a trace check shows the events it is about, a failed one's marked; one run per stage.",
)
@walled_command
def check(
    file: Path,
    topology: Path | None,
    answers: Path | None,
    apps: tuple[str, ...],
    student: str | None,
    as_json: bool,
    as_csv: bool,
    html: Path | None,
) -> None:
    """Run the lab's stages on a topology and print each check: id, points, passed, what was
    found, the hint when it failed; then the score.

    \b
      lanlab lab check labs/hub_vs_switch/lab.yaml --topology labs/hub_vs_switch/solution/topology.yaml \\
          --answers labs/hub_vs_switch/solution/answers.yaml

    Exit status: 0 every check passed, 1 some check failed (a program that is not Python fails its
    stage's checks), 2 error (the lab file's mistakes as FILE:LINE; a topology, answers file or
    program that cannot be read; a topology the simulator refuses; --html not written), 130 on Ctrl-C.
    """
    from lanlab.lab import LabError, Submission, read_answers, run_lab

    if as_json and as_csv:
        fail(_("choose one of --json and --csv"))
    the_lab = _load(file, student)
    topology_file = topology if topology is not None else the_lab.topology
    folder = topology_file.parent
    programs = {}
    for text in apps:
        node, sep, name = text.partition("=")
        if not sep or not node.strip() or not Path(name).is_file():
            fail(
                _(
                    "--app {text}: expected NODE=FILE.py (or LABS_NAME.py=FILE.py) with an existing file, "
                    "like --app pc1=server.py"
                ).format(text=repr(text))
            )
        programs[node.strip()] = Path(name)
    from lanlab.lab.grade import has_programs

    if has_programs(the_lab):  # programs nobody has read: off the real network, behind sim run --app's wall
        from lanlab.cli.sim_wall import enter_wall

        warning = enter_wall(None).warning()  # the parent waits there, then exits with this child's status
        if warning is not None:
            click.echo(warning, err=True)
    trails: list[Any] = []  # each stage's run for the page: recorded only for --html (following the tables costs)
    problems: list[str] = []  # programs that ended badly: why a student scored less (as lab grade's problem)
    stops: list[str] = []  # stages whose run the simulator ended early (a broadcast storm): lab grade's problem too
    try:
        given = read_answers(answers, the_lab.values) if answers is not None else {}
        results = run_lab(
            the_lab,
            Submission(topology_file, folder, given, programs),
            problems=problems,
            trails=trails if html is not None else None,
            stops=stops,
        )
    except LabError as error:
        _errors_exit(error)
    if html is not None:
        from lanlab.lab.report import write

        try:
            write(html, the_lab, results, trails, _shown(student))
        except OSError as error:
            fail(_("--html: cannot write {file}: {reason}").format(file=html, reason=localize(reason_of(error))))
    score = sum(result.score for result in results)
    if as_json:
        print_json(
            _shown(
                {
                    "lab": the_lab.name,
                    "student": student,
                    "checks": [r.as_dict() for r in results],
                    "score": score,
                    "total": the_lab.total,
                    "problems": problems,
                    "stopped": stops,
                }
            )
        )
    elif as_csv:
        click.echo(
            _csv(
                ["id", "stage", "points", "passed", "score", "found", "hint"],
                [[r.id, r.stage, r.points, r.passed, r.score, r.found, "" if r.passed else r.hint] for r in results],
            ),
            nl=False,
        )
        for problem in problems:  # not a check's row: said beside the CSV
            click.echo(_("lanlab: program {problem}").format(problem=one_line(localize(problem))), err=True)
        for stop in stops:
            click.echo("lanlab: " + localize(stop), err=True)
    else:
        for result in results:
            mark = _("PASS") if result.passed else _("FAIL")
            # what a program printed, as found, cannot act on the terminal: a \r would let it write PASS over FAIL
            click.echo(f"{mark} {result.id} ({result.score}/{result.points}): {one_line(localize(result.found))}")
            if not result.passed and result.hint:
                # the teacher's hint, in the lab file's language
                click.echo("     " + _("hint: {hint}").format(hint=result.hint))
        for problem in problems:
            click.echo(_("program {problem}").format(problem=one_line(localize(problem))))
        for stop in stops:
            click.echo(localize(stop))
        click.echo(_("score {score}/{total}").format(score=score, total=the_lab.total))
        if html is not None:
            click.echo(_("wrote {file}").format(file=html))
    sys.exit(EXIT_OK if all(result.passed for result in results) else EXIT_NO_ANSWER)


def _bullet_lines(text: str) -> list[str]:
    """A Markdown bullet's text over several lines: the lines after the first indented under it."""
    if not text.startswith("- ") or "\n" not in text:
        return [text]
    first, *rest = text.splitlines()
    return [first, *("  " + line if line.strip() else "" for line in rest)]


def _answer_key(check_id: str) -> str:
    """A question's id as a key of answers.yaml: as it is where YAML reads it back as that text, else
    quoted (an id like `a: b`, `#1` or `[x]`)."""
    import json

    import yaml

    try:
        plain = yaml.load(f"{check_id}:", Loader=yaml.BaseLoader)  # noqa: S506 - builds no objects
    except yaml.YAMLError:
        plain = None
    return check_id if plain == {check_id: ""} else json.dumps(check_id, ensure_ascii=False)


def _variant_texts(the_lab: Any) -> dict[str, str]:
    """The files of a student's variant by name: their topology, the brief, the answers template."""
    from lanlab.lab import LabError
    from lanlab.topology import TopologyError

    try:
        topology = the_lab.topology_text(the_lab.topology).lstrip("\n")
    except (LabError, TopologyError) as error:
        _errors_exit(error)
    # A title or question over several lines (ask: |) is a heading on one line, a bullet's lines indented
    # under it, and in answers.yaml a comment line each: its second line was YAML text there, and the
    # template the student filled in was not valid YAML.
    title = " ".join(the_lab.title.split())
    brief = [f"# {title}", "", the_lab.brief.strip()]
    for stage in the_lab.stages:
        brief += ["", f"## {' '.join(stage.name.split())}", "", stage.brief.strip()]
        brief += [
            "- " + _("{ask} (answer as `{id}:` in answers.yaml)").format(ask=check.ask.strip(), id=check.id)
            for check in stage.checks
            if check.kind == "question"
        ]
    brief = [line for text in brief for line in _bullet_lines(text)]
    # the scaffolding in the student's language; the lab's title and questions as the teacher wrote them
    answers = ["# " + _("{title}: your answers, one `id: answer` per question").format(title=title), ""]
    for check in the_lab.checks:
        if check.kind == "question":
            answers += [
                *(f"# {line}".rstrip() for line in check.ask.strip().splitlines()),
                f"{_answer_key(check.id)}:",
                "",
            ]
    return {
        "topology.yaml": topology,
        "brief.md": "\n".join(brief).strip() + "\n",
        "answers.yaml": "\n".join(answers),
    }


@lab.command(name="new")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--student", required=True, metavar="ID", help="The student whose variant to write.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Where to write topology.yaml, brief.md and answers.yaml (default: ./ID).",
)
@click.option("--force", is_flag=True, help="Write over files already there (a student's work is lost).")
def new(file: Path, student: str, out: Path | None, force: bool) -> None:
    """Write a student's variant: their topology (their values filled in), the brief, an answers template.
    Files already there are kept (the command stops) unless --force.

    \b
      lanlab lab new labs/hub_vs_switch/lab.yaml --student alice --out alice/

    Exit status: 0 the three files were written, 2 error (the lab file's mistakes as FILE:LINE, files
    already there without --force, a student id that is a path, a folder that cannot be written).
    """
    if student.strip() in ("", ".", "..") or any(sign in student for sign in "/\\:\0"):
        fail(
            _("--student {id!r}: a student id names the student's folder; give a plain name like alice").format(
                id=student
            )
        )
    the_lab = _load(file, student)
    out = out if out is not None else Path(student)
    texts = _variant_texts(the_lab)  # all read before anything is written: a lab without its topology leaves nothing
    try:
        there = [  # a link counts, dangling or not: writing would go through it
            out / name for name in texts if (out / name).is_symlink() or (out / name).exists()
        ]
        if there and not force:
            fail(
                _(
                    "{files} already there (a student's work?); write elsewhere with --out, or over them with --force"
                ).format(files=", ".join(map(str, there)))
            )
        out.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as error:  # a name too long, a file where the folder would be, no room
        fail(_("--out: cannot write in {folder}: {reason}").format(folder=out, reason=localize(reason_of(error))))
    topology_file, brief_file, answers_file = (out / name for name in texts)
    click.echo(
        _("wrote {topology}, {brief} and {answers} for {student}").format(
            topology=topology_file, brief=brief_file, answers=answers_file, student=student
        )
    )


@lab.command(name="grade")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("submissions", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="grades.csv",
    help="Also write the grades as CSV: a row per student, a column per check.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Students graded at once (default: every core).",
)
@click.option(
    "--time-limit",
    "time_limit",
    type=float,
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Real time one submission may run; past it, it scores what it passed so far.",
)
@click.option(
    "--isolation",
    type=click.Choice(ISOLATIONS),
    default="auto",
    show_default=True,
    help="The wall around a student's programs (labs with run.app): bwrap = `sim run --sandbox`'s "
    "bubblewrap (no network, only the student's folder, the lab and Python readable); namespace "
    "= `sim run --app`'s network namespace; none = a process of its own only; auto = bwrap "
    "where it works, else namespace.",
)
@click.option(
    "--app-limits",
    "app_limits",
    default="mem=1GiB",
    show_default=True,
    metavar="cpu=10s,mem=512MiB",
    help="CPU-time and memory limits of each student's process (programs' labs); cpu defaults to "
    "the time limit's, mem to 1GiB.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document: every student's checks and total.")
def grade_command(
    file: Path,
    submissions: Path,
    csv_file: Path | None,
    workers: int | None,
    time_limit: float,
    isolation: str,
    app_limits: str,
    as_json: bool,
) -> None:
    """Grade a class: SUBMISSIONS/ holds one folder per student (named by the student id) with
    topology.yaml, answers.yaml and the programs the lab names (any may be missing: the lab's own
    topology, no answers).

    Each student whose lab runs programs is graded in a process of its own behind --isolation,
    killed past --time-limit or --app-limits: the row says why. Ctrl-C prints the rows graded so
    far and exits 130.

    \b
      lanlab lab grade labs/hub_vs_switch/lab.yaml submissions/ --csv grades.csv --workers 2

    Exit status: 0 once every student has a row, whatever the scores; 2 error (the lab file's
    mistakes as FILE:LINE, no student folder, a bad option, --csv not written: the rows are printed
    first); 130 on Ctrl-C and 143 on SIGTERM, after the rows graded so far.
    """
    from lanlab.cli.sim_wall import parse_limits
    from lanlab.lab.grade import grade, has_programs
    from lanlab.lab.isolate import DEFAULT_MEM, Walled, bwrap_refused, choose

    if not 0 < time_limit <= MAX_SECONDS:  # NaN too
        fail(
            _("--time-limit {value}: give a number of seconds above 0, like --time-limit 60").format(
                value=f"{time_limit:g}"
            )
        )
    if not submissions.is_dir():  # click's file_okay=False lets a device (/dev/zero) through
        fail(
            _("{path} is not a folder: SUBMISSIONS is a folder holding one folder per student").format(path=submissions)
        )
    the_lab = _load(file, None)
    limits = parse_limits(app_limits)
    if csv_file is not None and (csv_file.is_dir() or not csv_file.resolve().parent.is_dir()):
        # said now, not after grading the class (the rows are printed before the file is written, too)
        code = errno.EISDIR if csv_file.is_dir() else errno.ENOENT
        reason = localize(reason_of(OSError(code, os.strerror(code))))
        fail(_("--csv: cannot write {file}: {reason}").format(file=csv_file, reason=reason))
    kind, fallback = choose(isolation) if has_programs(the_lab) else ("none", None)
    if kind == "bwrap" and bwrap_refused() is not None:
        fail(
            _("--isolation bwrap: {reason}; install bubblewrap, or choose --isolation namespace").format(
                reason=localize(bwrap_refused() or "")
            )
        )
    if fallback is not None:
        click.echo(
            _(
                "lanlab: warning: students' programs run behind the network namespace only ({reason}); "
                "install bubblewrap for the sandbox"
            ).format(reason=localize(fallback)),
            err=True,
        )
    written = csv_file.resolve() if csv_file is not None else None  # a class's grades.csv beside its folders
    loose = sorted(
        path.name
        for path in submissions.iterdir()
        if not path.is_dir() and not path.name.startswith(".") and path.resolve() != written
    )
    if loose:  # a student who handed in a file (an archive, a program) rather than a folder is not graded
        click.echo(
            _("lanlab: warning: not graded, not a folder: {names}").format(names=", ".join(map(repr, loose))),
            err=True,
        )
    from lanlab.cli.common import EXIT_TERMINATED, Terminated, terminate_as_interrupt

    done: list[Any] = []
    interrupted: int | None = None  # the exit status: 130 (Ctrl-C), 143 (SIGTERM)
    try:
        with terminate_as_interrupt():  # SIGTERM ends the grading as Ctrl-C does: the rows so far kept
            graded = grade(
                file, submissions, workers, time_limit, Walled(kind, limits.mem or DEFAULT_MEM, limits.cpu), done
            )
    except (KeyboardInterrupt, Terminated) as stop:
        interrupted = EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED
        graded = sorted(done, key=lambda one: one.student)
    ids = [check.id for check in the_lab.checks]
    header = ["student", *ids, "total", "problem"]
    rows = []
    for one in graded:
        scores = {result.id: result.score for result in one.results}
        rows.append(
            _shown([one.student, *[scores.get(check_id, 0) for check_id in ids], one.total, _cell(one.problem)])
        )
    if as_json:
        print_json(
            _shown(
                {
                    "lab": the_lab.name,
                    "total": the_lab.total,
                    "isolation": kind,
                    "interrupted": interrupted is not None,
                    "students": [
                        {
                            "student": g.student,
                            "total": g.total,
                            "problem": g.problem,
                            "seconds": round(g.seconds, 3),
                            "checks": [r.as_dict() for r in g.results],
                        }
                        for g in graded
                    ],
                }
            )
        )
    else:
        click.echo(_csv(header, rows), nl=False)
    if csv_file is not None:  # after the report: a file that cannot be written loses no grade
        try:
            csv_file.write_text(_csv(header, rows), encoding="utf-8")
        except OSError as error:
            fail(_("--csv: cannot write {file}: {reason}").format(file=csv_file, reason=localize(reason_of(error))))
    if interrupted is not None:
        click.echo(
            counted(
                "lanlab: interrupted: {count} student graded (rows above); the others were not",
                "lanlab: interrupted: {count} students graded (rows above); the others were not",
                len(graded),
            ),
            err=True,
        )
        sys.exit(interrupted)
    sys.exit(EXIT_OK)  # every student has a row (no folder at all is an error, said before grading)
