"""`lanlab oui`: the vendor of a MAC address from the IEEE registries, and the address's own bits."""

from __future__ import annotations

import re
import shlex

import click

from lanlab import oui
from lanlab.cli.common import EXIT_NO_ANSWER, fail, print_json
from lanlab.cli.help import Command
from lanlab.i18n import _, counted, pgettext
from lanlab.wire import MacAddress, WireError


# An OUI given alone, as people copy it from a table or a capture: 00:00:0C, 00-00-0c, 00000C.
OUI_ALONE = re.compile(r"([0-9a-f]{2})([:-]?)([0-9a-f]{2})\2([0-9a-f]{2})", re.IGNORECASE)
# Text that is no address at all but a vendor's name (a letter past f, no colon): say where names are looked up.
A_NAME = re.compile(r"[^:]*[g-z][^:]*", re.IGNORECASE)


def parse_mac(text: str) -> MacAddress:
    """A MacAddress from any common notation, or a one-line error (exit 2)."""
    try:
        return MacAddress(text.strip())
    except WireError:
        if A_NAME.fullmatch(text.strip()):
            fail(
                _("{text!r} is not a MAC address; to find a vendor by name, use --search {quoted}").format(
                    text=text, quoted=shlex.quote(text)
                )
            )
        fail(
            _(
                "{text!r} is not a MAC address; write it as aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, "
                "aabb.ccdd.eeff or aabbccddeeff (or an OUI alone: aa:bb:cc)"
            ).format(text=text)
        )


def describe(text: str) -> dict[str, object]:
    """The JSON row for one argument: a whole MAC address, or a 24-bit OUI given alone."""
    alone = OUI_ALONE.fullmatch(text.strip())
    return describe_oui(bytes.fromhex("".join(alone.group(1, 3, 4)))) if alone else describe_mac(parse_mac(text))


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


def describe_oui(prefix: bytes) -> dict[str, object]:
    """Vendor and I/G, U/L bits of an OUI alone; `blocks`: the MA-M/MA-S blocks carved out of it."""
    assignment = oui.lookup_oui(prefix)
    return {
        "oui": prefix.hex(":"),
        "vendor": assignment.organization if assignment else None,
        "registry": assignment.registry if assignment else None,
        "prefix": assignment.prefix_text if assignment else None,
        "multicast": bool(prefix[0] & 0x01),
        "broadcast": False,
        "local": bool(prefix[0] & 0x02),
        "blocks": oui.blocks_inside(prefix),
    }


def _bits_text(row: dict[str, object]) -> str:
    if row["broadcast"]:  # all 48 bits set: the U/L bit is no administration's choice, so it says nothing
        return pgettext("MAC address", "broadcast")
    cast = _("multicast (group)") if row["multicast"] else _("unicast")
    scope = _("locally administered") if row["local"] else _("globally administered (universal)")
    return _("{cast}, {scope}").format(cast=cast, scope=scope)


@click.command("oui", cls=Command)
@click.argument("macs", nargs=-1, metavar="MAC|OUI...")
@click.option("--search", "search_text", metavar="TEXT", help="List the prefixes of vendors whose name contains TEXT.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def oui_command(macs: tuple[str, ...], search_text: str | None, as_json: bool) -> None:
    """Name the vendor of MAC addresses from the IEEE registries (MA-L,
    MA-M and MA-S blocks) and say what the address's own bits mean
    (unicast/multicast, globally/locally administered).

    Any common notation: aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff,
    aabb.ccdd.eeff, aabbccddeeff; or an OUI alone (aa:bb:cc, aabbcc).
    Exit status 1 when a vendor is unknown.

    \b
    Examples:
      lanlab oui b8:27:eb:12:34:56         # Raspberry Pi Foundation
      lanlab oui 70-B3-D5-00-12-34 --json  # an MA-S (36-bit) block
      lanlab oui 00:00:0C                  # an OUI alone: Cisco
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
    rows = [describe(text) for text in macs]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            vendor = (
                f"{row['vendor']}  ({row['registry']} {row['prefix']})"
                if row["vendor"]
                else (
                    _("no vendor: the broadcast address, not an IEEE assignment")
                    if row["broadcast"]
                    else _("no vendor: locally administered, not an IEEE assignment")
                    if row["local"]
                    else _("unknown vendor")
                )
            )
            address = str(row.get("mac", row.get("oui")))
            click.echo(f"{address:<17}  {vendor}\n{'':19}{_bits_text(row)}")
            if row.get("blocks"):
                blocks = int(row["blocks"])  # type: ignore[call-overload]  # describe_oui counts them
                click.echo(
                    f"{'':19}"
                    + counted(
                        "{count} smaller block (MA-M, MA-S) inside: give a whole MAC address for its owner",
                        "{count} smaller blocks (MA-M, MA-S) inside: give a whole MAC address for their owners",
                        blocks,
                    )
                )
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
