"""The second half of `lanlab demo`: two subnets, two RIP routers, ping and traceroute across, RARP."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lanlab.i18n import N_, _
from lanlab.table_lines import source_text

ROUTE_COLUMNS = (N_("prefix"), N_("via"), N_("interface"), N_("metric"), N_("source"), N_("age (s)"))


def route_table(name: str, rows: list[dict[str, Any]], when: str) -> Table:
    table = Table(title=escape(_("{name} routing table {when}").format(name=name, when=when)), title_justify="left")
    for column in ROUTE_COLUMNS:
        table.add_column(_(column))
    for row in rows:
        table.add_row(
            row["prefix"],
            row["via"] or "-",
            escape(row["interface"] or "-"),
            str(row["metric"]),
            source_text(row["source"]),
            f"{row['age']:.1f}",
        )
    return table


def routed_story(console: Console, first: int = 5) -> None:
    """Steps `first`, `first`+1, ...: routing tables before and after RIP, ping and traceroute, RARP."""
    from lanlab.sim.builtin_routed import PICTURE, two_subnets

    say = console.print
    net = two_subnets()
    net.start_trace()
    say(
        "\n"
        + _("[bold]{step}. A second network: two subnets joined by two routers running RIP.[/bold]").format(step=first)
    )
    say(PICTURE + "\n", markup=False)
    net.run(0)
    say(_("   At power-on each router knows only its own networks:"))
    for name in ("r1", "r2"):
        say(route_table(name, net.node(name).routes, _("at {seconds} s").format(seconds=0)))
    net.run(10)
    learned = [e for e in net.trace if e.event_kind == "route" and e.summary.startswith("rip:")]
    say(
        _(
            "[bold]{step}. RIP converges.[/bold] Each router asks its neighbour for its table (a RIP Request) "
            "and announces what it learns:"
        ).format(step=first + 1)
    )
    for event in learned:
        say("   " + event.as_row(), markup=False)
    for name in ("r1", "r2"):
        say(route_table(name, net.node(name).routes, _("at {seconds} s").format(seconds=10)))
    ping = net.do("at 10s pc1 ping pc3 -c 2 -i 0.2")
    trace = net.do("at 11s pc1 traceroute pc3")
    net.run(12)
    result = ping.command.session.result
    say(
        _(
            "[bold]{step}. pc1 pings pc3 across both routers[/bold]: {sent} sent, {received} received, "
            "ttl {ttl} (64 minus 2 hops)."
        ).format(
            step=first + 2,
            sent=result.transmitted,
            received=result.received,
            ttl=result.replies[0][1] if result.replies else "-",
        )
    )
    say(_("   traceroute pc3 (UDP probes to ports 33434 and up; each router answers Time Exceeded):"))
    for line in trace.command.lines():
        say("   " + line, markup=False)
    said = [e for e in net.trace if e.event_kind == "tx" and e.device in ("r2", "pc3", "pc4")]
    arp = [e for e in said if e.proto == "ARP" and "198.18.2.3" in e.summary][:2]
    rarp = [e for e in said if e.proto == "RARP"][:2]
    say(_("[bold]{step}. ARP and RARP side by side[/bold] (pc4 started without an address):").format(step=first + 3))
    for (asked, told), what in ((arp, "ARP  (IP -> MAC)"), (rarp, "RARP (MAC -> IP)")):
        say(f"   {what}: {asked.device}: {asked.summary}  /  {told.device}: {told.summary}", markup=False)
    say(_("   pc4 now has {addresses}.").format(addresses=", ".join(str(a) for a in net.node("pc4").addresses)))
    say(_("   Try: lanlab sim run examples/count-to-infinity.yaml --until 150s --trace table --filter route,link"))
    dhcp_story(console, first + 4)


# RARP's successor (RFC 2131): a server leases an address, a router and a lease time.
DHCP_NETWORK = """name: dhcp-demo
nodes:
  srv:
    kind: host
    interfaces:
      eth0: {ip: 198.18.3.2/24, dhcp: {pool: 198.18.3.100-198.18.3.199, lease: 1h, router: 198.18.3.254}}
  pc5: {kind: host, ip: dhcp}
  sw3: {kind: switch}
links:
  - [srv:eth0, sw3:p1]
  - [pc5:eth0, sw3:p2]
"""


def dhcp_story(console: Console, step: int) -> None:
    """RARP's successor: pc5 takes an address, a router and a lease from a DHCP server."""
    from lanlab.sim.network import Network

    net = Network.from_yaml("dhcp-demo.yaml", text=DHCP_NETWORK)
    net.start_trace()
    net.run(2)
    console.print(
        "\n"
        + _(
            "[bold]{step}. DHCP, RARP's successor[/bold]: pc5 starts without an address and asks "
            "the whole LAN (DISCOVER, OFFER, REQUEST, ACK):"
        ).format(step=step)
    )
    for event in net.trace:
        if event.event_kind == "tx" and event.proto == "DHCP" and event.device in ("pc5", "srv"):
            console.print("   " + event.as_row(), markup=False)
    pc5 = net.node("pc5")
    (lease,) = net.node("srv").dhcp.lease_rows()
    console.print(
        _(
            "   pc5 now has {addresses} and gateway {gateway}; srv's lease table: {ip} for {mac}, "
            "{state} until {expires:.0f} s (pc5 renews at half of it, T1)."
        ).format(addresses=", ".join(str(a) for a in pc5.addresses), gateway=pc5.ipv4.gateway or "-", **lease)
    )
    console.print(_("   Try: lanlab sim run examples/dhcp.yaml --until 5s --trace table --filter dhcp --show leases"))
