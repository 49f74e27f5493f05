"""traceroute's probing machine: TTL per probe, matching errors to probes, *, the end conditions."""

from ipaddress import IPv4Address

from lanlab.proto.traceroute import TracerouteSession
from lanlab.units import SECOND
from lanlab.wire import Icmp, IcmpType, IpProto, IPv4, Udp

SRC, DST = IPv4Address("198.18.1.10"), IPv4Address("198.18.3.10")
R1, R2 = IPv4Address("198.18.1.1"), IPv4Address("198.18.12.2")


def quoted_udp(port: int, ttl: int = 1) -> bytes:
    """What an ICMP error quotes of a UDP probe: its IP header and UDP header."""
    datagram = IPv4(SRC, DST, IpProto.UDP, ttl=ttl).build(Udp(40000, port).build(bytes(32)))
    return datagram[:28]


def step(session: TracerouteSession, now: int):
    session.handle_timer(now)
    return session.probes_to_send()


def test_probes_climb_one_ttl_per_three_probes_with_a_new_port_each():
    """Probes 1-3 have TTL 1, 4-6 TTL 2; ports 33434, 33435, ... one per probe."""
    session = TracerouteSession(DST, 0, wait=SECOND)
    sent = []
    now = 0
    while len(sent) < 6:
        sent += step(session, now)
        now += SECOND
    assert [(p.ttl, p.port) for p in sent] == [(1, 33434), (1, 33435), (1, 33436), (2, 33437), (2, 33438), (2, 33439)]


def test_time_exceeded_for_the_probe_records_the_hop_and_sends_the_next():
    """An error quoting the outstanding probe answers it at once with its round-trip time."""
    session = TracerouteSession(DST, 0, queries=1)
    (probe,) = step(session, 0)
    session.handle_icmp(R1, Icmp(IcmpType.TIME_EXCEEDED, 0), quoted_udp(probe.port), 2_000_000)
    (following,) = session.probes_to_send()
    assert following.ttl == 2 and session.hops[0].answers == [(R1, 2.0, "")]


def test_errors_about_other_datagrams_are_ignored():
    """An error quoting another port or another destination does not answer the probe."""
    session = TracerouteSession(DST, 0, queries=1)
    (probe,) = step(session, 0)
    session.handle_icmp(R1, Icmp(IcmpType.TIME_EXCEEDED, 0), quoted_udp(probe.port + 7), 1)
    session.handle_icmp(R1, Icmp(IcmpType.ECHO_REPLY, 0), b"", 1)
    assert session.probes_to_send() == [] and session.hops == []


def test_silence_is_a_star_after_the_wait():
    """No answer within the wait: the probe shows as * and the next one leaves."""
    session = TracerouteSession(DST, 0, queries=1, wait=SECOND)
    step(session, 0)
    (following,) = step(session, SECOND)
    assert session.hops[0].answers == [None] and following.ttl == 2
    assert session.lines()[1] == " 1  *"


def test_port_unreachable_from_the_destination_ends_after_that_hop():
    """The destination's port unreachable completes the hop's probes and ends the run, reached."""
    session = TracerouteSession(DST, 0, queries=2)
    (probe,) = step(session, 0)
    session.handle_icmp(DST, Icmp(IcmpType.DEST_UNREACHABLE, 3), quoted_udp(probe.port), 5)
    (probe,) = session.probes_to_send()
    assert not session.done
    session.handle_icmp(DST, Icmp(IcmpType.DEST_UNREACHABLE, 3), quoted_udp(probe.port), 6)
    assert session.done and session.reached and session.get_timer() is None and session.probes_to_send() == []
    assert session.lines()[1] == " 1  198.18.3.10 (198.18.3.10)  0.000 ms  0.000 ms"


def test_net_unreachable_from_a_router_is_bang_n_and_the_end():
    """A router's network unreachable marks the hop !N; the destination was not reached."""
    session = TracerouteSession(DST, 0, queries=1)
    (probe,) = step(session, 0)
    session.handle_icmp(R2, Icmp(IcmpType.DEST_UNREACHABLE, 0), quoted_udp(probe.port), 3_000_000)
    assert session.done and not session.reached and session.lines()[1].endswith("3.000 ms !N")


def test_icmp_mode_matches_echo_sequence_and_ends_on_the_reply():
    """With -I the quoted echo's sequence identifies the probe; the echo reply ends the run."""
    session = TracerouteSession(DST, 0, icmp=True, queries=1, ident=0x7000)
    (probe,) = step(session, 0)
    quoted = IPv4(SRC, DST, IpProto.ICMP, ttl=1).build(Icmp(8, 0, (0x7000 << 16) | probe.sequence).build(bytes(32)))[
        :28
    ]
    session.handle_icmp(R1, Icmp(IcmpType.TIME_EXCEEDED, 0), quoted, 1_000_000)
    (second,) = session.probes_to_send()
    session.handle_icmp(DST, Icmp(IcmpType.ECHO_REPLY, 0, (0x7000 << 16) | second.sequence), b"", 2_000_000)
    assert session.done and session.reached and [h.ttl for h in session.hops] == [1, 2]


def test_max_ttl_bounds_the_run():
    """With -m 2 and no answers at all, the run ends after two hops of stars."""
    session = TracerouteSession(DST, 0, queries=1, max_ttl=2, wait=SECOND)
    now = 0
    while not session.done:
        step(session, now)
        now += SECOND
    assert [h.answers for h in session.hops] == [[None], [None]]
