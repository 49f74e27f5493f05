"""Which socket options Linux knows, at which level, which way, and what an untouched one reads:
so getsockopt and setsockopt on a simulated socket answer a program as Linux 6.x does (socket(7), ip(7),
tcp(7), udp(7)), errors included. The numbers are the kernel's (asm-generic/socket.h, linux/in.h,
linux/tcp.h, linux/udp.h); Python's socket module names only some of them, and programs pass the
others as numbers (IP_MTU_DISCOVER = 10).

A program's constants are its platform's (the simulated socket module exports the real one's), so the
Linux tables apply on Linux only; elsewhere every option is taken, and the defaults are those of the
options the platform's module names."""

from __future__ import annotations

import errno as E
import socket as _real
import struct
import sys
from collections.abc import Callable
from ipaddress import IPv4Address
from typing import Any, Final

ON_LINUX: Final = sys.platform.startswith("linux")
SOL_SOCKET: Final = _real.SOL_SOCKET
IPPROTO_IP: Final = _real.IPPROTO_IP
IPPROTO_TCP: Final = _real.IPPROTO_TCP
IPPROTO_UDP: Final = _real.IPPROTO_UDP
SO_RCVTIMEO: Final = _real.SO_RCVTIMEO  # the struct timeval forms (SO_RCVTIMEO_OLD, 20, on 64-bit Linux)
SO_SNDTIMEO: Final = _real.SO_SNDTIMEO
# The kernel's numbers of options Python's socket module does not name (linux/in.h, asm-generic/socket.h)
IP_MTU: Final = 14  # the MTU of the connected socket's route
IP_MTU_DISCOVER: Final = 10  # path MTU discovery: DONT 0, WANT 1 (the default), DO 2, PROBE 3, INTERFACE 4, OMIT 5
PMTUDISC_DONT, PMTUDISC_WANT, PMTUDISC_DO, PMTUDISC_PROBE, PMTUDISC_INTERFACE, PMTUDISC_OMIT = 0, 1, 2, 3, 4, 5
IP_RECVERR: Final = 11  # every ICMP error reaches the socket, not only a connected one's hard errors
SO_BINDTODEVICE: Final = 25
TCP_USER_TIMEOUT: Final = 18  # ms that sent data may stay unacknowledged (RFC 5482)
TCP_CA_NAME_MAX: Final = 16  # the congestion control's name as TCP_CONGESTION reads it: NUL-padded
# what a connection's timers follow: SO_KEEPALIVE on, the TCP_KEEP* times, TCP_USER_TIMEOUT (Linux's names)
TIMER_OPTIONS: Final = frozenset(
    {(SOL_SOCKET, _real.SO_KEEPALIVE)}
    | (
        {
            (IPPROTO_TCP, _real.TCP_KEEPIDLE),
            (IPPROTO_TCP, _real.TCP_KEEPINTVL),
            (IPPROTO_TCP, _real.TCP_KEEPCNT),
            (IPPROTO_TCP, TCP_USER_TIMEOUT),
        }
        if ON_LINUX
        else set()
    )
)


class Level:
    """One level's options: every number the kernel has, those it only reads (setting one is
    ENOPROTOOPT), those it only takes (reading one is ENOPROTOOPT) and those of other families
    (EOPNOTSUPP either way on an AF_INET socket)."""

    def __init__(
        self,
        known: set[int],
        read_only: frozenset[int] | set[int] = frozenset(),
        write_only: frozenset[int] | set[int] = frozenset(),
        not_inet: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        self.known = frozenset(known)
        self.read_only = frozenset(read_only)
        self.write_only = frozenset(write_only)
        self.not_inet = frozenset(not_inet)

    def error(self, option: int, setting: bool) -> int | None:
        """ENOPROTOOPT for a number this level does not have or one that does not go this way,
        EOPNOTSUPP for one an AF_INET socket cannot have."""
        if option not in self.known or option in (self.read_only if setting else self.write_only):
            return E.ENOPROTOOPT
        if option in self.not_inet:
            return E.EOPNOTSUPP
        return None


SOCKET_LEVEL = Level(
    set(range(1, 84)) - {22, 23, 24, 31, 54, 58, 78, 79, 81},  # 22-24 SO_SECURITY_*, 31 SO_PEERSEC: not inet's
    # SO_TYPE, SO_ERROR, SO_PEERCRED, SO_SNDLOWAT (fixed at 1), SO_PEERNAME, SO_ACCEPTCONN, SO_PROTOCOL,
    # SO_DOMAIN, SO_BPF_EXTENSIONS, SO_MEMINFO, SO_INCOMING_NAPI_ID, SO_COOKIE, SO_PEERGROUPS,
    # SO_NETNS_COOKIE, SO_PEERPIDFD
    read_only={3, 4, 17, 19, 28, 30, 38, 39, 48, 55, 56, 57, 59, 71, 77},
    # SO_SNDBUFFORCE, SO_RCVBUFFORCE, the filter attach/detach calls, SO_CNX_ADVICE, SO_DETACH_REUSEPORT_BPF,
    # SO_BUSY_POLL_BUDGET, SO_DEVMEM_DONTNEED
    write_only={32, 33, 50, 51, 52, 53, 68, 70, 80},
    not_inet={16, 34, 76, 83},  # SO_PASSCRED, SO_PASSSEC, SO_PASSPIDFD, SO_PASSRIGHTS: AF_UNIX and netlink only
)
IP_LEVEL = Level(
    set(range(1, 27)) | set(range(32, 53)),
    read_only={3, 14, 22, 52},  # IP_HDRINCL and IP_NODEFRAG (raw sockets only), IP_MTU, IP_PROTOCOL
    write_only={16, 17, *range(35, 41), *range(42, 48)},  # policies, membership and source-filter calls
)
TCP_LEVEL = Level(
    (set(range(1, 38)) - {15}) | {43},
    read_only={11, 26, 28, 35, 43},  # TCP_INFO, TCP_CC_INFO, TCP_SAVED_SYN, TCP_ZEROCOPY_RECEIVE, TCP_IS_MPTCP
    write_only={14, 22, 32},  # TCP_MD5SIG, TCP_REPAIR_OPTIONS, TCP_MD5SIG_EXT
)
UDP_LEVEL = Level({1, 100, 101, 102, 103, 104})  # UDP_CORK, UDP_ENCAP, UDP_NO_CHECK6_*, UDP_SEGMENT, UDP_GRO


def option_error(tcp: bool, level: int, option: int, setting: bool) -> int | None:
    """The errno Linux answers (get|set)sockopt(level, option) with on an AF_INET socket, or None.

    A level the socket's protocol does not handle falls through to IPv4's (tcp_getsockopt, udp_getsockopt),
    which refuses any level but its own: EOPNOTSUPP to a get, ENOPROTOOPT to a set (do_ip_getsockopt,
    do_ip_setsockopt)."""
    if not ON_LINUX:
        return None
    if level == SOL_SOCKET:
        return SOCKET_LEVEL.error(option, setting)
    if level == (IPPROTO_TCP if tcp else IPPROTO_UDP):
        return (TCP_LEVEL if tcp else UDP_LEVEL).error(option, setting)
    if level == IPPROTO_IP:
        return IP_LEVEL.error(option, setting)
    return E.ENOPROTOOPT if setting else E.EOPNOTSUPP


def _known_options(*names: tuple[int, str]) -> frozenset[tuple[int, int]]:
    """(level, option number) of the named options this platform's socket module has."""
    return frozenset((level, getattr(_real, name)) for level, name in names if hasattr(_real, name))


def _defaults(named: dict[tuple[int, str], int], unnamed: dict[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    """What options read before any set: those this platform's socket module names, by its numbers, and
    on Linux the `unnamed` ones, by the kernel's numbers."""
    values = {(level, getattr(_real, name)): value for (level, name), value in named.items() if hasattr(_real, name)}
    return {**(unnamed if ON_LINUX else {}), **values}


# What an option reads before any set, where it is not 0 (as Linux 6.x answers on a fresh socket; the
# buffer sizes are the sysctl defaults, net.ipv4.tcp_rmem and tcp_wmem for TCP, net.core.*mem_default for UDP)
DEFAULT_RCVBUF = 131072
DEFAULT_SNDBUF = 16384
UDP_DEFAULT_BUFFER = 212992
_EITHER = {
    (SOL_SOCKET, "SO_RCVLOWAT"): 1,
    (SOL_SOCKET, "SO_SNDLOWAT"): 1,
    (SOL_SOCKET, "SO_DOMAIN"): int(_real.AF_INET),
    (IPPROTO_IP, "IP_TTL"): 64,  # net.ipv4.ip_default_ttl
    (IPPROTO_IP, "IP_MULTICAST_TTL"): 1,
    (IPPROTO_IP, "IP_MULTICAST_LOOP"): 1,
    (SOL_SOCKET, "SO_PEERCRED"): bytes(4) + b"\xff" * 8,  # struct ucred of no peer process: pid 0, uid and gid -1
}
_EITHER_UNNAMED = {
    (SOL_SOCKET, 42): -1,  # SO_PEEK_OFF: off
    (SOL_SOCKET, 47): -1,  # SO_MAX_PACING_RATE: unlimited
    (SOL_SOCKET, 48): 64,  # SO_BPF_EXTENSIONS: SKF_AD_MAX
    (SOL_SOCKET, 49): -1,  # SO_INCOMING_CPU: none yet
    (IPPROTO_IP, IP_MTU_DISCOVER): PMTUDISC_WANT,  # net.ipv4.ip_no_pmtu_disc = 0
    (IPPROTO_IP, 49): 1,  # IP_MULTICAST_ALL
    (IPPROTO_IP, 4): b"",  # IP_OPTIONS: none
}
TCP_DEFAULTS = _defaults(
    {
        **_EITHER,
        (SOL_SOCKET, "SO_TYPE"): int(_real.SOCK_STREAM),
        (SOL_SOCKET, "SO_PROTOCOL"): int(_real.IPPROTO_TCP),
        (SOL_SOCKET, "SO_RCVBUF"): DEFAULT_RCVBUF,
        (SOL_SOCKET, "SO_SNDBUF"): DEFAULT_SNDBUF,
        (IPPROTO_TCP, "TCP_MAXSEG"): 536,  # TCP_MSS_DEFAULT until a connection has its own (RFC 9293 3.7.1)
        (IPPROTO_TCP, "TCP_KEEPIDLE"): 7200,  # net.ipv4.tcp_keepalive_time
        (IPPROTO_TCP, "TCP_KEEPINTVL"): 75,
        (IPPROTO_TCP, "TCP_KEEPCNT"): 9,
        (IPPROTO_TCP, "TCP_SYNCNT"): 6,  # net.ipv4.tcp_syn_retries
        (IPPROTO_TCP, "TCP_LINGER2"): 60,  # net.ipv4.tcp_fin_timeout
        (IPPROTO_TCP, "TCP_QUICKACK"): 1,
        (IPPROTO_TCP, "TCP_CONGESTION"): b"reno".ljust(TCP_CA_NAME_MAX, b"\0"),  # what the simulated TCP runs
    },
    {**_EITHER_UNNAMED, (SOL_SOCKET, 74): 1},  # SO_TXREHASH: net.core.txrehash
)
UDP_DEFAULTS = _defaults(
    {
        **_EITHER,
        (SOL_SOCKET, "SO_TYPE"): int(_real.SOCK_DGRAM),
        (SOL_SOCKET, "SO_PROTOCOL"): int(_real.IPPROTO_UDP),
        (SOL_SOCKET, "SO_RCVBUF"): UDP_DEFAULT_BUFFER,
        (SOL_SOCKET, "SO_SNDBUF"): UDP_DEFAULT_BUFFER,
    },
    _EITHER_UNNAMED,
)


# Options the kernel keeps as a flag (socket(7), tcp(7), ip(7)) and those that take a struct, not an int.
BOOLEAN_OPTIONS = _known_options(
    (SOL_SOCKET, "SO_REUSEADDR"),
    (SOL_SOCKET, "SO_REUSEPORT"),
    (SOL_SOCKET, "SO_KEEPALIVE"),
    (SOL_SOCKET, "SO_BROADCAST"),
    (SOL_SOCKET, "SO_OOBINLINE"),
    (SOL_SOCKET, "SO_DONTROUTE"),
    (IPPROTO_TCP, "TCP_NODELAY"),
    (IPPROTO_IP, "IP_MULTICAST_LOOP"),
)
STRUCT_OPTIONS = _known_options(
    (SOL_SOCKET, "SO_LINGER"),
    (IPPROTO_IP, "IP_ADD_MEMBERSHIP"),
    (IPPROTO_IP, "IP_DROP_MEMBERSHIP"),
    (IPPROTO_IP, "IP_MULTICAST_IF"),
    (SOL_SOCKET, "SO_RCVTIMEO"),
    (SOL_SOCKET, "SO_SNDTIMEO"),
)
_TIMEVAL = struct.Struct("@qq")  # struct timeval on 64-bit Linux: seconds, microseconds


def timeout_value(value: Any) -> bytes:
    """A struct timeval for SO_RCVTIMEO or SO_SNDTIMEO, checked as sock_set_timeout checks it: shorter than
    the struct is EINVAL, microseconds outside 0..999999 EDOM."""
    if not isinstance(value, (bytes, bytearray, memoryview)) or len(value) < _TIMEVAL.size:
        raise OSError(E.EINVAL, "Invalid argument")
    _, micros = _TIMEVAL.unpack_from(value)
    if not 0 <= micros < 1_000_000:
        raise OSError(E.EDOM, "Numerical argument out of domain")
    return bytes(value[: _TIMEVAL.size])


# Longer than this is for ever: a virtual time past it would not fit the compiled engine's 64-bit clock
# (Linux too waits for ever from LONG_MAX / HZ seconds on)
FOREVER_FROM = 2**62 // 1_000_000_000


def timeout_ns(value: bytes | None) -> int | None:
    """The wait a stored struct timeval allows, in ns: None for none set (wait for ever, 0 seconds and 0
    microseconds too, or more than a century), 0 for a negative time (Linux stores timeo 0: give up at once)."""
    if not value:
        return None
    seconds, micros = _TIMEVAL.unpack_from(value)
    if seconds < 0:
        return 0
    if seconds >= FOREVER_FROM:
        return None
    return (seconds * 1_000_000_000 + micros * 1_000) or None


def shown_timeout(value: bytes) -> bytes:
    """What getsockopt reads back: the time set, or zeros for a negative one (sock_get_timeout of timeo 0)."""
    return value if _TIMEVAL.unpack_from(value)[0] >= 0 else bytes(_TIMEVAL.size)


# What Linux stores for an int option it checks or rewrites (sk_setsockopt, do_tcp_setsockopt,
# do_ip_setsockopt in Linux 6.x): (level, option) -> rule(value, tcp) giving the value getsockopt reads back
# (None: the default), or raising EINVAL. Options not listed keep the value given.
SOCK_MIN_SNDBUF = 4608  # 2 * TCP_SKB_MIN_TRUESIZE (2048 bytes and the struct sk_buff)
SOCK_MIN_RCVBUF = 2304
BUFFER_MAX = 212992  # net.core.wmem_max and rmem_max: a buffer asked for larger gets this (doubled)
FIN_TIMEOUT = 60  # net.ipv4.tcp_fin_timeout, what TCP_LINGER2 0 means
FIN_TIMEOUT_MAX = 120  # TCP_FIN_TIMEOUT_MAX


def _invalid() -> OSError:
    return OSError(E.EINVAL, "Invalid argument")


def _within(low: int, high: int) -> Callable[[int, bool], int]:
    def rule(value: int, tcp: bool) -> int:
        if not low <= value <= high:
            raise _invalid()
        return value

    return rule


def _buffer(minimum: int) -> Callable[[int, bool], int]:
    # min_t(u32, val, *mem_max), then doubled for the kernel's bookkeeping, never below the minimum
    return lambda value, tcp: max(2 * min(value & 0xFFFFFFFF, BUFFER_MAX), minimum)


def _retransmits(seconds: int) -> int:
    """TCP_DEFER_ACCEPT's seconds as the SYN-ACK retransmissions that cover them (secs_to_retrans: 1 s,
    doubling to at most 120 s), read back as the seconds those take (retrans_to_secs): 5 reads 7."""
    retransmits, timeout, period = 0, 1, 0
    while seconds > period and retransmits < 255:
        retransmits += 1
        period += timeout
        timeout = min(timeout * 2, 120)
    return period


def _tos(value: int, tcp: bool) -> int:
    # a byte; a TCP socket's two ECN bits are the stack's own (RFC 3168), never the program's
    return value & (0xFC if tcp else 0xFF)


def _flag(value: int, tcp: bool) -> int:
    return int(bool(value))


INT_RULES: dict[tuple[int, int], Callable[[int, bool], int | None]] = {
    (SOL_SOCKET, _real.SO_SNDBUF): _buffer(SOCK_MIN_SNDBUF),
    (SOL_SOCKET, _real.SO_RCVBUF): _buffer(SOCK_MIN_RCVBUF),
    # TCP_MIN_MSS .. MAX_TCP_WINDOW; 0 takes the program's MSS away (None: the default again)
    (IPPROTO_TCP, _real.TCP_MAXSEG): lambda value, tcp: None if value == 0 else _within(88, 32767)(value, tcp),
    (IPPROTO_IP, _real.IP_TOS): _tos,
}
if ON_LINUX:
    INT_RULES.update(
        {
            (IPPROTO_TCP, _real.TCP_KEEPIDLE): _within(1, 32767),  # MAX_TCP_KEEPIDLE
            (IPPROTO_TCP, _real.TCP_KEEPINTVL): _within(1, 32767),
            (IPPROTO_TCP, _real.TCP_KEEPCNT): _within(1, 127),  # MAX_TCP_KEEPCNT
            (IPPROTO_TCP, _real.TCP_SYNCNT): _within(1, 127),  # MAX_TCP_SYNCNT
            (IPPROTO_TCP, TCP_USER_TIMEOUT): _within(0, 2**31 - 1),
            # TCP_LINGER2: negative is off (-1), 0 the sysctl's, at most TCP_FIN_TIMEOUT_MAX
            (IPPROTO_TCP, 8): lambda value, tcp: -1 if value < 0 else min(value or FIN_TIMEOUT, FIN_TIMEOUT_MAX),
            (IPPROTO_TCP, 9): lambda value, tcp: _retransmits(value),  # TCP_DEFER_ACCEPT
            (IPPROTO_TCP, 10): lambda value, tcp: value and max(value, SOCK_MIN_RCVBUF // 2),  # TCP_WINDOW_CLAMP
            # IP_PKTINFO, IP_RECVOPTS, IP_RETOPTS, IP_RECVERR, IP_RECVTTL, IP_RECVTOS, IP_FREEBIND,
            # IP_TRANSPARENT, IP_RECVORIGDSTADDR, IP_BIND_ADDRESS_NO_PORT: flags
            **{(IPPROTO_IP, option): _flag for option in (6, 7, 8, 11, 12, 13, 15, 19, 20, 24)},
            (IPPROTO_IP, 49): _within(0, 1),  # IP_MULTICAST_ALL: 0 or 1, nothing else
        }
    )


# rt_tos2priority: the SO_PRIORITY an IP_TOS sets (ip_tos2prio, by the four TOS bits): best effort, bulk,
# interactive, interactive bulk (TC_PRIO_* 0, 2, 6, 4), each for two values
_TOS_PRIORITIES = (0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4)


def tos_priority(tos: int) -> int:
    """The socket priority Linux gives a socket whose IP_TOS changes to `tos` (__ip_sock_set_tos)."""
    return _TOS_PRIORITIES[(tos & 0x1E) >> 1]


def stored_int(level: int, option: int, value: Any, tcp: bool) -> Any:
    """The value Linux keeps for an option: an int one checked and rewritten by INT_RULES; given as bytes, its
    first 4 as a C int (fewer is EINVAL: sk_setsockopt and do_tcp_setsockopt copy an int; IPPROTO_IP's take
    a single byte too). Any other option given as exactly 4 bytes is read as the C int too; structs stay bytes."""
    rule = INT_RULES.get((level, option))
    if rule is None and (level, option) not in BOOLEAN_OPTIONS:
        if isinstance(value, (bytes, bytearray)) and len(value) == 4 and (level, option) not in STRUCT_OPTIONS:
            return int.from_bytes(value, sys.byteorder, signed=True)  # an int option given as its C int
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        if len(value) >= 4:
            value = int.from_bytes(bytes(value[:4]), sys.byteorder, signed=True)
        elif level == IPPROTO_IP:  # do_ip_setsockopt reads a shorter value as one byte (none: 0)
            value = value[0] if len(value) else 0
        else:
            raise _invalid()
    return rule(value, tcp) if rule is not None else int(bool(value))


# IP_TTL and IP_MULTICAST_TTL: -1 asks for the default, anything else must fit in a byte (IP_TTL from 1);
# do_ip_setsockopt's EINVAL (ip(7)).
TTL_OPTIONS: Final = {_real.IP_TTL: range(1, 256), _real.IP_MULTICAST_TTL: range(0, 256)}


def ip_value_error(option: int, value: Any, is_local: Callable[[IPv4Address], bool]) -> int | None:
    """Linux's error for an IPPROTO_IP option's value, or None: a TTL out of range is EINVAL, and so is an
    IP_MTU_DISCOVER past IP_PMTUDISC_DONT..IP_PMTUDISC_OMIT, a multicast interface that is not one of the host's
    addresses (nor 0.0.0.0) EADDRNOTAVAIL."""
    if not ON_LINUX:
        return None
    if option in TTL_OPTIONS and isinstance(value, int) and value != -1 and value not in TTL_OPTIONS[option]:
        return E.EINVAL
    if option == IP_MTU_DISCOVER and isinstance(value, int) and not PMTUDISC_DONT <= value <= PMTUDISC_OMIT:
        return E.EINVAL
    if option == _real.IP_MULTICAST_IF and isinstance(value, (bytes, bytearray)):
        if len(value) < 4:
            return E.EINVAL
        # an in_addr, or an ip_mreq / ip_mreqn whose interface address is its second field; an ip_mreqn's
        # interface index, when given, is what counts (the address is not looked at)
        address = IPv4Address(bytes(value[4:8] if len(value) >= 8 else value[:4]))
        by_index = len(value) >= 12 and int.from_bytes(value[8:12], sys.byteorder)
        if int(address) and not by_index and not is_local(address):
            return E.EADDRNOTAVAIL
    return None
