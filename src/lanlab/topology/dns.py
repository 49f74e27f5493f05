"""A node's `dns:` field, read into plain data: a resolver's servers, or a DNS server's zone.

    pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}          # resolv.conf: nameserver 198.18.0.53
    pc2: {kind: host, ip: dhcp}                                      # the lease's DNS servers (option 6)
    ns:  {kind: host, ip: 198.18.0.53/24,
          dns: {zone: lab., auto: true, records: {www: pc3, files: 198.18.0.9}}}

A scalar or a list (at most 3: glibc's MAXNS) is the resolver; a mapping is a server for one zone:
`zone` (its origin), `auto: true` (every node of the file answers under its name, with the addresses
it has when asked, a leased one too, as dnsmasq serves /etc/hosts and its DHCP clients), `records`
(a name relative to the zone, or absolute inside it: an address or a list of them is A records,
a name is a CNAME), `ttl` (seconds, 300 when absent). Like dnsmasq's `expand-hosts`, a name one
label below the zone is also answered alone ("pc3." as well as "pc3.lab."); PTR records come from
the A records. Checks that need every node read (an address on no subnet of the file) are deferred.
"""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import Any, Final

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lanlab.i18n import L_, N_, message_of
from lanlab.proto.dns import MAX_CNAME_CHAIN  # the CNAMEs the server follows in one answer
from lanlab.topology.reader import Spec, line_of
from lanlab.wire.dns import check_name

MAX_SERVERS: Final = 3  # glibc's MAXNS: resolv.conf lines after the third nameserver are ignored
MAX_LABEL: Final = 63  # RFC 1035 2.3.4
MAX_NAME: Final = 253  # in text, without the root's dot
DEFAULT_TTL: Final = 300
SERVER_FIELDS: Final = {"zone", "auto", "records", "ttl"}


def dns_resolver(spec: Spec) -> tuple[IPv4Address, ...]:
    """`dns: ADDRESS` or `dns: [A, B]` on a host: its resolver's servers (empty when absent or a server)."""
    node = spec.values.get("dns")
    if node is None or isinstance(node, MappingNode):
        return ()
    items = node.value if isinstance(node, SequenceNode) else [node]
    servers: list[IPv4Address] = []
    for item in items:
        try:
            if not isinstance(item, ScalarNode):
                raise ValueError(L_("not a single address"))
            servers.append(IPv4Address(str(item.value)))
        except ValueError as error:
            spec.error(
                item,
                L_(
                    "dns: give the DNS server's IPv4 address, a list of them, or a zone to serve "
                    "like {example} ({error})",
                    example="{zone: lab., auto: true}",
                    error=message_of(error),
                ),
            )
    if not items:
        spec.error(node, L_("dns: give at least one server address"))
    elif len(servers) > MAX_SERVERS:
        spec.error(
            node, L_("dns: at most {count} servers (glibc uses the first {count} nameserver lines)", count=MAX_SERVERS)
        )
    for server, item in zip(servers, items):
        _defer_on_a_subnet(spec, item, server, L_("dns: server"))
    return tuple(servers)


def dns_server(spec: Spec) -> dict[str, Any] | None:
    """`dns: {zone, auto, records, ttl}`: {"zone": "lab.", "auto": bool, "addresses": {name: [IPv4Address]},
    "aliases": {name: target}, "ttl": seconds}, names absolute and lower case; None when absent, a
    resolver, or wrong (recorded)."""
    node = spec.values.get("dns")
    if not isinstance(node, MappingNode):
        return None
    dns = Spec(spec.ctx, L_("{owner} dns", owner=spec.owner), node)
    dns.only(SERVER_FIELDS)
    zone = dns.parsed("zone", _zone_name, N_("a domain name like lab."))
    if zone is None and not dns.failed:
        dns.error(node, L_("a DNS server needs zone: NAME (like lab.), the domain it answers for"))
    auto = bool(dns.flag("auto"))
    ttl = dns.parsed("ttl", int, N_("a number of seconds"))
    if ttl is not None and not 0 <= ttl <= 2**31 - 1:
        dns.error(
            dns.values["ttl"],
            L_("ttl must be from 0 to {most} seconds (RFC 2181 8), not {ttl}", most=2**31 - 1, ttl=ttl),
        )
    addresses: dict[str, list[IPv4Address]] = {}
    aliases: dict[str, tuple[str, Node]] = {}
    records = dns.values.get("records")
    if records is not None and not isinstance(records, MappingNode):
        dns.error(
            records,
            L_(
                "records: maps names to an address, a list of addresses, or another name (a CNAME), like {example}",
                example="{www: pc3, files: 198.18.0.9}",
            ),
        )
    elif records is not None and zone is not None:
        given: dict[str, Node] = {}  # name -> where it was first given
        for key, value in records.value:
            name = _record_name(dns, key, zone)
            if name is not None and name in given:  # "www" and "www.lab." or "WWW": one name (RFC 4343)
                dns.error(
                    key,
                    L_(
                        "records: {name} is given twice (also on line {line}): give it once, with a list of "
                        "addresses if it has several",
                        name=name,
                        line=line_of(given[name]),
                    ),
                )
            elif name is not None:
                given[name] = key
                _record(dns, name, value, zone, addresses, aliases)
    if zone is not None:
        _check_aliases(dns, zone, auto, addresses, aliases)
    if auto and zone is not None:
        _defer_node_names_fit(dns, zone)
    spec.failed |= dns.failed
    if dns.failed or zone is None:
        return None
    return {
        "zone": zone,
        "auto": auto,
        "addresses": addresses,
        "aliases": {name: target for name, (target, _) in aliases.items()},
        "ttl": DEFAULT_TTL if ttl is None else ttl,
    }


def _absolute_name(text: str) -> str:
    """A domain name in text, absolute and lower case; ValueError saying what is wrong."""
    name = text.strip().lower()
    name = name[:-1] if name.endswith(".") else name  # one final dot: "lab.." has an empty label
    if not name:
        raise ValueError(L_("the root zone is not served here"))
    if len(name) > MAX_NAME:
        raise ValueError(L_("longer than {most} characters", most=MAX_NAME))
    for label in name.split("."):
        if not 0 < len(label) <= MAX_LABEL:
            raise ValueError(L_("each label between dots is 1 to {most} characters", most=MAX_LABEL))
        if not all(c.isascii() and (c.isalnum() or c in "-_") for c in label):
            raise ValueError(L_("label {label}: letters, digits, '-' and '_' only", label=repr(label)))
    return name + "."


def _zone_name(text: str) -> str:
    """A zone's name: a domain name, not an address written where the name goes."""
    try:
        IPv4Address(text.strip().rstrip("."))
    except ValueError:
        return _absolute_name(text)
    raise ValueError(L_("that is an address; the zone is the domain the server answers for"))


def _in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def _record_name(dns: Spec, key: Node, zone: str) -> str | None:
    """A record's owner: "www" -> "www.lab.", "www.lab." stays, "@" is the zone itself."""
    text = str(key.value) if isinstance(key, ScalarNode) else ""
    try:
        if text == "@":
            return zone
        name = _absolute_name(text)
        if not text.endswith("."):
            return _absolute_name(f"{text}.{zone}")  # with the zone it may pass 253 characters
    except ValueError as error:
        dns.error(key, L_("records: {text} is not a name ({error})", text=repr(text), error=message_of(error)))
        return None
    if not _in_zone(name, zone):
        dns.error(
            key,
            L_("records: {name} is outside the zone {zone}: this server answers only for {zone}", name=name, zone=zone),
        )
        return None
    return name


def _record(
    dns: Spec,
    name: str,
    value: Node,
    zone: str,
    addresses: dict[str, list[IPv4Address]],
    aliases: dict[str, tuple[str, Node]],
) -> None:
    items = value.value if isinstance(value, SequenceNode) else [value]
    if not items or not all(isinstance(item, ScalarNode) for item in items):
        dns.error(value, L_("records: {name} takes an address, a list of addresses, or a name", name=name))
        return
    found: list[IPv4Address] = []
    for item in items:
        try:
            found.append(IPv4Address(str(item.value)))
        except ValueError:
            if len(items) > 1:
                dns.error(
                    item,
                    L_(
                        "records: {name}: {value} is not an IPv4 address (a name alone is a CNAME)",
                        name=name,
                        value=repr(item.value),
                    ),
                )
                return
            try:
                text = str(item.value)
                target = _absolute_name(text) if text.endswith(".") else _absolute_name(f"{text}.{zone}")
            except ValueError as error:
                dns.error(
                    item,
                    L_(
                        "records: {name}: {value} is neither an IPv4 address nor a name ({error})",
                        name=name,
                        value=repr(item.value),
                        error=message_of(error),
                    ),
                )
                return
            if name == zone:
                # RFC 1034 3.6.2 (RFC 2181 10.1): a CNAME is a name's only data, and the zone's own name holds
                # its SOA and NS records; a server would answer SOA and NS queries with the CNAME
                dns.error(
                    item,
                    L_(
                        "records: {name} is the zone's own name: it holds the zone's SOA and NS records, and a CNAME "
                        "must be a name's only record (RFC 1034 3.6.2); give it an address instead",
                        name=name,
                    ),
                )
                return
            aliases[name] = (target, item)
            return
    for address, item in zip(found, items):
        _defer_on_a_subnet(dns, item, address, L_("records: {name}", name=name))
    addresses[name] = found


def _check_aliases(
    dns: Spec, zone: str, auto: bool, addresses: dict[str, list[IPv4Address]], aliases: dict[str, tuple[str, Node]]
) -> None:
    """A CNAME must lead to a name this server holds (it does not recurse): inside the zone, held by a
    record or (with auto) possibly by a node, and not back to itself (RFC 1034 3.6.2)."""
    ctx = dns.ctx
    for name, (target, where) in aliases.items():
        if not _in_zone(target, zone):
            dns.error(
                where,
                L_(
                    "records: {name} is an alias of {target}, outside {zone}: this server does not "
                    "recurse, so the name would never resolve",
                    name=name,
                    target=target,
                    zone=zone,
                ),
            )
            continue
        seen = [name]
        while target in aliases and target not in seen:
            seen.append(target)
            target = aliases[target][0]
        if target in seen:
            dns.error(
                where,
                L_("records: {name} is an alias in a loop ({loop})", name=name, loop=" -> ".join([*seen, target])),
            )
        elif len(seen) > MAX_CNAME_CHAIN:
            dns.error(
                where,
                L_(
                    "records: {name} starts a chain of {count} aliases; the server follows at most {most} in "
                    "one answer: point one of them nearer the name's address",
                    name=name,
                    count=len(seen),
                    most=MAX_CNAME_CHAIN,
                ),
            )
        elif target not in addresses and target != zone:
            if not auto:
                dns.error(
                    where,
                    L_(
                        "records: {name} is an alias of {target}, which the zone does not hold "
                        "(add it to records, or auto: true to serve the nodes' names)",
                        name=name,
                        target=target,
                    ),
                )
                continue
            node_name = target[: -len(zone) - 1]

            def known(target: str = target, node_name: str = node_name, where: Node = where, name: str = name) -> None:
                if node_name not in ctx.node_names:
                    ctx.error(
                        where,
                        L_(
                            "{owner}: records: {name} is an alias of {target}, which is neither a "
                            "record nor a node of this file",
                            owner=dns.owner,
                            name=name,
                            target=target,
                        ),
                    )

            ctx.deferred.append(known)


def _defer_on_a_subnet(spec: Spec, where: Node, address: IPv4Address, what: str) -> None:
    """Once every node is read: `address` must lie on a subnet of the file (an interface's, or a DHCP pool's)."""
    ctx = spec.ctx

    def check() -> None:
        if not any(address in subnet for subnet in ctx.subnets):
            ctx.error(
                where,
                L_(
                    "{owner}: {what} {address} is on no subnet of this file: no node could reach it",
                    owner=spec.owner,
                    what=what,
                    address=address,
                ),
            )

    ctx.deferred.append(check)


def _defer_node_names_fit(dns: Spec, zone: str) -> None:
    """Once every node is read: with auto, each node is served as NAME.ZONE, which must fit in a DNS message
    (a label of at most 63 bytes, 255 in all, RFC 1035 2.3.4); the server could not write its PTR answer."""
    ctx, where = dns.ctx, dns.values.get("auto")

    def check() -> None:
        for node_name in sorted(ctx.node_names):
            problem = check_name(f"{node_name.lower()}.{zone}")
            if problem is not None:
                ctx.error(
                    where,
                    L_(
                        "{owner}: auto: node {node} cannot be served as {name} ({problem}): give the node a "
                        "shorter name",
                        owner=dns.owner,
                        node=node_name,
                        name=f"{node_name.lower()}.{zone}",
                        problem=problem,
                    ),
                )

    ctx.deferred.append(check)
