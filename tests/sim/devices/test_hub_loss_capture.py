"""A hub's links honour `loss`; a capture holds only the frames that reached the hub intact."""

from __future__ import annotations

from collections import Counter
from ipaddress import IPv4Address
from pathlib import Path

from lanlab.sim import Network
from lanlab.wire.pcapng import PcapngReader

BROADCAST = IPv4Address("198.18.0.255")


def hub_with_hosts(loss: dict[int, float]) -> tuple[Network, dict[str, int]]:
    """pc1..pc3 on hub1 (pc<i>'s link has loss[i]); each host counts the datagrams it gets on port 9."""
    net = Network("hub", 1)
    net.add_hub("hub1")
    got: dict[str, int] = {}
    for i in range(1, 4):
        name = f"pc{i}"
        net.add_host(name, ip=f"198.18.0.{i}/24")
        net.link(f"{name}:eth0", f"hub1:p{i}", loss=loss.get(i, 0.0))
        got[name] = 0
        net.node(name).udp.bind(9, lambda host, frame, now, name=name: got.__setitem__(name, got[name] + 1))
    return net, got


def static_arp(net: Network, i: int, j: int) -> None:
    """pc<i> knows pc<j>'s MAC (no ARP exchange to lose or to collide)."""
    net.node(f"pc{i}").nics[0].arp.add_static(IPv4Address(f"198.18.0.{j}"), net.node(f"pc{j}").nics[0].mac)


def test_a_frame_lost_on_the_senders_hub_link_reaches_no_one_and_the_sender_goes_on():
    """With loss 1 on pc1's link both of its broadcasts are lost (counted), the second still sent."""
    net, got = hub_with_hosts({1: 1.0})
    for t in (0, 1_000_000):
        net.node("pc1").send_udp(1000, BROADCAST, 9, b"Hi", t)
    net.run(0.01)
    assert got == {"pc1": 0, "pc2": 0, "pc3": 0}
    port = net.node("pc1").nics[0].port
    assert port.tx_frames == 2 and port.lost == 2 and net.find_link("pc1:eth0").drops == 2


def test_a_repeated_copy_is_lost_only_on_the_lossy_port():
    """With loss 1 on pc3's link, pc1's broadcast reaches pc2 and not pc3."""
    net, got = hub_with_hosts({3: 1.0})
    net.node("pc1").send_udp(1000, BROADCAST, 9, b"Hi", 0)
    net.run(0.01)
    assert got == {"pc1": 0, "pc2": 1, "pc3": 0}
    assert net.node("hub1").ports["p3"].lost == 1


def test_partial_loss_on_a_hub_link_loses_some_pings_deterministically():
    """Loss 0.3 on pc2's link: some of 40 pings are lost, and the same seed loses the same ones."""

    def received() -> list[float]:
        net, _ = hub_with_hosts({2: 0.3})
        static_arp(net, 1, 2)
        static_arp(net, 2, 1)
        return net.ping("pc1", "pc2", count=40, interval=0.01).rtt_ms  # type: ignore[no-any-return]

    first = received()
    assert 5 < len(first) < 38
    assert first == received()


def test_frames_damaged_by_a_collision_are_not_captured(tmp_path: Path):
    """pc1 and pc2 send together and collide: the capture holds each frame once per link it crossed
    intact (6 frames), none of the damaged attempts."""
    net, got = hub_with_hosts({})
    static_arp(net, 1, 3)
    static_arp(net, 2, 3)
    path = tmp_path / "hub.pcapng"
    net.capture(path)
    for i in (1, 2):
        net.node(f"pc{i}").send_udp(1000, IPv4Address("198.18.0.3"), 9, f"pc{i}".encode(), 0)
    net.run(0.01)
    net.close()
    assert net.node("hub1").collisions >= 1 and got["pc3"] == 2
    with path.open("rb") as stream:
        per_link = Counter(name for name, _, _ in PcapngReader(stream))
    assert per_link == {"pc1:eth0-hub1:p1": 2, "pc2:eth0-hub1:p2": 2, "pc3:eth0-hub1:p3": 2}
