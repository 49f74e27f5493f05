"""`lanlab udp`: listen (and answer), send, broadcast — the note's UDP programs, done properly."""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket

import click
from rich.table import Table
from rich.text import Text

from lanlab.cli.common import (
    BIND_ADDRESS,
    BROADCAST_ADDRESS,
    DURATION,
    ENCODING,
    EXIT_NO_ANSWER,
    EXIT_OK,
    HOST,
    INTERFACE,
    IPV4,
    fail,
    is_ipv4,
    print_json,
    table_console,
)
from lanlab.cli.help import Group
from lanlab.cli.netio import EventPrinter, network_errors
from lanlab.i18n import N_, _, counted, localize, message_of
from lanlab.net import udp as net_udp
from lanlab.net.links import down_interfaces, interface_down, is_up
from lanlab.socket_errors import error_line
from lanlab.text import decode, encode, one_line, preview

# Ports of services that answer whatever comes (RFC 862 echo, 13 daytime, 17 quote, 19 chargen, 37
# time): a datagram from one is an answer, never a question.
ANSWERING_PORTS = frozenset((7, 13, 17, 19, 37))
_LISTEN_FORMATS = {
    "listening": N_("listening on udp {address}:{port}{_joined}"),
    "datagram": "{time}  {from}:{port}  {size} B  {text}{_answer}",
}


@click.group(name="udp", cls=Group)
def udp() -> None:
    """UDP on the real network: listen for datagrams, send one, broadcast and collect replies.

    \b
    Try it on one machine, in two terminals:
      lanlab udp listen --port 7788 --reply "thank YOU!"
      lanlab udp send 127.0.0.1 7788 Hi --wait 1
    """


def _encoded(text: str, encoding: str) -> bytes:
    try:
        return encode(text, encoding)
    except ValueError as error:
        fail(localize(message_of(error)))


@udp.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    metavar="PORT",
    default=net_udp.DEFAULT_PORT,
    show_default=True,
    help="UDP port to listen on (0: any free port).",
)
@click.option(
    "--bind",
    "bind",
    type=BIND_ADDRESS,
    default="0.0.0.0",
    show_default=True,
    metavar="ADDR",
    help="Local address to listen on (with --group: the interface address that joins).",
)
@click.option("--reply", metavar="TEXT", help="Answer every datagram with TEXT.")
@click.option("--echo", is_flag=True, help="Answer every datagram with its own bytes.")
@click.option("--group", metavar="MCAST", help="Join this multicast group (224.0.0.0/4).")
@click.option(
    "--encoding",
    type=ENCODING,
    default="utf-8",
    show_default=True,
    help="How to show (and write --reply) text; undecodable bytes appear as \\xNN.",
)
@click.option("--count", type=click.IntRange(min=1), metavar="N", help="Stop after N datagrams.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per event.")
def listen(
    port: int,
    bind: str,
    reply: str | None,
    echo: bool,
    group: str | None,
    encoding: str,
    count: int | None,
    as_json: bool,
) -> None:
    """Print every datagram that arrives (time, sender, size, text); optionally answer it.

    The text is the datagram's first 200 bytes (and how many more there were), control
    characters escaped, as `tcp serve` logs messages.

    \b
    The note's broadcast sender gets its answers from:
      lanlab udp listen --reply "thank YOU!"
    A multicast listener:
      lanlab udp listen --group 239.1.2.3 --port 5000

    Exit status: 0 when it stops (after --count datagrams, on Ctrl-C or SIGTERM), 2 error (the port
    in use, a bad --group).
    """
    if reply is not None and echo:
        fail(_("--reply and --echo both answer; choose one"))
    if group is None and _is_multicast(bind):  # bound, it hears nothing: the host has not joined the group
        fail(
            _(
                "--bind {bind} is a multicast group, which this host hears only once it joins it: give --group "
                "{bind} (and --bind this host's address on the interface that joins, if it has no default route)"
            ).format(bind=bind)
        )
    if group is not None and not _is_multicast(group):
        fail(_("--group {group} is not a multicast address (224.0.0.0 to 239.255.255.255)").format(group=group))
    if group is not None and not is_ipv4(bind):
        fail(
            _(
                "--bind {bind} is not an IPv4 address: with --group it is this host's address on the "
                "interface that joins (like 198.18.0.2)"
            ).format(bind=bind)
        )
    answer_bytes = _encoded(reply, encoding) if reply is not None else None
    if answer_bytes is not None and len(answer_bytes) > net_udp.MAX_DATAGRAM:  # said now, not at each datagram
        fail(localize(error_line(OSError(errno.EMSGSIZE, "Message too long"), "--reply")))
    events = EventPrinter(_LISTEN_FORMATS, as_json)
    with network_errors(f"udp {group or bind}:{port}"):
        try:
            sock = net_udp.listening_socket(port, bind, group)
        except OSError as error:
            if group is not None and error.errno == errno.ENODEV:
                if ipaddress.IPv4Address(bind) != ipaddress.IPv4Address(0):  # a named interface address: not ours
                    fail(
                        _(
                            "cannot join {group} on {bind}: no interface of this host has that address; --bind "
                            "names this host's address on the interface that joins (`ip addr` lists them)"
                        ).format(group=group, bind=bind)
                    )
                fail(_(_NO_ROUTE_FOR_GROUP).format(group=group))
            raise
    received = 0
    with sock:
        address, real_port = sock.getsockname()[:2]

        def answer(datagram: net_udp.Datagram) -> bytes | None:
            if unanswered(datagram) is not None:
                return None
            return datagram.data if echo else answer_bytes

        def unanswered(datagram: net_udp.Datagram, replied: bytes | OSError | None = None) -> str | None:
            """Why an answering listener lets this one be: it comes from a port that answers (ours:
            another `udp listen --reply` on 7788, say; echo, daytime, chargen...), and answering it
            would start two responders answering each other for ever (CVE-1999-0103's echo loop)."""
            if isinstance(replied, OSError):  # the kernel would not send the answer: said, and the listener goes on
                why = localize(error_line(replied, f"udp {datagram.sender}:{datagram.port}"))
                return _("not answered: {reason}").format(reason=why)
            if (reply is None and not echo) or (datagram.port != real_port and datagram.port not in ANSWERING_PORTS):
                return None
            return _("not answered: it comes from port {port}, where a responder answers").format(port=datagram.port)

        events(
            "listening",
            address=address,
            port=real_port,
            group=group,
            _joined=_(" (joined {group})").format(group=group) if group else "",
        )
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            for datagram, replied in net_udp.receive(sock, count, answer):
                received += 1
                why = unanswered(datagram, replied)
                answered = replied if isinstance(replied, bytes) else None
                events(
                    "datagram",
                    **{"from": datagram.sender},
                    port=datagram.port,
                    size=len(datagram.data),
                    text=preview(datagram.data, encoding),
                    replied=preview(answered, encoding) if answered is not None else None,
                    unanswered=why,
                    _answer=_("  -> answered {size} B").format(size=len(answered))
                    if answered is not None
                    else f"  -> {why}"
                    if why
                    else "",
                )
        except KeyboardInterrupt:
            pass
    if not as_json:
        click.echo(
            counted("received {count} datagram", "received {count} datagrams", received),
            err=True,
        )


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends `listen` like Ctrl-C: cleanly, with the count of datagrams."""
    raise KeyboardInterrupt


def _address_of(host: str) -> str:
    """The dotted address `host` names, as --to takes it: a name (or Python's "<broadcast>", the note's, which
    --to refuses) resolved; the host itself when it cannot be."""
    try:
        return socket.gethostbyname(host)
    except (OSError, UnicodeError):
        return host


def _is_multicast(address: str) -> bool:
    try:
        return ipaddress.IPv4Address(address).is_multicast
    except ValueError:
        return False


# Joining or sending to a group on a host with no route for it: the kernel cannot tell which interface.
_NO_ROUTE_FOR_GROUP = N_(
    "cannot join {group}: no route says which interface to join it on (this host has no default route); "
    "give --bind ADDR, this host's address on that interface, or add a route: "
    "`ip route add 224.0.0.0/4 dev eth0`"
)
_NO_ROUTE_FOR_GROUP_SEND = N_(
    "cannot send to {group}: no route says which interface it leaves by (this host has no default route); "
    "name one with --interface IF or --source ADDR, or add a route: `ip route add 224.0.0.0/4 dev eth0`"
)


def _report(result: net_udp.Exchange, encoding: str, as_json: bool, table: bool) -> int:
    """Print the exchange (a table of responders, or the JSON document); return the exit status."""
    if as_json:
        print_json(
            {
                "sent": result.sent,
                "replies": [
                    {"from": r.sender, "port": r.port, "text": decode(r.data, encoding), "rtt_ms": r.rtt_ms}
                    for r in result.replies
                ],
            }
        )
    elif table and result.replies:
        grid = Table(_("address"), _("port"), _("reply"), title=_("responders"))
        grid.add_column(_("rtt ms"), justify="right")
        for r in result.replies:
            # what a responder sent is shown, never obeyed: no escape sequence, no line of its own, no rich markup
            grid.add_row(r.sender, str(r.port), Text(one_line(decode(r.data, encoding))), f"{r.rtt_ms:.3f}")
        table_console(soft_wrap=True).print(grid)
    if not as_json:
        click.echo(
            counted("sent {sent}, {count} reply", "sent {sent}, {count} replies", len(result.replies), sent=result.sent)
        )
    return EXIT_OK if result.replies else EXIT_NO_ANSWER


@udp.command()
@click.argument("host", type=HOST)
@click.argument("port", type=click.IntRange(1, 65535))
@click.argument("text")
@click.option(
    "--wait", type=DURATION, metavar="S", help="Then print replies until S seconds pass (exit 1 if none came)."
)
@click.option("--interface", type=INTERFACE, help="Send out of this interface (needs root).")
@click.option("--source", type=IPV4, help="Send from this local address (no port).")
@click.option(
    "--encoding", type=ENCODING, default="utf-8", show_default=True, help="How to write TEXT and show replies."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='One JSON document: {"sent": 1, "replies": [{"from", "port", "text", "rtt_ms"}]}.',
)
def send(
    host: str,
    port: int,
    text: str,
    wait: float | None,
    interface: str | None,
    source: str | None,
    encoding: str,
    as_json: bool,
) -> None:
    """Send TEXT in one datagram to HOST PORT (unicast, or multicast by address).

    \b
      lanlab udp send 127.0.0.1 7788 "你好" --wait 1
      lanlab udp send 239.1.2.3 5000 hello --interface eth0

    A group needs a route, or --interface/--source to say where it goes. Ctrl-C or SIGTERM ends
    --wait early, with the replies so far.

    Exit status: 0 sent (with --wait: a reply came), 1 with --wait when no reply came, 2 error.
    """
    if interface is not None and source is not None:
        fail(_("--interface and --source both choose where to send from; give one"))
    payload = _encoded(text, encoding)

    def show(reply: net_udp.UdpReply) -> None:
        if not as_json:
            click.echo(
                _("reply from {address}:{port} in {rtt:.3f} ms: {text}").format(
                    address=reply.sender, port=reply.port, rtt=reply.rtt_ms, text=one_line(decode(reply.data, encoding))
                )
            )

    signal.signal(signal.SIGTERM, _interrupt)  # as Ctrl-C: the replies so far, then the exit status
    with (
        network_errors(f"udp {host}:{port}"),
        net_udp.sending_socket(interface=interface, source=source) as sock,
    ):
        try:
            result = net_udp.exchange(sock, (host, port), payload, wait=wait or 0.0, on_reply=show)
        except OSError as error:
            limited = error.errno == errno.ENETUNREACH and _address_of(host) == net_udp.LIMITED_BROADCAST
            if (error.errno == errno.EACCES and not _is_multicast(host)) or limited:
                fail(
                    _("{host} is a broadcast address: send to it with `lanlab udp broadcast --to {address}`").format(
                        host=host, address=_address_of(host)
                    )
                )
            if error.errno in (errno.ENETUNREACH, errno.ENODEV) and _is_multicast(host):
                fail(_(_NO_ROUTE_FOR_GROUP_SEND).format(group=host))
            raise
    status = _report(result, encoding, as_json, table=False)
    raise SystemExit(status if wait else EXIT_OK)


# Why Linux refuses 255.255.255.255 and what to do about it, in one line.
_NO_ROUTE_FOR_BROADCAST = N_(
    "cannot broadcast to {to}: Network is unreachable — this host has no default route, so the "
    "kernel does not know which interface to use; name one with --interface IF (e.g. eth0) or "
    "--source ADDR (one of this host's addresses), or send to the subnet broadcast with "
    "--to (e.g. --to 192.168.1.255)"
)


def _broadcast_unreachable(to: str, interface: str | None) -> str:
    """Why the kernel found no way to `to`: the interface asked for is down, interfaces are down (the default
    route went with them), or there is no default route to pick one."""
    if interface is not None and not is_up(interface):
        return localize(interface_down(interface))
    down = down_interfaces()
    if interface is None and down:
        return _(
            "cannot broadcast to {to}: Network is unreachable — this host has no route for it while these "
            "interfaces are down: {interfaces}; bring one up (`ip link set {first} up`) or name an interface "
            "that is up with --interface IF"
        ).format(to=to, interfaces=", ".join(down), first=down[0])
    return _(_NO_ROUTE_FOR_BROADCAST).format(to=to)


@udp.command()
@click.argument("text", default="Hi")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    metavar="PORT",
    default=net_udp.DEFAULT_PORT,
    show_default=True,
    help="Destination port.",
)
@click.option(
    "--to",
    "to",
    type=BROADCAST_ADDRESS,
    default=net_udp.LIMITED_BROADCAST,
    show_default=True,
    help="Broadcast address: a subnet broadcast such as 192.168.1.255.",
)
@click.option("--interface", type=INTERFACE, help="Send out of this interface (needs root).")
@click.option("--source", type=IPV4, help="Send from this local address (no port).")
@click.option(
    "--wait",
    type=DURATION,
    default=2.0,
    show_default=True,
    metavar="S",
    help="Collect replies this long after the last datagram.",
)
@click.option("--expect", type=click.IntRange(min=1), metavar="N", help="Stop as soon as N replies came.")
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="K",
    help="Send K datagrams. A reply carries nothing to tell which one it answers: its round-trip time "
    "counts from the latest sent before it.",
)
@click.option(
    "--interval", type=DURATION, default=1.0, show_default=True, metavar="S", help="Seconds between datagrams."
)
@click.option(
    "--encoding", type=ENCODING, default="utf-8", show_default=True, help="How to write TEXT and show replies."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='One JSON document: {"sent": K, "replies": [{"from", "port", "text", "rtt_ms"}]}.',
)
def broadcast(
    text: str,
    port: int,
    to: str,
    interface: str | None,
    source: str | None,
    wait: float,
    expect: int | None,
    count: int,
    interval: float,
    encoding: str,
    as_json: bool,
) -> None:
    """Broadcast TEXT (default "Hi") and list who answers, with round-trip times.

    Sends to the limited broadcast 255.255.255.255 unless --to names a subnet broadcast;
    stops after --wait seconds or --expect replies, whichever is first (Ctrl-C or SIGTERM: at
    once, with the replies so far). Exit status 0 when someone answered, 1 when nobody did, 2 on error.

    \b
      lanlab udp broadcast Hi --port 7788 --wait 1
      lanlab udp broadcast --to 192.168.1.255 --expect 3 --json
    """
    if interface is not None and source is not None:
        fail(_("--interface and --source both choose where to send from; give one"))
    payload = _encoded(text, encoding)
    signal.signal(signal.SIGTERM, _interrupt)  # as Ctrl-C: the replies so far, then the exit status
    with (
        network_errors(f"udp {interface or source or to}"),
        net_udp.sending_socket(broadcast=True, interface=interface, source=source) as sock,
    ):
        try:
            result = net_udp.exchange(
                sock, (to, port), payload, count=count, interval=interval, wait=wait, expect=expect
            )
        except OSError as error:
            if error.errno in (errno.ENETUNREACH, errno.ENETDOWN):
                fail(_broadcast_unreachable(to, interface))
            raise
    raise SystemExit(_report(result, encoding, as_json, table=True))
