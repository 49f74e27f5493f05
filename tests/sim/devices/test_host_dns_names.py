"""The names a host's resolver library (glibc's, host_dns) will not ask any server about, and what it says."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.sim.stacks.dns import DnsService
from lanlab.units import SECOND


def lab() -> Network:
    """ns serves lab.test. (auto) at 198.18.0.53; pc1 (198.18.0.1) asks it."""
    net = Network("lab")
    ns = net.add_host("ns", ip="198.18.0.53/24")
    pc1 = net.add_host("pc1", ip="198.18.0.1/24")
    net.add_switch("sw1")
    net.link("ns:eth0", "sw1:p1")
    net.link("pc1:eth0", "sw1:p2")
    DnsService(ns, "lab.test.", {}, {}, 300, auto=True)
    pc1.resolver_servers = (IPv4Address("198.18.0.53"),)
    return net


def test_a_name_glibc_takes_for_no_host_name_is_not_asked():
    """getaddrinfo of "pc 3", "-pc1" and "*.lab.test" sent a query and, the server refusing the first two, said
    EAI_AGAIN; glibc's nss_dns asks nothing for a name res_hnok refuses and says EAI_NONAME (the kernel lab,
    `lanlab compare`, showed no query on its wire). Now the same, and the event list says why nothing left;
    "ns" and "under_score.lab.test" are asked as before."""

    def probe():
        import socket

        said = []
        for name in ("pc 3", "-pc1", "*.lab.test", "ns", "under_score.lab.test"):
            try:
                said.append(socket.getaddrinfo(name, 80)[0][4][0])
            except socket.gaierror as error:
                said.append(error.errno)
        return said

    net = lab()
    net.start_trace()
    program = net.node("pc1").run(probe)
    run_programs(net, 30 * SECOND)
    assert program.result == [-2, -2, -2, "198.18.0.53", -2]
    asked = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "tx" and e.proto == "DNS"]
    assert [line.split(" A ")[1] for line in asked] == ["ns", "under_score.lab.test"]
    said = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "dns"]
    assert said[0] == (
        "pc 3.: not asked of any server, it is no host name (letters, digits, '-' and '_' only, not starting "
        "with '-'): EAI_NONAME, as glibc says"
    )
    assert [line.split(":")[0] for line in said] == ["pc 3.", "-pc1.", "*.lab.test."]


def test_a_name_no_query_can_hold_is_not_said_to_have_had_no_answer():
    """A name over 255 bytes fails at once with nothing sent; its event said "no answer from 198.18.0.53", as if
    the server had been asked. It now says no query can hold it."""
    long = ".".join(["b" * 62] * 4) + ".lab.test"

    def probe():
        import socket

        try:
            socket.getaddrinfo(long, 80)
        except socket.gaierror as error:
            return error.errno

    net = lab()
    net.start_trace()
    program = net.node("pc1").run(probe)
    run_programs(net, 30 * SECOND)
    said = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "dns"]
    assert program.result == -2
    assert said == [
        f"{long}.: not asked of any server, no query can hold it (ran out of space): EAI_NONAME, as glibc says"
    ]
