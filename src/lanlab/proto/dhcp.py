"""DHCP (RFC 2131), sans-IO: a server with an address pool, and a client's state machine.

Server: `handle_message(message, now)` for every DHCP message reaching port 67 (from a client's
broadcast or from a relay, `giaddr` set); `messages_to_send(now)` -> `DhcpSend`s, addressed as
RFC 2131 4.1 says (to the relay, to `ciaddr`, broadcast, or to the offered address at the
client's MAC); `get_timer`/`handle_timer` free expired leases; `leases(now)` is the lease table.

Client: `start(now)` (INIT), `handle_message(message, now)` for messages reaching port 68,
`probe_result(in_use, now)` after the host has ARP-probed an offered address (RFC 2131 2.2,
3.1.5), `renew(now)` and `release(now)` (the user's commands); `messages_to_send(now)`,
`get_timer`/`handle_timer`, and `next_event()` -> `Bound | Probe | Lost`. States and moves are
the one table `CLIENT_TRANSITIONS` (RFC 2131 figure 5).

Randomness (transaction ids, the +-1 s retransmission jitter of 4.1) comes from the
`random.Random` the caller passes, so a simulated run stays deterministic.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum
from ipaddress import IPv4Address, IPv4Network
from typing import Final

from lanlab.i18n import L_
from lanlab.units import SECOND
from lanlab.wire import MacAddress
from lanlab.wire.dhcp import BROADCAST_FLAG, BootOp, Dhcp, DhcpMessageType, DhcpOption, DhcpOptionCode

SERVER_PORT: Final = 67
CLIENT_PORT: Final = 68
BROADCAST: Final = IPv4Address("255.255.255.255")
ZERO: Final = IPv4Address(0)
OFFER_HOLD: Final = 60 * SECOND  # how long an offered address is kept for its client (RFC 2131 4.3.1 "MAY")
DECLINED_HOLD: Final = 600 * SECOND  # an address a client found in use stays out of the pool this long
FIRST_RETRY: Final = 4 * SECOND  # RFC 2131 4.1: 4 s, doubling, at most 64 s, randomised by +-1 s
LONGEST_RETRY: Final = 64 * SECOND
DECLINE_WAIT: Final = 10 * SECOND  # RFC 2131 3.1.5: at least ten seconds before starting again
MIN_RENEW_RETRY: Final = 60 * SECOND  # RFC 2131 4.4.5: retransmit at half the time left, at least 60 s
PARAMETERS: Final = (
    DhcpOptionCode.SUBNET_MASK,
    DhcpOptionCode.ROUTER,
    DhcpOptionCode.DNS_SERVERS,
    DhcpOptionCode.DOMAIN_NAME,
)


@dataclass(frozen=True, slots=True)
class DhcpSend:
    """A message to send from port `source_port` to `destination`:`port`. `mac` set: deliver to that
    hardware address without ARP (the client has no address yet; RFC 2131 4.1)."""

    message: Dhcp
    destination: IPv4Address
    port: int
    source_port: int
    mac: MacAddress | None = None


# --- the server -------------------------------------------------------------------------------


@dataclass(slots=True)
class Lease:
    """An address bound to (or offered to, or declined by) a client."""

    address: IPv4Address
    mac: MacAddress
    expires: int
    state: str  # "offered" | "bound" | "released" | "declined"
    hostname: str = ""


class PoolError(ValueError):
    """A pool that cannot be served (outside the subnet, reversed): a caller's mistake."""


class LendablePool:
    """The addresses of a pool a server can lend: FIRST to LAST but its own address and the subnet's network and
    broadcast addresses (a /31 or /32 has neither, RFC 3021). A sequence that never lists them all (a /8's pool
    is 16 million addresses, a /1's two thousand million): membership and size are arithmetic, iteration lazy."""

    __slots__ = ("first", "last", "never_lent")

    def __init__(self, server_id: IPv4Address, subnet: IPv4Network, pool: tuple[IPv4Address, IPv4Address]) -> None:
        self.first, self.last = int(pool[0]), int(pool[1])
        kept = {int(server_id)}
        if subnet.prefixlen <= 30:
            kept |= {int(subnet.network_address), int(subnet.broadcast_address)}
        self.never_lent = frozenset(address for address in kept if self.first <= address <= self.last)

    def __contains__(self, address: object) -> bool:
        return (
            isinstance(address, IPv4Address)
            and self.first <= int(address) <= self.last
            and int(address) not in self.never_lent
        )

    def __iter__(self) -> Iterator[IPv4Address]:
        return (IPv4Address(a) for a in range(self.first, self.last + 1) if a not in self.never_lent)

    def __len__(self) -> int:
        return max(0, self.last - self.first + 1 - len(self.never_lent))

    def __repr__(self) -> str:
        return f"LendablePool({IPv4Address(self.first)}-{IPv4Address(self.last)}, {len(self)} addresses)"


# --- the rules a server's settings obey, for a topology file's dhcp: and `lanlab dhcp serve` alike ---

# How long a client's ARP probe of its new address listens for an answer before it uses the address (RFC 2131
# 2.2, 4.4.1; RFC 5227 2.1.1's ANNOUNCE_WAIT is 2 s; dhclient-script's arping waits 1 s).
PROBE_WAIT: Final = SECOND
# The lease is counted from the REQUEST (4.4.1) and renewed at half of it (T1, 4.4.5): a lease of 2 probes or less
# is renewed as soon as it is bound, one of a probe or less expires as it is bound, and the client starts over
# for ever. Options 51, 58 and 59 count whole seconds besides (RFC 2132 9.2).
MIN_LEASE: Final = 4 * PROBE_WAIT


def pool_inside(pool: tuple[IPv4Address, IPv4Address], subnet: IPv4Network) -> bool:
    """Whether both ends of `pool` are addresses of `subnet`: a server lends addresses of the subnet it serves."""
    first, last = pool
    return first in subnet and last in subnet


def empty_pool_problem(
    server_id: IPv4Address, subnet: IPv4Network, pool: tuple[IPv4Address, IPv4Address]
) -> str | None:
    """Why `pool` lends nothing (it holds only addresses never lent), or None."""
    if LendablePool(server_id, subnet, pool):
        return None
    return L_(
        "pool {first}-{last} has no address to lend in {subnet}: the server's own address and the "
        "subnet's network and broadcast addresses are never lent; give others",
        first=pool[0],
        last=pool[1],
        subnet=subnet,
    )


MAX_DNS_SERVERS: Final = 255 // 4  # option 6 holds at most 255 bytes (RFC 2132 2), 4 for each server


def dns_count_problem(count: int) -> str | None:
    """Why `count` DNS servers cannot go in one DHCP message, or None. (RFC 3396 would split a longer option; no
    resolver reads past its first three anyway, glibc's MAXNS.)"""
    if count <= MAX_DNS_SERVERS:
        return None
    return L_(
        "dns: {count} servers do not fit in option 6, which holds {most} (255 bytes); give fewer (a resolver "
        "asks its first three)",
        count=count,
        most=MAX_DNS_SERVERS,
    )


def lease_problem(lease: int) -> str | None:
    """Why a lease of `lease` ns cannot be handed out, or None."""
    if lease < MIN_LEASE:
        return L_("lease: at least 4s (a client probes its new address for a second, and renews at half the lease)")
    return None


def router_problem(router: IPv4Address, subnet: IPv4Network) -> str | None:
    """Why `router` cannot be the gateway handed out on `subnet` (option 3, RFC 2132 3.5), or None: a client
    reaches its gateway directly, so it is a host's address of the subnet."""
    if router not in subnet:
        return L_(
            "router {router} is not in {subnet}: clients reach their gateway directly", router=router, subnet=subnet
        )
    if subnet.prefixlen <= 30 and router in (subnet.network_address, subnet.broadcast_address):
        return L_(
            "router {router} is the network or broadcast address of {subnet}, no host's: give the gateway's",
            router=router,
            subnet=subnet,
        )
    return None


def lent_router_problem(
    router: IPv4Address, server_id: IPv4Address, pool: tuple[IPv4Address, IPv4Address]
) -> str | None:
    """Why the gateway handed out may also be lent (it is inside the pool), or None: the client given its
    address would answer for the gateway, and nobody would find it in use unless it ARP-probes (busybox's
    udhcpc does not). The server's own address is never lent, so it may be the gateway."""
    if router == server_id or not pool[0] <= router <= pool[1]:
        return None
    return L_(
        "router {router} is inside the pool {first}-{last}: the server would lend the gateway's address to a "
        "client; keep it out of the pool",
        router=router,
        first=pool[0],
        last=pool[1],
    )


class DhcpServer:
    """A DHCP server for one subnet: hands out `pool` with `lease_time`, `router` and `dns` (RFC 2131 4.3)."""

    def __init__(
        self,
        server_id: IPv4Address,
        subnet: IPv4Network,
        pool: tuple[IPv4Address, IPv4Address],
        lease_time: int,
        router: IPv4Address | None = None,
        dns: tuple[IPv4Address, ...] = (),
        domain: str = "",
    ) -> None:
        first, last = pool
        if int(first) > int(last):
            raise PoolError(L_("pool {first}-{last} runs backwards", first=first, last=last))
        if not pool_inside(pool, subnet):
            raise PoolError(L_("pool {first}-{last} is not inside {subnet}", first=first, last=last, subnet=subnet))
        self.server_id = server_id
        self.subnet = subnet
        self.pool = LendablePool(server_id, subnet, pool)
        self.lease_time = lease_time
        self.router = router
        self.dns = dns
        self.domain = domain
        self.by_address: dict[IPv4Address, Lease] = {}
        self.exhausted = 0  # DISCOVERs left unanswered: no free address
        self._outbox: list[DhcpSend] = []

    # RFC 2131 4.3: what each client message asks of the server
    def handle_message(self, message: Dhcp, now: int) -> None:
        if message.op != BootOp.BOOTREQUEST:
            return
        kind = message_kind(message)
        if kind == DhcpMessageType.DISCOVER:
            self._discover(message, now)
        elif kind == DhcpMessageType.REQUEST:
            self._request(message, now)
        elif kind == DhcpMessageType.DECLINE and self._for_us(message):
            self._decline(message, now)
        elif kind == DhcpMessageType.RELEASE and self._for_us(message):
            lease = self.by_address.get(message.ciaddr)
            if lease is not None and lease.mac == message.chaddr:
                lease.state, lease.expires = "released", now  # 4.3.4: kept, so the client gets it again
        elif kind == DhcpMessageType.INFORM:
            self._reply(message, DhcpMessageType.ACK, ZERO, with_lease=False)  # 4.3.5: configuration only

    def messages_to_send(self, now: int) -> list[DhcpSend]:
        out, self._outbox = self._outbox, []
        return out

    def get_timer(self) -> int | None:
        live = [lease.expires for lease in self.by_address.values() if lease.state in ("offered", "bound", "declined")]
        return min(live) if live else None

    def handle_timer(self, now: int) -> None:
        for lease in self.by_address.values():
            if lease.state in ("offered", "bound", "declined") and lease.expires <= now:
                lease.state = "expired"

    def leases(self, now: int) -> list[Lease]:
        """The lease table, by address (offered, bound, declined, released and expired records)."""
        self.handle_timer(now)
        return [self.by_address[a] for a in sorted(self.by_address)]

    def _for_us(self, message: Dhcp) -> bool:
        server = message.value(DhcpOptionCode.SERVER_ID) if _fits(message, DhcpOptionCode.SERVER_ID) else None
        return server == self.server_id

    def _discover(self, message: Dhcp, now: int) -> None:
        address = self._choose(message, now)
        if address is None:
            self.exhausted += 1  # 4.3.1: with no address to offer, the server says nothing
            return
        self.by_address[address] = Lease(address, message.chaddr, now + OFFER_HOLD, "offered", _hostname(message))
        self._reply(message, DhcpMessageType.OFFER, address)

    def _choose(self, message: Dhcp, now: int) -> IPv4Address | None:
        """RFC 2131 4.3.1's order: the client's current or previous address, the one it asks for, a free one."""
        self.handle_timer(now)
        mine = [
            lease for lease in self.by_address.values() if lease.mac == message.chaddr and lease.state != "declined"
        ]
        for lease in sorted(mine, key=lambda lease: lease.state != "bound"):
            if lease.state in ("bound", "offered") or self._free(lease.address):
                return lease.address
        wanted: IPv4Address | None = (
            message.value(DhcpOptionCode.REQUESTED_ADDRESS)
            if _fits(message, DhcpOptionCode.REQUESTED_ADDRESS)
            else None
        )
        if wanted is not None and wanted in self.pool and self._free(wanted):
            return wanted
        never_used = next((a for a in self.pool if a not in self.by_address), None)
        if never_used is not None:
            return never_used
        return next((a for a in self.pool if self._free(a)), None)  # reuse the longest-unused record

    def _free(self, address: IPv4Address) -> bool:
        lease = self.by_address.get(address)
        return lease is None or lease.state in ("released", "expired")

    def _request(self, message: Dhcp, now: int) -> None:
        self.handle_timer(now)
        server = message.value(DhcpOptionCode.SERVER_ID) if _fits(message, DhcpOptionCode.SERVER_ID) else None
        requested = (
            message.value(DhcpOptionCode.REQUESTED_ADDRESS)
            if _fits(message, DhcpOptionCode.REQUESTED_ADDRESS)
            else None
        )
        if server is not None:  # SELECTING (4.3.2): the client chose a server
            offered = next(
                (
                    lease
                    for lease in self.by_address.values()
                    if lease.mac == message.chaddr and lease.state == "offered"
                ),
                None,
            )
            if server != self.server_id:
                if offered is not None:
                    offered.state = "expired"  # it took another server's offer: ours is free again
                return
            if offered is None or offered.address != requested:
                self._reply(message, DhcpMessageType.NAK, ZERO)
                return
            self._bind(offered, message, now)
            return
        address = requested if message.ciaddr == ZERO else message.ciaddr  # INIT-REBOOT, or RENEWING/REBINDING
        if address is None or address not in self.subnet:
            if message.ciaddr == ZERO:
                self._reply(message, DhcpMessageType.NAK, ZERO)  # 4.3.2: on the wrong network
            return
        lease = self.by_address.get(address)
        if lease is None:
            return  # 4.3.2: no record of this client: stay silent (another server may know it)
        if lease.mac != message.chaddr or lease.state not in ("bound", "offered"):
            self._reply(message, DhcpMessageType.NAK, ZERO)
            return
        self._bind(lease, message, now)

    def _bind(self, lease: Lease, message: Dhcp, now: int) -> None:
        lease.state, lease.expires = "bound", now + self.lease_time
        lease.hostname = _hostname(message) or lease.hostname
        self._reply(message, DhcpMessageType.ACK, lease.address)

    def _decline(self, message: Dhcp, now: int) -> None:
        address = (
            message.value(DhcpOptionCode.REQUESTED_ADDRESS)
            if _fits(message, DhcpOptionCode.REQUESTED_ADDRESS)
            else None
        )
        lease = self.by_address.get(address) if address is not None else None
        if lease is not None and lease.mac == message.chaddr:
            lease.state, lease.expires = "declined", now + DECLINED_HOLD  # 4.3.3: mark it in use elsewhere

    def _reply(self, request: Dhcp, kind: DhcpMessageType, address: IPv4Address, with_lease: bool = True) -> None:
        options = [DhcpOption.address(DhcpOptionCode.SERVER_ID, self.server_id)]
        if kind != DhcpMessageType.NAK:
            if with_lease:
                options += [
                    DhcpOption.seconds(DhcpOptionCode.LEASE_TIME, self.lease_time // SECOND),
                    DhcpOption.seconds(DhcpOptionCode.RENEWAL_TIME, self.lease_time // 2 // SECOND),
                    DhcpOption.seconds(DhcpOptionCode.REBINDING_TIME, self.lease_time * 7 // 8 // SECOND),
                ]
            options.append(DhcpOption.address(DhcpOptionCode.SUBNET_MASK, self.subnet.netmask))
            if self.router is not None:
                options.append(DhcpOption.address(DhcpOptionCode.ROUTER, self.router))
            if self.dns:
                options.append(DhcpOption.address(DhcpOptionCode.DNS_SERVERS, *self.dns))
            if self.domain:
                options.append(DhcpOption.text(DhcpOptionCode.DOMAIN_NAME, self.domain))
        reply = Dhcp(
            BootOp.BOOTREPLY,
            request.xid,
            request.chaddr_raw,
            (DhcpOption.message_type(kind), *options),
            ciaddr=request.ciaddr if kind == 5 else ZERO,
            yiaddr=address,
            siaddr=ZERO,
            giaddr=request.giaddr,
            flags=request.flags,
            htype=request.htype,
            hlen=request.hlen,
        )
        self._outbox.append(_server_destination(request, reply, kind))


def _server_destination(request: Dhcp, reply: Dhcp, kind: DhcpMessageType) -> DhcpSend:
    """RFC 2131 4.1, "If the 'giaddr' field ... is nonzero" and the paragraphs after it."""
    if request.giaddr != ZERO:
        return DhcpSend(reply, request.giaddr, SERVER_PORT, SERVER_PORT)
    if kind == DhcpMessageType.NAK:
        return DhcpSend(reply, BROADCAST, CLIENT_PORT, SERVER_PORT)
    if request.ciaddr != ZERO:
        return DhcpSend(reply, request.ciaddr, CLIENT_PORT, SERVER_PORT)
    if request.flags & BROADCAST_FLAG or reply.yiaddr == ZERO:
        return DhcpSend(reply, BROADCAST, CLIENT_PORT, SERVER_PORT)
    return DhcpSend(reply, reply.yiaddr, CLIENT_PORT, SERVER_PORT, mac=request.chaddr)


# --- a relay agent (RFC 2131 4.1 and RFC 1542 4) -------------------------------------------------


def relay_request(message: Dhcp, interface_address: IPv4Address, server: IPv4Address) -> DhcpSend | None:
    """A client's broadcast heard on the interface with `interface_address`, forwarded to `server`:
    giaddr set to the interface (unless a relay before us set it), hops counted (RFC 1542 4.1.1: at most 16)."""
    if message.op != BootOp.BOOTREQUEST or message.hops >= 16:
        return None
    giaddr = message.giaddr if message.giaddr != ZERO else interface_address
    forwarded = replace(message, giaddr=giaddr, hops=message.hops + 1)
    return DhcpSend(forwarded, server, SERVER_PORT, SERVER_PORT)


def relay_reply(message: Dhcp) -> DhcpSend | None:
    """A server's reply to giaddr, passed to the client on giaddr's subnet (RFC 1542 4.1.2): broadcast when
    the client asked for it or has no address yet to be reached by, else to yiaddr at its MAC."""
    if message.op != BootOp.BOOTREPLY:
        return None
    if message.flags & BROADCAST_FLAG or message.yiaddr == ZERO or message_kind(message) == DhcpMessageType.NAK:
        return DhcpSend(message, BROADCAST, CLIENT_PORT, SERVER_PORT)
    return DhcpSend(message, message.yiaddr, CLIENT_PORT, SERVER_PORT, mac=message.chaddr)


# --- the client -----------------------------------------------------------------------------


class ClientState(Enum):
    INIT = "INIT"
    SELECTING = "SELECTING"
    REQUESTING = "REQUESTING"
    CHECKING = "CHECKING"  # ARP-probing the acknowledged address before using it (RFC 2131 2.2)
    BOUND = "BOUND"
    RENEWING = "RENEWING"
    REBINDING = "REBINDING"
    RELEASED = "RELEASED"


S = ClientState
# RFC 2131 figure 5: (state, what happened) -> next state. Anything else leaves the state as it is.
CLIENT_TRANSITIONS: Final[dict[tuple[ClientState, str], ClientState]] = {
    (S.INIT, "start"): S.SELECTING,
    (S.RELEASED, "start"): S.SELECTING,
    (S.SELECTING, "offer"): S.REQUESTING,
    (S.SELECTING, "retry"): S.SELECTING,
    (S.REQUESTING, "ack"): S.CHECKING,
    (S.REQUESTING, "nak"): S.INIT,
    (S.REQUESTING, "retry"): S.REQUESTING,
    (S.REQUESTING, "give up"): S.INIT,
    (S.CHECKING, "address free"): S.BOUND,
    (S.CHECKING, "address in use"): S.INIT,  # DECLINE sent (3.1.5)
    (S.BOUND, "T1"): S.RENEWING,
    (S.BOUND, "renew"): S.RENEWING,
    # asked again while renewing or rebinding: a REQUEST now, as udhcpc's SIGUSR1 (RENEW_REQUESTED) sends one
    (S.RENEWING, "renew"): S.RENEWING,
    (S.REBINDING, "renew"): S.REBINDING,
    (S.RENEWING, "ack"): S.BOUND,
    (S.RENEWING, "nak"): S.INIT,
    (S.RENEWING, "retry"): S.RENEWING,
    (S.RENEWING, "T2"): S.REBINDING,
    (S.REBINDING, "ack"): S.BOUND,
    (S.REBINDING, "nak"): S.INIT,
    (S.REBINDING, "retry"): S.REBINDING,
    (S.REBINDING, "lease expired"): S.INIT,
    (S.BOUND, "release"): S.RELEASED,
    (S.RENEWING, "release"): S.RELEASED,
    (S.REBINDING, "release"): S.RELEASED,
}


@dataclass(frozen=True, slots=True)
class Bound:
    """The client has (or renewed) a lease: use `address` in `subnet`."""

    time: int
    address: IPv4Address
    subnet: IPv4Network
    server: IPv4Address
    lease_time: int
    renewal: int  # T1, after which the client renews with its server
    rebinding: int  # T2, after which it asks any server
    router: IPv4Address | None
    dns: tuple[IPv4Address, ...]
    domain: str


@dataclass(frozen=True, slots=True)
class Probe:
    """Ask the host to ARP-probe `address` (RFC 5227's probe: sender IP 0) and call `probe_result`."""

    time: int
    address: IPv4Address


@dataclass(frozen=True, slots=True)
class Lost:
    """The client no longer has `address` (NAK, lease expired, released, or found in use): stop using it."""

    time: int
    address: IPv4Address
    why: str


@dataclass(slots=True)
class _Offer:
    address: IPv4Address
    server: IPv4Address
    message: Dhcp = field(repr=False)


class DhcpClient:
    """One interface's DHCP client (RFC 2131 4.4)."""

    def __init__(self, mac: MacAddress, rng: random.Random, hostname: str = "") -> None:
        self.mac = MacAddress(mac)
        self.rng = rng
        self.hostname = hostname
        self.state = ClientState.INIT
        self.lease: Bound | None = None
        self.declined = 0
        self._xid = 0
        self._offer: _Offer | None = None
        self._started = 0
        self._retry_at: int | None = None
        self._backoff = FIRST_RETRY
        self._tries = 0
        self._t1 = self._t2 = self._expires = 0
        self._requested = 0  # when the last REQUEST left: the lease is counted from it (4.4.1)
        self._outbox: list[DhcpSend] = []
        self._events: deque[Bound | Probe | Lost] = deque()

    # --- inputs -----------------------------------------------------------------------------
    def start(self, now: int) -> None:
        """INIT: look for a server (4.4.1)."""
        if self._move("start"):
            self._new_transaction(now)
            self._send_discover(now)

    def handle_message(self, message: Dhcp, now: int) -> None:
        if message.op != BootOp.BOOTREPLY or message.xid != self._xid or message.chaddr != self.mac:
            return  # not an answer to our transaction (4.4.1: match xid)
        kind = message_kind(message)
        server = message.value(DhcpOptionCode.SERVER_ID) if _fits(message, DhcpOptionCode.SERVER_ID) else None
        if (
            kind == DhcpMessageType.OFFER
            and self.state == S.SELECTING
            and server is not None
            and _usable(message.yiaddr)
        ):
            self._offer = _Offer(message.yiaddr, server, message)  # the first offer wins (4.4.1 "MAY wait")
            self._move("offer")
            self._reset_backoff()
            self._send_request(now)
        elif kind == DhcpMessageType.ACK and self.state in (S.REQUESTING, S.RENEWING, S.REBINDING):
            lease = _lease_from(message, now, server)
            if lease is None:
                return
            renewed = self.state != S.REQUESTING
            self._move("ack")
            self.lease = lease
            if renewed:
                self._schedule_lease(now)
                self._events.append(lease)
            else:
                self._retry_at = None
                self._events.append(Probe(now, lease.address))
        elif kind == DhcpMessageType.NAK and self.state in (S.REQUESTING, S.RENEWING, S.REBINDING):
            lost = self.lease.address if self.lease is not None and self.state != S.REQUESTING else None
            self._move("nak")
            self._forget(now, lost, "NAK from the server")
            self.start(now)  # 4.4.1: after a NAK, start again in INIT

    def probe_result(self, in_use: bool, now: int) -> None:
        """The ARP probe of the acknowledged address came back (in_use: somebody answered for it)."""
        if self.state != S.CHECKING or self.lease is None:
            return
        if not in_use:
            self._move("address free")
            self._schedule_lease(now)
            self._events.append(self.lease)
            return
        # 3.1.5: DECLINE the address, then wait at least 10 s before starting again.
        self.declined += 1
        decline = self._message(
            DhcpMessageType.DECLINE,
            [
                DhcpOption.address(DhcpOptionCode.REQUESTED_ADDRESS, self.lease.address),
                DhcpOption.address(DhcpOptionCode.SERVER_ID, self.lease.server),
            ],
        )
        self._outbox.append(DhcpSend(decline, BROADCAST, SERVER_PORT, CLIENT_PORT))
        self._move("address in use")
        self.lease = None
        self._retry_at = now + DECLINE_WAIT

    def renew(self, now: int) -> bool:
        """Renew now (the user's `dhcp renew`, like `dhclient` run again): a REQUEST goes out at once, unicast to
        the server (broadcast while rebinding); False when there is no lease to renew."""
        if not self._move("renew"):
            return False
        self._begin_renewing(now)
        return True

    def release(self, now: int) -> bool:
        """Give the lease back (4.4.6: RELEASE unicast to the server) and stop using the address."""
        if self.lease is None or not self._move("release"):
            return False
        message = self._message(
            DhcpMessageType.RELEASE,
            [DhcpOption.address(DhcpOptionCode.SERVER_ID, self.lease.server)],
            ciaddr=self.lease.address,
        )
        self._outbox.append(DhcpSend(message, self.lease.server, SERVER_PORT, CLIENT_PORT))
        self._forget(now, self.lease.address, "released")
        self._retry_at = None
        return True

    # --- timers -----------------------------------------------------------------------------
    def get_timer(self) -> int | None:
        return self._retry_at

    def handle_timer(self, now: int) -> None:
        if self._retry_at is None or self._retry_at > now:
            return
        self._retry_at = None
        if self.state == S.INIT:
            self.start(now)  # the wait after a DECLINE is over
        elif self.state == S.SELECTING:
            self._move("retry")
            self._send_discover(now)
        elif self.state == S.REQUESTING:
            if self._tries >= 4:  # 4.4.1: give up the offer and start over
                self._move("give up")
                self.start(now)
            else:
                self._move("retry")
                self._send_request(now)
        elif self.state == S.BOUND and now >= self._t1:
            self._move("T1")
            self._begin_renewing(now)
        elif self.state in (S.RENEWING, S.REBINDING):
            self._lease_timer(now)

    # --- outputs ----------------------------------------------------------------------------
    def messages_to_send(self, now: int) -> list[DhcpSend]:
        out, self._outbox = self._outbox, []
        return out

    def next_event(self) -> Bound | Probe | Lost | None:
        return self._events.popleft() if self._events else None

    # --- inside -----------------------------------------------------------------------------
    def _move(self, happened: str) -> bool:
        target = CLIENT_TRANSITIONS.get((self.state, happened))
        if target is None:
            return False
        self.state = target
        return True

    def _new_transaction(self, now: int) -> None:
        self._xid = self.rng.getrandbits(32)
        self._started = now
        self._reset_backoff()

    def _reset_backoff(self) -> None:
        self._backoff = FIRST_RETRY
        self._tries = 0

    def _arm_retry(self, now: int) -> None:
        # 4.1: 4 s, 8 s, ... 64 s, each randomised by a uniform number in -1..+1 s
        jitter = self.rng.randint(-SECOND, SECOND)
        self._retry_at = now + self._backoff + jitter
        self._backoff = min(self._backoff * 2, LONGEST_RETRY)
        self._tries += 1

    def _send_discover(self, now: int) -> None:
        options = [DhcpOption.parameter_list(*PARAMETERS)]
        message = self._message(DhcpMessageType.DISCOVER, options, secs=self._secs(now))
        self._outbox.append(DhcpSend(message, BROADCAST, SERVER_PORT, CLIENT_PORT))
        self._arm_retry(now)

    def _send_request(self, now: int) -> None:
        assert self._offer is not None
        options = [
            DhcpOption.address(DhcpOptionCode.REQUESTED_ADDRESS, self._offer.address),
            DhcpOption.address(DhcpOptionCode.SERVER_ID, self._offer.server),
            DhcpOption.parameter_list(*PARAMETERS),
        ]
        message = self._message(DhcpMessageType.REQUEST, options, secs=self._secs(now))
        self._outbox.append(DhcpSend(message, BROADCAST, SERVER_PORT, CLIENT_PORT))
        self._requested = now
        self._arm_retry(now)

    def _begin_renewing(self, now: int) -> None:
        self._new_transaction(now)
        self._lease_timer(now, first=True)

    def _lease_timer(self, now: int, first: bool = False) -> None:
        """RENEWING/REBINDING (4.4.5): a REQUEST with ciaddr, unicast to the server while renewing and
        broadcast while rebinding; retransmit at half the time left to T2 (or to expiry), at least 60 s."""
        assert self.lease is not None
        if now >= self._expires:
            self._move("lease expired")
            self._forget(now, self.lease.address, "lease expired")
            self.start(now)
            return
        if self.state == S.RENEWING and now >= self._t2:
            self._move("T2")
        elif not first:
            self._move("retry")
        rebinding = self.state == S.REBINDING
        options = [DhcpOption.parameter_list(*PARAMETERS)]
        message = self._message(DhcpMessageType.REQUEST, options, ciaddr=self.lease.address, secs=self._secs(now))
        destination = BROADCAST if rebinding else self.lease.server
        self._outbox.append(DhcpSend(message, destination, SERVER_PORT, CLIENT_PORT))
        self._requested = now
        deadline = self._expires if rebinding else self._t2
        self._retry_at = min(deadline, now + max((deadline - now) // 2, MIN_RENEW_RETRY))

    def _schedule_lease(self, now: int) -> None:
        """T1 and T2 from the server's options or RFC 2131 4.4.5's defaults (0.5 and 0.875 of the lease),
        counted from when the REQUEST that got the ACK was sent (4.4.1), not from the ARP probe's end."""
        assert self.lease is not None
        base = self._requested
        self._t1 = base + self.lease.renewal
        self._t2 = base + self.lease.rebinding
        self._expires = base + self.lease.lease_time
        self._retry_at = self._t1

    def _forget(self, now: int, address: IPv4Address | None, why: str) -> None:
        if address is not None:
            self._events.append(Lost(now, address, why))
        self.lease = None
        self._offer = None

    def _secs(self, now: int) -> int:
        return min((now - self._started) // SECOND, 0xFFFF)

    def _message(
        self, kind: DhcpMessageType, options: list[DhcpOption], ciaddr: IPv4Address = ZERO, secs: int = 0
    ) -> Dhcp:
        listed = [DhcpOption.client_id(self.mac), *options]
        if self.hostname:
            listed.append(DhcpOption(DhcpOptionCode.HOSTNAME, _hostname_bytes(self.hostname)))
        # Ask for broadcast replies until we have an address (4.1: a client that cannot receive unicast
        # before it is configured sets the B flag; it also keeps relays simple).
        flags = 0 if ciaddr != ZERO else BROADCAST_FLAG
        return Dhcp.new(BootOp.BOOTREQUEST, self._xid, self.mac, kind, listed, ciaddr=ciaddr, secs=secs, flags=flags)


HOST_NAME_MAX: Final = 64  # Linux's limit on a host's name (sethostname): what dhclient and udhcpc can send


def _hostname_bytes(hostname: str) -> bytes:
    """Option 12 as a Linux client sends its host name: its UTF-8 bytes (dhclient and udhcpc send what
    gethostname gives), cut at a character to HOST_NAME_MAX bytes."""
    data = hostname.encode("utf-8")[:HOST_NAME_MAX]
    return data.decode("utf-8", "ignore").encode("utf-8")


def _lease_from(message: Dhcp, now: int, server: IPv4Address | None) -> Bound | None:
    """The lease an ACK grants, or None if it lacks what a lease needs (an address, a lease time, a server)."""
    try:
        lease = message.value(DhcpOptionCode.LEASE_TIME)
        t1 = message.value(DhcpOptionCode.RENEWAL_TIME)
        t2 = message.value(DhcpOptionCode.REBINDING_TIME)
        mask = message.value(DhcpOptionCode.SUBNET_MASK)
        routers = message.value(DhcpOptionCode.ROUTER, ())
        dns = message.value(DhcpOptionCode.DNS_SERVERS, ())
        domain = message.value(DhcpOptionCode.DOMAIN_NAME, "")
    except ValueError:
        return None
    if lease is None or server is None or not _usable(message.yiaddr):
        return None
    try:
        subnet = IPv4Network(f"{message.yiaddr}/{mask or '255.255.255.0'}", strict=False)
    except ValueError:  # a mask whose ones are not contiguous (255.0.255.0): no interface can take it
        return None
    if subnet.prefixlen <= 30 and message.yiaddr in (subnet.network_address, subnet.broadcast_address):
        return None  # the subnet's own network or broadcast address is no host's
    # 4.4.5: T1 and T2 default to 0.5 and 0.875 of the lease. A server's T2 past the lease, or T1 past T2,
    # would keep the address after the lease ends: dhclient then takes 7/8 of the lease and 3/4 of T2.
    lease_ns = lease * SECOND
    domain = domain.rstrip("\0")  # some servers end the text with a NUL (RFC 2132 2 says they should not)
    t2 = lease_ns * 7 // 8 if t2 is None or t2 * SECOND >= lease_ns else t2 * SECOND
    t1 = lease_ns // 2 if t1 is None else t1 * SECOND
    if t1 > t2:
        t1 = t2 * 3 // 4
    return Bound(
        now,
        message.yiaddr,
        subnet,
        server,
        lease_ns,
        t1,
        t2,
        routers[0] if routers else None,
        tuple(dns),
        domain if is_domain_name(domain) else "",  # dhclient and udhcpc discard a domain that is no name
    )


def _usable(address: IPv4Address) -> bool:
    """An address a client can take: not 0.0.0.0, loopback, multicast or the reserved 240/4 (with
    255.255.255.255), whatever a server offers."""
    return not (address.is_unspecified or address.is_loopback or address.is_multicast or address.is_reserved)


def is_domain_name(text: str) -> bool:
    """Whether option 15 holds a domain name: labels of letters, digits, '-' and '_' (1-63 of them), 253 in all."""
    name = text[:-1] if text.endswith(".") else text
    return 0 < len(name) <= 253 and all(
        0 < len(label) <= 63 and all(c.isascii() and (c.isalnum() or c in "-_") for c in label)
        for label in name.split(".")
    )


def message_kind(message: Dhcp) -> int | None:
    """The message type (option 53), or None when absent or malformed (a peer's bad option is not a crash)."""
    option = message.option(DhcpOptionCode.MESSAGE_TYPE) if message.options is not None else None
    return option.data[0] if option is not None and len(option.data) == 1 else None


def _fits(message: Dhcp, code: int) -> bool:
    """Whether option `code` is present and well formed (a peer's bad option is ignored, not a crash)."""
    option = message.option(code) if message.options is not None else None
    if option is None:
        return False
    try:
        option.value()
    except ValueError:
        return False
    return True


def _hostname(message: Dhcp) -> str:
    """Option 12 for the lease table: UTF-8 as Linux clients send a host's name (any other byte as \\xNN)."""
    option = message.option(DhcpOptionCode.HOSTNAME) if _fits(message, DhcpOptionCode.HOSTNAME) else None
    return option.data.decode("utf-8", "backslashreplace") if option is not None else ""
