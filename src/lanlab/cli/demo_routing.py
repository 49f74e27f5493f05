"""The second half of `lanlab demo`: two subnets, two RIP routers, ping and traceroute across, RARP."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lanlab.i18n import N_, _

ROUTE_COLUMNS = (N_("prefix"), N_("via"), N_("interface"), N_("metric"), N_("source"), N_("age (s)"))


def route_table(name: str, rows: list[dict[str, Any]], when: str) -> Table:
    table = Table(title=escape(_("{name} routing table {when}").format(name=name, when=when)), title_justify="left")
    for column in ROUTE_COLUMNS:
        table.add_column(_(column))
    for row in rows:
        table.add_row(row["prefix"], row["via"] or "-", escape(row["interface"] or "-"), str(row["metric"]),
                      row["source"], f"{row['age']:.1f}")
    return table


def routed_story(console: Console, first: int = 5) -> None:
    """Steps `first`, `first`+1, ...: routing tables before and after RIP, ping and traceroute, RARP."""
    from lanlab.sim.builtin_routed import PICTURE, two_subnets

    say = console.print
    net = two_subnets()
    net.start_trace()
    say("\n" + _("[bold]{step}. A second network: two subnets joined by two routers running RIP.[/bold]").format(step=first))
    say(PICTURE + "\n", markup=False)
    net.run(0)
    say(_("   At power-on each router knows only its own networks:"))
    for name in ("r1", "r2"):
        say(route_table(name, net.node(name).routes, _("at {seconds} s").format(seconds=0)))
    net.run(10)
    learned = [e for e in net.trace if e.kind == "route" and e.summary.startswith("rip:")]
    say(_("[bold]{step}. RIP converges.[/bold] Each router asks its neighbour for its table (a RIP Request) "
          "and announces what it learns:").format(step=first + 1))
    for event in learned:
        say("   " + event.as_row(), markup=False)
    for name in ("r1", "r2"):
        say(route_table(name, net.node(name).routes, _("at {seconds} s").format(seconds=10)))
    ping = net.do("at 10s pc1 ping pc3 -c 2 -i 0.2")
    trace = net.do("at 11s pc1 traceroute pc3")
    net.run(12)
    result = ping.command.session.result
    say(_("[bold]{step}. pc1 pings pc3 across both routers[/bold]: {sent} sent, {received} received, "
          "ttl {ttl} (64 minus 2 hops).").format(step=first + 2, sent=result.transmitted, received=result.received,
                                                 ttl=result.replies[0][1] if result.replies else "-"))
    say(_("   traceroute pc3 (UDP probes to ports 33434 and up; each router answers Time Exceeded):"))
    for line in trace.command.lines():
        say("   " + line, markup=False)
    said = [e for e in net.trace if e.kind == "tx" and e.device in ("r2", "pc3", "pc4")]
    arp = [e for e in said if e.proto == "ARP" and "198.18.2.3" in e.summary][:2]
    rarp = [e for e in said if e.proto == "RARP"][:2]
    say(_("[bold]{step}. ARP and RARP side by side[/bold] (pc4 started without an address):").format(step=first + 3))
    for (asked, told), what in ((arp, "ARP  (IP -> MAC)"), (rarp, "RARP (MAC -> IP)")):
        say(f"   {what}: {asked.device}: {asked.summary}  /  {told.device}: {told.summary}", markup=False)
    say(_("   pc4 now has {addresses}.").format(addresses=", ".join(str(a) for a in net.node("pc4").addresses)))
    say(_("   Try: lanlab sim run examples/count-to-infinity.yaml --until 150s --trace table --filter route,link"))
