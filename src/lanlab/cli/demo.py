"""`lanlab demo`: the course note's story, played so you can watch it.

By default on the simulated network built into the package (every frame visible, virtual
time, deterministic); `--real` plays it with real sockets on this machine's loopback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from lanlab.cli.common import fail, table_console
from lanlab.cli.help import Command
from lanlab.i18n import _, localize, ngettext
from lanlab.net.story import loopback_story
from lanlab.os_reasons import reason_of


@click.command(name="demo", cls=Command)
@click.option("--real", is_flag=True, help="Play it with real sockets on this machine's loopback instead.")
@click.option(
    "--pcap",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the simulated run's capture "
    "(default: lanlab-demo.pcapng in ~/.cache/lanlab, or $XDG_CACHE_HOME/lanlab).",
)
@click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="OUT.html",
    help="Also write the classroom run as a page to step through in a browser (no network needed).",
)
@click.option("--view", is_flag=True, help="Also serve that page on 127.0.0.1 and open it (Ctrl-C stops).")
def demo(real: bool, pcap: Path | None, html: Path | None, view: bool) -> None:
    """Play the note's story: a UDP broadcast and its replies, pings across a hub and a
    switch with ARP first, the switch's MAC table and an ARP table, and a capture to open
    in Wireshark; then a routed network: RIP converging, a ping and a traceroute across two
    routers, ARP beside RARP, and a DHCP lease. --real: a UDP message and a TCP "thank YOU!"
    exchange on loopback.

    \b
      lanlab demo
      lanlab demo --pcap story.pcapng
      lanlab demo --html demo.html      # the classroom run, to step through in a browser
      lanlab demo --view                # the same, served on 127.0.0.1
      lanlab demo --real

    Exit status: 0 the story played, 2 error (a bad option, a capture or page that cannot be written).
    """
    if real:
        if pcap is not None:
            fail(
                _("--pcap is for the simulated story; --real uses the kernel's loopback (capture it with tshark -i lo)")
            )
        if html is not None or view:
            fail(_("--html and --view show the simulated story; --real has no simulator to show"))
        loopback_story(click.echo)
        return
    if pcap is not None and pcap.suffix != ".pcapng":
        fail(
            _("--pcap {pcap}: the demo writes every link into one pcapng; give a name ending in .pcapng").format(
                pcap=pcap
            )
        )
    page = None
    if html is not None or view:
        from lanlab.cli.sim_view import PageTarget

        page = PageTarget(html, 0 if view else None, open_browser=view)
    simulated_story(table_console(highlight=False, soft_wrap=True), pcap or _default_capture(), page)


def _default_capture() -> Path:
    """lanlab-demo.pcapng in the user's own cache directory (XDG base directory spec), made
    private. Not the shared temp directory: another user could plant a symlink at a fixed
    name there and have the demo write through it."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
    directory = base / "lanlab"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        fail(
            _("cannot make {directory} for the capture: {reason}; name one with --pcap FILE").format(
                directory=directory, reason=localize(reason_of(error))
            )
        )
    return directory / "lanlab-demo.pcapng"


def simulated_story(console: Console, pcap: Path, page: Any = None) -> None:
    """The story; with a `page` (cli.sim_view.PageTarget), the classroom run is written or served
    as a page once the story is told."""
    from lanlab.cli.demo_routing import routed_story
    from lanlab.cli.sim import arp_table, mac_table, start_capture
    from lanlab.sim.builtin import PICTURE, classroom

    net = classroom()
    start_capture(net, pcap)
    net.start_trace()
    history = page.follow(net) if page is not None else None

    def run(seconds: float) -> None:  # followed instant by instant when a page is made of it
        if history is not None:
            history.run(round(seconds * 1e9))
        else:
            net.run(seconds)

    say = console.print
    say(_("[bold]lanlab demo[/bold]: the note's story on a simulated network (virtual time, seed 1)") + "\n")
    say(PICTURE + "\n", markup=False)
    say(_("All hosts are 198.18.0.N/24; pc1 is .1, pc2 .2, and so on.") + "\n")

    # 1. The broadcast.
    for n in (2, 3, 4, 5):
        net.do(f"pc{n} udp listen 7788 --reply 'Hello from pc{n}'")
    broadcast = net.do("pc1 udp broadcast Hi --port 7788 --wait 1")
    run(1.5)
    say(_('[bold]1. pc1 broadcasts "Hi" to UDP port 7788; every other host answers.[/bold]'))
    for reply in broadcast.command.replies:
        say(f"   {reply['from']:<12} {reply['text']!r:<18} {reply['rtt_ms']:.3f} ms")
    sent = [e for e in net.trace if e.event_kind == "tx" and e.device == "pc1" and e.proto == "UDP"][0].frame
    copies = [e for e in net.trace if e.event_kind == "tx" and e.frame is sent and e.device == "sw1"]
    repeats = [e for e in net.trace if e.event_kind == "flood" and e.frame is sent and e.device == "hub1"]
    askers = {
        e.device
        for e in net.trace
        if e.event_kind == "tx" and e.summary.startswith("Who has 198.18.0.1?") and e.device.startswith("pc")
    }
    say(
        _(
            "   One frame left pc1 (to ff:ff:ff:ff:ff:ff). The switch made {copies} copies, one per other port;\n"
            "   the hub {repeated} — everyone on the hub hears everything."
        ).format(copies=len(copies), repeated=localize(repeats[0].note) if repeats else _("repeated it"))
    )
    say(
        _(
            '   A reply is unicast, so each of the {askers} answering hosts first asked "Who has 198.18.0.1?" (ARP).'
        ).format(askers=len(askers))
        + "\n"
    )

    # 2. Pings a minute later: pc1's ARP entries (60 s) have expired, the switch's (300 s) have not.
    first_event = len(net.trace)
    to_hub = net.do("at 61s pc1 ping pc3 -c 2 -i 0.2")
    to_switch = net.do("at 62s pc1 ping pc2 -c 2 -i 0.2")
    run(63)
    say(_("[bold]2. A minute later pc1 pings pc3 (behind the hub) and pc2 (on the switch).[/bold]"))
    say(_("   pc1's ARP entries live 60 s, so each ping starts with ARP. The first exchange with pc3:"))
    for event in _first_exchange(net.trace[first_event:]):
        say("   " + event.as_row(), markup=False)
    for scheduled in (to_hub, to_switch):
        result = scheduled.command.session.result
        say(
            _("   ping {destination}: {sent} sent, {received} received, rtt {rtts} ms").format(
                destination=result.destination,
                sent=result.transmitted,
                received=result.received,
                rtts=", ".join(f"{rtt:.3f}" for rtt in result.rtt_ms),
            )
        )
    say(
        _("   The hub sent pc1's echo to pc4 too (pc4's NIC dropped it); the switch sent the echo to pc2 alone.") + "\n"
    )

    # 3. Tables.
    say(_("[bold]3. What the devices learned.[/bold] The switch maps MACs to ports; pc1 maps IPs to MACs."))
    say(mac_table("sw1", net.node("sw1").mac_table))
    say(arp_table("pc1", net.node("pc1").arp_table))
    net.close()
    frames = sum(link.frames for link in net.links)
    say(
        "\n"
        + ngettext(
            "[bold]4. Every frame is in {pcap}[/bold] ({frames} frame, one pcapng interface per link).",
            "[bold]4. Every frame is in {pcap}[/bold] ({frames} frames, one pcapng interface per link).",
            frames,
        ).format(pcap=pcap, frames=frames)
    )
    say(
        _("   Open it: wireshark {pcap}   or   tshark -r {pcap}   or   lanlab decode {pcap}").format(pcap=pcap),
        soft_wrap=True,
    )
    say(_('   Try your own: lanlab sim run examples/hub_vs_switch.yaml --do "pc1 ping pc3 -c 3" --trace table'))
    routed_story(console, first=5)
    if page is not None:
        page.publish(net, [], None)


def _first_exchange(events: list[Any]) -> list[Any]:
    """From the first ARP request to the first echo reply reaching pc1; arrivals and the
    switch's own transmissions are left out (its forward/flood lines say the same)."""
    shown = []
    for event in events:
        if event.event_kind != "rx" and not (event.event_kind == "tx" and event.device in ("sw1", "hub1")):
            shown.append(event)
        if (
            event.device == "pc1"
            and event.event_kind == "deliver"
            and "reply" in event.summary
            and event.proto == "ICMP"
        ):
            break
    return shown
