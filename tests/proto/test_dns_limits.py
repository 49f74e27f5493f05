"""The DNS machines at the limits: a message past 65,535 bytes on TCP (RFC 1035 4.2.2), names glibc will not ask."""

from __future__ import annotations

import random
from ipaddress import IPv4Address

import pytest

from lanlab.proto.dns import TCP_LIMIT, DnsResolver, DnsServer, DnsZone, Failed, is_host_name, over_tcp
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


@pytest.mark.parametrize(
    "name, taken",
    [
        ("pc3", True),
        ("PC3.Lab.", True),
        ("under_score.lab", True),
        ("pc3-.lab", True),  # a label may end with '-'
        ("a-b.-c", True),  # only the first label may not start with '-'
        ("\\112c3.lab", True),  # \112 is 'p'
        (".", True),
        ("pc 3", False),  # a space
        ("-pc3", False),
        ("*.lab", False),
        ("pc3.lab\\.", False),  # an escaped dot inside a label
        ("pc3.l@b", False),
        ("b\\195\\188cher.lab", False),  # UTF-8 bytes
        ("bücher.lab", False),
        # escapes as ns_name_pton reads them (glibc 2.36's getaddrinfo in a namespace: queries sent, or none)
        ("x\\065y.lab", True),
        ("x\\y.lab", True),
        ("x\\321y.lab", False),  # over 255
        ("x\\1y.lab", False),  # fewer than three digits
        ("x\\12y.lab", False),
        ("xy\\", False),  # nothing after the backslash
    ],
)
def test_is_host_name_is_glibcs_res_hnok(name, taken):
    """is_host_name says what glibc's res_hnok says: printable ASCII, labels of letters, digits, '-' and '_' once
    escapes are undone, the name not starting with '-' (its getaddrinfo asks no server for any other)."""
    assert is_host_name(name) is taken


def test_a_resolver_for_programs_asks_nothing_for_a_name_no_host_has():
    """With host_names (the resolver gethostbyname and getaddrinfo use), "pc 3" fails at once with EAI_NONAME and
    nothing is sent, as glibc's nss_dns (the kernel lab showed no query); dig's resolver still asks. A PTR
    lookup's in-addr.arpa name is not held to it."""
    glibc = DnsResolver([IPv4Address("198.18.0.53")], random.Random(1), host_names=True)
    glibc.lookup("pc 3", 0)
    event = glibc.next_event()
    assert isinstance(event, Failed) and event.error == "EAI_NONAME" and glibc.messages_to_send(0) == []
    glibc.lookup("3.0.18.198.in-addr.arpa", 0, DnsType.PTR)
    assert len(glibc.messages_to_send(0)) == 1
    dig = DnsResolver([IPv4Address("198.18.0.53")], random.Random(1))
    dig.lookup("pc 3", 0)
    assert dig.next_event() is None and len(dig.messages_to_send(0)) == 1
