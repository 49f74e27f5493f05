"""A node's tables as `--do "NODE arp"` prints them: one wording for the simulator's `sim run` and
the kernel lab's `real run` (both import this leaf, which imports only i18n)."""

from __future__ import annotations

from typing import Any

from lanlab.i18n import L_


def arp_lines(rows: list[dict[str, Any]]) -> list[str]:
    """`  IP  MAC  INTERFACE` per entry, as `arp -n` lists them: a host with two interfaces on one
    subnet holds a neighbour once on each, so the interface tells the two rows apart."""
    return [f"  {row['ip']:<15} {row['mac']}  {row['interface']}" for row in rows] or [L_("  (empty)")]
