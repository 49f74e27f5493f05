"""Sans-IO protocol machines (DESIGN.md): time is passed in, output is drained, nothing here touches a socket or a clock."""

from lanlab.proto.rstp import RstpBridge
from lanlab.proto.spanning import (
    FdbFlush,
    LocalStpError,
    PortChanged,
    PortRole,
    PortState,
    PortStatus,
    RootChanged,
    SpanningTreeBridge,
    StpEvent,
    TopologyChange,
    port_cost,
)
from lanlab.proto.stp import StpBridge

__all__ = [
    "FdbFlush",
    "LocalStpError",
    "PortChanged",
    "PortRole",
    "PortState",
    "PortStatus",
    "RootChanged",
    "RstpBridge",
    "SpanningTreeBridge",
    "StpBridge",
    "StpEvent",
    "TopologyChange",
    "port_cost",
]
