"""`lanlab ping`: ICMP echo with iputils ping's flags, output, statistics and exit codes."""

from __future__ import annotations

import socket

import click

from lanlab.cli.common import EXIT_NO_ANSWER, EXIT_OK, HOST, INTERFACE, SecondsRange, fail, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, as_the_tool_prints, localize, message_of
from lanlab.net.ping import (
    EchoSocket,
    Event,
    IcmpErrorReport,
    PingOptions,
    PingPermissionError,
    PingStatistics,
    ping,
    resolve,
)


def format_rtt(rtt_ns: int) -> str:
    """iputils' precision: 0.045, 1.23, 12.3, 123 (ms)."""
    ms = rtt_ns / 1e6
    if ms >= 99.95:
        return f"{ms:.0f}"
    if ms >= 9.995:
        return f"{ms:.1f}"
    if ms >= 0.9995:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def event_line(event: Event) -> str:
    """One line per reply or error, as iputils prints it."""
    if isinstance(event, IcmpErrorReport):
        return f"From {event.source} icmp_seq={event.seq} {event.text}"
    ttl = f" ttl={event.ttl}" if event.ttl is not None else ""
    dup = " (DUP!)" if event.duplicate else ""
    return f"{event.size} bytes from {event.source}: icmp_seq={event.seq}{ttl} time={format_rtt(event.rtt_ns)} ms{dup}"


def summary_lines(host: str, stats: PingStatistics) -> list[str]:
    """The statistics block printed at the end."""
    parts = [f"{stats.transmitted} packets transmitted", f"{stats.received} received"]
    if stats.duplicates:
        parts.append(f"+{stats.duplicates} duplicates")
    if stats.errors:
        parts.append(f"+{stats.errors} errors")
    parts.append(f"{stats.loss_percent:g}% packet loss")
    parts.append(f"time {round(stats.elapsed_ns / 1e6)}ms")
    lines = ["", f"--- {host} ping statistics ---", ", ".join(parts)]
    rtt = stats.rtt_summary_ms()
    if rtt is not None:
        lines.append("rtt min/avg/max/mdev = {:.3f}/{:.3f}/{:.3f}/{:.3f} ms".format(*rtt))
    return lines


def _event_document(event: Event) -> dict[str, object]:
    if isinstance(event, IcmpErrorReport):
        return {"seq": event.seq, "from": event.source, "error": event.text}
    return {
        "seq": event.seq,
        "from": event.source,
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
@click.option("--json", "as_json", is_flag=True, help="One JSON document at the end instead of the text.")
def ping_command(
    host: str,
    count: int | None,
    interval: float,
    timeout: float,
    deadline: float | None,
    size: int,
    ttl: int | None,
    interface: str | None,
    as_json: bool,
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
    """
    try:
        address = resolve(host)
    except (socket.gaierror, UnicodeError):
        fail(_("cannot resolve {host!r}: not an IPv4 address or a known host name").format(host=host))
    options = PingOptions(
        count=count, interval=interval, timeout=timeout, deadline=deadline, size=size, ttl=ttl, interface=interface
    )
    events: list[Event] = []

    def show(event: Event) -> None:
        events.append(event)
        if not as_json:
            click.echo(event_line(event))

    try:
        sock = EchoSocket(address, options)
    except PingPermissionError as error:
        fail(localize(message_of(error)))  # an L_ text from lanlab.net, shown in the user's language
    except OSError as error:
        reason = error.strerror or str(error)
        fail(
            _("cannot ping {host}: {reason} (is {interface!r} an interface or an address here?)").format(
                host=host, reason=reason, interface=interface
            )
            if interface
            else _("cannot ping {host}: {reason}").format(host=host, reason=reason)
        )
    if not as_json:
        click.echo(as_the_tool_prints(f"PING {host} ({address}) {size}({size + 28}) bytes of data."))
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
                "rtt_ms": dict(zip(("min", "avg", "max", "mdev"), (round(v, 3) for v in rtt))) if rtt else None,
                "replies": [_event_document(event) for event in events],
            }
        )
    else:
        click.echo("\n".join(summary_lines(host, stats)))
    answered = stats.received > 0 and not (count is not None and deadline is not None and stats.received < count)
    raise SystemExit(EXIT_OK if answered else EXIT_NO_ANSWER)
