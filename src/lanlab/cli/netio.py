"""What the real-network commands share: event lines (people or JSON) and OSError -> one line."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import NamedTuple

import click

from lanlab.cli.common import OUTPUT_FULL, NoAnswer, fail, print_json
from lanlab.i18n import Deferred, _, localize, ngettext
from lanlab.socket_errors import error_line
from lanlab.text import one_line


class Counted(NamedTuple):
    """A line whose words follow a count: its singular and plural (N_plural) and the field that counts."""

    singular: str
    plural: str
    field: str


class EventPrinter:
    """Prints events as lines for people (one format per event) or as JSON lines."""

    def __init__(self, formats: Mapping[str, str | Counted], as_json: bool = False) -> None:
        self.formats = formats
        self.as_json = as_json
        self.closed = False

    def __call__(self, event: str, **fields: object) -> None:
        if self.closed:
            return
        now = datetime.now().astimezone()
        try:
            if self.as_json:  # fields named _x only dress the text line (" (joined 239.1.2.3)")
                print_json(
                    {
                        "event": event,
                        "time": now.isoformat(timespec="milliseconds"),
                        **{key: value for key, value in fields.items() if not key.startswith("_")},
                    }
                )
            else:
                shown = {
                    key: one_line(localize(value))
                    if isinstance(value, Deferred)
                    else one_line(value)
                    if isinstance(value, str)
                    else value
                    for key, value in fields.items()
                }  # an L_ value (a reason) shown translated
                template = self.formats[event]
                if isinstance(template, Counted):
                    count = fields[template.field]
                    assert isinstance(count, int)  # the counting field of a Counted line is a number
                    text = ngettext(template.singular, template.plural, count)
                else:
                    text = _(template)
                click.echo(text.format(time=now.strftime("%H:%M:%S.%f")[:-3], **shown))
        except BrokenPipeError:
            self._reader_gone()

    def _reader_gone(self) -> None:
        """Whoever read the log went away (`| head`): keep serving, stop logging, say so once."""
        self.closed = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit-time flush does not fail either
        os.close(devnull)
        click.echo(_("lanlab: the log's reader closed the pipe; going on without a log"), err=True)


# getaddrinfo's "Address family for hostname not supported": an IPv6 address, or a name with only IPv6 ones
_NOT_IPV4 = {getattr(socket, name) for name in ("EAI_ADDRFAMILY", "EAI_FAMILY") if hasattr(socket, name)}


@contextlib.contextmanager
def network_errors(target: str, connecting: bool = False) -> Iterator[None]:
    """Turn socket errors raised inside the block into one-line errors: exit status 2, or when `connecting`
    1 for a peer that did not take the connection (refused, silent, no ARP answer: "no answer", as
    `sim run --do "tcp connect"` counts them; no route of our own stays 2, as in iputils ping)."""
    try:
        yield
    except socket.gaierror as error:
        host = _host_of(target)
        if error.errno in _NOT_IPV4:
            fail(
                _("{host} has no IPv4 address: lanlab speaks IPv4 (give an address like 198.18.0.2)").format(host=host)
            )
        fail(_("cannot resolve {host}: {reason}").format(host=host, reason=error.strerror))
    except OSError as error:
        if error.errno in OUTPUT_FULL:
            raise  # writing our own output failed, not the network: the entry point says so (cannot write the output)
        no_answer = isinstance(error, (ConnectionRefusedError, TimeoutError)) or error.errno == errno.EHOSTUNREACH
        line = localize(error_line(error, target, connecting))
        if connecting and error.errno == errno.ENETUNREACH and _routed(_host_of(target)):
            # this host has a route: the "network unreachable" is a router's ICMP answer, a refusal on the way
            no_answer = True
            line = _(
                '{target}: a router on the way answered "network unreachable": it has no route onward (this host\'s '
                "route is there: `ip route get {host}` names the router)"
            ).format(target=target, host=_host_of(target))
        if connecting and no_answer:
            raise NoAnswer(line) from None
        fail(line)


def _host_of(target: str) -> str:
    """The host of a target "tcp HOST:PORT"."""
    return target.split()[-1].rsplit(":", 1)[0]


def _routed(host: str) -> bool:
    """Whether this host has a route to `host` (a UDP socket's connect finds one, sending nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((host, 9))
    except (OSError, UnicodeError):
        return False
    return True
