"""A run the page drives: `lanlab sim serve` advances the simulator here, in virtual time, and
hands each page the events since it last looked, in the document's own format (a page first
gets the whole document, then batches that extend it; docs/viewer-format.md, "live").

The session speaks only the command line's words: an action is a `--do` text, scheduled by the
same parser as `sim run --do`, and the session so far is always one `lanlab sim run` command
line that replays it (each command pinned with `at` to the instant it was given).
"""

from __future__ import annotations

import shlex
import time
from typing import Any, Callable

from lanlab.view.catalogue import notes_for, notes_in_each_language
from lanlab.view.document import EVENT_COLUMNS, EventEncoder, build_document, links_of, program_entries
from lanlab.view.history import TableHistory

# How long one slice of simulation may hold the server's loop before the page hears again.
SLICE_SECONDS = 0.02
MAX_PACE = 1_000_000  # faster than real time by at most this; 0 is as fast as the simulator goes


def exact_seconds(ns: int) -> str:
    """`1.2345s`: a time `--do "at T ..."` reads back to the same nanosecond."""
    whole, part = divmod(ns, 1_000_000_000)
    return f"{whole}.{part:09d}".rstrip("0").rstrip(".") + "s"


class LiveSession:
    """One network, run as the page asks: start, pause, pace, step, and `--do` commands."""

    def __init__(
        self,
        network: Any,
        *,
        schedule: Callable[[Any, str], Any],
        source: list[str],
        watch: Callable[[], Any] | None = None,
    ) -> None:
        """`schedule(network, text)` is `sim run --do`'s parser (it raises on a bad text);
        `source`: the `sim run` words that rebuild this network (FILE, --seed, --app ...);
        `watch()`: a context manager each slice runs inside (the programs' CPU watchdog)."""
        self.network = network
        self.schedule = schedule
        self.source = source
        self.watch = watch
        self.history = TableHistory(network)
        self.document = build_document(network, self.history)
        self.document["live"] = True
        # Frames go out brief: decoding every field of every frame was most of serving a busy
        # run; a page asks for the few it shows whole (`frame`).
        self.encoder = EventEncoder({node["name"]: i for i, node in enumerate(self.document["nodes"])}, brief=True)
        self.encoded = 0  # history.events[:encoded] are in the document
        self.programs: list[Any] = []  # the --app programs (attach_programs): their consoles grow as they print
        self.printed = 0  # output lines and exits of the programs in the document
        self.given: list[str] = []  # the --do texts, each pinned to its instant
        self.running = False
        self.pace = 1.0  # virtual seconds per real second; 0: as fast as it goes
        self._anchor = (time.monotonic(), network.engine.now)  # (real, virtual) when pace last changed

    def attach_programs(self, programs: list[Any]) -> None:
        """The --app programs started on this network: their output goes to the pages as it comes."""
        self.programs = list(programs)
        self.sync()

    # -- controls ------------------------------------------------------------------------------
    def start(self) -> None:
        self.running = True
        self._anchor = (time.monotonic(), self.network.engine.now)

    def pause(self) -> None:
        self.running = False

    def set_pace(self, pace: float) -> None:
        """Real time x `pace` (0: as fast as it goes)."""
        if not 0 <= pace <= MAX_PACE:  # NaN too: it stopped the clock for good, and made the state no JSON
            raise ValueError(
                f"pace: a factor of real time (1 = real time) up to {MAX_PACE:,}, or 0 for as fast as it goes"
            )
        self.pace = pace
        self._anchor = (time.monotonic(), self.network.engine.now)

    def step(self) -> int:
        """One simulator event (its trace lines may be several: a switch's rx, learn, forward)."""
        self.running = False
        engine = self.network.engine
        done = self._guarded(engine.step)
        if done and engine.next_time() != engine.now:
            self.history.end_of_instant(engine.now)
        self.sync()
        return done

    def do(self, text: str) -> str:
        """Schedule a `--do` text now (or at its own `at T`); the text as the command line keeps it.
        Raises what `schedule` raises (CommandError) for a text `sim run` would refuse."""
        words = text.strip()
        if not words.startswith("at "):
            words = f"at {exact_seconds(self.free_instant())} {words}"
        self.schedule(self.network, words)
        self.given.append(words)
        self.document["commands"] = [
            {"node": c.node, "command": c.command_text, "at": c.at} for c in self.network.commands
        ]
        return words

    def free_instant(self) -> int:
        """The first nanosecond after now at which nothing is due: a command pinned there runs
        after everything already scheduled, in this session and in the command line's replay
        alike (pinned to now it would run after the instant's remaining events here, before
        them in the replay, where it was scheduled first)."""
        engine = self.network.engine
        due = engine.due_times()
        at = engine.now + 1
        while at in due:
            at += 1
        return at

    def command_line(self) -> str:
        """The session so far as one `lanlab sim run` command line (it replays the same events)."""
        words = ["lanlab", "sim", "run", *self.source]
        for text in self.given:
            words += ["--do", text]
        words += ["--until", exact_seconds(self.network.engine.now)]
        return " ".join(shlex.quote(word) for word in words)

    # -- running -------------------------------------------------------------------------------
    def advance(self, budget: float = SLICE_SECONDS) -> int:
        """Run for at most `budget` real seconds toward where the pace says the clock should be;
        the events dispatched. Instant by instant, so the tables are looked at as `sim view` does,
        each instant's events put into the document before the clock is read again: the budget
        holds the encoding too, so a run that has fallen behind gives the loop (the pages'
        batches) back on time."""
        if not self.running:
            return 0
        engine, history = self.network.engine, self.history
        if self.pace:
            real, virtual = self._anchor
            target = virtual + int((time.monotonic() - real) * self.pace * 1e9)
        else:
            target = None
        deadline = time.monotonic() + budget
        done = 0
        while not engine.stopped and time.monotonic() < deadline:
            due = engine.next_time()
            if due is None or (target is not None and due > target):
                if target is not None and target > engine.now:
                    done += self._guarded(engine.run, target)
                break
            done += self._guarded(engine.run, due)
            history.end_of_instant(engine.now)
            self.sync()
        self.sync()
        return done

    def behind(self) -> float:
        """How many virtual seconds the clock is behind where the pace wants it (0 when paused)."""
        if not self.running or not self.pace:
            return 0.0
        real, virtual = self._anchor
        return max(0.0, (virtual + (time.monotonic() - real) * self.pace * 1e9 - self.network.engine.now) / 1e9)

    def _guarded(self, run: Callable[..., int], *args: Any) -> int:
        if self.watch is None:
            return run(*args)
        with self.watch():  # a program's busy loop is stopped, not the server
            return run(*args)

    def sync(self) -> None:
        """Put the events recorded since the last sync into the document."""
        events = self.history.events
        if len(events) > self.encoded:
            columns, frames = self.encoder.encode(events[self.encoded :])
            for name in EVENT_COLUMNS:
                self.document["events"][name].extend(columns[name])
            shown = self.document["notes_shown"]
            for word, table in notes_in_each_language(columns["note"], known=shown).items():
                shown.setdefault(word, {}).update(table)
            self.document["frames"].extend(frames)
            self.encoded = len(events)
        self.document["end"] = self.network.engine.now
        self.document["tables"]["changes"] = self.history.changes
        printed = sum(len(p.output) + (p.exit is not None) for p in self.programs)
        if printed != self.printed:
            self.document["programs"] = program_entries(self.programs)
            self.printed = printed

    # -- what a page is sent ---------------------------------------------------------------------
    def frame(self, index: int) -> dict[str, Any]:
        """Frame `index` whole, as a finished run's document holds it (an IndexError if no event
        carried it)."""
        return self.encoder.full(index)

    def snapshot(self) -> dict[str, Any]:
        """The document as it is now, without "live", its growing lists copied: another thread can
        make a page of it while the run goes on."""
        document = {key: value for key, value in self.document.items() if key != "live"}
        document["events"] = {name: list(column) for name, column in self.document["events"].items()}
        document["frames"] = list(self.document["frames"])
        document["notes_shown"] = {word: dict(table) for word, table in self.document["notes_shown"].items()}
        document["tables"] = {**self.document["tables"], "changes": list(self.history.changes)}
        return document

    def whole_document(self, snapshot: dict[str, Any] | None = None) -> dict[str, Any]:
        """The run so far (or as `snapshot` held it) as `sim view` writes it: every frame whole,
        no "live" (a page that works offline). Decoding reads only frames already indexed, so it
        may run in another thread than the one simulating."""
        document = self.snapshot() if snapshot is None else snapshot
        document["frames"] = [self.frame(i) if f.get("brief") else f for i, f in enumerate(document["frames"])]
        return document

    def cursor(self) -> tuple[int, int, int, int]:
        """(events, frames, changes, program lines and exits) the document holds now: where a
        page's next batch starts."""
        return len(self.document["events"]["t"]), len(self.document["frames"]), len(self.history.changes), self.printed

    def state(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "pace": self.pace,
            "now": self.network.engine.now,
            "behind": round(self.behind(), 6),
            "stopped": self.network.engine.stopped,
            "command_line": self.command_line(),
        }

    def batch(self, cursor: tuple[int, int, int, int]) -> dict[str, Any]:
        """What a page holding the document up to `cursor` is missing (the programs' consoles
        whole, when a line or an exit came since)."""
        events, frames, changes, printed = cursor
        doc = self.document
        doc["links"] = links_of(self.network)  # their counters move
        return {
            "type": "batch",
            "events": {name: doc["events"][name][events:] for name in EVENT_COLUMNS},
            "notes_shown": notes_for(doc["events"]["note"][events:], doc["notes_shown"]),
            "frames": doc["frames"][frames:],
            "changes": [list(c) for c in self.history.changes[changes:]],
            "end": doc["end"],
            "links": doc["links"],
            "commands": doc["commands"],
            "state": self.state(),
            "programs": doc["programs"] if printed != self.printed else None,
        }
