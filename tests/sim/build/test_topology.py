"""Topology files: the example loads; every mistake is reported as FILE:LINE, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import Network, TopologyError, load_topology

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "net.yaml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(TopologyError) as caught:
        load_topology(write(tmp_path, text))
    return caught.value.problems


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_load(example: Path):
    """Every topology in examples/ is valid."""
    net = Network.from_yaml(example)
    assert net.nodes and net.links


def test_issue_example_with_options_and_defaults(tmp_path: Path):
    """Hosts get eth0, ports are made by links, link options and defaults apply."""
    net = Network.from_yaml(
        write(
            tmp_path,
            """\
name: classroom
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24, gateway: 198.18.0.254, mac: "02:00:00:00:00:02", gratuitous_arp: true}
  hub1: {kind: hub}
  sw1: {kind: switch, ageing: 300s}
links:
  - [pc1:eth0, sw1:p1]
  - {endpoints: [sw1:p2, hub1:p1], delay: 1ms, rate: 10Mbps, loss: 0.0, queue: 7}
  - [pc2:eth0, hub1:p2]
""",
        )
    )
    net.start_trace()
    net.run(0.1)
    [announce] = [e for e in net.trace if e.event_kind == "tx" and e.device == "pc2"]
    assert announce.summary == "Gratuitous ARP for 198.18.0.2 (Request)"
    assert net.node("sw1").mac_table[0]["mac"] == "02:00:00:00:00:02"  # the switch learned pc2 from it
    assert net.name == "classroom"
    assert str(net.node("pc2").nics[0].mac) == "02:00:00:00:00:02"
    assert str(net.node("pc2").ipv4.gateway) == "198.18.0.254"
    first, second, _ = net.links
    assert (first.delay, first.rate, first.loss, first.queue) == (1_000, 100_000_000, 0.0, 100)
    assert (second.delay, second.rate, second.queue) == (1_000_000, 10_000_000, 7)
    assert net.ping("pc1", "pc2", count=1).received == 1


def test_every_mistake_at_once_with_its_line(tmp_path: Path):
    """Unknown kind/node/field, reused port, duplicate IP and MAC, bad values, no address: all reported."""
    found = problems(
        tmp_path,
        """\
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24, mac: "02:00:00:00:00:01"}
  pc2: {kind: host, ip: 198.18.0.1/24, mac: "02:00:00:00:00:01"}
  pc3: {kind: host, ip: 198.18.0.300/24}
  pc4: {kind: host}
  pc5: {kind: host, ip: 198.18.0.5}
  sw1: {kind: switch, ageing: soon}
  r1: {kind: rooter}
  hub1: {kind: hub}
  hub2: {kind: hub, colour: red}
  pc6: {kind: host, ip: 198.18.0.6/24, mac: "02:zz"}
links:
  - [pc1:eth0, sw2:p1]
  - [pc1:eth0, hub1:p1]
  - [pc2:eth0, hub1:p1]
  - [pc2:eth0, hub2:p1]
  - {endpoints: [pc2:eth0, hub1:p3], delay: fast, rate: 10Mbps}
  - [pc1:eth7, hub1:p4]
  - [pc3:eth0]
""",
    )
    path = str(tmp_path / "net.yaml")
    expected = [
        (3, "duplicate IP address 198.18.0.1 (already used on line 2)"),
        (3, "duplicate MAC address 02:00:00:00:00:01 (already used on line 2)"),
        (4, "198.18.0.300/24"),
        (5, "a host needs an address"),
        (6, "needs a prefix length"),
        (7, "ageing: 'soon' is not a duration"),
        (8, "unknown kind 'rooter'"),
        (10, "unknown field 'colour'"),
        (11, "'02:zz' is not a MAC address"),
        (13, "unknown node 'sw2'"),
        (14, "port pc1:eth0 is used twice (first on line 13)"),
        (15, "port hub1:p1 is used twice (first on line 14)"),
        (16, "port pc2:eth0 is used twice (first on line 15)"),
        (17, "delay: 'fast' is not a duration"),
        (18, "no interface 'eth7'"),
        (19, "a link is [NODE:PORT, NODE:PORT]"),
    ]
    for line, text in expected:
        assert any(p.startswith(f"{path}:{line}: ") and text in p for p in found), (line, text, found)
    assert len(found) == len(expected)


def test_port_used_twice_across_link_forms(tmp_path: Path):
    """A host port linked twice is reported on the second use with the first's line."""
    found = problems(
        tmp_path,
        """\
nodes:
  a: {kind: host, ip: 198.18.0.1/24}
  b: {kind: host, ip: 198.18.0.2/24}
  c: {kind: host, ip: 198.18.0.3/24}
links:
  - [a:eth0, b:eth0]
  - {endpoints: [a:eth0, c:eth0]}
""",
    )
    assert found == [f"{tmp_path / 'net.yaml'}:7: port a:eth0 is used twice (first on line 6)"]


def test_not_yaml_and_not_a_mapping(tmp_path: Path):
    """Broken YAML and a file that is not a mapping are one clear error each."""
    assert problems(tmp_path, "nodes: [a\n")[0].startswith(f"{tmp_path / 'net.yaml'}:")
    assert "nodes: must be a mapping" in problems(tmp_path, "nodes: 3\n")[0]


def test_interfaces_form(tmp_path: Path):
    """A host with interfaces: gets those NICs (two here), each with its address."""
    net = Network.from_yaml(
        write(
            tmp_path,
            """\
nodes:
  h: {kind: host, interfaces: {eth0: {ip: 198.18.0.1/24}, eth1: {ip: 198.18.1.1/24, mac: "02:00:00:00:01:01"}}}
  a: {kind: host, ip: 198.18.0.2/24}
  b: {kind: host, ip: 198.18.1.2/24}
links:
  - [h:eth0, a:eth0]
  - [h:eth1, b:eth0]
""",
        )
    )
    assert [str(ip) for ip in net.node("h").addresses] == ["198.18.0.1", "198.18.1.1"]
    assert net.ping("h", "b", count=1).received == 1


def test_switches_read_yes_no_on_off_and_name_a_bad_one(tmp_path: Path):
    """Every true/false field (host, switch stp, router rip) takes yes/on/true and reports `maybe` on its line."""
    found = problems(
        tmp_path,
        """\
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24, gratuitous_arp: maybe}
  sw1: {kind: switch, stp: {enabled: perhaps}}
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24}, rip: {enabled: sometimes}, forward_directed_broadcast: on}
  pc2: {kind: host, ip: 198.18.0.2/24, gratuitous_arp: Yes}
""",
    )
    assert [(p.split(":")[1], "true or false" in p) for p in found] == [("2", True), ("3", True), ("4", True)]
    assert all("say true or false" in p for p in found)
