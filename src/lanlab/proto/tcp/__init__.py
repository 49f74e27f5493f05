"""TCP (RFC 9293) as a sans-IO machine: `TcpConnection` for one connection, `TcpStack` for a
host's connections and listeners. See `_connection` for the calling convention."""

from lanlab.proto.tcp._connection import LocalTcpError, TcpConfig, TcpConnection
from lanlab.proto.tcp._events import (
    Closed,
    CongestionChanged,
    Connected,
    ConnectionFailed,
    DataArrived,
    EndOfStream,
    StateChanged,
    TcpEvent,
)
from lanlab.proto.tcp._reno import RenoCongestion
from lanlab.proto.tcp._rto import RtoEstimator
from lanlab.units import SECOND
from lanlab.proto.tcp._stack import ANY, ConnectionKey, Listener, OutgoingSegment, TcpStack, reset_for
from lanlab.proto.tcp._state import TRANSITIONS, TcpState, Trigger, next_state

__all__ = [
    "ANY",
    "SECOND",
    "TRANSITIONS",
    "Closed",
    "CongestionChanged",
    "Connected",
    "ConnectionFailed",
    "ConnectionKey",
    "DataArrived",
    "EndOfStream",
    "Listener",
    "LocalTcpError",
    "OutgoingSegment",
    "RenoCongestion",
    "RtoEstimator",
    "StateChanged",
    "TcpConfig",
    "TcpConnection",
    "TcpEvent",
    "TcpStack",
    "TcpState",
    "Trigger",
    "next_state",
    "reset_for",
]
