"""Bytes from the network shown as text: a wrong encoding guess never crashes, it shows escapes,
and nothing a peer sends can move the cursor, break a log line or reorder it on screen."""

from __future__ import annotations

import codecs
import re

from lanlab.i18n import L_

# Log lines stay one screen line long even when a peer sends megabytes in one go.
SHOWN_BYTES = 200

# Characters a terminal obeys instead of showing: C0 and C1 controls (escape sequences, CSI
# 0x9b, NEL 0x85), DEL, the Unicode line and paragraph separators, and the bidirectional
# formatting characters (U+202E turns the rest of a line around: "Trojan Source").
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_UNSAFE = (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *_BIDI)
_ESCAPES = {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _UNSAFE} | {
    0x09: "\t",
    0x0A: "\\n",
    0x0D: "\\r",
}
# In a JSON string the same characters as JSON's own \uXXXX escapes: the value is unchanged.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _UNSAFE if code >= 0x7F}


class EncodingError(ValueError):
    """An --encoding that cannot be used, or text it cannot write. Its text is an L_ text:
    English as a str, shown in the user's language by lanlab.i18n.localize."""


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Decode `data`; bytes that are not valid in `encoding` appear as \\xNN escapes."""
    return data.decode(encoding, errors="backslashreplace")


def preview(data: bytes, encoding: str = "utf-8", limit: int = SHOWN_BYTES, size: int | None = None) -> str:
    """The decoded start of `data` (at most `limit` bytes), saying how many bytes were left out; `size`: the
    whole message's length when `data` holds only its start (at least `limit` bytes of it)."""
    size = len(data) if size is None else size
    if size <= limit:
        return decode(data[:size], encoding)
    return f"{decode(data[:limit], encoding)}... (+{size - limit} bytes)"


def one_line(text: str) -> str:
    """`text` safe to print on one log line: controls, separators and bidi overrides escaped
    (\\n, \\x1b, \\x85, \\u2028, \\u202e); tabs stay."""
    return text.translate(_ESCAPES)


def json_safe(document: str) -> str:
    """A JSON text with the characters one_line escapes written as \\uXXXX (C0 controls
    are escaped by json.dumps already); it decodes to the same value."""
    return document.translate(_JSON_ESCAPES)


# A string: what a JSON text writes inside quotes, escapes and all, or an unclosed one to the end. The
# possessive *+ and the end alternative keep the scan linear: a plain "(?:...)*" rescanned the rest of the
# text from every quote of an unclosed string (64 KiB of \" took 17 s).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_nests_deeper(document: str | bytes, most: int) -> bool:
    """Whether a JSON text's [ and { (outside its strings) nest more than `most` levels deep: asked before
    json.loads, which recurses once a level. Its RecursionError is no answer: near the interpreter's limit
    any finalizer the collector runs fails too, and prints its traceback ("Exception ignored in ...")."""
    text = document.decode("latin-1") if isinstance(document, bytes) else document  # brackets: ASCII in UTF-8
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > most:
            return True
    return False


def encode(text: str, encoding: str = "utf-8") -> bytes:
    """Encode text to send; characters the encoding lacks raise EncodingError (a ValueError) naming them."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = error.object[error.start : error.end]
        raise EncodingError(
            L_("{bad!r} cannot be written in {encoding}; pick another --encoding", bad=bad, encoding=encoding)
        ) from None


def preamble(encoding: str) -> bytes:
    """What str.encode(encoding) writes before the text, on every call: UTF-16's and UTF-32's byte order
    mark, utf-8-sig's signature; b"" for the others. A stream carries it once, at its start."""
    try:
        one, two = "a".encode(encoding), "aa".encode(encoding)
    except (UnicodeError, LookupError):
        return b""
    return one[: 2 * len(one) - len(two)]


def without_preamble(encoded: bytes, first: bytes) -> bytes:
    """`encoded` (str.encode's output) without the preamble `first` it starts with, to go inside a stream."""
    return encoded[len(first) :] if first and encoded.startswith(first) else encoded


def text_encoding(name: str) -> str:
    """The canonical name of a text encoding; EncodingError (a ValueError) for an unknown name, for a codec
    that is not text <-> bytes (base64, hex, rot13, zlib: Python's codecs module holds both), and for a text
    codec that cannot show a byte it rejects as \\xNN (idna, punycode, undefined: the first odd byte a peer
    sent would stop the command, or a tcp connect hung)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise EncodingError(L_("unknown encoding {name!r} (try utf-8, gb2312, gbk, latin-1)", name=name)) from None
    if not info._is_text_encoding:  # the flag str.encode itself checks; no public spelling
        raise EncodingError(
            L_(
                "{name!r} is not a text encoding (it turns bytes into bytes); try utf-8, gb2312, gbk, latin-1",
                name=name,
            )
        )
    try:
        b"A\xff\n".decode(info.name, "backslashreplace")
        "A\n".encode(info.name)
    except UnicodeError:
        raise EncodingError(
            L_(
                "{name!r} cannot show the bytes a peer sends (it has no \\xNN escapes); try utf-8, gb2312, gbk, latin-1",
                name=name,
            )
        ) from None
    return info.name
