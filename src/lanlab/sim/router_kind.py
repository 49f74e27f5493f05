"""`kind: router` in topology files: interfaces, static routes, RIP.

    r1:
      kind: router
      interfaces: {eth0: 198.18.0.254/24, eth1: {ip: 198.18.1.254/24, mac: 02:00:00:00:01:01}}
      routes: [{to: 0.0.0.0/0, via: 198.18.1.1}]
      rip: {enabled: true, split_horizon: poisoned_reverse, auth: {password: s3cret}, passive: [eth0]}
      forward_directed_broadcast: false   # RFC 2644's default
"""

from __future__ import annotations

from ipaddress import IPv4Interface, IPv4Network
from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from lanlab.proto.rip import SplitHorizon
from lanlab.sim.kinds import register_node_kind
from lanlab.sim.network import Network
from lanlab.sim.router import Router
from lanlab.sim.topology import Spec

RIP_FIELDS = {"enabled", "split_horizon", "auth", "passive", "version"}


def _interfaces(spec: Spec) -> dict[str, dict[str, Any]]:
    node = spec.values.get("interfaces")
    if not isinstance(node, MappingNode) or not node.value:
        spec.error(node, "a router needs interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}")
        return {}
    interfaces: dict[str, dict[str, Any]] = {}
    for name_node, value in node.value:
        name = str(name_node.value)
        if isinstance(value, ScalarNode):  # eth0: 198.18.0.254/24, the short form
            value = MappingNode("tag:yaml.org,2002:map", [(ScalarNode("tag:yaml.org,2002:str", "ip"), value)])
        if not isinstance(value, MappingNode):
            spec.error(value, f"interfaces.{name}: give an address like 198.18.0.254/24 or {{ip: ..., mac: ...}}")
            continue
        item = Spec(spec.ctx, f"{spec.owner} interfaces.{name}", value)
        item.only({"ip", "mac"})
        address, mac = item.interface("ip"), item.mac("mac")
        if address is None and not item.failed:
            item.error(value, "needs ip: ADDRESS/LEN")
        if item.failed:
            spec.failed = True
            continue
        spec.ctx.claim("IP address", str(address.ip), item.values["ip"])
        if mac is not None:
            spec.ctx.claim("MAC address", str(mac), item.values["mac"])
        interfaces[name] = {"ip": address, "mac": mac}
    return interfaces


def _routes(spec: Spec, interfaces: dict[str, dict[str, Any]]) -> list[tuple[IPv4Network, Any]]:
    node = spec.values.get("routes")
    if node is None:
        return []
    if not isinstance(node, SequenceNode):
        spec.error(node, "routes: is a list like [{to: 0.0.0.0/0, via: 198.18.1.1}]")
        return []
    routes = []
    for i, item_node in enumerate(node.value):
        if not isinstance(item_node, MappingNode):
            spec.error(item_node, f"routes[{i}] must be {{to: PREFIX, via: GATEWAY}}")
            continue
        item = Spec(spec.ctx, f"{spec.owner} routes[{i}]", item_node)
        item.only({"to", "via"})
        prefix = item.parsed("to", lambda text: IPv4Network(text, strict=True), "a network like 198.18.5.0/24")
        via = item.address("via")
        if not item.failed and (prefix is None or via is None):
            item.error(item_node, "needs both to: PREFIX and via: GATEWAY")
        elif via is not None and not any(via in i["ip"].network for i in interfaces.values() if i["ip"]):
            item.error(item.values["via"], f"gateway {via} is not on any of the router's networks")
        if item.failed:
            spec.failed = True
        else:
            routes.append((prefix, via))
    return routes


def _rip(spec: Spec, interfaces: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    node = spec.values.get("rip")
    if node is None:
        return None
    if not isinstance(node, MappingNode):
        spec.error(node, "rip: is a mapping like {enabled: true, split_horizon: poisoned_reverse}")
        return None
    rip = Spec(spec.ctx, f"{spec.owner} rip", node)
    rip.only(RIP_FIELDS)
    enabled = rip.flag("enabled")
    options: dict[str, Any] = {}
    mode = rip.parsed("split_horizon", SplitHorizon, "none, simple or poisoned_reverse")
    if mode is not None:
        options["split_horizon"] = mode
    version = rip.parsed("version", int, "1 or 2")
    if version is not None:
        if version not in (1, 2):
            rip.error(rip.values["version"], f"version {version}: RIP has versions 1 and 2")
        options["version"] = version
    auth = rip.values.get("auth")
    if auth is not None:
        if isinstance(auth, MappingNode):
            auth_spec = Spec(spec.ctx, f"{spec.owner} rip auth", auth)
            auth_spec.only({"password"})
            password, where = auth_spec.scalar("password")
            if password is None or len(password.encode()) > 16:
                auth_spec.error(where or auth, "auth needs password: TEXT of at most 16 bytes (RFC 2453 4.1)")
            rip.failed |= auth_spec.failed
            options["password"] = password
        else:
            rip.error(auth, "auth: is {password: TEXT}")
    passive = rip.values.get("passive")
    if passive is not None:
        names = [str(n.value) for n in passive.value] if isinstance(passive, SequenceNode) else []
        unknown = [n for n in names if n not in interfaces]
        if not isinstance(passive, SequenceNode) or unknown:
            rip.error(passive, f"passive: lists interfaces of this router ({', '.join(interfaces)})")
        options["passive"] = names
    if rip.failed:
        spec.failed = True
        return None
    return options if enabled is not False else None


def build_router(network: Network, name: str, spec: Spec) -> None:
    spec.only({"kind", "interfaces", "routes", "rip", "forward_directed_broadcast"})
    directed = spec.flag("forward_directed_broadcast")
    interfaces = _interfaces(spec)
    routes = _routes(spec, interfaces)
    rip = _rip(spec, interfaces)
    if spec.failed:
        return
    router = Router(name, network.engine, forward_directed_broadcast=bool(directed))
    for if_name, options in interfaces.items():
        router.add_interface(if_name, IPv4Interface(options["ip"]), options["mac"])
    for prefix, via in routes:
        router.add_static_route(prefix, via)
    if rip is not None:
        router.enable_rip(**rip)
    network.add_node(router)


register_node_kind("router", build_router)
