"""The one family of exceptions a parser raises: never IndexError or struct.error."""

from __future__ import annotations


class WireError(ValueError):
    """Bytes that do not make a valid header; the message names header, field and offset."""


class TruncatedError(WireError):
    """Fewer bytes than the header (or its declared length) needs; `missing` says how many more (0: not said)."""

    header = ""
    missing = 0


class MalformedError(WireError):
    """Enough bytes, but a field holds a value the protocol does not allow."""


def truncated(header: str, field: str, offset: int, need: int, have: int) -> TruncatedError:
    """The error for `header` cut short before `field` (at byte `offset`) was complete."""
    error = TruncatedError(f"{header}: truncated at field {field!r} (offset {offset}): need {need} bytes, have {have}")
    error.header, error.missing = header, need - have  # the dissector compares it with what a snaplen cut off
    return error


def malformed(header: str, field: str, offset: int, why: str) -> MalformedError:
    """The error for a value of `field` (at byte `offset`) that `header` does not allow."""
    return MalformedError(f"{header}: field {field!r} at offset {offset}: {why}")
