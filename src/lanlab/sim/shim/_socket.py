"""`socket` for programs on a simulated host: AF_INET stream (the host's TCP) and datagram
(its UDP) sockets with the standard library's names, errors and errno values (Linux's)."""

from __future__ import annotations

import errno as E
import io
import operator
import os
import socket as _real
import struct
import sys as _real_sys
import types
import weakref
from collections import deque
from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING, Any, Self

from lanlab.proto.dns import Failed, Resolved, reverse_name
from lanlab.proto.ipv4 import Delivery, LocalIpError
from lanlab.proto.tcp import ANY, LocalTcpError, TcpConfig, TcpState
from lanlab.proto.udp import PortInUseError
from lanlab.sim.core.frame import ETH_HEADER
from lanlab.sim.core.link import LOOPBACK_DELAY
from lanlab.sim.core.node import HasAddresses
from lanlab.sim.shim._process import (
    LOOPBACK_BROADCAST,
    Sockets,
    UnsupportedInSimulation,
    seconds_argument,
    seconds_to_ns,
)
from lanlab.sim.shim._arguments import c_int, c_ssize_t, c_string
from lanlab.sim.shim._names import (
    AI_KNOWN,
    NI_KNOWN,
    EAI_ADDRFAMILY,
    GAI_CODES,
    address_host,
    gai_host,
    gai_service,
    gaierror,
    host_argument,
    nameinfo_address,
    no_name,
    socket_kinds,
    socket_kind,
)
from lanlab.sim.shim._proxy import with_globals
from lanlab.sim.shim._services import getprotobyname, name_of, port_of
from lanlab.sim.shim._system_files import hosts_entries
from lanlab.sim.shim._sockopts import (
    IP_MTU,
    IP_MTU_DISCOVER,
    IP_RECVERR,
    ON_LINUX,
    PMTUDISC_DO,
    PMTUDISC_DONT,
    PMTUDISC_INTERFACE,
    PMTUDISC_PROBE,
    PMTUDISC_WANT,
    SO_BINDTODEVICE,
    SO_RCVTIMEO,
    SO_SNDTIMEO,
    STRUCT_OPTIONS,
    TCP_DEFAULTS,
    TCP_USER_TIMEOUT,
    TIMER_OPTIONS,
    UDP_DEFAULTS,
    TTL_OPTIONS,
    ip_value_error,
    option_error,
    stored_int,
    tos_priority,
    shown_timeout,
    timeout_ns,
    timeout_value,
)
from lanlab.units import MILLISECOND, SECOND
from lanlab.wire.dns import DnsType

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network
    from lanlab.sim.shim._process import Program

BROADCAST = IPv4Address("255.255.255.255")
DEFAULT_BACKLOG = min(_real.SOMAXCONN, 128)  # what socket.listen() uses without an argument
SOMAXCONN = 4096  # Linux net.core.somaxconn: larger backlogs are cut to this
AUTOTUNED_SEND_BUFFER = 4194304  # net.ipv4.tcp_wmem's maximum, where autotuning takes an unset buffer
LOOPBACK = IPv4Address("127.0.0.1")
LOOPBACK_NETWORK = IPv4Network("127.0.0.0/8")  # the shim may not import sim.devices (host_tcp.LOOPBACK)
LOOPBACK_HOPS = 8  # how many deliveries on lo a call waits for at most (a handshake takes 3, a close 2)


def truesize(length: int) -> int:
    """What Linux charges a UDP socket's receive buffer for a datagram of `length` bytes that came over
    lo or a veth (the skb its sender allocated): the struct sk_buff (256 bytes) and its head, from the
    small-head cache (576) or else the next power-of-two kmalloc size for 31 bytes of link-layer room,
    28 of IPv4 and UDP headers, the data and the skb_shared_info (320). Matches Linux 6.18 exactly from
    0 to 8,000 bytes (how many datagrams a socket that does not read holds)."""
    head = length + 379
    return 256 + (576 if head <= 576 else 1 << (head - 1).bit_length())


POLL_COST = 100_000  # ns of virtual time a non-blocking call that would block takes
S = TcpState
_NOT_CONNECTED = (S.SYN_SENT, S.SYN_RECEIVED)
_FIN_UNACKNOWLEDGED = (S.FIN_WAIT_1, S.CLOSING, S.LAST_ACK)  # where a lingering close() waits


def numeric_address(name: str) -> IPv4Address | None:
    """`name` as glibc reads a numeric host (inet_aton's forms: 127.1, 0x7f.0.0.1, 017.0.0.1 in octal,
    2130706433), or None for a name to look up; nothing may follow the number (getaddrinfo's
    inet_aton_exact, where inet_aton itself stops at a space)."""
    if not name or any(c.isspace() for c in name):
        return None
    try:
        return IPv4Address(_real.inet_aton(name))
    except (OSError, ValueError):  # ValueError: an embedded NUL
        return None


def digits_and_dots(name: str) -> bool:
    """Whether glibc's gethostbyname family takes `name` for a number and looks nothing up
    (__nss_hostname_digits_dots): a digit first, then digits and dots only, not ending with a dot. One
    inet_aton does not read ("256.1.1.1", "1.2.3.4.5") is then HOST_NOT_FOUND, never asked of a server."""
    return name[:1].isdigit() and not name.endswith(".") and all(c.isdigit() or c == "." for c in name)


def os_error(code: int) -> OSError:
    """The exception CPython raises for `code`: OSError picks the subclass (ConnectionRefusedError, ...)."""
    return OSError(code, os.strerror(code))


# Methods of a real socket a simulated one does not have: calling one says so (hasattr on the class stays False,
# so asyncio and selectors never choose them)
NOT_SIMULATED = frozenset({"recvmsg", "recvmsg_into", "sendmsg", "sendmsg_afalg"})
MSG_TRUNC = getattr(_real, "MSG_TRUNC", 0x20)  # Linux's number where the platform's module lacks it
MSG_ERRQUEUE = getattr(_real, "MSG_ERRQUEUE", 0x2000)


def _writable_buffer(buffer: Any, call: str) -> memoryview:
    """`buffer` as bytes to write into, or CPython's TypeError, found before anything is read (a bytes object
    would otherwise wait for data it cannot take)."""
    try:
        view = memoryview(buffer)
    except TypeError:
        view = None
    if view is None or view.readonly:
        raise TypeError(f"{call}() argument 1 must be read-write bytes-like object, not {type(buffer).__name__}")
    return view.cast("B")


def _timeout_argument(value: Any) -> float | None:
    """A timeout as settimeout and setdefaulttimeout read it (socket_parse_timeout): None, or seconds as a
    float, not negative."""
    if value is None:
        return None
    seconds = seconds_argument(value)
    if seconds < 0:
        raise ValueError("Timeout value out of range")
    return seconds


def _size_into(view: memoryview, nbytes: int, call: str, too_big: str) -> int:
    """How many bytes a recv*_into reads: nbytes, or the whole buffer for 0; CPython's ValueErrors (each call
    words its own) before anything is read or waited for."""
    nbytes = c_ssize_t(nbytes)
    if nbytes < 0:
        raise ValueError(f"negative buffersize in {call}")
    if nbytes > len(view):
        raise ValueError(too_big)
    return nbytes or len(view)


def _copied_into(view: memoryview, data: bytes) -> int:
    """recv_into's count: the bytes that fit are written; MSG_TRUNC's datagram length may be more."""
    fits = min(len(view), len(data))
    view[:fits] = data[:fits]
    return len(data)


def _bytes_like(data: Any) -> memoryview:
    """`data` as bytes, or the TypeError CPython's socket methods raise for anything else (a str, usually)."""
    try:
        return memoryview(data).cast("B")
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type(data).__name__}'") from None


class _CloseAfterCall:
    """Engine target: the close() another thread made while a call blocked on the socket, done once that
    call has returned (it ran on, without waiting again, in the instant it woke in)."""

    __slots__ = ("sock",)

    def __init__(self, sock: SimSocket) -> None:
        self.sock = sock

    def fire(self, arg: Any, now: int) -> None:
        self.sock._close_after_call()


def _family_name(family: int) -> str:
    try:
        return _real.AddressFamily(family).name
    except ValueError:
        return str(family)


SOCK_TYPE_MASK, SOCK_MAX, NPROTO = 0xF, 11, 46  # Linux's bits of a socket's type, its types and families
_TYPE_FLAGS = getattr(_real, "SOCK_NONBLOCK", 0o4000) | getattr(_real, "SOCK_CLOEXEC", 0o2000000)
_NO_INET_PROTOCOL = (0, 4, 7, 8, 9)  # types no IPv4 protocol registers (inetsw): SOCK_RDM, 7 to 9


def _socket_refusal(family: int, type: int, proto: int) -> int | None:
    """The errno Linux's socket(2) answers arguments no kernel takes, or None: flags in the type other than
    SOCK_NONBLOCK and SOCK_CLOEXEC EINVAL (__sys_socket), a family out of range EAFNOSUPPORT and a type out of
    range EINVAL (__sock_create); for AF_INET a protocol out of 0-255 EINVAL, a type no protocol registers
    ESOCKTNOSUPPORT (inet_create). (A raw socket of protocol 0, EPROTONOSUPPORT there, is left to say raw
    sockets are not simulated.)"""
    kind = type & SOCK_TYPE_MASK
    if type & ~SOCK_TYPE_MASK & ~_TYPE_FLAGS:
        return E.EINVAL
    if not 0 <= family < NPROTO:
        return E.EAFNOSUPPORT
    if kind >= SOCK_MAX:
        return E.EINVAL
    if family != _real.AF_INET:
        return None
    if not 0 <= proto < 256:
        return E.EINVAL
    return E.ESOCKTNOSUPPORT if kind in _NO_INET_PROTOCOL else None


class SimSocket:
    """A socket on a simulated host. Subclassed per program (`_program`, `_functions` set) by `socket_module`."""

    _program: Program
    _functions: SocketFunctions  # its program's module-level functions (names are resolved there)

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None) -> None:
        program = self._program
        if fileno is not None:
            raise UnsupportedInSimulation(f"socket(fileno=...) on host {program.node}")
        # socket.socket's own: -1 is the default of each (AF_INET, SOCK_STREAM, 0)
        family = _real.AF_INET if family == -1 else family
        type = _real.SOCK_STREAM if type == -1 else type
        proto = 0 if proto == -1 else proto
        refusal = _socket_refusal(family, type, proto)
        if refusal is not None:
            raise os_error(refusal)
        if family == getattr(_real, "AF_INET6", None):
            raise os_error(E.EAFNOSUPPORT)  # an IPv4-only host, as Linux booted with ipv6.disable=1
        if family != _real.AF_INET:
            # AF_UNIX, AF_PACKET...: they exist on that host, the simulator does not have them (EAFNOSUPPORT
            # would say the host lacks them)
            raise UnsupportedInSimulation(
                f"socket family {_family_name(family)} on host {program.node} (AF_INET only; "
                "a frame sniffer is --trace or --pcap)"
            )
        kind = type & ~(getattr(_real, "SOCK_NONBLOCK", 0) | getattr(_real, "SOCK_CLOEXEC", 0))
        if kind not in (_real.SOCK_STREAM, _real.SOCK_DGRAM):
            raise UnsupportedInSimulation(
                f"socket type {type} on host {program.node} (SOCK_STREAM and SOCK_DGRAM only; "
                "for raw ICMP, ping and traceroute are --do commands)"
            )
        if kind == _real.SOCK_DGRAM and proto == _real.IPPROTO_ICMP:
            raise UnsupportedInSimulation(f"ICMP (ping) sockets on host {program.node} (lanlab's ping is `--do ping`)")
        if proto not in (0, _real.IPPROTO_TCP if kind == _real.SOCK_STREAM else _real.IPPROTO_UDP):
            raise os_error(E.EPROTONOSUPPORT)  # inet_create: no such protocol for this type
        self.family = _real.AddressFamily.AF_INET
        self.type = _real.SocketKind(kind)
        self.proto = proto
        self._host: Host = program.host
        self._shim = program.shim
        self._tcp = kind == _real.SOCK_STREAM
        self._fd = program.new_fd(self)
        self._shim.sockets.add(self)
        # SOCK_NONBLOCK in the type makes a non-blocking socket (Linux socket(2)), as setblocking(False)
        self._timeout: float | None = 0.0 if type & getattr(_real, "SOCK_NONBLOCK", 0) else program.default_timeout
        self._options: dict[tuple[int, int], Any] = {}
        self._inheritable = False  # Python makes every socket close-on-exec (PEP 446); fcntl's F_SETFD changes it
        self._bound: tuple[IPv4Address, int] | None = None
        self._listener: Any = None
        self._conn: Any = None
        self._key: Any = None
        # The connection's error was reported, by a call or by SO_ERROR: Linux's sock_error clears sk_err
        # whichever reads it first (later calls: EPIPE for a send, the end for a recv).
        self._reset_reported = False
        self._connect_told = False  # a connect() call saw the connection established
        self._shut_rd = False
        self._shut_wr = False
        self._closed = False
        self._io_refs = 0
        self._released = False
        self._blocked = 0  # calls waiting on it (_block): another thread's close() waits for them
        self._epolls: weakref.WeakSet[Any] | None = None  # the epolls it is registered with (_news tells them)
        self._fd_taken = False  # closed while calls waited: the number is gone, the socket ends after them
        self._datagrams: deque[tuple[bytes, tuple[str, int]]] = deque()
        self._queued = 0  # what the queued datagrams charge the receive buffer (their truesize)
        self._peer: tuple[IPv4Address, int] | None = None  # a connected UDP socket's peer
        self._source: IPv4Address | None = None  # and the address its datagrams leave from
        self._groups: set[IPv4Address] = set()
        self._icmp_error = 0  # a UDP socket's pending error from an ICMP message (ECONNREFUSED, ...): 0 none
        program.sockets.add(self)

    # -- plumbing ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        """CPython's socket.__repr__: `[closed]`, the numbers as %s prints them, laddr and raddr when known."""
        text = "<socket.socket%s fd=%i, family=%s, type=%s, proto=%i" % (  # noqa: UP031 - its formatting, exactly
            " [closed]" if self._closed else "",
            self.fileno(),
            self.family,
            self.type,
            self.proto,
        )
        if not self._closed:
            for name, read in (("laddr", self.getsockname), ("raddr", self.getpeername)):
                try:
                    address = read()
                except OSError:
                    continue
                if address:
                    text += f", {name}={address}"
        return text + ">"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        """A method a real socket has and this one does not (recvmsg, sendmsg, ...): there, as on a real socket
        (hasattr(sock, "sendmsg") is True), and calling it raises UnsupportedInSimulation naming it and the
        host, as the README promises, rather than an AttributeError about a lanlab class."""
        if name in NOT_SIMULATED:
            node = self._program.node

            def not_simulated(*args: Any, **kwargs: Any) -> Any:
                raise UnsupportedInSimulation(f"socket.{name}() is not available on simulated host {node}")

            not_simulated.__name__ = name
            return not_simulated
        raise AttributeError(f"'socket' object has no attribute {name!r}")

    @property
    def timeout(self) -> float | None:
        """The timeout gettimeout() returns (CPython's read-only attribute)."""
        return self._timeout

    def fileno(self) -> int:
        # a makefile() still open keeps the descriptor (CPython); a close() under a blocked call takes it
        return -1 if self._released or self._fd_taken else self._fd

    def _check_open(self) -> None:
        if self._epolls:  # a call on it: what it is ready for may change
            self._news()
        if self._closed and self._io_refs <= 0:  # a makefile() still open keeps the descriptor (CPython)
            raise os_error(E.EBADF)

    def watched_by(self, epoll: Any) -> None:
        """`epoll` registered this socket: tell it when the socket changes."""
        if self._epolls is None:
            self._epolls = weakref.WeakSet()
        self._epolls.add(epoll)

    def _news(self) -> None:
        """Something about this socket changed (a call, a datagram, its connection): the epolls it is
        registered with ask it again at their next look (_select.Epoll)."""
        if self._epolls:
            for epoll in self._epolls:
                epoll.look_again(self._fd)

    def _ns_timeout(self) -> int | None:
        return None if self._timeout is None else seconds_to_ns(self._timeout)

    def _kernel_limit(self, option: int) -> int | None:
        """How long a blocking call may wait by SO_RCVTIMEO or SO_SNDTIMEO (ns; None: for ever)."""
        return timeout_ns(self._options.get((_real.SOL_SOCKET, option)))

    def _block(self, ready: Any, flags: int = 0, kernel_limit: int | None = None) -> None:
        """Wait for `ready()` as this socket's timeout says (or not at all with MSG_DONTWAIT in `flags`):
        BlockingIOError, timeout, or go on. A blocking socket (no settimeout) waits at most `kernel_limit`
        ns, what its SO_RCVTIMEO (receiving, accepting) or SO_SNDTIMEO (sending, connecting) leaves of the
        call's time, then fails with EAGAIN, as the kernel's wait does (sock_rcvtimeo)."""
        if ready():
            return
        if self._timeout == 0 or flags & _real.MSG_DONTWAIT or (self._timeout is None and kernel_limit == 0):
            # A polling loop costs time on a real host; here each miss costs POLL_COST of
            # virtual time, so the network moves on and `while True: try recv()` cannot spin forever.
            self._program.sleep(POLL_COST)
            raise BlockingIOError(E.EAGAIN, "Resource temporarily unavailable")
        # Another thread's close() neither wakes this wait nor ends the socket under it: a blocking call sits in
        # the kernel holding the file, which lives until the call returns (then the socket closes); with a
        # timeout CPython polls, and then uses the descriptor close() took, EBADF.
        self._blocked += 1
        try:
            limit = kernel_limit if self._timeout is None else self._ns_timeout()
            came = self._program.wait(ready, limit)
        finally:
            self._blocked -= 1
            if self._fd_taken and not self._blocked:
                engine = self._host.engine
                engine.schedule(engine.now, _CloseAfterCall(self))  # when this call is done, at this instant
        if self._fd_taken and self._timeout is not None:
            raise os_error(E.EBADF)
        if not came:
            if self._timeout is None:
                raise BlockingIOError(E.EAGAIN, "Resource temporarily unavailable")
            raise TimeoutError("timed out")

    def _resolve(self, host: str) -> IPv4Address:
        """An address's host, converted as CPython's idna_converter does, to an address (setipaddr)."""
        return IPv4Address(self._functions.address_of(host))

    def _address(self, address: Any, caller: str) -> tuple[IPv4Address, int]:
        """An AF_INET (host, port) checked as CPython's getsockaddrarg checks it for `caller` (its errors,
        word for word), then resolved; the wildcard means the host itself except to bind."""
        if not isinstance(address, tuple):
            raise TypeError(f"{caller}(): AF_INET address must be tuple, not {type(address).__name__}")
        if len(address) != 2:
            raise TypeError("AF_INET address must be a pair (host, port)")
        host, port = address
        host = address_host(host)
        port = operator.index(port)  # its TypeError is CPython's, word for word
        if not 0 <= port <= 65535:
            raise OverflowError(f"{caller}(): port must be 0-65535.")
        binding = caller == "bind"
        if host == "<broadcast>":
            return BROADCAST, port
        ip = ANY if host == "" else self._resolve(host)
        if ip == ANY and not binding:
            return LOOPBACK, port  # Linux sends to 0.0.0.0 on lo, to 127.0.0.1 (its ip_route_output_key)
        return ip, port

    # -- options ---------------------------------------------------------------------------------
    def setsockopt(self, level: int, option: int, value: Any, optlen: int | None = None) -> None:
        self._check_open()
        if isinstance(value, bool):
            value = int(value)
        if value is None or isinstance(value, (float, str)):
            raise TypeError("a bytes-like object is required, not " + repr(type(value).__name__))
        error = option_error(self._tcp, level, option, setting=True)
        if error is not None:
            raise os_error(error)
        if level == _real.SOL_SOCKET and option in (SO_RCVTIMEO, SO_SNDTIMEO):
            self._options[(level, option)] = timeout_value(value)
            return
        if (level, option) == (_real.SOL_SOCKET, SO_BINDTODEVICE) and ON_LINUX:
            self._options[(level, option)] = self._device_named(value)
            return
        value = stored_int(level, option, value, self._tcp)  # a C int read, flags 1, ranges checked, buffers doubled
        if value is None:
            self._options.pop((level, option), None)
            return
        if level == _real.IPPROTO_TCP and option == _real.TCP_NODELAY and self._conn is not None:
            self._conn.nodelay = bool(value)
        if level == _real.SOL_SOCKET and option == _real.SO_REUSEADDR and self._conn is not None:
            self._conn.config.reuse_address = bool(value)
        if (level, option) in TIMER_OPTIONS and self._conn is not None:
            self._options[(level, option)] = value
            self._timer_options(self._conn.config)
            self._conn.changed()
            self._host.tcp.flush(self._host.engine.now)  # the connection's timers follow the new times
        if level == _real.IPPROTO_IP:
            error = ip_value_error(option, value, self._is_own_address)
            if error is not None:
                raise os_error(error)
            if option in TTL_OPTIONS and value == -1:  # the default again
                self._options.pop((level, option), None)
                self._apply_ttl()
                return
        if level == _real.IPPROTO_IP and option in (_real.IP_ADD_MEMBERSHIP, _real.IP_DROP_MEMBERSHIP):
            self._membership(option == _real.IP_ADD_MEMBERSHIP, value)
            return
        if (level, option) == (_real.IPPROTO_IP, _real.IP_TOS) and ON_LINUX and value != self._option(level, option):
            self._options[(_real.SOL_SOCKET, _real.SO_PRIORITY)] = tos_priority(value)  # a new TOS, its priority
        self._options[(level, option)] = value
        if (level, option) == (_real.IPPROTO_IP, _real.IP_TTL):
            self._apply_ttl()

    def _device_named(self, value: Any) -> bytes:
        """SO_BINDTODEVICE's value as the kernel keeps it: an interface of this host's by name (up to the first
        NUL, 15 characters at most; ENODEV for one it lacks), or empty for none. The socket's routes are not
        narrowed to it: what it sends leaves as without it."""
        if isinstance(value, int):  # an int option's 4 bytes, as CPython passes an int
            value = value.to_bytes(4, _real_sys.byteorder, signed=True)
        name = bytes(value).split(b"\0", 1)[0][:15]
        if name and name.decode("ascii", "replace") not in {"lo", *(nic.name for nic in self._host.nics)}:
            raise os_error(E.ENODEV)
        return name + b"\0" if name else b""

    def _apply_ttl(self) -> None:
        """IP_TTL into the TCP config its segments are sent with: the connection's, or a listener's, which its
        SYN-ACKs and accepted connections start from (None: the host's default)."""
        ttl = self._options.get((_real.IPPROTO_IP, _real.IP_TTL))
        for holder in (self._conn, self._listener):
            if holder is not None and holder.config is not None:
                holder.config.ttl = ttl

    def _is_own_address(self, address: IPv4Address) -> bool:
        return address.is_loopback or address in self._host.addresses

    def _membership(self, join: bool, value: Any) -> None:
        if not isinstance(value, (bytes, bytearray)) or len(value) < 8:  # ip_mreq or longer, as Linux
            raise os_error(E.EINVAL)
        group = IPv4Address(bytes(value[:4]))
        if not group.is_multicast:
            raise os_error(E.EINVAL)
        if join:
            if group in self._groups:
                raise os_error(E.EADDRINUSE)
            self._groups.add(group)
            self._host.join(group)
        else:
            if group not in self._groups:
                raise os_error(E.EADDRNOTAVAIL)
            self._groups.discard(group)
            if not any(group in s._groups for s in self._shim.sockets):
                self._host.ipv4.leave(group)

    def getsockopt(self, level: int, option: int, buflen: int = 0) -> Any:
        self._check_open()
        error = option_error(self._tcp, level, option, setting=False)
        if error is not None:
            raise os_error(error)
        key = (level, option)
        if key == (_real.SOL_SOCKET, _real.SO_ERROR):  # read once, then cleared (Linux's sock_error)
            error = self._conn.error or 0 if self._conn is not None and not self._reset_reported else 0
            self._reset_reported = self._reset_reported or bool(error)
            if not self._tcp:
                error, self._icmp_error = self._icmp_error, 0
            return struct.pack("i", error)[:buflen] if buflen else error
        if key == (_real.SOL_SOCKET, _real.SO_ACCEPTCONN):
            value: Any = int(self._listener is not None)
        elif key == (_real.IPPROTO_TCP, _real.TCP_MAXSEG) and self._conn is not None:
            value = self._conn.smss  # the connection's send MSS once there is one
        elif key == (_real.SOL_SOCKET, _real.SO_SNDBUF) and self._conn is not None and key not in self._options:
            value = self._conn.send_buffer_size  # as autotuning has grown it (Linux's sk_sndbuf)
        elif key == (_real.IPPROTO_IP, IP_MTU) and ON_LINUX:
            value = self._route_mtu()
        elif key in ((_real.SOL_SOCKET, SO_RCVTIMEO), (_real.SOL_SOCKET, SO_SNDTIMEO)) and key in self._options:
            value = shown_timeout(self._options[key])
        else:
            value = self._option_or_default(key)
        if buflen and isinstance(value, int):
            return struct.pack("i", value)[:buflen] if key not in STRUCT_OPTIONS else bytes(buflen)
        if isinstance(value, bytes):  # a struct: its first bytes, or read as a C int without a buffer size
            return value[:buflen] if buflen else int.from_bytes(value[:4], "little", signed=True)
        return value

    def _route_mtu(self) -> int:
        """IP_MTU: the MTU of the way to the connected peer, a learned path MTU included; ENOTCONN when the
        socket has no peer (do_ip_getsockopt reads the route the socket cached at connect)."""
        peer = self._peer_address()
        if peer is None:
            raise os_error(E.ENOTCONN)
        return self._host.path_mtu(peer, self._host.engine.now)

    def _peer_address(self) -> IPv4Address | None:
        """The address this socket is connected to: its TCP connection's peer, or a connected UDP socket's."""
        return self._key[2] if self._key is not None else self._peer[0] if self._peer is not None else None

    def _option(self, level: int, option: int) -> Any:
        return self._options.get((level, option), 0)

    def _option_or_default(self, key: tuple[int, int]) -> Any:
        """An option's value as set, or Linux's default for the protocol."""
        return self._options.get(key, (TCP_DEFAULTS if self._tcp else UDP_DEFAULTS).get(key, 0))

    def settimeout(self, value: float | None) -> None:
        value = _timeout_argument(value)
        self._check_open()  # the timeout is checked first, then the descriptor (sock_settimeout)
        self._timeout = value

    def gettimeout(self) -> float | None:
        return self._timeout

    def get_inheritable(self) -> bool:
        return self._inheritable

    def set_inheritable(self, inheritable: bool) -> None:
        self._inheritable = bool(inheritable)

    def setblocking(self, flag: bool) -> None:
        self._check_open()
        self._timeout = None if flag else 0.0

    def getblocking(self) -> bool:
        return self._timeout != 0

    # -- addresses ---------------------------------------------------------------------------------
    def bind(self, address: Any) -> None:
        ip, port = self._address(address, "bind")  # CPython reads the address before the call (EBADF, EINVAL)
        self._check_open()
        # Linux's __inet_bind refuses an address not the host's before it looks at the socket's state
        if ip != ANY and not self._is_own_address(ip) and not self._receives_at(ip):
            raise os_error(E.EADDRNOTAVAIL)
        if self._bound is not None or self._key is not None:
            raise os_error(E.EINVAL)
        if self._tcp:
            port = self._bind_tcp(ip, port)
        else:
            port = self._bind_udp(ip, port)
        self._bound = (ip, port)

    def _receives_at(self, ip: IPv4Address) -> bool:
        """A broadcast or group address, which Linux lets a socket bind to (its inet_bind): the socket then
        takes only what is sent to that address."""
        return ip.is_multicast or self._is_broadcast(ip)

    def _bind_tcp(self, ip: IPv4Address, port: int) -> int:
        stack = self._host.tcp.stack
        if port == 0:  # an ephemeral port no other socket holds, bound and so held like any other
            bound = self._shim.tcp_bound
            try:
                port = stack.ephemeral_port(ip, taken=lambda port: bool(bound.get(port)))
            except LocalTcpError:  # the whole range is held (Linux: EADDRINUSE)
                raise os_error(E.EADDRINUSE) from None
            bound.setdefault(port, Sockets()).add(self)
            return port
        reuse = bool(self._option(_real.SOL_SOCKET, _real.SO_REUSEADDR))
        reuse_port = bool(self._option(_real.SOL_SOCKET, _real.SO_REUSEPORT))
        overlapping = [
            other
            for other in self._shim.tcp_bound.get(port, ())
            if ip == ANY or other._bound[0] == ANY or other._bound[0] == ip
        ]
        for other in overlapping:  # inet_csk_bind_conflict, socket by socket
            if not (
                (reuse and other._option(_real.SOL_SOCKET, _real.SO_REUSEADDR) and other._listener is None)
                or (reuse_port and other._option(_real.SOL_SOCKET, _real.SO_REUSEPORT))
            ):
                raise os_error(E.EADDRINUSE)
        # Without SO_REUSEADDR, Linux refuses a port that connections (TIME-WAIT ones too) still use, unless this
        # socket joins SO_REUSEPORT holders of the port, whose connections those are (without SO_REUSEADDR,
        # the loop let it past each holder through SO_REUSEPORT).
        joins_group = reuse_port and bool(overlapping)
        if not joins_group and stack.connections_in_the_way(ANY, port, reuse):
            raise os_error(E.EADDRINUSE)
        self._shim.tcp_bound.setdefault(port, Sockets()).add(self)
        return port

    def _bind_udp(self, ip: IPv4Address, port: int) -> int:
        """Linux's rule for sharing a UDP port: sockets on different addresses (neither of them any
        address) share it, and others only when both set SO_REUSEADDR, or both SO_REUSEPORT."""
        shim = self._shim
        holders = shim.udp_bound.get(port) if port else None
        if holders:
            for other in holders:
                if (ip == ANY or other._bound[0] in (ANY, ip)) and not self._shares_port_with(other):
                    raise os_error(E.EADDRINUSE)
            holders.add(self)
            return port
        try:
            port = self._host.udp.bind(port, shim.udp_arrived)
        except PortInUseError:  # a program's socket, or one of the host's own services (DNS, DHCP)
            raise os_error(E.EADDRINUSE) from None
        shim.udp_bound[port] = Sockets()
        shim.udp_bound[port].add(self)
        return port

    def _shares_port_with(self, other: SimSocket) -> bool:
        return any(
            self._option(_real.SOL_SOCKET, option) and other._option(_real.SOL_SOCKET, option)
            for option in (_real.SO_REUSEADDR, _real.SO_REUSEPORT)
        )

    def getsockname(self) -> tuple[str, int]:
        self._check_open()
        if self._key is not None:
            return str(self._key[0]), self._key[1]
        if self._bound is not None:
            ip = self._source if self._bound[0] == ANY and self._source is not None else self._bound[0]
            return str(ip), self._bound[1]
        return "0.0.0.0", 0

    def getpeername(self) -> tuple[str, int]:
        self._check_open()
        if self._key is not None and self._conn.state not in (*_NOT_CONNECTED, S.CLOSED, S.TIME_WAIT):
            return str(self._key[2]), self._key[3]  # (closed by a reset or both FINs: ENOTCONN, inet_getname)
        if self._peer is not None and self._peer[1]:  # connected to port 0: no peer (inet_getname)
            return str(self._peer[0]), self._peer[1]
        raise os_error(E.ENOTCONN)

    # -- TCP: server side ---------------------------------------------------------------------------
    def listen(self, backlog: int = DEFAULT_BACKLOG) -> None:
        self._check_open()
        if not self._tcp:
            raise os_error(E.EOPNOTSUPP)
        if self._listener is not None:
            self._listener.backlog = max(0, min(backlog, SOMAXCONN))
            return
        if self._bound is None:
            self.bind(("", 0))
        ip, port = self._bound  # type: ignore[misc]
        try:
            reuse = bool(self._option(_real.SOL_SOCKET, _real.SO_REUSEADDR))
            reuse_port = bool(self._option(_real.SOL_SOCKET, _real.SO_REUSEPORT))
            self._listener = self._host.tcp.stack.listen(ip, port, min(backlog, SOMAXCONN), reuse, reuse_port)
        except LocalTcpError:
            raise os_error(E.EADDRINUSE) from None
        self._listener.config = self._config()
        self._shim.listening.add(self)
        self._news()

    def accept(self) -> tuple[SimSocket, tuple[str, int]]:
        self._check_open()
        if not self._tcp:
            raise os_error(E.EOPNOTSUPP)  # a datagram socket has no connections to accept
        listener = self._listener
        if listener is None:
            raise os_error(E.EINVAL)
        self._block(
            lambda: listener.accept_queue or self._listener is not listener,
            kernel_limit=self._kernel_limit(SO_RCVTIMEO),
        )
        if self._listener is not listener:  # shut down while waiting: not listening any more
            raise os_error(E.EINVAL)
        key, connection = listener.accept()
        peer = type(self)(self.family, self.type, self.proto)
        peer._key, peer._conn = key, connection
        connection.owner = weakref.ref(peer)  # its news reach the new socket now, not the listener
        peer._timeout = self._program.default_timeout
        peer._options = dict(self._options)  # a connection inherits its listener's options (Linux's sk_clone)
        self._host.tcp.flush(self._host.engine.now)
        return peer, (str(key[2]), key[3])

    # -- TCP/UDP: connecting --------------------------------------------------------------------------
    def _config(self) -> TcpConfig:
        config = self._host.tcp.stack.config_copy()
        config.nodelay = bool(self._option(_real.IPPROTO_TCP, _real.TCP_NODELAY))
        config.reuse_address = bool(self._option(_real.SOL_SOCKET, _real.SO_REUSEADDR))
        config.ttl = self._options.get((_real.IPPROTO_IP, _real.IP_TTL))
        if (_real.SOL_SOCKET, _real.SO_RCVBUF) in self._options:
            config.receive_buffer = self._options[(_real.SOL_SOCKET, _real.SO_RCVBUF)] // 2
        if (_real.SOL_SOCKET, _real.SO_SNDBUF) in self._options:
            config.send_buffer = self._options[(_real.SOL_SOCKET, _real.SO_SNDBUF)] // 2
        else:  # Linux grows a socket's send buffer with its congestion window (tcp_wmem's autotuning), to a maximum
            config.send_buffer = max(config.send_buffer, AUTOTUNED_SEND_BUFFER)
            config.send_buffer_autotune = True
        self._timer_options(config)
        return config

    def _timer_options(self, config: TcpConfig) -> None:
        """SO_KEEPALIVE, the TCP_KEEP* times (s) and TCP_USER_TIMEOUT (ms) into a connection's configuration."""
        config.keepalive = bool(self._option(_real.SOL_SOCKET, _real.SO_KEEPALIVE))
        if ON_LINUX:
            config.keepalive_idle = self._option_or_default((_real.IPPROTO_TCP, _real.TCP_KEEPIDLE)) * SECOND
            config.keepalive_interval = self._option_or_default((_real.IPPROTO_TCP, _real.TCP_KEEPINTVL)) * SECOND
            config.keepalive_count = self._option_or_default((_real.IPPROTO_TCP, _real.TCP_KEEPCNT))
            config.user_timeout = self._option(_real.IPPROTO_TCP, TCP_USER_TIMEOUT) * MILLISECOND

    def connect(self, address: Any) -> None:
        code = self._connect(address, raising=True)
        assert code == 0

    def connect_ex(self, address: Any) -> int:
        try:
            return self._connect(address, raising=False)
        except OSError as error:
            return error.errno or E.EINVAL

    def _connect(self, address: Any, raising: bool) -> int:
        ip, port = self._address(address, "connect" if raising else "connect_ex")
        self._check_open()
        if not self._tcp:
            try:  # Linux picks the route, and so the source address, when a UDP socket connects
                source = self._host.tcp.local_address_for(ip)
            except LocalIpError:
                raise os_error(E.ENETUNREACH) from None
            if self._is_broadcast(ip) and not self._option(_real.SOL_SOCKET, _real.SO_BROADCAST):
                raise os_error(E.EACCES)  # ip4_datagram_connect: a broadcast route needs SO_BROADCAST
            if self._loopback_source_to(ip):
                raise os_error(E.EINVAL)
            if self._bound is None:
                self.bind(("", 0))
            self._peer = (ip, port)
            if self._source is None:  # ip4_datagram_connect sets the source address once: a new peer keeps it
                self._source = source
            return 0
        if self._conn is not None:
            # a connect still under way: with a timeout CPython's descriptor is non-blocking, so connect(2) says
            # EALREADY at once; a blocking one waits again (for SO_SNDTIMEO: then EALREADY)
            if self._conn.state in _NOT_CONNECTED and self._timeout is not None:
                if raising:
                    raise os_error(E.EALREADY)
                return E.EALREADY
            if self._conn.state in _NOT_CONNECTED or (self._conn.error and not self._reset_reported):
                return self._finish_connect(raising, again=True)  # in progress, or its failure not told yet
            if not self._conn.error and not self._connect_told:  # its success, told once (__inet_stream_connect)
                self._connect_told = True
                return 0
            if self._conn.error:  # a non-blocking connect's failure, already read from SO_ERROR
                self._key = self._conn = None
                raise os_error(E.ECONNABORTED)
            raise os_error(E.EISCONN)
        if self._listener is not None:
            raise os_error(E.EISCONN)  # __inet_stream_connect: a socket not in TCP_CLOSE
        if ip.is_multicast or self._is_broadcast(ip):
            raise os_error(E.ENETUNREACH)  # tcp_v4_connect: no connection to a multicast or broadcast route
        tcp = self._host.tcp
        if self._loopback_source_to(ip):
            raise os_error(E.EINVAL)  # bound to 127.0.0.1, to another host: no such route (ip_route_connect)
        try:
            local_ip = self._held_source() or tcp.local_address_for(ip)  # a bound address is the source
        except LocalIpError:
            raise os_error(E.ENETUNREACH) from None
        local_port = self._bound[1] if self._bound is not None else None
        try:
            if local_port is None:  # not one a socket bound (and holds) without listening: Linux skips those too
                bound = self._shim.tcp_bound
                local_port = tcp.stack.ephemeral_port(local_ip, taken=lambda port: bool(bound.get(port)))
            self._key, self._conn = tcp.stack.connect(local_ip, ip, port, local_port, self._config())
        except LocalTcpError:  # that local address and port already talk to that peer (Linux: EADDRNOTAVAIL)
            raise os_error(E.EADDRNOTAVAIL) from None
        self._conn.owner = weakref.ref(self)  # the host's TCP tells this socket's epolls what changed
        tcp.flush(self._host.engine.now)
        if self._timeout == 0:
            self._let_lo_carry()  # the handshake on lo is over, though the call says it is under way (as Linux)
            if raising:
                raise BlockingIOError(E.EINPROGRESS, "Operation now in progress")
            return E.EINPROGRESS
        code = self._finish_connect(raising)
        self._let_lo_carry()  # the last ACK at the listener: accept() finds the connection
        return code

    def _finish_connect(self, raising: bool, again: bool = False) -> int:
        """Wait for the connection; when SO_SNDTIMEO runs out it goes on, and the call says EINPROGRESS, or
        EALREADY when it is a second connect() (__inet_stream_connect's SS_CONNECTING)."""
        conn = self._conn
        try:
            self._block(lambda: conn.state not in _NOT_CONNECTED, kernel_limit=self._kernel_limit(SO_SNDTIMEO))
        except BlockingIOError:
            code = E.EALREADY if again else E.EINPROGRESS
            if raising:
                raise os_error(code) from None
            return code
        except TimeoutError:
            # CPython gives up waiting, not connecting: the kernel goes on (a later connect says EALREADY, or
            # 0 once it is done); connect() raises "timed out", connect_ex() returns EAGAIN (SOCK_TIMEOUT_ERR)
            if raising:
                raise
            return E.EAGAIN
        if conn.error:
            # A failed connect leaves the socket unconnected, as Linux's tcp_done does: recv and
            # getpeername say ENOTCONN, and connect() may be tried again on the same socket.
            self._key = self._conn = None
            if raising:
                raise os_error(conn.error)
            return conn.error
        self._connect_told = True
        return 0

    # -- sending ---------------------------------------------------------------------------------------
    def send(self, data: Any, flags: int = 0) -> int:
        self._check_open()
        payload = _bytes_like(data)
        if not self._tcp:
            if flags & _real.MSG_OOB:
                raise os_error(E.EOPNOTSUPP)  # udp_sendmsg: no urgent data in a datagram
            if self._peer is None:
                raise os_error(E.EDESTADDRREQ)
            if self._shut_wr:
                raise os_error(E.EPIPE)  # udp_sendmsg after SHUT_WR
            self._raise_icmp_error()
            return self._sendto(payload.tobytes(), self._peer, connected=True)
        self._refuse_urgent(flags)
        conn = self._conn
        if conn is None:  # never connected, or listening: Linux's sk_stream_wait_connect says EPIPE
            raise os_error(E.EPIPE)
        # SO_SNDTIMEO bounds the whole call, every wait in it together (tcp_sendmsg counts its timeo down)
        limit, start = self._kernel_limit(SO_SNDTIMEO), self._host.engine.now

        def left() -> int | None:
            return None if limit is None else max(0, start + limit - self._host.engine.now)

        self._block(lambda: conn.state not in _NOT_CONNECTED, flags, left())
        self._raise_pending_error()
        if self._shut_wr or not conn.can_send:
            raise os_error(E.EPIPE)
        sent = 0
        while True:
            try:
                self._block(lambda: conn.send_space > 0 or conn.error or not conn.can_send, flags, left())
            except BlockingIOError:
                if sent:
                    return sent  # what was queued before the wait ran out (tcp_sendmsg's copied bytes)
                raise
            if conn.error or not conn.can_send:
                if sent:
                    return sent  # Linux returns what it queued before the error; the next call raises it
                self._raise_pending_error()
                raise os_error(E.EPIPE)
            sent += conn.send(payload[sent:])
            self._host.tcp.flush(self._host.engine.now)
            # A blocking send (no timeout) waits until all of it is queued, as Linux's tcp_sendmsg does;
            # with a timeout CPython sends once the socket is writable, and the count may be short.
            if sent == len(payload) or self._timeout is not None or flags & _real.MSG_DONTWAIT:
                self._let_lo_carry()
                return sent

    def _raise_pending_error(self) -> None:
        error = self._conn.error
        if error:
            if not self._reset_reported:
                self._reset_reported = True
                raise os_error(error)
            raise os_error(E.EPIPE)

    def sendall(self, data: Any, flags: int = 0) -> None:
        view = _bytes_like(data)
        while len(view):
            sent = self.send(view, flags)
            view = view[sent:]

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        """socket.sendfile: the file's bytes through send(), as CPython does where os.sendfile cannot."""
        self._check_open()
        if "b" not in getattr(file, "mode", "b"):
            raise ValueError("file should be opened in binary mode")
        if not self._tcp:
            raise ValueError("only SOCK_STREAM type sockets are supported")
        if count is not None and (not isinstance(count, int) or count <= 0):
            raise ValueError(f"count must be a positive integer (got {count!r})")
        if self._timeout == 0:
            raise ValueError("non-blocking sockets are not supported")
        if offset:
            file.seek(offset)
        total = 0
        while count is None or total < count:
            chunk = file.read(8192 if count is None else min(8192, count - total))
            if not chunk:
                break
            self.sendall(chunk)
            total += len(chunk)
        return total

    def sendto(self, data: Any, *arguments: Any) -> int:
        if not 1 <= len(arguments) <= 2:  # CPython parses (data, address) or (data, flags, address) itself
            raise TypeError(f"sendto() takes 2 or 3 arguments ({len(arguments) + 1} given)")
        flags_or_address, address = arguments if len(arguments) == 2 else (arguments[0], None)
        payload = _bytes_like(data)  # CPython's order: the data, the address, then the call
        target = self._address(flags_or_address if address is None else address, "sendto")
        self._check_open()
        if self._tcp:
            if self._conn is None:
                raise os_error(E.EPIPE)
            return self.send(payload, 0 if address is None else flags_or_address)  # Linux ignores the address
        if address is not None and flags_or_address & _real.MSG_OOB:
            raise os_error(E.EOPNOTSUPP)  # udp_sendmsg: no urgent data in a datagram
        self._raise_icmp_error()  # a pending ICMP error fails the send (sock_alloc_send_pskb's sock_error)
        return self._sendto(payload.tobytes(), target)

    def _held_source(self) -> IPv4Address | None:
        """The source address this socket holds (inet_saddr): the host's own address it is bound to (not a
        group or a broadcast), or the one a UDP socket's first connect chose; None: the outgoing interface's."""
        bound = self._bound[0] if self._bound is not None else ANY
        return bound if bound != ANY and self._is_own_address(bound) else self._source

    def _loopback_source_to(self, ip: IPv4Address) -> bool:
        """Whether this socket holds a 127/8 source and `ip` is not on this host: Linux refuses such a
        route (__mkroute_output: a loopback source only on lo), EINVAL."""
        source = self._held_source()
        return source is not None and source.is_loopback and not self._is_own_address(ip)

    def _unfragmented_limit(self, ip: IPv4Address) -> int:
        """The largest IPv4 datagram this socket may send to `ip` unfragmented, by its IP_MTU_DISCOVER (ip(7)):
        IP_PMTUDISC_DO, the path MTU; IP_PMTUDISC_PROBE and IP_PMTUDISC_INTERFACE, the interface's MTU;
        otherwise any size (the host fragments it)."""
        mode = self._option_or_default((_real.IPPROTO_IP, IP_MTU_DISCOVER))
        if mode not in (PMTUDISC_DO, PMTUDISC_PROBE, PMTUDISC_INTERFACE) or self._is_own_address(ip):
            return 65535
        host = self._host
        try:
            if mode == PMTUDISC_DO:
                return host.path_mtu(ip, host.engine.now)  # a learned path MTU, until it expires
            return host.destination(ip).nic.max_frame - ETH_HEADER
        except (LocalIpError, ValueError):
            return 65535  # no way there: the send says so

    def _refuse_urgent(self, flags: int) -> None:
        """TCP urgent data (MSG_OOB, RFC 9293 3.8.5) is not simulated: said, rather than sent in line."""
        if flags & _real.MSG_OOB:
            raise UnsupportedInSimulation(f"urgent data (MSG_OOB) on host {self._program.node}")

    def _is_broadcast(self, ip: IPv4Address) -> bool:
        """Whether `ip` is a broadcast address to this host: 255.255.255.255, or the directed broadcast of one
        of its networks (lo's 127.255.255.255 too), what Linux's route calls RTCF_BROADCAST."""
        return ip in (BROADCAST, LOOPBACK_BROADCAST) or self._host.ipv4.accepts(ip) is Delivery.DIRECTED_BROADCAST

    def _sendto(self, data: bytes, target: tuple[IPv4Address, int], connected: bool = False) -> int:
        self._program.charge()  # a loop of sends costs virtual CPU, so a flood lets the network run
        ip, port = target
        host = self._host
        broadcast = self._is_broadcast(ip)
        if broadcast and not self._option(_real.SOL_SOCKET, _real.SO_BROADCAST):
            raise os_error(E.EACCES)  # Linux: broadcast needs SO_BROADCAST
        if self._loopback_source_to(ip):
            raise os_error(E.EINVAL)
        if len(data) > 65507 or (ON_LINUX and len(data) + 28 > self._unfragmented_limit(ip)):
            raise os_error(E.EMSGSIZE)
        if port == 0 and not connected:
            raise os_error(E.EINVAL)  # udp_sendmsg refuses port 0 as an address (connected to it, it sends)
        if self._bound is None:
            self.bind(("", 0))
        if ip.is_multicast:
            ttl = int(self._options.get((_real.IPPROTO_IP, _real.IP_MULTICAST_TTL), 1))
        else:
            ttl = self._options.get((_real.IPPROTO_IP, _real.IP_TTL))  # None: the host's default
        if self._is_own_address(ip):
            self._loop_datagram(ip, port, data)
            return len(data)
        self._wait_for_room(ip, len(data))
        try:
            # a 127/8 source never gets here: _loopback_source_to refused it, or the datagram stayed on the host
            # IP_MTU_DISCOVER decides DF and the MTU the datagram is cut to (DONT: no DF, a router fragments it)
            pmtudisc = int(self._option_or_default((_real.IPPROTO_IP, IP_MTU_DISCOVER))) if ON_LINUX else PMTUDISC_WANT
            host.send_udp(self._bound[1], ip, port, data, host.engine.now, ttl, self._held_source(), pmtudisc)  # type: ignore[index]
        except LocalIpError:
            raise os_error(E.ENETUNREACH) from None
        if broadcast or (ip.is_multicast and self._options.get((_real.IPPROTO_IP, _real.IP_MULTICAST_LOOP), 1)):
            # Linux's ip_mc_output hands the sending host a copy of every broadcast, and of a multicast
            # unless IP_MULTICAST_LOOP is off: a receiver on the sender's own host hears it too.
            self._loop_datagram(ip, port, data)
        return len(data)

    def _wait_for_room(self, ip: IPv4Address, size: int) -> None:
        """Wait while the interface's output queue has no room for this datagram (its fragments), as Linux
        blocks a sender whose SO_SNDBUF is held by datagrams still queued: a flood is paced by the link, not
        dropped. A non-blocking socket gets EAGAIN, one with a timeout times out. A neighbour not resolved yet
        never holds a sender up: its ARP queue keeps the newest datagrams, dropping the oldest (Linux's
        neighbour queue, __neigh_event_send)."""
        host = self._host
        try:
            way = host.destination(ip)
        except (LocalIpError, ValueError):
            return  # send_udp says why
        nic = way.nic
        per_fragment = (nic.mtu - 20) // 8 * 8
        frames = 1 if size + 28 <= nic.mtu else -(-(size + 8) // per_fragment)
        arp = nic.arp if way.group_mac is None else None
        if arp is not None and arp.waiting_for(way.next_hop) + frames > arp.queue_limit:
            # The kernel answers ARP while a program runs; here a program's calls run ahead of the network's
            # clock (their CPU cost is slept off later): let the network catch up before the queue overflows
            self._program.sleep(0)
        engine = host.engine
        timeout = self._ns_timeout()
        deadline = None if timeout is None else engine.now + timeout
        while (room := nic.port.room_at(engine.now, frames)) is not None:
            if self._timeout == 0:
                self._program.sleep(POLL_COST)
                raise BlockingIOError(E.EAGAIN, "Resource temporarily unavailable")
            if deadline is not None and engine.now >= deadline:
                raise TimeoutError("timed out")
            self._program.sleep((room if deadline is None else min(room, deadline)) - engine.now)

    def _loop_datagram(self, ip: IPv4Address, port: int, data: bytes) -> None:
        """Datagrams to this host (127.0.0.1, its own address, a group it joined, a broadcast) stay inside it."""
        host = self._host
        if self._is_own_address(ip):
            source = LOOPBACK if ip.is_loopback else ip
        elif ip.is_multicast:
            if host.ipv4.accepts(ip) is None:  # a group this host has not joined
                return
            source = host.addresses[0]
        else:  # a broadcast, from the address of the interface it left by
            source = host.destination(ip).nic.ip
        src_port = self._bound[1]  # type: ignore[index]
        receivers = self._shim.udp_receivers(port, ip, source, src_port)
        for sock in receivers:
            self._shim.queue_datagram(sock, data, (str(source), src_port), port, None, host.engine.now)
        if not receivers and self._is_own_address(ip) and self._peer == (ip, port):
            # Nobody on the port: the host's ICMP port unreachable to itself reaches the connected
            # sender as ECONNREFUSED on its next call (udp(7), RFC 1122 4.1.3.3), as one from the wire does.
            self._icmp_error = E.ECONNREFUSED
            self._shim.poke()

    # -- receiving --------------------------------------------------------------------------------------
    def takes(self, dst: IPv4Address, src: IPv4Address, src_port: int) -> bool:
        """Whether this UDP socket would take a datagram to `dst` from (`src`, `src_port`): bound to any
        address or to `dst`, from its peer if connected. A group's or a broadcast's datagrams reach every socket
        on the port bound so, and only those (Linux's __udp_is_mcast_sock: binding to the group address is how
        a program hears one group only)."""
        if self._bound is not None and self._bound[0] not in (ANY, dst):
            return False
        return self._peer is None or (src, src_port) == self._peer

    def specificity(self) -> int:
        """How closely this socket matches a unicast datagram it takes (Linux's compute_score): bound to an
        address of its own counts more than being connected."""
        return 2 * (self._bound is not None and self._bound[0] != ANY) + (self._peer is not None)

    def icmp_error_for(self, dst: str, dst_port: int, src_port: int, error: int, hard: bool) -> bool:
        """An ICMP error about a datagram this socket sent (from `src_port` to `dst`:`dst_port`): kept for its
        next call when it is a hard error and the socket connected, or the socket asked for every error with
        IP_RECVERR (__udp4_lib_err; RFC 1122 4.1.3.3). True when kept."""
        if self._tcp or self._bound is None or self._bound[1] != src_port:
            return False
        if self._peer is not None and (str(self._peer[0]), self._peer[1]) != (dst, dst_port):
            return False
        if not self._option(_real.IPPROTO_IP, IP_RECVERR) and not (hard and self._peer is not None):
            return False
        if error == E.EMSGSIZE and self._options.get((_real.IPPROTO_IP, IP_MTU_DISCOVER)) == PMTUDISC_DONT:
            return False  # IP_PMTUDISC_DONT: fragmentation needed is no error of the socket's
        self._icmp_error = error
        self._news()
        return True

    def _raise_icmp_error(self) -> None:
        if self._icmp_error:
            error, self._icmp_error = self._icmp_error, 0
            raise os_error(error)

    def queue_datagram(self, data: bytes, source: tuple[str, int]) -> bool:
        """Queue a datagram for recv, or drop it when its truesize would take the receive buffer past
        SO_RCVBUF, as Linux's __udp_enqueue_schedule_skb (a program that does not read cannot make the
        queue grow without end; Linux counts the drop as a UDP RcvbufError). False: dropped."""
        size = truesize(len(data))
        # not through getsockopt, whose descriptor check a socket closed under a blocked call would fail
        if self._queued + size > self._option_or_default((_real.SOL_SOCKET, _real.SO_RCVBUF)):
            return False
        self._queued += size
        self._datagrams.append((data, source))
        self._news()
        self._shim.poke()
        return True

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        bufsize, flags = c_ssize_t(bufsize), c_int(flags)  # CPython's argument errors ("n|i"), first
        if bufsize < 0:
            raise ValueError("negative buffersize in recv")
        if bufsize == 0:
            return b""  # CPython answers recv(0) itself (sock_recv_guts): no datagram taken, no wait, even closed
        self._check_open()
        self._read_error_queue(flags)
        if not self._tcp:
            return self._recvfrom(bufsize, flags)[0]
        return self._recv_stream(bufsize, flags)

    def _recv_stream(self, bufsize: int, flags: int) -> bytes:
        """A TCP read of up to `bufsize` bytes. 0 reaches here from recvfrom (CPython shortcuts only recv and
        recv_into): tcp_recvmsg waits for a byte all the same (sock_rcvlowat is at least 1) and takes none."""
        self._refuse_urgent(flags)
        conn = self._conn
        if conn is None:
            listener = self._listener
            if listener is not None and self._timeout:  # CPython polls first, and a listener is readable only
                self._block(lambda: bool(listener.accept_queue), flags)  # with a connection waiting
            raise os_error(E.ENOTCONN)
        # MSG_WAITALL on a blocking socket: until bufsize bytes are there, or the stream ends or fails. With a
        # timeout CPython polls, then reads the non-blocking descriptor, which gives what is there.
        waiting_all = flags & _real.MSG_WAITALL and not flags & (_real.MSG_PEEK | _real.MSG_DONTWAIT)
        wanted = max(1, bufsize) if waiting_all and self._timeout is None else 1
        try:
            self._block(
                lambda: (
                    self._shut_rd
                    or conn.readable >= wanted
                    or conn.fin_received  # the stream ends: MSG_WAITALL returns what came before it (tcp_recvmsg)
                    or conn.error
                    or conn.state in (S.CLOSED, S.TIME_WAIT)
                ),
                flags,
                self._kernel_limit(SO_RCVTIMEO),
            )
        except BlockingIOError:  # SO_RCVTIMEO ran out: a MSG_WAITALL read returns the part there (tcp_recvmsg)
            if not conn.readable:
                raise
        if conn.readable:  # Linux's SHUT_RD keeps the queue: recv returns it, then the end
            if flags & _real.MSG_PEEK:
                data = conn.peek(bufsize)
            else:
                data = conn.receive(bufsize)
                if conn.has_acks_to_send:
                    self._host.tcp.flush_soon()
            if flags & MSG_TRUNC:
                # tcp_recvmsg skips the bytes without copying them: CPython's buffer keeps whatever its memory
                # had (zeros here), and recv_into leaves the caller's buffer as it was
                return bytes(len(data))
            return data
        if conn.error and not self._reset_reported and conn.error != E.EPIPE:
            self._reset_reported = True
            raise os_error(conn.error)
        return b""  # the end (a reset after the peer's FIN leaves EPIPE for the next send, as Linux)

    def recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, Any]:
        bufsize, flags = c_ssize_t(bufsize), c_int(flags)
        if bufsize < 0:
            raise ValueError("negative buffersize in recvfrom")
        self._check_open()
        self._read_error_queue(flags)
        if self._tcp:
            return self._recv_stream(bufsize, flags), None
        return self._recvfrom(bufsize, flags)

    def _read_error_queue(self, flags: int) -> None:
        """MSG_ERRQUEUE reads the socket's error queue, never its data (ip_recv_error): the queue is empty here,
        EAGAIN at once, blocking or not, unless a UDP socket with IP_RECVERR had ICMP errors queued there, whose
        reading (the offending datagram, its cmsg) is not simulated."""
        if not flags & MSG_ERRQUEUE:
            return
        if not self._tcp and self._option(_real.IPPROTO_IP, IP_RECVERR):
            raise UnsupportedInSimulation(f"reading the error queue (MSG_ERRQUEUE) on host {self._program.node}")
        raise BlockingIOError(E.EAGAIN, "Resource temporarily unavailable")

    def _recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, tuple[str, int]]:
        # Not bound by receiving (inet_recvmsg binds nothing, unlike a send): getsockname stays 0.0.0.0:0
        self._raise_icmp_error()
        # Shut for reading, only a blocking call returns the end with nothing queued (__skb_wait_for_more_packets);
        # a non-blocking one is EAGAIN (__skb_recv_udp), and with a timeout CPython retries that till it runs out
        blocking = self._timeout is None and not flags & _real.MSG_DONTWAIT
        self._block(
            lambda: self._datagrams or self._icmp_error or (self._shut_rd and blocking),
            flags,
            self._kernel_limit(SO_RCVTIMEO),
        )
        if self._shut_rd and not self._datagrams:
            return b"", None  # type: ignore[return-value]  # shut for reading: an empty read, as on Linux
        self._raise_icmp_error()
        # MSG_PEEK leaves the datagram for the next read; otherwise one longer than bufsize is cut, the rest lost
        if flags & _real.MSG_PEEK:
            data, source = self._datagrams[0]
        else:
            data, source = self._datagrams.popleft()
            self._queued -= truesize(len(data))
        if flags & MSG_TRUNC and len(data) > bufsize:
            # Linux returns the datagram's real length and CPython sizes the bytes to it: the part read, then
            # what the buffer never held (its bytes are whatever the memory had; zeros here)
            return data[:bufsize] + bytes(len(data) - bufsize), source
        return data[:bufsize], source

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        view = _writable_buffer(buffer, "recv_into")
        nbytes = _size_into(view, nbytes, "recv_into", "buffer too small for requested bytes")
        data = self.recv(nbytes, flags)
        if self._tcp and operator.index(flags) & MSG_TRUNC:
            return len(data)  # nothing copied (tcp_recvmsg)
        return _copied_into(view, data)

    def recvfrom_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> tuple[int, Any]:
        view = _writable_buffer(buffer, "recvfrom_into")
        nbytes = _size_into(view, nbytes, "recvfrom_into", "nbytes is greater than the length of the buffer")
        data, source = self.recvfrom(nbytes, flags)
        if self._tcp and operator.index(flags) & MSG_TRUNC:
            return len(data), source  # nothing copied (tcp_recvmsg)
        return _copied_into(view, data), source

    def bytes_waiting(self) -> int:
        """What ioctl SIOCINQ (FIONREAD) says: a stream's bytes to read, a datagram socket's next datagram's
        size (0 with none); EINVAL on a listener (tcp_ioctl)."""
        if self._listener is not None:
            raise os_error(E.EINVAL)
        if not self._tcp:
            return len(self._datagrams[0][0]) if self._datagrams else 0
        return int(self._conn.readable) if self._conn is not None else 0

    def bytes_unacknowledged(self) -> int:
        """What ioctl SIOCOUTQ says: a stream's bytes not yet acknowledged (sent or not); 0 for a datagram
        socket, whose datagrams leave at once; EINVAL on a listener."""
        if self._listener is not None:
            raise os_error(E.EINVAL)
        return self._conn.send_queued if self._tcp and self._conn is not None else 0

    # -- readiness (select) ----------------------------------------------------------------------------
    def _readable(self) -> bool:
        if self._released:
            return True
        if self._listener is not None:
            return bool(self._listener.accept_queue)
        if not self._tcp:
            return bool(self._datagrams or self._icmp_error)
        conn = self._conn
        if conn is None:
            return True  # never connected: a read would not block (it fails), poll says POLLHUP
        return bool(
            conn.readable or conn.at_eof or conn.error or self._shut_rd or conn.state in (S.CLOSED, S.TIME_WAIT)
        )

    def _writable(self) -> bool:
        if not self._tcp or self._released:
            return True
        if self._listener is not None:
            return False  # tcp_poll in LISTEN: POLLIN when a connection waits, never POLLOUT
        conn = self._conn
        if conn is None:
            return True  # never connected: tcp_poll says POLLOUT | POLLHUP
        if conn.state in _NOT_CONNECTED:
            return False
        return bool(conn.error) or not conn.can_send or conn.send_space > 0

    # -- closing ---------------------------------------------------------------------------------------
    def shutdown(self, how: int) -> None:
        self._check_open()
        if how not in (_real.SHUT_RD, _real.SHUT_WR, _real.SHUT_RDWR):
            raise os_error(E.EINVAL)
        if self._listener is not None:
            # Linux's inet_shutdown of a listener: reading shut stops listening, and a thread blocked in accept()
            # wakes with EINVAL (a common way to end an accept loop); writing shut alone changes nothing
            if how != _real.SHUT_WR:
                self._host.tcp.stack.close_listener(self._listener)
                self._listener = None
                self._shim.listening.discard(self)
                self._news()
                self._shim.poke()
            return
        if self._tcp and (self._conn is None or self._conn.state in (S.CLOSED,)):
            raise os_error(E.ENOTCONN)
        if how in (_real.SHUT_RD, _real.SHUT_RDWR):
            self._shut_rd = True
            if self._tcp:
                self._conn.shutdown_read()
        if how in (_real.SHUT_WR, _real.SHUT_RDWR):
            self._shut_wr = True
            if self._tcp:
                self._conn.shutdown()
                self._host.tcp.flush(self._host.engine.now)
                self._let_lo_carry()
        self._news()
        self._shim.poke()
        if not self._tcp and self._peer is None:
            # Linux marks an unconnected UDP socket shut and wakes its readers, then says it was not connected
            raise os_error(E.ENOTCONN)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._io_refs <= 0:
            conn = self._conn
            self._release()
            self._let_lo_carry()
            self._linger(conn)

    def _linger_time(self) -> int | None:
        """SO_LINGER's time in seconds when it is on (l_onoff not 0, as Linux's sock_setsockopt reads it), else None."""
        linger = self._options.get((_real.SOL_SOCKET, _real.SO_LINGER))
        if not isinstance(linger, (bytes, bytearray)) or len(linger) < 8:
            return None
        on, seconds = struct.unpack("ii", linger[:8])
        return max(0, seconds) if on else None

    def _linger(self, conn: Any) -> None:
        """SO_LINGER on for t > 0 s: close() waits until the peer has acknowledged our FIN, and with it all the
        data, or t s have passed (Linux's sk_stream_wait_close; the connection goes on either way)."""
        seconds = self._linger_time()
        if conn is None or not seconds or not self._program.in_a_thread():
            return
        self._program.wait(lambda: conn.state not in _FIN_UNACKNOWLEDGED, seconds * SECOND)

    def _let_lo_carry(self) -> None:
        """Return once lo has carried what this call sent there: Linux runs the receiving side (its softirq)
        before a call that sent on lo returns, so once close() returns the peer has the FIN, once send()
        returns the peer can read the data, once connect() returns (a non-blocking one too, with EINPROGRESS)
        the handshake is over and the listener holds the connection. One hop of lo, and for a handshake under
        way as many as it takes (a few at most); not what the peer's program sends back, which on Linux waits
        for that program to be scheduled. Not in a finaliser or at exit (no program thread to wait in)."""
        host, program, conn = self._host, self._program, self._conn
        if not host.loopback_in_flight or not self._talks_over_lo() or not program.in_a_thread():
            return
        connecting = conn is not None and conn.state in _NOT_CONNECTED
        hops = 0
        while host.loopback_in_flight and hops < LOOPBACK_HOPS:
            program.sleep(LOOPBACK_DELAY)
            hops += 1
            if not (connecting and conn.state in _NOT_CONNECTED):
                break
        if connecting and hops and host.loopback_in_flight and hops < LOOPBACK_HOPS:
            program.sleep(LOOPBACK_DELAY)  # the handshake's last ACK, on its way to the listener

    def _talks_over_lo(self) -> bool:
        """Whether this socket's peer is on this host (127/8 or one of its addresses): what it sends goes by lo."""
        peer = self._peer_address()
        return peer is not None and self._is_own_address(peer)

    def _release(self) -> None:
        """The descriptor is closed: the socket ends now, or after the calls blocked on it (_block); its number
        is free at once either way, as close(2) frees it while the kernel's file lives on."""
        if self._blocked:
            self._fd_taken = True
            self._news()  # the number leaves the epoll sets (close(2))
            self._program.release_fd(self._fd, self)
        else:
            self._real_close()

    def _close_after_call(self) -> None:
        if not self._blocked:
            self._real_close()

    def _decref_socketios(self) -> None:
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed and self._io_refs <= 0:
            self._release()

    def close_at_exit(self) -> None:
        """The process ended: the kernel closes the descriptor, whatever makefile() objects still hold it."""
        self._closed = True
        self._io_refs = 0
        self._real_close()

    def _real_close(self) -> None:
        if self._released:
            return
        self._released = True  # the descriptor is gone; a makefile() closed later finds nothing to do
        shim, host = self._shim, self._host
        shim.sockets.discard(self)
        self._program.release_fd(self._fd, self)
        self._program.sockets.discard(self)
        if self._bound is not None:
            if self._tcp:
                bound = shim.tcp_bound.get(self._bound[1])
                if bound is not None:
                    bound.discard(self)
            else:
                shim.udp_unbound(self, self._bound[1])
        for group in list(self._groups):
            self._membership(False, group.packed + bytes(4))
        if self._listener is not None:
            host.tcp.stack.close_listener(self._listener)
            shim.listening.discard(self)
        self._news()  # the number leaves the epoll sets (close(2))
        if self._conn is not None:
            if self._linger_time() == 0:
                self._conn.abort()  # SO_LINGER on with 0 s: close sends RST (Linux, RFC 9293 3.10.5)
            else:
                self._conn.close()
        host.tcp.flush(host.engine.now)
        shim.poke()

    def __del__(self) -> None:
        """CPython closes a socket object's descriptor when it is finalised, its last reference gone
        (`del conn`, a name rebound in an accept loop, a function returning): the FIN goes out and the
        port is free, as on Linux. (Not for one whose __init__ failed: it never held a descriptor.)"""
        if getattr(self, "_released", True) is False:
            self.close_at_exit()

    def detach(self) -> int:
        raise UnsupportedInSimulation(f"socket.detach() on host {self._program.node}")

    def dup(self) -> SimSocket:
        raise UnsupportedInSimulation(f"socket.dup() on host {self._program.node}")

    def makefile(
        self,
        mode: str = "r",
        buffering: int | None = None,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> Any:
        """As CPython's socket.makefile: a SocketIO in buffered and text wrappers."""
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError(f"invalid mode {mode!r} (only r, w, b allowed)")
        writing, reading, binary = "w" in mode, "r" in mode or "w" not in mode, "b" in mode
        rawmode = ("r" if reading else "") + ("w" if writing else "")
        raw = _real.SocketIO(self, rawmode)  # type: ignore[arg-type]
        self._io_refs += 1
        if buffering is None:
            buffering = -1
        if buffering < 0:
            buffering = io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if not binary:
                raise ValueError("unbuffered streams must be binary")
            return raw
        if reading and writing:
            buffer: Any = io.BufferedRWPair(raw, raw, buffering)
        elif reading:
            buffer = io.BufferedReader(raw, buffering)
        else:
            buffer = io.BufferedWriter(raw, buffering)
        if binary:
            return buffer
        text = io.TextIOWrapper(buffer, encoding, errors, newline)
        text.mode = mode
        return text


def _scope(ip: IPv4Address) -> int:
    """An IPv4 address's scope as glibc's getaddrinfo ranks it (get_scope): link-local (2) for 127/8 and
    169.254/16, global (14) for the rest."""
    return 2 if ip.is_loopback or ip.is_link_local else 14


class SocketFunctions:
    """The module-level functions of one program's `socket` module (names resolved on its host)."""

    def __init__(self, program: Program, sock_class: type[SimSocket]) -> None:
        self.program = program
        self.host = program.host
        self.network: Network | None = program.host.network
        self.sock_class = sock_class

    def gethostname(self) -> str:
        return self.host.name

    def gethostbyname(self, name: Any) -> str:
        return self.address_of(host_argument("gethostbyname", name))

    def address_of(self, name: str) -> str:
        """The address CPython's setipaddr finds for a host name it has converted (AF_INET): the wildcard for
        "", the broadcast for "<broadcast>", a numeric form as glibc reads it, else the name looked up."""
        if name == "":
            return "0.0.0.0"
        if name == "<broadcast>":
            return "255.255.255.255"
        number = numeric_address(name)
        if number is not None:
            return str(number)
        if digits_and_dots(name):  # setipaddr's getaddrinfo, AF_INET, takes glibc's gethostbyname path
            raise no_name()
        return str(self._sorted(self._hostent(name)[2])[0])  # getaddrinfo's first (setipaddr asks it)

    def _sorted(self, addresses: list[IPv4Address]) -> list[IPv4Address]:
        """getaddrinfo's addresses in the order glibc sorts them (rfc3484_sort, stable)."""
        if len(addresses) < 2:
            return addresses  # nothing to sort: no route looked up (a send to a name resolves it each time)
        return sorted(addresses, key=self._destination_rank)

    def _destination_rank(self, ip: IPv4Address) -> tuple[int, int, int, int]:
        """Where glibc's RFC 3484 rules put a destination among IPv4 ones: rule 1, one the host has no route
        to (no source address) last; rule 2, one whose scope is not its source's after; rule 8, the smaller
        scope first (127/8 and 169.254/16 are link-local, the rest global); rule 9, within its source's own
        subnet the longest prefix in common with the source first (outside it IPv4 prefixes count for
        nothing, glibc says). A router's address on the asking host's subnet so comes first."""
        host = self.host
        try:
            source = host.tcp.local_address_for(ip)
        except LocalIpError:
            return (1, 0, 0, 0)
        scope, source_scope = _scope(ip), _scope(source)
        networks = {nic.ip: nic.address.network for nic in host.nics if nic.address is not None}
        network = networks.get(source, LOOPBACK_NETWORK if source.is_loopback else None)
        common = 32 - (int(ip) ^ int(source)).bit_length() if network is not None and ip in network else 0
        return (0, int(scope != source_scope), scope, -common)

    def _hostent(self, name: str) -> tuple[str, list[str], list[IPv4Address]]:
        """What glibc's lookup of a name finds, as a hostent: (canonical name, aliases, addresses). localhost is
        /etc/hosts's, whose names glibc matches without regard to case (LOCALHOST is localhost); through a
        resolver, a name that is an alias (CNAME) is listed among the aliases and the last target is the
        canonical name."""
        if name.casefold() == "localhost":  # /etc/hosts's one name for 127.0.0.1 (_system_files)
            return name.casefold(), [], [LOOPBACK]
        canonical, aliases, addresses = self._addresses(name)
        if aliases:
            aliases, canonical = [name, *aliases[:-1]], aliases[-1]
        return canonical, aliases, addresses

    def _addresses(self, name: str) -> tuple[str, list[str], list[IPv4Address]]:
        """(canonical name, aliases, addresses) of a name, as glibc's `hosts: files dns` finds it. The files:
        the topology's names (a node's own addresses), as `real run` writes them into /etc/hosts, or only the
        host's own name when it has a resolver (`dns:` or a DHCP lease). Then DNS over the wire, through the
        host's servers or, with none, the local machine's (host_dns.servers_of: EAI_AGAIN unless the host
        has a zone: of its own)."""
        host = self.host
        if not host.resolver_servers or name.casefold() == host.name.casefold():
            found = self._in_hosts_file(name)
            if found is not None:
                return found
        event = self._ask(name, DnsType.A)
        return event.name.rstrip("."), [a.rstrip(".") for a in event.aliases], list(event.addresses)

    def _in_hosts_file(self, name: str) -> tuple[str, list[str], list[IPv4Address]] | None:
        """A node of the topology called `name` (without regard to case, as /etc/hosts's) with an address."""
        host, network = self.host, self.network
        node = host if name == host.name else (network.nodes.get(name) if network is not None else None)
        if node is None and network is not None:
            node = next((n for key, n in network.nodes.items() if key.casefold() == name.casefold()), None)
        addresses = node.addresses if isinstance(node, HasAddresses) else None
        if node is None or not addresses:
            return None
        return node.name, [], list(addresses)  # the name as /etc/hosts spells it (glibc's h_name)

    def _ask(self, name: str, qtype: int) -> Resolved:
        """One lookup on the wire; the program waits as glibc's res_send does (5 s a try, 2 tries a server).
        A failure is getaddrinfo's: EAI_NONAME (no such name), EAI_AGAIN (no server answered)."""
        self.program.charge()
        found: list[Resolved | Failed] = []

        def done(event: Resolved | Failed) -> None:
            found.append(event)
            self.program.shim.poke()

        self.host.lookup_name(name, done, qtype)
        self.program.wait(lambda: found)
        event = found[0]
        if isinstance(event, Failed):
            raise gaierror(GAI_CODES[event.error])
        return event

    def getaddrinfo(
        self, host: Any, port: Any, family: Any = 0, type: Any = 0, proto: Any = 0, flags: Any = 0
    ) -> list[tuple[Any, ...]]:
        """socket.getaddrinfo: CPython's conversions (its keywords, C ints, the host IDNA-encoded, host and
        port as C strings), then glibc's getaddrinfo."""
        hints = [c_int(value) for value in (family, type, proto, flags)]
        return self._getaddrinfo(gai_host(host), gai_service(port), *hints)

    def _getaddrinfo(
        self, name: str | None, service: str | None, family: int, socktype: int, protocol: int, flags: int
    ) -> list[tuple[Any, ...]]:
        """glibc 2.36's getaddrinfo, its checks in its order: "*" stands for no host or no service, and an
        empty service is none; neither is EAI_NONAME; flags it does not know, or AI_CANONNAME without a host,
        EAI_BADFLAGS; a family other than AF_UNSPEC, AF_INET, AF_INET6 EAI_FAMILY; then the socket types and
        the service (socket_kinds), then the host. ai_canonname, on the first entry only, is the host's
        canonical name (its /etc/hosts or DNS name; a numeric host as given)."""
        name = None if name == "*" else name
        service = None if service in ("*", "") else service
        if name is None and service is None:
            raise no_name()
        if flags & ~AI_KNOWN or (flags & _real.AI_CANONNAME and name is None):
            raise gaierror(_real.EAI_BADFLAGS)
        if family not in (0, _real.AF_INET, getattr(_real, "AF_INET6", -1)):
            raise gaierror(_real.EAI_FAMILY)
        kinds = socket_kinds(service, flags, socktype, protocol)
        canonical, addresses = self._gai_addresses(name, family, flags)
        entries = [
            (_real.AddressFamily.AF_INET, socket_kind(kind), protocol, "", (ip, port))
            for ip in addresses
            for kind, protocol, port in kinds
        ]
        if flags & _real.AI_CANONNAME:
            entries[0] = (*entries[0][:3], canonical, entries[0][4])
        return entries

    def _gai_addresses(self, name: str | None, family: int, flags: int) -> tuple[str, list[str]]:
        """(canonical name, addresses) of getaddrinfo's host: none is the wildcard to bind with AI_PASSIVE, else
        the loopback address (RFC 3493 6.1); a numeric form is taken as it is; AI_NUMERICHOST looks nothing up
        (EAI_NONAME); a name's every address, sorted as glibc sorts them. The host speaks IPv4 only: AF_INET6
        finds no address (an IPv4 literal is EAI_ADDRFAMILY, a name EAI_NONAME, as glibc says of a name
        /etc/hosts has no IPv6 address for)."""
        if family == getattr(_real, "AF_INET6", None):
            if name is None:
                raise gaierror(_real.EAI_FAMILY)
            if numeric_address(name) is not None:
                raise gaierror(EAI_ADDRFAMILY)
            raise no_name()
        if name is None:
            return "", ["0.0.0.0" if flags & _real.AI_PASSIVE else "127.0.0.1"]
        number = numeric_address(name)
        if number is not None:
            return name, [str(number)]
        if flags & _real.AI_NUMERICHOST or name in ("", "<broadcast>"):  # <broadcast> is CPython's, not glibc's
            raise no_name()
        if family == _real.AF_INET and not flags & _real.AI_CANONNAME and digits_and_dots(name):
            raise no_name()  # glibc 2.36's gaih_inet asks gethostbyname2_r then, which applies digits_dots
        canonical, _, addresses = self._hostent(name)
        return canonical, [str(ip) for ip in self._sorted(addresses)]

    def gethostbyaddr(self, address: Any) -> tuple[str, list[str], list[str]]:
        name = host_argument("gethostbyaddr", address)
        if name == "":  # setipaddr with AF_UNSPEC: glibc gives the wildcard of both families
            raise OSError("wildcard resolved to multiple address")
        ip = IPv4Address(self.address_of(name))
        if ip.is_loopback:  # /etc/hosts names 127.0.0.1 only; the rest of 127/8 has no name
            if ip != LOOPBACK:
                raise _real.herror(1, "Unknown host")
            return "localhost", [], [str(ip)]
        named = next((name for address, name in hosts_entries(self.host) if address == ip), None)
        if named is not None:  # the files first (its own name too: no DNS asked for what getfqdn() asks)
            return named, [], [str(ip)]
        try:  # then DNS, a PTR query (RFC 1035 3.5); herror as glibc's gethostbyaddr_r says it
            names = self._ask(reverse_name(ip), DnsType.PTR).names
        except _real.gaierror as error:
            raise (
                _real.herror(2, "Host name lookup failure")
                if error.errno == _real.EAI_AGAIN
                else _real.herror(1, "Unknown host")
            ) from None
        return names[0].rstrip("."), [n.rstrip(".") for n in names[1:]], [str(ip)]

    def getnameinfo(self, sockaddr: Any, flags: Any) -> tuple[str, str]:
        """CPython's getnameinfo: the sockaddr read ("si|II"), its host taken numerically and its port as a
        number through getaddrinfo (AI_NUMERICHOST, SOCK_DGRAM: a name is EAI_NONAME, 70000 is port 4464), an
        IPv4 sockaddr of 2 items only; then glibc's: unknown flags EAI_BADFLAGS, the host's name (NI_NAMEREQD:
        EAI_NONAME without one, or with NI_NUMERICHOST), the service's name over TCP or, NI_DGRAM, UDP."""
        flags = c_int(flags)
        host, port = nameinfo_address(sockaddr)
        _, _, _, _, (ip, port) = self._getaddrinfo(host, str(port), 0, _real.SOCK_DGRAM, 0, _real.AI_NUMERICHOST)[0]
        if len(sockaddr) != 2:
            raise OSError("IPv4 sockaddr must be 2 tuple")
        if flags & ~NI_KNOWN:
            raise gaierror(_real.EAI_BADFLAGS)
        name = None
        if not flags & _real.NI_NUMERICHOST:
            try:
                name = self.gethostbyaddr(ip)[0]
            except _real.herror:
                pass
        if name is None and flags & _real.NI_NAMEREQD:
            raise no_name()
        service = None if flags & _real.NI_NUMERICSERV else name_of(port, "udp" if flags & _real.NI_DGRAM else "tcp")
        return name or ip, service or str(port)

    def getservbyname(self, name: Any, *proto: Any) -> int:
        """CPython's "s|s" arguments (a str each; a protocol left out is any, None is refused), then the table."""
        protocol = self._protocol_argument("getservbyname", proto)
        port = port_of(c_string("getservbyname", 1, name), protocol)
        if port is None:
            raise OSError("service/proto not found")
        return port

    def getservbyport(self, port: Any, *proto: Any) -> str:
        """CPython's "i|s" arguments (the port a C int, then 0-65535), then the table."""
        port = c_int(port)
        protocol = self._protocol_argument("getservbyport", proto)
        if not 0 <= port <= 65535:
            raise OverflowError("getservbyport: port must be 0-65535.")
        name = name_of(port, protocol)
        if name is None:
            raise OSError("port/proto not found")
        return name

    @staticmethod
    def _protocol_argument(call: str, given: tuple[Any, ...]) -> str | None:
        if len(given) > 1:
            raise TypeError(f"{call}() takes at most 2 arguments ({len(given) + 1} given)")
        return c_string(call, 2, given[0]) if given else None

    def gethostbyname_ex(self, name: Any) -> tuple[str, list[str], list[str]]:
        """CPython's gethostbyname_ex: setipaddr first (a name not found is its gaierror), then glibc's
        gethostbyname_r, which takes a name of digits and dots as an address (its digits_dots) and looks any
        other up, "", "<broadcast>" and 0x7f.1 too, which no hosts file names: herror 1, HOST_NOT_FOUND."""
        name = host_argument("gethostbyname_ex", name)
        number = numeric_address(name)
        if number is not None and name.replace(".", "").isdigit():
            return name, [], [str(number)]
        if name in ("", "<broadcast>") or number is not None:
            raise _real.herror(1, "Unknown host")
        if digits_and_dots(name):  # setipaddr's gaierror, before gethostbyname_r is called
            raise no_name()
        canonical, aliases, addresses = self._hostent(name)
        return canonical, aliases, [str(a) for a in addresses]

    def getdefaulttimeout(self) -> float | None:
        return self.program.default_timeout

    def setdefaulttimeout(self, timeout: float | None) -> None:
        self.program.default_timeout = _timeout_argument(timeout)

    def create_server(
        self,
        address: tuple[str, int],
        *,
        family: int = _real.AF_INET,
        backlog: int | None = None,
        reuse_port: bool = False,
        dualstack_ipv6: bool = False,
    ) -> SimSocket:
        """CPython's socket.create_server on an IPv4-only host: SO_REUSEADDR, SO_REUSEPORT when asked,
        a bind error that names the address, and no dual-stack IPv6."""
        if dualstack_ipv6:
            raise ValueError("dualstack_ipv6 not supported on this platform")  # has_dualstack_ipv6() is False
        sock = self.sock_class(family, _real.SOCK_STREAM)
        try:
            sock.setsockopt(_real.SOL_SOCKET, _real.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(_real.SOL_SOCKET, _real.SO_REUSEPORT, 1)
            try:
                sock.bind(address)
            except OSError as error:
                raise OSError(
                    error.errno, f"{error.strerror} (while attempting to bind on address {address!r})"
                ) from None
            sock.listen(DEFAULT_BACKLOG if backlog is None else backlog)
            return sock
        except BaseException:
            sock.close()
            raise

    def socketpair(
        self, family: int = getattr(_real, "AF_UNIX", _real.AF_INET), type: int = _real.SOCK_STREAM, proto: int = 0
    ) -> tuple[SimSocket, SimSocket]:
        """Two connected stream sockets over the host's loopback (CPython's own socketpair where
        AF_UNIX is missing: a listener, a connect, an accept); asyncio's event loop wakes itself so."""
        if family == _real.AF_INET and hasattr(_real, "AF_UNIX"):
            # Linux's inet sockets have no socketpair (sock_no_socketpair); where there is no AF_UNIX, the default
            # family is AF_INET and CPython makes the pair over loopback, as here
            raise os_error(E.EOPNOTSUPP)
        if type != _real.SOCK_STREAM:
            raise UnsupportedInSimulation(f"socket.socketpair(type={type}) on host {self.host.name} (SOCK_STREAM only)")
        with self.sock_class(_real.AF_INET, _real.SOCK_STREAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            first = self.sock_class(_real.AF_INET, _real.SOCK_STREAM)
            first.connect(listener.getsockname())
            second, _ = listener.accept()
        return first, second

    def unsupported(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            raise UnsupportedInSimulation(f"socket.{name}() is not available on simulated host {self.host.name}")

        return call

    def has_dualstack_ipv6(self) -> bool:
        return False

    def _interfaces(self) -> list[tuple[int, str]]:
        """Linux's interface numbers: lo is 1 (every namespace has it), the host's own follow in their order."""
        return [(1, "lo"), *((index, nic.name) for index, nic in enumerate(self.host.nics, start=2))]

    def if_nameindex(self) -> list[tuple[int, str]]:
        return self._interfaces()

    def if_nametoindex(self, name: Any) -> int:
        name = os.fsdecode(name)  # str, bytes or a path, as CPython takes it (TypeError otherwise)
        for index, known in self._interfaces():
            if known == name:
                return index
        raise OSError("no interface with this name")

    def if_indextoname(self, index: Any) -> str:
        if not isinstance(index, int):
            raise TypeError("an integer is required")
        if index < 0:
            raise OverflowError("can't convert negative value to unsigned int")
        for known, name in self._interfaces():
            if known == index:
                return name
        raise os_error(E.ENXIO)


FUNCTIONS = (
    "gethostname",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "getaddrinfo",
    "getnameinfo",
    "getservbyname",
    "getservbyport",
    "getdefaulttimeout",
    "setdefaulttimeout",
    "create_server",
    "has_dualstack_ipv6",
    "socketpair",
    "if_nameindex",
    "if_nametoindex",
    "if_indextoname",
)
FROM_REAL = (
    "error",
    "timeout",
    "herror",
    "gaierror",
    "AddressFamily",
    "SocketKind",
    "inet_aton",
    "inet_ntoa",
    "inet_pton",
    "inet_ntop",
    "htons",
    "htonl",
    "ntohs",
    "ntohl",
    "CMSG_LEN",  # the control-message sizes sendmsg and recvmsg use: arithmetic (POSIX only)
    "CMSG_SPACE",
    "SocketIO",
    "_GLOBAL_DEFAULT_TIMEOUT",
)


def socket_module(program: Program) -> types.ModuleType:
    """The `socket` module a program on a simulated host imports."""
    module = types.ModuleType("socket", "Simulated sockets (lanlab): the standard names on a simulated host.")
    exported = [name for name in dir(_real) if name.isupper() and isinstance(getattr(_real, name), int)]
    exported += [name for name in FROM_REAL if hasattr(_real, name)]
    for name in exported:
        setattr(module, name, getattr(_real, name))
    sock_class: type[SimSocket] = type("socket", (SimSocket,), {"_program": program, "__module__": "socket"})
    module.socket = module.SocketType = sock_class  # type: ignore[attr-defined]
    functions = SocketFunctions(program, sock_class)
    sock_class._functions = functions
    for name in FUNCTIONS:
        setattr(module, name, getattr(functions, name))
    # CPython's own: every address getaddrinfo gives, the last error or all of them (all_errors=True)
    module.create_connection = with_globals(_real.create_connection, vars(module))  # type: ignore[attr-defined]
    module.getfqdn = with_globals(_real.getfqdn, vars(module))  # type: ignore[attr-defined]  # by gethostbyaddr
    module.fromfd = functions.unsupported("fromfd")  # type: ignore[attr-defined]
    module.getprotobyname = getprotobyname  # type: ignore[attr-defined]
    module.has_ipv6 = False  # type: ignore[attr-defined]  # a simulated host speaks IPv4 (AF_INET6: EAFNOSUPPORT)
    module.__all__ = sorted(
        {
            *exported,
            *FUNCTIONS,
            "create_connection",
            "getfqdn",
            "fromfd",
            "getprotobyname",
            "has_ipv6",
            "socket",
            "SocketType",
        }
    )
    return module
