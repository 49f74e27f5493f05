"""A finished run as one JSON-ready document: the one `lanlab sim run --json` prints and each row
of `lanlab sim sweep` is computed from (built here once, so the two cannot drift apart)."""

from __future__ import annotations

from typing import Any

from lanlab.sim.core.node import KeepsArpTable, KeepsMacTable, KeepsRoutes, Node, RunsSpanningTree
from lanlab.sim.devices.host import Host
from lanlab.sim.devices.storm import first_storm
from lanlab.sim.network import Network

# Without --max-events a run stops only this many events after a broadcast storm is reported (a
# 3-switch storm makes ~700,000 events per simulated second: enough to read its rates), never
# before: scenario A with 64 hosts for 10 s is millions of ordinary events.
EVENTS_AFTER_STORM = 200_000


def holds(word: str, node: Node) -> bool:
    """Whether `node` keeps the table --show `word` names (mac, arp, route, stp, leases)."""
    if word == "stp":
        return isinstance(node, RunsSpanningTree) and node.stp is not None
    if word == "leases":  # a DHCP server's (lanlab.sim.stacks.dhcp.DhcpAgent with a pool)
        return isinstance(node, Host) and node.dhcp is not None and bool(node.dhcp.servers)
    return isinstance(node, {"mac": KeepsMacTable, "arp": KeepsArpTable, "route": KeepsRoutes}[word])


def run_document(network: Network, events: int) -> dict[str, Any]:
    """The --json document: network, until, events, commands, tables, links (+ storm, stopped)."""
    tables: dict[str, dict[str, Any]] = {}
    for name, node in network.nodes.items():  # the capability Protocols `holds` asks, narrowing the node's type
        if isinstance(node, KeepsMacTable):
            tables[name] = {"mac": node.mac_table}
            if isinstance(node, RunsSpanningTree) and node.stp is not None:
                tables[name]["stp"] = node.stp.status()
        elif isinstance(node, KeepsArpTable):
            tables[name] = {"arp": node.arp_table}
            if isinstance(node, KeepsRoutes):  # a router: its routing table too
                tables[name]["routes"] = node.routes
            if isinstance(node, Host) and holds("leases", node):
                tables[name]["leases"] = node.dhcp.lease_rows()
    document: dict[str, Any] = {
        "network": network.name,
        "until": network.now / 1e9,
        "events": events,
        "commands": [c.as_dict() for c in network.commands],
        "tables": tables,
        "links": network.counters(),
    }
    storm = first_storm(network.nodes)
    if storm is not None:
        document["storm"] = {
            "t": storm.t / 1e9,
            "switch": storm.switch,
            "port": storm.port,
            "frame": storm.frame.ident,
            "loop": [link.name for link in storm.links],
            "warning": storm.line(network.now),
        }
    if network.engine.stopped:
        engine = network.engine
        document["stopped"] = {"reason": engine.stopped_by, "max_events": engine.max_events}
        if engine.stopped_by == "storm":
            document["stopped"]["events_after_storm"] = engine.events_after_storm
    return document
