"""DNS messages (RFC 1035 4.1): header, questions, and answer/authority/additional records.

Names are text ("pc3.lab.", always absolute, root is "."), written as master files and dig write
them (RFC 1035 5.1): a label's own dot is "\\.", a backslash "\\\\", any byte that is not printable
ASCII (a space, UTF-8) "\\DDD" in decimal, so every name on the wire has one text and builds back to
its bytes; a name given with other characters (text from a user: "ä.test") is sent as their UTF-8
bytes, as dig and glibc send what they are given. Parsing follows compression pointers
(RFC 1035 4.1.4) and refuses a pointer that does not point strictly backwards, which is what
makes every pointer chain end (a loop would have to point forwards somewhere). Building
compresses every name the way most servers do: a suffix already written is replaced by a pointer
to it, in owner names and in the rdata of the types RFC 1035 defines with names (NS, CNAME, SOA,
PTR, MX; RFC 3597 4 forbids it for any other type). Record data of known types is decoded
(A, AAAA, NS, CNAME, PTR, MX, TXT, SOA); any other type keeps its bytes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from enum import IntEnum
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from lanlab.wire.errors import WireError, malformed, truncated
from lanlab.wire.fields import bits, Header, header, u16
from lanlab.wire.registry import register

PORT = 53
MAX_LABEL = 63  # RFC 1035 2.3.4
MAX_NAME = 255  # octets on the wire, length bytes included
POINTER = 0xC0
_ESCAPE = re.compile(r"\\(\d{3}|.)", re.DOTALL)  # RFC 1035 5.1: \DDD is a byte, \X is X itself
_PLAIN = frozenset(range(0x21, 0x7F)) - {ord("."), ord("\\")}  # label bytes shown as themselves


class DnsType(IntEnum):
    A = 1
    NS = 2
    CNAME = 5
    SOA = 6
    PTR = 12
    MX = 15
    TXT = 16
    AAAA = 28
    OPT = 41
    ANY = 255


class DnsClass(IntEnum):
    IN = 1
    ANY = 255


class Rcode(IntEnum):
    """RFC 1035 4.1.1, with tshark's words for them."""

    NOERROR = 0
    FORMERR = 1
    SERVFAIL = 2
    NXDOMAIN = 3
    NOTIMP = 4
    REFUSED = 5
    BADVERS = 16  # RFC 6891 9: 12 bits, its upper 8 in the OPT record (Edns.extended_rcode 1, header 0)


RCODE_WORDS: dict[int, str] = {
    Rcode.FORMERR: "Format error",
    Rcode.SERVFAIL: "Server failure",
    Rcode.NXDOMAIN: "No such name",
    Rcode.NOTIMP: "Not implemented",
    Rcode.REFUSED: "Refused",
}
NAME_TYPES = {DnsType.NS, DnsType.CNAME, DnsType.PTR}  # rdata is one name
COMPRESSED_RDATA = NAME_TYPES | {DnsType.SOA, DnsType.MX}  # RFC 3597 4: only these may compress


@dataclasses.dataclass(frozen=True, slots=True)
class Soa:
    mname: str
    rname: str
    serial: int
    refresh: int
    retry: int
    expire: int
    minimum: int


@dataclasses.dataclass(frozen=True, slots=True)
class Mx:
    preference: int
    exchange: str


@dataclasses.dataclass(frozen=True, slots=True)
class Question:
    name: str
    qtype: int = DnsType.A
    qclass: int = DnsClass.IN


@dataclasses.dataclass(frozen=True, slots=True)
class Record:
    """A resource record; `data` is an address, a name, Mx, Soa, a tuple of TXT strings, or bytes."""

    name: str
    rtype: int
    data: Any
    ttl: int = 0
    rclass: int = DnsClass.IN

    def text(self) -> str:
        """The record as tshark's Info column writes it: "A 198.18.0.3", "CNAME www.lab", "SOA ns.lab", "OPT"."""
        if self.rtype == DnsType.OPT:
            return "OPT"  # EDNS (RFC 6891): tshark names it and nothing more
        return f"{_type_name(self.rtype)} {_rdata_text(self.rtype, self.data)}"


@dataclasses.dataclass(frozen=True, slots=True)
class Edns:
    """What an OPT pseudo-record says (EDNS(0), RFC 6891 6.1.2-6.1.3): its CLASS is the sender's UDP
    payload size, its TTL the extended RCODE's upper 8 bits, the version and the DO bit; its data the
    options, each (code, data) (6.1.2: OPTION-CODE, OPTION-LENGTH, OPTION-DATA)."""

    udp_size: int = 1232  # BIND 9.18's edns-udp-size, and the DNS flag day 2020 figure
    extended_rcode: int = 0
    version: int = 0
    do: bool = False
    options: tuple[tuple[int, bytes], ...] = ()

    def record(self) -> Record:
        """The OPT record: owner the root (6.1.2), in a message's additional section."""
        data = b"".join(code.to_bytes(2, "big") + len(value).to_bytes(2, "big") + value for code, value in self.options)
        ttl = (self.extended_rcode << 24) | (self.version << 16) | (int(self.do) << 15)
        return Record(".", DnsType.OPT, data, ttl, self.udp_size)

    @classmethod
    def of(cls, record: Record) -> Edns:
        """The EDNS of an OPT record; WireError when its options overrun its data."""
        data = record.data if isinstance(record.data, bytes) else b""
        options, at = [], 0
        while at < len(data):
            if at + 4 > len(data):
                raise truncated("DNS", "EDNS option", at, at + 4, len(data))
            code, size = int.from_bytes(data[at : at + 2], "big"), int.from_bytes(data[at + 2 : at + 4], "big")
            if at + 4 + size > len(data):
                raise truncated("DNS", "EDNS option", at, at + 4 + size, len(data))
            options.append((code, data[at + 4 : at + 4 + size]))
            at += 4 + size
        ttl = record.ttl
        return cls(record.rclass, ttl >> 24, (ttl >> 16) & 0xFF, bool(ttl & 0x8000), tuple(options))


def _type_name(rtype: int) -> str:
    try:
        return DnsType(rtype).name
    except ValueError:
        return f"TYPE{rtype}"  # RFC 3597 5


def _rdata_text(rtype: int, data: Any) -> str:
    if isinstance(data, Mx):
        return f"{data.preference} {_shown(data.exchange)}"
    if isinstance(data, Soa):
        return _shown(data.mname)
    if isinstance(data, str):
        return _shown(data)
    if isinstance(data, tuple):
        return " ".join(repr(s.decode("ascii", "backslashreplace")) for s in data)
    if isinstance(data, bytes):
        return data.hex()
    return str(data)


def _shown(name: str) -> str:
    """A name as tshark shows it: no trailing dot, the root as "<Root>", its bytes as UTF-8 text ("ä.test", not
    dig's "\\195\\164.test"), and what a terminal would obey (controls, bidi overrides) as \\x1b or \\u202e: a
    peer's name in the event list cannot clear the screen or turn the line around."""
    labels, problem = _checked(name)
    # a name that cannot be on the wire (it never was: built by hand) is shown as given, escaped alike
    text = (
        name.rstrip(".")
        if problem is not None
        else ".".join(label.decode("utf-8", "backslashreplace") for label in labels)
    )
    return (
        "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in text)
        or "<Root>"
    )


def normalise(name: str) -> str:
    """The absolute form of a name: "pc3.lab" -> "pc3.lab.", "" -> "." (a final "\\." is a label's own dot)."""
    if not name.endswith("."):
        return name + "."
    backslashes = len(name[:-1]) - len(name[:-1].rstrip("\\"))  # an odd number escapes the final dot
    return name if backslashes % 2 == 0 else name + "."


def _label_text(label: bytes) -> str:
    """One label as text: printable ASCII as is, "." and "\\" escaped, any other byte as \\DDD (dig's way)."""
    return "".join(
        chr(byte) if byte in _PLAIN else "\\" + chr(byte) if byte in (0x2E, 0x5C) else f"\\{byte:03d}" for byte in label
    )


def _split(name: str) -> list[bytes]:
    """The labels of a name in text, escapes undone (no check of their lengths)."""
    labels: list[bytes] = []
    label = bytearray()
    at = 0
    while at < len(name):
        char = name[at]
        if char == "\\":
            escape = _ESCAPE.match(name, at)
            if escape is None:  # a backslash at the very end stands for itself
                label += b"\\"
                at += 1
                continue
            code = escape.group(1)
            if code.isdigit() and len(code) == 3:
                if int(code) > 255:
                    raise malformed("DNS", "name", 0, f"escape \\{code} in {name!r} is not a byte (000-255)")
                label.append(int(code))
            else:
                label += code.encode()
            at = escape.end()
        elif char == ".":
            labels.append(bytes(label))
            label = bytearray()
            at += 1
        else:
            label += char.encode()
            at += 1
    labels.append(bytes(label))
    return labels


def _checked(name: str) -> tuple[list[bytes], str | None]:
    """The labels of `name` (text) and, when it cannot be on the wire, why (dig's words for it)."""
    name = normalise(name)
    if name == ".":
        return [], None
    try:
        labels = _split(name)
    except WireError:
        return [], "bad escape"
    if labels[-1] != b"":
        return labels, "bad escape"  # it ends in an escaped dot ("a\\."): the root's dot is missing
    labels.pop()
    if any(not label for label in labels):
        return labels, "empty label"
    if any(len(label) > MAX_LABEL for label in labels):
        return labels, "label too long"
    if sum(len(label) + 1 for label in labels) + 1 > MAX_NAME:
        return labels, "ran out of space"
    return labels, None


def _labels(name: str) -> list[bytes]:
    labels, problem = _checked(name)
    if problem is not None:
        raise malformed("DNS", "name", 0, f"{normalise(name)!r} is not a valid name ({problem})")
    return labels


def check_name(name: str) -> str | None:
    """Why `name` (text) cannot be a name on the wire, in dig's words ("empty label", "label too long": over
    63 bytes, "ran out of space": over 255 in all, "bad escape"), or None when it can. glibc's res_mkquery
    and dig refuse such a name before anything is sent."""
    return _checked(name)[1]


def canonical(name: str) -> str:
    """The one text of a name as parsing writes it (escapes as RFC 1035 5.1, absolute), for comparing names;
    a name that cannot be on the wire is returned absolute and otherwise as given."""
    labels, problem = _checked(name)
    if problem is not None:
        return normalise(name)
    return ".".join(_label_text(label) for label in labels) + "."


class _Writer:
    """Builds a message, remembering where each name suffix was written (for compression pointers)."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.suffixes: dict[tuple[bytes, ...], int] = {}

    def name(self, name: str, compress: bool = True) -> None:
        labels = _labels(name)
        for i in range(len(labels)):
            suffix = tuple(labels[i:])  # exact case, so a message parses back to the names it was given
            where = self.suffixes.get(suffix) if compress else None
            if where is not None:
                self.out += (0xC000 | where).to_bytes(2, "big")
                return
            if len(self.out) < 0x4000:  # a pointer has 14 bits of offset
                self.suffixes.setdefault(suffix, len(self.out))
            self.out += bytes((len(labels[i]),)) + labels[i]
        self.out += b"\0"

    def rdata(self, rtype: int, data: Any) -> None:
        start = len(self.out)
        self.out += b"\0\0"  # rdlength, filled in below
        compress = rtype in COMPRESSED_RDATA
        if isinstance(data, bytes):
            self.out += data
        elif rtype == DnsType.A:
            self.out += IPv4Address(data).packed
        elif rtype == DnsType.AAAA:
            self.out += IPv6Address(data).packed
        elif rtype in NAME_TYPES:
            self.name(data, compress)
        elif rtype == DnsType.MX:
            self.out += data.preference.to_bytes(2, "big")
            self.name(data.exchange, compress)
        elif rtype == DnsType.SOA:
            self.name(data.mname, compress)
            self.name(data.rname, compress)
            for value in (data.serial, data.refresh, data.retry, data.expire, data.minimum):
                self.out += value.to_bytes(4, "big")
        elif rtype == DnsType.TXT:
            for string in data:
                if len(string) > 255:
                    raise malformed("DNS", "TXT", start, "a character-string holds at most 255 bytes")
                self.out += bytes((len(string),)) + string
        else:
            raise malformed("DNS", "rdata", start, f"give type {rtype}'s data as bytes")
        length = len(self.out) - start - 2
        if length > 0xFFFF:
            raise malformed("DNS", "rdata", start, f"{length} bytes do not fit rdlength")
        self.out[start : start + 2] = length.to_bytes(2, "big")


def _read_name(data: bytes, offset: int) -> tuple[str, int]:
    """The name at `offset` and the offset after it (after the first pointer, if it is compressed)."""
    labels: list[str] = []
    end: int | None = None
    length = 1
    position = offset
    while True:
        if position >= len(data):
            raise truncated("DNS", "name", offset, position + 1, len(data))
        size = data[position]
        if size & POINTER == POINTER:
            if position + 2 > len(data):
                raise truncated("DNS", "name", offset, position + 2, len(data))
            target = int.from_bytes(data[position : position + 2], "big") & 0x3FFF
            if target >= position:  # a pointer must point backwards: that is what ends every chain
                raise malformed("DNS", "name", position, f"compression pointer to {target} does not point back")
            if end is None:
                end = position + 2
            position = target
            continue
        if size & POINTER:
            raise malformed("DNS", "name", position, f"label type 0x{size & POINTER:02x} is not defined")
        if size == 0:
            break
        if position + 1 + size > len(data):
            raise truncated("DNS", "name", offset, position + 1 + size, len(data))
        length += size + 1
        if length > MAX_NAME:
            raise malformed("DNS", "name", offset, f"longer than {MAX_NAME} bytes")
        labels.append(_label_text(data[position + 1 : position + 1 + size]))
        position += 1 + size
    return ".".join(labels) + ".", (position + 1 if end is None else end)


def _read_rdata(data: bytes, rtype: int, start: int, end: int) -> Any:
    raw = data[start:end]
    if rtype == DnsType.A:
        if len(raw) == 4:
            return IPv4Address(raw)
    elif rtype == DnsType.AAAA:
        if len(raw) == 16:
            return IPv6Address(raw)
    elif rtype in NAME_TYPES:
        name, after = _read_name(data, start)
        if after == end:
            return name
    elif rtype == DnsType.MX:
        if len(raw) >= 3:
            name, after = _read_name(data, start + 2)
            if after == end:
                return Mx(int.from_bytes(raw[:2], "big"), name)
    elif rtype == DnsType.SOA:
        mname, after = _read_name(data, start)
        rname, after = _read_name(data, after)
        if after + 20 == end:
            return Soa(mname, rname, *(int.from_bytes(data[after + i : after + i + 4], "big") for i in range(0, 20, 4)))
    elif rtype == DnsType.TXT:
        strings, i = [], 0
        while i < len(raw) and i + 1 + raw[i] <= len(raw):
            strings.append(raw[i + 1 : i + 1 + raw[i]])
            i += 1 + raw[i]
        if raw and i == len(raw):
            return tuple(strings)
    else:
        return raw
    raise malformed("DNS", "rdata", start, f"{len(raw)} bytes are not a valid {_type_name(rtype)} record")


@header(
    "DNS",
    layout=(
        u16("id"),
        bits("H", ("qr", 1), ("opcode", 4), ("aa", 1), ("tc", 1), ("rd", 1), ("ra", 1), ("z", 3), ("rcode", 4)),
        u16("_qdcount"),
        u16("_ancount"),
        u16("_nscount"),
        u16("_arcount"),
    ),
)
class Dns(Header):
    """A DNS message. `z` keeps the three bits after RA (RFC 1035's Z; AD and CD in RFC 4035)."""

    id: int
    questions: tuple[Question, ...] = ()
    answers: tuple[Record, ...] = ()
    authorities: tuple[Record, ...] = ()
    additionals: tuple[Record, ...] = ()
    qr: int = 0
    opcode: int = 0
    aa: int = 0
    tc: int = 0
    rd: int = 1
    ra: int = 0
    z: int = 0
    rcode: int = 0

    @classmethod
    def query(cls, ident: int, name: str, qtype: int = DnsType.A) -> Dns:
        """A recursive standard query for one name (what a stub resolver sends)."""
        return cls(ident, (Question(normalise(name), qtype),))

    @property
    def opts(self) -> tuple[Record, ...]:
        """The OPT pseudo-records of the additional section (RFC 6891: one at most in a valid message)."""
        return tuple(record for record in self.additionals if record.rtype == DnsType.OPT)

    @property
    def edns(self) -> Edns | None:
        """The message's EDNS (its first OPT record's), None without one."""
        opts = self.opts
        return Edns.of(opts[0]) if opts else None

    def reply(
        self,
        answers: Sequence[Record] = (),
        rcode: int = Rcode.NOERROR,
        authoritative: bool = True,
        authorities: Sequence[Record] = (),
        additionals: Sequence[Record] = (),
    ) -> Dns:
        """The response to this query: same id and question, RD copied (RFC 1035 4.1.1)."""
        return Dns(
            self.id,
            self.questions,
            tuple(answers),
            tuple(authorities),
            tuple(additionals),
            qr=1,
            opcode=self.opcode,
            aa=int(authoritative),
            rd=self.rd,
            ra=0,
            rcode=rcode,
        )

    @classmethod
    def parse(cls, data: bytes | memoryview) -> tuple[Dns, bytes]:
        data = bytes(data)
        ident, qr, opcode, aa, tc, rd, ra, z, rcode, qdcount, ancount, nscount, arcount = cls._unpack(data)
        offset = cls.SIZE
        questions = []
        for _ in range(qdcount):
            name, offset = _read_name(data, offset)
            if offset + 4 > len(data):
                raise truncated(cls.NAME, "question", offset, offset + 4, len(data))
            questions.append(
                Question(
                    name,
                    int.from_bytes(data[offset : offset + 2], "big"),
                    int.from_bytes(data[offset + 2 : offset + 4], "big"),
                )
            )
            offset += 4
        sections: list[tuple[Record, ...]] = []
        for count in (ancount, nscount, arcount):
            records = []
            for _ in range(count):
                name, offset = _read_name(data, offset)
                if offset + 10 > len(data):
                    raise truncated(cls.NAME, "record", offset, offset + 10, len(data))
                rtype = int.from_bytes(data[offset : offset + 2], "big")
                rclass = int.from_bytes(data[offset + 2 : offset + 4], "big")
                ttl = int.from_bytes(data[offset + 4 : offset + 8], "big")
                rdlength = int.from_bytes(data[offset + 8 : offset + 10], "big")
                start, offset = offset + 10, offset + 10 + rdlength
                if offset > len(data):
                    raise truncated(cls.NAME, "rdata", start, offset, len(data))
                records.append(Record(name, rtype, _read_rdata(data, rtype, start, offset), ttl, rclass))
            sections.append(tuple(records))
        return cls._new(ident, tuple(questions), *sections, qr, opcode, aa, tc, rd, ra, z, rcode), data[offset:]

    def build(self, payload: bytes = b"") -> bytes:
        writer = _Writer()
        writer.out += self._pack(
            self.id,
            self.qr,
            self.opcode,
            self.aa,
            self.tc,
            self.rd,
            self.ra,
            self.z,
            self.rcode,
            len(self.questions),
            len(self.answers),
            len(self.authorities),
            len(self.additionals),
        )
        for question in self.questions:
            writer.name(question.name)
            writer.out += question.qtype.to_bytes(2, "big") + question.qclass.to_bytes(2, "big")
        for record in (*self.answers, *self.authorities, *self.additionals):
            writer.name(record.name)
            writer.out += (
                record.rtype.to_bytes(2, "big") + record.rclass.to_bytes(2, "big") + record.ttl.to_bytes(4, "big")
            )
            writer.rdata(record.rtype, record.data)
        return bytes(writer.out) + payload

    def summary(self) -> str:
        """tshark's Info: "Standard query 0x1a2b A pc3.lab" / "Standard query response 0x1a2b A pc3.lab A 198.18.0.3"."""
        words = ["Standard query" if self.opcode == 0 else f"Opcode {self.opcode}"]
        if self.qr:
            words[0] += " response"
        words.append(f"0x{self.id:04x}")
        if self.qr and self.rcode:
            words.append(RCODE_WORDS.get(self.rcode, f"Rcode {self.rcode}"))
        for question in self.questions:
            words.append(f"{_type_name(question.qtype)} {_shown(question.name)}")
        words += [record.text() for record in (*self.answers, *self.authorities, *self.additionals)]
        return " ".join(words)


def _dns_summary(h: Dns, below: Sequence[object], payload: bytes) -> tuple[str, str]:
    return "DNS", h.summary()


register(Dns, under=[("udp_port", PORT)], summary=_dns_summary)
