"""The eleven TCP states and every transition between them, in one table (RFC 9293 3.3.2,
figure 5). The connection asks this table for each move; nothing else assigns a state."""

from __future__ import annotations

from enum import Enum


class TcpState(Enum):
    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"

    def __str__(self) -> str:
        return self.value


class Trigger(Enum):
    """What moves a connection: a user call, a segment, or a timer."""

    ACTIVE_OPEN = "active open"  # user connect: send SYN
    PASSIVE_OPEN = "passive open"  # user listen
    RCV_SYN = "SYN received"
    RCV_SYN_ACK = "SYN,ACK received"
    RCV_ACK_OF_SYN = "ACK of our SYN received"
    CLOSE = "close"  # user close/shutdown: send FIN when the data is out
    RCV_FIN = "FIN received"
    RCV_ACK_OF_FIN = "ACK of our FIN received"
    TIME_WAIT_EXPIRED = "2*MSL expired"
    RCV_RST = "RST received"
    ABORT = "abort"  # user abort, retransmissions exhausted, or RST we send


S, T = TcpState, Trigger

TRANSITIONS: dict[tuple[TcpState, Trigger], TcpState] = {
    (S.CLOSED, T.ACTIVE_OPEN): S.SYN_SENT,
    (S.CLOSED, T.PASSIVE_OPEN): S.LISTEN,
    (S.LISTEN, T.RCV_SYN): S.SYN_RECEIVED,
    (S.LISTEN, T.CLOSE): S.CLOSED,
    (S.SYN_SENT, T.RCV_SYN_ACK): S.ESTABLISHED,
    (S.SYN_SENT, T.RCV_SYN): S.SYN_RECEIVED,  # simultaneous open, RFC 9293 3.5 figure 7
    (S.SYN_SENT, T.CLOSE): S.CLOSED,
    (S.SYN_RECEIVED, T.RCV_ACK_OF_SYN): S.ESTABLISHED,
    (S.SYN_RECEIVED, T.CLOSE): S.FIN_WAIT_1,
    (S.ESTABLISHED, T.CLOSE): S.FIN_WAIT_1,
    (S.ESTABLISHED, T.RCV_FIN): S.CLOSE_WAIT,
    (S.FIN_WAIT_1, T.RCV_ACK_OF_FIN): S.FIN_WAIT_2,
    (S.FIN_WAIT_1, T.RCV_FIN): S.CLOSING,  # simultaneous close, RFC 9293 3.6 figure 13
    (S.FIN_WAIT_2, T.RCV_FIN): S.TIME_WAIT,
    (S.CLOSE_WAIT, T.CLOSE): S.LAST_ACK,
    (S.CLOSING, T.RCV_ACK_OF_FIN): S.TIME_WAIT,
    (S.LAST_ACK, T.RCV_ACK_OF_FIN): S.CLOSED,
    (S.TIME_WAIT, T.TIME_WAIT_EXPIRED): S.CLOSED,
}

# A reset or an abort ends any synchronized or opening state (RFC 9293 3.10.7.4, 3.10.5).
# A listener is closed, not reset; a connection its SYN made that is reset in SYN-RECEIVED
# is dropped while the listener goes on (the RFC's "return to LISTEN").
for _state in TcpState:
    if _state not in (S.CLOSED, S.LISTEN):
        TRANSITIONS[(_state, T.RCV_RST)] = S.CLOSED
        TRANSITIONS[(_state, T.ABORT)] = S.CLOSED
del _state


def next_state(state: TcpState, trigger: Trigger) -> TcpState:
    """The state `trigger` leads to from `state`; KeyError names a move the RFC does not have."""
    try:
        return TRANSITIONS[(state, trigger)]
    except KeyError:
        raise KeyError(f"no TCP transition from {state} on {trigger.value}") from None
