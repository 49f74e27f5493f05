"""A DNS server role on simulated hosts and routers (RFC 1034/1035), around lanlab.proto.dns's DnsServer.

    ns:  {kind: host, ip: 198.18.0.53/24, dns: {zone: lab., auto: true, records: {www: pc3}}}

`DnsService` owns UDP and TCP port 53 on a node with a zone and answers each query with `DnsServer`
(over TCP, RFC 7766: messages framed by their length, several on one connection answered in order,
the connection closed when the client closes it);
with `auto: true` the zone is made when a query comes, from every node's addresses at that
moment (a DHCP client's lease too, as dnsmasq answers for its clients). A malformed message is
a counted drop with its reason. Every host's resolver library (the client side) is
lanlab.sim.devices.host_dns.
"""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Final

from lanlab.i18n import L_
from lanlab.proto.dns import DnsServer, DnsZone, over_tcp, over_udp
from lanlab.sim.core.node import HasAddresses
from lanlab.sim.devices.host import IP_UDP, UDP
from lanlab.proto.tcp import ANY, ConnectionKey
from lanlab.sim.devices.host_dns import drop, framed, parse, unframe
from lanlab.wire import Udp
from lanlab.wire.dns import PORT, Dns, check_name

TCP_BACKLOG: Final = 16  # connections waiting to be served

if TYPE_CHECKING:
    from lanlab.sim.core.frame import Frame
    from lanlab.sim.devices.host import Host


class DnsService:
    """Port 53 on a node: an authoritative server for one zone (never recursing)."""

    def __init__(
        self,
        host: Host,
        zone: str,
        addresses: dict[str, list[IPv4Address]],
        aliases: dict[str, str],
        ttl: int,
        auto: bool = False,
    ) -> None:
        self.host = host
        self.origin = zone
        self.records = addresses
        self.aliases = aliases
        self.ttl = ttl
        self.auto = auto
        self.answered = 0
        self.refused = 0
        self._fixed = None if auto else DnsServer(self._zone(), host.name)
        self._made: tuple[tuple[tuple[str, tuple[IPv4Address, ...]], ...], DnsServer] | None = None
        host.udp.bind(PORT, self.receive)
        self.tcp = host.tcp
        self.listener = self.tcp.stack.listen(ANY, PORT, TCP_BACKLOG)
        self.streams: dict[ConnectionKey, tuple[bytearray, bytearray]] = {}  # connection -> (received, to send)
        self.tcp.watchers.append(self.serve_tcp)
        host.dns_service = self

    def _nodes(self) -> tuple[tuple[str, tuple[IPv4Address, ...]], ...]:
        """With auto: every node's name in the zone and the addresses it has now."""
        named: list[tuple[str, tuple[IPv4Address, ...]]] = []
        if self.auto and self.host.network is not None:
            for name, node in self.host.network.nodes.items():
                found = [a for a in node.addresses if not a.is_loopback] if isinstance(node, HasAddresses) else []
                owner = f"{name.lower()}.{self.origin}"
                if found and check_name(owner) is None:  # a name no DNS message can hold (a label over 63
                    named.append((owner, tuple(found)))  # bytes) is not served: its PTR answer could not be written
        return tuple(named)

    def _zone(self, nodes: tuple[tuple[str, tuple[IPv4Address, ...]], ...] = ()) -> DnsZone:
        addresses: dict[str, list[IPv4Address]] = {owner: list(found) for owner, found in nodes}
        addresses.update(self.records)  # a record given in the file wins over a node's own name
        for alias in self.aliases:
            addresses.pop(alias, None)  # RFC 1034 3.6.2: a CNAME is the only record of its name
        return DnsZone(self.origin, addresses, self.aliases, self.ttl, bare_names=True)

    def server(self) -> DnsServer:
        """The zone as it is now: with auto, made again only when a node's addresses changed (a lease came or
        went), since a zone of many records takes long to make."""
        if self._fixed is not None:
            return self._fixed
        nodes = self._nodes()
        if self._made is None or self._made[0] != nodes:
            self._made = (nodes, DnsServer(self._zone(nodes), self.host.name))
        return self._made[1]

    def respond(self, frame: Frame | None, now: int, data: bytes | None = None) -> tuple[Dns, Dns] | None:
        """The query in `frame` (or `data`, from TCP) and its answer; None after a counted drop."""
        query = parse(self.host, frame, now, data)
        if query is None:
            return None
        server = self.server()
        answered, refused = server.answered, server.refused  # a fixed zone's server counts every query so far
        reply = server.answer(query)
        if reply is None:
            drop(self.host, frame, now, L_("a DNS response sent to the server's port: not a query"))
            return None
        self.answered += server.answered - answered
        self.refused += server.refused - refused
        return query, reply

    def receive(self, host: Host, frame: Frame, now: int) -> None:
        answered = self.respond(frame, now)
        if answered is not None:
            data = over_udp(*answered)
            udp: Udp = frame.l4
            host.answer_ip(frame.l3.src, UDP, Udp(PORT, udp.src_port), data, IP_UDP + len(data), now)

    def serve_tcp(self) -> None:
        """After the node's TCP did anything: accept, answer every whole query, close what the client closed."""
        stack, now, busy = self.tcp.stack, self.host.engine.now, False
        while (accepted := self.listener.accept()) is not None:
            self.streams[accepted[0]] = (bytearray(), bytearray())
        for key, (received, to_send) in list(self.streams.items()):
            connection = stack.connections.get(key)
            if connection is None:  # reset, or closed and gone
                del self.streams[key]
                continue
            received += connection.receive(65536)
            for data in unframe(received):
                answered = self.respond(None, now, data)
                if answered is not None:
                    to_send += framed(over_tcp(answered[1]))  # RFC 7766 8: cut only past 65,535 bytes
            if to_send and connection.can_send:
                del to_send[: connection.send(bytes(to_send))]
                busy = True
            if connection.at_eof and not to_send:
                connection.close()
                del self.streams[key]
                busy = True
        if busy:
            self.tcp.flush_soon()
