"""A program's socket.gethostbyname & co. on a host with a resolver: DNS over the wire, glibc's errors."""

from __future__ import annotations

import socket as real_socket

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.sim.stacks.dns import DnsService
from lanlab.units import SECOND


def lab(resolver: str = "198.18.0.53") -> Network:
    """ns serves lab. (auto, www -> pc2) at 198.18.0.53; pc1 uses `resolver`; pc2 is a plain host."""
    net = Network("lab")
    ns = net.add_host("ns", ip="198.18.0.53/24")
    pc1 = net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    for i, name in enumerate(("ns", "pc1", "pc2")):
        net.link(f"{name}:eth0", f"sw1:p{i + 1}")
    from ipaddress import IPv4Address

    DnsService(ns, "lab.", {}, {"www.lab.": "pc2.lab."}, 300, auto=True)
    pc1.resolver_servers = (IPv4Address(resolver),)
    return net


def run(net: Network, fn, until: int = 60 * SECOND):
    program = net.node("pc1").run(fn)
    run_programs(net, until)
    assert program.error is None, "\n".join(text for _, text in program.output)
    return program.result


def test_names_resolve_over_the_wire():
    """gethostbyname, gethostbyname_ex (CNAME as glibc: alias list, canonical name), getaddrinfo, gethostbyaddr."""

    def probe():
        import socket

        return (
            socket.gethostbyname("pc2.lab"),
            socket.gethostbyname_ex("www.lab"),
            socket.getaddrinfo("pc2", 80, type=socket.SOCK_STREAM)[0][4],
            socket.gethostbyaddr("198.18.0.2"),
        )

    net = lab()
    net.start_trace()
    assert run(net, probe) == (
        "198.18.0.2",
        ("pc2.lab", ["www.lab"], ["198.18.0.2"]),
        ("198.18.0.2", 80),
        ("pc2.lab", [], ["198.18.0.2"]),
    )
    assert sum(1 for e in net.trace if e.device == "pc1" and e.event_kind == "tx" and e.proto == "DNS") == 4


def test_unknown_name_is_eai_noname_and_a_refused_one_eai_again():
    """NXDOMAIN is socket.gaierror(EAI_NONAME, 'Name or service not known'); a name or a reverse zone the
    server REFUSES is EAI_AGAIN and herror 2, as glibc (checked against a refusing server in a namespace)
    moves on from REFUSED and, with no server left, says TRY_AGAIN (it said EAI_NONAME and herror 1)."""

    def probe():
        import socket

        out = []
        for name in ("nope.lab", "example.com"):
            try:
                socket.gethostbyname(name)
            except socket.gaierror as error:
                out.append((error.errno, error.strerror))
        try:
            socket.gethostbyaddr("198.18.0.77")
        except socket.herror as error:
            out.append(error.args)
        return out

    assert run(lab(), probe) == [
        (real_socket.EAI_NONAME, "Name or service not known"),
        (real_socket.EAI_AGAIN, "Temporary failure in name resolution"),
        (2, "Host name lookup failure"),
    ]


def test_silent_server_is_eai_again_after_ten_seconds():
    """A server that never answers: two tries 5 s apart, then gaierror EAI_AGAIN at 10 s of virtual time."""

    def probe():
        import socket
        import time

        start = time.monotonic()
        try:
            socket.gethostbyname("pc2.lab")
        except socket.gaierror as error:
            return error.errno == socket.EAI_AGAIN, error.strerror, round(time.monotonic() - start)
        return None

    net = lab(resolver="198.18.0.2")
    net.node("pc2").udp.bind(53, lambda host, frame, now: None)  # listening, never answering
    assert run(net, probe) == (True, "Temporary failure in name resolution", 10)


def test_without_a_resolver_names_come_from_the_topology():
    """No dns: and no lease: node names resolve from the topology, with no frame on the wire."""

    def probe():
        import socket

        return socket.gethostbyname("pc2")

    net = lab()
    net.node("pc1").resolver_servers = ()
    net.start_trace()
    assert run(net, probe) == "198.18.0.2"
    assert not [e for e in net.trace if e.proto == "DNS"]


def test_a_name_with_a_nul_is_refused_as_cpython_refuses_it():
    """gethostbyname('a\\0b') raises CPython's TypeError on a simulated host too (it was looked up as a name)."""

    def probe():
        import socket

        errors = []
        for call in (socket.gethostbyname, socket.gethostbyname_ex):
            try:
                call("a\0b")
            except TypeError as error:
                errors.append(str(error))
        return errors

    expected = []
    for call in (real_socket.gethostbyname, real_socket.gethostbyname_ex):
        try:
            call("a\0b")  # refused by CPython before any lookup: nothing leaves this machine
        except TypeError as error:
            expected.append(str(error))
    assert run(lab(), probe) == expected and len(expected) == 2
