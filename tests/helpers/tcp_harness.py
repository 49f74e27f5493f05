"""Two TCP ends wired in memory with a hand-moved clock (aioquic's transfer/roundtrip/drop
idea): no simulator, no sockets. Every segment crosses as bytes (build, then parse), so the
codec and its checksum are exercised on the way."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from ipaddress import IPv4Address

from lanlab.proto.tcp import SECOND, TcpConfig, TcpConnection, TcpState
from lanlab.wire.tcp import Tcp, tcp_checksum

CLIENT_IP = IPv4Address("198.18.0.1")
SERVER_IP = IPv4Address("198.18.0.2")
MS = 1_000_000


def over_the_wire(header: Tcp, payload: bytes, src: IPv4Address, dst: IPv4Address) -> tuple[Tcp, bytes]:
    """Build the segment, check its checksum the way a receiver does, parse it back."""
    segment = header.build(payload, src, dst)
    assert tcp_checksum(src, dst, segment) == 0
    return Tcp.parse(segment)


def open_pair(
    client_config: TcpConfig | None = None, server_config: TcpConfig | None = None, now: int = 0
) -> tuple[TcpConnection, TcpConnection]:
    """A client and a server completing the three-way handshake with no loss."""
    client = TcpConnection.connect(40000, 80, 1000, client_config)
    [(syn, _)] = client.segments_to_send(now)
    server = TcpConnection.accept_syn(
        80, 40000, 5000, over_the_wire(syn, b"", CLIENT_IP, SERVER_IP)[0], now, server_config
    )
    exchange(server, client, now)
    return client, server


def transfer(sender: TcpConnection, receiver: TcpConnection, now: int) -> list[tuple[Tcp, bytes]]:
    """Deliver everything `sender` has to send now; returns the segments."""
    segments = sender.segments_to_send(now)
    src, dst = (CLIENT_IP, SERVER_IP) if sender.local_port == 40000 else (SERVER_IP, CLIENT_IP)
    for header, payload in segments:
        receiver.handle_segment(*over_the_wire(header, payload, src, dst), now)
    return segments


def exchange(a: TcpConnection, b: TcpConnection, now: int, rounds: int = 50) -> None:
    """Transfer both ways until neither end has anything to say."""
    for _ in range(rounds):
        if not transfer(a, b, now) and not transfer(b, a, now):
            return
    raise AssertionError("the two ends kept talking")


def drain_events(connection: TcpConnection) -> list:
    events = []
    while (event := connection.next_event()) is not None:
        events.append(event)
    return events


@dataclass
class LossyLink:
    """A seeded network between the two ends: one-way delay, and per-segment probabilities of
    loss, duplication and extra delay (which reorders)."""

    rng: random.Random
    delay: int = 10 * MS
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    flight: list = field(default_factory=list)
    _count: int = 0
    sent: int = 0
    dropped: int = 0

    def send(self, segments: list[tuple[Tcp, bytes]], to_server: bool, now: int) -> None:
        src, dst = (CLIENT_IP, SERVER_IP) if to_server else (SERVER_IP, CLIENT_IP)
        for header, payload in segments:
            self.sent += 1
            if self.rng.random() < self.loss:
                self.dropped += 1
                continue
            wire = over_the_wire(header, payload, src, dst)
            for _ in range(2 if self.rng.random() < self.duplicate else 1):
                extra = self.rng.randrange(1, 4 * self.delay) if self.rng.random() < self.reorder else 0
                self._count += 1
                heapq.heappush(self.flight, (now + self.delay + extra, self._count, to_server, wire))

    def next_arrival(self) -> int | None:
        return self.flight[0][0] if self.flight else None

    def due(self, now: int) -> list[tuple[bool, tuple[Tcp, bytes]]]:
        """Segments arriving by `now`, in arrival order, as (to_server, (header, payload))."""
        arrived = []
        while self.flight and self.flight[0][0] <= now:
            _, _, to_server, wire = heapq.heappop(self.flight)
            arrived.append((to_server, wire))
        return arrived


def run_transfer(
    data: bytes,
    link: LossyLink,
    client_config: TcpConfig | None = None,
    server_config: TcpConfig | None = None,
    read_size: int = 65536,
    time_limit: int = 3600 * SECOND,
) -> tuple[bytes, TcpConnection, TcpConnection | None, int]:
    """Client connects, sends `data`, closes; the server (made by the first SYN to arrive)
    reads everything and closes. Returns what the server received, both ends, and the end time."""
    now = 0
    client = TcpConnection.connect(40000, 80, 7, client_config)
    server: TcpConnection | None = None
    received = bytearray()
    offset = 0
    while now < time_limit:
        if client.can_send and client.state is TcpState.ESTABLISHED:
            if offset < len(data):
                offset += client.send(data[offset : offset + 65536])
            else:
                client.close()
        link.send(client.segments_to_send(now), True, now)
        if server is not None:
            received += server.receive(read_size)
            if server.at_eof and server.state is TcpState.CLOSE_WAIT:
                server.close()
            link.send(server.segments_to_send(now), False, now)
        ends = [c for c in (client, server) if c is not None]
        if all(c.state is TcpState.CLOSED for c in ends) and not link.flight:
            break
        if server is not None and server.readable:
            continue  # the reader has more to take before time needs to move
        deadlines = [t for t in [link.next_arrival(), *(c.get_timer() for c in ends)] if t is not None]
        if not deadlines:
            break
        now = max(now, min(deadlines))
        for to_server, (header, payload) in link.due(now):
            if not to_server:
                client.handle_segment(header, payload, now)
            elif server is None:
                server = TcpConnection.accept_syn(80, 40000, 99, header, now, server_config)
            else:
                server.handle_segment(header, payload, now)
        for c in (client, server):
            if c is not None and (timer := c.get_timer()) is not None and timer <= now:
                c.handle_timer(now)
    return bytes(received), client, server, now


def run_until(a: TcpConnection, b: TcpConnection, now: int, end: int) -> int:
    """Exchange segments instantly and fire timers in order until none is due before `end`."""
    while True:
        exchange(a, b, now)
        deadlines = [t for t in (a.get_timer(), b.get_timer()) if t is not None]
        if not deadlines or min(deadlines) > end:
            return now
        now = min(deadlines)
        for c in (a, b):
            if (timer := c.get_timer()) is not None and timer <= now:
                c.handle_timer(now)
