"""A transparent bridge's MAC learning table (IEEE 802.1D 7.8 filtering database), sans-IO.

The table maps a source MAC to the port it was last seen on. Ageing is lazy: an entry older
than `ageing` is treated as absent when looked up or listed, and removed then, so a table
costs no timer events however large the network (802.1D 7.9.2: ageing time, default 300 s).
"""

from __future__ import annotations

from typing import Any, Final, Generic, Hashable, NamedTuple, TypeVar

DEFAULT_AGEING_NS: Final = 300_000_000_000

Port = TypeVar("Port", bound=Hashable)
Mac = TypeVar("Mac", bound=Hashable)


class MacEntry(Generic[Port]):
    """Where a MAC was last seen and when (ns)."""

    __slots__ = ("port", "seen")

    def __init__(self, port: Port, seen: int) -> None:
        self.port = port
        self.seen = seen


class MacRow(NamedTuple):
    """One live row of the table, for people and JSON: age in ns at the time of listing."""

    mac: Any
    port: Any
    age: int


class MacTable(Generic[Mac, Port]):
    """Source-address learning with ageing; `lookup` answers which port leads to a MAC."""

    __slots__ = ("ageing", "entries", "capacity")

    def __init__(self, ageing: int = DEFAULT_AGEING_NS, capacity: int = 0) -> None:
        self.ageing = ageing
        self.capacity = capacity  # 0: unbounded; else new MACs are not learned when full
        # Public so a forwarding hot path can read it directly; write through learn() only.
        self.entries: dict[Mac, MacEntry[Port]] = {}

    def learn(self, mac: Mac, port: Port, now: int) -> bool:
        """Record that `mac` was seen on `port` at `now`; True when that is news (new or moved)."""
        entry = self.entries.get(mac)
        if entry is not None:
            moved = entry.port is not port or now - entry.seen > self.ageing
            entry.port = port
            entry.seen = now
            return moved
        if self.capacity and len(self.entries) >= self.capacity:
            return False
        self.entries[mac] = MacEntry(port, now)
        return True

    def lookup(self, mac: Mac, now: int) -> Port | None:
        """The port `mac` was learned on, or None if unknown or aged out."""
        entry = self.entries.get(mac)
        if entry is None:
            return None
        if now - entry.seen > self.ageing:
            del self.entries[mac]
            return None
        return entry.port

    def forget_port(self, port: Port) -> int:
        """Drop every entry that points at `port` (link down, STP topology change); how many."""
        stale = [mac for mac, entry in self.entries.items() if entry.port is port]
        for mac in stale:
            del self.entries[mac]
        return len(stale)

    def rows(self, now: int) -> list[MacRow]:
        """Live entries (aged ones removed), oldest learned first."""
        for mac in [m for m, e in self.entries.items() if now - e.seen > self.ageing]:
            del self.entries[mac]
        return [MacRow(mac, e.port, now - e.seen) for mac, e in self.entries.items()]

    def __len__(self) -> int:
        return len(self.entries)
