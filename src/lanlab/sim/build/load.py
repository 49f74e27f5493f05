"""A topology Document -> the nodes, links and events of a Network, every mistake as FILE:LINE.

lanlab.topology reads the file; each node kind in the registry (build.registry) reads its own
fields and adds its node; links are plugged between the ports the kinds made; `events:` are
--do command lines scheduled like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lanlab.sim.build.registry import NODE_KINDS
from lanlab.sim.commands import CommandError, schedule
from lanlab.sim.core.errors import NetworkError
from lanlab.topology import Document, LinkEntry
from lanlab.i18n import L_, message_of

if TYPE_CHECKING:
    from lanlab.sim.network import Network


def build(network: Network, document: Document) -> None:
    """Add the document's nodes, links and events to `network`; raise TopologyError listing every mistake."""
    ctx = document.ctx
    failed: set[str] = set()  # nodes defined but broken: links to them stay quiet
    for entry in document.nodes:
        builder = NODE_KINDS.get(entry.kind) if entry.kind is not None else None
        if builder is None:
            failed.add(entry.name)
            problem = L_("missing kind") if entry.kind is None else L_("unknown kind {kind!r}", kind=entry.kind)
            entry.spec.error(
                entry.kind_node or entry.spec.node,
                L_("{problem} (one of {kinds})", problem=problem, kinds=", ".join(NODE_KINDS)),
            )
            continue
        if entry.name in network.nodes:
            entry.spec.error(entry.name_node, L_("node defined twice"))
            continue
        builder(network, entry.name, entry.spec)
        if entry.spec.failed:
            failed.add(entry.name)
    document.nodes_read()
    for link in document.links:
        _plug(network, document, link, failed)
    for text, where in document.events:
        try:
            schedule(network, text)
        except CommandError as error:
            ctx.error(where, L_("event {problem}", problem=message_of(error)))
    document.raise_problems()


def _plug(network: Network, document: Document, link: LinkEntry, failed: set[str]) -> None:
    ctx = document.ctx
    ports = []
    for end in link.endpoints:
        node = network.nodes.get(end.node)
        if node is None:
            if end.node not in failed:
                ctx.error(end.where, L_("link endpoint {text!r}: unknown node {node!r}", text=end.text, node=end.node))
            continue
        try:
            ports.append(node.port(end.port))
        except KeyError as error:
            ctx.error(end.where, message_of(error))
    if len(ports) == 2:
        try:
            network.plug(ports[0], ports[1], **link.options)
        except NetworkError as error:
            ctx.error(link.where, message_of(error))
