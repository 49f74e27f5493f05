"""Hostile submissions graded behind the wall (lab.isolate): each gets a row with the reason, and
neither the grader, nor the machine's network, nor another student's files are reached."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from lanlab.lab.grade import grade
from lanlab.lab.isolate import START_GRACE_S, Walled, bwrap_refused, grade_isolated
from lanlab.lab.model import load_lab
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
      - {id: says-hi, points: 2, hint: print hi, output: {node: pc1, contains: hi}}
"""
SECRET = "teacher-secret-4242"
# Finds the real module a program's imports are kept from (the shim hands it simulated ones).
REAL = """
import gc, types
def real(name):
    return [m for m in gc.get_objects() if isinstance(m, types.ModuleType) and m.__name__ == name
            and getattr(m, "__builtins__", None) is not __builtins__][0]
"""
needs_bwrap = pytest.mark.skipif(bwrap_refused() is not None, reason=str(bwrap_refused()))


def walls() -> list:
    """The walls this machine can give, each a test parameter (bwrap skipped with the reason when absent)."""
    return [pytest.param("bwrap", marks=needs_bwrap), "namespace"]


@pytest.fixture
def lab_dir(tmp_path: Path) -> Path:
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "subs").mkdir()
    return tmp_path


def student(lab_dir: Path, name: str, program: str, real: bool = False, topology: bool = True) -> Path:
    """A student's folder with prog.py (`real`: with the REAL helper before it) and, unless told
    not to, the lab's topology as their topology.yaml."""
    folder = lab_dir / "subs" / name
    folder.mkdir()
    if topology:
        (folder / "topology.yaml").write_text(PAIR_YAML)
    (folder / "prog.py").write_text((REAL if real else "") + textwrap.dedent(program))
    return folder


def by_student(lab_dir: Path, kind: str, time_limit: float = 20.0) -> dict:
    return {g.student: g for g in grade(lab_dir / "lab.yaml", lab_dir / "subs", 2, time_limit, Walled(kind))}


def sleepers(marker: str) -> list[int]:
    """Processes on this machine running `sleep MARKER`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == f"sleep\0{marker}\0".encode():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@needs_bwrap
def test_files_outside_the_folder_are_not_there_in_bwrap(lab_dir: Path) -> None:
    """A program reading the teacher's file, another student's program and /etc/passwd finds none of
    them; the honest student beside it scores full marks."""
    student(lab_dir, "honest", "print('hi')  # " + SECRET + "\n")
    student(
        lab_dir,
        "thief",
        f"""
        for path in [{str(lab_dir / "secret.txt")!r}, {str(lab_dir / "subs/honest/prog.py")!r}, "/etc/passwd"]:
            try:
                print(open(path).read())
            except OSError as error:
                print(type(error).__name__)
        try:
            open({str(lab_dir / "subs/honest/prog.py")!r}, "w").write("stolen")
        except OSError as error:
            print("write", type(error).__name__)
        """,
    )
    graded = by_student(lab_dir, "bwrap")
    thief = graded["thief"].results[1].found
    assert SECRET not in thief and "root:" not in thief
    assert thief.startswith("FileNotFoundError | FileNotFoundError | FileNotFoundError | write ")
    assert (lab_dir / "subs/honest/prog.py").read_text().startswith("print('hi')")
    assert graded["honest"].total == 5 and graded["thief"].total == 3


def test_without_a_wall_the_thief_would_read_the_secret(lab_dir: Path) -> None:
    """The oracle for the test above: with isolation none, the same program does print the secret."""
    folder = student(lab_dir, "thief", f"print(open({str(lab_dir / 'secret.txt')!r}).read())\n")
    _, results, _ = grade_isolated(load_lab(lab_dir / "lab.yaml"), folder, 20.0, Walled("none"))
    assert SECRET in results[1].found


@pytest.mark.parametrize("kind", walls())
def test_a_real_socket_reaches_nothing(lab_dir: Path, kind: str) -> None:
    """The real _socket dug out of gc connecting to a listener on this machine's 127.0.0.1: it fails and
    the listener counts no connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    student(
        lab_dir,
        "leaker",
        real=True,
        program=f"""
        try:
            real("_socket").socket().connect(("127.0.0.1", {port}))
            print("connected")
        except OSError as error:
            print("refused", type(error).__name__)
        """,
    )
    graded = by_student(lab_dir, kind)
    try:
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    assert "refused" in graded["leaker"].results[1].found


@pytest.mark.parametrize("kind", walls())
def test_forked_processes_die_with_the_submission(lab_dir: Path, kind: str) -> None:
    """A program forking with the real posix (the shim refuses os.fork) leaves no process behind once
    graded; the fork copy reports no grade of its own, and the row is the parent's."""
    marker = f"7{os.getpid() % 1000}.{len(kind)}"
    student(
        lab_dir,
        "forker",
        real=True,
        program=f"""
        import os
        try:
            os.fork()
        except RuntimeError as error:
            print("shim:", type(error).__name__)
        posix = real("posix")
        for _ in range(5):
            if posix.fork() == 0:
                posix.execv("/bin/sleep", ["sleep", "{marker}"])
        print("hi")
        """,
    )
    graded = by_student(lab_dir, kind)
    assert "shim: UnsupportedInSimulation" in graded["forker"].results[1].found
    assert graded["forker"].total == 5
    assert sleepers(marker) == []


@pytest.mark.parametrize("kind", walls())
def test_filling_memory_gets_a_row_with_the_reason(lab_dir: Path, kind: str) -> None:
    """A program allocating without end meets the memory limit: it keeps stage 1's points, the row says
    MemoryError, and the student graded beside it scores full marks."""
    student(lab_dir, "hog", "chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 1024**2))\n")
    student(lab_dir, "fine", "print('hi')\n")
    graded = {
        g.student: g for g in grade(lab_dir / "lab.yaml", lab_dir / "subs", 2, 60.0, Walled(kind, mem=512 * 1024**2))
    }
    assert graded["hog"].total == 3 and "MemoryError" in (graded["hog"].problem or "")
    assert graded["fine"].total == 5 and graded["fine"].problem is None


@pytest.mark.parametrize("kind", walls())
def test_a_loop_catching_everything_is_stopped_at_the_time_limit(lab_dir: Path, kind: str) -> None:
    """A program looping and catching every exception (the shim's busy-loop stop too) is stopped at the
    time limit with stage 1's points and the reason."""
    student(lab_dir, "looper", "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n")
    graded = by_student(lab_dir, kind, time_limit=3.0)
    assert graded["looper"].total == 3 and "stopped after 3 s" in (graded["looper"].problem or "")


def test_a_killed_process_is_a_row_with_the_reason(lab_dir: Path) -> None:
    """A program that kills its own process (the real os._exit is the shim's, so SIGKILL through posix)
    still gives a row: every check failed, the reason named."""
    folder = student(lab_dir, "suicide", "real('posix').kill(real('posix').getpid(), 9)\n", real=True)
    _, results, problem = grade_isolated(load_lab(lab_dir / "lab.yaml"), folder, 20.0, Walled("none"))
    assert problem is not None and problem.startswith("killed by SIGKILL")
    assert [r.passed for r in results] == [False, False]


@pytest.mark.parametrize("kind", [*walls(), "none"])
def test_a_topology_linked_outside_the_folder_is_refused_behind_every_wall(lab_dir: Path, kind: str) -> None:
    """A topology.yaml linking outside the student's folder is refused and said in the row, whether or
    not the wall hides the link's target (behind bwrap it does: the lab's own network must not stand in)."""
    folder = student(lab_dir, "linker", "print('hi')\n", topology=False)
    (lab_dir / "elsewhere.yaml").write_text(PAIR_YAML)  # not the lab's files: bwrap does not show it
    (folder / "topology.yaml").symlink_to(lab_dir / "elsewhere.yaml")
    row = by_student(lab_dir, kind)["linker"]
    assert row.total == 0 and "outside" in (row.problem or ""), row


@pytest.mark.parametrize("kind", walls())
def test_a_loop_that_swallows_the_stop_is_ended_with_what_it_passed(lab_dir: Path, kind: str) -> None:
    """A program blocking in the real time.sleep inside a loop that catches every exception is told to
    stop at the time limit and ignores it: OVERRUN_S later the worker writes the row itself (stage 1's
    points kept) and ends, rather than the grader killing it START_GRACE_S later with nothing kept."""
    student(
        lab_dir,
        "stubborn",
        real=True,
        program="""
        sleep = real("time").sleep
        while True:
            try:
                sleep(0.1)
            except BaseException:
                pass
        """,
    )
    start = time.monotonic()
    graded = by_student(lab_dir, kind, time_limit=3.0)
    assert time.monotonic() - start < 3.0 + START_GRACE_S - 5
    assert graded["stubborn"].total == 3 and graded["stubborn"].problem == "stopped after 3 s (a run that never ends?)"


@pytest.mark.parametrize("kind", walls())
def test_what_a_submission_writes_is_bounded_and_removed(
    lab_dir: Path, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program writing files without end meets the limit (behind bwrap the private /tmp's size, a tmpfs
    held in memory; behind any wall, the size of one file) and its row says so; the files are gone after."""
    private = tmp_path / "tmp"  # a temporary folder of its own: other tests grading beside it make theirs in /tmp
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    student(
        lab_dir,
        "filler",
        """
        chunk = b"x" * (1 << 20)
        written = 0
        try:
            with open("big", "wb") as out:
                while written < 4096:
                    out.write(chunk)
                    written += 1
        except OSError as error:
            print("stopped", written, error.strerror)
        """,
    )
    found = by_student(lab_dir, kind)["filler"].results[1].found
    assert found.startswith("stopped 12") and ("No space left on device" in found or "File too large" in found), found
    assert not list(private.glob("lanlab-grade-*"))


def test_the_reasons_a_process_gave_no_row_are_texts_the_catalogue_translates() -> None:
    """Why a grading process died is an L_ text (the CSV's problem column shows it in the reader's
    language; it was English under --lang zh)."""
    from lanlab.i18n import Deferred
    from lanlab.lab.isolate import _why_it_died

    for reason in (
        _why_it_died(0, False, True, 3.0, ""),
        _why_it_died(0, True, False, 3.0, ""),
        _why_it_died(-signal.SIGXCPU, False, False, 3.0, ""),
        _why_it_died(-signal.SIGKILL, False, False, 3.0, ""),
        _why_it_died(-signal.SIGSEGV, False, False, 3.0, ""),
        _why_it_died(1, False, False, 3.0, "Traceback\nSystemError: boom\n"),
    ):
        assert isinstance(reason, Deferred), reason
    assert _why_it_died(0, True, False, 3.0, "") == (
        f"ran past its 3 s time limit and did not stop when told (a loop that catches every exception, like a bare "
        f"except:?); killed at {3 + START_GRACE_S:g} s"
    )
    assert _why_it_died(1, False, False, 3.0, "x\nSystemError: boom\n") == "crashed: SystemError: boom"


def test_a_forged_result_line_nested_thousands_deep_is_no_result_and_no_crash(lab_dir: Path) -> None:
    """A program that writes the result mark with 20,000 [ after it to the real stdout and dies: the grader
    took it for its result line and json.loads raised RecursionError out of grade_isolated; now the row
    says the process was killed, every check failed."""
    forged = "b'lanlab-graded ' + b'[' * 20000 + b'\\n'"
    program = f"real('posix').write(1, {forged})\nreal('posix').kill(real('posix').getpid(), 9)\n"
    folder = student(lab_dir, "forger", program, real=True)
    _, results, problem = grade_isolated(load_lab(lab_dir / "lab.yaml"), folder, 20.0, Walled("none"))
    assert problem is not None and problem.startswith("killed by SIGKILL")
    assert [r.passed for r in results] == [False, False]


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="unshare --pid needs root")
def test_a_grader_that_is_pid_1_keeps_its_workers(lab_dir: Path) -> None:
    """`lab grade` as a container's first process (pid 1 of its pid namespace): its workers grade (each took its
    parent being pid 1 for the grader's death and left at once, so every row said the process had died)."""
    student(lab_dir, "alice", "print('hi')\n")
    script = (
        "import json, os; from pathlib import Path; from lanlab.lab.grade import grade; "
        "from lanlab.lab.isolate import Walled; "
        f"rows = grade(Path({str(lab_dir / 'lab.yaml')!r}), Path({str(lab_dir / 'subs')!r}), 1, 20.0, Walled('none')); "
        "print(json.dumps([os.getpid(), rows[0].total]))"
    )
    done = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [1, 5]  # the grader was pid 1, and alice scored 5 of 5
