"""The registry of node kinds a topology file may name, and the built-in ones.

A kind is `build(network, name, spec)`: read the node's fields through `spec` (a
topology.Spec, which records FILE:LINE errors), and add the node to `network` unless
`spec.failed`. Another subsystem adds its kind with `register_node_kind("router", build)`.
"""

from __future__ import annotations

from typing import Callable

from lanlab.sim.network import Network
from lanlab.sim.topology import Spec

NodeBuilder = Callable[[Network, str, Spec], None]
NODE_KINDS: dict[str, NodeBuilder] = {}


def register_node_kind(kind: str, build: NodeBuilder) -> None:
    NODE_KINDS[kind] = build


def build_host(network: Network, name: str, spec: Spec) -> None:
    from lanlab.sim.rarp import RarpBoot, RarpService, rarp_prefix, rarp_table

    spec.only({"kind", "ip", "mac", "gateway", "interfaces", "rarp_server", "gratuitous_arp"})
    gateway = spec.address("gateway")
    gratuitous = spec.flag("gratuitous_arp")
    serves = rarp_table(spec)
    booting: dict[str, int] = {}  # interfaces that learn their address by RARP -> prefix length
    if "interfaces" in spec.values:
        if "ip" in spec.values or "mac" in spec.values:
            spec.error(spec.values.get("ip") or spec.values.get("mac"),
                       "give ip/mac inside interfaces: when interfaces: is used")
        items = spec.mapping("interfaces")
    else:
        items = [("eth0", spec)]
    interfaces: dict[str, dict[str, object]] = {}
    for if_name, if_spec in items:
        if if_spec is not spec:
            if_spec.only({"ip", "mac"})
        prefixlen = rarp_prefix(if_spec)
        if prefixlen is not None:
            booting[if_name] = prefixlen
        address = if_spec.interface("ip") if prefixlen is None else None
        mac = if_spec.mac("mac")
        if if_spec.failed:
            spec.failed = True
        if address is not None:
            spec.ctx.claim("IP address", str(address.ip), if_spec.values["ip"])
        if mac is not None:
            spec.ctx.claim("MAC address", str(mac), if_spec.values["mac"])
        interfaces[if_name] = {"ip": address, "mac": mac}
    if not spec.failed and not booting and not any(i["ip"] is not None for i in interfaces.values()):
        spec.error(spec.node, "a host needs an address: add ip: 198.18.0.N/24 (or ip: rarp)")
    if serves and not any(i["ip"] is not None for i in interfaces.values()):
        spec.error(spec.values["rarp_server"], "a RARP server needs an address of its own")
    if spec.failed:
        return
    host = network.add_host(name, gateway=gateway, interfaces=interfaces,  # type: ignore[arg-type]
                            gratuitous_arp=bool(gratuitous))
    for if_name, prefixlen in booting.items():
        RarpBoot(host, next(nic for nic in host.nics if nic.name == if_name), prefixlen)
    if serves:
        RarpService(host, serves)


def build_switch(network: Network, name: str, spec: Spec) -> None:
    from lanlab.sim.stp import enable_stp, stp_settings

    spec.only({"kind", "ageing", "stp", "ports"})
    ageing = spec.duration("ageing")
    stp = stp_settings(spec)
    if not spec.failed:
        switch = network.add_switch(name, ageing=(ageing if ageing is not None else 300_000_000_000) / 1e9)
        if stp is not None:
            enable_stp(switch, **stp)


def build_hub(network: Network, name: str, spec: Spec) -> None:
    spec.only({"kind"})
    if not spec.failed:
        network.add_hub(name)


register_node_kind("host", build_host)
register_node_kind("switch", build_switch)
register_node_kind("hub", build_hub)
