"""The hub: repeats to every other port; one collision domain with CSMA/CD and backoff."""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import Any

from lanlab.sim import Network


def segment(kind: str, n: int, seed: int = 1) -> Network:
    net = Network(kind, seed)
    getattr(net, f"add_{kind}")("x")
    for i in range(1, n + 1):
        net.add_host(f"h{i}", ip=f"198.18.0.{i}/24")
        net.link(f"h{i}:eth0", f"x:p{i}")
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            if i != j:  # everyone knows everyone: no ARP in the load test
                net.node(f"h{i}").nics[0].arp.add_static(IPv4Address(f"198.18.0.{j}"), net.node(f"h{j}").nics[0].mac)
    return net


class Burst:
    """Host sends `count` datagrams to `dst` every `gap` ns."""

    def __init__(self, host: Any, dst: str, count: int, gap: int) -> None:
        self.host, self.dst, self.left, self.gap = host, IPv4Address(dst), count, gap

    def fire(self, arg: object, now: int) -> None:
        self.host.send_udp(1000, self.dst, 9, bytes(1000), now)
        self.left -= 1
        if self.left:
            self.host.engine.schedule(now + self.gap, self)


def load(kind: str, seed: int = 1) -> tuple[Network, int]:
    """Four hosts each send 200 1000-byte datagrams to their neighbour, every 100 us (about 80 Mbps each)."""
    net = segment(kind, 4, seed)
    delivered = [0]
    for i in range(1, 5):
        net.node(f"h{i}").udp.bind(9, lambda host, frame, now: delivered.__setitem__(0, delivered[0] + 1))
        net.engine.schedule(0, Burst(net.node(f"h{i}"), f"198.18.0.{i % 4 + 1}", 200, 100_000))
    net.run(0.021)
    return net, delivered[0]


def test_hub_repeats_every_frame_to_every_other_port():
    """A unicast ping through a hub reaches all hosts; only the target answers."""
    net = segment("hub", 3)
    net.start_trace()
    assert net.ping("h1", "h2", count=1).received == 1
    request_rx = {e.device for e in net.trace if e.event_kind == "rx" and "request" in e.summary}
    assert request_rx == {"h2", "h3"}
    assert [e.note for e in net.trace if e.device == "h3" and e.event_kind == "drop"] == [
        "not addressed to this NIC"
    ] * 2


def test_simultaneous_senders_collide_back_off_and_all_get_through():
    """Frames that start together collide; backoff spreads them out and every one is delivered."""
    net = segment("hub", 3)
    got: list[str] = []
    net.node("h3").udp.bind(9, lambda host, frame, now: got.append(frame.data.decode()))
    net.start_trace()
    for name in ("h1", "h2"):
        net.node(name).send_udp(1000, IPv4Address("198.18.0.3"), 9, name.encode(), 0)
    net.run(0.01)
    assert sorted(got) == ["h1", "h2"]
    assert net.node("x").collisions >= 1
    assert any(e.event_kind == "collision" for e in net.trace)
    assert sum(link.collisions for link in net.links) >= 2


def test_hub_carries_less_than_a_switch_under_load():
    """Same load: the switch delivers everything, the shared hub fewer frames, with collisions."""
    switch_net, switch_delivered = load("switch")
    hub_net, hub_delivered = load("hub")
    assert switch_delivered == 800
    assert hub_delivered < switch_delivered * 0.7
    assert hub_net.node("x").collisions > 10
    assert sum(link.collisions for link in switch_net.links) == 0
