"""Links: serialisation and delay, bounded queues with tail drop, loss, counters, link down."""

from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.sim import Network
from lanlab.sim.core.engine import Engine
from lanlab.sim.core.frame import Frame
from lanlab.sim.core.link import Link, Port, wire_time


def two_hosts(**link_options: object) -> Network:
    net = Network("pair")
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    net.link("a:eth0", "b:eth0", **link_options)
    return net


def test_arrival_is_serialisation_plus_delay():
    """A frame arrives wire_time(size, rate) + delay after it starts."""
    net = two_hosts(delay="1ms", rate="10Mbps")
    net.start_trace()
    net.node("a").announce()
    net.run(1)
    tx, rx = [e for e in net.trace if e.event_kind in ("tx", "rx")][:2]
    assert rx.t - tx.t == wire_time(42, 10_000_000) + 1_000_000
    assert wire_time(42, 10_000_000) == (60 + 24) * 800  # padded to 60, + preamble, FCS, gap


def test_back_to_back_frames_queue_and_overflow_is_tail_dropped():
    """Frames sent at once leave one after another; beyond the queue bound they are dropped."""
    net = two_hosts(rate="1Mbps", queue=3)
    a = net.node("a")
    net.node("b").udp.bind(9, lambda host, frame, now: received.append(now))
    received: list[int] = []
    a.nics[0].arp.add_static(net.resolve_ip("b"), net.node("b").nics[0].mac)
    for _ in range(10):
        a.send_udp(1000, net.resolve_ip("b"), 9, b"x" * 100, 0)
    net.run(1)
    assert len(received) == 4  # one on the wire + three waiting
    gap = wire_time(14 + 28 + 100, 1_000_000)
    assert [t - received[0] for t in received] == [0, gap, 2 * gap, 3 * gap]
    port = a.nics[0].port
    assert port.drops == 6 and port.tx_frames == 4 and net.links[0].drops == 6


def test_loss_is_seeded_and_counted():
    """A lossy link loses about the asked share, the same frames for the same seed."""

    def lost(seed: int) -> list[int]:
        net = two_hosts(loss=0.3)
        net.engine.rng.seed(seed)
        a = net.node("a")
        a.nics[0].arp.add_static(net.resolve_ip("b"), net.node("b").nics[0].mac)
        got: list[int] = []
        net.node("b").udp.bind(9, lambda host, frame, now: got.append(frame.data[0]))
        for n in range(200):
            net.engine.schedule(n * 10_000, _Send(a, net.resolve_ip("b"), n))
        net.run(1)
        assert a.nics[0].port.lost == 200 - len(got)
        return got

    first = lost(1)
    assert 100 < len(first) < 180
    assert lost(1) == first and lost(2) != first


class _Send:
    def __init__(self, host, dst, n):  # type: ignore[no-untyped-def]
        self.host, self.dst, self.n = host, dst, n

    def fire(self, arg: object, now: int) -> None:
        self.host.send_udp(1000, self.dst, 9, bytes([self.n % 256]), now)


def test_link_down_loses_frames():
    """While a link is down nothing crosses it; the ping fails and the drop is counted."""
    net = two_hosts()
    net.links[0].set_up(False)
    assert net.ping("a", "b", count=1, timeout=0.5).received == 0
    assert net.node("a").nics[0].port.drops >= 1
    net.links[0].set_up(True)
    assert net.ping("a", "b", count=1).received == 1


class _Sink:
    """A node that records (arrival time, frame ident)."""

    name = "sink"

    def __init__(self) -> None:
        self.got: list[tuple[int, int]] = []

    def receive(self, port: object, frame, now: int) -> None:  # type: ignore[no-untyped-def]
        self.got.append((now, frame.ident))

    def attach(self, own: object, peer: object) -> None:
        pass


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20_000), st.integers(42, 1514)), min_size=1, max_size=40), st.integers(1, 5))
def test_link_is_a_fifo_queue_with_serialisation(sends, bound):
    """Random sends: arrivals keep send order, never overlap on the wire, and every frame is
    either delivered or counted as a tail drop when `bound` frames were already waiting."""
    engine, a_node, b_node = Engine(), _Sink(), _Sink()
    a, b = Port(a_node, "a", engine), Port(b_node, "b", engine)
    Link(a, b, delay=1_000, rate=100_000_000, queue=bound)
    sizes = {}

    class Send:
        def __init__(self, frame: Frame) -> None:
            self.frame = frame

        def fire(self, arg: object, now: int) -> None:
            a.send(self.frame, now)

    for n, (at, size) in enumerate(sorted(sends), start=1):
        sizes[n] = size
        engine.schedule(at, Send(Frame(None, None, None, b"", size, n)))
    engine.run(10**9)
    got = b_node.got
    assert [ident for _, ident in got] == sorted(ident for _, ident in got)  # FIFO
    assert len(got) + a.drops == len(sends) and a.tx_frames == len(got)
    for (t1, _), (t2, ident2) in zip(got, got[1:]):
        assert t2 - t1 >= wire_time(sizes[ident2], 100_000_000)  # one frame on the wire at a time


def test_event_list_stays_in_time_order_when_frames_queue():
    """A frame that waits in the queue is listed when sent, saying when it goes on the wire."""
    net = two_hosts(rate="1Mbps")
    a = net.node("a")
    a.nics[0].arp.add_static(net.resolve_ip("b"), net.node("b").nics[0].mac)
    net.node("b").udp.bind(9, lambda host, frame, now: None)
    net.start_trace()
    for _ in range(3):
        a.send_udp(1000, net.resolve_ip("b"), 9, b"x" * 100, 0)
    net.run(1)
    times = [e.t for e in net.trace]
    assert times == sorted(times)
    notes = [e.note for e in net.trace if e.event_kind == "tx"]
    gap = wire_time(14 + 28 + 100, 1_000_000)
    assert notes == [
        "",
        f"waits in the output queue until {gap / 1e9:.6f} s",
        f"waits in the output queue until {2 * gap / 1e9:.6f} s",
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 9_000),
    st.one_of(st.sampled_from([10**7, 10**8, 10**9, 8 * 10**9, 2_000_000]), st.integers(1, 10**10)),
    st.integers(0, 10**12),
)
def test_a_frame_occupies_the_wire_for_wire_time_at_any_rate(size, rate, now):
    """A send keeps the transmitter busy for exactly wire_time(size, rate), whether the rate's
    nanoseconds per byte are whole (the product) or not (the division)."""
    engine, a_node, b_node = Engine(), _Sink(), _Sink()
    a, b = Port(a_node, "a", engine), Port(b_node, "b", engine)
    Link(a, b, rate=rate)
    a.send(Frame(None, None, None, b"", size, 1), now)
    assert a.busy_until == now + wire_time(size, rate)
