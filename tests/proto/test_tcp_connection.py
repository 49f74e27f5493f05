"""The TCP connection machine, two ends in memory with a hand-moved clock."""

import errno
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.proto.tcp import (
    SECOND,
    TRANSITIONS,
    Closed,
    Connected,
    ConnectionFailed,
    EndOfStream,
    LocalTcpError,
    StateChanged,
    TcpConfig,
    TcpConnection,
    TcpState,
    Trigger,
)
from lanlab.wire import Mss, TcpFlags, WindowScale
from tcp_harness import MS, LossyLink, drain_events, exchange, open_pair, run_transfer, run_until, transfer

S = TcpState
F = TcpFlags


def states(events):
    return [(e.old, e.new) for e in events if isinstance(e, StateChanged)]


def test_three_way_handshake_carries_mss_and_window_scale():
    """SYN and SYN,ACK carry MSS and window scale; both ends reach ESTABLISHED and say Connected."""
    client = TcpConnection.connect(40000, 80, 1000, TcpConfig(mss=1200))
    [(syn, _)] = client.segments_to_send(0)
    assert syn.flags == F.SYN and syn.seq == 1000 and syn.option(Mss) == Mss(1200)
    assert syn.option(WindowScale) == WindowScale(2)  # 131072-byte buffer needs shift 2
    server = TcpConnection.accept_syn(80, 40000, 5000, syn, 0, TcpConfig(mss=1460, receive_buffer=1 << 20))
    [(syn_ack, _)] = server.segments_to_send(0)
    assert syn_ack.flags == F.SYN | F.ACK and syn_ack.ack == 1001 and syn_ack.option(WindowScale) == WindowScale(5)
    client.handle_segment(syn_ack, b"", 0)
    [(ack, _)] = client.segments_to_send(0)
    assert ack.flags == F.ACK and ack.seq == 1001 and ack.ack == 5001
    server.handle_segment(ack, b"", 0)
    assert client.state is server.state is S.ESTABLISHED
    assert Connected() in drain_events(client) and Connected() in drain_events(server)
    assert client.smss == server.smss == 1200  # the smaller MSS wins both ways
    assert (client.snd_wscale, client.rcv_wscale, server.snd_wscale, server.rcv_wscale) == (5, 2, 2, 5)


def test_window_scale_is_used_only_when_both_ends_offer_it():
    """A peer without window scaling leaves both shifts at 0 (RFC 7323 2.2)."""
    client, server = open_pair(server_config=TcpConfig(window_scaling=False))
    assert (client.snd_wscale, client.rcv_wscale, server.snd_wscale, server.rcv_wscale) == (0, 0, 0, 0)


def test_missing_mss_option_means_536():
    """Without an MSS option the sender assumes 536 bytes (RFC 9293 3.7.1)."""
    client = TcpConnection.connect(40000, 80, 1, TcpConfig())
    [(syn, _)] = client.segments_to_send(0)
    bare = type(syn)(syn.src_port, syn.dst_port, syn.seq, 0, F.SYN, 1000)
    server = TcpConnection.accept_syn(80, 40000, 9, bare, 0)
    assert server.smss == 536


def test_data_flows_both_ways_with_sequence_and_acknowledgement_numbers():
    """Bytes sent are received in order; ACK numbers advance by the bytes delivered."""
    client, server = open_pair()
    client.send(b"hello")
    [(segment, payload)] = transfer(client, server, 0)
    assert payload == b"hello" and segment.seq == (client.iss + 1) & 0xFFFFFFFF
    assert server.receive(100) == b"hello"
    server.send(b"thank YOU!")
    exchange(server, client, 0)
    assert client.receive(100) == b"thank YOU!" and client.snd_una == client.iss + 6


def test_orderly_close_walks_every_closing_state():
    """Active closer: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, CLOSED after 2*MSL; passive: CLOSE-WAIT, LAST-ACK, CLOSED."""
    client, server = open_pair(client_config=TcpConfig(msl=5 * SECOND))
    drain_events(client), drain_events(server)
    client.close()
    assert client.state is S.FIN_WAIT_1
    transfer(client, server, 0)
    assert server.state is S.CLOSE_WAIT and EndOfStream() in drain_events(server) and server.at_eof
    transfer(server, client, 0)
    assert client.state is S.FIN_WAIT_2
    server.close()
    assert server.state is S.LAST_ACK
    transfer(server, client, 0)
    assert client.state is S.TIME_WAIT and client.get_timer() == 10 * SECOND
    transfer(client, server, 0)
    assert server.state is S.CLOSED and Closed() in drain_events(server)
    client.handle_timer(10 * SECOND - 1)
    assert client.state is S.TIME_WAIT
    client.handle_timer(10 * SECOND)
    assert client.state is S.CLOSED and Closed() in drain_events(client)


def test_simultaneous_close_goes_through_closing():
    """Both ends close at once: FIN-WAIT-1 -> CLOSING -> TIME-WAIT on each (RFC 9293 3.6)."""
    client, server = open_pair()
    client.close(), server.close()
    fin_c, fin_s = client.segments_to_send(0), server.segments_to_send(0)
    for header, payload in fin_s:
        client.handle_segment(header, payload, 0)
    for header, payload in fin_c:
        server.handle_segment(header, payload, 0)
    assert client.state is server.state is S.CLOSING
    exchange(client, server, 0)
    assert client.state is server.state is S.TIME_WAIT


def test_simultaneous_open_goes_through_syn_received():
    """Two SYNs crossing: SYN-SENT -> SYN-RECEIVED -> ESTABLISHED on both ends (RFC 9293 3.5)."""
    a = TcpConnection.connect(1111, 2222, 100)
    b = TcpConnection.connect(2222, 1111, 900)
    [(syn_a, _)], [(syn_b, _)] = a.segments_to_send(0), b.segments_to_send(0)
    a.handle_segment(syn_b, b"", 0)
    b.handle_segment(syn_a, b"", 0)
    assert a.state is b.state is S.SYN_RECEIVED
    exchange(a, b, 0)
    assert a.state is b.state is S.ESTABLISHED
    a.send(b"crossed")
    exchange(a, b, 0)
    assert b.receive(100) == b"crossed"


def test_half_close_lets_the_other_direction_go_on():
    """After shutdown() the closer still receives until the peer closes too."""
    client, server = open_pair()
    client.send(b"request")
    client.shutdown()
    exchange(client, server, 0)
    assert server.receive(100) == b"request" and server.at_eof and client.state is S.FIN_WAIT_2
    with pytest.raises(LocalTcpError):
        client.send(b"more")
    server.send(b"x" * 5000)
    server.close()
    exchange(server, client, 0)
    assert client.receive(10000) == b"x" * 5000 and client.at_eof and client.state is S.TIME_WAIT


def test_rst_answering_the_syn_means_connection_refused():
    """A RST,ACK for our SYN ends SYN-SENT with ECONNREFUSED."""
    client = TcpConnection.connect(40000, 9, 1)
    [(syn, _)] = client.segments_to_send(0)
    rst = type(syn)(9, 40000, 0, syn.seq + 1, F.RST | F.ACK, 0)
    client.handle_segment(rst, b"", 0)
    assert client.state is S.CLOSED and ConnectionFailed(errno.ECONNREFUSED) in drain_events(client)


def test_abort_resets_the_peer():
    """abort() sends RST; the peer's connection fails with ECONNRESET."""
    client, server = open_pair()
    client.abort()
    [(rst, _)] = transfer(client, server, 0)
    assert rst.flags == F.RST and client.state is server.state is S.CLOSED
    assert ConnectionFailed(errno.ECONNRESET) in drain_events(server)


def test_close_with_unread_data_resets_like_linux():
    """Closing with bytes still unread sends RST instead of FIN."""
    client, server = open_pair()
    client.send(b"unread")
    exchange(client, server, 0)
    server.close()
    [(rst, _)] = transfer(server, client, 0)
    assert F.RST in rst.flags and client.state is S.CLOSED


def test_reading_shut_keeps_data_while_open_and_resets_on_data_after_our_fin():
    """shutdown_read in ESTABLISHED still queues what arrives; after our FIN new data is answered with RST
    and the connection fails with ECONNRESET (Linux's RCV_SHUTDOWN in FIN-WAIT)."""
    client, server = open_pair()
    server.shutdown_read()
    client.send(b"queued")
    exchange(client, server, 0)
    assert server.receive(100) == b"queued" and server.state is S.ESTABLISHED
    server.shutdown()
    exchange(server, client, 0)
    assert server.state is S.FIN_WAIT_2
    drain_events(server)
    client.send(b"late")
    transfer(client, server, 0)
    [(rst, _)] = transfer(server, client, 0)
    assert F.RST in rst.flags and server.state is client.state is S.CLOSED
    assert server.error == errno.ECONNRESET and ConnectionFailed(errno.ECONNRESET) in drain_events(server)


def test_a_rst_out_of_window_is_ignored_and_in_window_challenged():
    """A RST with a wrong sequence number does not kill the connection (RFC 5961 3.2)."""
    client, server = open_pair()
    blind = type(client.segments_to_send(0) or None or client._header(0, F.RST))
    bad = blind(80, 40000, (client.rcv_nxt + 10) & 0xFFFFFFFF, 0, F.RST, 0)
    client.handle_segment(bad, b"", 0)
    assert client.state is S.ESTABLISHED
    [(challenge, _)] = client.segments_to_send(0)
    assert challenge.flags == F.ACK and challenge.ack == client.rcv_nxt & 0xFFFFFFFF


def test_out_of_window_pure_acks_are_answered_at_most_every_half_second():
    """An out-of-window ACK without text gets one ACK per 500 ms (Linux tcp_invalid_ratelimit, RFC 5961 7),
    so two zero windows cannot trade ACKs for ever; a segment with text is answered every time."""
    client, server = open_pair()
    header = type(client.segments_to_send(0) or None or client._header(0, F.RST))
    old = (client.rcv_nxt - 1000) & 0xFFFFFFFF
    stale = header(80, 40000, old, client.snd_nxt & 0xFFFFFFFF, F.ACK, 1000)

    def answers(now, payload=b""):
        client.handle_segment(stale, payload, now)
        return len(client.segments_to_send(now))

    assert [answers(ms * MS) for ms in (0, 1, 2, 499)] == [1, 0, 0, 0]
    assert [answers(ms * MS) for ms in (500, 501)] == [1, 0]
    assert [answers(ms * MS, b"x") for ms in (502, 503)] == [1, 1]
    assert client.state is S.ESTABLISHED


def test_syn_is_retransmitted_with_backoff_then_times_out():
    """An unanswered SYN is resent after 1, 2, 4 ... s (RFC 6298 5.5); after syn_retries: ETIMEDOUT."""
    client = TcpConnection.connect(40000, 80, 1, TcpConfig(syn_retries=3))
    client.segments_to_send(0)
    sent_at = []
    now = 0
    while client.state is S.SYN_SENT:
        now = client.get_timer()
        client.handle_timer(now)
        if client.segments_to_send(now):
            sent_at.append(now)
    assert sent_at == [1 * SECOND, 3 * SECOND, 7 * SECOND]
    assert now == 15 * SECOND and ConnectionFailed(errno.ETIMEDOUT) in drain_events(client)


def test_lost_syn_ack_is_recovered():
    """When the SYN,ACK is lost, the client's repeated SYN makes the server send it again."""
    client = TcpConnection.connect(40000, 80, 1)
    [(syn, _)] = client.segments_to_send(0)
    server = TcpConnection.accept_syn(80, 40000, 7, syn, 0)
    server.segments_to_send(0)  # lost
    client.handle_timer(client.get_timer())
    [(again, _)] = client.segments_to_send(SECOND)
    server.handle_segment(again, b"", SECOND)
    [(syn_ack, _)] = server.segments_to_send(SECOND)
    assert syn_ack.flags == F.SYN | F.ACK
    client.handle_segment(syn_ack, b"", SECOND)
    exchange(client, server, SECOND)
    assert client.state is server.state is S.ESTABLISHED


def test_rtt_is_measured_and_sets_the_retransmission_timeout():
    """A 100 ms round trip gives SRTT 100 ms and RTO max(min_rto, SRTT + 4 RTTVAR) (RFC 6298 2.2)."""
    client = TcpConnection.connect(40000, 80, 1, TcpConfig(min_rto=200 * MS))
    [(syn, _)] = client.segments_to_send(0)
    server = TcpConnection.accept_syn(80, 40000, 7, syn, 50 * MS)
    [(syn_ack, _)] = server.segments_to_send(50 * MS)
    client.handle_segment(syn_ack, b"", 100 * MS)
    assert client.rto.srtt == 100 * MS and client.rto.rttvar == 50 * MS and client.rto.rto == 300 * MS


def test_karn_no_rtt_sample_from_a_retransmitted_segment():
    """The ACK of a retransmitted segment does not feed the RTT estimator (Karn's rule)."""
    client, server = open_pair(server_config=TcpConfig(delayed_ack=0))
    client.send(b"a")
    client.segments_to_send(0)  # lost
    client.handle_timer(client.get_timer())
    transfer(client, server, SECOND)
    srtt_before = client.rto.srtt
    transfer(server, client, 5 * SECOND)
    assert client.rto.srtt == srtt_before and client.retransmissions == 1 and client.snd_una == client.snd_max


def test_three_duplicate_acks_trigger_fast_retransmit_and_recovery():
    """Losing one segment of ten: three duplicate ACKs resend it before any timeout (RFC 5681 3.2)."""
    config = TcpConfig(initial_window=10 * 1460)
    client, server = open_pair(client_config=config, server_config=TcpConfig(delayed_ack=0, receive_buffer=65535))
    client.send((bytes(range(256)) * 60)[:14600])
    segments = client.segments_to_send(0)
    assert len(segments) == 10
    flight = client.snd_max - client.snd_una
    for header, payload in segments[1:]:
        server.handle_segment(header, payload, 0)
    dupacks = server.segments_to_send(0)
    assert len(dupacks) == 9 and len({h.ack for h, _ in dupacks}) == 1
    for header, payload in dupacks[:3]:
        client.handle_segment(header, payload, 0)
    assert client.congestion.in_recovery and client.congestion.ssthresh == flight // 2
    assert client.congestion.cwnd == flight // 2 + 3 * 1460
    [(resent, data)] = client.segments_to_send(0)
    assert resent.seq == segments[0][0].seq and data == segments[0][1]
    server.handle_segment(resent, data, 0)
    for header, payload in dupacks[3:]:
        client.handle_segment(header, payload, 0)
    exchange(client, server, 0)
    assert not client.congestion.in_recovery and client.congestion.cwnd == flight // 2
    assert server.receive(20000) == (bytes(range(256)) * 60)[:14600]


def test_initial_window_is_ten_segments_as_linux_sends():
    """The first flight is 10 full-sized segments (RFC 6928, Linux's TCP_INIT_CWND), not RFC 5681's 3."""
    client, server = open_pair(server_config=TcpConfig(receive_buffer=1 << 20))
    client.send(bytes(100000))
    assert [len(p) for _, p in client.segments_to_send(0)] == [1460] * 10


def test_slow_start_then_congestion_avoidance():
    """cwnd grows by one MSS per ACK below ssthresh, then by one MSS per window's worth of ACKs (RFC 5681 3.1)."""
    # Starts from RFC 5681's 3 segments (the default is Linux's 10) so that both phases show in six rounds.
    client, server = open_pair(client_config=TcpConfig(initial_window=3 * 1460), server_config=TcpConfig(delayed_ack=0))
    client.congestion.ssthresh = 8 * 1460
    client.send(b"z" * 100000)
    rounds = []
    for _ in range(6):
        sent = len(transfer(client, server, 0))
        transfer(server, client, 0)
        server.receive(1 << 20)
        rounds.append((sent, client.congestion.cwnd // 1460))
    assert rounds[:3] == [(3, 6), (6, 8), (8, 9)]  # doubling, capped at ssthresh, then + 1 per round
    assert [cwnd for _, cwnd in rounds[3:]] == [10, 11, 12]


def test_zero_window_stops_the_sender_and_the_persist_timer_probes():
    """A receiver that does not read closes its window; one-byte probes go out with backoff; reading reopens it."""
    client, server = open_pair(server_config=TcpConfig(receive_buffer=8192, window_scaling=False))
    data = bytes(random.Random(3).randbytes(40000))
    client.send(data)
    now = run_until(client, server, 0, SECOND // 2)
    assert server.readable == 8192 and client.snd_wnd == 0
    probes = []
    for _ in range(3):
        now = client.get_timer()
        client.handle_timer(now)
        probes.append((now, [len(p) for _, p in transfer(client, server, now)]))
        transfer(server, client, now)
    assert [sizes for _, sizes in probes] == [[1], [1], [1]] and server.readable == 8192
    assert probes[1][0] - probes[0][0] < probes[2][0] - probes[1][0]  # backing off
    received = bytearray()
    while len(received) < len(data):
        received += server.receive(3000)
        now = run_until(client, server, now, now + SECOND)
    assert bytes(received) == data


def test_acks_to_zero_window_probes_are_not_duplicate_acks_and_the_reopened_window_starts_at_the_probe():
    """Three probes answered with a zero window do not start fast retransmit (ssthresh stays unset: the
    probe's octet is past the window, not in flight), and when the window opens the next segment starts
    at the probe's octet, which the zero window refused, so the receiver is left no hole."""
    client, server = open_pair(server_config=TcpConfig(receive_buffer=8192, window_scaling=False))
    client.send(bytes(40000))
    now = run_until(client, server, 0, SECOND // 2)
    assert client.snd_wnd == 0
    for _ in range(4):
        now = client.get_timer()
        client.handle_timer(now)
        transfer(client, server, now)
        transfer(server, client, now)
    assert client.congestion.ssthresh >= 1 << 30
    server.receive(8192)
    transfer(server, client, now)
    [(first, payload), *_] = client.segments_to_send(now)
    assert first.seq == client.snd_una & 0xFFFFFFFF and len(payload) > 1


def test_nagle_holds_small_segments_while_data_is_unacknowledged():
    """With Nagle a second small write waits for the ACK; with TCP_NODELAY it goes at once."""
    client, server = open_pair()
    client.send(b"a")
    assert len(client.segments_to_send(0)) == 1
    client.send(b"b")
    assert client.segments_to_send(0) == []
    client.nodelay = True
    assert [p for _, p in client.segments_to_send(0)] == [b"b"]


def _send_one(client, server, size, now):
    """Send one segment of `size` bytes; return it and the ACKs the server sends at once."""
    client.send(b"d" * size)
    [(segment, payload)] = transfer(client, server, now)
    assert len(payload) == size
    return (segment, payload), transfer(server, client, now)


def _acked_at_once(client, server, now=0):
    """Full-sized segments one at a time until one is not acked at once (it is left owed);
    returns how many were acked at once."""
    count = 0
    while len(_send_one(client, server, 1460, now)[1]) == 1:
        count += 1
    return count


def test_first_segments_are_acked_at_once_then_every_second_one():
    """Quickack mode: the first 16 segments are acked one by one (Linux TCP_MAX_QUICKACKS), then a lone
    segment waits for the 40 ms timer and the second full-sized one is acked at once (RFC 1122 4.2.3.2)."""
    client, server = open_pair(client_config=TcpConfig(nodelay=True))
    assert _acked_at_once(client, server) == 16
    assert server.get_timer() == 40 * MS
    _, [(ack, _)] = _send_one(client, server, 1460, 0)
    assert ack.ack == (client.snd_max & 0xFFFFFFFF) and server.get_timer() is None


def test_quick_acks_follow_the_advertised_window():
    """A small receive window gets fewer quick ACKs: window / (2 * MSS), as Linux's tcp_incr_quickack."""
    client, server = open_pair(
        client_config=TcpConfig(nodelay=True), server_config=TcpConfig(receive_buffer=8 * 1460, window_scaling=False)
    )
    assert _acked_at_once(client, server) == 4


def test_every_second_segment_counts_in_the_peers_segment_size():
    """With a 200-byte MSS, two 200-byte segments are two full-sized ones: the second is acked at once."""
    client, server = open_pair(client_config=TcpConfig(nodelay=True, mss=200))
    count = 0
    while len(_send_one(client, server, 200, 0)[1]) == 1:
        count += 1
    assert count == 16 and server.get_timer() == 40 * MS
    assert len(_send_one(client, server, 200, 0)[1]) == 1


def test_delayed_ack_fires_after_40_ms():
    """Out of quickack mode, a lone short segment is acked when the 40 ms delayed-ACK timer fires."""
    client, server = open_pair(client_config=TcpConfig(nodelay=True))
    _acked_at_once(client, server)
    server.handle_timer(40 * MS)
    transfer(server, client, 40 * MS)
    assert _send_one(client, server, 3, 50 * MS)[1] == [] and server.get_timer() == 90 * MS
    server.handle_timer(90 * MS)
    [(ack, _)] = transfer(server, client, 90 * MS)
    assert ack.ack == (client.snd_max & 0xFFFFFFFF) and client.snd_una == client.snd_max


def test_repeated_data_brings_quick_acks_back():
    """Data already received (our ACK was lost) is acked at once, and so are the next segments."""
    client, server = open_pair(client_config=TcpConfig(nodelay=True))
    _acked_at_once(client, server)
    segment, payload = client._segment_at(client.snd_una, 1460, fin=False)
    server.handle_timer(40 * MS)
    server.segments_to_send(40 * MS)  # the delayed ACK is lost
    server.handle_segment(segment, payload, 50 * MS)  # so the sender repeats the segment
    assert len(server.segments_to_send(50 * MS)) == 1
    assert _acked_at_once(client, server, 50 * MS) == 15  # one of the 16 went on the repeat's ACK


def test_quick_acks_again_after_a_silence_longer_than_the_rto():
    """Data after a pause longer than the receiver's RTO is acked at once (Linux's tcp_event_data_recv)."""
    client, server = open_pair(client_config=TcpConfig(nodelay=True))
    _acked_at_once(client, server)
    server.handle_timer(40 * MS)
    transfer(server, client, 40 * MS)
    assert _send_one(client, server, 1460, 100 * MS)[1] == []
    server.handle_timer(140 * MS)
    transfer(server, client, 140 * MS)
    assert len(_send_one(client, server, 1460, 10 * SECOND)[1]) == 1


def test_minshall_nagle_sends_a_short_tail_while_full_segments_are_in_flight():
    """Minshall's Nagle: a short segment goes if no short segment is unacknowledged, whatever full
    ones are in flight; a second short one waits for the first to be acked."""
    client, server = open_pair()
    client.send(b"f" * 1460 + b"t" * 100)
    assert [len(p) for _, p in transfer(client, server, 0)] == [1460, 100]
    client.send(b"u" * 50)
    assert client.segments_to_send(0) == []
    transfer(server, client, 0)
    assert [p for _, p in client.segments_to_send(0)] == [b"u" * 50]


def test_minshall_nagle_holds_a_short_tail_behind_an_unacknowledged_short_segment():
    """The short tail of a write waits while an earlier short segment is unacknowledged, even with full
    segments acked meanwhile."""
    client, server = open_pair()
    client.send(b"a" * 10)
    client.segments_to_send(0)
    client.send(b"b" * 2000)
    assert [len(p) for _, p in client.segments_to_send(0)] == [1460]


def test_a_writer_waiting_for_room_leaves_no_short_segment_behind():
    """When the send buffer is full, send() completes the segment it is filling (as Linux does), so the
    bytes queued while the writer waits go out as full-sized segments only."""
    client, server = open_pair(
        client_config=TcpConfig(send_buffer=10000), server_config=TcpConfig(receive_buffer=1 << 20)
    )
    data = bytes(50000)
    accepted = client.send(data)
    assert accepted == 7 * 1460  # 10000 rounded up to whole segments
    assert {len(p) for _, p in client.segments_to_send(0)} == {1460}


def test_retransmission_timeout_is_200_ms_after_a_short_round_trip_and_backs_off():
    """On a LAN the RTO is Linux's 200 ms minimum (RFC 6298 2.4 allows it), doubled per expiry (5.5);
    the ACK of a retransmission gives no RTT sample (Karn), so the backoff lasts until a fresh one."""
    client, server = open_pair(now=0)
    client.send(b"lost")
    client.segments_to_send(MS)
    assert client.get_timer() == MS + 200 * MS
    client.handle_timer(201 * MS)
    client.segments_to_send(201 * MS)  # lost again
    assert client.get_timer() == 201 * MS + 400 * MS
    client.handle_timer(601 * MS)
    transfer(client, server, 601 * MS)
    server.handle_timer(server.get_timer())
    srtt = client.rto.srtt
    transfer(server, client, server.get_timer() or 700 * MS)
    assert client.snd_una == client.snd_max and client.rto.srtt == srtt and client.rto.rto == 800 * MS
    client.send(b"fresh")  # a new segment's ACK is a valid sample: the backoff ends (RFC 6298 5.7)
    transfer(client, server, SECOND)
    transfer(server, client, SECOND)
    assert client.rto.rto == 200 * MS


def test_time_wait_acknowledges_a_repeated_fin_and_restarts():
    """A FIN repeated in TIME-WAIT is acked again and the 2*MSL wait starts over."""
    client, server = open_pair(client_config=TcpConfig(msl=SECOND))
    client.close()
    exchange(client, server, 0)
    server.close()
    [(fin, _)] = server.segments_to_send(0)
    client.handle_segment(fin, b"", 0)
    client.segments_to_send(0)  # the ACK is lost
    assert client.state is S.TIME_WAIT and client.get_timer() == 2 * SECOND
    client.handle_segment(fin, b"", SECOND)
    [(ack, _)] = client.segments_to_send(SECOND)
    assert ack.flags == F.ACK and client.get_timer() == 3 * SECOND


def _in_state(state):
    """A connection brought to `state` by real segments, and its peer."""
    if state is S.SYN_SENT:
        return TcpConnection.connect(40000, 80, 1000), None
    if state is S.SYN_RECEIVED:
        client = TcpConnection.connect(40000, 80, 1000)
        [(syn, _)] = client.segments_to_send(0)
        return TcpConnection.accept_syn(80, 40000, 5000, syn, 0), client
    client, server = open_pair()
    if state is S.ESTABLISHED:
        return client, server
    client.close()
    if state is S.FIN_WAIT_1:
        return client, server
    if state is S.CLOSING:
        server.close()
        [(fin, _)] = server.segments_to_send(0)
        client.segments_to_send(0)
        client.handle_segment(fin, b"", 0)
        return client, server
    exchange(client, server, 0)
    if state is S.FIN_WAIT_2:
        return client, server
    if state is S.CLOSE_WAIT:
        return server, client
    server.close()
    if state is S.LAST_ACK:
        return server, client
    exchange(client, server, 0)
    return client, server


CLOSABLE = [s for s in TcpState if s not in (S.CLOSED, S.LISTEN)]


@pytest.mark.parametrize("state", CLOSABLE, ids=str)
def test_abort_closes_every_state(state):
    """abort() moves any state to CLOSED; where a peer is synchronized it gets a RST."""
    connection, _ = _in_state(state)
    assert connection.state is state
    connection.abort()
    out = connection.segments_to_send(0)
    assert connection.state is S.CLOSED
    assert bool(out) == (state in (S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT))


@pytest.mark.parametrize("state", CLOSABLE, ids=str)
def test_an_exact_reset_closes_every_state(state):
    """A RST at exactly RCV.NXT (in SYN-SENT: acking our SYN) ends the connection (RFC 9293 3.10.7.4)."""
    connection, _ = _in_state(state)
    connection.segments_to_send(0)
    if state is S.SYN_SENT:
        rst = connection._reset_for(type(connection._header(0, F.RST))(80, 40000, 0, 1001, F.ACK, 0))
        rst = type(rst)(80, 40000, 0, 1001, F.RST | F.ACK, 0)
    else:
        rst = type(connection._header(0, F.RST))(80, 40000, connection.rcv_nxt & 0xFFFFFFFF, 0, F.RST, 0)
    connection.handle_segment(rst, b"", 0)
    assert connection.state is S.CLOSED


def test_every_transition_in_the_table_is_taken():
    """The scenarios of this file, run together, take every (state, trigger) pair of the table."""
    seen = set()
    original = TcpConnection._move

    def recording(self, trigger):
        seen.add((self.state, trigger))
        original(self, trigger)

    TcpConnection._move = recording
    try:
        for scenario in (
            test_orderly_close_walks_every_closing_state,
            test_simultaneous_close_goes_through_closing,
            test_simultaneous_open_goes_through_syn_received,
            test_syn_is_retransmitted_with_backoff_then_times_out,
        ):
            scenario()
        for state in CLOSABLE:
            test_abort_closes_every_state(state)
            test_an_exact_reset_closes_every_state(state)
        client = TcpConnection.connect(1, 2, 3)
        client.close()  # SYN-SENT -> CLOSED
        client = TcpConnection.connect(1, 2, 3)
        TcpConnection.accept_syn(2, 1, 4, client.segments_to_send(0)[0][0], 0).shutdown()  # SYN-RECEIVED -> FIN-WAIT-1
    finally:
        TcpConnection._move = original
    listener_only = {(S.LISTEN, Trigger.CLOSE)}  # a Listener's move, see test_tcp_stack
    assert set(TRANSITIONS) - seen == listener_only


@pytest.mark.parametrize("seed", range(12))
def test_stream_is_exact_through_loss_duplication_and_reordering(seed):
    """60 kB through 5% loss, 5% duplication and 5% reordering arrives byte for byte."""
    data = random.Random(seed).randbytes(60000)
    link = LossyLink(random.Random(seed), loss=0.05, duplicate=0.05, reorder=0.05)
    received, client, server, _ = run_transfer(data, link)
    assert received == data
    assert client.state is server.state is S.CLOSED


def test_one_mebibyte_through_one_percent_loss_recovers_by_fast_retransmit():
    """1 MiB over a 1% lossy link arrives exact, and losses were repaired by retransmission."""
    data = random.Random(1).randbytes(1 << 20)
    link = LossyLink(random.Random(5), loss=0.01)
    received, client, _, end = run_transfer(data, link)
    assert received == data and link.dropped > 0 and client.retransmissions >= 1


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    size=st.integers(0, 30000),
    loss=st.floats(0, 0.3),
    duplicate=st.floats(0, 0.3),
    reorder=st.floats(0, 0.3),
    read_size=st.integers(1, 70000),
    nodelay=st.booleans(),
    buffer=st.sampled_from([2048, 8192, 131072]),
)
def test_any_schedule_delivers_the_exact_stream_or_resets(
    seed, size, loss, duplicate, reorder, read_size, nodelay, buffer
):
    """Under any drop/duplicate/reorder schedule the server gets exactly the bytes sent, or a prefix and a reset."""
    data = random.Random(seed).randbytes(size)
    link = LossyLink(random.Random(seed), loss=loss, duplicate=duplicate, reorder=reorder)
    received, client, server, _ = run_transfer(
        data,
        link,
        client_config=TcpConfig(nodelay=nodelay),
        server_config=TcpConfig(receive_buffer=buffer),
        read_size=read_size,
        time_limit=4 * 3600 * SECOND,
    )
    failed = [e for c in (client, server) if c is not None for e in drain_events(c) if isinstance(e, ConnectionFailed)]
    if failed:
        assert data.startswith(received)
    else:
        assert received == data


def test_a_lower_path_mtu_shrinks_segments_and_resends_the_outstanding_data_now():
    """path_mtu_lowered(576): MSS 536 and what is in flight goes again at once in 536-byte pieces, cwnd kept
    (RFC 1191 6.4, Linux's tcp_simple_retransmit); a higher MTU later changes nothing."""
    client, server = open_pair()
    client.send(bytes(5000))
    first = [len(data) for _, data in client.segments_to_send(0) if data]
    assert first == [1460, 1460, 1460, 620]
    cwnd = client.congestion.cwnd
    client.path_mtu_lowered(576)
    again = [(header.seq, len(data)) for header, data in client.segments_to_send(MS) if data]
    assert client.smss == 536 and [size for _, size in again] == [536] * 9 + [176]
    assert again[0][0] == client.snd_una and client.congestion.cwnd == cwnd
    client.path_mtu_lowered(1500)
    assert client.smss == 536
