"""The routing table: longest-prefix match and administrative distance, checked against brute force."""

from ipaddress import IPv4Address, IPv4Network

from hypothesis import given
from hypothesis import strategies as st

from lanlab.proto.routing import Route, RouteSource, RoutingTable

prefixes = st.builds(lambda a, n: IPv4Network((a, n), strict=False), st.integers(0, 2**32 - 1), st.integers(0, 32))
routes = st.builds(
    Route,
    prefix=prefixes,
    interface=st.sampled_from(["eth0", "eth1"]),
    metric=st.integers(0, 16),
    source=st.sampled_from(list(RouteSource)),
)


def brute_force(offers: dict, destination: IPv4Address) -> Route | None:
    """The answer by definition: longest prefix containing the address, then distance, then metric."""
    matching = [r for r in offers.values() if destination in r.prefix]
    if not matching:
        return None
    return min(matching, key=lambda r: (-r.prefix.prefixlen, r.distance, r.metric))


@given(
    st.lists(routes, max_size=40),
    st.lists(st.tuples(prefixes, st.sampled_from(list(RouteSource))), max_size=10),
    st.lists(st.integers(0, 2**32 - 1).map(IPv4Address), min_size=1, max_size=20),
)
def test_lookup_matches_brute_force_after_installs_and_withdrawals(installs, withdrawals, destinations):
    """After any installs and withdrawals, lookup gives the brute-force best route for every address."""
    table, offers = RoutingTable(), {}
    for route in installs:
        table.install(route)
        offers[route.prefix, route.source] = route
    for prefix, source in withdrawals:
        assert (table.withdraw(prefix, source) is not None) == ((prefix, source) in offers)
        offers.pop((prefix, source), None)
    for destination in destinations + [r.prefix.network_address for r in installs]:
        expected = brute_force(offers, destination)
        got = table.lookup(destination)
        assert (got is None) == (expected is None)
        if got is not None:
            assert (got.prefix, got.distance, got.metric) == (expected.prefix, expected.distance, expected.metric)
    assert len(table) == len({prefix for prefix, _ in offers})


def test_connected_beats_static_beats_rip_for_the_same_prefix():
    """For one prefix the lowest administrative distance is installed, whatever the metrics."""
    table = RoutingTable()
    net = IPv4Network("198.18.1.0/24")
    table.install(Route(net, "eth1", IPv4Address("198.18.0.2"), 2, RouteSource.RIP))
    table.install(Route(net, "eth0", IPv4Address("198.18.0.3"), 9, RouteSource.STATIC))
    assert table.lookup(IPv4Address("198.18.1.7")).source is RouteSource.STATIC
    table.install(Route(net, "eth2", None, 0, RouteSource.CONNECTED))
    assert table.lookup(IPv4Address("198.18.1.7")).source is RouteSource.CONNECTED
    table.withdraw(net, RouteSource.CONNECTED)
    table.withdraw(net, RouteSource.STATIC)
    assert table.lookup(IPv4Address("198.18.1.7")).source is RouteSource.RIP


def test_default_route_catches_what_nothing_else_does():
    """0.0.0.0/0 matches any address, but a more specific route wins where it applies."""
    table = RoutingTable()
    table.install(Route(IPv4Network("0.0.0.0/0"), "eth0", IPv4Address("198.18.0.1")))
    table.install(Route(IPv4Network("198.18.5.0/24"), "eth1", None, source=RouteSource.CONNECTED))
    assert table.lookup(IPv4Address("8.8.8.8")).interface == "eth0"
    assert table.lookup(IPv4Address("198.18.5.9")).interface == "eth1"


def test_rows_for_json_have_exactly_the_issue_keys():
    """A route's row has prefix, via, interface, metric, source and age in seconds."""
    row = Route(
        IPv4Network("198.18.1.0/24"), "eth1", IPv4Address("198.18.0.2"), 2, RouteSource.RIP, since=5_000_000_000
    ).as_dict(now=12_500_000_000)
    assert row == {
        "prefix": "198.18.1.0/24",
        "via": "198.18.0.2",
        "interface": "eth1",
        "metric": 2,
        "source": "rip",
        "age": 7.5,
    }
