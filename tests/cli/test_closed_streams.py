"""The real-network commands started with standard input, output or error closed (`<&-`, `>&-`, `2>&-`), as a
cron job or a script that wants only the exit status starts them: no traceback, no abort, the usual status."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest


def closing(*fds: int):
    """A preexec_fn that closes these descriptors in the child, as the shell's `N>&-` does."""

    def close() -> None:
        for fd in fds:
            os.close(fd)

    return close


def run_closed(fds: tuple[int, ...], *args: str) -> subprocess.CompletedProcess:
    """`python -m lanlab ARGS` with `fds` closed (stderr captured unless it is one of them)."""
    return subprocess.run(
        [sys.executable, "-m", "lanlab", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=closing(*fds),
        timeout=30,
    )


def answering_server(answer: bytes):
    """A loopback TCP server that reads what a client sends until it half-closes, answers `answer` to each
    connection, and records what it read; returns (port, the list of what each connection sent, the listener)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.sendall(answer)
                got = b""
                while data := connection.recv(4096):
                    got += data
                received.append(got)

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], received, listener


@pytest.mark.parametrize("args", [("ip", "192.168.2.7/24", "--json"), ("oui", "00:00:0c", "--json")])
def test_json_to_a_closed_standard_output_is_no_traceback(args):
    """--json with standard output closed: the exit status of the work, not an AttributeError traceback."""
    done = run_closed((1,), *args)
    assert b"Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("fds", [(1,), (1, 2)])
def test_tcp_connect_with_standard_output_closed_ends_as_usual(fds):
    """tcp connect >&- to a server that answers: exit 0 once the peer closed (it died on the first answer: a
    traceback, then uvloop's abort, status 134, as its socket had taken descriptor 1)."""
    port, received, listener = answering_server(b"thank YOU!\n")
    with listener:
        done = run_closed(fds, "tcp", "connect", "127.0.0.1", str(port), "--send", "hi")
    assert done.returncode == 0, done.stderr
    assert received == [b"hi\n"]


def test_tcp_connect_with_standard_input_closed_sends_nothing_and_half_closes():
    """tcp connect <&- without --send: no input, so it half-closes at once and ends when the peer closes
    (an AttributeError traceback on sys.stdin.buffer before)."""
    port, received, listener = answering_server(b"hello\n")
    with listener:
        done = run_closed((0,), "tcp", "connect", "127.0.0.1", str(port))
    assert b"Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert received == [b""]
