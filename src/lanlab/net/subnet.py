"""IPv4 subnet arithmetic the way the course note teaches it: classes, default masks, IP AND mask.

Pure computation on the stdlib `ipaddress`; no sockets. `describe()` answers everything
`lanlab ip` shows; `split()` lists the subnets of a network.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address
from typing import NamedTuple

from lanlab.i18n import L_, N_
from lanlab.proto.ipv4 import directed_broadcast

# Classful addressing (RFC 791 3.2, RFC 1812 2.2.5.1): the leading bits of the first octet.
# (class, first octet range, default prefix or None, what the class is for)
CLASSES: tuple[tuple[str, range, int | None, str], ...] = (
    ("A", range(0, 128), 8, N_("unicast")),
    ("B", range(128, 192), 16, N_("unicast")),
    ("C", range(192, 224), 24, N_("unicast")),
    ("D", range(224, 240), None, N_("multicast")),
    ("E", range(240, 256), None, N_("reserved")),
)

# Special-purpose blocks (RFC 6890 and the RFCs named), most specific first.
KINDS: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(block), kind)
    for block, kind in (
        ("255.255.255.255/32", N_("limited broadcast (RFC 919)")),
        ("0.0.0.0/32", N_("unspecified (RFC 1122)")),
        ("0.0.0.0/8", N_("this network (RFC 1122)")),
        ("127.0.0.0/8", N_("loopback (RFC 1122)")),
        ("169.254.0.0/16", N_("link-local (RFC 3927)")),
        ("10.0.0.0/8", N_("private (RFC 1918)")),
        ("172.16.0.0/12", N_("private (RFC 1918)")),
        ("192.168.0.0/16", N_("private (RFC 1918)")),
        ("100.64.0.0/10", N_("shared address space, carrier-grade NAT (RFC 6598)")),
        ("192.0.2.0/24", N_("documentation TEST-NET-1 (RFC 5737)")),
        ("198.51.100.0/24", N_("documentation TEST-NET-2 (RFC 5737)")),
        ("203.0.113.0/24", N_("documentation TEST-NET-3 (RFC 5737)")),
        ("198.18.0.0/15", N_("benchmarking (RFC 2544)")),
        ("192.0.0.0/24", N_("IETF protocol assignments (RFC 6890)")),
        ("224.0.0.0/24", N_("multicast, local network control (RFC 5771)")),
        ("224.0.0.0/4", N_("multicast (RFC 5771)")),
        ("240.0.0.0/4", N_("reserved for future use (RFC 1112)")),
    )
)

SPLIT_LIMIT = 65536  # more subnets than this is a mistake, not a listing anyone reads


class SubnetError(ValueError):
    """Input that is not an IPv4 address, mask or prefix; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class AddressClass:
    """One of the classful address classes A-E."""

    letter: str
    default_prefix: int | None
    purpose: str

    @property
    def default_mask(self) -> IPv4Address | None:
        if self.default_prefix is None:
            return None
        return IPv4Network(f"0.0.0.0/{self.default_prefix}").netmask


@dataclass(frozen=True, slots=True)
class SubnetReport:
    """Everything `lanlab ip` says about one address and mask."""

    address: IPv4Address
    network: IPv4Network
    address_class: AddressClass
    mask_from_class: bool  # True when no mask was given and the class default (or block) was used
    kind: str

    @property
    def netmask(self) -> IPv4Address:
        return self.network.netmask

    @property
    def wildcard(self) -> IPv4Address:
        return self.network.hostmask

    @property
    def broadcast(self) -> IPv4Address | None:
        return host_span(self.network).broadcast

    @property
    def hosts(self) -> int:
        return host_span(self.network).hosts

    @property
    def first_host(self) -> IPv4Address | None:
        return host_span(self.network).first

    @property
    def last_host(self) -> IPv4Address | None:
        return host_span(self.network).last

    def as_dict(self) -> dict[str, object]:
        return {
            "address": str(self.address),
            "class": self.address_class.letter,
            "default_mask": str(self.address_class.default_mask) if self.address_class.default_mask else None,
            "mask_from_class": self.mask_from_class,
            "netmask": str(self.netmask),
            "prefix": self.network.prefixlen,
            "wildcard": str(self.wildcard),
            "network": str(self.network.network_address),
            "cidr": str(self.network),
            "broadcast": None if self.broadcast is None else str(self.broadcast),
            "first_host": None if self.first_host is None else str(self.first_host),
            "last_host": None if self.last_host is None else str(self.last_host),
            "hosts": self.hosts,
            "kind": self.kind,
            "binary": {
                "address": binary(self.address),
                "netmask": binary(self.netmask),
                "network": binary(self.network.network_address),
            },
        }


def address_class(address: IPv4Address) -> AddressClass:
    """The classful class of an address, from its first octet."""
    first_octet = address.packed[0]
    for letter, octets, prefix, purpose in CLASSES:
        if first_octet in octets:
            return AddressClass(letter, prefix, purpose)
    raise AssertionError("every octet 0-255 belongs to a class")


def kind_of(address: IPv4Address) -> str:
    """What an address is for: private, loopback, link-local, documentation, benchmarking, ..."""
    for block, kind in KINDS:
        if address in block:
            return kind
    return N_("public (globally routable)")


def binary(address: IPv4Address) -> str:
    """Dotted binary, one group of 8 bits per octet: 11000000.10101000.00000010.00000111."""
    return ".".join(f"{octet:08b}" for octet in address.packed)


class HostSpan(NamedTuple):
    """A network's hosts: the first and last, the broadcast address and how many (None, None, None, 0
    for a class D or E network; no broadcast for a /31 or /32)."""

    first: IPv4Address | None
    last: IPv4Address | None
    broadcast: IPv4Address | None
    hosts: int


def host_span(network: IPv4Network) -> HostSpan:
    if not holds_hosts(network):
        return HostSpan(None, None, None, 0)
    first, last = host_range(network)
    return HostSpan(first, last, directed_broadcast(network), host_count(network))


def holds_hosts(network: IPv4Network) -> bool:
    """Whether the network is one of hosts: class D addresses name multicast groups (RFC 1112 4) and
    class E ones are reserved, so neither has hosts, a broadcast address or a host range."""
    return address_class(network.network_address).letter in ("A", "B", "C")


def host_count(network: IPv4Network) -> int:
    """Usable host addresses: all but network and broadcast, except /31 (RFC 3021) and /32."""
    if network.prefixlen >= 31:
        return network.num_addresses
    return network.num_addresses - 2


def host_range(network: IPv4Network) -> tuple[IPv4Address, IPv4Address]:
    """First and last usable host address."""
    if network.prefixlen >= 31:
        return network.network_address, network.broadcast_address
    return network.network_address + 1, network.broadcast_address - 1


def _is_ipv6(text: str) -> bool:
    try:
        IPv6Address(text)
    except ValueError:
        return False
    return True


def parse_address(text: str) -> IPv4Address:
    """An IPv4 address in dotted decimal, or a one-line SubnetError saying what is wrong."""
    try:
        return IPv4Address(text.strip())
    except ValueError:
        if _is_ipv6(text.strip()):
            raise SubnetError(
                L_("{text!r} is an IPv6 address: lanlab ip handles IPv4 only; give one like 192.168.2.7/24", text=text)
            ) from None
        octets = text.strip().split(".")
        if len(octets) != 4:
            raise SubnetError(
                L_("{text!r} is not an IPv4 address: it needs 4 numbers separated by dots, like 192.168.2.7", text=text)
            ) from None
        for octet in octets:
            if not (octet.isascii() and octet.isdigit()) or int(octet) > 255:  # "１" and "٤" are digits to Python
                raise SubnetError(
                    L_(
                        "{text!r} is not an IPv4 address: {octet!r} is not a number from 0 to 255",
                        text=text,
                        octet=octet,
                    )
                ) from None
        raise SubnetError(L_("{text!r} is not an IPv4 address (leading zeros are ambiguous)", text=text)) from None


def parse_prefix(text: str) -> int:
    """A prefix length from "/24", "24" or a netmask "255.255.255.0"; SubnetError if invalid."""
    text = text.strip()
    bare = text.removeprefix("/")
    if bare.isascii() and bare.isdigit():
        if len(bare) > 1 and bare.startswith("0"):
            # as for addresses, a leading zero is ambiguous: iproute2 reads /024 as octal, /20
            raise SubnetError(
                L_("/{text} is ambiguous (leading zero): write the prefix length without it, like /24", text=bare)
            )
        prefix = int(bare)
        if prefix > 32:
            raise SubnetError(L_("/{prefix} is not a valid prefix: an IPv4 prefix is /0 to /32", prefix=prefix))
        return prefix
    if "." not in bare:  # meant as a prefix length: -1, +24, nothing, 24/24
        raise SubnetError(
            L_("/{text} is not a prefix length: give /0 to /32, or a netmask like 255.255.255.0", text=bare)
        )
    mask = parse_address(bare)
    bits = int(mask)
    inverted = bits ^ 0xFFFFFFFF
    # A netmask is ones then zeros: its complement plus one is a power of two.
    if inverted & (inverted + 1):
        raise SubnetError(
            L_(
                "{mask} is not a valid netmask: its 1 bits must be contiguous from the left "
                "(like 255.255.0.0 or 255.255.255.192)",
                mask=bare,
            )
        )
    return 32 - inverted.bit_length()


def describe(address_text: str, mask_text: str | None = None) -> SubnetReport:
    """Report on "192.168.2.7/24", "192.168.2.7/255.255.255.0", or an address plus a mask."""
    if "/" in address_text:
        if mask_text is not None:
            raise SubnetError(
                L_(
                    "{text!r} already has a mask; give it once, either as ADDR/PREFIX or as ADDR MASK",
                    text=address_text,
                )
            )
        address_text, mask_text = address_text.split("/", 1)
    address = parse_address(address_text)
    cls = address_class(address)
    if mask_text is not None:
        prefix, from_class = parse_prefix(mask_text), False
    elif cls.default_prefix is not None:
        prefix, from_class = cls.default_prefix, True
    else:
        prefix, from_class = 4, True  # classes D and E have no default mask: show the class block itself
    network = IPv4Network(f"{address}/{prefix}", strict=False)
    return SubnetReport(address, network, cls, from_class, kind_of(address))


def split(network: IPv4Network, new_prefix_text: str) -> list[IPv4Network]:
    """The subnets of `network` with the given longer prefix ("/26", "26" or a mask)."""
    new_prefix = parse_prefix(new_prefix_text)
    if new_prefix < network.prefixlen:
        raise SubnetError(
            L_(
                "cannot split {network} into /{new_prefix}: the new prefix must be /{prefix} or longer",
                network=network,
                new_prefix=new_prefix,
                prefix=network.prefixlen,
            )
        )
    count = 1 << (new_prefix - network.prefixlen)
    if count > SPLIT_LIMIT:
        raise SubnetError(
            L_(
                "splitting {network} into /{new_prefix} gives {count} subnets; "
                "at most {limit} are listed, use a shorter prefix",
                network=network,
                new_prefix=new_prefix,
                count=count,
                limit=SPLIT_LIMIT,
            )
        )
    return list(network.subnets(new_prefix=new_prefix))


__all__ = [
    "AddressClass",
    "SubnetError",
    "SubnetReport",
    "address_class",
    "binary",
    "describe",
    "host_count",
    "host_range",
    "kind_of",
    "parse_address",
    "parse_prefix",
    "split",
]
