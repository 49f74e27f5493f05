"""A class graded: one folder per student, each run in a process of its own or a worker process
(every core by default), each bounded in time, so a submission that crashes or hangs scores what
it passed and says why; students' programs run behind a wall (lab.isolate)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lanlab.i18n import L_, _, joined
from lanlab.lab.checks import Result, printable
from lanlab.lab.isolate import Running, Walled, choose, grade_isolated
from lanlab.lab.model import Lab, LabError, inside, load_lab
from lanlab.lab.runner import Submission, read_answers, run_lab, short, unfinished

TIME_LIMIT_S = 60.0  # real seconds a submission may run before it is stopped


@dataclass
class Graded:
    student: str
    results: list[Result]
    seconds: float
    problem: str | None = None  # why the run stopped early (crash, time limit, bad file)
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = sum(result.score for result in self.results)


class _TimeLimit(BaseException):  # not an Exception: a student program catching those must not swallow it
    pass


def lab_for(lab_path: Path, student: str) -> tuple[Lab, str | None]:
    """The student's variant of the lab, or, when their values make the lab file wrong (values of two
    pools, each right with the others' first: lab.model.variant_problems checks no more), the reference
    variant's checks with why: a row for that student, not a traceback that loses the class's."""
    try:
        return load_lab(lab_path, student), None
    except LabError as error:
        return load_lab(lab_path, None), error.problems[0] if error.problems else str(error)  # an L_ text


def submission_of(lab_path: Path, folder: Path, student: str) -> tuple[Any, Submission]:
    """The student's variant of the lab and their folder's files (each resolved inside it). A
    missing topology is the lab's own (a lab may ask only for answers: "do not change the topology"),
    answers that cannot be read are none (`unread` says why): what else was handed in still counts."""
    lab = load_lab(lab_path, student)

    def handed_in(name: str) -> bool:
        # A link counts even when its target cannot be seen (behind bwrap, outside the folder is not
        # there): inside() refuses it, instead of the lab's template quietly standing in for it.
        return (folder / name).is_symlink() or (folder / name).exists()

    topology = inside(folder, "topology.yaml", "topology") if handed_in("topology.yaml") else lab.topology
    answers: dict[str, Any] = {}
    unread = None
    if handed_in("answers.yaml"):
        try:
            answers = read_answers(inside(folder, "answers.yaml", "answers"), lab.values)
        except LabError as error:
            unread = str(error).splitlines()[0]
    return lab, Submission(topology, folder, answers, unread=unread, handed_in=True)


OVERRUN_S = 2.0  # real seconds past the time limit a run that was told to stop may go on before it is ended


def grade_one(
    lab_path: str, folder: str, time_limit: float = TIME_LIMIT_S, overrun: Callable[[Graded], None] | None = None
) -> Graded:
    """One student, in this process: what they passed even when their run fails or hangs. Past the
    time limit the run is told to stop (an exception where Python is) and only the checks judged by
    then count; a run still going OVERRUN_S later (a program's loop caught it, `except:`; or the shim
    ended that program and the run went on) is handed to `overrun` as that row, which lab.worker
    prints before it ends the process (without `overrun`: told again every OVERRUN_S)."""
    student = Path(folder).name
    start = time.perf_counter()
    results: list[Result] = []
    problem: str | None = None
    lab = None
    passed_in_time: list[int] = []  # how many checks were judged when the time ran out
    programs_failed: list[str] = []
    noted: list[str] = []  # what the folder lacks, or an answers file that cannot be read

    def stopped() -> str:
        return L_("stopped after {seconds} s (a run that never ends?)", seconds=f"{time_limit:g}")

    def row(problem: str | None, lab: Lab) -> Graded:
        kept = results[: passed_in_time[0]] if passed_in_time else results
        if problem is not None:
            kept = unfinished(lab, kept, problem)
        failed = [text for text in programs_failed if "_TimeLimit" not in text]  # ours, said in problem
        if noted or failed:  # the run went on, but the student should know why they scored less
            problem = joined(noted + ([problem] if problem else []) + failed, "; ")
        return Graded(student, kept, time.perf_counter() - start, problem)

    def alarm(signum: int, frame: Any) -> None:
        # Raised wherever Python is: in the engine, or in a student's program, which the shim then
        # ends as a crash while the run goes on; either way only checks judged before now count.
        if passed_in_time and overrun is not None:  # told before, and still running: what it passed in time
            overrun(row(stopped(), lab if lab is not None else lab_for(Path(lab_path), student)[0]))
        if not passed_in_time:
            passed_in_time.append(len(results))
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit, OVERRUN_S)  # then again every OVERRUN_S while it runs
    try:
        lab, submission = submission_of(Path(lab_path), Path(folder), student)
        noted = [submission.unread] if submission.unread is not None else []  # the rest still counts
        if any(Path(folder).iterdir()):
            run_lab(lab, submission, results=results, problems=programs_failed, stops=programs_failed)
        else:  # run, it would grade the lab's own topology: points for nothing
            problem = L_("empty folder: nothing was handed in")
    except _TimeLimit:
        pass
    except LabError as error:
        problem = error.problems[0] if error.problems else str(error)  # an L_ text: the row shows it translated
    except Exception as error:  # noqa: BLE001 - a student's submission may fail in any way; grade what passed
        problem = crashed_because(error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if lab is None:
        lab, unloaded = lab_for(Path(lab_path), student)
        problem = problem if unloaded is None else unloaded
    if passed_in_time:
        problem = stopped()
    return row(problem, lab)


def has_programs(lab: Lab) -> bool:
    return any(stage.apps or stage.lab_apps for stage in lab.stages)


def grade(
    lab_path: Path,
    submissions: Path,
    workers: int | None = None,
    time_limit: float = TIME_LIMIT_S,
    walled: Walled | None = None,
    done: list[Graded] | None = None,
) -> list[Graded]:
    """Every student folder under `submissions`, in name order, `workers` at a time (None: every
    core). A lab with programs runs each student in a walled process of its own (`walled`; the
    default: bubblewrap where it works, see lab.isolate); a lab of data only (topologies and
    answers) in a pool of worker processes. Rows are appended to `done` as students finish, so
    that after Ctrl-C (KeyboardInterrupt, every process graded so far killed) the caller has them."""
    folders = sorted(path for path in submissions.iterdir() if path.is_dir() and not path.name.startswith("."))
    if not folders:
        from lanlab.cli.common import LanlabError  # `lab grade`'s one-line error, exit status 2

        raise LanlabError(
            _(
                "no submissions in {folder}: it should hold one folder per student, named by the student id, "
                "with their topology.yaml and answers.yaml"
            ).format(folder=submissions)
        )
    workers = workers or os.cpu_count() or 1
    done = [] if done is None else done
    for folder in [folder for folder in folders if folder.is_symlink()]:
        # a link to elsewhere (an unpacked archive can hold one) would grade what it points at: the
        # solution's folder, another student's; the files inside a folder are held to it the same way
        problem = str(
            L_("{folder} is a link to elsewhere; a student's work is a folder of its own", folder=folder.name)
        )
        done.append(Graded(folder.name, unfinished(lab_for(lab_path, folder.name)[0], [], problem), 0.0, problem))
        folders.remove(folder)
    lab = load_lab(lab_path, None)
    if has_programs(lab):
        _grade_walled(lab_path, folders, workers, time_limit, walled or Walled(choose("auto")[0]), done)
    elif workers == 1:
        for folder in folders:
            done.append(grade_one(str(lab_path), str(folder), time_limit))
    else:
        _grade_in_pool(lab_path, folders, workers, time_limit, done)
    return sorted(done, key=lambda graded: graded.student)


def _grade_walled(
    lab_path: Path, folders: list[Path], workers: int, time_limit: float, walled: Walled, done: list[Graded]
) -> None:
    running = Running()

    def one(folder: Path) -> Graded:
        start = time.perf_counter()
        lab, unloaded = lab_for(lab_path, folder.name)
        if unloaded is not None:  # nothing to run: their variant of the lab cannot be read
            return Graded(folder.name, unfinished(lab, [], unloaded), 0.0, unloaded)
        try:
            student, results, problem = grade_isolated(lab, folder.resolve(), time_limit, walled, running)
            return Graded(student, results, time.perf_counter() - start, problem)
        except Exception as error:  # noqa: BLE001 - one student's grading failing must not lose the class's rows
            why = crashed_because(error)
            return Graded(folder.name, unfinished(lab, [], why), time.perf_counter() - start, why)

    pool = ThreadPoolExecutor(max_workers=workers)  # each thread waits on a process: the processes use the cores
    try:
        for future in as_completed([pool.submit(one, folder) for folder in folders]):
            graded = future.result()
            if not running.stopping:
                done.append(graded)
    except BaseException:
        running.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent hears Ctrl-C and ends the workers


def _grade_in_pool(lab_path: Path, folders: list[Path], workers: int, time_limit: float, done: list[Graded]) -> None:
    """Students `workers` at a time in a pool of processes. A worker killed (the kernel's OOM killer on one
    student's topology of 100,000 hosts) breaks the pool, and every student not yet done failed with it,
    each row "crashed": those are graded again, each in a process of its own, so that only the student
    whose grading kills its process has that row."""
    again = _pool_round(lab_path, folders, workers, time_limit, done)
    if not again:
        return
    threads = ThreadPoolExecutor(max_workers=workers)  # each thread waits on a process of its own
    try:
        for graded in threads.map(lambda folder: _grade_alone(lab_path, folder, time_limit), again):
            done.append(graded)
    except BaseException:  # Ctrl-C: the processes killed, each thread then returns at once
        for child in multiprocessing.active_children():
            child.kill()
        threads.shutdown(wait=False, cancel_futures=True)
        raise
    threads.shutdown()


def _pool_round(lab_path: Path, folders: list[Path], workers: int, time_limit: float, done: list[Graded]) -> list[Path]:
    """The students graded in one pool; those it could not grade because it broke, to grade again."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_ctrl_c)
    futures = {pool.submit(grade_one, str(lab_path), str(folder), time_limit): folder for folder in folders}
    again: list[Path] = []
    try:
        for future in as_completed(futures):
            folder = futures[future]
            try:
                done.append(future.result())
            except BrokenProcessPool:  # some worker died: whose student is not known
                again.append(folder)
            except Exception as error:  # noqa: BLE001 - the worker itself died (os._exit, a signal)
                done.append(_crashed(lab_path, folder, error))
    except BaseException:
        _kill_pool(pool)
        raise
    pool.shutdown()
    return sorted(again)


def _grade_alone(lab_path: Path, folder: Path, time_limit: float) -> Graded:
    """One student in a process of its own (after a pool broke): a death there is this student's."""
    pool = ProcessPoolExecutor(max_workers=1, initializer=_ignore_ctrl_c)
    try:
        return pool.submit(grade_one, str(lab_path), str(folder), time_limit).result()
    except Exception as error:  # noqa: BLE001 - the process died (a signal, the OOM killer)
        return _crashed(lab_path, folder, error)
    except BaseException:
        _kill_pool(pool)
        raise
    finally:
        pool.shutdown(wait=False)


def crashed_because(error: Exception) -> str:
    """A row's problem when grading it failed in lanlab's own code or process: the error's kind and words."""
    return L_("crashed: {kind}: {error}", kind=type(error).__name__, error=short(printable(str(error))))


def _crashed(lab_path: Path, folder: Path, error: Exception) -> Graded:
    lab = lab_for(lab_path, folder.name)[0]
    why = crashed_because(error)
    return Graded(folder.name, unfinished(lab, [], why), 0.0, why)


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():  # the pool's workers: a run may last a minute
        child.kill()
