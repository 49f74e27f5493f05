"""`--app NODE=prog.py` on the kernel: the program run with this Python inside the node's
namespace, in its host's own folder, each line it prints (on stdout or stderr, as the simulator
keeps them) kept with the time since the run began (the --json entry has the simulator's keys:
node, path, exit, output, error)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lanlab.program_lines import ending_line

READY_S = 10.0
# Python's start-up takes a tenth of a CPU second even on a loaded machine (load stretches the
# wall clock, not the CPU time): a program past this without sleeping computes, it is not starting.
BUSY_CPU_S = 1.0


@dataclass
class RealProgram:
    node: str
    path: str
    at: float  # seconds after the run began
    stdin: str = ""
    args: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None
    output: list[tuple[float, str]] = field(default_factory=list)
    exit: int | None = None
    error: str | None = None
    started_at: float | None = None
    readers: list[threading.Thread] = field(default_factory=list)

    def start(self, ns: str, t0: float, stdin: int, echo: Any = None, folder: Path | None = None) -> None:
        """Start it inside `ns`, unbuffered (-u) so each line is timed when printed, its stderr in
        the same stream as its stdout (the simulator's program has one output, where they
        interleave as on a terminal), in `folder` (its host's: the programs of one host share it);
        `stdin` is the node's one stream (its programs share it, as programs started from one
        terminal do). Returns once the program waits for something (a socket, its input) or has
        ended, so a program started after it finds it ready, as in virtual time, where starting
        takes none."""
        self.started_at = time.monotonic() - t0
        self.process = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                ns,
                *with_hostname(self.node),
                *without_ipv6(),
                sys.executable,
                "-u",
                str(Path(self.path).resolve()),
                *self.args,
            ],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",  # an invalid byte as U+FFFD, as the simulator decodes a program's output
            cwd=folder if folder is not None else Path(self.path).resolve().parent,
            start_new_session=True,
        )

        def read_out() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                t = round(time.monotonic() - t0, 6)
                self.output.append((t, line.rstrip("\n")))
                if echo is not None:
                    echo(self, t, line.rstrip("\n"))

        self.readers = [threading.Thread(target=read_out, daemon=True)]
        for reader in self.readers:
            reader.start()
        wait_blocked(self.process)

    def stop(self) -> None:
        """At the run's end: an exit status if it ended, else stopped (still running, exit None)."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        else:
            self.exit = process.returncode
        for reader in self.readers:
            reader.join(timeout=2)
        if self.exit not in (None, 0):
            self.error = uncaught([text for _, text in self.output])

    def as_dict(self) -> dict[str, Any]:
        """The --json entry: exactly node, path, exit, output, error, started (as the simulator's)."""
        return {
            "node": self.node,
            "path": self.path,
            "exit": self.exit,
            "output": [{"t": t, "text": text} for t, text in self.output],
            "error": self.error,
            "started": self.started_at is not None,
        }


def with_hostname(node: str) -> list[str]:
    """The command prefix giving the program a UTS namespace named after its node, so
    socket.gethostname() says "pc2" as on the simulated host (without unshare: the machine's)."""
    if shutil.which("unshare") is None:
        return []
    return ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', node]


def uncaught(lines: list[str]) -> str | None:
    """The exception a Python process died of, as the simulator's `error` (the lines
    traceback.format_exception_only gives): what follows the frames of the last traceback it
    printed, or a SyntaxError's last line; None when it printed none (`sys.exit("message")`
    prints the message and exits 1 with no exception: the simulator keeps no error for it)."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i] == "Traceback (most recent call last):":
            rest = lines[i + 1 :]
            while rest and rest[0].startswith(" "):  # '  File ...', the source line, ^^^ markers
                rest = rest[1:]
            return "\n".join(rest).strip() or None
    last = next((line for line in reversed(lines) if line.strip()), "")
    return last if last.startswith(("SyntaxError: ", "IndentationError: ", "TabError: ")) else None


def without_ipv6() -> list[str]:
    """The command prefix under which the program's socket(AF_INET6, ...) fails with EAFNOSUPPORT,
    as on a host booted with ipv6.disable=1 (the simulator's hosts: IPv4 only); the namespace's
    disable_ipv6 sysctls take the addresses away but leave AF_INET6 sockets, and a dual-stack
    server, working. A seccomp filter (noipv6.py) installed, then this Python exec'd."""
    return [sys.executable, "-I", "-S", str(Path(__file__).with_name("noipv6.py"))]


def wait_blocked(process: subprocess.Popen[str], limit: float = READY_S) -> None:
    """Until the process sleeps in the kernel twice in a row 20 ms apart (blocked in accept, recv,
    input...), ends, or has computed BUSY_CPU_S without sleeping (a busy loop never blocks):
    Python's start-up (a second on a loaded machine) is over by then."""
    deadline = time.monotonic() + limit
    asleep = 0
    ticks = os.sysconf("SC_CLK_TCK")
    while asleep < 2 and process.poll() is None and time.monotonic() < deadline:
        try:
            # /proc/PID/stat after the name: state (field 3) ... utime, stime (fields 14, 15)
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            state, cpu = fields[0], (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            return
        if cpu >= BUSY_CPU_S:
            return
        asleep = asleep + 1 if state == "S" else 0
        time.sleep(0.02)


def stdin_pipes(programs: list[RealProgram]) -> dict[str, int]:
    """One stdin per node holding its --stdin lines then end of file (the read ends; the write
    ends are closed once written)."""
    pipes: dict[str, int] = {}
    for program in programs:
        if program.node not in pipes:
            read, write = os.pipe()
            os.write(write, program.stdin.encode())  # a few lines: far below a pipe's 64 KiB
            os.close(write)
            pipes[program.node] = read
    return pipes


def report(programs: list[RealProgram]) -> list[str]:
    """One closing line per program, as `sim run` prints."""
    return [ending_line(p.node, p.path, p.exit, p.error, p.started_at is not None) for p in programs]
