"""The basic --do commands, as the real CLI has them: ping, udp listen|send|broadcast, arp, mac."""

from __future__ import annotations

import argparse
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, Final

from lanlab.proto.fragments import PING_PMTU_WORDS
from lanlab import ping_lines
from lanlab.proto.icmp import PingSession
from lanlab.sim.commands.base import (
    PORT,
    Command,
    CommandError,
    duration_s,
    interval_s,
    int_in,
    ipv4,
    parser,
    register_command,
    route_or_unreachable,
    timeout_s,
)
from lanlab.sim.core.node import KeepsMacTable
from lanlab.sim.commands.names import ReverseNames, target_address
from lanlab.table_lines import arp_lines
from lanlab.units import SECOND
from lanlab.wire import Icmp, IcmpType, WireError
from lanlab.i18n import L_, N_, L_counted

if TYPE_CHECKING:
    from lanlab.sim.core.frame import Frame
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network

# ping -M: iputils' words for the socket's IP_MTU_DISCOVER (20221126 takes these three)
MAX_UDP_PAYLOAD: Final = 65_507  # 65,535 - 20 (IPv4) - 8 (UDP): Linux refuses more with EMSGSIZE


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


class _Unwatch:
    """Takes a command's ICMP watcher off its host, at a moment the host is not going through its watchers."""

    __slots__ = ("host", "watcher")

    def __init__(self, host: Host, watcher: Any) -> None:
        self.host = host
        self.watcher = watcher

    def fire(self, arg: Any, now: int) -> None:
        if self.watcher in self.host.icmp_watchers:
            self.host.icmp_watchers.remove(self.watcher)


class _SendAgain:
    """A timer that calls `command.send_again(now)`: the next of udp broadcast's --count datagrams."""

    __slots__ = ("command",)

    def __init__(self, command: Any) -> None:
        self.command = command

    def fire(self, arg: Any, now: int) -> None:
        self.command.send_again(now)


class _Stop:
    """A timer that calls `command.stop(now)`: the end of a --wait window."""

    __slots__ = ("command",)

    def __init__(self, command: Any) -> None:
        self.command = command

    def fire(self, arg: Any, now: int) -> None:
        self.command.stop(now)


@register_command
class Ping(Command):
    """ping TARGET [-c COUNT] [-i INTERVAL] [-s SIZE] [-W TIMEOUT] [-t TTL] [-M do|dont|want] [-b] [-n]

    As iputils (pr_addr), a TARGET given by name has who answered named by a reverse lookup, "pc2 (198.18.0.2)":
    in the host's /etc/hosts (the topology's names, or only its own on a host with nameservers), else, on a host
    with nameservers, by a PTR query over the wire when the answer comes (one per address; iputils waits for it
    before it prints the line, this ping goes on meanwhile). An address given, or -n, names nobody."""

    words = "ping"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("target")
        p.add_argument("-c", dest="count", type=int_in(1), default=4)
        p.add_argument("-i", dest="interval", type=interval_s, default=SECOND)
        p.add_argument("-s", dest="size", type=int_in(0, 65507), default=56)  # 65535 - IP - ICMP headers
        p.add_argument("-W", dest="timeout", type=timeout_s, default=10 * SECOND)  # iputils' MAXWAIT
        p.add_argument("-t", dest="ttl", type=int_in(1, 255), default=None)
        p.add_argument("-M", dest="pmtudisc", choices=tuple(PING_PMTU_WORDS), default="want")  # iputils' words
        p.add_argument("-b", dest="broadcast", action="store_true")
        p.add_argument("-n", dest="numeric", action="store_true")
        return p

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        target, by_name, self.canonical = target_address(network, a.target)  # header and summary name it
        route_or_unreachable(host, target, "connect")  # iputils ping connects a socket first
        # that connect() fails with EACCES for a broadcast address, which only -b (SO_BROADCAST) lets through
        self.broadcast = host.ipv4.is_broadcast(target)
        if self.broadcast and not a.broadcast:
            raise ValueError(f"ping: {ping_lines.BROADCAST_REFUSED}")
        self.session: PingSession = host.ping(
            target,
            count=a.count,
            interval=a.interval,
            size=a.size,
            timeout=a.timeout,
            ttl=a.ttl,
            pmtudisc=PING_PMTU_WORDS[a.pmtudisc],
        )
        self.host = host
        # iputils names who answered a ping of a name (inet_aton failed on it), not of an address, nor with -n
        self.naming = not a.numeric and by_name
        self.names = ReverseNames(host)
        if self.naming and host.resolver_servers:  # names beyond the host's own are in DNS
            host.icmp_watchers.append(self.heard)

    def heard(self, sender: IPv4Address, message: Icmp, data: bytes, now: int) -> None:
        """An ICMP message came (before the session reads it): an answer to this ping has its sender named."""
        session = self.session
        if session.done:
            self.host.engine.schedule(now, _Unwatch(self.host, self.heard))
            return
        if message.type == IcmpType.ECHO_REPLY:
            ours = message.rest >> 16 == session.ident
        elif message.type in (IcmpType.DEST_UNREACHABLE, IcmpType.TIME_EXCEEDED):
            ours = self._quotes_ours(data)
        else:
            ours = False
        if ours:
            self.names.heard(sender)

    def _quotes_ours(self, quoted: bytes) -> bool:
        """Whether an ICMP error quotes one of this session's echo requests (RFC 792: IP header + 8 bytes)."""
        if len(quoted) < 20 or quoted[9] != 1:  # byte 9 of the quoted IPv4 header: its protocol, ICMP
            return False
        try:
            inner, _ = Icmp.parse(quoted[(quoted[0] & 0x0F) * 4 :])  # type: ignore[attr-defined]
        except WireError:
            return False
        return self.session.owns(inner)

    def shown(self, address: str) -> str:
        """Who answered as the line names it: "name (address)" when this ping names and a name was found."""
        return ping_lines.named(address, self.names.name(address)) if self.naming else address

    def result(self) -> dict[str, Any]:
        return self.session.result.as_dict()

    def answered(self) -> bool | None:
        return self.session.result.received > 0

    def running(self) -> bool:
        return not self.session.done or self.names.pending

    def lines(self) -> list[str]:
        r = self.session.result
        size = self.session.size
        timed = ping_lines.timed(size)
        out = [ping_lines.BROADCAST_WARNING] if self.broadcast else []
        out.append(ping_lines.header_line(self.canonical, r.destination, size))
        for kind, index in r.timeline:  # as they happened, as ping prints them
            if kind == "reply":
                seq, ttl, rtt = r.replies[index]
                source, duplicate = r.senders[index]
                marked = duplicate and ping_lines.marks_duplicates(self.broadcast, r.destination)
                out.append(
                    ping_lines.reply_line(
                        size + ping_lines.ICMP_HEADER, self.shown(source), seq, ttl, rtt if timed else None, marked
                    )
                )
            else:
                out.append(self._error_shown(r.error_messages[index]))
        rtt_ms = ping_lines.rtt_summary_ms(r.rtt_ns) if timed else None
        return out + ping_lines.summary_lines(
            self.canonical, r.transmitted, r.received, r.duplicates, r.errors, r.elapsed_ns, rtt_ms, r.pipe
        )

    def _error_shown(self, message: str) -> str:
        """An error line with its sender named: the host writes "From ADDRESS icmp_seq=..." (ping_lines.error_line);
        a local error ("ping: local error: ...", a route gone) names nobody, as iputils."""
        if not message.startswith("From "):
            return message
        address, rest = message[len("From ") :].split(" ", 1)
        return f"From {self.shown(address)} {rest}"


@register_command
class UdpListen(Command):
    """udp listen [PORT] [--port PORT] [--reply TEXT | --echo] [--group MCAST] [--count N]"""

    words = "udp listen"
    waits = False

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("port_arg", nargs="?", type=PORT, metavar="port")  # named as the other commands name a port
        p.add_argument("--port", type=PORT, default=7788)
        p.add_argument("--reply", default=None)
        p.add_argument("--echo", action="store_true")
        p.add_argument("--group", type=ipv4, default=None)
        p.add_argument("--count", type=int_in(1), default=None)
        return p

    def start(self, network: Network, host: Host, now: int) -> None:
        self.port = self.args.port_arg or self.args.port
        self.received: list[dict[str, Any]] = []
        if self.args.group is not None:
            host.join(self.args.group)
        host.udp.bind(self.port, self.datagram)

    def datagram(self, host: Host, frame: Frame, now: int) -> None:
        ip, udp = frame.l3, frame.l4
        self.received.append({"t": now / 1e9, "from": str(ip.src), "port": udp.src_port, "text": decode(frame.data)})
        answer = frame.data if self.args.echo else (self.args.reply.encode() if self.args.reply is not None else None)
        if answer is not None:
            host.send_udp(self.port, ip.src, udp.src_port, answer, now)
        if self.args.count is not None and len(self.received) >= self.args.count:
            host.udp.unbind(self.port)

    def running(self) -> bool:
        return self.args.count is not None and len(self.received) < self.args.count

    def result(self) -> dict[str, Any]:
        return {"port": self.port, "received": self.received}

    def lines(self) -> list[str]:
        return [
            L_counted(
                "listening on UDP {port}: {count} datagram",
                "listening on UDP {port}: {count} datagrams",
                len(self.received),
                port=self.port,
            )
        ] + [f"  [{r['t']:.6f}] {r['from']}:{r['port']} {r['text']!r}" for r in self.received]


class _UdpSender(Command):
    """Shared by `udp send` and `udp broadcast`: send, then collect replies for --wait."""

    def send(
        self,
        network: Network,
        host: Host,
        now: int,
        dst: IPv4Address,
        port: int,
        text: str,
        wait: int,
        expect: int | None = None,
        count: int = 1,
        interval: int = SECOND,
    ) -> None:
        """Send `count` datagrams `interval` apart; collect replies meanwhile and for `wait` after the last, or
        until `expect` of them (udp broadcast --expect), as lanlab.net.udp.exchange does."""
        self.host = host
        self.expect = expect
        self.sent_at = now
        self.sent = 0
        self.replies: list[dict[str, Any]] = []
        self.waiting = True
        data = text.encode()
        if len(data) > MAX_UDP_PAYLOAD:
            raise ValueError(
                f"sendto: Message too long (EMSGSIZE): {len(data):,} bytes; a UDP datagram carries "
                f"at most {MAX_UDP_PAYLOAD:,} (65,535 - 20 bytes of IPv4 header - 8 of UDP)"
            )
        route_or_unreachable(host, dst, "sendto")
        self.local_port = host.udp.bind(0, self.reply)
        self.datagram = (dst, port, data)
        self.count, self.interval, self.wait = count, interval, wait
        self.send_again(now)

    def send_again(self, now: int) -> None:
        """One datagram (unless --expect's replies already came), then a timer for the next or for the end of
        --wait; a reply's round trip counts from the latest datagram sent."""
        if not self.waiting:
            return
        dst, port, data = self.datagram
        self.sent += 1
        self.sent_at = now
        self.host.send_udp(self.local_port, dst, port, data, now)
        if self.sent < self.count:
            self.host.engine.schedule(now + self.interval, _SendAgain(self))
        else:
            self.host.engine.schedule(now + self.wait, _Stop(self))

    def reply(self, host: Host, frame: Frame, now: int) -> None:
        self.replies.append(
            {
                "from": str(frame.l3.src),
                "port": frame.l4.src_port,
                "text": decode(frame.data),
                "rtt_ms": round((now - self.sent_at) / 1e6, 6),
            }
        )
        if self.expect is not None and len(self.replies) >= self.expect:
            self.stop(now)

    def stop(self, now: int) -> None:
        if self.waiting:
            self.waiting = False
            self.host.udp.unbind(self.local_port)

    def running(self) -> bool:
        return self.waiting

    def result(self) -> dict[str, Any]:
        return {"sent": self.sent, "replies": self.replies}

    def answered(self) -> bool | None:
        return bool(self.replies) if self.args.wait else None

    def lines(self) -> list[str]:
        if not self.args.wait:
            return [L_("sent 1 datagram (add --wait S to collect replies)")]
        return self.reply_lines()

    def reply_lines(self) -> list[str]:
        return [
            L_("{count} reply", count=len(self.replies))
            if len(self.replies) == 1
            else L_("{count} replies", count=len(self.replies))
        ] + [f"  {r['from']}:{r['port']} {r['text']!r} {r['rtt_ms']:.3f} ms" for r in self.replies]


@register_command
class UdpSend(_UdpSender):
    """udp send HOST PORT TEXT [--wait S]"""

    words = "udp send"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("host")
        p.add_argument("port", type=PORT)
        p.add_argument("text")
        p.add_argument("--wait", type=duration_s, default=0)
        return p

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        dst = network.resolve_ip(a.host)
        if host.ipv4.is_broadcast(dst):
            # as `lanlab udp send` on Linux: a socket without SO_BROADCAST may not send there
            raise ValueError(
                f"sendto: Permission denied (EACCES): {dst} is a broadcast address; use udp broadcast --to {dst}"
            )
        self.send(network, host, now, dst, a.port, a.text, a.wait)


@register_command
class UdpBroadcast(_UdpSender):
    """udp broadcast [TEXT] [--port 7788] [--to ADDR] [--wait 2] [--expect N] [--count 1] [--interval 1]"""

    words = "udp broadcast"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("text", nargs="?", default="Hi")
        p.add_argument("--port", type=PORT, default=7788)
        p.add_argument("--to", type=ipv4, default=IPv4Address("255.255.255.255"))
        p.add_argument("--wait", type=duration_s, default=2_000_000_000)
        p.add_argument("--expect", type=int_in(1), default=None)
        p.add_argument("--count", type=int_in(1), default=1)
        p.add_argument("--interval", type=duration_s, default=SECOND)  # 0: all at one instant, as the real one
        return p

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        self.send(network, host, now, a.to, a.port, a.text, a.wait, a.expect, a.count, a.interval)

    def answered(self) -> bool | None:
        return bool(self.replies)  # `lanlab udp broadcast` exits 1 when nobody answered, --wait 0 too

    def lines(self) -> list[str]:
        return self.reply_lines()  # `lanlab udp broadcast` says what came, --wait 0 too


@register_command
class ArpShow(Command):
    """arp: the host's ARP table at that moment"""

    words = "arp"
    waits = False

    def start(self, network: Network, host: Host, now: int) -> None:
        self.rows = host.arp_table

    def result(self) -> dict[str, Any]:
        return {"arp": self.rows}

    def lines(self) -> list[str]:
        return arp_lines(self.rows)


# `NODE mac` on a node that keeps no MAC table (a hub repeats, a host or router has an ARP table).
NO_MAC_TABLE = {
    "hub": N_("{node} is a hub: only switches have a MAC table"),
    "host": N_("{node} is a host: only switches have a MAC table"),
    "router": N_("{node} is a router: only switches have a MAC table"),
    "node": N_("{node} is a {kind}: only switches have a MAC table"),
}


@register_command
class MacShow(Command):
    """mac: a switch's MAC table at that moment (like `bridge fdb show`)"""

    words = "mac"
    waits = False
    hosts_only = False

    def start(self, network: Network, switch: Any, now: int) -> None:
        if not isinstance(switch, KeepsMacTable):
            template = NO_MAC_TABLE.get(switch.kind, NO_MAC_TABLE["node"])
            raise CommandError(L_(template, node=switch.name, kind=switch.kind))
        self.rows: list[dict[str, Any]] = switch.mac_table

    def result(self) -> dict[str, Any]:
        return {"mac": self.rows}

    def lines(self) -> list[str]:
        return [
            L_("  {mac}  {port} age {age} s", mac=r["mac"], port=f"{r['port']:<6}", age=f"{r['age']:.3f}")
            for r in self.rows
        ] or [L_("  (empty)")]
