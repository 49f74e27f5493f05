"""The kernel's IPv4 neighbour (ARP) table: from netlink via pyroute2, else from /proc/net/arp."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from ipaddress import IPv4Address

from lanlab.wire import MacAddress

# NUD_* states of a neighbour entry (linux/neighbour.h); one bit each.
NUD_STATES: dict[int, str] = {
    0x01: "INCOMPLETE",
    0x02: "REACHABLE",
    0x04: "STALE",
    0x08: "DELAY",
    0x10: "PROBE",
    0x20: "FAILED",
    0x40: "NOARP",
    0x80: "PERMANENT",
}
NUD_NOARP = 0x40
# /proc/net/arp flags (linux/if_arp.h): ATF_COM entry complete, ATF_PERM static.
ATF_COM, ATF_PERM = 0x02, 0x04
PROC_NET_ARP = "/proc/net/arp"


@dataclass(frozen=True, slots=True)
class Neighbour:
    """One entry: IP, MAC (None while unresolved), interface and NUD state name."""

    ip: IPv4Address
    mac: MacAddress | None
    interface: str
    state: str


def state_name(state: int) -> str:
    """ "REACHABLE", or several names joined by "|" when more than one bit is set."""
    names = [name for bit, name in NUD_STATES.items() if state & bit]
    return "|".join(names) or "NONE"


def neighbours_from_netlink() -> list[Neighbour]:
    """The table as the kernel tells it over rtnetlink (RTM_GETNEIGH), NOARP entries left out like `ip neigh`."""
    from pyroute2 import IPRoute  # imported here: only this path needs it (and only on Linux)

    with IPRoute() as route:
        names = {link["index"]: link.get_attr("IFLA_IFNAME") for link in route.get_links()}
        entries = []
        for message in route.get_neighbours(family=socket.AF_INET):
            if message["state"] & NUD_NOARP:
                continue
            lladdr = message.get_attr("NDA_LLADDR")
            entries.append(
                Neighbour(
                    IPv4Address(message.get_attr("NDA_DST")),
                    MacAddress(lladdr) if lladdr else None,
                    names.get(message["ifindex"], str(message["ifindex"])),
                    state_name(message["state"]),
                )
            )
    return entries


def neighbours_from_proc(text: str) -> list[Neighbour]:
    """Parse /proc/net/arp's text; it has no NUD states, only complete, incomplete or permanent."""
    entries = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 6:
            continue
        ip, _hw_type, flags_text, mac, _mask, device = fields[:6]
        flags = int(flags_text, 16)
        resolved = bool(flags & (ATF_COM | ATF_PERM))
        state = "PERMANENT" if flags & ATF_PERM else "COMPLETE" if resolved else "INCOMPLETE"
        entries.append(Neighbour(IPv4Address(ip), MacAddress(mac) if resolved else None, device, state))
    return entries


def read_neighbours(interface: str | None = None) -> list[Neighbour]:
    """The IPv4 neighbour table sorted by address, optionally of one interface."""
    try:
        entries = neighbours_from_netlink()
    except (ImportError, OSError):
        with open(PROC_NET_ARP, encoding="ascii") as file:
            entries = neighbours_from_proc(file.read())
    if interface is not None:
        entries = [entry for entry in entries if entry.interface == interface]
    return sorted(entries, key=lambda entry: (entry.ip, entry.interface))


def interface_exists(name: str) -> bool:
    """Whether this namespace has a network interface called `name`."""
    try:
        socket.if_nametoindex(name)
    except OSError:
        return False
    return True
