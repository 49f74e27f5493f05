"""Grading: a submission that hangs or crashes keeps the points of the stages it finished."""

from __future__ import annotations

from pathlib import Path

import pytest

import lanlab.sim.shim  # noqa: F401 - imported before the clock starts: the limit is for the run, not for imports
from lanlab.lab.grade import grade_one
from simnets import PAIR_YAML

LAB = """lab: 1
name: t
topology: topology.yaml
stages:
  - run: {do: ["pc1 ping pc2 -c 1"], until: 1s}
    checks:
      - {id: ping, points: 3, trace: {where: {kind: deliver, device: pc1, proto: icmp}, measure: count, equals: 1}}
  - run: {app: ["pc1=prog.py"], until: 1s}
    checks:
      - {id: says-hi, points: 2, output: {node: pc1, exactly: [hi]}}
"""


def make(tmp_path: Path, program: str) -> tuple[Path, Path]:
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    student = tmp_path / "s1"
    student.mkdir()
    (student / "topology.yaml").write_text(PAIR_YAML)
    (student / "prog.py").write_text(program)
    return tmp_path / "lab.yaml", student


def test_a_hanging_submission_keeps_what_it_passed(tmp_path: Path) -> None:
    """A program that never waits (and catches every Exception) is stopped by the time limit; stage 1 counts."""
    lab, student = make(tmp_path, "while True:\n    try:\n        pass\n    except Exception:\n        pass\n")
    graded = grade_one(str(lab), str(student), time_limit=3.0)
    assert graded.total == 3
    assert graded.problem is not None and "stopped after 3 s" in graded.problem
    assert [r.passed for r in graded.results] == [True, False]


def test_a_good_program_scores_all(tmp_path: Path) -> None:
    """The same lab with a program printing hi scores every point, with no problem."""
    lab, student = make(tmp_path, "print('hi')\n")
    graded = grade_one(str(lab), str(student), time_limit=30.0)
    assert (graded.total, graded.problem) == (5, None)


def test_a_submission_printing_megabytes_keeps_its_points_and_shows_the_start(tmp_path: Path) -> None:
    """A program printing 1.2 MB: the ping stage's 3 points stand (every stage scored 0 when the worker's
    result line, carrying the whole output, was cut at 1 MiB), and what was found is the output's start."""
    lab, student = make(tmp_path, "for _ in range(20_000):\n    print('x' * 60)\n")
    graded = grade_one(str(lab), str(student), time_limit=60.0)
    assert (graded.total, graded.problem) == (3, None)
    found = str(graded.results[1].found)
    assert len(found) < 1_100 and found.endswith("(20000 lines, 1259997 characters in all)")


def test_a_program_that_is_not_python_fails_its_own_stage_only(tmp_path: Path) -> None:
    """A SyntaxError in the stage-2 program: stage 1's 3 points stand and stage 2 says why (the whole
    submission scored 0 as "crashed: SyntaxError")."""
    lab, student = make(tmp_path, "print('hi'\n")
    graded = grade_one(str(lab), str(student), time_limit=30.0)
    assert graded.total == 3
    assert [r.passed for r in graded.results] == [True, False]
    assert str(graded.results[1].found).startswith("pc1 prog.py is not valid Python: ")
    assert "(line 1)" in str(graded.results[1].found)


def test_a_program_ending_with_an_exit_status_is_named_in_the_problem(tmp_path: Path) -> None:
    """sys.exit(3) after printing hi: the points stand and the row says the status (it said nothing)."""
    lab, student = make(tmp_path, "import sys\nprint('hi')\nsys.exit(3)\n")
    graded = grade_one(str(lab), str(student), time_limit=30.0)
    assert (graded.total, graded.problem) == (5, "pc1 prog.py: exit status 3")


def test_a_program_on_a_node_the_topology_lacks_is_said_in_one_line(tmp_path: Path) -> None:
    """run.app on pc3, which the topology lacks (a renamed node, a typo): the row says so and stage 1's
    points stand (it said "crashed: NetworkError", as if the grader had crashed)."""
    lab, student = make(tmp_path, "print('hi')\n")
    lab.write_text(LAB.replace('app: ["pc1=prog.py"]', 'app: ["pc3=prog.py"]'))
    graded = grade_one(str(lab), str(student), time_limit=30.0)
    assert graded.total == 3 and graded.problem == (
        "stage stage 2: run.app runs a program on pc3, and the topology has no node pc3 (its nodes: pc1, pc2, sw1)"
    )


TEACHERS_CLIENT = """lab: 1
name: t
topology: topology.yaml
stages:
  - run: {app: ["pc2=prog.py"], lab_app: ["at 0.1s pc1=client.py"], until: 2s}
    checks:
      - {id: echoed, points: 2, output: {node: pc1, contains: "got HELLO"}}
"""
SERVER = """import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 7777))
data, peer = s.recvfrom(100)
s.sendto(data.upper(), peer)
"""
CLIENT = """import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(b"hello", ("198.18.0.2", 7777))
print("got", s.recv(100).decode())
"""


def test_the_labs_own_program_runs_from_the_lab_folder_whatever_the_student_hands_in(tmp_path: Path) -> None:
    """run.lab_app's client.py is the teacher's, beside the lab file: a student's folder needs no copy of it
    (grading said "no program client.py"), and a client.py of their own that fakes the output is not run."""
    lab, student = make(tmp_path, SERVER)
    lab.write_text(TEACHERS_CLIENT)
    (tmp_path / "client.py").write_text(CLIENT)
    assert (grade_one(str(lab), str(student), time_limit=30.0).total, "honest") == (2, "honest")
    (student / "client.py").write_text("print('got HELLO')\n")
    (student / "prog.py").write_text("pass\n")  # no server: only the faked client could print the line
    cheat = grade_one(str(lab), str(student), time_limit=30.0)
    assert cheat.total == 0 and "timed out" in cheat.problem


def test_a_labs_own_program_that_is_missing_is_the_lab_files_mistake(tmp_path: Path) -> None:
    """run.lab_app naming a file the lab's folder lacks (or outside it) is a FILE:LINE error on loading."""
    from lanlab.lab.model import LabError, load_lab

    lab, _ = make(tmp_path, SERVER)
    for name, said in (
        ("client.py", "run.lab_app: no program 'client.py' beside the lab file"),
        ("../x.py", "outside"),
    ):
        lab.write_text(TEACHERS_CLIENT.replace("pc1=client.py", f"pc1={name}"))
        with pytest.raises(LabError, match=said) as raised:
            load_lab(lab)
        assert str(raised.value).startswith(f"{lab}:5: ")
