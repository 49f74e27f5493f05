"""Broadcast storms: noticing that a frame came back to a switch or hub that already flooded it, and naming the loop.

A switch remembers the last FLOODS_REMEMBERED frames it flooded (the flood path only: a
known unicast destination costs nothing), a hub the frames it repeated. Seeing one of them
again means it went round a loop of switches (or hubs) without a spanning tree to break it:
the device records a
StormReport, an event of kind `storm`, and stops watching. Memory stays bounded by the link
queues whatever the storm does; `Engine.events_after_storm` (or `max_events`) bounds the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from lanlab.i18n import L_, joined
from lanlab.sim.core.node import GatesFrames, Node, WatchesStorms
from lanlab.sim.core.trace import register_kind
from lanlab.wire import describe

if TYPE_CHECKING:
    from lanlab.sim.core.frame import Frame
    from lanlab.sim.core.link import Link, Port

FLOODS_REMEMBERED: Final = 1024

register_kind("storm", "storm")


@dataclass(frozen=True)
class StormReport:
    """Where and when a flooded frame came back, and the links of the loop(s) it went round."""

    t: int
    switch: str
    port: str
    frame: Frame
    links: tuple[Link, ...]
    frames_then: tuple[int, ...]  # each loop link's frame count when the storm was seen

    @property
    def through_hubs(self) -> bool:
        """Whether a hub is on the loop: hubs run no spanning tree, so only a cable taken out breaks it."""
        return any(getattr(port.node, "kind", None) == "hub" for link in self.links for port in (link.a, link.b))

    def line(self, now: int | None = None) -> str:
        """The one-line warning; with `now`, each loop link's frame rate since the storm was seen."""
        _, info = describe(self.frame.layers())
        seconds = ((now or 0) - self.t) / 1e9
        names: list[str] = [
            L_("{link} ({rate} frames/s)", link=link.name, rate=f"{(link.frames - then) / seconds:,.0f}")
            if seconds > 0
            else link.name
            for link, then in zip(self.links, self.frames_then)
        ]
        return L_(
            "broadcast storm: frame {frame} ({info}) came back to {device} on {port} at {time} s; loop: {loop}",
            frame=self.frame.ident,
            info=info,
            device=self.switch,
            port=self.port,
            time=f"{self.t / 1e9:.6f}",
            loop=joined(names),
        )


def remember_flood(device: Any, arrival: Port, frame: Frame, now: int) -> None:
    """Called by Switch.flood and Hub.repeat while `device.flooded` is a dict: note `frame`, or
    report the storm if it was flooded before."""
    flooded: dict[int, None] = device.flooded
    if frame.ident in flooded:
        storm_detected(device, arrival, frame, now)
        return
    if len(flooded) >= FLOODS_REMEMBERED:
        flooded.clear()
    flooded[frame.ident] = None


def storm_detected(switch: Any, arrival: Port, frame: Frame, now: int) -> None:
    """A frame `switch` (a switch or hub) had flooded before came back: record the storm once per device."""
    switch.flooded = None
    links = tuple(loop_links(switch))
    report = StormReport(now, switch.name, arrival.name, frame, links, tuple(link.frames for link in links))
    switch.storm = report
    switch.engine.storm_seen = True  # Engine.events_after_storm may end the run
    if switch.tracer is not None:
        switch.tracer.record(now, switch.name, arrival.name, "storm", frame, report.line())


def record_rates(network: Any) -> None:
    """At the end of a run with a storm: one `storm` event per loop link with its frame rate since
    the storm began (the event list's per-link rates)."""
    storm = first_storm(network.nodes)
    if storm is None or network.tracer is None or network.now <= storm.t:
        return
    seconds = (network.now - storm.t) / 1e9
    for link, then in zip(storm.links, storm.frames_then):
        network.tracer.record(
            network.now,
            link.a.node.name,
            link.a.name,
            "storm",
            None,
            L_(
                "{link}: {frames} frames in {seconds} s, {rate} frames/s",
                link=link.name,
                frames=f"{link.frames - then:,}",
                seconds=f"{seconds:.6f}",
                rate=f"{(link.frames - then) / seconds:,.0f}",
            ),
        )


def first_storm(nodes: dict[str, Node]) -> StormReport | None:
    """The earliest storm any switch of `nodes` (a dict of nodes) saw, or None."""
    reports = [node.storm for node in nodes.values() if isinstance(node, WatchesStorms) and node.storm is not None]
    return min(reports, key=lambda r: (r.t, r.switch)) if reports else None


def loop_links(start: Node) -> list[Link]:
    """The links that lie on a cycle of switches and hubs reachable from `start` through ports that
    forward: every link but the bridges of that graph (a bridge's removal would cut it in two)."""
    around: dict[Node, list[tuple[Link, Node]]] = {start: []}
    todo = [start]
    while todo:
        node = todo.pop()
        for port in node.ports.values():
            peer, link = port.peer, port.link
            if peer is None or link is None or not port.up or not _forwards(port) or not _forwards(peer):
                continue
            if not isinstance(peer.node, WatchesStorms):  # hubs and switches: the nodes that bridge
                continue
            around[node].append((link, peer.node))  # each end adds its own direction
            if peer.node not in around:
                around[peer.node] = []
                todo.append(peer.node)
    cut = _bridges(start, around)
    on_loops = {link for links in around.values() for link, _ in links if link not in cut}
    return sorted(on_loops, key=lambda link: link.name)


def _forwards(port: Port) -> bool:
    return not isinstance(port, GatesFrames) or port.forwarding


def _bridges(start: Node, around: dict[Node, list[tuple[Link, Node]]]) -> set[Link]:
    """Tarjan's bridge-finding, one depth-first walk (O(nodes + links), iterative: no recursion limit).

    A tree link to `node` is a bridge when nothing below `node` reaches back above it; the link
    a node was reached through is skipped by identity, so two parallel links make a loop."""
    order: dict[Any, int] = {start: 0}
    low: dict[Any, int] = {start: 0}
    bridges: set[Link] = set()
    stack: list[tuple[Any, Link | None, Any]] = [(start, None, iter(around[start]))]
    while stack:
        node, via, rest = stack[-1]
        for link, other in rest:
            if link is via:
                continue
            if other in order:
                low[node] = min(low[node], order[other])
            else:
                order[other] = low[other] = len(order)
                stack.append((other, link, iter(around[other])))
                break
        else:
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    bridges.add(via)  # type: ignore[arg-type]
    return bridges
