"""The built-in node kinds of topology files: host, switch, hub, router.

Each reads its fields through lanlab.topology (its Spec and settings readers) and adds its node;
importing this module registers them (lanlab.sim.build imports it).

    r1:
      kind: router
      interfaces: {eth0: 198.18.0.254/24, eth1: {ip: 198.18.1.254/24, mac: 02:00:00:00:01:01}}
      routes: [{to: 0.0.0.0/0, via: 198.18.1.1}]
      rip: {enabled: true, split_horizon: poisoned_reverse, auth: {password: s3cret}, passive: [eth0]}
      forward_directed_broadcast: false   # RFC 2644's default
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface
from typing import TYPE_CHECKING, Any

from lanlab.i18n import L_
from lanlab.proto.mactable import DEFAULT_AGEING_NS
from lanlab.sim.build.registry import register_node_kind
from lanlab.sim.devices.router import Router
from lanlab.sim.devices.switch import Switch
from lanlab.sim.stacks.dhcp import DhcpAgent, DhcpBoot
from lanlab.sim.stacks.dns import DnsService
from lanlab.sim.stacks.rarp import RarpBoot, RarpService
from lanlab.sim.stacks.stp import enable_stp
from lanlab.topology import Spec
from lanlab.topology.dns import dns_resolver, dns_server
from lanlab.topology.settings import (
    check_gateway,
    dhcp_relay_setting,
    NODE_FIELDS,
    host_interfaces,
    rarp_table,
    rip_settings,
    router_interfaces,
    static_routes,
    stp_settings,
)

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host, Nic
    from lanlab.sim.network import Network


def build_host(network: Network, name: str, spec: Spec) -> None:
    spec.only({"kind", *NODE_FIELDS["host"]})
    gateway = spec.address("gateway")
    resolver, zone = dns_resolver(spec), dns_server(spec)
    gratuitous = spec.flag("gratuitous_arp")
    answer_broadcast_ping = spec.flag("answer_broadcast_ping")
    serves = rarp_table(spec)
    read = host_interfaces(spec, rarp=True)
    interfaces = {name: {"ip": i.ip, "mac": i.mac, "mtu": i.mtu} for name, i in read.items()}
    # interfaces that learn their address by RARP -> prefix length; that take it from DHCP (ip: dhcp);
    # with a DHCP server -> its pools
    booting = {name: i.rarp_prefix for name, i in read.items() if i.rarp_prefix is not None}
    leasing = [name for name, i in read.items() if i.leased]
    serving = {name: i.serves for name, i in read.items() if i.serves is not None}
    if serves and not any(i["ip"] is not None for i in interfaces.values()):
        spec.error(spec.values["rarp_server"], L_("a RARP server needs an address of its own"))
    if gateway is not None and not spec.failed and not booting and not leasing:
        check_gateway(spec, gateway, [i["ip"] for i in interfaces.values() if i["ip"] is not None])
    if spec.failed:
        return
    host = network.add_host(
        name,
        gateway=gateway,
        interfaces=interfaces,  # type: ignore[arg-type]
        gratuitous_arp=bool(gratuitous),
        answer_broadcast_ping=bool(answer_broadcast_ping),
    )
    for if_name, prefixlen in booting.items():
        RarpBoot(host, _nic(host, if_name), prefixlen)
    if serves:
        RarpService(host, serves)
    _dhcp_roles(host, serving, leasing)
    _dns_roles(host, resolver, zone)


def _dhcp_roles(
    host: Host, serving: dict[str, list[dict[str, Any]]], leasing: list[str], relay: IPv4Address | None = None
) -> None:
    """A DHCP server on each interface in `serving`, a relay to `relay`, a client on each in `leasing`."""
    if serving or relay is not None:
        agent = DhcpAgent(host)
        agent.relay_to = relay
        for if_name, pools in serving.items():
            for settings in pools:
                agent.serve(_nic(host, if_name), **settings)
    for if_name in leasing:
        DhcpBoot(host, _nic(host, if_name))


def _dns_roles(host: Host, resolver: tuple[IPv4Address, ...], zone: dict[str, Any] | None) -> None:
    """`dns: ADDRESS` is the host's resolv.conf; `dns: {zone: ...}` a server on UDP 53."""
    if resolver:
        host.resolver_servers, host.resolver_given = resolver, True
    if zone is not None:
        DnsService(host, **zone)


def _nic(host: Host, name: str) -> Nic:
    return next(nic for nic in host.nics if nic.name == name)


def build_switch(network: Network, name: str, spec: Spec) -> None:
    spec.only({"kind", *NODE_FIELDS["switch"]})
    ageing = spec.duration("ageing")
    stp = stp_settings(spec)
    if not spec.failed:
        switch = network.add_node(Switch(name, network.engine, DEFAULT_AGEING_NS if ageing is None else ageing))
        if stp is not None:
            enable_stp(switch, **stp)


def build_hub(network: Network, name: str, spec: Spec) -> None:
    spec.only({"kind", *NODE_FIELDS["hub"]})
    if not spec.failed:
        network.add_hub(name)


def build_router(network: Network, name: str, spec: Spec) -> None:
    spec.only({"kind", *NODE_FIELDS["router"]})
    relay = dhcp_relay_setting(spec)
    resolver, zone = dns_resolver(spec), dns_server(spec)
    directed = spec.flag("forward_directed_broadcast")
    interfaces = router_interfaces(spec)
    routes = static_routes(spec, interfaces)
    rip = rip_settings(spec, interfaces)
    if spec.failed:
        return
    router = Router(name, network.engine, forward_directed_broadcast=bool(directed))
    for if_name, options in interfaces.items():
        router.add_interface(if_name, IPv4Interface(options["ip"]), options["mac"], options["mtu"])
    _dhcp_roles(router, {n: o["dhcp"] for n, o in interfaces.items() if o["dhcp"] is not None}, [], relay)
    _dns_roles(router, resolver, zone)
    for prefix, via in routes:
        router.add_static_route(prefix, via)
    if rip is not None:
        router.enable_rip(**rip)
    network.add_node(router)


register_node_kind("host", build_host)
register_node_kind("switch", build_switch)
register_node_kind("hub", build_hub)
register_node_kind("router", build_router)
