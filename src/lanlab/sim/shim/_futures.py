"""`concurrent.futures` for programs on a simulated host: the standard library's own
`_base` and `thread` sources executed over the program's overlay, so ThreadPoolExecutor's
workers are simulated threads and its queue, locks and waits run in virtual time.
ProcessPoolExecutor raises UnsupportedInSimulation (a simulated program has no processes)."""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._process import UnsupportedInSimulation

if TYPE_CHECKING:
    from lanlab.sim.shim._modules import Overlay

_STDLIB = Path(importlib.util.find_spec("concurrent.futures").origin).parent  # type: ignore[union-attr, arg-type]
PUBLIC = ("FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED", "CancelledError", "TimeoutError", "BrokenExecutor",
          "Future", "Executor", "wait", "as_completed")


def futures_module(overlay: Overlay) -> types.ModuleType:
    """The program's `concurrent.futures` package."""
    package = types.ModuleType("concurrent.futures", "Simulated concurrent.futures (lanlab): thread pools "
                                                     "of simulated threads.")
    package.__path__ = []  # type: ignore[attr-defined]  # a package: `from concurrent.futures import _base`
    overlay.modules["concurrent.futures"] = package  # before its parts import it
    base = overlay.load("concurrent.futures._base", str(_STDLIB / "_base.py"))
    package._base = base  # type: ignore[attr-defined]
    for name in PUBLIC:
        setattr(package, name, getattr(base, name))
    thread = overlay.load("concurrent.futures.thread", str(_STDLIB / "thread.py"))
    package.thread = thread  # type: ignore[attr-defined]
    package.ThreadPoolExecutor = thread.ThreadPoolExecutor  # type: ignore[attr-defined]
    node = overlay.program.node

    class ProcessPoolExecutor:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise UnsupportedInSimulation(f"concurrent.futures.ProcessPoolExecutor is not available to a program "
                                          f"on simulated host {node} (use ThreadPoolExecutor)")

    package.ProcessPoolExecutor = ProcessPoolExecutor  # type: ignore[attr-defined]
    package.__all__ = (*PUBLIC, "ProcessPoolExecutor", "ThreadPoolExecutor")  # type: ignore[attr-defined]
    return package


def concurrent_package(overlay: Overlay) -> types.ModuleType:
    """The program's `concurrent` package (its one subpackage, futures)."""
    package = types.ModuleType("concurrent")
    package.__path__ = []  # type: ignore[attr-defined]
    package.futures = overlay["concurrent.futures"]  # type: ignore[attr-defined]
    return package
