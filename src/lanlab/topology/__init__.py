"""A topology file as data: nodes, interfaces, links, events and the settings of the built-in kinds.

This package reads and checks YAML; it knows nothing of the simulator (lanlab.sim.build runs a
topology), so another back end can read the same files.
"""

from lanlab.topology.reader import (
    Context,
    Document,
    Endpoint,
    LinkEntry,
    NodeEntry,
    Spec,
    TopologyError,
    compose,
    line_of,
    read_document,
    read_text,
    yes_no,
)
from lanlab.topology.domains import BroadcastDomain, CollisionDomain, Domains, find_domains

__all__ = [
    "BroadcastDomain",
    "CollisionDomain",
    "Context",
    "Document",
    "Domains",
    "Endpoint",
    "LinkEntry",
    "NodeEntry",
    "Spec",
    "TopologyError",
    "compose",
    "find_domains",
    "line_of",
    "read_document",
    "read_text",
    "yes_no",
]
