"""IPv4 host logic (RFC 791, RFC 1122 3.3): which packets are ours, where a packet goes next.

Pure decisions on a host's configuration, no I/O: `accepts(dst)` says whether (and how) a
destination address is delivered locally, `route(dst)` picks the interface and next hop.
Addresses are compared as integers: this runs for every packet a simulated host sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Final

from lanlab.i18n import L_

DEFAULT_TTL: Final = 64  # Linux net.ipv4.ip_default_ttl
MULTICAST_TTL: Final = 1  # RFC 1112 6.1: multicast defaults to the local network
LIMITED_BROADCAST: Final = IPv4Address("255.255.255.255")
_LIMITED: Final = 0xFFFFFFFF


class Delivery(IntEnum):
    """How a received packet is for this host (RFC 1122 3.3.6 broadcast kinds)."""

    UNICAST = 1
    LIMITED_BROADCAST = 2  # 255.255.255.255
    DIRECTED_BROADCAST = 3  # the subnet's broadcast address, e.g. 198.18.0.255/24
    MULTICAST = 4  # a group this host joined (RFC 1112)


class LocalIpError(ValueError):
    """A caller's mistake: no route, a bad address."""


class NetworkUnreachable(LocalIpError):
    """No route to the destination: what Linux reports as ENETUNREACH, "Network is unreachable"."""


def directed_broadcast(network: IPv4Network) -> IPv4Address | None:
    """The subnet's broadcast address (RFC 919/922: host part all ones), or None for a /31 or /32:
    a /31's two addresses are both hosts (RFC 3021 2.2: a packet to either is unicast), a /32 has one."""
    return network.broadcast_address if network.prefixlen < 31 else None


@dataclass(frozen=True, slots=True)
class Route:
    """Send through interface `index` to `next_hop` (the destination itself when on-link)."""

    index: int
    next_hop: IPv4Address
    broadcast: bool = False


class AddressedInterface:
    """One interface's IPv4 address, with its network as integers for fast tests."""

    __slots__ = ("index", "interface", "ip", "ip_int", "net_int", "mask_int", "bcast_int", "broadcast")

    def __init__(self, index: int, interface: IPv4Interface) -> None:
        self.index = index
        self.interface = interface
        self.ip = ip = interface.ip  # a new IPv4Address at each read of .ip: read once (10,000s of hosts)
        self.ip_int = int(ip)
        network = interface.network
        self.net_int = int(network.network_address)
        self.mask_int = int(network.netmask)
        self.broadcast = directed_broadcast(network)
        self.bcast_int = -1 if self.broadcast is None else int(self.broadcast)  # -1: no address is it

    @property
    def network(self) -> IPv4Network:
        return self.interface.network

    def on_link(self, address: int) -> bool:
        return address & self.mask_int == self.net_int


class Ipv4Host:
    """Addresses, default gateway and joined groups of a host; delivery and route decisions."""

    __slots__ = ("interfaces", "gateway", "groups", "_local")

    def __init__(self, gateway: IPv4Address | None = None) -> None:
        self.interfaces: list[AddressedInterface] = []
        self.gateway = gateway
        self.groups: set[int] = set()
        self._local: dict[int, AddressedInterface] = {}

    def add_address(self, index: int, interface: IPv4Interface) -> AddressedInterface:
        addressed = AddressedInterface(index, interface)
        self.interfaces.append(addressed)
        self._local[addressed.ip_int] = addressed
        return addressed

    def remove_address(self, index: int) -> None:
        """Forget interface `index`'s address (a DHCP lease lost or released)."""
        for addressed in [a for a in self.interfaces if a.index == index]:
            self.interfaces.remove(addressed)
            del self._local[addressed.ip_int]

    def join(self, group: IPv4Address) -> None:
        if not group.is_multicast:
            raise LocalIpError(f"{group} is not a multicast address (224.0.0.0/4)")
        self.groups.add(int(group))

    def leave(self, group: IPv4Address) -> None:
        self.groups.discard(int(group))

    def is_local(self, address: IPv4Address) -> bool:
        return int(address) in self._local

    def is_broadcast(self, dst: IPv4Address) -> bool:
        """Whether `dst` is a broadcast address here, the limited one or a connected subnet's (RFC 1122 3.3.6):
        what a socket may send to only with SO_BROADCAST (Linux's EACCES otherwise)."""
        return self.accepts(dst) in (Delivery.LIMITED_BROADCAST, Delivery.DIRECTED_BROADCAST)

    def accepts(self, dst: IPv4Address) -> Delivery | None:
        """How a packet to `dst` is delivered here, or None when it is not for this host."""
        value = int(dst)
        if value in self._local:
            return Delivery.UNICAST
        if value == _LIMITED:
            return Delivery.LIMITED_BROADCAST
        if value >> 28 == 0xE:
            return Delivery.MULTICAST if value in self.groups else None
        for addressed in self.interfaces:
            if value == addressed.bcast_int:
                return Delivery.DIRECTED_BROADCAST
        if value >> 24 == 127:  # 127.0.0.0/8, the host itself (RFC 1122 3.2.1.3): it only ever comes in on lo
            return Delivery.UNICAST
        return None

    def route(self, dst: IPv4Address, index: int | None = None) -> Route:
        """Interface and next hop for `dst` (RFC 1122 3.3.1: on-link or the default gateway)."""
        value = int(dst)
        if not self.interfaces:
            raise LocalIpError("this host has no IPv4 address")
        if value == _LIMITED or value >> 28 == 0xE:
            # RFC 1122 3.3.6: limited broadcast and multicast leave by the first (or chosen)
            # interface and are never sent to a gateway.
            chosen = self._by_index(index) if index is not None else self.interfaces[0]
            return Route(chosen.index, dst, broadcast=True)
        for addressed in self.interfaces:
            if index is not None and addressed.index != index:
                continue
            if addressed.on_link(value):
                return Route(addressed.index, dst, broadcast=value == addressed.bcast_int)
        if self.gateway is None:
            raise NetworkUnreachable(L_("no route to {dst}: not on a local network and no gateway", dst=dst))
        gateway = int(self.gateway)
        for addressed in self.interfaces:
            if addressed.on_link(gateway):
                return Route(addressed.index, self.gateway)
        raise NetworkUnreachable(
            L_("no route to {dst}: gateway {gateway} is not on any local network", dst=dst, gateway=self.gateway)
        )

    def source_for(self, index: int) -> IPv4Address:
        return self._by_index(index).ip

    def _by_index(self, index: int) -> AddressedInterface:
        for addressed in self.interfaces:
            if addressed.index == index:
                return addressed
        raise LocalIpError(f"interface {index} has no IPv4 address")


def multicast_mac_bytes(group: IPv4Address) -> bytes:
    """RFC 1112 6.4: 01:00:5e + the low 23 bits of the group address."""
    low = int(group) & 0x7FFFFF
    return bytes((0x01, 0x00, 0x5E)) + low.to_bytes(3, "big")
