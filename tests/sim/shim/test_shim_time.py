"""Virtual time always moves for a program: short waits, busy-waits on the clock, busy loops, and
every clock (time, datetime) reads the simulated one."""

from __future__ import annotations

import pytest

from lanlab.sim.shim import run_programs
from lanlab.units import SECOND
from simnets import pair

S = SECOND


def test_a_wait_shorter_than_a_nanosecond_still_moves_time():
    """sleep(0.1) then Queue().get(timeout=0.2) times out at 0.3 s (queue's left-over 5e-17 s wait is 1 ns)."""
    net = pair()

    def program():
        import queue
        import time

        time.sleep(0.1)
        try:
            queue.Queue().get(timeout=0.2)
        except queue.Empty:
            timed_out = round(time.monotonic(), 4)
        time.sleep(1)
        before = time.monotonic_ns()  # the first read after a wait: free
        time.sleep(1e-12)
        return timed_out, time.monotonic_ns() - before

    started = net.node("pc1").run(program)
    run_programs(net, 2 * S)
    assert started.result == (0.3, 1)


def test_clock_reads_cost_a_microsecond_each_after_the_first_since_a_wait():
    """Reading the clock again without waiting costs 1 us of virtual CPU per read; a wait makes the next read free."""
    net = pair()

    def program():
        import time

        time.sleep(1)
        reads = [time.monotonic_ns() for _ in range(3)]
        time.sleep(1)
        return reads, time.monotonic_ns()

    started = net.node("pc1").run(program)
    run_programs(net, 5 * S)
    assert started.result == ([S, S + 1000, S + 2000], 2 * S + 2000)


def test_a_busy_wait_on_the_clock_ends_in_virtual_time_and_the_network_moves_meanwhile():
    """while time.time() < end: pass ends after 50 ms of virtual time; a datagram sent meanwhile arrives."""
    net = pair()

    def waiter():
        import socket
        import time

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("", 7))
        sock.setblocking(False)
        start = time.time()
        spins = 0
        while time.time() < start + 0.05:
            spins += 1
        return spins, sock.recv(100)

    def sender():
        import socket
        import time

        time.sleep(0.01)
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"meanwhile", ("pc1", 7))

    started = net.node("pc1").run(waiter)
    net.node("pc2").run(sender)
    run_programs(net, S)
    spins, data = started.result
    assert 49_000 <= spins <= 51_000 and data == b"meanwhile"


def test_a_busy_loop_is_stopped_and_the_run_goes_on():
    """while True: pass is stopped after the CPU limit, naming the line; another program still runs to the end."""
    net = pair()

    def spinner():
        print("spinning")
        while True:
            pass

    def sleeper():
        import time

        time.sleep(2)
        print("awake")

    busy = net.node("pc1").run(spinner)
    calm = net.node("pc2").run(sleeper)
    run_programs(net, 3 * S, cpu_limit=0.3)
    line = spinner.__code__.co_firstlineno + 2  # the while: its jump back is where it runs
    assert busy.exit == 1 and busy.stopped
    assert busy.error == f"spinner ran 0.3 s without waiting (a busy loop?) at line {line}"
    assert [text for _, text in calm.output] == ["awake"] and net.now == 3 * S


def test_a_busy_thread_stops_its_whole_program():
    """A thread that never waits stops its program: the main thread, parked in join(), never runs again."""
    net = pair()
    after = []

    def program():
        import threading

        def spin():
            while True:
                pass

        worker = threading.Thread(target=spin)
        worker.start()
        worker.join()
        after.append("joined")

    busy = net.node("pc1").run(program)
    run_programs(net, S, cpu_limit=0.3)
    assert busy.stopped and busy.exit == 1 and after == []


def test_clocks_and_dates_read_the_simulated_clock_in_utc():
    """datetime.now(), date.today(), localtime, gmtime, ctime, perf_counter: all the virtual clock from 2026-01-01 UTC."""
    net = pair()

    def program():
        import datetime
        import time

        time.sleep(90061.5)  # 1 day, 1 hour, 1 minute, 1.5 seconds
        now, today = str(datetime.datetime.now()), str(datetime.date.today())
        utcnow = str(datetime.datetime.utcnow())  # noqa: DTZ003 - the call under test
        return (
            now,
            today,
            utcnow,
            datetime.datetime.now(datetime.UTC).isoformat(),
            time.localtime()[:6],
            time.gmtime()[:6],
            time.ctime(),
            time.strftime("%H:%M"),
            time.perf_counter(),
            time.mktime(time.localtime()),
            time.timezone,
            isinstance(datetime.datetime.now(), datetime.date),
        )

    started = net.node("pc1").run(program)
    run_programs(net, 100_000 * S)
    # Each read after the first costs 1 us: perf_counter is the ninth read.
    assert started.result == (
        "2026-01-02 01:01:01.500000",
        "2026-01-02",
        "2026-01-02 01:01:01.500002",
        "2026-01-02T01:01:01.500003+00:00",
        (2026, 1, 2, 1, 1, 1),
        (2026, 1, 2, 1, 1, 1),
        "Fri Jan  2 01:01:01 2026",
        "01:01",
        90061.500008,
        1767315661.0,
        0,
        True,
    )


def test_clock_gettime_reads_the_simulated_clock_and_clock_settime_is_refused():
    """time.clock_gettime(_ns) of the realtime clock is time()'s, of any other clock monotonic()'s (they read the
    machine's clocks before); clock_settime, which would set the machine's clock, is UnsupportedInSimulation."""
    net = pair()

    def program():
        import time

        time.sleep(10)
        realtime = time.clock_gettime(time.CLOCK_REALTIME)
        monotonic_ns = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        cpu = time.clock_gettime(time.CLOCK_PROCESS_CPUTIME_ID)
        try:
            time.clock_settime(time.CLOCK_REALTIME, 0.0)
        except Exception as error:  # noqa: BLE001 - which error is the point
            refused = f"{type(error).__name__}: {error}"
        return realtime, monotonic_ns, cpu, refused

    started = net.node("pc1").run(program)
    run_programs(net, 20 * S)
    realtime, monotonic_ns, cpu, refused = started.result
    assert realtime == 1_767_225_610.0
    assert monotonic_ns == 10 * S + 1_000  # the second read since the wait costs a microsecond
    assert cpu == pytest.approx(10.000002)
    assert (
        refused == "UnsupportedInSimulation: time.clock_settime() is not available to a program on simulated host pc1"
    )


@pytest.mark.parametrize("cpu_limit", [0.2])
def test_a_busy_wait_on_the_clock_is_not_a_busy_loop(cpu_limit):
    """A program polling the clock for a long virtual time waits (it pays its CPU in virtual time), so it is not stopped."""
    net = pair()

    def program():
        import time

        end = time.time() + 1
        while time.time() < end:
            pass
        return "done"

    started = net.node("pc1").run(program)
    run_programs(net, 2 * S, cpu_limit=cpu_limit)
    assert started.result == "done" and not started.stopped


def test_loops_of_sleep_0_and_of_select_with_timeout_0_end_in_virtual_time():
    """time.sleep(0) costs 1 us and a zero-timeout select is charged like a clock read: such polling loops end."""
    net = pair()

    def sleeper():
        import time

        turns = 0
        while time.monotonic() < 0.01:
            time.sleep(0)
            turns += 1
        return turns

    def poller():
        import select
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("", 7))
        while not select.select([sock], [], [], 0)[0]:
            pass
        return sock.recv(100)

    def sender():
        import socket
        import time

        time.sleep(0.02)
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"at last", ("pc1", 7))

    looping, polling = net.node("pc1").run(sleeper), net.node("pc1").run(poller)
    net.node("pc2").run(sender)
    run_programs(net, S, cpu_limit=30)
    assert looping.result == 10_000 and polling.result == b"at last"


def test_a_busy_loop_that_swallows_every_exception_is_stopped_all_the_same():
    """`except BaseException: pass` around a busy loop (a bare `except:` does the same) cannot keep it going: the
    program stops where it spins, nothing is raised in its code (it went on catching the watchdog's exception
    forever, and the run never ended); the other program runs to the end."""
    net = pair()
    caught: list[str] = []

    def spinner():
        print("spinning")
        while len(caught) < 3:  # bounded, so that this test ends even if the watchdog is swallowed
            try:
                while True:
                    pass
            except BaseException as error:  # noqa: BLE001 - what the test is about
                caught.append(type(error).__name__)
        print("gave up")

    def sleeper():
        import time

        time.sleep(2)
        print("awake")

    busy = net.node("pc1").run(spinner)
    calm = net.node("pc2").run(sleeper)
    run_programs(net, 3 * S, cpu_limit=0.3)
    line = spinner.__code__.co_firstlineno + 4  # the inner while
    assert caught == [] and [text for _, text in busy.output] == ["spinning"]
    assert busy.exit == 1 and busy.stopped
    assert busy.error == f"spinner ran 0.3 s without waiting (a busy loop?) at line {line}"
    assert [text for _, text in calm.output] == ["awake"] and net.now == 3 * S


def test_ctrl_c_ends_the_run_even_when_the_running_program_catches_keyboard_interrupt():
    """lanlab's Ctrl-C (and SIGTERM) landing in a program that catches KeyboardInterrupt ends the run: the program
    never sees it (it caught it and went on, and the run with it)."""
    import os
    import signal

    net = pair()
    caught: list[str] = []

    def stubborn():
        while len(caught) < 3:
            try:
                while True:
                    pass
            except BaseException as error:  # noqa: BLE001 - what the test is about
                caught.append(type(error).__name__)

    net.node("pc1").run(stubborn)
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: os.kill(os.getpid(), signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt):  # the watchdog only bounds this test if the fix regresses
            run_programs(net, 3 * S, cpu_limit=1)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert caught == []
