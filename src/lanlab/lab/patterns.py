"""A lab's output patterns (`matches:`), read and matched safely whoever wrote them and whatever a
program printed.

Python's re backtracks without end on a pattern like (a|aa)+$ over a line that almost matches, and
a grading would hang. The regex module matches with a time limit, but compiles a counted repeat by
writing it out, so a{1000000000} would take all the memory there is: a pattern is refused when its
repeats' least counts, multiplied through their nesting, pass MAX_EXPANSION. The syntax is re's (the
stdlib's parser counts the repeats), which regex reads the same, and a line is matched as regex reads it
(where the two differ, [[:digit:]] is a POSIX class, as grep has it).
"""

from __future__ import annotations

import re
import warnings
from re import _constants, _parser  # the stdlib's own parse tree, to count the repeats
from typing import Any

import regex

from lanlab.i18n import L_

MATCH_SECONDS = 1  # one pattern on one line of a program's output
MAX_EXPANSION = 100_000  # items a compiled pattern may hold once its counted repeats are written out
_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT, getattr(_constants, "POSSESSIVE_REPEAT", None)}


def pattern_problem(pattern: str) -> Any:
    """Why `pattern` cannot be a `matches:` pattern (a message), or None."""
    try:
        with warnings.catch_warnings():  # re's FutureWarning on [[:digit:]], a POSIX class to regex
            warnings.simplefilter("ignore", FutureWarning)
            tree = _parser.parse(pattern)
            re.compile(pattern)
    except re.error as error:
        return L_(
            "matches: {pattern} is not a regular expression ({reason}); put a backslash before "
            "( ) [ ] . * + ? to match the character itself",
            pattern=repr(pattern),
            reason=str(error),
        )
    if _expansion(tree) > MAX_EXPANSION:
        return L_(
            "matches: {pattern} repeats too much to compile (its counts multiply past {most}); "
            "a line of output needs far fewer",
            pattern=repr(pattern),
            most=MAX_EXPANSION,
        )
    return None


def _expansion(items: Any) -> int:
    """How many items a parsed (sub)pattern holds with each repeat written out its least number of times."""
    total = 0
    for op, argument in items:
        if op in _REPEATS:
            least, _, inner = argument
            total += 1 + max(least, 1) * _expansion(inner)
        else:
            total += 1 + sum(_expansion(part) for part in _parts(argument))
    return total


def _parts(argument: Any) -> list[Any]:
    """The subpatterns inside an item's argument (a group's, each branch's, an assertion's)."""
    if isinstance(argument, _parser.SubPattern):
        return [argument]
    if isinstance(argument, (tuple, list)):
        return [part for element in argument for part in _parts(element)]
    return []


def fullmatch(pattern: str, line: str) -> bool:
    """Whether `line` matches all of `pattern`; TimeoutError past MATCH_SECONDS."""
    return regex.fullmatch(pattern, line, timeout=MATCH_SECONDS) is not None
