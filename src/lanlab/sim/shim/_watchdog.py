"""Stop a program that computes without ever waiting (`while True: pass`).

Virtual time only moves when every program waits, so a program that never calls anything
that blocks would hold the whole run. The engine notes which program it switched into
(`_process._switch`, two assignments per switch); an interval timer of process CPU time
(setitimer ITIMER_VIRTUAL, SIGVTALRM every TICK s) runs a handler in the main thread, between
two bytecodes of whatever runs there: when it finds one program still running since the last
switch for more than the limit, it stops that program's greenlet where it is and raises BusyLoop
in the engine, at the switch into the program (`Watch.stop`). Raised in the program's own code,
as it once was, BusyLoop was the program's to catch: `except BaseException: pass` (a bare
`except:` too) in the loop swallowed it, and the run never ended. A stopped greenlet is kept
for the life of the process (STOPPED): collecting it would throw GreenletExit into it, and a
loop that swallows everything would spin again right there. The check happens in the thread
running the program, so a program that has just parked is never hit. No thread, no tracing:
the cost between ticks is the two assignments. lanlab's Ctrl-C and SIGTERM stop a running
program the same way (`_process.interrupt_run`), so one that catches KeyboardInterrupt cannot
keep the run going.

Only in the main thread, where Python runs signal handlers; elsewhere programs run unwatched."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from greenlet import getcurrent, greenlet

DEFAULT_LIMIT = 5.0  # seconds of CPU without waiting (lanlab sim run --app-cpu)
TICK = 0.25  # seconds of CPU between two checks


class BusyLoop(BaseException):
    """Raised in the engine, at the switch into a program that ran longer than the limit without
    waiting: args (limit in seconds, the line it was running, or None)."""


# Greenlets stopped where they ran, kept so that they are never collected (see the module's text).
STOPPED: list[greenlet] = []


# lanlab's own source: a program spinning in a call into the simulator (a flush of its host's TCP, say) is
# named by the line of its own that made the call
_LANLAB = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep


def program_line(frame: FrameType | None) -> int | None:
    """The line a program was running: that of the innermost frame that is not lanlab's own."""
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_LANLAB):
            return frame.f_lineno
        frame = frame.f_back
    return None


class Watch:
    """Which program's greenlet runs now, and since which switch; the limit in CPU seconds."""

    __slots__ = ("current", "limit", "seen", "since", "switches")

    def __init__(self) -> None:
        self.current: greenlet | None = None
        self.switches = 0
        self.seen = -1
        self.since = 0.0
        self.limit = DEFAULT_LIMIT

    def tick(self, signum: int, frame: FrameType | None) -> None:
        if self.current is None:
            return
        if self.switches != self.seen:  # a new stint: measure from here
            self.seen, self.since = self.switches, time.process_time()
            return
        if time.process_time() - self.since >= self.limit:
            self.seen = -1
            self.stop(BusyLoop(self.limit, program_line(frame)))

    def stop(self, error: BaseException) -> bool:
        """Called in a signal handler: when a program's code is what runs, its greenlet stops where it is,
        never to run again, and `error` is raised in the engine at the switch into it (this call does not
        return then). False: no program was running (the engine was, or a program had just parked)."""
        watched = self.current
        running = getcurrent()
        if watched is None or running is watched.parent:
            return False
        STOPPED.append(running)
        if running is not watched:  # a greenlet the program made itself, inside its thread
            STOPPED.append(watched)
        watched.parent.throw(error)
        return True  # not reached: nothing switches back into a stopped greenlet


WATCH = Watch()


@contextlib.contextmanager
def watching(limit: float | None = DEFAULT_LIMIT) -> Iterator[None]:
    """Watch the programs for the duration of a run (limit None or 0: not at all)."""
    if not limit or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_limit, WATCH.limit = WATCH.limit, limit
    previous = signal.signal(signal.SIGVTALRM, WATCH.tick)
    signal.setitimer(signal.ITIMER_VIRTUAL, TICK, TICK)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
        WATCH.limit = previous_limit
