"""The ICMP errors hosts and routers send, held against Linux in network namespaces: rate-limited as Linux
does (net.ipv4.icmp_ratelimit: after a burst of 6, one a second per destination), quoting as much of the
offending datagram as fits in 576 bytes."""

from __future__ import annotations

import sys
import textwrap
from ipaddress import IPv4Address

from lanlab.proto.icmp import IcmpRateLimit
from lanlab.sim.core.frame import ETH_HEADER
from lanlab.sim import Network
from lanlab.units import SECOND
from netlab import needs_netns
from simnets import narrow_chain

CLOSED_PORTS = range(40000, 40020)


def two_hosts() -> Network:
    net = Network("scan", trace=True)
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.link("pc1", "pc2")
    return net


def port_unreachables_for_a_burst(net: Network, now: int) -> int:
    """How many port unreachables pc1 hears for 20 datagrams sent at once to closed ports of pc2."""
    pc1 = net.node("pc1")
    before = len(pc1.icmp_errors)
    for port in CLOSED_PORTS:
        pc1.send_udp(5000, IPv4Address("198.18.0.2"), port, b"x", now)
    net.run(now / SECOND + 0.5)
    return len(pc1.icmp_errors) - before


def warmed_up(net: Network) -> Network:
    """One datagram to closed port 9 first (ARP, and one port unreachable: one token), as the Linux test does."""
    net.node("pc1").send_udp(5000, IPv4Address("198.18.0.2"), 9, b"x", 0)
    net.run(0.1)
    return net


def test_a_burst_to_closed_ports_gets_what_is_left_of_six_then_one_a_second():
    """After one error, 20 datagrams at once get 5 port unreachables (the bucket holds 6), the rest held back,
    each a drop in the event list; a second later one more, as Linux's bucket refills one error a second."""
    net = warmed_up(two_hosts())
    assert port_unreachables_for_a_burst(net, net.engine.now) == 5
    held = [e for e in net.trace if e.device == "pc2" and e.event_kind == "drop" and "rate limit" in e.summary]
    assert len(held) == 15 and "ICMP dest unreachable to 198.18.0.1 held back" in held[0].summary
    assert port_unreachables_for_a_burst(net, net.engine.now + SECOND) == 1


def test_a_host_with_no_rate_limit_answers_every_datagram():
    """icmp_ratelimit 0 (IcmpRateLimit(0)): every closed port answers, as Linux with the sysctl at 0."""
    net = two_hosts()
    net.node("pc2").icmp_limit = IcmpRateLimit(0)
    warmed_up(net)
    assert port_unreachables_for_a_burst(net, net.engine.now) == len(CLOSED_PORTS)


def test_a_router_sends_six_time_exceeded_to_a_fast_ping_then_holds_back():
    """Ten TTL-1 pings 10 ms apart through a router: six "Time to live exceeded", as Linux's router sends."""
    net = narrow_chain(1500, "a", "b")
    ping = net.do("a ping b -c 10 -i 0.01 -t 1 -W 1")
    net.run(3)
    result = ping.command.result()
    assert (result["transmitted"], result["errors"]) == (10, 6)


# The start of a script the Linux tests run in a namespace: a raw socket hearing the ICMP that comes back
# (`timeout` seconds at most per packet) and a UDP socket to send with.
LISTENING = """import socket
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
raw.settimeout({timeout})
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
"""


@needs_netns
def test_linux_answers_the_same_burst_with_six_port_unreachables(lan):
    """The oracle: after one error, 20 datagrams at once to closed ports of a Linux neighbour bring 5 port
    unreachables, as the simulated burst does."""
    a, b = lan(2).hosts
    script = LISTENING.format(timeout=0.5) + textwrap.dedent(
        f"""
        out.sendto(b"x", ("{b.ip}", 9))  # ARP first, and one error, as warmed_up does
        try:
            raw.recv(2000)
        except socket.timeout:
            pass
        for port in range({CLOSED_PORTS.start}, {CLOSED_PORTS.stop}):
            out.sendto(b"x", ("{b.ip}", port))
        count = 0
        try:
            while True:
                packet = raw.recv(2000)
                count += packet[20] == 3 and packet[21] == 3
        except socket.timeout:
            print(count)
        """
    )
    heard = a.run(sys.executable, "-c", script, timeout=20).stdout.strip()
    assert int(heard) == 5


def simulated_error_size(payload: int) -> int:
    """The IP total length of the port unreachable pc2 answers a `payload`-byte datagram to a closed port with."""
    net = two_hosts()
    net.node("pc1").send_udp(5000, IPv4Address("198.18.0.2"), 9, bytes(payload), 0)
    net.run(0.1)
    [error] = [e.frame for e in net.trace if e.device == "pc2" and e.event_kind == "tx" and e.proto == "ICMP"]
    return error.size - ETH_HEADER


@needs_netns
def test_an_icmp_error_is_as_long_as_linux_makes_it(lan):
    """A 1000-byte datagram's port unreachable is 576 bytes, a 10-byte one's quotes it whole (66), on Linux
    and in the simulator alike."""
    a, b = lan(2).hosts
    script = LISTENING.format(timeout=2) + textwrap.dedent(
        f"""
        for size in (1000, 10):
            out.sendto(bytes(size), ("{b.ip}", 9))
            print(len(raw.recv(4000)))
        """
    )
    linux = [int(n) for n in a.run(sys.executable, "-c", script, timeout=20).stdout.split()]
    assert linux == [576, 66]
    assert [simulated_error_size(1000), simulated_error_size(10)] == linux
