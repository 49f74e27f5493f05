"""Active ARP on a real interface (RFC 826): probe one address, detect duplicates, scan a subnet.

An AF_PACKET socket bound to one interface and to EtherType ARP sends frames built with
lanlab.wire's Ethernet and Arp codecs and sees every ARP frame on that link (root or
CAP_NET_RAW). Duplicate address detection follows RFC 5227 2.1.1: the probe's sender IP is
0.0.0.0, so no host updates its cache from it, and any reply means the address is in use.
"""

from __future__ import annotations

import fcntl
import select
import socket
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from lanlab.i18n import L_
from lanlab.net.links import interface_down, is_up
from lanlab.wire import Arp, ArpOp, Ethernet, EtherType, MacAddress, WireError

ETH_P_ARP = int(EtherType.ARP)  # the packet socket protocol, as linux/if_ether.h names it
PACKET_OUTGOING = 4  # sll_pkttype of a frame this host sent (linux/if_packet.h)
SIOCGIFADDR = 0x8915  # ioctl: the interface's IPv4 address
UNSPECIFIED = IPv4Address("0.0.0.0")
ZERO_MAC = MacAddress(bytes(6))
Clock = Callable[[], int]


class ArpSocketError(OSError):
    """The interface cannot be used for ARP (missing, down, or no permission); the message says why."""


@dataclass(frozen=True, slots=True)
class ArpReply:
    """A reply to one of our requests: who, at which MAC, after how long, broadcast or unicast."""

    ip: IPv4Address
    mac: MacAddress
    rtt_ns: int
    broadcast: bool


ARPHRD_ETHER = 1  # <linux/if_arp.h>: the hardware type of Ethernet-like interfaces (veth, bridge, Wi-Fi)


class ArpEndpoint:
    """A packet socket on one interface, with that interface's MAC and IPv4 address."""

    def __init__(self, interface: str, receive_buffer: int = 1 << 20) -> None:
        self.interface = interface
        try:
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
        except PermissionError:
            raise ArpSocketError(
                L_(
                    "arping needs a packet socket: run as root or give python CAP_NET_RAW "
                    "(sudo setcap cap_net_raw+ep on the interpreter)"
                )
            ) from None
        try:
            self.sock.bind((interface, ETH_P_ARP))
        except OSError as error:
            self.sock.close()
            raise ArpSocketError(
                L_(
                    "cannot use interface {interface}: {reason}; `ip link` lists them",
                    interface=repr(interface),
                    reason=error.strerror,
                )
            ) from None
        _, _, _, link_type, address = self.sock.getsockname()
        if link_type != ARPHRD_ETHER:  # loopback (772), tunnels: no ARP there, every request would go unanswered
            self.sock.close()
            raise ArpSocketError(
                L_(
                    "{interface} is not an Ethernet interface (link type {link_type}) and has no ARP; "
                    "pick one that `ip link` shows as link/ether",
                    interface=interface,
                    link_type=link_type,
                )
            )
        if not is_up(interface):  # iputils: 'Interface "eth0" is down', exit 2 (a send would fail ENETDOWN)
            self.sock.close()
            raise ArpSocketError(interface_down(interface))
        self.interface = interface
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.setblocking(False)
        self.mac = MacAddress(address[:6])
        self.ip = interface_ipv4(interface)

    def close(self) -> None:
        self.sock.close()

    def fileno(self) -> int:
        return self.sock.fileno()

    def send_request(
        self, target: IPv4Address, sender_ip: IPv4Address | None = None, destination: MacAddress = MacAddress.BROADCAST
    ) -> None:
        """Who has `target`? Tell `sender_ip` (our own address unless given; 0.0.0.0 for a DAD probe)."""
        arp = Arp(
            ArpOp.REQUEST, self.mac, sender_ip if sender_ip is not None else self.ip or UNSPECIFIED, ZERO_MAC, target
        )
        try:
            self.sock.send(Ethernet(destination, self.mac, EtherType.ARP).build(arp.build()))
        except OSError as error:  # the interface went down (ENETDOWN) or away during the run
            raise ArpSocketError(
                L_("cannot send on {interface}: {reason}", interface=self.interface, reason=error.strerror or error)
            ) from None

    def replies(self) -> Iterable[tuple[Arp, bool]]:
        """Every ARP reply waiting now, with whether it was broadcast; other frames are dropped."""
        while True:
            try:
                frame, address = self.sock.recvfrom(2048)
            except BlockingIOError:
                return
            if address[2] == PACKET_OUTGOING:
                continue
            try:
                ethernet, payload = Ethernet.parse(frame)
                arp, _ = Arp.parse(payload)
            except WireError:
                continue  # a malformed frame is a drop, never a crash
            if arp.op == ArpOp.REPLY:
                yield arp, ethernet.dst.is_broadcast

    def wait(self, seconds: float) -> bool:
        """Block until a frame arrives or `seconds` pass; True if something is readable."""
        readable, _, _ = select.select([self.sock], [], [], max(seconds, 0.0))
        return bool(readable)


def interface_ipv4(interface: str) -> IPv4Address | None:
    """The (first) IPv4 address of an interface, or None if it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, struct.pack("256s", interface.encode()[:15]))
        except OSError:
            return None
    return IPv4Address(answer[20:24])


@dataclass(frozen=True, slots=True)
class ArpingOptions:
    """iputils arping's knobs."""

    count: int | None = None  # -c: stop after this many requests (with -w: this many replies)
    deadline: float | None = None  # -w: stop after this long
    interval: float = 1.0  # -i
    dad: bool = False  # -D: duplicate address detection (sender IP 0.0.0.0, stop on first reply)
    quit_on_reply: bool = False  # -f: stop at the first reply
    broadcast_only: bool = False  # -b: keep broadcasting instead of unicasting to the MAC learned
    source: IPv4Address | None = None  # -s


@dataclass
class ArpingStatistics:
    """What iputils arping prints at the end."""

    sent: int = 0
    broadcasts: int = 0
    received: int = 0


def arping(
    endpoint: ArpEndpoint,
    target: IPv4Address,
    options: ArpingOptions,
    on_reply: Callable[[ArpReply], None],
    clock: Clock = time.monotonic_ns,
) -> ArpingStatistics:
    """Send requests for `target` every interval; report each reply; stop the way iputils does."""
    stats = ArpingStatistics()
    sender = UNSPECIFIED if options.dad else options.source
    learned: MacAddress | None = None
    interval_ns = int(options.interval * 1e9)
    start = clock()
    deadline = start + int(options.deadline * 1e9) if options.deadline is not None else None
    next_send = last_send = start

    def send(destination: MacAddress) -> None:
        nonlocal last_send, next_send
        endpoint.send_request(target, sender, destination)
        stats.sent += 1
        stats.broadcasts += destination.is_broadcast
        last_send = clock()
        while next_send <= last_send:  # on the interval's grid from the start, as iputils' periodic timer
            next_send += interval_ns

    try:
        while True:
            now = clock()
            if deadline is not None and now >= deadline:
                # iputils' interval timer and its -w timer expire together at a multiple of -i, and the interval's
                # is read first: a request goes out at the deadline, then the run ends (-w 2: three requests)
                if next_send <= deadline and (options.count is None or stats.sent < options.count):
                    send(MacAddress.BROADCAST if learned is None or options.broadcast_only else learned)
                break
            if options.count is not None and stats.sent >= options.count:
                # iputils: done when every request is answered, else one interval after the last one
                # (with -w, keep going until `count` replies or the deadline).
                waiting_for_replies = options.deadline is not None and stats.received < options.count
                if not waiting_for_replies and (stats.received >= stats.sent or now >= last_send + interval_ns):
                    break
            elif now >= next_send:
                send(MacAddress.BROADCAST if learned is None or options.broadcast_only else learned)
                continue
            if options.count is None or stats.sent < options.count:
                wake = next_send
            elif options.deadline is not None and stats.received < options.count:
                wake = deadline  # -c with -w: the count's replies are waited for until the deadline
            else:
                wake = last_send + interval_ns
            if deadline is not None:
                wake = min(wake, deadline)
            if not endpoint.wait((wake - now) / 1e9):
                continue
            for arp, was_broadcast in endpoint.replies():
                if arp.sender_ip != target:
                    continue
                # A DAD reply is addressed to 0.0.0.0 (RFC 5227 2.1.1); an ordinary one to our address.
                if not options.dad and endpoint.ip is not None and arp.target_ip not in (endpoint.ip, sender):
                    continue
                stats.received += 1
                learned = arp.sender_mac
                on_reply(ArpReply(arp.sender_ip, arp.sender_mac, clock() - last_send, was_broadcast))
                if options.quit_on_reply or options.dad:
                    return stats  # iputils: -f, and -D (one answer settles it), stop at the first reply
    except KeyboardInterrupt:
        pass  # Ctrl-C ends the run; the statistics are still printed
    return stats


@dataclass
class ScanResult:
    """Who answered a scan: every (ip, mac) pair once, in order of first answer."""

    network: IPv4Network
    requests: int = 0
    elapsed_ns: int = 0
    answers: list[ArpReply] = field(default_factory=list)

    @property
    def duplicates(self) -> dict[IPv4Address, list[MacAddress]]:
        """Addresses answered from more than one MAC: two hosts claim the same IP."""
        seen: dict[IPv4Address, list[MacAddress]] = {}
        for reply in self.answers:
            seen.setdefault(reply.ip, []).append(reply.mac)
        return {ip: macs for ip, macs in seen.items() if len(macs) > 1}


def scan(
    endpoint: ArpEndpoint,
    network: IPv4Network,
    rate: float,
    timeout: float,
    retries: int,
    on_answer: Callable[[ArpReply], None],
    clock: Clock = time.monotonic_ns,
) -> ScanResult:
    """Ask every host address of `network` at `rate` requests/s while collecting replies as they come.

    Like arp-scan, each address has its own answer window: one still silent `timeout` after its
    request is asked again (up to `retries` more times), in the next free sending slot, so retries
    overlap the first round instead of waiting for it. The scan ends when the last request's
    window closes, or as soon as every address has answered; Ctrl-C ends it early with the hosts
    that answered so far, as ping's statistics and a single arping's are still given.
    """
    result = ScanResult(network)
    gap_ns, window_ns = int(1e9 / rate), int(timeout * 1e9)
    fresh = deque(ip for ip in network.hosts() if ip != endpoint.ip)
    waiting: deque[tuple[int, IPv4Address, int]] = deque()  # (window closes, ip, attempts so far), in order
    first_asked: dict[IPv4Address, int] = {}
    answered: set[IPv4Address] = set()
    seen: set[tuple[IPv4Address, MacAddress]] = set()
    start = next_send = clock()

    def collect() -> None:
        for arp, was_broadcast in endpoint.replies():
            if arp.sender_ip not in first_asked or (arp.sender_ip, arp.sender_mac) in seen:
                continue
            seen.add((arp.sender_ip, arp.sender_mac))
            answered.add(arp.sender_ip)
            reply = ArpReply(arp.sender_ip, arp.sender_mac, clock() - first_asked[arp.sender_ip], was_broadcast)
            result.answers.append(reply)
            on_answer(reply)

    def ask(ip: IPv4Address, attempts: int, now: int) -> None:
        endpoint.send_request(ip)
        first_asked.setdefault(ip, now)
        result.requests += 1
        waiting.append((now + window_ns, ip, attempts + 1))

    try:
        while True:
            now = clock()
            while waiting and (waiting[0][1] in answered or (waiting[0][0] <= now and waiting[0][2] > retries)):
                waiting.popleft()  # answered, or silent through every attempt: done with it
            if not fresh and not waiting:
                break
            # Next moment to act: the next sending slot, or the oldest request's window closing.
            wake = next_send if fresh else max(next_send, waiting[0][0])
            if now < wake:
                if endpoint.wait((wake - now) / 1e9):
                    collect()
                continue
            if waiting and waiting[0][0] <= now:
                _closed, ip, attempts = waiting.popleft()
                ask(ip, attempts, now)  # a retry goes before fresh addresses: its host is the one waited for
            elif fresh:
                ask(fresh.popleft(), 0, now)
            next_send = max(next_send + gap_ns, now)  # keep the rate; after a late wake-up, no burst
        collect()
    except KeyboardInterrupt:  # the answers so far are the result, those already waiting on the socket too
        collect()
    result.elapsed_ns = clock() - start
    return result
