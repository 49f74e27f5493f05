"""Simulated DHCP in odd but legal topologies (a trial as a teacher and a hostile student): what goes on the wire
and what the event list says."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

from lanlab.sim import load_topology


def load(tmp_path: Path, text: str):
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    return load_topology(path)


def lan(pool: str, *clients: str, events: str = "") -> str:
    """srv (198.18.0.1/24) lending `pool` for 100 s, and each client, on one switch."""
    nodes = "".join(f"  {name}: {{kind: host, ip: dhcp}}\n" for name in clients)
    links = "".join(f"  - [{name}:eth0, sw:p{i + 2}]\n" for i, name in enumerate(clients))
    return (
        f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {{pool: {pool}, lease: 100s}}}}\n{nodes}"
        f"  sw: {{kind: switch}}\nlinks:\n  - [srv:eth0, sw:p1]\n{links}{events}"
    )


def sent(net, device: str, kind: str) -> list:
    """The DHCP messages of `kind` (Discover, Request, ...) `device` sent, as trace events."""
    return [e for e in net.trace if e.device == device and e.event_kind == "tx" and f"DHCP {kind}" in e.summary]


def test_a_discover_after_the_lease_ran_out_comes_from_0_0_0_0(tmp_path):
    """The server's cable out from 10 s: pc1's lease runs out at 100 s and it starts over. Its DISCOVER went out
    from 198.18.0.10, the address it had just lost; a client in INIT has no address, and RFC 2131 4.1 says its
    broadcasts come from 0.0.0.0. The REBINDING REQUEST before it (ciaddr set) still comes from the address."""
    net = load(tmp_path, lan("198.18.0.10-198.18.0.20", "pc1", events="events:\n  - at 10s link srv:eth0 sw:p1 down\n"))
    net.start_trace()
    net.run(101)
    rebinding = [e for e in sent(net, "pc1", "Request") if e.frame.l3.dst == IPv4Address("255.255.255.255")]
    again = [e for e in sent(net, "pc1", "Discover") if e.t > 10e9]
    assert rebinding and rebinding[-1].frame.l3.src == IPv4Address("198.18.0.10")
    assert again and 100 <= again[0].t / 1e9 < 100.1
    assert [str(e.frame.l3.src) for e in again] == ["0.0.0.0"] * len(again)


def test_a_pool_of_one_address_lends_it_once_and_says_why_the_second_client_waits(tmp_path):
    """A pool of exactly one address and two clients: the first is bound, the second gets no OFFER (RFC 2131
    4.3.1, the server stays silent), and the server's event list said nothing about why; each unanswered
    DISCOVER is now a dhcp event naming the client and the pool. Once the first releases, the second is bound."""
    net = load(tmp_path, lan("198.18.0.10-198.18.0.10", "pc1", "pc2", events="events:\n  - at 20s pc1 dhcp release\n"))
    net.start_trace()
    net.run(15)
    assert [str(a) for a in net.node("pc1").addresses] == ["198.18.0.10"] and net.node("pc2").addresses == []
    pc2 = str(net.node("pc2").nics[0].mac)
    said = [e.summary for e in net.trace if e.device == "srv" and e.event_kind == "dhcp"]
    assert len(said) == len(sent(net, "pc2", "Discover")) >= 2
    assert said[0] == (
        f"no address to offer {pc2}: every address of the pool 198.18.0.10-198.18.0.10 is taken (lent, offered or "
        "declined), so the DISCOVER is not answered (RFC 2131 4.3.1)"
    )
    assert not [e for e in net.trace if e.device == "srv" and "DHCP Offer" in e.summary and e.t > 1e9]
    net.run(100)
    assert net.node("pc1").addresses == [] and [str(a) for a in net.node("pc2").addresses] == ["198.18.0.10"]


RELAYED = """nodes:
  srv: {kind: host, ip: 198.18.0.2/24, gateway: 198.18.0.254, dhcp: {pool: 198.18.0.100-198.18.0.199}}
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}, dhcp_relay: 198.18.0.2}
  pc1: {kind: host, ip: dhcp}
  sw: {kind: switch}
links:
  - [srv:eth0, sw:p1]
  - [r1:eth0, sw:p2]
  - [r1:eth1, pc1:eth0]
"""


def test_a_relayed_discover_no_pool_serves_says_so_on_the_server(tmp_path):
    """r1 relays pc1's DISCOVER to srv, which has no pool for 198.18.1.0/24 (no subnet: pool): the server
    dropped it and the event list said nothing; now each is a dhcp event on srv naming giaddr and what to give."""
    net = load(tmp_path, RELAYED)
    net.start_trace()
    net.run(5)
    assert net.node("pc1").addresses == []
    pc1 = str(net.node("pc1").nics[0].mac)
    said = [e.summary for e in net.trace if e.device == "srv" and e.event_kind == "dhcp"]
    assert said and len(said) == len([e for e in sent(net, "r1", "Discover") if e.port == "eth0"])
    assert said[0] == (
        f"no pool's subnet holds 198.18.1.254, the relay's address (giaddr) in this DISCOVER from {pc1}: not "
        "answered; give this server a pool with subnet: set to the relay's subnet"
    )


def test_a_server_says_nothing_of_what_it_serves_nor_of_its_relayed_lan(tmp_path):
    """With a pool for the relayed subnet, every DISCOVER is answered and the server notes nothing."""
    served = RELAYED.replace(
        "dhcp: {pool: 198.18.0.100-198.18.0.199}",
        "dhcp: [{pool: 198.18.0.100-198.18.0.199}, {subnet: 198.18.1.0/24, pool: 198.18.1.100-198.18.1.199}]",
    )
    net = load(tmp_path, served)
    net.start_trace()
    net.run(5)
    assert [str(a) for a in net.node("pc1").addresses] == ["198.18.1.100"]
    assert not [e for e in net.trace if e.device == "srv" and e.event_kind == "dhcp"]


def test_the_event_list_says_the_lease_is_lost_before_the_discover_that_starts_over(tmp_path):
    """At the end of an unrenewed lease the event list showed the DISCOVER, then "lost 198.18.0.10: lease
    expired", at the same instant: a student read that the client asked for an address it still had. The client
    loses the lease first and then starts over; the events now say so in that order."""
    net = load(tmp_path, lan("198.18.0.10-198.18.0.20", "pc1", events="events:\n  - at 10s link srv:eth0 sw:p1 down\n"))
    net.start_trace()
    net.run(101)
    story = [
        e.summary if e.event_kind == "dhcp" else e.summary.split(" - ")[0]
        for e in net.trace
        if e.device == "pc1" and e.t >= 99e9 and e.event_kind in ("dhcp", "tx")
    ]
    assert story[:2] == ["lost 198.18.0.10: lease expired", "DHCP Discover"]


def test_a_release_arp_never_delivered_is_not_said_to_have_left(tmp_path):
    """`dhcp release` with the server's cable out: the RELEASE waits for ARP, which gives up after 3 s and drops
    it. The event list said "198.18.0.10 removed from eth0: its RELEASE has left", which it never did; it now
    names the neighbour that never answered. With the server there, the line is as before."""
    events = "events:\n  - at 10s link srv:eth0 sw:p1 down\n  - at 20s pc1 dhcp release\n"
    net = load(tmp_path, lan("198.18.0.10-198.18.0.20", "pc1", events=events))
    net.start_trace()
    net.run(30)
    said = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "dhcp"]
    assert said[-1] == "198.18.0.10 removed from eth0: its RELEASE never left (no ARP reply from 198.18.0.1)"
    assert not sent(net, "pc1", "Release") and net.node("pc1").addresses == []
    net = load(tmp_path, lan("198.18.0.10-198.18.0.20", "pc1", events="events:\n  - at 20s pc1 dhcp release\n"))
    net.start_trace()
    net.run(30)
    said = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "dhcp"]
    assert said[-1] == "198.18.0.10 removed from eth0: its RELEASE has left" and sent(net, "pc1", "Release")


def test_a_client_left_without_an_offer_says_so_at_each_discover_it_sends_again(tmp_path):
    """The second client of a one-address pool sent its DISCOVER again and again and its own events said
    nothing; each retransmission of the same DISCOVER is now a dhcp event saying no OFFER came and when the next
    goes (RFC 2131 4.1: about 4 s, 8 s, 16 s... +-1 s), as dhclient logs each DHCPDISCOVER with its interval."""
    net = load(tmp_path, lan("198.18.0.10-198.18.0.10", "pc1", "pc2"))
    net.start_trace()
    net.run(60)
    said = [(e.t, e.summary) for e in net.trace if e.device == "pc2" and e.event_kind == "dhcp"]
    discovers = [e.t for e in sent(net, "pc2", "Discover")]
    assert [t for t, _ in said] == discovers[1:] and len(said) >= 3
    for (t, text), (n, after) in zip(said, enumerate(discovers[2:], start=2)):
        assert text == f"no OFFER yet: DISCOVER sent again (try {n}), the next in {(after - t) / 1e9:.1f}s"
    assert not [e for e in net.trace if e.device == "pc1" and "no OFFER" in e.summary]


def test_a_declined_address_names_the_host_that_answered_the_probe(tmp_path):
    """pc9 has 198.18.0.10, inside the pool, fixed: pc1 is lent it, its ARP probe is answered, it DECLINEs. The
    event said "in use by another host" without saying which; it now names the MAC that answered."""
    text = (
        lan("198.18.0.10-198.18.0.11", "pc1").replace("  sw:", "  pc9: {kind: host, ip: 198.18.0.10/24}\n  sw:")
        + "  - [pc9:eth0, sw:p9]\n"
    )
    net = load(tmp_path, text)
    net.start_trace()
    net.run(3)
    pc9 = net.node("pc9").nics[0].mac
    said = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "dhcp"]
    assert f"198.18.0.10 is in use by another host ({pc9} answered the probe): DECLINE" in said
    assert sent(net, "pc1", "Decline")
