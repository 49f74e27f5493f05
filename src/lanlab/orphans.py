"""A child process that dies with the process that started it (Linux's PR_SET_PDEATHSIG): a grader's worker, a
sweep's walled batch. Where prctl is missing, the starter's own time limit still ends the child."""

from __future__ import annotations

import os
import signal

PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with(parent: int) -> None:
    """SIGKILL this process when `parent`, the pid that started it, ends; exit at once when it already has (this
    process was handed to another: init, a subreaper). Not "our parent is 1": a starter that is itself pid 1 (a
    container's command) is a parent like any other. Call it after any change of credentials (a new user
    namespace clears the signal)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent:
        os._exit(1)
