"""`lanlab ip`: what an IPv4 address and mask mean — class, network number, broadcast, hosts."""

from __future__ import annotations

from ipaddress import IPv4Network

import click

from lanlab.cli.common import fail, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, cell_width, counted, localize, pad
from lanlab.proto.ipv4 import directed_broadcast
from lanlab.net.subnet import (
    SubnetError,
    SubnetReport,
    address_class,
    binary,
    describe,
    holds_hosts,
    host_span,
    split,
)


def _mask_line(report: SubnetReport) -> str:
    line = f"{report.netmask} = /{report.network.prefixlen}"
    if report.mask_from_class:
        letter = report.address_class.letter
        if report.address_class.default_prefix is None:
            return line + _("  (class {letter} has no default mask: this is the class block)").format(letter=letter)
        return line + _("  (no mask given: class {letter} default)").format(letter=letter)
    return line


def _broadcast_text(network: IPv4Network) -> str:
    """The broadcast address, or why a group, a reserved block, a /31 or a /32 has none."""
    if not holds_hosts(network):
        if address_class(network.network_address).letter == "D":
            return _("none: class D addresses name multicast groups, not hosts (RFC 1112)")
        return _("none: class E addresses are reserved, not hosts")
    broadcast = directed_broadcast(network)
    if broadcast is not None:
        return str(broadcast)
    if network.prefixlen == 31:
        return _("none: a /31 is a point-to-point link whose two addresses are both hosts (RFC 3021)")
    return _("none: a /32 is one host")


def _render(report: SubnetReport) -> str:
    cls = report.address_class
    default = (
        _("default mask {mask} = /{prefix}").format(mask=cls.default_mask, prefix=cls.default_prefix)
        if cls.default_mask
        else _("no default mask")
    )
    network = report.network.network_address
    width = max(len(str(report.address)), len(str(report.netmask)), len(str(network)))
    rows = [
        (_("address"), str(report.address)),
        (
            _("class"),
            _("{letter} ({purpose}, {default})").format(
                letter=cls.letter, purpose=localize(cls.purpose), default=default
            ),
        ),
        (_("netmask"), _mask_line(report)),
        (_("wildcard"), str(report.wildcard)),
        ("", ""),
        ("", f"    {str(report.address):<{width}}  {binary(report.address)}"),
        ("", f"AND {str(report.netmask):<{width}}  {binary(report.netmask)}"),
        ("", f"  = {str(network):<{width}}  {binary(network)}   " + _("network number")),
        ("", ""),
        (_("network"), str(report.network)),
        (_("broadcast"), _broadcast_text(report.network)),
        (_("first host"), str(report.first_host or "-")),
        (_("last host"), str(report.last_host or "-")),
        (_("hosts"), f"{report.hosts}"),
        (_("kind"), localize(report.kind)),
    ]
    column = max(11, 1 + max(cell_width(label) for label, _value in rows))
    return "\n".join(f"{pad(label, column)}{value}".rstrip() if label else value for label, value in rows)


def _subnet_rows(report: SubnetReport, new_prefix: str) -> list[dict[str, object]]:
    rows = []
    for subnet in split(report.network, new_prefix):
        first, last, broadcast, hosts = host_span(subnet)
        rows.append(
            {
                "network": str(subnet),
                "first_host": None if first is None else str(first),
                "last_host": None if last is None else str(last),
                "broadcast": None if broadcast is None else str(broadcast),
                "hosts": hosts,
            }
        )
    return rows


@click.command("ip", cls=Command)
@click.argument("address")
@click.argument("mask", required=False)
@click.option("--split", "split_prefix", metavar="/PREFIX", help="List the subnets of the network, e.g. --split /26.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of the table.")
def ip_command(address: str, mask: str | None, split_prefix: str | None, as_json: bool) -> None:
    """Explain an IPv4 address and mask: class, network number (IP AND mask,
    in binary), broadcast, first and last host, number of hosts, wildcard mask
    and what kind of address it is.

    The mask may follow a slash (/24 or /255.255.255.0) or come as a second
    argument; a bare address gets its class's default mask (A /8, B /16, C /24).

    \b
    Examples:
      lanlab ip 192.168.2.7/24
      lanlab ip 192.168.2.7 255.255.255.0      # the same
      lanlab ip 10.1.2.3                       # class A default: /8
      lanlab ip 192.168.2.0/24 --split /26     # four subnets of 64 addresses

    Exit status: 0 ok, 2 when the address, the mask or --split is not valid.
    """
    if mask is not None and address.endswith("/"):  # "1.2.3.4/ 24": a space after the slash, not a second mask
        example = address + mask.lstrip("/")
        fail(
            _("the mask after the slash in {text!r} is empty; write it right after the slash, e.g. {example}").format(
                text=address, example=example
            )
        )
    try:
        report = describe(address, mask)
        subnets = _subnet_rows(report, split_prefix) if split_prefix is not None else None  # "" is refused too
    except SubnetError as error:
        fail(localize(error.args[0]))
    if as_json:
        document = report.as_dict()
        if subnets is not None:
            document["subnets"] = subnets
        print_json(document)
        return
    click.echo(_render(report))
    if subnets is not None:
        click.echo(
            "\n"
            + counted(
                "{count} subnet of {network}:", "{count} subnets of {network}:", len(subnets), network=report.network
            )
        )
        click.echo(
            pad(_("network"), 19)
            + pad(_("first host"), 16)
            + pad(_("last host"), 16)
            + pad(_("broadcast"), 16)
            + _("hosts")
        )
        for row in subnets:
            click.echo(
                f"{row['network']:<19}{row['first_host'] or '-':<16}{row['last_host'] or '-':<16}"
                f"{row['broadcast'] or '-':<16}{row['hosts']}"
            )
