"""The walled process `lab grade` starts for one submission with programs (lab.isolate): it sets
its limits before anything of the student's is loaded, enters the network-namespace wall when
asked, grades the folder in-process and prints the result as one marked JSON line."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from collections.abc import Callable
from typing import Any

from lanlab.i18n import as_record
from lanlab.lab.isolate import MARK


def _limit(kind: int, value: int) -> None:
    """setrlimit, never above the hard limit we were given; past the CPU one SIGXCPU, then SIGKILL."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard if kind != resource.RLIMIT_CPU else value + 1))


def main(argv: list[str] | None = None, out: Callable[[str], Any] = print) -> int:
    """The walled process: limits, the wall, the grading, one marked line. Not a user's command."""
    parser = argparse.ArgumentParser(
        prog="python -m lanlab.lab.worker", description="Grade one submission folder (lab grade runs this)."
    )
    parser.add_argument("lab")
    parser.add_argument("folder")
    parser.add_argument("--time-limit", type=float, required=True)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--mem", type=int, default=None)
    parser.add_argument("--wall", action="store_true")  # enter a new network namespace first
    options = parser.parse_args(argv)
    if options.cpu is not None:
        _limit(resource.RLIMIT_CPU, options.cpu)
    if options.mem is not None:
        _limit(resource.RLIMIT_AS, options.mem)
    if options.wall:
        from lanlab.cli.sim_wall import enter_network_namespace

        refused = enter_network_namespace()
        if refused is not None:
            print(f"no network-namespace wall: {refused}", file=sys.stderr)
            return 2
    from lanlab.lab.grade import grade_one  # after the limits: the student's files load from here on

    me = os.getpid()
    graded = grade_one(options.lab, options.folder, options.time_limit)
    if os.getpid() != me:  # a program forked the grader: the copy must not report a grade
        os._exit(0)
    line = MARK + json.dumps(
        {"results": [r.as_dict() for r in graded.results], "problem": as_record(graded.problem)}, ensure_ascii=False
    )
    out(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
