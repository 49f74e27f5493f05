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
