"""The simulator's `--do ping` names who answered as iputils' pr_addr does: "pc2 (198.18.0.2)" when the target
was given by name and a reverse lookup finds one (the host's /etc/hosts, else its DNS server's PTR record), the
address alone for a target given as an address, with -n, or when no name is found."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from netlab import etc_files, needs_netns
from simnets import ZONE_WITHOUT_PC7, narrow_chain, pair

from lanlab import ping_lines
from lanlab.sim import load_topology
from lanlab.sim.commands import schedule
from lanlab.sim.commands.names import target_address

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
# what differs between any two runs: round trips and the run's length
_TIMES = re.compile(r"time=[\d.]+ ms|time \d+ms|= [\d./]+ ms")


def masked(lines: list[str]) -> list[str]:
    return [_TIMES.sub("T", line) for line in lines]


def printed(net, text: str, until: float = 5) -> list[str]:
    done = schedule(net, text)
    net.run(until)
    return done.lines()


def test_named_shows_the_name_then_the_address_or_the_address_alone():
    """ping_lines.named is iputils' "name (address)", or the address when there is no name."""
    assert ping_lines.named("198.18.0.2", "pc2") == "pc2 (198.18.0.2)"
    assert ping_lines.named("198.18.0.2", None) == "198.18.0.2"


def test_a_ping_of_a_node_name_names_the_replies_from_the_topology():
    """ping pc2: each reply line says "from pc2 (198.18.0.2)", as iputils with /etc/hosts naming pc2."""
    lines = printed(pair(), "pc1 ping pc2 -c 2 -i 0.2")
    assert [line.split(" time=")[0] for line in lines[1:3]] == [
        f"64 bytes from pc2 (198.18.0.2): icmp_seq={seq} ttl=64" for seq in (1, 2)
    ]


def test_a_ping_of_an_address_or_with_n_names_nobody():
    """ping 198.18.0.2, and ping -n pc2: the replies say the address alone, as iputils."""
    for words in ("198.18.0.2", "pc2 -n"):
        lines = printed(pair(), f"pc1 ping {words} -c 1")
        assert lines[1].startswith("64 bytes from 198.18.0.2: icmp_seq=1 "), words


def test_an_icmp_error_from_a_router_is_named_too():
    """ping -t 1 pc2 across a router: "From r1 (198.18.0.254) icmp_seq=1 Time to live exceeded"."""
    lines = printed(narrow_chain(), "pc1 ping pc2 -c 1 -t 1")
    assert lines[1] == "From r1 (198.18.0.254) icmp_seq=1 Time to live exceeded"


def test_a_failed_arp_is_named_after_the_host_itself():
    """No answer to ARP: "From pc1 (198.18.0.1) icmp_seq=1 Destination Host Unreachable", the host's own name."""
    net = pair()
    net.add_host("pc9", ip="198.18.0.9/24")  # in the topology, but cabled to nothing
    lines = printed(net, "pc1 ping pc9 -c 1", until=10)
    assert lines[1] == "From pc1 (198.18.0.1) icmp_seq=1 Destination Host Unreachable"


def test_a_host_with_a_nameserver_asks_it_for_the_ptr_record():
    """pc1 resolves through ns (dns: in the file): its /etc/hosts names only itself, so the reply's sender is
    asked of DNS (a PTR query on the wire) and named as the zone names it, pc3.lab."""
    net = load_topology(EXAMPLES / "dns.yaml")
    net.start_trace()
    lines = printed(net, "at 1s pc1 ping pc3 -c 1", until=3)
    assert lines[1].startswith("64 bytes from pc3.lab (198.18.0.3): icmp_seq=1 ")
    assert any(e.device == "pc1" and "PTR 3.0.18.198.in-addr.arpa" in e.summary for e in net.trace)


def test_a_host_with_a_nameserver_without_the_record_shows_the_address():
    """A reply from an address the zone has no PTR record for: the address alone (getnameinfo NI_NAMEREQD)."""
    net = load_topology("z.yaml", text=ZONE_WITHOUT_PC7)
    ping = schedule(net, "pc1 ping pc7 -c 1")
    net.run(3)
    assert ping.lines()[1].startswith("64 bytes from 198.18.0.77: icmp_seq=1 ")
    assert not ping.cut_short()  # the lookup's NXDOMAIN came: nothing left waiting


def test_localhost_and_a_name_in_other_case_resolve_as_in_etc_hosts():
    """ping localhost pings 127.0.0.1 and names it localhost; PC2 is pc2 (glibc reads /etc/hosts without regard
    to case) and its replies carry the name as /etc/hosts spells it, as iputils prints them."""
    lines = printed(pair(), "pc1 ping localhost -c 1")
    assert lines[0] == "PING localhost (127.0.0.1) 56(84) bytes of data."
    assert lines[1].startswith("64 bytes from localhost (127.0.0.1): icmp_seq=1 ")
    lines = printed(pair(), "pc1 ping PC2 -c 1")
    assert lines[1].startswith("64 bytes from pc2 (198.18.0.2): icmp_seq=1 ")


def test_a_ping_of_a_name_heads_and_sums_up_with_its_canonical_name():
    """ping PC2 prints "PING pc2" and "--- pc2 ping statistics ---", ping LOCALHOST "localhost": the name as
    /etc/hosts spells it (iputils asks getaddrinfo for AI_CANONNAME), not as typed; an address stays as typed."""
    for typed, canonical, address in (("PC2", "pc2", "198.18.0.2"), ("LOCALHOST", "localhost", "127.0.0.1")):
        lines = printed(pair(), f"pc1 ping {typed} -c 1")
        assert lines[0] == f"PING {canonical} ({address}) 56(84) bytes of data."
        assert f"--- {canonical} ping statistics ---" in lines
    assert printed(pair(), "pc1 ping 198.18.0.2 -c 1")[0].startswith("PING 198.18.0.2 (198.18.0.2) ")


def test_localhost_localdomain_is_no_name_the_hosts_file_knows():
    """/etc/hosts names 127.0.0.1 localhost only, so ping localhost.localdomain fails as any unknown name does."""
    net = pair()
    with pytest.raises(ValueError) as unknown:
        target_address(net, "nosuchname")
    with pytest.raises(ValueError) as localdomain:
        target_address(net, "localhost.localdomain")
    assert str(localdomain.value) == str(unknown.value).replace("nosuchname", "localhost.localdomain")


@needs_netns
@pytest.mark.skipif(shutil.which("ping") is None, reason="iputils ping not installed (apt install iputils-ping)")
def test_a_ping_of_a_name_prints_what_iputils_prints_with_the_name_in_etc_hosts(lan):
    """iputils ping pc2 in a namespace whose /etc/hosts names 198.18.0.2 pc2 (`ip netns exec` mounts
    /etc/netns/NAME/hosts there, as `lanlab real` writes it) and the simulator's print the same lines, times aside."""
    host = lan(2).hosts[0]
    with etc_files(host, {"hosts": "127.0.0.1\tlocalhost\n198.18.0.1\tpc1\n198.18.0.2\tpc2\n"}):
        theirs = host.run("ping", "-c", "2", "-i", "0.2", "pc2", timeout=20).stdout.rstrip("\n").split("\n")
    assert theirs[1].startswith("64 bytes from pc2 (198.18.0.2): icmp_seq=1 ")
    assert masked(printed(pair(), "pc1 ping pc2 -c 2 -i 0.2")) == masked(theirs)
