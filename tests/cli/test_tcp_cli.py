"""`lanlab tcp serve|connect` as processes on loopback: logs, JSON, signals, limits, errors."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
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


def test_one_client_served_is_said_in_the_singular():
    """The closing line reads "served 1 client (0 refused)", not "1 clients"."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1") as server:
        lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "hi")
        assert server.stop() == 0
    assert server.stdout.rstrip().endswith("served 1 client (0 refused)")


def test_serve_json_is_one_event_per_line():
    """--json logs listening, connect, message, disconnect and shutdown as JSON lines."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--json") as server:
        lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "hi")
        server.stop()
    events = [json.loads(line) for line in [server.first_line, *server.stdout.splitlines()]]
    assert [e["event"] for e in events] == ["listening", "connect", "message", "disconnect", "shutdown"]
    assert events[2]["text"] == "hi" and events[2]["bytes"] == 2
    assert events[-1]["served"] == 1


def test_connect_reads_stdin_lines_when_not_a_terminal():
    """Piped lines are sent; in echo mode they come back and the client exits when done."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "echo") as server:
        talked = lanlab("tcp", "connect", "127.0.0.1", str(server.port), input="one\n二\n")
    assert talked.returncode == 0
    assert talked.stdout == "one\n二\n"


def test_connect_exits_when_the_peer_closes_while_stdin_stays_open():
    """A peer that says one line and closes ends the session at once with status 0, stdin still open (a
    terminal, a pipe): a thread blocked reading stdin aborted the interpreter ("Fatal Python error",
    status 134) after waiting for the input to end."""
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def say_and_close():
            peer, _ = listener.accept()
            with peer:
                peer.sendall(b"bye\n")

        threading.Thread(target=say_and_close, daemon=True).start()
        client = subprocess.Popen(
            [sys.executable, "-m", "lanlab", "tcp", "connect", "127.0.0.1", str(listener.getsockname()[1])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            client.wait(timeout=10)  # stdin left open all along
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait()
        finally:
            client.stdin.close()
        out, err = client.stdout.read(), client.stderr.read()
        client.stdout.close()
        client.stderr.close()
    assert (client.returncode, out, err) == (0, b"bye\n", b"")


def test_connect_refuses_a_piped_line_the_encoding_cannot_write():
    """A piped line --encoding cannot write is the one-line error --send gives, exit 2 (it was sent as
    backslash escapes, status 0)."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "echo") as server:
        talked = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--encoding", "ascii", input="café\n")
    assert (talked.returncode, talked.stderr) == (
        2,
        "lanlab: 'é' cannot be written in ascii; pick another --encoding\n",
    )


def test_echo_mode_logs_each_message_as_reply_mode_does():
    """serve --mode echo logs the lines it echoes (it logged connects and disconnects only, though its help
    promises messages)."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "echo", "--json") as server:
        talked = lanlab("tcp", "connect", "127.0.0.1", str(server.port), input="one\n二\n")
        server.stop()
    assert talked.stdout == "one\n二\n"
    events = [json.loads(line) for line in server.stdout.splitlines()]
    assert [e["text"] for e in events if e["event"] == "message"] == ["one", "二"]


def test_a_client_closed_for_idling_is_logged_at_once_with_why_and_the_count_left():
    """--idle-timeout: the disconnect is logged when the server closes the client, saying it was idle and how
    many clients are left (it said "closed", later, with the count of before)."""
    with (
        Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--idle-timeout", "0.4", "--json") as server,
        socket.create_connection(("127.0.0.1", server.port)) as quiet,
    ):
        quiet.settimeout(5)
        notice = quiet.recv(100)
        server.stop()
    events = [json.loads(line) for line in server.stdout.splitlines()]
    assert notice == b"idle for 0.4s; closing\n"
    [gone] = [e for e in events if e["event"] == "disconnect"]
    assert (gone["reason"], gone["clients"]) == ("idle for 0.4s", 0)


def test_connect_says_when_the_peer_resets_the_connection():
    """A peer that aborts (RST) after one line: the line is shown, then one line says the peer reset the
    connection, exit 2, as ncat reports it (it ended quietly with status 0, as if the peer had closed)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def say_and_abort():
            peer, _ = listener.accept()
            with peer:
                peer.sendall(b"bye\n")
                peer.recv(10)
                peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

        threading.Thread(target=say_and_abort, daemon=True).start()
        port = listener.getsockname()[1]
        talked = lanlab("tcp", "connect", "127.0.0.1", str(port), "--send", "x", "--wait", "5")
    assert (talked.returncode, talked.stdout) == (2, "bye\n")
    assert talked.stderr == (
        f"lanlab: tcp 127.0.0.1:{port}: the peer reset the connection (it closed with data unread, or aborted)\n"
    )


def test_chat_between_two_connect_clients():
    """Two `tcp connect` clients in chat mode: a line from one is printed by the other."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "chat") as server:
        listener = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lanlab",
                "tcp",
                "connect",
                "127.0.0.1",
                str(server.port),
                "--send",
                "我在这里",
                "--wait",
                "60",  # ended below once it has heard; a slow start of the speaker cannot outlast it
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            server.expect("我在这里")  # said before the speaker joins, however slow the start
            speaker = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "来了", "--wait", "0.2")
            ready, _, _ = select.select([listener.stdout], [], [], 15)
            heard = listener.stdout.readline() if ready else ""
        finally:
            listener.kill()
            listener.communicate(timeout=15)
        server.stop()
    assert speaker.stdout == ""  # it joined after the first line was said
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
            while sent < 1 << 30:  # stops well before a GiB: the server closes us
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
        served = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "x", "--wait", "0.1")
    assert notice.startswith(b"line longer than 65536 bytes; closing")
    assert sent < 64 << 20
    assert after - before < 8 * 1024
    assert served.returncode == 0


def test_running_out_of_descriptors_is_logged_once_not_flooded():
    """With 32 descriptors and 60 clients the server warns a few times, then serves again."""

    def few_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))

    with Running(
        "tcp",
        "serve",
        "--port",
        "0",
        "--bind",
        "127.0.0.1",
        preexec_fn=few_descriptors,
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


def test_connect_refused_is_one_line_and_exit_1():
    """Nothing listening: 'connection refused' in one line, exit 1 (no answer, as `sim run --do` counts it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = lanlab("tcp", "connect", "127.0.0.1", str(port), "--send", "x")
    assert result.returncode == 1
    assert result.stderr == (
        f"lanlab: connection refused by tcp 127.0.0.1:{port}: nothing listens there (is the server running?)\n"
    )


def test_connect_timeout_is_one_line_and_exit_1():
    """A handshake never answered (full accept queue): 'timed out' in one line, exit 1 (no answer)."""
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
    assert result.returncode == 1
    assert "timed out" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [["connect", "127.0.0.1", "9", "--timeout", "0"], ["serve", "--idle-timeout", "0ms"]])
def test_a_timeout_of_zero_is_refused_before_anything_is_tried(args):
    """--timeout 0 (connect) and --idle-timeout 0 (serve) would give up at once: one line saying so, exit 2."""
    result = lanlab("tcp", *args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "is no time to wait: give more than 0, like 5s" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["serve", "--mode", "shout"], "'shout' is not one of"),
        (["serve", "--reply", "é", "--encoding", "ascii"], "cannot be written in ascii"),
        (["serve", "--idle-timeout", "soon"], "not a number with a unit"),
        (["connect", "127.0.0.1", "70000"], "70000 is not in the range"),
        (["connect", "127.0.0.1", "7", "--send", "é", "--encoding", "ascii"], "cannot be written"),
    ],
)
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
    assert result.stderr == (
        "lanlab: tcp 198.18.9.9:7788: network is unreachable (no route to it, see `ip route`; or a subnet's "
        "broadcast address, which a TCP connection cannot have)\n"
    )


def test_connect_is_full_duplex_on_a_terminal():
    """Typing on a terminal: a line from elsewhere is printed while our input is still open."""
    import os
    import pty
    import select

    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "chat") as server:
        keyboard, terminal = pty.openpty()
        client = subprocess.Popen(
            [sys.executable, "-m", "lanlab", "tcp", "connect", "127.0.0.1", str(server.port)],
            stdin=terminal,
            stdout=subprocess.PIPE,
        )
        os.close(terminal)
        try:
            # the chat relays only to clients already in the room: wait for the server to log ours
            # (a fixed sleep lost the race under load)
            server.expect("(1 connected)", timeout=30)
            lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "早上好", "--wait", "0.1")
            ready, _, _ = select.select([client.stdout], [], [], 5)
            heard = client.stdout.readline() if ready else b""
            assert client.poll() is None  # still connected, still reading input
            other = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "lanlab",
                    "tcp",
                    "connect",
                    "127.0.0.1",
                    str(server.port),
                    "--send",
                    "x",
                    "--wait",
                    "5",
                ],
                stdout=subprocess.PIPE,
            )
            ready, _, _ = select.select([client.stdout], [], [], 30)
            joined = client.stdout.readline() if ready else b""  # the other one is in the room
            os.write(keyboard, "你好\n".encode())
            typed, _ = other.communicate(timeout=20)
        finally:
            client.kill()
            client.wait()
            os.close(keyboard)
    assert heard.decode() == "早上好\n" and joined == b"x\n"
    assert typed.decode() == "你好\n"


def test_max_clients_and_idle_timeout_flags_reach_the_server():
    """--max-clients 1 refuses a second client; --idle-timeout closes the silent first one."""
    with Running(
        "tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--max-clients", "1", "--idle-timeout", "2"
    ) as server:
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
        server.proc.stdout.close()  # the reader (head) is gone
        answers = [
            lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", text, timeout=10).stdout
            for text in ("a", "b")
        ]
        server.proc.send_signal(signal.SIGTERM)
        status = server.proc.wait(timeout=5)
        errors = server.proc.stderr.read()
    assert answers == ["thank YOU!\n", "thank YOU!\n"]
    assert status == 0
    assert errors == "lanlab: the log's reader closed the pipe; going on without a log\n"


def reset_at_once(port: int, times: int) -> None:
    """Connect and close with SO_LINGER 0 (an RST, no FIN), `times` times."""
    for _ in range(times):
        with socket.socket() as rude:
            rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            rude.connect(("127.0.0.1", port))


def test_resets_under_a_low_descriptor_limit_leak_nothing():
    """With 32 descriptors and --max-clients 5, 500 clients that reset at once leave the
    server serving the next client, with no traceback and no descriptor kept."""

    def few_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))

    with Running(
        "tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--max-clients", "5", preexec_fn=few_descriptors
    ) as server:
        first = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "x")
        time.sleep(0.2)
        at_start = len(os.listdir(f"/proc/{server.proc.pid}/fd"))
        reset_at_once(server.port, 500)
        time.sleep(1.0)
        after = lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", "x")
        time.sleep(0.2)
        at_end = len(os.listdir(f"/proc/{server.proc.pid}/fd"))
        server.stop()
    assert first.stdout == after.stdout == "thank YOU!\n"
    assert at_end <= at_start
    assert "Traceback" not in server.stderr and "cannot accept" not in server.stdout


class ChatCrowd(threading.Thread):
    """`size` chat clients on loopback, each sending lines as fast as the server takes them
    and reading all it is sent, until stop() or `seconds` have passed."""

    LINE = b"a line of chat, as from a busy room\n" * 8

    def __init__(self, port: int, size: int, seconds: float) -> None:
        super().__init__(daemon=True)
        self.port, self.size, self.seconds = port, size, seconds
        self.connected = threading.Event()
        self.running = True

    def run(self) -> None:
        asyncio.run(self._crowd())

    def stop(self) -> None:
        self.running = False
        self.join(timeout=self.seconds + 10)

    async def _crowd(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        clients = [await asyncio.open_connection("127.0.0.1", self.port) for _ in range(self.size)]
        self.connected.set()
        await asyncio.gather(
            *(self._chat(reader, writer, loop, deadline) for reader, writer in clients), return_exceptions=True
        )

    async def _chat(self, reader, writer, loop, deadline) -> None:
        async def read_all():
            while await reader.read(1 << 16):
                pass

        reading = asyncio.ensure_future(read_all())
        try:
            while self.running and loop.time() < deadline:
                writer.write(self.LINE)
                await asyncio.wait_for(writer.drain(), max(deadline - loop.time(), 0.01))
        finally:
            reading.cancel()
            writer.close()


def test_chat_under_load_still_answers_new_clients_and_sigterm():
    """200 clients chatting flat out (30 s at most): a new client is served and SIGTERM stops
    the server within seconds, not once the load ends (before, neither happened in 30 s);
    the log counts what it did not show."""
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "chat") as server:
        crowd = ChatCrowd(server.port, 200, seconds=30)
        crowd.start()
        load_ends = time.monotonic() + crowd.seconds
        try:
            assert crowd.connected.wait(10)
            time.sleep(1.0)
            started = time.monotonic()
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as newcomer:
                newcomer.settimeout(10)
                heard = newcomer.recv(100)
            served_within = time.monotonic() - started
            started = time.monotonic()
            status = server.stop(signal.SIGTERM, timeout=10)
            stopped_within = time.monotonic() - started
            load_still_running = time.monotonic() < load_ends
        finally:
            crowd.stop()
    assert heard.startswith(b"a line of chat"), heard
    assert served_within < 10, served_within
    assert stopped_within < 10 and load_still_running, stopped_within
    assert status == 0, server.stderr
    assert server.stdout.rstrip().endswith("refused)"), server.stdout[-300:]
    assert "more messages not shown" in server.stdout


def connect_with_stdin(
    port: int,
    stdin: bytes,
    env: dict[str, str],
    *args: str,
) -> subprocess.CompletedProcess:
    """`lanlab tcp connect 127.0.0.1 PORT ARGS` with bytes on stdin and the given environment."""
    return subprocess.run(
        [sys.executable, "-m", "lanlab", "tcp", "connect", "127.0.0.1", str(port), *args],
        input=stdin,
        capture_output=True,
        timeout=20,
        env={**os.environ, **env},
    )


def received_by_a_listener(send) -> tuple[bytes, object]:
    """Listen on loopback, run `send(port)`, return (every byte the client sent, its result)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        got: list[bytes] = []

        def accept() -> None:
            connection, _ = listener.accept()
            with connection:
                while data := connection.recv(4096):
                    got.append(data)

        reader = threading.Thread(target=accept, daemon=True)
        reader.start()
        result = send(listener.getsockname()[1])
        reader.join(timeout=10)
    return b"".join(got), result


def test_connect_sends_an_invalid_byte_from_stdin_in_a_strict_utf8_locale():
    """Piped stdin holding a byte that is not UTF-8, read in a strict UTF-8 setting: the line
    is sent as it is and the client ends (it used to lose its stdin reader and hang)."""
    sent, result = received_by_a_listener(
        lambda port: connect_with_stdin(
            port, b"caf\xe9\nok\n", {"PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}
        )
    )
    assert result.returncode == 0, result.stderr
    assert sent == b"caf\xe9\nok\n"


def test_connect_sends_gb2312_stdin_as_gb2312_under_a_utf8_locale():
    """gb2312 bytes piped in under C.UTF-8 with --encoding gb2312 go out as the same 5 bytes,
    not as backslash escapes of surrogates."""
    sent, result = received_by_a_listener(
        lambda port: connect_with_stdin(port, "你好\n".encode("gb2312"), {"LC_ALL": "C.UTF-8"}, "--encoding", "gb2312")
    )
    assert result.returncode == 0, result.stderr
    assert sent == b"\xc4\xe3\xba\xc3\n"


def test_connect_writes_typed_utf8_text_in_the_chosen_encoding():
    """UTF-8 text on stdin with --encoding gb2312 is written in gb2312 (the note's server)."""
    sent, result = received_by_a_listener(
        lambda port: connect_with_stdin(port, "你好\n".encode(), {"LC_ALL": "C.UTF-8"}, "--encoding", "gb2312")
    )
    assert result.returncode == 0, result.stderr
    assert sent == "你好\n".encode("gb2312")


@pytest.mark.parametrize("as_json", [False, True])
def test_serve_log_escapes_what_would_act_on_the_terminal(as_json):
    """C1 controls (CSI, NEL), U+2028 and U+202E in a message are escaped in the log line;
    in JSON they are \\u escapes and the value reads back unchanged."""
    text = "a\x9b2Jb\x85c\u2028d\u202eevil"
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", *(["--json"] if as_json else [])) as server:
        lanlab("tcp", "connect", "127.0.0.1", str(server.port), "--send", text)
        server.stop()
    [line] = [line for line in server.stdout.splitlines() if "evil" in line]
    assert not any(char in line for char in "\x9b\x85\u2028\u202e")
    if as_json:
        assert json.loads(line)["text"] == text
    else:
        assert line.endswith(r"a\x9b2Jb\x85c\u2028d\u202eevil")


def test_serve_with_its_output_on_dev_full_says_the_output_failed_not_the_socket():
    """tcp serve > /dev/full: one line that the output cannot be written, exit 2 (it blamed the socket:
    'tcp 127.0.0.1:0: No space left on device')."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "lanlab", "tcp", "serve", "--port", "0", "--bind", "127.0.0.1"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=20,
        )
    assert (done.returncode, done.stderr) == (2, "lanlab: cannot write the output: No space left on device\n")


@pytest.mark.parametrize("bind", ["224.0.0.1", "239.1.2.3"])
def test_serve_on_a_multicast_address_is_refused_in_one_line(bind):
    """tcp serve --bind GROUP: the kernel binds it and no connection can ever come (it said "listening" and
    served nobody); one line that says so, exit 2."""
    done = lanlab("tcp", "serve", "--bind", bind, "--port", "0", timeout=10)
    assert done.returncode == 2 and "listening" not in done.stdout
    [line] = done.stderr.splitlines()
    assert line.startswith(f"lanlab: --bind {bind} is a multicast or broadcast address, where no TCP connection")


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("nft") is None,
    reason="needs root, unshare and nft",
)
def test_a_routers_network_unreachable_is_no_answer_and_not_blamed_on_our_routes():
    """An ICMP "network unreachable" answering the SYN (a router with no route onward; here nft's reject,
    in a namespace of its own) while this host has its route: one line that says a router answered, exit 1
    as for a router's "host unreachable" (it said "no route to it, see `ip route`", exit 2)."""
    rules = (
        "nft add table inet t && nft add chain inet t out '{ type filter hook output priority 0; }' && "
        "nft add rule inet t out tcp dport 9 reject with icmp type net-unreachable"
    )
    command = f"ip link set lo up && {rules} && {sys.executable} -m lanlab tcp connect 127.0.0.1 9 --timeout 3"
    done = subprocess.run(["unshare", "-n", "sh", "-c", command], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith('lanlab: tcp 127.0.0.1:9: a router on the way answered "network unreachable"')
    assert "see `ip route`" not in done.stderr
