"""`lanlab arp`: the neighbour (ARP) table like `arp -a`, with the state and the vendor of each MAC."""

from __future__ import annotations

import click

from lanlab import oui
from lanlab.cli.common import fail, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, pad
from lanlab.net.neighbours import Neighbour, interface_exists, read_neighbours
from lanlab.wire import MacAddress


def vendor_text(mac: MacAddress | None) -> str:
    """The vendor column: the IEEE organization, or why there is none."""
    if mac is None:
        return ""
    if mac.is_local:
        return _("(locally administered)")
    return oui.vendor(mac) or _("(unknown)")


def neighbour_document(entry: Neighbour) -> dict[str, object]:
    return {
        "ip": str(entry.ip),
        "mac": str(entry.mac) if entry.mac else None,
        "interface": entry.interface,
        "state": entry.state,
        "vendor": oui.vendor(entry.mac) if entry.mac else None,
    }


@click.command("arp", cls=Command)
@click.option("-i", "interface", metavar="IF", help="Only the entries of this interface.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of {ip, mac, interface, state, vendor}.")
def arp_command(interface: str | None, as_json: bool) -> None:
    """Show the kernel's neighbour (ARP) table like `arp -a`: IP, MAC,
    interface, state (REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE,
    PERMANENT) and the vendor of each MAC from the IEEE registries.

    Read over netlink (pyroute2); /proc/net/arp when netlink is not there.

    \b
    Examples:
      lanlab arp
      lanlab arp -i eth0 --json

    Exit status: 0 the table was shown (an empty one too), 2 error (no such interface).
    """
    if interface is not None and not interface_exists(interface):
        fail(_("no interface {interface!r} here; `ip link` lists them").format(interface=interface))
    entries = read_neighbours(interface)
    if as_json:
        print_json([neighbour_document(entry) for entry in entries])
        return
    if not entries:
        click.echo(
            _("the neighbour table is empty on {interface}").format(interface=interface)
            if interface
            else _("the neighbour table is empty"),
            err=True,
        )
        return
    click.echo(
        pad(_("IP address"), 16)
        + pad(_("MAC address"), 19)
        + pad(_("interface"), 11)
        + pad(_("state"), 11)
        + _("vendor")
    )
    for entry in entries:
        mac = str(entry.mac) if entry.mac else _("(incomplete)")
        click.echo(
            f"{str(entry.ip):<16}{mac:<19}{entry.interface:<11}{entry.state:<11}{vendor_text(entry.mac)}".rstrip()
        )
