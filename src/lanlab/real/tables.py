"""A namespace's tables in the rows `sim run --json` shows: ARP from the neighbour table, MAC from
the bridge's forwarding database, routes from the routing table (iproute2's -j output)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from lanlab.real.netns import BRIDGE

ARP_LIVE = {"REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT", "NOARP"}  # INCOMPLETE/FAILED: no MAC known
ROUTE_SOURCES = {"kernel": "connected", "boot": "static", "static": "static", "bird": "rip"}


def _json(argv: list[str]) -> list[dict[str, Any]]:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    text = done.stdout.strip()
    return json.loads(text) if done.returncode == 0 and text else []


def arp(ns: str) -> list[dict[str, Any]]:
    """Resolved IPv4 neighbours as {"ip", "mac"}, in address order as the simulator lists them."""
    rows = [{"ip": n["dst"], "mac": n["lladdr"]} for n in _json(["ip", "-n", ns, "-4", "-j", "neigh", "show"])
            if "lladdr" in n and ARP_LIVE & set(n.get("state", []))]
    return sorted(rows, key=lambda row: tuple(int(part) for part in row["ip"].split(".")))


def mac(ns: str) -> list[dict[str, Any]]:
    """The bridge's learned entries as {"mac", "port", "age"}: the bridge's own ports' (permanent)
    and the ports' own ("self") entries are not learned, so left out, as a switch's table has none."""
    rows = []
    for entry in _json(["bridge", "-n", ns, "-j", "-s", "fdb", "show", "br", BRIDGE]):
        if "self" in entry.get("flags", []) or entry.get("state") == "permanent" or "vlan" in entry:
            continue
        rows.append({"mac": entry["mac"], "port": entry["ifname"], "age": float(entry.get("updated", 0))})
    return rows


def routes(ns: str) -> list[dict[str, Any]]:
    """The main table as {"prefix", "via", "interface", "metric", "source", "age"} (the kernel keeps
    no age: 0)."""
    rows = []
    for route in _json(["ip", "-n", ns, "-4", "-j", "route", "show"]):
        dst = route.get("dst", "")
        prefix = "0.0.0.0/0" if dst == "default" else dst if "/" in dst else f"{dst}/32"
        rows.append({"prefix": prefix, "via": route.get("gateway"), "interface": route.get("dev"),
                     "metric": route.get("metric", 0),
                     "source": ROUTE_SOURCES.get(route.get("protocol", "boot"), route.get("protocol")), "age": 0.0})
    return rows


def node_tables(kind: str, ns: str) -> dict[str, Any] | None:
    """What `sim run --json` puts under tables.NODE for a node of this kind (a hub keeps none)."""
    if kind == "switch":
        return {"mac": mac(ns)}
    if kind == "host":
        return {"arp": arp(ns)}
    if kind == "router":
        return {"arp": arp(ns), "routes": routes(ns)}
    return None


def owners(ns: str, node: str) -> dict[str, str]:
    """Each MAC of the namespace's interfaces -> `node:interface` (compare names MACs by owner)."""
    return {link["address"].lower(): f"{node}:{link['ifname']}" for link in _json(["ip", "-n", ns, "-j", "link", "show"])
            if link.get("link_type") == "ether" and link.get("ifname") != BRIDGE}
