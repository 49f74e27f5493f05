"""Collision and broadcast domains of a topology, counted as a course counts them: a graph walk.

"How many collision domains and how many broadcast domains?" has one textbook answer:

- a repeater (hub) passes bits on as they arrive, so hubs linked to hubs are ONE medium: every
  port of the cascade and every station on it is one collision domain;
- every other link (a switch or router port, a host cabled straight to another device) is a
  point-to-point segment of its own, so a switch port starts its own collision domain, and a
  switch port cabled to a hub is a station of that hub's medium (two domains meet at the switch);
- switches and hubs pass broadcasts on; a router (and a host, which forwards nothing) bounds
  a broadcast domain, so a broadcast domain is what the switches and hubs join, with the hosts
  and the router interfaces at its edge.

Only cabled ports count: a host with no link is in no domain. The walk reads a `Document` and
nothing of the simulator; the link defaults (rate, delay) a file leaves out are the caller's.

The size rule of a shared medium (IEEE 802.3 clause 13 for 10 Mb/s, the "5-4-3 rule": at most 4
repeaters between two stations; clause 29 for 100 Mb/s: at most 2 class II repeaters) keeps the
round trip across the medium within the 512-bit slot time. Past it, a station can finish sending
a minimum frame before the collision it caused comes back: a late collision, which the MAC does
not retry (802.3 4.2.3.2.4), so the frame is lost to the layers above.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from lanlab.i18n import L_
from lanlab.topology.reader import Document

SLOT_BITS: Final = 512  # 802.3 slot time at 10 and 100 Mb/s
# A repeater's start-of-packet delay, input to output: half the 92 bit-time round trip 802.3
# Table 29-3 allows a class II repeater (100BASE-T), used at every rate in bit times. The
# simulator's hubs (lanlab.sim.devices.hub) repeat with this delay, so the round trip counted
# here is the one a run shows.
REPEATER_DELAY_BITS: Final = 46
REPEATER = "hub"
BRIDGE = "switch"


def repeater_limit(rate: int) -> tuple[int, str]:
    """Most repeaters allowed between two stations of a medium of `rate` bit/s, and the rule's name."""
    if rate <= 10_000_000:
        return 4, L_("the 5-4-3 rule of 10 Mb/s Ethernet (802.3 clause 13): at most 4 repeaters")
    if rate <= 100_000_000:
        return 2, L_("100 Mb/s Ethernet (802.3 clause 29): at most 2 class II repeaters")
    return 1, L_("half-duplex gigabit Ethernet (802.3 clause 42): at most 1 repeater")


@dataclass(frozen=True)
class CollisionDomain:
    """One shared medium: a cascade of hubs with everything cabled to it, or one point-to-point link."""

    hubs: tuple[str, ...]  # the repeaters forming the medium; empty for a point-to-point link
    ports: tuple[str, ...]  # NODE:PORT of every port on the medium, hub ports included
    stations: tuple[str, ...]  # NODE:PORT of the ports that send on it (not a repeater's)
    repeaters: int  # most repeaters between two stations
    farthest: tuple[str, str] | None  # the two stations with that many repeaters between them
    rate: int  # bit/s of the slowest link on the medium
    round_trip: int  # ns: twice the longest station-to-station propagation (cables and repeaters)
    slowest: tuple[str, str] | None  # the two stations that round trip is between

    @property
    def slot_time(self) -> int:
        return SLOT_BITS * 1_000_000_000 // self.rate

    def rule_warning(self) -> str | None:
        """The size rule this medium breaks, and why late collisions follow; None if it keeps it."""
        if not self.hubs:
            return None
        limit, rule = repeater_limit(self.rate)
        slot = L_(
            "the slot time ({bits} bit times, {slot} us at {rate} Mb/s); past it a sender finishes a minimum "
            "frame before it hears the collision: a late collision, not retried, the frame lost",
            bits=SLOT_BITS,
            slot=f"{self.slot_time / 1000:g}",
            rate=self.rate // 1_000_000,
        )
        if self.repeaters > limit and self.farthest is not None:
            a, b = self.farthest
            return L_(
                "collision domain of {hubs}: {repeaters} repeaters between {a} and {b}, but {rule}. "
                "A signal must cross the medium and a collision come back within {slot}",
                hubs=", ".join(self.hubs),
                repeaters=self.repeaters,
                a=a,
                b=b,
                rule=rule,
                slot=slot,
            )
        if self.round_trip > self.slot_time and self.slowest is not None:
            # within the repeater count, but the cables are too long for the rate (100BASE-TX: at
            # most 100 m, about 0.5 us each)
            a, b = self.slowest
            return L_(
                "collision domain of {hubs}: a round trip of {round_trip} us between {a} and {b} (cables and "
                "{delay}-bit repeater delays), beyond {slot}. Shorter cables or fewer repeaters keep it within",
                hubs=", ".join(self.hubs),
                round_trip=f"{self.round_trip / 1000:g}",
                a=a,
                b=b,
                delay=REPEATER_DELAY_BITS,
                slot=slot,
            )
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "hubs": list(self.hubs),
            "ports": list(self.ports),
            "stations": list(self.stations),
            "repeaters": self.repeaters,
            "rate": self.rate,
            "round_trip_ns": self.round_trip,
            "slot_time_ns": self.slot_time,
            "round_trip_between": list(self.slowest) if self.slowest is not None else None,
            "warning": self.rule_warning(),
        }


@dataclass(frozen=True)
class BroadcastDomain:
    """What a broadcast reaches: the hosts and router interfaces that the switches and hubs join."""

    hosts: tuple[str, ...]  # NODE:PORT of every host (any node that is not a router, switch or hub)
    routers: tuple[str, ...]  # NODE:PORT of the router interfaces that bound it
    devices: tuple[str, ...]  # the switches and hubs inside it

    def as_json(self) -> dict[str, Any]:
        return {"hosts": list(self.hosts), "routers": list(self.routers), "devices": list(self.devices)}


@dataclass(frozen=True)
class Domains:
    collision: tuple[CollisionDomain, ...]
    broadcast: tuple[BroadcastDomain, ...]

    def warnings(self) -> list[str]:
        return [w for w in (domain.rule_warning() for domain in self.collision) if w is not None]

    def as_json(self) -> dict[str, Any]:
        return {
            "collision_domains": len(self.collision),
            "broadcast_domains": len(self.broadcast),
            "collision": [d.as_json() for d in self.collision],
            "broadcast": [d.as_json() for d in self.broadcast],
        }


class _Groups:
    """Union-find keeping first-seen order, so domains are listed as the file lists them."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, key: str) -> str:
        self.parent.setdefault(key, key)
        return key

    def root(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        ra, rb = self.root(self.add(a)), self.root(self.add(b))
        if ra != rb:
            self.parent[rb] = ra

    def groups(self) -> list[list[str]]:
        found: dict[str, list[str]] = {}
        for key in self.parent:
            found.setdefault(self.root(key), []).append(key)
        return list(found.values())


def find_domains(document: Document, default_rate: int, default_delay: int) -> Domains:
    """Every collision and broadcast domain of `document`; links without rate or delay get the defaults."""
    kinds = {entry.name: entry.kind for entry in document.nodes}
    links = [
        (
            a.node,
            a.port,
            b.node,
            b.port,
            link.options.get("rate", default_rate),
            link.options.get("delay", default_delay),
        )
        for link in document.links
        if len(link.endpoints) == 2
        for a, b in [link.endpoints]
        if a.node in kinds and b.node in kinds
    ]
    return domains_of(kinds, links)


def domains_of(kinds: dict[str, str | None], links: list[tuple[str, str, str, str, int, int]]) -> Domains:
    """The domains of nodes by kind and links as (node, port, node, port, rate bit/s, delay ns): the
    same walk for a file (`find_domains`) and for a network built in Python (the viewer)."""
    return Domains(_collision_domains(kinds, links), _broadcast_domains(kinds, links))


def _collision_domains(
    kinds: dict[str, str | None], links: list[tuple[str, str, str, str, int, int]]
) -> tuple[CollisionDomain, ...]:
    media = _Groups()  # key: a hub's name, or "#i" for the i-th link that touches no hub
    for i, (a, _, b, _, _, _) in enumerate(links):
        on_hubs = [n for n in (a, b) if kinds[n] == REPEATER]
        if len(on_hubs) == 2:
            media.join(a, b)
        elif on_hubs:
            media.add(on_hubs[0])
        else:
            media.add(f"#{i}")
    members: dict[str, list[int]] = {}
    for i, (a, _, b, _, _, _) in enumerate(links):
        hub = a if kinds[a] == REPEATER else b if kinds[b] == REPEATER else None
        members.setdefault(media.root(hub) if hub is not None else f"#{i}", []).append(i)
    domains = []
    for group in media.groups():
        chosen = [links[i] for i in members.get(media.root(group[0]), [])]
        hubs = tuple(n for n in group if not n.startswith("#"))
        ports = tuple(dict.fromkeys(f"{n}:{p}" for a, pa, b, pb, _, _ in chosen for n, p in ((a, pa), (b, pb))))
        stations = tuple(port for port in ports if kinds[port.split(":", 1)[0]] != REPEATER)
        rate = min((link[4] for link in chosen), default=0)
        repeaters, farthest, round_trip, slowest = _span(kinds, hubs, chosen, rate)
        domains.append(CollisionDomain(hubs, ports, stations, repeaters, farthest, rate, round_trip, slowest))
    return tuple(domains)


def _span(
    kinds: dict[str, str | None], hubs: tuple[str, ...], links: list[tuple[str, str, str, str, int, int]], rate: int
) -> tuple[int, tuple[str, str] | None, int, tuple[str, str] | None]:
    """Most repeaters between two stations (with the pair), and the longest round trip (with its pair); of
    equal pairs, the first in the order the stations are cabled."""
    if not hubs:  # a point-to-point link: no repeater, one link's delay each way
        a, pa, b, pb, _, one_link = links[0]
        pair = (f"{a}:{pa}", f"{b}:{pb}")
        return 0, pair, 2 * one_link, pair
    # a signal is delayed by each hub it enters, as the simulator's medium delays it
    repeater = REPEATER_DELAY_BITS * 1_000_000_000 // (rate or 1)
    neighbours: dict[str, list[tuple[str, int]]] = {hub: [] for hub in hubs}
    attached: list[tuple[str, str, int]] = []  # station NODE:PORT, its hub, its link's delay
    for a, pa, b, pb, _, d in links:
        if kinds[a] == REPEATER and kinds[b] == REPEATER:
            if a != b:  # a hub cabled to itself is no path to anywhere
                neighbours[a].append((b, repeater + d))
                neighbours[b].append((a, repeater + d))
        else:
            hub, station = (a, f"{b}:{pb}") if kinds[a] == REPEATER else (b, f"{a}:{pa}")
            attached.append((station, hub, d))
    # from every hub that has stations, hops and delay to every hub: breadth first and Dijkstra, so a long
    # cascade costs hubs x links, not hubs cubed
    occupied: dict[str, list[int]] = {}  # hub -> its stations' indices in `attached`, ascending
    for index, (_, hub, _) in enumerate(attached):
        occupied.setdefault(hub, []).append(index)
    hops = {hub: _hops_from(hub, neighbours) for hub in occupied}
    delay = {hub: _delays_from(hub, neighbours) for hub in occupied}

    def hop_count(g: str, h: str) -> int:
        return hops[g][h] + 1

    def across(g: str, h: str) -> int:
        return delay[g][h] + repeater  # + the last hub's repeater

    top = {hub: sorted((attached[i][2] for i in indices), reverse=True)[:2] for hub, indices in occupied.items()}
    repeaters, one_way = 0, 0
    for g in occupied:
        for h in occupied:
            if g == h and len(occupied[g]) < 2:
                continue
            ends = top[g][0] + (top[g][1] if g == h else top[h][0])
            repeaters = max(repeaters, hop_count(g, h))
            one_way = max(one_way, ends + across(g, h))
    by_delay: dict[tuple[str, int], list[int]] = {}  # (hub, link delay) -> stations' indices, ascending
    for index, (_, hub, d) in enumerate(attached):
        by_delay.setdefault((hub, d), []).append(index)

    def farthest_from(i: int) -> list[list[int]]:
        return [occupied[g] for g in occupied if hop_count(attached[i][1], g) == repeaters]

    def slowest_from(i: int) -> list[list[int]]:
        _, hub, d = attached[i]
        return [by_delay.get((g, one_way - d - across(hub, g)), []) for g in occupied]

    farthest = _first_pair(attached, farthest_from) if repeaters else None
    slowest = _first_pair(attached, slowest_from) if one_way else None
    return repeaters, farthest, 2 * one_way, slowest


def _first_pair(
    attached: list[tuple[str, str, int]], partners: Callable[[int], list[list[int]]]
) -> tuple[str, str] | None:
    """The first stations i < j (in cabling order) with j in one of partners(i)'s ascending index lists."""
    for i, (station, _, _) in enumerate(attached):
        later = [indices[k] for indices in partners(i) if (k := bisect.bisect_right(indices, i)) < len(indices)]
        if later:
            return station, attached[min(later)][0]
    return None


def _hops_from(start: str, neighbours: dict[str, list[tuple[str, int]]]) -> dict[str, int]:
    """Hubs crossed from `start` to every hub it reaches, fewest first (breadth first)."""
    found = {start: 0}
    frontier = [start]
    while frontier:
        following = []
        for hub in frontier:
            for other, _ in neighbours[hub]:
                if other not in found:
                    found[other] = found[hub] + 1
                    following.append(other)
        frontier = following
    return found


def _delays_from(start: str, neighbours: dict[str, list[tuple[str, int]]]) -> dict[str, int]:
    """The shortest delay (cables and repeaters, ns) from `start` to every hub it reaches (Dijkstra)."""
    found: dict[str, int] = {}
    queue = [(0, start)]
    while queue:
        so_far, hub = heapq.heappop(queue)
        if hub in found:
            continue
        found[hub] = so_far
        for other, d in neighbours[hub]:
            if other not in found:
                heapq.heappush(queue, (so_far + d, other))
    return found


def _broadcast_domains(
    kinds: dict[str, str | None], links: list[tuple[str, str, str, str, int, int]]
) -> tuple[BroadcastDomain, ...]:
    passes = (REPEATER, BRIDGE)  # the devices a broadcast crosses; every other node is an edge
    reach = _Groups()
    for a, pa, b, pb, _, _ in links:
        reach.join(a if kinds[a] in passes else f"{a}:{pa}", b if kinds[b] in passes else f"{b}:{pb}")
    domains = []
    for group in reach.groups():
        edges = [key for key in group if ":" in key]
        domains.append(
            BroadcastDomain(
                hosts=tuple(k for k in edges if kinds[k.split(":", 1)[0]] != "router"),
                routers=tuple(k for k in edges if kinds[k.split(":", 1)[0]] == "router"),
                devices=tuple(k for k in group if ":" not in k),
            )
        )
    return tuple(domains)
