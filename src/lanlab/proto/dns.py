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
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import Final

from lanlab.units import SECOND
from lanlab.wire.dns import Dns, DnsClass, DnsType, Edns, Question, Rcode, Record, Soa, normalise
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
        self.origin = normalise(origin).lower()
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
        """A name relative to the zone made absolute ("pc3" -> "pc3.lab."); absolute names stay."""
        name = name.lower()
        if name.endswith("."):
            return name
        return self.origin if name in ("", "@") else f"{name}.{self.origin}"

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
        name = question.name.lower()
        if not self.zone.holds(name):
            self.refused += 1
            return query.reply(rcode=Rcode.REFUSED, authoritative=False, additionals=additionals)
        self.answered += 1
        answers: list[Record] = []
        for _ in range(MAX_CNAME_CHAIN):  # RFC 1034 4.3.2 step 3a: follow the alias, answering both
            target = self.zone.aliases.get(name)
            if target is None or question.qtype == DnsType.CNAME:
                break
            answers.append(Record(name, DnsType.CNAME, target, self.zone.ttl))
            name = target
        answers += self._records(name, question.qtype)
        exists = (
            name in self.zone.addresses
            or name in self.zone.aliases
            or name in self.zone.pointers
            or name == self.zone.origin
        )
        if not answers and not exists:
            return query.reply(rcode=Rcode.NXDOMAIN, authorities=[self._soa()], additionals=additionals)
        # NODATA carries the SOA
        return query.reply(answers, authorities=[] if answers else [self._soa()], additionals=additionals)

    def _records(self, name: str, qtype: int) -> list[Record]:
        ttl = self.zone.ttl
        wanted = {qtype} if qtype != DnsType.ANY else {DnsType.A, DnsType.PTR, DnsType.CNAME}
        records: list[Record] = []
        if DnsType.A in wanted:
            records += [Record(name, DnsType.A, a, ttl) for a in self.zone.addresses.get(name, ())]
        if DnsType.PTR in wanted and name in self.zone.pointers:
            records.append(Record(name, DnsType.PTR, self.zone.pointers[name], ttl))
        if DnsType.CNAME in wanted and name in self.zone.aliases:
            records.append(Record(name, DnsType.CNAME, self.zone.aliases[name], ttl))
        if name == self.zone.origin:
            if DnsType.NS in wanted or qtype == DnsType.NS:
                records.append(Record(name, DnsType.NS, self.server_name, ttl))
            if DnsType.SOA in wanted or qtype == DnsType.SOA:
                records.append(self._soa())
        return records

    def _soa(self) -> Record:
        return Record(
            self.zone.origin,
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
    """The lookup failed: `error` is getaddrinfo's name for it (EAI_NONAME, EAI_AGAIN, EAI_FAIL)."""

    query_id: int
    time: int
    name: str
    error: str
    # the error reply (NXDOMAIN, REFUSED...) and its sender; None when no server answered
    reply: Dns | None = field(default=None, compare=False)
    server: IPv4Address | None = field(default=None, compare=False)


@dataclass(slots=True)
class _Lookup:
    query_id: int
    name: str
    qtype: int
    started: int
    tries: int = 0
    deadline: int = 0
    tcp: bool = False  # a truncated answer came: the tries from now on go over TCP
    # the latest SERVFAIL, NOTIMP or REFUSED answer and its sender, for the failure once no try is left
    refusal: tuple[Dns, IPv4Address | None] | None = None


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
    ) -> None:
        """`timeout` and `attempts` per server: glibc's by default; dig's are 5 s and 3 tries (+time, +tries).
        `edns`: an OPT record in every query (dig's default); glibc sends none unless `options edns0`.
        `next_on_error`: a SERVFAIL, NOTIMP or REFUSED answer is a lost try, as glibc's; dig reports it."""
        self.servers = list(servers)
        self.edns = edns
        self.rng = rng
        self.timeout = timeout
        self.attempts = attempts
        self.next_on_error = next_on_error
        self.search = normalise(search) if search else ""
        self._pending: dict[int, _Lookup] = {}
        self._outbox: list[tuple[IPv4Address, Dns]] = []
        self._tcp_outbox: list[tuple[IPv4Address, Dns]] = []
        self._events: deque[Resolved | Failed] = deque()

    def lookup(self, name: str, now: int, qtype: int = DnsType.A) -> int:
        """Start resolving `name` (a dotless name gets the search domain, as `ndots:1` does); the query id."""
        absolute = name if name.endswith(".") or "." in name or not self.search else f"{name}.{self.search}"
        query_id = self.rng.getrandbits(16)
        while query_id in self._pending:
            query_id = (query_id + 1) & 0xFFFF
        lookup = _Lookup(query_id, normalise(absolute), qtype, now)
        self._pending[query_id] = lookup
        if not self.servers:
            del self._pending[query_id]
            self._events.append(Failed(query_id, now, lookup.name, "EAI_AGAIN"))
            return query_id
        self._send(lookup, now)
        return query_id

    def handle_message(self, message: Dns, now: int, source: IPv4Address | None = None) -> None:
        lookup = self._pending.get(message.id)
        if lookup is None or not message.qr or not message.questions:
            return
        if message.questions[0].name.lower() != lookup.name.lower() or message.questions[0].qtype != lookup.qtype:
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
        del self._pending[message.id]
        if message.rcode == Rcode.NXDOMAIN:
            self._events.append(Failed(lookup.query_id, now, lookup.name, "EAI_NONAME", message, source))
            return
        if message.rcode != Rcode.NOERROR:
            self._events.append(
                Failed(
                    lookup.query_id,
                    now,
                    lookup.name,
                    # SERVFAIL, NOTIMP and REFUSED with no try left are TRY_AGAIN: EAI_AGAIN;
                    # any other error rcode is NO_RECOVERY: EAI_FAIL (glibc's res_query)
                    "EAI_AGAIN" if message.rcode in _TRY_NEXT else "EAI_FAIL",
                    message,
                    source,
                )
            )
            return
        aliases = tuple(str(r.data) for r in message.answers if r.rtype == DnsType.CNAME)
        addresses = tuple(r.data for r in message.answers if r.rtype == DnsType.A)
        names = tuple(str(r.data) for r in message.answers if r.rtype == DnsType.PTR)
        if not addresses and not names:
            self._events.append(Failed(lookup.query_id, now, lookup.name, "EAI_NONAME", message, source))  # NODATA
            return
        self._events.append(Resolved(lookup.query_id, now, lookup.name, addresses, aliases, names, message, source))

    def handle_unreachable(self, query_id: int, now: int) -> None:
        """The server's host said port unreachable (ICMP): glibc's send_dg sees ECONNREFUSED and tries
        the next server at once, without waiting out the timeout (res_send.c)."""
        lookup = self._pending.get(query_id)
        if lookup is not None:
            lookup.deadline = now
            self.handle_timer(now)

    def get_timer(self) -> int | None:
        return min((lookup.deadline for lookup in self._pending.values()), default=None)

    def handle_timer(self, now: int) -> None:
        for lookup in list(self._pending.values()):
            if lookup.deadline > now:
                continue
            if lookup.tries >= self.attempts * len(self.servers):
                del self._pending[lookup.query_id]
                reply, server = lookup.refusal or (None, None)
                self._events.append(Failed(lookup.query_id, now, lookup.name, "EAI_AGAIN", reply, server))
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
            (server, Dns(lookup.query_id, (question,), additionals=opt))
        )
