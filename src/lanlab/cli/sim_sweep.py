"""`lanlab sim sweep`: one topology over seeds and --vary values, each run a row."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from lanlab.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NO_ANSWER,
    EXIT_OK,
    EXIT_TERMINATED,
    Terminated,
    fail,
    fail_with_problems,
    print_json,
    table_console,
    terminate_as_interrupt,
)
from lanlab.cli.help import Command
from lanlab.i18n import L_, _, localize, message_of, ngettext
from lanlab.os_reasons import reason_of


@click.command(name="sweep", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--seeds",
    default="1-10",
    show_default=True,
    metavar="1-1000",
    help="The seeds, each one run per combination of --vary values: 1-1000, 7, 1,5,9-12, -3..2 "
    "(any integer, as sim run's --seed; a seed named twice runs once).",
)
@click.option(
    "--vary",
    "vary",
    multiple=True,
    metavar="PATH=V1,V2,...",
    help="A YAML field of the topology, set to each value in turn: links.*.loss=0,0.01,0.05, "
    "nodes.sw1.stp.mode=stp,rstp, nodes.*.rip.split_horizon=none,poisoned_reverse. "
    "Repeatable: the runs are the product of every --vary and the seeds.",
)
@click.option("--do", "do", multiple=True, metavar='"[at T] NODE COMMAND"', help="As sim run's --do, in every run.")
@click.option(
    "--app",
    "apps",
    multiple=True,
    metavar='"[at T] NODE=FILE.py"',
    help="As sim run's --app, in every run: the program's text travels with each run (a Dask worker "
    "needs no copy), which runs behind sim run's network-namespace wall in a process of its "
    "own. Repeatable.",
)
@click.option(
    "--stdin",
    "stdins",
    multiple=True,
    metavar="NODE=TEXT",
    help="As sim run's --stdin, in every run: a line of NODE's standard input (repeatable: one line each).",
)
@click.option(
    "--arg", "args", multiple=True, metavar="NODE=ARG", help="As sim run's --arg, in every run: an argument (sys.argv)."
)
@click.option(
    "--app-limits",
    "app_limits",
    default=None,
    metavar="cpu=10s,mem=512MiB",
    help="As sim run's --app-limits, for each run: CPU-time and memory limits of the process that runs "
    "it (each such run gets a process of its own); a run stopped at the CPU limit is a row with that error.",
)
@click.option("--until", default="10s", show_default=True, help="Sim time each run stops at.")
@click.option(
    "--run-limit",
    "run_limit",
    default=None,
    metavar="SECONDS",
    help="Wall-clock time a run may take (60, 90s, 10min): a run still going then is stopped (its process "
    "killed, a new one goes on with the other runs) and is a row whose error says so (RunTimedOut), the sweep "
    "going on. Default: none, since how long a run takes is the study's own (milliseconds for a small ring, "
    "minutes for a big network over a long --until) and a fixed limit would cut good runs; give one when a "
    "run may never end (a program that loops, a huge network).",
)
@click.option(
    "--sweep-limit",
    "sweep_limit",
    default=None,
    metavar="SECONDS",
    help="Wall-clock time the whole sweep may take (30min, 2h): then it stops as Ctrl-C stops it, the rows "
    "done kept and written to --out (--resume makes the others), exit status 1. Default: none.",
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="NAME=EXPR",
    help="A column: a built-in (routing_convergence, route_changes, stp_convergence, ping_sent, "
    "ping_received, rtt_min_ms, rtt_avg_ms, rtt_max_ms, frames, drops, storm, storm_t, "
    "program_exit, output_lines) or "
    "NAME=EXPR over the run's `sim run --json` document: paths (links.*.frames, "
    "commands.0.result.received, events[kind=route].t), sum max min mean median count first "
    "last, + - * /. Default: frames, drops, events.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="results.csv|.jsonl|.parquet",
    help="Write every row (the rows done, if interrupted).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Go on from the rows --out already holds (an interrupted sweep's): the runs there that ran are "
    "kept, only the others are made, and --out then holds them all. Same --vary and --metric. A failed "
    "run (one stopped at --run-limit too) is made again.",
)
@click.option(
    "--plot",
    "plots",
    multiple=True,
    metavar="[METRIC[:hist|cdf|vs]=]FILE.png|.svg",
    help="A figure per --plot: a metric's histogram or CDF, or it against the first --vary's values "
    "(median, quartiles shaded). Default: the first metric, vs when something varies, else hist.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes on this machine (default: its cores). 1: in this process.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="tcp://HOST:8786",
    help="Send the runs to a running Dask cluster (`dask scheduler`, `dask worker ADDRESS`); the "
    "topology and values travel with each run, no shared filesystem needed. A cluster left with no "
    "worker for 60 s ends the sweep, each run not done a row saying so.",
)
@click.option("--json", "as_json", is_flag=True, help="A JSON summary at the end instead of the table.")
def sweep(
    file: Path,
    seeds: str,
    vary: tuple[str, ...],
    do: tuple[str, ...],
    apps: tuple[str, ...],
    stdins: tuple[str, ...],
    args: tuple[str, ...],
    app_limits: str | None,
    until: str,
    run_limit: str | None,
    sweep_limit: str | None,
    metrics: tuple[str, ...],
    out: Path | None,
    resume: bool,
    plots: tuple[str, ...],
    workers: int | None,
    scheduler: str | None,
    as_json: bool,
) -> None:
    """Run a topology many times: every seed by every combination of --vary values, each run a row
    (exactly what `lanlab sim run FILE --seed S --json` reports with those values, its metrics read
    from that document). Runs spread over this machine's cores, or a Dask cluster with --scheduler.
    Exit status 1 when a run failed (its row says why) or --sweep-limit stopped the sweep, 130 when
    interrupted by Ctrl-C and 143 by SIGTERM (the rows done kept, and written to --out).

    \b
      lanlab sim sweep examples/count-to-infinity.yaml --seeds 1-100 --until 150s \\
          --vary nodes.*.rip.split_horizon=none,poisoned_reverse \\
          --metric route_changes --metric routing_convergence --out c2i.csv --plot c2i.png
      lanlab sim sweep examples/rip-ring.yaml --seeds 1-200 --until 100s \\
          --do "at 30s pc1 ping pc3 -c 60 -i 1" --metric ping_received --plot ping_received:hist=hist.png
      lanlab sim sweep examples/stp.yaml --seeds 1-50 --until 60s --vary nodes.*.stp.mode=stp,rstp \\
          --metric stp_convergence --scheduler tcp://127.0.0.1:8786 --json
    """
    from lanlab.sweep.output import cannot_write, check_can_write, check_out, keep_elsewhere, write_rows
    from lanlab.sweep.plan import make_plan, read_run_limit
    from lanlab.sweep.plot import draw, parse_plot
    from lanlab.sweep.resume import kept_rows
    from lanlab.sweep.summary import summarise
    from lanlab.sweep.vary import SweepError, seeds_given, shown_value
    from lanlab.sweep.where import default_workers, engine_name, run_tasks
    from lanlab.topology import TopologyError

    try:
        if out is not None:
            check_out(out)
        sweep_limit_s = read_run_limit(sweep_limit, "--sweep-limit")
        plot_specs = [parse_plot(text) for text in plots]
        for spec in plot_specs:
            check_can_write("--plot", spec.path)
        plan = make_plan(
            file,
            seeds,
            vary,
            do,
            until,
            metrics,
            apps=apps,
            stdins=stdins,
            args=args,
            app_limits=app_limits,
            run_limit=run_limit,
        )
    except TopologyError as error:
        fail_with_problems(error.problems)  # as sim run says them: FILE:LINE: each
    except SweepError as error:
        fail(localize(message_of(error)))
    names = [m.name for m in plan.metrics]
    rows: list[dict[str, Any]] = []
    todo = plan.tasks
    if resume:
        if out is None:
            fail(_("--resume goes on from the rows of --out; give --out FILE"))
        try:
            rows, todo = kept_rows(out, plan.tasks, plan.varied, names)
        except SweepError as error:
            fail(localize(message_of(error)))
        if rows:
            click.echo(
                _("lanlab: --resume: {kept} of {planned} runs are in {out}; making the other {todo}").format(
                    kept=len(rows), planned=len(plan.tasks), out=out, todo=len(todo)
                ),
                err=True,
            )
    given, distinct = seeds_given(seeds), len({task.seed for task in plan.tasks})
    if given > distinct:  # 1,1,1 or 1-10,5: one run per seed, as a seed's run is always the same
        click.echo(
            _(
                "lanlab: warning: --seeds {seeds} names {given} seeds, {distinct} different; each runs once "
                "(the same seed gives the same run)"
            ).format(seeds=seeds, given=given, distinct=distinct),
            err=True,
        )
    for spec in plot_specs:
        if spec.metric is not None and spec.metric not in names:
            fail(
                _("--plot: {metric} is not a --metric of this sweep ({metrics})").format(
                    metric=spec.metric, metrics=", ".join(names)
                )
            )
    workers = workers or default_workers()
    progress = Progress(len(todo)) if sys.stderr.isatty() and not as_json else None
    start = time.perf_counter()
    interrupted: int | None = None  # the exit status of an interrupted sweep: 130 (Ctrl-C), 143 (SIGTERM)
    out_of_time = False  # --sweep-limit stopped it
    made: list[dict[str, Any]] = []
    try:
        with terminate_as_interrupt(), sweep_deadline(sweep_limit_s):
            for row in run_tasks(todo, workers, scheduler):
                rows.append(row)
                made.append(row)
                if progress is not None:
                    progress.update(made)
    except Terminated:
        interrupted = EXIT_TERMINATED
    except OutOfSweepTime:
        out_of_time = len(made) < len(todo)  # not when the limit came as the last row did
    except KeyboardInterrupt:
        interrupted = EXIT_INTERRUPTED
    except SweepError as error:
        fail(localize(message_of(error)))
    wall = time.perf_counter() - start
    if progress is not None:
        progress.end()
    rows.sort(key=lambda r: (tuple(shown_value(r.get(p)) for p in plan.varied), r["seed"]))
    # A file checked before the runs that cannot be written now (a full disk, a folder removed) is said
    # after the summary, which still shows the runs, and the sweep exits 2; the other files are written.
    unwritten: list[str] = []
    if out is not None:
        try:
            write_rows(rows, out)
        except OSError as error:
            reason = localize(reason_of(error))
            try:  # the rows, which took the whole sweep to make, go to a file of our own: said, never lost silently
                kept = keep_elsewhere(rows, out)
            except OSError:
                unwritten.append(
                    _("--out: cannot write {file}: {reason}; the rows are not saved, only the summary above").format(
                        file=out, reason=reason
                    )
                )
                out = None
            else:
                unwritten.append(
                    _("--out: cannot write {file}: {reason}; the rows are in {kept} instead").format(
                        file=out, reason=reason, kept=kept
                    )
                )
                out = kept
    drawn = []
    for spec in plot_specs:
        try:
            draw(spec, rows, names, plan.varied, plan.name)
        except SweepError as error:
            unwritten.append(localize(message_of(error)))
        except OSError as error:  # no filename when the write itself fails (ENOSPC): the --plot's file
            unwritten.append(localize(message_of(cannot_write("--plot", spec.path, error))))
        else:
            drawn.append(spec)
    failed = [row for row in rows if row.get("error")]
    summary = summarise(rows, plan.varied, names)
    ran = [row for row in rows if not row.get("error")]
    for name in names:  # a path no run's document has (a typo) gives empty cells only: say so
        if ran and all(row.get(name) is None for row in ran):
            click.echo(
                _(
                    "lanlab: warning: --metric {name}: no run has a value (`lanlab sim run FILE --json` shows what "
                    "a run's document holds)"
                ).format(name=name),
                err=True,
            )
    if as_json:
        print_json(
            {
                "file": str(file),
                "runs": len(rows),
                "planned": len(plan.tasks),
                "failed": len(failed),
                "interrupted": interrupted is not None,
                "wall_s": round(wall, 3),
                "run_limit_s": plan.run_limit,
                "sweep_limit_s": sweep_limit_s,
                "stopped_at_sweep_limit": out_of_time,
                "where": engine_name(workers, scheduler),
                "workers": workers if scheduler is None else None,
                "varied": plan.varied,
                "metrics": names,
                "out": str(out) if out else None,
                "plots": [str(s.path) for s in drawn],
                "groups": summary,
                "errors": [{k: r.get(k) for k in ("seed", *plan.varied, "error")} for r in failed],
            }
        )
    else:
        print_summary(summary, plan.varied, names)
        click.echo(
            ngettext(
                "{runs} run of {file} in {wall} s on {where}", "{runs} runs of {file} in {wall} s on {where}", len(rows)
            ).format(runs=len(rows), file=file, wall=f"{wall:.1f}", where=localize(_shown_where(workers, scheduler)))
            + (_(", {failed} failed").format(failed=len(failed)) if failed else "")
            + (_("; rows in {out}").format(out=out) if out else "")
            + "".join(_("; plot {path}").format(path=s.path) for s in drawn)
        )
        for row in failed[:5]:
            click.echo(
                _("lanlab: seed {seed}{values} failed: {error}").format(
                    seed=row["seed"],
                    values="".join(f" {p}={shown_value(row.get(p))}" for p in plan.varied),
                    error=localize(row["error"]),
                ),
                err=True,
            )
    for problem in unwritten:
        click.echo(f"lanlab: {problem}", err=True)
    if interrupted is not None:
        click.echo(
            (
                _("lanlab: interrupted after {done} of {planned} runs; those are kept in {out}")
                if out
                else _("lanlab: interrupted after {done} of {planned} runs; those are kept")
            ).format(done=len(rows), planned=len(plan.tasks), out=out),
            err=True,
        )
        sys.exit(interrupted)
    if out_of_time:
        click.echo(
            (
                _(
                    "lanlab: stopped at --sweep-limit {limit} after {done} of {planned} runs; those are kept in "
                    "{out} (--resume makes the others)"
                )
                if out
                else _("lanlab: stopped at --sweep-limit {limit} after {done} of {planned} runs; those are kept")
            ).format(limit=sweep_limit, done=len(rows), planned=len(plan.tasks), out=out),
            err=True,
        )
    sys.exit(EXIT_ERROR if unwritten else EXIT_NO_ANSWER if failed or out_of_time else EXIT_OK)


class OutOfSweepTime(KeyboardInterrupt):
    """--sweep-limit passed while the runs went on: they end as at Ctrl-C. A KeyboardInterrupt for Terminated's
    reasons (no run takes it for its own failure; asyncio lets it out of a Dask task)."""


@contextmanager
def sweep_deadline(seconds: float | None) -> Iterator[None]:
    """OutOfSweepTime raised in this (the main) thread `seconds` after the block begins, once (SIGALRM, a
    real-time timer, which a forked child does not inherit; one that inherits the handler ignores it)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    owner, fired = os.getpid(), False

    def stop(signum: int, frame: Any) -> None:
        nonlocal fired
        if os.getpid() == owner and not fired:
            fired = True
            raise OutOfSweepTime

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Progress:
    """`  37/200 runs  0 failed  ETA 0:12` on stderr, redrawn at most 4 times a second. The ETA is the
    pace of the rows since the first came, once they span a second (`-:--` until then): from the start,
    it counted a LocalCluster's start-up as a run's time (the first line of 300 runs said 6:38, for 3 s)."""

    def __init__(self, total: int) -> None:
        self.total, self.start, self.last = total, time.perf_counter(), 0.0
        self.first: tuple[float, int] | None = None  # when the first rows came, and how many

    def update(self, rows: list[dict[str, Any]]) -> None:
        now = time.perf_counter()
        done = len(rows)
        if self.first is None:
            self.first = (now, done)
        if now - self.last < 0.25 and done < self.total:
            return
        self.last = now
        failed = sum(1 for r in rows if r.get("error"))
        sys.stderr.write(
            "\r  "
            + _("{done}/{total} runs  {failed} failed  ETA {eta}").format(
                done=done, total=self.total, failed=failed, eta=self.eta(now, done)
            )
            + " "
        )
        sys.stderr.flush()

    def eta(self, now: float, done: int) -> str:
        since, then = self.first or (now, done)
        if done >= self.total:
            return "0:00"
        if done <= then or now - since < 1.0:
            return "-:--"
        left = int((now - since) / (done - then) * (self.total - done))
        return f"{left // 60}:{left % 60:02d}"

    def end(self) -> None:
        sys.stderr.write("\n")


def print_summary(summary: list[dict[str, Any]], varied: list[str], metrics: list[str]) -> None:
    from lanlab.sweep.vary import shown_value

    table = Table(title=_("median \\[quartiles] per combination"), title_justify="left")
    headings = {"runs": _("runs"), "failed": _("failed")}  # a metric's or a varied field's name stays
    for column in (*varied, "runs", "failed", *metrics):
        table.add_column(escape(headings.get(column, column)), justify="left" if column in varied else "right")
    for entry in summary:
        cells = [escape(shown_value(entry["values"][p])) for p in varied] + [str(entry["runs"]), str(entry["failed"])]
        for name in metrics:
            stats = entry[name]
            cells.append("-" if stats is None else f"{stats['median']:g} [{stats['q1']:g}-{stats['q3']:g}]")
        table.add_row(*cells)
    table_console(highlight=False).print(table)


def _shown_where(workers: int, scheduler: str | None) -> str:
    """Where the runs ran, after the closing line's "on": --json's "in process" reads "this process" there."""
    from lanlab.sweep.where import engine_name

    return L_("this process") if workers == 1 and scheduler is None else engine_name(workers, scheduler)
