"""`--do "[at T] NODE COMMAND ..."`: host commands in the same words as the real CLI.

Each command is a class registered under its words ("ping", "udp listen", ...). It parses its
own arguments, starts on its node at its time, and reports a `result()` dict (the --json
"result") and human `lines()`. A new subsystem adds commands with
`register_command("tcp serve", TcpServe)` in its own module.
"""

from __future__ import annotations

import argparse
import codecs
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from lanlab.proto.icmp import PingSession
from lanlab.units import SECOND, UnitError, format_duration, parse_duration

from lanlab.sim.host import Host

if TYPE_CHECKING:
    from lanlab.sim.frame import Frame
    from lanlab.sim.network import Network


class CommandError(ValueError):
    """A --do text that cannot be understood; the message says what is expected."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{self.prog}: {message}")


def parser(words: str) -> argparse.ArgumentParser:
    return _Parser(prog=words, add_help=False, exit_on_error=False)


def duration_s(text: str) -> int:
    """A duration argument: bare numbers are seconds (ping -i 0.2), units allowed (200ms)."""
    try:
        return parse_duration(text)
    except UnitError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound when None)."""
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: give a number {bounds}")
        return value
    return convert


PORT = int_in(1, 65535)


def ipv4(text: str) -> IPv4Address:
    """An argparse type: a dotted IPv4 address."""
    try:
        return IPv4Address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IPv4 address, like 198.18.0.1") from None


def encoding(text: str) -> str:
    """An argparse type: a text encoding Python knows (the real CLI's --encoding)."""
    try:
        return codecs.lookup(text).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding {text!r} (try utf-8, gb2312, gbk, latin-1)") from None


def check_encodable(option: str, texts: list[str], encoding_name: str) -> None:
    """Refuse, when the --do is parsed, a text its --encoding cannot write (the real CLI's words)."""
    for text in texts:
        try:
            text.encode(encoding_name)
        except UnicodeEncodeError:
            raise CommandError(f"{option} {text!r} cannot be written in {encoding_name}; pick another --encoding") from None


class HostCommand:
    """Base of every --do command."""

    words: ClassVar[str] = ""
    # True for commands about the network rather than a node ("link A B down"): no NODE word,
    # and `check(network)` may raise CommandError when the command is parsed.
    network_wide: ClassVar[bool] = False
    # False for commands that expect no answer (show a table, pull a cable): never started before
    # --until, they do not make the run's exit status 1.
    waits: ClassVar[bool] = True
    # True for commands that need a host's stack (routers are hosts); False lets a switch run it.
    hosts_only: ClassVar[bool] = True

    def __init__(self, argv: list[str]) -> None:
        self.args = self.arguments().parse_args(argv)

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        return parser(cls.words)

    def start(self, network: Network, host: Host, now: int) -> None:
        raise NotImplementedError

    def result(self) -> dict[str, Any]:
        raise NotImplementedError

    def lines(self) -> list[str]:
        raise NotImplementedError

    def answered(self) -> bool | None:
        """False when the command waited for answers and got none (exit status 1); None: n/a."""
        return None


COMMANDS: dict[str, type[HostCommand]] = {}


def register_command(command: type[HostCommand]) -> type[HostCommand]:
    """Class decorator: make `command.words` available to --do."""
    COMMANDS[command.words] = command
    return command


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


class _Stop:
    """A timer that calls `command.stop(now)`: the end of a --wait window."""

    __slots__ = ("command",)

    def __init__(self, command: Any) -> None:
        self.command = command

    def fire(self, arg: Any, now: int) -> None:
        self.command.stop(now)


@register_command
class Ping(HostCommand):
    """ping TARGET [-c COUNT] [-i INTERVAL] [-s SIZE] [-W TIMEOUT] [-t TTL]"""

    words = "ping"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("target")
        p.add_argument("-c", dest="count", type=int_in(1), default=4)
        p.add_argument("-i", dest="interval", type=duration_s, default=SECOND)
        p.add_argument("-s", dest="size", type=int_in(0, 65507), default=56)  # 65535 - IP - ICMP headers
        p.add_argument("-W", dest="timeout", type=duration_s, default=SECOND)
        p.add_argument("-t", dest="ttl", type=int_in(1, 255), default=None)
        return p

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        self.session: PingSession = host.ping(network.resolve_ip(a.target), count=a.count, interval=a.interval,
                                              size=a.size, timeout=a.timeout, ttl=a.ttl)

    def result(self) -> dict[str, Any]:
        return self.session.result.as_dict()

    def answered(self) -> bool | None:
        return self.session.result.received > 0

    def lines(self) -> list[str]:
        r = self.session.result
        size = self.session.size
        out = [f"PING {r.destination} {size}({size + 28}) bytes of data."]
        out += [f"{size + 8} bytes from {r.destination}: icmp_seq={seq} ttl={ttl} time={rtt / 1e6:.3f} ms"
                for seq, ttl, rtt in r.replies]
        out += r.error_messages
        out.append(f"--- {r.destination} ping statistics ---")
        out.append(f"{r.transmitted} packets transmitted, {r.received} received, "
                   + (f"+{r.errors} errors, " if r.errors else "") + f"{r.loss_percent:g}% packet loss")
        if r.rtt_ns:
            ms = r.rtt_ms
            out.append(f"rtt min/avg/max = {min(ms):.3f}/{sum(ms) / len(ms):.3f}/{max(ms):.3f} ms")
        return out


@register_command
class UdpListen(HostCommand):
    """udp listen [PORT] [--port PORT] [--reply TEXT | --echo] [--group MCAST] [--count N]"""

    words = "udp listen"
    waits = False

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("port_arg", nargs="?", type=PORT)
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

    def result(self) -> dict[str, Any]:
        return {"port": self.port, "received": self.received}

    def lines(self) -> list[str]:
        return [f"listening on UDP {self.port}: {len(self.received)} datagram(s)"] + \
            [f"  [{r['t']:.6f}] {r['from']}:{r['port']} {r['text']!r}" for r in self.received]


class _UdpSender(HostCommand):
    """Shared by `udp send` and `udp broadcast`: send, then collect replies for --wait."""

    def send(self, network: Network, host: Host, now: int, dst: IPv4Address, port: int, text: str,
             wait: int) -> None:
        self.host = host
        self.sent_at = now
        self.replies: list[dict[str, Any]] = []
        self.local_port = host.udp.bind(0, self.reply)
        host.send_udp(self.local_port, dst, port, text.encode(), now)
        network.engine.schedule(now + wait, _Stop(self))

    def reply(self, host: Host, frame: Frame, now: int) -> None:
        self.replies.append({"from": str(frame.l3.src), "port": frame.l4.src_port, "text": decode(frame.data),
                             "rtt_ms": round((now - self.sent_at) / 1e6, 6)})
        expect = getattr(self.args, "expect", None)
        if expect is not None and len(self.replies) >= expect:
            self.stop(now)

    def stop(self, now: int) -> None:
        self.host.udp.unbind(self.local_port)

    def result(self) -> dict[str, Any]:
        return {"sent": 1, "replies": self.replies}

    def answered(self) -> bool | None:
        return bool(self.replies) if self.args.wait else None

    def lines(self) -> list[str]:
        if not self.args.wait:
            return ["sent 1 datagram (add --wait S to collect replies)"]
        return [f"{len(self.replies)} repl{'y' if len(self.replies) == 1 else 'ies'}"] + \
            [f"  {r['from']}:{r['port']} {r['text']!r} {r['rtt_ms']:.3f} ms" for r in self.replies]


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
        self.send(network, host, now, network.resolve_ip(a.host), a.port, a.text, a.wait)


@register_command
class UdpBroadcast(_UdpSender):
    """udp broadcast [TEXT] [--port 7788] [--to ADDR] [--wait 2] [--expect N]"""

    words = "udp broadcast"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("text", nargs="?", default="Hi")
        p.add_argument("--port", type=PORT, default=7788)
        p.add_argument("--to", type=ipv4, default=IPv4Address("255.255.255.255"))
        p.add_argument("--wait", type=duration_s, default=2_000_000_000)
        p.add_argument("--expect", type=int_in(1), default=None)
        return p

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        self.send(network, host, now, a.to, a.port, a.text, a.wait)


@register_command
class ArpShow(HostCommand):
    """arp: the host's ARP table at that moment"""

    words = "arp"
    waits = False

    def start(self, network: Network, host: Host, now: int) -> None:
        self.rows = host.arp_table

    def result(self) -> dict[str, Any]:
        return {"arp": self.rows}

    def lines(self) -> list[str]:
        return [f"  {r['ip']:<15} {r['mac']}" for r in self.rows] or ["  (empty)"]


@register_command
class MacShow(HostCommand):
    """mac: a switch's MAC table at that moment (like `bridge fdb show`)"""

    words = "mac"
    waits = False
    hosts_only = False

    def start(self, network: Network, switch: Any, now: int) -> None:
        if not hasattr(switch, "mac_table"):
            raise CommandError(f"{switch.name} is a {switch.kind}: only switches have a MAC table")
        self.rows: list[dict[str, Any]] = switch.mac_table

    def result(self) -> dict[str, Any]:
        return {"mac": self.rows}

    def lines(self) -> list[str]:
        return [f"  {r['mac']}  {r['port']:<6} age {r['age']:.3f} s" for r in self.rows] or ["  (empty)"]


@dataclass
class Scheduled:
    """A parsed --do: which node, what, when; also the engine target that starts it."""

    node: str | None  # None for a network-wide command
    command_text: str
    at: int
    command: HostCommand
    network: Network
    started: bool = False
    error: str | None = None  # why the command could not run (no route, port in use, ...)

    def fire(self, arg: Any, now: int) -> None:
        self.started = True
        node = self.network.node(self.node) if self.node is not None else None
        if node is not None and self.command.hosts_only and not isinstance(node, Host):
            self.error = f"{self.node} is a {getattr(node, 'kind', 'device')}: {self.command.words} runs on hosts"
            return
        try:
            self.command.start(self.network, node, now)  # type: ignore[arg-type]
        except ValueError as error:  # LocalIpError, PortInUseError, NetworkError: the user's mistake
            self.error = str(error)

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] | None = None
        if self.error is not None:
            result = {"error": self.error}
        elif self.started:
            result = self.command.result()
        return {"node": self.node, "command": self.command_text, "at": self.at / 1e9, "result": result}

    def lines(self) -> list[str]:
        """What the command printed (or why it did not run)."""
        if self.error is not None:
            return [f"error: {self.error}"]
        if not self.started:
            return ["(not started: --until ended the run first)"]
        return self.command.lines()

    def heading(self) -> str:
        return f"[{format_duration(self.at) if self.at else '0s'}] {self.node or 'net'}$ {self.command_text}"


def parse_do(network: Network, text: str) -> Scheduled:
    """`[at T] NODE WORDS...` -> a Scheduled command (not yet scheduled on the engine)."""
    try:
        argv = shlex.split(text)
    except ValueError as error:
        raise CommandError(f"{text!r}: {error}") from None
    at = 0
    if len(argv) >= 2 and argv[0] == "at":
        try:
            at = parse_duration(argv[1])
        except UnitError as error:
            raise CommandError(f"{text!r}: {error}") from None
        argv = argv[2:]
    wide = COMMANDS.get(argv[0]) if argv and argv[0] not in network.nodes else None
    if wide is not None and wide.network_wide:
        try:
            command = wide(argv[1:])
            command.check(network)  # type: ignore[attr-defined]
        except (argparse.ArgumentError, ValueError) as error:
            raise CommandError(f"{text!r}: {error}") from None
        return Scheduled(None, " ".join(argv), at, command, network)
    if len(argv) < 2:
        raise CommandError(f"{text!r}: expected [at T] NODE COMMAND, like \"pc1 ping pc2 -c 3\"")
    node = argv[0]
    if node not in network.nodes:
        raise CommandError(f"{text!r}: no node called {node!r} (nodes: {', '.join(network.nodes)})")
    for length in (2, 1):
        words = " ".join(argv[1:1 + length])
        factory = COMMANDS.get(words)
        if factory is not None:
            try:
                command = factory(argv[1 + length:])
            except (argparse.ArgumentError, ValueError) as error:
                raise CommandError(f"{text!r}: {error}") from None
            return Scheduled(node, " ".join(argv[1:]), at, command, network)
    raise CommandError(f"{text!r}: unknown command {argv[1]!r} (known: {', '.join(sorted(COMMANDS))})")


def schedule(network: Network, text: str) -> Scheduled:
    """Parse a --do text and schedule it on the network's engine."""
    scheduled = parse_do(network, text)
    network.commands.append(scheduled)
    network.engine.schedule(max(scheduled.at, network.engine.now), scheduled)
    return scheduled
