"""The compiled build's event heap keeps heapq's order: the same entries come out in the same order."""

from heapq import heappop, heappush

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("librt.vecs", reason="librt (the `fast` extra, and mypy's runtime) is not installed")

from lanlab.sim.core.typedheap import TypedHeap  # noqa: E402

# A step pushes an entry at a time (few distinct times, so many ties for the ticket to break) or pops one.
STEPS = st.lists(st.one_of(st.integers(min_value=0, max_value=20), st.none()), max_size=300)


@given(STEPS)
def test_entries_come_out_in_heapqs_order(steps):
    """Any mix of pushes and pops gives what heapq gives on (time, ticket, target, arg) tuples."""
    typed, reference, ticket = TypedHeap(), [], 0
    for step in steps:
        if step is None:
            if reference:
                assert typed.pop() == heappop(reference)
            continue
        ticket += 1
        entry = (step, ticket, f"target {ticket}", None)
        typed.push(entry)
        heappush(reference, entry)
        assert typed[0] == reference[0]  # the next entry, as engine.next_time reads it
        assert len(typed) == len(reference)
    assert sorted(typed) == sorted(reference)  # iteration yields every entry left
    assert [typed.pop() for _ in range(len(typed))] == [heappop(reference) for _ in range(len(reference))]
    assert not typed


def test_large_times_and_tickets_keep_their_order():
    """Times past 2**32 ns (an hour and more) and many tickets compare as whole 64-bit numbers."""
    typed = TypedHeap()
    entries = [(t, n, None, n) for n, t in enumerate([2**40, 5, 2**33 + 1, 2**33, 2**62, 0], start=1)]
    for entry in entries:
        typed.push(entry)
    assert [typed.pop()[0] for _ in entries] == sorted(t for t, *_ in entries)


def test_an_empty_heap_raises_index_error_as_heappop_does():
    """The engine's loop ends on the IndexError of an empty heap's pop, in both builds."""
    with pytest.raises(IndexError):
        TypedHeap().pop()
    with pytest.raises(IndexError):
        heappop([])
