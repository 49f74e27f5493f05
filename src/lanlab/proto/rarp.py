"""RARP (RFC 903): a diskless host asks "I am this MAC, what is my IP?" and a server answers.

The packet is ARP's, carried with EtherType 0x8035; opcode 3 asks, opcode 4 answers. The client
broadcasts until a server answers, backing off from 1 s to 8 s between tries (RFC 903 leaves the
schedule to the implementation; the backoff keeps a server-less LAN quiet).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Mapping

from lanlab.units import SECOND
from lanlab.wire import Arp, ArpOp, MacAddress

FIRST_RETRY = 1 * SECOND
LONGEST_RETRY = 8 * SECOND
UNSPECIFIED = IPv4Address(0)


@dataclass(frozen=True, slots=True)
class RarpFrame:
    """A RARP packet to send to `destination` (a MAC) in an Ethernet frame of type RARP."""

    destination: MacAddress
    packet: Arp


@dataclass(frozen=True, slots=True)
class AddressLearned:
    """The client has its address: `address`, told by the server at `server` (MAC, IP)."""

    time: int
    address: IPv4Address
    server_mac: MacAddress
    server_ip: IPv4Address


class RarpServer:
    """Answers RARP requests for the MACs in its table (RFC 903 "reverse request")."""

    def __init__(self, mac: MacAddress, ip: IPv4Address, table: Mapping[MacAddress | str, IPv4Address | str]) -> None:
        self.mac = MacAddress(mac)
        self.ip = IPv4Address(ip)
        self.table = {MacAddress(m): IPv4Address(a) for m, a in table.items()}
        self.unknown = 0
        self._outbox: list[RarpFrame] = []

    def handle_packet(self, packet: Arp, now: int) -> None:
        """Answer a request for a MAC we know, to the asker's hardware address; ignore the rest."""
        if packet.op != ArpOp.RARP_REQUEST:
            return
        address = self.table.get(packet.target_mac)
        if address is None:
            self.unknown += 1  # RFC 903: a server that does not know the MAC stays silent
            return
        reply = Arp(ArpOp.RARP_REPLY, self.mac, self.ip, packet.target_mac, address)
        self._outbox.append(RarpFrame(packet.sender_mac, reply))

    def frames_to_send(self, now: int) -> list[RarpFrame]:
        out, self._outbox = self._outbox, []
        return out


class RarpClient:
    """A host without an address: broadcasts requests until an answer names its MAC."""

    def __init__(self, mac: MacAddress) -> None:
        self.mac = MacAddress(mac)
        self.address: IPv4Address | None = None
        self.tries = 0
        self._retry_at: int | None = None
        self._backoff = FIRST_RETRY
        self._outbox: list[RarpFrame] = []
        self._events: deque[AddressLearned] = deque()

    def start(self, now: int) -> None:
        self._ask(now)

    def handle_packet(self, packet: Arp, now: int) -> None:
        """Take the first reply about our own MAC (RFC 903: target hardware address = ours)."""
        if self.address is not None or packet.op != ArpOp.RARP_REPLY or packet.target_mac != self.mac:
            return
        self.address = packet.target_ip
        self._retry_at = None
        self._events.append(AddressLearned(now, packet.target_ip, packet.sender_mac, packet.sender_ip))

    def get_timer(self) -> int | None:
        return self._retry_at

    def handle_timer(self, now: int) -> None:
        if self._retry_at is not None and self._retry_at <= now:
            self._backoff = min(self._backoff * 2, LONGEST_RETRY)
            self._ask(now)

    def frames_to_send(self, now: int) -> list[RarpFrame]:
        out, self._outbox = self._outbox, []
        return out

    def next_event(self) -> AddressLearned | None:
        return self._events.popleft() if self._events else None

    def _ask(self, now: int) -> None:
        self.tries += 1
        # RFC 903: sender and target hardware addresses are both ours, the protocol addresses unknown.
        request = Arp(ArpOp.RARP_REQUEST, self.mac, UNSPECIFIED, self.mac, UNSPECIFIED)
        self._outbox.append(RarpFrame(MacAddress.BROADCAST, request))
        self._retry_at = now + self._backoff
