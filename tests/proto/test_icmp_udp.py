"""Ping sessions (iputils behaviour) and UDP port demultiplexing."""

from ipaddress import IPv4Address

import pytest

from lanlab.proto.icmp import PingSession, echo_reply
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
