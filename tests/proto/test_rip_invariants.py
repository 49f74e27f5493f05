"""The RIP speaker under arbitrary input sequences (hypothesis): what must hold whatever neighbours say."""

import random
from ipaddress import IPv4Address, IPv4Network

from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.proto.rip import RipSpeaker
from lanlab.units import SECOND
from lanlab.wire.rip import RIP_INFINITY, RIP_MAX_ENTRIES, Rip, RipCommand, RipEntry

INTERFACES = {"eth0": "10.0.0.1/24", "eth1": "10.0.1.1/24"}
NEIGHBOURS = {"eth0": ["10.0.0.2", "10.0.0.3"], "eth1": ["10.0.1.2"]}
PREFIXES = [IPv4Network(p) for p in ("10.9.0.0/16", "10.8.0.0/16", "192.168.5.0/24", "10.0.1.0/24", "0.0.0.0/0")]

entries = st.builds(
    lambda prefix, metric: RipEntry(prefix.network_address, metric, prefix.netmask),
    st.sampled_from(PREFIXES),
    st.integers(0, 17),
)
responses = st.tuples(
    st.just("response"), st.sampled_from(["eth0", "eth1"]), st.integers(0, 2), st.lists(entries, min_size=1, max_size=5)
)
events = st.one_of(
    responses,
    st.tuples(st.just("wait"), st.integers(0, 200 * SECOND)),
    st.tuples(st.just("down"), st.sampled_from(["eth0", "eth1"])),
    st.tuples(st.just("up"), st.sampled_from(["eth0", "eth1"])),
    st.tuples(st.just("request"), st.sampled_from(["eth0", "eth1"])),
)


def check(speaker: RipSpeaker, now: int, sent: list) -> None:
    for prefix, route in speaker.routes.items():
        assert 1 <= route.metric <= RIP_INFINITY and route.prefix == prefix
        if route.metric == RIP_INFINITY:
            assert route.garbage_at is not None and route.timeout_at is None  # RFC 2453 3.8: deletion running
        elif not route.connected:
            assert route.timeout_at is not None and route.timeout_at > now - 1
    timer = speaker.get_timer()
    assert timer is None or timer > now  # everything due has been done
    for datagram in sent:
        assert len(datagram.message.entries) <= RIP_MAX_ENTRIES
        assert Rip.parse(datagram.message.build())[0] == datagram.message
        if datagram.port == 520 and datagram.message.command == RipCommand.RESPONSE:
            for entry in datagram.message.routes:
                route = speaker.routes.get(IPv4Network((entry.address, entry.prefixlen)))
                # poisoned reverse: never a finite metric back where the route came from (RFC 2453 3.4.3)
                if route is not None and not route.connected and route.interface == datagram.interface:
                    assert entry.metric == RIP_INFINITY


@settings(max_examples=150, deadline=None)
@given(st.lists(events, max_size=40), st.integers(0, 2**32))
def test_whatever_arrives_the_database_and_output_stay_consistent(script, seed):
    """Metrics stay in 1..16, infinite routes are being collected, finite ones time out, output parses
    back, and poisoned reverse never tells a neighbour a finite metric for a route learned from it."""
    speaker = RipSpeaker(INTERFACES, random.Random(seed))
    now = 0
    speaker.start(now)
    check(speaker, now, speaker.datagrams_to_send(now))
    for event in script:
        if event[0] == "response":
            _, interface, which, routes = event
            neighbours = NEIGHBOURS[interface]
            src = IPv4Address(neighbours[which % len(neighbours)])
            speaker.handle_datagram(src, 520, interface, Rip(RipCommand.RESPONSE, 2, tuple(routes)), now)
        elif event[0] == "wait":
            deadline = now + event[1]
            while (timer := speaker.get_timer()) is not None and timer <= deadline:
                now = max(now, timer)
                speaker.handle_timer(now)
                check(speaker, now, speaker.datagrams_to_send(now))
            now = deadline
        elif event[0] == "down":
            speaker.interface_down(event[1], now)
        elif event[0] == "up":
            speaker.interface_up(event[1], now)
        else:
            whole = Rip(RipCommand.REQUEST, 2, (RipEntry(IPv4Address(0), 16, afi=0),))
            speaker.handle_datagram(IPv4Address(NEIGHBOURS[event[1]][0]), 520, event[1], whole, now)
        check(speaker, now, speaker.datagrams_to_send(now))
        while speaker.next_event() is not None:
            pass
