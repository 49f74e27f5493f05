"""Bytes from the network shown as text: a wrong encoding guess never crashes, it shows escapes."""

from __future__ import annotations

# Log lines stay one screen line long even when a peer sends megabytes in one go.
SHOWN_BYTES = 200


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Decode `data`; bytes that are not valid in `encoding` appear as \\xNN escapes."""
    return data.decode(encoding, errors="backslashreplace")


def preview(data: bytes, encoding: str = "utf-8", limit: int = SHOWN_BYTES) -> str:
    """The decoded start of `data` (at most `limit` bytes), saying how many bytes were left out."""
    if len(data) <= limit:
        return decode(data, encoding)
    return f"{decode(data[:limit], encoding)}... (+{len(data) - limit} bytes)"


def encode(text: str, encoding: str = "utf-8") -> bytes:
    """Encode text to send; characters the encoding lacks raise ValueError naming them."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = error.object[error.start:error.end]
        raise ValueError(f"{bad!r} cannot be written in {encoding}; pick another --encoding") from None
