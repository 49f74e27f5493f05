"""One TCP connection, sans-IO (RFC 9293): segments in with `handle_segment(header, payload,
now)`, segments out with `segments_to_send(now)`, user calls `send`/`receive`/`shutdown`/
`close`/`abort`, timers with `get_timer()`/`handle_timer(now)`, news with `next_event()`.

Sequence numbers are kept internally as unbounded integers that start at the ISS/IRS
(wire values are these modulo 2**32, unwrapped against the nearest expected value), so the
comparisons below are plain `<` instead of modular arithmetic. Times are integer ns.
"""

from __future__ import annotations

import errno
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
from lanlab.units import MILLISECOND, SECOND
from lanlab.proto.tcp._state import TcpState, Trigger, next_state
from lanlab.wire.tcp import Mss, Tcp, TcpFlags, WindowScale

MASK = 0xFFFFFFFF
MAX_WINDOW_SHIFT = 14  # RFC 7323 2.3
DEFAULT_MSS = 536  # RFC 9293 3.7.1: assumed when the peer sends no MSS option

F = TcpFlags
S = TcpState
SYNCHRONIZED_RECEIVING = (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2)  # where segment text is accepted
KEEPALIVE_STATES = (S.ESTABLISHED, S.CLOSE_WAIT, S.FIN_WAIT_2)  # where Linux's keepalive timer probes


def segment_memory(mss: int) -> int:
    """The memory Linux charges a send buffer per segment (tcp_sndbuf_expand's per_mss): the MSS with
    MAX_TCP_HEADER and skb_shared_info (320 bytes each) rounded up to a power of two, plus struct sk_buff
    (256): 4352 for a 1460-byte MSS."""
    return (1 << (mss + 640 - 1).bit_length()) + 256


class LocalTcpError(Exception):
    """The user asked for something the connection's state does not allow."""


@dataclass(slots=True)
class TcpConfig:
    """Tunables; defaults follow Linux where the RFC leaves a choice. Times in ns."""

    mss: int = 1460
    receive_buffer: int = 131072
    send_buffer: int = 131072
    # Linux's tcp_sndbuf_expand, for a socket whose SO_SNDBUF is unset: the buffer grows with the congestion
    # window (send_buffer is then its ceiling, tcp_wmem's maximum), so a peer that does not read stops a
    # sender after about a megabyte, not four (two programs each sendall-ing 1 MB deadlock, as on Linux)
    send_buffer_autotune: bool = False
    window_scaling: bool = True
    nodelay: bool = False  # TCP_NODELAY: Nagle's algorithm off
    # SO_REUSEADDR (Linux's sk_reuse, an accepted connection's from its listener): a socket that sets it too
    # may bind the port while this connection, TIME-WAIT included, lives (inet_csk_bind_conflict)
    reuse_address: bool = False
    ttl: int | None = None  # IP_TTL of its socket (inet's uc_ttl; a listener's goes to its SYN-ACKs): None, 64
    initial_rto: int = SECOND  # RFC 6298 2.1 (Linux TCP_TIMEOUT_INIT)
    min_rto: int = 200 * MILLISECOND  # Linux TCP_RTO_MIN; RFC 6298 2.4 allows less than its 1 s
    max_rto: int = 120 * SECOND  # Linux TCP_RTO_MAX (RFC 6298 2.5 asks for at least 60 s)
    msl: int = 30 * SECOND  # TIME-WAIT lasts 2*MSL (60 s, as Linux)
    # Delayed ACK timeout: Linux's TCP_ATO_MIN/TCP_DELACK_MIN, where its adaptive timeout starts
    # (RFC 9293 3.8.6.3, RFC 5681 4.2: under 0.5 s). 0 acks every segment at once.
    delayed_ack: int = 40 * MILLISECOND
    max_quick_acks: int = 16  # Linux TCP_MAX_QUICKACKS: segments acked at once when data starts flowing
    syn_retries: int = 6  # Linux tcp_syn_retries
    # Linux tcp_synack_retries: a passive open's SYN-ACK is sent again this many times (1, 3, 7, 15, 31 s) before
    # the half-open connection is dropped, silently, at 63 s (reqsk_timer_handler)
    synack_retries: int = 5
    retries: int = 15  # Linux tcp_retries2
    initial_window: int | None = None  # bytes; None: 10 segments as Linux sends (RFC 6928 2)
    # Linux tcp_invalid_ratelimit (RFC 5961 7): an out-of-window segment without text or FIN gets an ACK at
    # most this often, else two connections whose windows are both zero trade ACKs for ever
    invalid_ack_interval: int = 500 * MILLISECOND
    # SO_KEEPALIVE and TCP_KEEPIDLE/KEEPINTVL/KEEPCNT (RFC 1122 4.2.3.6; net.ipv4.tcp_keepalive_* defaults)
    keepalive: bool = False
    keepalive_idle: int = 7200 * SECOND
    keepalive_interval: int = 75 * SECOND
    keepalive_count: int = 9
    # TCP_USER_TIMEOUT (RFC 5482, Linux's semantics): data unacknowledged this long after its first
    # retransmission's original send fails the connection with ETIMEDOUT; 0 leaves it to `retries`
    user_timeout: int = 0
    # the MTU of the path to the peer, as the host knows it when the connection starts (its interface's, or a
    # smaller one learned from ICMP): the send MSS stays within it, as Linux's tcp_sync_mss keeps it, so a
    # segment is never fragmented; the MSS this end offers stays config.mss (the interface's, RFC 9293 3.7.1)
    path_mtu: int | None = None


def _unwrap(value: int, reference: int) -> int:
    """The unbounded sequence number nearest `reference` that is `value` modulo 2**32."""
    delta = (value - reference) & MASK
    return reference + delta - (1 << 32) if delta >= 1 << 31 else reference + delta


class TcpConnection:
    """A connection between local_port and remote_port (addresses belong to the stack)."""

    def __init__(self, local_port: int, remote_port: int, iss: int, config: TcpConfig | None = None) -> None:
        self.config = config if config is not None else TcpConfig()
        self.local_port = local_port
        self.remote_port = remote_port
        self.state = S.CLOSED
        self.iss = iss & MASK
        # Send sequence variables (RFC 9293 3.3.1); snd_max is the highest ever sent, since a
        # timeout winds snd_nxt back to snd_una (go-back-N).
        self.snd_una = self.snd_nxt = self.snd_max = self.iss
        self.snd_wnd = 0
        self._max_snd_wnd = 0  # largest window the peer offered (sender SWS avoidance)
        self.snd_wl1 = self.snd_wl2 = 0
        self.smss = DEFAULT_MSS
        self.snd_wscale = 0
        # Receive side.
        self.irs = 0
        self.rcv_nxt = 0
        self.rcv_wscale = 0
        self._scaling = False  # both SYNs carried a window scale option (RFC 7323 2.2)
        self._rcv_adv = 0  # right edge of the window we advertised
        self._recv_buffer = bytearray()
        self._out_of_order: dict[int, tuple[bytes, bool]] = {}  # seq -> (data, FIN after it)
        self._fin_received = False
        self._read_closed = False
        # Send buffer: unacknowledged + unsent bytes; first byte has sequence _buf_seq.
        self._send_buffer = bytearray()
        self._send_buffer_grown = 0  # the autotuned send buffer's size so far (send_buffer_size)
        self._invalid_acked_at: int | None = None  # when an out-of-window pure ACK or SYN was last answered
        self._heard_at = 0  # when the peer's last segment came (Linux's rcv_tstamp), for keepalive
        self._keepalive_probes = 0  # keepalive probes unanswered (Linux's icsk_probes_out)
        self._keepalive_deadline: int | None = None
        self._stalled_since = 0  # when the segment first retransmitted was sent (Linux's retrans_stamp)
        self._buf_seq = self.iss + 1
        self._fin_queued = False
        # Output decisions taken while handling input, turned into segments by segments_to_send.
        self._acks: list[tuple[Tcp, bytes]] = []  # pure ACKs decided while handling input
        # Receiver ACK policy, as Linux's tcp_input.c: an ACK is owed (delayed) for data not yet
        # acknowledged; rcv_wup is RCV.NXT as last advertised; rcv_mss is the peer's segment
        # size as seen so far (tcp_measure_rcv_mss); quick_acks counts segments still to be
        # acked at once (quickack mode); last_data is when data last arrived (None: never).
        self._ack_owed = False
        self._rcv_wup = 0
        self._rcv_mss = DEFAULT_MSS
        self._quick_acks = 0
        self._last_data: int | None = None
        self._snd_sml = self.iss  # end of the last short segment sent (Minshall's Nagle)
        self._retransmit_head = 0  # bytes to resend from snd_una at once (fast retransmit, probe)
        self._resets: list[Tcp] = []
        # Timers (absolute ns or None).
        self.rto = RtoEstimator(self.config.initial_rto, self.config.min_rto, self.config.max_rto)
        self.congestion = RenoCongestion(self.config.mss, self._initial_window(self.config.mss))
        self._rto_deadline: int | None = None
        self._persist_deadline: int | None = None
        self._persist_backoff = 0
        self._delack_deadline: int | None = None
        self._time_wait_deadline: int | None = None
        self._retries = 0
        self._rtt_seq: int | None = None  # Karn: one timed segment, never a retransmitted one
        self._rtt_start = 0
        self._events: deque[TcpEvent] = deque()
        self._reported_congestion = (self.congestion.cwnd, self.congestion.ssthresh)
        self.retransmissions = 0
        self.error: int | None = None  # the errno of an abnormal end (ConnectionFailed)
        # Told after every call that may give this connection something to send, an event or a new timer (its
        # stack keeps such connections aside, so that a flush looks at them alone, not at every connection)
        self.on_change: Callable[[TcpConnection], None] | None = None
        self.owner: Any = None  # what its user keeps here (the socket shim: a weak reference to its socket)
        self._passive = False  # a listener made it for a SYN (its SYN-ACK retries are synack_retries)

    # ------------------------------------------------------------------ opening
    @classmethod
    def connect(cls, local_port: int, remote_port: int, iss: int, config: TcpConfig | None = None) -> TcpConnection:
        """An active open: the SYN goes out with the next segments_to_send (RFC 9293 3.10.1)."""
        connection = cls(local_port, remote_port, iss, config)
        connection._move(Trigger.ACTIVE_OPEN)
        return connection

    @classmethod
    def accept_syn(
        cls, local_port: int, remote_port: int, iss: int, syn: Tcp, now: int, config: TcpConfig | None = None
    ) -> TcpConnection:
        """A passive open answering `syn` (the listener made this connection for it)."""
        connection = cls(local_port, remote_port, iss, config)
        connection._passive = True
        connection._move(Trigger.PASSIVE_OPEN)
        connection.handle_segment(syn, b"", now)
        return connection

    @classmethod
    def from_cookie(
        cls, local_port: int, remote_port: int, iss: int, syn: Tcp, now: int, config: TcpConfig | None = None
    ) -> TcpConnection:
        """The half-open connection a SYN cookie stood for, made again when the peer's ACK brings the cookie back
        (Linux's cookie_v4_check): as accept_syn made it for `syn` (the SYN the cookie encodes), its SYN-ACK already
        sent, untimed (Linux takes no RTT sample from a cookie's SYN-ACK)."""
        connection = cls.accept_syn(local_port, remote_port, iss, syn, now, config)
        connection.snd_nxt = connection.snd_max = connection.iss + 1
        return connection

    def changed(self) -> None:
        """Something about this connection changed (its methods say so themselves; a caller that changed its
        config, timer options for one, says so here): its stack looks at it at the next segments_to_send."""
        if self.on_change is not None:
            self.on_change(self)

    # ------------------------------------------------------------------ user calls
    @property
    def nodelay(self) -> bool:
        return self.config.nodelay

    @nodelay.setter
    def nodelay(self, value: bool) -> None:
        self.config.nodelay = value
        self.changed()

    @property
    def send_space(self) -> int:
        """Bytes `send` would accept now (the send buffer holds unacknowledged bytes too)."""
        return max(0, self.send_buffer_size - len(self._send_buffer))

    @property
    def send_queued(self) -> int:
        """Bytes queued to send and not yet acknowledged (what SIOCOUTQ reads)."""
        return len(self._send_buffer)

    @property
    def send_buffer_size(self) -> int:
        """The send buffer's size (SO_SNDBUF as getsockopt reads it): config.send_buffer, or autotuned as
        Linux's tcp_sndbuf_expand grows it: 2 x max(10, cwnd in segments) x segment_memory(MSS), never
        shrinking, at most config.send_buffer."""
        if not self.config.send_buffer_autotune:
            return self.config.send_buffer
        segments = max(10, self.congestion.cwnd // self.smss)
        grown = min(self.config.send_buffer, 2 * segments * segment_memory(self.smss))
        if grown > self._send_buffer_grown:
            self._send_buffer_grown = grown
        return self._send_buffer_grown

    @property
    def readable(self) -> int:
        """Bytes waiting in the receive buffer."""
        return len(self._recv_buffer)

    @property
    def at_eof(self) -> bool:
        """The peer's FIN arrived and every byte before it has been read."""
        return self._fin_received and not self._recv_buffer

    @property
    def fin_received(self) -> bool:
        """The peer's FIN arrived (bytes before it may still wait to be read): Linux's RCV_SHUTDOWN."""
        return self._fin_received

    @property
    def can_send(self) -> bool:
        """Sending is allowed: opening or open, and not shut down for writing."""
        return self.state in (S.SYN_SENT, S.SYN_RECEIVED, S.ESTABLISHED, S.CLOSE_WAIT) and not self._fin_queued

    def send(self, data: bytes) -> int:
        """Queue as much of `data` as the send buffer takes; returns how many bytes."""
        if not self.can_send:
            raise LocalTcpError(f"cannot send in {self.state}" + (" after shutdown" if self._fin_queued else ""))
        room = self.send_space
        if len(data) > room:
            # Linux fills the segment it is building before the writer waits for room
            # (tcp_sendmsg_locked): a blocked writer never leaves a short segment at the tail,
            # so Nagle below only ever judges the true end of a write.
            segment = self.config.mss if self.state is S.SYN_SENT else self.smss
            room += -(self._fin_seq - self.snd_nxt + room) % segment
        accepted = bytes(data[:room])
        self._send_buffer += accepted
        self.changed()
        return len(accepted)

    def peek(self, max_bytes: int) -> bytes:
        """The first max_bytes of the receive buffer, left there (recv with MSG_PEEK)."""
        return bytes(self._recv_buffer[:max_bytes])

    def receive(self, max_bytes: int) -> bytes:
        """Take up to max_bytes from the receive buffer (b'' when empty); opens the window."""
        data = bytes(self._recv_buffer[:max_bytes])
        del self._recv_buffer[:max_bytes]
        if data and self.state in SYNCHRONIZED_RECEIVING:
            # RFC 9293 3.8.6.2.2: tell the sender about a window that grew enough to be worth
            # it (Linux's rule: at least doubled, and by at least one MSS).
            advertised = self._rcv_adv - self.rcv_nxt
            grown = self._window_available() - advertised
            if grown >= self.smss and self._window_available() >= 2 * advertised:
                self._queue_ack()
        self.changed()
        return data

    @property
    def has_acks_to_send(self) -> bool:
        """A user call queued an ACK (a window update after `receive`): segments_to_send has work."""
        return bool(self._acks)

    def shutdown(self) -> None:
        """Half-close: a FIN follows the queued data; receiving goes on (RFC 9293 3.10.4)."""
        if self.state in (S.SYN_SENT, S.LISTEN):
            self._move(Trigger.CLOSE)
            self._clear_timers()
        elif self.state in (S.SYN_RECEIVED, S.ESTABLISHED, S.CLOSE_WAIT):
            self._fin_queued = True
            self._move(Trigger.CLOSE)
        self.changed()

    def shutdown_read(self) -> None:
        """The user reads no more (shutdown SHUT_RD): what arrives is still queued while the connection is
        open, and new data after our FIN resets it (see _receive_text), as Linux's RCV_SHUTDOWN does."""
        self._read_closed = True
        self.changed()

    def close(self) -> None:
        """Close both directions. Unread received data makes it an abort, as on Linux."""
        self._read_closed = True
        if self._recv_buffer and self.state not in (S.CLOSED, S.TIME_WAIT):
            self.abort()
        else:
            self.shutdown()
        self.changed()

    def abort(self) -> None:
        """Send RST and drop everything (RFC 9293 3.10.5 ABORT)."""
        if self.state in (S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT):
            self._resets.append(self._header(self.snd_nxt, F.RST))
        if self.state is not S.CLOSED:
            self._move(Trigger.ABORT)
        self._clear_timers()
        self._acks.clear()
        self.changed()

    def fail(self, error: int) -> None:
        """End the connection without a RST because the network said so (an unreachable
        host, RFC 1122 4.2.3.9); `error` is the errno the user sees."""
        if self.state is not S.CLOSED:
            self._fail(error, Trigger.ABORT)
        self.changed()

    # ------------------------------------------------------------------ events
    def next_event(self) -> TcpEvent | None:
        return self._events.popleft() if self._events else None

    def _move(self, trigger: Trigger) -> None:
        new = next_state(self.state, trigger)
        self._events.append(StateChanged(self.state, new))
        self.state = new

    def _fail(self, error: int, trigger: Trigger) -> None:
        self._move(trigger)
        self._clear_timers()
        self._acks.clear()
        self._send_buffer.clear()
        self.error = error
        self._events.append(ConnectionFailed(error))

    def _report_congestion(self) -> None:
        current = (self.congestion.cwnd, self.congestion.ssthresh)
        if current != self._reported_congestion:
            self._reported_congestion = current
            self._events.append(CongestionChanged(*current, self.congestion.phase))

    # ------------------------------------------------------------------ input
    def handle_segment(self, header: Tcp, payload: bytes, now: int) -> None:
        """Process one arriving segment (RFC 9293 3.10.7)."""
        if self.state is S.CLOSED:
            return  # the stack answers segments for closed connections
        self.changed()
        self._heard_at = now
        self._keepalive_probes = 0
        if self.state is S.LISTEN:
            self._on_listen(header)
        elif self.state is S.SYN_SENT:
            self._on_syn_sent(header, now)
        else:
            self._on_synchronized(header, payload, now)
        if self.state is S.TIME_WAIT and self._time_wait_deadline is None:
            self._clear_timers()
            self._time_wait_deadline = now + 2 * self.config.msl  # RFC 9293 3.6
        self._arm_timers(now)
        self._report_congestion()

    def _on_listen(self, header: Tcp) -> None:
        # RFC 9293 3.10.7.2: the stack hands over only a SYN without ACK or RST.
        self._take_syn(header)
        self.snd_wnd = header.window  # never scaled in a SYN (RFC 7323 2.2)
        self._move(Trigger.RCV_SYN)

    def completes_handshake(self, header: Tcp, payload: bytes) -> bool:
        """Whether this segment would take the connection from SYN-RECEIVED to ESTABLISHED: an ACK of our SYN,
        without SYN or RST, in the receive window (the checks Linux's tcp_check_req makes before it creates the
        accepted socket)."""
        flags = header.flags
        if self.state is not S.SYN_RECEIVED or F.ACK not in flags or flags & (F.SYN | F.RST):
            return False
        seq = _unwrap(header.seq, self.rcv_nxt)
        length = len(payload) + (F.FIN in flags)
        if not self._acceptable(seq, length, max(0, self._rcv_adv - self.rcv_nxt)):
            return False
        return self.snd_una < _unwrap(header.ack, self.snd_una) <= self.snd_max

    def _take_syn(self, header: Tcp) -> None:
        """Initial receive sequence and the options of the peer's SYN (RFC 9293 3.7.1, RFC 7323)."""
        self.irs = header.seq
        self.rcv_nxt = self._rcv_wup = self.irs + 1
        mss = header.option(Mss)
        self.smss = min(self.config.mss, mss.value if isinstance(mss, Mss) else DEFAULT_MSS)
        if self.config.path_mtu is not None:
            self.smss = min(self.smss, self.config.path_mtu - 40)
        self._rcv_mss = min(self.smss, DEFAULT_MSS)  # Linux's first guess (tcp_initialize_rcv_mss)
        self.congestion = RenoCongestion(self.smss, self._initial_window(self.smss))
        self._reported_congestion = (self.congestion.cwnd, self.congestion.ssthresh)
        scale = header.option(WindowScale)
        if self.config.window_scaling and isinstance(scale, WindowScale):
            self._scaling = True
            self.snd_wscale = min(scale.shift, MAX_WINDOW_SHIFT)
            self.rcv_wscale = self._own_window_shift()
        self._rcv_adv = self.rcv_nxt + min(self._window_available(), 0xFFFF)

    def _initial_window(self, smss: int) -> int:
        """The configured initial window, else RFC 6928's min(10*MSS, max(2*MSS, 14600)):
        Linux's TCP_INIT_CWND of 10 segments, where RFC 5681 3.1 would start with 3."""
        if self.config.initial_window is not None:
            return self.config.initial_window
        return min(10 * smss, max(2 * smss, 14600))

    def _own_window_shift(self) -> int:
        shift = 0
        while (self.config.receive_buffer >> shift) > 0xFFFF and shift < MAX_WINDOW_SHIFT:
            shift += 1
        return shift

    def _on_syn_sent(self, header: Tcp, now: int) -> None:
        # RFC 9293 3.10.7.3
        flags = header.flags
        ack = _unwrap(header.ack, self.snd_una)
        if F.ACK in flags and not self.iss < ack <= self.snd_max:
            if F.RST not in flags:
                self._resets.append(self._reset_for(header))
            return
        if F.RST in flags:
            if F.ACK in flags:
                self._fail(errno.ECONNREFUSED, Trigger.RCV_RST)
            return
        if F.SYN not in flags:
            return
        self._take_syn(header)
        if F.ACK in flags:
            self._acknowledge(ack, now)
            self._update_window(header, header.seq, ack, scaled=False)
            self._move(Trigger.RCV_SYN_ACK)
            self._events.append(Connected())
            self._queue_ack()
        else:
            # Simultaneous open: answer with SYN,ACK from the same ISS (RFC 9293 3.5 figure 7).
            self.snd_wnd = header.window
            self.snd_nxt = self.iss
            self._move(Trigger.RCV_SYN)

    def _on_synchronized(self, header: Tcp, payload: bytes, now: int) -> None:
        flags = header.flags
        seq = _unwrap(header.seq, self.rcv_nxt)
        if self.state is S.SYN_RECEIVED and F.SYN in flags and seq == self.irs and F.RST not in flags:
            if F.ACK in flags:
                # Simultaneous open: their SYN,ACK acknowledges our SYN; ours may not have left yet.
                if self._on_ack(header, seq + 1, now, payload_length=0):
                    self._queue_ack()
            else:
                self.snd_nxt = self.iss  # the peer repeats its SYN: our SYN,ACK was lost, repeat it
            return
        window = max(0, self._rcv_adv - self.rcv_nxt)
        length = len(payload) + (F.SYN in flags) + (F.FIN in flags)
        # First: is the segment in the receive window? (RFC 9293 3.10.7.4 table 6)
        if not self._acceptable(seq, length, window):
            if F.RST not in flags:
                if payload and seq < self.rcv_nxt:
                    # Data we already have: our ACK was lost or late. Linux acks the next
                    # segments at once (tcp_data_queue: out_of_window, quickack mode).
                    self._enter_quickack(self.config.max_quick_acks)
                if self._answer_out_of_window(length == 0 or F.SYN in flags, now):
                    self._queue_ack()
                if self.state is S.TIME_WAIT and F.FIN in flags:
                    # The peer repeats its FIN: our ACK was lost. Restart 2*MSL (RFC 9293 3.10.7.4).
                    self._time_wait_deadline = now + 2 * self.config.msl
                # "special allowance ... to accept valid ACKs" with a zero window
                if window == 0 and seq == self.rcv_nxt and F.ACK in flags and F.SYN not in flags:
                    self._on_ack(header, seq, now, payload_length=len(payload))
            return
        # Second: RST. Exact match resets; in-window elsewhere earns a challenge ACK (RFC 5961 3.2).
        if F.RST in flags:
            if seq == self.rcv_nxt:
                if self.state in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT):
                    self._move(Trigger.RCV_RST)
                    self._clear_timers()
                else:
                    # Linux's tcp_reset: after the peer's FIN (CLOSE-WAIT) the error is EPIPE, the
                    # stream having ended already; ECONNRESET otherwise.
                    error = errno.EPIPE if self.state is S.CLOSE_WAIT else errno.ECONNRESET
                    self._fail(error, Trigger.RCV_RST)
            else:
                self._queue_ack()
            return
        # Fourth: a SYN in a synchronized state gets a challenge ACK (RFC 5961 4.2, RFC 9293 3.10.7.4).
        if F.SYN in flags:
            self._queue_ack()
            return
        # Fifth: the ACK field.
        if F.ACK not in flags:
            return
        if not self._on_ack(header, seq, now, payload_length=len(payload)):
            return
        # Seventh: segment text, trimmed to the window.
        start, data = seq, payload
        if start < self.rcv_nxt:
            data = data[self.rcv_nxt - start :]
            start = self.rcv_nxt
        fin = F.FIN in flags
        if len(data) > window - (start - self.rcv_nxt):
            data = data[: max(0, window - (start - self.rcv_nxt))]
            fin = False
        if data or fin:
            self._receive_text(start, data, fin, now)

    def _answer_out_of_window(self, limited: bool, now: int) -> bool:
        """Whether to ACK an out-of-window segment: always one with text or FIN (RFC 9293 3.10.7.4), one
        without (or a SYN) only if none was answered in the last invalid_ack_interval (Linux's
        tcp_oow_rate_limited, after RFC 5961 7): two zero windows make each side's ACK unacceptable to
        the other, and answering every one is a storm that never ends."""
        if not limited:
            return True
        last = self._invalid_acked_at
        if last is not None and now - last < self.config.invalid_ack_interval:
            return False
        self._invalid_acked_at = now
        return True

    def _acceptable(self, seq: int, length: int, window: int) -> bool:
        """The four cases of RFC 9293 3.10.7.4 table 6."""
        if length == 0:
            return seq == self.rcv_nxt if window == 0 else self.rcv_nxt <= seq < self.rcv_nxt + window
        if window == 0:
            return False
        end = seq + length - 1
        return self.rcv_nxt <= seq < self.rcv_nxt + window or self.rcv_nxt <= end < self.rcv_nxt + window

    def _on_ack(self, header: Tcp, seq: int, now: int, payload_length: int) -> bool:
        """Fifth step of RFC 9293 3.10.7.4. False when the segment must be dropped."""
        ack = _unwrap(header.ack, self.snd_una)
        if self.state is S.SYN_RECEIVED:
            if not self.snd_una < ack <= self.snd_max:
                self._resets.append(self._reset_for(header))
                return False
            self._acknowledge(ack, now)
            self._update_window(header, seq, ack, scaled=True)
            self._move(Trigger.RCV_ACK_OF_SYN)
            self._events.append(Connected())
        if ack > self.snd_max:
            self._queue_ack()  # acknowledges something not yet sent
            return False
        if self.state is S.TIME_WAIT:
            return False
        window_before = self.snd_wnd
        if ack > self.snd_una:
            self._acknowledge(ack, now)
        elif (
            ack == self.snd_una
            and payload_length == 0
            and not header.flags & (F.SYN | F.FIN)
            and self.snd_max > self.snd_una
            and window_before > 0
            and (header.window << self.snd_wscale) == window_before
        ):
            # RFC 5681 2: a duplicate ACK; the third starts fast retransmit (3.2). Not with a zero window:
            # those ACKs answer our probes, whose octet is past the window, not in flight (Linux has no
            # packets out then); three of them set off a recovery from a loss that never happened.
            if self.congestion.on_duplicate_ack(self.snd_max - self.snd_una, self.snd_max):
                self._retransmit_head = self.smss
                self._rtt_seq = None
        if self.snd_una <= ack:
            self._update_window(header, seq, ack, scaled=True)
            if window_before == 0 and self.snd_wnd > 0 and self.snd_max == self.snd_una + 1:
                # The window opened without taking the probe's octet: it goes again, at the head of what
                # follows (else the next segments leave a one-octet hole the receiver waits on).
                self.snd_nxt = self.snd_una
        if self._fin_queued and self.snd_una == self._fin_seq + 1:
            if self.state in (S.FIN_WAIT_1, S.CLOSING, S.LAST_ACK):
                self._move(Trigger.RCV_ACK_OF_FIN)
                if self.state is S.CLOSED:  # type: ignore[comparison-overlap]  # _move changed it
                    self._clear_timers()
                    self._events.append(Closed())
                    return False
        return True

    @property
    def _fin_seq(self) -> int:
        return self._buf_seq + len(self._send_buffer)

    def _acknowledge(self, ack: int, now: int) -> None:
        """New data (or our SYN/FIN) acknowledged up to `ack`."""
        acked = ack - self.snd_una
        data_acked = max(0, min(ack, self._fin_seq) - self._buf_seq)
        del self._send_buffer[:data_acked]
        self._buf_seq += data_acked
        self.snd_una = ack
        if self.snd_nxt < ack:
            self.snd_nxt = ack
        if self._rtt_seq is not None and ack >= self._rtt_seq:
            self.rto.sample(now - self._rtt_start)  # RFC 6298 2; never a retransmission (Karn, 3)
            self._rtt_seq = None
        self._retries = 0
        self._rto_deadline = None  # RFC 6298 5.3: restarted below if data is still outstanding
        if self.state not in (S.SYN_SENT, S.SYN_RECEIVED):
            if self.congestion.on_new_ack(acked, ack):
                self._retransmit_head = self.smss

    def _update_window(self, header: Tcp, seq: int, ack: int, scaled: bool) -> None:
        """Take the peer's window if this segment is newer than the last that set it (3.10.7.4)."""
        if self.snd_wl1 < seq or (self.snd_wl1 == seq and self.snd_wl2 <= ack) or not scaled:
            self.snd_wnd = header.window << self.snd_wscale if scaled else header.window
            self._max_snd_wnd = max(self._max_snd_wnd, self.snd_wnd)
            self.snd_wl1, self.snd_wl2 = seq, ack

    def _receive_text(self, start: int, data: bytes, fin: bool, now: int) -> None:
        if self.state not in SYNCHRONIZED_RECEIVING:
            return  # CLOSE-WAIT, CLOSING, LAST-ACK: the peer already sent FIN; ignore text
        if self._read_closed and data and self.state is not S.ESTABLISHED:
            # Linux's tcp_rcv_state_process: in FIN-WAIT-1/2 with reading shut (close, or shutdown SHUT_RDWR),
            # new data aborts the connection with RST (LINUX_MIB_TCPABORTONDATA); the user sees ECONNRESET.
            self._resets.append(self._header(self.snd_nxt, F.RST))
            self._fail(errno.ECONNRESET, Trigger.ABORT)
            return
        if data:
            self._data_arrived(len(data), now)
        if start != self.rcv_nxt:
            self._out_of_order[start] = (data, fin)
            self._queue_ack()  # RFC 5681 4.2: out-of-order data is acknowledged at once
            return
        filled_hole = bool(self._out_of_order)
        self._deliver(data, fin)
        while self._out_of_order and not self._fin_received:
            ready = [s for s in self._out_of_order if s <= self.rcv_nxt]
            if not ready:
                break
            for s in ready:
                queued, queued_fin = self._out_of_order.pop(s)
                if s + len(queued) + queued_fin > self.rcv_nxt:
                    self._deliver(queued[self.rcv_nxt - s :], queued_fin)
        self._ack_owed = True
        # RFC 5681 4.2: at once when a hole is filled; RFC 1122 4.2.3.2: at least every second
        # full-sized segment, counted in bytes as Linux does (more than one rcv_mss unacked,
        # __tcp_ack_snd_check); at once in quickack mode; otherwise when the delayed-ACK timer fires.
        if (
            filled_hole
            or fin
            or self._quick_acks
            or self.config.delayed_ack == 0
            or self.rcv_nxt - self._rcv_wup > self._rcv_mss
        ):
            self._queue_ack()

    def _data_arrived(self, length: int, now: int) -> None:
        """Linux's tcp_event_data_recv and tcp_measure_rcv_mss: learn the peer's segment size;
        on the first data, or after a silence longer than the RTO, ack the next segments at
        once (quickack mode) so a sender in slow start is not held back by delayed ACKs."""
        if length >= self._rcv_mss:
            self._rcv_mss = min(length, self.smss)
        if self._last_data is None or now - self._last_data > self.rto.rto:
            window = max(0, self._rcv_adv - self.rcv_nxt)
            self._enter_quickack(min(self.config.max_quick_acks, window // (2 * self._rcv_mss) or 2))
        self._last_data = now

    def _enter_quickack(self, count: int) -> None:
        self._quick_acks = max(self._quick_acks, count)

    def _deliver(self, data: bytes, fin: bool) -> None:
        if data:
            self._recv_buffer += data
            self.rcv_nxt += len(data)
            self._events.append(DataArrived(len(data)))
        if fin and not self._fin_received:
            # Eighth step: FIN (RFC 9293 3.10.7.4).
            self._fin_received = True
            self.rcv_nxt += 1
            self._out_of_order.clear()
            self._move(Trigger.RCV_FIN)
            self._events.append(EndOfStream())

    # ------------------------------------------------------------------ timers
    def _clear_timers(self) -> None:
        self._rto_deadline = self._persist_deadline = self._delack_deadline = self._time_wait_deadline = None
        self._keepalive_deadline = None
        self._ack_owed = False

    def get_timer(self) -> int | None:
        """The earliest deadline among retransmission, persist, delayed ACK and TIME-WAIT."""
        deadlines = [
            d
            for d in (
                self._rto_deadline,
                self._persist_deadline,
                self._delack_deadline,
                self._time_wait_deadline,
                self._keepalive_deadline,
            )
            if d is not None
        ]
        return min(deadlines) if deadlines else None

    def handle_timer(self, now: int) -> None:
        self.changed()
        if self._time_wait_deadline is not None and now >= self._time_wait_deadline:
            self._time_wait_deadline = None
            self._move(Trigger.TIME_WAIT_EXPIRED)
            self._events.append(Closed())
            return
        if self._delack_deadline is not None and now >= self._delack_deadline:
            self._delack_deadline = None
            self._queue_ack()
        if self._persist_deadline is not None and now >= self._persist_deadline:
            self._persist_deadline = None
            self._probe_zero_window()
        if self._rto_deadline is not None and now >= self._rto_deadline:
            self._rto_deadline = None
            self._on_retransmission_timeout(now)
        if self._keepalive_deadline is not None and now >= self._keepalive_deadline:
            self._keep_alive()
        self._arm_timers(now)
        self._report_congestion()

    def _on_retransmission_timeout(self, now: int) -> None:
        """RFC 6298 5.4-5.6: retransmit the earliest unacknowledged segment, back off."""
        syn_unacked = self.state in (S.SYN_SENT, S.SYN_RECEIVED)
        self._retries += 1
        if self._retries == 1:
            self._stalled_since = now - self.rto.rto  # the deadline that fired was armed when it was sent
        if self._retries > self._retry_limit() or (
            self.config.user_timeout and now - self._stalled_since >= self.config.user_timeout
        ):
            self._fail(errno.ETIMEDOUT, Trigger.ABORT)
            return
        self.rto.back_off()
        self._rtt_seq = None  # Karn's rule
        if not syn_unacked:
            self.congestion.on_timeout(self.snd_max - self.snd_una)
        self.snd_nxt = self.snd_una  # go back N: everything after snd_una is sent again

    def _retry_limit(self) -> int:
        """Retransmissions allowed before the connection fails: a passive open's SYN-ACK has tcp_synack_retries, an
        active open's SYN (simultaneous open's SYN-ACK too) tcp_syn_retries, data tcp_retries2."""
        if self.state is S.SYN_RECEIVED and self._passive:
            return self.config.synack_retries
        return self.config.syn_retries if self.state in (S.SYN_SENT, S.SYN_RECEIVED) else self.config.retries

    def _keep_alive(self) -> None:
        """The peer has been silent for the keepalive time (RFC 1122 4.2.3.6, Linux's tcp_keepalive_timer):
        after keepalive_count unanswered probes the connection resets and fails with ETIMEDOUT; else one
        more probe, an ACK one byte behind snd_una that the peer must answer (tcp_xmit_probe_skb)."""
        self._keepalive_deadline = None
        if self._keepalive_probes >= self.config.keepalive_count:
            self._resets.append(self._header(self.snd_nxt, F.RST))  # tcp_send_active_reset
            self._fail(errno.ETIMEDOUT, Trigger.ABORT)
            return
        self._keepalive_probes += 1
        self._acks.append((self._header(self.snd_una - 1, F.ACK), b""))

    def path_mtu_lowered(self, mtu: int) -> None:
        """ICMP fragmentation needed for this peer (RFC 1191 6.4): segments shrink to the path MTU less the
        IPv4 and TCP headers, and what is outstanding (dropped for its size) is sent again now at that size,
        without a congestion response (Linux's tcp_mtu_reduced and tcp_simple_retransmit)."""
        mss = mtu - 40
        if mss >= self.smss:
            return
        self.smss = mss
        self.changed()
        if self.snd_max > self.snd_una and self.state not in (S.SYN_SENT, S.SYN_RECEIVED):
            self._rtt_seq = None  # Karn's rule: these are retransmissions
            self.snd_nxt = self.snd_una

    def _probe_zero_window(self) -> None:
        """RFC 9293 3.8.6.1: with a zero window, send one octet now and then to learn when it opens."""
        self._persist_backoff += 1
        if self.snd_nxt == self.snd_una and self.snd_nxt < self._fin_seq:
            self.snd_nxt += 1
            self.snd_max = max(self.snd_max, self.snd_nxt)
        self._retransmit_head = 1

    def _arm_timers(self, now: int) -> None:
        if self.state in (S.CLOSED, S.TIME_WAIT, S.LISTEN):
            return
        if self.config.keepalive:
            self._arm_keepalive()
        if self._ack_owed and self._delack_deadline is None:
            self._delack_deadline = now + self.config.delayed_ack
        outstanding = self.snd_max > self.snd_una
        unsent = self.snd_nxt < self._fin_seq
        if self.snd_una != self.iss and self.snd_wnd == 0 and (outstanding or unsent):
            self._rto_deadline = None
            if self._persist_deadline is None:
                interval = min(self.config.max_rto, self.rto.rto << self._persist_backoff)
                self._persist_deadline = now + interval
            return
        self._persist_deadline = None
        self._persist_backoff = 0
        if outstanding:
            if self._rto_deadline is None:
                self._rto_deadline = now + self.rto.rto  # RFC 6298 5.1
                if self._retries and self.config.user_timeout:  # Linux's tcp_clamp_rto_to_user_timeout
                    self._rto_deadline = min(self._rto_deadline, self._stalled_since + self.config.user_timeout)
        else:
            self._rto_deadline = None  # RFC 6298 5.2

    def _arm_keepalive(self) -> None:
        """Probe when the peer has been silent for keepalive_idle, then every keepalive_interval, while
        nothing we sent waits for its ACK (the retransmission timer watches that) and nothing is queued."""
        quiet = self.state in KEEPALIVE_STATES and not self._send_buffer and self.snd_max == self.snd_una
        self._keepalive_deadline = (
            self._heard_at + self.config.keepalive_idle + self._keepalive_probes * self.config.keepalive_interval
            if quiet
            else None
        )

    # ------------------------------------------------------------------ output
    def _window_available(self) -> int:
        return max(0, self.config.receive_buffer - len(self._recv_buffer))

    def _advertise(self) -> int:
        """The window field for the next segment. The right edge never moves left, and moves
        right only by at least min(buffer/2, MSS) (receiver SWS avoidance, RFC 9293 3.8.6.2.2)."""
        available = self._window_available()
        current = max(0, self._rcv_adv - self.rcv_nxt)
        threshold = min(self.config.receive_buffer // 2, self.smss)
        window = available if available - current >= threshold else current
        field = min(0xFFFF, (window + (1 << self.rcv_wscale) - 1) >> self.rcv_wscale)
        self._rcv_adv = max(self._rcv_adv, self.rcv_nxt + (field << self.rcv_wscale))
        self._rcv_wup = self.rcv_nxt  # what this segment acknowledges (Linux tcp_select_window)
        return field

    def _header(self, seq: int, flags: TcpFlags) -> Tcp:
        if F.RST in flags:
            return Tcp(self.local_port, self.remote_port, seq & MASK, 0, flags, 0)
        return Tcp(self.local_port, self.remote_port, seq & MASK, self.rcv_nxt & MASK, flags | F.ACK, self._advertise())

    def _reset_for(self, header: Tcp) -> Tcp:
        """<SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.3)."""
        return Tcp(self.local_port, self.remote_port, header.ack, 0, F.RST, 0)

    def _queue_ack(self) -> None:
        """An ACK now, one per segment that asks for it: three out-of-order arrivals must
        make three duplicate ACKs (RFC 5681 4.2)."""
        if self.state is not S.CLOSED:
            self._acks.append((self._header(self.snd_nxt, F.ACK), b""))
            self._ack_sent()

    def _ack_sent(self) -> None:
        """An ACK left (alone or on data): nothing is owed, one quick ACK is used
        (tcp_event_ack_sent, tcp_dec_quickack_mode)."""
        self._quick_acks = max(0, self._quick_acks - 1)
        self._ack_owed = False
        self._delack_deadline = None

    @staticmethod
    def _carries_ack(segments: list[tuple[Tcp, bytes]]) -> bool:
        return any(payload or header.flags & (F.SYN | F.FIN) for header, payload in segments)

    def segments_to_send(self, now: int) -> list[tuple[Tcp, bytes]]:
        """Everything to transmit now: resets, ACKs, SYN, retransmissions, data within
        min(cwnd, window) as Nagle allows, FIN."""
        out: list[tuple[Tcp, bytes]] = [(reset, b"") for reset in self._resets]
        self._resets.clear()
        acks, self._acks = self._acks, []
        if self.state in (S.CLOSED, S.LISTEN):
            return out + acks
        sent: list[tuple[Tcp, bytes]] = []
        if self.snd_una == self.iss:  # our SYN is not acknowledged yet
            if self.snd_nxt == self.iss:
                sent.append(self._syn_segment(now))
        elif self.state is not S.TIME_WAIT:
            if self._retransmit_head:
                sent.append(self._segment_at(self.snd_una, self._retransmit_head, fin=self.snd_max > self._fin_seq))
                self.retransmissions += 1
            self._send_new_data(sent, now)
        self._retransmit_head = 0
        if self._carries_ack(sent) and self.state is not S.CLOSED:  # type: ignore[comparison-overlap]  # may have moved
            if self._ack_owed:
                self._ack_sent()  # a data segment carried the owed ACK
            if not self._out_of_order:
                # The data carries the same (or a newer) ACK: the pure ones add nothing. With a
                # hole in the stream they are duplicate ACKs the sender counts (RFC 5681 4.2): kept.
                acks = []
        self._arm_timers(now)
        return out + acks + sent

    def _syn_segment(self, now: int) -> tuple[Tcp, bytes]:
        """SYN or SYN,ACK with our MSS and, when allowed, window scale (RFC 9293 3.7.1, RFC 7323 2).
        Its window field is never scaled (RFC 7323 2.2)."""
        if self.snd_max == self.iss:
            self._rtt_seq, self._rtt_start = self.iss + 1, now
        else:
            self.retransmissions += 1
        self.snd_nxt = self.snd_max = self.iss + 1
        window = min(0xFFFF, self._window_available())
        options: tuple[Any, ...] = (Mss(self.config.mss),)
        if self.state is S.SYN_SENT:
            if self.config.window_scaling:
                options += (WindowScale(self._own_window_shift()),)
            return Tcp(self.local_port, self.remote_port, self.iss, 0, F.SYN, window, options=options), b""
        if self._scaling:
            options += (WindowScale(self.rcv_wscale),)
        self._rcv_adv = max(self._rcv_adv, self.rcv_nxt + window)
        return Tcp(
            self.local_port, self.remote_port, self.iss, self.rcv_nxt & MASK, F.SYN | F.ACK, window, options=options
        ), b""

    def _segment_at(self, seq: int, limit: int, fin: bool) -> tuple[Tcp, bytes]:
        """The segment starting at `seq`: up to `limit` bytes of data, and FIN (when `fin`
        allows it) if it reaches the end of the queued data."""
        offset = seq - self._buf_seq
        data = bytes(self._send_buffer[offset : offset + limit])
        flags = F.ACK
        if seq + len(data) == self._fin_seq:
            if self._fin_queued and fin:
                flags |= F.FIN
            if data:
                flags |= F.PSH  # the segment that empties the buffer, as BSD and Linux do
        return self._header(seq, flags), data

    def _send_new_data(self, out: list[tuple[Tcp, bytes]], now: int) -> None:
        """Send from snd_nxt while min(cwnd, peer window) allows (RFC 5681 3.1; RFC 9293 3.8.6)."""
        if self.state not in (S.ESTABLISHED, S.CLOSE_WAIT, S.FIN_WAIT_1, S.CLOSING, S.LAST_ACK):
            return
        limit = self.snd_una + min(self.snd_wnd, self.congestion.cwnd)
        while True:
            unsent = self._fin_seq - self.snd_nxt
            fin_unsent = self._fin_queued and self.snd_nxt <= self._fin_seq
            if unsent <= 0 and not fin_unsent:
                return
            size = min(self.smss, unsent, limit - self.snd_nxt)
            if unsent > 0:
                if size <= 0:
                    return
                # Nagle (RFC 9293 3.7.4) as Minshall modified it and Linux sends it
                # (tcp_nagle_check, tcp_minshall_check): the last short piece goes when no
                # earlier short segment is unacknowledged, with TCP_NODELAY, when a FIN follows
                # (Linux pushes on close), or when it is resent after a timeout. Sender SWS
                # avoidance (3.8.6.2.1): a window-limited short segment when nothing is in
                # flight or it is half the largest window.
                idle = self.snd_nxt == self.snd_una
                resending = self.snd_nxt < self.snd_max
                short_acked = self._snd_sml <= self.snd_una
                pushing = self.config.nodelay or self._fin_queued or resending or short_acked
                if size < self.smss and not ((size == unsent and pushing) or idle or 2 * size >= self._max_snd_wnd):
                    return
            header, data = self._segment_at(self.snd_nxt, max(size, 0), fin=True)
            if self.snd_nxt >= self.snd_max and self._rtt_seq is None:
                self._rtt_seq, self._rtt_start = self.snd_nxt + len(data), now
            elif self.snd_nxt < self.snd_max:
                self.retransmissions += 1
                self._rtt_seq = None
            if 0 < len(data) < self.smss and self.snd_nxt >= self.snd_max:
                self._snd_sml = self.snd_nxt + len(data)  # tcp_minshall_update: new short data
            self.snd_nxt += len(data) + (F.FIN in header.flags)
            self.snd_max = max(self.snd_max, self.snd_nxt)
            out.append((header, data))
            if F.FIN in header.flags:
                return
