"""One submission with programs graded in a process of its own, behind a wall, within limits.

Students' programs are code nobody has read. `lab grade` runs each such submission as
`python -P -m lanlab.lab.worker`, a process that sets its own limits
(address space, CPU seconds) before anything of the student's is loaded and then grades the
one folder in-process (grade.grade_one) and prints the result as one marked JSON line. Around it:

- `bwrap` (bubblewrap, as `sim run --sandbox`): no network, a new PID namespace (every process a
  program forks dies with it), and a file system made of only what grading needs, read-only:
  /usr, Python, lanlab, the lab file and its topology, the student's own folder; a private /tmp
  where the hosts' folders are. Another student's folder, the teacher's files, /etc: absent.
- `namespace`: the network-namespace wall `sim run --app` uses (lanlab.cli.sim_wall), entered by
  the process itself; files are guarded only by the socket shim's rules. Used when bubblewrap
  is missing or refused by the kernel.
- `none`: a process of its own and the limits only.

In every case the grader keeps only the tail of what the process writes, kills its whole
session past the time limit, and turns a death (a signal, a limit) into the row's reason.
The wall protects the grader and the other students; it cannot keep a program from tampering
with the grading of its own submission, which runs in the same interpreter (docs/labs.md).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lanlab
from lanlab.i18n import L_, from_record
from lanlab.lab.checks import Result
from lanlab.lab.model import Lab
from lanlab.lab.runner import lab_programs, unfinished
from lanlab.text import json_nests_deeper

ISOLATIONS = ("auto", "bwrap", "namespace", "none")
MARK = "lanlab-graded "  # starts the one line that carries the result
# Levels of [ and { in that line: answers nest at most 100 (topology.reader.MAX_DEPTH), the record 3 more;
# json.loads recurses once a level, far below the interpreter's limit here.
MOST_NESTED = 300
KEEP_BYTES = 1 << 20  # of a process's stdout kept (the result line is the last); a flood costs no more
KEEP_ERR_BYTES = 4096
START_GRACE_S = 15.0  # past the time limit (which the process keeps itself) before it is killed
DEFAULT_MEM = 1024**3  # address space per submission (Python and lanlab take ~150 MiB of it)
# What a submission's programs may write: bwrap's private /tmp (a tmpfs, held in memory, which the address
# space limit does not count) is this big, and no file of theirs may grow past it behind any wall.
FILES_BYTES = 128 * 1024**2


@dataclass(frozen=True)
class Walled:
    """How one submission runs: the wall and the limits (None: the kernel's)."""

    kind: str  # bwrap, namespace or none (auto already chosen)
    mem: int | None = DEFAULT_MEM
    cpu: int | None = None  # CPU seconds; None: the time limit's, rounded up, plus the grace


@functools.cache
def bwrap_refused() -> str | None:
    """Why bubblewrap cannot sandbox here (None: it can), tried once per process."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return L_("bubblewrap (bwrap) is not installed")
    try:
        tried = subprocess.run(
            [bwrap, *_system_binds(), "--unshare-all", "--die-with-parent", "true"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return L_("bwrap does not start: {reason}", reason=str(error))
    if tried.returncode != 0:
        return L_("bwrap refused: {reason}", reason=(tried.stderr.strip().splitlines() or ["?"])[-1])
    return None


def choose(kind: str) -> tuple[str, str | None]:
    """The wall `kind` names (auto: bwrap where it works, else the namespace) and, when auto had to
    settle for less, why."""
    if kind != "auto":
        return kind, None
    refused = bwrap_refused()
    return ("bwrap", None) if refused is None else ("namespace", refused)


def _system_binds() -> list[str]:
    """/usr read-only, and /bin, /lib... as they are here (links into /usr, or folders)."""
    words = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            words += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            words += ["--ro-bind", name, name]
    return words


def _readable_for_python() -> list[str]:
    """The folders the interpreter, its libraries and lanlab are in."""
    folders = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(Path(sys.executable).resolve().parent),
        str(Path(lanlab.__file__).resolve().parent.parent),
    }
    return sorted(folder for folder in folders if os.path.isdir(folder) and not folder.startswith("/usr/"))


def command(lab: Lab, folder: Path, time_limit: float, walled: Walled) -> list[str]:
    """The command line grading `folder` in its own process, behind `walled`'s wall."""
    cpu = walled.cpu if walled.cpu is not None else int(time_limit + START_GRACE_S) + 1
    inner = [
        sys.executable,
        "-P",
        "-m",
        "lanlab.lab.worker",
        str(lab.path.resolve()),
        str(folder),
        "--time-limit",
        repr(time_limit),
        "--cpu",
        str(cpu),
    ]
    if walled.mem is not None:
        inner += ["--mem", str(walled.mem)]
    inner += ["--files", str(FILES_BYTES), "--grader", str(os.getpid())]
    if walled.kind == "namespace":
        inner.append("--wall")
    if walled.kind != "bwrap":
        return inner
    readable = [
        *_readable_for_python(),
        str(lab.path.resolve()),
        str(lab.topology.resolve()),
        *map(str, lab_programs(lab)),  # the teacher's programs, run beside the student's
        str(folder),
    ]
    binds = [word for path in dict.fromkeys(readable) for word in ("--ro-bind", path, path)]
    # The private /tmp first: binds under /tmp (a test's folders) are mounted on it, not hidden by it.
    return [
        shutil.which("bwrap") or "bwrap",
        "--size",
        str(FILES_BYTES),
        "--tmpfs",
        "/tmp",
        *_system_binds(),
        *binds,
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--chdir",
        str(folder),
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "PYTHONIOENCODING",
        "utf-8",
        "--setenv",
        "LANLAB_SANDBOXED",
        "1",
        *inner,
    ]


class _Tail:
    """Reads a stream to its end in a thread, keeping only its last `keep` bytes."""

    def __init__(self, stream: Any, keep: int) -> None:
        self.data = b""
        self.keep = keep
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: Any) -> None:
        with stream:
            while chunk := stream.read1(65536):
                self.data = (self.data + chunk)[-self.keep :]

    def text(self) -> str:
        self.thread.join(timeout=5)
        return self.data.decode("utf-8", "replace")


class Running:
    """The processes grading now, so that Ctrl-C (or the end) can kill every one of them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processes: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def add(self, process: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.processes.add(process)
            if self.stopping:
                kill_session(process)

    def remove(self, process: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.processes.discard(process)

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            for process in self.processes:
                kill_session(process)


def kill_session(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process's session (it leads one): what its programs forked dies too."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def grade_isolated(
    lab: Lab, folder: Path, time_limit: float, walled: Walled, running: Running | None = None
) -> tuple[str, list[Result], str | None]:
    """Grade `folder` in a walled process: (student, results, problem). Whatever the process does,
    this returns a row: its own result, or every check failed with the reason it died."""
    student = folder.name
    # Behind bwrap the hosts' folders are in its private /tmp; else in one of the grader's own, removed after
    scratch = None if walled.kind == "bwrap" else tempfile.mkdtemp(prefix="lanlab-grade-")
    try:
        process = subprocess.Popen(
            command(lab, folder, time_limit, walled),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=folder,
            start_new_session=True,
            env=None if scratch is None else {**os.environ, "TMPDIR": scratch},
        )
    except OSError as error:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        why: str = L_("could not start: {reason}", reason=error.strerror or str(error))
        return student, unfinished(lab, [], why), why
    if running is not None:
        running.add(process)
    out, err = _Tail(process.stdout, KEEP_BYTES), _Tail(process.stderr, KEEP_ERR_BYTES)
    timed_out = False
    try:
        process.wait(timeout=time_limit + START_GRACE_S)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_session(process)
        process.wait()
    finally:
        kill_session(process)  # its forked leftovers, if any survived it
        if running is not None:
            running.remove(process)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    stdout, stderr = out.text(), err.text()
    stopped = running is not None and running.stopping
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARK) and not stopped:
            if json_nests_deeper(line, MOST_NESTED):  # no result of ours: something else printed the mark
                break
            try:
                found = json.loads(line[len(MARK) :])
                results = [_result(r) for r in found["results"]]
                if not isinstance(found["problem"], (str, dict, type(None))):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                break
            return student, results, from_record(found["problem"])
    why = _why_it_died(process.returncode, timed_out, stopped, time_limit, stderr, walled.kind)
    return student, unfinished(lab, [], why), why


def signal_name(number: int) -> str:
    """SIGKILL for 9; a real-time signal, which signal.Signals does not name past SIGRTMIN and SIGRTMAX
    (ValueError: it ended lab grade in a traceback), as the kernel counts it: SIGRTMIN+6."""
    try:
        return signal.Signals(number).name
    except ValueError:
        if signal.SIGRTMIN < number < signal.SIGRTMAX:
            return f"SIGRTMIN+{number - signal.SIGRTMIN}"
        return f"signal {number}"


def _result(record: Any) -> Result:
    """One result of the worker's line, each field of its type: a line a program forged with points as
    text made the grader's sum of the row raise, a traceback that lost every student's row."""
    fields = {"id": str, "stage": str, "points": int, "passed": bool, "found": str}
    if not isinstance(record, dict) or not all(type(record.get(key)) is kind for key, kind in fields.items()):
        raise TypeError("not a result")
    hint = record.get("hint")
    if not isinstance(hint, (str, type(None))):
        raise TypeError("not a result")
    return Result(record["id"], record["stage"], record["points"], record["passed"], record["found"], hint or "")


def _why_it_died(
    status: int, timed_out: bool, stopped: bool, time_limit: float, stderr: str, wall: str = "none"
) -> str:
    """Why a grading process gave no result, said to the student (an L_ text: the row shows it translated).
    Behind bwrap, which reports its child's death by signal N as exit status 128+N, that is the signal."""
    if wall == "bwrap" and 128 < status < 128 + 65:
        status = 128 - status
    if stopped:
        return L_("interrupted (Ctrl-C)")
    if timed_out:
        return L_(
            "ran past its {limit} s time limit and did not stop when told (a loop that catches every exception, "
            "like a bare except:?); killed at {seconds} s",
            limit=f"{time_limit:g}",
            seconds=f"{time_limit + START_GRACE_S:g}",
        )
    if status == -signal.SIGXCPU:
        return L_("killed at its CPU-time limit (a program computing without end?)")
    if status == -signal.SIGKILL:
        return L_("killed by SIGKILL (out of memory, or past its CPU-time limit?)")
    if status < 0:
        return L_("killed by {signal}", signal=signal_name(-status))
    last = (stderr.strip().splitlines() or [L_("exit status {status}, no result", status=status)])[-1]
    return L_("crashed: {error}", error=last[:300])
