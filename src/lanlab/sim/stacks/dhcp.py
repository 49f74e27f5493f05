"""DHCP roles on simulated hosts and routers (RFC 2131), around lanlab.proto.dhcp's machines.

    srv: {kind: host, ip: 198.18.0.2/24, dhcp: {pool: 198.18.0.100-198.18.0.199, lease: 1h,
                                                router: 198.18.0.254, dns: 198.18.0.53}}
    pc1: {kind: host, ip: dhcp}
    r1:  {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}, dhcp_relay: 198.18.0.2}

`DhcpAgent` owns UDP port 67 on a node: a server per interface that has a pool, a relay agent
on the others when `dhcp_relay` is set (RFC 2131 4.1 / RFC 1542 4: giaddr, hops). `DhcpBoot`
owns port 68 on a host with `ip: dhcp`: it starts the client at time 0, ARP-probes the address
it is given before using it (RFC 2131 2.2, sender address 0 as RFC 5227 2.1.1 says), and
configures or removes the interface address as leases come and go.
"""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import TYPE_CHECKING, Any, Final

from lanlab.i18n import L_
from lanlab.proto.dhcp import (
    BROADCAST,
    CLIENT_PORT,
    PROBE_WAIT,
    SERVER_PORT,
    ZERO,
    Bound,
    DhcpClient,
    DhcpSend,
    DhcpServer,
    Lost,
    Probe,
    message_kind,
    relay_reply,
    relay_request,
)
from lanlab.sim.core.engine import MachineTimer, TimedMachine
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.trace import register_kind
from lanlab.sim.devices.host import ARP_SIZE, IP_UDP, UDP
from lanlab.units import SECOND
from lanlab.wire import Arp, EtherType, Ethernet, IPv4, MacAddress, Udp, WireError
from lanlab.wire.arp import ArpOp
from lanlab.wire.dhcp import BootOp, Dhcp, DhcpMessageType

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host, Nic

ZERO_MAC: Final = MacAddress(bytes(6))
DRAIN_CHECK: Final = SECOND // 1000  # how often a released address looks whether its RELEASE has left

register_kind("dhcp", "DHCP")  # the client's story: probing, bound, lost


def send(host: Host, nic: Nic, out: DhcpSend, now: int) -> None:
    """Put one DHCP message on the wire: broadcast, or to a MAC without ARP, out of `nic`
    (RFC 2131 4.1: the client has no address yet); other unicasts are routed as usual."""
    data = out.message.build()
    udp = Udp(out.source_port, out.port)
    if out.destination == BROADCAST or out.mac is not None:
        mac = MacAddress.BROADCAST if out.destination == BROADCAST else out.mac
        if out.source_port == CLIENT_PORT:  # RFC 2131 4.1: 0.0.0.0 until the client has an address; ciaddr
            source = out.message.ciaddr  # is 0 then (DISCOVER, a SELECTING REQUEST, DECLINE), its address after
        else:
            source = nic.ip if nic.ip is not None else ZERO
        ip = IPv4(source, out.destination, UDP, ttl=64)
        nic.port.send(
            Frame(
                Ethernet(mac, nic.mac, EtherType.IPV4), ip, udp, data, IP_UDP + len(data), host.engine.next_frame_id()
            ),
            now,
        )
    else:
        host.send_ip(out.destination, UDP, udp, data, IP_UDP + len(data), now)


def parse(host: Host, frame: Frame, now: int) -> Dhcp | None:
    """The DHCP message in `frame`, or None after recording a counted drop with the reason."""
    try:
        message, _ = Dhcp.parse(frame.data)
    except WireError as error:
        message = None
        reason = f"bad DHCP message: {error}"
    else:
        if message.options is not None:
            return message
        reason = "BOOTP message without DHCP options: not served"
    host.dhcp_drops += 1
    if host.tracer is not None:
        nic = host.rx_nic
        host.tracer.record(now, host.name, nic.name if nic is not None else "-", "drop", frame, reason)
    return None


class DhcpAgent:
    """Port 67 on a node: servers by interface, and a relay to `relay_to` on the interfaces without one."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.servers: list[
            tuple[Nic, DhcpServer]
        ] = []  # a subnet behind a relay is served by the NIC it is reached from
        self.relay_to: IPv4Address | None = None
        self.timers: dict[DhcpServer, MachineTimer] = {}
        host.udp.bind(SERVER_PORT, self.receive)
        host.dhcp = self

    def serve(
        self,
        nic: Nic,
        subnet: IPv4Network,
        pool: tuple[IPv4Address, IPv4Address],
        lease: int,
        router: IPv4Address | None,
        dns: tuple[IPv4Address, ...],
        domain: str = "",
    ) -> DhcpServer:
        assert nic.ip is not None
        server = DhcpServer(nic.ip, subnet, pool, lease, router, dns, domain)
        self.servers.append((nic, server))
        self.timers[server] = MachineTimer(self.host.engine, server, self)
        return server

    def receive(self, host: Host, frame: Frame, now: int) -> None:
        message = parse(host, frame, now)
        nic = host.rx_nic
        if message is None or nic is None:
            return
        if message.op == BootOp.BOOTREPLY:  # a server's answer for a client behind us (we relayed)
            self._relay_back(message, now)
            return
        server = self._server_for(message, nic)
        if server is not None:
            exhausted = server.exhausted
            server.handle_message(message, now)
            if server.exhausted > exhausted and host.tracer is not None:  # dnsmasq logs "no address available"
                pool = server.pool
                host.tracer.record(
                    now,
                    host.name,
                    nic.name,
                    "dhcp",
                    None,
                    L_(
                        "no address to offer {mac}: every address of the pool {first}-{last} is taken (lent, "
                        "offered or declined), so the DISCOVER is not answered (RFC 2131 4.3.1)",
                        mac=message.chaddr,
                        first=IPv4Address(pool.first),
                        last=IPv4Address(pool.last),
                    ),
                )
            self._drain(server, now)
        elif (
            self.relay_to is not None
            and message.giaddr == ZERO
            and nic.address is not None
            and self.relay_to not in nic.address.network
        ):  # the server's own LAN hears its clients itself
            out = relay_request(message, nic.ip, self.relay_to)
            if out is not None:
                send(host, nic, out, now)
        elif (
            self.servers
            and host.tracer is not None
            and (self.relay_to is None or message.giaddr != ZERO or message.ciaddr != ZERO)
        ):  # as dnsmasq logs "no address range available for DHCP request"; a broadcast on the LAN of the server
            # relayed to (not relayed) is that server's to answer
            host.tracer.record(now, host.name, nic.name, "dhcp", None, self._unserved(message, nic))

    def _unserved(self, message: Dhcp, nic: Nic) -> str:
        """Why a client's message reached this server and no pool of it answers (a relay's giaddr or a
        client's address in no pool's subnet, or an interface without a pool)."""
        kind = message_kind(message)
        name = DhcpMessageType(kind).name if kind in DhcpMessageType.__members__.values() else "BOOTREQUEST"
        if message.giaddr != ZERO:
            return L_(
                "no pool's subnet holds {address}, the relay's address (giaddr) in this {kind} from {mac}: not "
                "answered; give this server a pool with subnet: set to the relay's subnet",
                address=message.giaddr,
                kind=name,
                mac=message.chaddr,
            )
        if message.ciaddr != ZERO:
            return L_(
                "no pool's subnet holds {address}, the client's address in this {kind} from {mac}: not answered",
                address=message.ciaddr,
                kind=name,
                mac=message.chaddr,
            )
        return L_(
            "no pool on {interface}, so this {kind} from {mac} is not answered",
            interface=nic.name,
            kind=name,
            mac=message.chaddr,
        )

    def _server_for(self, message: Dhcp, nic: Nic) -> DhcpServer | None:
        """A relayed message is served by the pool of giaddr's subnet (RFC 2131 4.3.1), a client with an
        address (renewing, releasing) by its address's, a broadcast by the server of the interface it came in on."""
        known = message.giaddr if message.giaddr != ZERO else message.ciaddr
        if known != ZERO:
            return next((s for _, s in self.servers if known in s.subnet), None)
        return next(
            (s for n, s in self.servers if n is nic and nic.address is not None and s.subnet == nic.address.network),
            None,
        )

    def _relay_back(self, message: Dhcp, now: int) -> None:
        nic = next((n for n in self.host.nics if n.ip is not None and n.ip == message.giaddr), None)
        out = relay_reply(message) if nic is not None and self.relay_to is not None else None
        if nic is not None and out is not None:
            send(self.host, nic, out, now)

    def _drain(self, server: DhcpServer, now: int) -> None:
        nic = next(n for n, s in self.servers if s is server)
        for out in server.messages_to_send(now):
            send(self.host, nic, out, now)
        self.timers[server].arm()

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        self._drain(machine, now)

    def lease_rows(self) -> list[dict[str, object]]:
        """Every server's lease table as rows {interface, ip, mac, state, expires (s), hostname}."""
        now = self.host.engine.now
        return [
            {
                "interface": nic.name,
                "ip": str(lease.address),
                "mac": str(lease.mac),
                "state": lease.state,
                "expires": lease.expires / 1e9,
                "hostname": lease.hostname,
            }
            for nic, server in self.servers
            for lease in server.leases(now)
        ]


class DhcpBoot:
    """The client role on one NIC of a host with `ip: dhcp`."""

    def __init__(self, host: Host, nic: Nic) -> None:
        self.host = host
        self.nic = nic
        seed = int.from_bytes(bytes(nic.mac), "big")  # a stable xid sequence per NIC: runs repeat exactly
        self.client = DhcpClient(nic.mac, random.Random(seed), hostname=host.name)
        self.timer = MachineTimer(host.engine, self.client, self)
        self.probing: IPv4Address | None = None
        self.probe_answered = False
        self.probe_answered_by: MacAddress | None = None  # the first host that answered for the probed address
        self.history: list[tuple[int, str]] = []  # (time, what happened): the client's story
        self.release_waits_for: list[IPv4Address] = []  # the next hops a RELEASE waited for ARP to find
        self.discover_xid = -1  # the transaction of the latest DISCOVER, and how many times it was sent
        self.discover_tries = 0
        host.udp.bind(CLIENT_PORT, self.receive)
        host.arp_watchers.append(self.arp_seen)
        host.dhcp_client = self
        host.engine.schedule(host.engine.now, self)  # from time 0 in a topology file

    def fire(self, arg: Any, now: int) -> None:
        if arg is None:
            self.client.start(now)
        elif isinstance(arg, tuple):  # ("drop", address): take the address away once its last packets left
            self._drop_address(arg[1], now, late=True)
        else:  # the probe's wait is over
            self._probe_done(arg, now)
        self._drain(now)

    def receive(self, host: Host, frame: Frame, now: int) -> None:
        message = parse(host, frame, now)
        if message is not None:
            self.client.handle_message(message, now)
            self._drain(now)

    def renew(self, now: int) -> bool:
        """Renew the lease; after a release, start over (as running dhclient again does)."""
        done = self.client.renew(now)
        if not done and self.client.state.value == "RELEASED":
            self.client.start(now)
            done = True
        self._drain(now)
        return done

    def release(self, now: int) -> bool:
        done = self.client.release(now)
        self._drain(now)
        return done

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        self._drain(now)

    def arp_seen(self, nic: Nic, arp: Arp, now: int) -> None:
        """RFC 5227 2.1.1: during the probe, any ARP packet whose sender is the probed address means
        another host uses it."""
        if nic is self.nic and self.probing is not None and arp.sender_ip == self.probing and arp.sender_mac != nic.mac:
            if not self.probe_answered:
                self.probe_answered_by = arp.sender_mac
            self.probe_answered = True

    def _drain(self, now: int) -> None:
        messages = self.client.messages_to_send(now)
        events = []
        while (event := self.client.next_event()) is not None:
            events.append(event)
        # A lease lost to its end or a NAK goes before the DISCOVER that starts over (the client's order: the
        # event list says "lost", then the DISCOVER leaves, from 0.0.0.0); a RELEASE leaves from the address first
        lost = [e for e in events if isinstance(e, Lost) and e.why != "released"]
        for event in lost:
            self._apply(event, now)
        for out in messages:
            send(self.host, self.nic, out, now)
            if message_kind(out.message) == DhcpMessageType.DISCOVER:
                self._discovering(out.message.xid, now)
        for event in events:
            if not any(event is gone for gone in lost):
                self._apply(event, now)
        self.timer.arm()

    def _discovering(self, xid: int, now: int) -> None:
        """A DISCOVER sent again (the same transaction): no server offered; said, with when the next goes (RFC
        2131 4.1's backoff), as dhclient logs each DHCPDISCOVER with its interval."""
        if xid != self.discover_xid:
            self.discover_xid, self.discover_tries = xid, 1
            return
        self.discover_tries += 1
        wake = self.client.get_timer()
        self._note(
            now,
            L_(
                "no OFFER yet: DISCOVER sent again (try {tries}), the next in {wait:.1f}s",
                tries=self.discover_tries,
                wait=(wake - now) / SECOND if wake is not None else 0.0,
            ),
        )

    def _apply(self, event: Bound | Probe | Lost, now: int) -> None:
        host, nic = self.host, self.nic
        if isinstance(event, Probe):
            self.probing, self.probe_answered = event.address, False
            probe = Arp(ArpOp.REQUEST, nic.mac, ZERO, ZERO_MAC, event.address)
            nic.port.send(
                Frame(
                    Ethernet(MacAddress.BROADCAST, nic.mac, EtherType.ARP),
                    probe,
                    None,
                    b"",
                    ARP_SIZE,
                    host.engine.next_frame_id(),
                ),
                now,
            )
            host.engine.schedule(now + PROBE_WAIT, self, event.address)
            self._note(now, L_("probing {address} (ARP, sender 0.0.0.0)", address=event.address))
        elif isinstance(event, Bound):
            address = IPv4Interface(f"{event.address}/{event.subnet.prefixlen}")
            if nic.address != address:
                host.set_address(nic, address)
            host.ipv4.gateway = event.router
            host.routes_changed()
            if not host.resolver_given:  # `dns:` in the file wins, as dhclient's `supersede`
                host.resolver_servers, host.resolver_search = event.dns, event.domain
            self._note(
                now,
                L_(
                    "bound to {address} from {server}, lease {lease}s",
                    address=address,
                    server=event.server,
                    lease=event.lease_time // SECOND,
                ),
            )
        else:
            self._drop_address(event.address, now, wait=event.why == "released")
            self._note(now, L_("lost {address}: {why}", address=event.address, why=event.why))

    def _drop_address(self, address: IPv4Address, now: int, wait: bool = True, late: bool = False) -> None:
        """Remove the address, but only once packets waiting for ARP (a RELEASE to the server) have left:
        the kernel keeps its neighbour queue when an address goes, so `dhclient -r`'s RELEASE is sent. `late`:
        the timer's call after that wait, whose removal is an event of its own (the topology's label follows it)."""
        nic = self.nic
        if nic.address is None or nic.address.ip != address:
            return
        if wait and nic.arp is not None and nic.arp.queued:
            if not late:  # whom the RELEASE waits for: answered, it left; not, ARP dropped it
                self.release_waits_for = nic.arp.resolving()
            self.host.engine.schedule(now + DRAIN_CHECK, self, ("drop", address))
            return
        unanswered = [hop for hop in self.release_waits_for if nic.arp is None or nic.arp.lookup(hop, now) is None]
        self.release_waits_for = []
        self.host.clear_address(nic)  # (and with it the interface's ARP cache)
        if late:  # after the "lost" event: an event of its own says when the address went
            if unanswered:
                what = L_(
                    "{address} removed from {interface}: its RELEASE never left (no ARP reply from {hop})",
                    address=address,
                    interface=nic.name,
                    hop=unanswered[0],
                )
            else:
                what = L_(
                    "{address} removed from {interface}: its RELEASE has left", address=address, interface=nic.name
                )
            self._note(now, what)

    def _probe_done(self, address: IPv4Address, now: int) -> None:
        if self.probing != address:
            return
        in_use = self.probe_answered
        self.probing = None
        if in_use:
            self._note(
                now,
                L_(
                    "{address} is in use by another host ({mac} answered the probe): DECLINE",
                    address=address,
                    mac=self.probe_answered_by,
                ),
            )
        self.client.probe_result(in_use, now)

    def _note(self, now: int, what: str) -> None:
        self.history.append((now, what))
        if self.host.tracer is not None:
            self.host.tracer.record(now, self.host.name, self.nic.name, "dhcp", None, what)
