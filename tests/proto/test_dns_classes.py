"""The zone server and the class of a question (RFC 1035 3.2.4): its zone is class IN."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from lanlab.proto.dns import DnsServer, DnsZone
from lanlab.wire import Dns, DnsType, Question, Rcode


def asked(qclass: int, name: str = "pc3.lab.") -> Dns:
    reply = DnsServer(DnsZone("lab", {"pc3": [IPv4Address("198.18.0.3")]})).answer(
        Dns(9, (Question(name, DnsType.A, qclass),))
    )
    assert reply is not None
    return reply


@pytest.mark.parametrize("qclass", [3, 4, 255])
def test_a_question_of_another_class_gets_no_in_records(qclass):
    """A question of class CH, HS or ANY for a name of the zone was answered with its IN records, as if
    the class were IN; the answer is now empty, NOERROR and not authoritative, as dnsmasq's in the kernel lab
    (`lanlab compare` of a program sending such questions)."""
    reply = asked(qclass)
    assert (reply.rcode, reply.answers, reply.aa) == (Rcode.NOERROR, (), 0)


@pytest.mark.parametrize("qclass", [3, 4, 255])
def test_a_question_of_another_class_for_a_name_the_zone_has_not_is_nxdomain(qclass):
    """CH, HS or ANY for zz.lab, which the zone has not: NXDOMAIN, not authoritative, as dnsmasq answers (it was
    NOERROR, as for a name the zone has)."""
    reply = asked(qclass, "zz.lab.")
    assert (reply.rcode, reply.answers, reply.aa) == (Rcode.NXDOMAIN, (), 0)


def test_a_question_of_class_in_is_answered_as_before():
    """Class IN: the A record, authoritative."""
    reply = asked(1)
    assert reply.aa == 1 and [r.data for r in reply.answers] == [IPv4Address("198.18.0.3")]
