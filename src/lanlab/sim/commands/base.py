"""`--do "[at T] NODE COMMAND ..."`: host commands in the same words as the real CLI.

Each command is a class registered under its words ("ping", "udp listen", ...). It parses its
own arguments, starts on its node at its time, and reports a `result()` dict (the --json
"result") and human `lines()`. A family of commands is a module of this package that decorates
its classes with `@register_command`; `lanlab.sim.commands` imports the families it lists.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable, Collection
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from lanlab.program_lines import cut_short_line, not_a_host_line, words_text
from lanlab.proto.ipv4 import NetworkUnreachable
from lanlab.text import text_encoding
from lanlab.i18n import (
    LANGUAGES,
    L_,
    N_,
    Deferred,
    N_plural,
    language,
    localize,
    message_of,
    speaking,
    spoken,
    translations_for,
)
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
        raise NetworkUnreachable(
            L_(
                "{call}: Network is unreachable ({why})", call=call, why=message_of(error)
            )  # the kernel's words, then why
        ) from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandError(L_("{command}: {problem}", command=self.prog, problem=message))


def parser(words: str) -> argparse.ArgumentParser:
    return _Parser(prog=words, add_help=False, exit_on_error=False)


# argparse's own messages a --do's words can bring out, as argparse asks gettext for them (its
# module's `_` and `ngettext`, imported from gettext: the process's default domain, which lanlab
# never binds). The same in Python 3.11, 3.12 and 3.13; where 3.12.7/3.13.1 raise ArgumentError
# instead of calling error() (exit_on_error=False), the words are the same. Help texts and the
# mistakes of a parser's own definition are not here: a --do never shows them.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_plural("expected %s argument", "expected %s arguments"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    # 3.13's warnings for an argument declared deprecated=True (no --do command declares one yet)
    N_("option '%(option)s' is deprecated"),
    N_("argument '%(argument_name)s' is deprecated"),
    N_("command '%(parser_name)s' is deprecated"),
)


# argparse asks gettext for its messages through its module-level `_`/`ngettext` (the process's
# default domain, which lanlab never binds). Installed once: English, but in a thread (or task)
# inside i18n.speaking, where they come from lanlab's catalogue in the language spoken (a text the
# catalogue lacks stays argparse's English). Another thread parsing at the same moment (sim serve's
# loop while run.html is written) is never switched.
def _argparse_gettext(message: str) -> str:
    return translations_for(spoken() or "en").gettext(message)


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(spoken() or "en").ngettext(singular, plural, n)


argparse._ = _argparse_gettext  # type: ignore[attr-defined]
argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]


class _InEveryLanguage(Deferred):
    """A message argparse wrote itself (it formats with %, so it cannot be an L_ template): the
    English str, with its text in each language written when it was made, shown by localize()."""

    texts: dict[str, str]

    def __new__(cls, texts: dict[str, str]) -> _InEveryLanguage:
        text = super().__new__(cls, "{english}", {"english": texts["en"]})
        text.texts = texts
        return text

    def __getnewargs__(self) -> tuple[dict[str, str]]:  # type: ignore[override]
        return (self.texts,)

    def localized(self) -> str:
        return self.texts.get(language(), str(self))


def parse_words(make_parser: Callable[[], argparse.ArgumentParser], argv: list[str]) -> argparse.Namespace:
    """`argv` parsed by a fresh parser. A mistake is a CommandError that says it in English (its
    str, for --json and logs) and in every language lanlab speaks (localize): the parse is done
    again `speaking` each, since argparse writes its messages in the language of the moment."""
    try:
        return make_parser().parse_args(argv)
    except (argparse.ArgumentError, CommandError):
        pass
    texts: dict[str, str] = {}
    for word in LANGUAGES:
        with speaking(word):
            words = make_parser()
            try:
                words.parse_args(argv)
            except argparse.ArgumentError as error:
                if error.argument_name is None:  # 3.12.7+/3.13.1+: what 3.11 gave error(), named as error() does
                    texts[word] = localize(L_("{command}: {problem}", command=words.prog, problem=str(error)))
                else:
                    texts[word] = str(error)
            except CommandError as error:
                texts[word] = localize(message_of(error))
            else:  # pragma: no cover  (a parse does not depend on the language)
                raise AssertionError(f"{argv!r} parsed in {word} but not before")
    raise CommandError(_InEveryLanguage(texts))


def duration_s(text: str) -> int:
    """A duration argument: bare numbers are seconds (ping -i 0.2), units allowed (200ms)."""
    try:
        return parse_duration(text)
    except UnitError as error:
        raise argparse.ArgumentTypeError(localize(message_of(error))) from None


def _more_than_zero(text: str, refusal: Any) -> int:
    """A duration_s that must be more than 0; `refusal` says why when it is not."""
    value = duration_s(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(localize(refusal))
    return value


def timeout_s(text: str) -> int:
    """A timeout argument: more than 0 (the real CLI's --timeout refuses 0 in the same words)."""
    return _more_than_zero(text, L_("{value} is no time to wait: give more than 0, like 5s", value=text))


def interval_s(text: str) -> int:
    """A time between two sends: more than 0 (with 0 every one would go at one instant, and the run would
    never leave it)."""
    return _more_than_zero(text, L_("{value}: give a time more than 0 between two sends, like 0.01", value=text))


def is_whole_in(value: Any, low: int, high: int | None = None) -> bool:
    """Whether `value` is an int (not a bool) from `low` to `high` (no upper bound when None)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)


def bounds_text(low: int, high: int | None = None) -> Deferred:
    """The range is_whole_in checks, in words: "from 1 to 255" or "at least 1"."""
    return L_("from {low} to {high}", low=low, high=high) if high is not None else L_("at least {low}", low=low)


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound when None)."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(localize(L_("{text} is not a whole number", text=repr(text)))) from None
        if not is_whole_in(value, low, high):
            raise argparse.ArgumentTypeError(
                localize(
                    L_("{value} is out of range: give a number {bounds}", value=value, bounds=bounds_text(low, high))
                )
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
            localize(L_("{text} is not an IPv4 address, like 198.18.0.1", text=repr(text)))
        ) from None


def encoding(text: str) -> str:
    """An argparse type: a text encoding (the real CLI's --encoding, with its words; base64 or rot13 refused)."""
    try:
        return text_encoding(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(localize(message_of(error))) from None


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
        self.args = parse_words(self.arguments, argv)

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

    def running(self) -> bool:
        """True while the command still has packets to send or answers to wait for: at the run's
        end, --until cut it short. One that lasts as long as the network (a listener, a server
        without a limit) never is."""
        return False


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
            self.error = not_a_host_line(self.node, type(node).__name__.lower(), self.command.words)
            return
        try:
            self.command.start(self.network, node, now)  # type: ignore[arg-type]
        except ValueError as error:  # LocalIpError, PortInUseError, NetworkError: the user's mistake
            self.error = message_of(error)  # an L_ text stays one: English in --json, translated in lines()

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] | None = None
        if self.error is not None:
            result = {"error": self.error}
        elif self.started:
            result = self.command.result()
        return {
            "node": self.node,
            "command": self.command_text,
            "at": self.at / 1e9,
            "result": result,
            "cut_short": self.cut_short(),
        }

    def cut_short(self) -> bool:
        """Whether --until ended the run while the command was still at work (or before it started)."""
        return self.error is None and (not self.started or self.command.running())

    def lines(self) -> list[str]:
        """What the command printed (or why it did not run)."""
        if self.error is not None:
            return [L_("error: {error}", error=self.error)]
        if not self.started:
            return [L_("(not started: --until ended the run first)")]
        if self.command.running():
            return [*self.command.lines(), cut_short_line(format_duration(self.network.engine.now))]
        return self.command.lines()

    def heading(self) -> str:
        return f"[{format_duration(self.at) if self.at else '0s'}] {self.node or 'net'}$ {self.command_text}"


# What shlex.split raises (its ValueError's only words), marked so a --do's mistake reads translated.
SHLEX_SAYS = (N_("No closing quotation"), N_("No escaped character"))


@dataclass(frozen=True)
class DoWords:
    """A --do text read: when (`at`, None without `at T`), where (`node`, None for a network-wide
    command) and the command made from its arguments, which has not started."""

    at: int | None
    at_word: str
    node: str | None
    said: list[str]  # the command's words as sim run prints them
    command: Any


def read_do(text: str, nodes: Collection[str] | None = None) -> DoWords:
    """`[at T] NODE WORDS...` read and its arguments parsed; CommandError says what is wrong. With
    `nodes`, NODE must be one of them; without (a lab file, read before its network is built), any
    word is taken for a node."""
    if not isinstance(text, str):  # shlex would read a number as a stream (AttributeError: 'read')
        raise CommandError(L_("a command is text in --do words, like 'at 1s pc1 ping pc2' (not {text!r})", text=text))
    try:
        argv = shlex.split(text)
    except ValueError as error:  # shlex's own words, in the catalogue (SHLEX_SAYS)
        raise _refused(text, L_(str(error))) from None
    at, at_word = None, ""
    if len(argv) >= 2 and argv[0] == "at":
        try:
            at, at_word = parse_duration(argv[1]), argv[1]
        except UnitError as error:
            raise _refused(text, message_of(error)) from None
        argv = argv[2:]
    wide = COMMANDS.get(argv[0]) if argv and (nodes is None or argv[0] not in nodes) else None
    if wide is not None and wide.network_wide:
        return DoWords(at, at_word, None, argv, _made(wide, argv[1:], text))
    if len(argv) < 2:
        raise CommandError(L_('{text}: expected [at T] NODE COMMAND, like "pc1 ping pc2 -c 3"', text=repr(text)))
    node = argv[0]
    if nodes is not None and node not in nodes:
        raise CommandError(
            L_(
                "{text}: no node called {node} (nodes: {nodes})",
                text=repr(text),
                node=repr(node),
                nodes=", ".join(nodes),
            )
        )
    for length in (2, 1):
        factory = COMMANDS.get(" ".join(argv[1 : 1 + length]))
        if factory is not None:
            return DoWords(at, at_word, node, argv[1:], _made(factory, argv[1 + length :], text))
    raise CommandError(
        L_(
            "{text}: unknown command {word} (known: {known})",
            text=repr(text),
            word=repr(argv[1]),
            known=", ".join(sorted(COMMANDS)),
        )
    )


def _refused(text: str, problem: str) -> CommandError:
    """The --do text's mistake, said after the text."""
    return CommandError(L_("{text}: {problem}", text=repr(text), problem=problem))


def _made(factory: Any, arguments: list[str], text: str) -> Any:
    """The command its factory makes of the arguments; their mistake as the text's CommandError."""
    try:
        return factory(arguments)
    except (argparse.ArgumentError, ValueError) as error:
        raise _refused(text, message_of(error)) from None


def parse_do(network: Network, text: str) -> Scheduled:
    """`[at T] NODE WORDS...` -> a Scheduled command (not yet scheduled on the engine)."""
    words = read_do(text, network.nodes)
    now = network.engine.now
    if words.at is not None and words.at < now:
        raise CommandError(
            L_(
                "{text}: {at} is in the past: the network's clock is already at {now} "
                "(say a later time, or leave out `at`)",
                text=repr(text),
                at=words.at_word,
                now=format_duration(now),
            )
        )
    if words.node is None:
        try:
            words.command.check(network)
        except (argparse.ArgumentError, ValueError) as error:
            raise _refused(text, message_of(error)) from None
    at = now if words.at is None else words.at  # no "at": now
    return Scheduled(words.node, words_text(words.said), at, words.command, network)


def schedule(network: Network, text: str) -> Scheduled:
    """Parse a --do text and schedule it on the network's engine."""
    scheduled = parse_do(network, text)
    network.commands.append(scheduled)
    network.engine.schedule(scheduled.at, scheduled)
    return scheduled
