"""The socket shim: Python programs run unchanged on simulated hosts.

    net = Network.from_yaml("lan.yaml")
    server = net.node("pc1").run_program("tcp_server_once.py")
    client = net.node("pc1").run_program("tcp_client.py", stdin="hello")
    run_programs(net, until=10 * S)
    client.output  # [(t_ns, "...")]

Each program is a process on its host: its threads are greenlets, a blocking call parks it,
and the engine moves virtual time on only when every program is parked. Inside, every import
goes through the program's own import system (`_imports`), where `socket`, `select`, `time`,
`threading`, `sys`, `os`, `print` and `input` are the simulated host's and every other
standard-library module (selectors, queue, socketserver, concurrent.futures, http.client, ...)
runs afresh over them (see `_modules`); subprocess, os.fork, ssl, ... raise
UnsupportedInSimulation naming the call and the host.

How to extend: a new simulated module is a builder in `_modules.Overlay.builders` (name ->
function returning a module object); a blocking primitive waits with
`program.wait(predicate, timeout_ns)` and whatever makes the predicate true calls
`program.shim.poke()` (the host's TCP does it after every segment).
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import threading
from pathlib import Path
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable, TextIO

from lanlab.i18n import L_
from lanlab.sim.shim._files import HostFiles, host_folder
from lanlab.sim.shim._imports import SentModule
from lanlab.sim.shim._modules import Overlay
from lanlab.sim.shim._process import Program, UnsupportedInSimulation, interrupt_run, program_stdin, shim_host
from lanlab.sim.shim._watchdog import DEFAULT_LIMIT, watching
from lanlab.units import parse_duration

STOPS = (signal.SIGINT, signal.SIGTERM)  # what stops a run of programs from outside: Ctrl-C, kill

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network

__all__ = ["Program", "SentModule", "UnsupportedInSimulation", "program_stdin", "run_programs", "start_program"]

FIRST_PID = 1000
_pids = itertools.count(FIRST_PID)


def start_program(
    host: Host,
    *,
    path: str | None = None,
    function: Callable[..., Any] | None = None,
    stdin: str | TextIO = "",
    args: list[Any] | None = None,
    at: int | float | str | None = None,
    source: bytes | None = None,
    modules: Iterable[SentModule] = (),
) -> Program:
    """Start a program file (`path`, with `args` as sys.argv[1:]) or `function(*args)` on
    `host` at virtual time `at` (default: now). `source`: the file's text when it came from
    elsewhere (a sweep's run on a Dask worker, which has no copy of the file); `modules`: the
    modules of its folder that came with it, imported from their text."""
    begins = None if at is None else ns_or_unit_string("at", at)  # refused before anything is made
    args = args or []
    label = path if path is not None else getattr(function, "__name__", "function")
    program = Program(host, str(label), stdin)
    network: Network | None = host.network
    started = network.programs if network is not None else None
    # numbered per network, so a run's pids are the same whatever ran before in this process (a
    # sweep's runs share a process per batch)
    program.pid = FIRST_PID + len(started) if started is not None else next(_pids)  # type: ignore[attr-defined]
    # its os.urandom and unseeded random come from the run's seed: the same seed, the same events
    program.entropy = random.Random(f"{host.engine.seed} {host.name} {program.pid}")  # type: ignore[attr-defined]
    program.files = HostFiles(program, host_folder(host), os.getcwd())
    overlay = Overlay(
        program,
        [str(label), *map(str, args)] if path is not None else [str(label)],
        Path(path).resolve().parent if path is not None else None,
        modules,
    )
    if path is not None:
        # absolute, as Python 3.9+ makes a script's __file__ and its tracebacks' names: the program's working
        # directory is its host's folder, where a relative name would find nothing beside the script
        where = os.path.abspath(path)
        # dont_inherit: the program's own __future__ imports only, not this module's (annotations became strings)
        code = compile(Path(path).read_bytes() if source is None else source, where, "exec", dont_inherit=True)
        namespace = overlay.namespace(where)
        body: Callable[[], Any] = lambda: exec(code, namespace)  # noqa: S102 - the user's program
    else:
        assert function is not None
        rebound = overlay.rebind(function)
        body = lambda: rebound(*args)
    if started is not None:
        started.append(program)
    shim_host(host)
    program.start(body, host.engine.now if begins is None else max(begins, host.engine.now))
    return program


def ns_or_unit_string(name: str, value: int | float | str) -> int:
    """A time given as integer nanoseconds or a unit string ("0.5s"); a float or anything else is refused,
    since 0.5 would mean half a nanosecond here where Network's own calls read it as seconds."""
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(
        L_('{name}={value!r}: give whole nanoseconds or a unit string like "0.5s"', name=name, value=value)
    )


def run_programs(
    network: Network,
    until: int | float | str,
    cpu_limit: float | None = DEFAULT_LIMIT,
    *,
    run: Callable[[int], int] | None = None,
) -> int:
    """Run the engine to `until` (ns, or a unit string like "2s") whatever the programs do (a run ends at its end time, not
    when its programs end); returns the number of events dispatched. A program that computes
    `cpu_limit` s of CPU without waiting is stopped (None or 0: never). `run(until)` instead of
    the engine's own: a viewer's TableHistory.run, which looks at the tables after each instant."""
    end = ns_or_unit_string("until", until)
    # Ctrl-C and SIGTERM raise RunInterrupted, which a program's KeyboardInterrupt of its own is not
    in_main = threading.current_thread() is threading.main_thread()  # where Python runs signal handlers
    previous = [signal.signal(number, interrupt_run) for number in STOPS] if in_main else []
    try:
        with watching(cpu_limit):
            return (run or network.engine.run)(end)
    finally:
        for number, handler in zip(STOPS, previous):
            signal.signal(number, handler)
