"""The RIP speaker, driven in memory with a hand-moved clock: every timer and every rule of RFC 2453."""

import random
from ipaddress import IPv4Address, IPv4Network

import pytest
from riplab import RipLab, chain

from lanlab.proto.rip import (
    RESPONSE_RULES,
    Action,
    LocalRipError,
    RipSpeaker,
    RouteEffect,
    Situation,
    decide,
)
from lanlab.units import SECOND
from lanlab.wire.rip import RIP_MULTICAST, Rip, RipAuth, RipCommand, RipEntry

WHOLE_TABLE = Rip(RipCommand.REQUEST, 2, (RipEntry(IPv4Address(0), 16, afi=0),))


def entry(prefix: str, metric: int) -> RipEntry:
    network = IPv4Network(prefix)
    return RipEntry(network.network_address, metric, network.netmask)


def response(*entries: RipEntry, version: int = 2, auth: RipAuth | None = None) -> Rip:
    return Rip(RipCommand.RESPONSE, version, ((auth,) if auth else ()) + entries)


def lone(**options) -> RipSpeaker:
    speaker = RipSpeaker({"eth0": "10.0.0.1/24", "eth1": "10.0.1.1/24"}, random.Random(1), **options)
    speaker.start(0)
    speaker.datagrams_to_send(0)
    return speaker


def test_start_asks_every_neighbour_for_its_whole_table():
    """At start-up a whole-table request goes to 224.0.0.9 on every interface (RFC 2453 3.9.1)."""
    speaker = RipSpeaker({"eth0": "10.0.0.1/24", "eth1": "10.0.1.1/24"}, random.Random(1))
    speaker.start(0)
    out = speaker.datagrams_to_send(0)
    assert {(d.interface, d.destination, d.port) for d in out} == {
        ("eth0", RIP_MULTICAST, 520),
        ("eth1", RIP_MULTICAST, 520),
    }
    assert all(d.message.is_whole_table_request for d in out)
    assert sorted(str(p) for p in speaker.routes) == ["10.0.0.0/24", "10.0.1.0/24"]


def test_whole_table_request_is_answered_to_the_asker_with_split_horizon():
    """A request from port 520 gets the table, unicast back, poisoned on the asking interface."""
    speaker = lone()
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 2)), 1)
    speaker.handle_datagram(IPv4Address("10.0.0.3"), 520, "eth0", WHOLE_TABLE, 2)
    (answer,) = speaker.datagrams_to_send(2)
    assert (answer.interface, answer.destination, answer.port) == ("eth0", IPv4Address("10.0.0.3"), 520)
    metrics = {(str(e.address), e.metric) for e in answer.message.routes}
    assert metrics == {("10.0.0.0", 1), ("10.0.1.0", 1), ("10.9.0.0", 16)}


def test_query_from_another_port_sees_the_table_without_split_horizon():
    """A monitoring query (not from port 520) is answered to its port with real metrics (RFC 2453 3.9.1)."""
    speaker = lone()
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 2)), 1)
    speaker.handle_datagram(IPv4Address("10.0.0.3"), 40000, "eth0", WHOLE_TABLE, 2)
    (answer,) = speaker.datagrams_to_send(2)
    assert answer.port == 40000
    assert ("10.9.0.0", 3) in {(str(e.address), e.metric) for e in answer.message.routes}


def test_specific_request_gets_each_asked_entry_or_infinity():
    """Asked entries come back in order with our metric, 16 when unknown, and no split horizon."""
    speaker = lone()
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 2)), 1)
    ask = Rip(RipCommand.REQUEST, 2, (entry("10.9.0.0/16", 0), entry("10.0.1.0/24", 0), entry("10.7.0.0/16", 0)))
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", ask, 2)
    (answer,) = speaker.datagrams_to_send(2)
    assert answer.message.command == RipCommand.RESPONSE
    assert [e.metric for e in answer.message.routes] == [3, 1, 16]


def test_ripv1_request_is_answered_in_ripv1_without_masks():
    """A RIPv1 request gets a version-1 response whose must-be-zero fields are zero (RFC 1058)."""
    speaker = lone()
    v1 = Rip(RipCommand.REQUEST, 1, (RipEntry(IPv4Address(0), 16, afi=0),))
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", v1, 1)
    (answer,) = speaker.datagrams_to_send(1)
    assert answer.message.version == 1
    assert all(int(e.mask) == 0 and int(e.next_hop) == 0 and e.tag == 0 for e in answer.message.routes)


def test_ripv1_response_is_learned_with_an_inferred_mask():
    """A RIPv1 route in our major network takes the interface's mask; another takes its class (RFC 1058 3.7)."""
    speaker = lone()
    v1 = Rip(
        RipCommand.RESPONSE,
        1,
        (
            RipEntry(IPv4Address("10.0.5.0"), 1),
            RipEntry(IPv4Address("172.16.0.0"), 2),
            RipEntry(IPv4Address("10.0.5.7"), 1),
        ),
    )
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", v1, 1)
    assert {str(p) for p in speaker.routes} >= {"10.0.5.0/24", "172.16.0.0/16", "10.0.5.7/32"}


def test_learned_routes_cost_one_more_and_go_via_the_sender():
    """A received metric m becomes m+1 via the source address, capped at 16 (RFC 2453 3.9.2)."""
    speaker = lone()
    speaker.handle_datagram(
        IPv4Address("10.0.0.2"),
        520,
        "eth0",
        response(entry("10.9.0.0/16", 4), entry("10.8.0.0/16", 15), entry("10.7.0.0/16", 16)),
        1,
    )
    route = speaker.routes[IPv4Network("10.9.0.0/16")]
    assert (route.metric, route.next_hop, route.interface) == (5, IPv4Address("10.0.0.2"), "eth0")
    assert IPv4Network("10.8.0.0/16") not in speaker.routes  # 15 + 1 = infinity: nothing to learn
    assert IPv4Network("10.7.0.0/16") not in speaker.routes
    changes = []
    while (c := speaker.next_event()) is not None:
        changes.append((c.effect, str(c.prefix), c.metric))
    assert (RouteEffect.ADDED, "10.9.0.0/16", 5) in changes


@pytest.mark.parametrize(
    "bad",
    [
        entry("127.0.0.0/8", 1),
        entry("224.0.0.0/4", 1),
        entry("0.1.0.0/16", 1),
        RipEntry(IPv4Address("10.1.0.0"), 0, IPv4Address("255.255.0.0")),
        RipEntry(IPv4Address("10.1.0.0"), 17, IPv4Address("255.255.0.0")),
        RipEntry(IPv4Address("10.1.0.0"), 1, IPv4Address("255.0.255.0")),
        RipEntry(IPv4Address("10.1.0.0"), 1, IPv4Address("255.255.0.0"), afi=7),
    ],
)
def test_invalid_entries_are_counted_and_ignored(bad):
    """Loopback, multicast, net 0, metric outside 1-16, a holey mask or a foreign AFI are dropped (3.9.2)."""
    speaker = lone()
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(bad), 1)
    assert len(speaker.routes) == 2 and speaker.dropped == {"invalid entry": 1}


@pytest.mark.parametrize(
    "src, port, version, reason",
    [
        ("10.0.0.2", 1234, 2, "response not from port 520"),
        ("10.5.0.2", 520, 2, "source not on the network"),
        ("10.0.0.1", 520, 2, "our own message"),
        ("10.0.0.2", 520, 0, "version 0"),
    ],
)
def test_whole_messages_are_ignored_for_the_rfc_reasons(src, port, version, reason):
    """Responses from another port, off-net sources, ourselves and version 0 are dropped (RFC 2453 3.9.2)."""
    speaker = lone()
    speaker.handle_datagram(IPv4Address(src), port, "eth0", response(entry("10.9.0.0/16", 1), version=version), 1)
    assert IPv4Network("10.9.0.0/16") not in speaker.routes and speaker.dropped == {reason: 1}


def test_simple_password_authentication_accepts_only_the_right_password():
    """With a password, only RIPv2 carrying it is accepted; RIPv1 and wrong or missing passwords are not."""
    speaker = lone(password="s3cret")
    src = IPv4Address("10.0.0.2")
    speaker.handle_datagram(src, 520, "eth0", response(entry("10.1.0.0/16", 1)), 1)
    speaker.handle_datagram(src, 520, "eth0", response(entry("10.2.0.0/16", 1), auth=RipAuth.password("guess")), 1)
    speaker.handle_datagram(src, 520, "eth0", response(entry("10.3.0.0/16", 1), version=1), 1)
    speaker.handle_datagram(src, 520, "eth0", response(entry("10.4.0.0/16", 1), auth=RipAuth.password("s3cret")), 1)
    assert {str(p) for p in speaker.routes} == {"10.0.0.0/24", "10.0.1.0/24", "10.4.0.0/16"}
    assert speaker.dropped == {"authentication failed": 2, "RIPv1 while authentication is on": 1}


def test_without_a_password_authenticated_messages_are_discarded():
    """A router without authentication discards authenticated RIPv2 messages (RFC 2453 4.1)."""
    speaker = lone()
    speaker.handle_datagram(
        IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.4.0.0/16", 1), auth=RipAuth.password("x")), 1
    )
    assert speaker.dropped == {"unexpected authentication": 1}


def test_sent_messages_carry_the_password_first_and_at_most_25_entries():
    """Every message starts with the password entry and holds at most 24 routes beside it."""
    speaker = lone(password="s3cret")
    speaker.handle_datagram(
        IPv4Address("10.0.0.2"),
        520,
        "eth0",
        response(*[entry(f"10.{100 + i}.0.0/16", 1) for i in range(24)], auth=RipAuth.password("s3cret")),
        1,
    )
    speaker.handle_timer(speaker.get_timer())
    out = [d for d in speaker.datagrams_to_send(0) if d.interface == "eth1"]
    assert [len(d.message.entries) for d in out] == [25, 3]
    assert all(d.message.auth == RipAuth.password("s3cret") for d in out)


def test_split_horizon_rules_on_the_learning_interface():
    """Learned on eth0, a route is sent back there as is (none), left out (simple) or with 16 (poisoned)."""
    seen = {}
    for mode in ("none", "simple", "poisoned_reverse"):
        speaker = lone(split_horizon=mode)
        speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 2)), 1)
        speaker.handle_timer(speaker.get_timer())
        back = {d.interface: {str(e.address): e.metric for e in d.message.routes} for d in speaker.datagrams_to_send(0)}
        assert back["eth1"]["10.9.0.0"] == 3
        seen[mode] = back["eth0"].get("10.9.0.0")
    assert seen == {"none": 3, "simple": None, "poisoned_reverse": 16}


def test_unknown_split_horizon_and_interface_are_local_errors():
    """Asking for a split-horizon mode or an interface that does not exist raises LocalRipError."""
    with pytest.raises(LocalRipError, match="none, simple or poisoned_reverse"):
        RipSpeaker({"eth0": "10.0.0.1/24"}, random.Random(1), split_horizon="sometimes")
    with pytest.raises(LocalRipError, match="eth9"):
        lone().interface_down("eth9", 0)


def test_periodic_updates_come_every_30_s_give_or_take_5():
    """Full updates are 25-35 s apart and not all equal (RFC 2453 3.8 jitter)."""
    lab = RipLab()
    chain(lab, 2)
    lab.start()
    lab.run(600 * SECOND)
    times = sorted(
        {
            t
            for t, name, d in lab.sent
            if name == "r0"
            and d.interface == "eth1"
            and len(d.message.routes) == 3
            and d.destination == RIP_MULTICAST
            and t > 10 * SECOND
        }
    )
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) >= 15 and all(25 * SECOND <= g <= 35 * SECOND for g in gaps) and len(set(gaps)) > 1


def test_triggered_updates_are_damped_between_1_and_5_s():
    """A change is announced 1-5 s later, with only the changed routes (RFC 2453 3.10.1)."""
    speaker = lone()
    speaker.handle_timer(speaker.get_timer())
    speaker.datagrams_to_send(0)
    t0 = 10 * SECOND
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 2)), t0)
    assert speaker.datagrams_to_send(t0) == []
    due = speaker.get_timer()
    assert t0 + SECOND <= due <= t0 + 5 * SECOND
    speaker.handle_timer(due)
    out = speaker.datagrams_to_send(due)
    assert {str(e.address) for d in out for e in d.message.routes} == {"10.9.0.0"}


def test_route_times_out_after_180_s_then_is_collected_after_120_s():
    """An unrefreshed route goes to 16 at 180 s and disappears 120 s later (RFC 2453 3.8)."""
    speaker = lone()
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 2)), 0)
    prefix = IPv4Network("10.9.0.0/16")
    now = 0
    while (t := speaker.get_timer()) is not None and t <= 400 * SECOND:
        now = t
        speaker.handle_timer(now)
        if prefix in speaker.routes and speaker.routes[prefix].metric == 16 and "unreachable_at" not in locals():
            unreachable_at = now
        if prefix not in speaker.routes:
            break
    assert unreachable_at == 180 * SECOND and now == 300 * SECOND
    effects = []
    while (c := speaker.next_event()) is not None:
        if c.prefix == prefix:
            effects.append(c.effect)
    assert effects == [RouteEffect.ADDED, RouteEffect.UNREACHABLE, RouteEffect.DELETED]


def test_refresh_from_the_same_gateway_restarts_the_timeout():
    """Hearing the same route again from its gateway pushes the timeout back (RFC 2453 3.9.2)."""
    speaker = lone()
    message = response(entry("10.9.0.0/16", 2))
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", message, 0)
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", message, 100 * SECOND)
    assert speaker.routes[IPv4Network("10.9.0.0/16")].timeout_at == 280 * SECOND


def test_better_route_wins_worse_is_ignored_and_gateway_news_is_believed():
    """Another gateway must offer less; the current gateway is believed even when worse (RFC 2453 3.9.2)."""
    speaker = lone()
    a, b = IPv4Address("10.0.0.2"), IPv4Address("10.0.1.2")
    speaker.handle_datagram(a, 520, "eth0", response(entry("10.9.0.0/16", 5)), 0)
    speaker.handle_datagram(b, 520, "eth1", response(entry("10.9.0.0/16", 7)), 1)
    assert speaker.routes[IPv4Network("10.9.0.0/16")].next_hop == a
    speaker.handle_datagram(b, 520, "eth1", response(entry("10.9.0.0/16", 2)), 2)
    assert speaker.routes[IPv4Network("10.9.0.0/16")].next_hop == b
    speaker.handle_datagram(b, 520, "eth1", response(entry("10.9.0.0/16", 9)), 3)
    assert speaker.routes[IPv4Network("10.9.0.0/16")].metric == 10


def test_equal_metric_from_another_gateway_switches_only_past_half_the_timeout():
    """An equal offer replaces the current route only when that route is halfway to timing out."""
    speaker = lone()
    a, b = IPv4Address("10.0.0.2"), IPv4Address("10.0.1.2")
    speaker.handle_datagram(a, 520, "eth0", response(entry("10.9.0.0/16", 3)), 0)
    speaker.handle_datagram(b, 520, "eth1", response(entry("10.9.0.0/16", 3)), 60 * SECOND)
    assert speaker.routes[IPv4Network("10.9.0.0/16")].next_hop == a
    speaker.handle_datagram(b, 520, "eth1", response(entry("10.9.0.0/16", 3)), 95 * SECOND)
    assert speaker.routes[IPv4Network("10.9.0.0/16")].next_hop == b


def test_infinity_from_the_gateway_starts_deletion_once():
    """Metric 16 from the gateway poisons the route; hearing 16 again does not restart garbage collection."""
    speaker = lone()
    src = IPv4Address("10.0.0.2")
    speaker.handle_datagram(src, 520, "eth0", response(entry("10.9.0.0/16", 2)), 0)
    speaker.handle_datagram(src, 520, "eth0", response(entry("10.9.0.0/16", 16)), 10 * SECOND)
    speaker.handle_datagram(src, 520, "eth0", response(entry("10.9.0.0/16", 16)), 50 * SECOND)
    route = speaker.routes[IPv4Network("10.9.0.0/16")]
    assert route.metric == 16 and route.garbage_at == 130 * SECOND


def test_a_route_in_garbage_collection_can_be_relearned():
    """During garbage collection a reachable offer from anyone brings the route back."""
    speaker = lone()
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 2)), 0)
    speaker.handle_datagram(IPv4Address("10.0.0.2"), 520, "eth0", response(entry("10.9.0.0/16", 16)), 1)
    speaker.handle_datagram(IPv4Address("10.0.1.2"), 520, "eth1", response(entry("10.9.0.0/16", 6)), 2)
    route = speaker.routes[IPv4Network("10.9.0.0/16")]
    assert (route.metric, route.garbage_at, route.interface) == (7, None, "eth1")


def test_every_response_rule_is_reachable():
    """Each row of RESPONSE_RULES decides at least one situation (no dead rule)."""
    situations = [  # known, offered metric, route's metric, same gateway, halfway to timeout, connected
        Situation(False, 3, 0, False, False, False),
        Situation(False, 16, 0, False, False, False),
        Situation(True, 16, 16, True, False, False),
        Situation(True, 16, 3, True, False, False),
        Situation(True, 3, 5, True, False, False),
        Situation(True, 3, 3, True, False, False),
        Situation(True, 3, 5, False, False, False),
        Situation(True, 3, 3, False, True, False),
        Situation(True, 3, 3, False, False, False),
    ]
    expected = [
        Action.ADD,
        Action.IGNORE,
        Action.IGNORE,
        Action.POISON,
        Action.REPLACE,
        Action.REFRESH,
        Action.REPLACE,
        Action.REPLACE,
        Action.IGNORE,
    ]
    assert [decide(s) for s in situations] == expected
    assert len(situations) == len(RESPONSE_RULES)


def test_chain_converges_with_hop_count_metrics():
    """In a chain of four routers every network is known everywhere, one more hop each router away."""
    lab = RipLab()
    chain(lab, 4)
    lab.start()
    lab.run(60 * SECOND)
    assert [lab.metric(f"r{k}", "10.0.4.0/24") for k in range(4)] == [4, 3, 2, 1]
    assert [lab.metric(f"r{k}", "10.0.0.0/24") for k in range(4)] == [1, 2, 3, 4]


def test_sixteen_hops_is_infinity():
    """In a chain of 16 routers, the far end's stub net stays unknown at the other end."""
    lab = RipLab()
    chain(lab, 16)
    lab.start()
    lab.run(120 * SECOND)
    assert lab.metric("r14", "10.0.0.0/24") == 15
    assert lab.metric("r15", "10.0.0.0/24") is None


def test_interface_down_poisons_its_routes_and_up_brings_them_back():
    """Losing a link makes its network and routes through it 16; the link back restores them."""
    lab = RipLab()
    chain(lab, 3)
    lab.start()
    lab.run(60 * SECOND)
    lab.cut("r1", "eth1")
    lab.run(70 * SECOND)
    assert lab.metric("r0", "10.0.3.0/24") == 16 and lab.metric("r1", "10.0.2.0/24") == 16
    lab.link("r1", "eth1", "r2", "eth0")
    for name, interface in (("r1", "eth1"), ("r2", "eth0")):
        lab.speakers[name].interface_up(interface, lab.now)
    lab._collect()
    lab.run(80 * SECOND)
    assert lab.metric("r0", "10.0.3.0/24") == 3


def count_to_infinity(split_horizon: str) -> list[tuple[float, RouteEffect, int]]:
    """r0 - r1 - r2 with r2's stub 10.0.3.0/24; the r1-r2 link fails just before r0's periodic update.

    Returns r1's changes for the stub network as (seconds after the failure, effect, metric).
    """
    lab = RipLab(seed=3)
    chain(lab, 3, split_horizon=split_horizon)
    lab.start()
    lab.run(100 * SECOND)
    fail_at = lab.speakers["r0"]._update_at - SECOND // 2
    lab.run(fail_at)
    lab.cut("r1", "eth1")
    lab.run(fail_at + 200 * SECOND)
    return [
        ((c.time - fail_at) / 1e9, c.effect, c.metric)
        for name, c in lab.changes
        if name == "r1" and str(c.prefix) == "10.0.3.0/24" and c.time >= fail_at
    ]


def test_without_split_horizon_the_metric_counts_to_infinity():
    """With split horizon off, r1 takes r0's stale route back and the metric climbs step by step to 16."""
    steps = count_to_infinity("none")
    metrics = [m for _, effect, m in steps if effect is not RouteEffect.DELETED]
    assert metrics[0] == 16 and metrics[-1] == 16
    assert len(metrics) > 6 and metrics[1:-1] == sorted(metrics[1:-1])  # 4, 6, 8, ... climbing


def test_with_poisoned_reverse_the_failure_is_final_at_once():
    """With poisoned reverse the same failure gives one change, to 16, and nothing after it."""
    assert [(effect, m) for _, effect, m in count_to_infinity("poisoned_reverse")] == [
        (RouteEffect.UNREACHABLE, 16),
        (RouteEffect.DELETED, 16),
    ]


def test_start_up_request_carries_the_password():
    """With a password, even the whole-table request starts with the authentication entry."""
    speaker = RipSpeaker({"eth0": "10.0.0.1/24"}, random.Random(1), password="s3cret")
    speaker.start(0)
    (request,) = speaker.datagrams_to_send(0)
    assert request.message.auth == RipAuth.password("s3cret") and request.message.is_whole_table_request
