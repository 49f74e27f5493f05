"""The files in which Linux tells a program about its host's network, written from the simulated host:
/proc/net/arp (the neighbour table, as `arp -a` reads it), /proc/net/route (the main routing table),
/etc/resolv.conf, /etc/hostname and /etc/hosts. A program that reads them (a teacher's "show the ARP table" exercise,
a default-gateway snippet) sees its simulated host, not the machine lanlab runs on, whose files would
name the real network. They are read-only: opening one to write is EACCES, and the machine's own stays
untouched. Each is written when it is opened, as the kernel writes /proc files at read time."""

from __future__ import annotations

import errno
import os
import posixpath
import tempfile
from collections.abc import Callable, Iterator
from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING, Any

from lanlab.proto.routing import RouteSource

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host

# net/ipv4/arp.c arp_seq_show: the header and "%-16s 0x%-10x0x%-10x%-17s     *        %s\n" per entry
_ARP_HEADER = "IP address       HW type     Flags       HW address            Mask     Device\n"
_ARPHRD_ETHER = 0x1
_ATF_COM, _ATF_PERM = 0x2, 0x4  # complete; permanent (a static entry: both)
_NO_MAC = "00:00:00:00:00:00"  # an entry still resolving (flags 0: not complete)

# net/ipv4/fib_trie.c fib_route_seq_show: tab-separated, each line padded with spaces to 127 characters
_ROUTE_HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"
_RTF_UP, _RTF_GATEWAY = 0x1, 0x2
_ROUTE_WIDTH = 127


def arp_file(host: Host) -> str:
    """/proc/net/arp: every interface's entries, resolved ones first, as the kernel prints them."""
    now = host.engine.now
    lines = [_ARP_HEADER]
    for nic in host.nics:
        if nic.arp is None:
            continue
        for entry in nic.arp.live(now):
            flags = _ATF_COM | (_ATF_PERM if entry.static else 0)
            lines.append(_arp_line(entry.ip, flags, str(entry.mac), nic.name))
        lines += [_arp_line(ip, 0, _NO_MAC, nic.name) for ip in nic.arp.resolving()]
    return "".join(lines)


def _arp_line(ip: IPv4Address, flags: int, mac: str, device: str) -> str:
    return f"{str(ip):<16} 0x{_ARPHRD_ETHER:<10x}0x{flags:<10x}{mac:<17}     *        {device}\n"


def route_file(host: Host) -> str:
    """/proc/net/route: the main table by destination, addresses as the kernel's %08X of a network-order
    word (little-endian hex on the machines Linux mostly runs on: 198.18.0.0 is 000012C6)."""
    routes: list[tuple[IPv4Network, str, IPv4Address | None, int]]
    table = getattr(host, "table", None)  # a router's routing table (the shim sits below the devices)
    if table is not None:
        # the kernel's metric is 0 for connected and `ip route add` routes; a RIP route carries its hop count,
        # as a routing daemon installs it
        routes = [
            (route.prefix, route.interface, route.via, route.metric if route.source is RouteSource.RIP else 0)
            for route in table
        ]
    else:
        routes = [(nic.address.network, nic.name, None, 0) for nic in host.nics if nic.address is not None]
        gateway = host.ipv4.gateway
        if gateway is not None:  # the default route, through the interface the gateway is on (if any is)
            out = next((n for n in host.nics if n.address is not None and gateway in n.address.network), None)
            if out is not None:
                routes.append((IPv4Network("0.0.0.0/0"), out.name, gateway, 0))
        routes.sort(key=lambda route: (int(route[0].network_address), route[0].prefixlen))
    lines = [_ROUTE_HEADER]
    for prefix, interface, via, metric in routes:
        flags = _RTF_UP | (_RTF_GATEWAY if via is not None else 0)
        lines.append(
            f"{interface}\t{_word(prefix.network_address)}\t{_word(via)}\t{flags:04X}\t0\t0\t{metric}\t"
            f"{_word(prefix.netmask)}\t0\t0\t0"
        )
    return "".join(f"{line:<{_ROUTE_WIDTH}}\n" for line in lines)


def _word(address: IPv4Address | None) -> str:
    return "00000000" if address is None else f"{int.from_bytes(address.packed, 'little'):08X}"


def resolv_conf(host: Host) -> str:
    """/etc/resolv.conf: the host's nameservers and search domain (a topology's dns:, or DHCP's)."""
    lines = [f"nameserver {server}\n" for server in host.resolver_servers]
    if host.resolver_search:
        lines.append(f"search {host.resolver_search}\n")
    return "".join(lines)


def hostname_file(host: Host) -> str:
    return f"{host.name}\n"


def hosts_entries(host: Host) -> Iterator[tuple[IPv4Address, str]]:
    """What /etc/hosts names besides localhost, (address, name): every node's name with each of its addresses
    (its first first), the names a program's gethostbyname finds in the topology; on a host with nameservers,
    which asks them for the others, its own only. `lanlab real` writes each namespace's the same way
    (real/netns.py)."""
    network = host.network
    nodes = [host] if network is None or host.resolver_servers else network.nodes.values()
    for node in nodes:
        for nic in getattr(node, "nics", ()):
            if nic.address is not None:
                yield nic.address.ip, node.name


def hosts_file(host: Host) -> str:
    """/etc/hosts: localhost, then hosts_entries."""
    return "127.0.0.1\tlocalhost\n" + "".join(f"{ip}\t{name}\n" for ip, name in hosts_entries(host))


_FILES: dict[str, Callable[[Host], str]] = {
    "/proc/net/arp": arp_file,
    "/proc/net/route": route_file,
    "/etc/resolv.conf": resolv_conf,
    "/etc/hostname": hostname_file,
    "/etc/hosts": hosts_file,
}


def writer_of(path: Any) -> Callable[[Host], str] | None:
    """What writes `path` (an absolute path, str or bytes) for a simulated host; None for any other file.
    /proc/self/net and /proc/thread-self/net are where /proc/net leads."""
    if isinstance(path, int):
        return None
    text = os.fsdecode(path)
    if not text.startswith("/"):
        return None
    text = posixpath.normpath(text)
    for alias in ("/proc/self/net/", "/proc/thread-self/net/"):
        if text.startswith(alias):
            text = "/proc/net/" + text[len(alias) :]
    return _FILES.get(text)


def open_descriptor(host: Host, path: Any, write: Callable[[Host], str | bytes], writing: bool) -> int:
    """A new descriptor reading what `write` says of `host` now (EACCES when opened to write)."""
    if writing:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
    with tempfile.TemporaryFile() as file:  # unnamed: nothing left behind, anywhere Python runs
        text = write(host)
        file.write(text.encode() if isinstance(text, str) else text)
        file.seek(0)
        return os.dup(file.fileno())  # the duplicate shares the offset: it reads from the start
