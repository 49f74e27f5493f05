"""Programs on simulated hosts: one greenlet per thread, parked on a predicate.

A blocking call (recv, accept, sleep, a lock) parks its greenlet in a `Waiter` and switches
back to the engine; the engine moves virtual time on only when every program is parked
(trio's MockClock autojump idea). A waiter wakes when its deadline event fires or when the
host reports activity (a TCP segment, a datagram, a lock released) and its predicate holds.
Program code therefore runs inside engine events, at one instant of virtual time.

Time always moves: every wait with a timeout lasts at least 1 ns, and a thread's calls to the
clock (and UDP sends) cost CALL_COST of virtual CPU each, the first after a wait free; the
thread sees the clock move by that much per call and pays what it owes by sleeping once it
owes SETTLE (or when it next waits), so a busy-wait on time.time() ends in virtual time.
A program that never waits is stopped by the watchdog (`_watchdog`).
"""

from __future__ import annotations

import errno
import functools
import io
import locale as _real_locale
import operator
import os as _real_os
import sys
import traceback
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from ipaddress import IPv4Address
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Final, TextIO

from greenlet import GreenletExit, getcurrent, greenlet

try:
    import fcntl as _real_fcntl
except ImportError:  # not on Windows: there a program's files and sockets are not told apart by number
    _real_fcntl = None  # type: ignore[assignment]
try:
    import resource as _real_resource
except ImportError:  # Windows
    _real_resource = None  # type: ignore[assignment]

from lanlab.i18n import L_
from lanlab.program_lines import busy_error
from lanlab.sim.shim._environ import ProgramEnvironment, inherited
from lanlab.sim.shim._watchdog import WATCH, BusyLoop
from lanlab.units import SECOND

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host


@functools.cache
def descriptor_limit() -> int:
    """How many descriptors a program may hold: this process's soft RLIMIT_NOFILE (`ulimit -n`), as Linux
    gives each process (socket(2) past it is EMFILE)."""
    if _real_resource is None:
        return 1 << 20
    soft, _ = _real_resource.getrlimit(_real_resource.RLIMIT_NOFILE)
    return soft if soft != _real_resource.RLIM_INFINITY else 1 << 20


TIMEOUT = "timeout"
ACTIVITY = "activity"
CALL_COST = 1_000  # ns of virtual CPU per clock read (or UDP send) after the first since the thread waited
SETTLE = 1_000_000  # a thread owing this much sleeps it off, so the network moves on under a busy-wait
# A program's traceback shows at most its first and last frames (Python's own folds only repeats).
TRACEBACK_HEAD, TRACEBACK_TAIL = 20, 40


def program_frames(tb: TracebackType | None) -> Iterator[TracebackType]:
    """A traceback's entries outermost first, the shim's own left out (walked, not extracted:
    a million of them cost a fraction of a second)."""
    while tb is not None:
        if "/lanlab/sim/shim/" not in tb.tb_frame.f_code.co_filename:
            yield tb
        tb = tb.tb_next


def _summary(entries: Iterable[TracebackType]) -> traceback.StackSummary:
    """The entries as Python's traceback module shows them, with their column markers."""
    return traceback.StackSummary.from_list([traceback.extract_tb(tb, limit=1)[0] for tb in entries])


def seconds_to_ns(seconds: float) -> int:
    """A timeout in ns: any positive one lasts at least 1 ns, so every wait moves time on
    (queue's left-over 5e-17 s would otherwise be a wait of 0 ns, forever)."""
    return max(1, int(seconds * 1e9)) if seconds > 0 else 0


# lo's broadcast address (Linux's local table: `broadcast 127.255.255.255 dev lo`): a broadcast, not a unicast
# to the host, so it needs SO_BROADCAST and reaches every socket on the port
LOOPBACK_BROADCAST: Final = IPv4Address("127.255.255.255")


_NEW_PYTIME = sys.version_info >= (3, 13)  # the C type's public name, in CPython's message


def seconds_argument(value: Any) -> float:
    """A time in seconds given to sleep() or settimeout(), read as CPython's _PyTime_FromSecondsObject reads
    it: a float (not NaN) or an integer (by __index__, so "1" and Decimal are TypeErrors)."""
    return time_argument(value, SECOND)


def time_argument(value: Any, unit: int) -> float:
    """A time in units of `unit` ns (seconds, or poll()'s milliseconds: _PyTime_FromMillisecondsObject), read
    as CPython reads it: a float not NaN, or an integer by __index__, within what a 64-bit count of ns holds."""
    if isinstance(value, float):
        if value != value:
            raise ValueError("Invalid value NaN (not a number)")
        if not abs(value) * unit < 2**63:  # inf too: past what a 64-bit count of ns holds
            raise OverflowError("timestamp out of range for platform time_t")
        return value
    whole = operator.index(value)
    if abs(whole) * unit >= 2**63:
        raise OverflowError(f"timestamp too large to convert to C {'PyTime_t' if _NEW_PYTIME else '_PyTime_t'}")
    return float(whole)


class UnsupportedInSimulation(RuntimeError):
    """A call the socket shim cannot simulate (subprocess, os.fork, ssl, ...)."""

    __module__ = "builtins"  # tracebacks name it plainly, like the built-in errors a program knows


class RunInterrupted(KeyboardInterrupt):
    """lanlab's own Ctrl-C or SIGTERM (run_programs' handlers raise it): it ends the whole run. A
    KeyboardInterrupt a program raises itself is that program's failure, and the others go on."""


def interrupt_run(signum: int, frame: object) -> None:
    """The SIGINT and SIGTERM handler of a run: stop it, with the report so far. A program running
    when the signal came is stopped where it is and the run ends in the engine (WATCH.stop): raised in
    the program's code, RunInterrupted would be the program's to catch, and one that catches
    KeyboardInterrupt (a bare `except:` in a loop) would carry on and keep the run going."""
    WATCH.stop(RunInterrupted())
    raise RunInterrupted


class ProgramExit(SystemExit):
    """os._exit(status) in a program: that program ends at once with `status`, lanlab goes on."""


class Waiter:
    """One parked greenlet and the condition that lets it go on."""

    __slots__ = ("done", "glet", "host", "pending", "predicate", "result")

    def __init__(self, glet: greenlet, predicate: Callable[[], Any], host: ShimHost) -> None:
        self.glet = glet
        self.predicate = predicate
        self.host = host
        self.done = False
        self.pending = False
        self.result = False

    def fire(self, arg: Any, now: int) -> None:
        if self.done:
            return
        if arg is ACTIVITY:
            self.pending = False
            if not self.predicate():
                return
            self.result = True
        else:
            self.result = bool(self.predicate())
        self.done = True
        self.host.waiters.remove(self)
        _switch(self.glet)


# greenlet -> the program thread it runs (for the watchdog's BusyLoop, raised at the switch, not in the thread)
_THREADS: weakref.WeakKeyDictionary[greenlet, SimThread] = weakref.WeakKeyDictionary()

# Frames a program's recursion limit leaves above its own for the shim's code it calls (print to a sink, a wait,
# an import), so a program at its limit never makes lanlab's code raise RecursionError: it recurses up to this
# many frames deeper than in python3 before its RecursionError.
SHIM_FRAMES: Final = 60


def frame_depth() -> int:
    """How many Python frames the calling code is under in its greenlet (the caller's own counted)."""
    depth = 0
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


class OwnInterpreter:
    """What CPython keeps for the whole process and a program set for itself: its recursion limit, its locale and
    its limit on the digits of an int made text (None: it never set one, and lanlab's is its own, as a process
    inherits it). They are in force while its threads run (`_switch` puts them in and lanlab's back), never while
    lanlab's engine or another program runs."""

    __slots__ = (
        "digits",
        "displayhook",
        "locale",
        "recursion",
        "saved_digits",
        "saved_hook",
        "saved_limit",
        "saved_locale",
        "switch_interval",
    )
    active: OwnInterpreter | None = None  # the one in force now (lanlab's values saved in it)

    def __init__(self) -> None:
        self.recursion: int | None = None  # the limit the program set (sys.getrecursionlimit() answers it)
        self.locale: str | None = None  # setlocale(LC_ALL)'s answer once the program set a category
        self.digits: int | None = None  # sys.set_int_max_str_digits's
        self.switch_interval: float | None = None  # sys.setswitchinterval's: kept, as greenlets are never preempted
        self.saved_limit: int | None = None
        self.saved_locale: str | None = None
        self.saved_digits: int | None = None
        # what the interpreter calls for code compiled in 'single' mode (the real sys's), once the program compiled
        # some: its own sys.displayhook (_interpreter.compile_call)
        self.displayhook: Callable[[Any], Any] | None = None
        self.saved_hook: Any = None

    def enter(self, thread: SimThread) -> None:
        """The program's thread is about to run: its values in force, lanlab's kept."""
        OwnInterpreter.active = self
        if self.recursion is not None:
            self.apply_limit(thread)
        if self.digits is not None:
            self.keep_digits()
            sys.set_int_max_str_digits(self.digits)
        if self.displayhook is not None:
            self.put_hook()
        if self.locale is not None:
            self.keep_locale()
            if self.saved_locale != self.locale:
                _real_locale.setlocale(_real_locale.LC_ALL, self.locale)

    def apply_limit(self, thread: SimThread) -> None:
        """The interpreter's limit for `thread`: the program's, counted from its thread's first frame (the engine's
        frames under it and the shim's at its bottom and top not counted against it)."""
        OwnInterpreter.active = self
        if self.saved_limit is None:
            self.saved_limit = sys.getrecursionlimit()
        assert self.recursion is not None
        sys.setrecursionlimit(self.recursion + thread.base + SHIM_FRAMES)

    def keep_locale(self) -> None:
        """Keep lanlab's locale before the program's is put in force or changed."""
        OwnInterpreter.active = self
        if self.saved_locale is None:
            self.saved_locale = _real_locale.setlocale(_real_locale.LC_ALL)

    def keep_digits(self) -> None:
        """Keep lanlab's limit on the digits of an int made text before the program's is put in force or changed."""
        OwnInterpreter.active = self
        if self.saved_digits is None:
            self.saved_digits = sys.get_int_max_str_digits()

    def put_hook(self) -> None:
        """The interpreter's sys.displayhook the program's (lanlab's kept)."""
        OwnInterpreter.active = self
        if self.saved_hook is None:
            self.saved_hook = sys.displayhook
        if self.displayhook is not None:
            sys.displayhook = self.displayhook

    def leave(self) -> None:
        """The program's thread parked or ended: lanlab's values back."""
        OwnInterpreter.active = None
        if self.saved_limit is not None:
            sys.setrecursionlimit(self.saved_limit)
            self.saved_limit = None
        if self.saved_digits is not None:
            sys.set_int_max_str_digits(self.saved_digits)
            self.saved_digits = None
        if self.saved_hook is not None:
            sys.displayhook = self.saved_hook
            self.saved_hook = None
        if self.saved_locale is not None:
            if self.locale != self.saved_locale:
                _real_locale.setlocale(_real_locale.LC_ALL, self.saved_locale)
            self.saved_locale = None


# programs that set an interpreter value of their own (weakly): while none has, a switch costs one test more
_OWNING: set[weakref.ref[Program]] = set()


def _switch(glet: greenlet) -> None:
    """Run a program's thread until it parks, with the watchdog told. A thread that runs past the
    watchdog's limit without parking never comes back: BusyLoop is raised here instead, and its whole
    program is stopped. The program's own recursion limit and locale are in force while it runs."""
    watch = WATCH
    watch.switches += 1
    watch.current = glet
    try:
        if _OWNING:  # inside the try: whatever of the program's was put in is taken out below, come what may
            thread = _THREADS.get(glet)
            own = thread.program.interpreter if thread is not None else None
            if own is not None:
                own.enter(thread)  # type: ignore[arg-type]
        glet.switch()
    except BusyLoop as stop:
        thread = _THREADS.get(glet)
        if thread is None:
            raise
        thread.program.busy(stop)
    finally:
        if OwnInterpreter.active is not None:
            OwnInterpreter.active.leave()
        watch.current = None


class Sockets:
    """Sockets held weakly, in the order they were added: the shim's tables never keep a socket alive,
    so one its program no longer refers to is finalised, and so closed, as CPython closes it."""

    __slots__ = ("_refs", "__weakref__")

    def __init__(self) -> None:
        # id -> weak reference, in the order added; a finalised socket's entry goes with it (so its id,
        # which a new socket may reuse, never names it). A dict: a program ending with thousands of
        # sockets discards each in O(1) (a list made its end quadratic, past the busy-loop watchdog).
        self._refs: dict[int, weakref.ref[Any]] = {}

    def add(self, sock: Any) -> None:
        key = id(sock)
        table = weakref.ref(self)

        def gone(ref: weakref.ref[Any]) -> None:
            held = table()
            if held is not None and held._refs.get(key) is ref:
                del held._refs[key]

        self._refs[key] = weakref.ref(sock, gone)

    def discard(self, sock: Any) -> None:
        ref = self._refs.get(id(sock))
        if ref is not None and ref() is sock:
            del self._refs[id(sock)]

    def __iter__(self) -> Iterator[Any]:
        return (sock for ref in list(self._refs.values()) if (sock := ref()) is not None)

    def __contains__(self, sock: Any) -> bool:
        ref = self._refs.get(id(sock))
        return ref is not None and ref() is sock

    def __bool__(self) -> bool:
        return any(True for _ in self)


# (ICMP type, code or None for any) -> (errno, hard): Linux's icmp_err_convert for destination unreachable,
# EHOSTUNREACH soft for time exceeded, EPROTO hard for a parameter problem; fragmentation needed is EMSGSIZE
# and hard (the socket's IP_MTU_DISCOVER is not DONT: __udp4_lib_err), the path MTU learned by the host.
UDP_ICMP_ERRORS: dict[tuple[int, int | None], tuple[int, bool]] = {
    **{
        (3, code): kind
        for code, kind in enumerate(
            [
                (errno.ENETUNREACH, False),
                (errno.EHOSTUNREACH, False),
                (errno.ENOPROTOOPT, True),
                (errno.ECONNREFUSED, True),
                (errno.EMSGSIZE, True),
                (errno.EOPNOTSUPP, False),
                (errno.ENETUNREACH, True),
                (errno.EHOSTDOWN, True),
                (errno.ENONET, True),
                (errno.ENETUNREACH, True),
                (errno.EHOSTUNREACH, True),
                (errno.ENETUNREACH, False),
                (errno.EHOSTUNREACH, False),
                (errno.EHOSTUNREACH, True),
                (errno.EHOSTUNREACH, True),
                (errno.EHOSTUNREACH, True),
            ]
        )
    },
    (11, None): (errno.EHOSTUNREACH, False),
    (12, None): (errno.EPROTO, True),
}


class ShimHost:
    """The shim's per-host state: parked waiters, the host's open sockets, the ports bound."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.engine = host.engine
        self.waiters: list[Waiter] = []
        self.sockets = Sockets()  # every program's open sockets, in the order they opened
        self.tcp_bound: dict[int, Sockets] = {}  # port -> sockets bound to it
        self.udp_bound: dict[int, Sockets] = {}  # port -> sockets bound to it, in the order they bound
        self.listening: weakref.WeakSet[Any] = weakref.WeakSet()  # its listening TCP sockets
        host.udp.accepts = self.udp_taken
        host.tcp.watchers.append(self.tcp_news)
        host.icmp_error_hooks.append(self.icmp_error)

    def icmp_error(self, error: Any, quoted: bytes, now: int) -> None:
        """An ICMP error about a datagram a UDP socket sent: the socket's next call fails with its errno when
        it is a hard error on a connected socket (a port unreachable: ECONNREFUSED), or any error when the
        socket set IP_RECVERR (Linux's __udp4_lib_err, RFC 1122 4.1.3.3)."""
        kind = UDP_ICMP_ERRORS.get((error.type, error.code)) or UDP_ICMP_ERRORS.get((error.type, None))
        if kind is None or len(quoted) < 28 or quoted[9] != 17:
            return
        header = (quoted[0] & 0x0F) * 4
        dst = ".".join(map(str, quoted[16:20]))
        src_port, dst_port = (
            int.from_bytes(quoted[header : header + 2], "big"),
            int.from_bytes(quoted[header + 2 : header + 4], "big"),
        )
        for sock in self.sockets:
            if sock.icmp_error_for(dst, dst_port, src_port, *kind):
                self.poke()

    def udp_arrived(self, host: Host, frame: Any, now: int) -> None:
        """The host's receiver for every UDP port programs bound: the datagram goes to its sockets."""
        ip, udp = frame.l3, frame.l4
        source = (str(ip.src), udp.src_port)
        for sock in self.udp_receivers(udp.dst_port, ip.dst, ip.src, udp.src_port):
            self.queue_datagram(sock, frame.data, source, udp.dst_port, frame, now)

    def queue_datagram(self, sock: Any, data: bytes, source: Any, port: int, frame: Any, now: int) -> None:
        """Queue a datagram on a socket; one its full receive buffer refuses is a drop in the event list
        (`frame` None: it came from this host itself, through lo)."""
        if sock.queue_datagram(data, source) or self.host.tracer is None:
            return
        interface = self.host.rx_nic.name if frame is not None else "lo"
        self.host.tracer.record(
            now,
            self.host.name,
            interface,
            "drop",
            frame,
            L_("UDP port {port}: the socket's receive buffer is full (SO_RCVBUF): datagram dropped", port=port),
        )

    def udp_receivers(self, port: int, dst: Any, src: Any, src_port: int) -> list[Any]:
        """Which sockets on `port` get a datagram, as Linux's __udp4_lib_lookup and its multicast and
        broadcast delivery choose: a broadcast or multicast one goes to every socket that would take it,
        a unicast one to the best: bound to the address itself before any address, connected before
        not, and among equals the one bound last (Linux puts a new socket at the head of the port's list)."""
        takers = [sock for sock in self.udp_bound.get(port, ()) if sock.takes(dst, src, src_port)]
        if len(takers) < 2 or dst == LOOPBACK_BROADCAST or not (dst in self.host.addresses or dst.is_loopback):
            return takers
        return [max(reversed(takers), key=lambda sock: sock.specificity())]

    def udp_taken(self, port: int, dst: Any, src: Any, src_port: int) -> bool:
        """Whether a socket of a program takes a datagram to `port` (always, for a port the programs do not hold)."""
        holders = self.udp_bound.get(port)
        return holders is None or any(sock.takes(dst, src, src_port) for sock in holders)

    def udp_unbound(self, sock: Any, port: int) -> None:
        """`sock` no longer holds `port`; the host lets the port go when no socket holds it."""
        holders = self.udp_bound.get(port)
        if holders is not None and sock in holders:
            holders.discard(sock)
            if not holders:
                del self.udp_bound[port]
                self.host.udp.unbind(port)

    def tcp_news(self) -> None:
        """The host's TCP did something: the sockets whose connections it changed may be ready for something
        else now (every listening socket, when a connection not accepted yet changed); then the waiters look."""
        listeners_too = False
        for _, connection in self.host.tcp.stack.looked_at:
            owner = connection.owner
            sock = owner() if owner is not None else None
            if sock is None:
                listeners_too = True
            else:
                sock._news()
        if listeners_too:
            for sock in list(self.listening):
                sock._news()
        self.poke()

    def poke(self) -> None:
        """Something changed on this host: let every parked waiter re-check its condition."""
        engine = self.engine
        for waiter in self.waiters:
            # Only a waiter that can go on costs an event (its predicate is checked again then).
            if not waiter.pending and waiter.predicate():
                waiter.pending = True
                engine.schedule(engine.now, waiter, ACTIVITY)


def shim_host(host: Host) -> ShimHost:
    existing: ShimHost | None = host.shim
    if existing is None:
        existing = host.shim = ShimHost(host)
    return existing


class ProgramOutput(io.TextIOBase):
    """stdout/stderr of a program: complete lines, stamped with the virtual time they end.

    As sys.stdout on Linux it is UTF-8 text over a `buffer` of bytes (io.TextIOWrapper(sys.stdout.buffer,
    ...) works), and `reconfigure(encoding=...)`, common in programs written for a Chinese Windows console,
    is accepted: what a program writes is kept as text whatever encoding it asks for."""

    encoding = "utf-8"
    errors = "strict"
    name = "<stdout>"
    mode = "w"
    line_buffering = False  # as CPython's stdout to a pipe or a file (lanlab keeps the lines)
    write_through = False

    def __init__(self, program: Program) -> None:
        self.program = program
        self._partial = ""
        self.buffer = _OutputBytes(self)

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 1

    def reconfigure(self, **options: Any) -> None:
        """TextIOWrapper.reconfigure's options (encoding, errors, newline, line_buffering, write_through) are
        accepted and change nothing: lines are kept as text, whole at each newline."""
        unknown = set(options) - {"encoding", "errors", "newline", "line_buffering", "write_through"}
        if unknown:
            raise TypeError(f"reconfigure() got an unexpected keyword argument {sorted(unknown)[0]!r}")

    def write(self, text: str) -> int:
        if self.program.exit is not None:
            return len(text)  # the process is gone (a daemon thread's last words are lost, as on Linux)
        pieces = (self._partial + text).split("\n")
        self._partial = pieces.pop()
        for line in pieces:
            self.program.emit(line)
        return len(text)

    def flush_partial(self) -> None:
        if self._partial:
            self.program.emit(self._partial)
            self._partial = ""


class _OutputBytes(io.RawIOBase):
    """sys.stdout.buffer: bytes written are UTF-8 text for the output above (an invalid byte shown as U+FFFD)."""

    def __init__(self, text: ProgramOutput) -> None:
        self.text = text
        self._undecoded = b""  # a character cut between two writes waits for its other bytes

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raw = self._undecoded + bytes(data)
        cut = _incomplete_utf8_tail(raw)
        self._undecoded = raw[len(raw) - cut :] if cut else b""
        self.text.write(raw[: len(raw) - cut].decode("utf-8", "replace"))
        return len(data)


def _incomplete_utf8_tail(raw: bytes) -> int:
    """How many bytes at the end of `raw` begin a UTF-8 character that is not complete yet (0 to 3)."""
    for back in range(1, min(4, len(raw)) + 1):
        byte = raw[-back]
        if byte & 0xC0 != 0x80:  # the lead byte: complete if its sequence fits in what follows it
            needed = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
            return back if needed > back else 0
    return 0


class ProgramErrors(io.TextIOBase):
    """sys.stderr: descriptor 2, line-buffered with backslash escapes as CPython's, its lines written into
    the program's one output (they interleave with stdout's as a terminal shows them)."""

    encoding = "utf-8"
    errors = "backslashreplace"
    name = "<stderr>"
    mode = "w"
    line_buffering = True
    write_through = False

    def __init__(self, out: ProgramOutput) -> None:
        self._out = out
        self.buffer = out.buffer

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 2

    def write(self, text: str) -> int:
        return self._out.write(text)

    def reconfigure(self, **options: Any) -> None:
        self._out.reconfigure(**options)


class _StdinBytes(io.BytesIO):
    """sys.stdin.buffer: all its bytes there from the start, as a file or a pipe whose writer is done;
    descriptor 0, so select() and poll() take sys.stdin (always readable: a line or the end). Read-only
    and not seekable, as a pipe."""

    name = "<stdin>"

    def fileno(self) -> int:
        return 0

    def writable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False


def program_stdin(text: str) -> io.TextIOWrapper:
    """A program's stdin holding `text`: UTF-8 text over bytes, with the `buffer`, `encoding`, name and mode
    of Linux's."""
    stdin = io.TextIOWrapper(_StdinBytes(text.encode("utf-8")), encoding="utf-8")
    stdin.mode = "r"  # type: ignore[misc]  # io.open sets it so on the wrapper
    return stdin


class SimThread:
    """What the shim knows of one thread of a program (threading.Thread wraps it)."""

    __slots__ = (
        "base",
        "cpu",
        "daemon",
        "finished",
        "glet",
        "ident",
        "name",
        "owed",
        "program",
        "thread_object",
        "waited",
    )

    def __init__(self, program: Program, name: str, daemon: bool, thread_object: Any = None) -> None:
        self.program = program
        self.base = 0  # the engine's frames its greenlet starts under (CPython counts them against its limit)
        self.glet: greenlet | None = None
        self.name = name
        self.daemon = daemon
        self.finished = False
        self.ident = 0
        self.thread_object = thread_object
        self.owed = 0  # ns of virtual CPU its calls cost since it last waited, not yet slept off
        self.waited = True  # its next charged call is the first since a wait: free
        self.cpu = 0  # ns of virtual CPU its calls have cost in all: its thread_time(); waits cost none


class _Start:
    """Engine target: start a thread's greenlet (inside the engine, so its parent is the hub)."""

    __slots__ = ("body", "thread")

    def __init__(self, thread: SimThread, body: Callable[[], None]) -> None:
        self.thread = thread
        self.body = body

    def fire(self, arg: Any, now: int) -> None:
        thread = self.thread
        if thread.finished:  # started just as its process ended
            return
        thread.base = frame_depth()
        thread.glet = greenlet(self._run, parent=getcurrent())
        thread.program.by_greenlet[thread.glet] = thread
        _THREADS[thread.glet] = thread
        _switch(thread.glet)

    def _run(self) -> None:
        thread = self.thread
        try:
            self.body()
        finally:
            thread.finished = True
            thread.program.shim.poke()


class Program:
    """One program (a process) on one host: its threads, stdin, captured output, exit status."""

    def __init__(self, host: Host, label: str, stdin: str | TextIO = "") -> None:
        self.host = host
        self.node = host.name
        self.path = label
        self.shim = shim_host(host)
        self.engine = host.engine
        # Text of its own, or a stream its host's programs share (lanlab sim run --stdin).
        self.stdin = program_stdin(stdin) if isinstance(stdin, str) else stdin
        self.stdout = ProgramOutput(self)
        self.stderr = ProgramErrors(self.stdout)
        self.output: list[tuple[int, str]] = []
        self.sinks: list[Callable[[Program, int, str], None]] = []
        self.exit: int | None = None
        self.error: str | None = None
        self.stopped = False  # by the watchdog (a busy loop)
        self.started_at: int | None = None
        self.threads: list[SimThread] = []
        self.by_greenlet: dict[greenlet, SimThread] = {}
        self.sockets = Sockets()  # its open sockets, closed when it ends
        # fd -> its socket or epoll, this process's own table; weak, as a dropped socket closes
        self.descriptors: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        self.files_open: dict[int, tuple[int, int]] = {}  # fd -> (device, inode) of the files it opened
        # set while it has files open for writing (HostFiles.settle): before time moves on, their times are
        # noted as now, so a file written and then waited on reads the virtual time of the write
        self.settle_files: Callable[[], None] | None = None
        self._free_from = 3  # the lowest descriptor that may be free (0-2: stdin, stdout, stderr)
        self.default_timeout: float | None = None
        self.main: SimThread | None = None
        self.result: Any = None
        self.files: Any = None  # its view of the file system (_files.HostFiles), set when it starts
        self.atexit: list[Callable[[], Any]] = []  # threading._register_atexit's functions
        # the atexit module's (function, args, kwargs), run last first at a normal exit
        self.exit_functions: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.sys: Any = None  # its sys module once imported: sys.excepthook may be its own
        self.abandoned: list[greenlet] = []  # daemon threads the process ended under
        # _thread.interrupt_main's signals: the main thread's handler runs when that thread next runs (after
        # the call it is blocked in returns, as CPython checks its signal flag), by handle_signal (_modules)
        self.pending_signals: list[int] = []
        self.handle_signal: Callable[[int], Any] | None = None
        self.signal_dispositions: Any = None  # its signal handlers (_modules.SignalDispositions), once asked for
        self.umask: int | None = None  # its file mode creation mask once it set one (None: lanlab's, inherited)
        self.environment = ProgramEnvironment(inherited())  # its os.environ: lanlab's, copied as it starts
        self._in_body = False  # its main thread runs the program (not its exit: atexit, waiting for threads)
        self.interpreter: OwnInterpreter | None = None  # its recursion limit and locale, once it set one
        self._owning: weakref.ref[Program] | None = None  # its entry in _OWNING while it may run again

    def own_interpreter(self) -> OwnInterpreter:
        """The interpreter values of its own the program sets (made at its first), in force while it runs."""
        if self.interpreter is None:
            self.interpreter = OwnInterpreter()
            self._owning = weakref.ref(self, _OWNING.discard)
            _OWNING.add(self._owning)
        return self.interpreter

    # -- descriptors -----------------------------------------------------------------------
    def new_fd(self, holder: Any) -> int:
        """The lowest descriptor free in this process (0-2 are stdin, stdout and stderr), as socket(2)
        and epoll_create(2) give one: a closed socket's number is given again, a file's it has open is not."""
        # Every number below _free_from is taken (release_fd lowers it, and so does a file found closed), so
        # the search starts there: from 3 each time made opening thousands of sockets quadratic.
        for number in [number for number in self.files_open if number < self._free_from]:
            if not self.holds_file(number):
                self._free_from = min(self._free_from, number)
        fd = self._free_from
        while fd in self.descriptors or self.holds_file(fd):
            fd += 1
        if fd >= descriptor_limit():
            raise OSError(errno.EMFILE, _real_os.strerror(errno.EMFILE))
        self.descriptors[fd] = holder
        self._free_from = fd + 1
        return fd

    def own_descriptor(self, fd: int, above: int = 0) -> int:
        """A real descriptor the program just opened (a file), made its own: Linux has one table per process,
        so no two open things share a number, and os.write(fd) must not reach a socket with the file's
        number. The kernel's number is moved past those its sockets hold, and kept from the sockets it
        makes later (while that file is open). `above`: a number it must be past (a pipe's write end, past
        its read end, as pipe(2) numbers them)."""
        if (fd in self.descriptors or fd < above) and hasattr(_real_fcntl, "F_DUPFD_CLOEXEC"):
            floor = max(fd + 1, above)
            while True:  # the lowest real number free from floor on that no socket of the program holds
                while floor in self.descriptors:
                    floor += 1
                moved = _real_fcntl.fcntl(fd, _real_fcntl.F_DUPFD_CLOEXEC, floor)
                if moved not in self.descriptors:
                    break
                _real_os.close(moved)
                floor = moved + 1
            _real_os.close(fd)
            fd = moved
        found = _real_os.fstat(fd)
        self.files_open[fd] = (found.st_dev, found.st_ino)
        return fd

    def holds_file(self, fd: int) -> bool:
        """Whether descriptor `fd` is a file the program opened and has not closed."""
        file = self.files_open.get(fd)
        if file is None:
            return False
        try:
            found = _real_os.fstat(fd)
        except OSError:
            found = None
        if found is None or (found.st_dev, found.st_ino) != file:  # closed (and perhaps the number reused)
            del self.files_open[fd]
            return False
        return True

    def release_fd(self, fd: int, holder: Any) -> None:
        """Descriptor `fd` of `holder` is free (not another's that has the number since)."""
        if self.descriptors.get(fd) is holder:
            del self.descriptors[fd]
        self._free_from = min(self._free_from, fd)  # even if finalising cleared the entry first

    def socket_at(self, fd: int) -> Any:
        """The simulated socket descriptor `fd` is in this process, or None (a file's, an epoll's, none)."""
        held = self.descriptors.get(fd)
        return held if hasattr(held, "_readable") else None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.exit is not None

    def start(self, body: Callable[[], Any], at: int) -> None:
        """Run `body` as the main thread at virtual time `at`."""
        self.main = SimThread(self, "MainThread", daemon=False)
        self.threads.append(self.main)
        self.engine.schedule(at, _Start(self.main, lambda: self._main(body)))

    def _main(self, body: Callable[[], Any]) -> None:
        self.started_at = self.engine.now
        status = 0
        try:
            self._in_body = True
            try:
                self.result = body()
            finally:
                self._in_body = False
        except ProgramExit as stop:  # os._exit: no atexit functions, no waiting for threads
            self._finish(stop.code)
            return
        except SystemExit as stop:
            status = _exit_status(stop.code, self)
        except (GreenletExit, RunInterrupted):  # lanlab's own ending (Ctrl-C, SIGTERM) ends the run
            raise
        except BaseException as error:  # noqa: BLE001 - the program's own failure: shown, the others go on
            # an uncaught KeyboardInterrupt ends a Python process as SIGINT would: 128 + 2 to its shell
            status = 130 if isinstance(error, KeyboardInterrupt) else 1
            self.uncaught(error)
            self.error = "".join(traceback.format_exception_only(type(error), error)).strip()
        # Python runs threading's atexit functions, then waits for non-daemon threads (threading._shutdown),
        # then the atexit module's functions, the last registered first (Py_FinalizeEx).
        for function in self.atexit:
            if not self._at_exit(function):
                return
        self.wait(lambda: all(t.finished or t.daemon for t in self.threads if t is not self.main))
        while self.exit_functions:
            function, args, kwargs = self.exit_functions.pop()
            if not self._at_exit(
                functools.partial(function, *args, **kwargs), f"Exception ignored in atexit callback: {function!r}\n"
            ):
                return
        self._finish(status)

    def _at_exit(self, function: Callable[[], Any], heading: str = "") -> bool:
        """Run one exit function; what it raises, SystemExit too, is reported under `heading` and the exit goes
        on, its status unchanged (atexit_callfuncs). False: it called os._exit, the process is gone."""
        try:
            function()
        except ProgramExit:
            return False
        except (Exception, SystemExit) as error:  # noqa: BLE001 - reported, the others still run
            self.stdout.write(heading + self.format_traceback(error))
        return True

    def uncaught(self, error: BaseException) -> None:
        """The main thread's uncaught exception, through sys.excepthook: the traceback, or the program's own
        hook when it set one (and both tracebacks when that hook fails, as CPython prints them)."""
        hook = getattr(self.sys, "excepthook", None)
        if hook is None or hook is self.print_traceback:
            self.print_traceback(type(error), error, error.__traceback__)
            return
        try:
            hook(type(error), error, error.__traceback__)
        except Exception as failure:  # noqa: BLE001 - CPython's PyErr_Display of both
            self.stdout.write("Error in sys.excepthook:\n" + self.format_traceback(failure))
            self.stdout.write("\nOriginal exception was:\n" + self.format_traceback(error))

    def print_traceback(self, kind: type[BaseException], error: BaseException, _: TracebackType | None) -> None:
        """sys.__excepthook__: the traceback on the program's output."""
        self.stdout.write(self.format_traceback(error))

    def busy(self, stop: BusyLoop) -> None:
        """A thread ran `stop.args[0]` s of CPU without waiting, at line `stop.args[1]`: the whole process
        is stopped (its threads, the busy one too, never run again)."""
        limit, line = stop.args
        where = L_(" at line {line}", line=line) if line is not None else ""
        self.error = busy_error(self.path, limit, where)
        self.stopped = True
        self._end_threads(keep=getcurrent())  # the engine's greenlet: every thread, the main one too
        self._finish(1)

    def _finish(self, status: int) -> None:
        if self.exit is not None:
            return
        self.stdout.flush_partial()
        self._end_threads()
        for sock in self.sockets:
            sock.close_at_exit()  # the kernel closes what a process leaves open
        self.exit = status & 0xFF  # what exit(2) hands the parent: sys.exit(300) is 44, sys.exit(-1) 255
        _OWNING.discard(self._owning)  # type: ignore[arg-type]  # it never runs again: the others' switches cost less
        self.shim.poke()

    def terminate(self, status: int) -> None:
        """os._exit(status): the program ends now with `status`; its other threads, the main one
        too, stop where they are; the calling thread unwinds with ProgramExit."""
        self._end_threads(keep=getcurrent())
        self._finish(status)
        raise ProgramExit(status)

    def _end_threads(self, keep: greenlet | None = None) -> None:
        """The process ends: its threads still running (daemon ones at a normal exit) stop where they
        are, never to run again (no exception in them, as on Linux). Their greenlets are kept, so that
        no garbage collection runs their `finally` blocks in the middle of the run."""
        mine = [
            t
            for t in self.threads
            if not t.finished and t.glet is not keep and (t is not self.main or keep is not None)
        ]
        glets = {t.glet for t in mine}
        for waiter in [w for w in self.shim.waiters if w.glet in glets]:
            waiter.done = True
            self.shim.waiters.remove(waiter)
        for thread in mine:
            thread.finished = True
            if thread.glet is not None:
                self.abandoned.append(thread.glet)

    def format_traceback(self, error: BaseException) -> str:
        """The traceback as Python prints it (columns marked), without the shim's own frames. A
        program that raised its recursion limit can end with a million frames: the first and last
        ones are shown, with the count of those between, since extracting them all takes seconds
        (and the busy-loop watchdog, counting this program's CPU time, would fire inside lanlab)."""
        head: list[TracebackType] = []
        tail: deque[TracebackType] = deque(maxlen=TRACEBACK_TAIL)
        total = 0
        for entry in program_frames(error.__traceback__):
            total += 1
            (head if len(head) < TRACEBACK_HEAD else tail).append(entry)
        lines = ["Traceback (most recent call last):\n", *_summary(head).format()]
        if total > len(head) + len(tail):
            lines.append(f"  [... {total - len(head) - len(tail)} frames not shown ...]\n")
        lines += _summary(tail).format()
        lines += traceback.format_exception_only(type(error), error)
        return "".join(lines)

    def spawn(self, name: str, daemon: bool, body: Callable[[], None], thread_object: Any = None) -> SimThread:
        """A new thread, started when the current one next parks (at the same virtual time)."""
        thread = SimThread(self, name, daemon, thread_object)
        self.threads.append(thread)
        self.engine.schedule(self.engine.now, _Start(thread, body))
        return thread

    def in_a_thread(self) -> bool:
        """Whether the code running now is one of this program's threads (not a finaliser lanlab runs)."""
        return getcurrent() in self.by_greenlet

    def current_thread(self) -> SimThread:
        thread = self.by_greenlet.get(getcurrent())
        if thread is None:
            raise UnsupportedInSimulation(f"a blocking call outside a program running on host {self.node}")
        return thread

    # -- time ------------------------------------------------------------------------------
    def charge(self) -> int:
        """Charge one call to the current thread's virtual CPU; its clock reading (ns)."""
        thread = self.by_greenlet.get(getcurrent())
        if thread is None:
            return self.engine.now  # type: ignore[no-any-return]
        if thread.waited:
            thread.waited = False
        else:
            thread.owed += CALL_COST
            thread.cpu += CALL_COST
            if thread.owed >= SETTLE:
                self.sleep(0)
        return self.engine.now + thread.owed  # type: ignore[no-any-return]

    def clock_ns(self) -> int:
        """The calling thread's clock reading (ns), as charge() returns it, but not charged: a file's time."""
        thread = self.by_greenlet.get(getcurrent())
        return self.engine.now + (thread.owed if thread is not None else 0)  # type: ignore[no-any-return]

    def cpu_ns(self, whole_process: bool) -> int:
        """Virtual CPU time (ns) the charged calls of the current thread, or of every thread, have cost:
        process_time() and thread_time() (sleeping and waiting cost none, as on Linux)."""
        self.charge()
        if whole_process:
            return sum(thread.cpu for thread in self.threads)
        thread = self.by_greenlet.get(getcurrent())
        return 0 if thread is None else thread.cpu

    def _settle(self, current: greenlet) -> int:
        """What the current thread owes (ns), now paid by the wait it is about to make."""
        thread = self.by_greenlet.get(current)
        if thread is None:
            return 0
        owed, thread.owed, thread.waited = thread.owed, 0, True
        return owed

    # -- waiting ---------------------------------------------------------------------------
    def wait(self, predicate: Callable[[], Any], timeout: int | None = None) -> bool:
        """Park the current thread until `predicate()` holds (True) or `timeout` ns pass (False)."""
        if predicate():
            return True
        if timeout is not None and timeout <= 0:
            return False
        current = getcurrent()
        if current not in self.by_greenlet:
            raise UnsupportedInSimulation(f"a blocking call outside a program running on host {self.node}")
        if self.settle_files is not None:
            self.settle_files()
        if self.by_greenlet[current].owed:
            # Its clock ran ahead of the engine's: catch up first, so that it never goes back.
            self.sleep(0)
            if predicate():
                return True
        else:
            self._settle(current)
        waiter = Waiter(current, predicate, self.shim)
        self.shim.waiters.append(waiter)
        if timeout is not None:
            self.engine.schedule(self.engine.now + timeout, waiter, TIMEOUT)
        current.parent.switch()
        if self.pending_signals:
            self.signals_arrive()
        return waiter.result

    def sleep(self, duration: int) -> None:
        """Let virtual time pass (0: let the other threads run first)."""
        current = getcurrent()
        if self.settle_files is not None:
            self.settle_files()
        duration = max(0, duration) + self._settle(current)
        waiter = Waiter(current, lambda: False, self.shim)
        self.shim.waiters.append(waiter)
        self.engine.schedule(self.engine.now + duration, waiter, TIMEOUT)
        current.parent.switch()
        if self.pending_signals:
            self.signals_arrive()

    def signals_arrive(self) -> None:
        """In the main thread, while it runs the program: the handlers of the signals pending, the oldest first
        (what a handler raises, KeyboardInterrupt for SIGINT's default one, goes on from the call that returned)."""
        if not self._in_body or self.main is None or self.by_greenlet.get(getcurrent()) is not self.main:
            return
        while self.pending_signals and self.handle_signal is not None:
            self.handle_signal(self.pending_signals.pop(0))

    # -- output ----------------------------------------------------------------------------
    def emit(self, line: str) -> None:
        now = self.engine.now
        self.output.append((now, line))
        for sink in self.sinks:
            sink(self, now, line)

    def as_dict(self) -> dict[str, Any]:
        """The --json entry: exactly node, path, exit, output, error, and started (false: --until came before
        its start; true with exit null: still running when the run ended)."""
        return {
            "node": self.node,
            "path": self.path,
            "exit": self.exit,
            "output": [{"t": t / 1e9, "text": text} for t, text in self.output],
            "error": self.error,
            "started": self.started_at is not None,
        }


def _exit_status(code: Any, program: Program) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    program.stdout.write(f"{code}\n")  # sys.exit("message") prints it to stderr, status 1
    return 1
