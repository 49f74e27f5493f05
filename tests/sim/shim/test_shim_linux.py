"""Programs on simulated hosts see sockets, threads and services as on a Linux host."""

from __future__ import annotations

import socket as real_socket
from pathlib import Path

import pytest

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND
from simnets import pair

S = SECOND


def run(net: Network, *programs, until: int = 10 * S) -> list:
    """Start (node, fn, *args) programs, run, return their results; fail on any traceback."""
    started = [net.node(node).run(fn, *args) for node, fn, *args in programs]
    run_programs(net, until)
    for program in started:
        assert program.error is None, "\n".join(text for _, text in program.output)
    return [program.result for program in started]


def test_connected_udp_socket_names_its_source_address_and_no_route_is_enetunreach():
    """getsockname() of a connected UDP socket is the route's source address; no route is ENETUNREACH."""
    net = pair()

    def program():
        import errno
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect(("198.18.0.2", 9))
        name = sock.getsockname()
        other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            other.connect(("203.0.113.9", 9))
        except OSError as error:
            return name, errno.errorcode[error.errno]
        return name, None

    [(name, error)] = run(net, ("pc1", program))
    assert name[0] == "198.18.0.1" and name[1] > 0
    assert error == "ENETUNREACH"


def test_one_main_thread_and_the_first_new_thread_is_thread_1():
    """threading.enumerate() lists MainThread once; unnamed threads count from Thread-1 (target's name added)."""
    net = pair()

    def program():
        import threading

        before = [t.name for t in threading.enumerate()], threading.active_count()

        def work():
            pass

        first, second = threading.Thread(target=work), threading.Thread(name="named")
        third = threading.Thread()
        first.start()
        during = sorted(t.name for t in threading.enumerate())
        first.join()
        return before, first.name, second.name, third.name, during

    [result] = run(net, ("pc1", program))
    assert result == ((["MainThread"], 1), "Thread-1 (work)", "named", "Thread-2", ["MainThread", "Thread-1 (work)"])


def test_a_daemon_thread_blocked_in_accept_ends_quietly_with_its_process():
    """At exit a daemon thread in accept() prints no traceback, and a daemon ticker stops printing."""
    net = pair()

    def program():
        import socket
        import threading
        import time

        listener = socket.create_server(("", 8080))

        def serve():
            while True:
                listener.accept()

        def tick():
            while True:
                print("tick", time.monotonic())
                time.sleep(1)

        threading.Thread(target=serve, daemon=True).start()
        threading.Thread(target=tick, daemon=True).start()
        time.sleep(1.5)
        print("main done")

    started = net.node("pc1").run(program)
    run_programs(net, 5 * S)
    assert [text for _, text in started.output] == ["tick 0.0", "tick 1.0", "main done"]
    assert started.exit == 0


def _poll_server(kind):
    import select
    import socket

    listener = socket.create_server(("", 7))
    listener.setblocking(False)
    poller = select.epoll() if kind == "epoll" else select.poll()
    IN = select.EPOLLIN if kind == "epoll" else select.POLLIN
    poller.register(listener.fileno(), IN)
    clients, served = {}, []
    while len(served) < 2:
        timeout = 5 if kind == "epoll" else 5000  # epoll in seconds, poll in milliseconds
        for fd, events in poller.poll(timeout):
            if fd == listener.fileno():
                conn, _ = listener.accept()
                clients[conn.fileno()] = conn
                poller.register(conn, IN)
            elif events & IN:
                conn = clients[fd]
                data = conn.recv(100)
                if data:
                    conn.sendall(data[::-1])
                else:
                    poller.unregister(fd)
                    conn.close()
                    served.append(fd)
    return len(served)


def _client(text):
    import socket

    with socket.create_connection(("pc1", 7)) as sock:
        sock.sendall(text.encode())
        return sock.recv(100).decode()


@pytest.mark.parametrize("kind", ["poll", "epoll"])
def test_poll_and_epoll_serve_two_clients_in_one_thread(kind):
    """select.poll() and select.epoll() wait in virtual time and report readable sockets."""
    net = pair()
    results = run(net, ("pc1", _poll_server, kind), ("pc2", _client, "abc"), ("pc2", _client, "xyz"))
    assert results == [2, "cba", "zyx"]


def test_poll_reports_hangup_error_and_a_closed_descriptor():
    """poll() says POLLOUT for a connected socket, POLLIN|POLLHUP once both sides closed, POLLNVAL once closed."""
    net = pair()

    def server():
        import socket

        with socket.create_server(("", 7)) as listener:
            conn, _ = listener.accept()
            conn.close()

    def client():
        import select
        import socket
        import time

        sock = socket.create_connection(("pc1", 7))
        poller = select.poll()
        poller.register(sock)
        first = poller.poll(0)
        time.sleep(1)
        sock.shutdown(socket.SHUT_WR)
        time.sleep(1)
        second = poller.poll(0)
        sock.close()
        third = poller.poll(0)
        bits = {"IN": select.POLLIN, "OUT": select.POLLOUT, "HUP": select.POLLHUP, "NVAL": select.POLLNVAL}
        return [sorted(k for k, v in bits.items() if events & v) for _, events in (*first, *second, *third)]

    _, states = run(net, ("pc1", server), ("pc2", client))
    assert states == [["OUT"], ["HUP", "IN", "OUT"], ["NVAL"]]


def test_epoll_register_errors_are_linux_ones():
    """epoll: registering twice is EEXIST, modifying an unknown descriptor ENOENT; oneshot reports once."""
    net = pair()

    def program():
        import select
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("", 5000))
        sock.sendto(b"to myself", ("127.0.0.1", 5000))
        poller = select.epoll()
        poller.register(sock, select.EPOLLIN | select.EPOLLONESHOT)
        errors = []
        for call in (lambda: poller.register(sock), lambda: poller.modify(99, select.EPOLLIN)):
            try:
                call()
            except OSError as error:
                errors.append(type(error).__name__)
        once, again = poller.poll(0), poller.poll(0)
        poller.close()
        return errors, len(once), again, poller.closed

    [result] = run(net, ("pc1", program))
    assert result == (["FileExistsError", "FileNotFoundError"], 1, [], True)


def test_service_names_and_addresses_resolve_from_the_built_in_table():
    """getservbyname/port, getaddrinfo(host, "http"), gethostbyaddr and getnameinfo answer as glibc does."""
    net = pair()

    def program():
        import socket

        answers = [
            socket.getservbyname("http"),
            socket.getservbyname("www", "tcp"),
            socket.getservbyname("domain", "udp"),
            socket.getservbyport(69),
            socket.getservbyport(53, "udp"),
            [(k.name, a) for _, k, _, _, a in socket.getaddrinfo("pc2", "http")],
            [(k.name, a) for _, k, _, _, a in socket.getaddrinfo("pc2", "tftp")],
            socket.gethostbyaddr("198.18.0.2"),
            socket.getnameinfo(("198.18.0.2", 80), 0),
        ]
        for call in (
            lambda: socket.getservbyname("nosuch"),
            lambda: socket.getaddrinfo("pc2", "nosuch"),
            lambda: socket.gethostbyaddr("198.18.0.99"),
            lambda: socket.getservbyport(9999),
        ):
            try:
                call()
            except OSError as error:
                answers.append((type(error).__name__, str(error)))
        return answers

    [result] = run(net, ("pc1", program))
    assert result == [
        80,
        80,
        53,
        "tftp",
        "domain",
        [("SOCK_STREAM", ("198.18.0.2", 80))],
        [("SOCK_DGRAM", ("198.18.0.2", 69))],
        ("pc2", [], ["198.18.0.2"]),
        ("pc2", "http"),
        ("OSError", "service/proto not found"),
        ("gaierror", "[Errno -8] Servname not supported for ai_socktype"),
        ("herror", "[Errno 1] Unknown host"),
        ("OSError", "port/proto not found"),
    ]


@pytest.mark.skipif(not Path("/etc/services").is_file(), reason="no /etc/services to compare with")
def test_the_service_table_agrees_with_this_machines_etc_services():
    """Every service in the built-in table has the port and name the real resolver gives (an independent oracle)."""
    from lanlab.sim.shim._services import SERVICES

    for name, port, protos, aliases in SERVICES:
        for proto in protos:
            assert real_socket.getservbyname(name, proto) == port
            assert real_socket.getservbyport(port, proto) == name
            for alias in aliases:
                assert real_socket.getservbyname(alias, proto) == port


def test_thread_pool_executor_runs_on_simulated_threads():
    """concurrent.futures.ThreadPoolExecutor maps work over simulated threads in virtual time."""
    net = pair()

    def program():
        import concurrent.futures
        import threading
        import time
        from concurrent.futures import ThreadPoolExecutor, as_completed

        def slow(n):
            time.sleep(n)
            return n * 10, threading.current_thread().name.startswith("ThreadPoolExecutor")

        with ThreadPoolExecutor(max_workers=3) as pool:
            mapped = list(pool.map(slow, [3, 1, 2]))
            done = sorted(f.result()[0] for f in as_completed([pool.submit(slow, 1), pool.submit(slow, 2)]))
        left = ThreadPoolExecutor(max_workers=1)  # never shut down: the exit stops its worker
        left.submit(slow, 1)
        return mapped, done, time.monotonic(), concurrent.futures.FIRST_COMPLETED

    [result] = run(net, ("pc1", program))
    assert result == ([(30, True), (10, True), (20, True)], [10, 20], 5.0, "FIRST_COMPLETED")


def test_queue_simple_queue_waits_in_virtual_time():
    """queue.SimpleQueue().get(timeout=...) times out in virtual time instead of blocking the real thread."""
    net = pair()

    def program():
        import queue
        import time

        try:
            queue.SimpleQueue().get(timeout=2)
        except queue.Empty:
            return time.monotonic()

    assert run(net, ("pc1", program)) == [2.0]


def test_a_broadcast_is_heard_on_the_sending_host_too():
    """As Linux loops every broadcast back, a receiver on the sender's own host hears it, from the sender's address."""
    net = pair()

    def receiver():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("", 7788))
        return [sock.recvfrom(100) for _ in range(2)]

    def sender():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.bind(("", 5000))
        sock.sendto(b"limited", ("<broadcast>", 7788))
        sock.sendto(b"directed", ("198.18.0.255", 7788))

    mine, _, theirs = run(net, ("pc1", receiver), ("pc1", sender), ("pc2", receiver))
    expected = [(b"limited", ("198.18.0.1", 5000)), (b"directed", ("198.18.0.1", 5000))]
    assert mine == expected and theirs == expected


def test_a_socket_bound_to_its_unicast_address_does_not_hear_its_hosts_broadcast():
    """A receiver bound to 198.18.0.1 (not 0.0.0.0) does not get the broadcast its own host sends, as on Linux."""
    net = pair()

    def receiver():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("198.18.0.1", 7788))
        sock.settimeout(1)
        try:
            return sock.recvfrom(100)
        except TimeoutError:
            return None

    def sender():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.sendto(b"Hi", ("<broadcast>", 7788))

    assert run(net, ("pc1", receiver), ("pc1", sender))[0] is None
