"""The learning switch: flood unknown, learn, forward to one port, filter, age, flood groups."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.sim import Network


def star(n: int, ageing: str = "300s") -> Network:
    net = Network("star")
    net.add_switch("sw", ageing=ageing)
    for i in range(1, n + 1):
        net.add_host(f"h{i}", ip=f"198.18.0.{i}/24")
        net.link(f"h{i}:eth0", f"sw:p{i}")
    return net


def frames_seen(net: Network, kind: str = "rx") -> dict[str, int]:
    """How many frames each host's NIC received."""
    seen: dict[str, int] = {}
    for event in net.trace:
        if event.event_kind == kind and event.device.startswith("h"):
            seen[event.device] = seen.get(event.device, 0) + 1
    return seen


def test_unknown_and_broadcast_are_flooded_then_known_unicast_goes_to_one_port():
    """The ARP request reaches every host; after learning, the echo reaches only its target."""
    net = star(4)
    net.start_trace()
    assert net.ping("h1", "h2", count=1).received == 1
    arp_rx = {e.device for e in net.trace if e.event_kind == "rx" and e.proto == "ARP" and e.device != "sw"}
    assert arp_rx == {"h1", "h2", "h3", "h4"}  # request flooded, reply forwarded to h1
    icmp_rx = {e.device for e in net.trace if e.event_kind == "rx" and e.proto == "ICMP" and e.device != "sw"}
    assert icmp_rx == {"h1", "h2"}
    kinds = [e.event_kind for e in net.trace if e.device == "sw"]
    assert kinds.count("learn") == 2 and "flood" in kinds and "forward" in kinds


def test_mac_table_learns_source_ports():
    """The table maps each talker's MAC to the port it came in on."""
    net = star(3)
    net.ping("h1", "h3", count=1)
    rows = {row["mac"]: row["port"] for row in net.node("sw").mac_table}
    assert rows == {str(net.node("h1").nics[0].mac): "p1", str(net.node("h3").nics[0].mac): "p3"}


def test_unknown_unicast_is_flooded():
    """A unicast to a MAC the switch never saw goes out of every other port."""
    net = star(3)
    h1 = net.node("h1")
    h1.nics[0].arp.add_static(IPv4Address("198.18.0.3"), net.node("h3").nics[0].mac)
    net.node("h3").udp.bind(9, lambda host, frame, now: None)
    net.start_trace()
    h1.send_udp(1000, IPv4Address("198.18.0.3"), 9, b"x", 0)
    net.run(0.01)
    assert {e.device for e in net.trace if e.event_kind == "rx"} == {"sw", "h2", "h3"}
    assert [e.event_kind for e in net.trace if e.device == "sw"] == ["rx", "learn", "flood", "tx", "tx"]


def test_frame_for_the_arrival_port_is_filtered():
    """Two hosts behind one switch port (via a hub): their unicast is not sent back out."""
    net = Network("filter")
    net.add_switch("sw")
    net.add_hub("hub")
    for i in (1, 2, 3):
        net.add_host(f"h{i}", ip=f"198.18.0.{i}/24")
    net.link("h1:eth0", "hub:p1")
    net.link("h2:eth0", "hub:p2")
    net.link("hub:p3", "sw:p1")
    net.link("h3:eth0", "sw:p2")
    net.ping("h1", "h2", count=1)  # the switch learns h1 and h2 on p1
    net.start_trace()
    assert net.ping("h1", "h2", count=1).received == 1
    assert {e.event_kind for e in net.trace if e.device == "sw"} == {"rx", "filter"}
    assert not [e for e in net.trace if e.device == "h3"]


def test_entries_age_out_and_the_switch_floods_again():
    """After the ageing time without traffic from a MAC, frames to it are flooded again."""
    net = star(3, ageing="2s")
    net.ping("h1", "h2", count=1)
    assert len(net.node("sw").mac_table) == 2
    net.run(5)
    assert net.node("sw").mac_table == []
    h1 = net.node("h1")
    net.start_trace()
    h1.send_udp(1000, IPv4Address("198.18.0.2"), 9, b"x", net.now)  # ARP entry still valid (60 s)
    net.run(5.01)
    assert "flood" in [e.event_kind for e in net.trace if e.device == "sw"]
    assert "h3" in {e.device for e in net.trace if e.event_kind == "rx"}


def test_multicast_is_flooded_to_every_port():
    """No IGMP snooping: a group frame reaches every host; only members deliver it."""
    net = star(3)
    group = IPv4Address("239.1.1.1")
    got: list[str] = []
    net.node("h3").join(group)
    net.node("h3").udp.bind(5000, lambda host, frame, now: got.append(host.name))
    net.node("h2").udp.bind(5000, lambda host, frame, now: got.append(host.name))
    net.start_trace()
    net.node("h1").send_udp(1000, group, 5000, b"m", 0)
    net.run(0.01)
    assert {e.device for e in net.trace if e.event_kind == "rx"} == {"sw", "h2", "h3"}
    assert got == ["h3"]
    [tx] = [e for e in net.trace if e.event_kind == "tx" and e.device == "h1"]
    assert str(tx.frame.eth.dst) == "01:00:5e:01:01:01" and tx.frame.l3.ttl == 1


def test_a_port_whose_link_goes_down_forgets_its_addresses_as_a_linux_bridge_does():
    """h2's cable pulled: sw forgets h2's MAC at once, the event list says so, and the table keeps the
    others (the entry stayed until it aged out, where a Linux bridge flushes the port)."""
    net = star(3)
    net.start_trace()
    net.ping("h1", "h2", count=1)
    net.ping("h1", "h3", count=1)
    assert sorted(row["port"] for row in net.node("sw").mac_table) == ["p1", "p2", "p3"]
    net.do("link h2:eth0 sw:p2 down")
    net.run(net.now / 1e9 + 1)
    assert sorted(row["port"] for row in net.node("sw").mac_table) == ["p1", "p3"]
    [line] = [e for e in net.trace if e.device == "sw" and e.event_kind == "link"]
    assert (line.port, str(line.note)) == ("p2", "p2 forgets 1 learned address")
