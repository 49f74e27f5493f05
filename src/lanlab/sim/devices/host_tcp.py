"""TCP on a simulated host: the sans-IO `TcpStack` of lanlab.proto.tcp wired to the host's
IP layer (IP protocol 6), its timers to the engine, and 127.0.0.0/8 looped back inside the
host. cwnd/ssthresh changes and state changes go to the event list ("cwnd", "tcp")."""

from __future__ import annotations

import errno
import hashlib
import random
from collections import deque
from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING, Any, Callable, Final

from lanlab.i18n import L_, N_, Deferred
from lanlab.proto.ipv4 import LocalIpError
from lanlab.proto.tcp import CongestionChanged, StateChanged, TcpConfig, TcpStack, TcpState
from lanlab.sim.core.engine import MachineTimer, TimedMachine
from lanlab.sim.core.frame import ETH_HEADER, Frame
from lanlab.sim.core.link import LOOPBACK_DELAY, Port
from lanlab.sim.core.trace import register_kind
from lanlab.wire import IPv4, WireError, describe
from lanlab.wire.icmp import Icmp, IcmpType, UnreachableCode
from lanlab.wire.tcp import PROTO_TCP, PartialTcp, Tcp, pack_options

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host

LOOPBACK: Final = IPv4Network("127.0.0.0/8")
LOOPBACK_ADDRESS: Final = IPv4Address("127.0.0.1")
MAX_DATAGRAM: Final = 65535  # what a quoted datagram's total length may be past the quote; IP_MAX_MTU too
IP_TCP_HEADERS: Final = 40  # an IPv4 header and a TCP header without options: an MTU less these is the MSS
# Destination unreachable codes (RFC 792, RFC 1812 5.2.7.1) as Linux's icmp_err_convert names them to a socket
UNREACHABLE_ERRNO: Final = {
    UnreachableCode.NET: errno.ENETUNREACH,
    UnreachableCode.HOST: errno.EHOSTUNREACH,
    UnreachableCode.PROTOCOL: errno.ENOPROTOOPT,
    UnreachableCode.PORT: errno.ECONNREFUSED,
    5: errno.EOPNOTSUPP,  # source route failed
    6: errno.ENETUNREACH,  # destination network unknown
    7: errno.EHOSTDOWN,  # destination host unknown
    8: errno.ENONET,  # source host isolated
    9: errno.ENETUNREACH,  # network administratively prohibited
    10: errno.EHOSTUNREACH,  # host administratively prohibited
    11: errno.ENETUNREACH,  # network unreachable for TOS
    12: errno.EHOSTUNREACH,  # host unreachable for TOS
    13: errno.EHOSTUNREACH,  # communication administratively prohibited
}

register_kind("cwnd", "TCP")  # frameless events: the protocol column says TCP, --filter tcp keeps them
register_kind("tcp", "TCP")


def segment_frame_size(header: Tcp, payload: bytes) -> int:
    """Ethernet + IPv4 (no options) + TCP header with its options + data."""
    options = len(pack_options(header.options)) if header.options else 0
    return ETH_HEADER + 20 + 20 + options + len(payload)


class _Loopback:
    """The engine target that delivers a looped-back segment to its own host."""

    __slots__ = ("tcp",)

    def __init__(self, tcp: HostTcp) -> None:
        self.tcp = tcp

    def fire(self, segment: tuple[IPv4Address, IPv4Address, Tcp, bytes], now: int) -> None:
        src, dst, header, payload = segment
        tcp = self.tcp
        tcp.host.loopback_in_flight -= 1
        if tcp.host.tracer is not None:
            tcp.host.tracer.record(now, tcp.host.name, "lo", "deliver", None, "TCP " + describe([header, payload])[1])
        tcp.stack.handle_segment(src, dst, header, payload, now)
        tcp.flush(now)


Segment = tuple[IPv4Address, IPv4Address, Tcp, bytes, int | None]  # src, dst, header, payload, TTL


class _Held:
    """The engine target that sends a port's held segments once its output queue has room."""

    __slots__ = ("tcp",)

    def __init__(self, tcp: HostTcp) -> None:
        self.tcp = tcp

    def fire(self, port: Port, now: int) -> None:
        self.tcp.send_held(port, now)


class HostTcp:
    """A host's TCP. `watchers` are called after anything happened (the socket shim wakes
    the programs waiting on this host)."""

    def __init__(self, host: Host, config: TcpConfig | None = None) -> None:
        self.host = host
        engine = host.engine
        # A random source of its own (ISS, ephemeral ports), so adding TCP to a host does not
        # change the draws of the run's shared RNG (loss, backoff).
        seed = int.from_bytes(hashlib.sha256(f"{engine.seed}/{host.name}/tcp".encode()).digest()[:8], "big")
        self.stack = TcpStack(random.Random(seed), config)
        self.stack.path_mtu = self._path_mtu
        self.stack.advertised_mss = self._advertised_mss
        self.timer = MachineTimer(engine, self.stack, self)
        self.watchers: list[Callable[[], None]] = []
        self._loopback = _Loopback(self)
        self._flush_due = False
        # Segments waiting for room in their interface's output queue, per port: Linux never drops its own
        # TCP segments at its own queue (TSQ and the qdisc's backpressure keep them in the socket), so
        # twenty connections starting at once do not lose their first windows there
        self._held: dict[Port, deque[Segment]] = {}
        self._held_wake = _Held(self)
        host.ip_protocols[PROTO_TCP] = self.segment_arrived

    def local_address_for(self, dst: IPv4Address) -> IPv4Address:
        """The source address a connection to `dst` uses (raises LocalIpError with no route)."""
        if dst in LOOPBACK:
            return LOOPBACK_ADDRESS
        if dst in self.host.addresses:
            return dst
        route = self.host.ipv4.route(dst)
        return self.host.ipv4.source_for(route.index)

    def _path_mtu(self, dst: IPv4Address) -> int | None:
        """The MTU of the path to `dst` now (a learned one, or the interface's); None over lo or with no route."""
        if dst in LOOPBACK or dst in self.host.addresses:
            return None
        try:
            return self.host.path_mtu(dst, self.host.engine.now)
        except LocalIpError:
            return None

    def _advertised_mss(self, dst: IPv4Address) -> int | None:
        """The MSS offered to a peer at `dst`: the outgoing interface's MTU less 40 (IPv4 and TCP headers), at most
        65,495 (Linux's ipv4_default_advmss, IP_MAX_MTU less 40): 1,460 on Ethernet, 960 with mtu: 1000, 65,495
        over lo (1,460 there made three small sends on lo a Nagle wait Linux never has). None with no route."""
        try:
            mtu = self.host.destination(dst).nic.mtu
        except LocalIpError:
            return None
        return min(mtu, MAX_DATAGRAM) - IP_TCP_HEADERS

    def segment_arrived(self, host: Any, frame: Frame, now: int) -> None:
        if frame.eth.dst[0] & 1:  # tcp_v4_rcv: a segment in a broadcast or multicast frame is not for a host
            return
        ip = frame.l3
        self.stack.handle_segment(ip.src, ip.dst, frame.l4, frame.data, now)
        self.flush(now)

    def neighbour_unreachable(self, ip: Any, header: Tcp, now: int) -> None:
        """ARP found nobody for a segment's next hop: a connection still opening fails with
        EHOSTUNREACH ("No route to host"), as Linux reports it; later ones keep retransmitting."""
        connection = self.stack.connections.get((ip.src, header.src_port, ip.dst, header.dst_port))
        if connection is not None and connection.state is TcpState.SYN_SENT:
            connection.fail(errno.EHOSTUNREACH)
            self.flush(now)

    def icmp_error(self, icmp: Icmp, quoted: bytes, now: int) -> None:
        """An ICMP error quoting a segment of ours (its IPv4 header and first 8 bytes, RFC 792): a connection
        still opening (SYN-SENT) fails with the error's errno, as Linux's tcp_v4_err does for any destination
        unreachable or time exceeded, so connect() says "No route to host" when a router answers instead of
        timing out two minutes later; an established connection goes on (RFC 1122 4.2.3.9: soft errors)."""
        try:  # the quote is cut short of the datagram's length: parse_cut, as the dissector reads it
            ip, rest, _ = IPv4.parse_cut(quoted, MAX_DATAGRAM)
            segment, _ = PartialTcp.parse(rest)
        except WireError:
            return
        if ip.proto != PROTO_TCP:
            return
        connection = self.stack.connections.get((ip.src, segment.src_port, ip.dst, segment.dst_port))
        if connection is None or connection.state is not TcpState.SYN_SENT or segment.seq != connection.iss:
            return  # not ours, or not the SYN it names (an old or forged error)
        if icmp.type == IcmpType.TIME_EXCEEDED:
            connection.fail(errno.EHOSTUNREACH)
        elif icmp.code != UnreachableCode.FRAG_NEEDED:  # that one lowers the path MTU (host.learn_path_mtu)
            connection.fail(UNREACHABLE_ERRNO.get(icmp.code, errno.EHOSTUNREACH))
        else:
            return
        self.flush(now)

    def path_mtu_lowered(self, dst: IPv4Address, mtu: int, now: int) -> None:
        """A smaller path MTU to `dst` was learned: its connections shrink their segments to it."""
        lowered = False
        for key, connection in self.stack.connections.items():
            if key[2] == dst:
                connection.path_mtu_lowered(mtu)
                lowered = True
        if lowered:
            self.flush(now)

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        self.flush(now)

    def flush_soon(self) -> None:
        """Flush at the end of this instant: a window update a read asks for can then ride on
        the data the program sends next, as a kernel's delayed work would let it."""
        if not self._flush_due:
            self._flush_due = True
            self.host.engine.schedule(self.host.engine.now, self)

    def fire(self, arg: Any, now: int) -> None:
        self._flush_due = False
        self.flush(now)

    def flush(self, now: int) -> None:
        """Transmit what the stack has to send, report its news, re-arm its timer."""
        host = self.host
        for segment in self.stack.segments_to_send(now):
            src, dst, header, payload, ttl = segment
            if dst in LOOPBACK or dst in host.addresses:
                host.loopback_in_flight += 1
                host.engine.schedule(now + LOOPBACK_DELAY, self._loopback, (src, dst, header, payload))
                continue
            port = self._port_to(dst)
            if port is not None and (port in self._held or port.room_at(now) is not None):
                self._hold(port, segment, now)
            else:
                host.answer_ip(dst, PROTO_TCP, header, payload, segment_frame_size(header, payload), now, ttl, src)
        tracer = host.tracer
        stack = self.stack
        for key, connection in stack.looked_at:  # only a connection changed since the last flush has news
            if not stack.holds(connection):
                continue  # closed and forgotten: its last events are not reported
            event = connection.next_event()
            while event is not None:
                if tracer is not None:
                    if isinstance(event, CongestionChanged):
                        tracer.record(
                            now,
                            host.name,
                            None,
                            "cwnd",
                            None,
                            L_(
                                "{connection} cwnd={cwnd} ssthresh={ssthresh} ({phase})",
                                connection=f"{key[1]} → {key[2]}:{key[3]}",
                                cwnd=event.cwnd,
                                ssthresh=ssthresh_text(event.ssthresh),
                                phase=PHASES.get(event.phase, event.phase),
                            ),
                        )
                    elif isinstance(event, StateChanged):
                        tracer.record(
                            now, host.name, None, "tcp", None, f"{key[1]} → {key[2]}:{key[3]} {event.old} → {event.new}"
                        )
                event = connection.next_event()
        self.timer.arm()
        for watcher in list(self.watchers):  # a watcher may remove itself (a DNS query over TCP answered)
            watcher()

    def _port_to(self, dst: IPv4Address) -> Port | None:
        """The port a segment to `dst` leaves by; None with no route (answer_ip says why it is dropped)."""
        try:
            return self.host.destination(dst).nic.port
        except LocalIpError:
            return None

    def _hold(self, port: Port, segment: Segment, now: int) -> None:
        """Keep `segment` until `port` has room, behind the others held for it."""
        held = self._held.get(port)
        if held is None:
            held = self._held[port] = deque()
            self._wake_when_room(port, now)
        held.append(segment)

    def _wake_when_room(self, port: Port, now: int) -> None:
        at = port.room_at(now)
        self.host.engine.schedule(now if at is None else at, self._held_wake, port)

    def send_held(self, port: Port, now: int) -> None:
        """Send what `port` holds while its queue has room, in order; wait again when it is full."""
        held = self._held[port]
        host = self.host
        while held and port.room_at(now) is None:
            src, dst, header, payload, ttl = held.popleft()
            host.answer_ip(dst, PROTO_TCP, header, payload, segment_frame_size(header, payload), now, ttl, src)
        if held:
            self._wake_when_room(port, now)
        else:
            del self._held[port]


# RFC 5681's phases (proto/tcp/_reno.py names them), shown translated in the event list.
PHASES: Final[dict[str, Deferred]] = {
    phase: L_(phase) for phase in (N_("slow start"), N_("congestion avoidance"), N_("fast recovery"))
}


def ssthresh_text(ssthresh: int) -> str:
    """ssthresh starts "arbitrarily high" (RFC 5681 3.1): shown as inf until a loss sets it."""
    return "inf" if ssthresh >= 1 << 30 else str(ssthresh)
