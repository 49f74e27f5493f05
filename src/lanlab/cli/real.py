"""`lanlab real run|up|exec|down|clean` (a topology on the kernel) and `lanlab compare` (the
simulator held to it)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from lanlab.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_NO_ANSWER, EXIT_OK, fail, print_json
from lanlab.cli.help import Command, Group
from lanlab.i18n import N_, _, counted, localize, message_of
from lanlab.units import UnitError, format_duration, parse_duration
from lanlab.program_lines import cut_short_line

STANDING = "up"  # the run id of a lab left standing by `real up`
EXIT_NOT_FOUND, EXIT_NOT_EXECUTABLE = 127, 126  # `real exec` of a command that is not there, or not a program (as sh)

DO_HELP = N_(  # extracted for the catalogue here: click's help= names a variable
    "A command, in `sim run`'s words, run as the real tool inside NODE's namespace: \"pc1 ping pc3 -c 3\", "
    '"pc2 udp listen 7788 --reply hello", "pc1 udp broadcast Hi --port 7788 --wait 1", '
    '"at 1s pc1 udp send pc2 9 hi --wait 1", "pc2 tcp serve", "at 1s pc1 tcp connect pc2 7788 --send hi", '
    '"pc1 traceroute pc3 -I", "pc1 arp", "sw1 mac", "sw1 stp", "r1 route", '
    '"at 2s link r1:eth1 r2:eth0 down". Repeatable.'
)


def _options(command: Any) -> Any:
    for option in reversed(
        [
            click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
            click.option("--do", "do", multiple=True, metavar='"[at T] NODE COMMAND"', help=DO_HELP),
            click.option(
                "--app",
                "apps",
                multiple=True,
                metavar='"[at T] NODE=FILE.py"',
                help="Run a Python program with this Python inside NODE's namespace. Repeatable.",
            ),
            click.option(
                "--stdin",
                "stdins",
                multiple=True,
                metavar="NODE=TEXT",
                help="A line of NODE's programs' standard input (repeatable: one line each).",
            ),
            click.option(
                "--arg",
                "args",
                multiple=True,
                metavar="NODE=ARG",
                help="An argument (sys.argv) for NODE's programs (repeatable, in order).",
            ),
            click.option(
                "--until",
                "until",
                default="10s",
                show_default=True,
                help="How long the run lasts (wall-clock time on the kernel).",
            ),
            click.option(
                "--json", "as_json", is_flag=True, help="One JSON document at the end (sim run --json's keys)."
            ),
        ]
    ):
        command = option(command)
    return command


def _fail_real(error: Exception) -> NoReturn:
    fail(localize(message_of(error)))


def say_not_applied(items: list[dict[str, Any]]) -> None:
    """On stderr, each property of the file the kernel run could not apply, and why."""
    for item in items:
        click.echo(
            _("lanlab: not applied on the kernel: {property} on {where} ({why})").format(
                property=item["property"], where=item["where"], why=localize(item["why"])
            ),
            err=True,
        )


def load_lab(file: Path) -> Any:
    """The file read for the kernel; every mistake as FILE:LINE, exit 2; its warnings said."""
    from lanlab.real.model import TopologyError, read_lab

    try:
        lab = read_lab(file)
    except TopologyError as error:
        for problem in error.problems:
            click.echo(localize(problem), err=True)
        sys.exit(EXIT_ERROR)
    for line in lab.warnings:  # as `sim check` prints them: the lab still runs
        click.echo(localize(line), err=True)
    return lab


def prepare(
    file: Path,
    do: tuple[str, ...],
    apps: tuple[str, ...],
    stdins: tuple[str, ...],
    until: str,
    pcap: Path | None = None,
    args: tuple[str, ...] = (),
) -> Any:
    """A RealRun ready to execute, every bad argument a one-line error (exit 2)."""
    from lanlab.cli.sim_apps import AppSpecError, app_problem, parse_app, program_inputs
    from lanlab.real.commands import parse_do, unsupported
    from lanlab.real.netns import RealError, require_root
    from lanlab.real.programs import RealProgram
    from lanlab.real.run import RealRun

    try:
        end = parse_duration(until) / 1e9
    except UnitError as error:
        fail(_("--until: {error}").format(error=localize(message_of(error))))
    lab = load_lab(file)
    skipped = []
    events = []
    for text, _line in lab.events:  # the file's own events: one the kernel cannot run is said, not fatal
        why = unsupported(lab, text)
        if why is None:
            events.append(text)
        else:
            skipped.append({"where": "events", "property": f"event {text!r}", "why": why})
    try:
        require_root()
        commands = [parse_do(lab, text) for text in [*events, *do]]
    except RealError as error:
        _fail_real(error)
    check_file_events(file, lab)
    check_do_words(do, list(lab.nodes))
    # --stdin and --arg read, and refused, in the simulator's words (a node that runs no program included)
    try:
        stdin_of, args_of = program_inputs(stdins, args, {parse_app(text)[1] for text in apps}, list(lab.nodes))
    except AppSpecError as error:
        fail(localize(message_of(error)))
    programs = []
    for text in apps:
        at, node, path = parse_app(text)
        problem = app_problem(text, node, path, {name: spec.kind for name, spec in lab.nodes.items()})
        if problem is not None:
            fail(problem)
        programs.append(
            RealProgram(node, str(path), at / 1e9, stdin=stdin_of.get(node, ""), args=list(args_of.get(node, [])))
        )
    return RealRun(lab, end, commands, programs, pcap, skipped=skipped)


def check_file_events(file: Path, lab: Any) -> None:
    """The file's events held to the simulator's parser, as `sim check` holds them: every mistake as
    FILE:LINE in its words, exit 2 (a malformed event ran on the kernel and failed there, or crashed
    the report: `tcp connect` without HOST PORT)."""
    from lanlab.sim.commands import CommandError, read_do

    problems = []
    for text, line in lab.events:
        try:
            read_do(text, list(lab.nodes))
        except CommandError as error:
            problem = _("event {problem}").format(problem=localize(message_of(error)))
            problems.append(_("{file}:{line}: {problem}").format(file=file, line=line, problem=problem))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(EXIT_ERROR)


def check_do_words(do: tuple[str, ...], nodes: list[str]) -> None:
    """Each --do's arguments held to the simulator's parser, as `sim run` holds them, before anything
    is built: the kernel's tools refused them only once the lab stood (ping -c 0 was an error line
    after the run; tcp connect without HOST PORT crashed the report)."""
    from lanlab.sim.commands import CommandError, read_do

    for text in do:
        try:
            read_do(text, nodes)
        except CommandError as error:
            fail(_("--do {error}").format(error=localize(message_of(error))))


def execute_or_fail(run: Any, echo: Any = None) -> Any:
    from lanlab.real.netns import RealError
    from lanlab.real.run import execute

    try:
        return execute(run, echo)
    except RealError as error:
        _fail_real(error)


@click.group(name="real", cls=Group)
def real() -> None:
    """The same topology file on the real Linux kernel (root): namespaces, veths, bridges.

    Each node is a network namespace (lanlab-RUN-NODE), each link a veth pair, each switch or hub
    a Linux bridge; --do words run the real lanlab tools inside the namespaces. Nothing is
    configured in the machine's own namespace, and everything is removed at the end.

    \b
      sudo lanlab real run examples/broadcast.yaml --until 3s \\
          --do "pc2 udp listen 7788 --reply hello" --do "pc1 udp broadcast Hi --wait 1"
      sudo lanlab real up examples/hub_vs_switch.yaml
      sudo lanlab real exec pc1 -- ping -c 1 198.18.0.3
      sudo lanlab real down
      sudo lanlab real clean          # what a killed run left
    """


def program_echo(program: Any, t: float, text: str) -> None:
    from lanlab.cli.sim_apps import program_line

    click.echo(program_line(program.node, round(t * 1e9), text))


def _folder_option(name: str, help: str) -> Any:
    """A `--NAME DIR` option (a folder, made when the run writes into it); `help` an N_() text (the
    catalogue's extractor finds help= literals only)."""
    return click.option(
        f"--{name}", name, type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR", help=help
    )


@real.command(name="run")
@_options
@_folder_option("pcap", N_("Capture every link with dumpcap: one DIR/A_p-B_q.pcapng per link."))
@_folder_option(
    "files",
    N_(
        "Keep the files programs write: each host works in DIR/NODE (default: a temporary folder per host, "
        "removed after the run)."
    ),
)
def run_command(
    file: Path,
    do: tuple[str, ...],
    apps: tuple[str, ...],
    stdins: tuple[str, ...],
    args: tuple[str, ...],
    until: str,
    as_json: bool,
    pcap: Path | None,
    files: Path | None,
) -> None:
    """Build FILE in namespaces, run the --do commands and --app programs, print what `sim run`
    prints, remove everything (also on Ctrl-C or a crash).

    \b
      sudo lanlab real run examples/hub_vs_switch.yaml --until 3s --do "pc1 ping pc3 -c 3 -i 0.2"
      sudo lanlab real run examples/broadcast.yaml --app pc1=tcp_server_once.py \\
          --app "at 1s pc2=tcp_client.py" --stdin pc2=hello --json

    Exit status: 0 ok, 1 a command got no answer or a program failed, 2 error, 130 Ctrl-C.
    """
    from lanlab.real import commands as do_words
    from lanlab.real.programs import report

    run = prepare(file, do, apps, stdins, until, pcap, args)
    if pcap is not None:  # before anything is built: a folder that cannot be made is a one-line error
        try:
            pcap.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            fail(_("--pcap: cannot make {folder}: {reason}").format(folder=pcap, reason=error.strerror or error))
    if files is not None:
        try:
            files.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            fail(_("--files: cannot make {folder}: {reason}").format(folder=files, reason=error.strerror or error))
        run.files = files
    run = execute_or_fail(run, None if as_json else program_echo)
    say_not_applied(run.not_applied)
    # an interrupted run ended when it was stopped, not at --until
    ended = format_duration(round((run.until if run.stopped_at is None else run.stopped_at) * 1e9))
    if as_json:
        print_json(run.document())
    else:
        for command in run.commands:
            click.secho(command.heading(), bold=True)
            if run.stopped_at is not None and command.result is None and command.error is None:
                said = [_("(not started: the run was interrupted first)")]
            else:
                said = do_words.lines(command)
            if command.result is not None and command.cut_short():
                said.append(cut_short_line(ended))
            click.echo("\n".join(localize(line) for line in said))
        for line in report(run.programs):
            click.echo(localize(line))
        click.echo(
            _(
                "ran {name} on the kernel to {until}: {nodes} namespaces, {links} links, removed after {seconds} s"
            ).format(
                name=repr(run.lab.name),
                until=ended,
                nodes=len(run.lab.nodes),
                links=len(run.lab.links),
                seconds=f"{run.elapsed:.1f}",
            )
        )
        if pcap is not None:
            click.echo(_("captures written to {folder}/ (one pcapng per link)").format(folder=pcap))
    if run.interrupted:
        if run.stopped_at is None:
            click.echo(_("lanlab: interrupted; the lab was removed"), err=True)
        else:
            click.echo(_("lanlab: interrupted at {time}; the lab was removed").format(time=ended), err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(run_status(run))


def run_status(run: Any) -> int:
    if any(command.error is not None for command in run.commands):
        return EXIT_ERROR
    if any(command.answered() is False for command in run.commands) or any(
        program.exit not in (None, 0) for program in run.programs
    ):
        return EXIT_NO_ANSWER
    return EXIT_OK


@real.command(name="up")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def up(file: Path) -> None:
    """Build FILE in namespaces and leave it standing (one lab at a time); then `real exec`, `real down`.

    \b
      sudo lanlab real up examples/arp.yaml
      sudo lanlab real exec pc1 -- lanlab ping -c 2 198.18.0.2
      sudo lanlab real down

    Exit status: 0 the lab is up, 2 error (not root, a lab already standing, FILE's mistakes), 130
    Ctrl-C (what was built is removed).
    """
    from lanlab.real.netns import RealError, build, ending_as_interrupt, namespace

    lab = load_lab(file)
    try:  # SIGTERM or SIGHUP as Ctrl-C while building: the half-built lab is removed (it was left standing)
        with ending_as_interrupt():
            built = build(lab, STANDING)
    except RealError as error:
        _fail_real(error)
    # a standing lab has no clock to run the file's timed events by: said, as any property not applied
    unrun = [
        {"where": "events", "property": f"event {text!r}", "why": N_("`real up` runs no events: `real run` does")}
        for text, _line in lab.events
    ]
    say_not_applied(built.not_applied + unrun)
    click.echo(
        _(
            "{name} is up: {nodes} namespaces ({pattern}), {links} links; "
            "`lanlab real exec NODE -- CMD` runs in one, `lanlab real down` removes them"
        ).format(name=repr(lab.name), nodes=len(lab.nodes), pattern=namespace(STANDING, "*"), links=len(lab.links))
    )


@real.command(name="exec", context_settings={"ignore_unknown_options": True})
@click.argument("node")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_command(node: str, command: tuple[str, ...]) -> None:
    """Run COMMAND inside NODE's namespace of the lab `real up` left standing.

    \b
      sudo lanlab real exec pc1 -- ip neigh
      sudo lanlab real exec sw1 -- bridge fdb show br br0

    Exit status: COMMAND's own; 127 when it is not found, 126 when it is not a program, 2 when no
    lab stands or NODE is not in it.
    """
    from lanlab.real.netns import RealError, namespace, namespaces, require_root

    try:
        require_root()
        standing = namespaces()
    except RealError as error:
        _fail_real(error)
    ns = namespace(STANDING, node)
    if ns not in standing:
        prefix = namespace(STANDING, "")  # `ip netns list` gives the newest first: the list is sorted for people
        nodes = sorted(name[len(prefix) :] for name in standing if name.startswith(prefix))
        if nodes:
            fail(_("no node {node} standing (nodes: {nodes})").format(node=repr(node), nodes=", ".join(nodes)))
        fail(_("no node {node} standing: start a lab with `lanlab real up FILE`").format(node=repr(node)))
    argv = list(command)
    if argv[:1] == ["lanlab"]:  # this lanlab, whichever PATH the namespace's shell would find
        argv = [sys.executable, "-m", "lanlab", *argv[1:]]
    # `ip netns exec` says a missing command in its own words and exits 1, as a command that ran and
    # failed; a shell's 127 (not found) and 126 (not executable) tell them apart
    if shutil.which(argv[0]) is None:
        found = "/" in argv[0] and Path(argv[0]).exists()
        click.echo(
            (
                _("lanlab: {command}: not executable (permission denied)")
                if found
                else _("lanlab: {command}: command not found")
            ).format(command=argv[0]),
            err=True,
        )
        sys.exit(EXIT_NOT_EXECUTABLE if found else EXIT_NOT_FOUND)
    os.execvp("ip", ["ip", "netns", "exec", ns, *argv])


@real.command(name="down")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def down(file: Path | None) -> None:
    """Remove the lab `real up` left standing (FILE, when given, is only checked to be that lab's).

    Exit status: 0 removed (or nothing was standing), 2 error (not root, FILE is another lab)."""
    from lanlab.real.netns import RealError, namespace, namespaces, remove, require_root

    lab = load_lab(file) if file is not None else None
    try:
        require_root()
        if lab is not None:
            prefix = namespace(STANDING, "")
            standing = [name[len(prefix) :] for name in namespaces() if name.startswith(prefix)]
            if standing and set(standing) != set(lab.nodes):
                fail(
                    _(
                        "the lab standing is not {file}'s (its nodes: {nodes}); "
                        "`lanlab real down` without FILE removes it"
                    ).format(file=file, nodes=", ".join(sorted(standing)))
                )
        gone = remove(STANDING)
    except RealError as error:
        _fail_real(error)
    click.echo(
        counted("removed {count} namespace", "removed {count} namespaces", len(gone))
        if gone
        else _("no lab is standing (nothing to remove)")
    )


@real.command(name="clean")
def clean() -> None:
    """Remove what killed runs left (lanlab-rPID-* whose process is gone) and the standing lab; a run
    still going is left alone.

    Exit status: 0 cleaned (or nothing to clean), 2 error (not root)."""
    from lanlab.real.netns import RealError, remove, require_root

    try:
        require_root()
        gone = remove(None)
    except RealError as error:
        _fail_real(error)
    click.echo(
        counted(
            "removed {count} namespace: {names}", "removed {count} namespaces: {names}", len(gone), names=" ".join(gone)
        )
        if gone
        else _("nothing to clean")
    )


@click.command(name="compare", cls=Command)
@_options
@click.option(
    "--app-cpu",
    "app_cpu",
    default="5s",
    show_default=True,
    metavar="DURATION",
    help="In the simulator, stop a program that computes this long without waiting (sim run's --app-cpu); "
    "on the kernel it runs on.",
)
def compare(
    file: Path,
    do: tuple[str, ...],
    apps: tuple[str, ...],
    stdins: tuple[str, ...],
    args: tuple[str, ...],
    until: str,
    as_json: bool,
    app_cpu: str,
) -> None:
    """Run FILE in the simulator and on the kernel with the same --do and --app, and list what
    differs: command results (ping counts, who answered a broadcast), tables (ARP, MAC per port,
    routes) and programs' outputs. Times, RTTs, MAC values (named by their interface), ephemeral
    ports are normalised; differences the README lists as known are shown but not counted.

    \b
      sudo lanlab compare examples/broadcast.yaml --until 3s \\
          --do "pc2 udp listen 7788 --reply hello" --do "pc1 udp broadcast Hi --wait 1"

    Exit status: 0 no difference, 1 differences, 2 error.
    """
    from lanlab.real.compare import differences

    run = prepare(file, do, apps, stdins, until, args=args)
    try:
        cpu_limit = parse_duration(app_cpu) / 1e9
    except UnitError as error:
        fail(_("--app-cpu: {error}").format(error=localize(message_of(error))))
    sim_document, sim_owners = simulate(file, do, apps, stdins, until, args, cpu_limit)
    run = execute_or_fail(run)
    if run.interrupted:  # half a kernel run against a whole simulated one: every count would differ
        click.echo(_("lanlab: interrupted; the lab was removed and nothing was compared"), err=True)
        sys.exit(EXIT_INTERRUPTED)
    found, known = differences(sim_document, run.document(), sim_owners, run.owners)
    if as_json:
        print_json({"network": run.lab.name, "differences": found, "known": known})
    else:
        for line in found:
            click.echo(_("difference: {line}").format(line=localize(line)))
        for line in known:
            click.echo(_("known: {line}").format(line=localize(line)))
        click.echo(
            counted(
                "{name}: {count} difference between the simulator and the kernel",
                "{name}: {count} differences between the simulator and the kernel",
                len(found),
                name=repr(run.lab.name),
            )
            + (_(" ({count} known, not counted)").format(count=len(known)) if known else "")
        )
    sys.exit(EXIT_NO_ANSWER if found else EXIT_OK)


def simulate(
    file: Path,
    do: tuple[str, ...],
    apps: tuple[str, ...],
    stdins: tuple[str, ...],
    until: str,
    args: tuple[str, ...] = (),
    cpu_limit: float = 5.0,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The simulator's side, through its public API: the `sim run --json` document, and each MAC's
    owner (node:interface)."""
    from lanlab.cli.sim import load_or_exit
    from lanlab.cli.sim_apps import start_apps
    from lanlab.sim import CommandError, Host, schedule
    from lanlab.sim.report import run_document
    from lanlab.sim.shim import run_programs

    network = load_or_exit(file)
    for text in do:
        try:
            schedule(network, text)
        except CommandError as error:
            fail(_("--do {error}").format(error=localize(message_of(error))))
    programs = start_apps(network, apps, stdins, args, echo=False)
    tracer = network.start_trace(protocols=["dhcp"])  # the DHCP messages each interface sent and received
    end = parse_duration(until)
    try:
        if programs or any(c.command.words.startswith("tcp ") for c in network.commands):
            events = run_programs(network, end, cpu_limit)
        else:
            events = network.run(end / 1e9)
    finally:
        network.close()
    document = run_document(network, events)
    document["programs"] = [program.as_dict() for program in programs]
    document["dhcp_messages"] = {}
    for event in tracer.events:
        # the filter also keeps any event of a node named like it (a host called dhcp): DHCP frames only
        if (
            event.proto == "DHCP"
            and event.event_kind in ("tx", "rx")
            and isinstance(network.nodes.get(event.device), Host)
        ):
            message = event.summary.split(" - ")[0].strip()
            document["dhcp_messages"].setdefault(f"{event.device}:{event.port}", []).append([event.event_kind, message])
    owners = {
        str(nic.mac).lower(): f"{name}:{nic.name}"
        for name, node in network.nodes.items()
        if isinstance(node, Host)
        for nic in node.nics
    }
    return document, owners
