"""Every simulated host's resolver library (what glibc's res_send does for gethostbyname), as host_tcp is
its TCP: the shim's socket.gethostbyname and the dig command look names up through it.

`lookup(host, name, done)` sends one question over the wire to `host.resolver_servers` with glibc's
timing (lanlab.proto.dns.DnsResolver: 5 s a try, 2 tries a server), from a fresh ephemeral UDP port
per lookup as glibc opens a socket per query; an ICMP port unreachable quoting the query moves it to
the next server at once (ECONNREFUSED). An answer cut short (TC) is asked again of the same server
over the host's TCP (RFC 7766 5, as glibc and dig do): a connection per query, the message framed
by its length (RFC 1035 4.2.2), closed once the answer is in. A malformed or misdirected DNS
message is a counted drop (`host.dns_drops`) with its reason in the event list.
"""

from __future__ import annotations

import random
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Callable, Final

from lanlab.i18n import L_
from lanlab.proto.dns import DnsResolver, Failed, Resolved, over_udp
from lanlab.proto.tcp import TcpState
from lanlab.sim.core.engine import MachineTimer, TimedMachine
from lanlab.sim.core.trace import register_kind
from lanlab.sim.devices.host_tcp import LOOPBACK_ADDRESS
from lanlab.wire import IcmpType, IpProto, UnreachableCode, WireError
from lanlab.wire.dns import PORT, Dns, DnsType, Edns, check_name

if TYPE_CHECKING:
    from lanlab.sim.core.frame import Frame
    from lanlab.sim.devices.host import Host
    from lanlab.wire import Icmp

UDP: Final = int(IpProto.UDP)

register_kind("dns", "DNS")  # a resolver's story: a query that could not leave, a lookup given up

Done = Callable[[Resolved | Failed], None]


def drop(host: Host, frame: Frame | None, now: int, reason: str) -> None:
    """A DNS message this node cannot use: counted (`host.dns_drops`) and the reason in the event list."""
    host.dns_drops += 1
    if host.tracer is not None:
        nic = host.rx_nic
        host.tracer.record(now, host.name, nic.name if nic is not None else "-", "drop", frame, reason)


def parse(host: Host, frame: Frame | None, now: int, data: bytes | None = None) -> Dns | None:
    """The DNS message in `frame` (or `data`, read from a TCP stream), or None after a counted drop."""
    try:
        message, _ = Dns.parse(frame.data if data is None and frame is not None else data or b"")
    except WireError as error:
        drop(host, frame, now, L_("bad DNS message: {error}", error=str(error)))
        return None
    return message


def framed(data: bytes) -> bytes:
    """A DNS message on TCP: its length in two bytes, then it (RFC 1035 4.2.2, RFC 7766 8)."""
    return len(data).to_bytes(2, "big") + data


def unframe(buffer: bytearray) -> list[bytes]:
    """The whole messages at the head of a TCP stream's bytes, taken out of `buffer`."""
    messages = []
    while len(buffer) >= 2 and len(buffer) >= 2 + (size := int.from_bytes(buffer[:2], "big")):
        messages.append(bytes(buffer[2 : 2 + size]))
        del buffer[: 2 + size]
    return messages


class TcpQuery:
    """One try of a Lookup over TCP: connect to the server's port 53, send the query framed, read one
    framed answer, close. A refused or reset connection is a lost try ("connection refused")."""

    def __init__(self, lookup: Lookup, server: IPv4Address, message: Dns, now: int) -> None:
        self.lookup = lookup
        self.server = server
        self.query_id = message.id
        tcp = lookup.host.tcp
        self.tcp = tcp
        self.key, self.connection = tcp.stack.connect(tcp.local_address_for(server), server, PORT)
        self.connection.send(framed(message.build()))
        self.received = bytearray()
        self.open = True
        tcp.watchers.append(self.poll)
        tcp.flush(now)

    def poll(self) -> None:
        """After the host's TCP did anything: the answer, or the end of the connection."""
        if not self.open:
            return
        connection, now = self.connection, self.lookup.host.engine.now
        self.received += connection.receive(65536)
        messages = unframe(self.received)
        if not messages and not connection.at_eof and connection.state is not TcpState.CLOSED:
            return
        self.close()
        lookup = self.lookup
        if lookup.result is not None:
            return
        message = parse(lookup.host, None, now, messages[0]) if messages else None
        if message is not None:
            lookup.resolver.handle_message(message, now, self.server)
        elif not messages:
            lookup._lost("connection refused")
            lookup.resolver.handle_unreachable(self.query_id, now)
        lookup._drain(now)

    def close(self) -> None:
        if self.open:
            self.open = False
            self.tcp.watchers.remove(self.poll)
            if self.connection.state is not TcpState.CLOSED:
                self.connection.close()
                self.tcp.flush_soon()


class Lookup:
    """One name looked up over the wire from `host`: a DnsResolver for one question, its timer, its port."""

    def __init__(
        self,
        host: Host,
        servers: tuple[IPv4Address, ...],
        name: str,
        qtype: int,
        done: Done,
        search: str = "",
        edns: Edns | None = None,
        **resolver_options: int,
    ) -> None:
        self.host = host
        self.done = done
        self.resolver = DnsResolver(list(servers), _rng(host), search, edns=edns, **resolver_options)
        self.timer = MachineTimer(host.engine, self.resolver, self)
        self.port = 0
        self.result: Resolved | Failed | None = None
        self.sent_at = 0  # when the latest try left (dig's "Query time" counts from it)
        self.last_server: IPv4Address | None = None
        self.errors: list[tuple[IPv4Address, str]] = []  # (server, "timed out" | "connection refused") per lost try
        self.tcp_queries: list[TcpQuery] = []  # tries over TCP, after a truncated answer
        now = host.engine.now
        if servers:
            self.port = host.udp.bind(0, self.receive)
            host.icmp_error_hooks.append(self.unreachable)
        self.query_id = self.resolver.lookup(name, now, qtype)
        self._drain(now)

    def receive(self, host: Host, frame: Frame, now: int) -> None:
        message = parse(host, frame, now)
        if message is None:
            return
        if not message.qr:
            drop(host, frame, now, L_("a DNS query sent to a resolver's port: not an answer"))
            return
        self.resolver.handle_message(message, now, frame.l3.src)
        self._drain(now)

    def unreachable(self, error: Icmp, quoted: bytes, now: int) -> None:
        """ICMP port unreachable quoting one of our queries: its server has no DNS (ECONNREFUSED)."""
        if (
            error.type != IcmpType.DEST_UNREACHABLE
            or error.code != UnreachableCode.PORT
            or len(quoted) < 28
            or quoted[9] != UDP
        ):
            return
        header = (quoted[0] & 0x0F) * 4
        if int.from_bytes(quoted[header : header + 2], "big") == self.port and self.result is None:
            self._lost("connection refused")
            self.resolver.handle_unreachable(self.query_id, now)
            self._drain(now)

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        self._lost("timed out")
        self._drain(now)

    def _lost(self, why: str) -> None:
        if self.last_server is not None:
            self.errors.append((self.last_server, why))

    def _send(self, server: IPv4Address, message: Dns, now: int) -> None:
        host = self.host
        self.sent_at, self.last_server = now, server
        if server.is_loopback or server in host.addresses:  # nameserver 127.0.0.1 on the server itself: no wire
            service = host.dns_service  # lanlab.sim.stacks.dns.DnsService, or None
            reply = service.server().answer(message) if service is not None else None
            if reply is None:
                self._lost("connection refused")
                self.resolver.handle_unreachable(message.id, now)
            else:  # as it arrives over lo: cut to the UDP size, TC set, when it does not fit (then asked over TCP)
                self.resolver.handle_message(Dns.parse(over_udp(message, reply))[0], now, server)
            return
        try:
            host.send_udp(self.port, server, PORT, message.build(), now)
        except ValueError as error:  # no route to the server (sendto's ENETUNREACH): this try is lost
            self._note(
                now,
                L_(
                    "query {query} to {server} not sent: {error}",
                    query=message.summary(),
                    server=server,
                    error=str(error),
                ),
            )

    def _drain(self, now: int) -> None:
        resolver = self.resolver
        while (out := resolver.messages_to_send(now)) or (streams := resolver.tcp_messages_to_send(now)):
            for server, message in out:
                self._send(server, message, now)
            for server, message in [] if out else streams:
                self.sent_at, self.last_server = now, server
                self.tcp_queries.append(TcpQuery(self, server, message, now))
            if self.result is not None:
                return  # an answer came while sending (a TCP query to this very host)
        event = resolver.next_event()
        if event is None:
            self.timer.arm()
            return
        self.result = event
        for query in self.tcp_queries:
            query.close()
        self.host.udp.unbind(self.port)
        if self.unreachable in self.host.icmp_error_hooks:
            self.host.icmp_error_hooks.remove(self.unreachable)
        if isinstance(event, Failed) and event.reply is None and self.last_server is None and self.resolver.servers:
            # nothing was sent: the name is none a query can hold, or none glibc asks for (is_host_name)
            unwritable = check_name(event.name)
            if unwritable is not None:
                what = L_(
                    "{name}: not asked of any server, no query can hold it ({why}): {error}, as glibc says",
                    name=event.name,
                    why=unwritable,
                    error=event.error,
                )
            else:
                what = L_(
                    "{name}: not asked of any server, it is no host name (letters, digits, '-' and '_' only, not "
                    "starting with '-'): {error}, as glibc says",
                    name=event.name,
                    error=event.error,
                )
            self._note(now, what)
        elif isinstance(event, Failed) and event.reply is None:
            servers = ", ".join(map(str, self.resolver.servers)) or "any server"
            self._note(
                now,
                L_("{name}: no answer from {servers} ({error})", name=event.name, servers=servers, error=event.error),
            )
        self.done(event)

    def _note(self, now: int, what: str) -> None:
        if self.host.tracer is not None:
            self.host.tracer.record(now, self.host.name, None, "dns", None, what)


def _rng(host: Host) -> random.Random:
    """The host's source of query ids (RFC 5452 9.2: random), seeded by its name so runs repeat."""
    rng = host.dns_rng  # declared on Host: the compiled build's Host takes no new attributes
    if rng is None:
        rng = host.dns_rng = random.Random(f"{host.name}/dns")
    return rng


# resolv.conf(5): "If no nameserver entries are present, the default is to use the name server on the local
# machine": glibc and BIND's tools then ask 127.0.0.1 (where, unless the host has a zone:, nothing listens: the
# port unreachable is ECONNREFUSED, and getaddrinfo's EAI_AGAIN, "Temporary failure in name resolution")
NO_NAMESERVER_LINE: Final = (LOOPBACK_ADDRESS,)


def servers_of(host: Host) -> tuple[IPv4Address, ...]:
    """The servers the host's resolver asks: its nameservers (`dns:`, a DHCP lease), else the local machine."""
    return host.resolver_servers or NO_NAMESERVER_LINE


def lookup(host: Host, name: str, done: Done, qtype: int = DnsType.A) -> Lookup:
    """Resolve `name` as the host's C library does, through `servers_of(host)`; `done(event)` after."""
    return Lookup(host, servers_of(host), name, qtype, done, host.resolver_search, host_names=True)
