"""UDP on loopback: a listener answers, an exchange collects replies, stops on wait or expect."""

import threading
import time

import pytest

from lanlab.net import udp


@pytest.fixture
def answering_listener():
    """A loopback listener answering each datagram with its text upper-cased, in a thread."""
    sock = udp.listening_socket(0, "127.0.0.1")

    def serve():
        for datagram, _ in udp.receive(sock, None, lambda d: d.data.upper()):
            if datagram.data == b"stop":
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = sock.getsockname()[1]
    yield port
    with udp.sending_socket() as stopper:
        stopper.sendto(b"stop", ("127.0.0.1", port))
    thread.join(5)
    sock.close()


def test_exchange_gets_the_listeners_answer_with_a_round_trip_time(answering_listener):
    """One datagram out, its answer back, with the sender's address and a positive RTT."""
    port = answering_listener
    with udp.sending_socket() as sock:
        result = udp.exchange(sock, ("127.0.0.1", port), b"hi", wait=2.0, expect=1)
    assert result.sent == 1
    [reply] = result.replies
    assert (reply.sender, reply.port, reply.data) == ("127.0.0.1", port, b"HI")
    assert 0 < reply.rtt_ms < 2000


def test_exchange_stops_as_soon_as_the_expected_replies_came(answering_listener):
    """--expect 1 returns at the first reply, long before --wait."""
    port = answering_listener
    started = time.monotonic()
    with udp.sending_socket() as sock:
        result = udp.exchange(sock, ("127.0.0.1", port), b"x", wait=10.0, expect=1)
    assert len(result.replies) == 1
    assert time.monotonic() - started < 5


def test_exchange_sends_count_datagrams_and_collects_every_answer(answering_listener):
    """count=3 sends three datagrams, interval apart, and keeps the three answers."""
    port = answering_listener
    with udp.sending_socket() as sock:
        result = udp.exchange(sock, ("127.0.0.1", port), b"n", count=3, interval=0.05, wait=1.0, expect=3)
    assert result.sent == 3 and len(result.replies) == 3
    assert [reply.data for reply in result.replies] == [b"N"] * 3


def test_exchange_without_listener_returns_no_replies_after_wait():
    """Nobody answering: no replies, and the wait is honoured (not much longer)."""
    with udp.listening_socket(0, "127.0.0.1") as silent, udp.sending_socket() as sock:
        started = time.monotonic()
        result = udp.exchange(sock, ("127.0.0.1", silent.getsockname()[1]), b"x", wait=0.2)
        elapsed = time.monotonic() - started
    assert result.sent == 1 and result.replies == []
    assert 0.15 < elapsed < 2


def test_receive_stops_after_count_and_reports_what_it_answered():
    """receive(count=2) yields two (datagram, answer) pairs and returns."""
    with udp.listening_socket(0, "127.0.0.1") as sock, udp.sending_socket() as sender:
        port = sock.getsockname()[1]
        sender.sendto(b"a", ("127.0.0.1", port))
        sender.sendto(b"b", ("127.0.0.1", port))
        pairs = list(udp.receive(sock, 2, lambda d: b"ok"))
        assert [(d.data, answer) for d, answer in pairs] == [(b"a", b"ok"), (b"b", b"ok")]
        assert sender.recvfrom(100)[0] == b"ok"


def test_listening_on_a_port_in_use_raises_address_in_use():
    """A second listener on the same port fails with EADDRINUSE (the CLI turns it into a line)."""
    with udp.listening_socket(0, "127.0.0.1") as first:
        with pytest.raises(OSError) as caught:
            udp.listening_socket(first.getsockname()[1], "127.0.0.1")
    assert caught.value.errno == 98
