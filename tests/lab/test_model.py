"""The lab file loader: FILE:LINE errors, variants drawn from the student id, paths kept inside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lanlab.lab import LabError, Submission, load_lab, run_lab
from lanlab.lab.variants import draw
from simnets import PAIR_YAML


def write_lab(tmp_path: Path, checks: str, extra: str = "") -> Path:
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        f'lab: 1\nname: t\ntopology: topology.yaml\n{extra}stages:\n  - run: {{do: ["pc1 ping pc2 -c 1"], '
        f"until: 1s}}\n    checks:\n{checks}"
    )
    return lab


def test_every_mistake_is_file_line(tmp_path: Path) -> None:
    """Unknown fields, a bad measure and a missing comparison are each reported at their line."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        bogus: 1\n        trace: {where: {kind: tx}, measure: colour}\n"
        "      - id: b\n        trace: {where: {kind: tx}}\n",
    )
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    problems = caught.value.problems
    assert any(p.startswith(f"{lab}:8:") and "bogus" in p for p in problems)
    assert any(p.startswith(f"{lab}:9:") and "colour" in p for p in problems)
    assert any(p.startswith(f"{lab}:11:") and "equals" in p for p in problems)


def test_unknown_placeholder_is_file_line(tmp_path: Path) -> None:
    """A {{name}} no vars: pool gives is an error at its line."""
    lab = write_lab(
        tmp_path, "      - id: a\n        hint: '{{nope}}'\n        trace: {where: {kind: tx}, equals: 1}\n"
    )
    with pytest.raises(LabError, match=r"lab.yaml:8: unknown placeholder \{\{nope\}\}"):
        load_lab(lab)


def test_variant_is_the_same_in_every_process() -> None:
    """The draw is a function of lab and student id (SHA-256), not of Python's per-process hash()."""
    pools = {"target": [f"pc{n}" for n in range(2, 40)], "n": [str(n) for n in range(100)]}
    here = draw(pools, "lab", "alice")
    code = (
        "from lanlab.lab.variants import draw; print(draw({'target': [f'pc{n}' for n in range(2, 40)], "
        "'n': [str(n) for n in range(100)]}, 'lab', 'alice'))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert there == str(here)
    assert {str(draw(pools, "lab", f"s{n}")) for n in range(20)} != {str(here)}


def test_topology_outside_the_lab_folder_is_refused(tmp_path: Path) -> None:
    """topology: ../x.yaml (or a link leading out) is refused, not read."""
    (tmp_path / "outside.yaml").write_text(PAIR_YAML)
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    for name in ("../outside.yaml", "link.yaml"):
        (folder / "lab.yaml").write_text(
            f"lab: 1\nname: t\ntopology: {name}\nstages:\n  - checks:\n"
            "      - {id: a, trace: {where: {kind: tx}, equals: 1}}\n"
        )
        with pytest.raises(LabError, match="lab.yaml:3: .*outside"):
            load_lab(folder / "lab.yaml")


def test_student_program_outside_the_folder_is_refused(tmp_path: Path) -> None:
    """A program named ../x.py in a run resolves outside the student's folder and is refused."""
    lab_file = write_lab(tmp_path, "      - id: a\n        output: {node: pc1, contains: hi}\n")
    lab_file.write_text(lab_file.read_text().replace('do: ["pc1 ping pc2 -c 1"]', 'app: ["pc1=../evil.py"]'))
    (tmp_path.parent / "evil.py").write_text("print('hi')\n")
    student = tmp_path / "student"
    student.mkdir()
    with pytest.raises(LabError, match="outside"):
        run_lab(load_lab(lab_file), Submission(tmp_path / "topology.yaml", student))


def test_state_check_at_a_time_sees_that_instant(tmp_path: Path) -> None:
    """A state check at 1 us sees an empty ARP cache that at the end holds pc2."""
    lab = write_lab(
        tmp_path,
        "      - id: early\n        state: {node: pc1, table: arp, at: 1us, lacks: {ip: pc2}}\n"
        "      - id: late\n        state: {node: pc1, table: arp, has: {ip: pc2}}\n",
    )
    results = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path))
    assert [r.passed for r in results] == [True, True]


def test_comparison_values_are_checked_when_the_lab_is_read(tmp_path: Path) -> None:
    """`at_least: many` on ports and `includes` on a count are FILE:LINE errors, not a crash at run time."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        trace: {where: {kind: tx}, measure: ports, at_least: many}\n"
        "      - id: b\n        trace: {where: {kind: tx}, measure: count, includes: p1}\n"
        "      - id: c\n        trace: {where: {kind: tx}, measure: ports, includes: p1}\n",
    )
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    problems = caught.value.problems
    assert any(p.startswith(f"{lab}:8:") and "whole number" in p for p in problems)
    assert any(p.startswith(f"{lab}:10:") and "compares names" in p for p in problems)
    assert not any(p.startswith(f"{lab}:12:") for p in problems)
