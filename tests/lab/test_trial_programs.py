"""Students' programs that print or raise what cannot be encoded: the grade and the reports still say it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lanlab.lab.grade import grade
from lanlab.lab.isolate import Walled
from simnets import PAIR_YAML

LAB = """lab: 1
name: t
topology: topology.yaml
stages:
  - run: {app: ["pc1=prog.py"], until: 1s}
    checks:
      - {id: says-hi, points: 2, output: {node: pc1, contains: hi}}
"""
# print() of a lone surrogate (a name os.fsdecode made of a byte that is not UTF-8), then an exception holding one
SURROGATES = """
print("hi \\udcff")
raise ValueError("bad \\udcfe")
"""


@pytest.fixture
def lab_dir(tmp_path: Path) -> Path:
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    folder = tmp_path / "subs" / "sam"
    folder.mkdir(parents=True)
    (folder / "prog.py").write_text(textwrap.dedent(SURROGATES))
    return tmp_path


def test_a_program_printing_a_lone_surrogate_keeps_its_row(lab_dir: Path) -> None:
    """The worker's result line held the surrogate and could not be printed: the row said the grader crashed
    (UnicodeEncodeError) and every check failed; now the check passes and the program's error is named."""
    (row,) = grade(lab_dir / "lab.yaml", lab_dir / "subs", 1, 20.0, Walled("none"))
    assert [r.passed for r in row.results] == [True]
    assert row.results[0].found.startswith("hi \\udcff | Traceback")
    assert row.problem == "pc1 prog.py: ValueError: bad \\udcfe"


def test_lab_check_json_with_a_lone_surrogate_is_utf8(lab_dir: Path) -> None:
    """lab check --json wrote the surrogate as the raw byte 0xff (stdout's surrogateescape): not UTF-8, no JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "lab", "check", str(lab_dir / "lab.yaml"), "--json", "--app", "pc1=prog.py"],
        cwd=lab_dir / "subs" / "sam",
        capture_output=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    report = json.loads(done.stdout.decode("utf-8"))
    assert report["checks"][0]["found"].startswith("hi \\udcff | Traceback")
    assert report["problems"] == ["pc1 prog.py: ValueError: bad \\udcfe"]


def test_a_program_raising_megabytes_keeps_its_row(tmp_path: Path) -> None:
    """raise ValueError("x" * 3_000_000) after printing hi: the problem held the whole message, the worker's
    result line passed the 1 MiB the grader keeps, and the row was "crashed: exit status 0, no result" with
    every point lost; now the error is cut (its length said) and the output check still passes."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    folder = tmp_path / "subs" / "sam"
    folder.mkdir(parents=True)
    (folder / "prog.py").write_text('print("hi")\nraise ValueError("x" * 3_000_000)\n')
    (row,) = grade(tmp_path / "lab.yaml", tmp_path / "subs", 1, 20.0, Walled("none"))
    assert row.total == 2
    assert str(row.problem).startswith("pc1 prog.py: ValueError: xxx")
    assert str(row.problem).endswith("x… (3,000,012 characters in all)") and len(str(row.problem)) < 1100
