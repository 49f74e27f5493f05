"""The simulated socket, select, selectors, threading and queue, call by call."""

from __future__ import annotations

import errno

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND as S


def pair(**link) -> Network:
    net = Network("pair")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.link("pc1:eth0", "sw1:p1", **link)
    net.link("pc2:eth0", "sw1:p2")
    return net


def run(net: Network, *programs, until: int = 10 * S) -> list:
    """Start (node, fn, *args) programs, run, return their results; fail on any traceback."""
    started = [net.node(node).run(fn, *args) for node, fn, *args in programs]
    run_programs(net, until)
    for program in started:
        assert program.error is None, "\n".join(text for _, text in program.output)
    return [program.result for program in started]


def echo_server(port: int, count: int = 1) -> None:
    import socket

    listener = socket.create_server(("", port))
    for _ in range(count):
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(4096):
                conn.sendall(data)


def test_unreachable_network_and_connect_timeout_errors():
    """No route: ENETUNREACH at once; a peer that never answers: ETIMEDOUT after the SYN retries (127 s)."""
    net = pair()
    del net.node("pc2").ip_protocols[6]  # a firewall that drops TCP: no RST, no answer at all

    def probe():
        import errno
        import socket
        import time

        out = []
        for target in (("10.9.9.9", 80), ("pc2", 80)):
            try:
                socket.create_connection(target)
            except OSError as error:
                out.append((errno.errorcode[error.errno], round(time.monotonic())))
        s = socket.socket()
        s.settimeout(2.5)
        try:
            s.connect(("pc2", 80))
        except socket.timeout as error:
            out.append((str(error), round(time.monotonic(), 1)))
        return out

    [result] = run(net, ("pc1", probe), until=400 * S)
    assert result == [("ENETUNREACH", 0), ("ETIMEDOUT", 127), ("timed out", 129.5)]


def test_names_addresses_and_options():
    """gethostname, gethostbyname of node names, getsockname/getpeername, SO_RCVBUF doubled, TCP_NODELAY."""
    net = pair()

    def client():
        import socket

        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.connect((socket.gethostbyname("pc2"), 7))
        info = (
            socket.gethostname(),
            socket.gethostbyname("localhost"),
            s.getpeername(),
            s.getsockname()[0],
            s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
            socket.getaddrinfo("pc2", 7, type=socket.SOCK_STREAM)[0][4],
            socket.inet_ntoa(socket.inet_aton("1.2.3.4")),
            socket.htons(1),
        )
        s.close()
        return info

    _, result = run(net, ("pc2", echo_server, 7), ("pc1", client))
    assert result == ("pc1", "127.0.0.1", ("198.18.0.2", 7), "198.18.0.1", 8192, 1, ("198.18.0.2", 7), "1.2.3.4", 256)


def test_nonblocking_recv_recv_into_and_select_timeout():
    """BlockingIOError when nothing is there, select's timeout in virtual time, recv_into fills a buffer."""
    net = pair()

    def client():
        import select
        import socket
        import time

        s = socket.create_connection(("pc2", 7))
        s.setblocking(False)
        try:
            s.recv(10)
            blocked = False
        except BlockingIOError:
            blocked = True
        start = time.monotonic()
        nothing = select.select([s], [], [], 0.25)
        waited = round(time.monotonic() - start, 2)
        s.setblocking(True)
        s.sendall(b"x" * 100000)
        buffer = bytearray(100000)
        got = 0
        while got < 100000:
            got += s.recv_into(memoryview(buffer)[got:])
        s.shutdown(socket.SHUT_WR)
        eof = s.recv(10)
        s.close()
        return blocked, nothing, waited, bytes(buffer) == b"x" * 100000, eof

    _, result = run(net, ("pc2", echo_server, 7), ("pc1", client))
    assert result == (True, ([], [], []), 0.25, True, b"")


def test_default_selector_echo_server():
    """selectors.DefaultSelector over simulated sockets serves two clients in one thread."""
    net = pair()

    def server():
        import selectors
        import socket

        selector = selectors.DefaultSelector()
        listener = socket.create_server(("", 9))
        listener.setblocking(False)
        selector.register(listener, selectors.EVENT_READ)
        done = 0
        while done < 2:
            for key, _ in selector.select():
                if key.fileobj is listener:
                    conn, _ = listener.accept()
                    selector.register(conn, selectors.EVENT_READ)
                else:
                    data = key.fileobj.recv(100)
                    if data:
                        key.fileobj.send(data[::-1])
                    else:
                        selector.unregister(key.fileobj)
                        key.fileobj.close()
                        done += 1
        return type(selector).__name__

    def client(word):
        import socket

        with socket.create_connection(("pc2", 9)) as s:
            s.send(word.encode())
            return s.recv(100).decode()

    result = run(net, ("pc2", server), ("pc1", client, "abc"), ("pc1", client, "xyz"))
    assert result == ["EpollSelector", "cba", "zyx"]  # as on Linux


def test_threads_with_queue_condition_semaphore_and_event():
    """Producer/consumer over queue.Queue, a Semaphore limiting workers, an Event, a Condition, Thread.join."""
    net = pair()

    def program():
        import queue
        import threading
        import time

        jobs: queue.Queue = queue.Queue()
        results = []
        busy = [0, 0]
        gate = threading.Semaphore(2)
        start = threading.Event()
        cond = threading.Condition()

        def worker():
            start.wait()
            while (job := jobs.get()) is not None:
                with gate:
                    busy[0] += 1
                    busy[1] = max(busy[1], busy[0])
                    time.sleep(0.1)
                    busy[0] -= 1
                with cond:
                    results.append(job * job)
                    cond.notify_all()

        workers = [threading.Thread(target=worker) for _ in range(4)]
        for w in workers:
            w.start()
        for n in range(8):
            jobs.put(n)
        start.set()
        with cond:
            cond.wait_for(lambda: len(results) == 8, timeout=10)
        for _ in workers:
            jobs.put(None)
        for w in workers:
            w.join()
        try:
            jobs.get(timeout=0.5)
        except queue.Empty:
            empty_after = round(time.monotonic(), 1)
        return sorted(results), busy[1], round(time.monotonic(), 1), empty_after

    [result] = run(net, ("pc1", program))
    assert result == ([n * n for n in range(8)], 2, 0.9, 0.9)


def test_listen_backlog_holds_back_connections_until_accepted():
    """listen(1): two clients complete the handshake at once; a third, coming once they wait to be accepted (the
    accept queue full), only after the server accepts (its SYN dropped, retried 1, 3, 7 s later)."""
    net = pair()

    def server():
        import socket
        import time

        listener = socket.socket()
        listener.bind(("", 80))
        listener.listen(1)
        time.sleep(5)
        peers = []
        for _ in range(3):
            conn, _ = listener.accept()
            peers.append(conn)
        return len(peers)

    def client(wait=0.0):
        import socket
        import time

        time.sleep(wait)
        socket.create_connection(("pc2", 80))
        return round(time.monotonic(), 3)

    result = run(net, ("pc2", server), ("pc1", client), ("pc1", client), ("pc1", client, 0.1), until=20 * S)
    assert result[0] == 3
    connected = sorted(result[1:])
    assert connected[0] < 0.01 and connected[1] < 0.01 and 5 <= connected[2] < 8  # SYN retried after the accept


def test_connect_to_an_absent_neighbour_says_no_route_to_host():
    """Nobody answers ARP for the address: connect fails with EHOSTUNREACH after ARP gives up, as on Linux."""
    net = pair()

    def probe():
        import errno
        import socket
        import time

        try:
            socket.create_connection(("198.18.0.77", 80))
        except OSError as error:
            return errno.errorcode[error.errno], error.strerror, time.monotonic() < 10

    [result] = run(net, ("pc1", probe), until=60 * S)
    assert result == ("EHOSTUNREACH", "No route to host", True)


def test_thread_subclass_and_timer():
    """A threading.Thread subclass overriding run(), and a Timer firing in virtual time."""
    net = pair()

    def program():
        import threading
        import time

        fired = []

        class Ticker(threading.Thread):
            def run(self):
                for _ in range(3):
                    time.sleep(0.5)
                    fired.append(round(time.monotonic(), 1))

        ticker = Ticker()
        ticker.start()
        timer = threading.Timer(0.7, lambda: fired.append("timer"))
        timer.start()
        ticker.join()
        return fired, threading.current_thread().name, ticker.is_alive()

    [result] = run(net, ("pc1", program))
    assert result == ([0.5, "timer", 1.0, 1.5], "MainThread", False)


def test_connected_udp_socket_learns_the_port_is_closed():
    """A connected UDP socket gets ConnectionRefusedError after the ICMP port unreachable; an unconnected one times out."""
    net = pair()

    def client():
        import socket

        connected = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        connected.connect(("pc2", 9999))
        connected.send(b"anyone?")
        outcomes = []
        try:
            connected.recv(100)
        except ConnectionRefusedError as error:
            outcomes.append(error.errno)
        loose = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        loose.settimeout(0.2)
        loose.sendto(b"anyone?", ("pc2", 9999))
        try:
            loose.recvfrom(100)
        except socket.timeout:
            outcomes.append("timeout")
        return outcomes

    [result] = run(net, ("pc1", client))
    assert result == [111, "timeout"]


def test_connect_fails_at_once_when_a_router_answers_unreachable():
    """A router's ICMP errors end a connect still opening, as Linux's tcp_v4_err does: an absent host behind it
    is EHOSTUNREACH once its ARP gives up (about 3 s), a network it has no route to ENETUNREACH at once; before,
    connect ignored them and timed out after two minutes."""
    net = Network("routed")
    net.add_host("pc1", ip="198.18.0.1/24", gateway="198.18.0.254")
    net.add_router("r1", {"eth0": "198.18.0.254/24", "eth1": "198.18.1.254/24"})
    net.add_host("pc3", ip="198.18.1.3/24", gateway="198.18.1.254")
    net.link("pc1:eth0", "r1:eth0")
    net.link("r1:eth1", "pc3:eth0")

    def probe(address):
        import errno
        import socket
        import time

        started = time.monotonic()
        try:
            socket.create_connection((address, 80))
        except OSError as error:
            return errno.errorcode[error.errno], round(time.monotonic() - started)

    absent, elsewhere = run(net, ("pc1", probe, "198.18.1.99"), ("pc1", probe, "198.19.0.1"), until=200 * S)
    assert absent == ("EHOSTUNREACH", 3)
    assert elsewhere == ("ENETUNREACH", 0)


def test_recv_flags_zero_reads_so_error_and_ip_ttl_behave_as_on_linux():
    """MSG_PEEK leaves the data (TCP and UDP), MSG_WAITALL waits for all of it, MSG_DONTWAIT never blocks,
    recv(0) returns b'' at once, SO_ERROR is cleared once read and IP_TTL reads 64; the flags were ignored,
    recv(0) blocked for ever, SO_ERROR stayed set and IP_TTL read 0."""
    net = pair()

    def program():
        import errno
        import socket
        import threading
        import time

        server = socket.socket()
        server.bind(("127.0.0.1", 7001))
        server.listen()

        def peer():
            connection, _ = server.accept()
            connection.sendall(b"abc")
            time.sleep(0.01)
            connection.sendall(b"def")
            time.sleep(0.5)
            connection.close()

        threading.Thread(target=peer).start()
        client = socket.create_connection(("127.0.0.1", 7001))
        time.sleep(0.001)
        seen = [client.recv(10, socket.MSG_PEEK), client.recv(0), client.recv(6, socket.MSG_WAITALL)]
        try:
            client.recv(10, socket.MSG_DONTWAIT)
        except BlockingIOError as error:
            seen.append(errno.errorcode[error.errno])
        seen.append(client.getsockopt(socket.IPPROTO_IP, socket.IP_TTL))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 7002))
        udp.sendto(b"x", ("127.0.0.1", 7002))
        seen += [udp.recvfrom(10, socket.MSG_PEEK)[0], udp.recvfrom(10)[0]]
        refused = socket.socket()
        refused.setblocking(False)
        try:
            refused.connect(("127.0.0.1", 7999))
        except BlockingIOError:
            pass
        time.sleep(0.1)
        seen += [refused.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) for _ in range(2)]
        return seen

    [seen] = run(net, ("pc1", program), until=3 * S)
    assert seen == [b"abc", b"", b"abcdef", "EAGAIN", 64, b"x", b"x", 111, 0]


def test_a_server_restarted_with_so_reuseaddr_listens_again_at_once():
    """A server that served one client and closed leaves a TIME-WAIT connection on its port: started again with
    SO_REUSEADDR it listens at once, as on Linux (it got EADDRINUSE at listen()); without it, bind refuses."""
    net = pair()

    def serve(delay, reuse, tag):
        import errno
        import socket
        import time

        time.sleep(delay)
        server = socket.socket()
        if reuse:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("0.0.0.0", 7500))
            server.listen()
        except OSError as error:
            return errno.errorcode[error.errno]
        connection, _ = server.accept()
        connection.sendall(tag)
        connection.close()
        server.close()
        return "served"

    def ask(delay):
        import socket
        import time

        time.sleep(delay)
        return socket.create_connection(("198.18.0.1", 7500)).recv(10)

    results = run(
        net,
        ("pc1", serve, 0, True, b"one"),
        ("pc2", ask, 0.1),
        ("pc1", serve, 1, False, b"two"),
        ("pc1", serve, 1.5, True, b"three"),
        ("pc2", ask, 1.6),
        until=5 * S,
    )
    assert results == ["served", b"one", "EADDRINUSE", "served", b"three"]


def test_what_linux_refuses_is_refused_with_its_errno_and_what_is_missing_says_so():
    """has_ipv6 is False (AF_INET6 is EAFNOSUPPORT), accept() on UDP is EOPNOTSUPP, shutdown(7) and UDP to port
    0 are EINVAL, and recvmsg is UnsupportedInSimulation naming the host (an AttributeError before)."""
    net = pair()

    def program():
        import errno
        import socket

        seen = [socket.has_ipv6]
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for call in (udp.accept, lambda: udp.shutdown(7), lambda: udp.sendto(b"x", ("198.18.0.2", 0))):
            try:
                call()
            except OSError as error:
                seen.append(errno.errorcode[error.errno])
        try:
            udp.recvmsg(10)
        except Exception as error:  # noqa: BLE001 - which one is the point
            seen.append(f"{type(error).__name__}: {error}")
        return seen

    [seen] = run(net, ("pc1", program))
    assert seen == [
        False,
        errno.errorcode[errno.EOPNOTSUPP],
        "EINVAL",
        "EINVAL",
        "UnsupportedInSimulation: socket.recvmsg() is not available on simulated host pc1",
    ]


def test_shutting_a_listener_down_wakes_the_thread_blocked_in_accept():
    """shutdown(SHUT_RDWR) on a listening socket returns and the thread blocked in accept() fails with EINVAL, as on
    Linux (a common way to end an accept loop); it raised ENOTCONN and left the thread blocked for ever."""
    net = pair()

    def program():
        import errno
        import socket
        import threading
        import time

        server = socket.socket()
        server.bind(("0.0.0.0", 7600))
        server.listen()
        ended = []

        def loop():
            try:
                server.accept()
            except OSError as error:
                ended.append((errno.errorcode[error.errno], round(time.monotonic(), 3)))

        worker = threading.Thread(target=loop)
        worker.start()
        time.sleep(0.5)
        shut = server.shutdown(socket.SHUT_RDWR)
        worker.join()
        server.close()
        return shut, ended

    [(shut, ended)] = run(net, ("pc1", program), until=2 * S)
    assert shut is None and ended == [("EINVAL", 0.5)]


def test_udp_shutdown_wakes_a_reader_and_tcp_sendto_and_names_are_as_on_linux():
    """shutdown(SHUT_RD) of an unconnected UDP socket wakes its blocked reader with b'' and says ENOTCONN;
    sendto on a connected TCP socket sends, ignoring the address (it was EISCONN); host names are matched without
    regard to case (gethostbyname('PC2') failed)."""
    net = pair()

    def program():
        import errno
        import socket
        import threading
        import time

        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("0.0.0.0", 7700))
        woke = []
        reader = threading.Thread(target=lambda: woke.append(udp.recvfrom(10)))
        reader.start()
        time.sleep(0.2)
        try:
            udp.shutdown(socket.SHUT_RD)
        except OSError as error:
            shut = errno.errorcode[error.errno]
        reader.join()
        server = socket.socket()
        server.bind(("127.0.0.1", 7701))
        server.listen()
        client = socket.create_connection(("127.0.0.1", 7701))
        connection, _ = server.accept()
        sent = client.sendto(b"hi", ("198.18.0.9", 9))
        return shut, woke, sent, connection.recv(10), socket.gethostbyname("PC2")

    [result] = run(net, ("pc1", program), until=2 * S)
    assert result == ("ENOTCONN", [(b"", None)], 2, b"hi", "198.18.0.2")


def test_msg_waitall_returns_what_came_before_the_peers_end():
    """recv(100, MSG_WAITALL) on a blocking socket returns the 20 bytes a peer sent before closing, whether
    the FIN comes during the call or was there before it (tcp_recvmsg stops at the end); it waited for ever."""
    net = pair()

    def program():
        import socket
        import threading
        import time

        server = socket.socket()
        server.bind(("127.0.0.1", 7003))
        server.listen()

        def peer():
            for delay in (0.1, 0.0):
                connection, _ = server.accept()
                time.sleep(delay)
                connection.sendall(b"only 20 bytes here!!")
                connection.close()

        threading.Thread(target=peer).start()
        during = socket.create_connection(("127.0.0.1", 7003))
        got = [during.recv(100, socket.MSG_WAITALL)]
        before = socket.create_connection(("127.0.0.1", 7003))
        time.sleep(0.5)
        got += [before.recv(100, socket.MSG_WAITALL), before.recv(100, socket.MSG_WAITALL)]
        return got

    [got] = run(net, ("pc1", program), until=3 * S)
    assert got == [b"only 20 bytes here!!", b"only 20 bytes here!!", b""]
