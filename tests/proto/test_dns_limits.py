"""The DNS server's answers at the limits of a message (RFC 1035 4.2.2: 65,535 bytes on TCP)."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.proto.dns import TCP_LIMIT, DnsServer, DnsZone, over_tcp
from lanlab.wire import Dns, DnsType

MANY = [IPv4Address(0xC6120000 + i) for i in range(1, 4501)]  # 198.18.0.1 and on: 4,500 A records


def test_an_answer_past_65535_bytes_goes_on_tcp_cut_with_tc_set():
    """A name with 4,500 addresses answers in some 72,000 bytes, which no TCP message can carry (its length is
    two bytes): the server crashed framing it (OverflowError). It now sends as many answers as fit, TC set."""
    query = Dns.query(7, "many.lab.", DnsType.A)
    reply = DnsServer(DnsZone("lab", {"many": MANY})).answer(query)
    assert reply is not None and len(reply.build()) > TCP_LIMIT
    data = over_tcp(reply)
    cut, _ = Dns.parse(data)
    assert len(data) <= TCP_LIMIT and cut.tc == 1 and cut.id == 7 and cut.questions == query.questions
    assert [r.data for r in cut.answers] == MANY[: len(cut.answers)]
    assert len(cut.answers) > 4000  # as many as fit: one more would not
    one_more = Dns(7, query.questions, reply.answers[: len(cut.answers) + 1], qr=1, aa=1, tc=1)
    assert len(one_more.build()) > TCP_LIMIT


def test_an_answer_that_fits_goes_on_tcp_whole():
    """An answer within 65,535 bytes is sent as built, TC clear (RFC 7766 8: no truncation over TCP)."""
    query = Dns.query(8, "many.lab.", DnsType.A)
    reply = DnsServer(DnsZone("lab", {"many": MANY[:300]})).answer(query)
    assert reply is not None and over_tcp(reply) == reply.build()
