"""Grade 100 students of the hub-vs-switch lab (submissions generated in a temporary folder):
per-student time and the process pool's speed-up over one worker, measured in the same run."""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from lanlab.lab.grade import grade

LAB = Path(__file__).resolve().parents[1] / "labs" / "hub_vs_switch"
STUDENTS = 100


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
    print(f"per student: median {per_student[len(per_student) // 2] * 1000:.1f} ms, "
          f"max {per_student[-1] * 1000:.1f} ms")
    print(f"1 worker (baseline): {one:.2f} s; {cores} workers: {pool:.2f} s; speed-up {one / pool:.2f}x")
    sys.exit(0)


if __name__ == "__main__":
    main()
