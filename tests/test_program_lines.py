"""How a program ended, in one line, and how a command's words are shown (lanlab.program_lines)."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from lanlab.i18n import localize, set_language
from lanlab.program_lines import BUSY_LOOP, busy_error, ending_line, words_text
from tests.helpers.languages import CHINESE, needs_the_catalogue


def test_endings_stay_english_text_and_are_shown_in_chinese():
    """Each ending is the English line as before (JSON and real compare read it) and reads in
    Chinese under zh, names and paths kept."""
    needs_the_catalogue()
    lines = [
        ending_line("pc1", "a.py", 0, None, True),
        ending_line("pc1", "a.py", 1, "ValueError: x", True),
        ending_line("pc1", "a.py", None, None, True),
        ending_line("pc1", "a.py", None, None, False),
        busy_error("a.py", 1.0, ""),
    ]
    assert lines == [
        "pc1 a.py: exit 0",
        "pc1 a.py: exit 1: ValueError: x",
        "pc1 a.py: still running when the run ended",
        "pc1 a.py: not started",
        "a.py ran 1 s without waiting (a busy loop?)",
    ]
    assert BUSY_LOOP in lines[-1]
    set_language("zh")
    try:
        shown = [localize(line) for line in lines]
    finally:
        set_language("en")
    assert shown[0] == "pc1 a.py：退出状态 0"
    assert all(CHINESE.search(text) and "a.py" in text for text in shown), shown


@given(st.lists(st.text(min_size=0, max_size=12), max_size=6))
def test_a_commands_words_as_shown_read_back_as_the_same_words(words):
    """words_text quotes only what shlex would not read back as one word: split again, the words are the same."""
    assert shlex.split(words_text(words)) == words


def test_words_that_need_no_quotes_are_shown_as_typed():
    """Markup, paths and options stay as typed; a space, a quote or an empty word is quoted."""
    assert words_text(["udp", "send", "pc2", "9", "[/bold]", "-c", "a/b:c"]) == "udp send pc2 9 [/bold] -c a/b:c"
    assert words_text(["ping", "pc 1", "", "it's"]) == "ping 'pc 1' '' 'it'\"'\"'s'"
