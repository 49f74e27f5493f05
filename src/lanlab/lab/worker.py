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
from lanlab.lab.isolate import KEEP_BYTES, MARK
from lanlab.orphans import die_with


def _limit(kind: int, value: int) -> None:
    """setrlimit, never above the hard limit we were given, and the hard limit lowered too, so that a
    program reaching the real resource module cannot lift it; past the CPU one SIGXCPU, then SIGKILL."""
    _, hard = resource.getrlimit(kind)
    new_hard = value + 1 if kind == resource.RLIMIT_CPU else value
    if hard != resource.RLIM_INFINITY:
        value, new_hard = min(value, hard), min(new_hard, hard)
    resource.setrlimit(kind, (value, new_hard))


MOST_LINE = KEEP_BYTES // 2  # the grader keeps the last KEEP_BYTES of what the process prints
TEXT_KEPT = 2_000  # characters of each text a line past MOST_LINE keeps


def result_line(graded: Any) -> str:
    """The marked JSON line the grader reads the row from: ASCII (\\u escapes: any text the run made, a lone
    surrogate too, is written, never refused), and short enough for the grader to keep whole: past
    MOST_LINE each text is cut (what no check bounds, a row would lose every point with it)."""
    record = {"results": [r.as_dict() for r in graded.results], "problem": as_record(graded.problem)}
    text = json.dumps(record, ensure_ascii=True)
    if len(text) > MOST_LINE:
        for result in record["results"]:
            for key in ("found", "hint"):
                if isinstance(result[key], str) and len(result[key]) > TEXT_KEPT:
                    result[key] = result[key][:TEXT_KEPT] + "…"
        problem = graded.problem if graded.problem is None else str(graded.problem)
        if problem is not None and len(problem) > TEXT_KEPT:  # a short one stays a record, translated in the row
            record["problem"] = problem[:TEXT_KEPT] + "…"
        text = json.dumps(record, ensure_ascii=True)
    return MARK + text


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
    parser.add_argument("--files", type=int, default=None)  # the largest file a program may write
    parser.add_argument("--wall", action="store_true")  # enter a new network namespace first
    parser.add_argument("--grader", type=int, default=os.getppid())  # the grader's pid (lab.isolate gives it)
    options = parser.parse_args(argv)
    if options.cpu is not None:
        _limit(resource.RLIMIT_CPU, options.cpu)
    if options.mem is not None:
        _limit(resource.RLIMIT_AS, options.mem)
    if options.files is not None:  # past it a write fails with EFBIG (Python ignores SIGXFSZ)
        _limit(resource.RLIMIT_FSIZE, options.files)
    if options.wall:
        from lanlab.cli.sim_wall import enter_network_namespace

        refused = enter_network_namespace()
        if refused is not None:
            print(f"no network-namespace wall: {refused}", file=sys.stderr)
            return 2
    if not os.environ.get("LANLAB_SANDBOXED"):  # behind bwrap, --die-with-parent (and our parent is its pid 1)
        die_with(options.grader)  # after the wall: a new user namespace may change credentials, which clears it
    from lanlab.lab.grade import Graded, grade_one  # after the limits: the student's files load from here on

    me = os.getpid()
    line = result_line

    def overrun(graded: Graded) -> None:
        # The run did not stop when told (a program catching every exception): its row now, the process ended.
        sys.stdout.flush()
        data = ("\n" + line(graded) + "\n").encode()
        while data:  # a pipe may take it in parts
            data = data[os.write(1, data) :]
        os._exit(0)

    graded = grade_one(options.lab, options.folder, options.time_limit, overrun)
    if os.getpid() != me:  # a program forked the grader: the copy must not report a grade
        os._exit(0)
    out(line(graded))
    return 0


if __name__ == "__main__":
    sys.exit(main())
