"""What a TCP connection tells the layer above, drained with `next_event()`."""

from __future__ import annotations

from dataclasses import dataclass

from lanlab.proto.tcp._state import TcpState


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The connection moved from one state to another (for the event list)."""

    old: TcpState
    new: TcpState


@dataclass(frozen=True, slots=True)
class Connected:
    """The three-way handshake completed: the connection is ESTABLISHED."""


@dataclass(frozen=True, slots=True)
class DataArrived:
    """In-order bytes were added to the receive buffer; read them with `receive()`."""

    nbytes: int


@dataclass(frozen=True, slots=True)
class EndOfStream:
    """The peer sent FIN: once the buffer is read, `receive()` returns b''."""


@dataclass(frozen=True, slots=True)
class ConnectionFailed:
    """The connection ended abnormally; `errno` is what Linux reports (ECONNREFUSED for a
    RST answering our SYN, ECONNRESET for a RST later, ETIMEDOUT when retransmissions ran out)."""

    errno: int


@dataclass(frozen=True, slots=True)
class Closed:
    """The connection reached CLOSED after an orderly close (LAST-ACK or TIME-WAIT done)."""


@dataclass(frozen=True, slots=True)
class CongestionChanged:
    """cwnd or ssthresh moved (RFC 5681), with the phase it is in now."""

    cwnd: int
    ssthresh: int
    phase: str


TcpEvent = StateChanged | Connected | DataArrived | EndOfStream | ConnectionFailed | Closed | CongestionChanged
