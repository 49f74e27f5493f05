"""A demanding teacher's trial of the shim against Linux: names (getaddrinfo & co.), socket calls, select and
thread waits. Each program here was run in a network namespace (Linux 6.18, glibc 2.36 with hosts: files and an
/etc/hosts naming pc1 and pc2, CPython 3.11) and on a simulated pair, and printed the same. What needs no name
beyond numbers and loopback is checked against this machine's own modules; what names pc2 holds the kernel's
answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND
from simnets import pair, prints_as_on_this_machine


def run(net: Network, fn, node: str = "pc1"):
    program = net.node(node).run(fn)
    run_programs(net, 10 * SECOND)
    assert program.error is None, "\n".join(text for _, text in program.output)
    return program.result


PRELUDE = """import socket
def show(label, call):
    try: found = call()
    except Exception as e: found = (type(e).__name__, e.args)
    if isinstance(found, list):  # an IPv4-only host: its AF_INET entries
        found = [(k, p, c, a) for f, k, p, c, a in found if f == socket.AF_INET]
    print(label, repr(found))
"""

# a TCP connection over loopback, `client` to `server`
CONNECTED = (
    PRELUDE
    + """import time
listener = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(listener.getsockname())
server, _ = listener.accept()
"""
)

GETADDRINFO_RULES = (
    PRELUDE
    + """
G = socket.getaddrinfo
for args in [("１２７.０.０.１", 80, 0, 1), ("127。0。0。1", 80, 0, 1), ("127.0.0.1\\0junk", 80, 0, 1), (b"127.0.0.1\\0x", 80, 0, 1),
             ("a" * 64, 80), ("127..1", 80), ("127.0.0.1", "80\\0x", 0, 1), ("127.0.0.1", b"81\\0x", 0, 1),
             ("*", 80, 0, 1), ("127.0.0.1", "*", 0, 1), (None, "*"), ("*", "*"),
             ("127.0.0.1", 80, 0, 0, 0, 0x800), ("127.0.0.1", 80, 0, 0, 0, -1), (None, 80, 0, 0, 0, socket.AI_CANONNAME),
             ("127.0.0.1", 80, 99, 99, 0, 0x8000), ("127.0.0.1", "x", 0, 0, 0, socket.AI_NUMERICSERV | 0x8000),
             ("127.0.0.1", 80, 0, 99), ("127.0.0.1", 80, 0, socket.SOCK_STREAM | socket.SOCK_NONBLOCK),
             ("127.0.0.1", 80, 0, socket.SOCK_SEQPACKET), ("127.0.0.1", 80, 0, 6), ("127.0.0.1", None, 0, 0, 132),
             ("127.0.0.1", 80, 0, 0, 136), ("127.0.0.1", 80, 0, socket.SOCK_STREAM, 132), ("127.0.0.1", None, 0, 0, 99),
             ("127.0.0.1", None, 0, socket.SOCK_RAW, 99), ("127.0.0.1", 80, 0, socket.SOCK_RAW, 6),
             ("127.0.0.1", "nosuch", 0, 99), ("127.0.0.1", 80, "x"), ("127.0.0.1", 80, 2**31), (5, 80),
             (bytearray(b"127.0.0.1"), 80), ("127.0.0.1", True), ("127.0.0.1", 80, 0, 5, 0, socket.AI_CANONNAME),
             ("127.1", 80, 0, 1, 0, socket.AI_CANONNAME), ("127.0.0.1", 80, socket.AF_INET6)]:
    show(f"getaddrinfo{args!r}", lambda: G(*args))
show("keywords", lambda: G(host="127.0.0.1", port=80, family=socket.AF_INET, type=socket.SOCK_DGRAM, proto=0, flags=0))
"""
)


def test_getaddrinfo_reads_its_arguments_as_cpython_and_checks_them_as_glibc(tmp_path: Path):
    """getaddrinfo IDNA-encodes a str host (full-width digits and ideographic dots are numbers, a 64-character
    label is UnicodeError), cuts host and port at a NUL, takes "*" for none, refuses unknown flags and
    AI_CANONNAME without a host (EAI_BADFLAGS) and unknown socket types (EAI_SOCKTYPE: it crashed with a
    ValueError), lists SCTP, UDP-Lite and DCCP as glibc does, checks the service before the host, takes its
    hints as C ints with CPython's keywords (host=, port=), and fills ai_canonname."""
    prints_as_on_this_machine(tmp_path, GETADDRINFO_RULES)


NAME_ARGUMENTS = (
    PRELUDE
    + """
# what each answers is not printed (this machine's /etc/hosts may name 127.0.0.1 otherwise): only how it fails
for value in [5, None, b"127.0.0.1", bytearray(b"127.0.0.1"), bytearray(b"1\\0"), "127.0.0.1\\0", "１２７.０.０.１", "ａ" * 64]:
    for call in (socket.gethostbyname, socket.gethostbyname_ex, socket.gethostbyaddr):
        show(f"{call.__name__}({value!r})", lambda: type(call(value)).__name__)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        show(f"sendto({value!r})", lambda: s.sendto(b"x", (value, 9)))
show("gethostbyaddr('')", lambda: socket.gethostbyaddr(""))
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind(("127.0.0.1", 0))
    show("bind again elsewhere", lambda: s.bind(("198.51.100.1", 0)))
    show("bind again", lambda: s.bind(("127.0.0.1", 0)))
N = socket.getnameinfo
for sa, flags in [(("127.0.0.1", 80), 0x100), (("127.0.0.1", 80), -1), (("127.0.0.1", 70000), 3), (("127.0.0.1", -1), 3),
                  (("127.0.0.1", 80, 0), 3), (("127.0.0.1",), 3), (["127.0.0.1", 80], 3), ((b"127.0.0.1", 80), 3),
                  (("127.0.0.1\\0", 80), 3), (("127.0.0.1", "80"), 3), (("127.0.0.1", 80, 2**20), 3), (("127.0.0.1", 2**31), 3),
                  (("localhost", 80), 3), (("１２７.０.０.１", 80), 3), (("127.0.0.1", 80), socket.NI_NAMEREQD | socket.NI_NUMERICHOST),
                  (("127.0.0.1", 80), 1.0), (("127.0.0.1", 7), socket.NI_NUMERICHOST | socket.NI_DGRAM)]:
    show(f"getnameinfo({sa!r}, {flags})", lambda: N(sa, flags))
"""
)


def test_name_functions_read_a_host_as_cpython_does(tmp_path: Path):
    """gethostbyname & co. take bytes and bytearray (they crashed with AttributeError), IDNA-encode a str,
    name themselves in their TypeErrors (a NUL, a wrong type); an address's host says "host name must not
    contain null character" or "encoding of hostname failed"; gethostbyaddr('') is CPython's wildcard error;
    bind to a foreign address is EADDRNOTAVAIL before a second bind's EINVAL (__inet_bind's order); getnameinfo
    reads its sockaddr as CPython (a tuple of 2 for IPv4, a numeric host, the port wrapped) and its flags as
    glibc (EAI_BADFLAGS)."""
    prints_as_on_this_machine(tmp_path, NAME_ARGUMENTS)


def test_names_of_the_topology_are_idna_encoded_and_canonical_as_etc_hosts_spells_them():
    """'ｐｃ２' is pc2 and '198。18。0。2' its address (CPython's idna codec); a name asked as PC2 or LOCALHOST is
    canonically pc2 and localhost, as glibc answers from /etc/hosts (gethostbyname_ex, AI_CANONNAME; it was the
    spelling asked, and LOCALHOST was not found); "pc2\\0junk" is pc2 to getaddrinfo (glibc sees a C string)."""

    def probe():
        import socket

        canon = socket.AI_CANONNAME
        return (
            socket.gethostbyname("ｐｃ２"),
            socket.gethostbyname("198。18。0。2"),
            socket.gethostbyname_ex("PC2"),
            socket.gethostbyname_ex("LOCALHOST"),
            socket.getaddrinfo("PC2", 80, 0, socket.SOCK_STREAM, 0, canon)[0][3:],
            socket.getaddrinfo("LOCALHOST", 80, 0, socket.SOCK_STREAM, 0, canon)[0][3:],
            socket.getaddrinfo("pc2\0junk", "80\0x", 0, socket.SOCK_STREAM)[0][4],
            socket.gethostbyaddr("ｐｃ２"),
        )

    assert run(pair(), probe) == (
        "198.18.0.2",
        "198.18.0.2",
        ("pc2", [], ["198.18.0.2"]),
        ("localhost", [], ["127.0.0.1"]),
        ("pc2", ("198.18.0.2", 80)),
        ("localhost", ("127.0.0.1", 80)),
        ("198.18.0.2", 80),
        ("pc2", [], ["198.18.0.2"]),
    )


def test_gethostbyname_ex_of_what_no_hosts_file_names_is_host_not_found():
    """gethostbyname_ex("") , ("<broadcast>") and ("0x7f.1") pass CPython's setipaddr and then glibc's
    gethostbyname_r finds no such host: herror(1, 'Unknown host') (the shim answered 0.0.0.0, the broadcast
    address, and a gaierror)."""

    def probe():
        import socket

        found = []
        for name in ("", "<broadcast>", "0x7f.1"):
            try:
                found.append(socket.gethostbyname_ex(name))
            except OSError as error:
                found.append((type(error).__name__, error.args))
        return found

    assert run(pair(), probe) == [("herror", (1, "Unknown host"))] * 3


def test_ai_canonname_through_a_resolver_is_the_cname_target():
    """Through DNS, ai_canonname is the canonical name the answer ends at (www.lab is a CNAME of pc2.lab), as
    gethostbyname_ex's; it was the name as asked."""
    from ipaddress import IPv4Address

    from lanlab.sim.stacks.dns import DnsService

    net = pair()
    DnsService(net.node("pc2"), "lab.", {}, {"www.lab.": "pc2.lab."}, 300, auto=True)
    net.node("pc1").resolver_servers = (IPv4Address("198.18.0.2"),)

    def probe():
        import socket

        return (
            socket.getaddrinfo("www.lab", 80, 0, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)[0][3],
            socket.gethostbyname_ex("www.lab")[0],
        )

    assert run(net, probe) == ("pc2.lab", "pc2.lab")


def test_a_nul_in_the_address_gethostbyaddr_is_given_is_its_own_typeerror():
    """gethostbyaddr('a\\0b') names gethostbyaddr in its TypeError (it named gethostbyname), as the real module."""
    import socket as real_socket

    def probe():
        import socket

        try:
            socket.gethostbyaddr("pc2\0junk")
        except TypeError as error:
            return str(error)
        return None

    with pytest.raises(TypeError) as real:
        real_socket.gethostbyaddr("127.0.0.1\0junk")
    assert run(pair(), probe) == str(real.value)


SOCKET_CALLS = (
    PRELUDE
    + """
for args in [(socket.AF_INET, 0), (socket.AF_INET, 4), (socket.AF_INET, 7), (socket.AF_INET, 11), (socket.AF_INET, 99),
             (socket.AF_INET, -2), (socket.AF_INET, socket.SOCK_STREAM, 300),
             (99, socket.SOCK_STREAM), (-1, -1, -1), (socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK)]:
    def make():
        with socket.socket(*args) as made:
            return made.family, made.type, made.proto, made.getblocking()
    show(f"socket{args!r}", make)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
show("recv, not bound", lambda: u.recv(10, socket.MSG_DONTWAIT))
show("still not bound", u.getsockname)
show("sendto(data)", lambda: u.sendto(b"x"))
show("sendto 4 arguments", lambda: u.sendto(b"x", 0, ("127.0.0.1", 9), 1))
show("recv 2**63", lambda: u.recv(2**63))
show("recv flags 2**31", lambda: u.recv(1, 2**31))
show("recvfrom 2**63", lambda: u.recvfrom(2**63))
show("recv_into 2**63", lambda: u.recv_into(bytearray(1), 2**63))
u.bind(("127.0.0.1", 0))
show("shutdown", lambda: u.shutdown(socket.SHUT_RD))
show("shut, recv blocking", lambda: u.recv(10))
show("shut, recv MSG_DONTWAIT", lambda: u.recv(10, socket.MSG_DONTWAIT))
u.settimeout(0.05)
show("shut, recv with a timeout", lambda: u.recv(10))
u.setblocking(False)
show("shut, recv non-blocking", lambda: u.recvfrom(10))
"""
)


def test_socket_and_its_calls_refuse_what_linux_and_cpython_refuse(tmp_path: Path):
    """socket() of a type no kernel has is EINVAL, of one IPv4 has no protocol for ESOCKTNOSUPPORT, a family
    past AF_MAX EAFNOSUPPORT, -1 the default (they were
    UnsupportedInSimulation); a UDP socket is not bound by a recv; sendto's argument count is CPython's
    TypeError; sizes past a ssize_t are OverflowError (recv waited); a UDP socket shut for reading returns
    the end to a blocking recv only: non-blocking it is EAGAIN, with a timeout "timed out" (it returned b'')."""
    prints_as_on_this_machine(tmp_path, SOCKET_CALLS)


def test_a_name_of_several_addresses_gives_them_all_the_nearest_first():
    """getaddrinfo of a router's name lists every address it has, sorted as glibc sorts them (RFC 3484 rule 9:
    the one on the asking host's subnet first, the rest in /etc/hosts's order), and gethostbyname answers
    that first one, as CPython's does through getaddrinfo; gethostbyname_ex keeps the file's order. (The
    shim gave only the router's first interface's address, 198.18.5.1, to both.) As in a namespace whose
    /etc/hosts lists r1's three addresses, with or without a default route."""
    net = Network("routed")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_router("r1", {"eth0": "198.18.5.1/24", "eth1": "198.18.0.254/24", "eth2": "198.18.9.1/24"})
    net.add_switch("sw1")
    net.link("pc1:eth0", "sw1:p1")
    net.link("r1:eth1", "sw1:p2")

    def probe():
        import socket

        return (
            [entry[4][0] for entry in socket.getaddrinfo("r1", 80, type=socket.SOCK_STREAM)],
            socket.gethostbyname("r1"),
            socket.gethostbyname_ex("r1"),
        )

    assert run(net, probe) == (
        ["198.18.0.254", "198.18.5.1", "198.18.9.1"],
        "198.18.0.254",
        ("r1", [], ["198.18.5.1", "198.18.0.254", "198.18.9.1"]),
    )


SERVICE_ARGUMENTS = (
    PRELUDE
    + """
for args in [(b"http",), ("http", b"tcp"), ("http\\0x",), (None,), ("http", None), ("http", "tcp", 1)]:
    show(f"getservbyname{args!r}", lambda: socket.getservbyname(*args))
for args in [("80",), (80.0,), (2**40,), (-1,), (80, None), (80, "tcp\\0"), (53, "udp")]:
    show(f"getservbyport{args!r}", lambda: socket.getservbyport(*args))
show("getprotobyname('tcp\\\\0')", lambda: socket.getprotobyname("tcp\\0"))
for name in [None, b"tcp", 6]:
    show(f"getprotobyname({name!r})", lambda: socket.getprotobyname(name))
"""
)


def test_service_and_protocol_lookups_read_their_arguments_as_cpython(tmp_path: Path):
    """getservbyname and getservbyport take a str protocol or none (None, bytes: TypeError; they were looked up
    and not found, or taken as no protocol), a port as a C int (a float was taken, '80' a TypeError about
    '<='), and a NUL in a name is ValueError (it was looked up)."""
    prints_as_on_this_machine(tmp_path, SERVICE_ARGUMENTS)


ERROR_QUEUE = (
    CONNECTED
    + """
client.sendall(b"data")
time.sleep(0.05)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u.sendto(b"datagram", u.getsockname())
time.sleep(0.05)
for sock in (server, u):
    show("MSG_ERRQUEUE", lambda: sock.recv(10, socket.MSG_ERRQUEUE))
    show("recvfrom MSG_ERRQUEUE", lambda: sock.recvfrom(10, socket.MSG_ERRQUEUE)[0])
    show("the data", lambda: sock.recv(10))
"""
)


def test_msg_errqueue_reads_the_empty_error_queue_not_the_data(tmp_path: Path):
    """recv(n, MSG_ERRQUEUE) is EAGAIN at once (an empty error queue) and leaves the data for the next recv
    (it read the data)."""
    prints_as_on_this_machine(tmp_path, ERROR_QUEUE)


WAIT_ARGUMENTS = (
    PRELUDE
    + """
import select
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
for timeout in (float("nan"), "1", 1e300, -1, 2**70):
    show(f"select({timeout!r})", lambda: select.select([u], [], [], timeout))
show("select(-1) before a bad list", lambda: select.select([object()], [], [], -1))
p = select.poll()
p.register(u, select.POLLIN)
for timeout in ("1", 2**64, 2.0**40, float("nan"), 2**31, 0.5):
    show(f"poll({timeout!r})", lambda: p.poll(timeout))
e = select.epoll()
e.register(u, select.EPOLLIN)
for args in [("1",), (2**31,), (float("nan"),), (0, 0), (0, -2), (0.001, 5)]:
    show(f"epoll.poll{args!r}", lambda: e.poll(*args))
for hint in (-2, 0, 5):
    show(f"epoll({hint})", lambda: select.epoll(hint).close())
"""
)


def test_select_poll_and_epoll_read_their_timeouts_as_cpython(tmp_path: Path):
    """select's timeout is read before its lists (NaN ValueError, a str "timeout must be a float or None", too
    large OverflowError: it compared a str with an int, took NaN as no wait); poll's is in ms, "an integer or
    None", a C int of ms at most ("timeout is too large"; 2**64 waited for ever); epoll.poll's likewise, and
    maxevents under 1 and a sizehint of 0 or under -1 are ValueErrors (they were taken)."""
    prints_as_on_this_machine(tmp_path, WAIT_ARGUMENTS)


THREAD_TIMEOUTS = (
    PRELUDE
    + """
import threading, time
event, condition, semaphore = threading.Event(), threading.Condition(), threading.Semaphore(0)
show("Event.wait(-1)", lambda: event.wait(-1))
with condition:
    show("Condition.wait(-1)", lambda: condition.wait(-1))
show("Semaphore.acquire(timeout=-1)", lambda: semaphore.acquire(timeout=-1))
show("Semaphore.acquire(timeout='1')", lambda: semaphore.acquire(timeout="1"))
show("Semaphore.acquire(False, 1)", lambda: semaphore.acquire(False, 1))
worker = threading.Thread(target=time.sleep, args=(0.2,))
worker.start()
show("join(-1)", lambda: (worker.join(-1), worker.is_alive()))
worker.join()
show("TIMEOUT_MAX", lambda: threading.TIMEOUT_MAX)
for kind, lock in (("Lock", threading.Lock()), ("RLock", threading.RLock())):
    for args in [(True, -2), (False, 0), (True, "1"), (True, float("nan")), (True, threading.TIMEOUT_MAX * 2)]:
        show(f"{kind}.acquire{args!r}", lambda: lock.acquire(*args))
"""
)


def test_a_wait_whose_time_is_up_returns_at_once_as_threading_does(tmp_path: Path):
    """Event.wait, Condition.wait and Semaphore.acquire with a timeout of 0 or less return False at once and
    join(-1) does not wait (a deadline already past: they waited for ever); a lock's acquire refuses a
    negative timeout other than -1 and one with blocking=False (it waited for ever, or took it), and
    TIMEOUT_MAX is CPython's (it was 2**31)."""
    prints_as_on_this_machine(tmp_path, THREAD_TIMEOUTS)


ZERO_READS = (
    CONNECTED
    + """
server.settimeout(0.1)
show("recv(0), nothing there", lambda: server.recv(0))
show("recvfrom(0), nothing there", lambda: server.recvfrom(0))
show("recvfrom_into(empty), nothing there", lambda: server.recvfrom_into(bytearray(0)))
client.sendall(b"abc")
time.sleep(0.05)
show("recvfrom(0), data there", lambda: server.recvfrom(0))
show("the data is left", lambda: server.recv(10))
server.close()
show("recv(0), closed", lambda: server.recv(0))
show("recvfrom(0), closed", lambda: server.recvfrom(0))
"""
)


def test_recvfrom_of_nothing_on_a_stream_waits_as_the_kernel_does(tmp_path: Path):
    """recvfrom(0) on a TCP socket is a real read (CPython shortcuts only recv and recv_into): it waits for a byte
    (times out here), takes none, and on a closed socket is EBADF (it returned (b'', None) at once)."""
    prints_as_on_this_machine(tmp_path, ZERO_READS)
