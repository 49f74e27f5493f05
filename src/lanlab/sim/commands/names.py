"""Who answered a command, named as the real tools name an address (iputils' pr_addr, Linux traceroute): glibc's
getnameinfo with NI_NAMEREQD on the simulated host. First its /etc/hosts (localhost, then the topology's names,
sim.shim's hosts_entries: every node's on a host without nameservers, its own only on one with), then, on a
host with nameservers, a PTR query over the wire (RFC 1035 3.5) through the host's resolver library."""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, Final

from lanlab.proto.dns import Resolved, reverse_name
from lanlab.sim.shim._system_files import hosts_entries
from lanlab.wire.dns import DnsType

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network

LOOPBACK: Final = IPv4Address("127.0.0.1")
LOCALHOST_NAMES: Final = ("localhost",)  # /etc/hosts's first line, on every host (sim.shim's hosts_file)


def target_address(network: Network, target: str) -> tuple[IPv4Address, bool, str]:
    """The address a tool on a simulated host finds for TARGET, whether TARGET was a name (iputils then names
    who answered), and its canonical name as getaddrinfo's AI_CANONNAME gives it (iputils ping prints that in its
    header and summary): localhost, a node's name (its first address), matched without regard to case as glibc
    reads /etc/hosts (PC2 is pc2, spelled as the file spells it), else an address (its name: TARGET as typed);
    network.resolve_ip's words for what is neither."""
    folded = target.casefold()
    if folded in LOCALHOST_NAMES:
        return LOOPBACK, True, folded  # as the file spells it
    node = target if target in network.nodes else next((n for n in network.nodes if n.casefold() == folded), None)
    if node is not None:
        return network.resolve_ip(node), True, node
    return network.resolve_ip(target), False, target


def named_in_hosts_file(host: Host, address: str) -> str | None:
    """The name the host's /etc/hosts gives `address` (the first line that has it, as glibc reads the file), None
    when it names it nowhere."""
    if address == "127.0.0.1":
        return "localhost"
    return next((name for ip, name in hosts_entries(host) if str(ip) == address), None)


class ReverseNames:
    """The names a command found for the addresses that answered it: `heard(address)` when an answer comes (a
    PTR query starts then, where the files name nothing and the host has nameservers), `name(address)` when
    the line is printed."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.found: dict[str, str | None] = {}  # an address -> its name when its answer came (None: none)
        self.asking = 0  # PTR lookups not answered yet

    def heard(self, sender: IPv4Address) -> None:
        address = str(sender)
        if address in self.found:
            return
        self.found[address] = named_in_hosts_file(self.host, address)
        if self.found[address] is None and self.host.resolver_servers:
            self.asking += 1
            self.host.lookup_name(reverse_name(sender), lambda event: self._answered(address, event), DnsType.PTR)

    def _answered(self, address: str, event: Any) -> None:
        """A PTR lookup's end: the first name it found, or none (NXDOMAIN, no server answered)."""
        self.asking -= 1
        if isinstance(event, Resolved) and event.names:
            self.found[address] = event.names[0].rstrip(".")

    def name(self, address: str) -> str | None:
        """The name found when `address` answered, else what /etc/hosts says of it now."""
        return self.found[address] if address in self.found else named_in_hosts_file(self.host, address)

    @property
    def pending(self) -> bool:
        return self.asking > 0
