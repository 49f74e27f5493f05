"""`lanlab lab check|new|grade`: the contract's words, output and exit statuses."""

from __future__ import annotations

import json
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

LAB = Path(__file__).resolve().parents[2] / "labs" / "hub_vs_switch"


def lanlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lanlab", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def test_check_reference_exits_0_and_wrong_exits_1_with_hint() -> None:
    """The solution scores full marks (exit 0); the hub-only network fails with the hints (exit 1)."""
    good = lanlab(
        "lab",
        "check",
        str(LAB / "lab.yaml"),
        "--topology",
        str(LAB / "solution/topology.yaml"),
        "--answers",
        str(LAB / "solution/answers.yaml"),
        "--json",
    )
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
    graded = lanlab(
        "lab",
        "grade",
        str(LAB / "lab.yaml"),
        str(tmp_path / "subs"),
        "--csv",
        str(tmp_path / "g.csv"),
        "--workers",
        "2",
    )
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


UDP = LAB.parent / "udp_broadcast"


def test_app_override_by_node_and_by_file_name() -> None:
    """--app pc1=FILE runs FILE on pc1 instead of the folder's program, --app sender.py=FILE replaces the
    lab's sender.py: a wrong sender fails with the lab's hint, the right one rescues a wrong folder."""
    wrong = UDP / "wrong_no_broadcast/sender.py"
    by_node = lanlab(
        "lab",
        "check",
        str(UDP / "lab.yaml"),
        "--topology",
        str(UDP / "solution/topology.yaml"),
        "--answers",
        str(UDP / "solution/answers.yaml"),
        "--app",
        f"pc1={wrong}",
    )
    assert by_node.returncode == 1 and "FAIL one-broadcast" in by_node.stdout
    assert "hint: pc1 must send the broadcast once: set SO_BROADCAST" in by_node.stdout
    rescued = lanlab(
        "lab",
        "check",
        str(UDP / "lab.yaml"),
        "--topology",
        str(UDP / "wrong_no_broadcast/topology.yaml"),
        "--answers",
        str(UDP / "solution/answers.yaml"),
        "--app",
        f"sender.py={UDP / 'solution/sender.py'}",
        "--json",
    )
    assert rescued.returncode == 0, rescued.stdout + rescued.stderr
    assert json.loads(rescued.stdout)["score"] == json.loads(rescued.stdout)["total"]


def test_app_override_missing_file_is_one_line_exit_2() -> None:
    """--app naming a file that does not exist: one line saying the form, exit 2, no traceback."""
    result = lanlab("lab", "check", str(UDP / "lab.yaml"), "--app", "pc1=/nonexistent/sender.py")
    assert result.returncode == 2 and "expected NODE=FILE.py" in result.stderr and "Traceback" not in result.stderr


def _processes_naming(folder: Path, word: bytes = b"") -> list[int]:
    """Processes whose command line names `folder` (and holds `word`): a grader's forked pool workers
    share its command line."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes()
            status = (entry / "stat").read_text()
        except OSError:
            continue
        if entry.name.isdigit() and word in line and str(folder).encode() in line and ") Z" not in status:
            found.append(int(entry.name))
    return found


def _workers_grading(folder: Path) -> list[int]:
    """Processes grading a student of `folder` (lab.isolate's worker)."""
    return _processes_naming(folder, b"lanlab.lab.worker")


def test_ctrl_c_in_grade_prints_the_rows_graded_and_exits_130(tmp_path: Path) -> None:
    """SIGINT while a submission loops: the rows already graded are printed, exit 130, no worker left."""
    subs = tmp_path / "subs"
    shutil.copytree(UDP / "solution", subs / "a_good")
    shutil.copytree(UDP / "solution", subs / "b_loops")
    (subs / "b_loops/sender.py").write_text(
        "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n"
    )
    grader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lanlab",
            "lab",
            "grade",
            str(UDP / "lab.yaml"),
            str(subs),
            "--workers",
            "1",
            "--time-limit",
            "120",
            "--isolation",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _workers_grading(subs / "b_loops") and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.2)
    assert _workers_grading(subs / "b_loops"), "the looping student was never started"
    grader.send_signal(signal.SIGINT)
    out, err = grader.communicate(timeout=60)
    assert grader.returncode == 130, err
    rows = out.splitlines()
    assert rows[0].startswith("student,one-broadcast,") and rows[1].startswith("a_good,") and len(rows) == 2
    assert rows[1].split(",")[-2] == "10"
    assert "interrupted: 1 students graded" in err
    assert _workers_grading(subs / "b_loops") == []


STUDENTS = 3000


def test_ctrl_c_in_a_data_only_lab_ends_the_pool_and_exits_130(tmp_path: Path) -> None:
    """SIGINT while a pool of workers grades 3,000 hub-vs-switch folders: exit 130 soon, the rows graded so
    far (fewer than 3,000) under the header, the count on stderr, no worker left behind. (300 folders
    were all graded within the second before the signal once grading got faster.)"""
    subs = tmp_path / "subs"
    for n in range(STUDENTS):
        shutil.copytree(LAB / "solution", subs / f"s{n:03d}")
    grader = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "lab", "grade", str(LAB / "lab.yaml"), str(subs), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    children = Path(f"/proc/{grader.pid}/task/{grader.pid}/children")
    deadline = time.monotonic() + 60
    while not children.read_text().split() and time.monotonic() < deadline:  # the pool has started
        time.sleep(0.1)
    time.sleep(1)
    grader.send_signal(signal.SIGINT)
    out, err = grader.communicate(timeout=60)
    assert grader.returncode == 130, err
    rows = out.splitlines()
    assert rows[0].startswith("student,replies,") and len(rows) - 1 < STUDENTS
    assert f"interrupted: {len(rows) - 1} students graded" in err
    assert all(row.split(",")[-2] == "9" for row in rows[1:])
    time.sleep(1)  # killed workers are gone once the kernel has reaped them
    assert _processes_naming(subs) == []


def test_grade_json_names_the_wall_and_bad_limits_are_one_line(tmp_path: Path) -> None:
    """--json says which wall the programs ran behind; a time limit of 0 or a memory limit Python cannot
    live in is one line on stderr, exit 2."""
    shutil.copytree(UDP / "solution", tmp_path / "subs/ann")
    graded = lanlab("lab", "grade", str(UDP / "lab.yaml"), str(tmp_path / "subs"), "--isolation", "namespace", "--json")
    assert graded.returncode == 0, graded.stderr
    document = json.loads(graded.stdout)
    assert document["isolation"] == "namespace" and document["students"][0]["total"] == 10
    for bad in (["--time-limit", "0"], ["--app-limits", "mem=1MiB"]):
        result = lanlab("lab", "grade", str(UDP / "lab.yaml"), str(tmp_path / "subs"), *bad)
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr


def test_isolation_bwrap_without_bubblewrap_is_one_line(tmp_path: Path) -> None:
    """--isolation bwrap where bwrap is not on PATH: one line naming the way out, exit 2, nothing graded."""
    shutil.copytree(UDP / "solution", tmp_path / "subs/ann")
    python_only = tmp_path / "bin"
    python_only.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lanlab",
            "lab",
            "grade",
            str(UDP / "lab.yaml"),
            str(tmp_path / "subs"),
            "--isolation",
            "bwrap",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": str(python_only)},
    )
    assert result.returncode == 2 and "--isolation bwrap: bubblewrap (bwrap) is not installed" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
