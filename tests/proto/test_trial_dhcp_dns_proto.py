"""A hostile trial of the DHCP and DNS machines: what real servers and clients (BIND, dnsmasq, glibc, dhclient,
udhcpc) do with odd questions and odd answers, wired in memory."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network

import pytest

from lanlab.proto.dhcp import DhcpClient, DhcpServer, LendablePool
from lanlab.proto.dns import DnsResolver, DnsServer, DnsZone, Failed
from lanlab.units import SECOND
from lanlab.wire import BootOp, Dhcp, DhcpMessageType, DhcpOption, DhcpOptionCode, Dns, DnsType, Rcode, Record

PC3 = IPv4Address("198.18.0.3")
NS = IPv4Address("198.18.0.53")
MAC = "02:00:00:00:00:01"


def zone() -> DnsZone:
    return DnsZone("lab.test", {"pc3": [PC3]}, aliases={"www": "pc3", "gone": "nowhere"})


def ask(name: str, qtype: int = DnsType.A) -> tuple[Dns, bytes]:
    """The reply as it goes on the wire, parsed, and its bytes."""
    wire = DnsServer(zone()).answer(Dns.query(1, name, qtype)).build()
    return Dns.parse(wire)[0], wire


# --- the DNS server --------------------------------------------------------------------------------------


def test_the_answer_keeps_the_case_of_the_question():
    """PC3.Lab.TEST is answered as PC3.Lab.TEST. (as BIND and dnsmasq answer it), so the owner compresses to a
    pointer at the question: 57 bytes with dig's question, as dnsmasq's answer, not 69."""
    reply, wire = ask("PC3.Lab.TEST")
    assert [(r.name, r.data) for r in reply.answers] == [("PC3.Lab.TEST.", PC3)]
    assert len(wire) == 46  # 12 header + 18 question + 16 answer (owner a 2-byte pointer)


def test_any_at_the_apex_answers_its_ns_and_soa():
    """lab.test ANY holds the zone's NS and SOA records, not an empty NODATA."""
    reply, _ = ask("lab.test", DnsType.ANY)
    assert reply.rcode == Rcode.NOERROR
    assert sorted(r.rtype for r in reply.answers) == [DnsType.NS, DnsType.SOA]


def test_an_alias_to_a_missing_name_is_nxdomain_after_the_cname():
    """RFC 6604 2.1: the rcode is the last name's: the CNAME, then NXDOMAIN with the SOA."""
    reply, _ = ask("gone.lab.test")
    assert reply.rcode == Rcode.NXDOMAIN
    assert [r.rtype for r in reply.answers] == [DnsType.CNAME]
    assert [r.rtype for r in reply.authorities] == [DnsType.SOA]


def test_an_alias_to_a_name_without_that_type_carries_the_soa():
    """www MX: the CNAME to pc3, which has no MX: NODATA, so the SOA goes in the authority section (RFC 2308 2.2)."""
    reply, _ = ask("www.lab.test", DnsType.MX)
    assert reply.rcode == Rcode.NOERROR
    assert [r.rtype for r in reply.answers] == [DnsType.CNAME]
    assert [r.rtype for r in reply.authorities] == [DnsType.SOA]


def test_a_question_with_odd_bytes_is_echoed_as_asked():
    """A label holding a backslash comes back byte for byte in the reply's question (else the asker drops it)."""
    head = bytes.fromhex("123401000001000000000000")
    wire = head + b"\x02a\\\x03lab\x04test\x00\x00\x01\x00\x01"
    reply = DnsServer(zone()).answer(Dns.parse(wire)[0]).build()
    assert reply[12 : 12 + 16] == wire[12 : 12 + 16] and Dns.parse(reply)[0].rcode == Rcode.NXDOMAIN


# --- the stub resolver ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["a..b.lab.test", ".lab.test", "a" * 64 + ".lab.test", ".".join(["b" * 62] * 4) + ".lab.test"]
)
def test_a_name_that_cannot_be_asked_fails_at_once_as_unknown(name):
    """glibc's res_mkquery cannot write such a question: getaddrinfo says EAI_NONAME at once, nothing is sent
    (lanlab waited 10 s of retries for a query that never left and said EAI_AGAIN)."""
    resolver = DnsResolver([NS], random.Random(1))
    resolver.lookup(name, 0)
    event = resolver.next_event()
    assert isinstance(event, Failed) and event.error == "EAI_NONAME" and event.time == 0
    assert resolver.messages_to_send(0) == [] and resolver.get_timer() is None


def test_an_answer_naming_the_question_in_escapes_is_taken():
    """A name typed with a UTF-8 letter goes out as its bytes and comes back as \\DDD text: still the answer."""
    resolver = DnsResolver([NS], random.Random(1))
    resolver.lookup("ä.lab.test", 0)
    ((_, query),) = resolver.messages_to_send(0)
    reply = DnsServer(zone()).answer(Dns.parse(query.build())[0])
    resolver.handle_message(Dns.parse(reply.build())[0], 1, NS)
    event = resolver.next_event()
    assert isinstance(event, Failed) and event.error == "EAI_NONAME" and event.reply is not None


# --- the DHCP client against odd servers ------------------------------------------------------------------

SERVER_ID = DhcpOption.address(DhcpOptionCode.SERVER_ID, "198.18.0.2")


def bound_after(ack_options: list[DhcpOption], yiaddr: str = "198.18.0.100"):
    """A client offered `yiaddr` and acknowledged with `ack_options`: (its lease event or None, the client)."""
    client = DhcpClient(MAC, random.Random(1))
    client.start(0)
    xid = client.messages_to_send(0)[0].message.xid
    offer = Dhcp.new(BootOp.BOOTREPLY, xid, MAC, DhcpMessageType.OFFER, [SERVER_ID], yiaddr=IPv4Address(yiaddr))
    client.handle_message(offer, 0)
    if not client.messages_to_send(0):
        return None, client
    ack = Dhcp.new(
        BootOp.BOOTREPLY, xid, MAC, DhcpMessageType.ACK, [SERVER_ID, *ack_options], yiaddr=IPv4Address(yiaddr)
    )
    client.handle_message(ack, 0)
    if client.next_event() is None:
        return None, client
    client.probe_result(False, SECOND)
    return client.next_event(), client


def lease(seconds: int) -> DhcpOption:
    return DhcpOption.seconds(DhcpOptionCode.LEASE_TIME, seconds)


def test_a_mask_with_holes_is_ignored_not_a_crash():
    """255.0.255.0 is no netmask: the ACK is dropped (it raised NetmaskValueError out of the simulation)."""
    bound, _ = bound_after([lease(60), DhcpOption.address(DhcpOptionCode.SUBNET_MASK, "255.0.255.0")])
    assert bound is None


@pytest.mark.parametrize(
    "t1, t2, expect",
    [(3600, None, (39.375, 52.5)), (50, 40, (30, 40)), (None, 600, (30, 52.5))],
)
def test_t1_and_t2_past_the_lease_are_brought_inside_it(t1, t2, expect):
    """A server's T2 at or past the lease becomes 7/8 of it, a T1 past T2 3/4 of T2 (dhclient's rule): the
    client renews before its lease runs out instead of keeping the address after it."""
    options = [lease(60)]
    if t1 is not None:
        options.append(DhcpOption.seconds(DhcpOptionCode.RENEWAL_TIME, t1))
    if t2 is not None:
        options.append(DhcpOption.seconds(DhcpOptionCode.REBINDING_TIME, t2))
    bound, client = bound_after(options)
    assert (bound.renewal / SECOND, bound.rebinding / SECOND) == expect
    assert client.get_timer() < 60 * SECOND


@pytest.mark.parametrize("yiaddr", ["255.255.255.255", "127.0.0.1", "224.0.0.1", "240.0.0.1"])
def test_an_offer_of_an_address_no_host_can_have_is_ignored(yiaddr):
    """Broadcast, loopback, multicast and reserved addresses are not taken, whoever offers them."""
    bound, client = bound_after([lease(60)], yiaddr=yiaddr)
    assert bound is None and client.state.value == "SELECTING"


def test_the_subnets_broadcast_address_is_not_taken():
    """198.18.0.255 with mask /24 is the subnet's broadcast address: the ACK is dropped."""
    bound, _ = bound_after([lease(60), DhcpOption.address(DhcpOptionCode.SUBNET_MASK, "255.255.255.0")], "198.18.0.255")
    assert bound is None


@pytest.mark.parametrize(
    "data, domain", [(b"lab.test", "lab.test"), (b"lab.test\0", "lab.test"), (b"\xff\xfe bad", ""), (b"a b", "")]
)
def test_a_domain_option_that_is_no_name_is_discarded(data, domain):
    """Option 15 becomes the search domain only when it is a domain name (a trailing NUL dropped), as dhclient
    ('suspect value in domain_name option - discarded') and udhcpc do."""
    bound, _ = bound_after([lease(60), DhcpOption(DhcpOptionCode.DOMAIN_NAME, data)])
    assert bound.domain == domain


# --- the DHCP server's pool -------------------------------------------------------------------------------


def test_a_pool_of_the_servers_own_address_lends_nothing():
    """Only the server's own address, or only the broadcast address: nothing to lend (`dhcp serve` says so)."""
    net = IPv4Network("198.18.0.0/24")
    own = IPv4Address("198.18.0.1")
    assert list(LendablePool(own, net, (own, own))) == []
    assert list(LendablePool(own, net, (IPv4Address("198.18.0.255"),) * 2)) == []
    assert list(DhcpServer(own, net, (own, own), 60 * SECOND).pool) == []


def test_a_31_lends_both_of_its_addresses_but_the_servers():
    """RFC 3021: a /31 has no network or broadcast address; its other address can be lent."""
    own = IPv4Address("198.18.0.1")
    assert list(LendablePool(own, IPv4Network("198.18.0.0/31"), (IPv4Address("198.18.0.0"), own))) == [
        IPv4Address("198.18.0.0")
    ]


# --- the search list, as glibc 2.36's res_search and getaddrinfo walk it --------------------------------------

NX, NODATA, REFUSED, SERVFAIL = "NX", "NODATA", "REFUSED", "SERVFAIL"


def walk(name: str, answers: dict[str, str], tool_search: bool = False) -> tuple[list[str], str]:
    """Resolve `name` with `search lab.test` against a server answering each name as `answers` says (an
    address when absent): the names asked, in order, and the outcome (an address or the EAI_ error)."""
    resolver = DnsResolver([NS], random.Random(1), "lab.test", next_on_error=not tool_search, tool_search=tool_search)
    resolver.lookup(name, 0)
    asked: list[str] = []
    now = 0
    while (sent := resolver.messages_to_send(now)) and now < 100:
        now += 1
        for _, query in sent:
            question = query.questions[0]
            asked.append(question.name)
            kind = answers.get(question.name.rstrip("."))
            rcode = {NX: Rcode.NXDOMAIN, REFUSED: Rcode.REFUSED, SERVFAIL: Rcode.SERVFAIL}.get(kind, Rcode.NOERROR)
            records = [] if kind is not None else [Record(question.name, DnsType.A, PC3, 300)]
            resolver.handle_message(Dns.parse(query.reply(records, rcode=rcode).build())[0], now, NS)
    event = resolver.next_event()
    return list(dict.fromkeys(asked)), (event.error if isinstance(event, Failed) else str(event.addresses[0]))


@pytest.mark.parametrize(
    "name, answers, asked, outcome",
    [
        ("pc3", {"pc3.lab.test": NX}, ["pc3.lab.test.", "pc3."], "198.18.0.3"),
        ("nope", {"nope.lab.test": NX, "nope": REFUSED}, ["nope.lab.test.", "nope."], "EAI_AGAIN"),
        ("pc3", {"pc3.lab.test": REFUSED}, ["pc3.lab.test.", "pc3."], "198.18.0.3"),
        ("lab", {"lab.lab.test": NODATA, "lab": REFUSED}, ["lab.lab.test.", "lab."], "EAI_NODATA"),
        ("x", {"x.lab.test": REFUSED, "x": REFUSED}, ["x.lab.test.", "x."], "EAI_AGAIN"),
        ("pc3.lab", {"pc3.lab": REFUSED, "pc3.lab.lab.test": NX}, ["pc3.lab.", "pc3.lab.lab.test."], "EAI_NONAME"),
        ("a.test", {"a.test": NX, "a.test.lab.test": REFUSED}, ["a.test.", "a.test.lab.test."], "EAI_NONAME"),
        ("x.invalid", {"x.invalid": REFUSED, "x.invalid.lab.test": REFUSED}, None, "EAI_AGAIN"),
        ("lab.test", {"lab.test": NODATA, "lab.test.lab.test": NX}, None, "EAI_NODATA"),
        ("pc3.lab.test.", {}, ["pc3.lab.test."], "198.18.0.3"),
    ],
)
def test_the_search_list_is_walked_as_glibc_walks_it(name, answers, asked, outcome):
    """ndots:1: a dotless name with the domain first, then as given; a dotted one as given first, then with the
    domain; a trailing dot only as given. NXDOMAIN, NODATA and SERVFAIL move on, REFUSED ends the list (the name as
    given is still asked). The error: the first answer of a dotted name decides unless it was a refusal that a
    later NXDOMAIN answers; getaddrinfo in a namespace with `search lab.test` said each of these (2.36, no
    AI_CANONNAME; lab.test's -5 EAI_NODATA was read in tests/net/test_trial_dhcp_dns_glibc.py, the lab row follows
    res_search's got_nodata). lanlab asked one name only."""
    walked, result = walk(name, answers)
    assert result == outcome
    if asked is not None:
        assert walked == asked


def test_bind_tools_move_on_after_nxdomain_only():
    """nslookup nope: nope.lab.test is NXDOMAIN, then nope is asked and its REFUSED is the answer printed; a
    search name REFUSED ends the lookup there (BIND's next_origin)."""
    assert walk("nope", {"nope.lab.test": NX, "nope": REFUSED}, tool_search=True) == (
        ["nope.lab.test.", "nope."],
        "EAI_AGAIN",
    )
    assert walk("pc3", {"pc3.lab.test": REFUSED}, tool_search=True) == (["pc3.lab.test."], "EAI_AGAIN")


def test_each_name_of_the_search_list_gets_its_own_dns_id():
    """res_mkquery draws a fresh id for each name asked, as a capture of glibc shows."""
    resolver = DnsResolver([NS], random.Random(1), "lab.test")
    resolver.lookup("nope", 0)
    ((_, first),) = resolver.messages_to_send(0)
    resolver.handle_message(Dns.parse(first.reply(rcode=Rcode.NXDOMAIN).build())[0], 1, NS)
    ((_, second),) = resolver.messages_to_send(1)
    assert second.questions[0].name == "nope." and second.id != first.id


@pytest.mark.parametrize(
    "hostname, sent",
    [("pc1", b"pc1"), ("主机", "主机".encode()), ("主" * 30, ("主" * 21).encode()), ("h" * 300, b"h" * 64)],
)
def test_a_host_name_in_any_script_or_length_goes_out_as_linux_sends_it(hostname, sent):
    """A host named in Chinese (or past 255 characters) with ip: dhcp crashed the run at time 0 (its name did not
    encode as ASCII, or did not fit an option): option 12 is the name's UTF-8, cut at a character to 64 bytes
    (HOST_NAME_MAX), and the server's lease table shows it as written."""
    dhcp_client = DhcpClient(MAC, random.Random(1), hostname=hostname)
    dhcp_client.start(0)
    (discover,) = dhcp_client.messages_to_send(0)
    wire = discover.message.build()
    option = Dhcp.parse(wire)[0].option(DhcpOptionCode.HOSTNAME)
    assert option.data == sent
    dhcp_server = DhcpServer(
        IPv4Address("198.18.0.2"), IPv4Network("198.18.0.0/24"), (IPv4Address("198.18.0.100"),) * 2, 60 * SECOND
    )
    dhcp_server.handle_message(Dhcp.parse(wire)[0], 0)
    assert dhcp_server.leases(0)[0].hostname == sent.decode()
