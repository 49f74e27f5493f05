"""`lanlab lab check|new|grade`: the contract's words, output and exit statuses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

LAB = Path(__file__).resolve().parents[2] / "labs" / "hub_vs_switch"


def lanlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lanlab", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)


def test_check_reference_exits_0_and_wrong_exits_1_with_hint() -> None:
    """The solution scores full marks (exit 0); the hub-only network fails with the hints (exit 1)."""
    good = lanlab("lab", "check", str(LAB / "lab.yaml"), "--topology", str(LAB / "solution/topology.yaml"),
                  "--answers", str(LAB / "solution/answers.yaml"), "--json")
    assert good.returncode == 0, good.stderr
    document = json.loads(good.stdout)
    assert document["score"] == document["total"] > 0
    bad = lanlab("lab", "check", str(LAB / "lab.yaml"), "--topology", str(LAB / "wrong_hub/topology.yaml"))
    assert bad.returncode == 1
    assert "hint: other PCs received the ping" in bad.stdout


def test_check_bad_lab_file_is_file_line_exit_2(tmp_path: Path) -> None:
    """A lab file with a mistake: FILE:LINE on stderr, exit 2, no traceback."""
    lab = tmp_path / "lab.yaml"
    lab.write_text("lab: 1\nname: x\ntopology: t.yaml\nstages: nope\n")
    result = lanlab("lab", "check", str(lab))
    assert result.returncode == 2
    assert f"{lab}:4:" in result.stderr and "Traceback" not in result.stderr


def test_new_writes_variant_and_grade_writes_csv(tmp_path: Path) -> None:
    """lab new writes topology, brief and answers; lab grade rows one student per folder, --csv too."""
    made = lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(tmp_path / "subs/alice"))
    assert made.returncode == 0, made.stderr
    assert {p.name for p in (tmp_path / "subs/alice").iterdir()} == {"topology.yaml", "brief.md", "answers.yaml"}
    shutil.copytree(LAB / "solution", tmp_path / "subs/ref")
    graded = lanlab("lab", "grade", str(LAB / "lab.yaml"), str(tmp_path / "subs"), "--csv", str(tmp_path / "g.csv"),
                    "--workers", "2")
    assert graded.returncode == 0, graded.stderr
    rows = (tmp_path / "g.csv").read_text().splitlines()
    assert rows[0].startswith("student,replies,") and rows[1].startswith("alice,") and rows[2].startswith("ref,")
    assert rows[2].split(",")[-2] == "9" and rows[1].split(",")[-2] != "9"


def test_grade_scores_what_a_crashing_submission_passed(tmp_path: Path) -> None:
    """A student's topology that does not load scores 0 on every check and says why."""
    (tmp_path / "subs/broken").mkdir(parents=True)
    (tmp_path / "subs/broken/topology.yaml").write_text("nodes: [1, 2\n")
    graded = lanlab("lab", "grade", str(LAB / "lab.yaml"), str(tmp_path / "subs"), "--json", "--workers", "1")
    student = json.loads(graded.stdout)["students"][0]
    assert student["total"] == 0 and "not valid YAML" in student["problem"]
