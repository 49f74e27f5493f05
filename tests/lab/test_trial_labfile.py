"""A teacher's own lab file with unusual values: each is read as written, or refused at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.lab import LabError, Submission, load_lab, run_lab
from lanlab.lab.grade import grade_one as _grade_one  # the real one, before a test replaces it
from simnets import LOOP_YAML, PAIR_YAML

ORDER = "where: {kind: tx, device: pc1}, measure: order, then: {kind: tx, device: pc2}"


def write_lab(tmp_path: Path, checks: str, until: str = "1s") -> Path:
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        f'lab: 1\nname: t\ntopology: topology.yaml\nstages:\n  - run: {{do: ["pc1 ping pc2 -c 1"], '
        f"until: {until}}}\n    checks:\n{checks}"
    )
    return lab


def problems_of(lab: Path) -> list[str]:
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    return caught.value.problems


def test_until_zero_is_a_run_of_nothing(tmp_path: Path) -> None:
    """until: 0s ran the stage for the default 10 s (0 was taken for "not given"); sim run --until 0s runs nothing."""
    lab = load_lab(
        write_lab(tmp_path, "      - {id: a, trace: {where: {kind: tx}, measure: count, equals: 0}}\n", "0s")
    )
    assert lab.stages[0].until == 0
    (result,) = run_lab(lab, Submission(tmp_path / "topology.yaml", tmp_path))
    assert (result.passed, result.found) == (True, "0")


def test_an_order_is_compared_as_yes_or_no(tmp_path: Path) -> None:
    """An order's equals: on (YAML's yes) failed a run in that order; equals: maybe and at_least: 2 were
    taken, and failed every run; now on is true and the others are the lab file's mistakes."""
    lab = write_lab(tmp_path, f"      - {{id: a, trace: {{{ORDER}, equals: on}}}}\n")
    (result,) = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path))
    assert (result.passed, result.found) == (True, "in that order")
    lab = write_lab(
        tmp_path,
        f"      - {{id: a, trace: {{{ORDER}, equals: maybe}}}}\n      - {{id: b, trace: {{{ORDER}, at_least: 2}}}}\n",
    )
    problems = problems_of(lab)
    assert len(problems) == 2
    assert problems[0].startswith(f"{lab}:7: check a trace: equals: 'maybe' is not true or false")
    assert problems[1].startswith(f"{lab}:8: check b trace: at_least: an order is true or false")


@pytest.mark.parametrize("answer", ["maybe", "I don't know", "2"])
def test_an_order_question_answered_neither_yes_nor_no_fails(tmp_path: Path, answer: str) -> None:
    """An answer that is not yes or no counted as "no" and scored when the run showed no order (pc2 sends
    nothing before pc1 here); now it fails, saying what the answer must be."""
    lab = write_lab(
        tmp_path,
        "      - {id: q, question: {ask: pc2 first?, where: {kind: tx, device: pc2}, measure: order, "
        "then: {kind: tx, device: pc1}}}\n",
    )
    (result,) = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path, {"q": answer}))
    assert not result.passed
    assert result.found.startswith(f"answer must be yes or no, got {answer!r}")
    (result,) = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path, {"q": "no"}))
    assert result.passed


@pytest.mark.parametrize(
    ("answer", "passed"), [("是", False), ("对", False), ("否", True), ("不是", True), ("错", True)]
)
def test_an_order_question_may_be_answered_yes_or_no_in_chinese(tmp_path: Path, answer: str, passed: bool) -> None:
    """The note's language: 是/对 is a yes and 否/不是/错 a no (they were refused as 'answer must be yes or
    no'); pc2 sends nothing before pc1 here, so "no" is right."""
    lab = write_lab(
        tmp_path,
        "      - {id: q, question: {ask: pc2 first?, where: {kind: tx, device: pc2}, measure: order, "
        "then: {kind: tx, device: pc1}}}\n",
    )
    (result,) = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path, {"q": answer}))
    assert result.passed is passed, result.found


@pytest.mark.parametrize(
    ("check_id", "problem"),
    [
        ('""', "id '': give the check a name on one line"),
        ('"a\\nb"', "id 'a\\nb': give the check a name on one line"),
        ('"a\\u202eb"', "id 'a\\u202eb': give the check a name on one line"),
        ("Total", "id 'Total' is the name of a column lab grade gives every row (student, total, problem)"),
        ("problem", "id 'problem' is the name of a column lab grade gives every row"),
    ],
)
def test_a_check_id_that_cannot_be_a_column_is_refused(tmp_path: Path, check_id: str, problem: str) -> None:
    """An empty id, one over two lines or with a bidi control, or one of lab grade's own columns made a
    nameless, broken or ambiguous column in the grades; each is the lab file's mistake at its line."""
    lab = write_lab(
        tmp_path, f"      - {{id: {check_id}, trace: {{where: {{kind: tx}}, measure: count, equals: 1}}}}\n"
    )
    (found,) = problems_of(lab)
    assert found.startswith(f"{lab}:7: ") and problem in found


def test_a_state_field_given_a_list_is_refused(tmp_path: Path) -> None:
    """has: {ip: [a, b]} compared the row's address with the list's text, so it never passed; now refused."""
    lab = write_lab(tmp_path, "      - {id: a, state: {node: pc1, table: arp, has: {ip: [pc2, pc1]}}}\n")
    (found,) = problems_of(lab)
    assert found.startswith(f"{lab}:7: check a state: has: ip is one value")


VARIANT_LAB = """lab: 1
name: combo
topology: topology.yaml
vars:
{pools}
stages:
  - run: {{do: ["pc1 ping pc2 -c 1"], until: 1s}}
    checks:
      - {{id: a, points: 2, trace: {{where: {{kind: tx}}, measure: count, at_most: "{{{{p}}}}{{{{q}}}}"}}}}
"""


def test_a_value_only_some_students_draw_is_the_lab_files_mistake(tmp_path: Path) -> None:
    """A pool value that makes the lab file wrong was found only for the students who drew it (lab grade
    then ended in a traceback); variant_problems says it, with the value, before anything runs."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    lab.write_text(VARIANT_LAB.format(pools='  p: ["1", "x", "2", "x"]\n  q: ["1"]'))
    from lanlab.lab.model import variant_problems

    assert load_lab(lab).values == {"p": "1", "q": "1"}  # the reference variant is right
    assert variant_problems(load_lab(lab)) == [
        f"{lab}:10: check a trace: at_most: 'x1' is not a whole number (with p: 'x')"  # once, though given twice
    ]
    lab.write_text(VARIANT_LAB.format(pools='  p: ["1", "2"]\n  q: ["1", "3"]'))
    assert variant_problems(load_lab(lab)) == []


def test_a_student_whose_values_make_the_lab_wrong_gets_a_row(tmp_path: Path) -> None:
    """Values right alone but wrong together (p - and q _2 make at_least '-_2'; '-1' and '1_2' are numbers)
    ended lab grade in a traceback, every row lost; now that student's row says why, the others are graded."""
    from lanlab.lab.grade import grade
    from lanlab.lab.isolate import Walled
    from lanlab.lab.variants import draw

    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    lab.write_text(VARIANT_LAB.format(pools='  p: ["1", "-"]\n  q: ["1", "_2"]'))
    pools = {"p": ["1", "-"], "q": ["1", "_2"]}
    ids = [f"s{n}" for n in range(200)]
    wrong = next(i for i in ids if draw(pools, "combo", i) == {"p": "-", "q": "_2"})
    right = next(i for i in ids if draw(pools, "combo", i) == {"p": "1", "q": "1"})
    for name in (wrong, right):
        (tmp_path / "subs" / name).mkdir(parents=True)
        (tmp_path / "subs" / name / "topology.yaml").write_text(PAIR_YAML)
    for workers in (1, 2):
        rows = {g.student: g for g in grade(lab, tmp_path / "subs", workers, 20.0, Walled("none"))}
        assert rows[right].total == 2 and rows[right].problem is None
        assert rows[wrong].total == 0
        assert str(rows[wrong].problem) == f"{lab}:10: check a trace: at_most: '-_2' is not a whole number"
        assert [r.id for r in rows[wrong].results] == ["a"]


def test_answers_are_read_as_written(tmp_path: Path) -> None:
    """YAML 1.1 made a question id 01 the key 1 (the answer never found), an answer 010 the number 8 and
    yes True; every key and value is now the text the student wrote."""
    from lanlab.lab import read_answers

    answers = tmp_path / "answers.yaml"
    answers.write_text("01: 010\nyes: no\non: [p1, 0x2]\nempty:\n")
    assert read_answers(answers, {}) == {"01": "010", "yes": "no", "on": ["p1", "0x2"], "empty": ""}


def test_a_question_numbered_01_is_answered(tmp_path: Path) -> None:
    """A question with id 01 answered `01: 1` in answers.yaml: the answer was filed under 1, so no answer."""
    from lanlab.lab import read_answers

    lab = write_lab(
        tmp_path, '      - {id: "01", question: {ask: how many?, where: {kind: tx, device: pc1, proto: arp}}}\n'
    )
    (tmp_path / "answers.yaml").write_text("01: 1\n")
    given = read_answers(tmp_path / "answers.yaml", {})
    (result,) = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path, given))
    assert (result.passed, result.found) == (True, "answered 1; the run shows 1")


def test_a_run_a_storm_stopped_is_said_in_the_row(tmp_path: Path) -> None:
    """A student's loop of switches stopped the run after its storm, and the row said nothing of it (every
    check just failed); the problem now says where the run stopped and why, as sim run does."""
    from lanlab.lab.grade import grade

    lab = write_lab(tmp_path, "      - {id: a, trace: {where: {kind: deliver, device: pc1, proto: icmp}, equals: 1}}\n")
    (tmp_path / "subs" / "looper").mkdir(parents=True)
    (tmp_path / "subs" / "looper" / "topology.yaml").write_text(LOOP_YAML)
    (row,) = grade(lab, tmp_path / "subs", 1)
    assert row.total == 0
    assert str(row.problem).startswith("stage stage 1: the run stopped at 0.")
    assert "events after a broadcast storm: frame 1 (Who has 198.18.0.2? Tell 198.18.0.1)" in str(row.problem)
    assert str(row.problem).endswith("(a loop: turn on the spanning tree, stp: {enabled: true}, or take a cable out)")


def test_an_answer_under_a_misspelt_id_is_pointed_at(tmp_path: Path) -> None:
    """An answer under `Requests:` or `reqests:` (no question's id) left `requests` with a bare "no answer";
    the result now names the key it was likely meant as. An unrelated key or another question's id is not."""
    lab = load_lab(
        write_lab(
            tmp_path,
            "      - {id: requests, question: {ask: how many?, where: {kind: tx, device: pc1, proto: arp}}}\n"
            "      - {id: replies, question: {ask: and?, where: {kind: tx, device: pc2, proto: arp}}}\n",
        )
    )

    def found(answers: dict) -> str:
        return run_lab(lab, Submission(tmp_path / "topology.yaml", tmp_path, answers))[0].found

    said = "answers.yaml answers {key}:, which no question is: was it meant as requests:?"
    assert found({"reqests": "1"}) == "no answer (the run shows 1); " + said.format(key="'reqests'")
    assert found({"Requests": "1"}) == "no answer (the run shows 1); " + said.format(key="'Requests'")
    assert found({"colour": "1", "replies": "1"}) == "no answer (the run shows 1)"


def test_a_command_or_program_starting_after_the_run_ends_is_refused(tmp_path: Path) -> None:
    """`at 20s` in a stage that runs until 2s never started (sim run says "not started"; the lab said
    nothing, and every check on it failed for every student): now the lab file's mistake at its line."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "mine.py").write_text("print('hi')\n")
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "lab: 1\nname: t\ntopology: topology.yaml\nstages:\n  - run:\n"
        '      do: ["at 20s pc1 ping pc2", "at 2s pc1 ping pc2 -c 1"]\n'
        '      app: ["at 3s pc1=a.py", "at 1s pc2=b.py"]\n'
        '      lab_app: ["at 2.5s pc1=mine.py"]\n'
        "      until: 2s\n"
        "    checks:\n      - {id: a, trace: {where: {kind: tx}, measure: count, at_least: 1}}\n"
    )
    assert problems_of(lab) == [
        f"{lab}:6: stage 1 run: run.do: 'at 20s pc1 ping pc2' starts at 20s, after the stage's run ends "
        "(until: 2s); start it earlier, or make until: later",
        f"{lab}:7: stage 1 run: run.app: 'at 3s pc1=a.py' starts at 3s, after the stage's run ends "
        "(until: 2s); start it earlier, or make until: later",
        f"{lab}:8: stage 1 run: run.lab_app: 'at 2.5s pc1=mine.py' starts at 2.5s, after the stage's run ends "
        "(until: 2s); start it earlier, or make until: later",
    ]


def test_a_selection_after_the_run_ends_is_refused(tmp_path: Path) -> None:
    """docs/labs.md's "no route change after 30 s" in a stage run until 1s selected nothing whatever the
    student did, so `equals: 0` always passed; an after: past until: is now the lab file's mistake."""
    lab = write_lab(
        tmp_path,
        "      - {id: a, trace: {where: {kind: route, after: 30s}, measure: count, equals: 0}}\n"
        "      - {id: b, question: {ask: x?, where: {kind: tx, frame: {kind: tx, after: 2s}}}}\n"
        "      - {id: c, trace: {where: {kind: tx, after: 1s}, measure: count, equals: 0}}\n",
    )
    problem = "is after the stage's run ends (until: 1s), so nothing is selected whatever the run does"
    found = problems_of(lab)
    assert len(found) == 2
    assert found[0].startswith(f"{lab}:7: check a trace where: after: 30s {problem}")
    assert found[1].startswith(f"{lab}:8: check b question where frame: after: 2s {problem}")


@pytest.mark.parametrize(
    ("answer", "start", "end"),
    [
        (["pc1"] * 300_000, "answered pc1, pc1", "... (300,000 in all); the run shows pc1"),
        ("x" * 900_000, "answer must be a number, got 'xxx", "xxx'… (the run shows 1)"),
    ],
)
def test_an_answer_of_a_megabyte_is_shown_cut(tmp_path: Path, answer: object, start: str, end: str) -> None:
    """A megabyte of answer was shown whole in the result (lab grade's result line then passed the 1 MiB it
    keeps and the row lost every point); now its start and its size."""
    measure = "devices" if isinstance(answer, list) else "count"
    lab = write_lab(
        tmp_path,
        f"      - {{id: q, question: {{ask: which?, where: {{kind: tx, device: pc1, proto: arp}}, measure: {measure}}}}}\n",
    )
    (result,) = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path, {"q": answer}))
    assert result.found.startswith(start) and result.found.endswith(end) and len(result.found) < 1_100


def test_a_check_id_with_a_placeholder_is_refused(tmp_path: Path) -> None:
    """id: "pings-{{n}}" named the grades' column after the reference variant: a student drawing n 2 had
    their points in a column the CSV does not have (cell 0, total 3); now the lab file's mistake."""
    from lanlab.lab.model import variant_problems

    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    text = VARIANT_LAB.format(pools='  p: ["1", "2"]\n  q: ["1"]')
    lab.write_text(text.replace("{id: a,", '{id: "a-{{p}}",'))
    assert load_lab(lab).checks[0].id == "a-1"
    assert variant_problems(load_lab(lab)) == [
        f"{lab}:10: check a-1: its id changes with p (another value makes it something else); an id names the "
        "check's column in lab grade, the same for every student: give it without a placeholder"
    ]


def test_a_pool_of_thousands_is_checked_in_few_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool of 3,000 values took 72 s before every command (each value a read of the whole file); past
    200 values one of each shape is read, which still finds the odd one out."""
    from lanlab.lab import model

    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    values = ", ".join(f'"{n}"' for n in range(1, 3001))
    lab.write_text(VARIANT_LAB.format(pools=f'  p: [{values}, "x"]\n  q: ["1"]'))
    loaded = load_lab(lab)
    reads = []
    real = model.load_lab
    monkeypatch.setattr(model, "load_lab", lambda *args: reads.append(args) or real(*args))
    assert model.variant_problems(loaded) == [
        f"{lab}:10: check a trace: at_most: 'x1' is not a whole number (with p: 'x')"
    ]
    assert 1 <= len(reads) <= model.MOST_VARIANTS_READ


def _dies_for_mallory(lab_path: str, folder: str, time_limit: float = 60.0) -> object:
    """grade_one, but the process dies grading mallory (as SIGKILL leaves it: no row from it)."""
    import os

    if folder.endswith("mallory"):
        os._exit(9)
    return _grade_one(lab_path, folder, time_limit)


def test_a_worker_killed_in_the_pool_costs_only_its_own_student(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pool worker killed (the OOM killer on a student's topology of 100,000 hosts) broke the pool, and
    every student not yet done had the row "crashed: A process in the process pool was terminated abruptly";
    now they are graded again, each alone, and only the student whose grading kills its process has it."""
    from lanlab.lab import grade as grading

    lab = write_lab(tmp_path, "      - {id: a, trace: {where: {kind: tx}, measure: count, at_least: 1}}\n")
    for name in ("alice", "bob", "carol", "dave", "mallory", "zoe"):
        (tmp_path / "subs" / name).mkdir(parents=True)
        (tmp_path / "subs" / name / "topology.yaml").write_text(PAIR_YAML)
    monkeypatch.setattr(grading, "grade_one", _dies_for_mallory)  # the pool's processes are forked from here
    rows = {g.student: g for g in grading.grade(lab, tmp_path / "subs", 2, 20.0)}
    assert {name: row.total for name, row in rows.items()} == {
        "alice": 1,
        "bob": 1,
        "carol": 1,
        "dave": 1,
        "mallory": 0,
        "zoe": 1,
    }
    assert str(rows["mallory"].problem).startswith(
        "crashed: BrokenProcessPool: A process in the process pool was terminated"
    )


def test_a_value_that_breaks_the_labs_own_network_is_said(tmp_path: Path) -> None:
    """ip: "198.18.0.{{last}}/24" with last 300 (or 2, pc2's): lab new wrote that student a topology the
    simulator refuses, without a word, and only their grade said so; now each command says it first."""
    from lanlab.lab.model import variant_problems

    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "lab: 1\nname: inl\ntopology:\n  name: pair\n  nodes:\n"
        '    pc1: {kind: host, ip: "198.18.0.{{last}}/24"}\n    pc2: {kind: host, ip: 198.18.0.2/24}\n'
        '  links:\n    - [pc1:eth0, pc2:eth0]\nvars:\n  last: ["1", "300", "2", "3"]\nstages:\n'
        '  - run: {do: ["pc1 ping pc2 -c 1"], until: 1s}\n    checks:\n'
        "      - {id: a, trace: {where: {kind: tx}, measure: count, at_least: 1}}\n"
    )
    assert variant_problems(load_lab(lab)) == [
        f"{lab}:6: node pc1: ip: '198.18.0.300/24' is not an IPv4 address with a prefix length (300 is more "
        "than 255) (with last: '300')",
        f"{lab}:7: duplicate IP address 198.18.0.2 (already used on line 6) (with last: '2')",
    ]


def test_a_pool_of_hundreds_of_addresses_is_checked_at_its_extremes(tmp_path: Path) -> None:
    """last: 130..400 in ip "198.18.0.{{last}}/24": past 200 values one per shape was read (all are digits), so
    256..400 went unsaid and lab new wrote those students a network the simulator refuses; the largest is read."""
    from lanlab.lab.model import variant_problems

    lab = tmp_path / "lab.yaml"
    values = ", ".join(f'"{n}"' for n in range(130, 401))
    lab.write_text(
        "lab: 1\nname: inl\ntopology:\n  name: pair\n  nodes:\n"
        '    pc1: {kind: host, ip: "198.18.0.{{last}}/24"}\n    pc2: {kind: host, ip: 198.18.0.2/24}\n'
        f"  links:\n    - [pc1:eth0, pc2:eth0]\nvars:\n  last: [{values}]\nstages:\n"
        '  - run: {do: ["pc1 ping pc2 -c 1"], until: 1s}\n    checks:\n'
        "      - {id: a, trace: {where: {kind: tx}, measure: count, at_least: 1}}\n"
    )
    assert variant_problems(load_lab(lab)) == [
        f"{lab}:6: node pc1: ip: '198.18.0.400/24' is not an IPv4 address with a prefix length (400 is more "
        "than 255) (with last: '400')"
    ]
