"""Cascaded hubs: each hub its own collision domain, a hub-to-hub port a station of the neighbour's."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

from lanlab.sim import Network, load_topology
from lanlab.sim.devices.storm import first_storm

BROADCAST = IPv4Address("198.18.0.255")


def cascade(seed: int = 1) -> Network:
    """pc1, pc2 on hub1; pc3, pc4 on hub2; hub1:up linked to hub2:up."""
    net = Network("cascade", seed)
    net.add_hub("hub1")
    net.add_hub("hub2")
    for i in range(1, 5):
        net.add_host(f"pc{i}", ip=f"198.18.0.{i}/24")
        net.link(f"pc{i}:eth0", f"hub{(i + 1) // 2}:p{i}")
    net.link("hub1:up", "hub2:up")
    return net


def listen(net: Network, port: int = 9) -> dict[str, list[bytes]]:
    """Every host records the datagrams it gets on `port`."""
    got: dict[str, list[bytes]] = {}
    for i in range(1, 5):
        name = f"pc{i}"
        got[name] = []
        net.node(name).udp.bind(port, lambda host, frame, now, name=name: got[name].append(frame.data))
    return got


def simultaneous_load(net: Network, count: int = 50) -> None:
    """pc1 and pc2 (hub1) send to pc3 and pc4 (hub2) while those answer back, all at the same instants."""
    for i, j in ((1, 3), (2, 4), (3, 1), (4, 2)):
        host = net.node(f"pc{i}")
        host.nics[0].arp.add_static(IPv4Address(f"198.18.0.{j}"), net.node(f"pc{j}").nics[0].mac)
        for k in range(count):
            host.send_udp(1000, IPv4Address(f"198.18.0.{j}"), 9, bytes(500), k * 20_000)


def test_a_ping_crosses_two_cascaded_hubs():
    """pc1 on hub1 pings pc3 on hub2: ARP and echo go through both hubs."""
    net = cascade()
    result = net.ping("pc1", "pc3", count=3, interval=0.1)
    assert result.transmitted == 3 and result.received == 3


def test_a_broadcast_reaches_every_host_of_the_cascade_exactly_once():
    """One broadcast from pc1: each other host gets it once, the sender none, and no storm is seen."""
    net = cascade()
    got = listen(net)
    net.node("pc1").send_udp(1000, BROADCAST, 9, b"Hi", 0)
    net.run(0.01)
    assert {name: len(data) for name, data in got.items()} == {"pc1": 0, "pc2": 1, "pc3": 1, "pc4": 1}
    assert net.find_link("hub1:up").frames == 1
    assert first_storm(net.nodes) is None


def test_collisions_happen_and_are_counted_on_both_hubs_and_the_cascade_link():
    """Simultaneous senders on both sides collide on each hub's medium, the hub-to-hub link included;
    backoff still gets every datagram delivered."""
    net = cascade()
    got = listen(net)
    simultaneous_load(net)
    net.run(1)
    assert [len(got[f"pc{i}"]) for i in range(1, 5)] == [50, 50, 50, 50]
    assert net.node("hub1").collisions > 0 and net.node("hub2").collisions > 0
    assert net.find_link("hub1:up").collisions > 0


def test_same_seed_gives_the_same_event_list_on_a_cascade():
    """Backoff draws come from the run's seed: two runs with one seed trace the same events."""
    def events(seed: int) -> list[tuple[object, ...]]:
        net = cascade(seed)
        net.start_trace()
        simultaneous_load(net, 10)
        net.run(1)
        return [(e.t, e.device, e.port, e.kind, e.summary, e.note) for e in net.trace]

    first = events(7)
    assert first == events(7)
    assert any(event[3] == "collision" for event in first)


def test_a_loop_of_hubs_circulates_a_broadcast_until_max_events_and_reports_the_storm():
    """Three hubs in a triangle: one broadcast keeps coming back, the run stops at max_events, and
    the storm report names the three hub-to-hub links."""
    net = Network("hub loop")
    for name in ("hub1", "hub2", "hub3"):
        net.add_hub(name)
    net.link("hub1:p1", "hub2:p1")
    net.link("hub2:p2", "hub3:p2")
    net.link("hub3:p1", "hub1:p2")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.link("pc1:eth0", "hub1:p3")
    got: list[bytes] = []
    net.node("pc1").udp.bind(9, lambda host, frame, now: got.append(frame.data))
    net.engine.max_events = 20_000
    net.node("pc1").send_udp(1000, BROADCAST, 9, b"Hi", 0)
    assert net.run(10) == 20_000 and net.engine.stopped
    storm = first_storm(net.nodes)
    assert storm is not None and storm.switch.startswith("hub")
    assert [link.name for link in storm.links] == ["hub1:p1-hub2:p1", "hub2:p2-hub3:p2", "hub3:p1-hub1:p2"]
    assert net.find_link("hub1:p1").frames > 100


def test_hub_loop_example_reports_the_storm_on_its_three_hub_links():
    """examples/hub_loop.yaml: hub3 sees the ARP come back, the loop is the three hub links, pc1 is flooded."""
    net = load_topology(Path(__file__).resolve().parents[3] / "examples" / "hub_loop.yaml")
    net.engine.max_events = 20_000
    net.run(10)
    storm = first_storm(net.nodes)
    assert storm is not None and storm.switch == "hub3"
    assert [link.name for link in storm.links] == ["hub1:p1-hub2:p1", "hub2:p2-hub3:p2", "hub3:p1-hub1:p2"]
    assert net.node("pc1").nics[0].port.rx_frames > 1000
