"""ARP resolver and cache for one interface (RFC 826), sans-IO.

Inputs: `resolve(ip, packet, now)` when IP wants to send, `handle_arp(arp, now)` for every ARP
packet the interface receives, `handle_timer(now)` at `get_timer()`.
Outputs: `arp_to_send()` -> (Ethernet destination, Arp) pairs to transmit,
`packets_to_send()` -> (MAC, packet) pairs released by a resolution,
`next_event()` -> `ResolutionFailed` when the retries ran out (the packets are dropped; a host
reports "Destination Host Unreachable", RFC 1122 2.3.2.2), or `QueueOverflow` when a packet
waiting for an address was dropped to make room for a newer one.
"""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import Any, Final, Generic, NamedTuple, TypeVar

from lanlab.units import FOREVER, SECOND
from lanlab.wire import Arp, ArpOp, MacAddress

# Linux keeps a reachable entry ~30 s and a stale one longer; ns-3 uses 120 s. One minute
# sits between and shows ageing in a short lesson.
DEFAULT_TIMEOUT_NS: Final = 60_000_000_000
DEFAULT_RETRY_NS: Final = SECOND  # Linux retrans_time_ms = 1000
DEFAULT_RETRIES: Final = 3  # Linux mcast_solicit = 3 requests before giving up
# Packets held per unresolved address (RFC 1122 2.3.2.2: at least one): Linux's unres_qlen, 101
# (ip-sysctl.rst). ns-3 holds 3 (PendingQueueSize), which loses a burst a program sends at once.
DEFAULT_QUEUE: Final = 101
ZERO_MAC: Final = MacAddress("00:00:00:00:00:00")

P = TypeVar("P")


class ArpEntry:
    """A resolved address and the time it stops being trusted.

    Entries are updated in place, so a caller may keep one and test `now < entry.expires`
    before trusting its `mac` (a removed entry has expired by definition).
    """

    __slots__ = ("ip", "mac", "expires", "static")

    def __init__(self, ip: IPv4Address, mac: MacAddress, expires: int, static: bool = False) -> None:
        self.ip = ip
        self.mac = mac
        self.expires = expires
        self.static = static


class _Pending(Generic[P]):
    __slots__ = ("ip", "packets", "requests_sent", "deadline")

    def __init__(self, ip: IPv4Address, deadline: int) -> None:
        self.ip = ip
        self.packets: list[P] = []
        self.requests_sent = 1
        self.deadline = deadline


class ResolutionFailed(NamedTuple):
    """No reply after every retry: `packets` waiting for `ip` were dropped."""

    ip: IPv4Address
    packets: list[Any]


class QueueOverflow(NamedTuple):
    """The queue for `ip` was full: its oldest `packet` was dropped for a newer one (Linux's __neigh_event_send)."""

    ip: IPv4Address
    packet: Any


class ArpRow(NamedTuple):
    """One cache row for display: seconds left (None for a static entry)."""

    ip: IPv4Address
    mac: MacAddress
    expires_in: int | None


class ArpCache(Generic[P]):
    """The ARP state of one interface with address `ip` and hardware address `mac`."""

    __slots__ = (
        "mac",
        "ip",
        "timeout",
        "retry_interval",
        "retries",
        "queue_limit",
        "_entries",
        "_pending",
        "_out",
        "_released",
        "_events",
        "queue_drops",
    )

    def __init__(
        self,
        mac: MacAddress,
        ip: IPv4Address,
        *,
        timeout: int = DEFAULT_TIMEOUT_NS,
        retry_interval: int = DEFAULT_RETRY_NS,
        retries: int = DEFAULT_RETRIES,
        queue_limit: int = DEFAULT_QUEUE,
    ) -> None:
        self.mac = mac
        self.ip = ip
        self.timeout = timeout
        self.retry_interval = retry_interval
        self.retries = retries
        self.queue_limit = queue_limit
        # Keyed by the address as an int: hashing an IPv4Address is several times slower.
        self._entries: dict[int, ArpEntry] = {}
        self._pending: dict[int, _Pending[P]] = {}
        self._out: list[tuple[MacAddress, Arp]] = []
        self._released: list[tuple[MacAddress, P]] = []
        self._events: list[ResolutionFailed | QueueOverflow] = []
        self.queue_drops = 0

    # -- lookups -------------------------------------------------------------------------
    def entry(self, ip: IPv4Address, now: int) -> ArpEntry | None:
        """The live entry for `ip` (see ArpEntry: it stays valid while now < expires)."""
        key = int(ip)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if now >= entry.expires:
            del self._entries[key]
            return None
        return entry

    def lookup(self, ip: IPv4Address, now: int) -> MacAddress | None:
        """The MAC for `ip` if the cache holds a live entry."""
        entry = self.entry(ip, now)
        return entry.mac if entry is not None else None

    def resolve(self, ip: IPv4Address, packet: P, now: int) -> MacAddress | None:
        """The MAC for `ip`, or None after queueing `packet` and (first time) sending a request."""
        entry = self.entry(ip, now)
        if entry is not None:
            return entry.mac
        key = int(ip)
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(ip, now + self.retry_interval)
            self._request(ip)
        if len(pending.packets) >= self.queue_limit:
            self.queue_drops += 1
            self._events.append(QueueOverflow(ip, pending.packets.pop(0)))
        pending.packets.append(packet)
        return None

    def waiting_for(self, ip: IPv4Address) -> int:
        """Packets queued for `ip` until it resolves (0: none, or it is resolved)."""
        pending = self._pending.get(int(ip))
        return 0 if pending is None else len(pending.packets)

    @property
    def queued(self) -> int:
        """Packets waiting for a resolution."""
        return sum(len(pending.packets) for pending in self._pending.values())

    def add_static(self, ip: IPv4Address, mac: MacAddress) -> None:
        """A permanent entry (`arp -s`)."""
        entry = self._entries.get(int(ip))
        if entry is not None:  # update in place: holders of the entry (see ArpEntry) see the change
            entry.mac, entry.expires, entry.static = mac, FOREVER, True
        else:
            self._entries[int(ip)] = ArpEntry(ip, mac, FOREVER, static=True)

    def live(self, now: int) -> list[ArpEntry]:
        """The live entries in the order they were learned, removing nothing: for an observer
        (rows() drops the expired ones, and looking at a table must not change the run)."""
        return [e for e in self._entries.values() if now < e.expires]

    def resolving(self) -> list[IPv4Address]:
        """The addresses asked for and not answered yet (Linux's INCOMPLETE entries), in the order asked."""
        return [pending.ip for pending in self._pending.values()]

    def rows(self, now: int) -> list[ArpRow]:
        """Live entries, in the order they were learned."""
        for key in [key for key, e in self._entries.items() if now >= e.expires]:
            del self._entries[key]
        return [ArpRow(e.ip, e.mac, None if e.static else e.expires - now) for e in self._entries.values()]

    # -- input ---------------------------------------------------------------------------
    def handle_arp(self, arp: Arp, now: int) -> None:
        """RFC 826 "Packet Reception": merge the sender, learn it if we are the target, answer."""
        sender = arp.sender_ip
        key = int(sender)
        entry = self._entries.get(key)
        if entry is not None and not entry.static:
            entry.mac = arp.sender_mac
            entry.expires = now + self.timeout
        if arp.target_ip == self.ip and sender != self.ip:
            if entry is None:
                entry = self._entries[key] = ArpEntry(sender, arp.sender_mac, now + self.timeout)
            if arp.op == ArpOp.REQUEST:
                self._out.append((arp.sender_mac, Arp(ArpOp.REPLY, self.mac, self.ip, arp.sender_mac, sender)))
        if entry is not None:
            self._release(key, entry.mac)

    def announce(self) -> None:
        """Queue a gratuitous ARP (a request for our own address, RFC 5227 2.4 announcement)."""
        self._out.append((MacAddress.BROADCAST, Arp(ArpOp.REQUEST, self.mac, self.ip, ZERO_MAC, self.ip)))

    # -- output --------------------------------------------------------------------------
    def arp_to_send(self) -> list[tuple[MacAddress, Arp]]:
        """Drain the ARP packets to transmit, with their Ethernet destination."""
        out, self._out = self._out, []
        return out

    def packets_to_send(self) -> list[tuple[MacAddress, P]]:
        """Drain the packets whose next hop was just resolved."""
        released, self._released = self._released, []
        return released

    def next_event(self) -> ResolutionFailed | QueueOverflow | None:
        """The next failed resolution or dropped packet, if any."""
        return self._events.pop(0) if self._events else None

    # -- timers --------------------------------------------------------------------------
    def get_timer(self) -> int | None:
        """Earliest retry deadline, or None when nothing is being resolved."""
        if not self._pending:
            return None
        return min(p.deadline for p in self._pending.values())

    def handle_timer(self, now: int) -> None:
        """Retry unanswered requests; give up after `retries` (RFC 1122 2.3.2.1 rate limit)."""
        for key, pending in list(self._pending.items()):
            if pending.deadline > now:
                continue
            if pending.requests_sent >= self.retries:
                del self._pending[key]
                self._events.append(ResolutionFailed(pending.ip, pending.packets))
            else:
                pending.requests_sent += 1
                pending.deadline = now + self.retry_interval
                self._request(pending.ip)

    # -- internals -----------------------------------------------------------------------
    def _request(self, ip: IPv4Address) -> None:
        self._out.append((MacAddress.BROADCAST, Arp(ArpOp.REQUEST, self.mac, self.ip, ZERO_MAC, ip)))

    def _release(self, key: int, mac: MacAddress) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            self._released.extend((mac, packet) for packet in pending.packets)
