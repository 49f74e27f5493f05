"""The settings of the built-in node kinds, read from a node's Spec into plain data.

Each reader records its mistakes on the Spec (FILE:LINE) and returns None or an empty value for
what it could not read; the builders in lanlab.sim.build turn the data into devices.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any, Final

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lanlab.proto.dhcp import (
    dns_count_problem,
    empty_pool_problem,
    is_domain_name,
    lease_problem,
    lent_router_problem,
    pool_inside,
    router_problem,
)
from lanlab.proto.rip import SplitHorizon
from lanlab.proto.spanning import DEFAULT_PRIORITY
from lanlab.i18n import L_, N_, message_of
from lanlab.topology.reader import (
    Context,
    Spans,
    Spec,
    given_twice,
    line_of,
    not_a_hosts,
    plain_library_problem,
)
from lanlab.wire import MacAddress

STP_MODES: Final = ("stp", "rstp")  # 802.1D and 802.1w; lanlab.sim.stacks.stp has their machines


# Each kind's fields in a topology file, which the simulator and the kernel lab both accept, the everyday ones
# first (sim serve's edit form shows them in this order).
NODE_FIELDS: dict[str, tuple[str, ...]] = {
    "host": (
        "ip",
        "gateway",
        "mac",
        "mtu",
        "interfaces",
        "dhcp",
        "dns",
        "gratuitous_arp",
        "answer_broadcast_ping",
        "rarp_server",
    ),
    "switch": ("ageing", "stp", "ports"),
    "hub": (),
    "router": ("interfaces", "routes", "rip", "dhcp_relay", "dns", "forward_directed_broadcast"),
}


def stp_settings(spec: Spec) -> dict[str, Any] | None:
    """A switch's `stp: {enabled, priority, mode}` and `ports: {p1: {cost: N}}` from its topology
    entry, as enable_stp() keywords (None: STP off). Mistakes are recorded on `spec`."""
    node = spec.values.get("stp")
    costs: dict[str, int] = {}
    for port_name, port_spec in spec.mapping("ports"):
        port_spec.only({"cost"})
        cost = port_spec.parsed("cost", int, N_("a whole number"))
        if cost is not None and not 1 <= cost <= 200_000_000:
            port_spec.error(port_spec.values["cost"], L_("cost must be between 1 and 200000000, not {cost}", cost=cost))
        elif cost is not None:
            costs[port_name] = cost
        spec.failed |= port_spec.failed
    if node is None:
        if costs:
            spec.error(
                spec.values["ports"],
                L_("port costs need the spanning tree: add stp: {example}", example="{enabled: true}"),
            )
        return None
    if not isinstance(node, MappingNode):
        spec.error(
            node, L_("stp must be a mapping like {example}", example="{enabled: true, priority: 32768, mode: rstp}")
        )
        return None
    stp = type(spec)(spec.ctx, L_("{owner} stp", owner=spec.owner), node)
    stp.only({"enabled", "priority", "mode"})
    enabled = stp.flag("enabled")
    priority = stp.parsed("priority", int, N_("a whole number"))
    if priority is not None and not 0 <= priority <= 65535:
        stp.error(
            stp.values["priority"],
            L_("priority must be between 0 and 65535 (lower wins), not {priority}", priority=priority),
        )
    mode, mode_node = stp.scalar("mode")
    if mode is not None and mode not in STP_MODES:
        stp.error(mode_node, L_("mode {mode}: choose stp (802.1D) or rstp (802.1w)", mode=repr(mode)))
    spec.failed |= stp.failed
    if stp.failed or enabled is False:
        return None
    return {"priority": DEFAULT_PRIORITY if priority is None else priority, "mode": mode or "stp", "costs": costs}


@dataclass
class HostInterface:
    """One interface of a host as its topology entry gives it."""

    ip: IPv4Interface | None  # None: learned at run time (leased or rarp_prefix) or a mistake recorded
    mac: MacAddress | None
    mtu: int | None
    leased: bool  # ip: dhcp, a DHCP client takes the address
    rarp_prefix: int | None  # ip: rarp/LEN, a RARP client asks for the address (the simulator only)
    serves: list[dict[str, Any]] | None  # dhcp: {pool: ...}, a DHCP server's pools on this interface


def host_interfaces(spec: Spec, *, rarp: bool) -> dict[str, HostInterface]:
    """A host's `ip`, `mac`, `mtu` and `dhcp` (one interface, eth0) or its `interfaces: {NAME: {...}}`,
    for the simulator and the kernel lab alike; `rarp`: whether `ip: rarp` can be had (the kernel has no
    RARP client). Mistakes are recorded on `spec`; an interface whose address is wrong is left out."""
    if "interfaces" in spec.values:
        if "ip" in spec.values or "mac" in spec.values or "mtu" in spec.values:
            spec.error(
                spec.values.get("ip") or spec.values.get("mac") or spec.values.get("mtu"),
                L_("give ip/mac/mtu inside interfaces: when interfaces: is used"),
            )
        items = spec.mapping("interfaces")
    else:
        items = [("eth0", spec)]
    interfaces: dict[str, HostInterface] = {}
    for if_name, if_spec in items:
        if if_spec is not spec:
            if_spec.only({"ip", "mac", "mtu", "dhcp"})
        text, where = if_spec.scalar("ip")
        if text is not None and text.startswith("rarp") and not rarp:
            spec.error(where, L_("ip: rarp is simulator-only (the kernel has no RARP client); give an address"))
            continue
        prefixlen = rarp_prefix(if_spec)
        leased = text == "dhcp"
        address = if_spec.interface("ip") if prefixlen is None and not leased else None
        serves = dhcp_server_settings(if_spec, "dhcp", address) if "dhcp" in if_spec.values else None
        mac, mtu = if_spec.mac("mac"), if_spec.mtu("mtu")
        spec.failed |= if_spec.failed
        if address is not None:
            spec.ctx.claim("IP address", str(address.ip), if_spec.values["ip"])
            spec.ctx.subnets.append(address.network)  # a DNS record or server may point at it
        if mac is not None:  # two hosts with one MAC on a bridge: it learns the MAC on each port in turn
            spec.ctx.claim("MAC address", str(mac), if_spec.values["mac"])
        interfaces[if_name] = HostInterface(address, mac, mtu, leased, prefixlen, serves)
    if not spec.failed and not any(
        i.ip is not None or i.leased or i.rarp_prefix is not None for i in interfaces.values()
    ):
        spec.error(
            spec.node,
            L_("a host needs an address: add ip: 198.18.0.N/24 (or ip: rarp, ip: dhcp)")
            if rarp
            else L_("a host needs an address: add ip: 198.18.0.N/24 (or ip: dhcp)"),
        )
    return interfaces


def rarp_prefix(spec: Spec) -> int | None:
    """For `ip: rarp` or `ip: rarp/LEN`: the prefix length to use once the address is known."""
    text, node = spec.scalar("ip")
    if text is None or not text.startswith("rarp"):
        return None
    rest = text[4:]
    if rest == "":
        return 24
    if rest.startswith("/") and rest[1:].isdigit() and 0 < int(rest[1:]) <= 30:
        return int(rest[1:])
    spec.error(node, L_("ip: {text}: write rarp or rarp/LEN (LEN 1-30)", text=repr(text)))
    return None


def rarp_table(spec: Spec) -> dict[MacAddress, IPv4Address]:
    """`rarp_server: {MAC: IP, ...}`, checked entry by entry."""
    node = spec.values.get("rarp_server")
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        spec.error(
            node, L_("rarp_server: maps MACs to addresses, like {example}", example='{"02:00:00:00:02:04": 198.18.2.4}')
        )
        return {}
    table: dict[MacAddress, IPv4Address] = {}
    for key, value in node.value:
        try:
            if not isinstance(key, ScalarNode) or not isinstance(value, ScalarNode):
                raise ValueError(L_("give MAC: IP"))
            table[MacAddress(str(key.value))] = IPv4Address(str(value.value))
        except ValueError as error:
            spec.error(
                key,
                L_(
                    "rarp_server entry: {error} (like {example})",
                    error=message_of(error),
                    example='"02:00:00:00:02:04": 198.18.2.4',
                ),
            )
    return table


RIP_FIELDS = {"enabled", "split_horizon", "auth", "passive", "version"}


def router_interfaces(spec: Spec) -> dict[str, dict[str, Any]]:
    node = spec.values.get("interfaces")
    if not isinstance(node, MappingNode) or not node.value:
        spec.error(
            node, L_("a router needs interfaces: {example}", example="{eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}")
        )
        return {}
    interfaces: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for name_node, value in node.value:
        if not isinstance(name_node, ScalarNode):
            spec.error(name_node, L_("{key}: a name is one word, like {example}", key="interfaces", example="eth0"))
            continue
        name = str(name_node.value)
        if given_twice(spec, "interfaces", name_node, seen):
            continue
        if isinstance(value, ScalarNode):  # eth0: 198.18.0.254/24, the short form
            value = MappingNode("tag:yaml.org,2002:map", [(ScalarNode("tag:yaml.org,2002:str", "ip"), value)])
        if not isinstance(value, MappingNode):
            spec.error(
                value,
                L_(
                    "interfaces.{name}: give an address like 198.18.0.254/24 or {example}",
                    name=name,
                    example="{ip: ..., mac: ...}",
                ),
            )
            continue
        item = Spec(spec.ctx, L_("{owner} interfaces.{name}", owner=spec.owner, name=name), value)
        item.only({"ip", "mac", "mtu", "dhcp"})
        address, mac, mtu = item.interface("ip"), item.mac("mac"), item.mtu("mtu")
        dhcp = dhcp_server_settings(item, "dhcp", address)
        if address is None and not item.failed:
            item.error(value, L_("needs ip: ADDRESS/LEN"))
        if item.failed or address is None:  # no address is a failure said above
            spec.failed = True
            continue
        spec.ctx.claim("IP address", str(address.ip), item.values["ip"])
        spec.ctx.subnets.append(address.network)
        if mac is not None:
            spec.ctx.claim("MAC address", str(mac), item.values["mac"])
        same = next((other for other, options in interfaces.items() if options["ip"].network == address.network), None)
        if same is not None:  # one connected route per subnet: the other interface would never be used
            item.error(
                item.values["ip"],
                L_(
                    "{address} is in {network}, the subnet of {same} already: "
                    "give each interface of a router its own subnet",
                    address=address,
                    network=address.network,
                    same=same,
                ),
            )
            spec.failed = True
            continue
        interfaces[name] = {"ip": address, "mac": mac, "mtu": mtu, "dhcp": dhcp}
    return interfaces


def check_gateway(spec: Spec, gateway: IPv4Address, addresses: list[IPv4Interface]) -> None:
    """A host's default gateway is a neighbour on one of its subnets (RFC 1122 3.3.1.1), never itself."""
    node = spec.values["gateway"]
    if any(gateway == address.ip for address in addresses):
        spec.error(
            node,
            L_(
                "gateway {gateway} is this host's own address; give the router's address on its subnet", gateway=gateway
            ),
        )
    elif any(
        gateway in (address.network.network_address, address.network.broadcast_address)
        for address in addresses
        if address.network.prefixlen < 31  # RFC 3021: a /31's two addresses are both hosts
    ):
        spec.error(
            node,
            L_(
                "gateway {gateway} is its subnet's network or broadcast address, which no router has; "
                "give the router's address on the subnet",
                gateway=gateway,
            ),
        )
    elif not any(gateway in address.network for address in addresses):
        subnets = ", ".join(str(address.network) for address in addresses)
        spec.error(
            node,
            L_(
                "gateway {gateway} is not on this host's subnet ({subnets}): a gateway is reached "
                "directly, so it must be an address of that subnet",
                gateway=gateway,
                subnets=subnets,
            ),
        )


def static_routes(spec: Spec, interfaces: dict[str, dict[str, Any]]) -> list[tuple[IPv4Network, Any]]:
    node = spec.values.get("routes")
    if node is None:
        return []
    if not isinstance(node, SequenceNode):
        spec.error(node, L_("routes: is a list like {example}", example="[{to: 0.0.0.0/0, via: 198.18.1.1}]"))
        return []
    routes = []
    for i, item_node in enumerate(node.value):
        if not isinstance(item_node, MappingNode):
            spec.error(item_node, L_("routes[{i}] must be {example}", i=i, example="{to: PREFIX, via: GATEWAY}"))
            continue
        item = Spec(spec.ctx, L_("{owner} routes[{i}]", owner=spec.owner, i=i), item_node)
        item.only({"to", "via"})
        prefix = item.parsed("to", lambda text: IPv4Network(text, strict=True), N_("a network like 198.18.5.0/24"))
        via = item.address("via")
        if not item.failed and (prefix is None or via is None):
            item.error(item_node, L_("needs both to: PREFIX and via: GATEWAY"))
        elif via is not None and not any(via in i["ip"].network for i in interfaces.values() if i["ip"]):
            item.error(item.values["via"], L_("gateway {via} is not on any of the router's networks", via=via))
        if item.failed or prefix is None or via is None:  # neither missing unless said above
            spec.failed = True
        else:
            routes.append((prefix, via))
    return routes


def rip_settings(spec: Spec, interfaces: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    node = spec.values.get("rip")
    if node is None:
        return None
    if not isinstance(node, MappingNode):
        spec.error(
            node, L_("rip: is a mapping like {example}", example="{enabled: true, split_horizon: poisoned_reverse}")
        )
        return None
    rip = Spec(spec.ctx, L_("{owner} rip", owner=spec.owner), node)
    rip.only(RIP_FIELDS)
    enabled = rip.flag("enabled")
    options: dict[str, Any] = {}
    mode = rip.parsed("split_horizon", SplitHorizon, N_("none, simple or poisoned_reverse"))
    if mode is not None:
        options["split_horizon"] = mode
    version = rip.parsed("version", int, N_("1 or 2"))
    if version is not None:
        if version not in (1, 2):
            rip.error(rip.values["version"], L_("version {version}: RIP has versions 1 and 2", version=version))
        options["version"] = version
    auth = rip.values.get("auth")
    if auth is not None:
        if isinstance(auth, MappingNode):
            auth_spec = Spec(spec.ctx, L_("{owner} rip auth", owner=spec.owner), auth)
            auth_spec.only({"password"})
            password, where = auth_spec.scalar("password")
            if password is None or len(password.encode()) > 16:
                auth_spec.error(where or auth, L_("auth needs password: TEXT of at most 16 bytes (RFC 2453 4.1)"))
            rip.failed |= auth_spec.failed
            options["password"] = password
        else:
            rip.error(auth, L_("auth: is {example}", example="{password: TEXT}"))
    passive = rip.values.get("passive")
    if passive is not None:
        names = [str(n.value) for n in passive.value] if isinstance(passive, SequenceNode) else []
        unknown = [n for n in names if n not in interfaces]
        if not isinstance(passive, SequenceNode) or unknown:
            rip.error(passive, L_("passive: lists interfaces of this router ({names})", names=", ".join(interfaces)))
        options["passive"] = names
    if rip.failed:
        spec.failed = True
        return None
    return options if enabled is not False else None


DHCP_FIELDS = {"pool", "lease", "router", "dns", "domain", "subnet"}
DEFAULT_LEASE: Final = 3600 * 10**9  # dnsmasq's default lease, 1h


def dhcp_server_settings(spec: Spec, key: str, address: IPv4Interface | None) -> list[dict[str, Any]] | None:
    """`dhcp: {pool: FIRST-LAST, lease: 1h, router: ADDRESS, dns: ADDRESS or [..], domain: NAME}` on an
    interface with `address`, or a list of such mappings, those for subnets behind a relay with
    `subnet: PREFIX` (as dnsmasq's dhcp-range with a netmask); DhcpAgent.serve() keywords, None
    when absent or wrong (recorded)."""
    node = spec.values.get(key)
    if node is None:
        return None
    items = node.value if isinstance(node, SequenceNode) else [node]
    if not items:
        spec.error(node, L_("{key}: give at least one pool", key=key))
        return None
    read = [(pool, item) for item in items if (pool := _one_pool(spec, key, item, address)) is not None]
    if len(read) < len(items) or not _one_pool_per_subnet(spec, key, read):
        return None
    return [pool for pool, _ in read]


def _one_pool_per_subnet(spec: Spec, key: str, read: list[tuple[dict[str, Any], Node]]) -> bool:
    """Whether a server's pools serve subnets apart: it answers a client from the first pool whose subnet holds
    it (lanlab.sim.stacks.dhcp, by giaddr or the interface, RFC 2131 4.3.1), so a later pool of an overlapping
    subnet would never lend an address (recorded)."""
    apart = True
    served: Spans[tuple[dict[str, Any], Node]] = Spans()
    for pool, node in read:
        subnet = pool["subnet"]
        span = int(subnet.network_address), int(subnet.broadcast_address)
        earlier = served.meeting(*span)
        if earlier is None:
            served.add(*span, (pool, node))
            continue
        other, at = earlier
        apart = False
        spec.error(
            node,
            L_(
                "{key}: the pool {first}-{last} for {subnet} would never lend an address: the pool on line {line} "
                "serves {other} first; give one subnet one pool (widen that one)",
                key=key,
                first=pool["pool"][0],
                last=pool["pool"][1],
                subnet=pool["subnet"],
                line=line_of(at),
                other=other["subnet"],
            ),
        )
    return apart


def _one_pool(spec: Spec, key: str, node: Any, address: IPv4Interface | None) -> dict[str, Any] | None:
    if address is not None:
        spec.ctx.dhcp_servers.add(int(address.ip))
    if not isinstance(node, MappingNode):
        spec.error(
            node,
            L_("{key}: is a mapping like {example}", key=key, example="{pool: 198.18.0.100-198.18.0.199, lease: 1h}"),
        )
        return None
    dhcp = Spec(spec.ctx, L_("{owner} {key}", owner=spec.owner, key=key), node)
    dhcp.only(DHCP_FIELDS)
    pool_text, pool_node = dhcp.scalar("pool")
    pool: tuple[IPv4Address, IPv4Address] | None = None
    if pool_text is not None:
        pool, unread = read_pool("pool", pool_text)
        # its shape whatever else is wrong, so a file's every mistake is said in one pass
        shapeless = unread if pool is None else pool_shape_problem(pool)
        if shapeless is not None:
            dhcp.error(pool_node, shapeless)
            pool = None
    elif pool_node is None and not dhcp.failed:
        dhcp.error(node, L_("needs pool: FIRST-LAST, like 198.18.0.100-198.18.0.199"))
    lease = dhcp.duration("lease")
    too_short = lease_problem(lease) if lease is not None else None
    if too_short is not None:
        dhcp.error(dhcp.values["lease"], too_short)
    router = dhcp.address("router")
    dns = _dns_servers(dhcp)
    domain, _ = dhcp.scalar("domain")
    if domain is not None and not is_domain_name(domain):  # the rule the simulated client applies to option 15
        dhcp.error(
            dhcp.values["domain"],
            L_(
                "domain: {domain!r} is not a DNS domain: labels of letters, digits, '-' and '_', each at most 63, "
                "like lab.test (option 15)",
                domain=domain,
            ),
        )
    subnet = dhcp.parsed("subnet", lambda text: IPv4Network(text, strict=True), N_("a network like 198.18.1.0/24"))
    if address is None:
        dhcp.error(node, L_("a DHCP server needs an address of its own on this interface"))
    elif subnet is not None and subnet != address.network and address.ip in subnet:
        dhcp.error(
            dhcp.values["subnet"],
            L_(
                "subnet {subnet} holds this interface's address {address} but is not its subnet {network}: the "
                "server lends to its own link from a pool of {network} only, so this one would lend nothing; "
                "leave subnet: out",
                subnet=subnet,
                address=address,
                network=address.network,
            ),
        )
    elif pool is not None and not (subnet is None and "subnet" in dhcp.values):  # a subnet given must be read
        problem = pool_fit_problem(pool, address, subnet)
        subnet = subnet or address.network
        if problem is not None:
            dhcp.error(pool_node, problem)
    if pool is not None and address is not None and subnet is not None and not dhcp.failed:
        line = line_of(dhcp.values["pool"])
        other = _overlapped_pool(spec.ctx, int(pool[0]), int(pool[1]))
        if other is None:
            spec.ctx.pool_lines.add(int(pool[0]), int(pool[1]), line)
        else:
            spec.ctx.overlapping_pools.append((int(pool[0]), int(pool[1]), line))
            dhcp.error(
                dhcp.values["pool"],
                L_(
                    "pool {first}-{last} overlaps the pool on line {other}: two servers would lease one address twice",
                    first=pool[0],
                    last=pool[1],
                    other=other,
                ),
            )
        if not spec.ctx.dhcp_pools:  # once, when every node has claimed its addresses
            spec.ctx.deferred.append(lambda: _warn_fixed_addresses_in_pools(spec.ctx))
        spec.ctx.dhcp_pools.append((int(pool[0]), int(pool[1]), line, int(address.ip)))
        spec.ctx.subnets.append(subnet)
    misplaced = router_problem(router, subnet) if router is not None and subnet is not None else None
    if misplaced is None and router is not None and address is not None and pool is not None:
        misplaced = lent_router_problem(router, address.ip, pool)
    if misplaced is not None:
        dhcp.error(dhcp.values["router"], misplaced)
    spec.failed |= dhcp.failed
    if dhcp.failed or pool is None or address is None or subnet is None:
        return None
    return {
        "subnet": subnet,
        "pool": pool,
        "lease": DEFAULT_LEASE if lease is None else lease,
        "router": router,
        "dns": dns,
        "domain": domain or "",
    }


def _overlapped_pool(ctx: Context, first: int, last: int) -> int | None:
    """The line of a pool read before that shares an address with first..last, or None."""
    line = ctx.pool_lines.meeting(first, last)
    if line is None:
        line = next((at for start, end, at in ctx.overlapping_pools if start <= last and first <= end), None)
    return line


def _warn_fixed_addresses_in_pools(ctx: Context) -> None:
    """A node's fixed address inside a DHCP pool of the file: the server may lend it to a second host. A
    warning, not a problem: the run works as a real LAN does, the client's ARP probe finding the address in use
    and DECLINEing it (RFC 2131 2.2, 3.1.5), which is how a file shows DECLINE; ISC dhcpd and dnsmasq only avoid
    it by pinging before they offer. The server's own address is never lent (LendablePool), so not said."""
    fixed = sorted(
        (int(IPv4Address(value)), line) for (what, value), line in ctx.claims.items() if what == "IP address"
    )
    addresses = [address for address, _ in fixed]
    for first, last, pool_line, server in ctx.dhcp_pools:
        for address, line in fixed[bisect_left(addresses, first) : bisect_right(addresses, last)]:
            if address != server:
                ctx.warn(
                    line,
                    L_(
                        "{address} is inside the DHCP pool {first}-{last} on line {pool_line}: the server may lend "
                        "it to another host (whose ARP probe then finds it in use, RFC 2131 2.2); keep fixed "
                        "addresses out of the pool",
                        address=IPv4Address(address),
                        first=IPv4Address(first),
                        last=IPv4Address(last),
                        pool_line=pool_line,
                    ),
                )


POOL_EXAMPLE: Final = "198.18.0.100-198.18.0.199"


def read_pool(key: str, text: str) -> tuple[tuple[IPv4Address, IPv4Address] | None, str | None]:
    """A pool written FIRST-LAST (spaces around either address allowed), as a topology file's `dhcp: {pool: ...}`
    and `lanlab dhcp serve --pool` both take it: (the two addresses, None), or (None, the one-line problem, an
    L_ text naming `key`, "pool" or "--pool"). The order and the subnet are pool_problem's."""
    first, dash, last = text.partition("-")
    if not (dash and first.strip() and last.strip()) or "-" in last:  # "A", "A-", "-B", "A-B-C": no range
        return None, L_("{key} {pool} needs FIRST-LAST, e.g. {example}", key=key, pool=repr(text), example=POOL_EXAMPLE)
    try:
        return (IPv4Address(first.strip()), IPv4Address(last.strip())), None
    except ValueError as error:
        why = plain_library_problem(message_of(error))
        return None, L_(
            "{key}: {text} is not {what} ({error})",
            key=key,
            text=repr(text),
            what=L_(N_("a range like 198.18.0.100-198.18.0.199")),
            error=why or L_("an address is 4 numbers separated by dots"),
        )


def pool_problem(
    pool: tuple[IPv4Address, IPv4Address], address: IPv4Interface, subnet: IPv4Network | None = None
) -> str | None:
    """Why a server at `address` cannot lend `pool` to `subnet` (its own when None), or None; the one rule for a
    topology file's dhcp: and `lanlab dhcp serve` alike: its shape, then whether it fits."""
    return pool_shape_problem(pool) or pool_fit_problem(pool, address, subnet)


def pool_shape_problem(pool: tuple[IPv4Address, IPv4Address]) -> str | None:
    """Why `pool` is no pool wherever it is served (it runs backwards, or holds an address no host may have)."""
    first, last = pool
    if int(first) > int(last):
        return L_(
            "{text}: {problem}",
            text=L_("pool {first}-{last} runs backwards", first=first, last=last),
            problem=L_("the first address comes after the last"),
        )
    return pool_of_hosts_problem(pool)


def pool_fit_problem(
    pool: tuple[IPv4Address, IPv4Address], address: IPv4Interface, subnet: IPv4Network | None = None
) -> str | None:
    """Why a server at `address` cannot lend a well-shaped `pool` to `subnet` (its own when None): it is not
    inside, or has nothing to lend. The server's own address and the subnet's network and broadcast addresses
    may lie inside (they are never lent, LendablePool), as long as another address is left."""
    first, last = pool
    served = address.network if subnet is None else subnet
    if not pool_inside(pool, served):
        where = L_("the subnet of {address}:", address=address) if subnet is None else L_("its subnet:")
        return L_(
            "pool {first}-{last} is not inside {subnet}, {where} a server hands out addresses of the subnet it serves",
            first=first,
            last=last,
            subnet=served,
            where=where,
        )
    return empty_pool_problem(address.ip, served, pool)


# Where the blocks no host's address is in begin, above 0.0.0.0/8: 127.0.0.0/8, then 224.0.0.0/4 and 240.0.0.0/4 to
# the end (not_a_hosts says which is which)
NO_HOSTS_FROM: Final = (IPv4Address("127.0.0.0"), IPv4Address("224.0.0.0"))


def pool_of_hosts_problem(pool: tuple[IPv4Address, IPv4Address]) -> str | None:
    """Why `pool` holds an address no host may have (RFC 1122 3.2.1.3: 0/8, 127/8, multicast, 240/4), or None: a
    client configures the address it is lent as its own."""
    first, last = pool
    inside = [first, *(start for start in NO_HOSTS_FROM if first < start <= last)]
    address, kind = next(((a, kind) for a in inside if (kind := not_a_hosts(a)) is not None), (None, None))
    if kind is None:
        return None
    return L_(
        "pool {first}-{last} holds {address}, {kind}: a client takes the address it is lent as its own; give "
        "unicast addresses",
        first=first,
        last=last,
        address=address,
        kind=kind,
    )


def dns_server_problem(address: IPv4Address) -> str | None:
    """Why `address` cannot be a DNS server handed out by DHCP (option 6, RFC 2132 3.8), or None: a client sends
    its queries there, so it is one host's unicast address (127/8 would be the client itself)."""
    kind = not_a_hosts(address)
    if kind is None:
        return None
    return L_(
        "dns: {address} is {kind}, not a DNS server's address; give one clients can ask, like 198.18.0.53",
        address=address,
        kind=kind,
    )


def _dns_servers(spec: Spec) -> tuple[IPv4Address, ...]:
    """`dns: ADDRESS` or a list of them, each a server clients can ask."""
    key = "dns"
    node = spec.values.get(key)
    if node is None:
        return ()
    items = node.value if isinstance(node, SequenceNode) else [node]
    out = []
    for item in items:
        try:
            if not isinstance(item, ScalarNode):
                raise ValueError(L_("not a single address"))
            address = IPv4Address(str(item.value))
            problem = dns_server_problem(address)
            if problem is not None:
                spec.error(item, problem)
            else:
                out.append(address)
        except ValueError as error:
            spec.error(
                item, L_("{key}: give an IPv4 address or a list of them ({error})", key=key, error=message_of(error))
            )
    too_many = dns_count_problem(len(items))
    if too_many is not None:
        spec.error(node, too_many)
    return tuple(out)


def dhcp_relay_setting(spec: Spec) -> IPv4Address | None:
    """A router's `dhcp_relay: SERVER`: SERVER must be the address of an interface with `dhcp:` (checked once
    all are read): a relay forwards its clients' broadcasts there and nothing else answers them."""
    server = spec.address("dhcp_relay")
    if server is not None:
        where = spec.values["dhcp_relay"]
        ctx = spec.ctx

        def known() -> None:
            if ("IP address", str(server)) not in ctx.claims:
                ctx.error(
                    where,
                    L_(
                        "{owner}: dhcp_relay: {server} is no node's address in this file; "
                        "give the DHCP server's address",
                        owner=spec.owner,
                        server=server,
                    ),
                )
            elif int(server) not in ctx.dhcp_servers:
                ctx.error(
                    where,
                    L_(
                        "{owner}: dhcp_relay: {server} (line {line}) serves no DHCP: it has no dhcp: pool, so "
                        "the relayed clients would get no answer; give the DHCP server's address",
                        owner=spec.owner,
                        server=server,
                        line=ctx.claims["IP address", str(server)],
                    ),
                )

        ctx.deferred.append(known)
    return server
