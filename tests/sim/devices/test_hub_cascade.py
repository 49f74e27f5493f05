"""Cascaded hubs: ONE medium (repeaters pass bits on as they arrive), carrier and collisions across it."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

from lanlab.sim import Network, load_topology
from lanlab.sim.devices.hub import JAM_BITS, REPEATER_DELAY_BITS, SLOT_BITS
from lanlab.sim.devices.storm import first_storm
from lanlab.units import MICROSECOND, SECOND

BROADCAST = IPv4Address("198.18.0.255")


RATE = 10_000_000
LINK = 1 * MICROSECOND  # each cable's propagation delay (200 m)
REPEATER = REPEATER_DELAY_BITS * SECOND // RATE
ACROSS = 3 * LINK + 2 * REPEATER  # pc1 to pc3: pc1's cable, hub1, the hub1-hub2 cable, hub2, pc3's cable


def cascade(seed: int = 1, rate: int = RATE, delay: int = LINK) -> Network:
    """pc1, pc2 on hub1; pc3, pc4 on hub2; hub1:up linked to hub2:up (10 Mb/s, 1 us cables)."""
    net = Network("cascade", seed)
    net.add_hub("hub1")
    net.add_hub("hub2")
    for i in range(1, 5):
        net.add_host(f"pc{i}", ip=f"198.18.0.{i}/24")
        net.link(f"pc{i}:eth0", f"hub{(i + 1) // 2}:p{i}", rate=rate, delay=delay / SECOND)
    net.link("hub1:up", "hub2:up", rate=rate, delay=delay / SECOND)
    for i, j in ((1, 3), (3, 1), (2, 4), (4, 2), (1, 2)):
        net.node(f"pc{i}").nics[0].arp.add_static(IPv4Address(f"198.18.0.{j}"), net.node(f"pc{j}").nics[0].mac)
    return net


class Send:
    """At `t`, host `src` sends a datagram of `size` bytes to 198.18.0.`dst` (scheduled: in time order)."""

    def __init__(self, net: Network, t: int, src: str, dst: int, size: int = 1) -> None:
        self.host, self.dst, self.size = net.node(src), IPv4Address(f"198.18.0.{dst}"), size
        net.engine.schedule(t, self)

    def fire(self, arg: object, now: int) -> None:
        self.host.send_udp(1000, self.dst, 9, bytes(self.size), now)


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
        for k in range(count):
            host.send_udp(1000, IPv4Address(f"198.18.0.{j}"), 9, bytes(500), k * 2_000_000)


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


def test_collisions_happen_across_the_cascade_and_backoff_delivers_everything():
    """Simultaneous senders on both hubs collide on the one medium (one count for both hubs);
    backoff still gets every datagram delivered, and nothing is late on a medium this size."""
    net = cascade()
    got = listen(net)
    simultaneous_load(net)
    net.run(1)
    assert [len(got[f"pc{i}"]) for i in range(1, 5)] == [50, 50, 50, 50]
    assert net.node("hub1").domain is net.node("hub2").domain
    assert net.node("hub1").collisions == net.node("hub2").collisions > 0
    assert net.node("hub1").late_collisions == 0


def events_of(net: Network) -> list[tuple[int, str, str]]:
    return [(e.t, e.device, e.event_kind) for e in net.trace if e.event_kind in ("tx", "collision", "late-collision")]


def test_two_stations_on_two_hubs_sending_at_once_collide_and_hear_it_after_the_propagation_time():
    """pc1 (hub1) and pc3 (hub2) start together: each hears the other after 3 cables and 2 repeaters,
    jams, and each hub discards the frame it got cut short."""
    net = cascade()
    net.start_trace()
    listen(net)  # no ICMP port unreachable answers
    Send(net, 0, "pc1", 3)
    Send(net, 0, "pc3", 1)
    net.run(0.00002)  # before either retries
    assert events_of(net)[:4] == [
        (0, "pc1", "tx"),
        (0, "pc3", "tx"),
        (ACROSS, "pc1", "collision"),
        (ACROSS, "pc3", "collision"),
    ]
    jam = JAM_BITS * SECOND // RATE
    discarded = [(e.t, e.device) for e in net.trace if e.event_kind == "collision" and e.device.startswith("hub")]
    assert discarded[:2] == [(ACROSS + jam + LINK, "hub1"), (ACROSS + jam + LINK, "hub2")]
    assert net.node("hub1").collisions == 1


def test_the_carrier_is_sensed_across_the_cascade():
    """pc3 wants to send once pc1's signal has reached it: it defers until pc1's frame has passed
    (its start + wire time + propagation) and nothing collides."""
    net = cascade()
    net.start_trace()
    listen(net)  # no ICMP port unreachable answers
    Send(net, 0, "pc1", 3, 100)
    Send(net, ACROSS + 1, "pc3", 1)
    net.run(0.001)
    wire = (14 + 20 + 8 + 100 + 24) * 8 * SECOND // RATE  # Ethernet + IPv4 + UDP + data, preamble, FCS, gap
    assert events_of(net)[:2] == [(0, "pc1", "tx"), (wire + ACROSS, "pc3", "tx")]
    assert not [e for e in net.trace if "collision" in e.event_kind]
    assert net.node("hub1").collisions == 0


def test_a_station_just_before_the_carrier_reaches_it_collides():
    """pc3 starts 1 ns before pc1's first bit reaches it: a collision, each hearing the other."""
    net = cascade()
    net.start_trace()
    listen(net)  # no ICMP port unreachable answers
    Send(net, 0, "pc1", 3)
    Send(net, ACROSS - 1, "pc3", 1)
    net.run(0.001)
    stations = [event for event in events_of(net) if event[1].startswith("pc")]
    assert stations[:4] == [
        (0, "pc1", "tx"),
        (ACROSS - 1, "pc3", "tx"),
        (ACROSS, "pc3", "collision"),
        (2 * ACROSS - 1, "pc1", "collision"),
    ]


def test_after_a_collision_the_medium_is_busy_only_for_the_jam():
    """pc1 and pc2 collide while pc4 waits for the carrier: pc4 sends as soon as the jams have passed
    it, long before the collided frames' full length would have."""
    net = cascade()
    net.start_trace()
    listen(net)
    net.node("pc4").nics[0].arp.add_static(IPv4Address("198.18.0.3"), net.node("pc3").nics[0].mac)
    Send(net, 0, "pc1", 3, 1400)
    Send(net, 0, "pc2", 4, 1400)
    Send(net, ACROSS + 1, "pc4", 3)  # pc1's carrier is there by then
    net.run(0.01)
    heard = 2 * LINK + REPEATER  # pc1 and pc2 share hub1
    jam = JAM_BITS * SECOND // RATE
    pc4_tx = [e.t for e in net.trace if e.device == "pc4" and e.event_kind == "tx"]
    assert pc4_tx[0] == heard + jam + ACROSS
    assert pc4_tx[0] < 100 * MICROSECOND < 1400 * 8 * SECOND // RATE


def test_a_medium_too_long_for_the_slot_time_has_late_collisions_that_are_not_retried():
    """At 100 Mb/s with 2 km-ish cables the round trip passes 512 bit times: pc3 starts just before
    pc1's signal reaches it, pc1 hears that past its slot time: a late collision, counted, its
    frame dropped and not sent again."""
    long = 3 * MICROSECOND
    net = cascade(rate=100_000_000, delay=long)
    net.start_trace()
    listen(net)
    across = 3 * long + 2 * REPEATER_DELAY_BITS * SECOND // 100_000_000
    Send(net, 0, "pc1", 3, 1000)
    Send(net, across - 1, "pc3", 1, 1000)
    net.run(0.01)
    late = [e for e in net.trace if e.event_kind == "late-collision"]
    assert [(e.t, e.device) for e in late] == [(2 * across - 1, "pc1")]
    assert 2 * across - 1 > SLOT_BITS * SECOND // 100_000_000
    assert [e.note for e in net.trace if e.device == "pc1" and e.note == "late collision"] == ["late collision"]
    assert len([e for e in net.trace if e.device == "pc1" and e.event_kind == "tx"]) == 1
    assert net.node("hub2").late_collisions == 1


def test_same_seed_gives_the_same_event_list_on_a_cascade():
    """Backoff draws come from the run's seed: two runs with one seed trace the same events."""

    def events(seed: int) -> list[tuple[object, ...]]:
        net = cascade(seed)
        net.start_trace()
        simultaneous_load(net, 10)
        net.run(1)
        return [(e.t, e.device, e.port, e.event_kind, e.summary, e.note) for e in net.trace]

    first = events(7)
    assert first == events(7)
    assert any(event[3] == "collision" for event in first)


def test_a_loop_of_hubs_circulates_a_broadcast_until_max_events_and_reports_the_storm():
    """Three hubs in a triangle: one broadcast keeps coming back, the run stops at max_events, the
    storm report names the three hub-to-hub links, and the medium is busy for ever: pc1's next
    datagram is never sent."""
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
    later = Send(net, 1_000_000, "pc1", 255)  # the medium is busy for ever by then
    assert net.run(10) == 20_000 and net.engine.stopped
    storm = first_storm(net.nodes)
    assert storm is not None and storm.switch.startswith("hub")
    assert [link.name for link in storm.links] == ["hub1:p1-hub2:p1", "hub2:p2-hub3:p2", "hub3:p1-hub1:p2"]
    assert net.find_link("hub1:p1").frames > 100
    assert net.node("pc1").ports["eth0"].tx_frames == 1 and set(got) == {b"Hi"} and later.host is net.node("pc1")


def test_hub_loop_example_reports_the_storm_on_its_three_hub_links():
    """examples/hub_loop.yaml: hub2 sees the ARP come back, the loop is the three hub links, pc1 is flooded."""
    net = load_topology(Path(__file__).resolve().parents[3] / "examples" / "hub_loop.yaml")
    net.engine.max_events = 20_000
    net.run(10)
    storm = first_storm(net.nodes)
    assert storm is not None and storm.switch == "hub2"
    assert [link.name for link in storm.links] == ["hub1:p1-hub2:p1", "hub2:p2-hub3:p2", "hub3:p1-hub1:p2"]
    assert net.node("pc1").nics[0].port.rx_frames > 1000
