"""How a host name, a service and the hints reach the C library from CPython's socket module, and glibc's
getaddrinfo rules before any name is looked up: the argument conversions of CPython 3.11+ (Modules/socketmodule.c)
and the checks of glibc 2.36 (sysdeps/posix/getaddrinfo.c), each with the words they fail with."""

from __future__ import annotations

import operator
import re
import socket as _real
import sys
from typing import Any, NamedTuple

from lanlab.sim.shim._arguments import c_int, type_name
from lanlab.sim.shim._services import port_of

# glibc's getaddrinfo takes these flags and no others (EAI_BADFLAGS): AI_PASSIVE up to AI_NUMERICSERV, the IDN
# ones (AI_IDN 0x40, AI_CANONIDN 0x80 and the deprecated 0x100, 0x200) included
AI_KNOWN = 0x7FF
# glibc's getnameinfo: NI_NUMERICHOST, NI_NUMERICSERV, NI_NOFQDN, NI_NAMEREQD, NI_DGRAM and NI_IDN (32)
NI_KNOWN = 0x3F
_NUMERIC_SERVICE = re.compile(r"\s*[+-]?[0-9]+")  # what strtoul reads whole


# glibc's own numbers where CPython names them only when the C library has them
EAI_NODATA = getattr(_real, "EAI_NODATA", -5)
EAI_ADDRFAMILY = getattr(_real, "EAI_ADDRFAMILY", -9)
# getaddrinfo's failures in glibc's gai_strerror words, by code
GAI_WORDS = {
    _real.EAI_NONAME: "Name or service not known",
    _real.EAI_AGAIN: "Temporary failure in name resolution",
    _real.EAI_FAIL: "Non-recoverable failure in name resolution",
    EAI_NODATA: "No address associated with hostname",
    EAI_ADDRFAMILY: "Address family for hostname not supported",
    _real.EAI_FAMILY: "ai_family not supported",
    _real.EAI_BADFLAGS: "Bad value for ai_flags",
    _real.EAI_SERVICE: "Servname not supported for ai_socktype",
    _real.EAI_SOCKTYPE: "ai_socktype not supported",
}
GAI_CODES = {  # the code of each failure proto.dns's Failed names
    "EAI_NONAME": _real.EAI_NONAME,
    "EAI_AGAIN": _real.EAI_AGAIN,
    "EAI_FAIL": _real.EAI_FAIL,
    "EAI_NODATA": EAI_NODATA,
}


def gaierror(code: int) -> OSError:
    """getaddrinfo's failure `code` as CPython raises it, with glibc's words."""
    return _real.gaierror(code, GAI_WORDS[code])


def no_name() -> OSError:
    return gaierror(_real.EAI_NONAME)


def _text(encoded: bytes) -> str:
    """The bytes the C library would be handed, as the text the simulator looks names up by (a name goes on
    the wire in UTF-8)."""
    return encoded.decode("utf-8", "replace")


def host_argument(call: str, name: Any) -> str:
    """A host name as CPython's gethostbyname, gethostbyname_ex and gethostbyaddr read it (the "et" format with
    the idna codec): a str is IDNA-encoded (nameprep: 'ｐｃ２' is 'pc2', '198。18。0。2' is '198.18.0.2'; an empty
    or 64-character label is the codec's UnicodeError), bytes and bytearray pass as they are, and a NUL inside
    is a TypeError."""
    if isinstance(name, str):
        encoded = name.encode("idna")
    elif isinstance(name, (bytes, bytearray)):
        encoded = bytes(name)
    else:
        raise TypeError(f"{call}() argument 1 must be str, bytes or bytearray, not {type_name(name)}")
    if b"\0" in encoded:
        raise TypeError(f"{call}() argument 1 must be encoded string without null bytes, not {type(name).__name__}")
    return _text(encoded)


def address_host(host: Any) -> str:
    """The host of an AF_INET address (bind, connect, sendto) as CPython's idna_converter reads it: an ASCII str
    as it is, another str IDNA-encoded (a failure is "encoding of hostname failed"), bytes and bytearray as they
    are; a NUL inside is a TypeError."""
    if isinstance(host, str):
        try:
            encoded = host.encode("ascii") if host.isascii() else host.encode("idna")
        except UnicodeError:
            raise TypeError("encoding of hostname failed") from None
    elif isinstance(host, (bytes, bytearray)):
        encoded = bytes(host)
    else:
        raise TypeError(f"str, bytes or bytearray expected, not {type(host).__name__}")
    if b"\0" in encoded:
        raise TypeError("host name must not contain null character")
    return _text(encoded)


def gai_host(host: Any) -> str | None:
    """getaddrinfo's host as CPython hands it to glibc: None, a str IDNA-encoded, bytes as they are (a bytearray
    is refused), and either up to its first NUL (PyBytes_AsString gives glibc a C string: 'pc2\\0junk' is
    'pc2')."""
    if host is None:
        return None
    if isinstance(host, str):
        encoded = host.encode("idna")
    elif isinstance(host, bytes):
        encoded = host
    else:
        raise TypeError("getaddrinfo() argument 1 must be string or None")
    return _text(encoded.split(b"\0", 1)[0])


def gai_service(port: Any) -> str | None:
    """getaddrinfo's port as CPython hands it to glibc: None, an int (exactly: not a bool) as its decimal text
    (before 3.12 only one that fits a C long), a str or bytes up to its first NUL; anything else is refused."""
    if port is None:
        return None
    if type(port) is int:
        if sys.version_info < (3, 12) and not -(2**63) <= port < 2**63:  # 3.12 passes any int as its text
            raise OverflowError("Python int too large to convert to C long")
        return str(port)
    if isinstance(port, str):
        return port.split("\0", 1)[0]
    if isinstance(port, bytes):
        return _text(port.split(b"\0", 1)[0])
    raise OSError("Int or String expected")


def port_number(service: str, flags: int) -> int | None:
    """A service's port as glibc's getaddrinfo reads it: strtoul's number when it reads the whole text, cut to
    a C int: a negative one is looked up as a name (and so unknown), any other taken modulo 65536 (70000 is
    4464); None for a name, which AI_NUMERICSERV refuses (EAI_NONAME)."""
    if _NUMERIC_SERVICE.fullmatch(service):
        value = int(service)
        value = value % 2**64 if -(2**64) < value < 2**64 else 2**64 - 1  # strtoul, saturated
        value &= 0xFFFFFFFF  # glibc keeps it in an int
        return None if value >= 2**31 else value & 0xFFFF
    if flags & _real.AI_NUMERICSERV:
        raise no_name()
    return None


class TypeProto(NamedTuple):
    """A row of glibc's gaih_inet_typeproto: a socket type, its protocol, the protocol's name in /etc/services,
    whether a lookup with no type or protocol lists it, and raw's two flags (any protocol; no service)."""

    socktype: int
    protocol: int
    name: str
    listed: bool = False
    raw: bool = False


SOCK_DCCP, SOCK_SEQPACKET = 6, 5  # Linux's numbers (CPython names only some of them)
IPPROTO_DCCP, IPPROTO_UDPLITE, IPPROTO_SCTP = 33, 136, 132
TYPEPROTO = (
    TypeProto(_real.SOCK_STREAM, _real.IPPROTO_TCP, "tcp", listed=True),
    TypeProto(_real.SOCK_DGRAM, _real.IPPROTO_UDP, "udp", listed=True),
    TypeProto(SOCK_DCCP, IPPROTO_DCCP, "dccp"),
    TypeProto(_real.SOCK_DGRAM, IPPROTO_UDPLITE, "udplite"),
    TypeProto(_real.SOCK_STREAM, IPPROTO_SCTP, "sctp"),
    TypeProto(SOCK_SEQPACKET, IPPROTO_SCTP, "sctp"),
    TypeProto(_real.SOCK_RAW, 0, "raw", listed=True, raw=True),
)


def _fits(row: TypeProto, socktype: int, protocol: int) -> bool:
    return (not socktype or socktype == row.socktype) and (not protocol or row.raw or protocol == row.protocol)


def socket_kinds(service: str | None, flags: int, socktype: int, protocol: int) -> list[tuple[int, int, int]]:
    """The (socket type, protocol, port) of each entry getaddrinfo returns for `service`, as glibc's gaih_inet
    chooses them before it looks the host up: the first row a type or protocol asked for fits (none:
    EAI_SOCKTYPE, or EAI_SERVICE when only a protocol was asked), raw takes no service (EAI_SERVICE); a port
    number, or none, gives that row, or with no type and protocol TCP, UDP and raw; a service name the rows
    whose protocol /etc/services lists it for (none: EAI_SERVICE)."""
    chosen = None
    if socktype or protocol:
        chosen = next((row for row in TYPEPROTO if _fits(row, socktype, protocol)), None)
        if chosen is None:
            if socktype:
                raise gaierror(_real.EAI_SOCKTYPE)
            raise gaierror(_real.EAI_SERVICE)
    if service is not None and chosen is not None and chosen.raw:
        raise gaierror(_real.EAI_SERVICE)
    number = 0 if service is None else port_number(service, flags)
    if number is not None:
        rows = [chosen] if chosen is not None else [row for row in TYPEPROTO if row.listed]
        return [(row.socktype, protocol if row.raw else row.protocol, number) for row in rows]
    assert service is not None
    rows = [chosen] if chosen is not None else [row for row in TYPEPROTO if not row.raw]
    found = [(row.socktype, row.protocol, port) for row in rows if (port := port_of(service, row.name)) is not None]
    if not found:
        raise gaierror(_real.EAI_SERVICE)
    return found


def socket_kind(value: int) -> Any:
    """A socket type as CPython's getaddrinfo returns it: a SocketKind, or the bare number for one the enum
    lacks (SOCK_DCCP)."""
    try:
        return _real.SocketKind(value)
    except ValueError:
        return value


def nameinfo_address(sockaddr: Any) -> tuple[str, int]:
    """getnameinfo's sockaddr as CPython reads it ("si|II"): a tuple of a str host and an int port, and a flow
    label and scope id; its errors, word for word."""
    if not isinstance(sockaddr, tuple):
        raise TypeError("getnameinfo() argument 1 must be a tuple")
    if not 2 <= len(sockaddr) <= 4 or not isinstance(sockaddr[0], str):
        raise TypeError("getnameinfo(): illegal sockaddr argument")
    host, port, *rest = sockaddr
    if "\0" in host:
        raise ValueError("embedded null character")
    port = c_int(port)
    unsigned = [operator.index(value) & 0xFFFFFFFF for value in rest]  # "I": no range check
    if unsigned and unsigned[0] > 0xFFFFF:
        raise OverflowError("getnameinfo(): flowinfo must be 0-1048575.")
    return host, port
