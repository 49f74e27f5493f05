"""ICMP echo (RFC 792): answering pings, and a ping session with iputils' statistics, sans-IO."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address
from collections.abc import Sequence
from typing import Final

from lanlab.proto.fragments import PMTUDISC_WANT
from lanlab.wire import Icmp, IcmpType, UnreachableCode

# What iputils ping prints after "From ADDRESS icmp_seq=N" for destination unreachable, by code (ping.c,
# pr_icmph); code 4, fragmentation needed, adds the next hop's MTU.
PING_UNREACHABLE: Final = (
    "Destination Net Unreachable",
    "Destination Host Unreachable",
    "Destination Protocol Unreachable",
    "Destination Port Unreachable",
    "Frag needed and DF set",
    "Source Route Failed",
    "Destination Net Unknown",
    "Destination Host Unknown",
    "Source Host Isolated",
    "Destination Net Prohibited",
    "Destination Host Prohibited",
    "Destination Net Unreachable for Type of Service",
    "Destination Host Unreachable for Type of Service",
    "Packet filtered",
    "Precedence Violation",
    "Precedence Cutoff",
)
PING_TIME_EXCEEDED: Final = ("Time to live exceeded", "Frag reassembly time exceeded")


def ping_error_text(error: Icmp) -> str:
    """iputils ping's words for an ICMP error about one of its requests (ping.c, pr_icmph)."""
    return ping_error_words(int(error.type), int(error.code), error.rest & 0xFFFF)


def ping_error_words(icmp_type: int, code: int, mtu: int = 0) -> str:
    """The same from the type and code alone (what the kernel's error queue gives `lanlab ping`), `mtu` the
    next hop's for fragmentation needed (RFC 1191 4; the queue's ee_info)."""
    if icmp_type == IcmpType.DEST_UNREACHABLE:
        if code == 4:
            return f"{PING_UNREACHABLE[4]} (mtu = {mtu})"
        return PING_UNREACHABLE[code] if code < len(PING_UNREACHABLE) else f"Dest Unreachable, Bad Code: {code}"
    if icmp_type == IcmpType.TIME_EXCEEDED:
        return PING_TIME_EXCEEDED[code] if code < len(PING_TIME_EXCEEDED) else f"Time exceeded, Bad Code: {code}"
    return f"Bad ICMP type: {icmp_type}"


# Linux's rate limit on the ICMP errors a host or router sends (RFC 1812 4.3.2.8 asks routers to have one):
# the types in net.ipv4.icmp_ratemask (6168: destination unreachable, source quench, time exceeded, parameter
# problem), except "fragmentation needed", which path MTU discovery must hear (icmpv4_xrlim_allow).
RATE_LIMITED_TYPES: Final = frozenset(
    {IcmpType.DEST_UNREACHABLE, IcmpType.SOURCE_QUENCH, IcmpType.TIME_EXCEEDED, IcmpType.PARAMETER_PROBLEM}
)
RATE_LIMIT_BURST: Final = 6  # XRLIM_BURST_FACTOR (include/net/inetpeer.h)
RATE_LIMIT_PEERS: Final = 4096  # destinations remembered before those with a full bucket are forgotten


class IcmpRateLimit:
    """Per destination, a token bucket of `interval` (net.ipv4.icmp_ratelimit, 1000 ms): an error may go when
    a whole interval's worth of tokens is there, and at most RATE_LIMIT_BURST intervals' worth accumulate, so a
    burst of 6 errors passes and then one an interval (inet_peer_xrlim_allow). A new destination starts full.
    An interval of 0 limits nothing (icmp_ratelimit = 0). The global icmp_msgs_per_sec limit is not modelled."""

    __slots__ = ("interval", "_buckets")

    def __init__(self, interval: int) -> None:
        self.interval = interval
        self._buckets: dict[int, tuple[int, int]] = {}  # destination -> (tokens, when last counted), in ns

    def allow(self, destination: int, icmp_type: int, code: int, now: int) -> bool:
        """Whether an error of this type and code may be sent to `destination` now (and count it if so)."""
        if not self.interval or icmp_type not in RATE_LIMITED_TYPES:
            return True
        if icmp_type == IcmpType.DEST_UNREACHABLE and code == UnreachableCode.FRAG_NEEDED:
            return True
        full = RATE_LIMIT_BURST * self.interval
        # popped and put back, so the dict runs from the destination counted longest ago to the latest
        tokens, last = self._buckets.pop(destination, (full, now))
        tokens = min(tokens + now - last, full)
        allowed = tokens >= self.interval
        if allowed:
            tokens -= self.interval
        if len(self._buckets) >= RATE_LIMIT_PEERS:
            # forget the one counted longest ago, whose bucket has refilled the most (inet_peer's garbage
            # collection forgets old peers too): one step, whatever the number of destinations
            del self._buckets[next(iter(self._buckets))]
        self._buckets[destination] = (tokens, now)
        return allowed


def echo_reply(request: Icmp) -> Icmp:
    """The reply to an echo request: same identifier and sequence number (RFC 792 p.14)."""
    return Icmp(IcmpType.ECHO_REPLY, 0, request.rest)


def echo_payload(size: int) -> bytes:
    """iputils' default fill: bytes counting up from 0x08 after where its timestamp would sit."""
    return bytes((8 + i) & 0xFF for i in range(size))


@dataclass(slots=True)
class PingResult:
    """What `ping` prints at the end, as data."""

    destination: str
    transmitted: int = 0
    received: int = 0
    errors: int = 0
    duplicates: int = 0
    elapsed_ns: int = 0  # from the first request to the last, iputils' "time" in its statistics
    pipe: int = 0  # the most requests out at once when an answer came (pipe_after); said when over 1
    rtt_ns: list[int] = field(default_factory=list)  # every reply's, duplicates too (iputils' statistics count them)
    replies: list[tuple[int, int, int]] = field(default_factory=list)  # (seq, ttl, rtt_ns), duplicates too
    senders: list[tuple[str, bool]] = field(default_factory=list)  # each reply's (sender, whether a duplicate)
    error_messages: list[str] = field(default_factory=list)
    # What ping prints, in the order it happened: ("reply", index into replies) or ("error", index
    # into error_messages); a reply after an error prints after it, as ping prints them as they come.
    timeline: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rtt_ms(self) -> list[float]:
        return [round(rtt / 1e6, 6) for rtt in self.rtt_ns]

    @property
    def loss_percent(self) -> float:
        return 0.0 if not self.transmitted else 100.0 * (self.transmitted - self.received) / self.transmitted

    def as_dict(self) -> dict[str, object]:
        rtts = self.rtt_ms
        return {
            "destination": self.destination,
            "transmitted": self.transmitted,
            "received": self.received,
            "loss_percent": round(self.loss_percent, 3),
            "errors": self.errors,
            "duplicates": self.duplicates,
            "rtt_ms": rtts,
            "rtt_min_ms": min(rtts) if rtts else None,
            "rtt_avg_ms": round(sum(rtts) / len(rtts), 6) if rtts else None,
            "rtt_max_ms": max(rtts) if rtts else None,
            "pipe": self.pipe,
        }


def pipe_after(pipe: int, transmitted: int, seq: int) -> int:
    """iputils' acknowledge() (ping_common.c): an answer to request `seq` (a reply, a duplicate too, or an ICMP
    error quoting it) came while `transmitted` requests were sent, so transmitted - seq + 1 were out at once; the
    statistics end with "pipe N" when the most, N, is over 1. The 16-bit difference, as the sequence wraps."""
    out = (transmitted - seq) & 0xFFFF
    return max(pipe, out + 1) if out <= 0x7FFF else pipe


def linger_ns(rtts_ns: Sequence[int], interval_ns: int, timeout_ns: int) -> int:
    """How long ping waits after its last request (iputils' __schedule_exit, ping_common.c): two round trips but
    at least one interval once anything answered, else the timeout (-W: "affects only timeout in absence of any
    responses, otherwise ping waits for two RTTs")."""
    return max(2 * max(rtts_ns), interval_ns) if rtts_ns else timeout_ns


class PingSession:
    """One `ping -c COUNT -i INTERVAL -s SIZE -W TIMEOUT` run: when to send, what came back.

    Like iputils, sequence numbers start at 1, a reply counts once (later copies are
    duplicates), and the session ends as soon as every request has had its reply or an error
    (iputils' main_loop: nreceived + nerrors >= npackets), else a while after the last request
    (linger_ns: two round trips, or `timeout` when nothing answered).
    """

    __slots__ = (
        "destination",
        "ident",
        "count",
        "interval",
        "size",
        "timeout",
        "payload",
        "ttl",
        "pmtudisc",
        "result",
        "_next_seq",
        "_next_send",
        "_sent_at",
        "_answered",
        "_started",
        "_end",
        "_out",
    )

    def __init__(
        self,
        destination: IPv4Address,
        ident: int,
        *,
        count: int,
        interval: int,
        size: int,
        timeout: int,
        now: int,
        ttl: int | None = None,
        pmtudisc: int = PMTUDISC_WANT,
    ) -> None:
        if count < 1:
            raise ValueError("ping count must be at least 1")
        self.destination = destination
        self.ident = ident & 0xFFFF
        self.count = count
        self.interval = interval
        self.size = size
        self.timeout = timeout
        self.payload = echo_payload(size)
        self.ttl = ttl  # None: the host's default
        self.pmtudisc = pmtudisc  # -M: an IP_MTU_DISCOVER value
        self.result = PingResult(str(destination))
        self._next_seq = 1
        self._next_send: int | None = now
        self._sent_at: dict[int, int] = {}
        self._answered: set[int] = set()  # the sequence numbers a reply has come for (later ones are duplicates)
        self._started = now
        self._end: int | None = None
        self._out: list[Icmp] = []

    @property
    def done(self) -> bool:
        return self._next_send is None and self._end is None

    def get_timer(self) -> int | None:
        if self._next_send is not None:
            return self._next_send
        return self._end

    def handle_timer(self, now: int) -> None:
        if self._next_send is not None and now >= self._next_send:
            seq = self._next_seq
            self._next_seq += 1
            self._sent_at[seq & 0xFFFF] = now  # the wire's 16-bit sequence number: it wraps after 65,535
            self._answered.discard(seq & 0xFFFF)  # as iputils clears its received bit when it sends (rcvd_clear)
            if seq == 1:
                self._started = now
            self.result.transmitted += 1
            self.result.elapsed_ns = now - self._started
            self._out.append(Icmp(IcmpType.ECHO_REQUEST, 0, (self.ident << 16) | (seq & 0xFFFF)))
            if seq >= self.count:
                self._next_send = None
                self._end = now + linger_ns(self.result.rtt_ns, self.interval, self.timeout)
            else:
                self._next_send = now + self.interval
        elif self._end is not None and now >= self._end:
            self._end = None

    def requests_to_send(self) -> list[Icmp]:
        out, self._out = self._out, []
        return out

    def handle_reply(self, icmp: Icmp, ttl: int, now: int, source: str = "") -> bool:
        """Account an echo reply from `source` (its sender's address); False when it is not ours (another
        session's identifier). A second reply to a request (a broadcast ping's other hosts) is a duplicate, its
        round trip in the statistics all the same, as iputils' gather_statistics counts it."""
        if icmp.rest >> 16 != self.ident:
            return False
        seq = icmp.rest & 0xFFFF
        sent = self._sent_at.get(seq)
        if sent is None:
            self.result.duplicates += 1
            return True
        self.result.pipe = pipe_after(self.result.pipe, self.result.transmitted, seq)
        rtt = now - sent
        duplicate = seq in self._answered
        if duplicate:
            self.result.duplicates += 1
        else:
            self._answered.add(seq)
            self.result.received += 1
        self.result.rtt_ns.append(rtt)
        self.result.timeline.append(("reply", len(self.result.replies)))
        self.result.replies.append((seq, ttl, rtt))
        self.result.senders.append((source or self.result.destination, duplicate))
        if not duplicate:
            self._stop_when_all_heard()
        return True

    def owns(self, icmp: Icmp) -> bool:
        """Whether an echo request (quoted in an ICMP error, say) was sent by this session."""
        return icmp.type == IcmpType.ECHO_REQUEST and icmp.rest >> 16 == self.ident

    def handle_error(self, message: str, seq: int | None = None) -> None:
        """An error for one of our requests: an ICMP error or a failed ARP resolution quoting request `seq` (which
        iputils acknowledges, as a reply), or a local one (seq None: sendmsg failed, nothing came back)."""
        if seq is not None:
            self.result.pipe = pipe_after(self.result.pipe, self.result.transmitted, seq)
        self.result.errors += 1
        self.result.timeline.append(("error", len(self.result.error_messages)))
        self.result.error_messages.append(message)
        self._stop_when_all_heard()

    def _stop_when_all_heard(self) -> None:
        """iputils stops once replies and errors together reach the count, waiting no longer."""
        if self.result.received + self.result.errors >= self.count:
            self._next_send = None
            self._end = None
