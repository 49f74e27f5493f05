"""`lanlab lab` as a teacher preparing a course meets it: the exit statuses each command's help states,
a lab file's mistakes as one FILE:LINE line each (exit 2, no traceback) from check, new and grade alike,
and a class graded whatever its folder holds (a file instead of a folder, a missing program, a --csv that
cannot be written, SIGTERM, a grader killed outright)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simnets import PAIR_YAML

LABS = Path(__file__).resolve().parents[2] / "labs"
UDP = LABS / "udp_broadcast"


def lanlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lanlab", "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def workers_grading(folder: Path) -> list[int]:
    """Live processes of lab.isolate's worker grading a student of `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes()
            status = (entry / "stat").read_text()
        except OSError:
            continue
        if (
            entry.name.isdigit()
            and b"lanlab.lab.worker" in line
            and str(folder).encode() in line
            and ") Z" not in status
        ):
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize(
    "command, statuses",
    [
        ("check", ["0 every check passed", "1 some check failed", "2 error", "130 on Ctrl-C"]),
        ("new", ["0 the three files were written", "2 error"]),
        ("grade", ["0 once every student has a row", "2 error", "130 on Ctrl-C and 143 on SIGTERM"]),
    ],
)
def test_each_commands_help_ends_with_its_exit_statuses(command: str, statuses: list[str]) -> None:
    """As ping's and sim run's do: the help's text ends with the exit statuses, before the options."""
    result = lanlab("lab", command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split("Options:")[0].split())
    assert "Exit status: " in text and text.rstrip().endswith(".")
    said = text[text.index("Exit status: ") :]
    for status in statuses:
        assert status in said, said


BAD_LABS = {
    # name: (the lab file's text, the lines its errors are told at)
    "no-format": ("name: x\ntopology: t.yaml\nstages:\n  - checks: [{id: a, output: {node: pc1, contains: x}}]\n", [1]),
    "no-stages": ("lab: 1\nname: x\ntopology: t.yaml\n", [1]),
    "wrong-types": (
        "lab: 1\nname: [x]\ntopology: t.yaml\nstages:\n  - run: {until: soon, seed: abc}\n    checks:\n"
        "      - {id: a, points: two, output: {node: pc1, exactly: {a: b}}}\n",
        [2, 5, 5, 7, 7],
    ),
    "unknown-check": (
        "lab: 1\nname: x\ntopology: t.yaml\nstages:\n  - checks:\n      - id: a\n        tracee: {where: {kind: tx}}\n",
        [6, 7],
    ),
    "yaml": ("lab: 1\nname: x\ntopology: t.yaml\nstages:\n  - run: {until: 1s\n    checks: []\n", [6]),
    "tab": ("lab: 1\nname: x\ntopology: t.yaml\nstages:\n\t- run: {until: 1s}\n", [5]),
    "at-not-a-time": (  # a traceback before
        'lab: 1\nname: x\ntopology: t.yaml\nstages:\n  - run: {app: ["at soon pc1=a.py"]}\n'
        "    checks: [{id: a, output: {node: pc1, contains: x}}]\n",
        [5],
    ),
    "unknown-command": (  # found only when a stage ran before: lab new said nothing, lab grade exited 0
        'lab: 1\nname: x\ntopology: t.yaml\nstages:\n  - run: {do: ["pc1 fly"]}\n'
        "    checks: [{id: a, output: {node: pc1, contains: x}}]\n",
        [5],
    ),
    "no-topology-file": (  # lab grade exited 0, every row saying `cannot read`
        "lab: 1\nname: x\ntopology: gone.yaml\nstages:\n  - checks: [{id: a, output: {node: pc1, contains: x}}]\n",
        [3],
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_LABS))
def test_a_bad_lab_file_is_file_line_exit_2_for_check_new_and_grade(tmp_path: Path, name: str) -> None:
    """Each mistake one line, FILE:LINE: ..., on stderr; nothing on stdout, no traceback, exit 2, whichever
    command reads the lab."""
    text, lines = BAD_LABS[name]
    (tmp_path / "t.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    lab.write_text(text)
    (tmp_path / "subs/ann").mkdir(parents=True)
    (tmp_path / "subs/ann/a.py").write_text("print('x')\n")
    for args in (
        ["check", str(lab)],
        ["new", str(lab), "--student", "ann", "--out", str(tmp_path / "out")],
        ["grade", str(lab), str(tmp_path / "subs")],
    ):
        result = lanlab("lab", *args)
        assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr, result.stderr
        told = [line.split(": ")[0] for line in result.stderr.splitlines()]
        assert told == [f"{lab}:{line}" for line in lines], (args[0], result.stderr)
    assert not (tmp_path / "out").exists()


def test_grade_says_what_it_did_not_grade_and_what_a_folder_lacks(tmp_path: Path) -> None:
    """A file beside the students' folders (an archive handed in) is named on stderr, not silently
    skipped; a folder without the program the lab runs says which Python files it holds (not lab check's
    --app advice); --csv in a folder that is not there is refused before grading, in one line."""
    subs = tmp_path / "subs"
    shutil.copytree(UDP / "solution", subs / "ann")
    (subs / "bob").mkdir()
    for name in ("answers.yaml", "receiver.py"):
        shutil.copy(UDP / "solution" / name, subs / "bob" / name)
    shutil.copy(UDP / "solution/sender.py", subs / "bob/发送.py")
    (subs / "carl.zip").write_bytes(b"PK\x03\x04")
    result = lanlab("lab", "grade", str(UDP / "lab.yaml"), str(subs), "--csv", str(subs / "grades.csv"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == "lanlab: warning: not graded, not a folder: 'carl.zip'\n"
    rows = result.stdout.splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["ann", "bob"]
    assert rows[2] == (
        'bob,0,0,0,0,0,0,0,0,"no program sender.py for pc1 in the folder handed in (Python files in it: receiver.py, '
        '发送.py)"'
    )
    again = lanlab("lab", "grade", str(UDP / "lab.yaml"), str(subs), "--csv", str(subs / "grades.csv"))
    assert "grades.csv" not in again.stderr  # the grades written there last time are no student's
    start = time.monotonic()
    refused = lanlab("lab", "grade", str(UDP / "lab.yaml"), str(subs), "--csv", str(tmp_path / "gone/grades.csv"))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == f"lanlab: --csv: cannot write {tmp_path / 'gone/grades.csv'}: No such file or directory\n"
    assert time.monotonic() - start < 20  # said before the class was graded


def _looping_class(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    shutil.copytree(UDP / "solution", subs / "a_good")
    shutil.copytree(UDP / "solution", subs / "b_loops")
    (subs / "b_loops/sender.py").write_text(
        "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n"
    )
    return subs


def _grader(subs: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lanlab", "lab", "grade", str(UDP / "lab.yaml"), str(subs), "--workers", "1", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(subs: Path, grader: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not workers_grading(subs / "b_loops") and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.2)
    assert workers_grading(subs / "b_loops"), "the looping student was never started"


def test_sigterm_in_grade_prints_the_rows_graded_and_exits_143(tmp_path: Path) -> None:
    """SIGTERM (kill, a batch system's limit) ends a grading as Ctrl-C does: the rows graded so far, the
    count on stderr, no worker left; exit 143 (it was killed with everything lost, its workers left
    running behind the network-namespace wall)."""
    subs = _looping_class(tmp_path)
    grader = _grader(subs, "--time-limit", "120", "--isolation", "namespace")
    _wait_for(subs, grader)
    grader.send_signal(signal.SIGTERM)
    out, err = grader.communicate(timeout=60)
    assert grader.returncode == 143, err
    rows = out.splitlines()
    assert [row.split(",")[0] for row in rows] == ["student", "a_good"] and rows[1].split(",")[-2] == "10"
    assert "interrupted: 1 student graded" in err
    assert workers_grading(subs / "b_loops") == []


def test_a_grader_killed_outright_leaves_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL gives the grader no time to kill its students' processes: they die with it (the kernel's
    parent-death signal behind the namespace wall and none; bwrap's --die-with-parent behind bwrap)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the killed grader cannot remove its scratch folder
    subs = _looping_class(tmp_path)
    grader = _grader(subs, "--time-limit", "120", "--isolation", "none")
    _wait_for(subs, grader)
    grader.kill()
    grader.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while workers_grading(subs / "b_loops") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers_grading(subs / "b_loops") == []


def test_lab_check_runs_a_students_programs_behind_the_network_wall(tmp_path: Path) -> None:
    """A program digging the real _socket out of the interpreter cannot reach this machine's listener
    under lab check --app either (it could: lab check ran programs with no wall, as sim run --app does not)."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    (tmp_path / "t.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(
        'lab: 1\nname: x\ntopology: t.yaml\nstages:\n  - run: {app: ["pc1=prog.py"], until: 1s}\n'
        "    checks: [{id: a, output: {node: pc1, exactly: [refused]}}]\n"
    )
    (tmp_path / "leak.py").write_text(
        "import gc, types\n"
        "real = [m for m in gc.get_objects() if isinstance(m, types.ModuleType) and m.__name__ == '_socket'\n"
        "        and getattr(m, '__builtins__', None) is not __builtins__][0]\n"
        "try:\n"
        f"    real.socket().connect(('127.0.0.1', {listener.getsockname()[1]}))\n"
        "    print('connected')\n"
        "except OSError:\n"
        "    print('refused')\n"
    )
    try:
        result = lanlab("lab", "check", str(tmp_path / "lab.yaml"), "--app", f"pc1={tmp_path / 'leak.py'}")
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    assert result.returncode == 0 and result.stdout.startswith("PASS a (1/1): refused"), result.stdout + result.stderr
