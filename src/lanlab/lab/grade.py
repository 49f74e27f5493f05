"""A class graded: one folder per student, each run in a worker process (every core by default),
each bounded in time, so a submission that crashes or hangs scores what it passed and says why."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lanlab.lab.checks import Result
from lanlab.lab.model import LabError, inside, load_lab
from lanlab.lab.runner import Submission, read_answers, run_lab, unfinished

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


def submission_of(lab_path: Path, folder: Path, student: str) -> tuple[Any, Submission]:
    """The student's variant of the lab and their folder's files (each resolved inside it)."""
    lab = load_lab(lab_path, student)
    topology = folder / "topology.yaml"
    topology = inside(folder, "topology.yaml", "topology") if topology.exists() else lab.topology
    answers_file = folder / "answers.yaml"
    answers = read_answers(inside(folder, "answers.yaml", "answers"), lab.values) if answers_file.exists() else {}
    return lab, Submission(topology, folder, answers)


def grade_one(lab_path: str, folder: str, time_limit: float = TIME_LIMIT_S) -> Graded:
    """One student, in this process: what they passed even when their run fails or hangs."""
    student = Path(folder).name
    start = time.perf_counter()
    results: list[Result] = []
    problem = None
    lab = None
    passed_in_time: list[int] = []  # how many checks were judged when the time ran out

    def alarm(signum: int, frame: Any) -> None:
        # Raised wherever Python is: in the engine, or in a student's program, which the shim then
        # ends as a crash while the run goes on; either way only checks judged before now count.
        passed_in_time.append(len(results))
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        lab, submission = submission_of(Path(lab_path), Path(folder), student)
        run_lab(lab, submission, results=results)
    except _TimeLimit:
        pass
    except LabError as error:
        problem = str(error).splitlines()[0]
    except Exception as error:  # noqa: BLE001 - a student's submission may fail in any way; grade what passed
        problem = f"crashed: {type(error).__name__}: {error}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if lab is None:
        lab = load_lab(lab_path, student)
    if passed_in_time:
        problem = f"stopped after {time_limit:g} s (a run that never ends?)"
        results = results[:passed_in_time[0]]
    if problem is not None:
        results = unfinished(lab, results, problem)
    return Graded(student, results, time.perf_counter() - start, problem)


def grade(lab_path: Path, submissions: Path, workers: int | None = None,
          time_limit: float = TIME_LIMIT_S) -> list[Graded]:
    """Every student folder under `submissions`, in name order, `workers` at a time (None: every core)."""
    folders = sorted(path for path in submissions.iterdir() if path.is_dir() and not path.name.startswith("."))
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        return [grade_one(str(lab_path), str(folder), time_limit) for folder in folders]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_one, str(lab_path), str(folder), time_limit) for folder in folders]
        graded = []
        for folder, future in zip(folders, futures):
            try:
                graded.append(future.result())
            except Exception as error:  # noqa: BLE001 - the worker itself died (os._exit, a signal)
                lab = load_lab(lab_path, folder.name)
                graded.append(Graded(folder.name, unfinished(lab, [], f"crashed: {error}"), 0.0, f"crashed: {error}"))
        return graded
