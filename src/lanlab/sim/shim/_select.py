"""`select` for programs on a simulated host: select(), poll() and epoll over simulated
sockets and the program's stdin and stdout, waiting in virtual time.

poll and epoll report what Linux reports for a socket: POLLIN when a recv (or accept) would
not block, POLLOUT when a send would not, POLLERR on a pending error, POLLHUP once both
directions are closed, POLLNVAL (poll only) for a closed descriptor. epoll is level-triggered:
EPOLLET is accepted and behaves as level-triggered (a program written for edge triggering,
reading until EAGAIN, runs the same); EPOLLONESHOT disables a descriptor after one report.

An epoll looks only at the descriptors that may have become ready since it last looked, as the
kernel's ready list does, so a server with thousands of connections registered does not ask each
of them at every wake-up: a socket tells the epolls it is registered with when something about it
changed (`SimSocket._news`: a call of the program on it, a datagram or an ICMP error for it, its
connection changed by the host's TCP; a connection not yet accepted wakes the listening sockets),
and what was ready when last asked is asked again (level-triggered). Files and the standard
streams, whose readiness is the kernel's, are asked every time."""

from __future__ import annotations

import errno as E
import math
import operator
import os
import select as _real
import types
from typing import TYPE_CHECKING, Any, Self

from lanlab.proto.tcp import TcpState
from lanlab.sim.shim._arguments import INT_MAX, INT_MIN
from lanlab.sim.shim._process import UnsupportedInSimulation, seconds_to_ns, time_argument
from lanlab.units import MILLISECOND, SECOND
from lanlab.sim.shim._proxy import Builtin

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program
    from lanlab.sim.shim._socket import SimSocket

POLLIN, POLLPRI, POLLOUT = _real.POLLIN, _real.POLLPRI, _real.POLLOUT
POLLERR, POLLHUP, POLLNVAL = _real.POLLERR, _real.POLLHUP, _real.POLLNVAL
POLLRDHUP = getattr(_real, "POLLRDHUP", 0x2000)  # Linux's; EPOLLRDHUP is the same bit
ALWAYS = POLLERR | POLLHUP  # reported whether asked for or not (poll(2))
FD_SETSIZE = 1024  # glibc's fd_set: select() takes descriptors 0..1023
EPOLLONESHOT = getattr(_real, "EPOLLONESHOT", 1 << 30)


def _fd(item: Any) -> int:
    fd = item if isinstance(item, int) else getattr(item, "fileno", lambda: None)()
    if not isinstance(fd, int):
        raise TypeError("argument must be an int, or have a fileno() method.")
    if fd < 0:
        raise ValueError(f"file descriptor cannot be a negative integer ({fd})")
    return fd


def _selectable(item: Any) -> int:
    """select()'s descriptor: an fd_set holds FD_SETSIZE (1024) of them, so a number past it is CPython's ValueError
    (a select server with a thousand clients fails there, as on Linux; poll and epoll have no such bound)."""
    fd = _fd(item)
    if fd >= FD_SETSIZE:
        raise ValueError("filedescriptor out of range in select()")
    return fd


def _timeout(value: Any, unit: int, words: str) -> float | None:
    """A timeout in units of `unit` ns as CPython's select module reads it: None, or a time (its ValueError for
    NaN, OverflowError past 64-bit ns), any TypeError said in `words`."""
    if value is None:
        return None
    try:
        return time_argument(value, unit)
    except TypeError:
        raise TypeError(words) from None


def _fits_an_int(ms: float) -> None:
    """poll's and epoll's timeout in whole ms (rounded up) must fit a C int (CPython: "timeout is too large")."""
    if not INT_MIN <= math.ceil(ms) <= INT_MAX:
        raise OverflowError("timeout is too large")


def _ns(seconds: float | None) -> int | None:
    """A timeout in ns, any positive one at least 1 ns (a wait always moves time on)."""
    return None if seconds is None or seconds < 0 else seconds_to_ns(seconds)


class StandardStream:
    """Descriptor 0 (stdin) or 1 and 2 (stdout, stderr) as select() and poll() see them: stdin is
    always readable (its text is all there: a line, or the end, as a file or a finished pipe) and
    never writable; the output always writable."""

    _conn = None
    _released = False

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def _readable(self) -> bool:
        return self.fd == 0

    def _writable(self) -> bool:
        return self.fd != 0


STANDARD = {fd: StandardStream(fd) for fd in (0, 1, 2)}


def ready_now(fd: int, writing: bool = False) -> bool:
    """Whether a read (or write) on the real descriptor `fd` would not block, asked of the kernel at once."""
    readable, writable, _ = _real.select([] if writing else [fd], [fd] if writing else [], [], 0)
    return bool(writable if writing else readable)


class OwnFile:
    """A file or pipe the program opened, as select(), poll() and epoll see it: what the kernel says at
    once (a regular file is always ready; a pipe once written to: a write of the program's own wakes
    its waiters, os.write pokes the host). A self-pipe waking a select loop runs as on Linux."""

    _conn = None
    _released = False

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def _readable(self) -> bool:
        return ready_now(self.fd)

    def _writable(self) -> bool:
        return ready_now(self.fd, writing=True)


class Readiness:
    """Which simulated sockets of one program are ready for what."""

    def __init__(self, program: Program) -> None:
        self.program = program

    def socket(self, fd: int, call: str) -> SimSocket | StandardStream | OwnFile:
        sock = self._socket_at(fd)
        if sock is None:
            raise UnsupportedInSimulation(
                f"{call} on descriptor {fd}, which is no simulated socket nor a file of the program (host {self.program.node})"
            )
        return sock

    def _socket_at(self, fd: int) -> SimSocket | StandardStream | OwnFile | None:
        """The socket (or standard stream, or file) descriptor `fd` holds in this process; None: none (an epoll's)."""
        found = self.program.socket_at(fd) or STANDARD.get(fd)  # 0-2 are never in the process's table
        if found is None and self.program.holds_file(fd):
            return OwnFile(fd)
        return found

    def wait(self, ready: Any, timeout: int | None) -> None:
        """Wait for `ready()`; the call itself costs virtual CPU, so a loop polling with timeout 0
        lets the network move on."""
        self.program.charge()
        self.program.wait(ready, timeout)

    def events(self, fd: int) -> int:
        """poll(2)'s revents for descriptor `fd` (all of them; the caller masks)."""
        sock = self._socket_at(fd)
        if sock is None or sock._released:
            return POLLNVAL
        if getattr(sock, "_tcp", False) and sock._conn is None and sock._listener is None:
            return POLLOUT | POLLHUP  # a TCP socket never connected (tcp_poll in TCP_CLOSE)
        events = (POLLIN if sock._readable() else 0) | (POLLOUT if sock._writable() else 0)
        if getattr(sock, "_icmp_error", 0):  # a UDP socket's pending ICMP error: POLLERR, not a datagram to read
            events = (events & ~POLLIN if not sock._datagrams else events) | POLLERR
        conn = sock._conn
        if conn is not None:  # tcp_poll
            if conn.error and not sock._reset_reported:  # sk_err, until a call or SO_ERROR reads it
                events |= POLLERR
            # RCV_SHUTDOWN: the peer's FIN, our SHUT_RD, or the connection's end (tcp_done shuts both ways)
            closed = conn.state is TcpState.CLOSED
            reading_shut = closed or conn.fin_received or sock._shut_rd
            if reading_shut:
                events |= POLLIN | POLLRDHUP
            if closed or (reading_shut and (sock._shut_wr or not conn.can_send)):
                events |= POLLHUP  # both directions shut (SHUTDOWN_MASK), or the connection gone
        return events

    def select(self, rlist: Any, wlist: Any, xlist: Any, timeout: Any = None) -> tuple[list, list, list]:
        # CPython reads the timeout first (select_select_impl), then the lists
        timeout = _timeout(timeout, SECOND, "timeout must be a float or None")
        if timeout is not None and timeout < 0:
            raise ValueError("timeout must be non-negative")
        readers = [(item, self.socket(_selectable(item), "select()")) for item in rlist]
        writers = [(item, self.socket(_selectable(item), "select()")) for item in wlist]
        for item in xlist:
            self.socket(_selectable(item), "select()")

        def ready() -> tuple[list, list]:
            return (
                [item for item, sock in readers if sock._readable()],
                [item for item, sock in writers if sock._writable()],
            )

        self.wait(lambda: any(ready()), _ns(timeout))
        r, w = ready()
        return r, w, []


class Poll:
    """select.poll(): descriptors and the events wanted; poll() waits in virtual time (ms)."""

    def __init__(self, readiness: Readiness) -> None:
        self._readiness = readiness
        self._wanted: dict[int, int] = {}

    def register(self, fd: Any, eventmask: int = POLLIN | POLLPRI | POLLOUT) -> None:
        fd = _fd(fd)
        self._readiness.socket(fd, "poll.register()")
        self._wanted[fd] = eventmask

    def modify(self, fd: Any, eventmask: int) -> None:
        fd = _fd(fd)
        if fd not in self._wanted:
            raise FileNotFoundError(E.ENOENT, os.strerror(E.ENOENT))
        self._wanted[fd] = eventmask

    def unregister(self, fd: Any) -> None:
        del self._wanted[_fd(fd)]  # KeyError for one never registered, as CPython

    def _ready(self) -> list[tuple[int, int]]:
        events = self._readiness.events
        found = [(fd, events(fd) & (mask | ALWAYS | POLLNVAL)) for fd, mask in self._wanted.items()]
        return [(fd, revents) for fd, revents in found if revents]

    def poll(self, timeout: Any = None) -> list[tuple[int, int]]:
        """Wait up to `timeout` ms (None or negative: for ever), read as CPython's poll_poll_impl reads it."""
        ms = _timeout(timeout, MILLISECOND, "timeout must be an integer or None")
        if ms is not None:
            _fits_an_int(ms)
        self._readiness.wait(lambda: bool(self._ready()), _ns(None if ms is None else ms / 1e3))
        return self._ready()


class Epoll:
    """select.epoll (level-triggered, see the module's docstring)."""

    _readiness: Readiness

    def __init__(self, sizehint: int = -1, flags: int = 0) -> None:
        if sizehint != -1 and sizehint <= 0:  # CPython's check: -1 is the default, other sizes count
            raise ValueError("negative sizehint")
        self._wanted: dict[int, int] = {}
        self._fd: int | None = self._readiness.program.new_fd(self)
        self._order: dict[int, int] = {}  # fd -> when it was registered: results come in that order
        self._registered = 0
        self._look: set[int] = set()  # sockets that may be ready: changed since, or ready when last asked
        self._always: set[int] = set()  # files and standard streams: asked every time

    @property
    def closed(self) -> bool:
        return self._fd is None

    def close(self) -> None:
        if self._fd is not None:
            self._readiness.program.release_fd(self._fd, self)
        self._fd = None

    def fileno(self) -> int:
        if self._fd is None:
            raise ValueError("I/O operation on closed epoll object")
        return self._fd

    def __enter__(self) -> Self:
        self.fileno()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register(self, fd: Any, eventmask: int | None = None) -> None:
        fd = _fd(fd)
        self.fileno()
        target = self._readiness.socket(fd, "epoll.register()")
        if fd in self._wanted:
            raise FileExistsError(E.EEXIST, os.strerror(E.EEXIST))
        self._wanted[fd] = POLLIN | POLLPRI | POLLOUT if eventmask is None else eventmask
        self._order[fd] = self._registered
        self._registered += 1
        watched = getattr(target, "watched_by", None)
        if watched is None:
            self._always.add(fd)
        else:
            watched(self)
        self._look.add(fd)

    def modify(self, fd: Any, eventmask: int) -> None:
        fd = _fd(fd)
        if fd not in self._wanted:
            raise FileNotFoundError(E.ENOENT, os.strerror(E.ENOENT))
        self._wanted[fd] = eventmask
        self._look.add(fd)

    def unregister(self, fd: Any) -> None:
        fd = _fd(fd)
        if fd not in self._wanted:
            raise FileNotFoundError(E.ENOENT, os.strerror(E.ENOENT))
        self._forget(fd)

    def _forget(self, fd: int) -> None:
        del self._wanted[fd]
        del self._order[fd]
        self._look.discard(fd)
        self._always.discard(fd)

    def look_again(self, fd: int) -> None:
        """The socket at `fd` changed: the next look asks it (SimSocket._news)."""
        if fd in self._wanted:
            self._look.add(fd)

    def _ready(self) -> list[tuple[int, int]]:
        events = self._readiness.events
        found = []
        looking = self._look | self._always
        self._look = set()
        order = self._order
        for fd in sorted(looking, key=order.__getitem__) if len(looking) > 1 else looking:
            mask = self._wanted[fd]
            revents = events(fd)
            if revents & POLLNVAL:  # a closed socket leaves every epoll set (close(2))
                self._forget(fd)
                continue
            if revents & (mask | ALWAYS) and mask & ~EPOLLONESHOT:
                found.append((fd, revents & (mask | ALWAYS)))
                self._look.add(fd)  # level-triggered: ready until something about it changes
        return found

    def poll(self, timeout: Any = None, maxevents: int = -1) -> list[tuple[int, int]]:
        """Wait up to `timeout` s (None or negative: for ever) for at most `maxevents` (-1: all), checked as
        CPython's pyepoll_poll does: closed first, then the timeout, then maxevents."""
        self.fileno()
        seconds = _timeout(timeout, SECOND, "timeout must be an integer or None")
        if seconds is not None:
            _fits_an_int(seconds * 1000)
        maxevents = operator.index(maxevents)
        if maxevents != -1 and maxevents < 1:
            raise ValueError(f"maxevents must be greater than 0, got {maxevents}")
        self._readiness.wait(lambda: bool(self._ready()), _ns(seconds))
        found = self._ready()
        if maxevents > 0:
            found = found[:maxevents]
        for fd, _ in found:
            if self._wanted[fd] & EPOLLONESHOT:
                self._wanted[fd] = EPOLLONESHOT  # disabled until modify()
        return found


def select_module(program: Program) -> types.ModuleType:
    """The `select` module a program on a simulated host imports."""
    module = types.ModuleType("select", "Simulated select(), poll() and epoll over simulated sockets.")
    for name in dir(_real):
        if name.isupper() and isinstance(getattr(_real, name), int):
            setattr(module, name, getattr(_real, name))
    readiness = Readiness(program)
    module.select = Builtin(readiness.select)  # type: ignore[attr-defined]  # no method binding
    module.poll = Builtin(lambda: Poll(readiness))  # type: ignore[attr-defined]
    module.epoll = type("epoll", (Epoll,), {"_readiness": readiness, "__module__": "select"})  # type: ignore
    module.error = OSError  # type: ignore[attr-defined]
    return module
