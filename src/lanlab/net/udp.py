"""UDP on the real network: listen (and answer), send, broadcast, and collect the replies.

Plain blocking sockets with select(): one socket, one loop, nothing to schedule. The clock for
round trips is time.monotonic(); the timestamps shown to people are time.time().
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

LIMITED_BROADCAST = "255.255.255.255"
DEFAULT_PORT = 7788
# The largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP): never truncate a datagram.
MAX_DATAGRAM = 65507
# Replies read after a wait has run out (--interval 0): those queued by then, at most this many.
LATE_REPLIES = 256


@dataclass(frozen=True, slots=True)
class Datagram:
    """One datagram received: who sent it, what it held, when (wall clock, seconds)."""

    sender: str
    port: int
    data: bytes
    received_at: float


@dataclass(frozen=True, slots=True)
class UdpReply:
    """A datagram that came back after we sent: its sender, bytes and round-trip time."""

    sender: str
    port: int
    data: bytes
    rtt_ms: float


@dataclass(slots=True)
class Exchange:
    """What a send-and-collect produced: how many datagrams went out, what came back."""

    sent: int = 0
    replies: list[UdpReply] = field(default_factory=list)


def listening_socket(port: int = DEFAULT_PORT, bind: str = "0.0.0.0", group: str | None = None) -> socket.socket:
    """A UDP socket bound to bind:port; with `group`, it also joins that multicast group.

    For a group the socket binds to the group address itself (so only that group's datagrams
    arrive) and `bind`, when given, names the interface address that joins (RFC 1112 4).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if group is None:
            sock.bind((bind, port))
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((group, port))
            membership = socket.inet_aton(group) + socket.inet_aton(bind)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    except BaseException:
        sock.close()
        raise
    return sock


def sending_socket(
    *, broadcast: bool = False, interface: str | None = None, source: str | None = None
) -> socket.socket:
    """A UDP socket to send from (and hear replies on).

    `interface` pins it to one device (SO_BINDTODEVICE, needs root); `source` binds it to one
    local address. Either tells Linux where 255.255.255.255 goes on a host without a default
    route, where it would otherwise refuse with "Network is unreachable".
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if broadcast:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        if interface is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        if source is not None:
            sock.bind((source, 0))
    except BaseException:
        sock.close()
        raise
    return sock


def _ready(sock: socket.socket, timeout: float | None) -> bool:
    readable, _, _ = select.select([sock], [], [], timeout)
    return bool(readable)


def receive(
    sock: socket.socket,
    count: int | None = None,
    answer: Callable[[Datagram], bytes | None] | None = None,
) -> Iterator[tuple[Datagram, bytes | OSError | None]]:
    """Yield (datagram, what we answered or None) as datagrams arrive; stop after `count`.

    An answer the kernel refuses to send (the sender's address has no route from here, as a forged
    or misconfigured one may not) is yielded as that OSError: one datagram never stops the listener."""
    received = 0
    while count is None or received < count:
        data, (host, port) = sock.recvfrom(MAX_DATAGRAM)
        received += 1
        datagram = Datagram(host, port, data, time.time())
        answered = answer(datagram) if answer is not None else None
        response: bytes | OSError | None = answered
        if answered is not None:
            try:
                sock.sendto(answered, (host, port))
            except OSError as error:
                response = error
        yield datagram, response


def exchange(
    sock: socket.socket,
    destination: tuple[str, int],
    payload: bytes,
    *,
    count: int = 1,
    interval: float = 1.0,
    wait: float = 0.0,
    expect: int | None = None,
    on_reply: Callable[[UdpReply], None] | None = None,
) -> Exchange:
    """Send `payload` `count` times, `interval` apart, collecting replies meanwhile.

    Stops `wait` seconds after the last send, or as soon as `expect` replies came, whichever is
    first. A reply's round trip counts from the latest send before it. Ctrl-C ends it early
    with the replies so far, as ping's statistics do.
    """
    result = Exchange()
    try:
        for index in range(count):
            sent_at = time.monotonic()
            sock.sendto(payload, destination)
            result.sent += 1
            listen_for = wait if index == count - 1 else interval
            if _collect(sock, sent_at, sent_at + listen_for, result, expect, on_reply):
                break
    except KeyboardInterrupt:
        pass
    return result


def _collect(
    sock: socket.socket,
    sent_at: float,
    until: float,
    result: Exchange,
    expect: int | None,
    on_reply: Callable[[UdpReply], None] | None,
) -> bool:
    """Add replies to `result` until the monotonic time `until` (those already queued, even once it
    passed: --interval 0 still hears them); True once `expect` came."""
    late = 0
    while expect is None or len(result.replies) < expect:
        remaining = until - time.monotonic()
        if remaining <= 0:
            late += 1  # past the deadline only what is queued now, never an endless stream
            if late > LATE_REPLIES or not _ready(sock, 0):
                return False
        elif not _ready(sock, remaining):
            return False
        data, (host, port) = sock.recvfrom(MAX_DATAGRAM)
        reply = UdpReply(host, port, data, round((time.monotonic() - sent_at) * 1000, 3))
        result.replies.append(reply)
        if on_reply is not None:
            on_reply(reply)
    return True
