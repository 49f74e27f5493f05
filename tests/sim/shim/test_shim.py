"""Programs run unchanged on simulated hosts: the note's four, and typical course programs."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simnets import one_switch as lan

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND as S

REPO = Path(__file__).resolve().parents[3]
SEED = Path(os.environ.get("LANLAB_SEED", REPO.parent / "shared" / "seed")) / "programs"
PROGRAMS = Path(__file__).parent.parent / "programs"
needs_seed = pytest.mark.skipif(not SEED.is_dir(), reason=f"the note's programs are not at {SEED} (set LANLAB_SEED)")


def texts(program) -> list[str]:
    return [text for _, text in program.output]


@needs_seed
def test_broadcast_sender_gets_a_reply_from_every_responder():
    """udp_broadcast_sender.py, unchanged, hears from each host answering on UDP 7788."""
    net = lan("pc1", "pc2", "pc3", "pc4")
    for name, word in (("pc2", "hello"), ("pc3", "hi"), ("pc4", "hey")):
        net.do(f"{name} udp listen 7788 --reply {word}")
    sender = net.node("pc1").run_program(str(SEED / "udp_broadcast_sender.py"))
    run_programs(net, 2 * S)
    assert texts(sender)[0] == "等待对方回复"
    assert sorted(texts(sender)[1:]) == [
        "Received from ('198.18.0.2', 7788): b'hello'",
        "Received from ('198.18.0.3', 7788): b'hi'",
        "Received from ('198.18.0.4', 7788): b'hey'",
    ]
    assert sender.exit is None  # it listens forever, as the note's program does


@needs_seed
def test_tcp_client_gets_thank_you_from_the_once_server():
    """tcp_client.py with stdin "hello" gets "thank YOU!" from tcp_server_once.py (which decodes gb2312)."""
    net = lan("pc1")
    server = net.node("pc1").run_program(str(SEED / "tcp_server_once.py"))
    client = net.node("pc1").run_program(str(SEED / "tcp_client.py"), stdin="hello", at=S // 10)
    run_programs(net, 10 * S)
    assert texts(client) == ["请输入您要发送的数据：接收的数据为:b'thank YOU!'"]
    assert texts(server)[0].startswith("('127.0.0.1', ") and texts(server)[1] == "接收数据为：hello"
    assert server.exit == client.exit == 0


@needs_seed
def test_loop_server_serves_one_client_after_another():
    """tcp_server_loop.py answers two clients in turn and keeps listening."""
    net = lan("pc1")
    server = net.node("pc1").run_program(str(SEED / "tcp_server_loop.py"))
    clients = [
        net.node("pc1").run_program(str(SEED / "tcp_client.py"), stdin=word, at=at * S // 10)
        for word, at in (("first", 1), ("second", 2))
    ]
    run_programs(net, 3 * S)
    for client in clients:
        assert texts(client) == ["请输入您要发送的数据：接收的数据为:b'thank YOU!'"] and client.exit == 0
    assert [t for t in texts(server) if t.startswith("接收")] == ["接收数据为：first", "接收数据为：second"]
    assert server.exit is None


def _bulk_receiver(port, digest):
    import socket

    listener = socket.socket()
    listener.bind(("", port))
    listener.listen(1)
    conn, _ = listener.accept()
    total = hashlib.sha256()
    while chunk := conn.recv(65536):
        total.update(chunk)
    digest.append(total.hexdigest())
    conn.close()


def _bulk_sender(host, port, data):
    import socket

    with socket.create_connection((host, port)) as conn:
        conn.sendall(data)


def test_one_mebibyte_across_two_switches_with_one_percent_loss(tmp_path):
    """1 MiB over a 1% lossy inter-switch link arrives byte-exact; tshark sees retransmissions, nothing malformed."""
    net = Network("two-switches", seed=7)
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.add_switch("sw2")
    net.link("pc1:eth0", "sw1:p1")
    net.link("sw1:p2", "sw2:p1", loss=0.01, delay="1ms")
    net.link("pc2:eth0", "sw2:p2")
    capture = tmp_path / "bulk.pcap"
    net.capture(capture, ["pc1:eth0"])
    data = random.Random(3).randbytes(1 << 20)
    digest: list[str] = []
    receiver = net.node("pc2").run(_bulk_receiver, 5001, digest)
    sender = net.node("pc1").run(_bulk_sender, "pc2", 5001, data)
    run_programs(net, 60 * S)
    net.close()
    assert sender.exit == receiver.exit == 0
    assert digest == [hashlib.sha256(data).hexdigest()]
    assert net.find_link("sw1:p2").counters()["drops"] > 0  # the loss really happened
    assert net.node("pc1").tcp.stack.resets_sent == 0
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed: the capture is not checked")

    def count(display_filter: str) -> int:
        out = subprocess.run(
            ["tshark", "-r", str(capture), "-o", "tcp.check_checksum:TRUE", "-Y", display_filter],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        return len(out.splitlines())

    assert count("tcp.analysis.retransmission || tcp.analysis.fast_retransmission") > 0
    assert count("_ws.malformed || tcp.checksum.status == 0") == 0
    assert count("tcp") > 700


def test_thread_per_client_server_with_threaded_clients():
    """A threading server and five client threads at once: every client gets its own echo."""
    net = lan("server", "pc2")
    server = net.node("server").run_program(str(PROGRAMS / "threaded_echo_server.py"))
    clients = net.node("pc2").run_program(str(PROGRAMS / "threaded_clients.py"), args=["server"], at=S // 100)
    run_programs(net, 5 * S)
    assert texts(clients) == [str(sorted((f"client{i}", f"CLIENT{i}") for i in range(5)))]
    assert sum(t.startswith("done with 198.18.0.2") for t in texts(server)) == 5


def test_select_server_serves_several_clients_in_one_thread():
    """A select() server answers three clients connected at once."""
    net = lan("pc1", "pc2", "pc3", "pc4")
    server = net.node("pc1").run_program(str(PROGRAMS / "select_server.py"))
    clients = [
        net.node(name).run_program(str(PROGRAMS / "simple_client.py"), args=["pc1", "9100", name], at=S // 100)
        for name in ("pc2", "pc3", "pc4")
    ]
    run_programs(net, 5 * S)
    assert [texts(c) for c in clients] == [["got pc2"], ["got pc3"], ["got pc4"]]
    assert texts(server) == ["served 3 messages"] and server.exit == 0


def test_socketserver_threading_tcp_server_answers_line_by_line():
    """socketserver.ThreadingTCPServer with a StreamRequestHandler works over makefile() streams."""
    net = lan("server", "pc2")
    net.node("server").run_program(str(PROGRAMS / "socketserver_upper.py"))
    client = net.node("pc2").run_program(str(PROGRAMS / "line_client.py"), at=S // 100)
    run_programs(net, 5 * S)
    assert texts(client) == ["HELLO", "WORLD"] and client.exit == 0


def test_udp_client_times_out_and_retries_until_the_server_is_up():
    """settimeout + retry: two attempts time out in virtual time, the third is answered."""
    net = lan("server", "pc2")
    net.node("server").run_program(str(PROGRAMS / "udp_time_server.py"), at=S)
    client = net.node("pc2").run_program(str(PROGRAMS / "udp_retry_client.py"))
    run_programs(net, 5 * S)
    assert texts(client)[:2] == ["attempt 1 timed out at 0.5", "attempt 2 timed out at 1.0"]
    assert texts(client)[2].startswith("answer 1.0") and texts(client)[2].endswith("from 198.18.0.1 on attempt 3")


def test_multicast_sender_reaches_the_members_only():
    """Receivers that joined 239.1.2.3 get both datagrams; a host that did not join gets none."""
    net = lan("sender", "pc2", "pc3", "pc4")
    members = [net.node(name).run_program(str(PROGRAMS / "multicast_receiver.py")) for name in ("pc2", "pc3")]
    net.node("sender").run_program(str(PROGRAMS / "multicast_sender.py"), at=S // 100)
    run_programs(net, 2 * S)
    for member, name in zip(members, ("pc2", "pc3")):
        assert texts(member) == [f"{name} got one from 198.18.0.1", f"{name} got two from 198.18.0.1"]
        assert member.exit == 0


def test_errors_have_linux_errno_values():
    """Refused connection, broadcast without SO_BROADCAST, address in use: Linux's exceptions and errno."""
    net = lan("pc1", "pc2")
    seen: list[tuple[str, int]] = []

    def probe():
        import errno
        import socket

        for attempt in (
            lambda: socket.create_connection(("pc2", 1)),
            lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("<broadcast>", 9)),
            lambda: [s.bind(("", 80)) for s in (socket.socket(), socket.socket())],
        ):
            try:
                attempt()
            except OSError as error:
                seen.append((type(error).__name__, errno.errorcode[error.errno]))

    program = net.node("pc1").run(probe)
    run_programs(net, 5 * S)
    assert program.exit == 0
    assert seen == [
        ("ConnectionRefusedError", "ECONNREFUSED"),
        ("PermissionError", "EACCES"),
        ("OSError", "EADDRINUSE"),
    ]


def test_reset_and_broken_pipe_after_the_peer_aborts():
    """The peer closes with SO_LINGER 0 (RST): recv raises ConnectionResetError, then send BrokenPipeError."""
    net = lan("pc1", "pc2")
    seen: list[str] = []

    def aborter():
        import socket
        import struct
        import time

        listener = socket.create_server(("", 7001))
        conn, _ = listener.accept()
        time.sleep(0.1)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    def victim():
        import socket
        import time

        s = socket.create_connection(("pc1", 7001))
        time.sleep(0.5)
        for action in (lambda: s.recv(10), lambda: s.send(b"late")):
            try:
                action()
                seen.append("ok")
            except OSError as error:
                seen.append(type(error).__name__)

    net.node("pc1").run(aborter)
    victim_program = net.node("pc2").run(victim)
    run_programs(net, 3 * S)
    assert victim_program.exit == 0
    assert seen == ["ConnectionResetError", "BrokenPipeError"]


def test_unsupported_calls_name_the_call_and_the_host_and_others_go_on():
    """subprocess inside a program fails with its traceback under its host; the other program still runs."""
    net = lan("pc1", "pc2")

    def bad():
        import subprocess

        subprocess.run(["ls"])

    def good():
        import time

        time.sleep(1)
        print("still here at", time.monotonic())

    failing = net.node("pc1").run(bad)
    fine = net.node("pc2").run(good)
    run_programs(net, 5 * S)
    assert failing.exit == 1
    assert failing.error == (
        "UnsupportedInSimulation: subprocess.run is not available to a program on simulated host pc1"
    )
    assert any("Traceback" in t for t in texts(failing))
    assert texts(fine) == ["still here at 1.0"] and fine.exit == 0


def test_a_traceback_of_a_hundred_thousand_frames_shows_its_ends_and_counts_the_rest():
    """A program that raised its recursion limit and ran out of it ends with its first and last
    frames and how many lie between, shown fast (a million took the watchdog's second, and lanlab
    crashed inside it)."""
    net = lan("pc1")

    def deep():
        import sys

        sys.setrecursionlimit(100_000)

        def down(n: int) -> int:
            return down(n + 1)

        down(0)

    program = net.node("pc1").run(deep)
    limit = sys.getrecursionlimit()
    try:
        run_programs(net, S)
    finally:
        sys.setrecursionlimit(limit)  # the program's sys is this process's
    assert program.exit == 1 and program.error == "RecursionError: maximum recursion depth exceeded"
    shown = "".join(texts(program))
    assert "frames not shown ...]" in shown and shown.count("in down") < 100


def test_a_programs_traceback_marks_the_failing_expression_as_python_does():
    """The failing part of a line is underlined (~~~~~~~^~~) as Python 3.11+ prints it."""
    net = lan("pc1")

    def add(x):
        return x["a"] + 1

    program = net.node("pc1").run(lambda: add({"a": None}))
    run_programs(net, S)
    shown = "".join(texts(program))
    assert 'return x["a"] + 1' in shown and "~~~~~~~^~~" in shown


def test_os_fork_and_input_eof():
    """os.fork() raises naming the host; input() past the given stdin raises EOFError."""
    net = lan("pc1")

    def forker():
        import os

        os.fork()

    program = net.node("pc1").run(forker)
    reader = net.node("pc1").run(lambda: [input(), input()])
    run_programs(net, S)
    assert program.error == "UnsupportedInSimulation: os.fork() is not available to a program on simulated host pc1"
    assert reader.error == "EOFError: EOF when reading a line"


def test_time_is_virtual_and_a_sleeping_run_takes_no_wall_time():
    """An hour of time.sleep passes in virtual time; time.time() starts at the simulation epoch."""
    net = lan("pc1")
    stamps: list[float] = []

    def sleeper():
        import time

        stamps.append(time.time())
        time.sleep(3600)
        stamps.append(time.time())

    net.node("pc1").run(sleeper)
    run_programs(net, 7200 * S)
    assert stamps[1] - stamps[0] == 3600.0


def test_a_program_imports_its_own_modules_with_the_simulated_socket(tmp_path):
    """A module beside the program is imported from the program's directory and sees the host's socket."""
    (tmp_path / "helper.py").write_text("import socket\n\ndef name():\n    return socket.gethostname()\n")
    (tmp_path / "main.py").write_text("import helper\nprint(helper.name())\n")
    net = lan("pc1", "pc7")
    program = net.node("pc7").run_program(str(tmp_path / "main.py"))
    run_programs(net, S)
    assert texts(program) == ["pc7"] and program.exit == 0


def test_a_keyboard_interrupt_a_program_raises_ends_that_program_only():
    """`raise KeyboardInterrupt` in a program is its own failure: its traceback, exit 130 as a shell would see,
    and the other program and the run go on to the end (it stopped the whole run as if Ctrl-C were pressed)."""
    net = lan("pc1", "pc2")

    def quitter():
        import time

        time.sleep(0.5)
        raise KeyboardInterrupt

    def ticker():
        import time

        for n in range(3):
            time.sleep(1)
            print("tick", n)

    quits, ticks = net.node("pc1").run(quitter), net.node("pc2").run(ticker)
    run_programs(net, 5 * S)
    assert quits.exit == 130 and "KeyboardInterrupt" in "".join(texts(quits))
    assert ticks.exit == 0 and texts(ticks) == ["tick 0", "tick 1", "tick 2"]
    assert net.now == 5 * S


def test_a_closed_network_removes_its_hosts_temporary_files_at_once():
    """network.close() removes the temporary folder its programs' files went to (it went only when the
    network was collected or the process exited normally: a worker ending with os._exit left it), and a
    program started after makes a new one."""
    net = lan("pc1")
    net.node("pc1").run(lambda: open("note.txt", "w").write("x"))
    run_programs(net, S)
    folder = net.files
    assert folder is not None and os.path.isfile(os.path.join(folder, "pc1", "note.txt"))
    net.close()
    assert not os.path.exists(folder) and net.files is None
    net.node("pc1").run(lambda: None)
    assert net.files is not None and os.path.isdir(net.files) and net.files != folder
    net.close()
