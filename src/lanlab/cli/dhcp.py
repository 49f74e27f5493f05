"""`lanlab dhcp serve`: the simulator's DHCP server (lanlab.proto.dhcp) on a real interface."""

from __future__ import annotations

import time
from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING

import click

from lanlab.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_NO_ANSWER,
    EXIT_OK,
    EXIT_TERMINATED,
    DurationType,
    Terminated,
    fail,
    print_json,
    terminate_as_interrupt,
)
from lanlab.cli.help import Group
from lanlab.i18n import _, localize, message_of
from lanlab.text import one_line
from lanlab.units import SECOND

if TYPE_CHECKING:
    from lanlab.proto.dhcp import DhcpServer


def _address(text: str, what: str) -> IPv4Address:
    try:
        return IPv4Address(text.strip())
    except ValueError:
        fail(_("{text!r} is not an IPv4 address ({what})").format(text=text, what=what))


@click.group("dhcp", cls=Group)
def dhcp() -> None:
    """DHCP (RFC 2131) on the real network."""


@dhcp.command("serve")
@click.option("-I", "--interface", required=True, metavar="IF", help="The interface to serve (it needs an address).")
@click.option("--pool", required=True, metavar="FIRST-LAST", help="Addresses to lend, e.g. 198.18.0.100-198.18.0.199.")
@click.option(
    "--lease",
    type=DurationType(),
    default="1h",
    show_default=True,
    metavar="DURATION",
    help="Lease time (T1 is half of it, T2 seven eighths).",
)
@click.option("--router", metavar="IP", help="Default gateway to hand out (option 3).")
@click.option("--dns", metavar="IP[,IP...]", help="DNS servers to hand out (option 6).")
@click.option("--count", type=click.IntRange(min=1), metavar="N", help="Stop after answering N messages.")
@click.option("--timeout", type=DurationType(positive=True), metavar="DURATION", help="Stop after this long.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per message heard, and a summary.")
def serve_command(
    interface: str,
    pool: str,
    lease: float,
    router: str | None,
    dns: str | None,
    count: int | None,
    timeout: float | None,
    as_json: bool,
) -> None:
    """Lend addresses from POOL to DHCP clients on IF, as the simulator's servers do (needs root).

    \b
    Every DISCOVER, REQUEST, DECLINE, RELEASE and INFORM heard is printed with the answer given.
    Exit status: 0 when it answered something, 1 when nothing was answered, 2 on an error; 130 on
    Ctrl-C and 143 on SIGTERM, after the lease table.

    \b
    Examples:
      lanlab dhcp serve -I eth0 --pool 198.18.0.100-198.18.0.199 --router 198.18.0.1
      lanlab dhcp serve -I eth0 --pool 198.18.0.100-198.18.0.110 --lease 2m --count 4 --json
    """
    from lanlab.net.dhcp_server import DhcpServerError, Exchange, interface_address, open_socket, serve
    from lanlab.proto.dhcp import DhcpServer, PoolError, lease_problem
    from lanlab.topology.settings import pool_problem, read_pool

    # the topology's reader and rules (a file's dhcp: {pool: ...}): one parser, the same one-line problems
    bounds, unread = read_pool("--pool", pool)
    if bounds is None:
        fail(localize(unread or ""))
    too_short = lease_problem(int(lease * SECOND))  # see proto.dhcp.MIN_LEASE
    if too_short is not None:
        fail(localize(too_short))
    try:
        own = interface_address(interface)
        problem = pool_problem(bounds, own)
        if problem is not None:
            fail(localize(problem))
        server = DhcpServer(
            own.ip,
            own.network,
            bounds,
            int(lease * SECOND),
            _router(router, own.ip, own.network, bounds) if router else None,
            _dns_servers(dns) if dns else (),
        )
        sock = open_socket(interface)
    except (DhcpServerError, PoolError) as error:
        fail(localize(message_of(error)))  # an L_ text from lanlab.net, shown in the user's language

    exhausted = [server.exhausted]  # DISCOVERs left unanswered so far: a pool all taken (RFC 2131 4.3.1)

    def report(exchange: Exchange) -> None:
        pool_taken = server.exhausted > exhausted[0] and not exchange.answer
        exhausted[0] = server.exhausted
        why = (
            _("no free address in the pool {first}-{last}").format(first=bounds[0], last=bounds[1])
            if pool_taken
            else None
        )
        if as_json:
            print_json(
                {
                    "heard": exchange.kind,
                    "mac": exchange.mac,
                    "answer": exchange.answer,
                    "address": exchange.address,
                    "why": "pool exhausted" if pool_taken else None,
                }
            )
        else:
            answer = f"{exchange.answer} {exchange.address or ''}".rstrip() if exchange.answer else _("no answer")
            if why is not None:
                answer = f"{answer} ({why})"
            click.echo(
                _("{kind} from {mac} -> {answer}").format(kind=f"{exchange.kind:<8}", mac=exchange.mac, answer=answer)
            )

    if not as_json:
        click.echo(
            _("lanlab dhcp: serving {pool} on {interface} ({own}), lease {lease:g} s").format(
                pool=f"{bounds[0]}-{bounds[1]}", interface=interface, own=own, lease=lease
            )
        )
    answered = 0
    try:
        with terminate_as_interrupt():  # SIGTERM as Ctrl-C: the lease table is printed
            answered = serve(sock, server, report, count, time.monotonic() + timeout if timeout is not None else None)
    except (KeyboardInterrupt, Terminated) as stop:
        _summary(server, as_json)
        raise SystemExit(EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED) from None
    finally:
        sock.close()
    _summary(server, as_json)
    raise SystemExit(EXIT_OK if answered else EXIT_NO_ANSWER)


def _router(text: str, own: IPv4Address, subnet: IPv4Network, pool: tuple[IPv4Address, IPv4Address]) -> IPv4Address:
    """--router: an address of the served subnet a host can have, outside the pool (as a topology file's
    dhcp: router)."""
    from lanlab.proto.dhcp import lent_router_problem, router_problem

    router = _address(text, "--router")
    problem = router_problem(router, subnet) or lent_router_problem(router, own, pool)
    if problem is not None:
        fail(localize(problem))
    return router


def _dns_servers(text: str) -> tuple[IPv4Address, ...]:
    """--dns: IP[,IP...], each a server clients can ask (as a topology file's dhcp: dns)."""
    from lanlab.proto.dhcp import dns_count_problem
    from lanlab.topology.settings import dns_server_problem

    servers = tuple(_address(item, "--dns") for item in text.split(","))
    problem = dns_count_problem(len(servers)) or next(filter(None, map(dns_server_problem, servers)), None)
    if problem is not None:
        fail(localize(problem))
    return servers


def _summary(server: DhcpServer, as_json: bool) -> None:
    leases = server.leases(time.monotonic_ns())
    if as_json:
        print_json(
            {
                "leases": [
                    {"address": lease.address, "mac": str(lease.mac), "state": lease.state, "hostname": lease.hostname}
                    for lease in leases
                ]
            }
        )
        return
    for lease in leases:
        # the host name is the client's text: escaped, it cannot move the cursor or reorder the line
        click.echo(f"  {lease.address}  {lease.mac}  {lease.state}  {one_line(lease.hostname)}".rstrip())
