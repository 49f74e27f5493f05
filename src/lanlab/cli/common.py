"""What every command shares: exit codes, one-line errors, JSON output, option types."""

from __future__ import annotations

import errno
import os
import signal
import threading

import codecs
import ipaddress
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from lanlab.i18n import N_, _, localize, message_of
from lanlab.os_reasons import reason_of
from lanlab.text import json_safe, text_encoding
from lanlab.units import UnitError, parse_duration

# ping's convention, kept by every command: 0 answered, 1 nothing answered, 2 error.
EXIT_OK = 0
EXIT_NO_ANSWER = 1
EXIT_ERROR = 2
OUTPUT_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}  # what a write to a full or gone device says
EXIT_INTERRUPTED = 130  # the shell's 128 + SIGINT


def say_output_failed(error: OSError) -> int:
    """Our output could not be written (a full disk, /dev/full, a terminal gone): one line on stderr, standard
    output swapped for /dev/null so nothing more is tried there (Python's flush at exit would raise again);
    the exit status to end with."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - standard output for the rest of the process
    click.echo(_("lanlab: cannot write the output: {reason}").format(reason=localize(reason_of(error))), err=True)
    return EXIT_ERROR


class LanlabError(click.ClickException):
    """A one-line error for the user (no traceback), exit status 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"lanlab: {self.format_message()}", err=True)


class NoAnswer(LanlabError):
    """A one-line error that means nobody answered (a refused or unanswered connection): exit status 1."""

    exit_code = EXIT_NO_ANSWER


def fail(message: str) -> NoReturn:
    """Stop the command with a one-line error and exit status 2."""
    raise LanlabError(message)


def fail_with_problems(problems: list[str]) -> NoReturn:
    """Stop with a file's mistakes, one FILE:LINE: line each as a compiler writes them, and exit status 2."""
    for problem in problems:
        click.echo(localize(problem), err=True)
    sys.exit(2)


def print_json(document: Any) -> None:
    """Write one JSON document (or one JSON line) to stdout; text a peer sent cannot act on
    the terminal (controls, bidi overrides are \\u escapes, the value unchanged). Started with standard output
    closed (`>&-`) the document goes nowhere, as click.echo's lines and print() do then, and the exit status stays."""
    if sys.stdout is None:
        return
    # an output that is not UTF (ASCII) gets \u escapes for what is not ASCII: the same JSON, nothing it cannot hold
    unicode = codecs.lookup(sys.stdout.encoding or "utf-8").name.startswith("utf")
    sys.stdout.write(json_safe(json.dumps(document, ensure_ascii=not unicode, default=str)) + "\n")
    sys.stdout.flush()


def hold_standard_streams() -> None:
    """Give standard input, output or error closed at start (`<&-`, `>&-`, `2>&-`) /dev/null: else the first socket
    opened takes descriptor 0, 1 or 2, and uvloop aborts the process when it closes it (status 134)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor: this one, as 0..fd-1 are open
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


class EncodingType(click.ParamType):
    """A text encoding Python knows (utf-8, gb2312, latin-1, ...); not a bytes codec (base64)."""

    name = "ENCODING"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        try:
            return text_encoding(value)
        except ValueError as error:
            self.fail(localize(message_of(error)), param, ctx)


class DurationType(click.ParamType):
    """A duration with a unit ("2s", "200ms") or bare seconds; converted to seconds (float)."""

    name = "DURATION"

    def __init__(self, positive: bool = False) -> None:
        self.positive = positive  # a timeout: 0 would give up before anything could answer

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, float):
            seconds = value
        else:
            try:
                seconds = parse_duration(value) / 1e9
            except UnitError as error:
                self.fail(localize(message_of(error)), param, ctx)
        if self.positive and seconds <= 0:
            self.fail(_("{value} is no time to wait: give more than 0, like 5s").format(value=value), param, ctx)
        return seconds


# The longest wait a plain number of seconds may ask for: iputils' ceiling for ping's -i, -W and -w (a
# signed 32-bit count of milliseconds); past it a nanosecond clock and the kernel's timers overflow.
MAX_SECONDS = 2_147_483


class SecondsRange(click.FloatRange):
    """Seconds as a plain number, in a range and finite: NaN passes every comparison a FloatRange makes,
    and inf or 1e300 overflow the nanosecond count the wait becomes."""

    def __init__(self, min: float, min_open: bool = False) -> None:
        super().__init__(min=min, max=MAX_SECONDS, min_open=min_open)

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:
            self.fail(_("{value} is not a number of seconds; give one like 1 or 0.5").format(value=value), param, ctx)
        return seconds


class NonEmptyType(click.ParamType):
    """Text that must not be empty: "" reads as 0.0.0.0 (this host) to the socket API, and an
    empty interface as "no interface given"."""

    def __init__(self, name: str, what: str, hint: str) -> None:
        self.name = name
        self.what = what
        self.hint = hint

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        if not str(value).strip():
            self.fail(_("the {what} is empty; give {hint}").format(what=_(self.what), hint=_(self.hint)), param, ctx)
        return str(value).strip()


class Ipv4Type(click.ParamType):
    """A dotted IPv4 address, nothing else: "" is 0.0.0.0 to the socket API and
    "127.0.0.1:5" would be looked up as a host name."""

    name = "ADDR"

    def __init__(self, example: str, broadcast: bool = False) -> None:
        self.example = example
        self.broadcast = broadcast  # a broadcast address: Python's "<broadcast>" is named for what it is

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip()
        if not text:
            self.fail(_("the address is empty; give one like {example}").format(example=self.example), param, ctx)
        if self.broadcast and text == "<broadcast>":  # the note's sendto(('<broadcast>', 7788)) copied
            self.fail(
                _("'<broadcast>' is Python's name for 255.255.255.255, the limited broadcast: give that address"),
                param,
                ctx,
            )
        try:
            return str(ipaddress.IPv4Address(text))
        except ValueError:
            address, colon, port = text.rpartition(":")
            if colon and port.isdigit() and address and ":" not in address:  # a name has no colon (IPv6's many)
                self.fail(
                    _("{text!r} has a port; give the address alone ({address})").format(text=text, address=address),
                    param,
                    ctx,
                )
            self.fail(
                _("{text!r} is not an IPv4 address like {example}").format(text=text, example=self.example), param, ctx
            )


class BindAddressType(click.ParamType):
    """A local address to listen on: an IPv4 address or a name of this host, the spaces around it taken off (" 1.2.3.4"
    was looked up as a name, and "cannot resolve 1.2.3.4" blamed the address); "" is 0.0.0.0, every address, as the
    socket API reads it; ADDR:PORT is refused, the port has its own option."""

    name = "ADDR"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip()
        if not text:
            return "0.0.0.0"
        address, colon, port = text.rpartition(":")
        if colon and port.isdigit() and address and ":" not in address:  # a name has no colon (IPv6's many)
            self.fail(
                _("{text!r} has a port; give the address alone ({address}) and the port with --port").format(
                    text=text, address=address
                ),
                param,
                ctx,
            )
        return text


def is_ipv4(text: str) -> bool:
    """Whether `text` is a dotted-quad IPv4 address."""
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


ENCODING = EncodingType()
IPV4 = Ipv4Type("198.18.0.2")
BROADCAST_ADDRESS = Ipv4Type("198.18.0.255", broadcast=True)
DURATION = DurationType()
TIMEOUT = DurationType(positive=True)
BIND_ADDRESS = BindAddressType()
HOST = NonEmptyType("HOST", N_("host"), N_("a name or an address like 198.18.0.2"))
INTERFACE = NonEmptyType("IF", N_("interface"), N_("its name, like eth0 (`ip link` lists them)"))


MIN_CONSOLE_WIDTH = 60  # columns a table is laid out in at least: COLUMNS=10 squeezed every cell to nothing


def table_console(**options: Any) -> Any:
    """A rich Console for tables and stories, never narrower than MIN_CONSOLE_WIDTH: on a narrower terminal
    its lines wrap rather than lose their words."""
    from rich.console import Console

    made = Console(**options)
    return made if made.width >= MIN_CONSOLE_WIDTH else Console(width=MIN_CONSOLE_WIDTH, **options)


EXIT_TERMINATED = 128 + signal.SIGTERM  # the shell's status for a process ended by SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while the runs went on (`kill PID`, a batch system's time limit). A KeyboardInterrupt,
    so that no run takes it for its own failure and asyncio lets it out of a task as it lets Ctrl-C (any
    other BaseException a task raises stays in the task, and the loop went on serving); callers that
    tell the two apart (exit 143, not 130) catch Terminated first."""


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM while the runs go on ends them as Ctrl-C does: the rows done are kept and written, and
    the workers stopped (its default action ended the process there, the rows and the summary lost).
    Only the first SIGTERM raises: later ones, until the block ends, do nothing, so that a supervisor
    that kills twice does not cut short the cleanup the first began (a handler, not SIG_IGN, which a
    child started meanwhile would inherit). A process forked in here (a batch's walled child) keeps
    SIGTERM's default action."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        if os.getpid() != owner:  # a forked child: end as SIGTERM ends a process
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        if not stopping:
            stopping = True
            raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
