"""Simulated DNS servers in odd but legal zones (a trial as a teacher and a hostile student)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import load_topology
from lanlab.proto.dns import DnsZone
from lanlab.sim.commands import schedule

ZONE = """nodes:
  ns: {{kind: host, ip: 198.18.0.53/24, dns: {{zone: lab., auto: {auto}, records: {{www: 198.18.0.3}}}}}}
  pc1: {{kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}}
  sw1: {{kind: switch}}
links:
  - [ns:eth0, sw1:p1]
  - [pc1:eth0, sw1:p2]
"""


@pytest.mark.parametrize("auto", ["false", "true"])
def test_the_servers_counters_count_each_query_once(tmp_path: Path, auto):
    """Three answered queries and two refused ones count 3 and 2. A zone without auto: keeps one DnsServer,
    whose own counters grow with every query, and each query added them all again (1 + 2 + 3 = 6 answered)."""
    path = tmp_path / "zone.yaml"
    path.write_text(ZONE.format(auto=auto))
    net = load_topology(path)
    for i, name in enumerate(["www.lab", "nope.lab", "lab", "example.com", "example.org"]):
        schedule(net, f"at {i + 1}s pc1 dig +short {name}")
    net.run(10)
    service = net.node("ns").dns_service
    assert (service.answered, service.refused) == (3, 2)


def test_a_name_with_thousands_of_addresses_is_answered_over_tcp_not_a_crash(tmp_path: Path):
    """dig of a name with 4,500 A records: the UDP answer is cut (TC), dig asks again over TCP, and the server
    crashed the run framing an answer longer than a TCP message can be; it now answers what fits, TC set."""
    addresses = ", ".join(f"198.18.{i // 250}.{i % 250 + 1}" for i in range(4500))
    path = tmp_path / "many.yaml"
    path.write_text(
        ZONE.replace("records: {{www: 198.18.0.3}}", f"records: {{{{many: [{addresses}]}}}}")
        .replace("/24", "/16")
        .format(auto="false")
    )
    net = load_topology(path)
    dig = schedule(net, "at 1s pc1 dig many.lab")
    net.run(5)
    shown = "\n".join(dig.command.lines())
    assert ";; Truncated, retrying in TCP mode." in shown and "flags: qr aa tc rd;" in shown
    assert "(TCP)" in shown and shown.count("IN\tA\t198.18.") > 4000


def test_an_auto_zone_is_made_again_only_when_an_address_changed(tmp_path: Path, monkeypatch):
    """auto: true made the whole zone again for every query: with 50,000 records each query took 0.7 s. It is
    now made again only when a node's addresses changed: here once for pc2's lease, which is then answered."""
    import lanlab.sim.stacks.dns as stack

    made = []
    monkeypatch.setattr(stack, "DnsZone", lambda *args, **kwargs: made.append(args) or DnsZone(*args, **kwargs))
    path = tmp_path / "auto.yaml"
    path.write_text(
        ZONE.format(auto="true").replace(
            "  sw1:",
            "  srv: {kind: host, ip: 198.18.0.2/24, dhcp: {pool: 198.18.0.100-198.18.0.110}}\n"
            "  pc2: {kind: host, ip: dhcp}\n  sw1:",
        )
        + "  - [srv:eth0, sw1:p3]\n  - [pc2:eth0, sw1:p4]\n"
    )
    net = load_topology(path)
    before = [schedule(net, f"at 0.{i}s pc1 dig +short pc2.lab") for i in range(1, 6)]
    after = [schedule(net, f"at {i}s pc1 dig +short pc2.lab") for i in range(2, 7)]
    net.run(8)
    assert [d.command.lines() for d in before] == [[]] * 5  # no lease yet: NXDOMAIN, nothing printed
    assert [d.command.lines() for d in after] == [["198.18.0.100"]] * 5
    assert len(made) == 2
