"""`lanlab arping`: ARP requests to one address (iputils arping), duplicate address detection, subnet scans."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import click

from lanlab import oui
from lanlab.cli.arp import vendor_text
from lanlab.cli.common import EXIT_NO_ANSWER, EXIT_OK, SecondsRange, fail, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, as_the_tool_prints, localize, message_of, ngettext
from lanlab.net.arping import (
    ArpEndpoint,
    ArpingOptions,
    ArpingStatistics,
    ArpReply,
    ArpSocketError,
    ScanResult,
    arping,
    scan,
)

SCAN_LIMIT = 65536  # addresses; a bigger scan is almost surely a typo in the prefix


def _reply_line(reply: ArpReply) -> str:
    kind = "Broadcast" if reply.broadcast else "Unicast"
    return as_the_tool_prints(f"{kind} reply from {reply.ip} [{str(reply.mac).upper()}]  {reply.rtt_ns / 1e6:.3f}ms")


def _parse_ip(text: str, what: str) -> IPv4Address:
    try:
        return IPv4Address(text)
    except ValueError:
        fail(_("{text} is not an IPv4 address ({what})").format(text=repr(text), what=what))


def _open(interface: str) -> ArpEndpoint:
    try:
        return ArpEndpoint(interface)
    except ArpSocketError as error:
        fail(localize(message_of(error)))  # an L_ text from lanlab.net, shown in the user's language


@click.command("arping", cls=Command)
@click.argument("target", required=False)
@click.option("-I", "interface", metavar="IF", required=True, help="The interface to send on (required).")
@click.option(
    "-c",
    "count",
    type=click.IntRange(min=1),
    metavar="COUNT",
    help="Stop after COUNT requests (with -w: COUNT replies).",
)
@click.option(
    "-w",
    "deadline",
    type=SecondsRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop after this many seconds.",
)
@click.option(
    "-i",
    "interval",
    type=SecondsRange(min=0.001),
    metavar="SECONDS",
    default=1.0,
    show_default=True,
    help="Seconds between requests.",
)
@click.option("-D", "dad", is_flag=True, help="Duplicate address detection: exit 0 if nobody has TARGET, 1 if taken.")
@click.option("-f", "quit_on_reply", is_flag=True, help="Stop at the first reply.")
@click.option("-b", "broadcast_only", is_flag=True, help="Keep broadcasting (iputils unicasts once it knows the MAC).")
@click.option("-s", "source", metavar="IP", help="Sender IP of the requests (default: the interface's).")
@click.option("-q", "quiet", is_flag=True, help="Print nothing; only the exit status tells.")
@click.option("--scan", "scan_cidr", metavar="CIDR", help="Ask every address of CIDR and list who answered.")
@click.option(
    "--rate",
    type=click.FloatRange(min=1),
    default=1000,
    metavar="PER_S",
    show_default=True,
    help="Requests per second in --scan.",
)
@click.option(
    "--timeout",
    type=SecondsRange(min=0),
    default=0.5,
    metavar="SECONDS",
    show_default=True,
    help="Seconds each --scan request waits for its answer before a retry.",
)
@click.option(
    "--retry",
    "retries",
    type=click.IntRange(min=0),
    default=1,
    metavar="N",
    show_default=True,
    help="How many more times --scan asks an address that stayed silent.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document at the end.")
def arping_command(
    target: str | None,
    interface: str,
    count: int | None,
    deadline: float | None,
    interval: float,
    dad: bool,
    quit_on_reply: bool,
    broadcast_only: bool,
    source: str | None,
    quiet: bool,
    scan_cidr: str | None,
    rate: float,
    timeout: float,
    retries: int,
    as_json: bool,
) -> None:
    """Send ARP requests for TARGET on interface IF and report who answers,
    with iputils arping's flags, output and exit codes (0 answered, 1 not);
    or, with --scan, ask every address of a subnet and list the hosts that
    answered, their MAC and vendor, flagging addresses answered by two MACs.

    Needs a packet socket: root or CAP_NET_RAW.

    \b
    Examples:
      lanlab arping -I eth0 -c 3 198.18.0.2
      lanlab arping -I eth0 -D -w 1 198.18.0.9   # exit 0: nobody uses it
      lanlab arping -I eth0 --scan 198.18.0.0/24 --rate 2000

    Exit status: 0 an answer came (-D: nobody has TARGET; --scan: some host answered), 1 none
    came (-D: TARGET is taken), 2 error (not root, no such interface).
    """
    if scan_cidr is not None:
        if target is not None:
            fail(_("give either TARGET or --scan CIDR, not both"))
        if dad:  # a scan asks from the interface's own address, so -D would be silently ignored
            fail(
                _(
                    "-D checks one address (lanlab arping -D -I eth0 198.18.0.2); --scan CIDR lists who answers, "
                    "use one or the other"
                )
            )
        _scan(interface, scan_cidr, rate, timeout, retries, as_json)
        return
    if target is None:
        fail(_("name the address to ask for (lanlab arping -I eth0 198.18.0.2) or use --scan CIDR"))
    address = _parse_ip(target, _("the TARGET"))
    options = ArpingOptions(
        count=count,
        deadline=deadline,
        interval=interval,
        dad=dad,
        quit_on_reply=quit_on_reply,
        broadcast_only=broadcast_only,
        source=_parse_ip(source, "-s") if source else None,
    )
    endpoint = _open(interface)
    replies: list[ArpReply] = []
    talk = not quiet and not as_json
    if talk:
        sender = "0.0.0.0" if dad else options.source or endpoint.ip or "0.0.0.0"
        click.echo(as_the_tool_prints(f"ARPING {address} from {sender} {interface}"))

    def show(reply: ArpReply) -> None:
        replies.append(reply)
        if talk:
            click.echo(_reply_line(reply))

    try:
        stats = arping(endpoint, address, options, show)
    except ArpSocketError as error:
        fail(localize(message_of(error)))
    finally:
        endpoint.close()
    answered = stats.received > 0 and not (count is not None and deadline is not None and stats.received < count)
    if as_json:
        print_json(
            {
                "target": str(address),
                "interface": interface,
                "dad": dad,
                "sent": stats.sent,
                "broadcasts": stats.broadcasts,
                "received": stats.received,
                "replies": [
                    {"ip": str(r.ip), "mac": str(r.mac), "rtt_ms": round(r.rtt_ns / 1e6, 3), "broadcast": r.broadcast}
                    for r in replies
                ],
            }
        )
    elif talk:
        click.echo(_summary(stats))
    # iputils: with -D, success (0) means nobody answered, so the address is free.
    if dad:
        raise SystemExit(EXIT_NO_ANSWER if stats.received else EXIT_OK)
    raise SystemExit(EXIT_OK if answered else EXIT_NO_ANSWER)


def _summary(stats: ArpingStatistics) -> str:
    return as_the_tool_prints(
        f"Sent {stats.sent} probes ({stats.broadcasts} broadcast(s))\nReceived {stats.received} response(s)"
    )


def _scan(interface: str, cidr: str, rate: float, timeout: float, retries: int, as_json: bool) -> None:
    try:
        network = IPv4Network(cidr, strict=False)
    except ValueError:
        fail(_("{cidr} is not an IPv4 network; write it like 198.18.0.0/24").format(cidr=repr(cidr)))
    if network.num_addresses > SCAN_LIMIT:
        fail(
            _("{network} has {count} addresses; scan at most {limit} (a /16)").format(
                network=network, count=network.num_addresses, limit=SCAN_LIMIT
            )
        )
    endpoint = _open(interface)
    if not as_json:
        click.echo(
            _("Interface: {interface}, MAC {mac}, IPv4 {ip}").format(
                interface=interface, mac=endpoint.mac, ip=endpoint.ip or _("none")
            )
        )
        click.echo(
            _("Scanning {network} ({count} addresses) at {rate} requests/s").format(
                network=network, count=host_total(network, endpoint.ip), rate=f"{rate:g}"
            )
        )

    def show(reply: ArpReply) -> None:
        if not as_json:
            click.echo(f"{str(reply.ip):<16}{str(reply.mac):<19}{vendor_text(reply.mac)}")

    try:
        result = scan(endpoint, network, rate, timeout, retries, show)
    except ArpSocketError as error:
        fail(localize(message_of(error)))
    finally:
        endpoint.close()
    if as_json:
        print_json(_scan_document(interface, result))
    else:
        _print_scan_summary(result)
    raise SystemExit(EXIT_OK if result.answers else EXIT_NO_ANSWER)


def host_total(network: IPv4Network, own: IPv4Address | None) -> int:
    return sum(1 for ip in network.hosts() if ip != own)


def _print_scan_summary(result: ScanResult) -> None:
    duplicates = result.duplicates
    for ip, macs in duplicates.items():
        click.echo(
            _("DUPLICATE {ip} answered from {count} MACs: {macs}").format(
                ip=ip, count=len(macs), macs=", ".join(str(m) for m in macs)
            )
        )
    hosts = len({reply.ip for reply in result.answers})
    click.echo(
        "\n"
        + ngettext("{hosts} host answered", "{hosts} hosts answered", hosts).format(hosts=hosts)
        + _(", {duplicates} duplicate address(es); {requests} requests in {seconds} s").format(
            duplicates=len(duplicates), requests=result.requests, seconds=f"{result.elapsed_ns / 1e9:.3f}"
        )
    )


def _scan_document(interface: str, result: ScanResult) -> dict[str, object]:
    duplicates = result.duplicates
    return {
        "interface": interface,
        "network": str(result.network),
        "requests": result.requests,
        "elapsed_ms": round(result.elapsed_ns / 1e6, 3),
        "hosts": [
            {
                "ip": str(r.ip),
                "mac": str(r.mac),
                "vendor": oui.vendor(r.mac),
                "rtt_ms": round(r.rtt_ns / 1e6, 3),
                "duplicate": r.ip in duplicates,
            }
            for r in result.answers
        ],
        "duplicates": {str(ip): [str(mac) for mac in macs] for ip, macs in duplicates.items()},
    }
