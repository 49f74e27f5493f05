"""`pc1 dig pc3` and `pc1 nslookup pc3`: one DNS question over the wire, printed as BIND 9.18's tools print.

Both ask the host's resolv.conf servers (`dns:` or the DHCP lease; 127.0.0.1, as dig does, when
there is none) or `@SERVER`, with dig's timing (+time=5 +tries=3: three tries 5 s apart). dig
asks the name as given, absolute (it uses no search list unless +search); nslookup walks the
search list as BIND's does (a dotless name with the search domain first, then as it is; a name with a
dot as it is first; only an NXDOMAIN moves on to the next). dig sends EDNS(0) (RFC 6891) unless +noedns, as BIND's does;
nslookup sends none. Times are virtual: "Query time" in ms of simulated time, "WHEN" on the shim's
calendar (t=0 is 2026-01-01). nslookup asks AAAA after A, as the real one does (an address's PTR
for an address).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, Final

from lanlab.i18n import L_
from lanlab.proto.dns import Failed, Resolved, reverse_name
from lanlab.sim.commands.base import Command, CommandError, register_command
from lanlab.sim.devices import host_dns
from lanlab.sim.devices.host_dns import Lookup
from lanlab.units import MILLISECOND, SECOND
from lanlab.wire.errors import WireError
from lanlab.wire.dns import Dns, DnsType, Edns, Mx, Rcode, Record, Soa, check_name

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network

DIG_TIMEOUT: Final = 5 * SECOND  # dig(1): +time=5
DIG_TRIES: Final = 3  # dig(1): +tries=3
CALENDAR_START: Final = datetime(2026, 1, 1, tzinfo=UTC)  # the shim's time.time() at t=0
QUERY_TYPES: Final = {
    "A": DnsType.A,
    "NS": DnsType.NS,
    "CNAME": DnsType.CNAME,
    "SOA": DnsType.SOA,
    "PTR": DnsType.PTR,
    "MX": DnsType.MX,
    "TXT": DnsType.TXT,
    "AAAA": DnsType.AAAA,
    "ANY": DnsType.ANY,
}


def _column(text: str, stop: int) -> str:
    """`text` padded with tabs to column `stop` (a multiple of 8), or one space when already past it,
    as BIND's master-file printer lines up name, TTL, class, type and data."""
    column = len(text.expandtabs())
    if column >= stop:
        return text + " "
    return text + "\t" * ((stop - column + 7) // 8)


def _type_name(rtype: int) -> str:
    try:
        return DnsType(rtype).name
    except ValueError:
        return f"TYPE{rtype}"  # RFC 3597 5


def rdata_text(record: Record) -> str:
    """A record's data in master-file form: names absolute, SOA's seven fields, RFC 3597 for unknown types."""
    data = record.data
    if isinstance(data, Soa):
        return f"{data.mname} {data.rname} {data.serial} {data.refresh} {data.retry} {data.expire} {data.minimum}"
    if isinstance(data, Mx):
        return f"{data.preference} {data.exchange}"
    if isinstance(data, tuple):
        return " ".join('"' + s.decode("ascii", "backslashreplace").replace('"', '\\"') + '"' for s in data)
    if isinstance(data, bytes):
        return f"\\# {len(data)} {data.hex().upper()}".rstrip()
    return str(data)


def record_line(record: Record) -> str:
    """`pc3.lab.		300	IN	A	198.18.0.3`, dig's ANSWER SECTION line."""
    line = _column(_column(record.name, 24) + str(record.ttl), 32)
    return f"{line}IN\t{_type_name(record.rtype)}\t{rdata_text(record)}"


def flags_text(message: Dns) -> str:
    return " ".join(
        name
        for name, on in (
            ("qr", message.qr),
            ("aa", message.aa),
            ("tc", message.tc),
            ("rd", message.rd),
            ("ra", message.ra),
        )
        if on
    )


def status_text(rcode: int) -> str:
    try:
        return Rcode(rcode).name
    except ValueError:
        return f"RESERVED{rcode}"


def edns_lines(reply: Dns) -> list[str]:
    """dig's OPT PSEUDOSECTION (the answer's EDNS), none for an answer without one."""
    try:
        edns = reply.edns
    except WireError:
        return []
    if edns is None:
        return []
    flags = " do" if edns.do else ""
    return [";; OPT PSEUDOSECTION:", f"; EDNS: version: {edns.version}, flags:{flags}; udp: {edns.udp_size}"]


class _Ask(Command):
    """Shared by dig and nslookup: parse [@SERVER] NAME [TYPE], ask, keep the Lookup."""

    search = False  # nslookup walks the search list (BIND's next_origin); dig does not
    edns: Edns | None = None  # dig's OPT record (none with +noedns; nslookup sends none)

    def __init__(self, argv: list[str]) -> None:
        # dig's words are not argparse's (-x, +short, @server anywhere): read them in order, as dig does
        self.args = argparse.Namespace(words=list(argv))
        self.argv = argv
        self.server_word: str | None = None
        self.name: str | None = None
        self.qtype = int(DnsType.A)
        self.short = False
        self.parse_words(list(self.args.words))
        if self.name is None:
            raise CommandError(L_('{command}: give a name to look up, like "{command} pc3"', command=self.words))
        problem = check_name(self.name)
        if problem is not None:  # BIND's tools refuse it before asking (exit status 10 there)
            raise CommandError(
                L_(
                    "{command}: {name} is not a legal name ({problem})",
                    command=self.words,
                    name=repr(self.name),
                    problem=problem,
                )
            )

    def parse_words(self, words: list[str]) -> None:
        for word in words:
            if word.startswith("@"):
                self.server_word = word[1:]
            elif word.upper() in QUERY_TYPES and self.name is not None:
                self.qtype = QUERY_TYPES[word.upper()]
            elif self.name is None:
                self.name = word
            else:
                raise CommandError(
                    L_(
                        "{command}: {word}: give [@SERVER] NAME [TYPE] (TYPE one of {types})",
                        command=self.words,
                        word=repr(word),
                        types=", ".join(QUERY_TYPES),
                    )
                )

    def start(self, network: Network, host: Host, now: int) -> None:
        self.started_at = now
        if self.server_word is not None:
            servers: tuple[IPv4Address, ...] = (network.resolve_ip(self.server_word),)
        else:
            servers = host_dns.servers_of(host)  # no nameserver line: BIND's tools ask 127.0.0.1
        name = self.name or ""
        try:
            address = IPv4Address(name)
        except ValueError:
            pass
        else:
            if self.reverse_of_address():
                name, self.qtype = reverse_name(address), int(DnsType.PTR)
        search = host.resolver_search if self.search and self.qtype != DnsType.PTR else ""
        self.host = host
        self.lookup = Lookup(
            host,
            servers,
            name if search else name.rstrip(".") + ".",
            self.qtype,
            self.finished,
            search,
            self.edns,
            timeout=DIG_TIMEOUT,
            attempts=DIG_TRIES,
            next_on_error=False,  # dig shows the server's status: REFUSED
            tool_search=True,  # nslookup walks the search list as BIND's tools do: on past NXDOMAIN only
        )

    def reverse_of_address(self) -> bool:
        return True

    def finished(self, event: Resolved | Failed) -> None:
        """The lookup's end (nslookup then asks AAAA)."""

    @property
    def event(self) -> Resolved | Failed | None:
        return self.lookup.result

    def reply(self) -> Dns | None:
        event = self.event
        return event.reply if event is not None else None

    def answered(self) -> bool | None:
        return self.reply() is not None

    def running(self) -> bool:
        return self.event is None

    def result(self) -> dict[str, Any]:
        event, reply = self.event, self.reply()
        out: dict[str, Any] = {
            "server": str(self.lookup.last_server) if self.lookup.last_server else None,
            "name": event.name if event is not None else None,
            "status": None,
            "answers": [],
            "query_time_ms": None,
            "errors": [f"{server}#53: {why}" for server, why in self.lookup.errors],
        }
        if reply is not None and event is not None:
            out.update(
                status=status_text(reply.rcode),
                id=reply.id,
                flags=flags_text(reply),
                answers=[record_line(r) for r in reply.answers],
                authority=[record_line(r) for r in reply.authorities],
                query_time_ms=(event.time - self.lookup.sent_at) // MILLISECOND,
            )
        return out

    def error_lines(self) -> list[str]:
        return [f";; communications error to {server}#53: {why}" for server, why in self.lookup.errors]


@register_command
class Dig(_Ask):
    """dig [@SERVER] NAME [TYPE] | dig -x ADDRESS [+short]: ask a DNS server, print its whole answer as dig does"""

    words = "dig"

    def parse_words(self, words: list[str]) -> None:
        rest: list[str] = []
        reverse = False
        self.edns = Edns()  # BIND's dig: EDNS(0), UDP payload 1232
        for word in words:
            if word == "-x":
                reverse = True
            elif word in ("+short", "+noshort"):
                self.short = word == "+short"
            elif word in ("+edns", "+noedns"):
                self.edns = Edns() if word == "+edns" else None
            elif word.startswith("+"):
                if word.lstrip("+") not in ("nosearch", "cmd"):
                    raise CommandError(L_("dig: option {word} is not simulated (+short, +noedns are)", word=word))
            else:
                rest.append(word)
        self.reverse = reverse
        super().parse_words(rest)
        if reverse:
            try:
                IPv4Address(self.name or "")
            except ValueError:
                raise CommandError(L_("dig -x: {name} is not an IPv4 address", name=repr(self.name))) from None

    def reverse_of_address(self) -> bool:
        return self.reverse  # plain `dig 198.18.0.3` asks for the A record of that name, as dig does

    def lines(self) -> list[str]:
        reply, event = self.reply(), self.event
        if event is None:
            return self.error_lines()  # still waiting: Scheduled says the run cut it short
        if self.short:
            return (
                [rdata_text(r) for r in reply.answers]
                if reply is not None
                else self.error_lines() + [";; no servers could be reached"]
            )
        header = ["", f"; <<>> DiG (lanlab simulation) <<>> {' '.join(self.argv)}"]
        if self.server_word is not None:
            header.append("; (1 server found)")
        header.append(";; global options: +cmd")
        if self.lookup.tcp_queries:  # the UDP answer came truncated (TC): asked again over TCP, RFC 7766 5
            header.insert(0, ";; Truncated, retrying in TCP mode.")
        if reply is None:
            return self.error_lines() + header + [";; no servers could be reached"]
        counts = (
            f"QUERY: {len(reply.questions)}, ANSWER: {len(reply.answers)}, "
            f"AUTHORITY: {len(reply.authorities)}, ADDITIONAL: {len(reply.additionals)}"
        )
        out = (
            self.error_lines()
            + header
            + [
                ";; Got answer:",
                f";; ->>HEADER<<- opcode: QUERY, status: {status_text(reply.rcode)}, id: {reply.id}",
                f";; flags: {flags_text(reply)}; {counts}",
            ]
        )
        if reply.rd and not reply.ra:
            out.append(";; WARNING: recursion requested but not available")
        out += ["", *edns_lines(reply), ";; QUESTION SECTION:"]
        out += [_column(f";{q.name}", 32) + f"IN\t{_type_name(q.qtype)}" for q in reply.questions]
        for title, records in (
            ("ANSWER", reply.answers),
            ("AUTHORITY", reply.authorities),
            ("ADDITIONAL", tuple(r for r in reply.additionals if r.rtype != DnsType.OPT)),
        ):
            if records:
                out += ["", f";; {title} SECTION:"] + [record_line(r) for r in records]
        when = CALENDAR_START + timedelta(microseconds=event.time // 1000)
        server = self.lookup.last_server
        out += [
            "",
            f";; Query time: {(event.time - self.lookup.sent_at) // MILLISECOND} msec",
            f";; SERVER: {server}#53({server}) ({'TCP' if self.lookup.tcp_queries else 'UDP'})",
            f";; WHEN: {when.strftime('%a %b %d %H:%M:%S UTC %Y')}",
            f";; MSG SIZE  rcvd: {len(reply.build())}",
            "",
        ]
        return out


@register_command
class Nslookup(_Ask):
    """nslookup NAME|ADDRESS [SERVER]: look a name (or an address's PTR) up as nslookup prints it"""

    words = "nslookup"
    search = True
    aaaa: Lookup | None = None  # the AAAA question asked after the A answer, if one was

    def parse_words(self, words: list[str]) -> None:
        if len(words) == 2 and not words[1].startswith("@"):
            words = [words[0], "@" + words[1]]  # nslookup NAME SERVER
        if any(w.startswith("-") for w in words):
            raise CommandError(L_("nslookup: options are not simulated; give NAME [SERVER]"))
        super().parse_words(words)

    def answered(self) -> bool | None:
        reply = self.reply()
        return reply is not None and reply.rcode == Rcode.NOERROR

    def finished(self, event: Resolved | Failed) -> None:
        """After an A answer (NOERROR, records or none), the real nslookup asks the same server for the
        AAAA of the canonical name (the CNAME's target, when the A answer followed one); after an error
        or a PTR lookup it asks nothing more."""
        reply = event.reply
        if self.qtype != DnsType.A or reply is None or reply.rcode != Rcode.NOERROR or event.server is None:
            return
        aliases = [str(r.data) for r in reply.answers if r.rtype == DnsType.CNAME]
        self.aaaa = Lookup(
            self.host,
            (event.server,),
            aliases[-1] if aliases else event.name,
            int(DnsType.AAAA),
            lambda e: None,
            timeout=DIG_TIMEOUT,
            attempts=DIG_TRIES,
            next_on_error=False,  # dig shows the server's status: REFUSED
        )

    def running(self) -> bool:
        return super().running() or (self.aaaa is not None and self.aaaa.result is None)

    def aaaa_reply(self) -> Dns | None:
        event = self.aaaa.result if self.aaaa is not None else None
        return event.reply if event is not None else None

    def result(self) -> dict[str, Any]:
        """sim run's --json entry: the A lookup's, and the AAAA answer's lines (None when none was asked)."""
        out = super().result()
        reply = self.aaaa_reply()
        out["aaaa"] = (
            None
            if reply is None
            else {"status": status_text(reply.rcode), "answers": [record_line(r) for r in reply.answers]}
        )
        return out

    def lines(self) -> list[str]:
        reply, event = self.reply(), self.event
        if event is None:
            return self.error_lines()  # still waiting: Scheduled says the run cut it short
        if reply is None:
            return self.error_lines() + [";; no servers could be reached", ""]
        server = self.lookup.last_server
        if self.qtype == DnsType.PTR and reply.rcode == Rcode.NOERROR:
            return [f"{r.name.rstrip('.')}\tname = {r.data}" for r in reply.answers if r.rtype == DnsType.PTR] + [""]
        out = [f"Server:\t\t{server}", f"Address:\t{server}#53", ""]
        if reply.rcode != Rcode.NOERROR:
            return out + [f"** server can't find {event.name.rstrip('.')}: {status_text(reply.rcode)}", ""]
        aaaa = self.aaaa_reply()
        records = [*reply.answers, *(r for r in (aaaa.answers if aaaa is not None else ()) if r.rtype == DnsType.AAAA)]
        if not any(r.rtype in (DnsType.A, DnsType.AAAA) for r in records):
            return out + [f"*** Can't find {event.name.rstrip('.')}: No answer", ""]
        if not reply.aa:
            out.append("Non-authoritative answer:")
        for record in records:
            if record.rtype == DnsType.CNAME:
                out.append(f"{record.name.rstrip('.')}\tcanonical name = {record.data}")
            elif record.rtype in (DnsType.A, DnsType.AAAA):
                out += [f"Name:\t{record.name.rstrip('.')}", f"Address: {record.data}"]
            else:
                out.append(f"{record.name.rstrip('.')}\t{_type_name(record.rtype).lower()} = {rdata_text(record)}")
        return out + [""]
