"""`--do "[at T] NODE COMMAND ..."`: host commands in the same words as the real CLI.

Each command is a class registered under its words ("ping", "udp listen", ...). It parses its
own arguments, starts on its node at its time, and reports a `result()` dict (the --json
"result") and human `lines()`. A family of commands is a module of this package that decorates
its classes with `@register_command`; `lanlab.sim.commands` imports the families it lists.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from lanlab.proto.ipv4 import NetworkUnreachable
from lanlab.text import text_encoding
from lanlab.i18n import L_, message_of
from lanlab.units import UnitError, format_duration, parse_duration

from lanlab.sim.devices.host import Host

if TYPE_CHECKING:
    from lanlab.sim.network import Network


class CommandError(ValueError):
    """A --do text that cannot be understood; the message says what is expected."""


def route_or_unreachable(host: Host, dst: IPv4Address, call: str) -> None:
    """Look the route to `dst` up as the kernel does at connect() or sendto(): without one the
    command fails as Linux says it, `CALL: Network is unreachable` (ENETUNREACH), and why."""
    try:
        host.destination(dst)
    except NetworkUnreachable as error:
        raise NetworkUnreachable(f"{call}: Network is unreachable ({error})") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandError(L_("{command}: {problem}", command=self.prog, problem=message))


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
            raise argparse.ArgumentTypeError(L_("{text} is not a whole number", text=repr(text))) from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(
                L_("{value} is out of range: give a number {bounds}", value=value, bounds=bounds)
            )
        return value

    return convert


PORT = int_in(1, 65535)


def ipv4(text: str) -> IPv4Address:
    """An argparse type: a dotted IPv4 address."""
    try:
        return IPv4Address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            L_("{text} is not an IPv4 address, like 198.18.0.1", text=repr(text))
        ) from None


def encoding(text: str) -> str:
    """An argparse type: a text encoding (the real CLI's --encoding, with its words; base64 or rot13 refused)."""
    try:
        return text_encoding(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def check_encodable(option: str, texts: list[str], encoding_name: str) -> None:
    """Refuse, when the --do is parsed, a text its --encoding cannot write (the real CLI's words)."""
    for text in texts:
        try:
            text.encode(encoding_name)
        except UnicodeEncodeError:
            raise CommandError(
                L_(
                    "{option} {text} cannot be written in {encoding}; pick another --encoding",
                    option=option,
                    text=repr(text),
                    encoding=encoding_name,
                )
            ) from None


class Command:
    """Base of every --do command (on a node, or about the network: `network_wide`)."""

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


HostCommand = Command  # the name before commands could run on switches and on the network


COMMANDS: dict[str, type[Command]] = {}


def register_command(command: type[Command]) -> type[Command]:
    """Class decorator: make `command.words` available to --do."""
    COMMANDS[command.words] = command
    return command


@dataclass
class Scheduled:
    """A parsed --do: which node, what, when; also the engine target that starts it."""

    node: str | None  # None for a network-wide command
    command_text: str
    at: int
    command: Command
    network: Network
    started: bool = False
    error: str | None = None  # why the command could not run (no route, port in use, ...)

    def fire(self, arg: Any, now: int) -> None:
        self.started = True
        node = self.network.node(self.node) if self.node is not None else None
        if node is not None and self.command.hosts_only and not isinstance(node, Host):
            self.error = (
                f"{self.node} is a {type(node).__name__.lower()}: {self.command.words} runs on hosts and routers"
            )
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
            return [L_("error: {error}", error=self.error)]
        if not self.started:
            return [L_("(not started: --until ended the run first)")]
        return self.command.lines()

    def heading(self) -> str:
        return f"[{format_duration(self.at) if self.at else '0s'}] {self.node or 'net'}$ {self.command_text}"


def parse_do(network: Network, text: str) -> Scheduled:
    """`[at T] NODE WORDS...` -> a Scheduled command (not yet scheduled on the engine)."""
    try:
        argv = shlex.split(text)
    except ValueError as error:
        raise CommandError(L_("{text}: {problem}", text=repr(text), problem=message_of(error))) from None
    at = network.engine.now  # no "at": now
    if len(argv) >= 2 and argv[0] == "at":
        try:
            at = parse_duration(argv[1])
        except UnitError as error:
            raise CommandError(L_("{text}: {problem}", text=repr(text), problem=message_of(error))) from None
        if at < network.engine.now:
            raise CommandError(
                L_(
                    "{text}: {at} is in the past: the network's clock is already at {now} "
                    "(say a later time, or leave out `at`)",
                    text=repr(text),
                    at=argv[1],
                    now=format_duration(network.engine.now),
                )
            )
        argv = argv[2:]
    wide = COMMANDS.get(argv[0]) if argv and argv[0] not in network.nodes else None
    if wide is not None and wide.network_wide:
        try:
            command = wide(argv[1:])
            command.check(network)  # type: ignore[attr-defined]
        except (argparse.ArgumentError, ValueError) as error:
            raise CommandError(L_("{text}: {problem}", text=repr(text), problem=message_of(error))) from None
        return Scheduled(None, " ".join(argv), at, command, network)
    if len(argv) < 2:
        raise CommandError(L_('{text}: expected [at T] NODE COMMAND, like "pc1 ping pc2 -c 3"', text=repr(text)))
    node = argv[0]
    if node not in network.nodes:
        raise CommandError(
            L_(
                "{text}: no node called {node} (nodes: {nodes})",
                text=repr(text),
                node=repr(node),
                nodes=", ".join(network.nodes),
            )
        )
    for length in (2, 1):
        words = " ".join(argv[1 : 1 + length])
        factory = COMMANDS.get(words)
        if factory is not None:
            try:
                command = factory(argv[1 + length :])
            except (argparse.ArgumentError, ValueError) as error:
                raise CommandError(L_("{text}: {problem}", text=repr(text), problem=message_of(error))) from None
            return Scheduled(node, " ".join(argv[1:]), at, command, network)
    raise CommandError(
        L_(
            "{text}: unknown command {word} (known: {known})",
            text=repr(text),
            word=repr(argv[1]),
            known=", ".join(sorted(COMMANDS)),
        )
    )


def schedule(network: Network, text: str) -> Scheduled:
    """Parse a --do text and schedule it on the network's engine."""
    scheduled = parse_do(network, text)
    network.commands.append(scheduled)
    network.engine.schedule(scheduled.at, scheduled)
    return scheduled
