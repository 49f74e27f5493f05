"""`--do` words on the kernel: each one is the real lanlab tool (or iproute2) run inside the node's
namespace, its --json read back into the result the simulator's command reports (same keys), so
`sim run --json` and `real run --json` read alike.
"""

from __future__ import annotations

import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from ipaddress import IPv4Address
from typing import Any

from lanlab import ping_lines
from lanlab.i18n import L_, N_, L_counted, message_of
from lanlab.proto.icmp import linger_ns
from lanlab.proto.spanning import status_lines
from lanlab.proto.traceroute import Hop, numbers_only, report_lines
from lanlab.real import dhcp, dns, tables
from lanlab.real.model import RealLab
from lanlab.real.netns import Built, RealError
from lanlab.program_lines import not_a_host_line, words_text
from lanlab.table_lines import arp_lines, route_lines
from lanlab.tcp_lines import connect_lines, serve_lines
from lanlab.units import UnitError, format_duration, parse_duration

LANLAB = [sys.executable, "-m", "lanlab"]  # this Python's lanlab, inside the namespace
PING_VALUED = {"-c", "-i", "-W", "-w", "-s", "-t", "-I", "-M"}
DEFAULT_PING_SIZE = 56
WORDS = (
    "ping",
    "udp listen",
    "udp send",
    "udp broadcast",
    "tcp serve",
    "tcp connect",
    "traceroute",
    "arp",
    "mac",
    "route",
    "stp",
    "dig",
    "nslookup",
    "dhcp renew",
    "dhcp release",
)
SNAPSHOTS = {"arp", "mac", "route", "stp"}  # read at their instant, nothing left running
READ_HERE = SNAPSHOTS | {"dhcp renew", "dhcp release"}  # done by lanlab itself, no tool run (start)
LISTENERS = {"udp listen", "tcp serve"}  # run until the run ends; later commands may talk to them
TRACEROUTE_VALUED = {"-m": "30", "-q": "3", "-w": "5", "-p": "33434"}  # the simulator's defaults
TCP_CONNECT_WAIT = "1"  # the simulator's `tcp connect --wait` default (the tool's own waits for the peer to close)
TRACEROUTE_MISSING = "traceroute on the kernel runs Linux traceroute, which is not installed: apt install traceroute"
NSLOOKUP_MARK = "lanlab-nslookup-prints"  # between the dig that gives nslookup's result and what it prints
READY_S = 10.0  # a listener's start (Python, click, the socket) on a loaded machine
# The shortest --stop-after a ping gets: one timed at --until itself sends its first request, as the
# simulator's does at that instant (the tool refuses --stop-after 0).
FIRST_REQUEST_S = 0.001


# `NODE mac` and `NODE stp` on a node that is not a switch, as the simulator says them
NO_MAC_TABLE = {
    "hub": N_("{node} is a hub: only switches have a MAC table"),
    "host": N_("{node} is a host: only switches have a MAC table"),
    "router": N_("{node} is a router: only switches have a MAC table"),
    "node": N_("{node} is a {kind}: only switches have a MAC table"),
}
# any other word on a switch or a hub is refused as the simulator refuses it (program_lines.not_a_host_line):
# in a bridge's namespace a tool would run, ping say "Network is unreachable", a listener listen
SWITCH_WORDS = {"mac", "stp"}  # the words a switch answers (a hub or host: NO_MAC_TABLE, NO_SPANNING_TREE)
NO_SPANNING_TREE = {
    "hub": N_("{node} is a hub: only switches run a spanning tree"),
    "host": N_("{node} is a host: only switches run a spanning tree"),
    "router": N_("{node} is a router: only switches run a spanning tree"),
    "node": N_("{node} is a {kind}: only switches run a spanning tree"),
}


@dataclass
class DoCommand:
    """One `[at T] NODE WORDS` line on the kernel."""

    text: str
    at: float
    node: str
    words: str
    argv: list[str]
    process: subprocess.Popen[str] | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    started: bool = False
    interrupted: bool = False  # the run's end stopped it (SIGINT) before it ended by itself
    started_mono: float = 0.0  # when it really started (time.monotonic())
    until: float = 0.0  # the run's --until, once started (a ping still waiting for replies then was cut short)
    output: list[str] = field(default_factory=list)
    chunks: list[tuple[float, str]] = field(default_factory=list)  # tcp connect: (time.time(), text) as it came
    printed: str = ""  # dig: what it printed (what `real run` shows)
    names: dict[str, str] = field(default_factory=dict)  # traceroute: the names Linux's gave the hops' senders
    link_ends: tuple[str, str] | None = None  # a link event: its two ends, in the file's order
    reader: threading.Thread | None = None

    @property
    def word(self) -> str:
        return next((w for w in sorted(WORDS, key=len, reverse=True) if self.words.startswith(w)), self.words)

    def as_dict(self) -> dict[str, Any]:
        result = {"error": self.error} if self.error is not None else self.result
        return {
            "node": self.node,
            "command": self.words,
            "at": self.at,
            "result": result,
            "cut_short": self.cut_short(),
        }

    def cut_short(self) -> bool:
        """As the simulator says it: the run ended before the command started, or while it was still
        at work; a listener without --count (--max-clients) lasts as long as the run and never is."""
        if self.error is not None:
            return False
        if not self.started:
            return True
        if self.word == "ping" and "-w" not in self.argv and self.result is not None:
            # the run's end is ping's --stop-after (tool_argv), counted from its own start
            return ping_at_work(self.argv, self.result, self.until - self.at)
        endless = self.word in LISTENERS and not {"--count", "--max-clients"} & {a.partition("=")[0] for a in self.argv}
        return self.interrupted and not endless

    def heading(self) -> str:
        return f"[{format_duration(round(self.at * 1e9)) if self.at else '0s'}] {self.node}$ {self.words}"

    def answered(self) -> bool | None:
        if self.result is None:
            return None
        if self.word == "ping":
            return bool(self.result.get("received"))
        if self.word == "udp send" and "--wait" in self.argv:
            return bool(self.result.get("replies"))
        if self.word == "udp broadcast":  # it always waits (tool_argv's --wait 2), and exits 1 when none replied
            return bool(self.result.get("replies"))
        if self.word == "tcp connect":
            return bool(self.result.get("received"))
        if self.word == "traceroute":
            return bool(self.result.get("reached"))
        return None


def ping_at_work(argv: list[str], result: dict[str, Any], window: float) -> bool:
    """Whether iputils ping (and the simulator's) was still at work `window` seconds after it began:
    requests left to send, or waiting after the last one (iputils' __schedule_exit: two round trips,
    at least an interval, once anything answered, else -W) for answers still missing; replies and
    errors together reaching -c end it at once."""

    def seconds(flag: str, default: str) -> float:
        given = argv[argv.index(flag) + 1] if flag in argv[:-1] else default
        return parse_duration(given) / 1e9

    count = int(argv[argv.index("-c") + 1]) if "-c" in argv[:-1] else 4  # the simulator's defaults: -c 4
    if int(result["transmitted"]) < count:
        return True
    if int(result["received"]) + int(result["errors"]) >= count:
        return False
    interval = seconds("-i", "1")
    rtts_ns = [round(rtt * 1e6) for rtt in result.get("rtt_ms") or []]
    linger = linger_ns(rtts_ns, round(interval * 1e9), round(seconds("-W", "10") * 1e9)) / 1e9  # -W 10: MAXWAIT
    return (count - 1) * interval + linger > window


# What shlex.split raises (its ValueError's only words), marked so a --do's mistake reads translated.
SHLEX_SAYS = (N_("No closing quotation"), N_("No escaped character"))


class DoRefused(RealError):
    """A --do line (or a topology file's event) the kernel lab cannot run: the message names the
    line, `problem` says why without it (the "why" of a skipped event)."""

    def __init__(self, text: str, problem: str) -> None:
        super().__init__(L_("--do {text}: {problem}", text=repr(text), problem=problem))
        self.problem = problem


def unsupported(lab: RealLab, text: str) -> str | None:
    """Why a topology file's event cannot run on the kernel (said in not_applied), or None."""
    try:
        parse_do(lab, text)
    except DoRefused as error:
        return error.problem
    return None


def parse_do(lab: RealLab, text: str) -> DoCommand:
    """`[at T] NODE WORDS...`, checked against the lab; DoRefused says what is wrong."""
    try:
        argv = shlex.split(text)
    except ValueError as error:  # shlex's own words, in the catalogue (SHLEX_SAYS)
        raise DoRefused(text, L_(str(error))) from None
    at = 0.0
    if len(argv) >= 2 and argv[0] == "at":
        try:
            at = parse_duration(argv[1]) / 1e9
        except UnitError as error:
            raise DoRefused(text, message_of(error)) from None
        argv = argv[2:]
    if len(argv) < 2:
        raise DoRefused(text, L_('write "[at T] NODE COMMAND", like "pc1 ping pc2 -c 3"'))
    node, words = argv[0], argv[1:]
    if node == "link":
        return DoCommand(text, at, "net", words_text(argv), argv)
    if node not in lab.nodes:
        raise DoRefused(text, L_("no node {node} (nodes: {nodes})", node=repr(node), nodes=", ".join(lab.nodes)))
    command = DoCommand(text, at, node, words_text(words), words)
    if command.word not in WORDS:
        raise DoRefused(
            text,
            L_(
                "{word} does not run on the kernel yet (it runs: {words})",
                word=repr(words[0]),
                words=", ".join(WORDS),
            ),
        )
    if command.word not in READ_HERE:
        try:  # the tool's line made once now, so words it cannot take are refused before the run
            tool_argv(lab, command, until=command.at)
        except RealError as error:
            raise DoRefused(text, message_of(error)) from None
    return command


def _ping_argv(lab: RealLab, node: str, words: list[str]) -> list[str]:
    """ping's words with a node's name as the tool finds it. On a node whose /etc/hosts lists every node the name
    stays, so iputils' lookup finds the node's first address, as the simulator's does, and `lanlab ping` names
    who answered as iputils and the simulator do (pr_addr); elsewhere the name would be asked of DNS, where the
    simulator takes it from the topology, so the address goes instead (and no one is named)."""
    keep_names = node in lab.nodes and not dns.asks_a_resolver(lab, lab.nodes[node])
    out, skip = [], False
    for word in words:
        if skip:
            out.append(word)
            skip = False
        elif word in PING_VALUED:
            out.append(word)
            skip = True
        elif word.startswith("-"):
            out.append(word)
        else:
            out.append(word if keep_names and word in lab.nodes else lab.address_of(word))
    return out


def tool_argv(lab: RealLab, command: DoCommand, until: float) -> list[str]:
    """The real tool's command line for a --do word (names of nodes become their addresses)."""
    words = command.argv
    if command.word == "ping":
        # --stop-after ends it where --until ends it in virtual time, counted from its own start (the tool's
        # start-up takes a second on a loaded machine); not -w, which would also end it at its first error
        # report, where the simulator's ping counts errors to -c as iputils without -w does
        window = max(until - command.at, FIRST_REQUEST_S)
        stop = [] if "-w" in words else ["--stop-after", f"{window:g}"]
        return [*LANLAB, "ping", *_ping_argv(lab, command.node, words[1:]), *stop, "--json"]
    if command.word == "udp listen":
        rest = words[2:]
        if rest and rest[0].isdigit():  # the simulator's `udp listen 7788` is the tool's --port 7788
            rest = ["--port", rest[0], *rest[1:]]
        return [*LANLAB, "udp", "listen", *rest, "--json"]
    if command.word == "udp send":
        return [*LANLAB, "udp", "send", lab.address_of(words[2]), *words[3:], "--json"]
    if command.word == "tcp serve":
        return [*LANLAB, "tcp", "serve", *words[2:], "--json"]
    if command.word == "tcp connect":
        # the host as given: the simulator's client resolves a node's name on its host (/etc/hosts, or
        # its `dns:` server), as the namespace's does, and names it so in what it says ("tcp pc2:7788")
        rest = words[2:]
        return [*LANLAB, "tcp", "connect", *rest, *([] if "--wait" in rest else ["--wait", TCP_CONNECT_WAIT])]
    if command.word == "traceroute":
        return traceroute_argv(lab, words[1:])
    if command.word == "dig":
        return dig_argv(lab, words[1:])
    if command.word == "nslookup":
        return nslookup_argv(lab, words[1:])
    rest = words[2:]
    if "--wait" not in rest:  # the simulator's default wait for a broadcast's replies
        rest = [*rest, "--wait", "2"]
    return [*LANLAB, "udp", "broadcast", *rest, "--json"]


def traceroute_argv(lab: RealLab, words: list[str]) -> list[str]:
    """Linux traceroute with the simulator's flags (-I -n -m -q -w -p), and one probe at a time (-N 1) as the
    simulator sends them; -w in the simulator's units becomes seconds. The target goes as its address (the
    simulator takes a node's from the topology); without -n, Linux names the hops by the namespace's lookup
    (its /etc/hosts, then DNS on a node with a resolver), as the simulator's names them on its host."""
    if shutil.which("traceroute") is None:
        raise RealError(TRACEROUTE_MISSING)
    out, target, i = ["traceroute", "-N", "1"], None, 0
    while i < len(words):
        word = words[i]
        if word in TRACEROUTE_VALUED and i + 1 < len(words):
            value = words[i + 1]
            if word == "-w":
                try:
                    value = f"{parse_duration(value) / 1e9:g}"
                except UnitError as error:
                    raise RealError(L_("traceroute -w: {problem}", problem=message_of(error))) from None
            out += [word, value]
            i += 2
            continue
        if word in ("-I", "-n"):
            out.append(word)
        elif word.startswith("-") or target is not None:
            raise RealError(
                L_(
                    "traceroute {word}: the kernel lab takes the simulator's words: TARGET [-I] [-n] [-m N] "
                    "[-q N] [-w S] [-p PORT]",
                    word=repr(word),
                )
            )
        else:
            target = lab.address_of(word)
        i += 1
    if target is None:
        raise RealError(L_("traceroute needs a target: traceroute NODE|ADDRESS"))
    return [*out, target]


def dig_argv(lab: RealLab, words: list[str]) -> list[str]:
    """BIND's dig (EDNS as the simulator's sends it, +noedns when given), @NODE as its address; the name
    asked as given. +short is left out here (the result is read from the full answer) and applied when
    printed."""
    if shutil.which("dig") is None:
        raise RealError(dns.MISSING_DIG)
    server = [f"@{lab.address_of(w[1:])}" for w in words if w.startswith("@")]
    return ["dig", *server, *[w for w in words if not w.startswith("@") and w != "+short"]]


def nslookup_argv(lab: RealLab, words: list[str]) -> list[str]:
    """`nslookup NAME|ADDRESS [SERVER]`: BIND's nslookup, for what it prints, after a dig asking the
    question it asks (the search list applied; an address's PTR), whose answer is the result."""
    if shutil.which("dig") is None or shutil.which("nslookup") is None:
        raise RealError(dns.MISSING_DIG)
    if not words or len(words) > 2 or any(w.startswith("-") for w in words):
        raise RealError(L_("nslookup takes NAME|ADDRESS [SERVER] on the kernel, as in the simulator"))
    name, server = words[0], [lab.address_of(w) for w in words[1:]]
    try:
        question = ["-x", str(IPv4Address(name))]
    except ValueError:
        question = ["+search", name]
    ask = ["dig", "+noedns", *[f"@{s}" for s in server], *question]
    return ["sh", "-c", f"{shlex.join(ask)}; echo {NSLOOKUP_MARK}; {shlex.join(['nslookup', name, *server])}"]


def start(built: Built, command: DoCommand, until: float) -> None:
    """Run the command inside its namespace (a snapshot now; a tool in the background)."""
    command.started = True
    command.started_mono = time.monotonic()
    command.until = until
    ns = built.ns(command.node)
    try:
        kind = built.lab.nodes[command.node].kind if command.node in built.lab.nodes else None
        if kind in ("switch", "hub") and command.word not in SWITCH_WORDS:
            raise RealError(not_a_host_line(command.node, kind, command.word))
        if command.node == "net":
            a, b = link_event(built, command.argv)
            command.result = {"link": f"{a}-{b}", "state": command.argv[3]}  # the simulator's result
            command.link_ends = (a, b)
        elif command.word == "arp":
            command.result = {"arp": tables.arp(ns)}
        elif command.word == "mac":
            if built.lab.nodes[command.node].kind != "switch":
                kind = built.lab.nodes[command.node].kind
                raise RealError(L_(NO_MAC_TABLE.get(kind, NO_MAC_TABLE["node"]), node=command.node, kind=kind))
            command.result = {"mac": tables.mac(ns)}
        elif command.word == "route":
            command.result = {"routes": tables.routes(ns)}
        elif command.word in ("dhcp renew", "dhcp release"):
            command.result = dhcp_signal(built, command.node, command.word == "dhcp renew")
        elif command.word == "stp":
            if built.lab.nodes[command.node].kind != "switch":
                kind = built.lab.nodes[command.node].kind
                raise RealError(L_(NO_SPANNING_TREE.get(kind, NO_SPANNING_TREE["node"]), node=command.node, kind=kind))
            command.result = {"stp": tables.stp(ns) if built.lab.nodes[command.node].stp is not None else None}
        else:
            command.process = subprocess.Popen(
                ["ip", "netns", "exec", ns, *tool_argv(built.lab, command, until)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                # a terminal's Ctrl-C reaches lanlab only, which SIGINTs the tool once for its report
                # (a second SIGINT while it wrote the report left an error instead of the counts)
                start_new_session=True,
            )
            if command.word in LISTENERS:  # later commands may send to it: wait until it listens
                _wait_listening(command)
                command.started_mono = time.monotonic()  # its time starts when it listens
            elif command.word == "tcp connect":  # what arrives, timed as it comes (the tool prints it raw)
                command.reader = threading.Thread(target=_read_chunks, args=(command,), daemon=True)
                command.reader.start()
    except RealError as error:
        command.error = message_of(error)  # an L_ text stays one: shown translated


def dhcp_signal(built: Built, node: str, renew: bool) -> dict[str, Any]:
    """`dhcp renew|release` as udhcpc takes them: SIGUSR1 renews (a REQUEST unicast to the server,
    RFC 2131 4.4.5; after a release, a new DISCOVER), SIGUSR2 releases (RFC 2131 4.4.6); the
    simulator's result keys: the lease before it, whether anything was sent, the client's state."""
    client = built.dhcp_clients.get(node)
    if client is None or built.dhcp_folder is None:
        raise RealError(L_("{node} takes no address from DHCP (give it ip: dhcp)", node=node))
    port, process = client
    lease = dhcp.lease_of(built.dhcp_folder, node, port)
    address, server = lease if lease is not None else (None, None)
    if renew:
        process.send_signal(signal.SIGUSR1)
        return {"address": address, "server": server, "done": True, "state": "RENEWING" if lease else "SELECTING"}
    if lease is not None:
        process.send_signal(signal.SIGUSR2)
    return {"address": address, "server": server, "done": lease is not None, "state": "RELEASED"}


def _read_chunks(command: DoCommand) -> None:
    process = command.process
    assert process is not None and process.stdout is not None
    fd = process.stdout.fileno()
    while chunk := os.read(fd, 65536):
        command.chunks.append((time.time(), chunk.decode(errors="backslashreplace")))


def _wait_listening(command: DoCommand) -> None:
    """Read the listener's first line ("listening"), or give up after READY_S (it will say why)."""
    process = command.process
    assert process is not None and process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], READY_S)
    if ready:
        command.output.append(process.stdout.readline())


def settle(commands: list[DoCommand], until: float) -> None:
    """Before a snapshot (arp, mac, route): let the tools started before it end first, as they
    would have in virtual time (starting a Python tool takes the kernel lab a second or more)."""
    for command in commands:
        process = command.process
        if process is not None and command.word not in LISTENERS and process.poll() is None:
            try:
                process.wait(timeout=max(until - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                pass


def link_event(built: Built, argv: list[str]) -> tuple[str, str]:
    """`link A:p B:q down|up`: both ends' veths set down or up. Returns the two ends in the file's
    order (the simulator names the link so, whichever order the event gives)."""
    if len(argv) != 4 or argv[3] not in ("down", "up"):
        raise RealError(L_("a link event is: link NODE:PORT NODE:PORT down|up"))
    ends = (argv[1], argv[2])
    for link in built.lab.links:
        a, b = f"{link.a[0]}:{link.a[1]}", f"{link.b[0]}:{link.b[1]}"
        if {a, b} == set(ends):
            ends = (a, b)
    for end in argv[1:3]:
        node, _, port = end.partition(":")
        subprocess.run(
            ["ip", "-n", built.ns(node), "link", "set", "dev", port, argv[3]],
            capture_output=True,
            check=False,
            start_new_session=True,
        )
    return ends


def finish(command: DoCommand, t0_wall: float, until: float, now: bool = False) -> None:
    """Give a tool the time it has in virtual time (from `at` to `until`), counted from when it
    really started (starting one costs the kernel lab a second or more), then SIGINT it (it
    reports what it had, as ping and udp listen do on Ctrl-C), and read its --json."""
    process = command.process
    if process is None:
        return
    deadline = time.monotonic() if now else command.started_mono + until - command.at
    if command.word not in LISTENERS and not now:  # a tool that ends by itself: its start-up's time on top
        deadline += READY_S
    try:
        out, err = process.communicate(timeout=max(deadline - time.monotonic(), 0.05))
    except subprocess.TimeoutExpired:
        command.interrupted = True
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
    if command.reader is not None:
        command.reader.join(timeout=3)
        command.result = _connect_result(command, process.returncode, err, t0_wall)
    else:
        command.result = _result(command, "".join(command.output) + out, t0_wall)
    if command.result is None:
        command.error = err.strip().splitlines()[-1] if err.strip() else f"exit {process.returncode}"


def _connect_result(command: DoCommand, status: int | None, err: str, t0_wall: float) -> dict[str, Any] | None:
    """`tcp connect`'s result in the simulator's keys. The tool prints what arrives and nothing
    else; it exits 0 only once connected, so `connected` is its start time then (when exactly it
    connected it does not say), and its error line otherwise."""
    received = [{"t": round(t - t0_wall, 6), "text": text} for t, text in command.chunks]
    failed = status != 0 and status != -signal.SIGINT
    lines = err.strip().splitlines()
    return {
        "connected": None if failed else round(command.started_mono - (time.monotonic() - time.time()) - t0_wall, 6),
        "sent": [] if failed else [command.argv[i + 1] for i, word in enumerate(command.argv[:-1]) if word == "--send"],
        "received": received,
        "error": (lines[-1].removeprefix("lanlab: ") if lines else f"exit {status}") if failed else None,
    }


def _result(command: DoCommand, out: str, t0_wall: float) -> dict[str, Any] | None:
    if command.word == "traceroute":
        command.names = traceroute_names(out)
        return parse_traceroute(out)
    if command.word == "dig":
        command.printed = out
        return dns.parse_dig(out)
    if command.word == "nslookup":
        asked, _, command.printed = out.partition(NSLOOKUP_MARK + "\n")
        return dns.parse_dig(asked)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if not lines:
        return None
    if command.word == "udp listen":
        port = next((e["port"] for e in lines if e.get("event") == "listening"), None)
        received = [
            {
                "t": round(datetime.fromisoformat(e["time"]).timestamp() - t0_wall, 6),
                "from": e["from"],
                "port": e["port"],
                "text": e["text"],
            }
            for e in lines
            if e.get("event") == "datagram"
        ]
        return {"port": port, "received": received}
    if command.word == "tcp serve":
        started: dict[str, Any] = next((e for e in lines if e.get("event") == "listening"), {})
        keys = {
            "connect": ("client",),
            "message": ("client", "bytes", "text"),
            "disconnect": ("client", "reason"),
            "refused": ("client", "reason"),
        }
        events = [
            {
                "t": round(datetime.fromisoformat(e["time"]).timestamp() - t0_wall, 6),
                "event": e["event"],
                **{key: e.get(key) for key in keys[e["event"]]},
            }
            for e in lines
            if e.get("event") in keys
        ]
        return {"port": started.get("port"), "mode": started.get("mode"), "events": events, "error": None}
    document: dict[str, Any] = lines[-1]
    if command.word == "ping":
        command.printed = "\n".join(ping_text(command.argv, document))
        replies = [r for r in document.get("replies", []) if "time_ms" in r]  # not the errors' entries
        rtts = [r["time_ms"] for r in replies if not r["duplicate"]]
        return {
            "destination": document["address"],
            "transmitted": document["transmitted"],
            "received": document["received"],
            "loss_percent": document["loss_percent"],
            "errors": document["errors"],
            "duplicates": document["duplicates"],
            "rtt_ms": rtts,
            "rtt_min_ms": min(rtts, default=None),
            "rtt_avg_ms": sum(rtts) / len(rtts) if rtts else None,
            "rtt_max_ms": max(rtts, default=None),
            "pipe": document["pipe"],
        }
    return document


def ping_text(argv: list[str], document: dict[str, Any]) -> list[str]:
    """What iputils ping (and the simulator's `--do ping`) prints, from `lanlab ping --json`'s document."""
    target, size = "", DEFAULT_PING_SIZE  # the simulator's and iputils' -s
    words = iter(argv[1:])
    for word in words:
        if word == "-s":
            size = int(next(words))
        elif word in PING_VALUED:
            next(words, None)
        elif not word.startswith("-"):
            target = word
    out = [ping_lines.BROADCAST_WARNING] if document.get("broadcast") else []
    out.append(ping_lines.header_line(target, document["address"], size))
    for event in document["replies"]:
        if "mtu" in event:
            out.append(ping_lines.too_long_line(event["mtu"]))
        elif "error" in event:
            out.append(
                ping_lines.error_line(ping_lines.named(event["from"], event.get("name")), event["seq"], event["error"])
            )
        else:
            rtt_ns = round(event["time_ms"] * 1e6) if ping_lines.timed(size) else None
            out.append(
                ping_lines.reply_line(
                    event["bytes"],
                    ping_lines.named(event["from"], event.get("name")),
                    event["seq"],
                    event["ttl"],
                    rtt_ns,
                    event["duplicate"]
                    and ping_lines.marks_duplicates(bool(document.get("broadcast")), document["address"]),
                )
            )
    rtt = document["rtt_ms"]
    rtt_ms = (rtt["min"], rtt["avg"], rtt["max"], rtt["mdev"]) if rtt and ping_lines.timed(size) else None
    return out + ping_lines.summary_lines(
        target,
        document["transmitted"],
        document["received"],
        document["duplicates"],
        document["errors"],
        document["time_ms"] * 1_000_000,
        rtt_ms,
        document["pipe"],
    )


def _sender(token: str) -> IPv4Address | None:
    """The address a token of Linux traceroute's hop line names: "198.18.1.1" (-n) or "(198.18.1.1)" after a
    name; None for any other token (a name, even one with three dots, a time, a note)."""
    try:
        return IPv4Address(token[1:-1] if token.startswith("(") and token.endswith(")") else token)
    except ValueError:
        return None


def traceroute_names(out: str) -> dict[str, str]:
    """The names Linux traceroute (without -n) gave hops' senders: {address: name} from "name (address)", an
    address it found no name for (printed twice) left out."""
    names = {}
    for line in out.splitlines()[1:]:
        tokens = line.split()
        for name, token in zip(tokens[1:], tokens[2:]):
            sender = _sender(token) if token.startswith("(") else None
            if sender is not None and name != str(sender):
                names[str(sender)] = name
    return names


def parse_traceroute(out: str) -> dict[str, Any] | None:
    """Linux traceroute's lines (with -n or names) -> the simulator's result: destination, reached, and per hop
    each probe's answer ({address, rtt_ms, note}) or None for a `*`."""
    text = out.splitlines()
    if not text or not text[0].startswith("traceroute to "):
        return None
    head = text[0].split()
    destination = str(_sender(head[3].rstrip(",")) or head[2])  # "traceroute to NAME (ADDRESS), ..."
    hops = []
    for line in text[1:]:
        tokens = line.split()
        if not tokens or not tokens[0].isdigit():
            continue
        hop = Hop(int(tokens[0]))
        sender: IPv4Address | None = None
        for i, token in enumerate(tokens[1:], 1):
            if token == "*":
                hop.answers.append(None)
            elif token == "ms":
                assert sender is not None
                hop.answers.append((sender, float(tokens[i - 1]), ""))
            elif token.startswith("!") and hop.answers and hop.answers[-1] is not None:
                last = hop.answers[-1]
                hop.answers[-1] = (last[0], last[1], token)
            elif _sender(token) is not None:
                sender = _sender(token)
        hops.append(hop)
    last_hop = hops[-1].answers if hops else []
    reached = any(a is not None and str(a[0]) == destination and not a[2] for a in last_hop)
    return {"destination": destination, "reached": reached, "hops": [hop.as_dict() for hop in hops]}


def _traceroute_target(argv: list[str]) -> str | None:
    """The target as the --do line gives it (traceroute's first line names it so): its first word that is
    neither an option nor an option's value."""
    words = iter(argv[1:])
    for word in words:
        if word in TRACEROUTE_VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _hops(result: dict[str, Any]) -> list[Hop]:
    return [
        Hop(
            hop["ttl"],
            [None if p is None else (IPv4Address(p["address"]), p["rtt_ms"], p.get("note", "")) for p in hop["probes"]],
        )
        for hop in result["hops"]
    ]


def lines(command: DoCommand) -> list[str]:
    """What `sim run` prints for the same command, from the kernel's result."""
    if command.error is not None:
        return [L_("error: {error}", error=command.error)]
    r = command.result
    if r is None:
        return [L_("(not started: --until ended the run first)")]
    if command.node == "net" and command.link_ends is not None:
        a, b = command.link_ends
        return [
            L_("  link {a} - {b} is up", a=a, b=b) if r["state"] == "up" else L_("  link {a} - {b} is down", a=a, b=b)
        ]
    if command.word == "ping":
        return command.printed.splitlines()
    if command.word == "udp listen":
        return [
            L_counted(
                "listening on UDP {port}: {count} datagram",
                "listening on UDP {port}: {count} datagrams",
                len(r["received"]),
                port=r["port"],
            )
        ] + [f"  [{d['t']:.6f}] {d['from']}:{d['port']} {d['text']!r}" for d in r["received"]]
    if command.word == "udp send" and "--wait" not in command.argv:  # the tool waited for nothing
        return [L_("sent 1 datagram (add --wait S to collect replies)")]
    if command.word in ("udp send", "udp broadcast"):
        replies = r.get("replies", [])
        return [
            L_("{count} reply", count=len(replies)) if len(replies) == 1 else L_("{count} replies", count=len(replies))
        ] + [f"  {x['from']}:{x['port']} {x['text']!r} {x['rtt_ms']:.3f} ms" for x in replies]
    if command.word == "arp":
        return arp_lines(r["arp"])
    if command.word == "route":
        return route_lines(r["routes"])
    if command.word == "mac":
        return [
            L_("  {mac}  {port} age {age} s", mac=x["mac"], port=f"{x['port']:<6}", age=f"{x['age']:.3f}")
            for x in r["mac"]
        ] or [L_("  (empty)")]
    if command.word == "traceroute":
        max_ttl = next((int(v) for k, v in zip(command.argv, command.argv[1:]) if k == "-m"), 30)
        names = command.names
        shown = numbers_only if "-n" in command.argv else lambda a: f"{names.get(str(a), a)} ({a})"
        return report_lines(IPv4Address(r["destination"]), max_ttl, _hops(r), _traceroute_target(command.argv), shown)
    if command.word == "stp":
        if r["stp"] is None:
            return [
                L_(
                    "  {node} runs no spanning tree (give the switch {setting})",
                    node=command.node,
                    setting="stp: {enabled: true}",
                )
            ]
        return status_lines(r["stp"])
    if command.word == "tcp serve":
        return serve_lines(r, next((v for k, v in zip(command.argv, command.argv[1:]) if k == "--bind"), "0.0.0.0"))
    if command.word == "tcp connect":
        return connect_lines(r, command.argv[2], int(command.argv[3]))
    if command.word == "dhcp renew":
        if not r["done"]:
            return [L_("  no lease to renew (the client is {state})", state=r["state"])]
        if r["address"] is None:
            return ["  DHCPDISCOVER to 255.255.255.255 port 67"]
        return [f"  DHCPREQUEST for {r['address']} to {r['server']} port 67"]
    if command.word == "dhcp release":
        if not r["done"]:
            return [L_("  no lease to release (the client is {state})", state=r["state"])]
        return [f"  DHCPRELEASE of {r['address']} to {r['server']} port 67"]
    if command.word == "nslookup":
        return command.printed.rstrip("\n").splitlines()
    if command.word == "dig":
        if "+short" in command.argv:
            return [line.split("\t")[-1] for line in r["answers"]]
        return command.printed.rstrip("\n").splitlines()
    return [json.dumps(r)]
