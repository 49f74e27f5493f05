"""`time` for programs on a simulated host: every clock reads virtual time, sleep parks."""

from __future__ import annotations

import time as _real_time
import types
from typing import TYPE_CHECKING

from lanlab.sim.shim._proxy import Proxy

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

EPOCH = 1_767_225_600  # virtual t=0 is 2026-01-01 00:00:00 UTC for time.time()


def time_module(program: Program) -> types.ModuleType:
    engine = program.engine

    def sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        program.sleep(int(seconds * 1e9))

    def now_s() -> float:
        return EPOCH + engine.now / 1e9

    def clock(t: float | None) -> float:
        return now_s() if t is None else t

    replaced = {
        "sleep": sleep, "time": now_s, "time_ns": lambda: EPOCH * 10**9 + engine.now,
        "monotonic": lambda: engine.now / 1e9, "monotonic_ns": lambda: engine.now,
        "perf_counter": lambda: engine.now / 1e9, "perf_counter_ns": lambda: engine.now,
        "process_time": lambda: engine.now / 1e9, "process_time_ns": lambda: engine.now,
        "ctime": lambda t=None: _real_time.ctime(clock(t)),
        "localtime": lambda t=None: _real_time.localtime(clock(t)),
        "gmtime": lambda t=None: _real_time.gmtime(clock(t)),
        "asctime": lambda t=None: _real_time.asctime(t if t is not None else _real_time.localtime(now_s())),
        "strftime": lambda fmt, t=None: _real_time.strftime(fmt, t if t is not None else _real_time.localtime(now_s())),
    }
    return Proxy(_real_time, replaced)
