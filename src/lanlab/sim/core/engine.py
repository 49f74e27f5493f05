"""The event loop: virtual time in integer nanoseconds, one heap, one seeded RNG.

A heap entry is `(time, ticket, target, arg)`; the loop calls `target.fire(arg, time)`. The
ticket grows by one per scheduled event, so events at the same time run in the order they were
scheduled and a run is deterministic. Targets are objects with a `fire` method (a port, a
timer) rather than bound-method callbacks: cheaper to store and mypyc-friendly.

Two ways in. `schedule(time, target, arg)` is the API: it refuses a past time. The per-frame
path (a link's hop, one per frame and port) uses the engine's unchecked path instead,
`engine.push((time, next(engine.tickets), target, arg))`, and only for a time computed as now
plus a non-negative delay. `push` (heappush bound as a method to this engine's heap) and `tickets` (an
itertools.count) run in C, so a hop costs no Python call of its own: a checked method there
cost 3-4% of scenario A's CPU. Frame ids come from `engine.frame_ids` the same way
(`next_frame_id()` off the per-frame path). Nothing outside this module touches the heap.

The compiled build keeps the same entries in a TypedHeap instead (sim.core.typedheap: times and
tickets in typed arrays, so a sift compares machine integers, not tuples); `push` and `pop` are
its methods there. Both heaps order entries by (time, ticket), which no two entries share, so
both builds run the same events in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from heapq import heappop, heappush
from itertools import count
from types import FunctionType, MethodType
from typing import Any, Final, Protocol


def _runs_compiled() -> bool:
    """Whether this module runs compiled: mypyc makes its functions builtins, not Python functions."""
    return not isinstance(_runs_compiled, FunctionType)


def _typed_heap() -> Any:
    """The compiled build's heap class (sim.core.typedheap: typed arrays, compared as machine integers),
    or None: in the pure Python build, or when librt (the `fast` extra) is missing. A list with heapq,
    which is C, is the fastest heap pure Python has."""
    if not _runs_compiled():
        return None
    try:
        from lanlab.sim.core.typedheap import TypedHeap
    except ImportError:
        return None
    return TypedHeap


TYPED_HEAP: Final = _typed_heap()

STORM_CHECK: Final = 1_000  # with events_after_storm: events between two looks for a reported storm


class PastTimeError(ValueError):
    """An event scheduled before the engine's clock: a caller's mistake, never moved silently."""


class EventTarget(Protocol):
    """Anything the engine can wake: `fire(arg, now)`."""

    def fire(self, arg: Any, now: int) -> None: ...


class TimedMachine(Protocol):
    """A sans-IO machine's timer side (DESIGN.md's contract): its next deadline, and the call at it."""

    def get_timer(self) -> int | None: ...

    def handle_timer(self, now: int) -> None: ...


class TimerOwner(Protocol):
    """Who drains a machine's output once its timer has fired."""

    def timer_fired(self, machine: TimedMachine, now: int) -> None: ...


Entry = tuple[int, int, "EventTarget", Any]  # (time, ticket, target, arg)


class EventHeap(Protocol):
    """What the engine reads of its heap besides push and pop: a list kept by heapq, or a TypedHeap."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Entry: ...

    def __iter__(self) -> Iterator[Entry]: ...


class Engine:
    """Virtual clock + event heap + the run's random source."""

    __slots__ = (
        "now",
        "heap",
        "tickets",
        "push",
        "pop",
        "frame_ids",
        "rng",
        "seed",
        "events",
        "tracer",
        "max_events",
        "stopped",
        "events_after_storm",
        "storm_seen",
        "stop_at",
    )

    def __init__(self, seed: int = 1) -> None:
        self.now = 0
        # The unchecked path (the module's docstring), bound once: push(entry) adds to this heap,
        # pop() takes its first entry, next(tickets) is an entry's ticket (1, 2, 3...).
        self.tickets: Iterator[int] = count(1)
        if TYPED_HEAP is not None:
            typed = TYPED_HEAP()
            self.heap: EventHeap = typed
            self.push: Callable[[Entry], None] = typed.push
            self.pop: Callable[[], Entry] = typed.pop
        else:
            # Methods bound to the list, not functools.partial: the partial cost 150 ns a call here, a
            # method's call passes its heap at no cost (vectorcall's offset slot); no Python frame runs.
            heap: list[Entry] = []
            self.heap = heap
            self.push = MethodType(heappush, heap)
            self.pop = MethodType(heappop, heap)
        self.frame_ids: Iterator[int] = count(1)  # next(frame_ids): a new frame's id, 1, 2, 3...
        self.seed = seed
        self.rng = random.Random(seed)
        self.events = 0  # events dispatched so far
        self.tracer: Any = None  # a sim.trace.Tracer when the event list is recorded
        self.max_events = 0  # 0: no limit; else run() stops for good once `events` reaches it (a storm)
        # 0: a storm changes nothing; else run() stops for good about this many events after a
        # switch or hub reports a broadcast storm (sim.storm sets storm_seen; noticed every STORM_CHECK events)
        self.events_after_storm = 0
        self.storm_seen = False
        self.stop_at = 0  # the event count the run stops at once a storm was noticed (0: not yet)
        self.stopped = False  # a limit was reached: the clock stays at the last event run

    def schedule(self, time: int, target: EventTarget, arg: Any = None) -> None:
        """Wake `target.fire(arg, time)` at `time` (ns, now or later; a past time raises, as simpy's)."""
        if time < self.now:
            raise PastTimeError(f"cannot schedule at {time} ns: the clock is already at {self.now} ns")
        self.push((time, next(self.tickets), target, arg))

    def next_frame_id(self) -> int:
        """A new frame's id (the per-frame path takes `next(engine.frame_ids)` itself)."""
        return next(self.frame_ids)

    def run(self, until: int) -> int:
        """Dispatch every event up to and including `until`; the clock ends at `until`
        (unless `max_events` stops the run first: then `stopped` is set)."""
        pop = self.pop
        count = 0
        if self.stopped or self._limit_reached(self.events):
            self.stopped = True
            return 0
        budget = self._budget(self.events, 0)
        try:  # zero-cost until raised; Ctrl-C must still leave the count right for the report
            while True:
                try:  # no test of the heap per event: the empty heap's pop raises, once
                    time, ticket, target, arg = pop()
                except IndexError:
                    break
                if time > until:
                    self.push((time, ticket, target, arg))
                    break
                self.now = time
                target.fire(arg, time)
                count += 1
                if count == budget:  # one test per event whatever the limits; they are looked at here
                    if self._limit_reached(self.events + count):
                        self.stopped = True
                        break
                    budget = self._budget(self.events + count, count)
        finally:
            self.events += count
        if until > self.now and not self.stopped:
            self.now = until
        return count

    def step(self) -> int:
        """Dispatch the next event only (a live page's "step"): 1, or 0 when nothing is due or
        the run has stopped."""
        if not self.heap or self.stopped:
            return 0
        time, _, target, arg = self.pop()
        self.now = time
        try:
            target.fire(arg, time)
        finally:
            self.events += 1
        return 1

    def _limit_reached(self, done: int) -> bool:
        """Whether `done` events (all runs so far) reach max_events, or the end of a storm's allowance."""
        if self.max_events and done >= self.max_events:
            return True
        if self.events_after_storm and self.storm_seen:
            if not self.stop_at:
                if done % STORM_CHECK:  # noticed only at a multiple (see _budget), however the runs were cut
                    return False
                self.stop_at = done + self.events_after_storm
            return done >= self.stop_at
        return False

    def _budget(self, done: int, count: int) -> int:
        """The value of run()'s `count` at which to look at the limits again (-1: never)."""
        left = [self.max_events - done] if self.max_events else []
        if self.stop_at:
            left.append(self.stop_at - done)
        elif self.events_after_storm:
            # at the next multiple of STORM_CHECK of all events so far, not STORM_CHECK after this call's
            # start: a run made of many short ones (sim view's instants, a live page's steps) notices the
            # storm, and stops, at the very event one long run does
            left.append(STORM_CHECK - done % STORM_CHECK)
        return count + min(left) if left else -1

    @property
    def stopped_by(self) -> str | None:
        """Why the run stopped: "max-events", "storm", or None while it has not."""
        if not self.stopped:
            return None
        return "max-events" if self.max_events and self.events >= self.max_events else "storm"

    def next_time(self) -> int | None:
        """When the next event is due, or None when nothing is scheduled."""
        return self.heap[0][0] if self.heap else None

    def pending(self) -> int:
        """How many events are scheduled (stale timer entries included)."""
        return len(self.heap)

    def due_times(self) -> set[int]:
        """The distinct times at which something is scheduled."""
        return {entry[0] for entry in self.heap}


class MachineTimer:
    """Keeps one heap event at a sans-IO machine's `get_timer()` deadline.

    `arm()` after every interaction with the machine; when the deadline comes the timer calls
    `machine.handle_timer(now)` and then `owner.timer_fired(machine, now)` so the owner can
    drain the machine's output. A deadline that moved earlier leaves a stale heap entry
    behind; it is recognised by its time and ignored.
    """

    __slots__ = ("engine", "machine", "owner", "scheduled")

    def __init__(self, engine: Engine, machine: TimedMachine, owner: TimerOwner) -> None:
        self.engine = engine
        self.machine = machine
        self.owner = owner
        self.scheduled: int | None = None

    def arm(self) -> None:
        deadline = self.machine.get_timer()
        if deadline is None:
            return
        if self.scheduled is None or deadline < self.scheduled:
            self.scheduled = deadline
            # sans-IO: a deadline already passed is due now (the machine's clock is ours, not late)
            self.engine.schedule(max(deadline, self.engine.now), self, deadline)

    def fire(self, arg: Any, now: int) -> None:
        if arg != self.scheduled:
            return
        self.scheduled = None
        deadline = self.machine.get_timer()
        if deadline is not None and deadline <= now:
            self.machine.handle_timer(now)
            self.owner.timer_fired(self.machine, now)
        self.arm()
