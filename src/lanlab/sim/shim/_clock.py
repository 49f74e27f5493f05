"""`time` and `datetime` for programs on a simulated host: every clock reads virtual time,
sleep parks.

Virtual time 0 is EPOCH, 2026-01-01 00:00:00 UTC, and simulated hosts keep UTC (local time
is UTC, `time.timezone` 0), so a run prints the same dates on every machine. `time.time()`,
`monotonic`, `perf_counter`, `clock_gettime`, `datetime.now()` and `date.today()` all read the one
virtual clock, each read charged to the thread's virtual CPU (`Program.charge`), whose sum is what
`process_time` and `thread_time` read;
`clock_settime` is refused (it would set the machine's clock)."""

from __future__ import annotations

import calendar
import datetime as _real_datetime
import time as _real_time
import types
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._process import CALL_COST, UnsupportedInSimulation, seconds_argument, seconds_to_ns
from lanlab.sim.shim._proxy import Proxy

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

EPOCH = 1_767_225_600  # virtual t=0 is 2026-01-01 00:00:00 UTC for time.time()
UTC = _real_datetime.UTC


class Clock:
    """One program's clocks: the engine's time plus what the calling thread's CPU owes."""

    def __init__(self, program: Program) -> None:
        self.program = program

    def ns(self) -> int:
        """Virtual time since the run began, in ns (one charged read)."""
        return self.program.charge()

    def seconds(self) -> float:
        return self.ns() / 1e9

    def time(self) -> float:
        return EPOCH + self.ns() / 1e9

    def time_ns(self) -> int:
        return EPOCH * 10**9 + self.ns()

    def clock_gettime(self, clock: int) -> float:
        """Any clock id: the realtime clock reads time(), every other (monotonic, boot, CPU time) the
        virtual seconds, as monotonic() does; none reads the machine's."""
        return self.time() if clock == _real_time.CLOCK_REALTIME else self.seconds()

    def clock_gettime_ns(self, clock: int) -> int:
        return self.time_ns() if clock == _real_time.CLOCK_REALTIME else self.ns()

    def clock_settime(self, clock: int, value: float) -> None:
        """Setting a clock would set the machine's, not the simulated host's: refused."""
        raise UnsupportedInSimulation(
            f"time.clock_settime() is not available to a program on simulated host {self.program.node}"
        )

    def sleep(self, seconds: float) -> None:
        seconds = seconds_argument(seconds)
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        # sleep(0) lets the other threads run and, as the system call it is, costs CALL_COST.
        self.program.sleep(seconds_to_ns(seconds) or CALL_COST)

    def gmtime(self, t: float | None = None) -> _real_time.struct_time:
        return _real_time.gmtime(self.time() if t is None else t)

    def localtime(self, t: float | None = None) -> _real_time.struct_time:
        """gmtime's fields in the zone a simulated host keeps, UTC (gmtime's own tm_zone says "GMT")."""
        return _real_time.struct_time((*self.gmtime(t)[:9], "UTC", 0))

    def ctime(self, t: float | None = None) -> str:
        return _real_time.asctime(self.gmtime(t))

    def asctime(self, t: Any = None) -> str:
        return _real_time.asctime(self.gmtime() if t is None else t)

    def strftime(self, fmt: str, t: Any = None) -> str:
        return _real_time.strftime(fmt, self.localtime() if t is None else t)

    @staticmethod
    def mktime(t: Any) -> float:
        return float(calendar.timegm(tuple(t)))


def time_module(program: Program) -> types.ModuleType:
    """The `time` module a program on a simulated host imports."""
    clock = Clock(program)
    replaced = {
        "sleep": clock.sleep,
        "clock_gettime": clock.clock_gettime,
        "clock_gettime_ns": clock.clock_gettime_ns,
        "clock_settime": clock.clock_settime,
        "clock_settime_ns": clock.clock_settime,
        "time": clock.time,
        "time_ns": clock.time_ns,
        "monotonic": clock.seconds,
        "monotonic_ns": clock.ns,
        "perf_counter": clock.seconds,
        "perf_counter_ns": clock.ns,
        "process_time": lambda: program.cpu_ns(whole_process=True) / 1e9,
        "process_time_ns": lambda: program.cpu_ns(whole_process=True),
        "thread_time": lambda: program.cpu_ns(whole_process=False) / 1e9,
        "thread_time_ns": lambda: program.cpu_ns(whole_process=False),
        "gmtime": clock.gmtime,
        "localtime": clock.localtime,
        "ctime": clock.ctime,
        "asctime": clock.asctime,
        "strftime": clock.strftime,
        "mktime": clock.mktime,
        "timezone": 0,
        "altzone": 0,
        "daylight": 0,
        "tzname": ("UTC", "UTC"),
    }
    return Proxy(_real_time, replaced)


class SimDate(_real_datetime.date):
    """datetime.date whose today() is the simulated host's."""

    __slots__ = ()
    _clock: Clock

    @classmethod
    def today(cls) -> Any:
        return cls.fromtimestamp(cls._clock.time())

    @classmethod
    def fromtimestamp(cls, t: float) -> Any:
        day = _real_datetime.datetime.fromtimestamp(t, UTC)
        return cls(day.year, day.month, day.day)


class SimDatetime(_real_datetime.datetime):
    """datetime.datetime whose now(), utcnow() and today() are the simulated host's (in UTC)."""

    __slots__ = ()
    _clock: Clock

    @classmethod
    def fromtimestamp(cls, t: float, tz: Any = None) -> Any:
        moment = super().fromtimestamp(t, UTC if tz is None else tz)
        return moment.replace(tzinfo=None) if tz is None else moment

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return cls.fromtimestamp(cls._clock.time(), tz)

    @classmethod
    def today(cls) -> Any:
        return cls.now()

    @classmethod
    def utcnow(cls) -> Any:
        return cls.now()


def datetime_module(program: Program) -> types.ModuleType:
    """The `datetime` module a program on a simulated host imports."""
    clock = Clock(program)
    bound = {"_clock": clock, "__module__": "datetime", "__slots__": ()}
    date = type("date", (SimDate,), bound)
    # A datetime is a date, as in the real module (isinstance(datetime.now(), date)).
    return Proxy(_real_datetime, {"date": date, "datetime": type("datetime", (SimDatetime, date), bound)})
