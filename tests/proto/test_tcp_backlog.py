"""A listener's two queues as Linux keeps them: the backlog bounds only the accept queue, half-open
connections wait apart (past backlog + 1 of them a SYN cookie is sent instead), and an ACK that finds the accept
queue full is dropped while its request stays."""

import random
from ipaddress import IPv4Address

from lanlab.proto.tcp import SECOND, TcpStack, TcpState
from lanlab.wire import Tcp, TcpFlags

A, B = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2")
ANY = IPv4Address("0.0.0.0")
F = TcpFlags


def exchange(a, b, now=0, rounds=50):
    """Carry both stacks' segments across until they are quiet; returns the segments b sent, in order."""
    by_ip = {A: a, B: b}
    from_b = []
    for _ in range(rounds):
        moved = False
        for stack in (a, b):
            for src, dst, header, payload, _ in stack.segments_to_send(now):
                moved = True
                if stack is b:
                    from_b.append((header, payload))
                by_ip[dst].handle_segment(src, dst, header, payload, now)
        if not moved:
            return from_b
    raise AssertionError("still talking")


def three_at_once():
    """backlog 1 on b, three clients on a whose SYNs leave together."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    listener = b.listen(ANY, 80, backlog=1)
    clients = [a.connect(A, B, 80) for _ in range(3)]
    return a, b, listener, clients


def handshakes(a, b, order):
    """a's SYNs to b, b's SYN-ACKs to a, then a's ACKs to b in `order` (indexes in the order a sent them)."""
    for src, dst, header, payload, _ in a.segments_to_send(0):
        b.handle_segment(src, dst, header, payload, 0)
    for src, dst, header, payload, _ in b.segments_to_send(0):
        a.handle_segment(src, dst, header, payload, 0)
    acks = a.segments_to_send(0)
    for index in order:
        src, dst, header, payload, _ = acks[index]
        b.handle_segment(src, dst, header, payload, 0)


def request_overflow():
    """Three at once to listen(1): two requests are kept, the third SYN gets a cookie; the cookie's ACK and the
    first request's fill the accept queue, and the second request's ACK overflows: that request waits half-open."""
    a, b, listener, clients = three_at_once()
    handshakes(a, b, (2, 0, 1))
    (waiting,) = listener.half_open.values()
    key = next(key for key, connection in b.connections.items() if connection is waiting)
    client = next(connection for client_key, connection in clients if client_key[1] == key[3])
    return a, b, listener, key, waiting, client


def test_simultaneous_syns_all_complete_the_handshake_with_backlog_1():
    """listen(1), three SYNs at once: none is dropped, all three clients are ESTABLISHED (Linux's SYN queue is apart
    from the backlog: two requests kept, a SYN cookie for the third); two wait to be accepted and the third one's
    final ACK is dropped (accept queue full), nothing kept for it."""
    a, b, listener, clients = three_at_once()
    sent = exchange(a, b)
    assert sum(1 for header, _ in sent if header.flags & (F.SYN | F.ACK) == F.SYN | F.ACK) == 3
    assert [connection.state for _, connection in clients] == [TcpState.ESTABLISHED] * 3
    assert listener.dropped_syns == 0 and listener.cookies_sent == 1 and listener.overflowed_acks == 1
    assert len(listener.accept_queue) == 2 and listener.half_open == {} and len(b.connections) == 2


def test_overflowed_request_retransmits_its_syn_ack_and_completes_once_accepted():
    """A kept request whose ACK was dropped resends its SYN-ACK after the initial RTO (1 s); after an accept, the
    client's answer to it completes the handshake and the connection joins the accept queue."""
    a, b, listener, key, waiting, client = request_overflow()
    assert client.state is TcpState.ESTABLISHED and waiting.state is TcpState.SYN_RECEIVED
    assert listener.overflowed_acks == 1
    now = b.get_timer()
    assert now == SECOND
    b.handle_timer(now)
    (syn_ack,) = [header for _, _, header, _, _ in b.segments_to_send(now)]
    assert syn_ack.flags & (F.SYN | F.ACK) == F.SYN | F.ACK
    # accept queue still full: the client's ACK answering it is dropped again
    a.handle_segment(B, A, syn_ack, b"", now)
    exchange(a, b, now)
    assert waiting.state is TcpState.SYN_RECEIVED and listener.overflowed_acks == 2
    listener.accept()
    now = b.get_timer()  # the next SYN-ACK, 2 s later
    assert now == 3 * SECOND
    b.handle_timer(now)
    exchange(a, b, now)
    assert waiting.state is TcpState.ESTABLISHED and listener.accept_queue[-1] == (key, waiting)
    assert listener.half_open == {}


def test_data_sent_on_an_overflowed_connection_waits_for_room():
    """The client whose final ACK was dropped believes it is connected and sends; the data is dropped with the ACK
    it carries while the accept queue is full, and arrives with the client's retransmission once there is room."""
    a, b, listener, key, waiting, client = request_overflow()
    client.send(b"hello")
    exchange(a, b)
    assert waiting.state is TcpState.SYN_RECEIVED and waiting.readable == 0 and listener.overflowed_acks == 2
    listener.accept()
    now = client.get_timer()
    assert now is not None and now < b.get_timer()  # the client's RTO comes before the SYN-ACK's
    a.handle_timer(now)
    exchange(a, b, now)
    assert waiting.state is TcpState.ESTABLISHED and waiting.receive(100) == b"hello"
    assert listener.accept_queue[-1] == (key, waiting)


def test_a_cookie_connection_that_overflowed_is_made_when_its_data_comes_back():
    """The client whose cookie ACK was dropped gets no SYN-ACK again (nothing was kept); its data, resent once the
    server accepted one, brings the cookie back and the connection is made with the data, its MSS the cookie's."""
    a, b, listener, clients = three_at_once()
    exchange(a, b)
    _, client = clients[2]
    assert listener.cookies_sent == 1 and listener.half_open == {} and b.get_timer() is None
    client.send(b"hello")
    exchange(a, b)
    assert len(b.connections) == 2 and listener.overflowed_acks == 2
    listener.accept()
    now = client.get_timer()
    a.handle_timer(now)
    exchange(a, b, now)
    key, made = listener.accept_queue[-1]
    assert key[3] == client.local_port and made.state is TcpState.ESTABLISHED and made.smss == 1460
    assert made.receive(100) == b"hello" and client.snd_una == client.snd_max
    assert (made.snd_wscale, made.rcv_wscale) == (client.rcv_wscale, client.snd_wscale) != (0, 0)


def test_an_ack_that_is_no_cookie_is_reset():
    """After cookies were sent, an ACK to the listener whose acknowledgement number is no cookie of its gets a RST."""
    a, b, listener, _ = three_at_once()
    exchange(a, b)
    stray = Tcp(40000, 80, 1000, 12345, F.ACK, 1000)
    assert b.handle_segment(A, B, stray, b"", 0) is None
    (reset,) = [header for _, _, header, _, _ in b.segments_to_send(0)]
    assert reset.flags == F.RST and reset.seq == 12345 and len(b.connections) == 2


def test_a_syn_is_dropped_only_while_the_accept_queue_is_full():
    """Half-open connections do not fill the backlog: with listen(1) and two requests waiting half-open, a third SYN
    is answered (with a cookie); once two connections wait established, the next SYN is dropped."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    listener = b.listen(ANY, 80, backlog=1)
    for _ in range(3):
        a.connect(A, B, 80)
    for src, dst, header, payload, _ in a.segments_to_send(0):
        b.handle_segment(src, dst, header, payload, 0)  # the SYN-ACKs are not delivered: all stay half-open
    assert len(listener.half_open) == 2 and listener.cookies_sent == 1 and listener.dropped_syns == 0
    exchange(a, b)
    assert len(listener.accept_queue) == 2 and listener.full
    _, late = a.connect(A, B, 80)
    exchange(a, b)
    assert late.state is TcpState.SYN_SENT and listener.dropped_syns == 1


def test_a_request_never_accepted_resends_its_syn_ack_five_times_then_is_dropped_silently():
    """The half-open connection whose ACK overflowed resends its SYN-ACK at 1, 3, 7, 15 and 31 s (Linux's
    tcp_synack_retries, 5) and is dropped at 63 s without a RST; the listener forgets it."""
    a, b, listener, *_ = request_overflow()
    resent, dropped_at = [], None
    while (now := b.get_timer()) is not None and now <= 200 * SECOND:
        b.handle_timer(now)
        for _, _, header, _, _ in b.segments_to_send(now):
            assert F.RST not in header.flags
            resent.append(now // SECOND)
        if not listener.half_open and dropped_at is None:
            dropped_at = now // SECOND
    assert resent == [1, 3, 7, 15, 31] and dropped_at == 63 and len(listener.accept_queue) == 2


def test_a_cookie_syn_ack_offers_the_mss_a_kept_request_offers():
    """A listener whose host offers 960 (an mtu: 1000 interface) says 960 in every SYN-ACK, the cookie's too (the
    cookie's SYN-ACK offered the configured 1460 while the kept requests offered the interface's 960)."""
    from lanlab.wire.tcp import Mss

    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    b.advertised_mss = lambda peer: 960
    b.listen(ANY, 80, backlog=1)
    for _ in range(3):
        a.connect(A, B, 80)
    for src, dst, header, payload, _ in a.segments_to_send(0):
        b.handle_segment(src, dst, header, payload, 0)
    offered = [header.option(Mss).value for _, _, header, _, _ in b.segments_to_send(0)]
    assert offered == [960, 960, 960]
