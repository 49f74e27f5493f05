"""One run on the kernel: build the lab, start commands, programs and events at their times, wait
to --until, read the tables, remove everything (also on Ctrl-C, SIGTERM or an exception)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lanlab.i18n import L_
from lanlab.real import commands as do
from lanlab.real import dhcp, netns, tables
from lanlab.real.model import RealLab
from lanlab.real.programs import RealProgram, stdin_pipes


@dataclass
class RealRun:
    lab: RealLab
    until: float
    commands: list[do.DoCommand]
    programs: list[RealProgram]
    pcap: Path | None = None
    files: Path | None = None  # --files DIR: each host's programs work in DIR/NODE (else a temporary folder)
    run_id: str = field(default_factory=lambda: f"r{os.getpid()}")
    tables: dict[str, Any] = field(default_factory=dict)
    not_applied: list[dict[str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    interrupted: bool = False
    stopped_at: float | None = None  # seconds into the run when Ctrl-C or SIGTERM stopped it (None: it ran to until)
    owners: dict[str, str] = field(default_factory=dict)  # MAC -> node:interface, for compare
    skipped: list[dict[str, str]] = field(default_factory=list)  # the file's events the kernel cannot run
    igmp_reports: dict[str, int] = field(default_factory=dict)  # host -> IGMP messages its programs made it send
    dhcp_messages: dict[str, list[list[str]]] | None = None  # node:port -> [tx|rx, "DHCP Discover"] in order

    def document(self) -> dict[str, Any]:
        """The --json document, with `sim run --json`'s keys (network, until, commands, tables,
        programs) and the kernel's own: not_applied, elapsed."""
        document: dict[str, Any] = {
            "network": self.lab.name,
            "until": self.until,
            "commands": [c.as_dict() for c in self.commands],
            "tables": self.tables,
            "not_applied": self.not_applied,
            "elapsed": round(self.elapsed, 3),
        }
        if self.programs:
            document["programs"] = [p.as_dict() for p in self.programs]
            document["igmp_reports"] = self.igmp_reports
        roles = {name: role for name, node in self.lab.nodes.items() if (role := dhcp.role(node)) is not None}
        if roles:
            document["dhcp_roles"] = roles  # node -> server, relay or client (compare explains ARP by them)
        if self.dhcp_messages is not None:
            document["dhcp_messages"] = self.dhcp_messages
        return document


def execute(run: RealRun, echo: Callable[[RealProgram, float, str], None] | None = None) -> RealRun:
    """Build, run to `until`, read tables, remove; KeyboardInterrupt (Ctrl-C, SIGTERM, SIGHUP) keeps
    what was counted, marks the run interrupted and removes the lab just the same."""
    with netns.ending_as_interrupt():
        return _execute(run, echo)


def _execute(run: RealRun, echo: Callable[[RealProgram, float, str], None] | None) -> RealRun:
    started = time.monotonic()
    captures: list[subprocess.Popen[bytes]] = []
    built = None
    try:
        folders = host_folders(run)  # before anything is built: a folder that cannot be made is one line
        built = netns.build(run.lab, run.run_id)
        run.not_applied = built.not_applied + run.skipped
        if run.pcap is not None:
            captures = _start_captures(built, run.pcap)
        # only a program joins a multicast group: its host's IGMP reports are counted for compare
        counted = [node for node in dict.fromkeys(p.node for p in run.programs) if netns.count_igmp(built.ns(node))]
        stdins = stdin_pipes(run.programs)
        t0, wall0 = time.monotonic(), time.time()
        deadline = t0 + run.until
        pending: list[tuple[float, int, Any]] = sorted(
            [(c.at, i, c) for i, c in enumerate(run.commands)]
            + [(p.at, len(run.commands) + i, p) for i, p in enumerate(run.programs)],
            key=lambda item: (item[0], item[1]),
        )
        try:
            for at, _, item in pending:
                if at > run.until:
                    break
                time.sleep(max(t0 + at - time.monotonic(), 0))
                if isinstance(item, RealProgram):
                    item.start(built.ns(item.node), t0, stdins[item.node], echo, folders[item.node])
                else:
                    if item.word in do.SNAPSHOTS:
                        do.settle([c for c in run.commands if c.started], time.monotonic() + do.READY_S)
                    do.start(built, item, run.until)
            for command in run.commands:
                do.finish(command, time.time() - (time.monotonic() - t0), run.until)
            time.sleep(max(deadline - time.monotonic(), 0))
        except KeyboardInterrupt:
            run.interrupted = True
            run.stopped_at = round(min(time.monotonic() - t0, run.until), 3)
        # Ctrl-C pressed again while the results are gathered threw them all away: held off until they are
        # (each step is bounded: a tool gets 3 s to report after its SIGINT, then SIGKILL)
        with netns.shielded() as caught:
            _gather(run, built, t0, wall0, counted)
        for fd in stdins.values():
            os.close(fd)
        run.interrupted = run.interrupted or bool(caught)
    finally:
        # another Ctrl-C (or SIGTERM) now would leave the lab half removed: held until it is gone
        with netns.shielded() as caught:
            try:
                for capture in captures:
                    capture.terminate()
                    capture.wait(timeout=5)
            finally:
                netns.remove(run.run_id)
        run.elapsed = time.monotonic() - started
        run.interrupted = run.interrupted or bool(caught)
    return run


def _gather(run: RealRun, built: netns.Built, t0: float, wall0: float, counted: list[str]) -> None:
    """At the run's end or its interrupt: the programs stopped, every namespace's tables read; an
    interrupted run's tools still at work first SIGINTed for their reports."""
    if run.interrupted:
        for command in run.commands:
            do.finish(command, time.time() - (time.monotonic() - t0), run.until, now=True)
    for program in run.programs:
        program.stop()
    run.igmp_reports = {node: sent for node in counted if (sent := netns.igmp_sent(built.ns(node)))}
    run.tables = {
        name: t
        for name, node in run.lab.nodes.items()
        if (t := tables.node_tables(node.kind, built.ns(name), node.stp is not None)) is not None
    }
    for name, node in run.lab.nodes.items():
        if built.dhcp_folder is not None and dhcp.serving(node):
            run.tables[name]["leases"] = dhcp.leases(node, built.dhcp_folder, wall0)
    bridges: set[str] = set()
    for name, node in run.lab.nodes.items():
        found = tables.owners(built.ns(name), name)
        (run.owners if node.kind in ("host", "router") else bridges).update(found)
    _drop_bridge_ports(run, bridges)
    if built.dhcp_captures and built.dhcp_folder is not None:
        run.dhcp_messages = dhcp.messages(built.dhcp_captures, built.dhcp_folder, run.owners)


def host_folders(run: RealRun) -> dict[str, Path]:
    """Each program's host's folder, where its programs start (as in the simulator: a file one host
    writes is not another's): `--files DIR`/NODE, kept, or one under a temporary folder of the run
    (netns.FILES_FOLDER), removed with the lab (and by `real clean` after a killed run)."""
    if not run.programs:
        return {}
    root = run.files if run.files is not None else Path(tempfile.mkdtemp(prefix=f"{netns.FILES_FOLDER}{run.run_id}-"))
    folders = {node: root.resolve() / node for node in dict.fromkeys(p.node for p in run.programs)}
    for folder in folders.values():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # DIR/NODE is a file, or DIR is not writable
            raise netns.RealError(
                L_("--files: cannot make {folder}: {reason}", folder=folder, reason=error.strerror or str(error))
            ) from None
    return folders


def _drop_bridge_ports(run: RealRun, bridge_ports: set[str]) -> None:
    """A kernel bridge learns the sending port's MAC from the BPDUs of its neighbours; a switch in
    the simulator learns nothing from them. Those entries (a bridge port's MAC) are left out."""
    for held in run.tables.values():
        if "mac" in held:
            held["mac"] = [row for row in held["mac"] if row["mac"].lower() not in bridge_ports]
    for command in run.commands:
        if command.result is not None and "mac" in command.result:
            command.result["mac"] = [row for row in command.result["mac"] if row["mac"].lower() not in bridge_ports]


def _start_captures(built: netns.Built, folder: Path) -> list[subprocess.Popen[bytes]]:
    """dumpcap on each link's first end, one pcapng per link (A_p-B_q.pcapng)."""
    folder.mkdir(parents=True, exist_ok=True)
    captures = []
    for link in built.lab.links:
        out = folder / f"{link.a[0]}_{link.a[1]}-{link.b[0]}_{link.b[1]}.pcapng"
        captures.append(
            subprocess.Popen(
                [
                    "ip",
                    "netns",
                    "exec",
                    built.ns(link.a[0]),
                    "dumpcap",
                    "-q",
                    "-i",
                    link.a[1],
                    "-w",
                    str(out.resolve()),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C is lanlab's to act on (netns._run)
            )
        )
    time.sleep(0.5)  # dumpcap opens its interfaces before the first frame worth keeping
    return captures
