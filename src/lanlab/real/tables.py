"""A namespace's tables in the rows `sim run --json` shows: ARP from the neighbour table, MAC from
the bridge's forwarding database, routes from the routing table (iproute2's -j output)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from lanlab.real.model import BRIDGE
from lanlab.wire.stp import BridgeId

STP_BRIDGE = ("bridge_id", "root_id", "root_port", "root_path_cost")
STP_PORT = (
    "port_id",
    "port_no",
    "state",
    "path_cost",
    "designated_root",
    "designated_bridge",
    "designated_port",
    "designated_cost",
)
STP_STATES = {"0": "disabled", "1": "listening", "2": "learning", "3": "forwarding", "4": "blocking"}

ARP_LIVE = {"REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT", "NOARP"}  # INCOMPLETE/FAILED: no MAC known
ROUTE_SOURCES = {"kernel": "connected", "boot": "static", "static": "static", "bird": "rip"}


def _json(argv: list[str]) -> list[dict[str, Any]]:
    # a session of its own: a terminal's Ctrl-C killed the read, and the table came back empty
    done = subprocess.run(argv, capture_output=True, text=True, check=False, start_new_session=True)
    text = done.stdout.strip()
    return json.loads(text) if done.returncode == 0 and text else []


def arp(ns: str) -> list[dict[str, Any]]:
    """Resolved IPv4 neighbours as {"ip", "mac", "interface", "confirmed"}, in address order as the simulator
    lists them; `confirmed`: seconds since the kernel last confirmed the entry (an ARP reply, or
    traffic that proved the neighbour there), which `compare` holds to the simulator's ARP timeout."""
    rows = [
        {
            "ip": n["dst"],
            "mac": n["lladdr"],
            "interface": n["dev"],
            "confirmed": float(n.get("confirmed", 0)),
            "updated": float(n.get("updated", 0)),
        }
        for n in _json(["ip", "-n", ns, "-4", "-j", "-s", "neigh", "show"])
        if "lladdr" in n and ARP_LIVE & set(n.get("state", []))
    ]
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
    no age: 0): per prefix the routes the kernel forwards by, those of the lowest metric. BIRD adds a
    RIP route (metric 32) beside a static one for the same prefix (metric 0), which the kernel never
    uses; the simulator's router keeps the static route only, as a router's table shows its choice."""
    rows = []
    for route in _json(["ip", "-n", ns, "-4", "-j", "route", "show"]):
        dst = route.get("dst", "")
        prefix = "0.0.0.0/0" if dst == "default" else dst if "/" in dst else f"{dst}/32"
        rows.append(
            {
                "prefix": prefix,
                "via": route.get("gateway"),
                "interface": route.get("dev"),
                "metric": route.get("metric", 0),
                "source": ROUTE_SOURCES.get(route.get("protocol", "boot"), route.get("protocol")),
                "age": 0.0,
            }
        )
    best: dict[str, int] = {}
    for row in rows:
        best[row["prefix"]] = min(best.get(row["prefix"], row["metric"]), row["metric"])
    return [row for row in rows if row["metric"] == best[row["prefix"]]]


def _bridge_id(text: str) -> str:
    """The kernel's `8000.0253dc550001` as the simulator writes a bridge id: 32768/0/02:53:dc:55:00:01."""
    return str(BridgeId.from_int(int(text.replace(".", ""), 16)))


def stp(ns: str) -> dict[str, Any]:
    """The bridge's 802.1D state from sysfs (iproute2's JSON shows the bridge's own id as root_id)
    in `sim run --json`'s stp keys. The kernel keeps no port roles: a port is root when it is the
    bridge's root port, designated when it sends the designated information itself (backup when another of its ports
    does), else alternate (a blocked port holding another bridge's information), disabled when its link is down."""
    script = (
        f"cd /sys/class/net/{BRIDGE}/bridge && grep -H . {' '.join(STP_BRIDGE)}; "
        f"cd /sys/class/net/{BRIDGE}/brif && for p in *; do (cd $p && grep -H . {' '.join(STP_PORT)} "
        '| sed "s|^|$p/|"); done'
    )
    done = subprocess.run(
        ["ip", "netns", "exec", ns, "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )
    bridge: dict[str, str] = {}
    ports: dict[str, dict[str, str]] = {}
    for line in done.stdout.splitlines():
        path, _, value = line.partition(":")
        owner, _, key = path.rpartition("/")
        (ports.setdefault(owner, {}) if owner else bridge)[key] = value
    me = _bridge_id(bridge["bridge_id"])
    rows = []
    root_port = None
    for name, port in sorted(ports.items(), key=lambda item: int(item[1]["port_no"], 16)):
        state = STP_STATES[port["state"]]
        if port["port_no"] and int(port["port_no"], 16) == int(bridge["root_port"]):
            role, root_port = "root", name
        elif state == "disabled":
            role = "disabled"
        elif _bridge_id(port["designated_bridge"]) == me:  # its own information: designated, or a backup
            role = "designated" if int(port["designated_port"]) == int(port["port_id"], 16) else "backup"
        else:
            role = "alternate"
        rows.append(
            {
                "port": name,
                "port_id": f"{int(port['port_id'], 16):#06x}",
                "role": role,
                "state": state,
                "cost": int(port["path_cost"]),
                "designated_root": _bridge_id(port["designated_root"]),
                "designated_cost": int(port["designated_cost"]),
                "designated_bridge": _bridge_id(port["designated_bridge"]),
                "designated_port": f"{int(port['designated_port']):#06x}",
                "edge": False,
            }
        )
    root = _bridge_id(bridge["root_id"])
    return {
        "mode": "stp",
        "bridge_id": me,
        "root_id": root,
        "root_port": root_port,
        "root_cost": int(bridge["root_path_cost"]),
        "is_root": root == me,
        "ports": rows,
    }


def node_tables(kind: str, ns: str, runs_stp: bool = False) -> dict[str, Any] | None:
    """What `sim run --json` puts under tables.NODE for a node of this kind (a hub keeps none)."""
    if kind == "switch":
        return {"mac": mac(ns), **({"stp": stp(ns)} if runs_stp else {})}
    if kind == "host":
        return {"arp": arp(ns)}
    if kind == "router":
        return {"arp": arp(ns), "routes": routes(ns)}
    return None


def owners(ns: str, node: str) -> dict[str, str]:
    """Each MAC of the namespace's interfaces -> `node:interface` (compare names MACs by owner)."""
    return {
        link["address"].lower(): f"{node}:{link['ifname']}"
        for link in _json(["ip", "-n", ns, "-j", "link", "show"])
        if link.get("link_type") == "ether" and link.get("ifname") != BRIDGE
    }
