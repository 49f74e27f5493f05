"""The registry of node kinds a topology file may name.

A kind is `build(network, name, spec)`: read the node's fields through `spec` (a
lanlab.topology.Spec, which records FILE:LINE errors), and add the node to `network` unless
`spec.failed`. Another subsystem adds its kind with `register_node_kind("router", build)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from lanlab.topology import Spec

if TYPE_CHECKING:
    from lanlab.sim.network import Network

NodeBuilder = Callable[["Network", str, Spec], None]
NODE_KINDS: dict[str, NodeBuilder] = {}


def register_node_kind(kind: str, build: NodeBuilder) -> None:
    NODE_KINDS[kind] = build
