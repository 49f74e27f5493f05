"""The simulator's `--do ping` prints what iputils ping prints, line for line (held against iputils itself in
network namespaces); and the kernel lab rebuilds the same lines from `lanlab ping --json`."""

from __future__ import annotations

import re
import shutil

import pytest

from lanlab.real.commands import ping_text
from netlab import needs_netns
from simnets import pair

from lanlab.sim import Network

# Round trips and the run's length differ between any two runs; everything else must not.
_TIMES = [(re.compile(r"time=[\d.]+ ms"), "time=T ms"), (re.compile(r"time \d+ms"), "time Tms")]
_RTT_LINE = re.compile(r"^rtt min/avg/max/mdev = [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms$")


def masked(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, mask in _TIMES:
            line = pattern.sub(mask, line)
        out.append("rtt min/avg/max/mdev = T ms" if _RTT_LINE.match(line) else line)
    return out


def simulated_ping(words: str) -> list[str]:
    """`ping WORDS` from 198.18.0.1 to its neighbour 198.18.0.2 on a switch, as `sim run --do` prints it."""
    net = pair()
    ping = net.do(f"pc1 ping {words}")
    net.run(5)
    return ping.command.lines()


def test_simulated_ping_has_iputils_header_blank_line_time_and_mdev():
    """The header names the target and its address, each reply its sender by name (iputils' reverse lookup of a
    ping of a name), a blank line precedes the statistics, which say the
    time from the first request to the last and the rtt line's mdev, as iputils prints them."""
    lines = simulated_ping("pc2 -c 3 -i 0.5")
    assert lines[0] == "PING pc2 (198.18.0.2) 56(84) bytes of data."
    assert [line.split(" time=")[0] for line in lines[1:4]] == [
        f"64 bytes from pc2 (198.18.0.2): icmp_seq={seq} ttl=64" for seq in (1, 2, 3)
    ]
    assert lines[4:7] == [
        "",
        "--- pc2 ping statistics ---",
        "3 packets transmitted, 3 received, 0% packet loss, time 1000ms",
    ]
    assert _RTT_LINE.match(lines[7]) and len(lines) == 8


def test_a_simulated_ping_too_short_to_time_prints_no_times():
    """-s 8 cannot carry the send time: no time= on the replies and no rtt line, as iputils."""
    lines = simulated_ping("198.18.0.2 -c 2 -i 0.2 -s 8")
    assert lines[:3] == [
        "PING 198.18.0.2 (198.18.0.2) 8(36) bytes of data.",
        "16 bytes from 198.18.0.2: icmp_seq=1 ttl=64",
        "16 bytes from 198.18.0.2: icmp_seq=2 ttl=64",
    ]
    assert lines[3:] == [
        "",
        "--- 198.18.0.2 ping statistics ---",
        "2 packets transmitted, 2 received, 0% packet loss, time 200ms",
    ]


@needs_netns
@pytest.mark.skipif(shutil.which("ping") is None, reason="iputils ping not installed (apt install iputils-ping)")
@pytest.mark.parametrize(
    "words", [["-c", "3", "-i", "0.2"], ["-c", "2", "-i", "0.2", "-s", "8"], ["-c", "2", "-i", "0.2", "-s", "1400"]]
)
def test_simulated_ping_prints_what_iputils_prints(lan, words):
    """Between two hosts of one LAN, iputils ping in namespaces and the simulator's ping print the same
    lines, round trips and run lengths aside."""
    hosts = lan(2).hosts
    assert (hosts[0].ip, hosts[1].ip) == ("198.18.0.1", "198.18.0.2")
    theirs = hosts[0].run("ping", *words, "198.18.0.2", timeout=20).stdout.rstrip("\n").split("\n")
    ours = simulated_ping(" ".join(["198.18.0.2", *words]))
    assert masked(ours) == masked(theirs)


@needs_netns
@pytest.mark.skipif(shutil.which("ping") is None, reason="iputils ping not installed (apt install iputils-ping)")
def test_a_simulated_ping_to_a_silent_neighbour_ends_with_iputils_pipe(lan):
    """ARP fails for an address nobody holds: each request's Destination Host Unreachable comes while all four
    are out, so both end their statistics with iputils' "pipe 4" (the simulator said nothing of it)."""
    host = lan(2).hosts[0]
    theirs = host.run("ping", "-c", "4", "-i", "0.5", "198.18.0.9", check=False, timeout=20)
    ours = simulated_ping("198.18.0.9 -c 4 -i 0.5")
    assert ours[-1] == "pipe 4"
    assert masked(ours) == masked(theirs.stdout.rstrip("\n").split("\n"))


@needs_netns
@pytest.mark.skipif(shutil.which("ping") is None, reason="iputils ping not installed (apt install iputils-ping)")
def test_a_simulated_broadcast_ping_needs_b_as_iputils(lan):
    """Without -b a broadcast address is refused with iputils' words; with -b its warning comes first, then
    what iputils prints (nobody answers: Linux hosts ignore broadcast pings)."""
    net = pair()
    refused = net.do("pc1 ping 198.18.0.255 -c 1")
    net.run(1)
    assert refused.error == "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules"
    host = lan(2).hosts[0]
    theirs = host.run("ping", "-b", "-c", "2", "-i", "0.2", "-W", "1", "198.18.0.255", check=False)
    ours = simulated_ping("198.18.0.255 -b -c 2 -i 0.2 -W 1")
    assert masked(ours) == masked([theirs.stderr.rstrip("\n"), *theirs.stdout.rstrip("\n").split("\n")])


@needs_netns
@pytest.mark.skipif(shutil.which("ping") is None, reason="iputils ping not installed (apt install iputils-ping)")
def test_hosts_that_answer_broadcast_pings_are_listed_as_iputils_lists_them(lan):
    """With answer_broadcast_ping (icmp_echo_ignore_broadcasts=0 on the kernel) both other hosts answer each
    request: a line from each, by its own address, none marked (DUP!), duplicates counted, as iputils."""
    net = Network("bp")
    net.add_host("pc1", ip="198.18.0.1/24")
    for n in (2, 3):
        net.add_host(f"pc{n}", ip=f"198.18.0.{n}/24", answer_broadcast_ping=True)
    net.add_switch("sw1")
    for n in (1, 2, 3):
        net.link(f"pc{n}:eth0", f"sw1:p{n}")
    ping = net.do("pc1 ping 198.18.0.255 -b -c 2 -i 0.3")
    net.run(3)
    ours = masked(ping.command.lines())
    hosts = lan(3).hosts
    for host in hosts[1:]:
        host.run("sysctl", "-qw", "net.ipv4.icmp_echo_ignore_broadcasts=0")
    run = hosts[0].run("ping", "-b", "-c", "2", "-i", "0.3", "198.18.0.255", check=False, timeout=20)
    theirs = masked([run.stderr.rstrip("\n"), *run.stdout.rstrip("\n").split("\n")])
    first = [f"64 bytes from 198.18.0.{n}: icmp_seq=1 ttl=64 time=T ms" for n in (2, 3)]
    assert sorted(line for line in ours if "icmp_seq=1 " in line) == first
    assert sorted(line for line in theirs if "icmp_seq=1 " in line) == first
    assert ours[:2] == theirs[:2] and not any("DUP" in line for line in ours + theirs)
    transmitted = "2 packets transmitted, 2 received, +"
    assert [line for line in ours if line.startswith(transmitted)] == [
        "2 packets transmitted, 2 received, +2 duplicates, 0% packet loss, time Tms"
    ]
    assert any(line.startswith(transmitted) for line in theirs)  # how many duplicates iputils waits for is timing


def test_the_kernel_lab_rebuilds_iputils_lines_from_the_json_document():
    """`real run --do ping` shows the lines the tool's --json document holds: replies, errors, duplicates,
    the time, the tool's own min/avg/max/mdev and its pipe."""
    document = {
        "host": "198.18.0.2",
        "address": "198.18.0.2",
        "transmitted": 3,
        "received": 2,
        "duplicates": 1,
        "errors": 2,
        "loss_percent": 33.333,
        "time_ms": 2003,
        "socket": "raw",
        "rtt_ms": {"min": 0.1, "avg": 0.2, "max": 0.3, "mdev": 0.1},
        "pipe": 2,
        "replies": [
            {"seq": 1, "from": "198.18.0.2", "bytes": 64, "ttl": 64, "time_ms": 0.1, "duplicate": False},
            {"seq": 1, "from": "198.18.0.2", "bytes": 64, "ttl": 64, "time_ms": 0.15, "duplicate": True},
            {"seq": 2, "from": "198.18.0.254", "error": "Destination Host Unreachable"},
            {"seq": 3, "from": "198.18.0.1", "error": "local error: message too long, mtu=1500", "mtu": 1500},
            {"seq": 3, "from": "198.18.0.2", "bytes": 64, "ttl": 63, "time_ms": 12.34, "duplicate": False},
        ],
    }
    assert ping_text(["ping", "-c", "3", "pc2"], {**document, "broadcast": False}) == ping_text(
        ["ping", "-c", "3", "pc2"], document
    )
    assert ping_text(["ping", "-b", "-c", "3", "pc2"], {**document, "broadcast": True})[0] == (
        "WARNING: pinging broadcast address"
    )
    assert ping_text(["ping", "-c", "3", "pc2"], document) == [
        "PING pc2 (198.18.0.2) 56(84) bytes of data.",
        "64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.100 ms",
        "64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.150 ms (DUP!)",
        "From 198.18.0.254 icmp_seq=2 Destination Host Unreachable",
        "ping: local error: message too long, mtu=1500",
        "64 bytes from 198.18.0.2: icmp_seq=3 ttl=63 time=12.3 ms",
        "",
        "--- pc2 ping statistics ---",
        "3 packets transmitted, 2 received, +1 duplicates, +2 errors, 33.3333% packet loss, time 2003ms",
        "rtt min/avg/max/mdev = 0.100/0.200/0.300/0.100 ms, pipe 2",
    ]
