"""IPv4 forwarding as RFC 1812 says a router does it, without the I/O: a datagram in, a decision out.

`Forwarder.decide(header, interface, payload)` returns one of: `Deliver` (it is for this router),
`Forward` (the header with its TTL decremented and checksum patched, the interface and next hop),
`Drop` (silently, with the reason) or `SendIcmp` (drop it and send this ICMP error to its source).
Host unreachable (ARP got no answer) and port unreachable (nothing listens) are found later by
the caller, which asks `icmp_error` for the message. `payload` is a function returning the
datagram's payload bytes: only an ICMP error needs them (to quote), so forwarding never builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Interface
from typing import Callable, Mapping, Union

from lanlab.i18n import L_
from lanlab.proto.ipv4 import directed_broadcast
from lanlab.proto.routing import RoutingTable
from lanlab.wire import Icmp, IcmpType, IpProto, IPv4, TimeExceededCode, UnreachableCode, quote

ALL_ONES = 0xFFFFFFFF  # 255.255.255.255, the limited broadcast


# ICMP types that are themselves errors: no error is ever sent about them (RFC 1812 4.3.2.7).
ICMP_ERROR_TYPES = frozenset({3, 4, 5, 11, 12})


@dataclass(frozen=True, slots=True)
class Deliver:
    """The datagram is addressed to this router (one of its addresses, a local broadcast, a local group)."""


@dataclass(frozen=True, slots=True)
class Forward:
    """Send `header` (TTL already decremented) out of `interface` to `next_hop`'s link address."""

    header: IPv4
    interface: str
    next_hop: IPv4Address


@dataclass(frozen=True, slots=True)
class Drop:
    """Discard the datagram silently; `reason` is for the event list."""

    reason: str


@dataclass(frozen=True, slots=True)
class SendIcmp:
    """Discard the datagram and send `icmp` + `quote` from `source` to the datagram's source."""

    icmp: Icmp
    quote: bytes
    source: IPv4Address
    destination: IPv4Address
    reason: str


Decision = Union[Deliver, Forward, Drop, SendIcmp]
Payload = Callable[[], bytes]
DELIVER = Deliver()


def decrement_ttl(header: IPv4) -> IPv4:
    """TTL minus one, the checksum patched incrementally (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')).

    A header without a checksum yet (built in memory, never on the wire) keeps None: build() computes it.
    """
    checksum = header.checksum
    if checksum is not None:
        old_word = (header.ttl << 8) | header.proto  # TTL and protocol share one 16-bit word
        new_word = old_word - 0x100
        total = (~checksum & 0xFFFF) + (~old_word & 0xFFFF) + new_word
        total = (total & 0xFFFF) + (total >> 16)
        total = (total & 0xFFFF) + (total >> 16)
        checksum = ~total & 0xFFFF
    return replace(header, ttl=header.ttl - 1, checksum=checksum)


def may_send_error_about(header: IPv4, payload: bytes) -> bool:
    """RFC 1812 4.3.2.7: no ICMP error about an ICMP error, a non-first fragment, or a non-unicast datagram."""
    if header.frag_offset != 0:
        return False
    dst, src = int(header.dst), int(header.src)
    if dst >> 28 == 0xE or dst == ALL_ONES:
        return False
    if src >> 28 == 0xE or src == ALL_ONES or src == 0 or src >> 24 == 127:
        return False
    if header.proto == IpProto.ICMP and payload and payload[0] in ICMP_ERROR_TYPES:
        return False
    return True


class Forwarder:
    """The forwarding decision of one router: its interfaces, its routing table, its policy knobs."""

    def __init__(
        self,
        interfaces: Mapping[str, IPv4Interface | str],
        table: RoutingTable,
        *,
        forward_directed_broadcast: bool = False,
    ) -> None:
        self.interfaces = {name: IPv4Interface(address) for name, address in interfaces.items()}
        self.table = table
        # RFC 2644 changed RFC 1812's default: directed broadcasts are not forwarded unless asked for.
        self.forward_directed_broadcast = forward_directed_broadcast
        self._own = {int(i.ip) for i in self.interfaces.values()}
        self._broadcasts = {
            int(broadcast): name
            for name, i in self.interfaces.items()
            if (broadcast := directed_broadcast(i.network)) is not None
        }

    def decide(self, header: IPv4, interface: str, payload: Payload) -> Decision:
        """What to do with a datagram that arrived on `interface` (RFC 1812 5.2, 5.3)."""
        dst = header.dst
        value = int(dst)  # addresses compared as integers: ipaddress's properties are slow
        if value in self._own or value == ALL_ONES:
            return DELIVER  # 5.3.5.1: a limited broadcast is never forwarded
        directed = self._broadcasts.get(value)
        if directed is not None:
            if directed == interface:
                return DELIVER  # a broadcast on the network it arrived from is for us
            if not self.forward_directed_broadcast:
                return Drop(L_("directed broadcast not forwarded (RFC 2644)"))
            if header.ttl <= 1:  # 5.3.1 as for any datagram, without the error: none about a broadcast (4.3.2.7)
                return Drop(L_("{reason}, no ICMP error allowed (RFC 1812 4.3.2.7)", reason=L_("TTL expired")))
            return Forward(decrement_ttl(header), directed, dst)
        if value >> 28 == 0xE:
            # 224.0.0.0/24 never leaves its link (RFC 5771); this router routes no other multicast.
            return DELIVER if value >> 8 == 0xE00000 else Drop(L_("multicast is not routed"))
        src = int(header.src)
        if src >> 28 == 0xE or src == ALL_ONES or src >> 24 == 127:
            return Drop(L_("martian source (RFC 1812 5.3.7)"))
        # The route is looked up before the TTL, as Linux does (ip_route_input's no-route path sends the
        # unreachable; ip_forward checks the TTL only of what has a route): traceroute to an unrouted network
        # meets !N at the first router, not Time Exceeded there and !N one hop later. (ns-3 routes first too,
        # and drops a datagram it has no route for without an error.)
        route = self.table.lookup(value)
        if route is None:
            return self._error(
                header, interface, payload, Icmp(IcmpType.DEST_UNREACHABLE, UnreachableCode.NET), L_("no route")
            )
        if header.ttl <= 1:
            # 5.3.1: a datagram whose TTL would reach zero is discarded with Time Exceeded.
            return self._error(
                header, interface, payload, Icmp(IcmpType.TIME_EXCEEDED, TimeExceededCode.TTL), L_("TTL expired")
            )
        return Forward(decrement_ttl(header), route.interface, route.via if route.via is not None else dst)

    def icmp_error(self, header: IPv4, interface: str, payload: Payload, code: UnreachableCode) -> Decision:
        """Destination unreachable (host: ARP failed; port: nobody listens) about a datagram, if allowed."""
        return self._error(
            header,
            interface,
            payload,
            Icmp(IcmpType.DEST_UNREACHABLE, code),
            L_("{kind} unreachable", kind=code.name.lower()),
        )

    def fragmentation_needed(self, header: IPv4, interface: str, payload: Payload, mtu: int) -> Decision:
        """A DF datagram larger than the next hop's MTU: destination unreachable, fragmentation needed, with
        the next-hop MTU in the low 16 bits of the header's second word (RFC 1191 4, RFC 1812 5.2.7.1)."""
        return self._error(
            header,
            interface,
            payload,
            Icmp(IcmpType.DEST_UNREACHABLE, UnreachableCode.FRAG_NEEDED, mtu & 0xFFFF),
            L_("needs fragmenting to {mtu} bytes but DF is set", mtu=mtu),
        )

    def _error(self, header: IPv4, interface: str, payload: Payload, icmp: Icmp, reason: str) -> Decision:
        data = payload()
        if not may_send_error_about(header, data):
            return Drop(L_("{reason}, no ICMP error allowed (RFC 1812 4.3.2.7)", reason=reason))
        # 4.3.2.4: the error's source is the address of the interface the datagram came in on.
        return SendIcmp(icmp, quote(header.build(data)), self.interfaces[interface].ip, header.src, reason)
