"""The tables of every node at every step of a run, as changes, so a page can go back and forth.

A `TableHistory` listens to the event list (it chains itself in front of the tracer's sink) and,
when an event is recorded, compares each node's tables with what it saw last; what differs
becomes a change attributed to that event (the learn event carries the entry it learned). Some
changes happen after the last event of a callback (a host merges an ARP reply after recording
its delivery): `run(until)` moves the engine one instant at a time and looks again at the end of
each instant, so the state at the last event of an instant is the state `--show` prints for a
run stopped then.

Rows are kept time-free so a page can compute ages at any step: a MAC row is [mac, port, seen_ns]
(age = t - seen), a route row [prefix, via, interface, metric, source, since_ns]; ARP rows are
[ip, mac] (an expired entry disappears at the first event after it expired, as rows(now) says),
and a switch's spanning tree is its whole status object.
"""

from __future__ import annotations

from typing import Any, Callable

TABLE_COLUMNS: dict[str, list[str]] = {
    "mac": ["mac", "port", "seen"],
    "arp": ["ip", "mac"],
    "route": ["prefix", "via", "interface", "metric", "source", "since"],
    "stp": [],  # one object: the switch's spanning-tree status, as `--do "sw1 stp"` reports it
}


def node_tables(node: Any, now: int) -> dict[str, Any]:
    """The tables `--show` prints for this node, time-free (see the module's docstring)."""
    return {name: read(node, now) for name, read in table_readers(node)}


def table_readers(node: Any) -> list[tuple[str, Callable[[Any, int], Any]]]:
    """Which tables this node holds, each with the function that reads it. (Asked of the class:
    hasattr on the node would compute a table property just to see that it exists.)"""
    kind = type(node)
    readers: list[tuple[str, Callable[[Any, int], Any]]] = []
    if hasattr(kind, "mac_table"):
        table = getattr(node, "table", None)
        readers.append(("mac", _mac_rows if table is not None and hasattr(table, "entries") else _mac_rows_reported))
    if hasattr(kind, "arp_table"):
        readers.append(("arp", _arp_rows if hasattr(node, "nics") else _arp_rows_reported))
    if hasattr(kind, "routes"):
        readers.append(("route", _route_rows))
    if getattr(node, "stp", None) is not None:
        readers.append(("stp", lambda node, now: node.stp.status()))
    return readers


def _mac_rows(node: Any, now: int) -> list[list[Any]]:
    """A switch's MacTable as rows(now) lists it (an entry older than the ageing time is gone)."""
    table = node.table
    ageing = table.ageing
    return [[mac, entry.port.name, entry.seen] for mac, entry in table.entries.items() if now - entry.seen <= ageing]


def _mac_rows_reported(node: Any, now: int) -> list[list[Any]]:
    return [[row["mac"], row["port"], now - round(row["age"] * 1e9)] for row in node.mac_table]


def _arp_rows(node: Any, now: int) -> list[list[Any]]:
    """Every interface's live ARP entries (as arp_table lists them), the address objects kept."""
    return [[row.ip, row.mac] for nic in node.nics if nic.arp is not None for row in nic.arp.rows(now)]


def _arp_rows_reported(node: Any, now: int) -> list[list[Any]]:
    return [[row["ip"], row["mac"]] for row in node.arp_table]


def _route_rows(node: Any, now: int) -> list[list[Any]]:
    return [[row["prefix"], row["via"], row["interface"], row["metric"], row["source"], now - round(row["age"] * 1e9)]
            for row in node.routes]


def _as_text(table: str, value: Any) -> Any:
    """Addresses as text (the readers keep the objects: comparing them is cheaper)."""
    if table not in ("mac", "arp") or value is None:
        return value
    return [[cell if isinstance(cell, (int, str)) or cell is None else str(cell) for cell in row] for row in value]


def table_changes(old: list[list[Any]], new: list[list[Any]]) -> list[tuple[Any, Any]]:
    """(key, row) changes turning `old` into `new` (rows keyed by their first column; row None =
    removed), or [(None, new)] when the order changed so only the whole table says it right."""
    old_rows = {row[0]: row for row in old}
    new_rows = {row[0]: row for row in new}
    kept_old = [key for key in old_rows if key in new_rows]
    kept_new = [key for key in new_rows if key in old_rows]
    appended = [key for key in new_rows if key not in old_rows]
    if kept_old != kept_new or list(new_rows) != kept_new + appended or len(new_rows) != len(new):
        return [(None, new)]
    changes: list[tuple[Any, Any]] = [(key, None) for key in old_rows if key not in new_rows]
    changes += [(key, row) for key, row in new_rows.items() if old_rows.get(key) != row]
    return changes


class TableHistory:
    """Every node's tables before the run (`initial`) and each change with the event it belongs to."""

    def __init__(self, network: Any, *, follow: bool = True) -> None:
        """follow=False: only the tables as they are now (no events are followed)."""
        self.network = network
        self.holders = [(node, table_readers(node)) for node in network.nodes.values()]
        self.holders = [(node, readers) for node, readers in self.holders if readers]
        now = network.engine.now
        self.current: dict[str, dict[str, Any]] = {node.name: node_tables(node, now) for node, _ in self.holders}
        self.initial = {name: {table: _as_text(table, value) for table, value in tables.items()}
                        for name, tables in self.current.items()}
        # (event index, node, table, key, row): key None = row is the whole table
        self.changes: list[tuple[int, str, str, Any, Any]] = []
        self.events: list[Any] = []
        self.last_t = -1
        self.touched: dict[str, None] = {}  # the nodes that recorded events in the current instant
        self._downstream: Callable[[Any], None] | None = None
        if follow:
            tracer = network.tracer if network.tracer is not None else network.start_trace(keep=False)
            self._downstream = tracer.sink
            tracer.sink = self._on_event

    def _on_event(self, event: Any) -> None:
        # A new instant: anything may have changed since (an entry aged out, a timer fired
        # silently), so every node is looked at; within an instant only the nodes acting.
        if event.t != self.last_t:
            self.look(len(self.events), event.t, self.holders)
            self.touched.clear()
        else:
            self.touched[event.device] = None
            self.look(len(self.events), event.t, [h for h in self.holders if h[0].name in self.touched])
        self.touched[event.device] = None
        self.events.append(event)
        self.last_t = event.t
        if self._downstream is not None:
            self._downstream(event)

    def look(self, index: int, now: int, holders: list[tuple[Any, list[Any]]]) -> None:
        """Compare these nodes' tables with the last look; changes go to event `index`."""
        changes = self.changes
        for node, readers in holders:
            seen = self.current[node.name]
            for table, read in readers:
                value = read(node, now)
                before = seen.get(table)
                if value == before:
                    continue
                seen[table] = value
                value, before = _as_text(table, value), _as_text(table, before)
                if table == "stp" or before is None:
                    changes.append((index, node.name, table, None, value))
                else:
                    for key, row in table_changes(before, value):
                        changes.append((index, node.name, table, key, row))

    def end_of_instant(self, now: int) -> None:
        """An instant is over: changes its nodes made after its last event belong to that event.
        (When no event was recorded at `now`, the next event's look finds them, at its own time.)"""
        if self.events and self.last_t == now:
            self.look(len(self.events) - 1, now, [h for h in self.holders if h[0].name in self.touched])

    def run(self, until: int) -> int:
        """Run the network to `until` (ns) one instant at a time; the events dispatched."""
        engine = self.network.engine
        total = 0
        while not engine.stopped:
            due = engine.next_time()
            if due is None or due > until:
                total += engine.run(until)
                break
            total += engine.run(due)
            self.end_of_instant(engine.now)
        self.end_of_instant(engine.now)
        return total
