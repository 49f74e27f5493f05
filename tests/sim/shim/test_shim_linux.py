"""Programs on simulated hosts see sockets, threads and services as on a Linux host."""

from __future__ import annotations

import socket as real_socket
from pathlib import Path

import pytest

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND
from lanlab.wire import Udp
from simnets import narrow_chain, pair, prints_as_on_this_machine

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
        ("herror", "[Errno 2] Host name lookup failure"),  # no name in the files, no DNS at 127.0.0.1
        ("OSError", "port/proto not found"),
    ]


def test_a_host_that_is_not_all_number_is_a_name_to_look_up():
    """An octet over 255 or a trailing dot make a name, asked of 127.0.0.1 where no DNS server listens
    (EAI_AGAIN, as on Linux without a nameserver); trailing text or a leading space make a name with a space,
    which glibc's nss_dns asks nobody about (res_hnok: EAI_NONAME; glibc 2.36 in a namespace whose resolv.conf
    says nameserver 127.0.0.1 gives these four); "1..2" has an empty label, which CPython's IDNA encoding refuses
    before any lookup (UnicodeError, as on Linux). getaddrinfo, as gethostbyname but for glibc's digits-and-dots
    rule (which makes its "256.1.1.1" EAI_NONAME)."""
    net = pair()

    def program():
        import socket

        found = []
        for name in ("1.2.3.4 x", " 1.2.3.4", "256.1.1.1", "1.2.3.4.", "1..2"):
            try:
                found.append(socket.getaddrinfo(name, 80))
            except socket.gaierror as error:
                found.append(error.errno)
            except UnicodeError:
                found.append("UnicodeError")
        return found

    [result] = run(net, ("pc1", program))
    assert result == [real_socket.EAI_NONAME] * 2 + [real_socket.EAI_AGAIN] * 2 + ["UnicodeError"]


def test_digits_and_dots_that_are_no_address_are_asked_of_nobody_by_the_gethostbyname_paths():
    """ "256.1.1.1" and "1.2.3.4.5" are EAI_NONAME at once for gethostbyname, gethostbyname_ex and getaddrinfo with
    AF_INET (glibc's __nss_hostname_digits_dots, which those take), but asked of a server with AF_UNSPEC, and a
    trailing dot or a letter make a name to ask (glibc 2.36 in a namespace whose resolv.conf says nameserver
    127.0.0.1 gives these); the simulator asked a server for all of them (EAI_AGAIN)."""
    net = pair()

    def program():
        import socket

        found = []
        for name in ("256.1.1.1", "1.2.3.4.5", "1.2.3.", "12a"):
            for call, args in (
                (socket.getaddrinfo, (name, 80, socket.AF_INET)),
                (socket.getaddrinfo, (name, 80)),
                (socket.gethostbyname, (name,)),
                (socket.gethostbyname_ex, (name,)),
            ):
                try:
                    found.append(call(*args))
                except socket.gaierror as error:
                    found.append(error.errno)
        return found

    [result] = run(net, ("pc1", program), until=60 * S)
    none, again = real_socket.EAI_NONAME, real_socket.EAI_AGAIN
    assert result == [none, again, none, none] * 2 + [again] * 8


def test_localhost_localdomain_is_no_name_the_hosts_file_has():
    """/etc/hosts names 127.0.0.1 "localhost" only, matched without regard to case, so "localhost.localdomain" is
    asked of DNS (EAI_AGAIN without a nameserver), as glibc 2.36 in a namespace with that /etc/hosts and no
    nameserver line finds; the shim answered 127.0.0.1 for it."""
    net = pair()

    def program():
        import socket

        found = []
        for name in ("localhost", "LocalHost", "localhost.localdomain"):
            try:
                found.append(socket.gethostbyname(name))
            except socket.gaierror as error:
                found.append(error.errno)
        return found

    [result] = run(net, ("pc1", program), until=60 * S)
    assert result == ["127.0.0.1", "127.0.0.1", real_socket.EAI_AGAIN]


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


def test_two_receivers_with_so_reuseaddr_share_a_udp_port_and_both_hear_a_broadcast():
    """With SO_REUSEADDR on both, two sockets bind ('', 7788) on one host and each gets every broadcast;
    without it the second bind is EADDRINUSE, as on Linux."""
    net = pair()

    def receiver(reuse):
        import errno
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, int(reuse == "yes"))
        try:
            sock.bind(("", 7788))
        except OSError as error:
            return errno.errorcode[error.errno]
        sock.settimeout(2)
        return sock.recvfrom(100)

    def sender():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.sendto(b"Hi", ("<broadcast>", 7788))

    first, second, third, _ = run(
        net, ("pc1", receiver, "yes"), ("pc1", receiver, "yes"), ("pc1", receiver, "no"), ("pc2", sender)
    )
    assert first[0] == second[0] == b"Hi" and first[1][0] == second[1][0] == "198.18.0.2"
    assert third == "EADDRINUSE"


def test_a_unicast_datagram_goes_to_one_socket_of_a_shared_port_the_best_matching():
    """Of sockets sharing a port, a unicast datagram reaches one: bound to the address itself before any
    address, and among equals the one bound last (Linux's lookup); closing it hands the port on."""
    net = pair()

    def program():
        import socket

        def bound(address):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, 9000))
            sock.setblocking(False)
            return sock

        def who(socks):
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("198.18.0.1", 9000))
            import time

            time.sleep(0.1)
            got = []
            for n, sock in enumerate(socks):
                try:
                    sock.recv(10)
                    got.append(n)
                except BlockingIOError:
                    pass
            return got

        first, second = bound(""), bound("")
        answers = [who([first, second])]
        second.close()
        answers.append(who([first]))
        exact = bound("198.18.0.1")
        answers.append(who([first, exact]))
        return answers

    assert run(net, ("pc1", program)) == [[[1], [0], [1]]]


def test_sockets_on_different_addresses_share_a_udp_port_without_reuse():
    """127.0.0.1:7000 and 198.18.0.1:7000 bind without SO_REUSEADDR, but any address then does not (Linux)."""
    net = pair()

    def program():
        import errno
        import socket

        results, held = [], []  # held: a socket dropped at once would be closed (CPython), its port free
        for address in ("127.0.0.1", "198.18.0.1", ""):
            try:
                held.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                held[-1].bind((address, 7000))
                results.append("ok")
            except OSError as error:
                results.append(errno.errorcode[error.errno])
        return results

    assert run(net, ("pc1", program)) == [["ok", "ok", "EADDRINUSE"]]


def _tcp_sink(port):
    """A server that reads one connection to its end and returns what it read."""
    import socket

    listener = socket.socket()
    listener.bind(("", port))
    listener.listen()
    conn, _ = listener.accept()
    got = b""
    while data := conn.recv(65536):
        got += data
    return got


def test_a_blocking_tcp_send_waits_until_all_of_it_is_queued():
    """send() of 1 MB on a blocking socket returns 1 MB, as Linux's (it returned what the buffer took), and
    the peer reads all of it; with a timeout the count may be short, as CPython's."""
    net = pair()

    def client():
        import socket
        import time

        time.sleep(0.01)
        sock = socket.create_connection(("198.18.0.1", 8000))
        counts = [sock.send(bytes(1_000_000)), sock.send(bytes(150_008))]
        sock.close()
        return counts

    got, counts = run(net, ("pc1", _tcp_sink, 8000), ("pc2", client), until=60 * S)
    assert counts == [1_000_000, 150_008] and len(got) == 1_150_008


def test_a_socket_with_an_open_makefile_is_closed_when_its_program_ends():
    """The kernel closes a process's descriptors at exit, so the peer reads EOF even if a makefile() is open."""
    net = pair()

    def client():
        import socket
        import time

        time.sleep(0.01)
        sock = socket.create_connection(("198.18.0.1", 8001))
        stream = sock.makefile("rwb")
        stream.write(b"bye")
        stream.flush()
        kept.append((sock, stream))  # alive at exit, as a program's globals are

    kept: list = []
    assert run(net, ("pc1", _tcp_sink, 8001), ("pc2", client))[0] == b"bye"


def test_sock_nonblock_sendfile_and_the_str_error_are_cpythons():
    """socket(type=SOCK_DGRAM | SOCK_NONBLOCK) does not block; sendfile() sends a file; send('text') says
    a bytes-like object is required, in CPython's words."""
    net = pair()

    def client():
        import io
        import socket
        import time

        quiet = socket.socket(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK)
        quiet.bind(("", 9100))
        try:
            quiet.recv(10)
            nonblocking = "blocked?"
        except BlockingIOError:
            nonblocking = quiet.gettimeout()
        time.sleep(0.01)
        sock = socket.create_connection(("198.18.0.1", 8002))
        sent = sock.sendfile(io.BytesIO(bytes(20_000)), offset=1000)
        try:
            sock.send("text")
        except TypeError as error:
            message = str(error)
        sock.close()
        return nonblocking, sent, message

    got, (nonblocking, sent, message) = run(net, ("pc1", _tcp_sink, 8002), ("pc2", client))
    assert (nonblocking, sent, len(got)) == (0.0, 19_000, 19_000)
    assert message == "a bytes-like object is required, not 'str'"


def test_a_socket_bound_to_the_broadcast_address_hears_broadcasts_and_zero_means_this_host():
    """bind(('198.18.0.255', p)) is allowed and hears directed broadcasts (Linux); a datagram or a connection
    to 0.0.0.0 goes to this host, from 127.0.0.1."""
    net = pair()

    def receiver():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("198.18.0.255", 7788))
        data, _ = sock.recvfrom(100)
        local = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        local.bind(("", 7789))
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"zero", ("0.0.0.0", 7789))
        zero, source = local.recvfrom(100)
        return data, zero, source[0], sock.getsockname()

    def sender():
        import socket
        import time

        time.sleep(0.01)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.sendto(b"Hi", ("198.18.0.255", 7788))

    [result, _] = run(net, ("pc1", receiver), ("pc2", sender))
    assert result == (b"Hi", b"zero", "127.0.0.1", ("198.18.0.255", 7788))


# How many datagrams of each size a UDP socket that never reads holds, with the default buffer and with
# SO_RCVBUF 4096 and 10000 (Linux doubles them): measured on Linux 6.18 over lo, 500-3,000 sent each.
HELD_BY_LINUX = {
    (None, 0): 256,
    (None, 100): 256,
    (None, 200): 166,
    (None, 1000): 92,
    (None, 3000): 48,
    (None, 8000): 12,
    (4096, 100): 9,
    (4096, 1000): 3,
    (10000, 100): 24,
    (10000, 1000): 8,
}


def test_a_udp_socket_that_does_not_read_holds_what_linux_holds_and_drops_the_rest():
    """A UDP receive queue is bounded by SO_RCVBUF as Linux bounds it (each datagram charged its truesize):
    the same number held for every size and buffer measured; UDP's default buffers are 212992, TCP's not."""
    net = pair()

    def program():
        import socket

        held = {}
        for buffer, size in HELD_BY_LINUX:
            receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            receiver.bind(("127.0.0.1", 0))
            if buffer is not None:
                receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer)
            sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _ in range(300 if size < 3000 else 60):
                sender.sendto(b"x" * size, receiver.getsockname())
            receiver.setblocking(False)
            count = 0
            try:
                while True:
                    receiver.recv(9000)
                    count += 1
            except BlockingIOError:
                held[buffer, size] = count
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        buffers = [s.getsockopt(socket.SOL_SOCKET, o) for s in (udp, tcp) for o in (socket.SO_RCVBUF, socket.SO_SNDBUF)]
        return held, buffers

    [(held, buffers)] = run(net, ("pc1", program))
    assert held == HELD_BY_LINUX
    assert buffers == [212992, 212992, 131072, 16384]


def test_a_datagram_a_full_receive_buffer_refuses_is_a_drop_in_the_event_list_and_reading_makes_room():
    """Datagrams from another host past a full SO_RCVBUF are dropped, each a 'drop' event saying why;
    once the program has read, the next datagram is queued again."""
    net = pair()
    net.start_trace()

    def receiver():
        import socket
        import time

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # 4096: four small datagrams
        sock.bind(("", 9))
        time.sleep(1)
        first = [sock.recv(100) for _ in range(4)]
        sock.settimeout(0.5)
        try:
            later = sock.recv(100)
        except TimeoutError:
            later = None
        return first, later

    def sender():
        import socket
        import time

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for n in range(6):
            sock.sendto(b"%d" % n, ("198.18.0.2", 9))
        time.sleep(1.2)
        sock.sendto(b"late", ("198.18.0.2", 9))

    [(first, later), _] = run(net, ("pc2", receiver), ("pc1", sender))
    assert first == [b"0", b"1", b"2", b"3"] and later == b"late"
    drops = [e for e in net.trace if e.device == "pc2" and e.event_kind == "drop"]
    assert len(drops) == 2 and all("receive buffer is full" in e.note for e in drops)


def test_a_barrier_releases_its_threads_together_in_virtual_time_and_breaks_on_timeout():
    """threading.Barrier: three threads arriving at 0, 1 and 2 s all pass at 2 s with distinct indices and
    one action; a barrier whose parties never all come breaks at its timeout (BrokenBarrierError)."""
    net = pair()

    def program():
        import threading
        import time

        passed, actions = [], []
        barrier = threading.Barrier(3, action=lambda: actions.append(time.monotonic()))

        def party(delay):
            time.sleep(delay)
            index = barrier.wait()
            passed.append((round(time.monotonic() - start, 3), index))

        start = time.monotonic()
        threads = [threading.Thread(target=party, args=(d,)) for d in (0, 1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lonely = threading.Barrier(2, timeout=0.5)
        try:
            lonely.wait()
        except threading.BrokenBarrierError:
            broken = (round(time.monotonic() - start, 3), lonely.broken)
        return sorted(passed), len(actions), broken, isinstance(barrier._cond, threading.Condition)

    [(passed, actions, broken, simulated)] = run(net, ("pc1", program))
    assert passed == [(2.0, 0), (2.0, 1), (2.0, 2)] and actions == 1
    assert broken == (2.5, True) and simulated


CHAT = """
import select, socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("", 5000))
print("fds", sys.stdin.fileno(), sys.stdout.fileno())
poller = select.poll()
poller.register(sys.stdin, select.POLLIN)
print("poll", poller.poll(0))
while True:
    ready, _, _ = select.select([sys.stdin, sock], [], [], 5)
    if not ready:
        print("quiet")
        break
    if sock in ready:
        print("net", sock.recv(100).decode())
    if sys.stdin in ready:
        line = sys.stdin.readline()
        print("typed", line.strip() if line else "(end)")
        if not line:
            sock.settimeout(5)
            print("net", sock.recv(100).decode())
            break
"""


def test_a_program_selects_on_its_stdin_and_a_socket_as_a_chat_client_does(tmp_path: Path):
    """sys.stdin is descriptor 0 and sys.stdout 1; select() and poll() take stdin, readable at once (its text
    is all there: the lines, then the end, as a file or a finished pipe), beside a socket that waits."""
    net = pair()
    path = tmp_path / "chat.py"
    path.write_text(CHAT)
    program = net.node("pc1").run_program(str(path), stdin="hello\nworld\n")

    def sender():
        import socket
        import time

        time.sleep(1)
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hi", ("198.18.0.1", 5000))

    net.node("pc2").run(sender)
    run_programs(net, 10 * S)
    lines = [text for _, text in program.output]
    assert program.exit == 0, lines
    assert lines == ["fds 0 1", "poll [(0, 1)]", "typed hello", "typed world", "typed (end)", "net hi"]
    assert program.output[-1][0] >= 1_000_000_000  # the datagram waited for, in virtual time


def test_a_udp_flood_is_paced_by_the_link_and_an_unresolved_neighbour_holds_no_sender_up():
    """A blocking sendto waits while the output queue is full, as Linux blocks on SO_SNDBUF: all 1,000
    datagrams of a flood arrive and none is dropped, the loop taking the link's time; to a neighbour that
    never answers ARP, 500 blocking sends return at once and its queue keeps the newest 101, the older
    ones dropped, as Linux's neighbour queue does (the sender was held up for 12 s); a non-blocking sender
    gets EAGAIN only from a full output queue."""
    net = pair()
    net.start_trace()

    def sink():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("", 5000))
        sock.settimeout(1)
        count = 0
        try:
            while True:
                sock.recv(2000)
                count += 1
        except TimeoutError:
            return count

    def flood():
        import socket
        import time

        unresolved = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        start = time.monotonic()
        for _ in range(500):
            unresolved.sendto(b"y" * 1000, ("198.18.0.77", 9))  # nobody has it: its ARP queue overflows
        unanswered = time.monotonic() - start
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        start = time.monotonic()
        for _ in range(1000):
            sock.sendto(b"x" * 1400, ("198.18.0.2", 5000))
        blocking = time.monotonic() - start
        eager = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        eager.setblocking(False)
        try:
            eager.sendto(b"z" * 1400, ("198.18.0.2", 5000))  # behind the last 100 still queued
            refused = False
        except BlockingIOError:
            refused = True
        return unanswered, blocking, refused

    [received, (unanswered, blocking, refused)] = run(net, ("pc2", sink), ("pc1", flood))
    assert received == 1000
    assert not [e for e in net.trace if e.event_kind == "drop" and e.device == "pc1" and "198.18.0.2" in e.note]
    assert unanswered < 0.01
    overflow = [e for e in net.trace if e.event_kind == "drop" and "ARP queue for 198.18.0.77 full" in e.note]
    assert len(overflow) == 500 - 101
    assert 0.09 < blocking < 0.2  # 900 frames of 1,442 bytes on 100 Mb/s; the last 100 still queued
    assert refused


SOCKET_CORNERS = """
import socket
s = socket.socket()
for call in (lambda: s.send(b"x"), lambda: s.sendto(b"x", ("127.0.0.1", 9)), lambda: s.recv(1)):
    try:
        call()
    except OSError as error:
        print(type(error).__name__, error.errno, error.strerror)
print(repr(s))
s.close()
print(repr(s))
asks = [
    (None, 80, socket.AF_INET, socket.SOCK_STREAM, 0, 0),
    (None, 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE),
    (b"localhost", 80, socket.AF_INET, socket.SOCK_STREAM, 0, 0),
    ("127.0.0.1", 80, socket.AF_INET, 0, socket.IPPROTO_UDP, 0),
    ("", 80, socket.AF_INET, socket.SOCK_STREAM, 0, 0),
    (None, None, socket.AF_INET, 0, 0, 0),
]
for ask in asks:
    try:
        print(socket.getaddrinfo(*ask))
    except socket.gaierror as error:
        print("gaierror", error.errno, error.strerror)
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
closed_port = probe.getsockname()[1]
probe.close()
gone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
gone.bind(("127.0.0.1", 0))
gone_port = gone.getsockname()[1]
gone.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect(("127.0.0.1", gone_port))
u.settimeout(0.5)
u.send(b"ping")
for call in (lambda: u.recv(100), lambda: u.send(b"again"), lambda: u.recv(100)):
    try:
        print("connected udp", call())
    except OSError as error:
        print("connected udp", type(error).__name__, error.errno)
for all_errors in (False, True):
    try:
        socket.create_connection(("127.0.0.1", closed_port), timeout=1, all_errors=all_errors)
    except Exception as error:
        print(type(error).__name__, error, [type(e).__name__ for e in getattr(error, "exceptions", [])])
a, b = socket.socket(), socket.socket()
print("fds", a.fileno(), b.fileno())
a.close()
print("reused", socket.socket().fileno())
"""


DROPPED_SOCKETS = """
import socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
del a
c.settimeout(0.5)
print("after del", c.recv(10))
def bound_port():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); return u.getsockname()[1]
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.bind(("127.0.0.1", bound_port())); print("rebound")
def listening():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); return s.getsockname()
try:
    socket.create_connection(listening()); print("connected")
except OSError as error:
    print(type(error).__name__, error.errno)
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
clients = []
for i in range(3):
    clients.append(socket.create_connection(server.getsockname()))
    conn, _ = server.accept()  # the previous conn is dropped here, and closed
    conn.sendall(b"hi %d" % i)
for client in clients[:2]:
    client.settimeout(0.5)
    print(client.recv(10), client.recv(10))
"""


RETRIED_CONNECT = """
import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); p = l.getsockname()[1]; l.close()
s = socket.socket()
try: s.connect(("127.0.0.1", p))
except OSError as e: print("1st", e.errno)
for op in ("recv", "getpeername"):
    try: print(op, getattr(s, op)(*((1,) if op == "recv" else ())))
    except OSError as e: print(op, type(e).__name__, e.errno)
l = socket.socket(); l.bind(("127.0.0.1", p)); l.listen()
try: s.connect(("127.0.0.1", p)); print("2nd ok")
except OSError as e: print("2nd", type(e).__name__, e.errno)
a, _ = l.accept()
import struct
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); a.close(); time.sleep(0.05)
try: s.recv(1)
except OSError as e: print("recv after reset", e.errno)
try: print(s.getpeername())
except OSError as e: print("getpeername after reset", e.errno)
"""


RESET_AFTER_FIN = """
import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
cli = socket.create_connection(l.getsockname()); srv, _ = l.accept()
cli.close(); time.sleep(0.05)
srv.sendall(b"msg"); time.sleep(0.05)
for op in (lambda: srv.recv(10), lambda: srv.send(b"x"), lambda: srv.recv(10), lambda: srv.send(b"y")):
    try: print(op())
    except OSError as e: print(type(e).__name__, e.errno)
print(srv.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
"""

REFUSED_WITHOUT_WAITING = """
import socket, select
l = socket.socket(); l.bind(("127.0.0.1", 0)); p = l.getsockname()[1]; l.close()
s = socket.socket(); s.setblocking(False)
print(s.connect_ex(("127.0.0.1", p)))
select.select([], [s], [], 1)
print("SO_ERROR", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
try: s.connect(("127.0.0.1", p))
except OSError as e: print("again", type(e).__name__, e.errno)
t = socket.socket(); t.setblocking(False)
print(t.connect_ex(("127.0.0.1", p)))
select.select([], [t], [], 1)
try: t.connect(("127.0.0.1", p))
except OSError as e: print("unread", type(e).__name__, e.errno)
print("SO_ERROR after", t.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
"""


SHARED_PORTS = """
import socket
a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
b = socket.socket()
try: b.bind(("127.0.0.1", p)); print("bind ok")
except OSError as e: print("bind", e.errno)
c = socket.socket()
try: c.bind(("0.0.0.0", p)); print("any ok")
except OSError as e: print("any", e.errno)
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
x = socket.socket(); x.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); x.bind(("127.0.0.1", 0)); q = x.getsockname()[1]
y = socket.socket(); y.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: y.bind(("127.0.0.1", q)); print("reuse bind ok")
except OSError as e: print("reuse bind", e.errno)
x.connect(l.getsockname())
try: y.connect(l.getsockname()); print("both connected")
except OSError as e: print("second connect", type(e).__name__, e.errno)
"""


SMALL_RULES = """
import socket, select, time
s = socket.socket(); print("fresh select", [len(x) for x in select.select([s], [s], [], 0)])
p = select.poll(); p.register(s); print("fresh poll", p.poll(0))
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
l.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1); l.listen()
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
print("inherited", a.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0, a.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0)
c.sendall(b"queued"); time.sleep(0.05)
a.shutdown(socket.SHUT_RD); print("after SHUT_RD", a.recv(100), a.recv(100))
c.sendall(b"abcdef"); time.sleep(0.05)
b = socket.socket(); b.bind(("127.0.0.1", 0)); b.listen()
d = socket.create_connection(b.getsockname()); e, _ = b.accept()
d.sendall(b"abcdef"); time.sleep(0.05)
try: e.recv_into(bytearray(2), 5)
except ValueError as err: print("ValueError", err)
print(e.recv(10))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.connect(u.getsockname())
v.send(b"first"); v.send(b"second"); time.sleep(0.05)
print(u.recv(0), u.recv(100))
v.shutdown(socket.SHUT_WR)
try: v.send(b"x"); print("sent after SHUT_WR")
except OSError as err: print(type(err).__name__, err.errno)
"""

CONNECT_UNDER_WAY = """
import socket, time, select
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
f = socket.create_connection(l.getsockname()); time.sleep(0.05)
s = socket.socket(); s.setblocking(False)
print(s.connect_ex(l.getsockname()), s.connect_ex(l.getsockname()))
m = socket.socket(); m.bind(("127.0.0.1", 0)); m.listen()
t = socket.socket(); t.setblocking(False)
print(t.connect_ex(m.getsockname()))
select.select([], [t], [], 1)
print(t.connect_ex(m.getsockname()), t.connect_ex(m.getsockname()))
"""

OPTION_VALUES = """
import socket, struct
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 5); print(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 7); print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, struct.pack("i", 1)); print(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, struct.pack("i", 8192)); print(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
print(struct.unpack("ii", s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)))
for bad in (1.5, "1", None):
    try: s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, bad); print("accepted", bad)
    except TypeError as e: print("TypeError")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 7); print(u.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST))
"""

MEGABYTE_ECHO = """
import socket, threading
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
def echo():
    conn, _ = l.accept()
    while data := conn.recv(4096):
        conn.sendall(data)
    conn.close()
threading.Thread(target=echo, daemon=True).start()
c = socket.create_connection(l.getsockname()); c.settimeout(3)
try:
    c.sendall(b"e" * 1_000_000); c.shutdown(socket.SHUT_WR)
    got = 0
    while data := c.recv(65536):
        got += len(data)
    print("echoed", got)
except OSError as e:
    print("failed", type(e).__name__)
"""


OPTION_TABLE = """
import errno, socket
def get(s, level, option):
    try:
        return s.getsockopt(level, option)
    except OSError as e:
        return errno.errorcode[e.errno]
def put(s, level, option):
    try:
        s.setsockopt(level, option, 0); return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
t = socket.socket(); u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
for name, s in (("tcp", t), ("udp", u), ("nonblock", n)):
    print(name, [get(s, socket.SOL_SOCKET, getattr(socket, o)) for o in ("SO_TYPE", "SO_DOMAIN", "SO_PROTOCOL", "SO_ACCEPTCONN")])
    print(" read-only", [put(s, socket.SOL_SOCKET, getattr(socket, o)) for o in ("SO_TYPE", "SO_ERROR", "SO_DOMAIN", "SO_PROTOCOL", "SO_ACCEPTCONN", "SO_PEERCRED")])
    print(" unknown", [f(s, level, 9999) for f in (get, put) for level in (socket.SOL_SOCKET, socket.IPPROTO_IP, socket.IPPROTO_TCP, socket.IPPROTO_UDP, 9999)])
    print(" defaults", [get(s, socket.SOL_SOCKET, o) for o in (socket.SO_RCVLOWAT, socket.SO_SNDLOWAT)], [get(s, socket.IPPROTO_IP, o) for o in (socket.IP_TOS, socket.IP_TTL, 10)])
t.bind(("127.0.0.1", 0)); t.listen()
print("listening", get(t, socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
c = socket.socket()
print("tcp defaults", [get(c, socket.IPPROTO_TCP, getattr(socket, o)) for o in ("TCP_MAXSEG", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_SYNCNT", "TCP_LINGER2", "TCP_NODELAY")])
print("tcp info", put(c, socket.IPPROTO_TCP, socket.TCP_INFO), "udp cork", get(u, socket.IPPROTO_UDP, 1), put(u, socket.IPPROTO_UDP, 1))
"""

OPTION_TIMEOUTS = """
import errno, socket, struct, threading, time
def took(start, expected):  # the wait, as expected when the real clock is late by a scheduling delay
    elapsed = time.monotonic() - start
    return f"{expected:.1f}" if expected - 0.01 <= elapsed < expected + 0.25 else f"{elapsed:.3f}"
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", 0, 300000))
print("reads back", struct.unpack("qq", l.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16)), l.gettimeout())
start = time.monotonic()
try: l.accept()
except OSError as e: print("accept", type(e).__name__, errno.errorcode[e.errno], took(start, 0.3))
for bad in (struct.pack("qq", 1, 1000000), struct.pack("qq", 1, -1), b"short"):
    try: l.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, bad); print("taken")
    except OSError as e: print("bad timeval", errno.errorcode[e.errno])
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", -5, 0))
print("negative reads", struct.unpack("qq", l.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16)))
start = time.monotonic()
try: l.accept()
except OSError as e: print("negative", errno.errorcode[e.errno], took(start, 0.0))
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", 0, 0))
def late():
    time.sleep(0.2); socket.create_connection(l.getsockname()).close()
threading.Thread(target=late).start()
conn, _ = l.accept(); print("zero waits", took(start, 0.2))
c = socket.create_connection(l.getsockname()); peer, _ = l.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("qq", 0, 200000))
sent = c.send(b"x" * 50_000_000)
print("partial send", 0 < sent < 50_000_000)
try:
    while True: c.send(b"x" * 1_000_000)
except OSError as e: print("then", type(e).__name__, errno.errorcode[e.errno])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", 0, 200000))
start = time.monotonic()
try: u.recv(10)
except OSError as e: print("recv", type(e).__name__, errno.errorcode[e.errno], took(start, 0.2))
u.settimeout(0.1)
try: u.recv(10)
except OSError as e: print("settimeout wins", type(e).__name__, took(start, 0.3))
"""


NUMERIC_HOSTS = """
import socket
# numeric forms only, and AI_NUMERICHOST: none of these asks a name server on the machine
for name in ("127.1", "10.1", "0x7f.0.0.1", "017.0.0.1", "2130706433", "0300.0250.1", "1.2.3", "198.18.0.2"):
    row = [repr(name)]
    for f in (
        socket.gethostbyname,
        lambda n: socket.getaddrinfo(n, 80, socket.AF_INET, socket.SOCK_STREAM)[0][4][0],
        lambda n: socket.getaddrinfo(n, 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)[0][4][0],
        lambda n: socket.gethostbyname_ex(n) if "x" not in n else "-",
    ):
        try: row.append(f(name))
        except OSError as e: row.append(f"{type(e).__name__}:{e.errno}")
    print(*row)
try: socket.getaddrinfo("pc2", 80, 0, 0, 0, socket.AI_NUMERICHOST)
except socket.gaierror as e: print("numerichost name", e.errno, e.strerror)
"""


READING_SHUT = """
import socket, time, errno
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
s.shutdown(socket.SHUT_RDWR); time.sleep(0.1)
print("client sees", c.recv(10))
c.send(b"late data"); time.sleep(0.1)
for call in (lambda: s.recv(10), lambda: c.send(b"more"), lambda: c.recv(10), lambda: s.send(b"x")):
    try: print(call())
    except OSError as e: print(type(e).__name__, errno.errorcode[e.errno])
# SHUT_RD only: data still arrives and is queued
c2 = socket.create_connection(l.getsockname()); s2, _ = l.accept()
s2.shutdown(socket.SHUT_RD); c2.send(b"after shut_rd"); time.sleep(0.1)
for call in (lambda: s2.recv(100), lambda: c2.send(b"again"), lambda: s2.send(b"reply"), lambda: c2.recv(10)):
    try: print(call())
    except OSError as e: print(type(e).__name__, errno.errorcode[e.errno])
"""


ADDRESS_SHAPES = """
import socket, errno
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = socket.socket()
cases = ["127.0.0.1", ("127.0.0.1",), ("127.0.0.1", 20009, 0), ("127.0.0.1", "20009"), ("127.0.0.1", 20009.0), (127, 20009), (b"127.0.0.1", 20009), ("127.0.0.1", 70000), ("127.0.0.1", -1), ("127.0.0.1", 2**40), ["127.0.0.1", 20009], ("127.0.0.1", True)]
for name, call in (("sendto", lambda a: u.sendto(b"x", a)), ("connect", t.connect), ("connect_ex", t.connect_ex), ("bind", socket.socket().bind), ("tcp sendto", lambda a: t.sendto(b"x", a))):
    for a in cases:
        try: r = call(a); print(name, repr(a), "ok" if r in (None, 1) else r)
        except (TypeError, OverflowError, OSError) as e: print(name, repr(a), type(e).__name__, e)
        if name == "connect" and isinstance(t, socket.socket):
            t.close(); t = socket.socket()
"""

DATAGRAM_ERRORS = """
import socket, errno
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(0.3)
u.sendto(b"x", ("127.0.0.1", 20009))
try: u.recvfrom(10)
except OSError as e: print("unconnected", type(e).__name__)
u.connect(("127.0.0.1", 20009)); u.send(b"x")
try: u.recv(10)
except OSError as e: print("connected", type(e).__name__, errno.errorcode.get(e.errno))
try: print("next recv", u.recv(10))
except OSError as e: print("next", type(e).__name__, errno.errorcode.get(e.errno))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in (65507, 65508, 70000):
    try: print(n, v.sendto(b"z" * n, ("127.0.0.1", 20009)))
    except OSError as e: print(n, errno.errorcode[e.errno])
try: v.sendto(b"x", ("127.0.0.1", 70000))
except OverflowError as e: print("port", e)
try: v.sendto("text", ("127.0.0.1", 20009))
except TypeError as e: print("str", e)
try: v.sendto(b"x", "127.0.0.1")
except TypeError as e: print("addr", e)
try: v.bind(("127.0.0.1", 0))
except OSError as e: print("rebind", errno.errorcode[e.errno])
try: v.bind("127.0.0.1")
except TypeError as e: print("rebind text", e)
w = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: w.bind(("198.51.100.7", 0))
except OSError as e: print("foreign", errno.errorcode[e.errno])
w.close()
try: w.sendto(b"x", ("127.0.0.1", 20009))
except OSError as e: print("closed", errno.errorcode[e.errno])
"""


REUSE_PORT = """
import socket, errno
def listener(port=0, reuseport=True):
    s = socket.socket()
    if reuseport: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port)); s.listen(); return s
a = listener(); port = a.getsockname()[1]
b = listener(port)
print("second listener", b.getsockname()[1] == port)
try: listener(port, reuseport=False)
except OSError as e: print("without the option", errno.errorcode[e.errno])
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
a.setblocking(False); b.setblocking(False)
got = {"a": 0, "b": 0}
for name, s in (("a", a), ("b", b)):
    while True:
        try: s.accept()[0].close(); got[name] += 1
        except BlockingIOError: break
print("accepted", got["a"] + got["b"], "both used", got["a"] > 0 and got["b"] > 0)
third = listener(port)  # joins while the group has connections
print("third joins", third.getsockname()[1] == port); third.close()
a.close()
c = socket.create_connection(("127.0.0.1", port)); b.setblocking(True)
print("after one closes", b.accept()[1][1] == c.getsockname()[1])
srv = socket.create_server(("127.0.0.1", 0), reuse_port=True)
print("create_server", srv.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT))
try: socket.create_server(("127.0.0.1", srv.getsockname()[1]))
except OSError as e: print(type(e).__name__, e.errno, e.strerror.split(" (")[1][:33])
"""


TIMEOUTS_PER_CALL = """
import errno, socket, struct, time
def took(start, expected):  # the wait, as expected when the real clock is late by a scheduling delay
    elapsed = time.monotonic() - start
    return f"{expected:.1f}" if expected - 0.01 <= elapsed < expected + 0.25 else f"{elapsed:.3f}"
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
# MSG_WAITALL with SO_RCVTIMEO: the part that came
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", 0, 300000))
c.sendall(b"abc")
t0 = time.monotonic(); print("waitall", s.recv(10, socket.MSG_WAITALL), took(t0, 0.3))
# with settimeout CPython polls then reads what is there
s.settimeout(2); c.sendall(b"de")
t0 = time.monotonic(); print("waitall timeout", s.recv(10, socket.MSG_WAITALL), took(t0, 0.0))
# SO_SNDTIMEO bounds the whole send call
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("qq", 0, 500000))
t0 = time.monotonic(); sent = c.send(b"x" * 50_000_000)
print("one send", 0 < sent < 50_000_000, time.monotonic() - t0 < 1)
# a negative SO_RCVTIMEO: every recv gives up at once, and a polling loop still lets time pass
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("qq", -1, 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic(); misses = 0
while True:
    try:
        data = u.recv(10); break
    except BlockingIOError:
        misses += 1
        if misses == 50: v.sendto(b"late", u.getsockname())
print("polled", data, misses >= 50)
# a connect whose SYN a full backlog drops: SO_SNDTIMEO gives EINPROGRESS, a second connect EALREADY
full = socket.socket(); full.bind(("127.0.0.1", 0)); full.listen(0)
first = socket.create_connection(full.getsockname())
second = socket.socket(); second.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("qq", 0, 200000))
for attempt in range(2):
    t0 = time.monotonic()
    try: second.connect(full.getsockname()); print("connected")
    except OSError as e: print("connect", type(e).__name__, errno.errorcode[e.errno], took(t0, 0.2))
full.accept()[0].close()
second.settimeout(5)
try: second.connect(full.getsockname()); print("then connected")
except OSError as e: print("then", errno.errorcode[e.errno])
"""


PROCESS_SURFACE = """
import os.path, sys, atexit, threading
print("os.path", os.path.join("a", "b"), sys.modules["os.path"] is os.path)
import unittest, xmlrpc.server  # both import os.path
atexit.register(print, "atexit runs last")
atexit.register(print, "unregistered"); atexit.unregister(print); atexit.register(print, "after the threads")
threading.excepthook = lambda args: print("thread hook", args.exc_type.__name__, args.thread.name)
def leave(): sys.exit("thread exit is silent")
for thread in (threading.Thread(target=lambda: 1 / 0, name="div"), threading.Thread(target=leave)):
    thread.start(); thread.join()
def late():
    import time; time.sleep(0.2); print("a thread ends after main")
threading.Thread(target=late).start()
print("main ends")
"""

SOCKET_SURFACE = """
import errno, select, socket, time
s = socket.socket()
print("sendmsg", hasattr(s, "sendmsg"), "timeout", s.timeout)
l = socket.create_server(("127.0.0.1", 0))
print("listener select", select.select([l], [l], [], 0))
try: l.connect(("127.0.0.1", 9))
except OSError as e: print("connect on a listener", errno.errorcode[e.errno])
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
try: a.recv_into(b"read-only")
except TypeError as e: print(e)
f = a.makefile("rb"); a.close()
print("held by makefile", a.fileno() >= 0); f.close(); print("then", a.fileno())
for value in ("1", float("nan"), float("inf"), 1e300, 10**20):
    for call in (socket.socket().settimeout, time.sleep):
        try: call(value)
        except (TypeError, ValueError, OverflowError) as e: print(type(e).__name__, e)
s.close()
for call in (lambda: s.settimeout(1), lambda: s.setblocking(False)):
    try: call()
    except OSError as e: print("closed", errno.errorcode[e.errno])
try: select.select([object()], [], [], 0)
except TypeError as e: print(e)
for size in (1.5, "4"):
    try: c.recv(size)
    except TypeError as e: print("recv", e)
for args in ((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_UDP), (socket.AF_INET, socket.SOCK_DGRAM, 99)):
    try: socket.socket(*args)
    except OSError as e: print("protocol", errno.errorcode[e.errno])
try: socket.socketpair(socket.AF_INET)
except OSError as e: print("inet socketpair", errno.errorcode[e.errno])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for option in (socket.IP_TTL, socket.IP_MULTICAST_TTL):
    for value in (256, 0, -1, -2):
        try: u.setsockopt(socket.IPPROTO_IP, option, value); print(option, value, u.getsockopt(socket.IPPROTO_IP, option))
        except OSError as e: print(option, value, errno.errorcode[e.errno])
for address in ("127.0.0.1", "0.0.0.0", "198.51.100.7"):
    try: u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address)); print(address, "ok")
    except OSError as e: print(address, errno.errorcode[e.errno])
"""


LOOKUPS_AND_READINESS = """
import select, socket, struct, time
for args in [("127.0.0.1", 80), ("127.0.0.1", None), ("127.0.0.1", "http"), ("127.0.0.1", 80, 0, socket.SOCK_RAW),
             ("127.0.0.1", None, 0, socket.SOCK_RAW), ("127.0.0.1", -1, socket.AF_INET, socket.SOCK_STREAM),
             ("127.0.0.1", 70000, socket.AF_INET, socket.SOCK_STREAM), ("127.0.0.1", " 80", 0, socket.SOCK_DGRAM),
             ("127.0.0.1", "http", socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICSERV),
             ("127.0.0.1", 80, socket.AF_INET6), ("127.0.0.1", 80, 0, socket.SOCK_STREAM, 0, socket.AI_CANONNAME),
             ("127.0.0.1", 2**32 + 5, 0, socket.SOCK_STREAM), ("127.0.0.1", 2**64), ("127.0.0.1", ""),
             ("127.0.0.1", 80, 0, socket.SOCK_STREAM, socket.IPPROTO_UDP), ("127.0.0.1", 80, 0, 0, 99)]:
    try: print([(kind.name, proto, canonical, address) for _, kind, proto, canonical, address in socket.getaddrinfo(*args)])
    except (OSError, OverflowError) as e: print(type(e).__name__, e.args[0])
print([socket.getprotobyname(name) for name in ("ip", "icmp", "tcp", "UDP")])
l = socket.create_server(("127.0.0.1", 0))
def flags(sock):
    p = select.poll(); p.register(sock, select.POLLIN | select.POLLRDHUP)
    found = p.poll(0); events = found[0][1] if found else 0
    return [name for name in ("POLLIN", "POLLERR", "POLLHUP", "POLLRDHUP") if events & getattr(select, name)]
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
c.shutdown(socket.SHUT_WR); time.sleep(0.05)
print("peer's FIN", flags(s))
c2 = socket.create_connection(l.getsockname()); s2, _ = l.accept()
s2.shutdown(socket.SHUT_RDWR)
print("own SHUT_RDWR", flags(s2))
c3 = socket.create_connection(l.getsockname()); s3, _ = l.accept()
c3.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c3.close(); time.sleep(0.05)
print("reset", flags(s3), "SO_ERROR", s3.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), "then", flags(s3))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"abcdef", u.getsockname())
print("MSG_TRUNC", len(u.recv(3, socket.MSG_TRUNC)))
c4 = socket.create_connection(l.getsockname()); s4, _ = l.accept()
c4.sendall(b"bye"); c4.close(); time.sleep(0.05)
print("data, then the FIN", flags(s4))  # RDHUP with the data still unread
gone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); gone.bind(("127.0.0.1", 0)); gone_port = gone.getsockname()[1]
gone.close()
refused = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); refused.connect(("127.0.0.1", gone_port))
refused.send(b"x"); time.sleep(0.05)
p = select.poll(); p.register(refused, select.POLLIN | select.POLLOUT)
print("an ICMP error pending", [n for n in ("POLLIN", "POLLOUT", "POLLERR") if p.poll(0)[0][1] & getattr(select, n)])
l.settimeout(0.2)
try: l.recv(10)
except OSError as e: print("recv on a listener with a timeout", type(e).__name__)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"0123456789", u.getsockname())
buffer = bytearray(4); print("recv_into MSG_TRUNC", u.recv_into(buffer, 4, socket.MSG_TRUNC), buffer)
cpu, thread_cpu = time.process_time(), time.thread_time(); time.sleep(1)
print("CPU while sleeping", round(time.process_time() - cpu, 1), round(time.thread_time() - thread_cpu, 1))
"""


FILES_AND_SOCKETS = """
import os, socket, tempfile
l = socket.create_server(("127.0.0.1", 0))
a = socket.create_connection(l.getsockname()); b, _ = l.accept()
many = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(200)]  # numbers the kernel would give
fd, path = tempfile.mkstemp()
print("a file's number is no socket's", fd not in {s.fileno() for s in (l, a, b, *many)})
os.write(fd, b"to the file"); os.close(fd)
with open(path, "rb") as f: print("file holds", f.read())
with open(path, "ab") as f:
    s = socket.socket(); print("a socket's number is no open file's", s.fileno() != f.fileno()); s.close()
r, w = os.pipe()
print("pipe ends are no socket's", not {r, w} & {s.fileno() for s in (l, a, b, *many)}, "in order", r < w)
os.write(w, b"through the pipe"); print(os.read(r, 100)); os.close(r); os.close(w)
a.sendall(b"over tcp"); print("tcp still works", b.recv(20))
os.remove(path)
"""


CLOSE_UNDER_A_CALL = """
import errno, socket, threading, time
def took(start, expected):  # the wait, as expected when the real clock is late by a scheduling delay
    elapsed = time.monotonic() - start
    return f"{expected:.1f}" if expected - 0.01 <= elapsed < expected + 0.25 else f"{elapsed:.3f}"
def call(what, expected):
    start = time.monotonic()
    try: result = repr(what())
    except OSError as e: result = type(e).__name__ + " " + errno.errorcode.get(e.errno, str(e.errno))
    print(result, took(start, expected))
def closed_under(sock, what, expected):
    thread = threading.Thread(target=call, args=(what, expected)); thread.start()
    time.sleep(0.2); sock.close(); print("fileno after close", sock.fileno()); thread.join()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); u.settimeout(1)
closed_under(u, lambda: u.recv(10), 1.0)  # with a timeout: the whole wait, then EBADF
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); to = u.getsockname()
threading.Timer(0.5, lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"late", to)).start()
closed_under(u, lambda: u.recv(10), 0.5)  # blocking: the datagram still comes to it
l = socket.create_server(("127.0.0.1", 0)); c = socket.create_connection(l.getsockname()); s, _ = l.accept()
s.settimeout(1)
closed_under(s, lambda: s.recv(10), 1.0)
print("the peer sees the end", c.recv(10))
c2 = socket.create_connection(l.getsockname()); s2, _ = l.accept()  # blocking: the call goes on
threading.Timer(0.5, lambda: c2.sendall(b"late")).start()
closed_under(s2, lambda: s2.recv(10), 0.5)
print("then the peer sees the end", c2.recv(10))
address = l.getsockname()
threading.Timer(0.5, lambda: socket.create_connection(address).close()).start()
closed_under(l, lambda: l.accept()[0].recv(1), 0.5)  # a blocking accept still takes the connection
try: socket.create_connection(address)
except OSError as e: print("then the listener is gone", errno.errorcode[e.errno])
blocked = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); blocked.bind(("127.0.0.1", 0))
number = blocked.fileno(); waiting = threading.Thread(target=blocked.recv, args=(1,), daemon=True); waiting.start()
time.sleep(0.1); blocked.close()
print("its number is free at close", socket.socket().fileno() == number)
"""


REUSE_AND_PORT_ZERO = """
import socket, errno, time
def bind_listen(port, reuse):
    s = socket.socket()
    if reuse: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try: s.bind(("127.0.0.1", port)); s.listen(); return "ok"
    except OSError as e: return errno.errorcode[e.errno]
    finally: s.close()
for old_reuse in (False, True):
    l = socket.socket()
    if old_reuse: l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", 0)); l.listen(); port = l.getsockname()[1]
    c = socket.create_connection(("127.0.0.1", port)); s, _ = l.accept()
    s.close(); time.sleep(0.05); c.close(); time.sleep(0.05); l.close()   # server side now in TIME_WAIT
    print(f"old server SO_REUSEADDR={old_reuse}: new server with SO_REUSEADDR ->", bind_listen(port, True))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect(("127.0.0.1", 0))
for name, call in (("getpeername", u.getpeername), ("send", lambda: u.send(b"x"))):
    try: print(name, call())
    except OSError as e: print(name, errno.errorcode[e.errno])
"""


ROUTE_MTU = """
import errno, socket
IP_MTU = 14  # linux/in.h
def mtu(s):
    try: return s.getsockopt(socket.IPPROTO_IP, IP_MTU)
    except OSError as e: return errno.errorcode[e.errno]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("unconnected udp", mtu(u))
u.connect(("127.0.0.1", 9))
print("udp to lo", mtu(u))
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
print("listener", mtu(l))
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
print("tcp client", mtu(c), "accepted", mtu(s))
"""


CALL_ARGUMENTS = """
import errno, socket
def attempt(what, call):
    try: print(what, call())
    except (OSError, ValueError, TypeError) as e: print(what, type(e).__name__, errno.errorcode.get(getattr(e, "errno", None) or 0, e))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); u.settimeout(1)
attempt("recvfrom_into past the buffer", lambda: u.recvfrom_into(bytearray(5), 10))
attempt("recv_into -1", lambda: u.recv_into(bytearray(5), -1))
attempt("recvfrom_into -1", lambda: u.recvfrom_into(bytearray(5), -1))
attempt("recvfrom -1", lambda: u.recvfrom(-1))
l = socket.create_server(("127.0.0.1", 0)); c = socket.create_connection(l.getsockname()); s, _ = l.accept()
attempt("tcp recvfrom -1", lambda: s.recvfrom(-1))
attempt("tcp recv_into -1", lambda: s.recv_into(bytearray(5), -1))
for value in (0, 1, 2.5, -1, "1"):
    attempt(f"setdefaulttimeout({value!r})", lambda: (socket.setdefaulttimeout(value), socket.getdefaulttimeout())[1])
socket.setdefaulttimeout(None)
print("fresh socket's timeout", socket.socket().gettimeout())
try: socket.SO_REUSEADR
except AttributeError as e: print("typo", e.name, e.obj is socket)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt("udp connect 127.255.255.255", lambda: b.connect(("127.255.255.255", 9)))
b.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
attempt("udp connect with SO_BROADCAST", lambda: b.connect(("127.255.255.255", 9)))
t = socket.socket(); t.settimeout(2)
attempt("tcp connect 127.255.255.255", lambda: t.connect(("127.255.255.255", 9)))
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt("udp sendto MSG_OOB", lambda: d.sendto(b"x", socket.MSG_OOB, ("127.0.0.1", 9)))
d.connect(("127.0.0.1", 9))
attempt("udp send MSG_OOB", lambda: d.send(b"x", socket.MSG_OOB))
"""

OPTION_RULES = """
import errno, socket
def attempt(what, sock, level, option, value=None, length=None):
    try:
        if value is not None: sock.setsockopt(level, option, value)
        print(what, sock.getsockopt(level, option) if length is None else sock.getsockopt(level, option, length))
    except OSError as e: print(what, errno.errorcode[e.errno])
t = socket.socket(); u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
S, T, I = socket.SOL_SOCKET, socket.IPPROTO_TCP, socket.IPPROTO_IP
for value in (1, 100, 3000, 100000):
    attempt(f"SO_SNDBUF {value}", u, S, socket.SO_SNDBUF, value)
    attempt(f"SO_RCVBUF {value}", u, S, socket.SO_RCVBUF, value)
for value in (b"\\x01", b"", b"\\x01\\x00\\x00\\x00\\x00\\x00"):
    attempt(f"SO_KEEPALIVE {value!r}", t, S, socket.SO_KEEPALIVE, value)
for name, values in (("TCP_KEEPIDLE", (0, 1, 32767, 32768)), ("TCP_KEEPINTVL", (0, 32768)), ("TCP_KEEPCNT", (0, 127, 128)),
                     ("TCP_SYNCNT", (0, 128)), ("TCP_MAXSEG", (87, 88, 32768, 0)), ("TCP_USER_TIMEOUT", (-1, 5)),
                     ("TCP_LINGER2", (0, -5, 500, 30)), ("TCP_WINDOW_CLAMP", (1, 100, 5000)), ("TCP_DEFER_ACCEPT", (5, 0, 40))):
    for value in values:
        attempt(f"{name} {value}", t, T, getattr(socket, name), value)
attempt("tcp IP_TOS 0xff", t, I, socket.IP_TOS, 0xFF); attempt("its SO_PRIORITY", t, S, socket.SO_PRIORITY)
attempt("udp IP_TOS 0x1ff", u, I, socket.IP_TOS, 0x1FF); attempt("udp IP_TOS 256", u, I, socket.IP_TOS, 256)
attempt("udp IP_TOS 0x10", u, I, socket.IP_TOS, 0x10); attempt("its SO_PRIORITY", u, S, socket.SO_PRIORITY)
attempt("IP_RECVTOS 7", u, I, socket.IP_RECVTOS, 7); attempt("IP_PKTINFO 9", u, I, 8, 9)
attempt("IP_MULTICAST_ALL 2", u, I, 49, 2)
attempt("IP_MULTICAST_LOOP one byte 0", u, I, socket.IP_MULTICAST_LOOP, b"\\x00")
attempt("IP_TOS one byte", u, I, socket.IP_TOS, b"\\x10")
attempt("IP_OPTIONS", u, I, socket.IP_OPTIONS, None, 40)
attempt("SO_PEERCRED", t, S, socket.SO_PEERCRED, None, 12)
"""


LOOPBACK_AT_ONCE = """
import errno, select, socket
srv = socket.create_server(("127.0.0.1", 0)); srv.setblocking(False)
c = socket.create_connection(srv.getsockname())  # blocking: returns once established
try: a, _ = srv.accept(); print("accept at once ok")
except BlockingIOError: print("accept at once EAGAIN")
a.setblocking(False)
c.sendall(b"data")
try: print("recv at once", a.recv(10))
except BlockingIOError: print("recv at once EAGAIN")
c.close()
try: print("eof at once", a.recv(10))
except BlockingIOError: print("eof at once EAGAIN")
n = socket.socket(); n.setblocking(False)
for attempt in range(3):
    print("connect_ex", errno.errorcode.get(n.connect_ex(srv.getsockname()), 0))
b, _ = srv.accept()
b.shutdown(socket.SHUT_WR)
print("peer's FIN readable at once", select.select([n], [], [], 0)[0] == [n], n.recv(5))
"""


@pytest.mark.parametrize(
    "source",
    [
        SOCKET_CORNERS,
        DROPPED_SOCKETS,
        RETRIED_CONNECT,
        RESET_AFTER_FIN,
        REFUSED_WITHOUT_WAITING,
        SHARED_PORTS,
        MEGABYTE_ECHO,
        SMALL_RULES,
        CONNECT_UNDER_WAY,
        OPTION_VALUES,
        OPTION_TABLE,
        OPTION_TIMEOUTS,
        NUMERIC_HOSTS,
        READING_SHUT,
        ADDRESS_SHAPES,
        DATAGRAM_ERRORS,
        REUSE_PORT,
        TIMEOUTS_PER_CALL,
        PROCESS_SURFACE,
        SOCKET_SURFACE,
        LOOKUPS_AND_READINESS,
        FILES_AND_SOCKETS,
        CLOSE_UNDER_A_CALL,
        REUSE_AND_PORT_ZERO,
        ROUTE_MTU,
        CALL_ARGUMENTS,
        OPTION_RULES,
        LOOPBACK_AT_ONCE,
    ],
    ids=[
        "corners",
        "dropped sockets",
        "retried connect",
        "reset after FIN",
        "refused without waiting",
        "shared ports",
        "megabyte echo",
        "small rules",
        "connect under way",
        "option values",
        "option table",
        "option timeouts",
        "numeric hosts",
        "reading shut",
        "address shapes",
        "datagram errors",
        "reuse port",
        "timeouts per call",
        "process surface",
        "socket surface",
        "lookups and readiness",
        "files and sockets",
        "close under a call",
        "reuse and port zero",
        "route mtu",
        "call arguments",
        "option rules",
        "loopback at once",
    ],
)
def test_socket_corners_print_what_they_print_on_linux(tmp_path: Path, source):
    """The same program run by this Python on the machine (loopback only) and on a simulated host prints
    the same. Corners: send on an unconnected TCP socket is EPIPE, repr as CPython's (closed too),
    getaddrinfo's None, '', bytes and proto cases as glibc answers them, create_connection's all_errors,
    descriptors numbered as Linux numbers them (the lowest free one, a closed one given again). Dropped
    sockets: one whose last reference goes is closed, as CPython closes it (FIN sent, port free). Retried
    connect: a refused socket is unconnected (ENOTCONN) and connects when tried again; reset, ENOTCONN.
    Reset after FIN: a reset in CLOSE-WAIT is the end for recv and EPIPE for send (a chat server's
    broadcast to a client gone), one error shared with SO_ERROR. Refused without waiting: a non-blocking
    connect's refusal read from SO_ERROR, then connect() is ECONNABORTED; not read, ECONNREFUSED. Shared
    ports: a port bound as 0 is held (EADDRINUSE for another bind), two SO_REUSEADDR sockets on one port
    connecting to one peer: EADDRNOTAVAIL (an internal LocalTcpError leaked). Megabyte echo: a client
    sending 1 MB before reading the echo does not deadlock, the send buffer autotuned as Linux's. Small
    rules: a fresh TCP socket polls POLLOUT|POLLHUP, an accepted socket inherits its listener's options,
    SHUT_RD keeps queued data, recv_into checks its size first, UDP recv(0) takes nothing, UDP send after
    SHUT_WR is EPIPE. Connect under way: a second non-blocking connect is EALREADY, 0 once established.
    Option values: flags read back 0 or 1, an int option takes its 4-byte C int, SO_LINGER reads as a
    struct, a float, str or None value is a TypeError. Option table: SO_TYPE, SO_DOMAIN, SO_PROTOCOL and
    SO_ACCEPTCONN read as Linux's, read-only options refuse a set, unknown numbers and wrong levels get
    Linux's ENOPROTOOPT or EOPNOTSUPP, untouched options read Linux's defaults. Option timeouts: SO_RCVTIMEO
    and SO_SNDTIMEO bound a blocking accept, recv and send (EAGAIN, a short send), bad timevals are EDOM or
    EINVAL, a negative one gives up at once, settimeout wins over them. Numeric hosts: inet_aton's forms
    (127.1, hex, octal, one number) are addresses, as glibc reads them; AI_NUMERICHOST never looks a name up.
    Reading shut: after SHUT_RDWR, data from the peer is answered with RST (ECONNRESET here, EPIPE there);
    after SHUT_RD alone it is still queued and read. Address shapes: a bad address is CPython's TypeError or
    OverflowError word for word, naming the call (bind, connect, connect_ex, sendto), and is found before a
    closed socket's EBADF. Datagram errors: ICMP's refusal on a connected socket, EMSGSIZE past 65507
    bytes, a second bind, a foreign address, a closed socket. Reuse port: TCP listeners with SO_REUSEPORT
    share a port and its connections, one without it is EADDRINUSE, create_server(reuse_port=True) sets it
    and its bind error names the address. Timeouts per call: MSG_WAITALL returns the part there when
    SO_RCVTIMEO runs out (and at once with settimeout), SO_SNDTIMEO bounds a whole send, a negative
    SO_RCVTIMEO's misses let time pass, a second connect while connecting is EALREADY. Process surface:
    `import os.path` (unittest and xmlrpc.server need it), atexit functions run after the other threads, the
    last first, unregister drops one, threading.excepthook is the program's (a SystemExit is silent). Socket
    surface: sendmsg exists (calling it is what is unsupported) and .timeout reads, a listener is never
    writable and connecting it is EISCONN, recv_into refuses a read-only buffer before waiting, a makefile
    keeps the descriptor, timeouts are read as CPython reads them, a closed socket's settimeout is EBADF,
    select wants a fileno, a protocol not of the type is EPROTONOSUPPORT, an inet socketpair EOPNOTSUPP, TTLs
    out of range EINVAL (-1 the default), a multicast interface not the host's EADDRNOTAVAIL. Lookups and
    readiness: getaddrinfo's ports and entries as glibc's (raw too, a negative port unknown, 70000 wrapped,
    AI_NUMERICSERV, AI_CANONNAME, an IPv4 literal asked as IPv6), getprotobyname; poll's RDHUP on the peer's
    FIN, HUP after our SHUT_RDWR, ERR until SO_ERROR reads it; MSG_TRUNC's datagram length; sleeping costs no
    CPU time. Files and sockets: one table of numbers per process, so a file (mkstemp, open, a pipe) never
    shares a number with a socket and os.write(fd) reaches the file (it went over TCP, os.close closed the
    socket). Close under a call: another thread's close() does not wake a blocked call (it woke with EBADF);
    with a timeout the call waits it out and then is EBADF, a blocking one goes on and gets its data or
    connection, and the socket ends once it returns. Reuse and port zero: SO_REUSEADDR binds over a TIME-WAIT
    connection only when it had SO_REUSEADDR too (from its listener); a UDP socket connected to port 0 has no
    peer (ENOTCONN) and sends. Route MTU: IP_MTU reads the MTU of a connected socket's route, ENOTCONN without
    a peer (a listener too). Call arguments: recv*_into and recvfrom check their sizes before waiting, with
    CPython's words per call; setdefaulttimeout reads its value as settimeout does; a module
    typo's AttributeError carries name and obj (3.12's "Did you mean"); connecting to a broadcast address is
    EACCES for UDP without SO_BROADCAST, ENETUNREACH for TCP. Option rules: buffers doubled between their
    floors and a ceiling, an int option given fewer than 4 bytes EINVAL, the TCP options' ranges, LINGER2,
    WINDOW_CLAMP and DEFER_ACCEPT as the kernel rewrites them, IP_TOS masked (and its SO_PRIORITY), IP flags
    1, IP_OPTIONS empty, SO_PEERCRED of no process. Loopback at once: what a call sends on lo has arrived when
    it returns (accept, recv and the FIN readable at once; a non-blocking connect's handshake over)."""
    prints_as_on_this_machine(tmp_path, source)


def _program_output(tmp_path: Path, node: str, source: str, net: Network | None = None) -> tuple[object, list[str]]:
    """Run `source` on `node` of the pair (or of `net`); the program and the lines it printed."""
    path = tmp_path / f"{node}.py"
    path.write_text(source)
    net = net or pair()
    program = net.node(node).run_program(str(path))
    run_programs(net, 5 * S)
    return program, [text for _, text in program.output]


def test_a_program_s_own_sys_excepthook_reports_its_uncaught_exception(tmp_path: Path):
    """sys.excepthook set by the program is what reports the main thread's uncaught exception (status 1)."""
    program, lines = _program_output(
        tmp_path,
        "pc1",
        "import sys\nsys.excepthook = lambda kind, value, tb: print('hook', kind.__name__, value)\n1 / 0\n",
    )
    assert program.exit == 1
    assert lines == ["hook ZeroDivisionError division by zero"]


def test_a_failing_sys_excepthook_shows_its_own_error_and_the_original(tmp_path: Path):
    """A hook that raises: its error, then "Original exception was:" and the program's own traceback."""
    program, lines = _program_output(
        tmp_path, "pc1", "import sys\nsys.excepthook = lambda *a: [][1]\nraise KeyError(7)\n"
    )
    assert program.exit == 1
    text = "\n".join(lines)
    assert text.startswith("Error in sys.excepthook:")
    assert "IndexError: list index out of range" in text
    assert text.index("Original exception was:") < text.index("KeyError: 7")


def test_a_udp_socket_bound_to_a_group_hears_that_group_only_and_one_bound_to_its_address_hears_none(tmp_path: Path):
    """Linux's __udp_is_mcast_sock: a socket bound to a group address takes that group's datagrams and not
    another group's on the same port; one bound to the host's unicast address takes no group's; a wildcard
    one takes both (the groups being joined on the host)."""
    receiver = """
import socket, struct
def member(address, group):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, 5007)); s.settimeout(1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + bytes(4))
    return s
sockets = {"A": member("239.1.1.1", "239.1.1.1"), "B": member("239.2.2.2", "239.2.2.2"),
           "unicast": member("198.18.0.2", "239.3.3.3"), "any": member("0.0.0.0", "239.4.4.4")}
for name, s in sockets.items():
    got = []
    try:
        while True: got.append(s.recv(20).decode())
    except TimeoutError: pass
    print(name, got)
"""
    sender = """
import socket, time
time.sleep(0.1)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for group in ("239.1.1.1", "239.2.2.2"): tx.sendto(group.encode(), (group, 5007))
"""
    net = pair()
    (tmp_path / "tx.py").write_text(sender)
    net.node("pc1").run_program(str(tmp_path / "tx.py"))
    program, lines = _program_output(tmp_path, "pc2", receiver, net)
    assert program.exit == 0, lines
    assert lines == [
        "A ['239.1.1.1']",
        "B ['239.2.2.2']",
        "unicast []",
        "any ['239.1.1.1', '239.2.2.2']",
    ]


def test_an_exit_status_is_what_exit_hands_the_parent_its_low_byte(tmp_path: Path):
    """sys.exit(300) is status 44 and sys.exit(-1) 255, as a Linux shell sees them (it was 300 and -1)."""
    for code, status in ((300, 44), (-1, 255), (7, 7)):
        program, _ = _program_output(tmp_path, "pc1", f"import sys\nsys.exit({code})\n")
        assert program.exit == status, code


def test_an_atexit_function_s_exit_is_reported_and_ignored_and_os_exit_ends_the_rest(tmp_path: Path):
    """atexit_callfuncs reports any exception, SystemExit too, and the status stays (it became 3); the others
    still run; os._exit in one ends the process there."""
    program, lines = _program_output(
        tmp_path,
        "pc1",
        "import atexit, os, sys\natexit.register(print, 'runs')\natexit.register(sys.exit, 3)\nprint('main')\n",
    )
    assert program.exit == 0
    assert lines[0] == "main" and lines[1].startswith("Exception ignored in atexit callback") and lines[-1] == "runs"
    assert "SystemExit: 3" in lines
    program, lines = _program_output(
        tmp_path, "pc2", "import atexit, os\natexit.register(print, 'never')\natexit.register(os._exit, 4)\n"
    )
    assert (program.exit, lines) == (4, [])


def test_an_icmp_ping_socket_is_unsupported_not_a_protocol_error(tmp_path: Path):
    """socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) is Linux's ping socket: unsupported here, as the README says,
    not EPROTONOSUPPORT."""
    program, lines = _program_output(
        tmp_path,
        "pc1",
        "import socket\ntry: socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)\n"
        "except Exception as e: print(type(e).__name__)\n",
    )
    assert lines == ["UnsupportedInSimulation"]


def test_a_file_moved_past_the_sockets_numbers_leaves_no_real_descriptor_open(tmp_path: Path):
    """own_descriptor tries real numbers above the sockets' and closes every one it does not keep: opening and
    closing a file with 30 sockets open leaves lanlab's process with the descriptors it had."""
    import os

    def open_descriptors() -> int:
        return len(os.listdir("/proc/self/fd"))

    source = (
        "import os, socket, tempfile\nsockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(30)]\n"
        "for _ in range(5):\n    fd, path = tempfile.mkstemp(); os.close(fd); os.remove(path)\n"
        "    with open(__file__) as f: f.read()\n"
    )
    before = open_descriptors()
    program, lines = _program_output(tmp_path, "pc2", source)
    assert program.exit == 0, lines
    assert open_descriptors() <= before


def test_asyncio_runs_where_the_platform_has_no_af_unix(tmp_path: Path):
    """Where socket has no AF_UNIX (Windows), socketpair()'s default family is AF_INET and the pair is made over
    loopback, as CPython makes it there: asyncio.run's self-pipe (refusing AF_INET broke it)."""
    import subprocess
    import sys

    program = tmp_path / "loop.py"
    program.write_text("import asyncio\nasyncio.run(asyncio.sleep(0.1))\nprint('ran')\n")
    helpers = Path(__file__).resolve().parents[2] / "helpers"
    runner = (
        "import socket\ndel socket.AF_UNIX\nimport sys\n"
        f"sys.path.insert(0, {str(helpers)!r})\n"
        "from simnets import pair\nfrom lanlab.sim.shim import run_programs\n"
        f"net = pair()\nprogram = net.node('pc1').run_program({str(program)!r})\nrun_programs(net, 10**9)\n"
        "print(program.exit, [text for _, text in program.output])\n"
    )
    done = subprocess.run([sys.executable, "-c", runner], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "0 ['ran']", done.stdout + done.stderr


def test_lo_s_broadcast_address_needs_so_broadcast_and_reaches_every_socket_on_the_port(tmp_path: Path):
    """127.255.255.255 is lo's broadcast (Linux's local table): without SO_BROADCAST sendto is EACCES, with it
    every wildcard socket on the port gets a copy (it was a unicast to the host: one socket, no option needed)."""
    source = """
import errno, socket
def receiver(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.settimeout(0.2); return s
first = receiver(); port = first.getsockname()[1]; second = receiver(port)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: tx.sendto(b"no option", ("127.255.255.255", port))
except OSError as e: print("without SO_BROADCAST", errno.errorcode[e.errno])
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
tx.sendto(b"with it", ("127.255.255.255", port))
for s in (first, second):
    got = []
    try:
        while True: got.append(s.recv(100))
    except TimeoutError: pass
    print(got)
"""
    program, lines = _program_output(tmp_path, "pc1", source)
    assert lines == ["without SO_BROADCAST EACCES", "[b'with it']", "[b'with it']"], lines


def test_ip_mtu_reads_the_mtu_of_the_interface_the_peer_is_reached_by(tmp_path: Path):
    """IP_MTU on a socket connected to a neighbour is its interface's mtu: (1280 here), as Linux's route MTU."""
    net = Network("mtu")
    net.add_host("pc1", interfaces={"eth0": {"ip": "198.18.0.1/24", "mtu": 1280}})
    net.add_host("pc2", ip="198.18.0.2/24")
    net.link("pc1:eth0", "pc2:eth0")
    source = (
        "import socket\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nu.connect(('198.18.0.2', 9))\n"
        "print(u.getsockopt(socket.IPPROTO_IP, 14))\n"
    )
    _, lines = _program_output(tmp_path, "pc1", source, net)
    assert lines == ["1280"]


def test_socket_close_of_a_number_closes_that_socket(tmp_path: Path):
    """socket.close(fd) closes the program's socket with that number (it was unsupported); again, EBADF."""
    source = (
        "import socket\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nsocket.close(u.fileno())\n"
        "try: socket.close(u.fileno())\nexcept OSError as e: print('again', e.errno)\n"
        "try: u.sendto(b'x', ('127.0.0.1', 9))\nexcept OSError as e: print('send', e.errno)\n"
    )
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == ["again 9", "send 9"]


def test_getfqdn_asks_gethostbyaddr_as_cpython_does(tmp_path: Path):
    """getfqdn is CPython's own over the host's lookups: an address gives its node's name, 127.0.0.1
    localhost, an address with no name itself (it gave every argument back unchanged)."""
    source = "import socket\nfor name in ('198.18.0.2', '127.0.0.1', '127.0.0.2', '198.18.0.99'):\n    print(socket.getfqdn(name))\n"
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == ["pc2", "localhost", "127.0.0.2", "198.18.0.99"]


def test_urgent_data_is_said_to_be_unsupported_not_sent_in_line(tmp_path: Path):
    """send and recv with MSG_OOB raise UnsupportedInSimulation (the byte went in line, as ordinary data)."""
    source = (
        "import socket\nl = socket.create_server(('127.0.0.1', 0))\nc = socket.create_connection(l.getsockname())\n"
        "for call in (lambda: c.send(b'!', socket.MSG_OOB), lambda: c.recv(1, socket.MSG_OOB)):\n"
        "    try: call()\n    except Exception as e: print(type(e).__name__, e)\n"
    )
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == ["UnsupportedInSimulation urgent data (MSG_OOB) on host pc1"] * 2


def test_interface_names_and_numbers_are_the_hosts(tmp_path: Path):
    """if_nameindex lists lo as 1 and the host's interfaces after it; if_nametoindex and if_indextoname
    read that list with CPython's errors (all three were unsupported)."""
    source = (
        "import socket\nprint(socket.if_nameindex())\nprint(socket.if_nametoindex(b'eth0'), socket.if_indextoname(1))\n"
        "for call, arg in ((socket.if_nametoindex, 'eth9'), (socket.if_indextoname, 7), (socket.if_indextoname, -1)):\n"
        "    try: call(arg)\n    except (OSError, OverflowError) as e: print(type(e).__name__, e)\n"
    )
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == [
        "[(1, 'lo'), (2, 'eth0')]",
        "2 lo",
        "OSError no interface with this name",
        "OSError [Errno 6] No such device or address",
        "OverflowError can't convert negative value to unsigned int",
    ]


def test_a_call_on_a_socket_to_another_host_does_not_wait_for_lo(tmp_path: Path):
    """A thread streams over lo while the main thread closes 100 fresh sockets: the closes take a few
    microseconds of virtual time, not 10 us each (they waited for lo's traffic, which was not theirs)."""
    source = """
import socket, threading, time
srv = socket.create_server(("127.0.0.1", 0))
def stream():
    with socket.create_connection(srv.getsockname()) as c:
        for _ in range(200):
            c.sendall(b"x" * 1000)
threading.Thread(target=stream, daemon=True).start()
a, _ = srv.accept()
threading.Thread(target=lambda: [a.recv(65536) for _ in range(400)], daemon=True).start()
time.sleep(0.001)
start = time.monotonic()
for _ in range(100):
    socket.socket().close()
print(round((time.monotonic() - start) * 1e6) < 500)
"""
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == ["True"]


def test_getfqdn_names_the_host_itself_without_asking_dns(tmp_path: Path):
    """getfqdn() on a host whose DNS server never answers returns its own name at once (it waited out the
    resolver), as /etc/hosts answers for the host's own name."""
    topology = tmp_path / "t.yaml"
    topology.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "links:\n  - [pc1:eth0, pc2:eth0]\n"
    )
    from lanlab.sim import load_topology

    source = "import socket, time\nprint(socket.getfqdn(), time.monotonic() < 0.001)\n"
    _, lines = _program_output(tmp_path, "pc1", source, load_topology(str(topology)))
    assert lines == ["pc1 True"]


ROUTED = """name: routed
nodes:
  pc1: {kind: host, ip: 198.18.1.10/24, gateway: 198.18.1.1}
  r1: {kind: router, interfaces: {eth0: 198.18.1.1/24, eth1: 198.18.2.1/24}}
  pc3: {kind: host, ip: 198.18.2.10/24, gateway: 198.18.2.1}
links:
  - [pc1:eth0, r1:eth0]
  - [r1:eth1, pc3:eth0]
"""


def test_ip_ttl_is_the_ttl_of_unicast_tcp_and_udp(tmp_path: Path):
    """IP_TTL 1 on a TCP socket: its SYNs leave with TTL 1 and die at the router, connect() is EHOSTUNREACH
    (they left with 64 and connected); a UDP datagram to a unicast address carries its IP_TTL too."""
    from lanlab.sim import load_topology
    from lanlab.wire import IPv4

    topology = tmp_path / "routed.yaml"
    topology.write_text(ROUTED)
    net = load_topology(str(topology))
    net.start_trace()
    source = """
import errno, socket
c = socket.socket(); c.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1); c.settimeout(4)
try: c.connect(("198.18.2.10", 7200)); print("connected")
except OSError as e: print(errno.errorcode[e.errno])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 7)
u.sendto(b"x", ("198.18.2.10", 9))
"""
    _, lines = _program_output(tmp_path, "pc1", source, net)
    assert lines == ["EHOSTUNREACH"]
    sent = [
        e.frame.l3 for e in net.trace if e.event_kind == "tx" and e.device == "pc1" and isinstance(e.frame.l3, IPv4)
    ]
    assert {ip.ttl for ip in sent if ip.proto == 6} == {1}
    assert [ip.ttl for ip in sent if ip.proto == 17] == [7]


def test_ip_pmtudisc_do_and_probe_refuse_a_datagram_past_the_mtu(tmp_path: Path):
    """IP_MTU_DISCOVER DO or PROBE: a datagram past the 1500-byte MTU is EMSGSIZE (it was fragmented and sent);
    DONT and WANT fragment it; to the host itself any size goes (as `lanlab real run` printed it on Linux)."""
    source = """
import errno, socket
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for mode in (0, 1, 2, 3):
    d.setsockopt(socket.IPPROTO_IP, 10, mode)
    for size in (1472, 1473):
        try: d.sendto(b"D" * size, ("198.18.0.2", 9100)); print(mode, size, "sent")
        except OSError as e: print(mode, size, errno.errorcode[e.errno])
d.setsockopt(socket.IPPROTO_IP, 10, 2)
d.sendto(b"L" * 30000, ("127.0.0.1", 9100)); print("lo sent")
"""
    _, lines = _program_output(tmp_path, "pc1", source)
    sizes = [f"{mode} 1472 sent" for mode in range(4)]
    assert lines == [
        sizes[0],
        "0 1473 sent",
        sizes[1],
        "1 1473 sent",
        sizes[2],
        "2 1473 EMSGSIZE",
        sizes[3],
        "3 1473 EMSGSIZE",
        "lo sent",
    ]


def test_a_udp_socket_connected_again_keeps_its_source_address(tmp_path: Path):
    """connect() to 198.18.0.2, then to 127.0.0.1: getsockname still says 198.18.0.1, as Linux sets the
    source once (it said 127.0.0.1; the kernel printed 198.18.0.1 under `lanlab compare`)."""
    source = (
        "import socket\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "u.connect(('198.18.0.2', 9)); print(u.getsockname()[0])\n"
        "u.connect(('127.0.0.1', 9)); print(u.getsockname()[0])\n"
    )
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == ["198.18.0.1", "198.18.0.1"]


def test_a_connection_to_another_interfaces_address_is_answered_from_that_address(tmp_path: Path):
    """pc1 reaches srv's second address (198.18.2.2) through its first, and r1's far address: the SYN-ACK,
    the data and the router's RST come from the address connected to (they left from the outgoing
    interface's, so pc1's TCP never matched them: no connection, and a router's closed port timed out
    instead of ECONNREFUSED)."""
    from lanlab.sim import load_topology

    topology = tmp_path / "two.yaml"
    topology.write_text(
        "nodes:\n"
        "  pc1: {kind: host, ip: 198.18.1.10/24, gateway: 198.18.1.1}\n"
        "  srv: {kind: host, interfaces: {eth0: {ip: 198.18.1.2/24}, eth1: {ip: 198.18.2.2/24}}}\n"
        "  r1: {kind: router, interfaces: {eth0: 198.18.1.1/24, eth1: 198.18.3.1/24},\n"
        "       routes: [{to: 198.18.2.0/24, via: 198.18.1.2}]}\n"
        "  sw1: {kind: switch}\n"
        "links:\n  - [pc1:eth0, sw1:p1]\n  - [srv:eth0, sw1:p2]\n  - [r1:eth0, sw1:p3]\n"
    )
    net = load_topology(str(topology))
    server = tmp_path / "server.py"
    server.write_text(
        "import socket\ns = socket.create_server(('', 7000))\nc, _ = s.accept()\nc.sendall(c.recv(10).upper())\n"
    )
    net.node("srv").run_program(str(server))
    source = """
import errno, socket
c = socket.create_connection(("198.18.2.2", 7000), timeout=3); c.sendall(b"hi"); print(c.recv(10))
r = socket.socket(); r.settimeout(3)
try: r.connect(("198.18.3.1", 22))
except OSError as e: print(errno.errorcode[e.errno])
"""
    _, lines = _program_output(tmp_path, "pc1", source, net)
    assert lines == ["b'HI'", "ECONNREFUSED"]


def test_so_bindtodevice_takes_an_interface_of_the_host_only(tmp_path: Path):
    """SO_BINDTODEVICE: eth7 (no such interface) is ENODEV (it was taken), lo and eth0 are taken and read
    back NUL-ended, empty unbinds, a str is CPython's TypeError: as `unshare -n` Linux answered."""
    source = """
import errno, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for name in (b"eth7", b"lo", b"", "lo", b"eth0\\x00junk", b"x" * 20, 1, -1):
    try: s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, name); print(s.getsockopt(socket.SOL_SOCKET, 25, 16))
    except OSError as e: print(errno.errorcode[e.errno])
    except TypeError as e: print("TypeError", e)
"""
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == [
        "ENODEV",
        "b'lo\\x00'",
        "b''",
        "TypeError a bytes-like object is required, not 'str'",
        "b'eth0\\x00'",
        "ENODEV",
        "ENODEV",
        "ENODEV",
    ]


def test_udp_icmp_errors_reach_a_socket_as_linux_hands_them(tmp_path: Path):
    """A datagram whose TTL runs out at the router: its time exceeded reaches the socket only with IP_RECVERR
    (connected or not) as EHOSTUNREACH; a port unreachable, a hard error, reaches a connected one and is
    read once by SO_ERROR (only port unreachable was handled, and SO_ERROR read 0): as `lanlab real run`
    printed the same program on Linux."""
    from lanlab.sim import load_topology

    topology = tmp_path / "routed.yaml"
    topology.write_text(ROUTED)
    source = """import errno, socket
def show(what, call):
    try: print(what, call())
    except OSError as e: print(what, errno.errorcode.get(e.errno))
for recverr in (0, 1):
    for connected in (False, True):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(1)
        u.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1); u.setsockopt(socket.IPPROTO_IP, 11, recverr)
        if connected:
            u.connect(("198.18.2.10", 9998)); u.send(b"x")
        else:
            u.sendto(b"x", ("198.18.2.10", 9998))
        show(f"recverr={recverr} connected={connected} recv", lambda: u.recv(10))
        u.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(("198.18.2.10", 9998)); u.send(b"x")
import time; time.sleep(0.5)
print("SO_ERROR", errno.errorcode.get(u.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)), u.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
"""
    _, lines = _program_output(tmp_path, "pc1", source, load_topology(str(topology)))
    assert lines == [
        "recverr=0 connected=False recv None",
        "recverr=0 connected=True recv None",
        "recverr=1 connected=False recv EHOSTUNREACH",
        "recverr=1 connected=True recv EHOSTUNREACH",
        "SO_ERROR ECONNREFUSED 0",
    ]


def test_a_listeners_ip_ttl_is_its_syn_acks_and_a_closed_connections_ttl_goes_with_it(tmp_path: Path):
    """A server that sets IP_TTL 1 before listen(): its SYN-ACK dies at the router and the client's connect
    times out, as on Linux (it left with 64 and connected). And a connection's own TTL goes with the
    connection (it stayed while another connection was open)."""
    from lanlab.sim import load_topology

    topology = tmp_path / "routed.yaml"
    topology.write_text(ROUTED)
    net = load_topology(str(topology))
    server = tmp_path / "server.py"
    server.write_text(
        "import socket\ns = socket.socket(); s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)\n"
        "s.bind(('', 7200)); s.listen(); s.settimeout(4)\n"
        "try: s.accept(); print('accepted')\nexcept OSError as e: print(type(e).__name__)\n"
    )
    serving = net.node("pc3").run_program(str(server))
    source = (
        "import socket\nc = socket.socket(); c.settimeout(3)\n"
        "try: c.connect(('198.18.2.10', 7200)); print('connected')\nexcept OSError as e: print(type(e).__name__)\n"
        "k = socket.socket(); k.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 9); k.settimeout(1)\n"
        "try: k.connect(('198.18.2.10', 9))\nexcept OSError as e: print(type(e).__name__)\n"
    )
    _, lines = _program_output(tmp_path, "pc1", source, net)
    assert lines == ["TimeoutError", "ConnectionRefusedError"]
    assert [text for _, text in serving.output] == ["TimeoutError"]
    assert all(c.config.ttl != 9 for c in net.node("pc1").tcp.stack.connections.values())  # gone with it


def test_a_udp_socket_sends_from_the_address_it_holds(tmp_path: Path):
    """A two-homed pc1's UDP socket connected first to pc2 (by eth0) then to pc3 (by eth1): its datagrams to
    pc3 still carry 198.18.1.10, the source its first connect chose, as Linux's do (they carried eth1's)."""
    from lanlab.sim import load_topology
    from lanlab.wire import IPv4

    topology = tmp_path / "two.yaml"
    topology.write_text(
        "nodes:\n"
        "  pc1: {kind: host, interfaces: {eth0: {ip: 198.18.1.10/24}, eth1: {ip: 198.18.2.10/24}}}\n"
        "  pc2: {kind: host, ip: 198.18.1.20/24}\n  pc3: {kind: host, ip: 198.18.2.20/24}\n"
        "links:\n  - [pc1:eth0, pc2:eth0]\n  - [pc1:eth1, pc3:eth0]\n"
    )
    net = load_topology(str(topology))
    net.start_trace()
    source = (
        "import socket\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "u.connect(('198.18.1.20', 9)); u.send(b'a'); u.connect(('198.18.2.20', 9)); u.send(b'b')\n"
    )
    _program_output(tmp_path, "pc1", source, net)
    sent = [
        (str(e.frame.l3.src), str(e.frame.l3.dst))
        for e in net.trace
        if e.event_kind == "tx" and e.device == "pc1" and isinstance(e.frame.l3, IPv4) and e.frame.l3.proto == 17
    ]
    assert sent == [("198.18.1.10", "198.18.1.20"), ("198.18.1.10", "198.18.2.20")]


def test_a_learned_path_mtu_is_forgotten_when_it_expires(tmp_path: Path):
    """Host.path_mtu (what IP_MTU and IP_PMTUDISC_DO read) is the learned path MTU until it expires, then the
    interface's again (DO kept refusing with the expired one)."""
    from ipaddress import IPv4Address

    net = Network("pmtu")
    host = net.add_host("pc1", ip="198.18.0.1/24")
    dst = IPv4Address("198.18.0.2")
    way = host.destination(dst)
    way.max_frame, way.path_mtu_expires = 1014, 600 * S
    assert host.path_mtu(dst, 599 * S) == 1000
    assert host.path_mtu(dst, 600 * S) == 1500


def test_a_listeners_ttl_is_for_its_syn_acks_only_and_its_own_address(tmp_path: Path):
    """pc2's listener on 198.18.0.2:8001 sets IP_TTL 7, another on 127.0.0.1:8001 none: the SYN-ACK leaves
    with 7 (the second listener took the first's TTL away); the accepted socket set back to -1 sends its
    data with 64 (it fell back to the listener's)."""
    from lanlab.wire import Tcp, TcpFlags

    net = pair()
    net.start_trace()
    server = tmp_path / "server.py"
    server.write_text(
        "import socket\nb = socket.socket(); b.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 7)\n"
        "b.bind(('198.18.0.2', 8001)); b.listen()\n"
        "c = socket.socket(); c.bind(('127.0.0.1', 8001)); c.listen()\n"
        "a, _ = b.accept(); a.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, -1); a.sendall(b'x')\n"
    )
    net.node("pc2").run_program(str(server))
    _program_output(tmp_path, "pc1", "import socket\nsocket.create_connection(('198.18.0.2', 8001)).recv(1)\n", net)
    sent = [
        (e.frame.l4.flags, e.frame.l3.ttl)
        for e in net.trace
        if e.event_kind == "tx" and e.device == "pc2" and isinstance(e.frame.l4, Tcp)
    ]
    assert sent[0] == (TcpFlags.SYN | TcpFlags.ACK, 7)
    assert [ttl for flags, ttl in sent if flags & TcpFlags.PSH] == [64]


def test_a_udp_socket_with_a_loopback_source_cannot_send_to_the_lan_and_sendto_reports_icmp_errors(
    tmp_path: Path,
):
    """Bound to 127.0.0.1, or first connected to it: a send to the LAN is EINVAL (it left from eth0). A
    pending ICMP error fails the next sendto too, connected or with IP_RECVERR, then is gone: as `lanlab real
    run` printed the same program on Linux."""
    source = """
import socket, time
def attempt(what, call):
    try: print(what, call())
    except OSError as e: print(what, type(e).__name__, e.errno)
s1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s1.bind(("127.0.0.1", 0))
attempt("bound lo", lambda: s1.sendto(b"s1", ("198.18.0.2", 9)))
s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s2.connect(("127.0.0.1", 9))
attempt("connected lo", lambda: s2.sendto(b"s2", ("198.18.0.2", 9)))
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.setsockopt(socket.IPPROTO_IP, 11, 1)
s4.sendto(b"s4a", ("198.18.0.2", 9)); time.sleep(0.2)
attempt("recverr sendto", lambda: s4.sendto(b"s4b", ("198.18.0.2", 9)))
attempt("SO_ERROR", lambda: s4.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
s5 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s5.connect(("198.18.0.2", 9))
s5.send(b"s5a"); time.sleep(0.2)
attempt("connected sendto", lambda: s5.sendto(b"s5b", ("198.18.0.2", 9)))
attempt("connected send", lambda: s5.send(b"s5c"))
"""
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == [
        "bound lo OSError 22",
        "connected lo OSError 22",
        "recverr sendto ConnectionRefusedError 111",
        "SO_ERROR 0",
        "connected sendto ConnectionRefusedError 111",
        "connected send 3",
    ]


PIPES = """import os, select, threading, time
r, w = os.pipe()
threading.Thread(target=lambda: (time.sleep(0.3), os.write(w, b"hello"))).start()
print("read", os.read(r, 100), time.monotonic() >= 0.3)
wake_r, wake_w = os.pipe()
threading.Thread(target=lambda: (time.sleep(0.2), os.write(wake_w, b"x"))).start()
print("select", select.select([wake_r], [], [], 5)[0] == [wake_r])
poll = select.poll()
poll.register(wake_r, select.POLLIN)
print("poll", poll.poll(0) == [(wake_r, select.POLLIN)])
with open(__file__) as own:
    print("a file is readable", select.select([own], [], [], 0)[0] == [own])
big_r, big_w = os.pipe()
got = []
def drain():
    time.sleep(0.5)
    while sum(got) < 200000:
        got.append(len(os.read(big_r, 65536)))
reader = threading.Thread(target=drain)
reader.start()
print("wrote", sum(os.write(big_w, b"y" * 50000) for _ in range(4)))
reader.join()
print("drained", sum(got))
"""


def test_a_pipe_between_a_programs_threads_waits_in_virtual_time(tmp_path: Path):
    """A blocking read of a pipe another thread writes later, a select() or poll() on a self-pipe, a file in
    select(), and writes beyond a pipe's 64 KiB that a slow reader drains run as on Linux: the read hung the
    whole run (the writer could never run) and select() refused descriptors that were not sockets."""
    program, lines = _program_output(tmp_path, "pc1", PIPES)
    assert program.exit == 0, lines
    assert lines == [
        "read b'hello' True",
        "select True",
        "poll True",
        "a file is readable True",
        "wrote 200000",
        "drained 200000",
    ]


def test_a_program_holding_thousands_of_sockets_ends_and_the_limit_is_emfile(tmp_path: Path, monkeypatch):
    """8000 sockets opened and left open end with the program, quickly (numbering and closing them was
    quadratic: lanlab's own watchdog stopped the run as a busy loop); past the descriptor limit (ulimit -n,
    here 3000) socket() fails with EMFILE as on Linux (there was none)."""
    from lanlab.sim.shim import _process

    monkeypatch.setattr(_process, "descriptor_limit", lambda: 3000)
    program, lines = _program_output(
        tmp_path,
        "pc1",
        "import socket\n"
        "held = [socket.socket() for _ in range(2900)]\n"
        "print('numbers', [s.fileno() for s in held[:2]], held[-1].fileno())\n"
        "held[5].close()\n"
        "print('the lowest free again', socket.socket().fileno())\n"
        "try:\n"
        "    held += [socket.socket() for _ in range(200)]\n"
        "except OSError as error:\n"
        "    print('refused', error.errno == 24, len(held))\n",
    )
    assert program.exit == 0 and lines == ["numbers [3, 4] 2902", "the lowest free again 8", "refused True 2900"]


def test_standard_streams_have_the_names_modes_and_numbers_of_cpythons(tmp_path: Path):
    """sys.stdout, sys.stderr and sys.stdin answer name, mode, line_buffering and fileno() as CPython's do
    with output to a pipe (stdout had no name or mode, stderr said descriptor 1, stdin was writable and
    seekable); what stderr writes still lands in the program's output."""
    program, lines = _program_output(
        tmp_path,
        "pc1",
        "import sys\n"
        "print(sys.stdout.name, sys.stdout.mode, sys.stdout.line_buffering, sys.stdout.write_through, sys.stdout.fileno())\n"
        "print(sys.stderr.name, sys.stderr.mode, sys.stderr.line_buffering, sys.stderr.fileno(), sys.stderr.errors)\n"
        "print(sys.stdin.name, sys.stdin.mode, sys.stdin.readable(), sys.stdin.writable(), sys.stdin.seekable())\n"
        "sys.stderr.write('to ')\n"
        "print('stderr', file=sys.stderr)\n",
    )
    assert program.exit == 0 and lines == [
        "<stdout> w False False 1",
        "<stderr> w True 2 backslashreplace",
        "<stdin> r True False False",
        "to stderr",
    ]


def test_two_programs_that_sendall_a_megabyte_without_reading_deadlock_as_on_linux():
    """The send buffer autotunes as Linux's tcp_sndbuf_expand does: SO_SNDBUF reads 87040 once connected
    (2 x 10 segments x 4352), so two programs that each sendall 1 MB and never read both time out, as on
    Linux (each buffered the whole megabyte and went on)."""
    net = pair()

    def side(role):
        import socket

        if role == "server":
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind(("", 7000))
            listener.listen(1)
            sock, _ = listener.accept()
        else:
            sock = socket.create_connection(("198.18.0.2", 7000))
        first = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        sock.settimeout(3)
        try:
            sock.sendall(b"x" * 1_000_000)
        except TimeoutError:
            return first, "timed out"
        return first, "sent"

    client, server = run(net, ("pc1", side, "client"), ("pc2", side, "server"), until=5 * S)
    assert client == server == (87040, "timed out")


def test_a_programs_randomness_comes_from_the_runs_seed():
    """random, os.urandom, secrets, uuid4 and tempfile's names are the same in two runs with one seed and
    differ with another seed and between hosts (they came from the kernel: every run differed)."""

    def draws():
        import os
        import random
        import secrets
        import tempfile
        import uuid

        return (
            random.random(),
            random.Random().randint(0, 10**9),
            os.urandom(4).hex(),
            secrets.token_hex(4),
            str(uuid.uuid4()),
            next(tempfile._get_candidate_names()),
        )

    def one_run(seed):
        net = Network("seeded", seed)
        for name, ip in (("pc1", "198.18.0.1/24"), ("pc2", "198.18.0.2/24")):
            net.add_host(name, ip=ip)
        return run(net, ("pc1", draws), ("pc2", draws), until=S)

    first, again, other = one_run(7), one_run(7), one_run(8)
    assert first == again
    assert first[0] != first[1]
    assert all(a != b for a, b in zip(first[0], other[0], strict=True))


def unplug_at(net: Network, endpoint: str, when: int) -> None:
    """Pull the cable at `endpoint` at virtual time `when`."""

    class Unplug:
        def fire(self, arg, now):
            net.find_link(endpoint).set_up(False)

    net.engine.schedule(when, Unplug())


def silent_server():
    """Accept one connection on port 7000 and say nothing for a minute."""
    import socket
    import time

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("", 7000))
    listener.listen(1)
    conn, _ = listener.accept()
    time.sleep(60)


def test_keepalive_probes_an_idle_peer_and_a_silent_one_times_out():
    """SO_KEEPALIVE with TCP_KEEPIDLE 2, KEEPINTVL 1, KEEPCNT 3 (set after connect): a live peer answers a
    probe every 2 s and recv goes on waiting; once its cable is out, three probes go unanswered and recv
    fails with ETIMEDOUT 5 s after the peer was last heard, as on Linux (the options were inert)."""
    net = pair()
    net.start_trace()
    unplug_at(net, "pc2:eth0", 7 * S)

    def client():
        import errno
        import socket
        import time

        sock = socket.create_connection(("198.18.0.2", 7000))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
        try:
            sock.recv(10)
        except OSError as error:
            return errno.errorcode[error.errno], round(time.monotonic(), 1)

    _, (error, when) = run(net, ("pc2", silent_server), ("pc1", client), until=20 * S)
    probes = [
        e.t / S for e in net.trace if e.event_kind == "tx" and e.device == "pc1" and "Len=0" in e.summary and e.t > S
    ]
    assert error == "ETIMEDOUT"
    # heard at about 6 s (the answer to the 6 s probe), then 8, 9, 10 unanswered and the reset at 11 s
    assert when == 11.0
    assert [round(t) for t in probes][:6] == [2, 4, 6, 8, 9, 10]


def test_fcntl_and_ioctl_act_on_simulated_sockets_and_nothing_else():
    """fcntl's O_NONBLOCK makes a socket non-blocking and FD_CLOEXEC reads back; ioctl FIONREAD reads a
    stream's waiting bytes and the next datagram's size; a number that is none of the program's is EBADF
    (the real call reached lanlab's own descriptors), a file it opened gets the real call."""
    net = pair()

    def program():
        import errno
        import fcntl
        import os
        import socket
        import struct
        import termios
        import time

        def waiting(sock):
            return struct.unpack("i", fcntl.ioctl(sock, termios.FIONREAD, b"\0" * 4))[0]

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("", 7000))
        listener.listen(1)
        client = socket.create_connection(("198.18.0.1", 7000))
        server, _ = listener.accept()
        flags = fcntl.fcntl(server, fcntl.F_GETFL)
        fcntl.fcntl(server.fileno(), fcntl.F_SETFL, flags | os.O_NONBLOCK)
        try:
            server.recv(10)
            blocked = "no"
        except BlockingIOError:
            blocked = "EAGAIN"
        client.send(b"hello")
        time.sleep(0.01)
        stream = waiting(server)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("", 9000))
        udp.sendto(b"abc", ("198.18.0.1", 9000))
        udp.sendto(b"defgh", ("198.18.0.1", 9000))
        time.sleep(0.01)
        datagram = waiting(udp)
        buffer = bytearray(4)
        fcntl.ioctl(udp, termios.FIONREAD, buffer)
        try:
            fcntl.fcntl(900, fcntl.F_GETFL)
            stranger = "reached"
        except OSError as error:
            stranger = errno.errorcode[error.errno]
        with open("notes.txt", "w") as file:
            file_flags = fcntl.fcntl(file, fcntl.F_GETFL) & os.O_ACCMODE
        return (
            flags & os.O_NONBLOCK,
            fcntl.fcntl(server, fcntl.F_GETFL) & os.O_NONBLOCK == os.O_NONBLOCK,
            fcntl.fcntl(server, fcntl.F_GETFD),
            blocked,
            stream,
            datagram,
            struct.unpack("i", buffer)[0],
            stranger,
            file_flags == os.O_WRONLY,
            fcntl.fcntl(1, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY,
        )

    [result] = run(net, ("pc1", program))
    assert result == (0, True, 1, "EAGAIN", 5, 3, 3, "EBADF", True, True)


def test_small_corners_answer_as_cpython_on_linux():
    """strftime's %Z says UTC (it said GMT), getaddrinfo does not know "<broadcast>" (only CPython's address
    parsing does), recv(0) is b'' even on a closed socket (it was EBADF), and CMSG_LEN/CMSG_SPACE compute."""
    net = pair()

    def program():
        import socket
        import time

        closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        closed.close()
        try:
            socket.getaddrinfo("<broadcast>", 80)
            broadcast = "resolved"
        except socket.gaierror as error:
            broadcast = error.errno
        return (
            time.strftime("%Z %z"),
            time.localtime().tm_zone,
            broadcast,
            closed.recv(0),
            socket.CMSG_LEN(4),
            socket.CMSG_SPACE(4),
        )

    [result] = run(net, ("pc1", program))
    assert result == (
        "UTC +0000",
        "UTC",
        real_socket.EAI_NONAME,
        b"",
        real_socket.CMSG_LEN(4),
        real_socket.CMSG_SPACE(4),
    )


def test_a_lingering_close_waits_for_the_peer_to_acknowledge_everything_or_the_linger_time():
    """SO_LINGER on with 10 s: close() returns once the peer, which starts reading at 2 s, has acknowledged
    the data and the FIN; with 1 s it returns after 1 s; without SO_LINGER at once (it always returned at
    once, as if the option were off)."""
    net = pair()

    def reader(port):
        import socket
        import time

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("", port))
        listener.listen(1)
        conn, _ = listener.accept()
        time.sleep(2)
        total = 0
        while data := conn.recv(65536):
            total += len(data)
        return total

    def writer(port, linger):
        import socket
        import struct
        import time

        sock = socket.create_connection(("198.18.0.2", port))
        if linger is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, linger))
        sock.sendall(b"x" * 200_000)
        start = time.monotonic()
        sock.close()
        return round(time.monotonic() - start, 1)

    results = run(
        net,
        *[("pc2", reader, port) for port in (7001, 7002, 7003)],
        ("pc1", writer, 7001, 10),
        ("pc1", writer, 7002, 1),
        ("pc1", writer, 7003, None),
        until=20 * S,
    )
    assert results[:3] == [200_000] * 3
    assert results[3] == 2.0 and results[4] == 1.0 and results[5] == 0.0


def test_tcp_user_timeout_fails_a_send_whose_data_stays_unacknowledged():
    """TCP_USER_TIMEOUT 3000 ms (RFC 5482): with the peer's cable pulled at 1 s, data sent then is given up
    3 s after it was sent, ETIMEDOUT, instead of after 15 retransmissions (it was inert)."""
    net = pair()
    unplug_at(net, "pc2:eth0", S)

    def client():
        import errno
        import socket
        import time

        sock = socket.create_connection(("198.18.0.2", 7000))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 3000)
        time.sleep(1.5)
        sock.send(b"are you there?")
        try:
            sock.recv(10)
        except OSError as error:
            return errno.errorcode[error.errno], round(time.monotonic(), 1)

    _, (error, when) = run(net, ("pc2", silent_server), ("pc1", client), until=30 * S)
    assert (error, when) == ("ETIMEDOUT", 4.5)


def test_a_connect_that_times_out_goes_on_in_the_kernel_as_with_cpython():
    """With settimeout(0.5) to a silent address: connect_ex returns EAGAIN, then EALREADY (it returned
    EINVAL: the connection was dropped), connect raises 'timed out', then EALREADY, as on Linux."""
    net = pair()

    def program():
        import errno
        import socket

        scanner = socket.socket()
        scanner.settimeout(0.5)
        first = scanner.connect_ex(("198.18.0.99", 80))
        second = scanner.connect_ex(("198.18.0.99", 80))
        plain = socket.socket()
        plain.settimeout(0.5)
        raised = []
        for _ in range(2):
            try:
                plain.connect(("198.18.0.99", 80))
            except OSError as error:
                raised.append((type(error).__name__, errno.errorcode.get(error.errno)))
        return errno.errorcode[first], errno.errorcode[second], raised

    [result] = run(net, ("pc1", program))
    assert result == ("EAGAIN", "EALREADY", [("TimeoutError", None), ("BlockingIOError", "EALREADY")])


def test_a_tcp_socket_bound_to_an_address_connects_from_it_and_127_0_0_1_reaches_only_this_host():
    """Bound to 127.0.0.1, connect to another host is EINVAL as on Linux (the SYN went out on eth0 from a
    silently changed address); bound to the host's own address, that is the connection's source."""
    net = pair()

    def server():
        import socket

        listener = socket.socket()
        listener.bind(("", 7))
        listener.listen(5)
        return listener.accept()[1][0]

    def program():
        import errno
        import socket

        local = socket.socket()
        local.bind(("127.0.0.1", 0))
        try:
            local.connect(("198.18.0.2", 7))
            refused = None
        except OSError as error:
            refused = errno.errorcode[error.errno]
        bound = socket.socket()
        bound.bind(("198.18.0.1", 0))
        bound.connect(("198.18.0.2", 7))
        return refused, bound.getsockname()[0]

    accepted, (refused, source) = run(net, ("pc2", server), ("pc1", program))
    assert (refused, source, accepted) == ("EINVAL", "198.18.0.1", "198.18.0.1")


def test_a_datagram_to_a_port_held_only_on_127_0_0_1_is_refused_with_port_unreachable():
    """A UDP socket bound to 127.0.0.1:8951 does not take a datagram sent to the LAN address: no socket does,
    so the sender's connected socket gets ECONNREFUSED from the ICMP port unreachable, as on Linux (the
    datagram was 'delivered' to nobody and the sender timed out)."""
    net = pair()
    net.start_trace()

    def local_only():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 8951))
        sock.settimeout(2)
        try:
            return sock.recvfrom(100)
        except TimeoutError:
            return "nothing"

    def sender():
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(1)
        sock.connect(("198.18.0.2", 8951))
        sock.send(b"hi")
        try:
            return sock.recv(100)
        except ConnectionRefusedError:
            return "refused"

    assert run(net, ("pc2", local_only), ("pc1", sender), until=3 * S) == ["nothing", "refused"]
    [drop] = [e for e in net.trace if e.device == "pc2" and e.event_kind in ("drop", "deliver") and "UDP" in e.summary]
    assert drop.event_kind == "drop" and drop.note == "no socket on UDP port 8951"


def test_unix_packet_and_raw_sockets_are_unsupported_here_and_ipv6_is_absent_as_on_that_host():
    """AF_UNIX and AF_PACKET exist on the Linux host a simulated one stands for: UnsupportedInSimulation
    naming the family (it was EAFNOSUPPORT, which says the host lacks them); SOCK_RAW names the --do
    commands; AF_INET6 stays EAFNOSUPPORT (an IPv4-only host)."""
    net = pair()

    def program():
        import errno
        import socket

        said = []
        for family, kind in (
            (socket.AF_UNIX, socket.SOCK_STREAM),
            (socket.AF_PACKET, socket.SOCK_RAW),
            (socket.AF_INET, socket.SOCK_RAW),
            (socket.AF_INET6, socket.SOCK_STREAM),
        ):
            try:
                socket.socket(family, kind)
            except OSError as error:
                said.append(errno.errorcode[error.errno])
            except Exception as error:  # UnsupportedInSimulation
                said.append(str(error))
        return said

    [said] = run(net, ("pc1", program))
    assert "socket family AF_UNIX on host pc1" in said[0] and "socket family AF_PACKET" in said[1]
    assert "ping and traceroute are --do commands" in said[2] and said[3] == "EAFNOSUPPORT"


_PMTUDISC_SENDER = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, MODE)
s.connect(("198.18.1.2", 9999))
for i in range(4):
    try: s.send(bytes([65 + i]) * 1400); print("sent", i)
    except OSError as e: print("send", i, e.errno)
    time.sleep(0.2)
"""


@pytest.mark.parametrize(
    ("mode", "sent", "arrived"),
    [
        (0, ["sent 0", "sent 1", "sent 2", "sent 3"], [b"A", b"B", b"C", b"D"]),  # DONT: r1 fragments each
        (3, ["sent 0", "send 1 90", "sent 2", "send 3 90"], []),  # PROBE: DF up to pc1's 1500, every time
    ],
)
def test_ip_mtu_discover_dont_and_probe_decide_df_on_the_wire(tmp_path: Path, mode, sent, arrived):
    """1400 bytes over a 1000-byte hop, as Linux 6.18 ran it in namespaces: IP_PMTUDISC_DONT sends without DF,
    so r1 fragments and all four arrive (they left with DF and the first was refused); IP_PMTUDISC_PROBE keeps
    DF and ignores the learned path MTU, so every other send fails with the error the one before earned
    (they were cut to the path MTU and arrived)."""
    net = narrow_chain()
    got: list[bytes] = []
    net.node("pc2").udp.bind(9999, lambda host, frame, now: got.append(frame.data[:1]))
    net.ping("pc1", "pc2", count=1)  # ARP everywhere first
    _, lines = _program_output(tmp_path, "pc1", _PMTUDISC_SENDER.replace("MODE", str(mode)), net)
    assert lines == sent
    assert got == arrived
    first = next(
        e.frame.l3 for e in net.trace if e.event_kind == "tx" and e.device == "pc1" and isinstance(e.frame.l4, Udp)
    )
    assert bool(first.flags & 2) is (mode != 0)


def test_ip_mtu_discover_outside_dont_to_omit_is_einval(tmp_path: Path):
    """IP_MTU_DISCOVER takes 0 (DONT) to 5 (OMIT); -1 and 6 are EINVAL, as do_ip_setsockopt (they were kept)."""
    source = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for value in (-1, 0, 5, 6):
    try: s.setsockopt(socket.IPPROTO_IP, 10, value); print(value, s.getsockopt(socket.IPPROTO_IP, 10))
    except OSError as e: print(value, e.errno)
"""
    _, lines = _program_output(tmp_path, "pc1", source)
    assert lines == ["-1 22", "0 0", "5 5", "6 22"]
