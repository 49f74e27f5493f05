"""A host's TCP: listeners and their backlog, demultiplexing, ephemeral ports, RST for closed ports."""

import errno
import random
from ipaddress import IPv4Address

import pytest

from lanlab.proto.tcp import ConnectionFailed, LocalTcpError, TcpStack, TcpState
from lanlab.wire import TcpFlags

A, B = IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2")
ANY = IPv4Address("0.0.0.0")
F = TcpFlags


def deliver(stacks, now=0, rounds=100):
    """Move every stack's output to the stack owning the destination address until all are quiet."""
    by_ip = {ip: stack for ip, stack in stacks.items()}
    for _ in range(rounds):
        moved = False
        for stack in list(stacks.values()):
            for src, dst, header, payload, _ in stack.segments_to_send(now):
                moved = True
                by_ip[dst].handle_segment(src, dst, header, payload, now)
        if not moved:
            return
    raise AssertionError("still talking")


def events(connection):
    out = []
    while (event := connection.next_event()) is not None:
        out.append(event)
    return out


def test_connect_to_a_closed_port_is_refused_with_rst():
    """A SYN to a port nobody listens on gets RST,ACK; the client fails with ECONNREFUSED."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    _, client = a.connect(A, B, 7788)
    deliver({A: a, B: b})
    assert client.state is TcpState.CLOSED and ConnectionFailed(errno.ECONNREFUSED) in events(client)
    assert b.resets_sent == 1 and a.connections == {}


def test_listener_accepts_on_the_wildcard_address_and_ephemeral_ports_differ():
    """A listener on 0.0.0.0 takes connections to any local address; clients get distinct ephemeral ports."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    listener = b.listen(ANY, 7788, backlog=5)
    keys = [a.connect(A, B, 7788)[0] for _ in range(3)]
    deliver({A: a, B: b})
    assert len({key[1] for key in keys}) == 3 and all(32768 <= key[1] < 61000 for key in keys)
    accepted = [listener.accept() for _ in range(3)]
    assert {key[3] for key, _ in accepted} == {key[1] for key in keys}
    assert all(connection.state is TcpState.ESTABLISHED for _, connection in accepted)
    assert listener.accept() is None


def test_backlog_limits_waiting_connections_like_linux():
    """listen(1) lets two established connections wait (backlog + 1); a third SYN, coming after them, is dropped
    until one is accepted."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    listener = b.listen(ANY, 80, backlog=1)
    clients = []
    for _ in range(3):
        clients.append(a.connect(A, B, 80)[1])
        deliver({A: a, B: b})
    assert [c.state for c in clients].count(TcpState.ESTABLISHED) == 2 and listener.dropped_syns == 1
    waiting = next(c for c in clients if c.state is TcpState.SYN_SENT)
    listener.accept()
    now = waiting.get_timer()  # the SYN is retransmitted after the RTO and now fits
    a.handle_timer(now)
    deliver({A: a, B: b}, now)
    assert waiting.state is TcpState.ESTABLISHED and len(listener.accept_queue) == 2


def test_port_in_use_and_closing_a_listener_resets_waiting_connections():
    """A second listen on a port raises; closing the listener resets connections it had not handed out."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    listener = b.listen(ANY, 80, backlog=5)
    with pytest.raises(LocalTcpError):
        b.listen(B, 80, backlog=5)
    _, client = a.connect(A, B, 80)
    deliver({A: a, B: b})
    b.close_listener(listener)
    deliver({A: a, B: b})
    assert listener.state is TcpState.CLOSED and client.state is TcpState.CLOSED
    assert ConnectionFailed(errno.ECONNRESET) in events(client)
    assert not b.port_in_use(ANY, 80)


def test_segments_go_to_their_own_connection():
    """Two connections between the same hosts keep their streams apart."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    listener = b.listen(ANY, 80, backlog=5)
    (_, one), (_, two) = a.connect(A, B, 80), a.connect(A, B, 80)
    deliver({A: a, B: b})
    one.send(b"first"), two.send(b"second")
    deliver({A: a, B: b})
    got = {}
    while (item := listener.accept()) is not None:
        key, connection = item
        got[key[3]] = connection.receive(100)
    assert sorted(got.values()) == [b"first", b"second"]


def test_closed_connections_leave_the_table():
    """After both ends close and TIME-WAIT expires, no connection remains in either stack."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    listener = b.listen(ANY, 80, backlog=5)
    _, client = a.connect(A, B, 80)
    deliver({A: a, B: b})
    _, server = listener.accept()
    client.close()
    deliver({A: a, B: b})
    server.close()
    deliver({A: a, B: b})
    assert b.connections == {} and client.state is TcpState.TIME_WAIT
    now = a.get_timer()
    a.handle_timer(now)
    deliver({A: a, B: b}, now)
    assert a.connections == {} and a.get_timer() is None


def test_so_reuseport_listeners_share_a_port_and_split_its_connections():
    """Listeners that all set reuse_port share (ip, port) and each connection lands in one of them; one
    without the option is refused; closing one leaves the other listening."""
    a, b = TcpStack(random.Random(1)), TcpStack(random.Random(2))
    first = b.listen(ANY, 7788, backlog=64, reuse_port=True)
    second = b.listen(ANY, 7788, backlog=64, reuse_port=True)
    with pytest.raises(LocalTcpError):
        b.listen(ANY, 7788, backlog=64)
    keys = [a.connect(A, B, 7788)[0] for _ in range(20)]
    deliver({A: a, B: b})
    taken = [len(first.accept_queue), len(second.accept_queue)]
    assert sum(taken) == 20 and min(taken) > 0
    b.close_listener(first)
    key, _ = a.connect(A, B, 7788)
    deliver({A: a, B: b})
    assert second.accept_queue[-1][0][3] == key[1] and len(keys) == 20


def test_a_reuseport_listener_cannot_join_a_port_held_without_it():
    """SO_REUSEPORT shares a port only with listeners that set it too (Linux's bind conflict rule)."""
    b = TcpStack(random.Random(2))
    b.listen(ANY, 7788, backlog=5)
    with pytest.raises(LocalTcpError):
        b.listen(ANY, 7788, backlog=5, reuse_port=True)


def test_reuseport_listeners_need_agree_only_with_listeners_on_overlapping_addresses():
    """A listener on another address of the port (without SO_REUSEPORT) does not stop a reuseport group."""
    b = TcpStack(random.Random(2))
    b.listen(A, 7788, backlog=5)
    b.listen(B, 7788, backlog=5, reuse_port=True)
    b.listen(B, 7788, backlog=5, reuse_port=True)
    with pytest.raises(LocalTcpError):
        b.listen(ANY, 7788, backlog=5, reuse_port=True)


def test_an_ephemeral_port_is_found_while_one_is_free_and_refused_when_none_is():
    """With every port of Linux's range but one taken (by listeners, connections, or sockets the caller holds),
    that one is found, as Linux's inet_csk_find_open_port goes through the whole range (64 random draws missed
    it, and bind(("", 0)) said EADDRINUSE with a tenth of the range still free); with none free, LocalTcpError."""
    from lanlab.proto.tcp._stack import EPHEMERAL_PORTS

    stack = TcpStack(random.Random(1))
    last = EPHEMERAL_PORTS[len(EPHEMERAL_PORTS) // 3]
    listening = set(EPHEMERAL_PORTS[:100])
    for port in listening:
        stack.listen(ANY, port, backlog=1)
    connected = {stack.connect(A, B, 80, local_port=port)[0][1] for port in EPHEMERAL_PORTS[100:200]}
    held = set(EPHEMERAL_PORTS) - listening - connected - {last}
    assert stack.ephemeral_port(A, taken=held.__contains__) == last
    with pytest.raises(LocalTcpError):
        stack.ephemeral_port(A, taken=(held | {last}).__contains__)


def test_the_earliest_deadline_is_found_when_a_changed_connection_moved_its_own_earlier():
    """A connection changed since the last flush whose deadline moved earlier than another's is what get_timer
    says, even while its old entry is not at the top of the heap (the other's later deadline came back)."""
    a = TcpStack(random.Random(1))
    _, first = a.connect(A, B, 80)
    _, second = a.connect(A, B, 80)
    a.segments_to_send(0)  # both SYNs out, both retransmission timers armed
    armed = a.get_timer()
    assert armed is not None and first.get_timer() == second.get_timer() == armed

    class Sooner(type(second)):  # the same connection, its timer moved to 1 ms (a changed RTO, say)
        __slots__ = ()

        def get_timer(self):
            return 1_000_000

    second.__class__ = Sooner
    second.changed()
    assert a.get_timer() == 1_000_000
