"""`lanlab tcp serve|connect` as processes on loopback: logs, JSON, signals, limits, errors."""

from __future__ import annotations

import json
import resource
import signal
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from running import Running, lanlab


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_logs_clients_and_says_how_many_were_served_on_signal(signum):
    """Connect, message and disconnect are logged; SIGINT/SIGTERM end it cleanly with a count."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1") as server:
        for text in ("你好", "again"):
            talked = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", text)
            assert talked.returncode == 0 and talked.stdout == "thank YOU!\n"
        assert server.stop(signum) == 0
    assert "listening on tcp 127.0.0.1:" in server.first_line
    assert server.stdout.count(" + 127.0.0.1:") == 2
    assert server.stdout.count(" - 127.0.0.1:") == 2
    assert "6 B  你好" in server.stdout
    assert server.stdout.rstrip().endswith("served 2 clients (0 refused)")
    assert "Traceback" not in server.stderr


def test_serve_json_is_one_event_per_line():
    """--json logs listening, connect, message, disconnect and shutdown as JSON lines."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--json") as server:
        lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "hi")
        server.stop()
    events = [json.loads(line) for line in [server.first_line, *server.stdout.splitlines()]]
    assert [e["event"] for e in events] == ["listening", "connect", "message", "disconnect",
                                            "shutdown"]
    assert events[2]["text"] == "hi" and events[2]["bytes"] == 2
    assert events[-1]["served"] == 1


def test_connect_reads_stdin_lines_when_not_a_terminal():
    """Piped lines are sent; in echo mode they come back and the client exits when done."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "echo") as server:
        talked = lanlab("tcp", "connect", "127.0.0.1", str(server.port), input="one\n二\n")
    assert talked.returncode == 0
    assert talked.stdout == "one\n二\n"


def test_chat_between_two_connect_clients():
    """Two `tcp connect` clients in chat mode: a line from one is printed by the other."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "chat") as server:
        listener = subprocess.Popen(
            [sys.executable, "-m", "lanlab", "tcp", "connect", "127.0.0.1", str(server.port),
             "--send", "我在这里", "--wait", "2"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        speaker = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "来了",
                         "--wait", "0.2")
        heard, _ = listener.communicate(timeout=10)
        server.stop()
    assert speaker.stdout == ""              # it joined after the first line was said
    assert heard == "来了\n"
    assert "我在这里" in server.stdout and "来了" in server.stdout


def test_gigabyte_without_newline_does_not_grow_server_memory():
    """A client streaming without a newline is cut at --max-line; server memory stays flat."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "chat") as server:
        before = rss_kib(server.proc.pid)
        flood = socket.create_connection(("127.0.0.1", server.port))
        flood.settimeout(2)
        chunk, sent = b"A" * 65536, 0
        try:
            while sent < 1 << 30:             # stops well before a GiB: the server closes us
                sent += flood.send(chunk)
        except OSError:
            pass
        notice = b""
        try:
            while data := flood.recv(4096):
                notice += data
        except OSError:
            pass
        flood.close()
        after = rss_kib(server.proc.pid)
        served = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "x", "--wait",
                        "0.1")
    assert notice.startswith(b"line longer than 65536 bytes; closing")
    assert sent < 64 << 20
    assert after - before < 8 * 1024
    assert served.returncode == 0


def test_running_out_of_descriptors_is_logged_once_not_flooded():
    """With 32 descriptors and 60 clients the server warns a few times, then serves again."""
    def few_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))

    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", preexec_fn=few_descriptors,
                 ) as server:
        crowd = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(60)]
        time.sleep(1.0)
        for sock in crowd:
            sock.close()
        time.sleep(0.5)
        after = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "x")
        server.stop()
    warnings = [line for line in server.stdout.splitlines() if "cannot accept" in line]
    assert 1 <= len(warnings) <= 2
    assert "Too many open files" in warnings[0]
    assert after.stdout == "thank YOU!\n"
    assert server.stderr == ""


def test_serve_on_a_busy_port_is_one_line_and_exit_2():
    """Port already taken: one line suggesting another --port, exit 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = lanlab("tcp", "serve", "--port", str(taken.getsockname()[1]), "--bind", "127.0.0.1")
    assert result.returncode == 2
    assert result.stderr.startswith("lanlab: tcp 127.0.0.1:") and result.stderr.count("\n") == 1
    assert "already in use" in result.stderr


def test_connect_refused_is_one_line_and_exit_2():
    """Nothing listening: 'connection refused' in one line, exit 2."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = lanlab("tcp", "connect", "127.0.0.1", str(port), "--send", "x")
    assert result.returncode == 2
    assert result.stderr == (f"lanlab: connection refused by tcp 127.0.0.1:{port}: nothing "
                             "listens there (is the server running?)\n")


def test_connect_timeout_is_one_line_and_exit_2():
    """A handshake never answered (full accept queue): 'timed out' in one line, exit 2."""
    with socket.socket() as full:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        port = full.getsockname()[1]
        fillers = [socket.socket() for _ in range(4)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        result = lanlab("tcp", "connect", "127.0.0.1", str(port), "--send", "x", "--timeout", "0.3")
        for filler in fillers:
            filler.close()
    assert result.returncode == 2
    assert "timed out" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("args, message", [
    (["serve", "--mode", "shout"], "'shout' is not one of"),
    (["serve", "--reply", "é", "--encoding", "ascii"], "cannot be written in ascii"),
    (["serve", "--idle-timeout", "soon"], "not a number with a unit"),
    (["connect", "127.0.0.1", "70000"], "70000 is not in the range"),
    (["connect", "127.0.0.1", "7", "--send", "é", "--encoding", "ascii"], "cannot be written"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    """Invalid options end with exit status 2 and a message, never a traceback."""
    result = CliRunner().invoke(cli, ["tcp", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_connect_to_an_unreachable_network_is_one_line_and_exit_2(lab):
    """In a namespace with no route to 198.18.9.9: 'network is unreachable', exit 2."""
    isolated = lab.namespace("alone")
    result = isolated.lanlab("tcp", "connect", "198.18.9.9", "7788", "--send", "x")
    assert result.returncode == 2
    assert result.stderr == ("lanlab: tcp 198.18.9.9:7788: network is unreachable (no route to "
                             "it; see `ip route`)\n")


def test_connect_is_full_duplex_on_a_terminal():
    """Typing on a terminal: a line from elsewhere is printed while our input is still open."""
    import os
    import pty
    import select

    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "chat") as server:
        keyboard, terminal = pty.openpty()
        client = subprocess.Popen([sys.executable, "-m", "lanlab", "tcp", "connect", "127.0.0.1",
                                   str(server.port)], stdin=terminal, stdout=subprocess.PIPE)
        os.close(terminal)
        try:
            time.sleep(0.5)
            lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "早上好", "--wait",
                   "0.1")
            ready, _, _ = select.select([client.stdout], [], [], 5)
            heard = client.stdout.readline() if ready else b""
            assert client.poll() is None                # still connected, still reading input
            other = subprocess.Popen([sys.executable, "-m", "lanlab", "tcp", "connect",
                                      "127.0.0.1", str(server.port), "--send", "x", "--wait", "2"],
                                     stdout=subprocess.PIPE)
            time.sleep(0.5)
            os.write(keyboard, "你好\n".encode())
            typed, _ = other.communicate(timeout=10)
        finally:
            client.kill()
            client.wait()
            os.close(keyboard)
    assert heard.decode() == "早上好\n"
    assert typed.decode() == "你好\n"


def test_max_clients_and_idle_timeout_flags_reach_the_server():
    """--max-clients 1 refuses a second client; --idle-timeout closes the silent first one."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--max-clients", "1",
                 "--idle-timeout", "2") as server:
        silent = socket.create_connection(("127.0.0.1", server.port))
        time.sleep(0.1)
        refused = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "x")
        silent.settimeout(5)
        notice = silent.recv(100)
        silent.close()
        server.stop()
    assert refused.stdout == "server full (1 connected); try again later\n"
    assert notice == b"idle for 2s; closing\n"
    assert "refused: max clients" in server.stdout


def test_serve_keeps_serving_when_the_log_reader_goes_away():
    """`lanlab tcp serve | head -1`: once the pipe closes, clients are still answered."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1") as server:
        server.proc.stdout.close()                  # the reader (head) is gone
        answers = [lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", text,
                          timeout=10).stdout for text in ("a", "b")]
        server.proc.send_signal(signal.SIGTERM)
        status = server.proc.wait(timeout=5)
        errors = server.proc.stderr.read()
    assert answers == ["thank YOU!\n", "thank YOU!\n"]
    assert status == 0
    assert errors == "lanlab: the log's reader closed the pipe; going on without a log\n"
