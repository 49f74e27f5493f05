"""arping's requests in virtual time: how many go out for -w and -c, as iputils arping sends them."""

from __future__ import annotations

import heapq
from ipaddress import IPv4Address

import pytest

from lanlab.net.arping import ArpingOptions, arping
from lanlab.wire import Arp, ArpOp, MacAddress

ME, ME_MAC = IPv4Address("198.18.0.1"), MacAddress("02:00:00:00:00:01")
TARGET, TARGET_MAC = IPv4Address("198.18.0.2"), MacAddress("02:00:00:00:00:02")


class FakeEndpoint:
    """An ArpEndpoint on a virtual clock whose target answers each request after `delay_ns` (None: silent)."""

    def __init__(self, delay_ns: int | None) -> None:
        self.ip, self.mac = ME, ME_MAC
        self.now = 0
        self.delay_ns = delay_ns
        self.due: list[tuple[int, int]] = []
        self.sent: list[int] = []
        self.waits = 0

    def clock(self) -> int:
        return self.now

    def send_request(self, target, sender_ip=None, destination=MacAddress.BROADCAST) -> None:
        self.sent.append(self.now)
        if self.delay_ns is not None:
            heapq.heappush(self.due, (self.now + self.delay_ns, len(self.sent)))

    def wait(self, seconds: float) -> bool:
        self.waits += 1
        assert self.waits < 1000, "arping polls in a busy loop"
        until = self.now + max(round(seconds * 1e9), 1)
        if self.due and self.due[0][0] <= until:
            self.now = max(self.now, self.due[0][0])
            return True
        self.now = until
        return False

    def replies(self):
        while self.due and self.due[0][0] <= self.now:
            heapq.heappop(self.due)
            yield Arp(ArpOp.REPLY, TARGET_MAC, TARGET, ME_MAC, ME), False


@pytest.mark.parametrize("seconds", [1, 2, 3])
@pytest.mark.parametrize("delay_ns", [None, 1_000_000])
def test_w_sends_one_request_more_than_its_seconds_as_iputils(seconds, delay_ns):
    """-w N with -i 1: a request at 0, 1, ... N s, the last one at the deadline itself (iputils' interval timer
    is read before its -w timer when both expire): N + 1 requests, N answered; it sent N."""
    endpoint = FakeEndpoint(delay_ns)
    stats = arping(endpoint, TARGET, ArpingOptions(deadline=seconds), lambda reply: None, clock=endpoint.clock)
    assert endpoint.sent == [n * 1_000_000_000 for n in range(seconds + 1)]
    assert stats.sent == seconds + 1
    assert stats.received == (0 if delay_ns is None else seconds)


def test_c_with_w_waits_for_the_replies_until_the_deadline_without_spinning():
    """-c 2 -w 3 to a silent target: two requests, then one wait to the deadline and none sent at it (from one
    interval after the last request to the deadline it polled with a zero timeout: a busy loop, a core's worth
    of CPU for two seconds)."""
    endpoint = FakeEndpoint(None)
    stats = arping(endpoint, TARGET, ArpingOptions(count=2, deadline=3), lambda reply: None, clock=endpoint.clock)
    assert (stats.sent, endpoint.now) == (2, 3_000_000_000)
    assert endpoint.waits <= 3
