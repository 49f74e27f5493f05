"""`Network`: build a simulated LAN in code or from a topology file, run it, look inside.

net = Network("lab")
net.add_host("pc1", ip="198.18.0.1/24"); net.add_host("pc2", ip="198.18.0.2/24")
net.add_switch("sw1")
net.link("pc1:eth0", "sw1:p1"); net.link("pc2:eth0", "sw1:p2")
result = net.ping("pc1", "pc2", count=3)
net.node("sw1").mac_table, net.node("pc1").arp_table
"""

from __future__ import annotations

import gc
import inspect
import random
import sys
import time
from ipaddress import IPv4Address, IPv4Interface
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from lanlab.i18n import L_, message_of
from lanlab.proto.icmp import PingResult
from lanlab.proto.rip import RipSpeaker
from lanlab.sim.build import build
from lanlab.sim.commands import Scheduled, schedule
from lanlab.sim.commands.base import bounds_text, is_whole_in
from lanlab.sim.core.errors import NetworkError
from lanlab.sim.core.node import HasAddresses, Node
from lanlab.sim.core.capture import Capture
from lanlab.sim.core.engine import Engine, PastTimeError
from lanlab.sim.devices.host import Host, NicPort
from lanlab.sim.devices.hub import Hub
from lanlab.sim.devices.router import Router
from lanlab.sim.core.link import DEFAULT_DELAY_NS, DEFAULT_QUEUE, DEFAULT_RATE_BPS, Link, Port
from lanlab.sim.devices.switch import Switch
from lanlab.sim.core.trace import TraceEvent, Tracer
from lanlab.sim.shim import Program
from lanlab.topology import read_document
from lanlab.topology.reader import node_name_problem
from lanlab.units import format_duration, parse_duration, parse_rate
from lanlab.wire import MacAddress
from yaml.nodes import MappingNode

Duration = int | float | str
NodeT = TypeVar("NodeT", bound=Node)


def _ns(value: Duration) -> int:
    """Bare numbers are seconds (like the CLI); strings take units."""
    return parse_duration(value)


def _interface_address(node: str, address: Any) -> IPv4Interface | None:
    """An interface's address, given as a topology file writes it (198.18.0.1/24) or as an IPv4Interface:
    a bare address (IPv4Interface would make it a /32) or a number is refused, as the file refuses it."""
    if address is None or isinstance(address, IPv4Interface):
        return address
    if not isinstance(address, str) or "/" not in address:
        raise NetworkError(
            L_("{node}: ip {address!r} needs a prefix length, like 198.18.0.1/24", node=node, address=address)
        )
    try:
        return IPv4Interface(address)
    except ValueError as error:
        raise NetworkError(
            L_("{node}: ip {address!r}: {problem}", node=node, address=address, problem=str(error))
        ) from None


def _gateway(node: str, gateway: Any) -> IPv4Address | None:
    """A host's default gateway, as text (198.18.0.254) or an IPv4Address."""
    if gateway is None or isinstance(gateway, IPv4Address):
        return gateway
    if isinstance(gateway, str):
        try:
            return IPv4Address(gateway)
        except ValueError as error:
            raise NetworkError(
                L_("{node}: gateway {gateway!r}: {problem}", node=node, gateway=gateway, problem=str(error))
            ) from None
    raise NetworkError(L_("{node}: gateway {gateway!r} is no address, like 198.18.0.254", node=node, gateway=gateway))


def _mac(value: str | MacAddress) -> MacAddress:
    return value if isinstance(value, MacAddress) else MacAddress(value)


# what add_router's rip={...} may hold: RipSpeaker's keyword options
RIP_OPTIONS = frozenset(
    name for name, p in inspect.signature(RipSpeaker).parameters.items() if p.kind is p.KEYWORD_ONLY
)


class _Announce:
    """Fires a host's gratuitous ARP."""

    __slots__ = ("host",)

    def __init__(self, host: Host) -> None:
        self.host = host

    def fire(self, arg: Any, now: int) -> None:
        self.host.announce()


class Network:
    """Nodes, links, one engine. Everything is deterministic for a given seed."""

    def __init__(self, name: str = "network", seed: int = 1, *, trace: bool = False) -> None:
        """trace=True records the event list from the start (`net.trace`); see start_trace()."""
        if not isinstance(name, str):
            raise NetworkError(L_("a network's name is text, like lab1 (not {name!r})", name=name))
        if not isinstance(seed, int) or isinstance(seed, bool):  # the compiled engine takes nothing else either
            raise NetworkError(L_("a seed is a whole number, like 1 or -7 (not {seed!r})", seed=seed))
        self.name = name
        self.engine = Engine(seed)
        self.nodes: dict[str, Node] = {}
        self.links: list[Link] = []
        self.tracer: Tracer | None = None
        self.captures: list[Capture] = []
        self._every_link: list[Capture] = []  # open pcapng captures of every link, which take new links too
        self.commands: list[Scheduled] = []  # every --do and net.do(), in the order given
        self.programs: list[Program] = []  # every program started on its hosts, in order (lanlab.sim.shim)
        self.files: str | None = None  # its hosts' files, a folder each (sim run --files DIR; else made when used)
        self.closers: list[Callable[[], None]] = []  # what close() does besides (the temporary files' removal)
        # what the topology file's reader warned of, "FILE:LINE: warning: ..." (from_yaml; `sim check` says them)
        self.file_warnings: list[str] = []
        if trace:
            self.start_trace()

    @classmethod
    def from_yaml(
        cls,
        path: str | Path,
        seed: int = 1,
        *,
        trace: bool = False,
        text: str | None = None,
        edit: Callable[[MappingNode], None] | None = None,
    ) -> Network:
        """Load a topology file (raises sim.TopologyError listing every FILE:LINE mistake);
        `text`: the file's content as given (a lab's variant), `path` then only names it;
        `edit`: a change to its YAML tree before it is read (a sweep's --vary values)."""
        document = read_document(path, text, edit)
        network = cls(document.name, seed)
        with network.building():
            build(network, document)
        network.file_warnings = document.warning_lines()  # some are found only once every node is read
        if trace:
            network.start_trace()
        return network

    @contextmanager
    def building(self) -> Iterator[Network]:
        """`with net.building(): ...` around adding many nodes and links: Python's cyclic garbage collector
        pauses meanwhile and resumes after (as it was). Everything a build makes stays alive, and the
        collector's full passes over a growing network cost most of a big build: 40,000 hosts 4.8 s with
        them, 1.7 s without (bench/sim_lan.py --big). from_yaml builds this way."""
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            yield self
        finally:
            if was_enabled:
                gc.enable()

    def do(self, text: str) -> Scheduled:
        """Schedule a host command in --do words: net.do("at 1s pc1 ping pc2 -c 2")."""
        return schedule(self, text)

    # -- building ------------------------------------------------------------------------
    @staticmethod
    def _checked_name(name: Any) -> str:
        """`name` if a topology file would take it (links write NODE:PORT, --do splits words), else NetworkError;
        checked before a node is made (a compiled build's node refuses a name that is not text by itself)."""
        if not isinstance(name, str):
            raise NetworkError(L_("a node's name is text, like pc1 (not {name!r})", name=name))
        problem = node_name_problem(name)
        if problem is not None:
            raise NetworkError(problem)
        return name

    def _add(self, node: NodeT) -> NodeT:
        self._checked_name(node.name)
        if node.name in self.nodes:
            raise NetworkError(L_("there is already a node called {name!r}", name=node.name))
        self.nodes[node.name] = node
        if isinstance(node, Host):
            node.network = self  # programs on it resolve node names (socket.gethostbyname)
        if self.tracer is not None:
            self._trace_node(node)
        return node

    def add_host(
        self,
        name: str,
        ip: str | IPv4Interface | None = None,
        *,
        mac: str | MacAddress | None = None,
        gateway: str | IPv4Address | None = None,
        interfaces: dict[str, dict[str, Any]] | None = None,
        gratuitous_arp: bool = False,
        answer_broadcast_ping: bool = False,
    ) -> Host:
        """A host with `eth0` (ip "a.b.c.d/len"), or the named `interfaces` {name: {ip, mac, mtu}};
        gratuitous_arp: announce its addresses when the run starts (as a booting host does);
        answer_broadcast_ping: answer pings to a broadcast or multicast address (icmp_echo_ignore_broadcasts=0)."""
        host = Host(self._checked_name(name), self.engine, _gateway(name, gateway))
        host.answers_broadcast_ping = answer_broadcast_ping
        if interfaces is None:
            interfaces = {"eth0": {"ip": ip, "mac": mac}}
        for if_name, options in interfaces.items():
            if_mac = options.get("mac")
            host.add_interface(
                if_name,
                _interface_address(name, options.get("ip")),
                _mac(if_mac) if if_mac is not None else None,
                options.get("mtu"),
            )
        if gratuitous_arp:
            self.engine.schedule(self.engine.now, _Announce(host))
        return self._add(host)

    def add_router(
        self,
        name: str,
        interfaces: dict[str, str | IPv4Interface] | None = None,
        *,
        routes: dict[str, str] | None = None,
        rip: bool | dict[str, Any] = False,
        forward_directed_broadcast: bool = False,
    ) -> Router:
        """A router: add_router("r1", {"eth0": "198.18.1.1/24", "eth1": "198.18.2.1/24"},
        routes={"0.0.0.0/0": "198.18.2.254"}, rip=True) (rip: True or RipSpeaker options);
        more interfaces later with `router.add_interface("eth2", "198.18.3.1/24")`."""
        router = Router(self._checked_name(name), self.engine, forward_directed_broadcast=forward_directed_broadcast)
        for if_name, address in (interfaces or {}).items():
            router.add_interface(if_name, address)
        for prefix, via in (routes or {}).items():
            router.add_static_route(prefix, via)
        if rip:
            options = rip if isinstance(rip, dict) else {}
            interfaces = {nic.name: nic.address for nic in router.nics if nic.address is not None}
            unknown = sorted(set(options) - RIP_OPTIONS)
            if unknown:
                raise NetworkError(
                    L_(
                        "{name}: rip: no option {unknown} (there are {known})",
                        name=name,
                        unknown=", ".join(unknown),
                        known=", ".join(sorted(RIP_OPTIONS)),
                    )
                )
            try:  # the speaker is made when the router starts: its options are checked now, not in a later call
                RipSpeaker(interfaces, random.Random(0), **options)
            except ValueError as error:
                raise NetworkError(L_("{name}: rip: {error}", name=name, error=message_of(error))) from None
            router.enable_rip(**options)
        return self._add(router)

    def add_switch(self, name: str, *, ageing: Duration = "300s") -> Switch:
        return self._add(Switch(self._checked_name(name), self.engine, _ns(ageing)))

    def add_hub(self, name: str) -> Hub:
        return self._add(Hub(self._checked_name(name), self.engine))

    def add_node(self, node: NodeT) -> NodeT:
        """Add a node of any kind: an object with name, ports, port(name), attach(), receive()."""
        return self._add(node)

    def node(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            raise NetworkError(
                L_("no node called {name!r} (nodes: {nodes})", name=name, nodes=", ".join(self.nodes) or "none")
            ) from None

    def port(self, endpoint: str | Port) -> Port:
        """`"node:port"` -> the Port (hub and switch ports are created on first use)."""
        if isinstance(endpoint, Port):
            return endpoint
        if not isinstance(endpoint, str):
            raise NetworkError(L_("an end of a link is NODE:PORT, like pc1:eth0 (not {endpoint!r})", endpoint=endpoint))
        node_name, sep, port_name = endpoint.partition(":")
        if not sep:
            node = self.node(node_name)
            if isinstance(node, Host) and len(node.nics) == 1:
                return node.nics[0].port
            raise NetworkError(L_("{endpoint!r}: say which port, as NODE:PORT", endpoint=endpoint))
        try:
            return self.node(node_name).port(port_name)
        except KeyError as error:
            raise NetworkError(message_of(error)) from None  # KeyError's str would quote it

    def link(
        self,
        a: str | Port,
        b: str | Port,
        *,
        delay: Duration = f"{DEFAULT_DELAY_NS}ns",
        rate: int | str = DEFAULT_RATE_BPS,
        loss: float = 0.0,
        queue: int = DEFAULT_QUEUE,
        mtu: int | None = None,
    ) -> Link:
        """A full-duplex cable between two ports (half duplex, CSMA/CD, when one end is a hub); `mtu`
        (bytes of IPv4 datagram, default 1500) is the MTU of the interfaces at its ends."""
        port_a, port_b = self.port(a), self.port(b)
        try:
            delay_ns, rate_bps = _ns(delay), parse_rate(rate)
        except ValueError as error:
            raise NetworkError(str(error)) from None
        return self.plug(port_a, port_b, delay=delay_ns, rate=rate_bps, loss=loss, queue=queue, mtu=mtu)

    def plug(
        self,
        port_a: Port,
        port_b: Port,
        *,
        delay: int = DEFAULT_DELAY_NS,
        rate: int = DEFAULT_RATE_BPS,
        loss: float = 0.0,
        queue: int = DEFAULT_QUEUE,
        mtu: int | None = None,
    ) -> Link:
        """link() below the API: ports, delay in ns, rate in bit/s (what topology files give)."""
        if port_a is port_b:
            raise NetworkError(L_("cannot link {port} to itself", port=port_a.label))
        if mtu is not None and not is_whole_in(mtu, 68, 65535):
            raise NetworkError(L_("mtu must be from 68 to 65535 bytes, not {mtu}", mtu=repr(mtu)))
        if not isinstance(loss, (int, float)) or isinstance(loss, bool) or not 0.0 <= loss <= 1.0:
            raise NetworkError(L_("loss must be between 0 and 1, not {loss}", loss=repr(loss)))
        if not is_whole_in(queue, 1):
            raise NetworkError(L_("queue must be a whole number of frames, at least 1, not {queue}", queue=repr(queue)))
        try:
            link = Link(port_a, port_b, delay=delay, rate=rate, loss=loss, queue=queue)
            port_a.node.attach(port_a, port_b)
            port_b.node.attach(port_b, port_a)
        except ValueError as error:
            raise NetworkError(message_of(error)) from None
        if mtu is not None:
            for port in (port_a, port_b):
                # a host's or router's interface; a switch port has no MTU here
                if isinstance(port, NicPort) and not port.nic.mtu_given:  # an interface's own mtu: wins
                    port.nic.set_mtu(mtu)
        self.links.append(link)
        for capture in self._every_link:
            capture.watch(link)
        return link

    def find_link(self, endpoint: str) -> Link:
        port = self.port(endpoint)
        if port.link is None:
            raise NetworkError(L_("{port} is not linked", port=port.label))
        return port.link

    def resolve_ip(self, target: str | IPv4Address) -> IPv4Address:
        """A node name (its first address) or an IPv4 address."""
        if isinstance(target, IPv4Address):
            return target
        node = self.nodes.get(target)
        if node is not None:
            addresses = node.addresses if isinstance(node, HasAddresses) else []
            if not addresses:
                raise NetworkError(L_("node {target!r} has no IPv4 address", target=target))
            return addresses[0]
        try:
            return IPv4Address(target)
        except ValueError:
            raise NetworkError(L_("{target!r} is neither a node nor an IPv4 address", target=target)) from None

    # -- observing -----------------------------------------------------------------------
    def start_trace(
        self,
        protocols: Iterable[str] | None = None,
        *,
        keep: bool = True,
        sink: Callable[[TraceEvent], None] | None = None,
    ) -> Tracer:
        """Record the event list from now on (see `trace`)."""
        self.tracer = Tracer(protocols=protocols, keep=keep, sink=sink)
        self.engine.tracer = self.tracer
        for node in self.nodes.values():
            self._trace_node(node)
        return self.tracer

    def _trace_node(self, node: Node) -> None:
        node.tracer = self.tracer
        for port in node.ports.values():
            port.tracer = self.tracer

    @property
    def trace(self) -> list[TraceEvent]:
        """The recorded events (start_trace() first; empty otherwise)."""
        return self.tracer.events if self.tracer is not None else []

    def save_html(self, path: str | Path) -> Path:
        """The run so far as one self-contained page to step through in a browser (lanlab.view;
        call lanlab.view.record(net) before running for the tables at every step)."""
        from lanlab.view import save_html  # the front end, imported only when asked for

        return save_html(self, path)

    def _repr_html_(self) -> str:
        """Jupyter shows a network as the viewer, inline."""
        from lanlab.view import notebook_html

        return notebook_html(self)

    def capture(self, path: str | Path, points: Iterable[str] = ()) -> Capture:
        """Write frames to `path`: .pcapng = every link (or the links of `points`), one
        interface each; .pcap = exactly one point NODE:PORT. Closed by close()."""
        links = [self.find_link(p) for p in points] if points else list(self.links)
        capture = Capture.open(Path(path), links, self.engine)
        self.captures.append(capture)
        if not points and capture.writer is not None:
            self._every_link.append(capture)  # links cabled later are captured too
        return capture

    def close(self) -> None:
        """Flush and close every capture, and remove what the run made for itself (its hosts' temporary files)."""
        for capture in self.captures:
            capture.close()
        self.captures.clear()
        self._every_link.clear()
        closers, self.closers = self.closers, []
        for close in closers:
            close()

    # -- running -------------------------------------------------------------------------
    @property
    def now(self) -> int:
        """The simulated clock in integer nanoseconds since the run began (net.now / 1e9 = seconds).

        Everything below the API (engine, devices, traces' `t`) counts in ns; what you hand to
        the API (run, ping, do's "at 2s", add_switch's ageing, link's delay) is a unit string like
        "200ms" or a number of seconds, converted in one place (lanlab.units.parse_duration)."""
        return self.engine.now

    def run(self, until: Duration, *, progress: bool = False) -> int:
        """Run to sim time `until` (absolute; "10s", 0.5 = seconds); returns events dispatched.

        With progress=True (or on a terminal for long runs), prints sim time and events/s."""
        end = _ns(until)
        if end < self.engine.now:  # `until` is absolute: an earlier time is a mistake, not "run no further"
            raise PastTimeError(
                L_(
                    "cannot run to {until}: the clock is already at {now} (until is a time since the start, not "
                    "a duration)",
                    until=format_duration(end),
                    now=format_duration(self.engine.now),
                )
            )
        if not progress:
            return self.engine.run(end)
        return self._run_with_progress(end)

    def _run_with_progress(self, end: int) -> int:
        engine = self.engine
        start_wall = time.perf_counter()
        last_report = start_wall
        total = 0
        step = max((end - engine.now) // 1000, 1)
        while engine.now < end and not engine.stopped:
            total += engine.run(min(engine.now + step, end))
            wall = time.perf_counter()
            if wall - last_report >= 0.5:
                last_report = wall
                rate = total / (wall - start_wall)
                sys.stderr.write(f"\r  sim time {engine.now / 1e9:10.3f} s   {rate:12,.0f} events/s")
                sys.stderr.flush()
        if last_report != start_wall:
            sys.stderr.write("\n")
        return total

    def ping(
        self,
        src: str,
        dst: str | IPv4Address,
        *,
        count: int = 4,
        interval: Duration = 1.0,
        size: int = 56,
        timeout: Duration = 1.0,
        ttl: int | None = None,
    ) -> PingResult:
        """Ping from host `src` now and run until the ping is over; its statistics. `size` is the ICMP payload
        (0-65507, as ping's -s), `ttl` 1-255, `count` at least 1: others are a NetworkError before anything is sent."""
        for name, value, low, high in (("count", count, 1, None), ("size", size, 0, 65507), ("ttl", ttl, 1, 255)):
            if not (name == "ttl" and value is None) and not is_whole_in(value, low, high):
                raise NetworkError(
                    L_(
                        "ping {name}={value!r}: give a whole number {bounds}",
                        name=name,
                        value=value,
                        bounds=bounds_text(low, high),
                    )
                )
        host = self.node(src)
        if not isinstance(host, Host):
            raise NetworkError(
                L_("{src} is a {kind}: ping runs on hosts and routers", src=src, kind=type(host).__name__.lower())
            )
        session = host.ping(
            self.resolve_ip(dst), count=count, interval=_ns(interval), size=size, timeout=_ns(timeout), ttl=ttl
        )
        while not session.done and not self.engine.stopped:  # max_events (a storm) ends the run for good
            deadline = session.get_timer()
            if deadline is None:
                break
            self.engine.run(deadline)
        return session.result

    def counters(self) -> list[dict[str, object]]:
        """Each link's counters, with its average frame rate (both directions) since time 0."""
        seconds = self.now / 1e9
        return [
            {**link.counters(), "frames_per_s": round(link.frames / seconds, 1) if seconds else 0.0}
            for link in self.links
        ]


def load_topology(path: str | Path, *, seed: int = 1, text: str | None = None) -> Network:
    """Read a topology file into a Network; raise TopologyError listing every mistake. `text`: the file's
    content, already read (a pipe gives it once), `path` then only names it."""
    return Network.from_yaml(path, seed, text=text)
