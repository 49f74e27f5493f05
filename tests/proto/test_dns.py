"""The DNS server and stub resolver machines (RFC 1034/1035), wired in memory."""

import random
from ipaddress import IPv4Address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.proto.dns import (
    ATTEMPTS,
    SERVER_UDP,
    TIMEOUT,
    DnsResolver,
    DnsServer,
    DnsZone,
    Failed,
    Resolved,
    over_udp,
    reverse_name,
    udp_limit,
)
from lanlab.units import SECOND
from lanlab.wire import Dns, DnsType, Question, Rcode
from lanlab.wire.dns import Edns, normalise

PC3 = IPv4Address("198.18.0.3")
NS1, NS2 = IPv4Address("198.18.0.53"), IPv4Address("198.18.0.54")


def zone() -> DnsZone:
    return DnsZone(
        "lab",
        {"pc3": [PC3], "pc4": [IPv4Address("198.18.0.4")], "ns": [NS1]},
        aliases={"www": "pc3", "loop1": "loop2", "loop2": "loop1"},
    )


def ask(name, qtype=DnsType.A):
    server = DnsServer(zone())
    reply = server.answer(Dns.query(1, name, qtype))
    return Dns.parse(reply.build())[0]  # what goes on the wire


def test_an_a_query_is_answered_authoritatively():
    """pc3.lab A -> 198.18.0.3, AA set, RA clear (the server does not recurse), RD echoed."""
    reply = ask("pc3.lab")
    assert reply.rcode == Rcode.NOERROR and reply.aa == 1 and reply.ra == 0 and reply.rd == 1
    assert [(r.name, r.data) for r in reply.answers] == [("pc3.lab.", PC3)]


def test_a_cname_is_followed_inside_the_zone():
    """www.lab is an alias: the answer holds the CNAME and then pc3's A record (RFC 1034 4.3.2)."""
    reply = ask("WWW.lab.")
    assert [(r.rtype, r.data) for r in reply.answers] == [(DnsType.CNAME, "pc3.lab."), (DnsType.A, PC3)]


def test_an_alias_loop_ends():
    """A CNAME loop inside the zone answers a bounded chain, not forever."""
    assert len(ask("loop1.lab").answers) <= 9


def test_reverse_lookup_names_the_host():
    """3.0.18.198.in-addr.arpa PTR -> pc3.lab."""
    reply = ask(reverse_name(PC3), DnsType.PTR)
    assert [r.data for r in reply.answers] == ["pc3.lab."]


def test_missing_names_outside_names_and_other_types():
    """An unknown name in the zone is NXDOMAIN with the SOA; a name outside is REFUSED; pc3 MX is NODATA."""
    missing = ask("nope.lab")
    assert missing.rcode == Rcode.NXDOMAIN and missing.authorities[0].rtype == DnsType.SOA
    assert ask("example.org").rcode == Rcode.REFUSED
    nodata = ask("pc3.lab", DnsType.MX)
    assert nodata.rcode == Rcode.NOERROR and not nodata.answers and nodata.authorities


def test_replies_and_odd_opcodes_are_not_answered_as_queries():
    """A reply is never answered (no reflection loop); opcode 2 is NOTIMP; no question is FORMERR."""
    server = DnsServer(zone())
    assert server.answer(Dns.query(1, "pc3.lab").reply()) is None
    assert server.answer(Dns(1, Dns.query(1, "pc3.lab").questions, opcode=2)).rcode == Rcode.NOTIMP
    assert server.answer(Dns(1)).rcode == Rcode.FORMERR


def wire(resolver, servers, now, lose=()):
    """Carry the resolver's queries to the servers and back; `lose` names servers that do not answer."""
    for destination, query in resolver.messages_to_send(now):
        if destination in lose:
            continue
        reply = servers[destination].answer(Dns.parse(query.build())[0])
        resolver.handle_message(Dns.parse(reply.build())[0], now, destination)


def test_the_resolver_uses_the_search_domain_and_resolves():
    """gethostbyname("pc3") with `search lab` asks pc3.lab. and gets its address."""
    resolver = DnsResolver([NS1], random.Random(1), search="lab")
    qid = resolver.lookup("pc3", 0)
    wire(resolver, {NS1: DnsServer(zone())}, 0)
    assert resolver.next_event() == Resolved(qid, 0, "pc3.lab.", (PC3,))


def test_an_unknown_name_fails_with_eai_noname():
    """NXDOMAIN becomes EAI_NONAME at once (socket.gaierror -2 "Name or service not known")."""
    resolver = DnsResolver([NS1], random.Random(1))
    resolver.lookup("nope.lab", 0)
    wire(resolver, {NS1: DnsServer(zone())}, 0)
    event = resolver.next_event()
    assert isinstance(event, Failed) and event.error == "EAI_NONAME"


def test_a_dead_server_fails_over_then_gives_eai_again():
    """Servers in turn every 5 s, 2 attempts each: the second answers; with both dead, EAI_AGAIN after 20 s."""
    servers = {NS1: DnsServer(zone()), NS2: DnsServer(zone())}
    resolver = DnsResolver([NS1, NS2], random.Random(1))
    qid = resolver.lookup("pc3.lab", 0)
    wire(resolver, servers, 0, lose={NS1})
    assert resolver.next_event() is None and resolver.get_timer() == TIMEOUT
    resolver.handle_timer(TIMEOUT)
    wire(resolver, servers, TIMEOUT, lose={NS1})
    assert resolver.next_event() == Resolved(qid, TIMEOUT, "pc3.lab.", (PC3,))
    resolver = DnsResolver([NS1, NS2], random.Random(1))
    resolver.lookup("pc3.lab", 0)
    wire(resolver, servers, 0, lose={NS1, NS2})
    now = 0
    sent = 1
    while (timer := resolver.get_timer()) is not None:
        now = timer
        resolver.handle_timer(now)
        sent += len([m for m in resolver.messages_to_send(now)])
    assert sent == ATTEMPTS * 2 and now == ATTEMPTS * 2 * TIMEOUT
    event = resolver.next_event()
    assert isinstance(event, Failed) and event.error == "EAI_AGAIN" and event.time == 20 * SECOND


def carry_until_quiet(resolver, servers, now):
    """wire() until the resolver has nothing more to send at `now`; how many queries went."""
    sent = 0
    while resolver._outbox:
        sent += len(resolver._outbox)
        wire(resolver, servers, now)
    return sent


def test_a_refusing_server_is_a_lost_try_and_the_next_one_is_asked_at_once():
    """REFUSED from the first nameserver sends the question to the second at once, as glibc's res_send does."""
    servers = {NS1: DnsServer(DnsZone("elsewhere", {})), NS2: DnsServer(zone())}
    resolver = DnsResolver([NS1, NS2], random.Random(1))
    qid = resolver.lookup("pc3.lab", 0)
    assert carry_until_quiet(resolver, servers, 0) == 2
    assert resolver.next_event() == Resolved(qid, 0, "pc3.lab.", (PC3,))


def test_every_server_refusing_asks_each_attempts_times_then_eai_again():
    """With both servers REFUSED, each is asked `attempts` times in turn without waiting (4 queries, as
    glibc 2.36 sends in a namespace), then EAI_AGAIN carrying the last refusal; dig's way stops at the first."""
    refusing = DnsServer(DnsZone("elsewhere", {}))
    resolver = DnsResolver([NS1, NS2], random.Random(1))
    resolver.lookup("pc3.lab", 0)
    assert carry_until_quiet(resolver, {NS1: refusing, NS2: refusing}, 0) == ATTEMPTS * 2
    event = resolver.next_event()
    assert isinstance(event, Failed) and event.error == "EAI_AGAIN" and event.time == 0
    assert event.reply.rcode == Rcode.REFUSED and event.server == NS2 and resolver.get_timer() is None
    dig = DnsResolver([NS1, NS2], random.Random(1), next_on_error=False)
    dig.lookup("pc3.lab", 0)
    assert carry_until_quiet(dig, {NS1: refusing, NS2: refusing}, 0) == 1
    assert dig.next_event().reply.rcode == Rcode.REFUSED


def test_an_answer_to_another_question_with_our_id_is_ignored():
    """A reply whose question differs from ours (a spoof or a stale answer) is not taken (RFC 5452 9.1)."""
    resolver = DnsResolver([NS1], random.Random(1))
    qid = resolver.lookup("pc3.lab", 0)
    resolver.messages_to_send(0)
    resolver.handle_message(Dns.query(qid, "pc4.lab").reply([]), 0)
    assert resolver.next_event() is None and resolver.get_timer() == TIMEOUT


def test_no_server_configured_fails_at_once():
    """A resolver without nameservers reports EAI_AGAIN immediately (glibc: no servers to try)."""
    resolver = DnsResolver([], random.Random(1))
    resolver.lookup("pc3.lab", 0)
    assert resolver.next_event().error == "EAI_AGAIN"


@given(st.binary(max_size=120))
def test_the_server_never_crashes_on_what_parses(data):
    """Any bytes that parse as DNS get an answer or None from the server, never an exception."""
    from lanlab.wire import WireError

    try:
        query = Dns.parse(data)[0]
    except WireError:
        return
    reply = DnsServer(zone()).answer(query)
    if reply is not None:
        try:
            reply.build()
        except WireError:
            pass  # a question name that cannot be rebuilt (an escaped label) is refused at build


def ask_edns(name: str, *opts: Edns) -> Dns:
    """A query for `name` with these OPT records, answered and read back off the wire."""
    query = Dns(1, (Question(normalise(name), DnsType.A),), additionals=tuple(e.record() for e in opts))
    return Dns.parse(DnsServer(zone()).answer(query).build())[0]


def test_an_edns_query_gets_an_opt_back_and_a_plain_one_none():
    """RFC 6891 7: an answer to a query with OPT carries one (version 0, the server's 1232 bytes);
    NXDOMAIN too; a query without OPT gets none."""
    reply = ask_edns("pc3.lab", Edns(4096))
    assert reply.edns == Edns(SERVER_UDP) and reply.answers[0].data == PC3
    assert ask_edns("nope.lab", Edns()).edns == Edns(SERVER_UDP)
    assert ask_edns("pc3.lab").additionals == ()


def test_a_later_edns_version_is_badvers_and_two_opts_formerr():
    """RFC 6891 6.1.3: version 1 is BADVERS (extended RCODE 1, header 0) with our version 0;
    6.1.1: two OPT records are FORMERR."""
    reply = ask_edns("pc3.lab", Edns(version=1))
    assert reply.rcode == 0 and reply.edns == Edns(SERVER_UDP, extended_rcode=1) and not reply.answers
    assert (reply.edns.extended_rcode << 4) | reply.rcode == Rcode.BADVERS
    assert ask_edns("pc3.lab", Edns(), Edns()).rcode == Rcode.FORMERR


def big_zone_reply(edns: Edns | None) -> tuple[Dns, Dns]:
    many = [IPv4Address(f"198.18.1.{i}") for i in range(1, 61)]  # 60 A records: 16 + 60 * 16 bytes
    server = DnsServer(DnsZone("lab", {"big": many}))
    query = Dns(1, (Question("big.lab."),), additionals=() if edns is None else (edns.record(),))
    return query, server.answer(query)


@pytest.mark.parametrize(
    ("edns", "limit", "cut"),
    [(None, 512, True), (Edns(512), 512, True), (Edns(1232), 1232, False), (Edns(65000), 1232, False)],
)
def test_the_udp_limit_is_512_or_the_askers_edns_size_up_to_ours(edns, limit, cut):
    """RFC 6891 6.2.3-6.2.5: 512 without EDNS; with it the asker's size, at least 512, at most the
    server's 1232. A reply past it goes as header, question and OPT with TC set (RFC 6891 7)."""
    query, reply = big_zone_reply(edns)
    assert udp_limit(query) == limit
    sent = Dns.parse(over_udp(query, reply))[0]
    assert bool(sent.tc) == cut and (sent.answers == ()) == cut and len(sent.build()) <= limit
    assert sent.edns == (None if edns is None else Edns(SERVER_UDP))
    if not cut:
        assert sent == Dns.parse(reply.build())[0]


def test_a_truncated_answer_sends_the_question_again_over_tcp_to_the_same_server():
    """RFC 7766 5: TC over UDP -> the same question, same id, to the same server in tcp_messages_to_send
    (not a new try: its timeout restarts); the TCP answer resolves; a lost TCP try goes on over TCP."""
    resolver = DnsResolver([NS1, NS2], random.Random(1))
    qid = resolver.lookup("big.lab", 0)
    [(server, query)] = resolver.messages_to_send(0)
    big = DnsServer(DnsZone("lab", {"big": [PC3] * 60}))  # 60 records: past 512 bytes
    truncated = Dns.parse(over_udp(query, big.answer(query)))[0]
    assert server == NS1 and truncated.tc
    resolver.handle_message(truncated, 1, NS1)
    assert resolver.messages_to_send(1) == [] and resolver.next_event() is None
    [(again, question)] = resolver.tcp_messages_to_send(1)
    assert (again, question.id, question.questions) == (NS1, qid, query.questions)
    assert resolver.get_timer() == 1 + TIMEOUT
    resolver.handle_timer(1 + TIMEOUT)  # that TCP try got nothing: the next server, still over TCP
    assert [s for s, _ in resolver.tcp_messages_to_send(1 + TIMEOUT)] == [NS2] and not resolver.messages_to_send(0)
    resolver.handle_message(Dns.parse(big.answer(query).build())[0], 2 + TIMEOUT, NS2)
    assert resolver.next_event().addresses == (PC3,) * 60
