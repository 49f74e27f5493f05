"""ICMP echo over a real socket, the way iputils ping does it (RFC 792 echo, RFC 1122 3.2.2.6).

Socket choice: an unprivileged ICMP datagram socket (Linux `SOCK_DGRAM, IPPROTO_ICMP`) when
the caller's group is inside `net.ipv4.ping_group_range`; the kernel then owns the echo
identifier (it rewrites it to the socket's "port") and hands us only our own replies, so we
match them on the sequence number. Otherwise a raw socket (root or CAP_NET_RAW), which sees
every ICMP packet arriving, so replies are matched on identifier and sequence.

icmplib was considered: it waits for one reply per request, reads at most 1024 bytes, does not
report the reply's TTL and cannot bind to a device, all of which iputils' behaviour needs.
Packets are built and parsed with lanlab.wire's Icmp and IPv4 codecs.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address

from lanlab.i18n import L_
from lanlab import ping_lines
from lanlab.ping_lines import rtt_summary_ms
from lanlab.proto.icmp import linger_ns, ping_error_words, pipe_after
from lanlab.wire import Icmp, IcmpType, IPv4, WireError

# Linux constants the socket module does not export everywhere.
IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_TTL_CMSG = 2  # cmsg type carrying the received TTL (IP_TTL)
IP_MTU_DISCOVER = getattr(socket, "IP_MTU_DISCOVER", 10)  # linux/in.h; CPython's socket module does not name it
IP_MTU = getattr(socket, "IP_MTU", 14)  # a connected socket's path MTU
SO_EE_ORIGIN_ICMP = 2  # struct sock_extended_err.ee_origin for an ICMP error from the network
MSG_ERRQUEUE = getattr(socket, "MSG_ERRQUEUE", 0x2000)
EXTENDED_ERR = struct.Struct("=IBBBBII")  # struct sock_extended_err (linux/errqueue.h)


class PingPermissionError(PermissionError):
    """Neither an ICMP datagram socket nor a raw socket may be opened; the message says why."""


class BroadcastRefused(PermissionError):
    """The target is a broadcast address and -b was not given (the kernel's EACCES, as iputils reads it)."""


@dataclass(frozen=True, slots=True)
class PingOptions:
    """iputils ping's knobs, in seconds and bytes."""

    count: int | None = None  # -c: stop after this many replies (or sends, when none come)
    interval: float = 1.0  # -i
    timeout: float = 10.0  # -W: how long to wait for a reply when none has come at all
    deadline: float | None = None  # -w: stop after this long, whatever happened
    # lanlab's own: end the run this long after it started, as Ctrl-C would then, changing nothing else (-w
    # also ends it at the first error report); the kernel lab's --until
    stop_after: float | None = None
    size: int = 56  # -s: ICMP data bytes
    ttl: int | None = None  # -t
    pmtudisc: int | None = None  # -M: an IP_MTU_DISCOVER value (None: the kernel's default, want)
    interface: str | None = None  # -I: a device name or a source address
    broadcast: bool = False  # -b: a broadcast address may be pinged (SO_BROADCAST)


@dataclass(frozen=True, slots=True)
class Reply:
    """An echo reply: its sequence, sender, size, TTL and round-trip time in nanoseconds."""

    seq: int
    source: str
    size: int
    ttl: int | None
    rtt_ns: int
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class IcmpErrorReport:
    """An ICMP error about one of our requests (unreachable, TTL exceeded), or a local one; `too_long_for` is
    the path MTU a request -M do kept from leaving (iputils' "local error: message too long")."""

    seq: int
    source: str
    text: str
    too_long_for: int | None = None
    from_network: bool = True  # an ICMP message (a router's, or this host's for a failed ARP), not a local error


@dataclass
class PingStatistics:
    """What the last two lines of iputils ping say."""

    transmitted: int = 0
    received: int = 0
    duplicates: int = 0
    errors: int = 0
    elapsed_ns: int = 0  # from the first request to the last one, as iputils' "time" counts
    socket_kind: str = ""  # "dgram" (unprivileged ICMP socket) or "raw"
    # iputils' pipesize: the most requests out at once, counted when an answer (reply or ICMP error) came; the
    # statistics say "pipe N" when it is over 1 (answers slower than the interval, a host whose ARP fails)
    pipe: int = 0
    rtts_ns: list[int] = field(default_factory=list)

    @property
    def loss_percent(self) -> float:
        if self.transmitted == 0:
            return 0.0
        return 100.0 * (self.transmitted - self.received) / self.transmitted

    def rtt_summary_ms(self) -> tuple[float, float, float, float] | None:
        """(min, avg, max, mdev) in milliseconds, as iputils prints them."""
        return rtt_summary_ms(self.rtts_ns)


def resolve(host: str) -> IPv4Address:
    """The IPv4 address of a name or dotted quad; socket.gaierror if it has none."""
    return IPv4Address(socket.gethostbyname(host))


class EchoSocket:
    """One ICMP socket for one destination: send echo requests, read replies and errors.

    Opening it raises PingPermissionError (no socket allowed) or OSError (bad -I)."""

    def __init__(self, destination: IPv4Address, options: PingOptions) -> None:
        self.destination = destination
        self.interface = options.interface
        self.sock, self.kind = _open_icmp_socket()
        self.broadcast = False  # the target turned out a broadcast address (-b let it be pinged)
        try:
            self._configure(self.sock, options)
            self.source = self._route_source(options)
        except OSError:
            self.sock.close()
            raise
        # A raw socket sees every ICMP packet on the host: pick an identifier to recognise ours.
        self.ident = os.getpid() & 0xFFFF if self.kind == "raw" else 0

    def _configure(self, sock: socket.socket, options: PingOptions) -> None:
        sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        if self.kind == "dgram":
            sock.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        if options.ttl is not None:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, options.ttl)
        if options.pmtudisc is not None:
            sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, options.pmtudisc)
        _bind_to(sock, options.interface)
        sock.setblocking(False)

    def _route_source(self, options: PingOptions) -> str:
        """The address requests leave from, found as iputils finds it before sending anything: a UDP
        socket connected to the destination (on -I's interface). No route fails here, OSError
        ENETUNREACH, as iputils' "connect: Network is unreachable" (exit 2), not as replies "From" the
        destination for requests that never left."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            _bind_to(probe, options.interface)
            try:
                probe.connect((str(self.destination), 1025))
            except PermissionError:
                # EACCES: a broadcast address, which a socket reaches only with SO_BROADCAST (iputils' ping4_run)
                if not options.broadcast:
                    raise BroadcastRefused(errno.EACCES, ping_lines.BROADCAST_REFUSED) from None
                self.broadcast = True
                for sock in (probe, self.sock):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                probe.connect((str(self.destination), 1025))
            return str(probe.getsockname()[0])

    def local_error(self, seq: int, error: OSError) -> IcmpErrorReport:
        """What a failed send reports: the path MTU for a request too big for it (-M do: EMSGSIZE; the error
        queue's copy quotes no request, so it is taken here), else the errno's words, "From" this host."""
        if error.errno == errno.EMSGSIZE:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                _bind_to(probe, self.interface)
                probe.connect((str(self.destination), 1025))
                mtu = probe.getsockopt(socket.IPPROTO_IP, IP_MTU)
            return IcmpErrorReport(seq, self.source, f"local error: message too long, mtu={mtu}", mtu)
        return IcmpErrorReport(seq, self.source, error.strerror or str(error))

    def close(self) -> None:
        self.sock.close()

    def send(self, seq: int, size: int) -> None:
        """Send echo request `seq` with `size` data bytes (iputils' pattern: byte i is i & 0xff)."""
        payload = bytes(i & 0xFF for i in range(size))
        request = Icmp(IcmpType.ECHO_REQUEST, 0, rest=(self.ident << 16) | (seq & 0xFFFF))
        self.sock.sendto(request.build(payload), (str(self.destination), 0))

    def fileno(self) -> int:
        return self.sock.fileno()

    def read(self) -> Iterator[tuple[str, int, int, int | None] | IcmpErrorReport]:
        """Everything waiting now: (source, seq, icmp bytes, ttl) for replies, or error reports.

        ICMP errors about our requests (and local ones) come through the socket's error queue
        (IP_RECVERR), for both kinds of socket, so they are reported once, with the offender's
        address and the quoted echo header; a raw socket's copy of the error packet is ignored.
        """
        yield from self._drain_error_queue()
        while True:
            try:
                data, ancillary, _flags, address = self.sock.recvmsg(65535, 64)
            except BlockingIOError:
                break
            except OSError:
                # With IP_RECVERR a pending error fails recv; the queue says which request it was.
                yield from self._drain_error_queue()
                continue
            parsed = self._parse(data, ancillary, address[0])
            if parsed is not None:
                yield parsed

    def _parse(self, data: bytes, ancillary: list, source: str) -> tuple[str, int, int, int | None] | None:
        try:
            if self.kind == "raw":
                ip, data = IPv4.parse(data)
                ttl: int | None = ip.ttl
            else:
                ttl = next(
                    (
                        struct.unpack("=i", value[:4])[0]
                        for level, kind, value in ancillary
                        if level == socket.IPPROTO_IP and kind == IP_TTL_CMSG
                    ),
                    None,
                )
            icmp, _payload = Icmp.parse(data)
        except WireError:
            return None  # a malformed packet is a drop, never a crash
        if icmp.type != IcmpType.ECHO_REPLY or (self.kind == "raw" and icmp.ident != self.ident):
            return None  # an error packet (read from the error queue instead) or someone else's ping
        return source, icmp.seq, len(data), ttl

    def _drain_error_queue(self) -> Iterator[IcmpErrorReport]:
        while True:
            try:
                data, ancillary, _flags, _address = self.sock.recvmsg(65535, 512, MSG_ERRQUEUE)
            except (BlockingIOError, OSError):
                return
            for level, kind, value in ancillary:
                if level != socket.IPPROTO_IP or kind != IP_RECVERR:
                    continue
                err_no, origin, icmp_type, icmp_code, _pad, info, _data = EXTENDED_ERR.unpack_from(value)
                offender = socket.inet_ntoa(value[EXTENDED_ERR.size + 4 : EXTENDED_ERR.size + 8])
                try:
                    echo, _ = Icmp.parse(data[:8])  # the echo request the error is about
                except WireError:
                    continue
                if self.kind == "raw" and echo.ident != self.ident:
                    continue  # every raw ICMP socket hears every error: this one is another ping's
                if origin == SO_EE_ORIGIN_ICMP:
                    text = ping_error_words(icmp_type, icmp_code, info)  # info: the MTU of a "frag needed"
                else:
                    text = "Destination Host Unreachable" if err_no == errno.EHOSTUNREACH else os.strerror(err_no)
                yield IcmpErrorReport(echo.seq, offender, text, from_network=origin == SO_EE_ORIGIN_ICMP)


def _bind_to(sock: socket.socket, interface: str | None) -> None:
    """-I: an address to send from, or an interface to send on."""
    if interface:
        try:
            sock.bind((str(IPv4Address(interface)), 0))
        except ValueError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())


def _open_icmp_socket() -> tuple[socket.socket, str]:
    try:
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP), "dgram"
    except PermissionError:
        pass
    try:
        return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP), "raw"
    except PermissionError:
        low, high = _ping_group_range()
        raise PingPermissionError(
            L_(
                "cannot open an ICMP socket: your group id {gid} is outside net.ipv4.ping_group_range "
                '({low} {high}) and there is no CAP_NET_RAW; run `sudo sysctl -w net.ipv4.ping_group_range="0 '
                '2147483647"`, or `sudo setcap cap_net_raw+ep` on the python binary, or run as root',
                gid=os.getgid(),
                low=low,
                high=high,
            )
        ) from None


def _ping_group_range() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ping_group_range") as file:
            low, high = file.read().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 1, 0


Event = Reply | IcmpErrorReport


def ping(
    sock: EchoSocket,
    options: PingOptions,
    on_event: Callable[[Event], None],
    clock: Callable[[], int] = time.monotonic_ns,
) -> PingStatistics:
    """Send echo requests on `sock` at `options.interval`, report each reply or error as it comes.

    Stops like iputils: after `count` replies, or `count` sends plus the wait for their
    answers (two round trips but at least one interval once anything answered, else
    `timeout`), or at `deadline`; with a deadline, ping waits for the count's answers until
    it, and the first error report ends the run.
    """
    stats = PingStatistics()
    stats.socket_kind = sock.kind
    sent_at: dict[int, int] = {}
    answered: set[int] = set()
    start = clock()
    deadline = start + int(options.deadline * 1e9) if options.deadline is not None else None
    stop = start + int(options.stop_after * 1e9) if options.stop_after is not None else None
    ends = [t for t in (deadline, stop) if t is not None]
    end = min(ends) if ends else None  # -w or --stop-after, whichever comes first, ends the run then
    next_send = start
    interval_ns = int(options.interval * 1e9)
    seq = 0
    try:
        while True:
            now = clock()
            if end is not None and now >= end:
                break
            if options.count is not None and stats.received + stats.errors >= options.count:
                break
            if deadline is not None and stats.errors:
                break  # iputils: with -w an error report (unreachable, TTL exceeded) ends the run
            may_send = options.count is None or seq < options.count
            if may_send and now >= next_send:
                seq += 1
                sent_at[seq & 0xFFFF] = now
                answered.discard(seq & 0xFFFF)  # iputils' rcvd_clear: a wrapped sequence number is new again
                try:
                    sock.send(seq, options.size)
                except OSError as error:  # a local error (too big for -M do, the route went away): as iputils says it
                    on_event(sock.local_error(seq, error))
                    stats.errors += 1
                stats.transmitted += 1
                stats.elapsed_ns = now - start
                next_send = now + interval_ns
                continue
            if may_send:
                wait_until = next_send
            elif deadline is not None:
                # with -w ping waits for the count's answers until the deadline, no linger (iputils' ping.h:
                # schedule_exit is skipped when a deadline is set)
                wait_until = deadline
            else:
                # after the last request: two round trips, at least an interval, or -W when nothing answered
                wait_until = sent_at[seq & 0xFFFF] + linger_ns(stats.rtts_ns, interval_ns, int(options.timeout * 1e9))
                if now >= wait_until:
                    break
            if end is not None:
                wait_until = min(wait_until, end)
            readable, _, _ = select.select([sock], [], [], max(wait_until - now, 0) / 1e9)
            if readable:
                for item in sock.read():
                    _account(item, sent_at, answered, stats, on_event, clock())
    except KeyboardInterrupt:
        pass  # like iputils, Ctrl-C ends the run and the statistics are still printed
    finally:
        sock.close()
    return stats


def _account(
    item: tuple[str, int, int, int | None] | IcmpErrorReport,
    sent_at: dict[int, int],
    answered: set[int],
    stats: PingStatistics,
    on_event: Callable[[Event], None],
    now: int,
) -> None:
    if isinstance(item, IcmpErrorReport):
        if item.seq in sent_at:
            stats.errors += 1
            if item.from_network:  # iputils acknowledges an ICMP error, not a local one
                stats.pipe = pipe_after(stats.pipe, stats.transmitted, item.seq)
            on_event(item)
        return
    source, seq, size, ttl = item
    if seq not in sent_at:
        return  # an answer to a request we never sent (or from an earlier run): not ours
    stats.pipe = pipe_after(stats.pipe, stats.transmitted, seq)
    rtt = now - sent_at[seq]
    duplicate = seq in answered
    if duplicate:
        stats.duplicates += 1
    else:
        answered.add(seq)
        stats.received += 1
    stats.rtts_ns.append(rtt)  # a duplicate's round trip counts too, as iputils' gather_statistics counts it
    on_event(Reply(seq, source, size, ttl, rtt, duplicate))
