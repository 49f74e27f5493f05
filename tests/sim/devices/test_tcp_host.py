"""TCP on simulated hosts: segments as frames, RST from a closed port, cwnd and states in the trace."""

from __future__ import annotations

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND as S
from lanlab.wire import Tcp, TcpFlags


def pair(loss: float = 0.0) -> Network:
    net = Network("pair", seed=3)
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.link("pc1:eth0", "sw1:p1", loss=loss)
    net.link("pc2:eth0", "sw1:p2")
    return net


def sender(size):
    import socket

    with socket.create_connection(("pc2", 5001)) as s:
        s.sendall(bytes(size))


def receiver():
    import socket

    conn, _ = socket.create_server(("", 5001)).accept()
    total = 0
    while data := conn.recv(65536):
        total += len(data)
    return total


def test_a_syn_to_a_closed_port_is_answered_with_rst_on_the_wire():
    """The simulated host's TCP answers a SYN for a port nobody listens on with RST,ACK (RFC 9293 3.10.7.1)."""
    net = pair()
    net.start_trace()
    net.node("pc1").run(sender, 10)
    run_programs(net, S)
    sent = [
        e.frame.l4
        for e in net.trace
        if e.event_kind == "tx" and e.device == "pc2" and e.frame is not None and isinstance(e.frame.l4, Tcp)
    ]
    assert [h.flags for h in sent] == [TcpFlags.RST | TcpFlags.ACK]


def test_cwnd_ssthresh_and_states_are_in_the_event_list():
    """A lossy transfer records slow start, a loss halving ssthresh, and the states of both ends."""
    net = pair(loss=0.02)
    net.start_trace()
    net.node("pc2").run(receiver)
    client = net.node("pc1").run(sender, 300_000)
    server_program = net.programs[0]
    run_programs(net, 60 * S)
    assert server_program.result == 300_000 and client.exit == 0
    cwnd = [e.note for e in net.trace if e.event_kind == "cwnd" and e.device == "pc1"]
    assert any("ssthresh=inf (slow start)" in note for note in cwnd)
    assert any("fast recovery" in note or "congestion avoidance" in note for note in cwnd)
    assert all("ssthresh=" in note for note in cwnd)
    states = [e.note.split(" ", 3)[3] for e in net.trace if e.event_kind == "tcp" and e.device == "pc1"]
    assert states[:2] == ["CLOSED → SYN-SENT", "SYN-SENT → ESTABLISHED"]
    assert "FIN-WAIT-2 → TIME-WAIT" in states


def test_filter_tcp_keeps_segments_cwnd_and_states():
    """--filter tcp keeps the segments and the frameless cwnd/state events (protocol column TCP), not ARP."""
    net = pair()
    tracer = net.start_trace(["tcp"])
    net.node("pc2").run(receiver)
    net.node("pc1").run(sender, 5000)
    run_programs(net, 5 * S)
    kinds = {e.event_kind for e in tracer.events}
    assert {"tx", "cwnd", "tcp"} <= kinds and {e.proto for e in tracer.events} == {"TCP"}


def test_a_syn_in_a_broadcast_frame_gets_no_answer_and_a_unicast_one_gets_rst():
    """tcp_v4_rcv drops a segment that came in a broadcast frame (not PACKET_HOST): no RST floods back from
    every host of the LAN; the same SYN to pc2's own MAC is answered with RST,ACK."""
    from ipaddress import IPv4Address

    from lanlab.sim.core.frame import Frame
    from lanlab.wire import Ethernet, IPv4, MacAddress

    net = pair()
    pc1, pc2 = net.node("pc1"), net.node("pc2")
    net.start_trace()
    syn = Tcp(40000, 9, 1, 0, TcpFlags.SYN, 65535)
    ip = IPv4(IPv4Address("198.18.0.1"), IPv4Address("198.18.0.255"), 6)
    for second, dst_mac in enumerate((MacAddress.BROADCAST, pc2.nics[0].mac), start=1):
        eth = Ethernet(dst_mac, pc1.nics[0].mac, 0x0800)
        pc1.nics[0].port.send(Frame(eth, ip, syn, b"", 54, net.engine.next_frame_id()), net.engine.now)
        net.run(until=second)
    answers = [
        e.frame.l4.flags
        for e in net.trace
        if e.event_kind == "tx" and e.device == "pc2" and isinstance(e.frame.l4, Tcp)
    ]
    assert answers == [TcpFlags.RST | TcpFlags.ACK]


def test_a_hosts_own_segments_wait_for_room_in_its_interface_queue_and_are_never_dropped_there():
    """Twenty connections starting at once overflow pc1's 100-frame output queue with their first windows:
    the segments wait in the host, as Linux's TSQ keeps them in the socket, so none is dropped as 'output
    queue full' and 6 MB arrive at about the line rate (they were dropped and retransmitted)."""
    net = pair()
    net.start_trace()
    count, size = 20, 300_000

    def many():
        import socket
        import threading

        def one():
            with socket.create_connection(("pc2", 5001)) as s:
                s.sendall(bytes(size))

        threads = [threading.Thread(target=one) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def receive_all():
        import socket
        import threading
        import time

        listener = socket.create_server(("", 5001), backlog=count)
        totals = []

        def drain(conn):
            total = 0
            while data := conn.recv(65536):
                total += len(data)
            totals.append(total)

        threads = []
        for _ in range(count):
            conn, _ = listener.accept()
            threads.append(threading.Thread(target=drain, args=(conn,)))
            threads[-1].start()
        for thread in threads:
            thread.join()
        return sum(totals), time.monotonic()

    net.node("pc1").run(many)
    receiving = net.node("pc2").run(receive_all)
    run_programs(net, 10 * S)
    assert receiving.error is None, receiving.error
    total, finished = receiving.result
    assert total == count * size
    assert [e for e in net.trace if e.event_kind == "drop" and e.device == "pc1"] == []
    # 6 MB in 1448-byte segments of 1538 bytes on the wire at 100 Mb/s: 0.51 s
    assert finished < 0.53


ROUTED_MTU_1000 = """name: routed
nodes:
  pc1: {kind: host, ip: 198.18.1.10/24, gateway: 198.18.1.1}
  pc3: {kind: host, ip: 198.18.3.10/24, gateway: 198.18.3.1}
  r1: {kind: router, interfaces: {eth0: 198.18.1.1/24, eth1: 198.18.12.1/24}, routes: [{to: 198.18.3.0/24, via: 198.18.12.2}]}
  r2: {kind: router, interfaces: {eth0: 198.18.12.2/24, eth1: 198.18.3.1/24}, routes: [{to: 198.18.1.0/24, via: 198.18.12.1}]}
links:
  - [pc1:eth0, r1:eth0]
  - {endpoints: [r1:eth1, r2:eth0], mtu: 1000}
  - [r2:eth1, pc3:eth0]
"""


def test_a_connection_opened_after_a_path_mtu_was_learned_keeps_its_segments_within_it():
    """The first upload learns the 1000-byte path MTU from r1's 'fragmentation needed'; the second connection
    starts with an MSS of 960 (Linux's tcp_sync_mss), so no TCP segment of pc1 is ever fragmented (the
    second used 1460 and pc1 cut every segment in two)."""
    from lanlab.sim import load_topology
    from lanlab.wire import IPv4

    net = load_topology("routed.yaml", text=ROUTED_MTU_1000)
    net.start_trace()

    def sink():
        import socket

        listener = socket.create_server(("", 8700))
        totals = []
        for _ in range(2):
            conn, _ = listener.accept()
            total = 0
            while data := conn.recv(65536):
                total += len(data)
            conn.close()
            totals.append(total)
        return totals

    def uploads():
        import socket

        sizes = []
        for _ in range(2):
            sock = socket.create_connection(("198.18.3.10", 8700))
            sock.sendall(b"u" * 30000)
            sock.shutdown(socket.SHUT_WR)
            sock.recv(1)  # the server's close: everything arrived
            sizes.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
            sock.close()
        return sizes

    receiving = net.node("pc3").run(sink)
    sending = net.node("pc1").run(uploads)
    run_programs(net, 5 * S)
    assert receiving.result == [30000, 30000] and sending.result == [960, 960]
    fragments = [
        e
        for e in net.trace
        if e.event_kind == "tx"
        and e.device == "pc1"
        and isinstance(e.frame.l3, IPv4)
        and (e.frame.l3.flags & 1 or e.frame.l3.frag_offset)
    ]
    assert fragments == []


def test_the_mss_offered_is_the_outgoing_interfaces_mtu_less_40():
    """As Linux's advmss: 1460 on Ethernet, 960 through an mtu: 1000 interface, 65,495 over lo (it offered 1460
    everywhere); a peer with no route gets the configured MSS."""
    from ipaddress import IPv4Address

    net = pair()
    net.node("pc2").nics[0].set_mtu(1000)
    offered = {name: net.node(name).tcp.stack.advertised_mss for name in ("pc1", "pc2")}
    assert offered["pc1"](IPv4Address("198.18.0.2")) == 1460
    assert offered["pc2"](IPv4Address("198.18.0.1")) == 960
    assert offered["pc1"](IPv4Address("127.0.0.1")) == offered["pc1"](IPv4Address("198.18.0.1")) == 65_495
    assert offered["pc1"](IPv4Address("198.19.0.1")) is None
