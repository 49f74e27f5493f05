"""`lanlab sim serve`: a network run live in the browser, in virtual time (lanlab.view.live)."""

from __future__ import annotations

import asyncio
import errno
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path
from typing import Any

import click

from lanlab.cli.common import EXIT_INTERRUPTED, NonEmptyType, Terminated, fail, terminate_as_interrupt
from lanlab.cli.help import Command
from lanlab.i18n import N_, _, localize, message_of
from lanlab.units import UnitError, parse_duration


@click.command(name="serve", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    metavar="N",
    help="Port to serve the page on (0: any free port).",
)
@click.option(
    "--host",
    type=NonEmptyType("ADDR", N_("address"), N_("one of this machine's, like 127.0.0.1 (0.0.0.0: every interface)")),
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback lets other machines drive this simulator "
    "(the URL's token is all that stops them).",
)
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser.")
@click.option(
    "--app",
    "apps",
    multiple=True,
    metavar='"[at T] NODE=FILE.py"',
    help="Run an unchanged Python program on a simulated host (the page cannot add programs).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the run's random numbers.")
@click.option(
    "--app-cpu",
    "app_cpu",
    default="5s",
    show_default=True,
    metavar="DURATION",
    help="Stop a program that computes this long without waiting (0: never).",
)
def serve(
    file: Path | None, port: int, host: str, no_browser: bool, apps: tuple[str, ...], seed: int, app_cpu: str
) -> None:
    """Run a network live in the browser: start, pause, pace or step virtual time, ping and
    pull cables from the page, and watch frames move and tables fill as they happen.

    The page sends the words of `sim run --do`, and shows the session as the `lanlab sim run`
    command line that replays it. It listens on 127.0.0.1; the printed URL carries a token that
    every request needs. Ctrl-C stops.

    \b
      lanlab sim serve examples/hub_vs_switch.yaml
      lanlab sim serve examples/hub_vs_switch.yaml --port 8080 --no-browser

    Exit status: 130 when Ctrl-C or SIGTERM stops it (the session's command line printed first);
    2 when it cannot start: FILE's mistakes (each as FILE:LINE), a bad option, the port taken or
    an address that is not this machine's. It serves until stopped, so never 0 or 1.
    """
    from lanlab.cli.sim_apps import start_apps
    from lanlab.sim import Network, load_topology, schedule
    from lanlab.sim.shim import watching
    from lanlab.view.live import LiveSession
    from lanlab.view.live_server import Builder, LiveServer
    from lanlab.view.workspace import Workspace

    try:
        cpu_limit = parse_duration(app_cpu) / 1e9
    except UnitError as error:
        fail(_("--app-cpu: {error}").format(error=localize(message_of(error))))
    if file is not None:
        problems = _problems(file)
        for problem in problems:
            click.echo(localize(problem), err=True)
        if problems:
            sys.exit(2)
    network = load_topology(file, seed=seed) if file is not None else Network("workspace", seed)
    source = [str(file) if file is not None else "WORKSPACE.yaml", "--seed", str(seed)]
    for text in apps:
        source += ["--app", text]
    session = LiveSession(
        network, schedule=schedule, source=source, watch=(lambda: watching(cpu_limit)) if apps else None
    )
    session.attach_programs(start_apps(network, apps, (), (), echo=True))
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            _(
                "lanlab: warning: --host {host}: other machines can reach this page; anyone with the URL "
                "can drive the simulator"
            ).format(host=host),
            err=True,
        )
    # `kill PID` ends it as Ctrl-C does (the session said, the workspace's folder removed): SIGTERM's
    # default left the folder behind. One handler from here to the end of the cleanup: the loop's own
    # (add_signal_handler) went with the loop, and a second kill then cut the cleanup short.
    folder = Path(tempfile.mkdtemp(prefix="lanlab-serve-"))
    server = None
    with terminate_as_interrupt():
        try:
            builder = None
            if not apps:  # programs run on the network they were given for; with --app the page does not build

                def session_of(path: Path, workspace: Workspace) -> LiveSession:
                    built = load_topology(path, seed=seed)  # it has passed the check
                    return LiveSession(
                        built, schedule=schedule, source=[f"{workspace.file_stem()}.yaml", "--seed", str(seed)]
                    )

                workspace = Workspace.from_file(file) if file is not None else Workspace()
                builder = Builder(workspace, check=_problems, session_of=session_of, folder=folder)
            server = LiveServer(session, host, port, builder=builder)
            if asyncio.run(_serve(server, open_browser=not no_browser)):  # serves until interrupted
                signal.raise_signal(signal.SIGTERM)  # the one the loop took, for terminate_as_interrupt's handler
        except (KeyboardInterrupt, Terminated):
            session = server.session if server is not None else session
            click.echo(
                _("lanlab: stopped at sim time {time} s after {events} events; the session: {command}").format(
                    time=f"{session.network.now / 1e9:.6f}",
                    events=f"{session.network.engine.events:,}",
                    command=session.command_line(),
                ),
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
        finally:  # Ctrl-C and SIGTERM alike: the workspace's folder goes, the programs end
            (server.session if server is not None else session).network.close()
            shutil.rmtree(folder, ignore_errors=True)


def _problems(path: Path) -> list[str]:
    """What `sim check` says of a file (one `FILE:LINE: message` each); [] when it passes."""
    from lanlab.sim import TopologyError, load_topology

    try:
        load_topology(path)
    except TopologyError as error:
        return list(error.problems)
    return []


async def _serve(server: Any, open_browser: bool) -> bool:
    """Serve until Ctrl-C (KeyboardInterrupt) or SIGTERM (then True). While the loop runs SIGTERM is its own:
    it stops the loop between callbacks, where a Terminated raised inside a task stayed in that task; the
    handler it replaced is back for the cleanup after."""
    loop = asyncio.get_running_loop()
    terminated = asyncio.Event()
    outer = signal.getsignal(signal.SIGTERM)
    try:  # before the URL is printed: whoever read it may stop the server at once
        loop.add_signal_handler(signal.SIGTERM, terminated.set)
    except (NotImplementedError, RuntimeError, ValueError):  # no signals here (another thread, Windows)
        outer = None
    try:
        await _start(server)
        click.echo(_("lanlab sim serve at {url}  (Ctrl-C stops)").format(url=server.url))
        sys.stdout.flush()
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        await terminated.wait()
        return True
    finally:
        if outer is not None:
            loop.remove_signal_handler(signal.SIGTERM)  # which sets SIGTERM's default action
            signal.signal(signal.SIGTERM, outer)


async def _start(server: Any) -> None:
    """Listen; a port or address that cannot be had is the command's one-line error."""
    try:
        await server.start()
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):  # the port: taken, or below 1024
            fail(
                _(
                    "--port {port}: cannot listen on {host}:{port}: {reason}; choose another --port (0: any free port)"
                ).format(port=server.port, host=server.host, reason=error.strerror or error)
            )
        fail(
            _(
                "--host {host}: cannot listen there: {reason}; give an address of this machine, like 127.0.0.1 "
                "(0.0.0.0: every interface)"
            ).format(host=server.host, reason=error.strerror or error)
        )
