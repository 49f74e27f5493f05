"""The simulator: virtual time, links, hubs, switches, hosts, topology files, traces, captures.

    from lanlab.sim import Network
    net = Network.from_yaml("examples/hub_vs_switch.yaml")
    net.ping("pc1", "pc3", count=3)
    net.node("sw1").mac_table

Layout (each layer imports only those below it; import-linter checks it, see pyproject):
  network.py  the Python API (Network); builtin*.py, the demo's networks, are its users
  build/      a topology (lanlab.topology's Document) -> nodes, links, events: the node-kind
              registry (registry.py) and the built-in kinds host, switch, hub, router (kinds.py)
  commands/   --do: base.py (Command, parser, schedule), then basic, routing, traceroute, tcp, stp
  stacks/     protocols plugged into devices: stp (STP/RSTP on a switch), rarp (server, `ip: rarp`)
  devices/    hub (CSMA/CD), switch (learning bridge), host (+ host_tcp), router (RIP), storm
  shim/       Python programs run unchanged on a host (socket, select, time, threading, ...)
  core/       engine (heap, clock, RNG, MachineTimer), frame, link (Port, Link), trace, capture

How to extend:
- A node kind: write a class with `name`, `ports` (dict), `port(name)`, `attach(own, peer)` and
  `receive(port, frame, now)` (a router can subclass Host and override `not_for_me` to
  forward); add it with `Network.add_node`, and make topology files accept it with
  `register_node_kind("router", build)` (build reads fields through lanlab.topology.Spec).
- A protocol on a host: `host.ip_protocols[6] = handler` (IP protocol number, e.g. TCP),
  `host.udp.bind(520, handler)` (a UDP port, e.g. RIP), `host.ethertypes[0x8035] = handler`
  (e.g. RARP); a handler is `handler(host, frame, now)`, an EtherType one `handler(host, nic, frame, now)`. Send with `host.send_ip(...)` /
  `host.send_udp(...)`. A sans-IO machine's timers: `MachineTimer(engine, machine,
  owner).arm()` after each interaction; `owner.timer_fired(machine, now)` drains its output.
- Routing on a host: `host.ipv4.route(dst)` decides interface and next hop, `host.destination(dst)`
  caches the decision (forget with `host.routes_changed()`), `host.transmit(way, ip, l4, data,
  size, now)` resolves and frames any packet, ours or forwarded.
- A --do command: subclass `Command` with `words = "tcp serve"` and decorate it with
  `@register_command` (a family of lanlab's own is a module listed in commands/__init__.py);
  `hosts_only = False` lets a switch run it (`sw1 stp`).
- A trace word: `register_kind("route")`, then `tracer.record(now, device, port,
  "route", frame_or_None, note)` where `tracer` is `node.tracer` (None when off).
- Link up/down: `Link.set_up(False)`; frames sent or arriving while down are lost. A node with
  `link_changed(port, up, now)` hears of it from the `link` command (routers lose carrier).
- A command about the network rather than a node: `network_wide = True` and `check(network)`
  (like `link A B down`); `waits = False` for commands that expect no answer (exit status).
- Spanning tree: `sim.stacks.stp.enable_stp(switch, mode="rstp")` before linking it (topology files:
  `stp: {enabled: true, priority: 32768, mode: stp|rstp}`, `ports: {p1: {cost: 4}}`).
- Runaway runs: `engine.max_events` stops the run (`engine.stopped`); a frame a switch floods
  twice is a storm (sim.devices.storm: `switch.storm`, an event of kind `storm`), and
  `engine.events_after_storm` stops the run that many events later (`engine.stopped_by`).
"""

from lanlab.sim.build import NODE_KINDS, register_node_kind
from lanlab.sim.commands import COMMANDS, Command, CommandError, HostCommand, register_command, schedule
from lanlab.sim.core.engine import Engine, MachineTimer
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Link, Port
from lanlab.sim.core.trace import TRACE_KINDS, TraceEvent, Tracer, register_kind, trace_words
from lanlab.sim.devices.host import Host
from lanlab.sim.devices.hub import Hub
from lanlab.sim.devices.router import Router
from lanlab.sim.devices.switch import Switch
from lanlab.sim.network import Network, NetworkError, load_topology
from lanlab.topology import Spec, TopologyError


def sweep(*args: object, **kwargs: object) -> object:
    """Many runs of a topology file over seeds and values: `lanlab.sweep.sweep` (its help says how),
    imported when called, since the sweep front end sits above the simulator it drives."""
    from lanlab.sweep import sweep as run_sweep

    return run_sweep(*args, **kwargs)  # type: ignore[arg-type]


__all__ = [
    "trace_words",
    "COMMANDS",
    "Command",
    "CommandError",
    "Engine",
    "Frame",
    "Host",
    "HostCommand",
    "Hub",
    "Link",
    "MachineTimer",
    "NODE_KINDS",
    "Network",
    "NetworkError",
    "Port",
    "Router",
    "Spec",
    "Switch",
    "TRACE_KINDS",
    "TopologyError",
    "TraceEvent",
    "Tracer",
    "load_topology",
    "register_command",
    "register_kind",
    "register_node_kind",
    "schedule",
    "sweep",
]
