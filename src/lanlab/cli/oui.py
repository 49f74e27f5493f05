"""`lanlab oui`: the vendor of a MAC address from the IEEE registries, and the address's own bits."""

from __future__ import annotations

import click

from lanlab import oui
from lanlab.cli.common import EXIT_NO_ANSWER, fail, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, pgettext
from lanlab.wire import MacAddress, WireError


def parse_mac(text: str) -> MacAddress:
    """A MacAddress from any common notation, or a one-line error (exit 2)."""
    try:
        return MacAddress(text.strip())
    except WireError:
        fail(
            _(
                "{text!r} is not a MAC address; write it as aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, "
                "aabb.ccdd.eeff or aabbccddeeff"
            ).format(text=text)
        )


def describe_mac(mac: MacAddress) -> dict[str, object]:
    """Vendor and I/G, U/L bits of one MAC, as the JSON document shows them."""
    assignment = oui.lookup(mac)
    return {
        "mac": str(mac),
        "vendor": assignment.organization if assignment else None,
        "registry": assignment.registry if assignment else None,
        "prefix": assignment.prefix_text if assignment else None,
        "multicast": mac.is_multicast,
        "broadcast": mac.is_broadcast,
        "local": mac.is_local,
    }


def _bits_text(row: dict[str, object]) -> str:
    cast = (
        pgettext("MAC address", "broadcast")
        if row["broadcast"]
        else _("multicast (group)")
        if row["multicast"]
        else _("unicast")
    )
    scope = _("locally administered") if row["local"] else _("globally administered (universal)")
    return _("{cast}, {scope}").format(cast=cast, scope=scope)


@click.command("oui", cls=Command)
@click.argument("macs", nargs=-1, metavar="MAC...")
@click.option("--search", "search_text", metavar="TEXT", help="List the prefixes of vendors whose name contains TEXT.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def oui_command(macs: tuple[str, ...], search_text: str | None, as_json: bool) -> None:
    """Name the vendor of MAC addresses from the IEEE registries (MA-L,
    MA-M and MA-S blocks) and say what the address's own bits mean
    (unicast/multicast, globally/locally administered).

    Any common notation: aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff,
    aabb.ccdd.eeff, aabbccddeeff. Exit status 1 when a vendor is unknown.

    \b
    Examples:
      lanlab oui b8:27:eb:12:34:56         # Raspberry Pi Foundation
      lanlab oui 70-B3-D5-00-12-34 --json  # an MA-S (36-bit) block
      lanlab oui --search "raspberry pi"   # every prefix of a vendor
    """
    if search_text is not None:
        if macs:
            fail(_("give MAC addresses or --search TEXT, not both"))
        if not search_text.strip():
            fail(_('--search is empty; give part of a vendor name, like --search "raspberry pi"'))
        _search(search_text, as_json)
        return
    if not macs:
        fail(_("name at least one MAC address (like b8:27:eb:12:34:56) or use --search TEXT"))
    rows = [describe_mac(parse_mac(text)) for text in macs]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            vendor = (
                f"{row['vendor']}  ({row['registry']} {row['prefix']})"
                if row["vendor"]
                else (
                    _("no vendor: locally administered, not an IEEE assignment")
                    if row["local"]
                    else _("unknown vendor")
                )
            )
            click.echo(f"{row['mac']}  {vendor}\n{'':19}{_bits_text(row)}")
    if any(row["vendor"] is None for row in rows):
        raise SystemExit(EXIT_NO_ANSWER)


def _search(text: str, as_json: bool) -> None:
    found = oui.search(text)
    if as_json:
        print_json([{"prefix": a.prefix_text, "registry": a.registry, "vendor": a.organization} for a in found])
    else:
        for assignment in found:
            click.echo(f"{assignment.prefix_text:<20}{assignment.registry:<6}{assignment.organization}")
    if not found:
        if not as_json:
            click.echo(_("no vendor name contains {text!r}").format(text=text), err=True)
        raise SystemExit(EXIT_NO_ANSWER)
