"""Topology files (YAML) read into plain data, with every mistake reported as FILE:LINE: what is wrong.

    name: classroom
    nodes:
      pc1: {kind: host, ip: 198.18.0.1/24}
      sw1: {kind: switch, ageing: 300s}
    links:
      - [pc1:eth0, sw1:p1]
      - {endpoints: [sw1:p2, hub1:p1], delay: 1ms, rate: 100Mbps, loss: 0.0, queue: 100}

The file is composed (not just loaded) so every value keeps its line. `read_document` checks the
shape (nodes, links, events) and returns a `Document`; a node's own fields are read by its kind
through a `Spec` (lanlab.topology.settings has the readers of the built-in kinds), which records
errors instead of raising, so one pass reports all of them. Nothing here knows the simulator:
lanlab.sim.build turns a Document into a running network, and a kernel lab may read the same one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lanlab.i18n import L_, N_, message_of
from lanlab.units import UnitError, parse_duration, parse_rate
from lanlab.wire import MacAddress

T = TypeVar("T")
LINK_FIELDS = {"endpoints", "delay", "rate", "loss", "queue", "mtu"}


class TopologyError(ValueError):
    """Every mistake found in a topology file; str() is one `FILE:LINE: message` per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Context:
    """What the loader knows while reading one file."""

    path: str
    problems: list[tuple[int, str]] = field(default_factory=list)
    claims: dict[tuple[str, str], int] = field(default_factory=dict)
    # DHCP pools read so far: (first, last, line): two servers may share a LAN, never addresses (RFC 2131 4.2)
    dhcp_pools: list[tuple[int, int, int]] = field(default_factory=list)
    # Checks that need every node read first (a relay's server is some node's address), run by the loader
    deferred: list[Callable[[], None]] = field(default_factory=list)
    # Every node's name, and the subnets of its interfaces and DHCP pools: what a DNS record may point at
    node_names: set[str] = field(default_factory=set)
    subnets: list[IPv4Network] = field(default_factory=list)

    def error(self, node: Node | None, message: str) -> None:
        problem = (line_of(node), message)
        if problem not in self.problems:  # a field read twice (ip for the NIC and for the ARP entry) is one mistake
            self.problems.append(problem)

    def claim(self, what: str, value: str, node: Node) -> None:
        """Addresses must be unique in a network: report the second use with the first's line."""
        key = (what, value)
        first = self.claims.get(key)
        if first is not None:
            self.error(
                node, L_("duplicate {what} {value} (already used on line {first})", what=what, value=value, first=first)
            )
        else:
            self.claims[key] = line_of(node)


def yes_no(text: str) -> bool:
    """A YAML switch as people write it: true/yes/on or false/no/off, any case."""
    if text.lower() in ("true", "yes", "on"):
        return True
    if text.lower() in ("false", "no", "off"):
        return False
    raise ValueError("say true or false")


def line_of(node: Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


class Spec:
    """A YAML mapping being read by a node kind: typed getters that record errors."""

    def __init__(self, ctx: Context, owner: str, node: MappingNode) -> None:
        self.ctx = ctx
        self.owner = owner
        self.node = node
        self.values: dict[str, Node] = {}
        self.keys: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node)
            if key in self.values:
                ctx.error(key_node, L_("{owner}: field {key} given twice", owner=owner, key=repr(key)))
            self.values[key] = value_node
            self.keys[key] = key_node
        self.failed = False

    def error(self, node: Node | None, message: str) -> None:
        self.failed = True
        self.ctx.error(
            node if node is not None else self.node, L_("{owner}: {message}", owner=self.owner, message=message)
        )

    def only(self, allowed: set[str]) -> None:
        for key, key_node in self.keys.items():
            if key not in allowed:
                self.error(
                    key_node,
                    L_(
                        "unknown field {key} (expected one of {fields})",
                        key=repr(key),
                        fields=", ".join(sorted(allowed)),
                    ),
                )

    def scalar(self, key: str) -> tuple[str | None, Node | None]:
        node = self.values.get(key)
        if node is None:
            return None, None
        if not isinstance(node, ScalarNode):
            self.error(node, L_("{key} must be a single value", key=key))
            return None, node
        return str(node.value), node

    def parsed(self, key: str, parse: Callable[[str], T], what: str) -> T | None:
        text, node = self.scalar(key)
        if text is None:
            return None
        try:
            return parse(text)
        except (ValueError, UnitError) as error:
            self.error(
                node,
                L_(
                    "{key}: {text} is not {what} ({error})",
                    key=key,
                    text=repr(text),
                    what=L_(what),
                    error=message_of(error),
                ),
            )
            return None

    def interface(self, key: str) -> IPv4Interface | None:
        text, node = self.scalar(key)
        if text is None:
            return None
        if "/" not in text:
            self.error(
                node,
                L_("{key}: {text} needs a prefix length, like {example}/24", key=key, text=repr(text), example=text),
            )
            return None
        address = self.parsed(key, IPv4Interface, N_("an IPv4 address with a prefix length"))
        if address is not None:
            network = address.network
            # RFC 919/922: the all-zeros and all-ones hosts name the subnet and its broadcast
            # (a /31 or /32 has neither, RFC 3021).
            reserved = {network.network_address: "network", network.broadcast_address: "broadcast"}
            if network.prefixlen <= 30 and address.ip in reserved:
                first, last = network.network_address + 1, network.broadcast_address - 1
                where = {"key": key, "address": address.ip, "network": network, "first": first, "last": last}
                if reserved[address.ip] == "network":
                    problem = L_(
                        "{key}: {address} is the network address of {network}, not a host's; "
                        "give one from {first} to {last}",
                        **where,
                    )
                else:
                    problem = L_(
                        "{key}: {address} is the broadcast address of {network}, not a host's; "
                        "give one from {first} to {last}",
                        **where,
                    )
                self.error(node, problem)
                return None
        return address

    def address(self, key: str) -> IPv4Address | None:
        return self.parsed(key, IPv4Address, N_("an IPv4 address"))

    def mac(self, key: str) -> MacAddress | None:
        return self.parsed(key, MacAddress, N_("a MAC address like 02:00:00:00:00:01"))

    def duration(self, key: str) -> int | None:
        return self.parsed(key, parse_duration, N_("a duration like 300s or 1ms"))

    def flag(self, key: str) -> bool | None:
        return self.parsed(key, yes_no, N_("true or false"))

    def mtu(self, key: str) -> int | None:
        """An MTU in bytes: from 68 (RFC 791: every IPv4 link carries 68 bytes) to 65535 (16 bits of length)."""
        mtu = self.parsed(key, int, N_("a number of bytes"))
        if mtu is not None and not 68 <= mtu <= 65535:
            self.error(self.values[key], L_("{key} must be from 68 to 65535 bytes, not {mtu}", key=key, mtu=mtu))
            return None
        return mtu

    def mapping(self, key: str) -> list[tuple[str, Spec]]:
        node = self.values.get(key)
        if node is None:
            return []
        if not isinstance(node, MappingNode):
            self.error(node, L_("{key} must be a mapping of names to settings", key=key))
            return []
        out = []
        for name_node, value in node.value:
            name = str(name_node.value)
            if not isinstance(value, MappingNode):
                self.error(
                    value,
                    L_(
                        "{key}.{name} must be a mapping like {example}",
                        key=key,
                        name=name,
                        example="{ip: 198.18.0.1/24}",
                    ),
                )
                continue
            out.append((name, Spec(self.ctx, f"{self.owner} {key}.{name}", value)))
        return out


@dataclass
class NodeEntry:
    """One entry of `nodes:`: its name, its kind word (None when missing) and its fields."""

    name: str
    name_node: Node
    kind: str | None
    kind_node: Node | None
    spec: Spec


@dataclass
class Endpoint:
    """One end of a link as written: `pc1:eth0`."""

    text: str
    node: str
    port: str
    where: Node


@dataclass
class LinkEntry:
    """One entry of `links:`: its two endpoints and its options (delay in ns, rate in bit/s, loss, queue)."""

    endpoints: list[Endpoint]
    options: dict[str, Any]
    where: Node


@dataclass
class Document:
    """A topology file read and checked for shape; `ctx` collects the problems still to come."""

    name: str
    ctx: Context
    nodes: list[NodeEntry] = field(default_factory=list)
    links: list[LinkEntry] = field(default_factory=list)
    events: list[tuple[str, Node]] = field(default_factory=list)

    def raise_problems(self) -> None:
        """Raise TopologyError with every problem recorded, by line, if there is any."""
        if self.ctx.problems:
            ordered = sorted(self.ctx.problems, key=lambda problem: problem[0])  # by line; stable within a line
            raise TopologyError(
                [
                    L_("{file}:{line}: {problem}", file=self.ctx.path, line=line, problem=message)
                    for line, message in ordered
                ]
            )


MAX_DEPTH = 100  # far more than a topology needs, far less than what exhausts PyYAML's recursion
# libyaml's composer when PyYAML was built with it: 13x faster on examples/rip-ring.yaml (0.86 against
# 11.5 ms), which was a third of a small run's time in a sweep; the same nodes and lines
COMPOSER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
# PyYAML's messages for the mistakes people make, said plainly (the parser's own words follow).
PLAIN_YAML = (
    (
        "expected <block end>",
        "the indentation does not match the line above (keys of one mapping line up; "
        "a value's settings are indented under it)",
    ),
    (
        "mapping values are not allowed here",
        "a ':' where a value cannot have one (put a space after each 'key:', and quote a value that contains ': ')",
    ),
    ("found character '\\t'", "a tab: YAML indents with spaces only"),
    ("could not find expected ':'", "a key without its ':' (write key: value)"),
    ("expected ',' or ']'", "a [list] that is not closed, or items without a comma between them"),
    ("expected ',' or '}'", "a {mapping} that is not closed, or entries without a comma between them"),
)


def plain_yaml_problem(error: yaml.YAMLError) -> str:
    """A plain sentence for a PyYAML error, with PyYAML's own words after it."""
    problem = str(getattr(error, "problem", None) or error)
    for start, plain in PLAIN_YAML:
        if problem.startswith(start):
            return f"{plain} (YAML says: {problem})"
    return problem


def too_deep_line(text: str) -> int:
    """The line where the nesting first passes MAX_DEPTH (scanning tokens, which is not recursive)."""
    depth = 0
    try:
        for token in yaml.scan(text):
            name = type(token).__name__
            if name in (
                "BlockMappingStartToken",
                "BlockSequenceStartToken",
                "FlowMappingStartToken",
                "FlowSequenceStartToken",
            ):
                depth += 1
                if depth > MAX_DEPTH:
                    return int(token.start_mark.line) + 1
            elif name in ("BlockEndToken", "FlowMappingEndToken", "FlowSequenceEndToken"):
                depth -= 1
    except yaml.YAMLError:
        pass
    return 1


def read_text(path: str | Path) -> str:
    """A YAML file's text; TopologyError (FILE: why) when it cannot be read or is not UTF-8."""
    shown = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise TopologyError([L_("{file}: cannot read: {reason}", file=shown, reason=error.strerror)]) from None
    except UnicodeDecodeError as error:
        raise TopologyError(
            [
                f"{shown}: not a text file: byte {error.object[error.start]:#04x} at offset "
                f"{error.start} is not UTF-8 (a topology is YAML text)"
            ]
        ) from None


def compose(
    path: str | Path, text: str | None = None, shape: str = "a topology is a mapping with nodes: and links:"
) -> tuple[str, MappingNode]:
    """The file's YAML tree (every value with its line); TopologyError when it is not one.
    `text`, when given, is read instead of the file (a lab's variant, its values filled in)."""
    shown = str(path)
    if text is None:
        text = read_text(path)
    try:
        root = _compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise TopologyError(
            [L_("{file}:{line}: not valid YAML: {problem}", file=shown, line=line, problem=plain_yaml_problem(error))]
        ) from None
    except RecursionError:  # PyYAML's Python composer is recursive: hundreds of levels exhaust the stack
        raise _too_deep(shown, text) from None
    if depth_of(root) > MAX_DEPTH:  # what libyaml composed, the reader (recursive too) must not walk
        raise _too_deep(shown, text)
    if not isinstance(root, MappingNode):
        raise TopologyError([f"{shown}:{line_of(root)}: {shape}"])
    return shown, root


def _compose(text: str) -> yaml.Node:
    """libyaml's tree; on a mistake, PyYAML's own composer again, for its words (PLAIN_YAML's
    sentences are keyed on them) and its RecursionError past a few hundred levels."""
    try:
        return yaml.compose(text, Loader=COMPOSER)
    except yaml.YAMLError:
        if COMPOSER is yaml.SafeLoader:
            raise
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _too_deep(shown: str, text: str) -> TopologyError:
    return TopologyError(
        [
            f"{shown}:{too_deep_line(text)}: nested more than {MAX_DEPTH} levels deep; a topology "
            "needs a few (nodes: -> a node -> its interfaces)"
        ]
    )


def depth_of(root: yaml.Node) -> int:
    """How deep a YAML tree nests (walked without recursion)."""
    deepest, pending = 0, [(root, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(node, SequenceNode):
            pending.extend((item, depth + 1) for item in node.value)
        elif isinstance(node, MappingNode):
            pending.extend((part, depth + 1) for pair in node.value for part in pair)
    return deepest


def read_document(path: str | Path, text: str | None = None) -> Document:
    """Read a topology file's name, nodes, links and events; problems so far are in `document.ctx`
    (call `raise_problems()` once the node kinds have read their fields too). `text`: as compose's."""
    shown, root = compose(path, text)
    ctx = Context(shown)
    top = Spec(ctx, "topology", root)
    top.only({"name", "nodes", "links", "events"})
    name, _ = top.scalar("name")
    document = Document(name or Path(path).stem, ctx)
    nodes = top.values.get("nodes")
    if not isinstance(nodes, MappingNode):
        ctx.error(nodes or root, L_("nodes: must be a mapping of node names to their settings"))
    else:
        for name_node, value in nodes.value:
            if not isinstance(name_node, ScalarNode):
                ctx.error(name_node, L_("a node's name is one word, like pc1"))
                continue
            node_name = str(name_node.value)
            if not isinstance(value, MappingNode):
                ctx.error(
                    value,
                    L_(
                        "node {node}: give its settings as a mapping, like {example}",
                        node=node_name,
                        example="{kind: host}",
                    ),
                )
                continue
            spec = Spec(ctx, L_("node {node}", node=node_name), value)
            ctx.node_names.add(node_name)
            kind, kind_node = spec.scalar("kind")
            document.nodes.append(NodeEntry(node_name, name_node, kind, kind_node, spec))
    links = top.values.get("links")
    if links is not None:
        if not isinstance(links, SequenceNode):
            ctx.error(links, L_("links: must be a list of [NODE:PORT, NODE:PORT] pairs"))
        else:
            used: dict[str, int] = {}
            for item in links.value:
                link = _read_link(ctx, item, used)
                if link is not None:
                    document.links.append(link)
    events = top.values.get("events")
    if events is not None:
        if not isinstance(events, SequenceNode):
            ctx.error(events, L_('events: is a list of command lines like "at 60s link r1:eth1 r2:eth0 down"'))
        else:
            for item in events.value:
                if not isinstance(item, ScalarNode):
                    ctx.error(item, L_('an event is one command line, like "at 90s r2 stop"'))
                    continue
                document.events.append((str(item.value), item))
    return document


def _read_link(ctx: Context, item: Node, used: dict[str, int]) -> LinkEntry | None:
    options: dict[str, Any] = {}
    if isinstance(item, MappingNode):
        spec = Spec(ctx, "link", item)
        spec.only(LINK_FIELDS)
        endpoints = spec.values.get("endpoints")
        delay = spec.parsed("delay", parse_duration, N_("a duration like 1ms"))
        if delay is not None:
            options["delay"] = delay
        rate = spec.parsed("rate", parse_rate, N_("a rate like 100Mbps"))
        if rate is not None:
            options["rate"] = rate
        loss = spec.parsed("loss", float, "a probability")
        if loss is not None:
            if not 0.0 <= loss <= 1.0:
                spec.error(spec.values["loss"], L_("loss must be between 0 and 1, not {loss}", loss=loss))
            options["loss"] = loss
        queue = spec.parsed("queue", int, "a number of frames")
        if queue is not None:
            if queue < 1:
                spec.error(spec.values["queue"], L_("queue must hold at least 1 frame"))
            options["queue"] = queue
        mtu = spec.mtu("mtu")
        if mtu is not None:
            options["mtu"] = mtu
        if spec.failed:
            return None
    else:
        endpoints = item
    if (
        not isinstance(endpoints, SequenceNode)
        or len(endpoints.value) != 2
        or not all(isinstance(e, ScalarNode) for e in endpoints.value)
    ):
        ctx.error(
            endpoints or item,
            L_("a link is [NODE:PORT, NODE:PORT] or {example}", example="{endpoints: [NODE:PORT, NODE:PORT], ...}"),
        )
        return None
    ends = []
    for endpoint in endpoints.value:
        text = str(endpoint.value)
        node_name, sep, port_name = text.partition(":")
        if not sep or not node_name or not port_name:
            ctx.error(endpoint, L_("link endpoint {text} must be NODE:PORT, like pc1:eth0", text=repr(text)))
            continue
        if text in used:
            ctx.error(endpoint, L_("port {port} is used twice (first on line {first})", port=text, first=used[text]))
            continue
        used[text] = line_of(endpoint)
        ends.append(Endpoint(text, node_name, port_name, endpoint))
    return LinkEntry(ends, options, item)
