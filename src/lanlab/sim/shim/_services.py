"""The service names a simulated host knows (its /etc/services): the well-known ports course
programs name, as Debian's netbase lists them (IANA's registry), with the same aliases."""

from __future__ import annotations

from lanlab.sim.shim._arguments import c_string

# name, port, protocols, aliases: the rows of Debian's /etc/services for these services.
SERVICES: tuple[tuple[str, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("echo", 7, ("tcp", "udp"), ()),
    ("discard", 9, ("tcp", "udp"), ("sink", "null")),
    ("daytime", 13, ("tcp", "udp"), ()),
    ("qotd", 17, ("tcp",), ("quote",)),
    ("chargen", 19, ("tcp", "udp"), ("ttytst", "source")),
    ("ftp-data", 20, ("tcp",), ()),
    ("ftp", 21, ("tcp",), ()),
    ("ssh", 22, ("tcp",), ()),
    ("telnet", 23, ("tcp",), ()),
    ("smtp", 25, ("tcp",), ("mail",)),
    ("time", 37, ("tcp", "udp"), ("timserver",)),
    ("domain", 53, ("tcp", "udp"), ()),
    ("bootps", 67, ("udp",), ()),
    ("bootpc", 68, ("udp",), ()),
    ("tftp", 69, ("udp",), ()),
    ("finger", 79, ("tcp",), ()),
    ("http", 80, ("tcp",), ("www",)),
    ("pop3", 110, ("tcp",), ("pop-3",)),
    ("nntp", 119, ("tcp",), ("readnews", "untp")),
    ("ntp", 123, ("udp",), ()),
    ("imap2", 143, ("tcp",), ("imap",)),
    ("snmp", 161, ("tcp", "udp"), ()),
    ("https", 443, ("tcp", "udp"), ()),
    ("syslog", 514, ("udp",), ()),
)


def port_of(name: str, proto: str | None = None) -> int | None:
    """The port of service `name` (or an alias) over `proto` ("tcp", "udp", None: either)."""
    for service, port, protos, aliases in SERVICES:
        if name in (service, *aliases) and (proto is None or proto in protos):
            return port
    return None


def name_of(port: int, proto: str | None = None) -> str | None:
    """The service name of `port` over `proto` (None: either)."""
    for service, number, protos, _ in SERVICES:
        if number == port and (proto is None or proto in protos):
            return service
    return None


# The rows of Debian's /etc/protocols (netbase) for the protocols a simulated host speaks: name, number, alias.
PROTOCOLS: tuple[tuple[str, int, str], ...] = (
    ("ip", 0, "IP"),
    ("icmp", 1, "ICMP"),
    ("igmp", 2, "IGMP"),
    ("tcp", 6, "TCP"),
    ("udp", 17, "UDP"),
)


def getprotobyname(name: str) -> int:
    """socket.getprotobyname from the table above: a protocol's number by its name or alias."""
    name = c_string("getprotobyname", 1, name)
    for protocol, number, alias in PROTOCOLS:
        if name in (protocol, alias):
            return number
    raise OSError("protocol not found")
