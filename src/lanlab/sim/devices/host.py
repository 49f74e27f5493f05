"""A simulated host: NICs wired to the sans-IO machines of lanlab.proto.

Receive path: NIC address filter -> EtherType -> ARP cache or IPv4 (delivery decision) ->
ICMP / UDP demux / `ip_protocols[proto]`. Send path: route -> ARP -> Ethernet -> port.
Extension points: `ip_protocols` (IP protocol number -> handler, e.g. TCP = 6),
`ethertypes` (EtherType -> handler, e.g. RARP), `udp.bind(port, handler)` (e.g. RIP = 520),
and `not_for_me` (a router overrides it to forward). A handler is `handler(host, frame, now)`,
an EtherType handler `handler(host, nic, frame, now)` (the NIC it came in on).
Routing: `host.ipv4.route(dst) -> Route` decides interface and next hop (a router replaces
`host.ipv4` with its routing table, then calls `routes_changed()`); `destination(dst)` caches
that decision, and `transmit(way, ip, l4, data, size, now)` frames any packet, ours or forwarded.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Interface
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Final, TextIO

from lanlab.i18n import L_, N_, message_of
from lanlab.ping_lines import error_line, too_long_line
from lanlab.proto.arp import ArpCache, ArpEntry, QueueOverflow, ResolutionFailed
from lanlab.proto.fragments import (
    MIN_MTU,
    PMTUDISC_DO,
    PMTUDISC_DONT,
    PMTUDISC_PROBE,
    PMTUDISC_WANT,
    Discarded,
    Reassembled,
    Reassembler,
    ReassemblyTimedOut,
    fragment,
)
from lanlab.proto.icmp import IcmpRateLimit, PingSession, echo_reply, ping_error_text
from lanlab.proto.ipv4 import (
    DEFAULT_TTL,
    MULTICAST_TTL,
    Delivery,
    Ipv4Host,
    LocalIpError,
    NetworkUnreachable,
    multicast_mac_bytes,
)
from lanlab.proto.udp import UdpDemux
from lanlab.sim.core.engine import MachineTimer, TimedMachine
from lanlab.sim.core.frame import ETH_HEADER, Frame
from lanlab.sim.core.link import LOOPBACK_DELAY, Port
from lanlab.sim.devices import host_dns
from lanlab.sim.devices.host_tcp import HostTcp
from lanlab.sim.shim import start_program
from lanlab.units import SECOND
from lanlab.wire import (
    Arp,
    EtherType,
    Ethernet,
    Icmp,
    IcmpType,
    IPv4,
    IpProto,
    MacAddress,
    Udp,
    TimeExceededCode,
    UnreachableCode,
    WireError,
    quote,
)
from lanlab.wire.ipv4 import DF, MF
from lanlab.wire.tcp import Tcp

if TYPE_CHECKING:
    from lanlab.sim.core.engine import Engine
    from lanlab.sim.core.trace import Tracer

Handler = Callable[["Host", Frame, int], None]
# An EtherType handler also gets the receiving NIC: a host with several must answer on the right one.
EtherTypeHandler = Callable[["Host", "Nic", Frame, int], None]
ARP_SIZE: Final = ETH_HEADER + 28
DEFAULT_MTU: Final = 1500  # Ethernet's (RFC 894); `mtu:` on a link in a topology lowers it
TRANSPORTS: Final[dict[int, Any]] = {int(IpProto.UDP): Udp, int(IpProto.ICMP): Icmp, int(IpProto.TCP): Tcp}
IP_UDP: Final = ETH_HEADER + 20 + 8
IP_ICMP: Final = ETH_HEADER + 20 + 8
# RFC 1191 path MTU discovery as Linux keeps it: a learned MTU lasts 10 minutes (ip_rt_mtu_expires)
# and is never taken below 552 bytes (ip_rt_min_pmtu; an MTU of 0 from an old router lands here too).
PATH_MTU_EXPIRES: Final = 600 * SECOND
MIN_PATH_MTU: Final = 552
DONT_FRAGMENT: Final = 2  # IPv4 flags bit: Linux sets DF (path MTU discovery); RFC 6864: ident unused then
IPV4: Final = int(EtherType.IPV4)
ARP: Final = int(EtherType.ARP)
UDP: Final = int(IpProto.UDP)
ICMP: Final = int(IpProto.ICMP)
BROADCAST: Final = MacAddress.BROADCAST
# lo: 127.0.0.1/8, MTU 65535 (Linux's is 65536, one more than an IPv4 datagram can be), the zero MAC tcpdump
# shows on it; what it carries arrives after the TCP stack's own loopback delay
LOOPBACK_NET: Final = 127
LOOPBACK_INTERFACE: Final = IPv4Interface("127.0.0.1/8")
LOOPBACK_MTU: Final = 65535
LOOPBACK_MAC: Final = MacAddress(bytes(6))


# 42:4c ("BL"): locally administered unicast in IEEE 802c's AAI quadrant (first octet x2), the space
# left to local administrators, where the IEEE assigns no CID; Wireshark's manuf and wka files name
# nothing under 42 (02:xx was named: 02:01-02:20 are "MS-NLB-PhysServer-NN").
DEFAULT_MAC_PREFIX: Final = bytes((0x42, 0x4C))


def derived_mac(node: str, interface: str) -> MacAddress:
    """A stable locally administered unicast MAC for a node's interface (42:4c:xx:xx:xx:xx)."""
    digest = hashlib.sha256(f"{node}/{interface}".encode()).digest()
    return MacAddress(DEFAULT_MAC_PREFIX + digest[:4])


class NicPort(Port):
    """A host's port: the NIC's address filter, then the host's EtherType demux."""

    __slots__ = ("nic",)
    nic: Nic

    def fire(self, frame: Frame, now: int) -> None:
        if not self.up:
            return
        nic: Nic = self.nic
        host = nic.host
        if host.tracer is not None:
            host.tracer.record(now, host.name, self.name, "rx", frame)
        if frame.size > nic.max_frame:  # Linux's driver drops it too (rx_length_errors): no room in the buffer
            self.drops += 1
            if host.tracer is not None:
                host.tracer.record(
                    now,
                    host.name,
                    self.name,
                    "drop",
                    frame,
                    L_(
                        "frame of {size} bytes is larger than this interface's MTU {mtu} + 14",
                        size=frame.size,
                        mtu=nic.mtu,
                    ),
                )
            return
        eth = frame.eth
        dst = eth.dst
        # The NIC's filter: our MAC (usually the very object we handed out), broadcast, a group we joined.
        if dst is not nic.mac and dst != nic.mac and not (dst[0] & 1 and (dst == BROADCAST or dst in nic.groups)):
            if host.tracer is not None:
                host.tracer.record(now, host.name, self.name, "drop", frame, N_("not addressed to this NIC"))
            return
        ethertype = eth.ethertype
        if ethertype == IPV4:
            host.ip_input(nic, frame, now)
        elif ethertype == ARP:
            host.arp_input(nic, frame, now)
        else:
            handler = host.ethertypes.get(ethertype)
            if handler is not None:
                handler(host, nic, frame, now)
            elif host.tracer is not None:
                host.tracer.record(now, host.name, self.name, "drop", frame, N_("unknown EtherType"))


class LoopbackPort(NicPort):
    """The port of a host's lo: what is sent through it comes back to the host after LOOPBACK_DELAY, on no
    link (so in no capture of one), as Linux's loopback device hands a packet to its own receive path."""

    __slots__ = ()

    def send(self, frame: Frame, now: int) -> None:
        host = self.nic.host
        if host.tracer is not None:
            host.tracer.record(now, host.name, self.name, "tx", frame)
        host.loopback_in_flight += 1
        engine = self.engine
        engine.push((now + LOOPBACK_DELAY, next(engine.tickets), self, frame))

    def fire(self, frame: Frame, now: int) -> None:
        host = self.nic.host
        host.loopback_in_flight -= 1
        if host.tracer is not None:
            host.tracer.record(now, host.name, self.name, "rx", frame)
        host.ip_input(self.nic, frame, now)


class Destination:
    """What a host knows about sending to one address: interface, next hop, its ARP entry,
    and the shared headers (Linux's dst cache + neighbour, in one object)."""

    __slots__ = (
        "nic",
        "next_hop",
        "group_mac",
        "arp_entry",
        "ip_headers",
        "max_frame",
        "path_mtu_expires",
        "source",
    )

    def __init__(self, nic: Nic, next_hop: IPv4Address, group_mac: MacAddress | None) -> None:
        self.nic = nic
        self.next_hop = next_hop
        self.source = nic.ip  # the source address of what goes this way: the interface's, or (lo) the host's own
        self.group_mac = group_mac  # broadcast or multicast: no ARP
        self.arp_entry: ArpEntry | None = None
        self.ip_headers: dict[tuple[Any, ...], IPv4] = {}  # (protocol, TTL asked[, source]) -> header
        self.max_frame = nic.max_frame  # lowered by a learned path MTU (RFC 1191)
        self.path_mtu_expires = 0  # when that path MTU is forgotten; 0: none learned


class Nic:
    """One interface: port, MAC, IPv4 address, ARP cache, joined multicast MACs."""

    __slots__ = (
        "host",
        "index",
        "name",
        "port",
        "mac",
        "address",
        "ip",
        "arp",
        "arp_timer",
        "groups",
        "ethernet",
        "mtu",
        "max_frame",
        "mtu_given",
    )

    def __init__(self, host: Host, index: int, name: str, mac: MacAddress, port: type[NicPort] | None = None) -> None:
        self.host = host
        self.index = index
        self.name = name
        self.port = (port or NicPort)(host, name, host.engine)
        self.port.nic = self
        self.mac = mac
        self.address: IPv4Interface | None = None
        self.ip: IPv4Address | None = None  # address.ip, kept: IPv4Interface.ip builds a new object each time
        self.arp: ArpCache[tuple[Any, Any, bytes, int]] | None = None
        self.arp_timer: MachineTimer | None = None
        self.groups: set[MacAddress] = set()
        self.ethernet: dict[MacAddress, Ethernet] = {}  # destination MAC -> shared IPv4 Ethernet header
        self.mtu_given = False  # set by the interface's own mtu:, which a link's mtu: does not change
        self.set_mtu(DEFAULT_MTU)

    def set_mtu(self, mtu: int) -> None:
        """The largest IPv4 datagram this interface sends whole; bigger ones leave as fragments."""
        if not MIN_MTU <= mtu <= 65535:
            raise ValueError(f"mtu must be from {MIN_MTU} to 65535 bytes, not {mtu}")
        self.mtu = mtu
        self.max_frame = ETH_HEADER + mtu  # the one test on the send path: frame size against this
        self.host.routes_changed()  # cached destinations copied the old max_frame

    def ethernet_to(self, dst: MacAddress) -> Ethernet:
        """The (immutable, shared) IPv4 Ethernet header towards `dst`."""
        eth = self.ethernet.get(dst)
        if eth is None:
            eth = self.ethernet[dst] = Ethernet(dst, self.mac, EtherType.IPV4)
        return eth


class Host:
    """An end system: it answers ARP and ping, delivers UDP, never forwards."""

    kind = "host"
    port_kind: ClassVar[type[NicPort]] = NicPort  # the class of its NICs' ports (a Router's forward in RouterPort.fire)

    def __init__(self, name: str, engine: Engine, gateway: IPv4Address | None = None) -> None:
        self.name = name
        self.engine = engine
        self.frame_ids = engine.frame_ids  # next(self.frame_ids): one load less on every send
        self.network: Any = None  # the Network it was added to (programs resolve names through it)
        self.nics: list[Nic] = []
        self.ports: dict[str, Port] = {}
        self.ipv4 = Ipv4Host(gateway)  # the IPv4 machine (addresses, routes); a Nic's `ip` is an address
        self.udp: UdpDemux[Handler] = UdpDemux()
        self.ip_protocols: dict[int, Handler] = {}
        self.ethertypes: dict[int, EtherTypeHandler] = {}
        self.pings: dict[int, PingSession] = {}
        self.icmp_errors: list[tuple[int, IPv4Address, Icmp]] = []
        self.icmp_limit = IcmpRateLimit(SECOND)  # net.ipv4.icmp_ratelimit; IcmpRateLimit(0): no limit
        self.icmp_error_hooks: list[Callable[[Icmp, bytes, int], None]] = []  # (error, quoted packet, now)
        # Called with (sender, icmp, data after the ICMP header, now) for every ICMP message but
        # echo requests: how traceroute hears its errors and echo replies.
        self.icmp_watchers: list[Callable[[IPv4Address, Icmp, bytes, int], None]] = []
        self.tracer: Tracer | None = None
        # The NIC the packet being delivered came in on (a UDP handler's IP_PKTINFO: a DHCP server
        # answers on the interface a broadcast arrived by).
        self.rx_nic: Nic | None = None
        # net.ipv4.icmp_echo_ignore_broadcasts at 0: echo requests to a broadcast or multicast address are answered
        # (Linux ignores them by default, so a `ping -b` hears nobody)
        self.answers_broadcast_ping = False
        # Called with (nic, arp, now) for every ARP packet received, addressed or not (a DHCP
        # client's address probe listens here before the NIC has an address).
        self.arp_watchers: list[Callable[[Nic, Arp, int], None]] = []
        self.dhcp: Any = None  # lanlab.sim.stacks.dhcp.DhcpAgent when the node serves or relays DHCP
        self.dhcp_client: Any = None  # lanlab.sim.stacks.dhcp.DhcpBoot on a host with ip: dhcp
        self.dhcp_drops = 0  # malformed DHCP messages received
        # resolv.conf: DNS servers (`dns:` in the file, else learned from DHCP) and the search domain
        self.resolver_servers: tuple[IPv4Address, ...] = ()
        self.resolver_search = ""
        self.resolver_given = False  # `dns:` was given: a DHCP lease does not replace it
        self.dns_service: Any = None  # lanlab.sim.stacks.dns.DnsService on a node that serves a zone
        self.dns_drops = 0  # malformed or misdirected DNS messages received
        self.dns_rng: random.Random | None = None  # query ids (host_dns), made at the first lookup
        self._ping_ident = 0
        self._fragment_ident = 0  # IPv4 identification of the datagrams this host fragments (RFC 6864)
        self._reassembler: Reassembler | None = None  # made at the first fragment
        self._reassembly_timer: MachineTimer | None = None
        self._destinations: dict[int, Destination] = {}
        self._path_mtus: dict[int, tuple[int, int]] = {}  # destination -> (path MTU, when it expires)
        self._udp_headers: dict[tuple[int, int], Udp] = {}
        self.loopback: Nic | None = None  # lo, made when the host first sends to itself or to 127.0.0.0/8
        self.loopback_in_flight = 0  # what lo carries now: the shim lets a call that sent there return once it is 0
        self.tcp = HostTcp(self)
        self.shim: Any = None  # lanlab.sim.shim's state for the programs run here (made by the first one)

    # -- configuration -------------------------------------------------------------------
    def add_interface(
        self,
        name: str,
        address: IPv4Interface | str | None = None,
        mac: MacAddress | str | None = None,
        mtu: int | None = None,
    ) -> Nic:
        """A NIC called `name`, with an address ("198.18.0.1/24") or none yet (RARP), a MAC
        (derived from the host's and the NIC's names when not given) and an MTU (1500, or a link's mtu:)."""
        if isinstance(address, str):
            if "/" not in address:
                raise ValueError(f"{address!r} needs a prefix length, like {address}/24")
            address = IPv4Interface(address)
        if isinstance(mac, str):
            mac = MacAddress(mac)
        nic = Nic(self, len(self.nics), name, mac if mac is not None else derived_mac(self.name, name), self.port_kind)
        if mtu is not None:
            nic.set_mtu(mtu)
            nic.mtu_given = True
        self.nics.append(nic)
        self.ports[name] = nic.port
        if address is not None:
            self.set_address(nic, address)
        return nic

    def set_address(self, nic: Nic, address: IPv4Interface) -> None:
        if nic.address is not None:
            self.ipv4.remove_address(nic.index)
        nic.address = address
        nic.ip = address.ip
        self.ipv4.add_address(nic.index, address)
        nic.arp = ArpCache(nic.mac, address.ip)
        nic.arp_timer = MachineTimer(self.engine, nic.arp, self)
        self.routes_changed()

    def clear_address(self, nic: Nic) -> None:
        """Take `nic`'s address away (its ARP cache and queued packets go with it)."""
        self.ipv4.remove_address(nic.index)
        nic.address = nic.ip = None
        nic.arp = None
        nic.arp_timer = None
        nic.ethernet.clear()
        self.routes_changed()

    def port(self, name: str) -> Port:
        port = self.ports.get(name)
        if port is None:
            raise KeyError(
                L_(
                    "{kind} {node} has no interface {name!r} (it has {names})",
                    kind=self.kind,
                    node=self.name,
                    name=name,
                    names=", ".join(self.ports),
                )
            )
        return port

    def attach(self, own: Port, peer: Port) -> None:
        """Called by Network.link; hosts need nothing more."""

    @property
    def addresses(self) -> list[IPv4Address]:
        return [nic.ip for nic in self.nics if nic.ip is not None]

    def join(self, group: IPv4Address) -> None:
        """Join a multicast group on every interface (RFC 1112 level 1: receive; no IGMP)."""
        self.ipv4.join(group)
        mac = MacAddress(multicast_mac_bytes(group))
        for nic in self.nics:
            nic.groups.add(mac)

    @property
    def arp_table(self) -> list[dict[str, object]]:
        """Every interface's live ARP entries as rows {"ip", "mac", "interface"}."""
        rows: list[dict[str, object]] = []
        for nic in self.nics:
            if nic.arp is not None:
                rows.extend(
                    {"ip": str(r.ip), "mac": str(r.mac), "interface": nic.name} for r in nic.arp.rows(self.engine.now)
                )
        return rows

    def announce(self) -> None:
        """Send a gratuitous ARP on every addressed interface."""
        for nic in self.nics:
            if nic.arp is not None:
                nic.arp.announce()
                self._flush_arp(nic, self.engine.now)

    # -- receive (NicPort.fire is the entry) ----------------------------------------------
    def arp_input(self, nic: Nic, frame: Frame, now: int) -> None:
        arp: Arp = frame.l3
        for watch in self.arp_watchers:
            watch(nic, arp, now)
        if nic.arp is None:
            return
        mine = arp.target_ip == nic.arp.ip
        if self.tracer is not None:
            self.tracer.record(
                now,
                self.name,
                nic.name,
                "deliver" if mine else "drop",
                frame,
                "" if mine else L_("not for {ip}", ip=nic.arp.ip),
            )
        nic.arp.handle_arp(arp, now)
        self._flush_arp(nic, now)

    def ip_input(self, nic: Nic, frame: Frame, now: int) -> None:
        ip: IPv4 = frame.l3
        if ip.dst is nic.ip:  # the sender used the object we hand out: skip the int compares
            delivery = Delivery.UNICAST
        else:
            accepted = self.ipv4.accepts(ip.dst)
            if accepted is None:
                self.not_for_me(nic, frame, now)
                return
            delivery = accepted
        if ip.flags & MF or ip.frag_offset:  # a piece of a datagram for us: deliver it once it is whole
            whole = self._reassemble(nic, frame, now)
            if whole is None:
                return
            frame, ip = whole, whole.l3
        proto = ip.proto
        if proto == UDP:
            udp: Udp = frame.l4
            handler = self.udp.bound.get(udp.dst_port)
            accepts = self.udp.accepts
            if handler is None or (accepts is not None and not accepts(udp.dst_port, ip.dst, ip.src, udp.src_port)):
                if self.tracer is not None:
                    self.tracer.record(
                        now, self.name, nic.name, "drop", frame, L_("no socket on UDP port {port}", port=udp.dst_port)
                    )
                if delivery == Delivery.UNICAST:  # RFC 1122 3.2.2.1: never for broadcasts
                    self.send_icmp_error(frame, IcmpType.DEST_UNREACHABLE, UnreachableCode.PORT, now)
                return
            if self.tracer is not None:
                self.tracer.record(
                    now, self.name, nic.name, "deliver", frame, L_("to UDP port {port}", port=udp.dst_port)
                )
            self.rx_nic = nic
            handler(self, frame, now)
        elif proto == ICMP:
            self.icmp_input(nic, frame, delivery, now)
        else:
            other = self.ip_protocols.get(proto)
            if other is not None:
                if self.tracer is not None:
                    self.tracer.record(now, self.name, nic.name, "deliver", frame)
                other(self, frame, now)
            elif self.tracer is not None:
                self.tracer.record(
                    now, self.name, nic.name, "drop", frame, L_("no handler for IP protocol {proto}", proto=proto)
                )

    def not_for_me(self, nic: Nic, frame: Frame, now: int) -> None:
        """An IPv4 packet addressed elsewhere: a host drops it (RFC 1122 3.3.4); routers forward."""
        if self.tracer is not None:
            self.tracer.record(now, self.name, nic.name, "drop", frame, N_("IP destination is not this host"))

    def icmp_input(self, nic: Nic, frame: Frame, delivery: Delivery, now: int) -> None:
        icmp: Icmp = frame.l4
        ip: IPv4 = frame.l3
        if self.tracer is not None:
            self.tracer.record(now, self.name, nic.name, "deliver", frame)
        if self.icmp_watchers and icmp.type != IcmpType.ECHO_REQUEST:
            for watch in self.icmp_watchers:
                watch(ip.src, icmp, frame.data, now)
        if icmp.type == IcmpType.ECHO_REQUEST:
            if delivery == Delivery.UNICAST or self.answers_broadcast_ping:  # else ignored, as Linux by default
                # the kernel's ICMP socket is IP_PMTUDISC_DONT (icmp_sk_init): a reply too big for the path
                # is fragmented on the way, not refused
                self.answer_ip(
                    ip.src, ICMP, echo_reply(icmp), frame.data, IP_ICMP + len(frame.data), now, pmtudisc=PMTUDISC_DONT
                )
        elif icmp.type == IcmpType.ECHO_REPLY:
            session = self.pings.get(icmp.rest >> 16)
            if session is not None:
                session.handle_reply(icmp, ip.ttl, now, str(ip.src))
        elif icmp.type in (IcmpType.DEST_UNREACHABLE, IcmpType.TIME_EXCEEDED):
            self.icmp_errors.append((now, ip.src, icmp))
            self._error_to_ping(ip.src, icmp, frame.data)
            if icmp.code == UnreachableCode.FRAG_NEEDED and icmp.type == IcmpType.DEST_UNREACHABLE:
                self.learn_path_mtu(icmp, frame.data, now)
            self.tcp.icmp_error(icmp, frame.data, now)
            for hook in self.icmp_error_hooks:
                hook(icmp, frame.data, now)

    def _error_to_ping(self, sender: IPv4Address, error: Icmp, quoted: bytes) -> None:
        """Tell the ping session whose request an ICMP error quotes (RFC 792: header + 8 bytes)."""
        if len(quoted) < 20 or quoted[9] != ICMP:  # byte 9 of the quoted IPv4 header: its protocol
            return
        try:
            inner, _ = Icmp.parse(quoted[(quoted[0] & 0x0F) * 4 :])  # type: ignore[attr-defined]
        except WireError:
            return
        session = self.pings.get(inner.rest >> 16)
        if session is not None and session.owns(inner):
            seq = inner.rest & 0xFFFF
            session.handle_error(error_line(str(sender), seq, ping_error_text(error)), seq)

    # -- send ----------------------------------------------------------------------------
    def destination(self, dst: IPv4Address) -> Destination:
        """The cached way to `dst` (route decided once per destination until addresses change)."""
        key = int(dst)
        known = self._destinations.get(key)
        if known is None and (key >> 24 == LOOPBACK_NET or self.ipv4.is_local(dst)):
            known = self._destinations[key] = self._through_loopback(dst)
        if known is None:
            route = self.ipv4.route(dst)
            group_mac = None
            if route.broadcast:
                group_mac = MacAddress(multicast_mac_bytes(dst)) if key >> 28 == 0xE else BROADCAST
            known = self._destinations[key] = Destination(self.nics[route.index], route.next_hop, group_mac)
            self._apply_path_mtu(key, known)
        return known

    def _through_loopback(self, dst: IPv4Address) -> Destination:
        """The way to one of this host's own addresses or to 127.0.0.0/8 (RFC 1122 3.2.1.3): its lo, never a
        wire and never ARP; the source is the address itself, or 127.0.0.1 for 127/8 (as Linux's routes pick)."""
        lo = self.loopback
        if lo is None:
            lo = self.loopback = Nic(self, -1, "lo", LOOPBACK_MAC, LoopbackPort)
            lo.address, lo.ip = LOOPBACK_INTERFACE, LOOPBACK_INTERFACE.ip
            lo.set_mtu(LOOPBACK_MTU)
        way = Destination(lo, dst, LOOPBACK_MAC)
        if int(dst) >> 24 != LOOPBACK_NET:
            way.source = dst
        return way

    def _apply_path_mtu(self, key: int, way: Destination) -> None:
        """Give a new cached destination the path MTU learned for it, if any (it outlives route changes)."""
        learned = self._path_mtus.get(key)
        if learned is not None and ETH_HEADER + learned[0] < way.max_frame:
            way.max_frame = ETH_HEADER + learned[0]
            way.path_mtu_expires = learned[1]

    def learn_path_mtu(self, error: Icmp, quoted: bytes, now: int) -> None:
        """ICMP fragmentation needed (RFC 1191 4): the quoted datagram's destination gets the next-hop MTU,
        if it is lower than what this host uses now; later datagrams to it are cut to that size."""
        if len(quoted) < 20:
            return
        key = int.from_bytes(quoted[16:20], "big")  # the quoted IPv4 header's destination address
        mtu = max(error.rest & 0xFFFF, MIN_PATH_MTU)
        way = self._destinations.get(key)
        known = self._path_mtus.get(key)
        if (way is not None and ETH_HEADER + mtu >= way.max_frame) or (
            known is not None and mtu >= known[0] and now < known[1]
        ):
            return  # RFC 1191 6.3: an estimate is only ever lowered by a message
        self._path_mtus[key] = (mtu, now + PATH_MTU_EXPIRES)
        if way is not None:
            self._apply_path_mtu(key, way)
        self.tcp.path_mtu_lowered(IPv4Address(key), mtu, now)

    def path_mtu(self, dst: IPv4Address, now: int) -> int:
        """The largest IPv4 datagram to `dst` that leaves unfragmented now: a learned path MTU until it expires
        (then forgotten), else the outgoing interface's MTU (Linux's ipv4_mtu)."""
        way = self.destination(dst)
        self._expire_path_mtu(way, dst, now)
        return way.max_frame - ETH_HEADER

    def _expire_path_mtu(self, way: Destination, dst: IPv4Address, now: int) -> None:
        """After 10 minutes a learned path MTU is forgotten, the interface's tried again (RFC 1191 6.3, as Linux)."""
        if way.path_mtu_expires and now >= way.path_mtu_expires:
            self._path_mtus.pop(int(dst), None)
            way.max_frame = way.nic.max_frame
            way.path_mtu_expires = 0

    def send_udp(
        self,
        src_port: int,
        dst: IPv4Address,
        dst_port: int,
        data: bytes,
        now: int,
        ttl: int | None = None,
        src: IPv4Address | None = None,
        pmtudisc: int = PMTUDISC_WANT,
    ) -> None:
        """A datagram of ours; `src`: the source address its socket holds (bound or set by connect), if any;
        `pmtudisc`: its socket's IP_MTU_DISCOVER (DF and the MTU it is cut to, see send_ip)."""
        key = (src_port, dst_port)
        udp = self._udp_headers.get(key)
        if udp is None:
            udp = self._udp_headers[key] = Udp(src_port, dst_port)
        self.send_ip(dst, UDP, udp, data, IP_UDP + len(data), now, ttl, src, pmtudisc)

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
        """Send an IPv4 packet of ours (`size`: the whole frame's length); routed, resolved, framed. `src`: the
        source it must have (a TCP connection's local address), when not the outgoing interface's own.
        `pmtudisc`: an IP_MTU_DISCOVER value (ip(7)); Linux's default, WANT, sets DF on what fits the path MTU
        and fragments the rest; the kernel's own ICMP messages go as DONT, without DF."""
        # The int ipaddress keeps (as wire.checksum reads it): int(dst) is a Python-level __int__ call,
        # about 5% of a switched LAN's CPU time (bench/sim_lan.py, profiled).
        way = self._destinations.get(dst._ip)  # type: ignore[attr-defined]
        if way is None:
            way = self.destination(dst)
        if src is not None and src._ip != way.source._ip:  # type: ignore[attr-defined, union-attr]
            # a connection to another interface's address (a router's far side): its replies keep that address
            key: tuple[Any, ...] = (proto, ttl, src)
        else:
            key = (proto, ttl)
        ip = way.ip_headers.get(key)
        if ip is None:
            ip = self._ip_header(way, dst, key)
        if pmtudisc != PMTUDISC_WANT:
            self._transmit_as(way, ip, l4, data, size, now, pmtudisc)
            return
        self.transmit(way, ip, l4, data, size, now)

    def _transmit_as(
        self, way: Destination, ip: IPv4, l4: Any, data: bytes, size: int, now: int, pmtudisc: int
    ) -> None:
        """Send under another IP_MTU_DISCOVER than Linux's default (ip(7), __ip_make_skb): DONT, INTERFACE and OMIT
        without DF, so with an identification of their own (RFC 6864 4.1); PROBE, INTERFACE and OMIT cut to the
        interface's MTU, the path's ignored (ip_sk_use_pmtu)."""
        if pmtudisc != PMTUDISC_DO and pmtudisc != PMTUDISC_PROBE:
            self._fragment_ident += 1
            ip = replace(ip, flags=ip.flags & ~DF, ident=self._fragment_ident & 0xFFFF)
        self.transmit(way, ip, l4, data, size, now, way.nic.max_frame if pmtudisc >= PMTUDISC_PROBE else 0)

    def answer_ip(
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
        """Send a packet the host makes by itself in answer to one it received (an echo reply, an ICMP error,
        a TCP segment): with no route back it is dropped and the event list says why, as Linux drops it
        (its sendmsg fails with ENETUNREACH); it never stops the run."""
        try:
            self.send_ip(dst, proto, l4, data, size, now, ttl, src, pmtudisc)
        except NetworkUnreachable as error:
            if self.tracer is not None:
                self.tracer.record(now, self.name, None, "drop", None, message_of(error))

    def transmit(
        self, way: Destination, ip: IPv4, l4: Any, data: bytes, size: int, now: int, max_frame: int = 0
    ) -> None:
        """Frame a packet of ours to `way`'s next hop; it waits in the ARP queue if the next hop is not resolved
        yet. One bigger than the path MTU (or `max_frame`, a frame size, when given) is cut into fragments first,
        each then framed or queued, as Linux fragments before its neighbour layer (ip_finish_output)."""
        limit = max_frame if max_frame else way.max_frame
        if size > limit:  # the interface MTU or a smaller path MTU
            if not max_frame:
                self._expire_path_mtu(way, ip.dst, now)
                limit = way.max_frame
            if size > limit:
                for header, piece in self._fragments(ip, l4, data, limit - ETH_HEADER):
                    self.transmit(way, header, None, piece, ETH_HEADER + header.header_length + len(piece), now, limit)
                return
        nic = way.nic
        mac = way.group_mac
        if mac is None:
            entry = way.arp_entry
            if entry is None or now >= entry.expires:
                entry = way.arp_entry = nic.arp.entry(way.next_hop, now)  # type: ignore[union-attr]
                if entry is None:
                    nic.arp.resolve(way.next_hop, (ip, l4, data, size), now)  # type: ignore[union-attr]
                    self._flush_arp(nic, now)
                    return
            mac = entry.mac
        eth = nic.ethernet.get(mac)
        if eth is None:
            eth = nic.ethernet_to(mac)
        nic.port.send(Frame(eth, ip, l4, data, size, next(self.frame_ids)), now)

    def _send_fragments(
        self, nic: Nic, eth: Ethernet, ip: IPv4, l4: Any, data: bytes, now: int, mtu: int | None = None
    ) -> None:
        """A datagram of ours, released by the ARP queue, bigger than the interface MTU (or `mtu`) leaves in
        fragments (RFC 791 3.2)."""
        engine = self.engine
        for header, piece in self._fragments(ip, l4, data, nic.mtu if mtu is None else mtu):
            nic.port.send(
                Frame(eth, header, None, piece, ETH_HEADER + header.header_length + len(piece), next(engine.frame_ids)),
                now,
            )

    def _fragments(self, ip: IPv4, l4: Any, data: bytes, mtu: int) -> list[tuple[IPv4, bytes]]:
        """A datagram of ours as fragments of at most `mtu` bytes (RFC 791 3.2), without DF and with an
        identification of its own (kept when DF was clear: it has one), as Linux's ip_fragment cuts them."""
        payload = l4.build(data, ip.src, ip.dst) if isinstance(l4, (Udp, Tcp)) else l4.build(data)
        if ip.flags & DF:
            self._fragment_ident += 1
            ip = replace(ip, flags=ip.flags & ~DF, ident=self._fragment_ident & 0xFFFF)
        return fragment(ip, payload, mtu)

    def _reassemble(self, nic: Nic, frame: Frame, now: int) -> Frame | None:
        """Hold a fragment; once its datagram is whole, the frame to deliver (RFC 791 3.2)."""
        if self._reassembler is None:
            self._reassembler = Reassembler()
            self._reassembly_timer = MachineTimer(self.engine, self._reassembler, self)
        ip: IPv4 = frame.l3
        result = self._reassembler.handle_fragment(ip, frame.data, now)
        self._reassembly_timer.arm()  # type: ignore[union-attr]
        if not isinstance(result, Reassembled):
            if self.tracer is not None:
                note = result.reason if isinstance(result, Discarded) else N_("fragment held for reassembly")
                self.tracer.record(
                    now, self.name, nic.name, "drop" if isinstance(result, Discarded) else "deliver", frame, note
                )
            return None
        header, payload = result.header, result.payload
        transport = TRANSPORTS.get(header.proto)
        l4: Any = None
        if transport is not None:
            try:
                l4, payload = transport.parse(payload)
            except WireError as error:
                if self.tracer is not None:
                    self.tracer.record(
                        now, self.name, nic.name, "drop", frame, L_("reassembled datagram: {error}", error=str(error))
                    )
                return None
        return Frame(
            frame.eth, header, l4, payload, ETH_HEADER + header.header_length + len(result.payload), frame.ident
        )

    def routes_changed(self) -> None:
        """Forget the cached destinations (call after changing addresses, gateway or routes)."""
        self._destinations.clear()

    def _ip_header(self, way: Destination, dst: IPv4Address, key: tuple[Any, ...]) -> IPv4:
        """The shared immutable IPv4 header of `way`'s ip_headers `key` ((protocol, TTL asked[, source]),
        from the way's own source without one); lengths and checksum are computed when built."""
        proto, ttl = key[0], key[1]
        hops = ttl if ttl is not None else (MULTICAST_TTL if int(dst) >> 28 == 0xE else DEFAULT_TTL)
        header = way.ip_headers[key] = IPv4(
            key[2] if len(key) > 2 else way.source,  # type: ignore[arg-type]  # a way is made only for a NIC with an address
            dst,
            proto,
            ttl=hops,
            flags=DONT_FRAGMENT,
        )
        return header

    def send_icmp_error(self, frame: Frame, kind: int, code: int, now: int) -> None:
        """An ICMP error about `frame`, quoting its IP header and first 8 data bytes (RFC 792)."""
        icmp = Icmp(kind, code)
        if not self.may_send_icmp_error(frame.l3.src, icmp, now):
            return
        quoted = quote(frame.to_bytes()[ETH_HEADER:])
        self.answer_ip(frame.l3.src, ICMP, icmp, quoted, IP_ICMP + len(quoted), now, pmtudisc=PMTUDISC_DONT)

    def may_send_icmp_error(self, destination: IPv4Address, icmp: Icmp, now: int) -> bool:
        """Whether Linux's rate limit (icmp_limit) lets this error go to `destination`; errors to the host
        itself are never limited, as Linux spares loopback. One held back is a drop in the event list."""
        if self.ipv4.is_local(destination) or self.icmp_limit.allow(int(destination), icmp.type, icmp.code, now):
            return True
        if self.tracer is not None:
            self.tracer.record(
                now,
                self.name,
                None,
                "drop",
                None,
                L_(
                    "ICMP {kind} to {destination} held back: the rate limit (after 6, one a second per destination,"
                    " as Linux's net.ipv4.icmp_ratelimit)",
                    kind=IcmpType(icmp.type).name.lower().replace("_", " "),
                    destination=destination,
                ),
            )
        return False

    def _flush_arp(self, nic: Nic, now: int) -> None:
        arp = nic.arp
        if arp is None:
            return
        engine = self.engine
        for dst, packet in arp.arp_to_send():
            nic.port.send(
                Frame(Ethernet(dst, nic.mac, EtherType.ARP), packet, None, b"", ARP_SIZE, next(engine.frame_ids)), now
            )
        released = arp.packets_to_send()
        for mac, (ip, l4, data, size) in released:
            if size > nic.max_frame:
                self._send_fragments(nic, nic.ethernet_to(mac), ip, l4, data, now)
                continue
            nic.port.send(Frame(nic.ethernet_to(mac), ip, l4, data, size, next(engine.frame_ids)), now)
        event = arp.next_event()
        while event is not None:
            if isinstance(event, QueueOverflow):
                if self.tracer is not None:
                    self.tracer.record(
                        now,
                        self.name,
                        nic.name,
                        "drop",
                        None,
                        L_(
                            "ARP queue for {ip} full ({limit} packets): the oldest, to {destination}, dropped",
                            ip=event.ip,
                            limit=arp.queue_limit,
                            destination=event.packet[0].dst,
                        ),
                    )
            else:
                self._unreachable(nic, event, now)
            event = arp.next_event()
        nic.arp_timer.arm()  # type: ignore[union-attr]

    def _unreachable(self, nic: Nic, failed: ResolutionFailed, now: int) -> None:
        for ip, l4, _data, _size in failed.packets:
            if self.tracer is not None:
                self.tracer.record(
                    now,
                    self.name,
                    nic.name,
                    "drop",
                    None,
                    L_("no ARP reply from {ip}: packet to {destination} dropped", ip=failed.ip, destination=ip.dst),
                )
            if isinstance(l4, Icmp) and l4.type == IcmpType.ECHO_REQUEST:
                session = self.pings.get(l4.rest >> 16)
                if session is not None:
                    seq = l4.rest & 0xFFFF  # Linux reports it as an ICMP error from this host (SO_EE_ORIGIN_ICMP)
                    session.handle_error(error_line(str(nic.ip), seq, "Destination Host Unreachable"), seq)
            elif ip.proto == IpProto.TCP:
                self.tcp.neighbour_unreachable(ip, l4, now)

    # -- programs (the socket shim) -------------------------------------------------------
    def run_program(
        self, path: str, stdin: str | TextIO = "", args: list[str] | None = None, at: int | float | str | None = None
    ) -> Any:
        """Run a Python program file on this host (its `socket`, `time`, ... are simulated), from `at` (whole ns
        or a unit string like "0.5s"; None: now). A float is taken, to be refused with a message saying so (a
        compiled build would refuse it with a bare TypeError)."""
        return start_program(self, path=path, stdin=stdin, args=args or [], at=at)

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(*args)` as a program on this host: its module-level socket, time, threading... are the host's."""
        return start_program(self, function=fn, args=list(args))

    # -- ping ----------------------------------------------------------------------------
    def lookup_name(self, name: str, done: Callable[[Any], None], qtype: int = 1) -> Any:
        """Look `name` up over the wire through `resolver_servers` (host_dns: glibc's timing); `done(event)`
        gets lanlab.proto.dns's Resolved or Failed. The shim's gethostbyname comes here."""
        return host_dns.lookup(self, name, done, qtype)

    def ping(
        self,
        dst: IPv4Address,
        *,
        count: int = 4,
        interval: int = SECOND,
        size: int = 56,
        timeout: int = 10_000_000_000,
        ttl: int | None = None,
        pmtudisc: int = PMTUDISC_WANT,
    ) -> PingSession:
        """Start `ping dst` now; the session's `result` fills in as the simulation runs; `pmtudisc`: ping -M,
        an IP_MTU_DISCOVER value. Raises LocalIpError when there is no route (ping: "Network is unreachable")."""
        self.destination(dst)
        self._ping_ident += 1
        session = PingSession(
            dst,
            self._ping_ident,
            count=count,
            interval=interval,
            size=size,
            timeout=timeout,
            ttl=ttl,
            now=self.engine.now,
            pmtudisc=pmtudisc,
        )
        self.pings[session.ident] = session
        timer = MachineTimer(self.engine, session, self)
        timer.arm()
        return session

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        """A sans-IO machine's deadline passed: transmit what it produced."""
        if isinstance(machine, PingSession):
            for request in machine.requests_to_send():
                try:
                    too_big = self._ping_too_big(machine, now)
                    if too_big:  # ping -M do or probe: sendmsg's EMSGSIZE, as iputils says it
                        machine.handle_error(too_long_line(too_big))
                        continue
                    self.send_ip(
                        machine.destination,
                        ICMP,
                        request,
                        machine.payload,
                        IP_ICMP + len(machine.payload),
                        now,
                        machine.ttl,
                        None,
                        machine.pmtudisc,
                    )
                except LocalIpError as error:  # the route went away during the ping
                    machine.handle_error(f"icmp_seq={request.rest & 0xFFFF} {error}")
        elif isinstance(machine, Reassembler):
            timed_out = machine.next_event()
            while timed_out is not None:
                self._reassembly_timed_out(timed_out, now)
                timed_out = machine.next_event()
        else:
            for nic in self.nics:
                if nic.arp is machine:
                    self._flush_arp(nic, now)

    def _ping_too_big(self, session: PingSession, now: int) -> int:
        """The MTU a ping -M do (the path's) or -M probe (the interface's) request does not fit, or 0."""
        if session.pmtudisc != PMTUDISC_DO and session.pmtudisc != PMTUDISC_PROBE:
            return 0
        dst = session.destination
        mtu = self.path_mtu(dst, now) if session.pmtudisc == PMTUDISC_DO else self.destination(dst).nic.mtu
        return mtu if IP_ICMP - ETH_HEADER + len(session.payload) > mtu else 0

    def _reassembly_timed_out(self, timed_out: ReassemblyTimedOut, now: int) -> None:
        """ICMP time exceeded, code 1, quoting fragment zero (RFC 792; RFC 1122 3.3.2: only with it)."""
        if self.tracer is not None:
            self.tracer.record(
                now,
                self.name,
                None,
                "drop",
                None,
                L_(
                    "reassembly of datagram {ident:#06x} from {source} timed out",
                    ident=timed_out.key[3],
                    source=IPv4Address(timed_out.key[0]),
                ),
            )
        if timed_out.first is None:
            return
        header, data = timed_out.first
        icmp = Icmp(IcmpType.TIME_EXCEEDED, TimeExceededCode.REASSEMBLY)
        if not self.may_send_icmp_error(header.src, icmp, now):
            return
        quoted = quote(header.build(data))
        try:
            self.answer_ip(
                header.src,
                ICMP,
                icmp,
                quoted,
                IP_ICMP + len(quoted),
                now,
                pmtudisc=PMTUDISC_DONT,
            )
        except LocalIpError:
            pass  # no way back to the sender: nothing to tell
