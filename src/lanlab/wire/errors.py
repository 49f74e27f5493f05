"""The one family of exceptions a parser raises: never IndexError or struct.error."""

from __future__ import annotations


class WireError(ValueError):
    """Bytes that do not make a valid header; the message names header, field and offset."""


class TruncatedError(WireError):
    """Fewer bytes than the header (or its declared length) needs."""


class MalformedError(WireError):
    """Enough bytes, but a field holds a value the protocol does not allow."""


def truncated(header: str, field: str, offset: int, need: int, have: int) -> TruncatedError:
    """The error for `header` cut short before `field` (at byte `offset`) was complete."""
    return TruncatedError(f"{header}: truncated at field {field!r} (offset {offset}): need {need} bytes, have {have}")


def malformed(header: str, field: str, offset: int, why: str) -> MalformedError:
    """The error for a value of `field` (at byte `offset`) that `header` does not allow."""
    return MalformedError(f"{header}: field {field!r} at offset {offset}: {why}")
