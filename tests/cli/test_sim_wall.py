"""The walls under `lanlab sim run --app`: a network namespace for every run with programs, and
`--sandbox` (bubblewrap) with `--app-limits` for code nobody trusts (issue 11, items 2 and 4)."""

from __future__ import annotations

import functools
import json
import mmap
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.cli.sim_wall import enter_network_namespace

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = str(REPO / "examples" / "broadcast.yaml")
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")


@functools.cache
def _namespaces_refused() -> str | None:
    """Why this kernel will not give an unprivileged process a network namespace (None: it will)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0 if enter_network_namespace() is None else 1)
    _, status = os.waitpid(pid, 0)
    return None if os.waitstatus_to_exitcode(status) == 0 else "this kernel refuses new network namespaces"


needs_namespaces = pytest.mark.skipif(_namespaces_refused() is not None, reason=str(_namespaces_refused()))

# Every way out a program has: through the door (the simulated socket answers) and around it
# (the real _socket and posix found through gc, which only the wall stops). Each prints one line.
LEAKS = """
import gc, importlib, os, sys, types, urllib.request, http.client, _socket
port = int(sys.argv[1])
connect = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)"

def attempt(name, action):
    try:
        action()
        print(name, "returned")
    except BaseException as error:
        print(name, type(error).__name__)

def real(name):
    return [m for m in gc.get_objects() if isinstance(m, types.ModuleType) and m.__name__ == name
            and getattr(m, "__builtins__", None) is not __builtins__][0]

attempt("urlopen", lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2))
attempt("http.client", lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/"))
attempt("_socket", lambda: _socket.socket().connect(("127.0.0.1", port)))
attempt("importlib", lambda: importlib.import_module("socket").create_connection(("127.0.0.1", port), 2))
attempt("sys.modules", lambda: sys.modules["socket"].create_connection(("127.0.0.1", port), 2))
attempt("os.spawnvp", lambda: os.spawnvp(os.P_WAIT, sys.executable, [sys.executable, "-c", connect]))
attempt("subprocess", lambda: importlib.import_module("subprocess").run([sys.executable, "-c", connect]))
attempt("gc _socket", lambda: real("_socket").socket().connect(("127.0.0.1", port)))
attempt("gc posix", lambda: real("posix").system(f"{sys.executable} -c \\"{connect}\\""))
"""
ATTEMPTS = (
    "urlopen",
    "http.client",
    "_socket",
    "importlib",
    "sys.modules",
    "os.spawnvp",
    "subprocess",
    "gc _socket",
    "gc posix",
)


def write(path: Path, source: str) -> Path:
    path.write_text(textwrap.dedent(source))
    return path


class Listener:
    """A TCP listener on 127.0.0.1 in the machine's own namespace, counting who reached it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.sock.getsockname()[1]

    def arrived(self) -> int:
        self.sock.setblocking(False)
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    made = Listener()
    yield made
    made.close()


def lanlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lanlab", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def attempted(stdout: str) -> list[str]:
    """The leak attempts a run's program reported, in order."""
    lines = [line.split(" | ", 1)[1] for line in stdout.splitlines() if " | " in line]
    return [line.rsplit(" ", 1)[0] for line in lines if line.rsplit(" ", 1)[0] in ATTEMPTS]


def test_the_listener_counts_a_real_connection(listener):
    """The oracle works: a connection from this namespace is counted."""
    socket.create_connection(("127.0.0.1", listener.port), timeout=2).close()
    assert listener.arrived() == 1


@needs_namespaces
def test_no_leak_path_reaches_a_listener_outside_the_simulation(tmp_path, listener):
    """urlopen, http.client, _socket, importlib, sys.modules, os.spawnvp, subprocess and the real modules dug
    out of gc all try 127.0.0.1:PORT of this machine from a program: zero connections arrive."""
    program = write(tmp_path / "leaks.py", LEAKS)
    result = lanlab("sim", "run", EXAMPLE, "--until", "5s", "--app", f"pc1={program}", "--arg", f"pc1={listener.port}")
    assert attempted(result.stdout) == list(ATTEMPTS), result.stdout + result.stderr
    assert listener.arrived() == 0, result.stdout
    assert "no network-namespace wall" not in result.stderr


@needs_namespaces
def test_json_names_the_wall(tmp_path):
    """--json says what kept the programs in: a network namespace."""
    program = write(tmp_path / "hello.py", "print('hi')\n")
    result = lanlab("sim", "run", EXAMPLE, "--until", "1s", "--app", f"pc1={program}", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["wall"] == {"kind": "namespace", "reason": None}


def test_where_the_kernel_refuses_the_report_says_so_in_one_line(tmp_path, monkeypatch):
    """unshare refused: the run goes on, one warning line says there is no wall, --json gives the reason."""

    def refuse(flags):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("lanlab.cli.sim_wall.unshare", refuse)
    program = write(tmp_path / "hello.py", "print('hi')\n")
    text = CliRunner().invoke(cli, ["sim", "run", EXAMPLE, "--until", "1s", "--app", f"pc1={program}"])
    assert text.exit_code == 0 and "pc1 | hi" in text.stdout
    warnings = [line for line in text.stderr.splitlines() if "no network-namespace wall" in line]
    assert len(warnings) == 1 and "Operation not permitted" in warnings[0] and warnings[0].startswith("lanlab: ")
    document = CliRunner().invoke(cli, ["sim", "run", EXAMPLE, "--until", "1s", "--app", f"pc1={program}", "--json"])
    assert json.loads(document.stdout)["wall"]["kind"] == "none"
    assert "Operation not permitted" in json.loads(document.stdout)["wall"]["reason"]


def test_output_and_exit_status_are_the_same_through_the_wall(tmp_path):
    """The walled child's output and status reach a terminal-less caller (CliRunner) exactly as a shell sees them."""
    program = write(
        tmp_path / "noisy.py",
        """
        import sys, time
        print("first")
        print("to stderr", file=sys.stderr)
        time.sleep(0.5)
        print("last")
        raise SystemExit(3)
    """,
    )
    args = ["sim", "run", EXAMPLE, "--until", "1s", "--app", f"pc2={program}"]
    shell = lanlab(*args)
    runner = CliRunner().invoke(cli, args)
    assert shell.returncode == runner.exit_code == 1
    assert shell.stdout == runner.stdout and "[  0.500000] pc2 | last" in shell.stdout
    assert f"pc2 {program}: exit 3" in shell.stdout


# -- --sandbox and --app-limits -------------------------------------------------------------------
def test_help_says_programs_run_with_the_users_rights():
    """--help of sim run warns that --app runs with the user's rights and points at --sandbox."""
    result = CliRunner().invoke(cli, ["sim", "run", "--help"])
    text = " ".join(result.output.split())
    assert "runs with YOUR rights" in text and "--sandbox" in text and "--app-limits" in text


def test_sandbox_without_bubblewrap_is_a_one_line_error(tmp_path, monkeypatch):
    """No bwrap on PATH: exit 2 and one line saying how to install it."""
    monkeypatch.setattr("lanlab.cli.sim_wall.shutil.which", lambda name: None)
    program = write(tmp_path / "hello.py", "print('hi')\n")
    result = CliRunner().invoke(cli, ["sim", "run", EXAMPLE, "--app", f"pc1={program}", "--sandbox"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        ("lanlab: --sandbox needs bubblewrap, which is not installed (Debian/Ubuntu: apt install bubblewrap)")
    ]


@pytest.mark.parametrize(
    ("limits", "says"),
    [
        ("cpu=abc", "--app-limits cpu=abc:"),
        ("cpu=0.5s", "whole seconds"),
        ("mem=12", "64MiB or more"),
        ("disk=1G", "expected cpu=DURATION and/or mem=SIZE"),
        ("mem=1GiB,mem=2GiB", "mem is given twice"),
        ("mem=1e30", "more than a process can address"),
        ("mem=inf", "expected a size like 512MiB"),
        ("mem=nan", "expected a size like 512MiB"),
    ],
)
def test_bad_limits_are_one_line_errors(tmp_path, limits, says):
    """--app-limits that cannot be applied: exit 2, one line naming the mistake."""
    program = write(tmp_path / "hello.py", "print('hi')\n")
    result = CliRunner().invoke(cli, ["sim", "run", EXAMPLE, "--app", f"pc1={program}", "--app-limits", limits])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and says in result.stderr


def test_limits_without_programs_are_refused():
    """--app-limits with no --app says to add one."""
    result = CliRunner().invoke(cli, ["sim", "run", EXAMPLE, "--app-limits", "cpu=5s"])
    assert result.exit_code == 2 and "add --app" in result.stderr


@needs_bwrap
def test_sandbox_has_no_network_and_a_read_only_filesystem(tmp_path, listener):
    """Under --sandbox a program reaches no listener of the machine, writes in the run's directory only."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    outside = Path("/var/tmp") / f"lanlab-sandbox-probe-{os.getpid()}"
    program = write(
        run_dir / "probe.py",
        LEAKS
        + f"""
try:
    open({str(outside)!r}, "w").write("escaped")
    print("outside written")
except OSError as error:
    print("outside", error.strerror)
open({str(run_dir / "inside.txt")!r}, "w").write("kept")
print("inside written")
""",
    )
    try:
        result = lanlab(
            "sim",
            "run",
            EXAMPLE,
            "--until",
            "5s",
            "--app",
            f"pc1={program.name}",
            "--arg",
            f"pc1={listener.port}",
            "--sandbox",
            "--json",
            cwd=run_dir,
        )
        assert not outside.exists()
    finally:
        outside.unlink(missing_ok=True)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    texts = [line["text"] for line in document["programs"][0]["output"]]
    assert document["wall"] == {"kind": "sandbox", "reason": None}
    assert "outside Read-only file system" in texts and "inside written" in texts
    assert (run_dir / "inside.txt").read_text() == "kept"
    assert listener.arrived() == 0


@needs_bwrap
def test_sandbox_lets_the_hosts_write_in_files_dir(tmp_path):
    """--files DIR outside the current directory stays writable under --sandbox: DIR/pc1/hello.txt is kept."""
    run_dir, kept = tmp_path / "run", tmp_path / "kept"
    run_dir.mkdir()
    program = write(run_dir / "hello.py", "open('hello.txt', 'w').write('hi')\nprint('written')\n")
    result = lanlab(
        "sim",
        "run",
        EXAMPLE,
        "--until",
        "1s",
        "--app",
        f"pc1={program.name}",
        "--files",
        str(kept),
        "--sandbox",
        cwd=run_dir,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (kept / "pc1" / "hello.txt").read_text() == "hi"


@needs_bwrap
def test_sandbox_cpu_limit_stops_a_busy_loop(tmp_path):
    """--app-limits cpu=1s: a program that never waits is stopped, one line says why, exit 1."""
    program = write(tmp_path / "busy.py", "while True:\n    pass\n")
    result = lanlab(
        "sim", "run", EXAMPLE, "--app", f"pc1={program.name}", "--sandbox", "--app-limits", "cpu=1s", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "the run used its CPU time (--app-limits cpu=1s) and was stopped" in result.stderr


@needs_bwrap
def test_sandbox_memory_limit_is_a_memory_error_in_the_program(tmp_path):
    """--app-limits mem=256MiB: allocating 1 GiB is a MemoryError in that program; the run still reports."""
    program = write(tmp_path / "greedy.py", "block = bytearray(1 << 30)\nprint('allocated')\n")
    result = lanlab(
        "sim",
        "run",
        EXAMPLE,
        "--until",
        "1s",
        "--app",
        f"pc1={program.name}",
        "--sandbox",
        "--app-limits",
        "mem=256MiB",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert "pc1 greedy.py: exit 1: MemoryError" in result.stdout and "allocated" not in result.stdout


def test_limits_apply_without_the_sandbox_too(tmp_path):
    """--app-limits alone limits the walled child that runs the simulation (here: memory)."""
    program = write(tmp_path / "greedy.py", "block = bytearray(1 << 30)\nprint('allocated')\n")
    result = CliRunner().invoke(
        cli, ["sim", "run", EXAMPLE, "--until", "1s", "--app", f"pc1={program}", "--app-limits", "mem=256MiB"]
    )
    assert result.exit_code == 1 and "exit 1: MemoryError" in result.stdout, result.output


def test_the_memory_limit_counts_from_what_the_caller_already_maps(tmp_path):
    """--app-limits mem= is room for the run beyond the calling process's address space, so a caller with a
    large one (a test runner, a notebook) still runs a small program; a greedy one still hits the limit."""
    small = write(tmp_path / "small.py", "print('ran')\n")
    greedy = write(tmp_path / "greedy.py", "block = bytearray(1 << 30)\nprint('allocated')\n")
    reserved = mmap.mmap(-1, 512 * 1024**2)  # address space only: never touched, so no memory is used
    try:
        runs = [
            CliRunner().invoke(
                cli, ["sim", "run", EXAMPLE, "--until", "1s", "--app", f"pc1={program}", "--app-limits", "mem=256MiB"]
            )
            for program in (small, greedy)
        ]
    finally:
        reserved.close()
    assert runs[0].exit_code == 0 and "ran" in runs[0].stdout, runs[0].output
    assert runs[1].exit_code == 1 and "exit 1: MemoryError" in runs[1].stdout, runs[1].output


def _walled_run(tmp_path: Path, stdout: str) -> subprocess.CompletedProcess[str]:
    """`sim run --app` (which forks behind the wall) with the shell redirecting its standard output."""
    program = write(tmp_path / "hello.py", "print('hi')\n")
    command = f"{sys.executable} -m lanlab sim run {EXAMPLE} --until 1s --app pc1={program} {stdout}"
    return subprocess.run(["bash", "-c", command], capture_output=False, stderr=subprocess.PIPE, text=True, timeout=60)


@needs_namespaces
def test_a_walled_run_with_standard_output_closed_runs_and_says_nothing_wrong(tmp_path):
    """`>&-`: the run goes on, its output goes nowhere, exit 0 (enter_wall flushed None: an AttributeError
    traceback)."""
    result = _walled_run(tmp_path, ">&-")
    assert result.returncode == 0 and result.stderr == "", result.stderr


@needs_namespaces
def test_a_walled_run_writing_to_a_full_device_says_so_in_one_line(tmp_path):
    """`> /dev/full`: one line and exit 2, as an unwalled run says it (the walled child printed the shim's
    tracebacks and exited 1)."""
    result = _walled_run(tmp_path, "> /dev/full")
    assert result.returncode == 2
    assert result.stderr == "lanlab: cannot write the output: No space left on device\n"


def test_sigterm_passed_on_to_a_child_already_reaped_raises_nothing():
    """The parent's SIGTERM handler may run after waitpid reaped the child: passing it on is then nothing
    (os.kill raised ProcessLookupError in the signal handler)."""
    from lanlab.cli.sim_wall import _pass_on

    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    _pass_on(pid, 15)
