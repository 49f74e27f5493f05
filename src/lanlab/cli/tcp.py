"""`lanlab tcp`: a concurrent server (reply, echo, chat) and a full-duplex client."""

from __future__ import annotations

import asyncio
import ipaddress
import locale
import resource
import signal
import sys

import click

from lanlab.cli.common import BIND_ADDRESS, DURATION, ENCODING, HOST, TIMEOUT, fail, hold_standard_streams
from lanlab.cli.help import Group
from lanlab.cli.netio import Counted, EventPrinter, network_errors
from lanlab.socket_errors import not_one_host
from lanlab.i18n import N_, N_plural, _, localize, message_of
from lanlab.net import aio
from lanlab.net.tcp_client import talk
from lanlab.net.tcp_server import DEFAULT_REPLY, MAX_LINE, MODES, ServerSettings, TcpServer
from lanlab.text import EncodingError, encode

_SERVE_FORMATS: dict[str, str | Counted] = {
    "listening": N_("listening on tcp {address}:{port} (mode {mode}); Ctrl-C to stop"),
    "connect": N_("{time}  + {client}  ({clients} connected)"),
    "disconnect": N_("{time}  - {client}  {reason} ({clients} connected)"),
    "message": "{time}  {client}  {bytes} B  {text}",
    "not_shown": N_("{time}  ... {count} more messages not shown (the log shows {limit} a second)"),
    "refused": N_("{time}  x {client}  refused: {reason}"),
    "error": "{time}  ! {message}",
    "shutdown": Counted(
        *N_plural("served {served} client ({refused} refused)", "served {served} clients ({refused} refused)"),
        "served",
    ),
}


@click.group(name="tcp", cls=Group)
def tcp() -> None:
    """TCP on the real network: a concurrent server and a full-duplex client.

    \b
    The note's exchange, in two terminals:
      lanlab tcp serve --port 7788 --reply "thank YOU!"
      lanlab tcp connect 127.0.0.1 7788 --send 你好
    """


def _raise_descriptor_limit() -> None:
    """Use every file descriptor the hard limit allows: one per client."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _serve_until_signal(settings: ServerSettings, events: EventPrinter) -> None:
    server = TcpServer(settings, events)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        server.close()


@tcp.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    metavar="PORT",
    default=7788,
    show_default=True,
    help="TCP port to listen on (0: any free port, shown in the first line).",
)
@click.option(
    "--bind",
    type=BIND_ADDRESS,
    default="0.0.0.0",
    show_default=True,
    metavar="ADDR",
    help="Local address to listen on.",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="reply",
    show_default=True,
    help="reply: answer each message with --reply; echo: send bytes back; chat: relay each line to every other client.",
)
@click.option("--reply", default=DEFAULT_REPLY, show_default=True, metavar="TEXT", help="The answer in reply mode.")
@click.option(
    "--encoding",
    type=ENCODING,
    default="utf-8",
    show_default=True,
    help="How messages are shown (and --reply written); lines end with its newline (UTF-16: 0a 00).",
)
@click.option(
    "--max-clients", type=click.IntRange(min=1), metavar="N", help="Refuse (politely, in one line) clients beyond N."
)
@click.option(
    "--idle-timeout", type=TIMEOUT, metavar="S", help="Close clients silent for S seconds (telling them why)."
)
@click.option(
    "--max-line",
    type=click.IntRange(min=1),
    default=MAX_LINE,
    show_default=True,
    metavar="BYTES",
    help="Chat: the longest line; a client exceeding it is closed.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per event.")
def serve(
    port: int,
    bind: str,
    mode: str,
    reply: str,
    encoding: str,
    max_clients: int | None,
    idle_timeout: float | None,
    max_line: int,
    as_json: bool,
) -> None:
    """Serve many clients at once; log connects, disconnects and messages.

    \b
    The note's server, concurrent (each message gets "thank YOU!"):
      lanlab tcp serve
    An echo server, and a chat room on port 9000 that drops clients idle for 5 minutes:
      lanlab tcp serve --mode echo
      lanlab tcp serve --mode chat --port 9000 --idle-timeout 5min
    SIGINT (Ctrl-C) or SIGTERM stops it and says how many clients were served.

    Exit status: 0 when SIGINT or SIGTERM stopped it, 2 error (the port in use, --reply that
    --encoding cannot write).
    """
    if _many_hosts(bind):  # the kernel binds it, and no connection can ever come: TCP has one host at each end
        fail(
            _(
                "--bind {bind} is a multicast or broadcast address, where no TCP connection can come: a server "
                "listens on one of this host's addresses, or 0.0.0.0 for all; UDP hears groups and broadcasts "
                "(`lanlab udp listen`)"
            ).format(bind=bind)
        )
    try:
        reply_bytes = encode(reply, encoding)
    except ValueError as error:
        fail(localize(message_of(error)))
    settings = ServerSettings(bind, port, mode, reply_bytes, encoding, max_clients, idle_timeout, max_line)
    _raise_descriptor_limit()
    hold_standard_streams()
    with network_errors(f"tcp {bind}:{port}"):
        aio.run(_serve_until_signal(settings, EventPrinter(_SERVE_FORMATS, as_json)))


def _many_hosts(address: str) -> bool:
    """Whether `address` is a multicast or the limited broadcast address (a name or another address: False)."""
    try:
        parsed = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return parsed.is_multicast or int(parsed) == 0xFFFFFFFF


def _check_one_host(host: str) -> None:
    """TCP talks to one host: a multicast or the limited broadcast address is refused before connecting."""
    problem = not_one_host(host, "`lanlab udp send` or `lanlab udp broadcast`")
    if problem is not None:
        fail(localize(problem))


class _Output:
    """Writes received text as it comes; remembers whether the last write ended a line."""

    def __init__(self) -> None:
        self.at_line_start = True

    def __call__(self, text: str) -> None:
        if text and sys.stdout is not None:  # None: started with standard output closed (>&-)
            sys.stdout.write(text)
            sys.stdout.flush()
            self.at_line_start = text.endswith("\n")


@tcp.command()
@click.argument("host", type=HOST)
@click.argument("port", type=click.IntRange(1, 65535))
@click.option(
    "--encoding",
    type=ENCODING,
    default="utf-8",
    show_default=True,
    help="How to write what you send and show what arrives (the note uses gb2312).",
)
@click.option(
    "--send", "sends", multiple=True, metavar="TEXT", help="Send TEXT as a line (repeatable) instead of reading stdin."
)
@click.option(
    "--wait",
    type=DURATION,
    metavar="S",
    help="After the input ends, listen S seconds more, then close "
    "(default: half-close and wait for the peer to close).",
)
@click.option(
    "--timeout", type=TIMEOUT, default=10.0, show_default=True, metavar="S", help="Give up connecting after S seconds."
)
def connect(host: str, port: int, encoding: str, sends: tuple[str, ...], wait: float | None, timeout: float) -> None:
    """Talk to HOST PORT, full duplex: what arrives is printed while you type.

    Sends each --send TEXT, or each line of stdin (typed, or piped so it scripts): text in
    the terminal's encoding is written in --encoding, bytes already in --encoding (a gb2312
    file piped in) go out as they are. Exits when the peer closes.

    \b
      lanlab tcp connect 127.0.0.1 7788 --send 你好 --encoding gb2312
      printf 'hello\\nworld\\n' | lanlab tcp connect 127.0.0.1 7788

    Exit status: 0 once the peer closed (or --wait ran out); 1 when nobody took the connection
    (refused, timed out, host unreachable); 2 other errors (a reset, no route, text --encoding
    cannot write).
    """
    for text in sends:
        try:
            encode(text, encoding)
        except ValueError as error:
            fail(localize(message_of(error)))
    _check_one_host(host)
    output = _Output()
    hold_standard_streams()
    typed = getattr(sys.stdin, "encoding", None) or locale.getpreferredencoding(False)
    with network_errors(f"tcp {host}:{port}", connecting=True):
        try:
            aio.run(
                talk(
                    host,
                    port,
                    sends=sends,
                    stdin=None if sends or sys.stdin is None else sys.stdin.buffer,  # None: closed (<&-), no input
                    stdin_encoding=typed,
                    encoding=encoding,
                    wait=wait,
                    timeout=timeout,
                    show=output,
                )
            )
        except EncodingError as error:  # a line of input --encoding cannot write: as --send's
            if not output.at_line_start:
                click.echo()
            fail(localize(message_of(error)))
    if not output.at_line_start:
        click.echo()
