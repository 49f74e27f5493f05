"""The simulator: virtual time, links, hubs, switches, hosts, topology files, traces, captures.

    from lanlab.sim import Network
    net = Network.from_yaml("examples/hub_vs_switch.yaml")
    net.ping("pc1", "pc3", count=3)
    net.node("sw1").mac_table

Layout: engine (heap, clock, RNG, MachineTimer), link (Port, Link: delay, rate, queue, loss),
hub (CSMA/CD collision domain), switch (learning bridge), host (NICs wired to lanlab.proto's
ARP/IPv4/ICMP/UDP machines), network (the Python API), topology + kinds (YAML files),
commands (--do), trace (event list), capture (pcap/pcapng); router (+ router_kind: forwarding,
RIP, ICMP errors), routing_commands (route, link down|up, stop|start), traceroute, rarp (RARP
server and `ip: rarp` roles), builtin_routed (the demo's routed network).

How to extend:
- A node kind: write a class with `name`, `ports` (dict), `port(name)`, `attach(own, peer)` and
  `receive(port, frame, now)` (a router can subclass Host and override `not_for_me` to
  forward); add it with `Network.add_node`, and make topology files accept it with
  `kinds.register_node_kind("router", build)` (build reads fields through topology.Spec).
- A protocol on a host: `host.ip_protocols[6] = handler` (IP protocol number, e.g. TCP),
  `host.udp.bind(520, handler)` (a UDP port, e.g. RIP), `host.ethertypes[0x8035] = handler`
  (e.g. RARP); a handler is `handler(host, frame, now)`, an EtherType one `handler(host, nic, frame, now)`. Send with `host.send_ip(...)` /
  `host.send_udp(...)`. A sans-IO machine's timers: `engine.MachineTimer(engine, machine,
  owner).arm()` after each interaction; `owner.timer_fired(machine, now)` drains its output.
- Routing on a host: `host.ip.route(dst)` decides interface and next hop, `host.destination(dst)`
  caches the decision (forget with `host.routes_changed()`), `host.transmit(way, ip, l4, data,
  size, now)` resolves and frames any packet, ours or forwarded.
- A --do command: subclass commands.HostCommand with `words = "tcp serve"`, decorate with
  `@register_command`, in your own module (import it from this package's __init__);
  `hosts_only = False` lets a switch run it (`sw1 stp`).
- A trace word: `trace.register_kind("route")`, then `tracer.record(now, device, port,
  "route", frame_or_None, note)` where `tracer` is `node.tracer` (None when off).
- Link up/down: `Link.set_up(False)`; frames sent or arriving while down are lost. A node with
  `link_changed(port, up, now)` hears of it from the `link` command (routers lose carrier).
- A command about the network rather than a node: `network_wide = True` and `check(network)`
  (like `link A B down`); `waits = False` for commands that expect no answer (exit status).
- Spanning tree: `sim.stp.enable_stp(switch, mode="rstp")` before linking it (topology files:
  `stp: {enabled: true, priority: 32768, mode: stp|rstp}`, `ports: {p1: {cost: 4}}`).
- Runaway runs: `engine.max_events` stops the run (`engine.stopped`); a frame a switch floods
  twice is a storm (sim.storm: `switch.storm`, an event of kind `storm`), and
  `engine.events_after_storm` stops the run that many events later (`engine.stopped_by`).
"""

from lanlab.sim import kinds as _kinds  # noqa: F401 - registers host, switch, hub
from lanlab.sim import router_kind as _router_kind  # noqa: F401 - registers router
from lanlab.sim import routing_commands as _routing_commands  # noqa: F401 - route, link, stop, start
from lanlab.sim import traceroute as _traceroute  # noqa: F401 - traceroute
from lanlab.sim import tcp_commands as _tcp_commands  # noqa: F401 - registers tcp serve, tcp connect
from lanlab.sim import stp as _stp  # noqa: F401 - registers the stp command
from lanlab.sim.commands import COMMANDS, CommandError, HostCommand, register_command, schedule
from lanlab.sim.engine import Engine, MachineTimer
from lanlab.sim.frame import Frame
from lanlab.sim.host import Host
from lanlab.sim.hub import Hub
from lanlab.sim.kinds import NODE_KINDS, register_node_kind
from lanlab.sim.link import Link, Port
from lanlab.sim.network import Network, NetworkError
from lanlab.sim.switch import Switch
from lanlab.sim.topology import Spec, TopologyError, load_topology
from lanlab.sim.trace import TRACE_KINDS, TraceEvent, Tracer, register_kind

__all__ = [
    "COMMANDS", "CommandError", "Engine", "Frame", "Host", "HostCommand", "Hub", "Link", "MachineTimer",
    "NODE_KINDS", "Network", "NetworkError", "Port", "Spec", "Switch", "TRACE_KINDS", "TopologyError",
    "TraceEvent", "Tracer", "load_topology", "register_command", "register_kind", "register_node_kind", "schedule",
]
