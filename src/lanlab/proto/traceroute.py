"""traceroute as a sans-IO machine: probes with growing TTL, matched to the ICMP errors they cause.

Like Linux traceroute: UDP probes to port 33434, one port higher per probe (so the quoted UDP
header in an ICMP error says which probe it was), or ICMP echo requests with `icmp=True` (the
quoted echo's sequence number says it); `queries` probes per TTL from 1 to `max_ttl`; a probe
unanswered within `wait` is a `*`. It stops after the TTL at which the destination answered
(port unreachable for UDP, echo reply for ICMP) or a router said it is unreachable (!N, !H).
Here the probes go one at a time: each leaves when the previous one is answered or given up.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address

from lanlab.i18n import L_
from lanlab.wire import Icmp, IcmpType, TimeExceededCode, UnreachableCode

BASE_PORT = 33434
PROBE_DATA = 32  # Linux's default: 60-byte packets = 20 (IP) + 8 (UDP or ICMP) + 32
UDP_PROTO = 17
ICMP_PROTO = 1
# Linux traceroute's annotations for the unreachable codes it can get back.
ANNOTATIONS: dict[int, str] = {UnreachableCode.NET: "!N", UnreachableCode.HOST: "!H", UnreachableCode.PROTOCOL: "!P"}


@dataclass(frozen=True, slots=True)
class Probe:
    """What to send: TTL, and either the UDP destination port or the ICMP echo sequence number."""

    ttl: int
    number: int  # 0, 1, 2, ... in sending order
    port: int  # UDP destination port (UDP probes)
    sequence: int  # echo sequence number (ICMP probes)


@dataclass(slots=True)
class Hop:
    ttl: int
    answers: list[tuple[IPv4Address, float, str] | None] = field(default_factory=list)  # (from, rtt ms, !X)

    def as_dict(self) -> dict[str, object]:
        return {
            "ttl": self.ttl,
            "probes": [
                None
                if a is None
                else {"address": str(a[0]), "rtt_ms": round(a[1], 6), **({"note": a[2]} if a[2] else {})}
                for a in self.answers
            ],
        }


def check_probe_ports(port: int, max_ttl: int, queries: int) -> None:
    """Refuse a first UDP port whose probes (one port more per probe) would run past 65535."""
    if not 1 <= port <= 65536 - max_ttl * queries:
        raise ValueError(
            L_(
                "UDP probes use ports {first} to {last}: give -p at most {most}",
                first=port,
                last=port + max_ttl * queries - 1,
                most=65536 - max_ttl * queries,
            )
        )


class TracerouteSession:
    """The probing of one `traceroute DESTINATION` run."""

    def __init__(
        self,
        destination: IPv4Address,
        now: int,
        *,
        icmp: bool = False,
        max_ttl: int = 30,
        queries: int = 3,
        wait: int = 5_000_000_000,
        port: int = BASE_PORT,
        ident: int = 0,
    ) -> None:
        if not 1 <= max_ttl <= 255 or queries < 1:
            raise ValueError("max_ttl must be 1-255 and queries at least 1")
        if not icmp:
            check_probe_ports(port, max_ttl, queries)
        self.destination = destination
        self.icmp = icmp
        self.max_ttl = max_ttl
        self.queries = queries
        self.wait = wait
        self.port = port
        self.ident = ident & 0xFFFF
        self.hops: list[Hop] = []
        self.reached = False
        self.done = False
        self._outstanding: Probe | None = None
        self._sent_at = 0
        self._deadline: int | None = now  # the first probe leaves at once
        self._number = 0
        self._out: list[Probe] = []
        self._stop_after_hop = False

    # -- sans-IO -------------------------------------------------------------------------
    def get_timer(self) -> int | None:
        return self._deadline

    def handle_timer(self, now: int) -> None:
        if self._deadline is None or now < self._deadline:
            return
        if self._outstanding is not None:
            self._record(None)  # no answer in time: *
        self._next(now)

    def probes_to_send(self) -> list[Probe]:
        out, self._out = self._out, []
        return out

    def handle_icmp(self, sender: IPv4Address, message: Icmp, quoted: bytes, now: int) -> None:
        """An ICMP message that arrived: an error quoting one of our probes, or an echo reply."""
        probe = self._outstanding
        if probe is None:
            return
        if message.type == IcmpType.ECHO_REPLY:
            if not self.icmp or message.ident != self.ident or message.seq != probe.sequence:
                return
            self._answer(sender, now, "", final=True)
            return
        if message.type not in (IcmpType.TIME_EXCEEDED, IcmpType.DEST_UNREACHABLE) or not self._quotes(quoted, probe):
            return
        if message.type == IcmpType.TIME_EXCEEDED:
            if message.code == TimeExceededCode.TTL:
                self._answer(sender, now, "", final=False)
        elif message.code == UnreachableCode.PORT:
            self._answer(sender, now, "", final=True)  # the destination itself: nothing listens there
        else:
            self._answer(sender, now, ANNOTATIONS.get(message.code, f"!<{message.code}>"), final=True)

    # -- inside --------------------------------------------------------------------------
    def _quotes(self, quoted: bytes, probe: Probe) -> bool:
        """Whether the quoted datagram (IP header + 8 bytes, RFC 792) is `probe`."""
        if len(quoted) < 20:
            return False
        header = (quoted[0] & 0x0F) * 4
        if len(quoted) < header + 8 or quoted[16:20] != self.destination.packed:
            return False
        if self.icmp:
            _, _, _, ident, sequence = struct.unpack_from("!BBHHH", quoted, header)
            return quoted[9] == ICMP_PROTO and ident == self.ident and sequence == probe.sequence
        (port,) = struct.unpack_from("!H", quoted, header + 2)
        return quoted[9] == UDP_PROTO and port == probe.port

    def _answer(self, sender: IPv4Address, now: int, note: str, final: bool) -> None:
        self._record((sender, (now - self._sent_at) / 1e6, note))
        if final:
            self._stop_after_hop = True
            self.reached = self.reached or sender == self.destination
        self._next(now)

    def _record(self, answer: tuple[IPv4Address, float, str] | None) -> None:
        probe = self._outstanding
        assert probe is not None
        if not self.hops or self.hops[-1].ttl != probe.ttl:
            self.hops.append(Hop(probe.ttl))
        self.hops[-1].answers.append(answer)
        self._outstanding = None

    def _next(self, now: int) -> None:
        ttl = 1 + self._number // self.queries
        if self._number % self.queries == 0 and (self._stop_after_hop or ttl > self.max_ttl):
            self.done = True
            self._deadline = None
            return
        probe = Probe(ttl, self._number, self.port + self._number, self._number + 1)
        self._number += 1
        self._outstanding = probe
        self._sent_at = now
        self._deadline = now + self.wait
        self._out.append(probe)

    @property
    def payload(self) -> bytes:
        return bytes(PROBE_DATA)

    def lines(self) -> list[str]:
        """Linux traceroute's output."""
        return report_lines(self.destination, self.max_ttl, self.hops)


def as_address(sender: IPv4Address) -> str:
    """A hop's sender as Linux traceroute prints one it has no name for: the address, and again for the name."""
    return f"{sender} ({sender})"


def numbers_only(sender: IPv4Address) -> str:
    """A hop's sender as traceroute -n prints it."""
    return str(sender)


def report_lines(
    destination: IPv4Address,
    max_ttl: int,
    hops: list[Hop],
    target: str | None = None,
    shown: Callable[[IPv4Address], str] = as_address,
) -> list[str]:
    """Linux traceroute's output for these hops (the simulator's run, or the kernel's parsed): the first line names
    `target` as given (the address when None), and each sender is `shown(sender)` ("r1 (198.18.1.1)" once named)."""
    asked = destination if target is None else target
    out = [f"traceroute to {asked} ({destination}), {max_ttl} hops max, {20 + 8 + PROBE_DATA} byte packets"]
    for hop in hops:
        # traceroute.c's print_probe: " *" for a probe with no answer, " SENDER" when it differs from the last
        # one that answered, "  RTT ms" and " NOTE" after it: "* 198.18.1.1 (198.18.1.1)  0.4 ms * *"
        line = f"{hop.ttl:2d} "
        last: IPv4Address | None = None
        for answer in hop.answers:
            if answer is None:
                line += " *"
                continue
            sender, rtt, note = answer
            if sender != last:
                line += f" {shown(sender)}"
                last = sender
            line += f"  {rtt:.3f} ms" + (f" {note}" if note else "")
        out.append(line)
    return out
