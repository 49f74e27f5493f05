"""Subnet arithmetic: classes, masks, network number, hosts — checked against netaddr as an oracle."""

from ipaddress import IPv4Address, IPv4Network

import netaddr
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.net.subnet import SubnetError, address_class, binary, describe, kind_of, parse_prefix, split

addresses = st.integers(0, 2**32 - 1).map(IPv4Address)
prefixes = st.integers(0, 32)


@given(addresses, prefixes)
def test_network_broadcast_and_hosts_agree_with_netaddr(address, prefix):
    """Network number, broadcast, netmask, wildcard and host count match netaddr for any address/prefix
    of classes A-C; a class D or E network has no hosts and no broadcast."""
    report = describe(f"{address}/{prefix}")
    oracle = netaddr.IPNetwork(f"{address}/{prefix}")
    assert str(report.network.network_address) == str(oracle.network)
    assert str(report.netmask) == str(oracle.netmask)
    assert str(report.wildcard) == str(oracle.hostmask)
    if oracle.network.words[0] >= 224:  # class D groups (RFC 1112) and class E: no hosts, no broadcast
        assert (report.broadcast, report.first_host, report.last_host, report.hosts) == (None, None, None, 0)
        return
    if prefix < 31:
        assert str(report.broadcast) == str(netaddr.IPAddress(oracle.last))
    else:  # RFC 3021: a /31's two addresses are both hosts, a /32's one; neither has a broadcast
        assert report.broadcast is None
    if prefix >= 16:  # small enough to enumerate the oracle's hosts
        hosts = list(oracle.iter_hosts())
        assert report.hosts == len(hosts)
        assert (str(report.first_host), str(report.last_host)) == (str(hosts[0]), str(hosts[-1]))


@given(addresses, prefixes)
def test_network_number_is_address_and_mask(address, prefix):
    """The network number is the bitwise AND of address and mask, also in the binary rendering."""
    report = describe(str(address), f"/{prefix}")
    assert int(report.network.network_address) == int(address) & int(report.netmask)
    anded = "".join(
        "1" if a == m == "1" else "0" if c != "." else "."
        for a, m, c in zip(binary(address), binary(report.netmask), binary(address))
    )
    assert anded == binary(report.network.network_address)


@given(addresses, prefixes)
def test_mask_and_prefix_forms_are_the_same(address, prefix):
    """ADDR/PREFIX, ADDR/MASK and ADDR MASK describe the same network."""
    mask = str(IPv4Network(f"0.0.0.0/{prefix}").netmask)
    one = describe(f"{address}/{prefix}")
    assert describe(f"{address}/{mask}") == one
    assert describe(str(address), mask) == one


@pytest.mark.parametrize(
    "address, letter, prefix",
    [
        ("10.1.2.3", "A", 8),
        ("127.0.0.1", "A", 8),
        ("128.0.0.1", "B", 16),
        ("191.255.1.1", "B", 16),
        ("192.168.2.7", "C", 24),
        ("223.1.1.1", "C", 24),
        ("224.0.0.1", "D", None),
        ("240.0.0.1", "E", None),
    ],
)
def test_class_and_default_mask_come_from_the_first_octet(address, letter, prefix):
    """Class A-E and the default prefix follow the first octet's leading bits."""
    cls = address_class(IPv4Address(address))
    assert (cls.letter, cls.default_prefix) == (letter, prefix)


def test_bare_address_uses_its_class_default_and_says_so():
    """A bare class B address gets /16, flagged as coming from the class."""
    report = describe("172.20.1.2")
    assert report.network == IPv4Network("172.20.0.0/16")
    assert report.mask_from_class
    assert not describe("172.20.1.2/16").mask_from_class


@pytest.mark.parametrize(
    "address, kind",
    [
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.9.9", "link-local"),
        ("239.1.2.3", "multicast"),
        ("192.0.2.5", "documentation"),
        ("198.19.0.1", "benchmarking"),
        ("8.8.8.8", "public"),
        ("100.64.0.1", "shared"),
    ],
)
def test_kind_of_address(address, kind):
    """Special-purpose blocks are named (private, loopback, link-local, multicast, documentation, ...)."""
    assert kind_of(IPv4Address(address)).startswith(kind)


def test_31_and_32_prefixes_count_every_address_as_a_host():
    """A /31 has two hosts (RFC 3021) and a /32 one; first and last host are the addresses themselves."""
    assert (describe("198.18.0.4/31").hosts, str(describe("198.18.0.4/31").last_host)) == (2, "198.18.0.5")
    assert (describe("198.18.0.4/32").hosts, str(describe("198.18.0.4/32").first_host)) == (1, "198.18.0.4")
    assert describe("198.18.0.4/31").broadcast is None
    assert describe("198.18.0.4/31").as_dict()["broadcast"] is None


@pytest.mark.parametrize(
    "bad, words",
    [
        ("300.1.1.1", "'300' is not a number from 0 to 255"),
        ("1.2.3.4/33", "/33 is not a valid prefix"),
        ("1.2.3.4/255.0.255.0", "contiguous"),
        ("1.2.3", "4 numbers"),
        ("1.2.3.4/024", "/024 is ambiguous"),  # iproute2 would read octal 20
    ],
)
def test_bad_input_raises_one_line_error(bad, words):
    """Bad addresses, prefixes and non-contiguous masks raise SubnetError naming the problem."""
    with pytest.raises(SubnetError, match=words) as caught:
        describe(bad)
    assert "\n" not in str(caught.value)


def test_parse_prefix_accepts_slash_number_and_mask():
    """ "/26", "26" and "255.255.255.192" are all prefix 26."""
    assert parse_prefix("/26") == parse_prefix("26") == parse_prefix("255.255.255.192") == 26


def test_split_lists_equal_subnets_in_order():
    """A /24 split into /26 gives four consecutive /26 networks; a shorter prefix is refused."""
    network = IPv4Network("192.168.2.0/24")
    assert [str(n) for n in split(network, "/26")] == [
        "192.168.2.0/26",
        "192.168.2.64/26",
        "192.168.2.128/26",
        "192.168.2.192/26",
    ]
    with pytest.raises(SubnetError, match="longer"):
        split(network, "/23")
    with pytest.raises(SubnetError, match="at most"):
        split(IPv4Network("10.0.0.0/8"), "/30")


def test_public_names_are_reexported_from_lanlab_net():
    """lanlab.net re-exports the diagnostics' public names, loading each module on first use."""
    import lanlab.net
    from lanlab.net import arping, neighbours, ping

    assert lanlab.net.describe is describe
    assert lanlab.net.scan is arping.scan and lanlab.net.EchoSocket is ping.EchoSocket
    assert lanlab.net.read_neighbours is neighbours.read_neighbours
    with pytest.raises(AttributeError):
        lanlab.net.no_such_name  # noqa: B018
