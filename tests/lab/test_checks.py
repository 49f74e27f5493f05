"""A check's verdict on a program's output."""

from __future__ import annotations

import time

from lanlab.lab.checks import output
from lanlab.lab.patterns import MATCH_SECONDS


def test_matches_holds_each_line_to_its_whole_pattern():
    """matches: each printed line against its pattern, whole-line, as many lines as patterns."""
    assert output(["got 3 replies", "bye"], {"matches": [r"got \d+ replies", "bye"]})[0]
    assert not output(["got 3 replies!", "bye"], {"matches": [r"got \d+ replies", "bye"]})[0]
    assert not output(["bye"], {"matches": ["bye", "bye"]})[0]


def test_a_pattern_that_backtracks_without_end_fails_its_check_in_bounded_time_and_says_why():
    """A teacher's (a|aa)+$ on a student's 40 a's and a b would run for ever in re: the check fails after
    MATCH_SECONDS, naming the pattern, instead of hanging lab check and lab grade."""
    start = time.monotonic()
    passed, why = output(["a" * 40 + "b"], {"matches": ["(a|aa)+$"]})
    assert not passed
    assert time.monotonic() - start < MATCH_SECONDS + 5
    assert "(a|aa)+$" in str(why) and "took more than" in str(why)


def test_a_long_output_is_shown_by_its_start_and_size():
    """What an output check found is at most OUTPUT_SHOWN characters of the lines and their count; short
    output whole; none, "no output"."""
    from lanlab.lab.checks import OUTPUT_SHOWN

    passed, found = output(["y" * 50] * 100, {"contains": "z"})
    assert not passed and str(found).startswith("y" * 50 + " | ")
    assert str(found).endswith("... (100 lines, 5297 characters in all)") and len(str(found)) < OUTPUT_SHOWN + 50
    assert output(["a", "b"], {"contains": "a"}) == (True, "a | b")
    assert str(output([], {"contains": "a"})[1]) == "no output"
