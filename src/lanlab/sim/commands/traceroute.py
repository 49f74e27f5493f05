"""`--do "pc1 traceroute pc9 [-I] [-m 30] [-q 3] [-w 5] [-p 33434] [-n]"`: Linux traceroute on a simulated host.

As Linux traceroute (2.1), its first line names the target as given ("traceroute to pc3 (198.18.3.10), ...") and
every hop is named by a reverse lookup ("r1 (198.18.1.1)", the address twice when it has no name; lookup as
sim.commands.names does it), unless -n, which prints the addresses alone."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from lanlab.i18n import L_, message_of
from lanlab.proto.fragments import PMTUDISC_DONT
from lanlab.proto.ipv4 import LocalIpError
from lanlab.proto.traceroute import Probe, TracerouteSession, check_probe_ports, numbers_only, report_lines
from lanlab.sim.commands.names import ReverseNames, target_address
from lanlab.sim.commands.base import (
    PORT,
    Command,
    CommandError,
    duration_s,
    int_in,
    parser,
    register_command,
    route_or_unreachable,
)
from lanlab.sim.core.engine import MachineTimer, TimedMachine
from lanlab.sim.devices.host import IP_ICMP
from lanlab.wire import Icmp, IcmpType, IpProto

if TYPE_CHECKING:
    from ipaddress import IPv4Address

    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network


@register_command
class Traceroute(Command):
    """traceroute TARGET [-I] [-m MAX_TTL] [-q QUERIES] [-w WAIT] [-p PORT] [-n]"""

    words = "traceroute"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("target")
        p.add_argument("-I", dest="icmp", action="store_true", help="ICMP echo probes instead of UDP")
        p.add_argument("-m", dest="max_ttl", type=int_in(1, 255), default=30)
        p.add_argument("-q", dest="queries", type=int_in(1, 10), default=3)
        p.add_argument("-w", dest="wait", type=duration_s, default=5_000_000_000)
        p.add_argument("-p", dest="port", type=PORT, default=33434)
        p.add_argument("-n", dest="numeric", action="store_true", help="addresses only, no reverse lookup")
        return p

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        if not self.args.icmp:  # -p depends on -m and -q, so no argparse type can check it alone
            try:
                check_probe_ports(self.args.port, self.args.max_ttl, self.args.queries)
            except ValueError as error:
                raise CommandError(L_("argument -p: {problem}", problem=message_of(error))) from None

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        self.host = host
        target, _, _ = target_address(network, a.target)  # Linux traceroute echoes TARGET as typed
        route_or_unreachable(host, target, "connect")
        self.session = TracerouteSession(
            target,
            now,
            icmp=a.icmp,
            max_ttl=a.max_ttl,
            queries=a.queries,
            wait=a.wait,
            port=a.port,
            ident=0x7000 + len(host.icmp_watchers),
        )
        self.names = ReverseNames(host)
        self.local_port = host.udp.ephemeral_port()
        host.icmp_watchers.append(self.heard)
        self.timer = MachineTimer(network.engine, self.session, self)
        self.timer.arm()

    def heard(self, sender: IPv4Address, message: Icmp, data: bytes, now: int) -> None:
        if self.session.done:
            return
        if not self._for_our_socket(message, data):
            return
        before = self._answers()
        self.session.handle_icmp(sender, message, data, now)
        if not self.args.numeric and self._answers() != before:
            self.names.heard(sender)  # it answered a probe: traceroute names each hop's senders as it prints them
        self.timer_fired(self.session, now)

    def _for_our_socket(self, message: Icmp, quoted: bytes) -> bool:
        """Whether Linux would hand this ICMP message to this traceroute: an error about a UDP probe goes to the
        socket that sent it, the one bound to the port the quoted UDP header comes from (two traceroutes at once
        each hear their own, though both probe ports 33434 and up)."""
        if self.args.icmp or message.type not in (IcmpType.TIME_EXCEEDED, IcmpType.DEST_UNREACHABLE):
            return True
        if len(quoted) < 20:  # not even the quoted IPv4 header
            return False
        header = (quoted[0] & 0x0F) * 4
        return len(quoted) >= header + 2 and int.from_bytes(quoted[header : header + 2], "big") == self.local_port

    def _answers(self) -> int:
        """How many probes were answered so far (a `*` is no answer)."""
        return sum(answer is not None for hop in self.session.hops for answer in hop.answers)

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        session = self.session
        for probe in session.probes_to_send():
            try:
                self._send(probe, now)
            except LocalIpError as error:
                # The route went away during the run: sendto fails (ENETUNREACH), nothing leaves, and the
                # probe stays unanswered, a `*` once its wait is over, as for a router with no route.
                if self.host.tracer is not None:
                    self.host.tracer.record(
                        now,
                        self.host.name,
                        None,
                        "drop",
                        None,
                        L_("traceroute probe (TTL {ttl}) not sent: {reason}", ttl=probe.ttl, reason=str(error)),
                    )
        if session.done and self.heard in self.host.icmp_watchers:
            self.host.icmp_watchers.remove(self.heard)
        self.timer.arm()

    def _send(self, probe: Probe, now: int) -> None:
        """One probe, without DF: Linux traceroute's sockets are IP_PMTUDISC_DONT unless -F is given."""
        session = self.session
        if session.icmp:
            echo = Icmp(IcmpType.ECHO_REQUEST, 0, (session.ident << 16) | probe.sequence)
            self.host.send_ip(
                session.destination,
                int(IpProto.ICMP),
                echo,
                session.payload,
                IP_ICMP + len(session.payload),
                now,
                probe.ttl,
                pmtudisc=PMTUDISC_DONT,
            )
        else:
            self.host.send_udp(
                self.local_port,
                session.destination,
                probe.port,
                session.payload,
                now,
                probe.ttl,
                pmtudisc=PMTUDISC_DONT,
            )

    def running(self) -> bool:
        return not self.session.done or self.names.pending

    def result(self) -> dict[str, Any]:
        return {
            "destination": str(self.session.destination),
            "reached": self.session.reached,
            "hops": [hop.as_dict() for hop in self.session.hops],
        }

    def answered(self) -> bool | None:
        return self.session.reached

    def lines(self) -> list[str]:
        """Linux traceroute's output (proto.traceroute's), the target as given and each sender as named."""
        session = self.session
        shown = numbers_only if self.args.numeric else self._named
        return report_lines(session.destination, session.max_ttl, session.hops, self.args.target, shown)

    def _named(self, sender: IPv4Address) -> str:
        """A hop's sender as traceroute prints it: "name (address)", the address standing for the name when it
        has none."""
        return f"{self.names.name(str(sender)) or sender} ({sender})"
