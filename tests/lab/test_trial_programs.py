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
from simnets import PAIR_YAML, PROGRAM_LAB as LAB

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


# Finds the real module a program's imports are kept from (as tests/lab/test_isolate.py's REAL).
REAL = """
import gc, types
def real(name):
    return [m for m in gc.get_objects() if isinstance(m, types.ModuleType) and m.__name__ == name
            and getattr(m, "__builtins__", None) is not __builtins__][0]
"""


def test_a_process_killed_by_a_real_time_signal_is_a_row(tmp_path: Path) -> None:
    """A program that digs out the real os and sends its grader signal 40 (a real-time one, which
    signal.Signals does not name): lab grade ended in a ValueError traceback, every row lost."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    for name, program in (("ok", 'print("hi")\n'), ("rt", REAL + "real('posix').kill(real('posix').getpid(), 40)\n")):
        (tmp_path / "subs" / name).mkdir(parents=True)
        (tmp_path / "subs" / name / "prog.py").write_text(program)
    rows = {g.student: g for g in grade(tmp_path / "lab.yaml", tmp_path / "subs", 2, 20.0, Walled("none"))}
    assert (rows["ok"].total, rows["ok"].problem) == (2, None)
    assert (rows["rt"].total, rows["rt"].problem) == (0, "killed by SIGRTMIN+6")


def test_behind_bwrap_an_exit_status_past_128_is_the_signal() -> None:
    """bwrap reports its child's death by signal N as 128+N: the row said "crashed: exit status 152, no
    result" for a process the CPU-time limit killed; now it names the signal, as without bwrap."""
    from lanlab.lab.isolate import _why_it_died

    assert _why_it_died(152, False, False, 5.0, "", "bwrap") == _why_it_died(-24, False, False, 5.0, "")
    assert _why_it_died(152, False, False, 5.0, "", "bwrap").startswith("killed at its CPU-time limit")
    assert _why_it_died(168, False, False, 5.0, "", "bwrap") == "killed by SIGRTMIN+6"
    assert _why_it_died(3, False, False, 5.0, "x\nboom\n", "bwrap") == "crashed: boom"


def test_a_forged_result_line_of_the_wrong_types_is_no_result(tmp_path: Path) -> None:
    """A program writing a result line with points as text to the real stdout, then ending its process:
    the grader took it, and summing the row raised TypeError, a traceback that lost every student's row.
    Now a line whose fields are not of their types is no result: that row says how the process ended."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    forged = (
        'b\'lanlab-graded {"results": [{"id": "says-hi", "stage": "s", "points": "2", "passed": true, '
        '"found": "", "hint": null}], "problem": null}\\n\''
    )
    program = f"{REAL}real('posix').write(1, {forged})\nreal('posix')._exit(0)\n"
    for name, text in (("ok", 'print("hi")\n'), ("forger", program)):
        (tmp_path / "subs" / name).mkdir(parents=True)
        (tmp_path / "subs" / name / "prog.py").write_text(text)
    rows = {g.student: g for g in grade(tmp_path / "lab.yaml", tmp_path / "subs", 2, 20.0, Walled("none"))}
    assert rows["ok"].total == 2
    assert (rows["forger"].total, rows["forger"].problem) == (0, "crashed: exit status 0, no result")


def test_a_folder_of_many_python_files_without_the_program_is_said_short(tmp_path: Path) -> None:
    """A folder without prog.py but with 60,000 other .py files named every one in the problem: the worker's
    result line passed the 1 MiB the grader keeps and the row lost its checks; now 20 names and the count."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    folder = tmp_path / "subs" / "many"
    folder.mkdir(parents=True)
    for n in range(60_000):
        (folder / f"program_number_{n:05}.py").touch()
    (row,) = grade(tmp_path / "lab.yaml", tmp_path / "subs", 1, 60.0, Walled("none"))
    assert str(row.problem).startswith(
        "no program prog.py for pc1 in the folder handed in (Python files in it: program_number_00000.py, "
    )
    assert str(row.problem).endswith("program_number_00019.py, … (60,000 in all))")
    assert [r.found for r in row.results] == [str(row.problem)]


def test_the_result_line_stays_within_what_the_grader_keeps() -> None:
    """Whatever texts a row holds (a found or a problem no check bounds), the worker's line fits in the
    last KEEP_BYTES the grader keeps, each long text cut; a row of ordinary size is written whole."""
    from lanlab.lab.checks import Result
    from lanlab.lab.grade import Graded
    from lanlab.lab.isolate import KEEP_BYTES, MARK
    from lanlab.lab.worker import result_line

    small = Graded("s", [Result("a", "s", 1, True, "你好 \udcff", "")], 1.0, "pc1 p.py: exit status 3")
    assert json.loads(result_line(small)[len(MARK) :]) == {
        "results": [
            {"id": "a", "stage": "s", "points": 1, "passed": True, "score": 1, "found": "你好 \udcff", "hint": None}
        ],
        "problem": "pc1 p.py: exit status 3",
    }
    big = Graded(
        "s", [Result(f"c{n}", "s", 1, False, "界" * 200_000, "h" * 50_000) for n in range(3)], 1.0, "p" * 10**6
    )
    line = result_line(big)
    assert len(line.encode()) < KEEP_BYTES
    record = json.loads(line[len(MARK) :])
    assert [r["found"] for r in record["results"]] == ["界" * 2_000 + "…"] * 3
    assert record["problem"] == "p" * 2_000 + "…"


def test_a_short_problem_stays_translatable_in_a_long_result_line() -> None:
    """A row whose founds fill the line but whose problem is short keeps the problem as an L_ record, so a
    Chinese report shows it in Chinese (it became its English text once the line was long)."""
    from lanlab.i18n import L_, from_record
    from lanlab.lab.checks import Result
    from lanlab.lab.grade import Graded
    from lanlab.lab.isolate import MARK
    from lanlab.lab.worker import result_line

    problem = L_("empty folder: nothing was handed in")
    big = Graded("s", [Result(f"c{n}", "s", 1, False, "x" * 300_000, "") for n in range(3)], 1.0, problem)
    record = json.loads(result_line(big)[len(MARK) :])
    assert isinstance(record["problem"], dict) and str(from_record(record["problem"])) == str(problem)
