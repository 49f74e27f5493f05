"""Ping sessions (iputils behaviour) and UDP port demultiplexing."""

from ipaddress import IPv4Address

import pytest

from lanlab.proto.icmp import RATE_LIMIT_PEERS, IcmpRateLimit, PingSession, echo_reply, pipe_after
from lanlab.proto.udp import EPHEMERAL_FIRST, PortInUseError, UdpDemux
from lanlab.wire import IcmpType

MS = 1_000_000
DST = IPv4Address("198.18.0.2")


def test_ping_session_schedule_statistics_and_early_end():
    """Requests go out every interval with seq from 1; replies give RTTs; all answered ends it."""
    s = PingSession(DST, 7, count=3, interval=200 * MS, size=56, timeout=1000 * MS, now=0)
    requests = []
    while s.get_timer() is not None and len(requests) < 3:
        t = s.get_timer()
        s.handle_timer(t)
        requests += [(t, r) for r in s.requests_to_send()]
    assert [t for t, _ in requests] == [0, 200 * MS, 400 * MS]
    assert [r.rest & 0xFFFF for _, r in requests] == [1, 2, 3]
    assert all(r.type == IcmpType.ECHO_REQUEST and r.rest >> 16 == 7 for _, r in requests)
    for t, r in requests:
        assert s.handle_reply(echo_reply(r), 64, t + 5 * MS)
    assert s.done
    assert s.result.rtt_ms == [5.0, 5.0, 5.0] and s.result.loss_percent == 0.0


def test_ping_sequence_numbers_wrap_after_65535_and_replies_still_count():
    """Request 65,536 carries seq 0 on the wire; its reply is a reply, not a duplicate (iputils wraps too)."""
    s = PingSession(DST, 7, count=65_537, interval=MS, size=8, timeout=MS, now=0)
    for t in range(65_537):
        s.handle_timer(t * MS)
        [request] = s.requests_to_send()
        assert s.handle_reply(echo_reply(request), 64, t * MS + 1)
    assert s.result.received == 65_537 and s.result.duplicates == 0
    assert [seq for seq, _, _ in s.result.replies[-3:]] == [65_535, 0, 1]


def test_a_second_reply_is_a_duplicate_from_its_own_sender_with_its_round_trip_counted():
    """A broadcast ping's second host answers the same request: a duplicate, from its own address, whose
    round trip joins the statistics (iputils' gather_statistics counts it); the session waits on no duplicate."""
    s = PingSession(IPv4Address("198.18.0.255"), 1, count=1, interval=MS, size=56, timeout=10 * MS, now=0)
    s.handle_timer(0)
    [request] = s.requests_to_send()
    assert s.handle_reply(echo_reply(request), 64, 2 * MS, "198.18.0.2")
    assert s.handle_reply(echo_reply(request), 64, 3 * MS, "198.18.0.3")
    r = s.result
    assert (r.received, r.duplicates, r.rtt_ms) == (1, 1, [2.0, 3.0])
    assert r.replies == [(1, 64, 2 * MS), (1, 64, 3 * MS)]
    assert r.senders == [("198.18.0.2", False), ("198.18.0.3", True)]


def test_ping_session_loss_duplicates_and_foreign_replies():
    """Unanswered requests count as loss; a second reply is a duplicate; other idents are ignored."""
    s = PingSession(DST, 1, count=2, interval=MS, size=8, timeout=10 * MS, now=0)
    s.handle_timer(0)
    [first] = s.requests_to_send()
    s.handle_timer(MS)
    s.requests_to_send()
    assert s.handle_reply(echo_reply(first), 64, 2 * MS)
    assert s.handle_reply(echo_reply(first), 64, 3 * MS)
    other = PingSession(DST, 2, count=1, interval=MS, size=8, timeout=MS, now=0)
    other.handle_timer(0)
    assert not s.handle_reply(echo_reply(other.requests_to_send()[0]), 64, 3 * MS)
    assert s.get_timer() == 11 * MS
    s.handle_timer(11 * MS)
    assert s.done
    r = s.result
    assert (r.transmitted, r.received, r.duplicates, r.loss_percent) == (2, 1, 1, 50.0)


def test_ping_session_pipe_is_the_most_requests_out_when_an_answer_came():
    """iputils' pipesize: a reply to request 1 after request 3 was sent makes it 3; an ICMP error quoting a
    request counts as an answer, a local error (no request quoted) does not."""
    s = PingSession(DST, 1, count=4, interval=MS, size=56, timeout=10 * MS, now=0)
    requests = []
    for t in range(3):
        s.handle_timer(t * MS)
        requests += s.requests_to_send()
    s.handle_error("ping: local error: message too long, mtu=1500")
    assert s.result.pipe == 0
    s.handle_reply(echo_reply(requests[1]), 64, 3 * MS)
    assert s.result.pipe == 2
    s.handle_reply(echo_reply(requests[0]), 64, 3 * MS)
    assert s.result.pipe == 3 and s.result.as_dict()["pipe"] == 3
    s.handle_timer(3 * MS)
    s.handle_error("From 198.18.0.9 icmp_seq=4 Destination Host Unreachable", 4)
    assert s.result.pipe == 3  # one out then: the most stays


@pytest.mark.parametrize(
    ("pipe", "transmitted", "seq", "after"), [(0, 1, 1, 1), (2, 65_537, 1, 2), (0, 65_539, 65_535, 5), (2, 3, 10, 2)]
)
def test_pipe_after_counts_across_the_16_bit_wrap(pipe, transmitted, seq, after):
    """The difference is taken in 16 bits, as iputils' (uint16_t) cast: request 65,535 answered once 65,539 were
    sent was five out; a wire sequence ahead of what was sent changes nothing."""
    assert pipe_after(pipe, transmitted, seq) == after


def test_ping_session_ends_once_replies_and_errors_reach_the_count():
    """-c 2, one reply and one ICMP error: done at once, as iputils (nreceived + nerrors >= npackets); it
    waited out its -W timeout."""
    s = PingSession(DST, 1, count=2, interval=MS, size=56, timeout=10 * MS, now=0)
    s.handle_timer(0)
    [first] = s.requests_to_send()
    s.handle_timer(MS)
    s.requests_to_send()
    s.handle_error("From 198.18.0.254 icmp_seq=2 Destination Net Unreachable")
    assert not s.done  # request 1 may still be answered
    assert s.handle_reply(echo_reply(first), 64, 2 * MS)
    assert s.done and s.get_timer() is None


def test_ping_session_with_only_errors_ends_at_the_last_one():
    """-c 1 answered by an ICMP error: nothing more to wait for."""
    s = PingSession(DST, 1, count=1, interval=MS, size=56, timeout=10 * MS, now=0)
    s.handle_timer(0)
    s.requests_to_send()
    s.handle_error("From 198.18.0.254 icmp_seq=1 Time to live exceeded")
    assert s.done and s.get_timer() is None


@pytest.mark.parametrize(
    ("kind", "code", "rest", "text"),
    [
        (3, 0, 0, "Destination Net Unreachable"),
        (3, 1, 0, "Destination Host Unreachable"),
        (3, 3, 0, "Destination Port Unreachable"),
        (3, 4, 1000, "Frag needed and DF set (mtu = 1000)"),
        (3, 13, 0, "Packet filtered"),
        (3, 16, 0, "Dest Unreachable, Bad Code: 16"),
        (11, 0, 0, "Time to live exceeded"),
        (11, 1, 0, "Frag reassembly time exceeded"),
        (11, 2, 0, "Time exceeded, Bad Code: 2"),
    ],
)
def test_ping_error_text_is_iputils_wording(kind, code, rest, text):
    """An ICMP error about a ping is said in iputils' words (pr_icmph), the MTU with fragmentation needed."""
    from lanlab.proto.icmp import ping_error_text
    from lanlab.wire import Icmp

    assert ping_error_text(Icmp(kind, code, rest)) == text


def test_udp_demux_bind_conflict_and_ephemeral_ports():
    """bind refuses a taken port; port 0 gets ephemeral ports from Linux's range, skipping taken ones."""
    demux: UdpDemux[str] = UdpDemux()
    assert demux.bind(7788, "server") == 7788
    with pytest.raises(PortInUseError):
        demux.bind(7788, "again")
    demux.bind(EPHEMERAL_FIRST + 1, "taken")
    assert demux.bind(0, "c1") == EPHEMERAL_FIRST
    assert demux.bind(0, "c2") == EPHEMERAL_FIRST + 2
    assert demux.receiver(7788) == "server"
    demux.unbind(7788)
    assert demux.receiver(7788) is None


@pytest.mark.parametrize("rtt, linger", [(5 * MS, 200 * MS), (150 * MS, 300 * MS)])
def test_ping_session_lingers_two_round_trips_but_an_interval_once_answered(rtt, linger):
    """After the last request an answered ping waits max(2 x the largest round trip, the interval), not -W:
    iputils' __schedule_exit (-W "affects only timeout in absence of any responses")."""
    s = PingSession(DST, 1, count=3, interval=200 * MS, size=56, timeout=10_000 * MS, now=0)
    for t in (0, 200 * MS):
        s.handle_timer(t)
        [request] = s.requests_to_send()
        assert s.handle_reply(echo_reply(request), 64, t + rtt)
    s.handle_timer(400 * MS)
    s.requests_to_send()  # the third goes unanswered
    assert s.get_timer() == 400 * MS + linger


def test_ping_session_unanswered_waits_its_timeout():
    """Nothing answered: the wait after the last request is -W (iputils' default 10 s for --do ping)."""
    s = PingSession(DST, 1, count=2, interval=200 * MS, size=56, timeout=10_000 * MS, now=0)
    s.handle_timer(0)
    s.handle_timer(200 * MS)
    assert s.get_timer() == 10_200 * MS


SECOND_NS = 1000 * MS


def test_icmp_rate_limit_lets_a_burst_of_six_then_one_a_second():
    """Per destination: 6 errors at once, then one per interval as tokens come back, never more than 6 saved."""
    limit = IcmpRateLimit(SECOND_NS)
    assert [limit.allow(1, IcmpType.DEST_UNREACHABLE, 3, 0) for _ in range(8)] == [True] * 6 + [False] * 2
    assert not limit.allow(1, IcmpType.TIME_EXCEEDED, 0, SECOND_NS - 1)
    assert limit.allow(1, IcmpType.TIME_EXCEEDED, 0, SECOND_NS)
    assert limit.allow(2, IcmpType.DEST_UNREACHABLE, 3, SECOND_NS)  # another destination has its own bucket
    later = 100 * SECOND_NS  # an hour's silence saves 6, not 100
    assert [limit.allow(1, IcmpType.DEST_UNREACHABLE, 3, later) for _ in range(7)] == [True] * 6 + [False]


@pytest.mark.parametrize(
    "icmp_type, code",
    [(IcmpType.DEST_UNREACHABLE, 4), (IcmpType.ECHO_REPLY, 0), (IcmpType.REDIRECT, 1)],
    ids=["fragmentation needed", "echo reply", "redirect"],
)
def test_icmp_rate_limit_spares_what_linux_spares(icmp_type, code):
    """Fragmentation needed (path MTU discovery needs it) and types outside icmp_ratemask are never held back."""
    limit = IcmpRateLimit(SECOND_NS)
    assert all(limit.allow(1, icmp_type, code, 0) for _ in range(50))


def test_icmp_rate_limit_of_zero_limits_nothing_and_memory_stays_bounded():
    """icmp_ratelimit 0 lets everything go; with a limit, destinations whose bucket refilled are forgotten."""
    assert all(IcmpRateLimit(0).allow(1, IcmpType.TIME_EXCEEDED, 0, 0) for _ in range(50))
    limit = IcmpRateLimit(SECOND_NS)
    for destination in range(10_000):
        limit.allow(destination, IcmpType.TIME_EXCEEDED, 0, destination * SECOND_NS)
    assert len(limit._buckets) <= RATE_LIMIT_PEERS
