"""A host's TCP: connections by (local ip, local port, remote ip, remote port), listeners
with their backlog, ephemeral ports, and RST for segments nobody wants (RFC 9293 3.10.7.1).
Sans-IO like the connections it holds; addresses are IPv4Address objects.

A host may hold thousands of connections (a server's clients), so nothing done per segment or per
call looks at all of them: a connection says when a call changed it (`TcpConnection.on_change`), and
`segments_to_send` asks only those changed since the last time, in the order the connections were
made (the order a walk over all of them had, so the output is the same); their deadlines wait in a
heap (`get_timer`, `handle_timer`), checked against the connection when they come to the top; and the
connections are indexed by local port for `bind` and the ephemeral port search."""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable
from ipaddress import IPv4Address

from lanlab.proto.tcp._connection import LocalTcpError, TcpConfig, TcpConnection
from lanlab.proto.tcp._state import TcpState, Trigger, next_state
from lanlab.units import SECOND
from lanlab.wire.tcp import Mss, Tcp, TcpFlags, WindowScale

ANY = IPv4Address("0.0.0.0")
MASK32 = 0xFFFFFFFF
EPHEMERAL_PORTS = range(32768, 61000)  # Linux ip_local_port_range
ConnectionKey = tuple[IPv4Address, int, IPv4Address, int]  # local ip, local port, remote ip, remote port
# src ip, dst ip, header, payload, the TTL its connection asks for (None: the host's default)
OutgoingSegment = tuple[IPv4Address, IPv4Address, Tcp, bytes, int | None]
F = TcpFlags
# SYN cookies (Linux's syncookies.c, net.ipv4.tcp_syncookies=1): the MSS a cookie can carry (msstab, by a 2-bit
# index), its time counter's step (tcp_cookie_time: 64 s) and age limit (MAX_SYNCOOKIE_AGE: the step it was made in
# and the next), and how long after the last cookie sent an ACK to a listener is checked as one (TCP_SYNCOOKIE_VALID)
COOKIE_MSS = (536, 1300, 1440, 1460)
COOKIE_BITS, COOKIE_MASK = 24, (1 << 24) - 1
COOKIE_STEP = 64 * SECOND
COOKIE_AGE = 2
COOKIE_RECENT = 120 * SECOND


class Listener:
    """A socket in LISTEN, with Linux's two queues. The accept queue holds connections established and not yet
    accepted; `backlog` bounds it alone (sk_acceptq_is_full: more than `backlog` wait, so backlog + 1 fit). While
    it is full a new SYN is dropped silently, so the client tries again (tcp_conn_request), and the ACK that
    would complete a handshake is dropped too (tcp_check_req's listen overflow, tcp_abort_on_overflow=0): the
    client believes it is connected, the request stays half-open and its SYN-ACK timer goes on, and a later ACK
    (the client's data, or its answer to the repeated SYN-ACK) finishes it once there is room. Half-open
    connections (the SYN queue) are not counted against `backlog`; past backlog + 1 of them (Linux 6.18's
    inet_csk_reqsk_queue_is_full) a SYN is answered with a SYN cookie and nothing is kept, as with Linux's
    tcp_syncookies=1: the ACK that brings the cookie back makes the connection, or, the accept queue full, is
    dropped, with no SYN-ACK resent (the client's data, when it sends some, tries again)."""

    def __init__(self, ip: IPv4Address, port: int, backlog: int, reuse_port: bool = False) -> None:
        self.ip = ip
        self.port = port
        self.reuse_port = reuse_port  # SO_REUSEPORT: one of a group sharing (ip, port)
        self.backlog = max(0, backlog)
        self.state = next_state(TcpState.CLOSED, Trigger.PASSIVE_OPEN)
        self.half_open: dict[ConnectionKey, TcpConnection] = {}
        self.accept_queue: deque[tuple[ConnectionKey, TcpConnection]] = deque()
        self.dropped_syns = 0  # SYNs dropped because the accept queue was full (Linux's ListenDrops for them)
        self.overflowed_acks = 0  # handshake-completing ACKs dropped for the same reason (ListenOverflows)
        self.cookies_sent = 0  # SYNs answered with a SYN cookie, the SYN queue full (SyncookiesSent)
        self.last_cookie: int | None = None  # when the last one was sent (Linux's synq overflow time)
        self.config: TcpConfig | None = None  # what accepted connections start with (socket options)

    @property
    def full(self) -> bool:
        """The accept queue is full (Linux's sk_acceptq_is_full); half-open connections do not count."""
        return len(self.accept_queue) > self.backlog

    @property
    def syn_queue_full(self) -> bool:
        """More half-open connections than `backlog` wait (Linux's inet_csk_reqsk_queue_is_full): SYN cookies."""
        return len(self.half_open) > self.backlog

    def accept(self) -> tuple[ConnectionKey, TcpConnection] | None:
        """The oldest established connection not yet accepted, or None."""
        return self.accept_queue.popleft() if self.accept_queue else None


def reset_for(header: Tcp, payload_length: int) -> Tcp | None:
    """The RST answering a segment no connection wants (RFC 9293 3.10.7.1), None for a RST."""
    if F.RST in header.flags:
        return None
    if F.ACK in header.flags:
        return Tcp(header.dst_port, header.src_port, header.ack, 0, F.RST, 0)
    length = payload_length + (F.SYN in header.flags) + (F.FIN in header.flags)
    return Tcp(header.dst_port, header.src_port, 0, (header.seq + length) & 0xFFFFFFFF, F.RST | F.ACK, 0)


class TcpStack:
    """Every TCP connection and listener of one host."""

    def __init__(self, rng: random.Random, config: TcpConfig | None = None) -> None:
        self.rng = rng
        self.config = config if config is not None else TcpConfig()
        self.connections: dict[ConnectionKey, TcpConnection] = {}
        # Kept by connection, whose hash is its identity (a key's two IPv4Address hash in Python, slowly):
        # the order the connections held were made in (self.connections'), those changed since the last
        # segments_to_send (-> their keys), the deadline last put on the heap for each
        self._made: dict[TcpConnection, int] = {}
        self._serial = itertools.count()
        self._changed: dict[TcpConnection, ConnectionKey] = {}
        self._armed: dict[TcpConnection, int] = {}
        # (deadline, made, key, connection): each connection's deadline as last seen, older ones left behind
        # and dropped when they reach the top
        self._deadlines: list[tuple[int, int, ConnectionKey, TcpConnection]] = []
        self._by_port: dict[int, dict[ConnectionKey, TcpConnection]] = {}  # local port -> its connections
        # the connections the last segments_to_send looked at, in order (closed ones too): where news may be
        self.looked_at: list[tuple[ConnectionKey, TcpConnection]] = []
        # (ip, port) -> its listeners: one, or a SO_REUSEPORT group that new connections are spread over
        self.listeners: dict[tuple[IPv4Address, int], list[Listener]] = {}
        self._listening_on: dict[int, set[IPv4Address]] = {}  # port -> the addresses listeners hold it on
        self._owner: dict[ConnectionKey, Listener] = {}  # half-open connection -> its listener
        self._resets: list[OutgoingSegment] = []  # RSTs and SYN cookies' SYN-ACKs: sent with no connection
        self._cookie_secret: bytes | None = None  # drawn from rng when the first cookie is made
        self.resets_sent = 0
        # the host's answer to "what is the MTU of the path to this address now?" (None: not known); a new
        # connection keeps its segments within it (TcpConfig.path_mtu)
        self.path_mtu: Callable[[IPv4Address], int | None] | None = None
        # and "what MSS does this host offer a peer at this address?" (None: config.mss): RFC 9293 3.7.1's
        # interface MTU less the IPv4 and TCP headers, as Linux's ipv4_default_advmss
        self.advertised_mss: Callable[[IPv4Address], int | None] | None = None

    # ------------------------------------------------------------------ user calls
    def listeners_on(self, ip: IPv4Address, port: int) -> list[Listener]:
        """The listeners holding (ip, port): on the same address, or either of them the wildcard."""
        return [
            listener
            for held in self._listening_on.get(port, ())
            if held == ip or held == ANY or ip == ANY
            for listener in self.listeners[(held, port)]
        ]

    def port_in_use(self, ip: IPv4Address, port: int, reuse: bool = False) -> bool:
        """Whether (ip, port) cannot be bound: a listener holds it, or a connection does (TIME-WAIT ones too),
        unless both that connection and this binding set SO_REUSEADDR."""
        if self.listeners_on(ip, port):
            return True
        return self.connections_in_the_way(ip, port, reuse)

    def connections_in_the_way(self, ip: IPv4Address, port: int, reuse: bool) -> bool:
        return any(
            (ip == ANY or key[0] == ip) and not (reuse and connection.config.reuse_address)
            for key, connection in self._by_port.get(port, {}).items()
        )

    def ephemeral_port(self, ip: IPv4Address, taken: Callable[[int], bool] | None = None) -> int:
        """A free local port from Linux's ephemeral range, and not `taken` (a port its user holds for a
        socket the stack does not know: bound, not listening)."""

        def free(port: int) -> bool:
            return not (taken is not None and taken(port)) and not self.port_in_use(ip, port)

        for _ in range(64):
            port = self.rng.choice(EPHEMERAL_PORTS)
            if free(port):
                return port
        # nearly full: the whole range from a random place on, as Linux's inet_csk_find_open_port goes through it
        span = len(EPHEMERAL_PORTS)
        start = self.rng.randrange(span)
        for step in range(span):
            port = EPHEMERAL_PORTS[(start + step) % span]
            if free(port):
                return port
        raise LocalTcpError("no free ephemeral port")

    def listen(
        self, ip: IPv4Address, port: int, backlog: int, reuse: bool = False, reuse_port: bool = False
    ) -> Listener:
        """Listen on (ip, port). With `reuse` (SO_REUSEADDR) another listener on the port is in the way, and
        the connections a server that was there before left behind (TIME-WAIT ones, accepted ones) only when they
        lack SO_REUSEADDR, which a server's accepted connections inherit from it: a restarted server that sets it
        binds at once, as on Linux. With `reuse_port` (SO_REUSEPORT) listeners that all set it share the port,
        and each new connection goes to one of them (Linux's reuseport group)."""
        holding = self.listeners_on(ip, port)
        sharing = reuse_port and bool(holding) and all(other.reuse_port for other in holding)
        if not sharing and (holding or self.connections_in_the_way(ip, port, reuse)):
            raise LocalTcpError(f"port {port} is in use")
        listener = Listener(ip, port, backlog, reuse_port)
        self.listeners.setdefault((ip, port), []).append(listener)
        self._listening_on.setdefault(port, set()).add(ip)
        return listener

    def close_listener(self, listener: Listener) -> None:
        """Stop listening; connections not yet accepted are reset, as Linux does."""
        group = self.listeners.get((listener.ip, listener.port), [])
        if listener in group:
            group.remove(listener)
            if not group:
                del self.listeners[(listener.ip, listener.port)]
                addresses = self._listening_on[listener.port]
                addresses.discard(listener.ip)
                if not addresses:
                    del self._listening_on[listener.port]
        listener.state = next_state(listener.state, Trigger.CLOSE)
        for key, connection in [*listener.half_open.items(), *listener.accept_queue]:
            connection.abort()
            self._owner.pop(key, None)
        listener.half_open.clear()
        listener.accept_queue.clear()

    def connect(
        self,
        local_ip: IPv4Address,
        remote_ip: IPv4Address,
        remote_port: int,
        local_port: int | None = None,
        config: TcpConfig | None = None,
    ) -> tuple[ConnectionKey, TcpConnection]:
        """An active open; the SYN leaves with the next segments_to_send."""
        if local_port is None:
            local_port = self.ephemeral_port(local_ip)
        key = (local_ip, local_port, remote_ip, remote_port)
        if key in self.connections:
            raise LocalTcpError(f"{local_ip}:{local_port} is already connected to {remote_ip}:{remote_port}")
        config = self._toward(config if config is not None else self.config_copy(), remote_ip)
        connection = TcpConnection.connect(local_port, remote_port, self.rng.getrandbits(32), config)
        self._add(key, connection)
        return key, connection

    def _add(self, key: ConnectionKey, connection: TcpConnection) -> None:
        self.connections[key] = connection
        self._made[connection] = next(self._serial)
        self._by_port.setdefault(key[1], {})[key] = connection
        connection.on_change = functools.partial(self._mark, key)  # taken away when it is forgotten
        self._changed[connection] = key  # its SYN (or SYN-ACK) is to go

    def _mark(self, key: ConnectionKey, connection: TcpConnection) -> None:
        self._changed[connection] = key

    def holds(self, connection: TcpConnection) -> bool:
        """Whether `connection` is one of this stack's (not closed and forgotten)."""
        return connection in self._made

    def _toward(self, config: TcpConfig, peer: IPv4Address) -> TcpConfig:
        """A new connection's config for the peer at `peer`: the path MTU its segments keep within, and the MSS it
        offers (the host's answers; without them config's own)."""
        config.path_mtu = self.path_mtu(peer) if self.path_mtu is not None else None
        offered = self.advertised_mss(peer) if self.advertised_mss is not None else None
        if offered is not None:
            config.mss = offered
        return config

    def config_copy(self, base: TcpConfig | None = None) -> TcpConfig:
        """Each connection gets its own copy, so TCP_NODELAY on one leaves the others alone."""
        config = base if base is not None else self.config
        return TcpConfig(**{name: getattr(config, name) for name in config.__slots__})

    # ------------------------------------------------------------------ segments
    def handle_segment(
        self, src_ip: IPv4Address, dst_ip: IPv4Address, header: Tcp, payload: bytes, now: int
    ) -> TcpConnection | None:
        """Deliver one segment; returns the connection it went to (None if it was refused)."""
        key = (dst_ip, header.dst_port, src_ip, header.src_port)
        connection = self.connections.get(key)
        if connection is not None:
            owner = self._owner.get(key)
            if owner is not None and owner.full and connection.completes_handshake(header, payload):
                owner.overflowed_acks += 1  # no room to accept it: dropped, the half-open connection kept
                return None
            connection.handle_segment(header, payload, now)
            if owner is not None:
                self._settle(owner, key, connection)
            return connection
        group = self.listeners.get((dst_ip, header.dst_port)) or self.listeners.get((ANY, header.dst_port))
        listener = None
        if group:
            # a reuseport group: the peer's address and port pick the listener, so a connection's SYN and its
            # retransmissions reach the same one (Linux hashes the 4-tuple: reuseport_select_sock)
            listener = group[(int(src_ip) * 65537 + header.src_port) % len(group)]
        if listener is not None and header.flags & (F.SYN | F.ACK | F.RST) == F.SYN:
            if listener.full:
                listener.dropped_syns += 1  # the client's SYN retransmission will try again
                return None
            if listener.syn_queue_full:
                self._send_cookie(listener, key, header, now)
                return None
            config = self._toward(self.config_copy(listener.config), src_ip)
            connection = TcpConnection.accept_syn(
                header.dst_port, header.src_port, self.rng.getrandbits(32), header, now, config
            )
            self._add(key, connection)
            self._settle(listener, key, connection)
            return connection
        if listener is not None and header.flags & (F.SYN | F.ACK | F.RST) == F.ACK:
            syn = self._cookie_syn(listener, key, header, now)
            if syn is not None:
                return self._accept_cookie(listener, key, syn, header, payload, now)
        reset = reset_for(header, len(payload))
        if reset is not None:
            self._resets.append((dst_ip, src_ip, reset, b"", None))
            self.resets_sent += 1
        return None

    # ------------------------------------------------------------------ SYN cookies
    def _cookie_hash(self, key: ConnectionKey, count: int, which: int) -> int:
        """Linux's cookie_hash: a keyed hash of the connection's addresses and ports (and the time counter)."""
        if self._cookie_secret is None:
            self._cookie_secret = self.rng.getrandbits(128).to_bytes(16, "big")
        local_ip, local_port, remote_ip, remote_port = key
        data = remote_ip.packed + local_ip.packed + remote_port.to_bytes(2, "big") + local_port.to_bytes(2, "big")
        data += (count & MASK32).to_bytes(4, "big") + bytes([which])
        return int.from_bytes(hashlib.blake2s(data, key=self._cookie_secret, digest_size=4).digest(), "big")

    def _send_cookie(self, listener: Listener, key: ConnectionKey, syn: Tcp, now: int) -> None:
        """Answer `syn` with a SYN-ACK whose sequence number is a cookie (secure_tcp_syn_cookie): a hash of the
        connection, the time counter, and the MSS (one of COOKIE_MSS, at most the peer's) and window scale the
        connection will have; nothing is kept. (Linux keeps the window scale in a timestamp option, which both
        of two Linux hosts send; the simulated TCP has no timestamps, and keeps it in the cookie.)"""
        config = self._toward(self.config_copy(listener.config), key[2])  # the MSS it offers: as accept_syn's
        offered = syn.option(Mss)
        peer_mss = min(config.mss, offered.value if isinstance(offered, Mss) else 536)
        index = max((i for i, mss in enumerate(COOKIE_MSS) if mss <= peer_mss), default=0)
        scale = syn.option(WindowScale)
        data = index | ((min(scale.shift, 14) << 3 | 4) if isinstance(scale, WindowScale) else 0)
        count = now // COOKIE_STEP
        cookie = self._cookie_hash(key, 0, 0) + syn.seq + (count << COOKIE_BITS)
        cookie = (cookie + ((self._cookie_hash(key, count, 1) + data) & COOKIE_MASK)) & MASK32
        # the SYN-ACK a request made for this SYN would send, from a connection made for it and dropped
        connection = TcpConnection.accept_syn(key[1], key[3], cookie, self._cookie_request(syn, data), now, config)
        for header, payload in connection.segments_to_send(now):
            self._resets.append((key[0], key[2], header, payload, config.ttl))
        listener.cookies_sent += 1
        listener.last_cookie = now

    @staticmethod
    def _cookie_request(syn: Tcp, data: int) -> Tcp:
        """The SYN a cookie's data stands for: the peer's sequence number, the MSS and window scale it carried."""
        options: tuple[Mss | WindowScale, ...] = (Mss(COOKIE_MSS[data & 3]),)
        if data & 4:
            options += (WindowScale(data >> 3),)
        return Tcp(syn.src_port, syn.dst_port, syn.seq, 0, F.SYN, syn.window, options=options)

    def _cookie_syn(self, listener: Listener, key: ConnectionKey, header: Tcp, now: int) -> Tcp | None:
        """The SYN whose cookie this ACK carries back (cookie_v4_check), or None: no cookie sent lately, or the
        acknowledgement number is not one (another's, too old, made with another secret)."""
        if listener.last_cookie is None or now - listener.last_cookie >= COOKIE_RECENT:
            return None
        cookie, seq = (header.ack - 1) & MASK32, (header.seq - 1) & MASK32
        value = (cookie - self._cookie_hash(key, 0, 0) - seq) & MASK32
        count = now // COOKIE_STEP
        age = (count - (value >> COOKIE_BITS)) & (MASK32 >> COOKIE_BITS)
        if age >= COOKIE_AGE:
            return None
        data = (value - self._cookie_hash(key, count - age, 1)) & COOKIE_MASK
        if data >= 1 << 7 or data >> 3 > 14:
            return None
        return self._cookie_request(Tcp(header.src_port, header.dst_port, seq, 0, F.SYN, header.window), data)

    def _accept_cookie(
        self, listener: Listener, key: ConnectionKey, syn: Tcp, header: Tcp, payload: bytes, now: int
    ) -> TcpConnection | None:
        """The connection a returned cookie stands for, made and given the ACK; with the accept queue full the ACK
        is dropped and nothing is kept (tcp_get_cookie_sock's listen overflow)."""
        if listener.full:
            listener.overflowed_acks += 1
            return None
        config = self._toward(self.config_copy(listener.config), key[2])
        connection = TcpConnection.from_cookie(key[1], key[3], (header.ack - 1) & MASK32, syn, now, config)
        self._add(key, connection)
        connection.handle_segment(header, payload, now)
        self._settle(listener, key, connection)
        return connection

    def _settle(self, listener: Listener, key: ConnectionKey, connection: TcpConnection) -> None:
        """Where a listener's connection belongs after a segment: half-open while SYN-RECEIVED, then in the accept
        queue once established, in neither once closed."""
        if connection.state is TcpState.SYN_RECEIVED:
            listener.half_open[key] = connection
            self._owner[key] = listener
            return
        if self._owner.pop(key, None) is not None:
            del listener.half_open[key]
        if connection.state is not TcpState.CLOSED:
            listener.accept_queue.append((key, connection))

    def segments_to_send(self, now: int) -> list[OutgoingSegment]:
        """The resets, then the segments of every connection changed since the last call, in the order the
        connections were made (the others have nothing to send); closed ones are forgotten. `looked_at`
        lists the connections asked."""
        out = self._resets
        self._resets = []
        changed = self._changed
        self._changed = {}
        made = self._made
        ordered = sorted(changed, key=made.__getitem__) if len(changed) > 1 else changed
        asked = [(changed[connection], connection) for connection in ordered]
        for key, connection in asked:
            ttl = connection.config.ttl
            for header, payload in connection.segments_to_send(now):
                out.append((key[0], key[2], header, payload, ttl))
            if connection.state is TcpState.CLOSED:
                self._forget(key)
                continue
            deadline = connection.get_timer()
            if deadline is None:
                self._armed.pop(connection, None)
            elif self._armed.get(connection) != deadline:
                self._arm(key, connection, deadline)
        self.looked_at = asked
        return out

    def _forget(self, key: ConnectionKey) -> None:
        connection = self.connections.pop(key)
        connection.on_change = None
        del self._made[connection]
        self._changed.pop(connection, None)
        self._armed.pop(connection, None)
        on_port = self._by_port[key[1]]
        del on_port[key]
        if not on_port:
            del self._by_port[key[1]]
        owner = self._owner.pop(key, None)
        if owner is not None:
            owner.half_open.pop(key, None)

    # ------------------------------------------------------------------ timers
    def _arm(self, key: ConnectionKey, connection: TcpConnection, deadline: int) -> None:
        self._armed[connection] = deadline
        heapq.heappush(self._deadlines, (deadline, self._made[connection], key, connection))

    def _drop_top(self) -> tuple[int, ConnectionKey, TcpConnection, bool]:
        """Take the earliest deadline off the heap: (deadline, key, connection, whether the stack still holds it)."""
        deadline, _, key, connection = heapq.heappop(self._deadlines)
        if self._armed.get(connection) == deadline:
            del self._armed[connection]
        return deadline, key, connection, connection in self._made

    def get_timer(self) -> int | None:
        """The earliest deadline of any connection. A connection changed since segments_to_send last saw its
        deadline is asked for it first (its entry re-armed, an earlier one too); then entries that are no longer
        their connection's deadline (a timer stopped or moved since) are dropped from the top."""
        heap, armed = self._deadlines, self._armed
        for connection, key in self._changed.items():
            if connection in self._made:
                deadline = connection.get_timer()
                if deadline is None:
                    armed.pop(connection, None)
                elif armed.get(connection) != deadline:
                    self._arm(key, connection, deadline)
        while heap:
            deadline, _, _, connection = heap[0]
            if armed.get(connection) == deadline and connection in self._made:
                return deadline
            self._drop_top()
        return None

    def handle_timer(self, now: int) -> None:
        """Every connection whose deadline has come handles it, in the order they were made."""
        heap = self._deadlines
        due: dict[TcpConnection, ConnectionKey] = {}
        while heap and heap[0][0] <= now:
            _, key, connection, current = self._drop_top()
            if current:
                due[connection] = key
        for connection in sorted(due, key=self._made.__getitem__) if len(due) > 1 else due:
            deadline = connection.get_timer()
            if deadline is not None and deadline <= now:
                connection.handle_timer(now)
            else:
                self._changed[connection] = due[connection]  # a deadline moved later: back on the heap
