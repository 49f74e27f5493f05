"""A program on a simulated host reads its host's /proc/net/arp, /proc/net/route, /etc/resolv.conf,
/etc/hostname and /etc/hosts, written as Linux writes them, never the machine's own."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND


def reader():
    """The program: send to a neighbour and to an address nobody has, then read the four files."""
    import os
    import socket
    import time

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(b"x", ("198.18.0.2", 9))
    sock.sendto(b"x", ("198.18.0.77", 9))
    time.sleep(0.5)
    with open("/proc/net/arp") as arp, open("/proc/self/net/route", "rb") as route:
        texts = arp.read(), route.read().decode(), arp.name
    fd = os.open("/etc/hostname", os.O_RDONLY)
    try:
        hostname = os.read(fd, 100).decode()
    finally:
        os.close(fd)
    return (*texts, hostname, open("/etc/resolv.conf").read(), open("/etc/hosts").read())


def simulated(peer_mac: str = "02:00:00:00:00:02") -> tuple[str, ...]:
    net = Network("files")
    pc1 = net.add_host("pc1", ip="198.18.0.1/24", gateway="198.18.0.254")
    pc1.resolver_servers = (IPv4Address("198.18.0.53"),)
    pc1.resolver_search = "lab"
    net.add_host("pc2", ip="198.18.0.2/24", mac=peer_mac)
    net.link("pc1:eth0", "pc2:eth0")
    program = pc1.run(reader)
    run_programs(net, 2 * SECOND)
    assert program.error is None, program.output
    return program.result


def test_the_files_name_the_simulated_host():
    """pc1 sees its ARP entries (the unanswered one as Linux's INCOMPLETE: flags 0x0, zero MAC), its
    default route and subnet, its nameserver and search domain, and its own name."""
    arp, route, arp_name, hostname, resolv, hosts = simulated()
    assert arp.splitlines() == [
        "IP address       HW type     Flags       HW address            Mask     Device",
        "198.18.0.2       0x1         0x2         02:00:00:00:00:02     *        eth0",
        "198.18.0.77      0x1         0x0         00:00:00:00:00:00     *        eth0",
    ]
    assert [line.rstrip(" ") for line in route.splitlines()] == [
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
        "eth0\t00000000\tFE0012C6\t0003\t0\t0\t0\t00000000\t0\t0\t0",
        "eth0\t000012C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    ]
    assert {len(line) for line in route.splitlines()} == {127}  # the kernel pads every line to 127
    assert (arp_name, hostname, resolv) == ("/proc/net/arp", "pc1\n", "nameserver 198.18.0.53\nsearch lab\n")
    # a host with nameservers asks them for the others' names: its /etc/hosts has its own (as real/netns writes)
    assert hosts == "127.0.0.1\tlocalhost\n198.18.0.1\tpc1\n"


def test_a_host_without_gateway_or_resolver_has_its_subnet_only_and_an_empty_resolv_conf():
    """No default route line without a gateway; resolv.conf is empty without nameservers (glibc then asks
    nobody) and /etc/hosts names every node's addresses, as `lanlab real` writes it; an address-less host
    (RARP, DHCP before its lease) has the route header alone."""
    net = Network("bare")
    pc1 = net.add_host("pc1", ip="198.18.0.1/24")
    pc2 = net.add_host("pc2")
    net.add_router("r1", {"eth0": "198.18.0.254/24", "eth1": "198.18.1.254/24"})
    net.add_switch("sw1")

    def program():
        return open("/proc/net/route").read().splitlines(), open("/etc/resolv.conf").read(), open("/etc/hosts").read()

    one, two = pc1.run(program), pc2.run(program)
    run_programs(net, SECOND)
    (route, resolv, hosts), (bare, _, _) = one.result, two.result
    assert hosts == "127.0.0.1\tlocalhost\n198.18.0.1\tpc1\n198.18.0.254\tr1\n198.18.1.254\tr1\n"
    assert [line.rstrip(" ") for line in route[1:]] == ["eth0\t000012C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0"]
    assert resolv == "" and len(bare) == 1


@pytest.mark.netns
def test_arp_and_route_are_the_kernels_own_text(lab):
    """The same host in a namespace (same addresses, gateway and neighbour MAC): /proc/net/route is the
    same bytes, /proc/net/arp the same lines (the kernel lists them in its hash order)."""
    host, peer = lab.namespace("h"), lab.namespace("p")
    _, peer_mac = lab.link(host, peer, "198.18.0.1/24", "198.18.0.2/24")
    host.run("ip", "route", "add", "default", "via", "198.18.0.254")
    host.run("ping", "-c", "1", "-W", "1", "198.18.0.2")
    host.run("ping", "-c", "1", "-W", "1", "198.18.0.77", check=False)  # nobody: left INCOMPLETE (or FAILED)
    kernel_arp, kernel_route = host.run("cat", "/proc/net/arp").stdout, host.run("cat", "/proc/net/route").stdout
    arp, route, *_ = simulated(peer_mac)
    assert route == kernel_route
    assert sorted(arp.splitlines()) == sorted(kernel_arp.splitlines())


def test_the_files_cannot_be_written_and_a_router_lists_its_table():
    """Opening one to write is EACCES (the machine's own stays untouched); a router's /proc/net/route is
    its table, a route through a neighbour flagged UG (0003) with its gateway."""
    net = Network("router")
    r1 = net.add_router(
        "r1", {"eth0": "198.18.1.1/24", "eth1": "198.18.2.1/24"}, routes={"198.18.9.0/24": "198.18.2.9"}
    )

    def program():
        import errno
        import os

        refused = []
        for attempt in (lambda: open("/etc/hostname", "w"), lambda: os.open("/proc/net/arp", os.O_WRONLY)):
            try:
                attempt()
            except PermissionError as error:
                refused.append(errno.errorcode[error.errno])
        return refused, open("/proc/net/route").read()

    started = r1.run(program)
    run_programs(net, SECOND)
    refused, route = started.result
    assert refused == ["EACCES", "EACCES"]
    assert [line.rstrip(" ") for line in route.splitlines()[1:]] == [
        "eth0\t000112C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
        "eth1\t000212C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
        "eth1\t000912C6\t090212C6\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    ]
