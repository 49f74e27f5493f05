"""The end of a sweep: per combination of --vary values, each metric's median and quartiles."""

from __future__ import annotations

from typing import Any

from lanlab.sweep.plot import quartiles
from lanlab.sweep.vary import value_key


def summarise(rows: list[dict[str, Any]], varied: list[str], metrics: list[str]) -> list[dict[str, Any]]:
    """One entry per combination, in first-seen order: values, runs, failed, and per metric
    {n, min, q1, median, q3, max} over its numeric values (None when it has none)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:  # a value may be a list or a mapping (--vary links=[]): grouped by its text
        groups.setdefault(tuple(value_key(row.get(p)) for p in varied), []).append(row)
    summary = []
    for members in groups.values():
        entry: dict[str, Any] = {
            "values": {p: members[0].get(p) for p in varied},
            "runs": len(members),
            "failed": sum(1 for r in members if r.get("error")),
        }
        for name in metrics:
            values = sorted(float(r[name]) for r in members if isinstance(r.get(name), (int, float)))
            if values:
                q1, median, q3 = quartiles(values)
                entry[name] = {
                    "n": len(values),
                    "min": values[0],
                    "q1": q1,
                    "median": median,
                    "q3": q3,
                    "max": values[-1],
                }
            else:
                entry[name] = None
        summary.append(entry)
    return summary
