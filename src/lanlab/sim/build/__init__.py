"""What turns a topology (lanlab.topology's Document) into a running network: the registry of
node kinds, the built-in kinds (importing this package registers host, switch, hub, router),
and the loader of nodes, links and events."""

from lanlab.sim.build import kinds
from lanlab.sim.build.load import build
from lanlab.sim.build.registry import NODE_KINDS, NodeBuilder, register_node_kind

BUILT_IN = kinds  # the module whose import registers the built-in kinds

__all__ = ["BUILT_IN", "NODE_KINDS", "NodeBuilder", "build", "register_node_kind"]
