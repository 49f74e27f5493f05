"""Reading a format-1 document back: the tables at any event, as the page restores them.

The page does the same in JavaScript (assets/state.js); tests hold both to `--show`.
"""

from __future__ import annotations

import copy
from typing import Any


def tables_at(document: dict[str, Any], index: int) -> dict[str, dict[str, Any]]:
    """Every node's tables once events 0..index have happened (index -1: before the first)."""
    tables = copy.deepcopy(document["tables"]["initial"])
    for event, node, table, key, row in document["tables"]["changes"]:
        if event > index:
            break
        held = tables.setdefault(node, {})
        if key is None:
            held[table] = copy.deepcopy(row)
            continue
        rows = held.setdefault(table, [])
        at = next((i for i, old in enumerate(rows) if old[0] == key), None)
        if row is None:
            if at is not None:
                del rows[at]
        elif at is None:
            rows.append(list(row))
        else:
            rows[at] = list(row)
    return tables


def last_event_at(document: dict[str, Any], t: int) -> int:
    """The index of the last event at or before sim time `t` (ns); -1 when none."""
    times = document["events"]["t"]
    low, high = 0, len(times)
    while low < high:
        middle = (low + high) // 2
        if times[middle] <= t:
            low = middle + 1
        else:
            high = middle
    return low - 1


def shown_rows(table: str, rows: Any, t: int) -> Any:
    """A table's rows as `--show` and `--json` give them at sim time `t` (ages from the time-free
    rows: MAC age = t - seen, route age = t - since, in seconds)."""
    if table == "mac":
        return [{"mac": mac, "port": port, "age": round((t - seen) / 1e9, 6)} for mac, port, seen in rows]
    if table == "arp":
        return [{"ip": ip, "mac": mac, "interface": interface} for ip, mac, interface in rows]
    if table == "route":
        return [
            {
                "prefix": prefix,
                "via": via,
                "interface": interface,
                "metric": metric,
                "source": source,
                "age": (t - since) / 1e9,
            }
            for prefix, via, interface, metric, source, since in rows
        ]
    return rows
