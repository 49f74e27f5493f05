"""A teacher's own lab file with unusual values: each is read as written, or refused at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.lab import LabError, Submission, load_lab, run_lab
from simnets import PAIR_YAML

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
