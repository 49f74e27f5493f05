"""Mistakes a topology can hold and still load and run, as warnings (`lanlab sim check`).

A host cabled to a router interface of another subnet, or whose gateway is on no segment it is
cabled to, loads and runs; its traffic for other networks just never leaves. A switch or hub cabled
to itself loads and runs too, and its first broadcast circles for ever. A course's first labs are
where students make exactly these mistakes, so `sim check` says them before a run does.
"""

from __future__ import annotations

from ipaddress import IPv4Interface
from typing import Any

from lanlab.i18n import L_, N_
from lanlab.sim.devices.host import Host
from lanlab.topology.domains import Domains, domains_of


def network_domains(network: Any) -> Domains:
    """The collision and broadcast domains of a built network (one walk, lanlab.topology.domains)."""
    kinds = {name: getattr(node, "kind", None) for name, node in network.nodes.items()}
    links = [
        (a, pa, b, pb, link.rate, link.delay)
        for link in network.links
        for (a, pa), (b, pb) in [(link.a.label.split(":", 1), link.b.label.split(":", 1))]
    ]
    return domains_of(kinds, links)


def _addresses(network: Any) -> dict[str, IPv4Interface]:
    """NODE:PORT -> the address its interface was given (none yet for DHCP or RARP)."""
    return {
        f"{name}:{nic.name}": nic.address
        for name, node in network.nodes.items()
        if isinstance(node, Host)
        for nic in node.nics
        if nic.address is not None
    }


def addressing_warnings(network: Any) -> list[str]:
    """Hosts whose address is in no subnet of the router interfaces on their segment, and hosts whose
    gateway is no address on any segment they are cabled to. Linear in the cabled ports."""
    addresses = _addresses(network)
    gateways = {
        name: node.ipv4.gateway
        for name, node in network.nodes.items()
        if getattr(node, "kind", None) == "host" and isinstance(node, Host) and node.ipv4.gateway is not None
    }
    warnings: list[str] = []
    gateway_found: dict[str, bool] = {}  # host with a gateway -> whether a segment of its holds it
    for domain in network_domains(network).broadcast:
        on_segment = {addresses[k].ip for k in (*domain.hosts, *domain.routers) if k in addresses}
        routers = [(k, addresses[k]) for k in domain.routers if k in addresses]
        for key in domain.hosts:
            name = key.split(":", 1)[0]
            if name in gateways:
                gateway_found[name] = gateway_found.get(name, False) or gateways[name] in on_segment
            address = addresses.get(key)
            if address is None or not routers or any(address.ip in r.network for _, r in routers):
                continue
            router, router_address = routers[0]
            warnings.append(
                L_(
                    "{host} ({address}) shares a segment with router interface {router} ({router_address}) but "
                    "not its subnet: that router cannot be its gateway",
                    host=key,
                    address=address.with_prefixlen,
                    router=router,
                    router_address=router_address.with_prefixlen,
                )
            )
    for name, found in gateway_found.items():
        if not found:
            warnings.append(
                L_(
                    "{host}'s gateway {gateway} is the address of nothing on its segments: it reaches no other network",
                    host=name,
                    gateway=gateways[name],
                )
            )
    return warnings


LOOPING_KINDS = {"switch": N_("switch"), "hub": N_("hub")}  # the devices that pass a broadcast back out


def cabling_warnings(network: Any) -> list[str]:
    """Switches without a spanning tree and hubs cabled to themselves: a loop of one device, where the first
    broadcast comes back in and circles for ever (a switch with STP blocks one of the two ports)."""
    warnings: list[str] = []
    for link in network.links:
        node = link.a.node
        if node is not link.b.node or getattr(node, "kind", None) not in LOOPING_KINDS:
            continue
        if getattr(node, "stp", None) is not None:
            continue
        warnings.append(
            L_(
                "{a} is cabled to {b} on the same {kind}: a loop, where its first broadcast circles for ever (a "
                "storm); cable one end to another node",
                a=link.a.label,
                b=link.b.label,
                kind=L_(LOOPING_KINDS[node.kind]),
            )
        )
    return warnings


def topology_warnings(network: Any) -> list[str]:
    """Every mistake above, cabling first."""
    return [*cabling_warnings(network), *addressing_warnings(network)]
