"""A node's tables as `--do "NODE arp"` and `--do "NODE route"` print them: one wording for the simulator's
`sim run` and the kernel lab's `real run` (both import this leaf, which imports only i18n)."""

from __future__ import annotations

from typing import Any

from lanlab.i18n import L_, N_, _, pad


def arp_lines(rows: list[dict[str, Any]]) -> list[str]:
    """`  IP  MAC  INTERFACE` per entry, as `arp -n` lists them: a host with two interfaces on one
    subnet holds a neighbour once on each, so the interface tells the two rows apart."""
    return [f"  {row['ip']:<15} {row['mac']}  {row['interface']}" for row in rows] or [L_("  (empty)")]


# The heading's words and the sources a route can have, as `show ip route` prints them: the
# rows' values (and --json) stay the English words, only these lines are in the user's language.
ROUTE_HEADING = ((N_("prefix"), 18), (N_("via"), 15), (N_("interface"), 9), (N_("metric"), -6))
SOURCES = {"connected": N_("connected"), "static": N_("static"), "rip": N_("rip")}


def source_text(source: str) -> str:
    """A route's source word in the current language (the row's value stays the English word)."""
    return _(SOURCES[source]) if source in SOURCES else source


def route_lines(rows: list[dict[str, Any]]) -> list[str]:
    """`show ip route` for people: one aligned line per route, in the current language (called
    where it is printed); widths count terminal columns, so Chinese headings stay aligned."""
    heading = " ".join(pad(_(word), abs(width), right=width < 0) for word, width in ROUTE_HEADING)
    source, age = pad(_("source"), 9), pad(_("age"), 8, right=True)
    out = [f"  {heading}  {source} {age}"]
    for row in rows:
        source = source_text(row["source"])
        out.append(
            f"  {row['prefix']:<18} {row['via'] or '-':<15} {row['interface'] or '-':<9} "
            f"{row['metric']:>6}  {pad(source, 9)} {row['age']:>7.1f}s"
        )
    return out
