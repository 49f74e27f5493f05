"""Grade 100 students of the hub-vs-switch lab (submissions generated in a temporary folder):
per-student time and the process pool's speed-up over one worker, measured in the same run.
Then 16 students of the udp_broadcast lab (programs): each walled in a process of its own
(bwrap, namespace, none) against grading them in this process, one after the other."""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from lanlab.lab.grade import grade, grade_one
from lanlab.lab.isolate import Walled, bwrap_refused

LAB = Path(__file__).resolve().parents[1] / "labs" / "hub_vs_switch"
UDP = LAB.parent / "udp_broadcast"
STUDENTS = 100
WALLED_STUDENTS = 16


def make_submissions(folder: Path) -> None:
    """Half the class hands in the solution, a quarter the hub, a quarter no answers."""
    rng = random.Random(7)
    for n in range(STUDENTS):
        student = folder / f"s{n:03d}"
        source = LAB / rng.choice(["solution", "solution", "wrong_hub"])
        shutil.copytree(source, student)
        if rng.random() < 0.25:
            (student / "answers.yaml").unlink()


def timed(folder: Path, workers: int) -> tuple[float, list]:
    start = time.perf_counter()
    graded = grade(LAB / "lab.yaml", folder, workers)
    return time.perf_counter() - start, graded


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_submissions(folder)
        one, graded = timed(folder, 1)
        cores = os.cpu_count() or 1
        pool, _ = timed(folder, cores)
    per_student = sorted(g.seconds for g in graded)
    print(f"{STUDENTS} students, {len(graded[0].results)} checks each")
    print(
        f"per student: median {per_student[len(per_student) // 2] * 1000:.1f} ms, max {per_student[-1] * 1000:.1f} ms"
    )
    print(f"1 worker (baseline): {one:.2f} s; {cores} workers: {pool:.2f} s; speed-up {one / pool:.2f}x")
    walled(cores)
    sys.exit(0)


def walled(cores: int) -> None:
    """The programs' lab: in this process one by one (baseline, no wall), then each wall on every core."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(WALLED_STUDENTS):
            shutil.copytree(UDP / ("solution" if n % 2 else "wrong_reply_broadcast"), folder / f"s{n:02d}")
        start = time.perf_counter()
        for student in sorted(folder.iterdir()):
            grade_one(str(UDP / "lab.yaml"), str(student))
        baseline = time.perf_counter() - start
        print(
            f"{WALLED_STUDENTS} students of udp_broadcast (programs), in this process one by one "
            f"(baseline): {baseline:.2f} s, {baseline / WALLED_STUDENTS * 1000:.0f} ms each"
        )
        for kind in ("bwrap", "namespace", "none"):
            if kind == "bwrap" and bwrap_refused() is not None:
                print(f"  bwrap: skipped ({bwrap_refused()})")
                continue
            start = time.perf_counter()
            graded = grade(UDP / "lab.yaml", folder, cores, walled=Walled(kind))
            took = time.perf_counter() - start
            assert len(graded) == WALLED_STUDENTS and all(g.problem is None for g in graded)
            print(
                f"  {kind:<9} {cores} at once: {took:.2f} s, {took / WALLED_STUDENTS * 1000:.0f} ms per student; "
                f"{baseline / took:.2f}x the baseline"
            )


if __name__ == "__main__":
    main()
