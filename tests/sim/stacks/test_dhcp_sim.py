"""DHCP in topology files: servers (dhcp:), clients (ip: dhcp), a relay (dhcp_relay:), as RFC 2131 says."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.sim import TopologyError, load_topology
from lanlab.sim.commands import schedule

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def load(tmp_path: Path, text: str):
    path = tmp_path / "dhcp.yaml"
    path.write_text(text)
    return load_topology(path)


def lan(server: str, *hosts: str, extra: str = "") -> str:
    """srv on sw1:p1 with `server` as its dhcp: value, then each host line on the next ports."""
    nodes = "\n".join(f"  {line}" for line in hosts)
    names = [line.split(":")[0] for line in hosts]
    links = "\n".join(f"  - [{name}:eth0, sw1:p{i + 2}]" for i, name in enumerate(names))
    return (
        f"nodes:\n  srv: {{kind: host, ip: 198.18.0.2/24, dhcp: {server}}}\n{nodes}\n{extra}"
        f"  sw1: {{kind: switch}}\nlinks:\n  - [srv:eth0, sw1:p1]\n{links}\n"
    )


def messages(net, device: str) -> list[str]:
    """The DHCP message types `device` sent, in order."""
    return [
        e.summary.split(" - ")[0].split()[1]
        for e in net.trace
        if e.device == device and e.event_kind == "tx" and e.proto == "DHCP"
    ]


def test_example_leases_both_subnets_through_the_relay():
    """examples/dhcp.yaml: pc1 on the server's LAN, pc2 and pc3 behind r1, each bound from its subnet's pool."""
    from lanlab.sim import Network

    net = Network.from_yaml(EXAMPLES / "dhcp.yaml")
    net.start_trace()
    net.run(3)
    assert [str(net.node(n).addresses[0]) for n in ("pc1", "pc2", "pc3")] == [
        "198.18.0.100",
        "198.18.1.100",
        "198.18.1.101",
    ]
    assert messages(net, "pc2") == ["Discover", "Request"]
    assert messages(net, "srv")[:2] == ["Offer", "Offer"] or "ACK" in messages(net, "srv")
    assert net.node("pc2").ipv4.gateway == IPv4Address("198.18.1.254")
    assert net.ping("pc2", "198.18.0.2", count=1).received == 1
    relayed = [
        e
        for e in net.trace
        if e.device == "r1"
        and e.port == "eth0"
        and e.event_kind == "tx"
        and e.proto == "DHCP"
        and "Discover" in e.summary
    ]
    assert relayed and all(e.frame.data[24:28] == bytes([198, 18, 1, 254]) for e in relayed)  # giaddr


def test_four_messages_and_lease_table(tmp_path):
    """DISCOVER, OFFER, REQUEST, ACK are in the event list; the server's table shows the bound lease."""
    net = load(tmp_path, lan("{pool: 198.18.0.100-198.18.0.110, lease: 1h}", "pc1: {kind: host, ip: dhcp}"))
    net.start_trace()
    net.run(2)
    assert messages(net, "pc1") == ["Discover", "Request"]
    assert messages(net, "srv") == ["Offer", "ACK"]
    rows = net.node("srv").dhcp.lease_rows()
    assert [(r["ip"], r["state"], r["hostname"]) for r in rows] == [("198.18.0.100", "bound", "pc1")]


def test_renews_at_t1(tmp_path):
    """With a 100 s lease, the client renews at T1 = 50 s by a REQUEST unicast to the server."""
    net = load(tmp_path, lan("{pool: 198.18.0.100-198.18.0.110, lease: 100s}", "pc1: {kind: host, ip: dhcp}"))
    net.start_trace()
    net.run(60)
    requests = [e for e in net.trace if e.device == "pc1" and e.event_kind == "tx" and "Request" in e.summary]
    assert len(requests) == 2
    assert 50 <= requests[1].t / 1e9 < 52 and requests[1].frame.l3.dst == IPv4Address("198.18.0.2")
    assert net.node("srv").dhcp.lease_rows()[0]["expires"] > 140


def test_rebinds_at_t2_when_the_server_is_gone(tmp_path):
    """The server's cable out from 10 s: renewing fails, the client broadcasts at T2 (87.5 s) and loses the lease
    at 100 s, counted from the REQUEST (RFC 2131 4.4.1), not from the end of the 1 s ARP probe."""
    text = (
        lan("{pool: 198.18.0.100-198.18.0.110, lease: 100s}", "pc1: {kind: host, ip: dhcp}")
        + "events:\n  - at 10s link srv:eth0 sw1:p1 down\n"
    )
    net = load(tmp_path, text)
    net.start_trace()
    net.run(99)
    broadcast = [
        e
        for e in net.trace
        if e.device == "pc1"
        and e.event_kind == "tx"
        and "Request" in e.summary
        and e.frame.l3.dst == IPv4Address("255.255.255.255")
        and e.t > 10e9
    ]
    assert broadcast and 87 <= broadcast[0].t / 1e9 < 89
    assert net.node("pc1").addresses
    net.run(99.9)
    assert net.node("pc1").addresses
    net.run(100.5)
    assert net.node("pc1").addresses == []


def test_address_in_use_is_declined(tmp_path):
    """A host already using the offered 198.18.0.100 answers the probe: the client DECLINEs, waits 10 s, takes .101."""
    net = load(
        tmp_path,
        lan(
            "{pool: 198.18.0.100-198.18.0.110}",
            "pc1: {kind: host, ip: dhcp}",
            "squat: {kind: host, ip: 198.18.0.100/24}",
        ),
    )
    net.start_trace()
    net.run(30)
    assert messages(net, "pc1")[:3] == ["Discover", "Request", "Decline"]
    assert [str(a) for a in net.node("pc1").addresses] == ["198.18.0.101"]
    states = {r["ip"]: r["state"] for r in net.node("srv").dhcp.lease_rows()}
    assert states == {"198.18.0.100": "declined", "198.18.0.101": "bound"}
    again = [e.t for e in net.trace if e.device == "pc1" and e.event_kind == "tx" and "Discover" in e.summary]
    assert again[1] - again[0] >= 10e9  # RFC 2131 3.1.5: at least ten seconds


def test_pool_that_runs_out(tmp_path):
    """One address, two clients: one is bound, the other's DISCOVERs go unanswered (RFC 2131 4.3.1)."""
    net = load(
        tmp_path, lan("{pool: 198.18.0.100-198.18.0.100}", "pc1: {kind: host, ip: dhcp}", "pc2: {kind: host, ip: dhcp}")
    )
    net.run(20)
    bound = [n for n in ("pc1", "pc2") if net.node(n).addresses]
    assert len(bound) == 1
    assert net.node("srv").dhcp.servers[0][1].exhausted >= 2


def test_two_servers_on_one_lan(tmp_path):
    """Both servers offer; the client takes one; the other, seeing the REQUEST name another server, frees its offer."""
    text = lan(
        "{pool: 198.18.0.100-198.18.0.109}",
        "pc1: {kind: host, ip: dhcp}",
        "srv2: {kind: host, ip: 198.18.0.3/24, dhcp: {pool: 198.18.0.200-198.18.0.209}}",
    )
    net = load(tmp_path, text)
    net.start_trace()
    net.run(3)
    assert messages(net, "srv")[0] == "Offer" and messages(net, "srv2")[0] == "Offer"
    address = net.node("pc1").addresses[0]
    rows = {name: net.node(name).dhcp.lease_rows() for name in ("srv", "srv2")}
    winner = "srv" if str(address).endswith(".100") else "srv2"
    loser = "srv2" if winner == "srv" else "srv"
    assert [r["state"] for r in rows[winner]] == ["bound"]
    assert [r["state"] for r in rows[loser]] == ["expired"]


def test_release_and_renew_commands(tmp_path):
    """`dhcp release` sends RELEASE and drops the address; `dhcp renew` afterwards leases it again."""
    net = load(tmp_path, lan("{pool: 198.18.0.100-198.18.0.110}", "pc1: {kind: host, ip: dhcp}"))
    net.start_trace()
    release = schedule(net, "at 2s pc1 dhcp release")
    renew = schedule(net, "at 4s pc1 dhcp renew")
    net.run(3)
    assert net.node("pc1").addresses == []
    assert net.node("srv").dhcp.lease_rows()[0]["state"] == "released"
    assert release.command.result()["address"] == "198.18.0.100"
    net.run(6)
    assert [str(a) for a in net.node("pc1").addresses] == ["198.18.0.100"]
    assert renew.command.result()["done"] is True
    assert "Release" in messages(net, "pc1")


@pytest.mark.parametrize(
    "dhcp, extra, expected",
    [
        ("{pool: 198.18.5.1-198.18.5.9}", "", "is not inside 198.18.0.0/24"),
        (
            "{pool: 198.18.0.100-198.18.0.150}",
            "srv2: {kind: host, ip: 198.18.0.3/24, dhcp: {pool: 198.18.0.140-198.18.0.160}}\n",
            "overlaps the pool on line",
        ),
        ("{pool: 198.18.0.9-198.18.0.1}", "", "the first address comes after the last"),
        ("{pool: 198.18.0.1-198.18.0.9, router: 198.18.9.1}", "", "is not in 198.18.0.0/24"),
    ],
)
def test_check_errors(tmp_path, dhcp, extra, expected):
    """A bad pool is a FILE:LINE error of sim check."""
    text = lan(dhcp, "pc1: {kind: host, ip: dhcp}", *([extra.strip()] if extra else []))
    with pytest.raises(TopologyError) as caught:
        load(tmp_path, text)
    assert any(expected in p and "dhcp.yaml:" in p for p in caught.value.problems), caught.value.problems


def test_relay_to_unknown_address(tmp_path):
    """dhcp_relay: an address no node has is a FILE:LINE error naming the line."""
    text = """nodes:
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24},
       dhcp_relay: 198.18.0.77}
"""
    with pytest.raises(TopologyError) as caught:
        load(tmp_path, text)
    assert caught.value.problems == [
        f"{tmp_path / 'dhcp.yaml'}:3: node r1: dhcp_relay: 198.18.0.77 is no node's "
        "address in this file; give the DHCP server's address"
    ]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_malformed_messages_are_counted_drops(junk):
    """Any bytes sent to port 67 are served or dropped with a reason and counted, never a crash."""
    from lanlab.sim import Network

    net = Network("fuzz")
    srv = net.add_host("srv", "198.18.0.2/24")
    pc = net.add_host("pc", "198.18.0.3/24")
    net.link(srv.port("eth0"), pc.port("eth0"))
    from lanlab.sim.stacks.dhcp import DhcpAgent

    agent = DhcpAgent(srv)
    agent.serve(
        srv.nics[0],
        srv.nics[0].address.network,
        (IPv4Address("198.18.0.100"), IPv4Address("198.18.0.110")),
        3600 * 10**9,
        None,
        (),
    )
    net.start_trace()
    pc.run(_send_junk, junk)
    net.run(1)
    drops = [e for e in net.trace if e.device == "srv" and e.event_kind == "drop" and "DHCP" in e.note]
    assert srv.dhcp_drops == len(drops)
    assert all(e.note.startswith(("bad DHCP message", "BOOTP message")) for e in drops)


def _send_junk(junk: bytes) -> None:
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(junk, ("198.18.0.2", 67))


def test_cli_show_leases_and_json():
    """`lanlab sim run examples/dhcp.yaml --show leases` prints srv's table; --json has tables.srv.leases."""
    import json

    from click.testing import CliRunner

    from lanlab.cli.main import cli

    shown = CliRunner().invoke(cli, ["sim", "run", str(EXAMPLES / "dhcp.yaml"), "--until", "3s", "--show", "leases"])
    assert shown.exit_code == 0, shown.output
    assert "srv DHCP leases at 3s" in shown.output and "198.18.1.101" in shown.output
    as_json = CliRunner().invoke(
        cli, ["sim", "run", str(EXAMPLES / "dhcp.yaml"), "--until", "3s", "--json", "--do", "at 2s pc1 dhcp release"]
    )
    document = json.loads(as_json.output)
    states = {row["ip"]: row["state"] for row in document["tables"]["srv"]["leases"]}
    assert states == {"198.18.0.100": "released", "198.18.1.100": "bound", "198.18.1.101": "bound"}
    assert document["commands"][0]["result"]["address"] == "198.18.0.100"


def test_the_shortest_lease_a_file_may_give_stays_bound_through_its_renewals():
    """lease: 4s, the least a file may give (a shorter one was renewed as it was bound, or expired so): pc1
    probes, binds and renews every 2 s, and has its address all along; 3s is refused at its line."""
    text = (EXAMPLES / "dhcp.yaml").read_text()
    net = load_topology(
        "dhcp.yaml", text=text.replace("lease: 1h, router: 198.18.0.254", "lease: 4s, router: 198.18.0.254")
    )
    pc1 = net.nodes["pc1"]
    held = []
    for second in range(3, 31):
        net.run(second)
        held.append(pc1.nics[0].address is not None and str(pc1.nics[0].address.ip) == "198.18.0.100")
    assert all(held)
    with pytest.raises(TopologyError, match="lease: at least 4s"):
        load_topology(
            "dhcp.yaml", text=text.replace("lease: 1h, router: 198.18.0.254", "lease: 3s, router: 198.18.0.254")
        )
