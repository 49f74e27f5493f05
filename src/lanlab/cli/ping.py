"""`lanlab ping`: ICMP echo with iputils ping's flags, output, statistics and exit codes."""

from __future__ import annotations

import dataclasses
import functools
import socket
from ipaddress import IPv4Address

import click

from lanlab import ping_lines
from lanlab.cli.common import EXIT_NO_ANSWER, EXIT_OK, HOST, INTERFACE, SecondsRange, fail, is_ipv4, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, as_the_tool_prints, localize, message_of
from lanlab.ping_lines import error_line, header_line, reply_line, timed, too_long_line
from lanlab.proto.fragments import PING_PMTU_WORDS
from lanlab.net.links import interface_down, is_up
from lanlab.net.ping import (
    BroadcastRefused,
    EchoSocket,
    Event,
    IcmpErrorReport,
    PingOptions,
    PingPermissionError,
    PingStatistics,
    ping,
    resolve,
)


def event_line(event: Event, size: int, marks_duplicates: bool = True) -> str:
    """One line per reply or error, as iputils prints it (no time for a `-s size` too short to time; no (DUP!)
    unless `marks_duplicates`)."""
    if isinstance(event, IcmpErrorReport):
        if event.too_long_for is not None:
            return too_long_line(event.too_long_for)
        return error_line(event.source, event.seq, event.text)
    rtt_ns = event.rtt_ns if timed(size) else None
    return reply_line(event.size, event.source, event.seq, event.ttl, rtt_ns, event.duplicate and marks_duplicates)


def _numeric(host: str) -> bool:
    """Whether iputils reads HOST as an address, not a name (inet_aton: 127.1 and 0 are addresses too)."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


@functools.cache
def reverse_name(address: str) -> str | None:
    """The name iputils shows for an address that answered a ping of a host name (pr_addr's reverse lookup),
    or None when it has none."""
    try:
        return socket.gethostbyaddr(address)[0]
    except (OSError, UnicodeError):
        return None


def summary_lines(host: str, stats: PingStatistics, size: int) -> list[str]:
    """The statistics block printed at the end (no round trips for a `-s size` too short to time)."""
    rtt_ms = stats.rtt_summary_ms() if timed(size) else None
    return ping_lines.summary_lines(
        host, stats.transmitted, stats.received, stats.duplicates, stats.errors, stats.elapsed_ns, rtt_ms, stats.pipe
    )


def _event_document(event: Event, name: str | None) -> dict[str, object]:
    """One reply or error for --json; `name` is who answered as the text names it (None: shown as an address)."""
    if isinstance(event, IcmpErrorReport):
        document: dict[str, object] = {"seq": event.seq, "from": event.source, "name": name, "error": event.text}
        if event.too_long_for is not None:
            document["mtu"] = event.too_long_for  # -M do: refused here, not by the network
        return document
    return {
        "seq": event.seq,
        "from": event.source,
        "name": name,
        "bytes": event.size,
        "ttl": event.ttl,
        "time_ms": round(event.rtt_ns / 1e6, 3),
        "duplicate": event.duplicate,
    }


@click.command("ping", cls=Command)
@click.argument("host", type=HOST)
@click.option(
    "-c", "count", type=click.IntRange(min=1), metavar="COUNT", help="Stop after COUNT replies (or COUNT requests)."
)
@click.option(
    "-i",
    "interval",
    type=SecondsRange(min=0.002),
    metavar="SECONDS",
    default=1.0,
    show_default=True,
    help="Seconds between requests (at least 0.002, iputils' floor for users).",
)
@click.option(
    "-W",
    "timeout",
    type=SecondsRange(min=0, min_open=True),
    metavar="SECONDS",
    default=10.0,
    show_default=True,
    help="Seconds to wait for a reply when none has come.",
)
@click.option(
    "-w",
    "deadline",
    type=SecondsRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop after this many seconds, whatever happens.",
)
@click.option(
    "-s",
    "size",
    type=click.IntRange(0, 65507),
    metavar="BYTES",
    default=56,
    show_default=True,
    help="ICMP data bytes (56 makes 64-byte ICMP packets).",
)
@click.option("-t", "ttl", type=click.IntRange(1, 255), metavar="TTL", help="IP time to live.")
@click.option("-I", "interface", type=INTERFACE, help="Send from this interface name or source address.")
@click.option(
    "-M",
    "pmtudisc",
    type=click.Choice(tuple(PING_PMTU_WORDS)),
    help="Path MTU discovery: do (set DF; a request bigger than the path MTU is refused here), dont (no DF: "
    "routers may fragment), want (the kernel's default: DF when it fits).",
)
@click.option(
    "-b",
    "broadcast",
    is_flag=True,
    help="Allow pinging a broadcast address (Linux hosts do not answer unless net.ipv4.icmp_echo_ignore_broadcasts=0).",
)
@click.option(
    "-n",
    "numeric",
    is_flag=True,
    help="Numbers only: no reverse lookup of the addresses that answer (a HOST given as an address never has one).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document at the end instead of the text.")
# The kernel lab's --until: the run ends then as at Ctrl-C, -c's counting of errors kept (-w would end it at the
# first error, as iputils does, where the simulator's ping goes on).
@click.option("--stop-after", "stop_after", type=SecondsRange(min=0, min_open=True), hidden=True)
def ping_command(
    host: str,
    count: int | None,
    interval: float,
    timeout: float,
    deadline: float | None,
    size: int,
    ttl: int | None,
    interface: str | None,
    pmtudisc: str | None,
    broadcast: bool,
    numeric: bool,
    as_json: bool,
    stop_after: float | None = None,
) -> None:
    """Send ICMP echo requests to HOST and report each reply, then the
    statistics (loss, min/avg/max/mdev) — iputils ping's flags and output.

    Uses an unprivileged ICMP socket when net.ipv4.ping_group_range allows
    it, else a raw socket (root or CAP_NET_RAW).

    Exit status: 0 replies came, 1 no reply (or fewer than -c by -w), 2 error.

    \b
    Examples:
      lanlab ping -c 3 127.0.0.1
      lanlab ping -c 5 -i 0.2 -W 1 198.18.0.2
      lanlab ping -w 2 -s 1400 -t 8 -I eth0 198.18.0.2 --json
      lanlab ping -c 2 -M do -s 1472 198.18.0.2      # the largest that fits a 1500-byte MTU
    """
    try:
        address = resolve(host)
    except (socket.gaierror, UnicodeError):
        fail(_("cannot resolve {host!r}: not an IPv4 address or a known host name").format(host=host))
    options = PingOptions(
        count=count,
        interval=interval,
        timeout=timeout,
        deadline=deadline,
        stop_after=stop_after,
        broadcast=broadcast,
        size=size,
        ttl=ttl,
        interface=interface,
        pmtudisc=None if pmtudisc is None else PING_PMTU_WORDS[pmtudisc],
    )
    events: list[tuple[Event, str | None]] = []  # each with the name who answered is shown by

    def show(event: Event) -> None:
        local = isinstance(event, IcmpErrorReport) and event.too_long_for is not None
        # iputils names who answered a ping of a name (no -n); a local error has no one to name
        name = None if numeric or local or _numeric(host) else reverse_name(event.source)
        events.append((event, name))
        if not as_json:  # iputils writes its local errors on stderr
            shown = dataclasses.replace(event, source=ping_lines.named(event.source, name))
            click.echo(event_line(shown, size, ping_lines.marks_duplicates(sock.broadcast, str(address))), err=local)

    try:
        sock = EchoSocket(address, options)
    except PingPermissionError as error:
        fail(localize(message_of(error)))  # an L_ text from lanlab.net, shown in the user's language
    except BroadcastRefused:
        fail(_("cannot ping {host}: it is a broadcast address; add -b to ping it").format(host=host))
    except OSError as error:
        if interface and not is_up(interface):  # -I eth0 while it is down: "Network is unreachable", as iputils
            fail(localize(interface_down(interface)))
        reason = error.strerror or str(error)
        fail(
            _("cannot ping {host}: {reason} (is {interface!r} an interface or an address here?)").format(
                host=host, reason=reason, interface=interface
            )
            if interface
            else _("cannot ping {host}: {reason}").format(host=host, reason=reason)
        )
    if address.is_unspecified:  # iputils' ping4_run: 0.0.0.0 (or "0") pings the source address the route gave
        address = sock.destination = IPv4Address(sock.source)
    if not as_json:
        if sock.broadcast:
            click.echo(ping_lines.BROADCAST_WARNING, err=True)  # iputils writes it on stderr, first
        source, device = (sock.source, "" if is_ipv4(interface) else interface) if interface else (None, "")
        click.echo(as_the_tool_prints(header_line(host, str(address), size, source, device)))
    stats = ping(sock, options, show)
    if as_json:
        rtt = stats.rtt_summary_ms()
        print_json(
            {
                "host": host,
                "address": str(address),
                "transmitted": stats.transmitted,
                "received": stats.received,
                "duplicates": stats.duplicates,
                "errors": stats.errors,
                "loss_percent": round(stats.loss_percent, 3),
                "time_ms": round(stats.elapsed_ns / 1e6),
                "socket": stats.socket_kind,
                "broadcast": sock.broadcast,
                "pipe": stats.pipe,
                "rtt_ms": dict(zip(("min", "avg", "max", "mdev"), (round(v, 3) for v in rtt))) if rtt else None,
                "replies": [_event_document(event, name) for event, name in events],
            }
        )
    else:
        click.echo("\n".join(summary_lines(host, stats, size)))
    answered = stats.received > 0 and not (count is not None and deadline is not None and stats.received < count)
    raise SystemExit(EXIT_OK if answered else EXIT_NO_ANSWER)
