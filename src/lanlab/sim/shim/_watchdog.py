"""Stop a program that computes without ever waiting (`while True: pass`).

Virtual time only moves when every program waits, so a program that never calls anything
that blocks would hold the whole run. The engine notes which program it switched into
(`WATCH.enter`/`leave`, two assignments per switch); an interval timer of process CPU time
(setitimer ITIMER_VIRTUAL, SIGVTALRM every TICK s) runs a handler in the main thread, between
two bytecodes of whatever runs there: when it finds one program still running since the last
`enter` for more than the limit, it raises BusyLoop inside that program's code. The check and
the raise happen in the thread running the program, so a program that has just parked is
never hit. No thread, no tracing: the cost between ticks is the two assignments.

Only in the main thread, where Python runs signal handlers; elsewhere programs run unwatched."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

DEFAULT_LIMIT = 5.0  # seconds of CPU without waiting (lanlab sim run --app-cpu)
TICK = 0.25  # seconds of CPU between two checks


class BusyLoop(BaseException):
    """Raised inside a program that ran longer than the limit without waiting."""


class Watch:
    """Which program runs now, and since which switch; the limit in CPU seconds."""

    __slots__ = ("current", "limit", "seen", "since", "switches")

    def __init__(self) -> None:
        self.current: Program | None = None
        self.switches = 0
        self.seen = -1
        self.since = 0.0
        self.limit = DEFAULT_LIMIT

    def tick(self, signum: int, frame: Any) -> None:
        program = self.current
        if program is None:
            return
        if self.switches != self.seen:  # a new stint: measure from here
            self.seen, self.since = self.switches, time.process_time()
            return
        if time.process_time() - self.since >= self.limit:
            self.seen = -1
            raise BusyLoop(self.limit)


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
