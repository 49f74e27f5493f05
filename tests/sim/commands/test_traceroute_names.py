"""The simulator's `--do traceroute` prints what Linux traceroute prints: the target as given in its first line,
and each hop named by a reverse lookup ("r1 (198.18.0.254)", the address twice without a name), addresses
alone with -n."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from netlab import etc_files, needs_netns
from simnets import ZONE_WITHOUT_PC7, narrow_chain, pair

from lanlab.sim import load_topology
from lanlab.sim.commands import schedule

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
_TIMES = re.compile(r"  [\d.]+ ms")


def traced(net, text: str, until: float = 5) -> list[str]:
    done = schedule(net, text)
    net.run(until)
    assert not done.cut_short()
    return [_TIMES.sub("  T ms", line) for line in done.lines()]


def test_a_traceroute_names_the_target_as_given_and_every_hop():
    """traceroute pc2: "traceroute to pc2 (198.18.1.2)", then r1, r2 and pc2 by name, as /etc/hosts names them."""
    assert traced(narrow_chain(), "pc1 traceroute pc2 -q 1") == [
        "traceroute to pc2 (198.18.1.2), 30 hops max, 60 byte packets",
        " 1  r1 (198.18.0.254)  T ms",
        " 2  r2 (198.18.12.2)  T ms",
        " 3  pc2 (198.18.1.2)  T ms",
    ]


def test_a_traceroute_of_an_address_still_names_the_hops():
    """Linux traceroute looks every hop up whatever the target was given as; -I too."""
    lines = traced(narrow_chain(), "pc1 traceroute 198.18.1.2 -I -q 2")
    assert lines[0] == "traceroute to 198.18.1.2 (198.18.1.2), 30 hops max, 60 byte packets"
    assert lines[1] == " 1  r1 (198.18.0.254)  T ms  T ms"


def test_traceroute_n_prints_the_addresses_alone():
    """-n: no lookup, each hop's address once, as `traceroute -n`."""
    assert traced(narrow_chain(), "pc1 traceroute pc2 -n -q 1")[1:] == [
        " 1  198.18.0.254  T ms",
        " 2  198.18.12.2  T ms",
        " 3  198.18.1.2  T ms",
    ]


def test_a_host_with_a_nameserver_names_the_hops_by_ptr_queries():
    """pc1 resolves through ns: the hop is named as the zone names it (pc3.lab), after a PTR query on the wire."""
    net = load_topology(EXAMPLES / "dns.yaml")
    net.start_trace()
    lines = traced(net, "at 1s pc1 traceroute pc3 -q 1", until=3)
    assert lines[1] == " 1  pc3.lab (198.18.0.3)  T ms"
    assert any(e.device == "pc1" and "PTR 3.0.18.198.in-addr.arpa" in e.summary for e in net.trace)


def test_a_hop_without_a_name_shows_its_address_twice():
    """The zone has no PTR record for pc7: " 1  198.18.0.77 (198.18.0.77)", as traceroute without a name."""
    net = load_topology(
        "z.yaml",
        text=ZONE_WITHOUT_PC7,
    )
    assert traced(net, "pc1 traceroute pc7 -q 1", until=3)[1] == " 1  198.18.0.77 (198.18.0.77)  T ms"


def test_two_traceroutes_at_once_each_hear_their_own_probes():
    """Two UDP traceroutes from one host at the same instant probe the same ports from two sockets: Linux hands
    each ICMP error to the socket whose source port it quotes, so both list r1, r2, pc2 (one -q 1, the other's
    -q 3 probes of port 33435 and 33436 came back as its second and third hops)."""
    net = narrow_chain()
    first = schedule(net, "pc1 traceroute pc2 -q 1 -n")
    second = schedule(net, "pc1 traceroute pc2 -q 3 -n")
    net.run(5)
    for done in (first, second):
        hops = [{probe["address"] for probe in hop["probes"]} for hop in done.command.result()["hops"]]
        assert hops == [{"198.18.0.254"}, {"198.18.12.2"}, {"198.18.1.2"}]


def test_traceroute_to_localhost_as_linux_traceroute():
    """traceroute LOCALHOST: the name as given, one hop, localhost (127.0.0.1), as on a Linux host."""
    assert traced(narrow_chain(), "pc1 traceroute LOCALHOST -q 1") == [
        "traceroute to LOCALHOST (127.0.0.1), 30 hops max, 60 byte packets",
        " 1  localhost (127.0.0.1)  T ms",
    ]


@needs_netns
@pytest.mark.skipif(
    shutil.which("traceroute") is None, reason="Linux traceroute not installed (apt install traceroute)"
)
def test_a_traceroute_prints_what_linux_traceroute_prints_with_the_name_in_etc_hosts(lan):
    """Linux traceroute pc2 in a namespace whose /etc/hosts names 198.18.0.2 pc2 and the simulator's print the
    same lines, times aside."""
    host = lan(2).hosts[0]
    with etc_files(host, {"hosts": "127.0.0.1\tlocalhost\n198.18.0.1\tpc1\n198.18.0.2\tpc2\n"}):
        run = host.run("traceroute", "-q", "1", "pc2", timeout=20)
    theirs = [_TIMES.sub("  T ms", line) for line in run.stdout.rstrip("\n").split("\n")]
    assert theirs == traced(pair(), "pc1 traceroute pc2 -q 1")
