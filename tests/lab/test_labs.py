"""The starter labs: each reference solution passes every check, each wrong one fails with its hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.lab import Submission, load_lab, read_answers, run_lab

LABS = Path(__file__).resolve().parents[2] / "labs"
# lab folder, wrong solution folder, the checks it must fail (each with the hint the lab gives)
WRONG = [
    ("hub_vs_switch", "wrong_hub", {"switch-used", "private", "one-port", "learned", "first-arp-ports"}),
    ("netmask", "wrong_mask", {"mask", "asked-arp", "replies"}),
    ("arp_cache", "wrong_answers", {"requests", "heard-by"}),
    ("programs", "wrong_reply", {"tcp-dialogue"}),
    (
        "udp_broadcast",
        "wrong_no_broadcast",
        {
            "one-broadcast",
            "switch-copies",
            "everyone-heard",
            "receiver-prints",
            "replies-unicast",
            "sender-prints-replies",
            "copies-sent",
        },
    ),
    ("udp_broadcast", "wrong_reply_broadcast", {"replies-unicast"}),
    ("gateways", "wrong_gateway", {"pc1-gateway", "through-r1", "replies", "who-answers-arp"}),
    ("storm_stp", "wrong_no_stp", {"stp-on", "no-storm", "one-blocked", "who-blocks", "replies"}),
    ("tcp_handshake", "wrong_answers", {"syn-segments", "first-fin"}),
    ("rip_infinity", "wrong_none", {"counting-routers", "no-counting", "r1-gives-up-soon"}),
]


def run(lab_dir: str, solution: str, student: str | None = None) -> list:
    lab = load_lab(LABS / lab_dir / "lab.yaml", student)
    folder = LABS / lab_dir / solution
    answers = read_answers(folder / "answers.yaml", lab.values) if (folder / "answers.yaml").exists() else {}
    return run_lab(lab, Submission(folder / "topology.yaml", folder, answers))


@pytest.mark.parametrize("lab_dir", sorted(path.parent.name for path in LABS.glob("*/lab.yaml")))
@pytest.mark.parametrize("student", [None, "alice", "s042"])
def test_reference_solution_passes_every_check(lab_dir: str, student: str | None) -> None:
    """Every lab's solution/ passes all its checks, for every student's variant."""
    results = run(lab_dir, "solution", student)
    assert results and [r.id for r in results if not r.passed] == []


@pytest.mark.parametrize(("lab_dir", "wrong", "failing"), WRONG)
def test_wrong_solution_fails_with_the_intended_hint(lab_dir: str, wrong: str, failing: set[str]) -> None:
    """A wrong solution fails exactly the checks it should, each showing the lab's hint."""
    lab = load_lab(LABS / lab_dir / "lab.yaml")
    results = run(lab_dir, wrong)
    assert {r.id for r in results if not r.passed} == failing
    hints = {check.id: check.hint for check in lab.checks}
    assert all(r.hint == hints[r.id] and r.hint for r in results if not r.passed)
