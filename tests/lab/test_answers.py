"""What a student hands in, wrong or missing: a wrong-shaped answer, an answers file that cannot be
read, a folder without a topology, no folders at all. Each is said in words, in that student's row
or as one line; what they did hand in keeps its points, and nothing ends in a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lanlab.lab import Submission, load_lab, read_answers, run_lab
from lanlab.lab.grade import grade, grade_one

ARP_CACHE = Path(__file__).resolve().parents[2] / "labs" / "arp_cache"
SOLUTION = ARP_CACHE / "solution"
TOPOLOGY_CHECKS = {"cached": 1, "empty-before": 1, "ask-first": 1}  # id -> points, on the student's network


def lanlab(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lanlab", *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def folder(tmp_path: Path, name: str, answers: str | bytes | None, topology: bool = True) -> Path:
    """A student's folder under tmp_path/subs: the solution's topology (unless not), these answers."""
    student = tmp_path / "subs" / name
    student.mkdir(parents=True)
    if topology:
        shutil.copy(SOLUTION / "topology.yaml", student / "topology.yaml")
    if isinstance(answers, str):
        (student / "answers.yaml").write_text(answers)
    elif isinstance(answers, bytes):
        (student / "answers.yaml").write_bytes(answers)
    return student


def checked(tmp_path: Path, answers: str) -> dict[str, tuple[bool, str]]:
    (tmp_path / "answers.yaml").write_text(answers)
    lab = load_lab(ARP_CACHE / "lab.yaml")
    given = read_answers(tmp_path / "answers.yaml", lab.values)
    results = run_lab(lab, Submission(SOLUTION / "topology.yaml", SOLUTION, given))
    return {r.id: (r.passed, r.found) for r in results}


def test_a_list_for_a_number_fails_that_question_only(tmp_path: Path) -> None:
    """requests: [1, 2] (a count's answer as a list) fails requests saying the answer must be a number; the rest pass."""
    found = checked(tmp_path, "requests: [1, 2]\nheard-by: [pc2, pc3, pc4]\n")
    assert found["requests"] == (False, "answer must be a number, got a list (the run shows 1)")
    assert all(passed for check, (passed, _) in found.items() if check != "requests"), found


def test_a_list_inside_the_list_of_names_fails_that_question_only(tmp_path: Path) -> None:
    """heard-by: [[pc2], pc3] fails heard-by saying a list is inside the list; the rest pass."""
    found = checked(tmp_path, "requests: 1\nheard-by: [[pc2], pc3]\n")
    passed, why = found["heard-by"]
    assert not passed and why.startswith("answer must be a name or a list of names, got a list inside the list")
    assert all(passed for check, (passed, _) in found.items() if check != "heard-by"), found


def test_names_apart_by_a_chinese_input_methods_commas_are_the_same_answer(tmp_path: Path) -> None:
    """heard-by written p2，p3、p4 (full-width comma, enumeration comma), with ；or an ideographic space,
    passes as p2, p3, p4 does: the feedback showed the same names and still said wrong."""
    for names in ("pc2，pc3，pc4", "pc2、pc3、pc4", "pc2；pc3; pc4", "pc2\u3000pc3 , pc4"):
        found = checked(tmp_path, f'requests: 1\nheard-by: "{names}"\n')
        assert found["heard-by"] == (True, "answered pc2, pc3, pc4; the run shows pc2, pc3, pc4"), names


def test_a_mapping_or_numbers_as_answers_are_judged_not_crashed(tmp_path: Path) -> None:
    """requests: {n: 1} says a number was expected; heard-by: [1, 2] (numbers for names) is simply wrong."""
    found = checked(tmp_path, "requests: {n: 1}\nheard-by: [1, 2]\n")
    assert found["requests"] == (False, "answer must be a number, got a mapping (the run shows 1)")
    assert found["heard-by"] == (False, "answered 1, 2; the run shows pc2, pc3, pc4")


def test_lab_check_json_with_a_wrong_shaped_answer_is_json(tmp_path: Path) -> None:
    """lab check --json with heard-by: [[pc2], pc3] prints one JSON document (exit 1), heard-by failed with the reason."""
    (tmp_path / "answers.yaml").write_text("requests: 1\nheard-by: [[pc2], pc3]\n")
    result = lanlab(
        "lab", "check", ARP_CACHE / "lab.yaml", "--topology", SOLUTION / "topology.yaml",
        "--answers", tmp_path / "answers.yaml", "--json",
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    document = json.loads(result.stdout)
    failed = {check["id"]: check["found"] for check in document["checks"] if not check["passed"]}
    assert list(failed) == ["heard-by"] and "got a list inside the list" in failed["heard-by"]
    assert document["score"] == 5


def test_grade_keeps_the_other_points_of_a_wrong_shaped_answer(tmp_path: Path) -> None:
    """In lab grade, requests: [1, 2] costs only requests' 2 points: no crash, the topology checks count."""
    student = folder(tmp_path, "s1", "requests: [1, 2]\nheard-by: [pc2, pc3, pc4]\n")
    graded = grade_one(str(ARP_CACHE / "lab.yaml"), str(student))
    assert graded.problem is None and graded.total == 5
    assert [r.id for r in graded.results if not r.passed] == ["requests"]


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("nonexist.yaml", None, "cannot read the answers file: No such file or directory"),
        ("answers.yaml", b"\xff\xfe", "the answers file is not text: byte 0xff at offset 0 is not UTF-8"),
        ("deep.yaml", b"[" * 100_000, "the answers nest too deeply"),
    ],
    ids=["missing", "not-utf-8", "nested too deep"],
)
def test_lab_check_an_unreadable_answers_file_is_one_line_exit_2(
    tmp_path: Path, name: str, content: bytes | None, said: str
) -> None:
    """lab check --answers with a missing, non-UTF-8 or absurdly nested file: one line naming the answers file,
    exit 2, no traceback."""
    answers = tmp_path / name
    if content is not None:
        answers.write_bytes(content)
    result = lanlab("lab", "check", ARP_CACHE / "lab.yaml", "--answers", answers)
    assert result.returncode == 2 and result.stdout == "", result
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{answers}: {said}")


def test_grade_an_unreadable_answers_file_is_said_and_the_topology_checks_count(tmp_path: Path) -> None:
    """A non-UTF-8 answers.yaml: the row's problem says the answers file is not text (not a topology, not a
    crash), its questions fail saying so, and the topology checks keep their points."""
    student = folder(tmp_path, "s1", b"\xff\xfe")
    graded = grade_one(str(ARP_CACHE / "lab.yaml"), str(student))
    assert graded.problem is not None
    assert "answers.yaml: the answers file is not text" in graded.problem and "topology" not in graded.problem
    assert "crashed" not in graded.problem
    assert {r.id: r.score for r in graded.results if r.passed} == TOPOLOGY_CHECKS
    assert all("the answers file is not text" in r.found for r in graded.results if not r.passed)


def test_a_folder_without_a_topology_is_graded_on_the_labs_own(tmp_path: Path) -> None:
    """A folder with answers but no topology.yaml is graded on the lab's own topology (arp_cache says
    "do not change the topology"): the solution's answers alone score what they score with it, no problem said."""
    answers = (SOLUTION / "answers.yaml").read_text()
    alone = grade_one(str(ARP_CACHE / "lab.yaml"), str(folder(tmp_path, "s1", answers, topology=False)))
    both = grade_one(str(ARP_CACHE / "lab.yaml"), str(folder(tmp_path, "s2", answers)))
    assert (alone.problem, alone.total) == (None, both.total) and alone.total > 0


def test_an_empty_folder_is_said_and_scores_nothing(tmp_path: Path) -> None:
    """An empty student folder's row says nothing was handed in and scores 0: the lab's own topology,
    which a folder without one is graded on, earns nothing for a student who handed in nothing."""
    (tmp_path / "subs" / "s1").mkdir(parents=True)
    (graded,) = grade(ARP_CACHE / "lab.yaml", tmp_path / "subs", workers=1)
    assert graded.problem == "empty folder: nothing was handed in"
    assert graded.total == 0 and graded.results
    assert all(r.found == "empty folder: nothing was handed in" for r in graded.results)


def test_a_stage_on_the_labs_own_network_runs_without_a_topology(tmp_path: Path) -> None:
    """A lab whose stages all run the lab's own network (topology: lab) needs no topology.yaml: no problem, full marks."""
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        (ARP_CACHE / "lab.yaml").read_text().replace("  - name: pings\n", "  - name: pings\n    topology: lab\n")
    )
    shutil.copy(ARP_CACHE / "topology.yaml", tmp_path / "topology.yaml")
    student = folder(tmp_path, "s1", (SOLUTION / "answers.yaml").read_text(), topology=False)
    graded = grade_one(str(lab), str(student))
    assert (graded.problem, graded.total) == (None, 7)


def test_lab_grade_with_no_submissions_says_so(tmp_path: Path) -> None:
    """lab grade on an empty SUBMISSIONS folder says there are no submissions in it (exit 2), not a bare CSV header."""
    (tmp_path / "subs").mkdir()
    result = lanlab("lab", "grade", ARP_CACHE / "lab.yaml", tmp_path / "subs")
    assert result.returncode == 2 and result.stdout == "", result
    assert result.stderr.startswith(f"lanlab: no submissions in {tmp_path / 'subs'}:")


def test_answers_nested_past_the_depth_are_refused_before_pyyamls_recursive_loader(tmp_path: Path, monkeypatch) -> None:
    """An answers file 5,000 [ deep was loaded (and its RecursionError caught); now it is refused unread."""
    from hostile_yaml import forbid_recursive_composer

    from lanlab.lab import LabError

    forbid_recursive_composer(monkeypatch)
    answers = tmp_path / "deep.yaml"
    answers.write_text("q: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(LabError, match="nest too deeply"):
        read_answers(answers, {})


@pytest.mark.parametrize("null", ["~", "null", "NULL"])
def test_yamls_null_is_a_question_left_unanswered(tmp_path: Path, null: str) -> None:
    """requests: ~ (YAML's null) is no answer, as requests: with nothing is (the loader that reads answers as
    written had made it the answer '~')."""
    assert checked(tmp_path, f"requests: {null}\nheard-by: [pc2, pc3, pc4]\n")["requests"] == (
        False,
        "no answer (the run shows 1)",
    )
