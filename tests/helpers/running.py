"""A `lanlab` command running in the background (on this host or in a lab namespace).

Commands that serve print where they listen on their first line; `Running` reads it, so
tests ask for port 0 and never race for a port.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time


class Running:
    """`python -m lanlab ARGS` in the background; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, *args: str, ns=None, preexec_fn=None, first_line_timeout: float = 10.0):
        argv = [sys.executable, "-m", "lanlab", *args]
        if ns is not None:
            argv = ns.argv(*argv)
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn
        )
        # Lines are read from the descriptor here, not through proc.stdout's buffer: a readline() there can
        # take two lines at once, and a select() after it then waits for data that already came.
        self._pending = b""
        self.first_line = self._line(time.monotonic() + first_line_timeout)
        self._read: list[str] = []  # lines after the first, taken by expect()
        if not self.first_line:
            self.stop()
            raise AssertionError(f"{args} printed nothing; stderr: {self.stderr}")

    @property
    def port(self) -> int:
        """The port named by the first line (text "...:PORT ..." or JSON {"port": PORT})."""
        if self.first_line.startswith("{"):
            return json.loads(self.first_line)["port"]
        return int(re.search(r":(\d+)\b", self.first_line).group(1))

    def expect(self, text: str, timeout: float = 10.0) -> str:
        """Read output lines until one contains `text` (instead of sleeping); return that line."""
        deadline = time.monotonic() + timeout
        while line := self._line(deadline):
            self._read.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s; got {self._read}")

    def _line(self, deadline: float) -> str:
        """The next line of output ("" at the deadline or the end), read from the descriptor as it comes."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._pending and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([fd], [], [], left)
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                break
            self._pending += chunk
        line, newline, self._pending = self._pending.partition(b"\n")
        if not newline:  # the deadline or the end: keep what came for stop() and wait()
            self._pending = line
            return ""
        return (line + newline).decode("utf-8", "replace")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 5.0) -> int:
        """Signal the command, collect its output into .stdout/.stderr; return its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            rest, self.stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest, self.stderr = self.proc.communicate()
        self.stdout = "".join(self._read) + self._pending.decode("utf-8", "replace") + rest
        return self.proc.returncode

    def wait(self, timeout: float = 10.0) -> int:
        """Wait for the command to end by itself; return its exit status."""
        deadline = time.monotonic() + timeout
        rest, self.stderr = self.proc.communicate(timeout=max(deadline - time.monotonic(), 0))
        self.stdout = "".join(self._read) + self._pending.decode("utf-8", "replace") + rest
        return self.proc.returncode

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.stop(signal.SIGKILL)


def lanlab(*args: str, input: str | None = None, timeout: float = 20.0) -> subprocess.CompletedProcess:
    """Run `python -m lanlab ARGS` to the end (stdin from `input`, or empty)."""
    return subprocess.run(
        [sys.executable, "-m", "lanlab", *args], input=input or "", capture_output=True, text=True, timeout=timeout
    )
