"""What every command shares: exit codes, one-line errors, JSON output, option types."""

from __future__ import annotations

import codecs
import json
import sys
from typing import Any, NoReturn

import click

from lanlab.units import UnitError, parse_duration

# ping's convention, kept by every command: 0 answered, 1 nothing answered, 2 error.
EXIT_OK = 0
EXIT_NO_ANSWER = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's 128 + SIGINT


class LanlabError(click.ClickException):
    """A one-line error for the user (no traceback), exit status 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"lanlab: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    """Stop the command with a one-line error and exit status 2."""
    raise LanlabError(message)


def print_json(document: Any) -> None:
    """Write one JSON document (or one JSON line) to stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


class EncodingType(click.ParamType):
    """A text encoding Python knows (utf-8, gb2312, latin-1, ...)."""

    name = "ENCODING"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        try:
            return codecs.lookup(value).name
        except LookupError:
            self.fail(f"unknown encoding {value!r} (try utf-8, gb2312, gbk, latin-1)", param, ctx)


class DurationType(click.ParamType):
    """A duration with a unit ("2s", "200ms") or bare seconds; converted to seconds (float)."""

    name = "DURATION"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_duration(value) / 1e9
        except UnitError as error:
            self.fail(str(error), param, ctx)


class NonEmptyType(click.ParamType):
    """Text that must not be empty: "" reads as 0.0.0.0 (this host) to the socket API, and an
    empty interface as "no interface given"."""

    def __init__(self, name: str, what: str, hint: str) -> None:
        self.name = name
        self.what = what
        self.hint = hint

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        if not str(value).strip():
            self.fail(f"the {self.what} is empty; give {self.hint}", param, ctx)
        return str(value).strip()


ENCODING = EncodingType()
DURATION = DurationType()
HOST = NonEmptyType("HOST", "host", "a name or an address like 198.18.0.2")
INTERFACE = NonEmptyType("IF", "interface", "its name, like eth0 (`ip link` lists them)")
