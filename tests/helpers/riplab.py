"""RIP speakers wired together in memory with a hand-moved clock (h11's ConnectionPair idea, for N routers)."""

from __future__ import annotations

import heapq
import random
from ipaddress import IPv4Address, IPv4Network

from lanlab.proto.rip import RipDatagram, RipSpeaker, RouteChange
from lanlab.wire.rip import RIP_PORT, Rip

LINK_DELAY = 1_000_000  # 1 ms


class RipLab:
    """Point-to-point links between speakers; messages go through the codec's bytes to be honest."""

    def __init__(self, seed: int = 1) -> None:
        self.now = 0
        self.speakers: dict[str, RipSpeaker] = {}
        self.peers: dict[tuple[str, str], tuple[str, str]] = {}
        self.changes: list[tuple[str, RouteChange]] = []
        self.sent: list[tuple[int, str, RipDatagram]] = []
        self._heap: list[tuple[int, int, str, str, IPv4Address, int, bytes]] = []
        self._seq = 0
        self._seed = seed

    def router(self, name: str, interfaces: dict[str, str], **options: object) -> RipSpeaker:
        speaker = RipSpeaker(interfaces, random.Random(f"{self._seed}:{name}"), **options)
        self.speakers[name] = speaker
        return speaker

    def link(self, a: str, a_if: str, b: str, b_if: str) -> None:
        self.peers[a, a_if] = (b, b_if)
        self.peers[b, b_if] = (a, a_if)

    def cut(self, a: str, a_if: str) -> None:
        """Take a link down: both ends notice (carrier lost), nothing crosses it any more."""
        b, b_if = self.peers.pop((a, a_if))
        del self.peers[b, b_if]
        self.speakers[a].interface_down(a_if, self.now)
        self.speakers[b].interface_down(b_if, self.now)
        self._collect()

    def start(self) -> None:
        for speaker in self.speakers.values():
            speaker.start(self.now)
        self._collect()

    def _collect(self) -> None:
        for name, speaker in self.speakers.items():
            while (change := speaker.next_event()) is not None:
                self.changes.append((name, change))
            for datagram in speaker.datagrams_to_send(self.now):
                self.sent.append((self.now, name, datagram))
                self._deliver(name, datagram)

    def _deliver(self, name: str, datagram: RipDatagram) -> None:
        peer = self.peers.get((name, datagram.interface))
        if peer is None:
            return
        peer_name, peer_if = peer
        peer_address = self.speakers[peer_name].interfaces[peer_if].ip
        if not (
            datagram.destination.is_multicast
            or datagram.destination == peer_address
            or datagram.destination == self.speakers[name].interfaces[datagram.interface].network.broadcast_address
        ):
            return
        src = self.speakers[name].interfaces[datagram.interface].ip
        self._seq += 1
        heapq.heappush(
            self._heap, (self.now + LINK_DELAY, self._seq, peer_name, peer_if, src, RIP_PORT, datagram.message.build())
        )

    def inject(self, to: str, interface: str, src: str, message: Rip, src_port: int = RIP_PORT) -> None:
        """Hand a message to one speaker now, as if it had just arrived."""
        self.speakers[to].handle_datagram(IPv4Address(src), src_port, interface, message, self.now)
        self._collect()

    def run(self, until: int) -> None:
        """Move the clock to `until`, delivering messages and firing timers in time order."""
        while True:
            timers = [(t, name) for name, s in self.speakers.items() if (t := s.get_timer()) is not None]
            next_timer = min(timers) if timers else None
            next_message = self._heap[0][0] if self._heap else None
            candidates = [t for t in (next_timer[0] if next_timer else None, next_message) if t is not None]
            if not candidates or min(candidates) > until:
                break
            self.now = min(candidates)
            if next_message is not None and next_message == self.now:
                _, _, name, interface, src, port, data = heapq.heappop(self._heap)
                message, _ = Rip.parse(data)
                self.speakers[name].handle_datagram(src, port, interface, message, self.now)
            else:
                self.speakers[next_timer[1]].handle_timer(self.now)
            self._collect()
        self.now = until

    def metric(self, router: str, prefix: str) -> int | None:
        route = self.speakers[router].routes.get(IPv4Network(prefix))
        return None if route is None else route.metric


def chain(lab: RipLab, routers: int, **options: object) -> None:
    """r0 - r1 - ... : link k is 10.0.k.0/24 (left end .1, right end .2); r0 and the last have a stub net."""
    for k in range(routers):
        interfaces = {"eth0": f"10.0.{k}.2/24", "eth1": f"10.0.{k + 1}.1/24"}
        lab.router(f"r{k}", interfaces, **options)
    for k in range(routers - 1):
        lab.link(f"r{k}", "eth1", f"r{k + 1}", "eth0")
