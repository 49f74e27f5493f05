"""Run one benchmark of two commits alternately in one invocation, and print new/old.

    python scripts/bench_ab.py OLD NEW [--runs 5] [-- bench/sim_lan.py --hosts 64 --no-ns3 --big 0]

Each commit is checked out in a temporary `git worktree` and run with its own bench file and its
own src/ (PYTHONPATH), old and new in turn so a busy machine slows both alike. The figure is
echo round trips per CPU second (bench/sim_lan.py's fair one on a shared machine); the ratio of
medians is printed last.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"\(([0-9.]+) s CPU\), [0-9,]+ frames, ([0-9,]+) round trips")


def rate(checkout: Path, command: list[str]) -> float:
    """Round trips per CPU second of one run of `command` in `checkout`."""
    done = subprocess.run(
        [sys.executable, *command],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(checkout / "src")},
    )
    match = LINE.search(done.stdout)
    if match is None:
        raise SystemExit(f"no figure in the output of {command}:\n{done.stdout}")
    return int(match.group(2).replace(",", "")) / float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("command", nargs="*", default=["bench/sim_lan.py", "--hosts", "64", "--no-ns3", "--big", "0"])
    options = parser.parse_args()
    rates: dict[str, list[float]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory() as scratch:
        checkouts = {}
        for which in ("old", "new"):
            checkouts[which] = Path(scratch) / which
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(ROOT),
                    "worktree",
                    "add",
                    "--detach",
                    "-q",
                    str(checkouts[which]),
                    getattr(options, which),
                ],
                check=True,
            )
        try:
            for run in range(options.runs):
                for which in ("old", "new"):
                    rates[which].append(rate(checkouts[which], options.command))
                print(
                    f"run {run + 1}: old {rates['old'][-1]:,.0f}  new {rates['new'][-1]:,.0f} round trips/CPU s",
                    flush=True,
                )
        finally:
            for checkout in checkouts.values():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(checkout)], check=False)
    old, new = statistics.median(rates["old"]), statistics.median(rates["new"])
    print(f"median: old {old:,.0f}  new {new:,.0f}  new/old = {new / old:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
