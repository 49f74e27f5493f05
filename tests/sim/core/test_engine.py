"""The event loop: order, ties, the clock, MachineTimer."""

import re
from pathlib import Path

import pytest

from lanlab.sim.core.engine import Engine, MachineTimer, PastTimeError


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[int, object]] = []

    def fire(self, arg: object, now: int) -> None:
        self.seen.append((now, arg))


def test_events_run_in_time_order_and_ties_in_schedule_order():
    """Earlier times first; equal times in the order they were scheduled."""
    engine, r = Engine(), Recorder()
    for time, tag in ((5, "c"), (1, "a"), (5, "d"), (3, "b")):
        engine.schedule(time, r, tag)
    assert engine.run(10) == 4
    assert r.seen == [(1, "a"), (3, "b"), (5, "c"), (5, "d")]
    assert engine.now == 10


def test_run_stops_at_until_and_keeps_later_events():
    """Events after `until` stay queued for the next run; the clock stops at `until`."""
    engine, r = Engine(), Recorder()
    engine.schedule(100, r, "late")
    assert engine.run(50) == 0 and engine.now == 50 and engine.next_time() == 100
    engine.run(100)
    assert r.seen == [(100, "late")]


def test_a_past_time_raises():
    """Scheduling before the clock is a mistake named with both times (simpy raises too), not a silent now."""
    engine, r = Engine(), Recorder()
    engine.run(10)
    with pytest.raises(PastTimeError, match="at 3 ns: the clock is already at 10 ns"):
        engine.schedule(3, r, "x")
    engine.schedule(10, r, "now")
    engine.run(20)
    assert r.seen == [(10, "now")]


class Countdown:
    """A sans-IO machine with deadlines at 10, 20, 30."""

    def __init__(self) -> None:
        self.deadlines = [10, 20, 30]
        self.handled: list[int] = []

    def get_timer(self) -> int | None:
        return self.deadlines[0] if self.deadlines else None

    def handle_timer(self, now: int) -> None:
        self.handled.append(now)
        self.deadlines.pop(0)


class Owner:
    def __init__(self) -> None:
        self.fired: list[int] = []

    def timer_fired(self, machine: object, now: int) -> None:
        self.fired.append(now)


def test_machine_timer_follows_deadlines_and_ignores_stale_entries():
    """The timer wakes the machine at each deadline; a deadline moved earlier leaves no double call."""
    engine, machine, owner = Engine(), Countdown(), Owner()
    timer = MachineTimer(engine, machine, owner)
    machine.deadlines = [15, 20, 30]
    timer.arm()
    machine.deadlines[0] = 10  # moved earlier: the entry at 15 goes stale
    timer.arm()
    engine.run(100)
    assert machine.handled == [10, 20, 30] and owner.fired == [10, 20, 30]


def test_the_unchecked_path_and_schedule_share_one_order():
    """push((time, next(tickets), ...)) and schedule() draw from one counter: ties run in the order given."""
    engine, r = Engine(), Recorder()
    engine.schedule(5, r, "a")
    engine.push((5, next(engine.tickets), r, "b"))
    engine.schedule(5, r, "c")
    engine.push((2, next(engine.tickets), r, "first"))
    assert engine.pending() == 4 and engine.due_times() == {2, 5}
    engine.run(10)
    assert r.seen == [(2, "first"), (5, "a"), (5, "b"), (5, "c")]


def test_frame_ids_count_from_one():
    """next_frame_id() and next(frame_ids) hand out 1, 2, 3... per engine, from one counter."""
    engine = Engine()
    assert [engine.next_frame_id(), next(engine.frame_ids), engine.next_frame_id()] == [1, 2, 3]
    assert Engine().next_frame_id() == 1


def test_only_the_engine_touches_its_heap_and_counters():
    """No module but the engine reaches into engine.heap or bumps a counter of its own: the rest goes
    through schedule(), push()/tickets and frame_ids."""
    src = Path(__file__).resolve().parents[3] / "src" / "lanlab"
    reaching = re.compile(r"engine\.(heap|seq|frames)\b|heappush\([^,]*engine")
    offenders = [
        f"{path.relative_to(src)}:{number}: {line.strip()}"
        for path in sorted(src.rglob("*.py"))
        if path.name != "engine.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if reaching.search(line)
    ]
    assert offenders == []
