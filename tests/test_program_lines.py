"""How a program ended, in one line (lanlab.program_lines): English text, shown in the user's language."""

from __future__ import annotations

from lanlab.i18n import localize, set_language
from lanlab.program_lines import BUSY_LOOP, busy_error, ending_line
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
