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
a switch's spanning tree is its whole status object, and a host that learns an address at run time (DHCP,
RARP) has its interfaces' addresses, [interface, ip], so the topology shows an address only once it is held.

Only the nodes whose tables may have changed are read again (a run is millions of events and
most touch one or two nodes): at an event, the nodes that recorded events in its instant; at a
new instant also those whose oldest entry ages out by then (hosts' ARP caches and switches' MAC
tables change otherwise only through their own events), the nodes whose tables timers change
silently (routes, spanning tree: read every instant). A filtered event list does not say who
acted: then every node is read at every instant.

A switch without spanning tree is read whole only when its table may have changed in other
ways than by the frame it relays: at a relay event (rx, learn, forward, filter, flood, tx), only the
entry of the frame's source is read again, the one learning just refreshed. Read whole: a
source not among the rows (new, or aged out and learned again: an entry aged out but not yet
deleted keeps its place in the middle of the table's order), a switch's other events (a drop, a
link going down: `forget_port` removes entries no frame shows), and the switches whose entries
age out (planned from their expiry times, as above).
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any, Callable

from lanlab.units import FOREVER

TABLE_COLUMNS: dict[str, list[str]] = {
    "mac": ["mac", "port", "seen"],
    "arp": ["ip", "mac", "interface"],
    "route": ["prefix", "via", "interface", "metric", "source", "since"],
    "stp": [],  # one object: the switch's spanning-tree status, as `--do "sw1 stp"` reports it
    # a host whose address comes at run time (DHCP, RARP): its interfaces' addresses, for the topology's labels
    "address": ["interface", "ip"],
}

# A switch's events for a frame it relays: its table changed only in the frame's source entry.
# (A port records rx before Switch.relay learns, the relay records learn, forward, filter or
# flood after, and each copy sent is a tx; nothing after a record touches the table.)
RELAY_KINDS = frozenset({"rx", "learn", "forward", "filter", "flood", "tx"})


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
    if any(nic.address is None for nic in getattr(node, "nics", ())):  # to be leased or asked by RARP
        readers.append(("address", _address_rows))
    return readers


def _address_rows(node: Any, now: int) -> list[list[Any]]:
    """The interfaces that have an address now, with it (the label under a host in the topology)."""
    return [[nic.name, str(nic.ip)] for nic in node.nics if nic.ip is not None]


def _mac_rows(node: Any, now: int) -> list[list[Any]]:
    """A switch's MacTable as rows(now) lists it (an entry older than the ageing time is gone)."""
    table = node.table
    ageing = table.ageing
    return [[mac, entry.port.name, entry.seen] for mac, entry in table.entries.items() if now - entry.seen <= ageing]


def _mac_rows_reported(node: Any, now: int) -> list[list[Any]]:
    return [[row["mac"], row["port"], now - round(row["age"] * 1e9)] for row in node.mac_table]


def _arp_rows(node: Any, now: int) -> list[list[Any]]:
    """Every interface's live ARP entries (as arp_table lists them), the address objects kept."""
    return [[entry.ip, entry.mac, nic.name] for nic in node.nics if nic.arp is not None for entry in nic.arp.live(now)]


def ageing_reader(node: Any) -> Callable[[Any, int], int] | None:
    """For a node whose tables change only through its own events or by ageing (an ARP cache, a
    MAC table without spanning tree), the function giving the time its next entry ages out
    (FOREVER: none does); None for the others (routes, spanning tree, reported tables)."""
    readers = {read for _, read in table_readers(node)}
    if not readers or not readers <= {_mac_rows, _arp_rows}:
        return None
    mac, arp = _mac_rows in readers, _arp_rows in readers

    def next_ageing(node: Any, now: int) -> int:
        soonest = FOREVER
        if mac:  # gone once now - seen > ageing (MacTable.lookup); aged entries the switch keeps left out
            table = node.table
            ageing = table.ageing
            soonest = (
                min(
                    (entry.seen for entry in table.entries.values() if now - entry.seen <= ageing),
                    default=FOREVER - ageing - 1,
                )
                + ageing
                + 1
            )
        if arp:  # gone once now >= expires (ArpCache.entry)
            soonest = min(
                [soonest] + [entry.expires for nic in node.nics if nic.arp is not None for entry in nic.arp.live(now)]
            )
        return soonest

    return next_ageing


def _arp_rows_reported(node: Any, now: int) -> list[list[Any]]:
    return [[row["ip"], row["mac"], row["interface"]] for row in node.arp_table]


def _route_rows(node: Any, now: int) -> list[list[Any]]:
    return [
        [row["prefix"], row["via"], row["interface"], row["metric"], row["source"], now - round(row["age"] * 1e9)]
        for row in node.routes
    ]


def _as_text(table: str, value: Any) -> Any:
    """Addresses as text (the readers keep the objects: comparing them is cheaper)."""
    if table not in ("mac", "arp") or value is None:
        return value
    return [_row_text(row) for row in value]


def _row_text(row: list[Any]) -> list[Any]:
    return [_cell_text(cell) for cell in row]


def _cell_text(cell: Any) -> Any:
    return cell if isinstance(cell, (int, str)) or cell is None else str(cell)


def table_changes(old: list[list[Any]], new: list[list[Any]]) -> list[tuple[Any, Any]]:
    """(key, row) changes turning `old` into `new` (rows keyed by their first column; row None =
    removed), or [(None, new)] when the order changed so only the whole table says it right."""
    if len(old) == len(new):  # the usual change: rows refreshed in place (a MAC seen again)
        changed = [(after[0], after) for before, after in zip(old, new) if before != after]
        if all(before[0] == after[0] for before, after in zip(old, new)) and len({row[0] for row in new}) == len(new):
            return changed
    old_rows = {row[0]: row for row in old}
    new_rows = {row[0]: row for row in new}
    kept_old = [key for key in old_rows if key in new_rows]
    kept_new = [key for key in new_rows if key in old_rows]
    appended = [key for key in new_rows if key not in old_rows]
    if (
        kept_old != kept_new
        or list(new_rows) != kept_new + appended
        or len(new_rows) != len(new)
        or len(old_rows) != len(old)
    ):
        return [(None, new)]
    changes: list[tuple[Any, Any]] = [(key, None) for key in old_rows if key not in new_rows]
    changes += [(key, row) for key, row in new_rows.items() if old_rows.get(key) != row]
    return changes


class TableHistory:
    """Every node's tables before the run (`initial`) and each change with the event it belongs to."""

    def __init__(self, network: Any, *, follow: bool = True, read_all: bool = False) -> None:
        """follow=False: only the tables as they are now (no events are followed).
        read_all=True: read every node at every new instant (what a filtered event list needs;
        the tests compare it with the usual reading of only the nodes that may have changed)."""
        self.network = network
        self.holders = [(node, table_readers(node)) for node in network.nodes.values()]
        self.holders = [(node, readers) for node, readers in self.holders if readers]
        self.by_name = {node.name: (node, readers) for node, readers in self.holders}
        self.ageing = {node.name: reader for node, _ in self.holders if (reader := ageing_reader(node)) is not None}
        self.every_instant = [holder for holder in self.holders if holder[0].name not in self.ageing]
        # switches whose one table is a MacTable read by source entry at relay events
        self.relaying = {
            node.name for node, readers in self.holders if node.name in self.ageing and readers == [("mac", _mac_rows)]
        }
        self.mac_places: dict[str, dict[Any, int]] = {}  # switch -> MAC -> its row's place in current
        self.settled: set[str] = set()  # relaying switches read at their last event: current since
        now = network.engine.now
        self.current: dict[str, dict[str, Any]] = {node.name: node_tables(node, now) for node, _ in self.holders}
        for name in self.relaying:
            self._place_rows(name)
        self.initial = {
            name: {table: _as_text(table, value) for table, value in tables.items()}
            for name, tables in self.current.items()
        }
        # (event index, node, table, key, row): key None = row is the whole table
        self.changes: list[tuple[int, str, str, Any, Any]] = []
        self.events: list[Any] = []
        self.last_t = -1
        self.touched: dict[str, None] = {}  # the nodes that recorded events in the current instant
        self.previous: str | None = None  # the node of the last event
        self.ages_out: dict[str, int] = {}  # node -> when its next entry ages out (FOREVER: never)
        self.ageing_queue: list[tuple[int, str]] = []  # (time, node), stale pairs skipped
        for node, _ in self.holders:
            self._plan_ageing(node, now)
        self.read_all = read_all
        self._downstream: Callable[[Any], None] | None = None
        if follow:
            tracer = network.tracer if network.tracer is not None else network.start_trace(keep=False)
            self.read_all = read_all or tracer.protocols is not None  # events left out say nothing of who acted
            self._downstream = tracer.sink
            tracer.sink = self._on_event

    def _on_event(self, event: Any) -> None:
        device = event.device
        relay = (
            device in self.relaying
            and event.event_kind in RELAY_KINDS
            and event.frame is not None
            and not self.read_all
        )
        index = len(self.events)
        if event.t != self.last_t:
            self.look(index, event.t, self._new_instant(event, relay))
            self.touched.clear()
        else:
            self.look(index, event.t, self._acting(device, relay))
        if relay:
            self._relearned(index, device, event.frame.eth.src, event.t)
            self.settled.add(device)
        else:
            self.settled.discard(device)
        self.touched[device] = None
        self.previous = event.device
        self.events.append(event)
        self.last_t = event.t
        if self._downstream is not None:
            self._downstream(event)

    def _new_instant(self, event: Any, relay: bool) -> list[tuple[Any, list[Any]]]:
        """Whose tables may have changed since the last look, at the first event of an instant:
        the last instant's actors (their changes after their last event, when nobody called
        end_of_instant), this event's node (unless a relay: its source entry is read apart),
        every node read each instant, and the nodes whose entries aged out by now."""
        if self.read_all:
            return self.holders
        settled = self.settled
        names = {name: None for name in self.touched if name not in settled}
        if not relay:
            names[event.device] = None
        queue, ages_out = self.ageing_queue, self.ages_out
        while queue and queue[0][0] <= event.t:
            when, name = heappop(queue)
            if ages_out.get(name) == when:
                names[name] = None
        by_name = self.by_name
        chosen = [by_name[name] for name in names if name in by_name and name in ages_out]
        return chosen + self.every_instant

    def _acting(self, device: str, relay: bool) -> list[tuple[Any, list[Any]]]:
        """Within an instant: this event's node (unless a relay) and the previous event's (what
        it changed after recording that event, a reply merged into its ARP cache, shows from
        here on; a switch that last relayed changed nothing after)."""
        by_name, settled = self.by_name, self.settled
        names = {} if relay else {device: None}
        if self.previous not in settled:
            names[self.previous] = None
        return [by_name[name] for name in names if name in by_name]

    def _touched(self) -> list[tuple[Any, list[Any]]]:
        if self.read_all:  # a filtered event list: the instant's actors are not all in it
            return self.holders
        by_name, settled = self.by_name, self.settled
        return [by_name[name] for name in self.touched if name in by_name and name not in settled]

    def _relearned(self, index: int, name: str, mac: Any, now: int) -> None:
        """A relay event: read again the entry of the frame's source, which the switch just
        learned or refreshed. A source not among the rows (new, or aged out and learned again
        in its old place) or not learned (a full table): the whole table is read."""
        place = self.mac_places[name].get(mac)
        node = self.by_name[name][0]
        entry = node.table.entries.get(mac)
        if place is None or entry is None:
            self.look(index, now, [self.by_name[name]])
            return
        rows = self.current[name]["mac"]
        row = [mac, entry.port.name, entry.seen]
        if rows[place] != row:
            rows[place] = row
            self.changes.append((index, name, "mac", _cell_text(mac), _row_text(row)))

    def _place_rows(self, name: str) -> None:
        self.mac_places[name] = {row[0]: place for place, row in enumerate(self.current[name]["mac"])}

    def _plan_ageing(self, node: Any, now: int) -> None:
        reader = self.ageing.get(node.name)
        if reader is None:
            return
        when = reader(node, now)
        if self.ages_out.get(node.name) != when:
            self.ages_out[node.name] = when
            if when < FOREVER:
                heappush(self.ageing_queue, (when, node.name))

    def look(self, index: int, now: int, holders: list[tuple[Any, list[Any]]]) -> None:
        """Compare these nodes' tables with the last look; changes go to event `index`."""
        changes = self.changes
        ages_out = self.ages_out
        for node, readers in holders:
            seen = self.current[node.name]
            changed = False
            for table, read in readers:
                value = read(node, now)
                before = seen.get(table)
                if value == before:
                    continue
                changed = True
                seen[table] = value
                if table == "mac" and node.name in self.relaying:
                    self._place_rows(node.name)
                if table not in ("mac", "arp"):  # rows without addresses (their text is themselves)
                    changes += [
                        (index, node.name, table, key, row)
                        for key, row in (
                            [(None, value)] if table == "stp" or before is None else table_changes(before, value)
                        )
                    ]
                elif before is None:
                    changes.append((index, node.name, table, None, _as_text(table, value)))
                else:  # only the changed rows' addresses become text
                    changes += [
                        (index, node.name, table, None, _as_text(table, row))
                        if key is None
                        else (index, node.name, table, _cell_text(key), None if row is None else _row_text(row))
                        for key, row in table_changes(before, value)
                    ]
            # The planned time only ever comes early (a refresh moves an entry's end later
            # without changing its row): planned again when it came or when a row changed.
            if changed or ages_out.get(node.name, FOREVER) <= now:
                self._plan_ageing(node, now)

    def end_of_instant(self, now: int) -> None:
        """An instant is over: changes its nodes made after its last event belong to that event.
        (When no event was recorded at `now`, the next event's look finds them, at its own time.)"""
        if self.events and self.last_t == now:
            self.look(len(self.events) - 1, now, self._touched())
            self.touched.clear()  # read: the next instant need not read them again

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
