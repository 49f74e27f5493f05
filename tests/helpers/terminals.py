"""Reading what a process printed on a pseudo-terminal: a `lanlab sim run` whose stdin, stdout and stderr are a
pty's other side (the tests of a program's streams and /dev/tty when lanlab has a terminal)."""

from __future__ import annotations

import os
import subprocess
import time


def program_lines(main: int, child: subprocess.Popen[bytes], node: str = "pc1") -> list[str]:
    """What `node`'s program printed, read from the pty's `main` side until the run ends (at most 60 s); closes
    `main` and waits for `child`."""
    seen, deadline = b"", time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            try:
                part = os.read(main, 65536)
            except OSError:  # EIO: the terminal's other side is closed, the run is over
                break
            if not part:
                break
            seen += part
    finally:
        os.close(main)
        child.wait(timeout=60)
    lines = seen.decode().replace("\r\n", "\n").splitlines()
    return [line.split(f"{node} | ", 1)[1] for line in lines if f"{node} | " in line]
