"""A DNS server role on simulated hosts and routers (RFC 1034/1035), around lanlab.proto.dns's DnsServer.

    ns:  {kind: host, ip: 198.18.0.53/24, dns: {zone: lab., auto: true, records: {www: pc3}}}

`DnsService` owns UDP port 53 on a node with a zone and answers each query with `DnsServer`;
with `auto: true` the zone is made when a query comes, from every node's addresses at that
moment (a DHCP client's lease too, as dnsmasq answers for its clients). A malformed message is
a counted drop with its reason. Every host's resolver library (the client side) is
lanlab.sim.devices.host_dns.
"""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import TYPE_CHECKING

from lanlab.i18n import L_
from lanlab.proto.dns import DnsServer, DnsZone, over_udp
from lanlab.sim.devices.host import IP_UDP, UDP
from lanlab.sim.devices.host_dns import drop, parse
from lanlab.wire import Udp
from lanlab.wire.dns import PORT

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
        host.udp.bind(PORT, self.receive)
        host.dns_service = self

    def _zone(self) -> DnsZone:
        addresses: dict[str, list[IPv4Address]] = {}
        if self.auto and self.host.network is not None:
            for name, node in self.host.network.nodes.items():
                found = [a for a in getattr(node, "addresses", ()) if not a.is_loopback]
                if found:
                    addresses[f"{name.lower()}.{self.origin}"] = found
        addresses.update(self.records)  # a record given in the file wins over a node's own name
        for alias in self.aliases:
            addresses.pop(alias, None)  # RFC 1034 3.6.2: a CNAME is the only record of its name
        return DnsZone(self.origin, addresses, self.aliases, self.ttl, bare_names=True)

    def server(self) -> DnsServer:
        return self._fixed if self._fixed is not None else DnsServer(self._zone(), self.host.name)

    def receive(self, host: Host, frame: Frame, now: int) -> None:
        query = parse(host, frame, now)
        if query is None:
            return
        server = self.server()
        reply = server.answer(query)
        if reply is None:
            drop(host, frame, now, L_("a DNS response sent to the server's port: not a query"))
            return
        self.answered += server.answered
        self.refused += server.refused
        data = over_udp(query, reply)
        udp: Udp = frame.l4
        host.answer_ip(frame.l3.src, UDP, Udp(PORT, udp.src_port), data, IP_UDP + len(data), now)
