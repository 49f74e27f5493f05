"""The --scan schedule in virtual time: rate, retries, the end of the last answer window, nothing invented."""

import heapq
from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.net.arping import scan
from lanlab.wire import Arp, ArpOp, MacAddress

NETWORK = IPv4Network("198.18.0.0/27")  # 30 host addresses, the scanner is .1
SCANNER = IPv4Address("198.18.0.1")
SCANNER_MAC = MacAddress("02:00:00:00:00:01")


class FakeLink:
    """An ArpEndpoint stand-in on a virtual clock: hosts answer after a delay, maybe ignoring early requests."""

    def __init__(self, answers: dict[IPv4Address, list[MacAddress]], delay_ns: int, deaf_to_first: set) -> None:
        self.ip, self.mac = SCANNER, SCANNER_MAC
        self.now = 0
        self.answers, self.delay_ns, self.deaf_to_first = answers, delay_ns, set(deaf_to_first)
        self.in_flight: list[tuple[int, int, Arp]] = []
        self.sent: list[tuple[int, IPv4Address]] = []
        self.delivered: list[int] = []
        self._serial = 0

    def clock(self) -> int:
        return self.now

    def send_request(self, target: IPv4Address) -> None:
        self.sent.append((self.now, target))
        if target in self.deaf_to_first:
            self.deaf_to_first.discard(target)  # this request is lost; the next one is answered
            return
        for mac in self.answers.get(target, []):
            self._serial += 1
            reply = Arp(ArpOp.REPLY, mac, target, SCANNER_MAC, SCANNER)
            heapq.heappush(self.in_flight, (self.now + self.delay_ns, self._serial, reply))

    def wait(self, seconds: float) -> bool:
        until = self.now + max(int(seconds * 1e9), 1)
        if self.in_flight and self.in_flight[0][0] <= until:
            self.now = max(self.now, self.in_flight[0][0])
            return True
        self.now = until
        return False

    def replies(self):
        while self.in_flight and self.in_flight[0][0] <= self.now:
            self.delivered.append(self.now)
            yield heapq.heappop(self.in_flight)[2], False


hosts = st.sets(st.integers(2, 30), max_size=29).map(lambda s: sorted(NETWORK.network_address + i for i in s))


@settings(max_examples=60, deadline=None)
@given(hosts, st.sets(st.integers(2, 30), max_size=5), st.integers(1, 3), st.integers(10_000, 5_000_000))
def test_scan_finds_exactly_the_live_hosts_and_ends_with_the_last_window(live, twins, retries, delay_ns):
    """Every live host (and every twin MAC) is found once, none invented; pacing keeps the rate; the scan
    ends when the last request's window closes, or when every address answered."""
    answers = {ip: [MacAddress(0x0200_0000_0000 + int(ip) % 65536)] for ip in live}
    for index in twins:
        ip = NETWORK.network_address + index
        if ip in answers:
            answers[ip].append(MacAddress(0x0600_0000_0000 + index))
    link = FakeLink(answers, delay_ns, deaf_to_first=set(live[:3]))
    result = scan(
        link, NETWORK, rate=1000, timeout=0.05, retries=retries, on_answer=lambda reply: None, clock=link.clock
    )
    assert {(r.ip, r.mac) for r in result.answers} == {(ip, mac) for ip, macs in answers.items() for mac in macs}
    assert {ip for ip, macs in result.duplicates.items()} == {ip for ip, macs in answers.items() if len(macs) > 1}
    times = [t for t, _ in link.sent]
    assert all(later - earlier >= 1_000_000 for earlier, later in zip(times, times[1:]))  # 1000 requests/s
    silent = [ip for ip in NETWORK.hosts() if ip != SCANNER and ip not in answers]
    assert sorted(ip for _, ip in link.sent if ip in silent) == sorted(silent * (retries + 1))
    if silent:  # the last unanswered request's window (or a later answer) ends it, not a moment more
        last_silent_send = max(t for t, ip in link.sent if ip in silent)
        assert result.elapsed_ns == max([last_silent_send + 50_000_000, *link.delivered])
    assert len(result.answers) == len(set(result.answers))


def test_answers_overlap_the_sending():
    """With 29 live hosts answering in 10 us, every host is found during the first 29 ms of sending."""
    live = [ip for ip in NETWORK.hosts() if ip != SCANNER]
    link = FakeLink({ip: [MacAddress(0x0200_0000_0000 + i)] for i, ip in enumerate(live)}, 10_000, set())
    result = scan(link, NETWORK, rate=1000, timeout=0.5, retries=1, on_answer=lambda reply: None, clock=link.clock)
    assert len(result.answers) == 29 and result.requests == 29
    assert result.elapsed_ns < 30_000_000


class InterruptedLink(FakeLink):
    """A FakeLink whose user presses Ctrl-C once the virtual clock passes `at_ns`."""

    def __init__(self, at_ns: int, *args) -> None:
        super().__init__(*args)
        self.at_ns = at_ns

    def wait(self, seconds: float) -> bool:
        if self.now >= self.at_ns:
            raise KeyboardInterrupt
        return super().wait(seconds)


def test_ctrl_c_ends_a_scan_with_the_hosts_that_answered_so_far():
    """Ctrl-C halfway through a scan: the hosts that answered before it are the result, with the requests sent
    and the time taken (it raised out of scan(), and the scan's list and --json document were lost)."""
    live = [NETWORK.network_address + i for i in (2, 3, 20, 25)]
    link = InterruptedLink(
        10_000_000, {ip: [MacAddress(f"02:00:00:00:00:{n:02x}")] for n, ip in enumerate(live)}, 100_000, set()
    )
    try:
        result = scan(link, NETWORK, 1000, 0.5, 1, lambda reply: None, clock=link.clock)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped the scan: what answered so far was lost")
    assert [reply.ip for reply in result.answers] == live[:2]  # .2 and .3 asked by 10 ms at 1000/s; .20 not yet
    assert 0 < result.requests < 29 and result.elapsed_ns >= 10_000_000


class LateInterruptedLink(FakeLink):
    """A FakeLink whose Ctrl-C comes at the end of a wait past `at_ns`, when replies may have arrived meanwhile."""

    def __init__(self, at_ns: int, *args) -> None:
        super().__init__(*args)
        self.at_ns = at_ns

    def wait(self, seconds: float) -> bool:
        if self.now >= self.at_ns:
            self.now += max(int(seconds * 1e9), 1)  # the time waited, then the key
            raise KeyboardInterrupt
        return super().wait(seconds)


def test_ctrl_c_keeps_the_replies_already_waiting():
    """A reply that came while the scan waited, just before Ctrl-C, counts (it was left on the socket): .12 is
    asked at 10 ms and answers at 10.1 ms, the key comes at 11 ms."""
    live = [NETWORK.network_address + i for i in (2, 3, 12)]
    link = LateInterruptedLink(
        10_000_000, {ip: [MacAddress(f"02:00:00:00:00:{n:02x}")] for n, ip in enumerate(live)}, 100_000, set()
    )
    result = scan(link, NETWORK, 1000, 0.5, 1, lambda reply: None, clock=link.clock)
    assert [reply.ip for reply in result.answers] == live
