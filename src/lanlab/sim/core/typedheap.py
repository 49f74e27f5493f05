"""The compiled build's event heap: the engine's `(time, ticket, target, arg)` entries kept in
(time, ticket) order in typed arrays, so a sift compares two machine integers.

heapq on a list of tuples is the pure Python build's heap, and there it is the fastest there
is (C code, no Python frame). In the compiled build it was half of scenario A's time: every
sift step is a rich comparison of two tuples, element by element. mypyc compiles this module
to C in which the times and tickets are `vec[i64]` (librt.vecs, mypyc's typed vectors) and a
comparison is two `int64_t` tests. The engine uses it only when the engine itself runs compiled
(engine.COMPILED); interpreted, this class would be 7x slower than heapq.

It quacks like the list the pure build uses where the engine reads the heap: truth and len(),
`heap[0]` (the next entry), iteration (entries in no particular order).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from librt.vecs import append, pop, vec
from mypy_extensions import i64

Entry = tuple[int, int, Any, Any]  # (time, ticket, target, arg), as engine.Entry


class TypedHeap:
    """A binary min-heap by (time, ticket), as heapq keeps one (same order, same results)."""

    def __init__(self) -> None:
        self.times: vec[i64] = vec[i64]()
        self.tickets: vec[i64] = vec[i64]()
        self.targets: list[Any] = []
        self.args: list[Any] = []

    def push(self, entry: Entry) -> None:
        """Add an entry (heapq.heappush's sift-up)."""
        time: i64 = entry[0]
        ticket: i64 = entry[1]
        target = entry[2]
        arg = entry[3]
        times = append(self.times, time)
        tickets = append(self.tickets, ticket)
        targets = self.targets
        args = self.args
        targets.append(target)
        args.append(arg)
        pos: i64 = len(times) - 1
        while pos > 0:
            parent = (pos - 1) >> 1
            above = times[parent]
            if above < time or (above == time and tickets[parent] < ticket):
                break
            times[pos] = above
            tickets[pos] = tickets[parent]
            targets[pos] = targets[parent]
            args[pos] = args[parent]
            pos = parent
        times[pos] = time
        tickets[pos] = ticket
        targets[pos] = target
        args[pos] = arg
        self.times = times
        self.tickets = tickets

    def pop(self) -> Entry:
        """Remove and return the first entry (heapq.heappop's: the last entry sifted down from the top)."""
        times, time = pop(self.times)
        tickets, ticket = pop(self.tickets)
        targets = self.targets
        args = self.args
        target = targets.pop()
        arg = args.pop()
        size: i64 = len(times)
        if size:
            first = (times[0], tickets[0], targets[0], args[0])
            pos: i64 = 0
            child: i64 = 1
            while child < size:
                right = child + 1
                if right < size and (
                    times[right] < times[child] or (times[right] == times[child] and tickets[right] < tickets[child])
                ):
                    child = right
                below = times[child]
                if time < below or (time == below and ticket < tickets[child]):
                    break
                times[pos] = below
                tickets[pos] = tickets[child]
                targets[pos] = targets[child]
                args[pos] = args[child]
                pos = child
                child = 2 * pos + 1
            times[pos] = time
            tickets[pos] = ticket
            targets[pos] = target
            args[pos] = arg
        else:
            first = (time, ticket, target, arg)
        self.times = times
        self.tickets = tickets
        return first

    def __len__(self) -> int:
        return len(self.targets)

    def __bool__(self) -> bool:
        return len(self.targets) > 0

    def __getitem__(self, index: int) -> Entry:
        return (self.times[index], self.tickets[index], self.targets[index], self.args[index])

    def __iter__(self) -> Iterator[Entry]:
        for index in range(len(self.targets)):
            yield (self.times[index], self.tickets[index], self.targets[index], self.args[index])
