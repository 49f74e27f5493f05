"""How a program on a node ended, in one line: one wording for the simulator's `sim run --app` and
the kernel lab's `real run --app` (both import this leaf, which imports nothing)."""

from __future__ import annotations


def ending_line(node: str, path: str, exit: int | None, error: str | None, started: bool) -> str:
    """`NODE PATH: exit N[: error]`, or why it has no exit status yet."""
    if exit is None:
        state = "still running when the run ended" if started else "not started"
    else:
        state = f"exit {exit}" + (f": {error}" if error else "")
    return f"{node} {path}: {state}"


BUSY_LOOP = "without waiting (a busy loop?)"  # the simulator's error for a program past its CPU limit


def busy_error(path: str, seconds: float, where: str) -> str:
    """The simulator's error for a program stopped after `seconds` of CPU without waiting."""
    return f"{path} ran {seconds:g} s {BUSY_LOOP}{where}"
