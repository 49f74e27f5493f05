"""Hypothesis: the MAC table and the ARP cache against simple models, under random operations."""

from __future__ import annotations

from ipaddress import IPv4Address

from hypothesis import given
from hypothesis import strategies as st

from lanlab.proto.arp import ArpCache, QueueOverflow
from lanlab.proto.mactable import MacTable
from lanlab.wire import Arp, ArpOp, MacAddress

AGEING = 100
STEP = st.integers(min_value=0, max_value=60)


@given(
    st.lists(st.tuples(st.sampled_from(["learn", "lookup"]), st.integers(0, 4), st.integers(0, 3), STEP), max_size=60)
)
def test_mac_table_matches_a_last_seen_model(operations):
    """lookup(mac) is the port of the last learn of mac if that was at most `ageing` ago, else None."""
    table: MacTable[int, int] = MacTable(ageing=AGEING)
    last: dict[int, tuple[int, int]] = {}
    now = 0
    for op, mac, port, step in operations:
        now += step
        if op == "learn":
            table.learn(mac, port, now)
            last[mac] = (port, now)
        else:
            seen = last.get(mac)
            expected = seen[0] if seen is not None and now - seen[1] <= AGEING else None
            assert table.lookup(mac, now) == expected
            if expected is None:
                last.pop(mac, None)
    live = {mac for mac, (_, t) in last.items() if now - t <= AGEING}
    assert {row.mac for row in table.rows(now)} == live


ME_MAC, ME_IP = MacAddress("02:00:00:00:00:01"), IPv4Address("198.18.0.1")
PEERS = [IPv4Address(f"198.18.0.{n}") for n in range(2, 6)]


def mac_of(n: int) -> MacAddress:
    return MacAddress(0x020000000100 + n)


@given(st.lists(st.tuples(st.sampled_from(["send", "reply", "timer"]), st.integers(0, 3), STEP), max_size=50))
def test_arp_cache_never_loses_or_reorders_a_packet_it_accepted(operations):
    """Every queued packet is either released once, in send order, to the right MAC, or reported
    failed once, or reported dropped once by the bounded queue; requests are rate limited to one per pending address."""
    cache: ArpCache[int] = ArpCache(ME_MAC, ME_IP, timeout=1_000, retry_interval=50, retries=3, queue_limit=2)
    now, sent, seq = 0, [], 0
    released: list[tuple[MacAddress, int]] = []
    failed: list[int] = []
    dropped: list[int] = []
    for op, peer, step in operations:
        now += step
        ip = PEERS[peer]
        if op == "send":
            seq += 1
            mac = cache.resolve(ip, seq, now)
            if mac is not None:
                released.append((mac, seq))
            sent.append((peer, seq))
        elif op == "reply":
            cache.handle_arp(Arp(ArpOp.REPLY, mac_of(peer), ip, ME_MAC, ME_IP), now)
        else:
            deadline = cache.get_timer()
            if deadline is not None:
                now = max(now, deadline)
                cache.handle_timer(now)
        requests = cache.arp_to_send()
        assert all(dst == MacAddress.BROADCAST and a.op == ArpOp.REQUEST for dst, a in requests)
        assert len({a.target_ip for _, a in requests}) == len(requests)
        released += cache.packets_to_send()
        event = cache.next_event()
        while event is not None:
            if isinstance(event, QueueOverflow):
                dropped.append(event.packet)
            else:
                failed += event.packets
            event = cache.next_event()
    out = [n for _, n in released] + failed + dropped
    assert len(out) == len(set(out))  # nothing twice
    assert len(dropped) == cache.queue_drops  # every drop is reported
    assert len(out) + cache.queued == len(sent)
    by_peer = {n: peer for peer, n in sent}
    assert all(mac == mac_of(by_peer[n]) for mac, n in released)
    for peer in range(4):
        order = [n for _, n in released if by_peer[n] == peer]
        assert order == sorted(order)
