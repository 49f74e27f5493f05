"""DNS, sans-IO: an authoritative server for one zone and a stub resolver (RFC 1034/1035).

Server: `answer(query) -> Dns | None` (a machine that only answers its caller returns a decision,
DESIGN.md): A, PTR (the in-addr.arpa names of its A records, RFC 1035 3.5), CNAME (followed
inside the zone, RFC 1034 4.3.2), NS and SOA at the apex; NXDOMAIN for a name the zone lacks,
REFUSED for one outside it, NOTIMP for an opcode other than QUERY, FORMERR for no question.

Resolver (what `gethostbyname` does on a host with a resolv.conf): `lookup(name, now)` returns a
query id; `messages_to_send(now)` -> (server, Dns) over UDP, `tcp_messages_to_send(now)` -> the same
over TCP (a lookup whose UDP answer came truncated asks again over TCP, RFC 7766 5, as glibc's
res_send and dig do); `handle_message(message, now)` for replies to either; `get_timer`/`handle_timer` retransmit as glibc does (timeout 5 s, 2 attempts per server,
servers in turn: resolv.conf(5) `timeout:5 attempts:2`); `next_event()` -> `Resolved | Failed`,
Failed naming getaddrinfo's error (EAI_NONAME: the name does not exist; EAI_AGAIN: no answer).
With a search domain a name is asked as glibc's res_search asks it (ndots:1: a dotless name with the
domain first, a dotted one as given first; NXDOMAIN, NODATA and SERVFAIL move on), and the error is the
one getaddrinfo gives after such a walk (the trial's table, tests/proto/test_trial_dhcp_dns_proto.py,
was read off glibc 2.36 asking dnsmasq in a namespace). A name no question can hold (an empty label, a
label over 63 bytes, over 255 in all) fails at once with EAI_NONAME, nothing sent, as res_mkquery does.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address
from typing import Final

from lanlab.units import SECOND
from lanlab.wire.dns import Dns, DnsClass, DnsType, Edns, Question, Rcode, Record, Soa, canonical, check_name, normalise
from lanlab.wire.errors import WireError

TIMEOUT: Final = 5 * SECOND  # resolv.conf(5): "timeout:5"
ATTEMPTS: Final = 2  # resolv.conf(5): "attempts:2"
TTL: Final = 300
UDP_LIMIT: Final = 512  # RFC 1035 4.2.1: a UDP message without EDNS; longer answers set TC
SERVER_UDP: Final = 1232  # the largest UDP answer this server sends to an EDNS query (BIND 9.18's max-udp-size)
EDNS_VERSION: Final = 0
MAX_CNAME_CHAIN: Final = 8
_TRY_NEXT: Final = frozenset((Rcode.SERVFAIL, Rcode.NOTIMP, Rcode.REFUSED))  # answers a stub resolver moves on from


def reverse_name(address: IPv4Address) -> str:
    """198.18.0.3 -> "3.0.18.198.in-addr.arpa." (RFC 1035 3.5)."""
    return ".".join(reversed(str(address).split("."))) + ".in-addr.arpa."


class DnsZone:
    """One zone's records: names (absolute, lower case) -> A addresses and CNAME targets."""

    def __init__(
        self,
        origin: str,
        addresses: dict[str, list[IPv4Address]] | None = None,
        aliases: dict[str, str] | None = None,
        ttl: int = TTL,
        bare_names: bool = False,
    ) -> None:
        """`bare_names`: a name one label below the origin is also answered by that label alone, as
        dnsmasq answers the names of /etc/hosts and of its DHCP clients ("pc3." and, with expand-hosts,
        "pc3.lab."); PTR records still name the full name."""
        self.origin = canonical(origin).lower()
        self.ttl = ttl
        self.addresses: dict[str, list[IPv4Address]] = {}
        self.aliases: dict[str, str] = {}
        for name, listed in (addresses or {}).items():
            self.addresses[self.absolute(name)] = list(listed)
        for name, target in (aliases or {}).items():
            self.aliases[self.absolute(name)] = self.absolute(target)
        self.pointers: dict[str, str] = {}
        for name, listed in self.addresses.items():
            for address in listed:
                self.pointers.setdefault(reverse_name(address), name)
        if bare_names:
            depth = self.origin.count(".") + 1  # labels of a name one below the origin
            for name in [n for n in self.addresses if n.count(".") == depth]:
                self.addresses.setdefault(name.split(".", 1)[0] + ".", self.addresses[name])
            for name in [n for n in self.aliases if n.count(".") == depth]:
                self.aliases.setdefault(name.split(".", 1)[0] + ".", self.aliases[name])

    def absolute(self, name: str) -> str:
        """A name relative to the zone made absolute ("pc3" -> "pc3.lab."); absolute names stay. Names are
        kept lower case in the text parsing gives them (a byte that is not printable ASCII as \\DDD)."""
        name = name.lower()
        if not name.endswith("."):
            name = self.origin if name in ("", "@") else f"{name}.{self.origin}"
        return canonical(name).lower()

    def holds(self, name: str) -> bool:
        return (
            name == self.origin
            or name.endswith("." + self.origin)
            or name in self.pointers
            or name in self.addresses
            or name in self.aliases
        )


class DnsServer:
    """An authoritative server: answers from its zone, never recurses (RA = 0)."""

    def __init__(self, zone: DnsZone, server_name: str = "ns") -> None:
        self.zone = zone
        self.server_name = zone.absolute(server_name)
        self.answered = 0
        self.refused = 0

    def answer(self, query: Dns) -> Dns | None:
        """The reply to `query`, or None for a message that is itself a reply (never answer those)."""
        if query.qr:
            return None
        opts = query.opts
        try:
            edns = query.edns
        except WireError:
            edns = None
            opts = (*opts, *opts)  # options that overrun their record: malformed as two OPTs are
        if len(opts) > 1 or (opts and opts[0].name != "."):  # RFC 6891 6.1.1: one OPT, owned by the root
            return query.reply(rcode=Rcode.FORMERR, authoritative=False)
        if edns is None:
            return self._answer(query, ())
        if edns.version > EDNS_VERSION:  # RFC 6891 6.1.3: BADVERS, with the version we speak
            return query.reply(authoritative=False, additionals=[Edns(SERVER_UDP, extended_rcode=1).record()])
        return self._answer(query, (Edns(SERVER_UDP).record(),))  # RFC 6891 7: an OPT in every answer to one

    def _answer(self, query: Dns, additionals: tuple[Record, ...]) -> Dns:
        """The answer from the zone; `additionals` (the OPT) goes in every reply."""
        if query.opcode != 0:
            return query.reply(rcode=Rcode.NOTIMP, authoritative=False, additionals=additionals)
        if len(query.questions) != 1:
            return query.reply(rcode=Rcode.FORMERR, authoritative=False, additionals=additionals)
        (question,) = query.questions
        name = canonical(question.name).lower()
        if not self.zone.holds(name):
            self.refused += 1
            return query.reply(rcode=Rcode.REFUSED, authoritative=False, additionals=additionals)
        self.answered += 1
        if question.qclass != DnsClass.IN:  # the zone is class IN: nothing of another class (CH, HS, ANY), not
            # authoritative, NOERROR for a name it has and NXDOMAIN for one it has not, as dnsmasq answers
            rcode = Rcode.NOERROR if self._has(name) else Rcode.NXDOMAIN
            return query.reply(rcode=rcode, authoritative=False, additionals=additionals)
        answers: list[Record] = []
        owner = question.name  # the name as asked, case kept, as BIND and dnsmasq answer (and compress) it
        for _ in range(MAX_CNAME_CHAIN):  # RFC 1034 4.3.2 step 3a: follow the alias, answering both
            target = self.zone.aliases.get(name)
            if target is None or question.qtype == DnsType.CNAME:
                break
            answers.append(Record(owner, DnsType.CNAME, target, self.zone.ttl))
            name = owner = target
        found = self._records(name, question.qtype, owner)
        if not self._has(name):  # RFC 6604 2.1: the rcode is the last name's, after the aliases that led to it
            return query.reply(answers, rcode=Rcode.NXDOMAIN, authorities=[self._soa()], additionals=additionals)
        # NODATA (RFC 2308 2.2), at the name asked or at the end of its aliases, carries the SOA
        return query.reply(answers + found, authorities=[] if found else [self._soa()], additionals=additionals)

    def _has(self, name: str) -> bool:
        """Whether the zone has `name` (any record: its NXDOMAIN is for a name it has not)."""
        zone = self.zone
        return name in zone.addresses or name in zone.aliases or name in zone.pointers or name == zone.origin

    def _records(self, name: str, qtype: int, owner: str) -> list[Record]:
        """`name`'s records of `qtype` (ANY: all it has, the apex's NS and SOA too), owned by `owner`."""
        ttl = self.zone.ttl
        wanted = {qtype} if qtype != DnsType.ANY else {DnsType.A, DnsType.PTR, DnsType.CNAME, DnsType.NS, DnsType.SOA}
        records: list[Record] = []
        if DnsType.A in wanted:
            records += [Record(owner, DnsType.A, a, ttl) for a in self.zone.addresses.get(name, ())]
        if DnsType.PTR in wanted and name in self.zone.pointers:
            records.append(Record(owner, DnsType.PTR, self.zone.pointers[name], ttl))
        if DnsType.CNAME in wanted and name in self.zone.aliases:
            records.append(Record(owner, DnsType.CNAME, self.zone.aliases[name], ttl))
        if name == self.zone.origin:
            if DnsType.NS in wanted:
                records.append(Record(owner, DnsType.NS, self.server_name, ttl))
            if DnsType.SOA in wanted:
                records.append(self._soa(owner))
        return records

    def _soa(self, owner: str | None = None) -> Record:
        return Record(
            self.zone.origin if owner is None else owner,
            DnsType.SOA,
            Soa(self.server_name, "hostmaster." + self.zone.origin, 1, 3600, 600, 86400, self.zone.ttl),
            self.zone.ttl,
        )


def udp_limit(query: Dns) -> int:
    """The largest UDP answer to `query`: 512 bytes, or with EDNS the asker's payload size (never
    below 512, RFC 6891 6.2.3) up to the server's own (6.2.5)."""
    try:
        edns = query.edns
    except WireError:
        return UDP_LIMIT
    return UDP_LIMIT if edns is None else max(UDP_LIMIT, min(edns.udp_size, SERVER_UDP))


def over_udp(query: Dns, reply: Dns) -> bytes:
    """The reply's bytes for UDP: whole when they fit `udp_limit(query)`, else the header and question
    with TC set (RFC 1035 4.2.1, RFC 2181 9) and the OPT kept (RFC 6891 7), for the asker to retry
    over TCP (RFC 7766 5)."""
    data = reply.build()
    if len(data) <= udp_limit(query):
        return data
    return Dns(
        reply.id,
        reply.questions,
        additionals=reply.opts,
        qr=1,
        opcode=reply.opcode,
        aa=reply.aa,
        tc=1,
        rd=reply.rd,
        rcode=reply.rcode,
    ).build()


TCP_LIMIT: Final = 0xFFFF  # RFC 1035 4.2.2: a message on TCP is preceded by its length in two bytes


def over_tcp(reply: Dns) -> bytes:
    """The reply's bytes for TCP: whole when they fit in 65,535 bytes (RFC 1035 4.2.2; a name with some 4,000
    addresses does not), else as many of its answers as fit with TC set and the OPT kept, as BIND renders an
    answer too large for its buffer."""
    data = reply.build()
    if len(data) <= TCP_LIMIT:
        return data

    def cut(count: int) -> bytes:
        return replace(reply, answers=reply.answers[:count], authorities=(), tc=1).build()

    fits, too_many = 0, len(reply.answers)  # cut(fits) fits, cut(too_many) does not
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        if len(cut(middle)) <= TCP_LIMIT:
            fits = middle
        else:
            too_many = middle
    return cut(fits)


# --- the stub resolver -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    """`name` has `addresses` (after following `aliases`); for a PTR lookup, `names`."""

    query_id: int
    time: int
    name: str
    addresses: tuple[IPv4Address, ...]
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    # the message that answered and who sent it (dig prints them); not part of what was resolved
    reply: Dns | None = field(default=None, compare=False)
    server: IPv4Address | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Failed:
    """The lookup failed: `error` is getaddrinfo's name for it (EAI_NONAME, EAI_NODATA: the name is there without
    such a record, EAI_AGAIN, EAI_FAIL)."""

    query_id: int
    time: int
    name: str
    error: str
    # the error reply (NXDOMAIN, REFUSED...) and its sender; None when no server answered
    reply: Dns | None = field(default=None, compare=False)
    server: IPv4Address | None = field(default=None, compare=False)


NDOTS: Final = 1  # resolv.conf(5) "ndots:1": a name with a dot is first asked as it is
_HOST_NAME_BYTES: Final = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def is_host_name(name: str) -> bool:
    """Whether glibc's res_hnok takes `name` (text, escapes as RFC 1035 5.1), which its getaddrinfo and
    gethostbyname ask of no server otherwise (EAI_NONAME at once): printable ASCII without spaces, each label of
    letters, digits, '-' and '_' once its escapes are undone, the first not starting with '-'. Lengths are
    check_name's."""
    if not all(0x20 < ord(char) < 0x7F for char in name):
        return False
    labels: list[bytearray] = [bytearray()]
    at = 0
    while at < len(name):
        char = name[at]
        if char == "\\":
            # ns_name_pton: a digit after the backslash starts exactly three, at most 255; nothing after it is
            # no name (glibc then asks no server: EAI_NONAME)
            if name[at + 1 : at + 2].isdigit():
                digits = name[at + 1 : at + 4]
                if len(digits) < 3 or not digits.isdigit() or int(digits) > 255:
                    return False
                labels[-1].append(int(digits))
                at += 4
                continue
            if at + 1 == len(name):
                return False
            labels[-1] += name[at + 1 : at + 2].encode("ascii")
            at += 2
            continue
        if char == ".":
            labels.append(bytearray())
        else:
            labels[-1].append(ord(char))
        at += 1
    if labels[0][:1] == b"-":
        return False
    return all(byte in _HOST_NAME_BYTES for label in labels for byte in label)


@dataclass(slots=True)
class _Lookup:
    query_id: int  # the caller's handle; also the DNS id of the first name asked
    name: str  # the name being asked now (one of the search candidates)
    qtype: int
    started: int
    tries: int = 0
    deadline: int = 0
    tcp: bool = False  # a truncated answer came: the tries from now on go over TCP
    # the latest SERVFAIL, NOTIMP or REFUSED answer and its sender, for the failure once no try is left
    refusal: tuple[Dns, IPv4Address | None] | None = None
    unreachable: int = 0  # tries of this name that met ICMP port unreachable (ECONNREFUSED)
    # what is still to ask: (absolute name, from the search list), in glibc's res_search order
    candidates: list[tuple[str, bool]] = field(default_factory=list)
    searching: bool = False  # the name asked now comes from the search list
    as_is_first: bool = False  # the name as given was asked first (it had a dot)
    wire_id: int = -1  # the DNS id of the name asked now: res_mkquery draws a new one for each name
    # glibc's res_search remembers: the failure of the name as given when it was asked first (saved_herrno),
    # a NODATA and a SERVFAIL met on the search list; each (kind, reply, server)
    first: tuple[str, Dns | None, IPv4Address | None] | None = None
    nodata: tuple[str, Dns | None, IPv4Address | None] | None = None
    servfail: tuple[str, Dns | None, IPv4Address | None] | None = None


# How a name's lookup ended without an address (glibc's h_errno): NX (HOST_NOT_FOUND), NODATA (NO_DATA),
# SERVFAIL and AGAIN (TRY_AGAIN: refused, not implemented, no answer), UNREACH (no server listening,
# ECONNREFUSED), FAIL (NO_RECOVERY: any other rcode). An answer that says the name is not there ends the
# search differently from one that could not be had: see DnsResolver._name_failed.
_DEFINITE: Final = frozenset(("NX", "NODATA"))
_ERRORS: Final = {"NX": "EAI_NONAME", "NODATA": "EAI_NODATA", "FAIL": "EAI_FAIL"}  # glibc's getaddrinfo


class DnsResolver:
    """A stub resolver with resolv.conf's `nameserver`s and `search` domain (glibc's defaults)."""

    def __init__(
        self,
        servers: list[IPv4Address],
        rng: random.Random,
        search: str = "",
        timeout: int = TIMEOUT,
        attempts: int = ATTEMPTS,
        edns: Edns | None = None,
        next_on_error: bool = True,
        tool_search: bool = False,
        host_names: bool = False,
    ) -> None:
        """`timeout` and `attempts` per server: glibc's by default; dig's are 5 s and 3 tries (+time, +tries).
        `edns`: an OPT record in every query (dig's default); glibc sends none unless `options edns0`.
        `next_on_error`: a SERVFAIL, NOTIMP or REFUSED answer is a lost try, as glibc's; dig reports it.
        `tool_search`: walk the search list as BIND's nslookup and dig +search do (only NXDOMAIN moves on to
        the next name; the answer reported is the last one) rather than as glibc's res_search.
        `host_names`: an address lookup of a name that is no host name (is_host_name) fails at once with
        EAI_NONAME, nothing sent, as glibc's getaddrinfo and gethostbyname do (dig and nslookup ask anything)."""
        self.servers = list(servers)
        self.edns = edns
        self.rng = rng
        self.timeout = timeout
        self.attempts = attempts
        self.next_on_error = next_on_error
        self.tool_search = tool_search
        self.host_names = host_names
        self.search = normalise(search) if search else ""
        self._pending: dict[int, _Lookup] = {}
        self._outbox: list[tuple[IPv4Address, Dns]] = []
        self._tcp_outbox: list[tuple[IPv4Address, Dns]] = []
        self._events: deque[Resolved | Failed] = deque()

    def candidates(self, name: str) -> list[tuple[str, bool]]:
        """The names `name` is asked as, in order, each with whether it comes from the search list (glibc's
        res_search, ndots:1): a name ending in a dot as it is; one with a dot as it is, then with the search
        domain; a dotless one with the search domain, then as it is. A candidate that cannot be written (the
        domain made it too long) is left out."""
        if name.endswith("."):
            return [(name, False)]
        as_is = (name + ".", False)
        searched = [(f"{name}.{self.search}", True)] if self.search else []
        listed = [as_is, *searched] if name.count(".") >= NDOTS else [*searched, as_is]
        return [(text, search) for text, search in listed if check_name(text) is None]

    def lookup(self, name: str, now: int, qtype: int = DnsType.A) -> int:
        """Start resolving `name` (through the search list, as glibc does); the lookup's handle, which is also
        the DNS id of its first question (each further name of the search list gets an id of its own)."""
        query_id = self.rng.getrandbits(16)
        while query_id in self._pending:
            query_id = (query_id + 1) & 0xFFFF
        if check_name(name) is not None or (self.host_names and qtype != DnsType.PTR and not is_host_name(name)):
            # an empty label, a label over 63 bytes, a name over 255: glibc's res_mkquery cannot write the
            # question; a name res_hnok refuses ("pc 3", "-pc3", "*.lab"): glibc's nss_dns asks nothing. Nothing
            # is sent and getaddrinfo says EAI_NONAME at once (as for an unknown name)
            self._events.append(Failed(query_id, now, normalise(name), "EAI_NONAME"))
            return query_id
        candidates = self.candidates(name)
        first, searching = candidates.pop(0)
        lookup = _Lookup(
            query_id,
            canonical(first),
            qtype,
            now,
            candidates=candidates,
            searching=searching,
            as_is_first=not searching,
            wire_id=query_id,
        )
        if not self.servers:
            self._events.append(Failed(query_id, now, lookup.name, "EAI_AGAIN"))
            return query_id
        self._pending[query_id] = lookup
        self._send(lookup, now)
        return query_id

    def handle_message(self, message: Dns, now: int, source: IPv4Address | None = None) -> None:
        lookup = self._find(message.id)
        if lookup is None or not message.qr or not message.questions:
            return
        asked = message.questions[0]
        if canonical(asked.name).lower() != lookup.name.lower() or asked.qtype != lookup.qtype:
            return  # an answer to some other question with the same id: not ours (RFC 5452 9.1)
        if message.tc and not lookup.tcp:
            # RFC 7766 5 (glibc's res_send: "v_circuit = 1; goto same_ns"): the same server, over TCP, a fresh timeout
            lookup.tcp = True
            self._send(lookup, now, self.servers[(lookup.tries - 1) % len(self.servers)])
            return
        if message.rcode in _TRY_NEXT and self.next_on_error and lookup.tries < self.attempts * len(self.servers):
            # glibc's res_send (send_dg: "goto next_ns"): such an answer is a lost try; the next server in
            # turn is asked at once, every server `attempts` times, before the lookup fails with TRY_AGAIN
            lookup.refusal = (message, source)
            self._send(lookup, now)
            return
        if message.rcode == Rcode.NXDOMAIN:
            self._name_failed(lookup, "NX", message, source, now)
            return
        if message.rcode != Rcode.NOERROR:
            # SERVFAIL, NOTIMP and REFUSED with no try left are TRY_AGAIN; any other error rcode is
            # NO_RECOVERY (glibc's res_query)
            kind = "SERVFAIL" if message.rcode == Rcode.SERVFAIL else "AGAIN" if message.rcode in _TRY_NEXT else "FAIL"
            self._name_failed(lookup, kind, message, source, now)
            return
        aliases = tuple(str(r.data) for r in message.answers if r.rtype == DnsType.CNAME)
        addresses = tuple(r.data for r in message.answers if r.rtype == DnsType.A)
        names = tuple(str(r.data) for r in message.answers if r.rtype == DnsType.PTR)
        if not addresses and not names:
            self._name_failed(lookup, "NODATA", message, source, now)
            return
        del self._pending[lookup.query_id]
        self._events.append(Resolved(lookup.query_id, now, lookup.name, addresses, aliases, names, message, source))

    def _name_failed(self, lookup: _Lookup, kind: str, reply: Dns | None, server: IPv4Address | None, now: int) -> None:
        """The name asked now has no address (`kind`, as in _DEFINITE's comment): ask the next name of the
        search list, or end the lookup with the error glibc's res_search and getaddrinfo give."""
        outcome = (kind, reply, server)
        if lookup.as_is_first and lookup.first is None:
            lookup.first = outcome  # res_search's saved_herrno: it decides if nothing on the search list answers
        if lookup.searching:
            if self.tool_search:
                go_on = kind == "NX"  # BIND's next_origin: only NXDOMAIN tries the next name
            else:
                go_on = kind in ("NX", "NODATA", "SERVFAIL")  # res_search keeps trying on these
                if kind == "NODATA":
                    lookup.nodata = lookup.nodata or outcome
                if kind == "SERVFAIL":
                    lookup.servfail = lookup.servfail or outcome
            if kind == "UNREACH" or (not go_on and self.tool_search):
                lookup.candidates = []  # res_search: "If no server present, give up"; BIND's tools stop here
            elif not go_on:
                lookup.candidates = [c for c in lookup.candidates if not c[1]]  # still the name as given
        if lookup.candidates:
            name, searching = lookup.candidates.pop(0)
            lookup.name, lookup.searching = canonical(name), searching
            lookup.wire_id = self.rng.getrandbits(16)
            lookup.tries, lookup.tcp, lookup.refusal, lookup.unreachable = 0, False, None, 0
            self._send(lookup, now)
            return
        del self._pending[lookup.query_id]
        decided = outcome if self.tool_search else lookup.first or lookup.nodata or lookup.servfail or outcome
        error = _ERRORS.get(decided[0])
        if error is None or (kind == "UNREACH" and lookup.searching):
            # TRY_AGAIN (and no server at all on the search list, where res_search returns at once): glibc
            # says EAI_AGAIN, unless the last name asked was answered "not there"
            error = "EAI_NONAME" if kind in _DEFINITE else "EAI_AGAIN"
        self._events.append(Failed(lookup.query_id, now, lookup.name, error, decided[1], decided[2]))

    def handle_unreachable(self, query_id: int, now: int) -> None:
        """The server's host said port unreachable (ICMP): glibc's send_dg sees ECONNREFUSED and tries
        the next server at once, without waiting out the timeout (res_send.c)."""
        lookup = self._find(query_id)
        if lookup is not None:
            lookup.unreachable += 1
            lookup.deadline = now
            self.handle_timer(now)

    def _find(self, ident: int) -> _Lookup | None:
        """The pending lookup whose handle or current DNS id is `ident`."""
        lookup = self._pending.get(ident)
        if lookup is not None and lookup.wire_id == ident:
            return lookup
        return next((pending for pending in self._pending.values() if pending.wire_id == ident), lookup)

    def get_timer(self) -> int | None:
        return min((lookup.deadline for lookup in self._pending.values()), default=None)

    def handle_timer(self, now: int) -> None:
        for lookup in list(self._pending.values()):
            if lookup.deadline > now:
                continue
            if lookup.tries >= self.attempts * len(self.servers):
                reply, server = lookup.refusal or (None, None)
                if reply is not None:
                    kind = "SERVFAIL" if reply.rcode == Rcode.SERVFAIL else "AGAIN"
                else:  # every try unanswered: ECONNREFUSED when each met port unreachable, else ETIMEDOUT
                    kind = "UNREACH" if lookup.unreachable >= lookup.tries else "AGAIN"
                self._name_failed(lookup, kind, reply, server, now)
            else:
                self._send(lookup, now)

    def messages_to_send(self, now: int) -> list[tuple[IPv4Address, Dns]]:
        out, self._outbox = self._outbox, []
        return out

    def tcp_messages_to_send(self, now: int) -> list[tuple[IPv4Address, Dns]]:
        """Queries to send over TCP, each on a connection of its own (2-byte length first, RFC 1035 4.2.2)."""
        out, self._tcp_outbox = self._tcp_outbox, []
        return out

    def next_event(self) -> Resolved | Failed | None:
        return self._events.popleft() if self._events else None

    def server_of(self, query_id: int) -> IPv4Address | None:
        """The server the latest try of a pending lookup went to."""
        lookup = self._pending.get(query_id)
        return None if lookup is None else self.servers[(lookup.tries - 1) % len(self.servers)]

    def _send(self, lookup: _Lookup, now: int, server: IPv4Address | None = None) -> None:
        """The next try (`server`: the same one again, over TCP after TC, which is not a new try)."""
        if server is None:
            server = self.servers[lookup.tries % len(self.servers)]  # glibc tries each server in turn per attempt
            lookup.tries += 1
        lookup.deadline = now + self.timeout
        opt = () if self.edns is None else (self.edns.record(),)
        question = Question(lookup.name, lookup.qtype, DnsClass.IN)
        (self._tcp_outbox if lookup.tcp else self._outbox).append(
            (server, Dns(lookup.wire_id, (question,), additionals=opt))
        )
