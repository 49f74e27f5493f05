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

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lanlab.i18n import L_, N_, Deferred, message_of
from lanlab.units import UnitError, parse_duration, parse_rate
from lanlab.wire import MacAddress

T = TypeVar("T")
LINK_FIELDS = {"endpoints", "delay", "rate", "loss", "queue", "mtu"}


class TopologyError(ValueError):
    """Every mistake found in a topology file; str() is one `FILE:LINE: message` per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Spans(Generic[T]):
    """Ranges of addresses apart from one another, each with a value, kept sorted: which one meets a new range is
    found in log time (a file may hold thousands of DHCP pools; comparing each with all took 40 s for 5000)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._spans: list[tuple[int, int, T]] = []

    def meeting(self, first: int, last: int) -> T | None:
        """The value of the range that shares an address with first..last, or None. The ranges being apart,
        only the last one starting at or before `first` and the next one can."""
        at = bisect_right(self._starts, first)
        for start, end, value in self._spans[max(at - 1, 0) : at + 1]:
            if start <= last and first <= end:
                return value
        return None

    def add(self, first: int, last: int, value: T) -> None:
        """Keep first..last, which meets none of the ranges kept (`meeting` said None)."""
        at = bisect_right(self._starts, first)
        self._starts.insert(at, first)
        self._spans.insert(at, (first, last, value))


@dataclass
class Context:
    """What the loader knows while reading one file."""

    path: str
    problems: list[tuple[int, str]] = field(default_factory=list)
    claims: dict[tuple[str, str], int] = field(default_factory=dict)
    # DHCP pools read so far: (first, last, line, the server's own address): two servers may share a LAN, never
    # addresses (RFC 2131 4.2)
    dhcp_pools: list[tuple[int, int, int, int]] = field(default_factory=list)
    # The address of every interface with a dhcp: setting, read or not: what a dhcp_relay: may point at (a server
    # whose pool is a problem is said once, not again at each relay to it)
    dhcp_servers: set[int] = field(default_factory=set)
    # The same pools by line: those apart from one another, searched in log time, and those overlapping one
    # (each a problem already, so few): a pool is checked against both
    pool_lines: Spans[int] = field(default_factory=Spans)
    overlapping_pools: list[tuple[int, int, int]] = field(default_factory=list)
    # Mistakes the file can hold and still load and run, as (line, message): said, never refused
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # Checks that need every node read first (a relay's server is some node's address), run by the loader
    deferred: list[Callable[[], None]] = field(default_factory=list)
    # Every node's name, and the subnets of its interfaces and DHCP pools: what a DNS record may point at
    node_names: set[str] = field(default_factory=set)
    subnets: list[IPv4Network] = field(default_factory=list)
    # The file's tree, and the value each address was first claimed by: the same value claimed again is an
    # alias of it (`pc2: *pc1`), told by where the alias is used, found in the tree only then
    root: Node | None = None
    claimed_by: dict[tuple[str, str], Node] = field(default_factory=dict)
    repeats: dict[tuple[str, str], int] = field(default_factory=dict)
    alias_uses: dict[int, list[int]] | None = None

    def error(self, node: Node | None, message: str, line: int | None = None) -> None:
        problem = (line_of(node) if line is None else line, message)
        if problem not in self.problems:  # a field read twice (ip for the NIC and for the ARP entry) is one mistake
            self.problems.append(problem)

    def warn(self, line: int, message: str) -> None:
        if (line, message) not in self.warnings:
            self.warnings.append((line, message))

    def claim(self, what: str, value: str, node: Node) -> None:
        """Addresses must be unique in a network: report the second use with the first's line."""
        key = (what, value)
        first = self.claims.get(key)
        if first is None:
            self.claims[key] = line_of(node)
            self.claimed_by[key] = node
            return
        line = None
        if node is self.claimed_by[key]:  # the same value again: written once, used again through an alias
            self.repeats[key] = self.repeats.get(key, 0) + 1
            line = self.use_line(node, self.repeats[key])
        message = L_("duplicate {what} {value} (already used on line {first})", what=what, value=value, first=first)
        self.error(node, message, line)

    def use_line(self, node: Node, use: int) -> int:
        """The line of the `use`-th place (0: the first) the file's tree holds `node`, an alias's line for a value
        an alias brings; values are claimed in the order the file lists them."""
        if self.alias_uses is None:
            self.alias_uses = {} if self.root is None else uses_by_line(self.root)
        lines = self.alias_uses.get(id(node), [])
        return lines[use] if use < len(lines) else line_of(node)


def uses_by_line(root: Node) -> dict[int, list[int]]:
    """Every scalar value of the tree (by id) and the lines where it is used, in the file's order: its own line,
    or where an alias brings it (the key whose value was written before it, `pc2: *h`, or the value holding
    what a merge key or a list brings from before it). Walks the tree with its aliases expanded, without recursion."""
    uses: dict[int, list[int]] = {}
    stack: list[tuple[Node, int | None]] = [(root, None)]
    while stack:
        node, used_at = stack.pop()
        children: list[tuple[Node, int | None]] = []
        if isinstance(node, MappingNode):
            for key, value in node.value:
                children.append((key, used_at))
                children.append((value, line_of(key) if value.start_mark.index < key.start_mark.index else used_at))
        elif isinstance(node, SequenceNode):
            children = [(item, used_at) for item in node.value]
        else:
            uses.setdefault(id(node), []).append(line_of(node) if used_at is None else used_at)
        for child, child_at in reversed(children):  # the stack pops them in the file's order
            before = child.start_mark.index < node.start_mark.index and child_at == used_at
            stack.append((child, line_of(node) if before else child_at))
    return uses


def yes_no(text: str) -> bool:
    """A YAML switch as people write it: true/yes/on or false/no/off, any case."""
    if text.lower() in ("true", "yes", "on"):
        return True
    if text.lower() in ("false", "no", "off"):
        return False
    raise ValueError(L_("say true or false"))


def line_of(node: Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def key_text(node: Node) -> str:
    """A mapping key as a message names it: its text, or for a list or mapping used as a key
    (`? [a, b]`) what it is and where, never the whole value (aliases can make it millions long)."""
    if isinstance(node, ScalarNode):
        return str(node.value)
    shape = L_("a list") if isinstance(node, SequenceNode) else L_("a mapping")
    return L_("{shape} on line {line}", shape=shape, line=line_of(node))


def given_twice(spec: Spec, key: str, name_node: ScalarNode, seen: set[str]) -> bool:
    """Whether the name at `name_node` came before in the mapping `key` (YAML would keep the last, silently):
    reported at its second line. Otherwise it is added to `seen`."""
    name = str(name_node.value)
    if name in seen:
        spec.error(name_node, L_("{key}: {name} given twice", key=key, name=name))
        return True
    seen.add(name)
    return False


def not_a_hosts(ip: IPv4Address) -> Any:
    """What kind of address `ip` is when no interface may own it (RFC 1122 3.2.1.3, RFC 5771, RFC 1112 4):
    a multicast group, 127/8 (the host itself, on lo), 0/8 (this network, a source only) or 240/4 (reserved,
    255.255.255.255 among them); None for a unicast address."""
    if ip.is_multicast:
        return L_("a multicast group")
    if ip.is_loopback:
        return L_("a loopback address (127.0.0.0/8 is every host's own lo)")
    if int(ip) >> 24 == 0:
        return L_("in 0.0.0.0/8 (this network, a source address only)")
    if ip.is_reserved:
        return L_("reserved (240.0.0.0/4)")
    return None


class Spec:
    """A YAML mapping being read by a node kind: typed getters that record errors."""

    def __init__(self, ctx: Context, owner: str, node: MappingNode) -> None:
        self.ctx = ctx
        self.owner = owner
        self.node = node
        self.values: dict[str, Node] = {}
        self.keys: dict[str, Node] = {}
        self.twice: set[str] = set()  # fields given more than once: YAML keeps the last, which may not be meant
        for key_node, value_node in node.value:
            key = key_text(key_node)
            if key in self.values:
                ctx.error(key_node, L_("{owner}: field {key} given twice", owner=owner, key=repr(key)))
                self.twice.add(key)
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
                        key=key if isinstance(key, Deferred) else repr(key),  # a list or mapping as a key
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
        """The value of `key` read by `parse`; when it cannot be, an error naming `what` was
        expected and why `parse` refused it (unless `what` already says all `parse` would)."""
        text, node = self.scalar(key)
        if text is None:
            return None
        try:
            return parse(text)
        except (ValueError, UnitError) as error:
            why = plain_library_problem(message_of(error))
            if why:
                problem = L_(
                    "{key}: {text} is not {what} ({error})", key=key, text=repr(text), what=L_(what), error=why
                )
            else:
                problem = L_("{key}: {text} is not {what}", key=key, text=repr(text), what=L_(what))
            self.error(node, problem)
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
            kind = not_a_hosts(address.ip)
            if kind is not None:
                self.error(
                    node,
                    L_(
                        "{key}: {address} is {kind}, not an interface's address; give a unicast one, like "
                        "198.18.0.1/24",
                        key=key,
                        address=address.ip,
                        kind=kind,
                    ),
                )
                return None
        return address

    def address(self, key: str) -> IPv4Address | None:
        return self.parsed(key, IPv4Address, N_("an IPv4 address"))

    def mac(self, key: str) -> MacAddress | None:
        """An interface's own MAC: unicast (a group address as a source would be learned by every switch as a
        station, and IEEE 802.3 3.2.3 says a source address is never one)."""
        mac = self.parsed(key, MacAddress, N_("a MAC address like 02:00:00:00:00:01"))
        if mac is not None and mac.is_multicast:
            self.error(
                self.values[key],
                L_(
                    "{key}: {mac} is a group address (its I/G bit is set); an interface's own MAC is unicast, "
                    "like 02:00:00:00:00:01",
                    key=key,
                    mac=mac,
                ),
            )
            return None
        return mac

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
        seen: set[str] = set()
        for name_node, value in node.value:
            if not isinstance(name_node, ScalarNode):
                self.error(name_node, L_("{key}: a name is one word, like {example}", key=key, example="p1"))
                continue
            name = str(name_node.value)
            if given_twice(self, key, name_node, seen):
                continue
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
            out.append((name, Spec(self.ctx, L_("{owner} {key}.{name}", owner=self.owner, key=key, name=name), value)))
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

    def nodes_read(self) -> None:
        """Run the checks that need every node read (a DNS record's address on no subnet of the file, a
        fixed address inside a pool...); a back end calls it once its node kinds have read their fields."""
        for check in self.ctx.deferred:
            check()
        self.ctx.deferred.clear()

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

    def warning_lines(self) -> list[str]:
        """Every warning recorded, by line, as `FILE:LINE: warning: message` (for a file without problems)."""
        return [
            L_("{file}:{line}: warning: {problem}", file=self.ctx.path, line=line, problem=message)
            for line, message in sorted(self.ctx.warnings, key=lambda warning: warning[0])
        ]


def node_name_problem(name: str) -> str | None:
    """What is wrong with a node's name, or None: links and captures write NODE:PORT (no colon),
    --do and the event list show it (printable, no spaces around it, not empty)."""
    if not name.strip():
        return L_("a node's name is empty; give one, like pc1")
    if ":" in name:
        return L_("node name {name}: a name has no ':' (links and captures write NODE:PORT), like pc1", name=repr(name))
    if name != name.strip():
        return L_("node name {name}: a name neither starts nor ends with a space, like pc1", name=repr(name))
    if "/" in name or "\\" in name or name in (".", ".."):
        return L_(
            "node name {name}: a name is no path (no '/', '\\', '.' or '..': a host's files are in a folder of "
            "its name), like pc1",
            name=repr(name),
        )
    if not name.isprintable():
        return L_(
            "node name {name}: a name holds no control or direction characters (it is printed), like pc1",
            name=repr(name),
        )
    return None


MAX_DEPTH = 100  # far more than a topology needs, far less than what exhausts PyYAML's recursion
# Values, written or brought by aliases, as the reader walks them: a 10,000-host topology has
# about 100,000; a composed value costs about 450 bytes. A "billion laughs" file (each alias
# listing the one before ten times) is refused, and so is a file of a million plain values.
MAX_VALUES = 1_000_000
MAX_BYTES = 16 * 1024 * 1024  # of YAML text: a 10,000-host topology is about 1 MiB
# Above this, the values written are counted from the parser's events before anything is composed,
# and libyaml's words are kept when it refuses the text (PyYAML's own parser is 20x slower).
LARGE_TEXT = 1024 * 1024
# libyaml's composer when PyYAML was built with it: 13x faster on examples/rip-ring.yaml (0.86 against
# 11.5 ms), which was a third of a small run's time in a sweep; the same nodes and lines
COMPOSER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
# PyYAML's words for the mistakes people make most, each with a plain sentence (an L_ text, so it
# reads in the user's language; PyYAML's own words follow it as they are).
PLAIN_YAML = (
    (
        "expected <block end>",
        L_(
            "the indentation does not match the line above (keys of one mapping line up; "
            "a value's settings are indented under it)"
        ),
    ),
    (
        "mapping values are not allowed here",
        L_("a ':' where a value cannot have one (put a space after each 'key:', and quote a value that contains ': ')"),
    ),
    ("found character '\\t'", L_("a tab: YAML indents with spaces only")),
    ("could not find expected ':'", L_("a key without its ':' (write key: value)")),
    ("expected ',' or ']'", L_("a [list] that is not closed, or items without a comma between them")),
    ("expected ',' or '}'", L_("a {{mapping}} that is not closed, or entries without a comma between them")),
    (
        "expected the node content, but found '<stream end>'",
        L_("the file ends where a value was expected (a [list] or {{mapping}} not closed?)"),
    ),
    ("found unexpected end of stream", L_("the file ends inside a quoted value (a quote not closed?)")),
)


# YAML 1.2 7.4.2/8.2.2: a key written without '?' (an implicit key) is at most 1024 characters; PyYAML and libyaml
# forget a longer one before its ':' and then report the ':' (or the missing one), not the key.
IMPLICIT_KEY_MOST = 1024
YAML_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def too_long_key(error: yaml.YAMLError, text: str) -> tuple[int, int] | None:
    """The line and length of a key past IMPLICIT_KEY_MOST that `error` is really about, or None."""
    mark, problem = getattr(error, "problem_mark", None), str(getattr(error, "problem", None) or "")
    if mark is None:
        return None
    line = YAML_LINE_BREAK.split(text)[mark.line] if text else ""
    before, at = line[: mark.column], line[mark.column : mark.column + 1]
    context = getattr(error, "context_mark", None)
    if problem.startswith("could not find expected ':'"):  # a key at a mapping's indentation, given up on
        if context is None or context.line != mark.line:  # the line ended: the ':' is really missing
            return None
        key = before[context.column :]
    elif problem.startswith("mapping values are not allowed"):  # a key in a block mapping
        key = re.sub(r"^\s*(?:[-?]\s+)*", "", before)  # after the indentation and any '- ' or '? '
    elif "expected ',' or '}'" in problem and at == ":":  # a key in a {flow mapping}
        key = re.split(r"[{,]", before)[-1]
    else:
        return None
    key = key.strip()
    if re.search(r":(\s|$)", key):  # a value holding ': ' (what PLAIN_YAML explains), not one long key
        return None
    return (mark.line + 1, len(key)) if len(key) > IMPLICIT_KEY_MOST else None


def yaml_mistake(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line of a PyYAML error and the problem said plainly. A character YAML refuses (a NUL, a control
    character) is found before parsing, so its error has a position in the text but no line: counted here
    (PyYAML's own words name the "<unicode string>" and a position, on a second line)."""
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return line, L_("the character {code} cannot be in a YAML file (is it text?)", code=f"U+{code:04X}")
    long_key = too_long_key(error, text)
    if long_key is not None:
        line, length = long_key
        return line, L_(
            "a key {length} characters long; YAML reads one of at most {most} before its ':' (give a shorter name)",
            length=length,
            most=IMPLICIT_KEY_MOST,
        )
    mark = getattr(error, "problem_mark", None)
    return (mark.line + 1 if mark is not None else 1), plain_yaml_problem(error)


def plain_yaml_problem(error: yaml.YAMLError) -> str:
    """A plain sentence for a PyYAML error, with PyYAML's own words after it."""
    problem = str(getattr(error, "problem", None) or error)
    for start, plain in PLAIN_YAML:
        if problem.startswith(start):
            return L_("{plain} (YAML says: {problem})", plain=plain, problem=problem)
    return problem


# The messages of the parsers a topology's values go through (ipaddress's, CPython 3.11-3.13,
# int()'s, float()'s, wire's MacAddress), said plainly and translatable, or "" where they say no more
# than the field's own words; an address given inside a longer text is quoted at the end of them
# ("... in '198.18.0.300'").
PLAIN_LIBRARY = (
    (re.compile(r"Octet (?P<octet>\d+) \(> 255\) not permitted"), N_("{octet} is more than 255")),
    (re.compile(r"Expected 4 octets"), N_("an address is 4 numbers separated by dots")),
    (re.compile(r"Only decimal digits permitted in (?P<octet>'[^']*')"), N_("{octet} is not a number")),
    (re.compile(r"At most 3 characters permitted in (?P<octet>'[^']*')"), N_("{octet} has more than 3 digits")),
    (re.compile(r"Leading zeros are not permitted"), N_("a number with a leading zero is ambiguous")),
    (re.compile(r"Empty octet not permitted"), N_("a number between two dots is missing")),
    (re.compile(r"Address cannot be empty"), N_("the address is empty")),
    (
        re.compile(r"(?P<mask>'[^']*') is not a valid netmask"),
        N_("{mask} is neither a prefix length from 0 to 32 nor a netmask"),
    ),
    (re.compile(r"Only one '/' permitted"), N_("only one '/' may come before the prefix length")),
    (re.compile(r"invalid literal for int\(\) with base 10: "), ""),  # the field: "is not a number of bytes"
    (re.compile(r"could not convert string to float: "), ""),
    (re.compile(r"MacAddress: .* is not a MAC address"), ""),  # the field: "is not a MAC address like ..."
    (re.compile(r"'.*' is not a valid [A-Z]\w*$"), ""),  # an Enum's: the field lists the words it takes
)
HOST_BITS = re.compile(r"(?P<given>\S+) has host bits set")


def plain_library_problem(problem: str) -> str:
    """A library's message said plainly (an L_ text), "" when it adds nothing to what the field
    expected, or `problem` as it is when it is another one."""
    found = HOST_BITS.match(problem)
    if found:  # the field's own words give the network meant (is not a network like 198.18.5.0/24)
        return L_("{given} is a host's address, not the network's", given=found["given"])
    for pattern, plain in PLAIN_LIBRARY:
        found = pattern.match(problem)
        if found:
            return L_(plain, **found.groupdict()) if plain else ""
    return problem


def too_deep_line(text: str) -> int | None:
    """The line where the written nesting first passes MAX_DEPTH (scanning tokens, which is not
    recursive); None when it never does (aliases may still make the tree deeper)."""
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
    return None


def nests_too_deep(text: str) -> bool:
    """Whether the text nests past MAX_DEPTH: asked before PyYAML's Python composer or loader reads it.
    They recurse once a level, and a caught RecursionError is not enough: near the interpreter's limit
    any finalizer the collector runs fails too, and prints its traceback ("Exception ignored in ...")."""
    return too_deep_line(text) is not None


def names_an_alias(text: str) -> bool:
    """Whether a YAML text uses an alias (*name), which can make a value hold itself (&a [*a]): one value
    given on a command line or a page needs none. A text the scanner refuses is left to the loader's words."""
    try:
        return any(isinstance(token, yaml.AliasToken) for token in yaml.scan(text))
    except yaml.YAMLError:
        return False


def read_text(path: str | Path) -> str:
    """A YAML file's text; TopologyError (FILE: why) when it cannot be read or is not UTF-8."""
    shown = str(path)
    try:
        # At most MAX_BYTES, whatever the file is: a pipe (sim run <(make-topology)) is read as it
        # comes, and a device that never ends (/dev/urandom) is refused rather than read for ever.
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise TopologyError(
                [
                    L_(
                        "{file}: more than {most} MiB; a topology is a few KiB of YAML text",
                        file=shown,
                        most=MAX_BYTES // (1024 * 1024),
                    )
                ]
            )
        return data.decode("utf-8")
    except OSError as error:
        raise TopologyError([L_("{file}: cannot read: {reason}", file=shown, reason=error.strerror)]) from None
    except UnicodeDecodeError as error:
        raise TopologyError(
            [
                L_(
                    "{file}: not a text file: byte {byte} at offset {offset} is not UTF-8 (a topology is YAML text)",
                    file=shown,
                    byte=f"{error.object[error.start]:#04x}",
                    offset=error.start,
                )
            ]
        ) from None


def compose(
    path: str | Path, text: str | None = None, shape: str = N_("a topology is a mapping with nodes: and links:")
) -> tuple[str, MappingNode]:
    """The file's YAML tree (every value with its line); TopologyError when it is not one.
    `text`, when given, is read instead of the file (a lab's variant, its values filled in);
    `shape` (an N_ text) says what the file should be."""
    shown = str(path)
    if text is None:
        text = read_text(path)
    if len(text) > LARGE_TEXT and written_values(text) > MAX_VALUES:
        raise TopologyError(
            [
                L_(
                    "{file}: more than {most:,} values; a topology needs far fewer",
                    file=shown,
                    most=MAX_VALUES,
                )
            ]
        )
    try:
        root = _compose(text, shown)
    except yaml.YAMLError as error:
        line, problem = yaml_mistake(error, text)
        raise TopologyError(
            [L_("{file}:{line}: not valid YAML: {problem}", file=shown, line=line, problem=problem)]
        ) from None
    if root is None:  # no document: empty, or comments only
        raise TopologyError([L_("{file}:{line}: {shape}", file=shown, line=1, shape=L_(shape))])
    measured = measure_all(root, shown)
    depth, values = measured[id(root)]
    if depth > MAX_DEPTH:  # what libyaml composed, the reader (recursive too) must not walk
        raise _too_deep(shown, text, alias_line(root, measured))
    if values > MAX_VALUES:
        raise TopologyError(
            [
                L_(
                    "{file}: its aliases expand to {values:,} values, more than {most:,}; a topology needs far "
                    "fewer (write the repeated settings out, or repeat fewer)",
                    file=shown,
                    values=values,
                    most=MAX_VALUES,
                )
            ]
        )
    if not isinstance(root, MappingNode):
        raise TopologyError([L_("{file}:{line}: {shape}", file=shown, line=line_of(root), shape=L_(shape))])
    if "<<" in text:  # a merge key may be there: the walk costs a large topology nothing otherwise
        _apply_merge_keys(root, shown)
    return shown, root


MERGE_TAG = "tag:yaml.org,2002:merge"


def _apply_merge_keys(root: Node, shown: str) -> None:
    """Merge keys (`<<: *pc` or `<<: [*a, *b]`, YAML 1.1's merge type), as yaml.safe_load applies them:
    the merged mappings' pairs first, the node's own after them and winning over them (so a node's own
    key is no "given twice"), among merged mappings the one listed first winning. Composing leaves the
    `<<` keys in the tree; the reader walks the tree, not what a loader would construct. Every node with
    a merge key is found (and its own pairs counted) before any is flattened: flattening one flattens the
    anchors it merges in place, which may hold merge keys of their own."""
    merging: list[tuple[MappingNode, set[str], int]] = []  # node, its own keys, how many pairs are its own
    done: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in done:  # an alias: the same node again
            continue
        done.add(id(node))
        if isinstance(node, MappingNode):
            own = [(key, value) for key, value in node.value if key.tag != MERGE_TAG]
            if len(own) != len(node.value):
                merging.append((node, {key.value for key, _ in own if isinstance(key, ScalarNode)}, len(own)))
            stack.extend(child for pair in node.value for child in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    flattener = yaml.constructor.SafeConstructor()
    for node, own_keys, own_count in merging:
        try:
            flattener.flatten_mapping(node)  # merged pairs, then own (a no-op once flattened as another's anchor)
        except yaml.constructor.ConstructorError as error:
            raise TopologyError(
                [
                    L_(
                        "{file}:{line}: << merges a mapping or a list of mappings (like <<: *defaults)",
                        file=shown,
                        line=error.problem_mark.line + 1 if error.problem_mark else line_of(node),
                    )
                ]
            ) from None
        merged, own = node.value[: len(node.value) - own_count], node.value[len(node.value) - own_count :]
        winners: dict[str, tuple[Node, Node]] = {}
        for key, value in merged:  # later wins, as dict assignment in the loader
            if isinstance(key, ScalarNode) and key.value not in own_keys:
                winners.pop(key.value, None)
                winners[key.value] = (key, value)
        node.value = [*winners.values(), *own]


def _compose(text: str, shown: str) -> yaml.Node | None:
    """libyaml's tree (None for a file with no document); on a mistake, PyYAML's own composer again, for
    its words (PLAIN_YAML's sentences are keyed on them). libyaml refuses 1,000 levels itself; PyYAML's
    composer is not let near its RecursionError (see nests_too_deep)."""
    if COMPOSER is not yaml.SafeLoader:
        try:
            return yaml.compose(text, Loader=COMPOSER)
        except yaml.YAMLError:
            if len(text) > LARGE_TEXT:
                raise
    if nests_too_deep(text):
        raise _too_deep(shown, text)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def written_values(text: str) -> int:
    """How many values `text` writes (aliases counted once), counting no further than MAX_VALUES + 1;
    a text the parser refuses counts what came before the mistake (compose then says what it is)."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=COMPOSER):
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                count += 1
                if count > MAX_VALUES:
                    break
    except yaml.YAMLError:
        pass
    return count


def _too_deep(shown: str, text: str, alias_at: int | None = None) -> TopologyError:
    """Nesting past MAX_DEPTH, at the line where the text nests that deep or, when only its aliases
    do (a chain of anchors, each listing the one before), where the deepest chain is used."""
    written = too_deep_line(text)
    return TopologyError(
        [
            L_(
                "{file}:{line}: nested more than {most} levels deep; a topology needs a few "
                "(nodes: -> a node -> its interfaces)",
                file=shown,
                line=alias_at if written is None and alias_at is not None else written or 1,
                most=MAX_DEPTH,
            )
        ]
    )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def measure(root: yaml.Node, shown: str = "") -> tuple[int, int]:
    """How deep a YAML tree nests and how many values it holds once its aliases are expanded, as
    the reader would walk them."""
    return measure_all(root, shown)[id(root)]


def measure_all(root: yaml.Node, shown: str = "") -> dict[int, tuple[int, int]]:
    """measure() of every node in the tree, by id. An alias shares its anchor's node, so the tree is
    a graph: each node is measured once (walked without recursion), and an alias inside the value it
    names, which would make it contain itself, is a TopologyError at its line."""
    measured: dict[int, tuple[int, int]] = {}
    on_path = {id(root)}
    children = _children(root)
    stack = [(root, children, iter(children))]
    while stack:
        node, children, pending = stack[-1]
        child = next(pending, None)
        if child is None:
            parts = [measured[id(part)] for part in children]
            measured[id(node)] = (1 + max((d for d, _ in parts), default=0), 1 + sum(v for _, v in parts))
            on_path.discard(id(node))
            stack.pop()
        elif id(child) in on_path:
            raise TopologyError(
                [
                    L_(
                        "{file}:{line}: this value holds an alias of itself (its &anchor used inside it): "
                        "it would contain itself",
                        file=shown,
                        line=line_of(child),
                    )
                ]
            )
        elif id(child) not in measured:
            on_path.add(id(child))
            grandchildren = _children(child)
            stack.append((child, grandchildren, iter(grandchildren)))
    return measured


def alias_line(root: yaml.Node, measured: dict[int, tuple[int, int]]) -> int | None:
    """Down the deepest path of the tree, the line of the first alias on it: where a value written
    earlier in the file (its anchor's) is used. None when the path has no alias."""
    node = root
    while True:
        children = _children(node)
        if not children:
            return None
        deepest = max(children, key=lambda child: measured[id(child)][0])
        if deepest.start_mark.index < node.start_mark.index:  # written before the value that holds it
            return line_of(_key_of(node, deepest))
        node = deepest


def _key_of(parent: yaml.Node, child: yaml.Node) -> yaml.Node:
    """The key `child` is the value of in a mapping `parent` (the alias's own line), else `parent`."""
    if isinstance(parent, MappingNode):
        for key, value in parent.value:
            if value is child:
                return key
    return parent


def read_document(
    path: str | Path, text: str | None = None, edit: Callable[[MappingNode], None] | None = None
) -> Document:
    """Read a topology file's name, nodes, links and events; problems so far are in `document.ctx`
    (call `raise_problems()` once the node kinds have read their fields too). `text`: as compose's;
    `edit` changes the YAML tree before it is read (a sweep's --vary values), its lines still the file's."""
    shown, root = compose(path, text)
    if edit is not None:
        edit(root)
    ctx = Context(shown, root=root)
    top = Spec(ctx, "topology", root)
    top.only({"name", "nodes", "links", "events"})
    name, _ = top.scalar("name")
    document = Document(name or Path(path).stem, ctx)
    if top.twice & {"nodes", "links"}:  # reading the last would blame the links on nodes the first one names
        document.raise_problems()
    nodes = top.values.get("nodes")
    if not isinstance(nodes, MappingNode):
        ctx.error(nodes or root, L_("nodes: must be a mapping of node names to their settings"))
    else:
        for name_node, value in nodes.value:
            if not isinstance(name_node, ScalarNode):
                ctx.error(name_node, L_("a node's name is one word, like pc1"))
                continue
            node_name = str(name_node.value)
            problem = node_name_problem(node_name)
            if problem is not None:
                ctx.error(name_node, problem)
                continue
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
        loss = spec.parsed("loss", float, N_("a probability"))
        if loss is not None:
            if not 0.0 <= loss <= 1.0:
                spec.error(spec.values["loss"], L_("loss must be between 0 and 1, not {loss}", loss=loss))
            options["loss"] = loss
        queue = spec.parsed("queue", int, N_("a number of frames"))
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
