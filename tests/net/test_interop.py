"""Interoperability: the note's programs (unchanged) and socat/ncat talk to our tools.

The note's programs hard-code 127.0.0.1:7788, so each runs inside a fresh network namespace:
its own loopback, no clash with anything on this machine. They are read from $LANLAB_SEED
(default: ../shared/seed beside the repository), never copied into it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from running import Running, lanlab

REPO = Path(__file__).resolve().parents[2]
SEED = Path(os.environ.get("LANLAB_SEED", REPO.parent / "shared" / "seed"))
PROGRAMS = SEED / "programs"
# The note's programs print while they wait for input: unbuffered and UTF-8, or their output
# would sit in a pipe buffer. Environment only; the programs themselves are untouched.
NOTE_ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}

needs_seed = pytest.mark.skipif(
    not PROGRAMS.is_dir(), reason=f"the note's programs are not at {PROGRAMS} (set LANLAB_SEED)"
)


def note_program(name: str) -> str:
    return str(PROGRAMS / name)


def wait_listening(port: int, ns=None, timeout: float = 5.0) -> None:
    """Wait until something listens on TCP `port` (asked of `ss`, so no accept is consumed)."""
    argv = ["ss", "-ltnH", f"sport = :{port}"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = (ns.run(*argv) if ns is not None else subprocess.run(argv, capture_output=True, text=True)).stdout
        if out.strip():
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@needs_seed
def test_note_tcp_client_gets_the_reply_from_our_server(lab):
    """tcp_client.py, fed "你好" on stdin, receives b'thank YOU!' from `lanlab tcp serve`."""
    ns = lab.namespace("tcp")
    with Running("tcp", "serve", ns=ns) as server:
        client = ns.run(sys.executable, note_program("tcp_client.py"), input="你好\n", env=NOTE_ENV, timeout=10)
        server.stop()
    assert "接收的数据为:b'thank YOU!'" in client.stdout
    assert "6 B  你好" in server.stdout


@needs_seed
def test_our_client_talks_gb2312_to_the_note_server_once(lab):
    """`tcp connect --encoding gb2312` sends 你好 the way tcp_server_once.py decodes it."""
    ns = lab.namespace("tcp")
    server = ns.popen(
        sys.executable,
        note_program("tcp_server_once.py"),
        env=NOTE_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_listening(7788, ns)
        talked = ns.lanlab("tcp", "connect", "127.0.0.1", "7788", "--encoding", "gb2312", "--send", "你好", timeout=10)
        printed, errors = server.communicate(timeout=10)
    finally:
        server.kill()
    assert talked.returncode == 0 and talked.stdout == "thank YOU!\n"
    assert "接收数据为：你好" in printed and errors == ""


@needs_seed
def test_our_client_talks_to_the_note_server_loop_twice(lab):
    """tcp_server_loop.py serves our client on two connections in a row.

    The loop server decodes UTF-8 whatever is said, so the text is ASCII (the same bytes in
    gb2312 and UTF-8): Chinese in gb2312 would crash the note's program, not ours.
    """
    ns = lab.namespace("tcp")
    server = ns.popen(
        sys.executable,
        note_program("tcp_server_loop.py"),
        env=NOTE_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_listening(7788, ns)
        replies = [
            ns.lanlab(
                "tcp", "connect", "127.0.0.1", "7788", "--encoding", "gb2312", "--send", f"hello {n}", timeout=10
            ).stdout
            for n in (1, 2)
        ]
    finally:
        server.kill()
        printed, _ = server.communicate(timeout=10)
    assert replies == ["thank YOU!\n", "thank YOU!\n"]
    assert "接收数据为：hello 1" in printed and "接收数据为：hello 2" in printed


@needs_seed
def test_note_broadcast_sender_gets_replies_from_our_listeners(lan):
    """udp_broadcast_sender.py on one host hears `udp listen --reply` on the two others."""
    sender, *listeners = lan(3).hosts
    sender.run("ip", "route", "add", "default", "dev", "eth0")  # '<broadcast>' needs a route
    running = [Running("udp", "listen", "--reply", f"thank YOU from {host.ip}", ns=host) for host in listeners]
    program = sender.popen(
        sys.executable,
        note_program("udp_broadcast_sender.py"),
        env=NOTE_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    heard = []
    try:
        deadline = time.monotonic() + 10
        while len(heard) < 2 and time.monotonic() < deadline:
            line = program.stdout.readline()
            if line.startswith("Received from"):
                heard.append(line.strip())
    finally:
        program.kill()
        program.communicate()
        for listener in running:
            listener.stop()
    for host, listener in zip(listeners, running):
        assert f"Received from ('{host.ip}', 7788): b'thank YOU from {host.ip}'" in heard
        assert f"  {sender.ip}:" in listener.stdout and "2 B  Hi" in listener.stdout


def test_socat_and_ncat_as_clients_of_our_server():
    """socat and ncat send a line to `tcp serve` and read the reply; both are logged."""
    tools = [tool for tool in ("socat", "ncat") if shutil.which(tool)]
    if not tools:
        pytest.skip("neither socat nor ncat is installed (.ci/run installs them)")
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1") as server:
        argv = {
            "socat": ["socat", "-", f"TCP:127.0.0.1:{server.port}"],
            "ncat": ["ncat", "127.0.0.1", str(server.port)],
        }
        outputs = [
            subprocess.run(argv[tool], input=f"hi from {tool}\n", capture_output=True, text=True, timeout=10).stdout
            for tool in tools
        ]
        server.stop()
    assert outputs == ["thank YOU!\n"] * len(tools)
    for tool in tools:
        assert f"hi from {tool}" in server.stdout


def test_ncat_chat_clients_get_non_ascii_lines_intact():
    """Two ncat clients in our chat room: a Chinese line arrives byte for byte."""
    if shutil.which("ncat") is None:
        pytest.skip("ncat is not installed (.ci/run installs it)")
    line = "大家好，我是 ncat\n".encode()
    with Running("tcp", "serve", "--port", "0", "--bind", "127.0.0.1", "--mode", "chat") as server:
        hearer = subprocess.Popen(["ncat", "--recv-only", "127.0.0.1", str(server.port)], stdout=subprocess.PIPE)
        time.sleep(0.3)
        subprocess.run(["ncat", "--send-only", "127.0.0.1", str(server.port)], input=line, timeout=10)
        time.sleep(0.3)
        server.stop()
        heard, _ = hearer.communicate(timeout=10)
    assert heard == line


@pytest.mark.parametrize("tool", ["socat", "ncat"])
def test_our_client_with_a_third_party_server(tool):
    """socat (echo) and ncat (a greeting) serve our gb2312 client; text shows intact."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it)")
    port = free_port()
    if tool == "socat":
        server = subprocess.Popen(["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", "PIPE"])
        expected = "你好\n"
    else:
        server = subprocess.Popen(
            ["ncat", "-l", "127.0.0.1", str(port)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
        )
        server.stdin.write("欢迎光临\n".encode("gb2312"))
        server.stdin.close()
        expected = "欢迎光临\n"
    try:
        wait_listening(port)
        talked = lanlab(
            "tcp",
            "connect",
            "127.0.0.1",
            str(port),
            "--encoding",
            "gb2312",
            "--send",
            "你好",
            "--wait",
            "1" if tool == "ncat" else "0.5",
        )
    finally:
        server.kill()
        server.wait()
    assert talked.returncode == 0, talked.stderr
    assert talked.stdout == expected
