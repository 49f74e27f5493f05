"""An IPv4 routing table: connected, static and RIP routes, longest-prefix match, administrative distance.

Several sources may offer the same prefix; the one with the lowest administrative distance is
installed (RFC 1812 5.2.4.3: longest match first, then the "best" route by the router's own
preference among sources, then the smallest metric).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from ipaddress import IPv4Address, IPv4Network
from typing import Iterator


class RouteSource(str, Enum):
    """Who offered a route; ADMINISTRATIVE_DISTANCE ranks them."""

    CONNECTED = "connected"
    STATIC = "static"
    RIP = "rip"


# The conventional distances (Cisco's, which textbooks quote): a connected network beats a
# static route, which beats anything a routing protocol learned.
ADMINISTRATIVE_DISTANCE: dict[RouteSource, int] = {
    RouteSource.CONNECTED: 0,
    RouteSource.STATIC: 1,
    RouteSource.RIP: 120,
}


@dataclass(frozen=True, slots=True)
class Route:
    """One way to reach `prefix`: out of `interface`, to `via` (None when the network is on the link)."""

    prefix: IPv4Network
    interface: str
    via: IPv4Address | None = None
    metric: int = 0
    source: RouteSource = RouteSource.STATIC
    since: int = 0  # ns when installed or last refreshed, for the "age" column

    @property
    def distance(self) -> int:
        return ADMINISTRATIVE_DISTANCE[self.source]

    def as_dict(self, now: int) -> dict[str, object]:
        """The row `lanlab sim --json` shows under tables.<router>.routes."""
        return {
            "prefix": str(self.prefix),
            "via": None if self.via is None else str(self.via),
            "interface": self.interface,
            "metric": self.metric,
            "source": self.source.value,
            "age": (now - self.since) / 1e9,
        }


class RoutingTable:
    """Candidates per (prefix, source); lookups see only the best candidate of each prefix."""

    def __init__(self) -> None:
        self._candidates: dict[IPv4Network, dict[RouteSource, Route]] = {}
        # prefix length -> {network as int -> best route}: a lookup tries lengths longest first.
        self._best: dict[int, dict[int, Route]] = {}
        self._lengths: list[int] = []

    def install(self, route: Route) -> None:
        """Add or replace the route `route.source` offers for `route.prefix`."""
        self._candidates.setdefault(route.prefix, {})[route.source] = route
        self._elect(route.prefix)

    def withdraw(self, prefix: IPv4Network, source: RouteSource) -> Route | None:
        """Remove what `source` offered for `prefix`; return it (None if it offered nothing)."""
        offers = self._candidates.get(prefix)
        if not offers or source not in offers:
            return None
        removed = offers.pop(source)
        if not offers:
            del self._candidates[prefix]
        self._elect(prefix)
        return removed

    def _elect(self, prefix: IPv4Network) -> None:
        length, key = prefix.prefixlen, int(prefix.network_address)
        offers = self._candidates.get(prefix)
        if offers:
            best = min(offers.values(), key=lambda r: (r.distance, r.metric))
            self._best.setdefault(length, {})[key] = best
        else:
            bucket = self._best.get(length)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del self._best[length]
        self._lengths = sorted(self._best, reverse=True)

    def lookup(self, destination: IPv4Address | int) -> Route | None:
        """The installed route with the longest prefix containing `destination` (RFC 1812 5.2.4.3)."""
        address = int(destination)
        for length in self._lengths:
            mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
            route = self._best[length].get(address & mask)
            if route is not None:
                return route
        return None

    def get(self, prefix: IPv4Network, source: RouteSource | None = None) -> Route | None:
        """The installed route for exactly `prefix`, or the one `source` offers."""
        if source is not None:
            return self._candidates.get(prefix, {}).get(source)
        return self._best.get(prefix.prefixlen, {}).get(int(prefix.network_address))

    def __iter__(self) -> Iterator[Route]:
        """Installed routes by address, then prefix length (how `show ip route` reads)."""
        rows = [(key, length, route) for length, bucket in self._best.items() for key, route in bucket.items()]
        for _, _, route in sorted(rows, key=lambda row: (row[0], row[1])):
            yield route

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in self._best.values())
