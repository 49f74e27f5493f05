"""Bridges wired in memory: point-to-point links with a fixed delay and a hand-moved clock (no simulator)."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from lanlab.proto.spanning import SECOND, PortChanged, SpanningTreeBridge

MS = SECOND // 1000


class BridgeLab:
    """A few bridges, their links, and a queue of BPDUs in flight; `run(until)` moves time by hand."""

    def __init__(self, delay: int = 1 * MS) -> None:
        self.bridges: dict[str, SpanningTreeBridge] = {}
        self.peer: dict[tuple[str, str], tuple[str, str]] = {}
        self.delay = delay
        self.now = 0
        self.changes: list[tuple[int, str, Any]] = []  # (time, bridge, event) for every event handed up
        self.sent: list[tuple[int, str, str, Any]] = []
        self._heap: list[tuple[int, int, Callable[[], None]]] = []
        self._seq = 0

    def add(self, name: str, bridge: SpanningTreeBridge) -> SpanningTreeBridge:
        self.bridges[name] = bridge
        return bridge

    def link(self, a: str, b: str) -> None:
        """Connect "sw1:p1" to "sw2:p1" and bring both ends up now."""
        ea, eb = tuple(a.split(":")), tuple(b.split(":"))
        self.peer[ea], self.peer[eb] = eb, ea  # type: ignore[index]
        for bridge, port in (ea, eb):
            self.bridges[bridge].handle_link(port, True, self.now)
            self._drain(bridge)

    def cut(self, a: str) -> None:
        """Take the link at endpoint "sw1:p1" down, both ends at once."""
        ea = tuple(a.split(":"))
        eb = self.peer.pop(ea)  # type: ignore[arg-type]
        del self.peer[eb]
        for bridge, port in (ea, eb):
            self.bridges[bridge].handle_link(port, False, self.now)
            self._drain(bridge)

    def _at(self, t: int, action: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, action))

    def _drain(self, name: str) -> None:
        bridge = self.bridges[name]
        while (event := bridge.next_event()) is not None:
            self.changes.append((self.now, name, event))
        for port, bpdu in bridge.bpdus_to_send(self.now):
            self.sent.append((self.now, name, port, bpdu))
            far = self.peer.get((name, port))
            if far is not None:
                self._at(self.now + self.delay, lambda far=far, bpdu=bpdu: self._deliver(far, bpdu))

    def _deliver(self, far: tuple[str, str], bpdu: Any) -> None:
        if far in self.peer:  # the link may have gone down while the BPDU was in flight
            self.bridges[far[0]].handle_bpdu(far[1], bpdu, self.now)
            self._drain(far[0])

    def run(self, until: int) -> None:
        """Deliver BPDUs and fire timers in time order up to `until` (inclusive)."""
        while True:
            timers = [(t, n) for n, b in self.bridges.items() if (t := b.get_timer()) is not None]
            next_timer = min(timers) if timers else None
            next_frame = self._heap[0][0] if self._heap else None
            candidates = [t for t in (next_frame, next_timer[0] if next_timer else None) if t is not None]
            if not candidates or min(candidates) > until:
                break
            if next_frame is not None and (next_timer is None or next_frame <= next_timer[0]):
                self.now, _, action = heapq.heappop(self._heap)
                action()
            else:
                assert next_timer is not None
                self.now = next_timer[0]
                self.bridges[next_timer[1]].handle_timer(self.now)
                self._drain(next_timer[1])
        self.now = until

    def roles(self) -> dict[str, tuple[str, str]]:
        """{"sw1:p1": ("designated", "forwarding"), ...}"""
        return {
            f"{n}:{row.port}": (row.role.value, row.state.value) for n, b in self.bridges.items() for row in b.status()
        }

    def flood(self, start: str) -> dict[str, int]:
        """How many copies of one broadcast, entering bridge `start`, each bridge receives (forwarding ports only)."""
        copies = {n: 0 for n in self.bridges}
        queue = [(start, None)]
        while queue and sum(copies.values()) < 1000:
            name, in_port = queue.pop()
            bridge = self.bridges[name]
            if in_port is not None and not bridge.forwarding(in_port):
                continue  # a blocked port discards what it receives
            copies[name] += 1
            for row in bridge.status():
                if row.port != in_port and bridge.forwarding(row.port) and (name, row.port) in self.peer:
                    far = self.peer[(name, row.port)]
                    queue.append(far)
        return copies

    def last_change(self, kind: type = PortChanged) -> int:
        """The time of the last event of `kind`."""
        return max(t for t, _, e in self.changes if isinstance(e, kind))


def build(
    make: Callable[..., SpanningTreeBridge],
    bridges: dict[str, int],
    links: list[tuple[str, str]],
    *,
    costs: dict[str, int] | None = None,
    ports: int = 4,
    delay: int = 1 * MS,
) -> BridgeLab:
    """A lab of bridges named sw<N> with MAC 02:00:00:00:00:<N> and the given priorities, ports p1..p<ports>."""
    lab = BridgeLab(delay)
    for name, priority in bridges.items():
        bridge = lab.add(name, make(f"02:00:00:00:00:{int(name[2:]):02x}", priority))
        for n in range(1, ports + 1):
            bridge.add_port(f"p{n}", n, (costs or {}).get(f"{name}:p{n}", 20_000))  # type: ignore[attr-defined]
    for a, b in links:
        lab.link(a, b)
    return lab


TRIANGLE = [("sw1:p1", "sw2:p1"), ("sw2:p2", "sw3:p2"), ("sw3:p1", "sw1:p2")]
