"""cli.common: the pieces every command shares."""

from __future__ import annotations

import os
import signal

import pytest

from lanlab.cli.common import Terminated, terminate_as_interrupt


def test_only_the_first_sigterm_raises_and_a_second_one_does_not_cut_the_cleanup_short():
    """`kill PID` twice: the first SIGTERM raises Terminated, the second, sent while the cleanup the first
    began is running, is ignored (it raised again in the middle of the cleanup: sim serve's folder was
    left); after the block, SIGTERM's handler is what it was."""
    before = signal.getsignal(signal.SIGTERM)
    cleaned = False
    with pytest.raises(Terminated):
        with terminate_as_interrupt():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                signal.pthread_sigmask(signal.SIG_BLOCK, [])  # a call: the handler runs before it returns
            finally:
                os.kill(os.getpid(), signal.SIGTERM)
                signal.pthread_sigmask(signal.SIG_BLOCK, [])
                cleaned = True
    assert cleaned
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_inside_an_asyncio_task_ends_the_loop_as_ctrl_c_does():
    """SIGTERM while a task of asyncio.run is running: Terminated leaves the loop (sim serve's simulator task
    kept it as the task's exception, the loop served on, and later SIGTERMs were ignored)."""
    import asyncio
    import threading
    import time

    async def busy() -> None:
        for _ in range(20):
            time.sleep(0.05)  # the handler runs here, inside the task, not at an await

    async def main() -> None:
        task = asyncio.create_task(busy())
        await asyncio.sleep(2)
        task.cancel()

    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
    with pytest.raises(Terminated):
        with terminate_as_interrupt():
            asyncio.run(main())
