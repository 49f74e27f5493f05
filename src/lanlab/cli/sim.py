"""`lanlab sim run|check`: a topology file, run in virtual time, with commands, trace and captures."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from lanlab.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NO_ANSWER,
    EXIT_OK,
    fail,
    fail_with_problems,
    print_json,
    table_console,
)
from lanlab.cli.demo_routing import route_table
from lanlab.cli.help import Command, Group
from lanlab.cli.sim_wall import walled_command
from lanlab.cli.sim_serve import serve
from lanlab.cli.sim_sweep import sweep
from lanlab.cli.sim_view import PageTarget, stopped_reason
from lanlab.i18n import N_, _, counted, localize, message_of, ngettext
from lanlab.sim.mistakes import topology_warnings
from lanlab.sim.report import EVENTS_AFTER_STORM, holds, run_document
from lanlab.units import SECOND, UnitError, format_duration, parse_duration
from lanlab.os_reasons import reason_of
from lanlab.text import one_line

TRACE_FORMATS = ("table", "jsonl")
SHOW_HOLDERS = {  # --show word: what to say when no node holds that table
    "mac": "no switch in this network, so no MAC table (hubs keep none)",
    "arp": "no host or router in this network, so no ARP table",
    "route": "no router in this network, so no routing table",
    "stp": "no switch here runs spanning tree; turn it on with stp: {enabled: true}",
    "leases": "no node here serves DHCP; give an interface dhcp: {pool: FIRST-LAST}",
}
SHOW_WORDS = (*SHOW_HOLDERS, "domains")  # domains: the network's, not a node's table


@click.group(name="sim", cls=Group)
def sim() -> None:
    """A simulated network in virtual time: hubs, switches, hosts, every frame visible.

    \b
      lanlab sim check examples/hub_vs_switch.yaml
      lanlab sim run examples/hub_vs_switch.yaml --do "pc1 ping pc3 -c 3" --trace table
      lanlab sim run examples/broadcast.yaml --do "pc1 udp broadcast Hi --port 7788 --wait 1" --json
      lanlab sim sweep examples/count-to-infinity.yaml --seeds 1-100 --until 150s --metric route_changes
    """


sim.add_command(sweep)


@sim.command(name="check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Validate a topology file: every mistake as FILE:LINE, exit status 2 if any.

    A collision domain past its medium's size rule (10 Mb/s: at most 4 repeaters between two
    stations, the 5-4-3 rule; 100 Mb/s: at most 2) is a warning on stderr, exit status 0; so is a
    host cabled to a router interface of another subnet, or whose gateway is on none of its segments,
    and a fixed address inside a DHCP pool.

    \b
      lanlab sim check examples/arp.yaml
    """
    text = read_or_exit(file)  # once: a pipe or a FIFO gives its text once
    network = load_or_exit(file, text=text)
    click.echo(
        _("{file}: ok: network {name!r}, {nodes}, {links}").format(
            file=file,
            name=network.name,
            nodes=counted("{count} node", "{count} nodes", len(network.nodes)),
            links=counted("{count} link", "{count} links", len(network.links)),
        )
    )
    for line in network.file_warnings:  # FILE:LINE: warning: ..., e.g. a fixed address inside a DHCP pool
        click.echo(localize(line), err=True)
    # a medium past its size rule runs, with late collisions; a host in the wrong subnet runs, reaching nothing
    for warning in [*topology_domains(file, text).warnings(), *topology_warnings(network)]:
        click.echo(_("{file}: warning: {warning}").format(file=file, warning=localize(warning)), err=True)


@sim.command(name="domains")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON document: the counts and every domain's members.")
def domains(file: Path, as_json: bool) -> None:
    """Every collision domain and broadcast domain of a topology, with counts, as a course counts them.

    \b
    Hubs cabled to hubs are ONE collision domain (a repeater passes bits on as they
    arrive); every other link (a switch or router port) is a collision domain of its own,
    and a switch port cabled to a hub is a station of the hub's. Switches and hubs carry
    broadcasts; a router interface bounds a broadcast domain.

    \b
      lanlab sim domains examples/collisions.yaml
      lanlab sim domains examples/collisions.yaml --json

    Exit status: 0 ok, 2 when FILE has mistakes (each shown as FILE:LINE).
    """
    text = read_or_exit(file)
    load_or_exit(file, text=text)  # every mistake as FILE:LINE first, exit status 2
    found = topology_domains(file, text)
    if as_json:
        print_json(found.as_json())
        return
    click.echo("\n".join(domain_lines(found)))
    for warning in found.warnings():
        click.echo(_("{file}: warning: {warning}").format(file=file, warning=localize(warning)), err=True)


def topology_domains(file: Path, text: str) -> Any:
    """The domains of the text of `file` load_or_exit checked; a link without rate or delay has the
    simulator's defaults."""
    from lanlab.sim.core.link import DEFAULT_DELAY_NS, DEFAULT_RATE_BPS
    from lanlab.topology import find_domains, read_document

    return find_domains(read_document(file, text), DEFAULT_RATE_BPS, DEFAULT_DELAY_NS)


def domain_lines(found: Any) -> list[str]:
    """The domains as a student writes the answer: the counts, then each domain and its members."""
    count = len(found.collision), len(found.broadcast)
    lines = [
        _("{collision}, {broadcast}").format(
            collision=counted("{count} collision domain", "{count} collision domains", count[0]),
            broadcast=counted("{count} broadcast domain", "{count} broadcast domains", count[1]),
        )
    ]
    for number, medium in enumerate(found.collision, 1):
        if len(medium.hubs) > 1:
            what = _("hubs {hubs}").format(hubs=", ".join(medium.hubs))
        elif medium.hubs:
            what = _("hub {hub}").format(hub=medium.hubs[0])
        else:
            what = _("point-to-point link")
        stations, ports = len(medium.stations), len(medium.ports)
        lines.append(
            _("collision domain {number} ({what}): {stations}: {members}; {ports}").format(
                number=number,
                what=what,
                stations=counted("{count} station", "{count} stations", stations),
                members=", ".join(medium.stations),
                ports=counted("{count} port", "{count} ports", ports),
            )
        )
        if medium.hubs:
            lines.append(
                "  "
                + ngettext(
                    "{n} repeater at most between two stations, round trip {round_trip} us, slot time {slot} us at {rate} Mb/s",
                    "{n} repeaters at most between two stations, round trip {round_trip} us, slot time {slot} us at {rate} Mb/s",
                    medium.repeaters,
                ).format(
                    n=medium.repeaters,
                    round_trip=f"{medium.round_trip / 1000:g}",
                    slot=f"{medium.slot_time / 1000:g}",
                    rate=f"{medium.rate / 1e6:g}",
                )
            )
    for number, lan in enumerate(found.broadcast, 1):
        hosts = len(lan.hosts)
        lines.append(
            _("broadcast domain {number}: {hosts}").format(
                number=number, hosts=counted("{count} host", "{count} hosts", hosts)
            )
            + (_(": {members}").format(members=", ".join(lan.hosts)) if lan.hosts else "")
            + (_("; bounded by {routers}").format(routers=", ".join(lan.routers)) if lan.routers else _("; no router"))
            + (_("; through {devices}").format(devices=", ".join(lan.devices)) if lan.devices else "")
        )
    return lines


def read_or_exit(file: Path) -> str:
    """A topology file's text, read once (a pipe or a FIFO has it only once); exit status 2 when it cannot be."""
    from lanlab.topology import TopologyError, read_text

    try:
        return read_text(file)
    except TopologyError as error:
        fail_with_problems(error.problems)


def load_or_exit(file: Path, seed: int = 1, text: str | None = None) -> Any:
    """The network of a topology file (of `text`, when given, read from it before); every mistake as
    FILE:LINE and exit status 2 otherwise."""
    from lanlab.sim import TopologyError, load_topology

    try:
        return load_topology(file, seed=seed, text=text)
    except TopologyError as error:
        fail_with_problems(error.problems)


@sim.command(name="run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--until", "until", default="10s", show_default=True, help="Sim time to stop at (10s, 500ms).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the run's random numbers.")
@click.option(
    "--do",
    "do",
    multiple=True,
    metavar='"[at T] NODE COMMAND"',
    help='A host command, as with the real CLI: "pc1 ping pc3 -c 3 -i 0.2", '
    '"pc2 udp listen 7788 --reply hello", "pc1 udp broadcast Hi --port 7788 --wait 1", '
    '"at 2.5s pc1 udp send 198.18.0.3 9 hello", "pc1 arp", "sw1 mac", "pc1 traceroute pc9", '
    '"r1 route", "sw1 stp", '
    '"at 60s link r1:eth1 r2:eth0 down", "at 90s r2 stop". Repeatable.',
)
@click.option(
    "--pcap",
    "pcap",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a capture: .pcapng = every link (or the --capture ones), .pcap = one --capture.",
)
@click.option("--capture", "capture", multiple=True, metavar="NODE:PORT", help="Capture the link at this port.")
@click.option(
    "--trace",
    "trace",
    type=click.Choice(TRACE_FORMATS),
    default=None,
    help="Print the event list: a table for people, JSON lines for programs.",
)
@click.option(
    "--filter",
    "filter_",
    default=None,
    metavar="arp,icmp,hubA,flood,...",
    help="Trace only events of these protocols, devices or event kinds (tx, rx, flood, drop, ...).",
)
@click.option(
    "--show",
    "show",
    default="",
    metavar="mac,arp,route,stp,leases,domains",
    help="Tables to print at the end (domains: every collision and broadcast domain; with --json as 'domains').",
)
@click.option(
    "--app",
    "apps",
    multiple=True,
    metavar='"[at T] NODE=FILE.py"',
    help="Run a Python program unchanged on a simulated host (its socket, select, time, "
    "threading, socketserver, http.client... are the host's). Repeatable. The program runs "
    "with YOUR rights (files, processes it could reach): for code you do not trust, add "
    "--sandbox.",
)
@click.option(
    "--stdin",
    "stdins",
    multiple=True,
    metavar="NODE=TEXT",
    help="A line of NODE's standard input (repeatable: one line each). A host has one stdin, "
    "shared by its programs as by programs started from one terminal: each line goes to "
    "the program that reads first (at one instant, the one started first).",
)
@click.option("--arg", "args", multiple=True, metavar="NODE=ARG", help="An argument (sys.argv) for NODE's programs.")
@click.option(
    "--files",
    "files",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Keep the files programs write: each host works in DIR/NODE (default: a temporary "
    "folder per host, removed after the run). A relative path a program reads that its "
    "host lacks is read from the current directory.",
)
@click.option(
    "--app-cpu",
    "app_cpu",
    default="5s",
    show_default=True,
    metavar="DURATION",
    help="Stop a program that computes this long (real CPU time) without ever waiting "
    "(a busy loop: `while True: pass`); the run goes on. 0: never.",
)
@click.option(
    "--max-events",
    "max_events",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    # a literal, so the catalogue has it (a test holds the number to sim.report.EVENTS_AFTER_STORM)
    help="Stop the run after this many events; 0: no limit. Without it a run stops only "
    "200,000 events after a broadcast storm is seen (a storm never ends). "
    "A stopped run prints what it counted so far and exits with status 1.",
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Run the whole simulation under bubblewrap: no network, the filesystem read-only except "
    "the current directory and --files DIR (and a private /tmp). For programs you do not trust.",
)
@click.option(
    "--app-limits",
    "app_limits",
    default=None,
    metavar="cpu=10s,mem=512MiB",
    help="CPU-time and memory limits of the process that runs the programs (setrlimit); "
    "the run is stopped at the CPU limit, an allocation past the memory one is a MemoryError.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON document at the end; with --trace jsonl it carries the event list as 'events'.",
)
@click.option(
    "--html",
    "html",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="OUT.html",
    help="Write the run as one self-contained page: topology, frames moving, every step's layers "
    "and tables (opens from file://, no network). `lanlab sim view` serves it instead.",
)
@walled_command
def run(
    file: Path,
    until: str,
    seed: int,
    do: tuple[str, ...],
    pcap: Path | None,
    capture: tuple[str, ...],
    trace: str | None,
    filter_: str | None,
    show: str,
    apps: tuple[str, ...],
    stdins: tuple[str, ...],
    args: tuple[str, ...],
    app_cpu: str,
    max_events: int | None,
    sandbox: bool,
    app_limits: str | None,
    as_json: bool,
    html: Path | None = None,
    view_port: int | None = None,
    open_browser: bool = False,
    files: Path | None = None,
) -> None:
    """Run a topology file in virtual time.

    Same file + same seed + same --do = the same events and byte-identical captures.

    \b
      lanlab sim run examples/hub_vs_switch.yaml --until 2s \\
          --do "pc1 ping pc3 -c 3 -i 0.2" --show mac,arp --pcap out.pcapng
      lanlab sim run examples/arp.yaml --do "pc1 ping 198.18.0.2 -c 1" --trace jsonl --filter arp

    A loop of switches: a broadcast storm without STP, one blocked port with it:

    \b
      lanlab sim run examples/storm.yaml --max-events 200000
      lanlab sim run examples/stp.yaml --until 120s --show stp --trace table --filter stp

    Programs, unchanged, each line they print as [time] NODE | text:

    \b
      lanlab sim run examples/broadcast.yaml --app pc1=labs/programs/solution/tcp_server_once.py \\
          --app "at 0.1s pc1=labs/programs/solution/tcp_client.py" --stdin pc1=hello

    Exit status: 0 ok; 1 when a --do command got no answer (a ping without a reply, a tcp
    connect refused or timed out), a program failed or the run was stopped; 2 when a command
    could not run (a word it does not know, no route); 130 on Ctrl-C.
    """
    from lanlab.cli.sim_apps import start_apps
    from lanlab.cli.sim_wall import enter_wall, parse_limits

    limits = parse_limits(app_limits) if app_limits is not None else None
    if limits is not None and not apps:
        fail(_("--app-limits limits the programs of a run; add --app NODE=PROGRAM.py"))
    if sandbox:
        _run_sandboxed(view_port, files, limits)
    end, cpu_limit, tables = _checked_options(until, app_cpu, as_json, trace, show, filter_, capture, pcap)
    page = PageTarget(html, view_port, open_browser) if html is not None or view_port is not None else None
    text = read_or_exit(file)
    network = load_or_exit(file, seed, text)
    domains = topology_domains(file, text) if "domains" in tables else None
    _prepare(network, do, max_events, pcap, capture)
    protocols = [p.strip() for p in filter_.split(",") if p.strip()] if filter_ else None
    if trace is not None:
        _start_trace(network, trace, protocols, as_json)
    history = page.follow(network) if page is not None else None
    if files is not None:
        network.files = str(_made_folder(files))
    programs = start_apps(network, apps, stdins, args, echo=not as_json, echo_to_stderr=trace == "jsonl")
    wall = enter_wall(limits) if programs else None  # the parent waits there, then exits with the child's status
    events, interrupted = _simulate(network, programs, history, end, cpu_limit, progress=not as_json)
    _report(
        network,
        events,
        programs,
        wall,
        as_json=as_json,
        trace=trace,
        tables=tables,
        pcap=pcap,
        domains=domains,
        with_programs=bool(apps),
    )
    if trace is not None and protocols:
        _warn_unmatched_filter(network, protocols)
    if page is not None:
        page.publish(network, programs, stopped_reason(network, interrupted, len(history.events)))
    _exit(network, programs, events, interrupted)


def _run_sandboxed(view_port: int | None, files: Path | None, limits: Any) -> NoReturn:
    """--sandbox: this very command again under bubblewrap, writing only here and in --files DIR."""
    from lanlab.cli.sim_wall import command_line, run_sandboxed

    if view_port is not None:
        fail(
            _(
                "--sandbox has no network to serve the page on; use `sim run --sandbox --html OUT.html` and open "
                "the file"
            )
        )
    writable = [Path.cwd()]
    if files is not None:  # the hosts' folders are the run's too
        writable.append(_made_folder(files))
    sys.exit(run_sandboxed(command_line(click.get_current_context(), drop=("sandbox",)), writable, limits))


def _checked_options(
    until: str,
    app_cpu: str,
    as_json: bool,
    trace: str | None,
    show: str,
    filter_: str | None,
    capture: tuple[str, ...],
    pcap: Path | None,
) -> tuple[int, float, list[str]]:
    """The run's end (ns), the programs' CPU limit (s) and the --show tables; a bad or lone option
    is a one-line error."""
    try:
        end = parse_duration(until)
    except UnitError as error:
        fail(_("--until: {error}").format(error=localize(message_of(error))))
    try:
        cpu_limit = parse_duration(app_cpu) / SECOND
    except UnitError as error:
        fail(_("--app-cpu: {error}").format(error=localize(message_of(error))))
    if as_json and trace == "table":
        fail(_("--json prints one document at the end: --trace jsonl --json puts the event list in it as 'events'"))
    tables = [word.strip() for word in show.split(",") if word.strip()]
    for word in tables:
        if word not in SHOW_WORDS:
            fail(_("--show {word!r}: choose from {words}").format(word=word, words=", ".join(SHOW_WORDS)))
    if filter_ and trace is None:
        fail(_("--filter chooses what --trace shows; add --trace table (or --trace jsonl)"))
    if capture and pcap is None:
        fail(_("--capture says where to capture; add --pcap OUT.pcapng (or OUT.pcap) to say where to write"))
    return end, cpu_limit, tables


def _made_folder(folder: Path) -> Path:
    """--files DIR, made if missing; a folder that cannot be made is a one-line error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(_("--files: cannot make {folder}: {reason}").format(folder=folder, reason=localize(reason_of(error))))
    return folder


def _prepare(
    network: Any, do: tuple[str, ...], max_events: int | None, pcap: Path | None, capture: tuple[str, ...]
) -> None:
    """The run's event limit, its --do commands and its capture."""
    from lanlab.sim import CommandError, schedule

    if max_events is None:
        network.engine.events_after_storm = EVENTS_AFTER_STORM
    else:
        network.engine.max_events = max_events
    for text in do:
        try:
            schedule(network, text)
        except CommandError as error:
            fail(_("--do {error}").format(error=localize(message_of(error))))
    if pcap is not None:
        start_capture(network, pcap, capture)


def _start_trace(network: Any, trace: str, protocols: list[str] | None, as_json: bool) -> None:
    """--trace: kept for the --json document, or each event written to stdout as it happens."""
    from lanlab.sim.core.trace import jsonl_line, table_header

    # Written straight to stdout: click.echo flushes every line, which took a third of a long trace.
    write = sys.stdout.write
    if as_json:
        network.start_trace(protocols)
    elif trace == "table":
        write(table_header() + "\n")
        network.start_trace(protocols, keep=False, sink=lambda e: write(e.as_row() + "\n"))
    else:
        network.start_trace(protocols, keep=False, sink=lambda e: write(jsonl_line(e) + "\n"))


def _simulate(
    network: Any, programs: list[Any], history: Any, end: int, cpu_limit: float, progress: bool
) -> tuple[int, bool]:
    """Run to `end` (ns); (events, interrupted). Ctrl-C or SIGTERM stops a long run (a storm): what
    it counted is worth reporting."""
    from lanlab.sim.devices.storm import record_rates
    from lanlab.sim.shim import run_programs

    interrupted = False
    in_main = threading.current_thread() is threading.main_thread()  # where Python runs signal handlers
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    try:
        if programs or any(c.command.words.startswith("tcp ") for c in network.commands):
            events = run_programs(network, end, cpu_limit, run=history.run if history is not None else None)
        elif history is not None:
            events = history.run(end)
        else:
            events = network.run(end / SECOND, progress=sys.stderr.isatty() and progress)
    except KeyboardInterrupt:
        interrupted = True
        events = network.engine.events
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        network.close()
    record_rates(network)
    return events, interrupted


def _report(
    network: Any,
    events: int,
    programs: list[Any],
    wall: Any,
    *,
    as_json: bool,
    trace: str | None,
    tables: list[str],
    pcap: Path | None,
    domains: Any,
    with_programs: bool,
) -> None:
    """The --json document or the tables and the programs' endings, then warnings on stderr."""
    from lanlab.cli.sim_apps import programs_report

    if as_json:
        document = run_document(network, events)
        if domains is not None:
            document["domains"] = domains.as_json()
        if trace is not None:
            document["events"] = [event.as_dict() for event in network.trace]
        if with_programs:
            document["programs"] = [program.as_dict() for program in programs]
            document["wall"] = wall.as_dict() if wall else None
        print_json(document)
    else:
        # --trace jsonl keeps standard output for the event lines a program reads; the report goes on
        # standard error then, as tshark -T json leaves its notes there
        with contextlib.redirect_stdout(sys.stderr) if trace == "jsonl" else contextlib.nullcontext():
            print_report(network, events, tables, pcap, domains=domains)
            for line in programs_report(programs):
                click.echo(localize(line))
    for line in run_warnings(network) + ([wall.warning()] if wall and wall.warning() else []):
        click.echo(f"lanlab: {line}", err=True)


def _warn_unmatched_filter(network: Any, protocols: list[str]) -> None:
    """A --filter word no event of the run carried: say which words the events did carry."""
    from lanlab.sim.core.trace import TRACE_KINDS

    seen = network.tracer.names_seen
    unmatched = sorted({p.lower() for p in protocols} - seen)
    if not unmatched:
        return
    devices = {name.lower() for name in network.nodes} & seen
    kinds = set(TRACE_KINDS) & seen
    click.echo(
        _(
            "lanlab: warning: --filter {words} matched no event of this run (its events carry: {protocols}; "
            "devices: {devices}; kinds: {kinds})"
        ).format(
            words=",".join(unmatched),
            protocols=", ".join(sorted(seen - devices - kinds)),
            devices=", ".join(sorted(devices)),
            kinds=", ".join(sorted(kinds)),
        ),
        err=True,
    )


def _exit(network: Any, programs: list[Any], events: int, interrupted: bool) -> NoReturn:
    """130 when interrupted (saying when), 1 when a program failed or the run was stopped, else the
    commands' status."""
    if interrupted:
        click.echo(
            _(
                "lanlab: interrupted at sim time {time:.6f} s after {events:,} events; the counters are those so far"
            ).format(time=network.now / SECOND, events=events),
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    failed = any(program.exit not in (None, 0) for program in programs) or network.engine.stopped
    sys.exit(EXIT_NO_ANSWER if failed else exit_status(network))


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends a run like Ctrl-C: the report so far, then exit 130."""
    raise KeyboardInterrupt


def start_capture(network: Any, pcap: str | Path, points: tuple[str, ...] = ()) -> None:
    """network.capture(...), with a bad name, point or directory as a one-line error."""
    from lanlab.sim import NetworkError

    try:
        network.capture(pcap, points)
    except OSError as error:
        fail(_("--pcap: cannot write {file}: {reason}").format(file=pcap, reason=localize(reason_of(error))))
    except (NetworkError, ValueError) as error:
        fail(_("--pcap: {error}").format(error=localize(message_of(error))))


STP_ON = "stp: {enabled: true}"  # a switch's YAML that breaks a loop


def run_warnings(network: Any) -> list[str]:
    """One line for a storm seen, one for a run stopped by --max-events or by the storm."""
    from lanlab.sim.devices.storm import first_storm

    lines = []
    engine = network.engine
    storm = first_storm(network.nodes)
    if storm is not None:
        lines.append(_("warning: {warning}").format(warning=localize(storm.line(network.now))))
    if engine.stopped:
        why = (
            f"--max-events {engine.max_events}"
            if engine.stopped_by == "max-events"
            else _("{events} events after the broadcast storm began").format(events=f"{engine.events_after_storm:,}")
        )
        if storm is None:
            advice = _("No loop was found: raise --max-events (0: no limit)")
        elif storm.through_hubs:  # a hub has no spanning tree to turn on
            advice = _("Take a cable out of the loop (hubs run no spanning tree) or raise --max-events (0: no limit)")
        elif engine.stopped_by == "max-events":
            advice = _("Break the loop ({stp}) or raise --max-events (0: no limit)").format(stp=STP_ON)
        else:
            advice = _("Break the loop ({stp}) or give --max-events N to run longer (0: no limit)").format(stp=STP_ON)
        lines.append(
            _(
                "stopped at sim time {time} s after {events} events ({why}); the counters are those so far. {advice}"
            ).format(time=f"{network.now / 1e9:.6f}", events=f"{engine.events:,}", why=why, advice=advice)
        )
    return lines


def exit_status(network: Any) -> int:
    """2 when a command could not run, 1 when one that waits for answers got none (like ping), else 0."""
    if any(scheduled.error is not None for scheduled in network.commands):
        return EXIT_ERROR
    for scheduled in network.commands:
        answered = scheduled.command.answered() if scheduled.started else (False if scheduled.command.waits else None)
        if answered is False:
            return EXIT_NO_ANSWER
    return EXIT_OK


def print_report(
    network: Any, events: int, tables: list[str], pcap: Path | None, console: Console | None = None, domains: Any = None
) -> None:
    """Each command's output as plain lines (a 32,000-line ping through rich took seconds), tables
    through rich; every name a user chose is escaped there, so '[/bold]' in a name is text."""
    from lanlab.sim.devices.storm import first_storm

    console = console or table_console(highlight=False)
    for scheduled in network.commands:
        console.print(Text(scheduled.heading(), style="bold"), soft_wrap=True)
        lines = scheduled.lines()
        if lines:
            click.echo("\n".join(localize(line) for line in lines))
    for word in tables:
        if word == "domains":
            click.echo("\n".join(domain_lines(domains)))
            continue
        holders = [(name, node) for name, node in network.nodes.items() if holds(word, node)]
        if not holders:  # say so, rather than print nothing and leave the reader wondering
            click.echo(_("--show {word}: {holders}").format(word=word, holders=SHOW_HOLDERS[word]))
        for name, node in holders:
            if word == "mac":
                console.print(mac_table(name, node.mac_table))
            elif word == "arp":
                console.print(arp_table(name, node.arp_table))
            elif word == "route":
                console.print(route_table(name, node.routes, _("at {time}").format(time=format_duration(network.now))))
            elif word == "leases":
                console.print(
                    lease_table(name, node.dhcp.lease_rows(), _("at {time}").format(time=format_duration(network.now)))
                )
            else:
                from lanlab.proto.spanning import status_lines

                console.print(Text(_("{name} spanning tree").format(name=name), style="bold"), soft_wrap=True)
                click.echo("\n".join(status_lines(node.stp.status())))
    frames = sum(link.frames for link in network.links)
    collisions = sum(link.collisions for link in network.links)
    if network.engine.stopped or first_storm(network.nodes) is not None:
        console.print(links_table(network.counters()))
    links = len(network.links)
    click.echo(
        _("ran {name!r} to {until}: {events}, {frames} on {links}").format(
            name=network.name,
            until=format_duration(network.now),
            events=counted("{count} event", "{count} events", events),
            frames=counted("{count} frame", "{count} frames", frames),
            links=counted("{count} link", "{count} links", links),
        )
        + (counted(", {count} collision", ", {count} collisions", collisions) if collisions else "")
    )
    if pcap is not None:
        click.echo(
            _("capture written to {file}: open it with `wireshark {file}` or `tshark -r {file}`").format(file=pcap)
        )


def links_table(rows: list[dict[str, Any]]) -> Table:
    """Every link's counters and average frame rate (shown when a storm or --max-events ended the run)."""
    table = Table(title=_("links"), title_justify="left")
    for column in (N_("link"), N_("frames"), N_("frames/s"), N_("drops")):
        table.add_column(_(column), justify="left" if column == "link" else "right")
    for row in rows:
        table.add_row(
            escape(f"{row['a']} - {row['b']}"), f"{row['frames']:,}", f"{row['frames_per_s']:,.0f}", f"{row['drops']:,}"
        )
    return table


def mac_table(name: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=escape(_("{name} MAC table").format(name=name)), title_justify="left")
    for column in ("MAC", _("port"), _("age (s)")):
        table.add_column(column)
    for row in rows:
        table.add_row(row["mac"], escape(row["port"]), f"{row['age']:.3f}")
    return table


def lease_table(name: str, rows: list[dict[str, Any]], when: str) -> Table:
    table = Table(
        title=escape(_("{name} DHCP leases {when}").format(name=name, when=when)), title_justify="left", min_width=90
    )
    for column in (_("interface"), "IP", "MAC", _("state"), _("expires (s)"), _("hostname")):
        table.add_column(column)
    for row in rows:
        table.add_row(
            escape(row["interface"]),
            row["ip"],
            row["mac"],
            lease_state(row["state"]),
            f"{row['expires']:.1f}",
            escape(one_line(row["hostname"])) or "-",  # the client's own words: no escape sequence reaches the terminal
        )
    return table


def lease_state(state: str) -> str:
    """A lease's state (the English word of --json's tables.NODE.leases) in the user's language."""
    words = {
        "offered": _("offered"),
        "bound": _("bound"),
        "released": _("released"),
        "declined": _("declined"),
        "expired": _("expired"),
    }
    return words.get(state, state)


def arp_table(name: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=escape(_("{name} ARP table").format(name=name)), title_justify="left", min_width=36)
    table.add_column("IP")
    table.add_column("MAC")
    table.add_column(_("interface"))
    for row in rows:
        table.add_row(row["ip"], row["mac"], row["interface"])
    return table


def _view(port: int, no_browser: bool, **options: Any) -> None:
    run.callback(**options, as_json=False, html=None, view_port=port, open_browser=not no_browser)  # type: ignore[misc]


view = Command(
    name="view",
    callback=_view,
    params=[p for p in run.params if p.name not in ("html", "as_json")]
    + [
        click.Option(
            ["--port"],
            type=click.IntRange(0, 65535),
            default=0,
            show_default=True,
            metavar="N",
            help="Port on 127.0.0.1 to serve the page on (0: any free port).",
        ),
        click.Option(["--no-browser"], is_flag=True, help="Print the URL only; do not open a browser."),
    ],
    help="""Run a topology file (every `sim run` option) and serve the run as a page on 127.0.0.1:
    the topology with frames moving along links, step forward and back, each frame's layers and
    bytes, each device's tables at that step. Prints the URL; Ctrl-C stops.

    \b
      lanlab sim view examples/hub_vs_switch.yaml --do "pc1 ping pc3 -c 2"
      lanlab sim view examples/storm.yaml --max-events 100000 --port 8080 --no-browser

    Exit status: 130 when Ctrl-C or SIGTERM stops the viewer (the run's own status, which `sim run`
    would give, is not kept: the page shows how the run went); 2 when it cannot start: FILE's
    mistakes (each as FILE:LINE), a bad option, --sandbox, or the port taken. It serves until
    stopped, so never 0 or 1.
    """,
)
sim.add_command(view)
sim.add_command(serve)
