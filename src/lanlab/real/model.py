"""A topology file read for the kernel: the plain data lanlab.topology gives, in the shape a
namespace lab needs (nodes with their ports and addresses, links with their options).

Only lanlab.topology is read here, never the simulator: the same file, checked the same way
(every mistake as FILE:LINE), another back end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

from lanlab.i18n import L_
from lanlab.topology import Document, Spec, TopologyError, read_document
from lanlab.topology.reader import line_of
from lanlab.topology.dns import dns_resolver, dns_server
from lanlab.topology.settings import (
    NODE_FIELDS,
    check_gateway,
    dhcp_relay_setting,
    host_interfaces,
    rip_settings,
    router_interfaces,
    static_routes,
    stp_settings,
)

KINDS = ("host", "switch", "hub", "router")
# A node's name is its namespace's (in `ip -batch` lines, split at blanks, `#` starting a comment),
# its programs' hostname (HOST_NAME_MAX: 64 bytes) and a name in every namespace's /etc/hosts.
NAME_BYTES = 64
NAME_FORBIDDEN = "#'\""
# A port is an interface's name in its namespace: IFNAMSIZ (16) bytes with the NUL, and the
# kernel's dev_valid_name refuses '/', ':' and blanks; '%' makes the kernel number the name
# (p%d becomes p0), '#' and quotes are `ip -batch` syntax. lo is every namespace's loopback, and a
# switch's or hub's bridge takes BRIDGE's name.
PORT_BYTES = 15
PORT_FORBIDDEN = "/:%#'\"\\"
LOOPBACK = "lo"
BRIDGE = "br0"  # the Linux bridge in a switch's or hub's namespace


def kernel_name_problem(name: str) -> str | None:
    """What keeps a node's name (one the topology reader took) from being built on the kernel, or None."""
    if len(name.encode()) > NAME_BYTES or any(c.isspace() or c in NAME_FORBIDDEN for c in name):
        return L_(
            "on the kernel a node's name is a namespace's and a hostname: at most {most} bytes, "
            "no spaces, '#' or quotes, like pc1",
            most=NAME_BYTES,
        )
    return None


@dataclass
class RealNode:
    """One node as the kernel builds it: a namespace; `interfaces` maps a port to its ip/mac (None
    on a switch or hub port, which is a bridge port)."""

    name: str
    kind: str
    interfaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    gateway: IPv4Address | None = None
    ageing: int | None = None  # ns; a switch's, None: the kernel's default (300 s, as the simulator's)
    stp: dict[str, Any] | None = None
    routes: list[tuple[IPv4Network, IPv4Address]] = field(default_factory=list)
    rip: dict[str, Any] | None = None
    dhcp_relay: IPv4Address | None = None  # a router's DHCP server to relay its other subnets' broadcasts to
    resolvers: tuple[IPv4Address, ...] = ()  # `dns: ADDRESS`: its resolv.conf's servers
    zone: dict[str, Any] | None = None  # `dns: {zone, auto, records, ttl}`: a zone it serves (dnsmasq)
    answer_broadcast_ping: bool = False  # net.ipv4.icmp_echo_ignore_broadcasts=0 in its namespace


@dataclass
class RealLink:
    a: tuple[str, str]
    b: tuple[str, str]
    options: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.a[0]}:{self.a[1]} - {self.b[0]}:{self.b[1]}"


@dataclass
class RealLab:
    name: str
    nodes: dict[str, RealNode]
    links: list[RealLink]
    events: list[tuple[str, int]]  # the file's events: text, line
    warnings: list[str] = field(default_factory=list)  # FILE:LINE: warning: ..., e.g. a fixed address in a pool

    def address_of(self, word: str) -> str:
        """A --do argument naming a node (pc2) -> its first address, as the simulator resolves it."""
        node = self.nodes.get(word)
        if node is None:
            return word
        for options in node.interfaces.values():
            if options.get("ip") is not None:
                return str(options["ip"].ip)
        return word


def _host(spec: Spec, node: RealNode) -> None:
    spec.only({"kind", *NODE_FIELDS["host"]})
    node.gateway = spec.address("gateway")
    node.answer_broadcast_ping = bool(spec.flag("answer_broadcast_ping"))
    node.resolvers, node.zone = dns_resolver(spec), dns_server(spec)
    for if_name, read in host_interfaces(spec, rarp=False).items():
        # a lease's address is taken by a DHCP client (udhcpc, lanlab.real.dhcp); a server's pools go to dnsmasq
        node.interfaces[if_name] = {
            "ip": read.ip,
            "mac": read.mac,
            "mtu": read.mtu,
            "lease": read.leased,
            "dhcp": read.serves,
        }
    # the simulator's check (ip would refuse the route half way through the build); a lease's subnet is not known yet
    leasing = any(i["lease"] for i in node.interfaces.values())
    if node.gateway is not None and not spec.failed and not leasing:
        check_gateway(spec, node.gateway, [i["ip"] for i in node.interfaces.values() if i["ip"] is not None])
    if "rarp_server" in spec.values:
        spec.error(spec.values["rarp_server"], L_("rarp_server is simulator-only (the kernel has no RARP server)"))


def _node(entry: Any) -> RealNode | None:
    spec: Spec = entry.spec
    node = RealNode(entry.name, entry.kind or "")
    if entry.kind == "host":
        _host(spec, node)
    elif entry.kind == "switch":
        spec.only({"kind", *NODE_FIELDS["switch"]})
        node.ageing = spec.duration("ageing")
        node.stp = stp_settings(spec)
    elif entry.kind == "hub":
        spec.only({"kind", *NODE_FIELDS["hub"]})
    elif entry.kind == "router":
        spec.only({"kind", *NODE_FIELDS["router"]})
        node.interfaces = router_interfaces(spec)
        node.resolvers, node.zone = dns_resolver(spec), dns_server(spec)
        node.routes = static_routes(spec, node.interfaces)
        node.rip = rip_settings(spec, node.interfaces)
        node.dhcp_relay = dhcp_relay_setting(spec)
    else:
        problem = L_("missing kind") if entry.kind is None else L_("unknown kind {kind!r}", kind=entry.kind)
        spec.error(
            entry.kind_node or spec.node,
            L_("{problem} (on the kernel: one of {kinds})", problem=problem, kinds=", ".join(KINDS)),
        )
    return None if spec.failed else node


def port_name_problem(port: str, kind: str) -> str | None:
    """What keeps a port's name from being an interface name in the node's namespace, or None."""
    size = len(port.encode())
    if size > PORT_BYTES and port.isascii():
        return L_("port name {port!r} is longer than the kernel's 15 characters", port=port)
    if size > PORT_BYTES:  # the kernel counts bytes: five Chinese characters fill a name
        return L_(
            "port name {port!r} is {size} bytes in UTF-8: the kernel's interface names hold {most}",
            port=port,
            size=size,
            most=PORT_BYTES,
        )
    if port in (".", "..") or any(c.isspace() or c in PORT_FORBIDDEN for c in port):
        return L_(
            "port name {port!r} cannot be a Linux interface name: no spaces, '/', ':', '%', '#', quotes "
            "or backslashes, like eth0 or p1",
            port=port,
        )
    if port == LOOPBACK:
        return L_("port name {port!r} is every namespace's loopback interface: give the port another name", port=port)
    if port == BRIDGE and kind in ("switch", "hub"):
        return L_(
            "port name {port!r} is the bridge the kernel lab makes in a switch or hub: give the port another name",
            port=port,
        )
    return None


def _links(document: Document, nodes: dict[str, RealNode], broken: set[str]) -> list[RealLink]:
    links = []
    for entry in document.links:
        ends = []
        for end in entry.endpoints:
            node = nodes.get(end.node)
            if node is None:
                if end.node not in broken:
                    document.ctx.error(
                        end.where, L_("link endpoint {text!r}: unknown node {node!r}", text=end.text, node=end.node)
                    )
                continue
            if node.kind in ("host", "router") and end.port not in node.interfaces:
                document.ctx.error(
                    end.where,
                    L_(
                        "{kind} {node} has no interface {name!r} (it has {names})",
                        kind=node.kind,
                        node=node.name,
                        name=end.port,
                        names=", ".join(node.interfaces),
                    ),
                )
                continue
            problem = port_name_problem(end.port, node.kind)
            if problem is not None:
                document.ctx.error(end.where, problem)
                continue
            ends.append((end.node, end.port))
        if len(ends) == 2:
            links.append(RealLink(ends[0], ends[1], dict(entry.options)))
    return links


def read_lab(path: str | Path) -> RealLab:
    """Read and check a topology file for the kernel; TopologyError lists every mistake."""
    document = read_document(path)
    nodes: dict[str, RealNode] = {}
    broken: set[str] = set()
    for entry in document.nodes:
        if entry.name in nodes:
            entry.spec.error(entry.name_node, L_("node defined twice"))
            continue
        problem = kernel_name_problem(entry.name)
        if problem is not None:
            entry.spec.error(entry.name_node, problem)
            broken.add(entry.name)
            continue
        node = _node(entry)
        if node is None:
            broken.add(entry.name)
        else:
            nodes[entry.name] = node
    document.nodes_read()
    links = _links(document, nodes, broken)
    document.raise_problems()
    return RealLab(
        document.name,
        nodes,
        links,
        [(text, line_of(where)) for text, where in document.events],
        document.warning_lines(),
    )


__all__ = ["RealLab", "RealLink", "RealNode", "TopologyError", "read_lab"]
