"""A simulated router: interfaces with ARP, a routing table, RFC 1812 forwarding, RIP, ICMP errors.

A Router is a Host (it answers ARP and ping, has UDP sockets) whose `not_for_me` forwards
instead of dropping. Forwarding decisions come from lanlab.proto.forwarding, routes from
lanlab.proto.routing, RIP from lanlab.proto.rip; this module only moves frames and time.
Every change of the routing table is an event of kind "route" in the event list.
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import partial
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import TYPE_CHECKING, Any, Callable, Final

from lanlab.i18n import L_, message_of
from lanlab.proto.forwarding import Drop, Forward, Forwarder, SendIcmp
from lanlab.proto.fragments import PMTUDISC_DONT, PMTUDISC_WANT, fragment
from lanlab.proto.ipv4 import LIMITED_BROADCAST, NetworkUnreachable, directed_broadcast, multicast_mac_bytes
from lanlab.proto.rip import RipSpeaker, RouteChange, RouteEffect
from lanlab.proto.routing import Route, RouteSource, RoutingTable
from lanlab.sim.core.engine import MachineTimer, TimedMachine
from lanlab.sim.core.frame import Frame
from lanlab.sim.devices.host import ETH_HEADER, IP_ICMP, IP_UDP, IPV4, Destination, Host, Nic, NicPort
from lanlab.sim.core.trace import register_kind
from lanlab.wire import EtherType, Ethernet, IpProto, IPv4, MacAddress, Rip, Tcp, Udp, UnreachableCode, WireError
from lanlab.wire.ipv4 import DF
from lanlab.units import FOREVER
from lanlab.wire.rip import RIP_MULTICAST, RIP_PORT

if TYPE_CHECKING:
    from lanlab.proto.rip import RipDatagram
    from lanlab.sim.core.engine import Engine
    from lanlab.sim.core.link import Port

RIP_MAC: Final = MacAddress(multicast_mac_bytes(RIP_MULTICAST))
UDP: Final = int(IpProto.UDP)
ICMP: Final = int(IpProto.ICMP)
CACHE_LIMIT: Final = 4096

register_kind("route")
register_kind("link")


class NoRouteError(NetworkUnreachable):
    """The router has no route for a packet it originates itself (an ICMP error, a RIP answer, a --do)."""


class _Call:
    """An engine target that calls `function(now)` (the router's start at time 0)."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[int], None]) -> None:
        self.function = function

    def fire(self, arg: Any, now: int) -> None:
        self.function(now)


class _Hop:
    """A remembered forwarding decision for one received header object, with its ARP answer."""

    __slots__ = ("received", "nic", "next_hop", "header", "eth", "expires")

    def __init__(self, received: IPv4, nic: Nic, next_hop: IPv4Address, header: IPv4) -> None:
        self.received = received  # kept alive, so its id() is not reused while cached
        self.nic = nic
        self.next_hop = next_hop
        self.header = header
        self.eth: Ethernet | None = None
        self.expires = -1  # the ARP entry's expiry; -1: look it up


class RouterPort(NicPort):
    """A router's port. A datagram whose header object this router has forwarded before, arriving for its MAC
    while nothing watches, goes straight out: NicPort.fire's checks and Router.ip_input's remembered hop in one
    call, all a chain of routers does per frame (bench/sim_rip.py); anything else takes NicPort.fire."""

    __slots__ = ()

    def fire(self, frame: Frame, now: int) -> None:
        nic = self.nic
        router: Router = nic.host  # type: ignore[assignment]  # a RouterPort is made only by a Router
        l3 = frame.l3
        hop = router._forwarded.get(id(l3))
        if hop is not None and hop.received is l3 and router.tracer is None and self.up and router.running:
            size = frame.size
            eth = frame.eth
            out = hop.nic
            if (
                eth.dst is nic.mac
                and eth.ethertype == IPV4
                and size <= nic.max_frame
                and size <= out.max_frame
                and now < hop.expires
            ):
                out.port.send(Frame(hop.eth, hop.header, frame.l4, frame.data, size, next(router.frame_ids)), now)
                return
        NicPort.fire(self, frame, now)


class _Stopped:
    """Stands in for the RIP speaker of a stopped router, so its timer goes quiet."""

    def get_timer(self) -> None:
        return None

    def handle_timer(self, now: int) -> None:
        """Nothing runs on a stopped router."""


def datagram_bytes(ip: IPv4, l4: Any, data: bytes) -> bytes:
    """A datagram's payload as on the wire (only ICMP errors need it, to quote it)."""
    if l4 is None:
        return data
    if isinstance(l4, (Udp, Tcp)):
        return l4.build(data, ip.src, ip.dst)  # type: ignore[no-any-return]
    return l4.build(data)  # type: ignore[no-any-return]


class Router(Host):
    """Interfaces, a routing table, forwarding, and (when enabled) a RIP speaker."""

    kind = "router"
    port_kind = RouterPort

    def __init__(self, name: str, engine: Engine, *, forward_directed_broadcast: bool = False) -> None:
        super().__init__(name, engine)
        # RFC 2644: off by default; on, a broadcast to another connected subnet is sent out onto it.
        self.forward_directed_broadcast = forward_directed_broadcast
        self.table = RoutingTable()
        self.running = False  # until start() at time 0
        self.rip: RipSpeaker | None = None
        self.rip_options: dict[str, Any] | None = None
        self._rip_timer: MachineTimer | None = None
        self._nic_by_name: dict[str, Nic] = {}
        self._forwarder: Forwarder | None = None
        self._forwarded: dict[int, _Hop] = {}
        engine.schedule(engine.now, _Call(self.start))  # time 0 in a topology file

    # -- configuration -------------------------------------------------------------------
    def add_interface(
        self,
        name: str,
        address: IPv4Interface | str | None = None,
        mac: MacAddress | str | None = None,
        mtu: int | None = None,
    ) -> Nic:
        """An interface with its connected route: add_interface("eth0", "198.18.1.1/24")."""
        nic = super().add_interface(name, address, mac, mtu)
        self._nic_by_name[name] = nic
        if nic.address is not None:
            self._install(Route(nic.address.network, name, None, 0, RouteSource.CONNECTED), 0)
        self._forwarder = None
        return nic

    def add_static_route(self, prefix: IPv4Network | str, via: IPv4Address | str) -> None:
        """A static route through a gateway on one of the connected networks ("198.18.5.0/24", "198.18.1.2")."""
        prefix, via = IPv4Network(prefix), IPv4Address(via)
        nic = self._connected_nic(via)
        if nic is None:
            raise ValueError(f"router {self.name}: gateway {via} is not on a connected network")
        self._install(Route(prefix, nic.name, via, 1, RouteSource.STATIC), 0)

    def enable_rip(self, **options: Any) -> None:
        """Run RIP from start-up with these RipSpeaker options (split_horizon, password, passive)."""
        self.rip_options = options

    @property
    def forwarder(self) -> Forwarder:
        if self._forwarder is None:
            interfaces = {nic.name: nic.address for nic in self.nics if nic.address is not None}
            self._forwarder = Forwarder(
                interfaces, self.table, forward_directed_broadcast=self.forward_directed_broadcast
            )
        return self._forwarder

    # -- life cycle ----------------------------------------------------------------------
    def start(self, now: int) -> None:
        """Power on: forwarding runs, and RIP starts with an empty database (RFC 2453 3.9.1)."""
        if self.running:
            return
        self.running = True
        if self.rip_options is None:
            return
        rng = random.Random(f"{self.engine.seed}:{self.name}")  # independent of other nodes' draws
        interfaces = {nic.name: nic.address for nic in self.nics if nic.address is not None}
        self.rip = RipSpeaker(interfaces, rng, **self.rip_options)
        if self._rip_timer is None:
            self.join(RIP_MULTICAST)
            self.udp.bind(RIP_PORT, self._rip_input)
            self._rip_timer = MachineTimer(self.engine, self.rip, self)
        self._rip_timer.machine = self.rip
        self.rip.start(now)
        for nic in self.nics:
            if not nic.port.up and nic.name in interfaces:
                self.rip.interface_down(nic.name, now)
        self._drain_rip(now)

    def stop(self, now: int) -> None:
        """Power off: nothing is forwarded or answered, and what RIP learned is gone."""
        self.running = False
        if self._rip_timer is not None:
            self._rip_timer.machine = _Stopped()
        self.rip = None
        for route in list(self.table):
            if route.source is RouteSource.RIP:
                self._withdraw(
                    route.prefix, RouteSource.RIP, now, L_("{prefix} withdrawn: router stopped", prefix=route.prefix)
                )

    def link_changed(self, port: Port, up: bool, now: int) -> None:
        """Carrier on one interface came or went: its network and what RIP learned there follow."""
        nic: Nic = port.nic  # type: ignore[attr-defined]
        if nic.address is None:
            return
        network = nic.address.network
        if up:
            self._install(
                Route(network, nic.name, None, 0, RouteSource.CONNECTED),
                now,
                L_("{network} connected on {interface} (link up)", network=network, interface=nic.name),
            )
        else:
            self._withdraw(
                network,
                RouteSource.CONNECTED,
                now,
                L_("{network} gone from {interface} (link down)", network=network, interface=nic.name),
            )
        if self.rip is not None and self.running:
            (self.rip.interface_up if up else self.rip.interface_down)(nic.name, now)
            self._drain_rip(now)

    # -- receive and forward -------------------------------------------------------------
    def ip_input(self, nic: Nic, frame: Frame, now: int) -> None:
        if not self.running:
            return
        l3 = frame.l3
        hop = self._forwarded.get(id(l3))
        if hop is not None and hop.received is l3:  # seen before: not for us, and where it goes is known
            self._forward(hop, nic, frame, now)  # (RouterPort.fire sends the common case without this call)
        elif self.forward_directed_broadcast and self._broadcast_elsewhere(nic, frame.l3.dst):
            self.not_for_me(nic, frame, now)  # Host.ip_input would take it as a broadcast for us
        else:
            super().ip_input(nic, frame, now)

    def _broadcast_elsewhere(self, nic: Nic, dst: IPv4Address) -> bool:
        """Whether `dst` is the broadcast address of a connected network other than `nic`'s."""
        return any(
            other is not nic and other.address is not None and dst == directed_broadcast(other.address.network)
            for other in self.nics
        )

    def arp_input(self, nic: Nic, frame: Frame, now: int) -> None:
        if self.running:
            super().arp_input(nic, frame, now)

    def not_for_me(self, nic: Nic, frame: Frame, now: int) -> None:
        """RFC 1812 forwarding; the decision for a header object is remembered until a route changes."""
        hop = self._decide(nic, frame, now)
        if hop is not None:
            self._forward(hop, nic, frame, now)

    def _forward(self, hop: _Hop, nic: Nic, frame: Frame, now: int) -> None:
        out = hop.nic
        if frame.size > out.max_frame and hop.header.flags & DF:
            self._too_big_for(out, nic, frame, now)
            return
        if self.tracer is not None:
            self.tracer.record(
                now,
                self.name,
                nic.name,
                "forward",
                frame,
                L_("to {next_hop} via {interface}", next_hop=hop.next_hop, interface=hop.nic.name),
            )
        if now >= hop.expires:
            entry = out.arp.entry(hop.next_hop, now)  # type: ignore[union-attr]
            if entry is None:
                out.arp.resolve(hop.next_hop, (hop.header, frame.l4, frame.data, frame.size), now)  # type: ignore[union-attr]
                self._flush_arp(out, now)
                return
            hop.eth = out.ethernet_to(entry.mac)
            hop.expires = entry.expires
        if frame.size > out.max_frame:
            assert hop.eth is not None  # resolved above
            self._send_fragments(out, hop.eth, hop.header, frame.l4, frame.data, now)
            return
        out.port.send(Frame(hop.eth, hop.header, frame.l4, frame.data, frame.size, next(self.frame_ids)), now)

    def _too_big_for(self, out: Nic, nic: Nic, frame: Frame, now: int) -> None:
        """A DF datagram that does not fit the outgoing link: dropped, and the sender told the MTU (RFC 1191)."""
        ip: IPv4 = frame.l3
        decision = self.forwarder.fragmentation_needed(
            ip, nic.name, lambda: datagram_bytes(ip, frame.l4, frame.data), out.mtu
        )
        assert isinstance(decision, (Drop, SendIcmp))  # the forwarder's _error makes one of the two
        if self.tracer is not None:
            self.tracer.record(now, self.name, nic.name, "drop", frame, decision.reason)
        if isinstance(decision, SendIcmp):
            self._send_icmp(decision, now)

    def _send_fragments(
        self, nic: Nic, eth: Ethernet, ip: IPv4, l4: Any, data: bytes, now: int, mtu: int | None = None
    ) -> None:
        """A forwarded datagram bigger than the outgoing MTU leaves in fragments with its own identification
        and flags (a fragment is fragmented again: RFC 791 3.2); the router's own datagrams as a host's."""
        if self.ipv4.is_local(ip.src):
            super()._send_fragments(nic, eth, ip, l4, data, now, mtu)
            return
        engine = self.engine
        for header, piece in fragment(ip, datagram_bytes(ip, l4, data), nic.mtu):
            nic.port.send(
                Frame(eth, header, None, piece, ETH_HEADER + header.header_length + len(piece), next(engine.frame_ids)),
                now,
            )

    def _decide(self, nic: Nic, frame: Frame, now: int) -> _Hop | None:
        """Ask the forwarder; act on anything but Forward; remember a Forward."""
        ip: IPv4 = frame.l3
        decision = self.forwarder.decide(ip, nic.name, lambda: datagram_bytes(ip, frame.l4, frame.data))
        if not isinstance(decision, Forward):
            assert isinstance(decision, (Drop, SendIcmp))  # not_for_me: the datagram is not ours to deliver
            if self.tracer is not None:
                self.tracer.record(now, self.name, nic.name, "drop", frame, decision.reason)
            if isinstance(decision, SendIcmp):
                self._send_icmp(decision, now)
            return None
        out = self._nic_by_name[decision.interface]
        hop = _Hop(ip, out, decision.next_hop, decision.header)
        if decision.next_hop == directed_broadcast(out.address.network):  # type: ignore[union-attr]
            hop.eth = out.ethernet_to(MacAddress.BROADCAST)  # a directed broadcast: no ARP, not remembered
            hop.expires = FOREVER
            return hop
        if len(self._forwarded) >= CACHE_LIMIT:
            self._forwarded.clear()
        # Other forward decisions do not depend on the incoming interface: remember them.
        self._forwarded[id(ip)] = hop
        return hop

    def destination(self, dst: IPv4Address) -> Destination:
        """Where a packet this router originates goes: the routing table's longest match."""
        key = int(dst)
        known = self._destinations.get(key)
        if known is None:
            if dst.is_multicast or key == 0xFFFFFFFF or key >> 24 == 127 or self.ipv4.is_local(dst):
                return super().destination(dst)  # a group, or the router itself (its lo)
            best = self.table.lookup(dst)
            if best is None:
                raise NoRouteError(L_("router {router}: no route to {dst}", router=self.name, dst=dst))
            nic = self._nic_by_name[best.interface]
            next_hop = best.via if best.via is not None else dst
            broadcast = nic.address is not None and dst == directed_broadcast(nic.address.network)
            known = self._destinations[key] = Destination(nic, next_hop, MacAddress.BROADCAST if broadcast else None)
        return known

    def send_ip(
        self,
        dst: IPv4Address,
        proto: int,
        l4: Any,
        data: bytes,
        size: int,
        now: int,
        ttl: int | None = None,
        src: IPv4Address | None = None,
        pmtudisc: int = PMTUDISC_WANT,
    ) -> None:
        try:
            super().send_ip(dst, proto, l4, data, size, now, ttl, src, pmtudisc)
        except NoRouteError as error:
            if self.tracer is not None:
                self.tracer.record(now, self.name, None, "drop", None, message_of(error))

    def _send_icmp(self, decision: SendIcmp, now: int) -> None:
        if not self.may_send_icmp_error(decision.destination, decision.icmp, now):
            return
        # without DF, as the kernel's ICMP socket sends (IP_PMTUDISC_DONT)
        self.send_ip(
            decision.destination,
            ICMP,
            decision.icmp,
            decision.quote,
            IP_ICMP + len(decision.quote),
            now,
            pmtudisc=PMTUDISC_DONT,
        )

    def _unreachable(self, nic: Nic, failed: Any, now: int) -> None:
        """ARP found nobody for the next hop: Destination Host Unreachable to each packet's source."""
        super()._unreachable(nic, failed, now)
        for ip, l4, data, _size in failed.packets:
            if self.ipv4.is_local(ip.src):
                continue
            decision = self.forwarder.icmp_error(
                ip, nic.name, partial(datagram_bytes, ip, l4, data), UnreachableCode.HOST
            )
            if isinstance(decision, SendIcmp):
                self._send_icmp(decision, now)

    def _connected_nic(self, address: IPv4Address) -> Nic | None:
        for nic in self.nics:
            if nic.address is not None and address in nic.address.network:
                return nic
        return None

    # -- RIP -----------------------------------------------------------------------------
    def _rip_input(self, host: Host, frame: Frame, now: int) -> None:
        ip: IPv4 = frame.l3
        nic = self._connected_nic(ip.src)
        if self.rip is None or nic is None:
            return  # RFC 2453 3.9.2: only from directly connected neighbours
        try:
            message, _ = Rip.parse(frame.data)
        except WireError as error:
            if self.tracer is not None:
                self.tracer.record(
                    now, self.name, nic.name, "drop", frame, L_("bad RIP message: {error}", error=str(error))
                )
            return
        self.rip.handle_datagram(ip.src, frame.l4.src_port, nic.name, message, now)
        self._drain_rip(now)

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        if machine is self.rip:
            self._drain_rip(now)
        else:
            super().timer_fired(machine, now)

    def _drain_rip(self, now: int) -> None:
        rip = self.rip
        if rip is None:
            return
        for datagram in rip.datagrams_to_send(now):
            self._send_rip(datagram, now)
        change = rip.next_event()
        while change is not None:
            self._apply(change, now)
            change = rip.next_event()
        self._rip_timer.arm()  # type: ignore[union-attr]

    def _send_rip(self, datagram: RipDatagram, now: int) -> None:
        nic = self._nic_by_name[datagram.interface]
        data = datagram.message.build()
        udp = Udp(RIP_PORT, datagram.port)
        dst = datagram.destination
        if dst.is_multicast or dst in (LIMITED_BROADCAST, directed_broadcast(nic.address.network)):  # type: ignore[union-attr]
            # Updates stay on their link (TTL 1) and leave by the interface they describe.
            mac = RIP_MAC if dst.is_multicast else MacAddress.BROADCAST
            ip = IPv4(nic.ip, dst, UDP, ttl=1)  # type: ignore[arg-type]  # RIP runs on addressed interfaces
            nic.port.send(
                Frame(
                    Ethernet(mac, nic.mac, EtherType.IPV4),
                    ip,
                    udp,
                    data,
                    IP_UDP + len(data),
                    next(self.engine.frame_ids),
                ),
                now,
            )
        else:
            self.send_ip(dst, UDP, udp, data, IP_UDP + len(data), now)

    def _apply(self, change: RouteChange, now: int) -> None:
        """A RIP database change becomes a forwarding-table change (connected networks stay ours)."""
        if change.next_hop is None:
            return
        # The event's words only when an event list is recorded: a sweep's run makes thousands of changes
        note = L_("rip: {change}", change=change.summary) if self.tracer is not None else None
        if change.effect in (RouteEffect.ADDED, RouteEffect.CHANGED):
            self._install(
                Route(change.prefix, change.interface, change.next_hop, change.metric, RouteSource.RIP), now, note
            )
        elif change.effect is RouteEffect.UNREACHABLE:
            self._withdraw(change.prefix, RouteSource.RIP, now, note)
        elif note is not None:
            self._record(now, change.interface, note)

    # -- the table -----------------------------------------------------------------------
    def _install(self, route: Route, now: int, note: str | None = None) -> None:
        self.table.install(replace(route, since=now))
        self._routes_changed()
        if note is not None:
            self._record(now, route.interface, note)

    def _withdraw(self, prefix: IPv4Network, source: RouteSource, now: int, note: str | None = None) -> None:
        removed = self.table.withdraw(prefix, source)
        self._routes_changed()
        if removed is not None and note is not None:
            self._record(now, removed.interface, note)

    def _routes_changed(self) -> None:
        self.routes_changed()  # Host's cached destinations
        self._forwarded.clear()

    def _record(self, now: int, interface: str | None, note: str) -> None:
        if self.tracer is not None:
            self.tracer.record(now, self.name, interface, "route", None, note)

    @property
    def routes(self) -> list[dict[str, object]]:
        """`show ip route` as rows: prefix, via, interface, metric, source, age (s)."""
        now = self.engine.now
        rows = []
        for route in self.table:
            if route.source is RouteSource.RIP and self.rip is not None:
                route = replace(route, since=self.rip.last_heard(route.prefix) or route.since)
            rows.append(route.as_dict(now))
        return rows
