"""A RIP speaker (RFC 2453, receiving and answering RIPv1 of RFC 1058) as a sans-IO machine.

Inputs: `start(now)`, `handle_datagram(src, src_port, interface, message, now)`,
`interface_down/interface_up(name, now)`, `handle_timer(now)`. Outputs: `datagrams_to_send(now)`
(what to send, from which interface, to which address and port), `next_event()` (route changes
for the forwarding table and the event list), `get_timer()` (the earliest deadline).

Every rule the RFC gives is in one of the tables below, with its section number: how a
received route changes the database (`RESPONSE_RULES`), what a route looks like to the
neighbour it was learned from (`SPLIT_HORIZON_RULES`); the four timers are in `handle_timer`.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from enum import Enum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Callable, Final, Iterable, Mapping, NamedTuple

from lanlab.i18n import L_, Deferred
from lanlab.proto.ipv4 import LIMITED_BROADCAST, directed_broadcast
from lanlab.units import SECOND
from lanlab.wire.rip import (
    AFI_INET,
    AUTH_SIMPLE_PASSWORD,
    RIP_INFINITY,
    RIP_MAX_ENTRIES,
    RIP_MULTICAST,
    RIP_PORT,
    ZERO_ADDRESS,
    Rip,
    RipAuth,
    RipCommand,
    RipEntry,
)

_NETWORKS: dict[tuple[int, int], IPv4Network] = {}


def network_of(address: int, length: int) -> IPv4Network:
    """The IPv4Network of `address`/`length`, memoised: every update repeats the same few prefixes."""
    key = (address, length)
    network = _NETWORKS.get(key)
    if network is None:
        if len(_NETWORKS) >= 4096:
            _NETWORKS.clear()
        mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
        network = _NETWORKS[key] = IPv4Network((address & mask, length))
    return network


def prefix_key(prefix: IPv4Network) -> int:
    """The speaker's key for `prefix`: its address and length in one int, which sorts as (address, length)."""
    return int(prefix.network_address) << 6 | prefix.prefixlen


class SplitHorizon(str, Enum):
    """What a route looks like to the neighbour it was learned from (RFC 2453 3.4.3); see SPLIT_HORIZON_RULES."""

    NONE = "none"
    SIMPLE = "simple"
    POISONED_REVERSE = "poisoned_reverse"


@dataclass(frozen=True, slots=True)
class RipTimers:
    """RFC 2453 3.8 and 3.10.1 defaults, in nanoseconds."""

    update: int = 30 * SECOND
    update_jitter: int = 5 * SECOND  # "offset by a small random time (+/- 0 to 5 seconds)"
    timeout: int = 180 * SECOND
    garbage: int = 120 * SECOND
    triggered_min: int = 1 * SECOND
    triggered_max: int = 5 * SECOND


class LocalRipError(ValueError):
    """The caller asked for something the speaker cannot do (an unknown interface, a bad option)."""


@dataclass(frozen=True, slots=True)
class RipDatagram:
    """A message to send from `interface` (its address, UDP port 520) to `destination:port`."""

    interface: str
    destination: IPv4Address
    port: int
    message: Rip


class RouteEffect(str, Enum):
    """How a RouteChange changed the database: the router installs, withdraws or only records it."""

    ADDED = "added"
    CHANGED = "changed"
    UNREACHABLE = "unreachable"
    DELETED = "deleted"


# The event list's word for each effect, shown translated (localize), English in JSON.
EFFECT_WORDS: Final[dict[RouteEffect, Deferred]] = {
    RouteEffect.ADDED: L_("added"),
    RouteEffect.CHANGED: L_("changed"),
    RouteEffect.UNREACHABLE: L_("unreachable"),
    RouteEffect.DELETED: L_("deleted"),
}


@dataclass(frozen=True, slots=True)
class RouteChange:
    """A change of the RIP database the forwarding table and the event list must hear about."""

    time: int
    effect: RouteEffect
    prefix: IPv4Network
    metric: int
    next_hop: IPv4Address | None
    interface: str

    @property
    def summary(self) -> str:
        """One line for the event list (a property, like the spanning tree's events)."""
        effect = EFFECT_WORDS[self.effect]
        if self.next_hop is None:
            return L_(
                "{prefix} {effect}, metric {metric} on {interface}",
                prefix=self.prefix,
                effect=effect,
                metric=self.metric,
                interface=self.interface,
            )
        return L_(
            "{prefix} {effect}, metric {metric} via {next_hop} on {interface}",
            prefix=self.prefix,
            effect=effect,
            metric=self.metric,
            next_hop=self.next_hop,
            interface=self.interface,
        )


@dataclass(slots=True)
class RipRoute:
    """One entry of the RIP database (RFC 2453 3.5); connected networks have no next hop and no timeout."""

    prefix: IPv4Network
    metric: int
    next_hop: IPv4Address | None
    interface: str
    heard_at: int
    tag: int = 0
    timeout_at: int | None = None
    garbage_at: int | None = None
    changed: bool = True

    @property
    def connected(self) -> bool:
        return self.next_hop is None


class Action(Enum):
    """What RESPONSE_RULES tell _consider to do with an offer."""

    IGNORE = "ignore"
    ADD = "add"
    REFRESH = "refresh"
    REPLACE = "replace"
    POISON = "poison"


class Situation(NamedTuple):
    """All that RESPONSE_RULES may look at: a few small values, so a decision is a memo (_DECISIONS)."""

    known: bool  # there is a route to the offered prefix
    metric: int  # the offer's metric, the interface's cost added (1-16)
    route_metric: int  # the current route's metric (0 when unknown)
    same_gateway: bool  # the offer comes from the current route's next hop
    halfway_to_timeout: bool  # the current route has used half its timeout
    connected: bool  # the current route is a connected network's


# RFC 2453 3.9.2 "Response Messages", in the order the RFC reads; the first match decides.
RESPONSE_RULES: tuple[tuple[str, Callable[[Situation], bool], Action], ...] = (
    (
        "new route, reachable: add it and start its timeout",
        lambda s: not s.known and s.metric < RIP_INFINITY,
        Action.ADD,
    ),
    ("new route, unreachable: nothing to learn", lambda s: not s.known, Action.IGNORE),
    (
        "same gateway, still infinity: the deletion process is already running, do not restart it",
        lambda s: s.same_gateway and s.metric >= RIP_INFINITY and s.route_metric >= RIP_INFINITY,
        Action.IGNORE,
    ),
    (
        "same gateway, now infinity: start the deletion process",
        lambda s: s.same_gateway and s.metric >= RIP_INFINITY,
        Action.POISON,
    ),
    (
        "same gateway, another metric: believe it (it is the route we use)",
        lambda s: s.same_gateway and s.metric != s.route_metric,
        Action.REPLACE,
    ),
    ("same gateway, same metric: reinitialise the timeout", lambda s: s.same_gateway, Action.REFRESH),
    ("another gateway, better metric: switch to it", lambda s: s.metric < s.route_metric, Action.REPLACE),
    (
        "another gateway, same metric, current route halfway to timeout: switch (the heuristic)",
        lambda s: s.metric == s.route_metric < RIP_INFINITY and s.halfway_to_timeout and not s.connected,
        Action.REPLACE,
    ),
    ("anything else: keep what we have", lambda s: True, Action.IGNORE),
)


def decide(situation: Situation) -> Action:
    """The action the first matching RESPONSE_RULES row gives."""
    for _, applies, action in RESPONSE_RULES:
        if applies(situation):
            return action
    raise AssertionError("the last rule always applies")


class _Decisions(dict[tuple[bool, int, int, bool, bool, bool], Action]):
    """decide(), memoised. Every received entry needs a decision, and walking the rules took a fifth of a
    RIP chain's RIP time (bench/sim_rip.py). A Situation is all the rules can see, so the memo is exact; it
    is looked up with a plain tuple (equal to the Situation, same hash, no NamedTuple to make per entry)
    and holds at most 2 x 17 x 17 x 8 situations (metrics are 1-16 once validated)."""

    def __missing__(self, key: tuple[bool, int, int, bool, bool, bool]) -> Action:
        action = self[key] = decide(Situation(*key))
        return action


_DECISIONS: Final = _Decisions()

# A contiguous mask's prefix length (RFC 2453 4.3: a RIPv2 mask is contiguous); any other mask is not here.
_PREFIX_LENGTHS: Final = {(0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF: length for length in range(33)}


# RFC 2453 3.4.3 split horizon: the metric a route is advertised with on the interface it
# was learned from (None: leave it out), given its real metric.
SPLIT_HORIZON_RULES: dict[SplitHorizon, Callable[[int], int | None]] = {
    SplitHorizon.NONE: lambda metric: metric,  # plain distance vector (RFC 1058)
    SplitHorizon.SIMPLE: lambda metric: None,  # 3.4.3 simple split horizon
    SplitHorizon.POISONED_REVERSE: lambda metric: RIP_INFINITY,  # 3.4.3 poisoned reverse
}


class RipSpeaker:
    """The RIP process of one router: its database, its timers, its output queue."""

    def __init__(
        self,
        interfaces: Mapping[str, IPv4Interface | str],
        rng: random.Random,
        *,
        split_horizon: SplitHorizon | str = SplitHorizon.POISONED_REVERSE,
        password: str | bytes | None = None,
        version: int = 2,
        timers: RipTimers = RipTimers(),
        passive: Iterable[str] = (),
    ) -> None:
        self.interfaces = {name: IPv4Interface(addr) for name, addr in interfaces.items()}
        self.passive = frozenset(passive)
        unknown = self.passive - self.interfaces.keys()
        if unknown:
            raise LocalRipError(f"passive interface(s) {sorted(unknown)} not among {sorted(self.interfaces)}")
        if version not in (1, 2):
            raise LocalRipError(f"RIP version {version}: only 1 and 2 exist")
        try:
            self.split_horizon = SplitHorizon(split_horizon)
        except ValueError:
            raise LocalRipError(f"split_horizon {split_horizon!r}: use none, simple or poisoned_reverse") from None
        self.auth = RipAuth.password(password) if password is not None else None
        self.version = version
        self.timers = timers
        self.rng = rng
        self.up: set[str] = set()
        # The database by prefix_key: an int's hash and order cost no Python call, an IPv4Network's do.
        self._table: dict[int, RipRoute] = {}
        self.dropped: dict[str, int] = {}
        self._own_addresses = {i.ip for i in self.interfaces.values()}
        # Each interface's network as (address, mask) ints, for the per-entry tests without ipaddress calls.
        self._networks = {
            name: (int(i.network.network_address), int(i.network.netmask)) for name, i in self.interfaces.items()
        }
        self._own_ints = {int(address) for address in self._own_addresses}
        self._outbox: list[RipDatagram] = []
        self._events: deque[RouteChange] = deque()
        self._ordered: list[RipRoute] | None = None  # the routes by prefix, for updates; None after a change
        self._update_at: int | None = None
        self._triggered_at: int | None = None  # a damped triggered update is waiting until then

    @property
    def routes(self) -> dict[IPv4Network, RipRoute]:
        """The database by prefix (a copy, to read: the speaker changes it only through its inputs)."""
        return {route.prefix: route for route in self._table.values()}

    # ------------------------------------------------------------------ inputs

    def start(self, now: int) -> None:
        """Bring every interface up: connected routes, a whole-table request on each (RFC 2453 3.9.1)."""
        for name in self.interfaces:
            self._bring_up(name, now)
        self._update_at = now + self._update_interval()

    def interface_up(self, name: str, now: int) -> None:
        """The interface works (again): its network is ours to advertise; ask the neighbours for theirs."""
        self._bring_up(name, now)

    def interface_down(self, name: str, now: int) -> None:
        """The interface lost its link: its network and every route through it become unreachable."""
        self._interface(name)
        if name not in self.up:
            return
        self.up.discard(name)
        for route in list(self._table.values()):
            if route.interface == name and route.metric < RIP_INFINITY:
                self._poison(route, now)

    def handle_datagram(self, src: IPv4Address, src_port: int, interface: str, message: Rip, now: int) -> None:
        """Process a RIP message received on `interface` from `src:src_port` (RFC 2453 3.9)."""
        self._interface(interface)
        reason = self._reject_reason(src, src_port, interface, message)
        if reason is not None:
            self.dropped[reason] = self.dropped.get(reason, 0) + 1
            return
        if message.command == RipCommand.REQUEST:
            self._answer_request(src, src_port, interface, message)
            return
        for entry in message.entries:
            if entry.__class__ is RipEntry and not self._consider(entry, src, interface, message.version, now):
                self.dropped["invalid entry"] = self.dropped.get("invalid entry", 0) + 1

    def handle_timer(self, now: int) -> None:
        """Run every timer whose deadline has come."""
        for route in list(self._table.values()):
            if route.timeout_at is not None and route.timeout_at <= now:
                self._poison(route, now)  # RFC 2453 3.8 timeout
            elif route.garbage_at is not None and route.garbage_at <= now:
                del self._table[prefix_key(route.prefix)]  # RFC 2453 3.8 garbage collection
                self._ordered = None
                self._events.append(
                    RouteChange(now, RouteEffect.DELETED, route.prefix, route.metric, route.next_hop, route.interface)
                )
        if self._update_at is not None and self._update_at <= now:
            self._send_update(now, only_changed=False)  # RFC 2453 3.8 periodic update
            self._update_at = now + self._update_interval()
        if self._triggered_at is not None and self._triggered_at <= now:
            self._triggered_at = None  # RFC 2453 3.10.1 triggered update
            if any(r.changed for r in self._table.values()):
                self._send_update(now, only_changed=True)

    # ------------------------------------------------------------------ outputs

    def datagrams_to_send(self, now: int) -> list[RipDatagram]:
        """Drain the output queue."""
        out, self._outbox = self._outbox, []
        return out

    def next_event(self) -> RouteChange | None:
        """The oldest route change not yet handed up, or None."""
        return self._events.popleft() if self._events else None

    def get_timer(self) -> int | None:
        """The earliest deadline: the next update, a damped triggered update, a route's timeout or garbage."""
        deadlines = [t for t in (self._update_at, self._triggered_at) if t is not None]
        for route in self._table.values():
            if route.timeout_at is not None:
                deadlines.append(route.timeout_at)
            elif route.garbage_at is not None:
                deadlines.append(route.garbage_at)
        return min(deadlines) if deadlines else None

    # ------------------------------------------------------------------ input processing

    def _interface(self, name: str) -> IPv4Interface:
        try:
            return self.interfaces[name]
        except KeyError:
            raise LocalRipError(f"no interface {name!r} (have {sorted(self.interfaces)})") from None

    def _bring_up(self, name: str, now: int) -> None:
        address = self._interface(name)
        if name in self.up:
            return
        self.up.add(name)
        self._set_route(RipRoute(address.network, 1, None, name, now), RouteEffect.ADDED, now)
        if name not in self.passive:
            # The whole-table request carries the password too (RFC 2453 4.1: every RIP-2 message).
            for request in self._messages(
                [RipEntry(ZERO_ADDRESS, RIP_INFINITY, afi=0)], self.version, RipCommand.REQUEST
            ):
                self._queue(name, self._group(name), RIP_PORT, request)

    def _reject_reason(self, src: IPv4Address, src_port: int, interface: str, message: Rip) -> str | None:
        """Why a message is ignored as a whole (RFC 2453 3.9, 4.1), or None to process it."""
        if interface not in self.up or interface in self.passive:
            return "interface not running RIP"
        if message.command not in (RipCommand.REQUEST, RipCommand.RESPONSE):
            return "unknown command"  # RFC 2453 3.6: obsolete or unknown commands are ignored
        if message.version == 0:
            return "version 0"  # RFC 2453 3.6: version 0 messages are ignored
        if message.command == RipCommand.RESPONSE and src_port != RIP_PORT:
            return "response not from port 520"  # RFC 2453 3.9.2
        if src in self._own_addresses:
            return "our own message"
        if src not in self.interfaces[interface].network and message.command == RipCommand.RESPONSE:
            return "source not on the network"  # RFC 2453 3.9.2: "from a directly-connected network"
        auth = message.auth if message.version >= 2 else None
        if self.auth is None:
            # RFC 2453 4.1: without authentication configured, authenticated RIP-2 messages are discarded.
            return "unexpected authentication" if auth is not None else None
        if message.version == 1:
            return "RIPv1 while authentication is on"  # RFC 2453 4.1, "for maximum security"
        if auth is None or auth.auth_type != AUTH_SIMPLE_PASSWORD or auth.data != self.auth.data:
            return "authentication failed"
        return None

    def _consider(self, entry: RipEntry, src: IPv4Address, interface: str, version: int, now: int) -> bool:
        """Validate a received entry (RFC 2453 3.9.2, 4.3; RFC 1058 3.4.2), add the interface's cost and do
        what RESPONSE_RULES decide; False when the entry is invalid. Runs for every entry of every update:
        addresses are compared as ints (ipaddress's `_ip`, as lanlab.wire's checksums read it)."""
        metric = entry.metric
        if entry.afi != AFI_INET or not 1 <= metric <= RIP_INFINITY:
            return False
        address: int = entry.address._ip  # type: ignore[attr-defined]
        mask: int = entry.mask._ip  # type: ignore[attr-defined]
        hop: int = entry.next_hop._ip  # type: ignore[attr-defined]
        if version == 1 and (entry.tag or mask or hop):
            return False  # RFC 1058 3.4: must-be-zero fields that are not zero
        if address >> 24 == 127 or address >> 28 >= 0xE or (address >> 24 == 0 and address != 0):
            return False  # loopback, multicast, class E and broadcast, "this" network 0.x (RFC 1812 4.2.3.1)
        key = self._entry_key(address, mask, interface)
        if key is None:
            return False
        next_hop = src
        network, netmask = self._networks[interface]
        if hop and hop & netmask == network and hop not in self._own_ints:
            next_hop = entry.next_hop  # RFC 2453 4.4: a better next hop on the same network
        metric = metric + 1 if metric < RIP_INFINITY else RIP_INFINITY  # RFC 2453 3.9.2, every interface costs 1
        current = self._table.get(key)
        if current is None:
            action = _DECISIONS[False, metric, 0, False, False, False]
        else:
            gateway = current.next_hop
            same_gateway = gateway is next_hop or (gateway is not None and gateway._ip == next_hop._ip)  # type: ignore[attr-defined]
            timeout_at = current.timeout_at
            halfway = timeout_at is not None and timeout_at - now <= self.timers.timeout // 2
            action = _DECISIONS[True, metric, current.metric, same_gateway, halfway, gateway is None]
        if action is Action.IGNORE:
            return True
        if action is Action.REFRESH:
            assert current is not None  # ADD is the only action without a current route
            current.timeout_at = now + self.timers.timeout
            current.heard_at = now
        elif action is Action.POISON:
            assert current is not None
            self._poison(current, now)
        else:
            effect = RouteEffect.CHANGED if current is not None and current.metric < RIP_INFINITY else RouteEffect.ADDED
            prefix = network_of(key >> 6, key & 63) if current is None else current.prefix
            route = RipRoute(prefix, metric, next_hop, interface, now, entry.tag, timeout_at=now + self.timers.timeout)
            self._set_route(route, effect, now)
        return True

    def _entry_key(self, address: int, mask: int, interface: str) -> int | None:
        """The prefix_key of the network an entry names: by its mask (RIPv2), or inferred as RIPv1 does (RFC 1058
        3.7); None for a mask that is not contiguous."""
        if mask:
            length = _PREFIX_LENGTHS.get(mask)
            return None if length is None else (address & mask) << 6 | length
        if address == 0:
            return 0
        classful = 8 if address >> 31 == 0 else 16 if address >> 30 == 0b10 else 24
        local = self.interfaces[interface]
        same_major = int(local.ip) >> (32 - classful) == address >> (32 - classful)
        length = local.network.prefixlen if same_major else classful
        if address & ((1 << (32 - length)) - 1):
            length = 32  # host bits set: a host route
        return address << 6 | length

    def _answer_request(self, src: IPv4Address, src_port: int, interface: str, request: Rip) -> None:
        """RFC 2453 3.9.1: the whole table (normal output rules) or the asked entries as they are."""
        if request.is_whole_table_request:
            # A query from another port (a monitoring tool) sees the table without split horizon.
            entries = self._advertised(interface if src_port == RIP_PORT else None, only_changed=False)
        else:
            entries = []
            for asked in request.routes:
                key = self._entry_key(int(asked.address), int(asked.mask), interface) if asked.afi == AFI_INET else None
                route = self._table.get(key) if key is not None else None
                entries.append(
                    RipEntry(
                        asked.address,
                        route.metric if route else RIP_INFINITY,
                        asked.mask,
                        asked.next_hop,
                        asked.tag,
                        asked.afi,
                    )
                )
        for message in self._messages(entries, request.version, RipCommand.RESPONSE):
            self._queue(interface, src, src_port, message)

    # ------------------------------------------------------------------ database changes

    def _set_route(self, route: RipRoute, effect: RouteEffect, now: int) -> None:
        route.changed = True
        self._table[prefix_key(route.prefix)] = route
        self._ordered = None
        self._events.append(RouteChange(now, effect, route.prefix, route.metric, route.next_hop, route.interface))
        self._trigger(now)

    def _poison(self, route: RipRoute, now: int) -> None:
        """RFC 2453 3.8: metric 16, the garbage-collection timer starts, a triggered update goes out."""
        route.metric = RIP_INFINITY
        route.timeout_at = None
        route.garbage_at = now + self.timers.garbage
        route.changed = True
        self._events.append(
            RouteChange(now, RouteEffect.UNREACHABLE, route.prefix, route.metric, route.next_hop, route.interface)
        )
        self._trigger(now)

    # ------------------------------------------------------------------ output processing

    def _trigger(self, now: int) -> None:
        """RFC 2453 3.10.1: a triggered update, damped by a random 1-5 s; changes meanwhile join it.

        The damping timer starts with the first change rather than after an immediate update (the
        RFC allows both; ns-3 does this): it spares the links a burst when many changes arrive at
        once, and it leaves the window in which count to infinity can start without split horizon.
        """
        if self._triggered_at is None:
            span = self.timers.triggered_max - self.timers.triggered_min
            self._triggered_at = now + self.timers.triggered_min + int(self.rng.random() * span)

    def _send_update(self, now: int, only_changed: bool) -> None:
        """A Response on every running interface, to 224.0.0.9 (RIPv2) or the subnet broadcast (RIPv1)."""
        for name in sorted(self.up - self.passive):
            entries = self._advertised(name, only_changed)
            for message in self._messages(entries, self.version, RipCommand.RESPONSE):
                self._queue(name, self._group(name), RIP_PORT, message)
        for route in self._table.values():
            route.changed = False
        if not only_changed:
            # RFC 2453 3.10.1: a regular update makes a pending triggered update unnecessary.
            self._triggered_at = None

    def _advertised(self, interface: str | None, only_changed: bool) -> list[RipEntry]:
        """The entries for one interface after split horizon (RFC 2453 3.10, 3.4.3)."""
        entries = []
        if self._ordered is None:  # sorted again only after a change: updates repeat an unchanged table
            self._ordered = [route for _, route in sorted(self._table.items())]
        for route in self._ordered:
            if only_changed and not route.changed:
                continue
            metric: int | None = route.metric
            if interface is not None and route.interface == interface and not route.connected:
                metric = SPLIT_HORIZON_RULES[self.split_horizon](route.metric)
            if metric is None:
                continue
            entries.append(RipEntry(route.prefix.network_address, metric, route.prefix.netmask, tag=route.tag))
        return entries

    def _messages(self, entries: list[RipEntry], version: int, command: RipCommand) -> list[Rip]:
        """Pack entries into messages of at most 25 entries, the auth entry counting as one (RFC 2453 4.1)."""
        if version == 1:
            # RIPv1 has no mask field: the receiver infers it (RFC 1058 3.7).
            entries = [RipEntry(e.address, e.metric, afi=e.afi) for e in entries]
        auth = (self.auth,) if self.auth is not None and version >= 2 else ()
        room = RIP_MAX_ENTRIES - len(auth)
        return [Rip(command, version, auth + tuple(entries[i : i + room])) for i in range(0, len(entries), room)]

    def _group(self, interface: str) -> IPv4Address:
        """Where updates go: the RIPv2 multicast group, or for RIPv1 the subnet's broadcast address (the limited
        broadcast on a /31 or /32, which has none: RFC 3021 2.2)."""
        if self.version == 2:
            return RIP_MULTICAST
        return directed_broadcast(self.interfaces[interface].network) or LIMITED_BROADCAST

    def _queue(self, interface: str, destination: IPv4Address, port: int, message: Rip) -> None:
        self._outbox.append(RipDatagram(interface, destination, port, message))

    def _update_interval(self) -> int:
        jitter = self.timers.update_jitter
        return self.timers.update - jitter + int(self.rng.random() * 2 * jitter)

    def last_heard(self, prefix: IPv4Network) -> int | None:
        """When `prefix` was last learned or refreshed (for the age column of `show ip route`)."""
        route = self._table.get(prefix_key(prefix))
        return route.heard_at if route is not None else None
