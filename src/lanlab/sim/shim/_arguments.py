"""How CPython's C functions read their arguments (Modules/*.c argument formats), with the errors they give:
shared by the shim's socket, name, service and select calls, so each reads an int or a string alike."""

from __future__ import annotations

import operator
from typing import Any

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def type_name(value: Any) -> str:
    """How CPython's argument errors name a value's type (None by its name)."""
    return "None" if value is None else type(value).__name__


def c_int(value: Any) -> int:
    """An argument CPython reads as a C int (its "i" format): an integer (operator.index's TypeError) within
    INT_MIN..INT_MAX, else its OverflowError."""
    number = operator.index(value)
    if number > INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if number < INT_MIN:
        raise OverflowError("signed integer is less than minimum")
    return number


def c_ssize_t(value: Any) -> int:
    """A size CPython reads as a Py_ssize_t (recv's bufsize, recv_into's nbytes: the "n" format)."""
    number = operator.index(value)
    if not -(2**63) <= number < 2**63:
        raise OverflowError("Python int too large to convert to C ssize_t")
    return number


def c_string(call: str, position: int, value: Any) -> str:
    """An argument CPython reads as a C string (its "s" format: getservbyname, getprotobyname): a str without NUL."""
    if not isinstance(value, str):
        raise TypeError(f"{call}() argument {position} must be str, not {type_name(value)}")
    if "\0" in value:
        raise ValueError("embedded null character")
    return value
