"""The rules a DHCP server's settings obey (lanlab.proto.dhcp), shared by topology files and `lanlab dhcp serve`."""

from __future__ import annotations

import itertools
import random
import tracemalloc
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.proto.dhcp import (
    DhcpClient,
    DhcpServer,
    empty_pool_problem,
    lease_problem,
    lent_router_problem,
    pool_inside,
    router_problem,
)
from lanlab.sim import TopologyError, load_topology
from lanlab.units import SECOND
from lanlab.wire import Dhcp, MacAddress
from simnets import topology_problems
from lanlab.wire.dhcp import DhcpOptionCode

NET = IPv4Network("198.18.0.0/24")
SIXTY_FOUR = [f"198.18.1.{host}" for host in range(1, 65)]
OWN = IPv4Address("198.18.0.1")


def pool(first: str, last: str) -> tuple[IPv4Address, IPv4Address]:
    return IPv4Address(first), IPv4Address(last)


def test_each_rule_says_its_mistake_and_passes_what_serves():
    """A pool off the subnet, a pool of never-lent addresses, a lease under 1 s and a gateway off the subnet or
    on its broadcast address are each named; their good neighbours pass (a /31 has no broadcast, RFC 3021)."""
    assert not pool_inside(pool("198.18.0.250", "198.18.1.10"), NET)
    assert pool_inside(pool("198.18.0.2", "198.18.0.254"), NET)
    assert "has no address to lend in 198.18.0.0/24" in empty_pool_problem(OWN, NET, pool("198.18.0.0", "198.18.0.1"))
    assert empty_pool_problem(OWN, NET, pool("198.18.0.0", "198.18.0.2")) is None
    assert empty_pool_problem(OWN, IPv4Network("198.18.0.0/31"), pool("198.18.0.0", "198.18.0.0")) is None
    assert lease_problem(4 * SECOND - 1) == (
        "lease: at least 4s (a client probes its new address for a second, and renews at half the lease)"
    )
    assert lease_problem(4 * SECOND) is None
    assert "is not in 198.18.0.0/24" in router_problem(IPv4Address("198.18.1.1"), NET)
    assert "network or broadcast address" in router_problem(IPv4Address("198.18.0.255"), NET)
    assert router_problem(IPv4Address("198.18.0.1"), IPv4Network("198.18.0.0/31")) is None


def test_a_gateway_inside_the_pool_is_refused_unless_it_is_the_server():
    """router 198.18.0.15 inside pool .10-.20 was handed out as the gateway and lent to a client as well; it is
    refused now. The server's own address inside the pool is never lent, so it may be the gateway."""
    lent = lent_router_problem(IPv4Address("198.18.0.15"), OWN, pool("198.18.0.10", "198.18.0.20"))
    assert lent == (
        "router 198.18.0.15 is inside the pool 198.18.0.10-198.18.0.20: the server would lend the gateway's "
        "address to a client; keep it out of the pool"
    )
    assert lent_router_problem(OWN, OWN, pool("198.18.0.1", "198.18.0.20")) is None
    assert lent_router_problem(IPv4Address("198.18.0.21"), OWN, pool("198.18.0.10", "198.18.0.20")) is None


@pytest.mark.parametrize(
    "dhcp, flags",
    [
        ("{pool: 198.18.0.1-198.18.0.1}", ["--pool", "198.18.0.1-198.18.0.1"]),
        ("{pool: 198.18.0.10-198.18.0.20, lease: 500ms}", ["--pool", "198.18.0.10-198.18.0.20", "--lease", "500ms"]),
        (
            "{pool: 198.18.0.10-198.18.0.20, router: 198.18.1.1}",
            ["--pool", "198.18.0.10-198.18.0.20", "--router", "198.18.1.1"],
        ),
        (
            "{pool: 198.18.0.10-198.18.0.20, router: 198.18.0.0}",
            ["--pool", "198.18.0.10-198.18.0.20", "--router", "198.18.0.0"],
        ),
        (
            "{pool: 198.18.0.10-198.18.0.20, router: 198.18.0.20}",
            ["--pool", "198.18.0.10-198.18.0.20", "--router", "198.18.0.20"],
        ),
        (
            "{pool: 198.18.0.10-198.18.0.20, dns: [198.18.0.53, 255.255.255.255]}",
            ["--pool", "198.18.0.10-198.18.0.20", "--dns", "198.18.0.53,255.255.255.255"],
        ),
        ("{pool: 224.0.0.1-224.0.0.9}", ["--pool", "224.0.0.1-224.0.0.9"]),
        (
            f"{{pool: 198.18.0.10-198.18.0.20, dns: [{', '.join(SIXTY_FOUR)}]}}",
            ["--pool", "198.18.0.10-198.18.0.20", "--dns", ",".join(SIXTY_FOUR)],
        ),
    ],
)
def test_a_topology_file_and_dhcp_serve_say_one_mistake_in_the_same_words(monkeypatch, dhcp, flags):
    """The same server settings written in a topology file and given to `lanlab dhcp serve` are refused with
    the same sentence: each rule is written once."""
    import lanlab.net.dhcp_server as dhcp_server

    monkeypatch.setattr(dhcp_server, "interface_address", lambda name: IPv4Interface("198.18.0.1/24"))
    monkeypatch.setattr(dhcp_server, "open_socket", lambda name: pytest.fail("a socket was opened"))
    served = CliRunner().invoke(cli, ["--lang", "en", "dhcp", "serve", "-I", "v0", *flags])
    with pytest.raises(TopologyError) as caught:
        load_topology("d.yaml", text=f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {dhcp}}}\n")
    [problem] = caught.value.problems
    assert served.exit_code == 2
    assert problem.removeprefix("d.yaml:2: node srv dhcp: ") == served.output.removeprefix("lanlab: ").rstrip("\n")


def test_a_pool_of_a_million_addresses_is_never_listed():
    """A /12's pool made a list of a million addresses (92 MB and 2 s; a /1's took the machine's memory) before a
    server or `sim check` could start; the pool is now arithmetic: the same answers in a few kilobytes."""
    subnet = IPv4Network("198.16.0.0/12")
    tracemalloc.start()
    try:
        server = DhcpServer(IPv4Address("198.16.0.1"), subnet, pool("198.16.0.0", "198.31.255.255"), 60 * SECOND)
        problem = empty_pool_problem(IPv4Address("198.16.0.1"), subnet, pool("198.16.0.0", "198.31.255.255"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak
    assert problem is None and len(server.pool) == 2**20 - 3  # all but its own, the network's and the broadcast
    assert IPv4Address("198.31.255.254") in server.pool and IPv4Address("198.16.0.1") not in server.pool
    assert list(itertools.islice(server.pool, 2)) == [IPv4Address("198.16.0.2"), IPv4Address("198.16.0.3")]


@pytest.mark.parametrize("address", ["0.0.0.0", "127.0.0.1", "224.0.0.251", "255.255.255.255"])
def test_a_dns_server_no_client_can_ask_is_refused(address):
    """dns: 0.0.0.0, a loopback, a multicast group or the broadcast address went out in option 6, and every client
    sent its queries nowhere (or to itself); each is now refused, naming what the address is."""
    [problem] = problems_of(f"{{pool: 198.18.0.10-198.18.0.20, dns: {address}}}")
    assert problem.startswith(f"d.yaml:2: node srv dhcp: dns: {address} is ")
    assert problem.endswith("not a DNS server's address; give one clients can ask, like 198.18.0.53")
    assert problems_of("{pool: 198.18.0.10-198.18.0.20, dns: [198.18.0.53, 198.19.0.53]}") == []


def problems_of(dhcp: str) -> list[str]:
    """The problems of a server srv at 198.18.0.1/24 with `dhcp: DHCP`."""
    return topology_problems(f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {dhcp}}}\n", "d.yaml")


@pytest.mark.parametrize(
    "dhcp, held",
    [
        ("{subnet: 224.0.0.0/24, pool: 224.0.0.1-224.0.0.9}", "224.0.0.1, a multicast group"),
        ("{subnet: 127.0.0.0/24, pool: 127.0.0.1-127.0.0.9}", "127.0.0.1, a loopback address"),
        ("{subnet: 96.0.0.0/3, pool: 100.0.0.2-127.0.0.1}", "127.0.0.0, a loopback address"),
    ],
)
def test_a_pool_of_addresses_no_host_may_have_is_refused(dhcp, held):
    """A relayed pool of multicast groups or loopback addresses (or one running into 127/8) loaded, and the
    server lent them as hosts' addresses; it is refused now, naming the first such address."""
    [problem] = problems_of(f"[{{pool: 198.18.0.10-198.18.0.20}}, {dhcp}]")
    assert f"holds {held}" in problem and problem.endswith("give unicast addresses")


def test_more_dns_servers_than_option_6_holds_are_refused_and_as_many_as_it_holds_go_out():
    """64 DNS servers loaded (and --dns took them), then the first answer to a client was a traceback (option 6
    holds 255 bytes); 64 are refused now, and 63 go out in an OFFER a client reads."""
    assert (
        "64 servers do not fit in option 6, which holds 63"
        in problems_of(f"{{pool: 198.18.0.10-198.18.0.20, dns: [{', '.join(SIXTY_FOUR)}]}}")[0]
    )
    servers = tuple(IPv4Address(address) for address in SIXTY_FOUR[:63])
    server = DhcpServer(OWN, NET, pool("198.18.0.10", "198.18.0.20"), 60 * SECOND, None, servers)
    client = DhcpClient(MacAddress("02:00:00:00:00:01"), random.Random(1))
    client.start(0)
    for send in client.messages_to_send(0):
        server.handle_message(send.message, 0)
    [offer] = server.messages_to_send(0)
    assert Dhcp.parse(offer.message.build())[0].value(DhcpOptionCode.DNS_SERVERS) == servers
