"""A teacher's programs that use the standard library's networking beyond raw sockets (asyncio, selectors,
makefile, a megabyte and a half-close, http.server and urllib, xmlrpc, socketserver's UDP server, MSG_PEEK and
MSG_TRUNC) print on a simulated host what they print on the Linux kernel; hostile ones (a busy loop that
swallows everything, processes, the Internet, port 80 twice, thousands of sockets and connections) get the
kernel's errno or one clear line, and never hold the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.proto.tcp._connection import TcpConnection
from lanlab.sim.shim import run_programs
from lanlab.sim.shim._select import Readiness
from lanlab.units import SECOND as S
from simnets import pair

PROGRAMS = Path(__file__).parent.parent / "programs"


def texts(program) -> list[str]:
    return [text for _, text in program.output]


@pytest.mark.netns
@pytest.mark.parametrize(
    "name",
    [
        "asyncio_echo",
        "asyncio_udp_echo",
        "selectors_nonblocking",
        "makefile_lines",
        "megabyte_halfclose",
        "peek_and_trunc",
        "http_pair",
        "xmlrpc_pair",
        "udpserver_upper",
        "interrupt_main",
        "socket_descriptor_calls",
        "redirected_stdout",
    ],
)
def test_a_stdlib_program_prints_on_a_simulated_host_what_it_prints_on_the_kernel(lab, name):
    """Each program, unchanged, run by this Python in a fresh network namespace (loopback only) and on a
    simulated host: the same lines, in the same order, and the same exit status."""
    path = PROGRAMS / f"{name}.py"
    kernel = lab.namespace().python(str(path), check=False, timeout=60)
    net = pair()
    program = net.node("pc1").run_program(str(path))
    run_programs(net, 5 * S)
    assert (program.exit, texts(program)) == (kernel.returncode, kernel.stdout.splitlines()), kernel.stderr


def test_asyncio_serves_twenty_clients_by_name_and_times_out_on_an_absent_host():
    """asyncio.gather of 20 clients reaching pc2's server by name, loop.sock_* calls, and wait_for around a
    connect to an address nobody answers for: all in virtual time."""
    net = pair()

    def server():
        import asyncio

        async def handle(reader, writer):
            async for line in reader:
                writer.write(line.upper())
                await writer.drain()
            writer.close()

        async def main():
            async with await asyncio.start_server(handle, port=8830):
                await asyncio.sleep(3)

        asyncio.run(main())

    def clients():
        import asyncio
        import socket

        async def client(i):
            reader, writer = await asyncio.open_connection("pc2", 8830)
            writer.write(b"hello %d\n" % i)
            await writer.drain()
            answer = await reader.readline()
            writer.close()
            await writer.wait_closed()
            return answer

        async def main():
            loop = asyncio.get_running_loop()
            answers = await asyncio.gather(*(client(i) for i in range(20)))
            s = socket.socket()
            s.setblocking(False)
            await loop.sock_connect(s, ("pc2", 8830))
            await loop.sock_sendall(s, b"raw\n")
            raw = await loop.sock_recv(s, 100)
            s.close()
            start = loop.time()
            try:
                await asyncio.wait_for(asyncio.open_connection("198.18.0.99", 80), timeout=1)
            except asyncio.TimeoutError:
                waited = round(loop.time() - start, 3)
            return answers == [b"HELLO %d\n" % i for i in range(20)], raw, waited

        return asyncio.run(main())

    net.node("pc2").run(server)
    started = net.node("pc1").run(clients)
    run_programs(net, 4 * S)
    assert started.result == (True, b"RAW\n", 1.0)


def test_an_epoll_server_with_thousands_of_connections_does_work_in_proportion():
    """300 connections to one selectors server: each flush of the host's TCP asks only the connections it
    changed, and each epoll wait only the sockets that changed (the whole set each time made 2000
    connections take more than ten minutes: 1.26 million segment builds and 640,000 readiness checks for
    these 300). The counts are the simulator's own work, independent of the machine's speed."""
    count = 300
    calls = {"segments": 0, "readiness": 0}
    segments, events = TcpConnection.segments_to_send, Readiness.events

    def counted_segments(self, now):
        calls["segments"] += 1
        return segments(self, now)

    def counted_events(self, fd):
        calls["readiness"] += 1
        return events(self, fd)

    net = pair()
    server = net.node("pc2").run_program(str(PROGRAMS / "epoll_server.py"), args=[str(count)])
    client = net.node("pc1").run_program(str(PROGRAMS / "many_clients.py"), args=["pc2", str(count)], at=S // 10)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TcpConnection, "segments_to_send", counted_segments)
        patch.setattr(Readiness, "events", counted_events)
        run_programs(net, 2 * S)
    assert texts(server) == [f"accepted {count} closed {count}"]
    assert texts(client) == [f"{count} connected", f"echoed {count}", "done"]
    assert calls["segments"] < 30 * count and calls["readiness"] < 20 * count, calls


def test_a_stream_read_with_msg_trunc_skips_the_bytes_without_copying_them():
    """recv(n, MSG_TRUNC) on a stream consumes n bytes and copies none (Linux's tcp_recvmsg): recv_into
    leaves the buffer as it was and says n; MSG_PEEK|MSG_TRUNC consumes nothing (it returned the data)."""
    net = pair()

    def program():
        import socket
        import time

        server = socket.create_server(("127.0.0.1", 9000))
        client = socket.create_connection(("127.0.0.1", 9000))
        conn, _ = server.accept()
        client.sendall(b"0123456789abcdef")
        time.sleep(0.01)
        buffer = bytearray(b"........")
        into = conn.recv_into(buffer, 4, socket.MSG_TRUNC)
        peeked = conn.recv(3, socket.MSG_PEEK | socket.MSG_TRUNC)
        return into, bytes(buffer), len(peeked), conn.recv(100)

    started = net.node("pc1").run(program)
    run_programs(net, S)
    assert started.result == (4, b"........", 3, b"456789abcdef")


def test_hostile_programs_get_the_kernels_errno_or_one_line_and_the_run_goes_on():
    """Processes refused naming the call and the host; an address beyond the network unreachable (no default
    route) and a name unknown (no resolver: asked of 127.0.0.1 on lo, EAI_AGAIN); port 80 bound twice EADDRINUSE; 4000 sockets open and close;
    a busy loop that catches everything, BusyLoop included, stopped all the same."""
    net = pair()
    host = net.node("pc1")
    started = {
        name: host.run_program(str(PROGRAMS / f"{name}.py"))
        for name in ("process_starter", "outside_world", "port_80_twice", "many_sockets")
    }
    busy = net.node("pc2").run_program(str(PROGRAMS / "busy_swallowing.py"))
    run_programs(net, S, cpu_limit=0.3)
    assert [line.split(":")[0] for line in texts(started["process_starter"])] == [
        "os.fork refused",
        "subprocess.run refused",
        "os.system refused",
        "subprocess.Popen refused",
        "os.popen refused",
        "done",
    ]
    assert all(
        line.endswith("not available to a program on simulated host pc1")
        for line in texts(started["process_starter"])[:-1]
    )
    assert texts(started["outside_world"]) == [
        "udp 198.19.255.53:53 failed: OSError 101 [Errno 101] Network is unreachable",
        "tcp 198.19.255.53:53 failed: OSError 101 [Errno 101] Network is unreachable",
        "gethostbyname www.nowhere.invalid failed: gaierror -3 [Errno -3] Temporary failure in name resolution",
        "urlopen http://www.nowhere.invalid/ failed: URLError None <urlopen error [Errno -3] Temporary failure in "
        "name resolution>",
        "done",
    ]
    assert texts(started["port_80_twice"]) == [
        "first bind ('0.0.0.0', 80)",
        "second tcp bind: OSError 98 Address already in use",
        "HTTPServer: OSError 98 Address already in use",
        "with SO_REUSEADDR: 98 Address already in use",
        "second udp bind: 98 Address already in use",
        "done",
    ]
    assert texts(started["many_sockets"]) == [
        "udp sockets: 2000 descriptors 3 to 2002",
        "all sockets: 4000",
        "a new socket takes descriptor 3",
    ]
    assert all(program.exit == 0 for program in started.values())
    assert texts(busy) == ["start"] and busy.exit == 1 and busy.stopped
    assert busy.error.endswith("busy_swallowing.py ran 0.3 s without waiting (a busy loop?) at line 7")


def test_select_refuses_a_descriptor_past_fd_setsize_as_cpython_does():
    """select.select (and selectors.SelectSelector) on descriptor 1024 or more is CPython's ValueError, as on Linux
    (an fd_set holds 1024); descriptor 1023 still works, and poll takes any."""
    net = pair()

    def program():
        import select
        import selectors
        import socket

        socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(1030)]
        low = next(s for s in socks if s.fileno() == 1023)
        high = next(s for s in socks if s.fileno() == 1024)
        answers = [select.select([low], [low], [], 0)[1] == [low]]
        chosen = selectors.SelectSelector()
        chosen.register(high, selectors.EVENT_READ)
        for call in (
            lambda: select.select([high], [], [], 0),
            lambda: select.select([], [high], [], 0),
            lambda: select.select([], [], [high.fileno()], 0),
            lambda: chosen.select(0),
        ):
            try:
                answers.append(call())
            except ValueError as error:
                answers.append(str(error))
        poll = select.poll()
        poll.register(high, select.POLLOUT)
        answers.append(poll.poll(0) == [(1024, select.POLLOUT)])
        return answers

    prog = net.node("pc1").run(program)
    run_programs(net, S)
    out_of_range = "filedescriptor out of range in select()"
    assert prog.result == [True, out_of_range, out_of_range, out_of_range, out_of_range, True], prog.output


def test_uuid1_and_getnode_read_the_hosts_clock_and_network_card():
    """uuid.getnode() is the MAC of the host's interface (as libuuid finds it on Linux) and uuid.uuid1() carries
    the virtual time and that node, each later than the last: not the machine's clock and card."""
    net = pair()

    def program():
        import datetime
        import time
        import uuid

        time.sleep(1.5)
        first, second = uuid.uuid1(), uuid.uuid1()
        when = datetime.datetime(1582, 10, 15) + datetime.timedelta(microseconds=first.time // 10)
        return uuid.getnode(), first.node, first.version, str(when), second.time > first.time

    prog = net.node("pc1").run(program)
    run_programs(net, 2 * S)
    mac = int.from_bytes(bytes(net.node("pc1").nics[0].mac), "big")
    assert prog.result is not None and prog.result[:3] == (mac, mac, 1), prog.output
    assert prog.result[3:] == ("2026-01-01 00:00:01.500000", True), prog.output


@pytest.mark.netns
def test_interface_ioctls_answer_as_the_kernel_does(lab):
    """SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFHWADDR, SIOCGIFMTU and SIOCGIFINDEX on lo and eth0 (198.18.0.1/24), in
    a copy of the ifreq or in place, and ENODEV for an unknown name: the same lines on a simulated host as in a
    namespace with that eth0 (they were ENOTTY)."""
    path = PROGRAMS / "interface_ioctls.py"
    host = lab.namespace()
    lab.attach(host, lab.bridge(), ip="198.18.0.1/24")
    kernel = host.python(str(path), check=False, timeout=60)
    net = pair()
    program = net.node("pc1").run_program(str(path))
    run_programs(net, S)
    assert (program.exit, texts(program)) == (kernel.returncode, kernel.stdout.splitlines()), kernel.stderr


def test_a_program_cannot_close_or_truncate_lanlabs_own_descriptors(tmp_path):
    """os.closerange(3, 4096), os.close, os.ftruncate and os.lseek on numbers the program never opened (lanlab's
    capture file among them) are EBADF or skipped: the run ends normally and the capture is whole (closerange
    closed lanlab's capture file and the run ended with a traceback, exit 1)."""
    import subprocess
    import sys

    program = tmp_path / "closer.py"
    program.write_text(
        "import os, socket\n"
        "s = socket.socket()\n"
        "for fd in range(3, 64):\n"
        "    for call in (os.ftruncate, os.fsync, os.lseek, os.fstat):\n"
        "        try:\n"
        "            call(fd, 0, 0) if call is os.lseek else call(fd, 0) if call is os.ftruncate else call(fd)\n"
        "        except OSError:\n"
        "            pass\n"
        "os.closerange(3, 4096)\n"
        "print('closed', s.fileno())\n"
    )
    capture = tmp_path / "run.pcap"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lanlab",
            "sim",
            "run",
            str(Path(__file__).parent.parent.parent.parent / "examples" / "broadcast.yaml"),
            "--until",
            "2s",
            "--app",
            f"at 1s pc1={program}",
            "--do",
            "pc2 ping pc1 -c 1",
            "--do",
            "at 1.5s pc2 ping pc1 -c 1",
            "--pcap",
            str(capture),
            "--capture",
            "pc1:eth0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "closed -1" in done.stdout, done.stdout
    frames = capture.read_bytes()
    assert len(frames) > 24 + 4 * (16 + 42), len(frames)  # the header and both pings' ARP and ICMP frames
