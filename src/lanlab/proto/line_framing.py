"""Lines in a TCP byte stream, as `tcp serve` answers them: sans-IO, so the real server (net.tcp_server,
asyncio) and the simulator's (sim.commands.tcp, a program on a simulated host) frame alike.

A message is a line, or what one read returns when it holds no newline (the note's client sends none
and waits for its answer). What follows a read's last newline starts a line: it is held for the rest of
that line, or until the sender is quiet QUIET_S (`deadline`, `quiet`) or closes (`close`), so a line TCP
delivered in two reads is still one message, answered once. Lines end with the newline of the stream's
encoding: b"\\n" in ASCII's relatives, b"\\n\\x00" in UTF-16 (Newline). A read that ends inside a UTF-16 or
UTF-32 code unit (TCP cuts a stream where it likes) is not a whole message: its last bytes wait for the
rest of their unit, so a newline cut in two still ends one line (and half a character is no message).

The framer keeps no clock: each call is given `now`, and says when it next wants to be asked, in the
manner of aioquic's get_timer/handle_timer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lanlab.text import SHOWN_BYTES, preamble, without_preamble

# What follows a read's last newline is the start of a line still coming; a sender quiet this long
# (or closing) with such a start unanswered has sent a message without a newline: answer it then.
QUIET_S = 0.5


class Newline:
    """How a line ends in an encoding: b"\\n" in ASCII and its supersets (utf-8, gbk, latin-1), b"\\x25" in
    EBCDIC (cp037), b"\\n\\x00" in UTF-16 (this machine's byte order, as Python writes it; name utf-16-be
    for the other). In UTF-16 and UTF-32 it counts only at a whole number of code units from the start
    of the stream: the bytes 0a 00 also sit across two characters (U+0A41 U+0100). `offset` below is
    where `data` starts in its stream, modulo the newline's size."""

    __slots__ = ("bom", "bytes", "cr", "unit")

    def __init__(self, encoding: str) -> None:
        self.bom = preamble(encoding)
        self.bytes, self.cr = self.text("\n".encode(encoding)), self.text("\r".encode(encoding))
        self.unit = len(self.bytes)

    def text(self, encoded: bytes) -> bytes:
        """`encoded` (str.encode's output) without the byte order mark it starts with, to go inside a stream
        ("\\n".encode("utf-16") is BOM + b"\\n\\x00")."""
        return without_preamble(encoded, self.bom)

    def find(self, data: bytes | bytearray, start: int = 0, offset: int = 0) -> int:
        found = data.find(self.bytes, start)
        if self.unit > 1:
            while found >= 0 and (offset + found) % self.unit:
                found = data.find(self.bytes, found + 1)
        return found

    def rfind(self, data: bytes | bytearray, offset: int = 0, end: int | None = None) -> int:
        end = len(data) if end is None else end
        found = data.rfind(self.bytes, 0, end)
        if self.unit > 1:
            while found >= 0 and (offset + found) % self.unit:
                found = data.rfind(self.bytes, 0, found + self.unit - 1)
        return found

    def count(self, data: bytes | bytearray, offset: int = 0) -> int:
        if self.unit == 1:
            return data.count(self.bytes)
        count, found = 0, self.find(data, 0, offset)
        while found >= 0:
            count += 1
            found = self.find(data, found + self.unit, offset)
        return count

    def split(self, data: bytes, maxsplit: int = -1) -> list[bytes]:
        """data.split(newline) for data that starts a line (so is aligned)."""
        if self.unit == 1:
            return data.split(self.bytes, maxsplit)
        parts: list[bytes] = []
        start = 0
        while maxsplit < 0 or len(parts) < maxsplit:
            found = self.find(data, start)
            if found < 0:
                break
            parts.append(data[start:found])
            start = found + self.unit
        parts.append(data[start:])
        return parts

    def strip(self, line: bytes) -> bytes:
        """A line without its ending: the newline and carriage returns at its end (line.rstrip(b"\\r\\n"))."""
        if self.unit == 1 and self.bytes == b"\n":
            return line.rstrip(b"\r\n")
        end = len(line)
        if end % self.unit:  # ends in part of a character (a read cut it): no newline there, every byte kept
            return line
        while end >= self.unit and line[end - self.unit : end] in (self.bytes, self.cr):
            end -= self.unit
        return line[:end]


@dataclass(slots=True)
class Framed:
    """What a read (or the quiet, or the close) completed.

    `messages`: each (its bytes without the line's ending, its size): the whole message (size None), or
    the start of a longer one (at least SHOWN_BYTES of it) and the message's size. `lines`/`lines_count`:
    the complete lines after those, each with its ending, and how many (logged in bulk). What reply mode answers: `ends_open`,
    this read's first newline only ends a message answered before it; `replies`, the lines that get a
    reply line; `unended`, a message without a newline to answer now."""

    messages: list[tuple[bytes, int | None]] = field(default_factory=list)
    lines: bytes = b""
    lines_count: int = 0
    ends_open: bool = False
    replies: int = 0
    unended: bool = False

    def answer(self, reply: bytes, newline: bytes) -> bytes:
        """Reply mode's answer: the newline that ends an answer given early, a reply line for each line,
        the bare reply for a message without a newline. `reply` without a byte order mark."""
        return (
            (newline if self.ends_open else b"") + (reply + newline) * self.replies + (reply if self.unended else b"")
        )


class LineFramer:
    """One connection's lines: `feed` each read, ask `deadline` when the quiet is over and then `quiet`,
    and `close` when the sender has finished."""

    __slots__ = ("newline", "carry", "held", "held_head", "held_crs", "held_at", "answered_open")

    def __init__(self, newline: Newline) -> None:
        self.newline = newline
        self.carry = b""  # the last read's bytes of a code unit it cut (UTF-16: at most 1): the next read's start
        self.held = 0  # bytes after the last newline: a line still coming, not yet logged or answered
        self.held_head = b""  # their first SHOWN_BYTES, for the log
        self.held_crs = 0  # carriage returns they end with: a CRLF may come in two reads, CR first
        self.held_at = 0.0  # when the last held bytes came: the quiet is counted from then
        self.answered_open = False  # the last message was answered before a newline came: one next only ends it

    def feed(self, data: bytes, now: float) -> Framed:
        """The messages one read completes, and what reply mode answers."""
        if not data:
            return Framed()
        newline = self.newline
        if newline.unit > 1:  # from here on `data` starts and ends at code unit boundaries of the stream
            data = self.carry + data
            whole = len(data) - len(data) % newline.unit
            data, self.carry = data[:whole], data[whole:]
        first = newline.find(data)
        if first < 0:
            if self.held or self.carry:  # a line still coming, or a character
                self._hold(data, now, more=bool(self.held))
                return Framed()
            self.answered_open = True
            return Framed([(newline.strip(data), None)], unended=True)
        framed = Framed(ends_open=self.answered_open and first == 0 and not self.held)
        self.answered_open = False
        lines = 1 + newline.count(data[first + newline.unit :])
        if not framed.ends_open:
            piece = newline.strip(data[:first])
            if self.held:
                framed.messages.append(self._held_line(piece))
            else:
                framed.messages.append((piece, None))
        end = newline.rfind(data) + newline.unit
        if lines > 1:
            framed.lines, framed.lines_count = data[first + newline.unit : end], lines - 1
        self._hold(data[end:], now)  # nothing, when the read ends a line
        framed.replies = lines - framed.ends_open
        return framed

    def deadline(self) -> float | None:
        """When the sender has been quiet long enough for what is held to be a message (None: nothing held)."""
        return self.held_at + QUIET_S if self.held else None

    def quiet(self, now: float) -> Framed | None:
        """At or after `deadline`: what was held, a message without a newline; None before it. The bytes of a
        character still coming are not part of it (they are not a character yet): they start what follows."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return None
        return self._held_message()

    def close(self) -> Framed | None:
        """The sender closed: what it held without a newline is its last message (None: nothing held)."""
        if not (self.held or self.carry):
            return None
        framed, self.carry = self._held_message(self.carry), b""
        return framed

    def _hold(self, data: bytes, now: float, more: bool = False) -> None:
        """Keep `data` as the start (or, `more`, the continuation) of a line still coming."""
        crs = len(data) - len(self.newline.strip(data))  # held bytes hold no newline: what strip takes is CRs
        if more:
            self.held += len(data)
            if len(self.held_head) < SHOWN_BYTES:
                self.held_head += data[: SHOWN_BYTES - len(self.held_head)]
            self.held_crs = self.held_crs + crs if crs == len(data) else crs
        else:
            self.held, self.held_head, self.held_crs = len(data), data[:SHOWN_BYTES], crs
        self.held_at = now

    def _held_line(self, piece: bytes) -> tuple[bytes, int]:
        """The held start and `piece` (the rest up to the line's ending, without it) as one message; the
        held CRs are the ending's when nothing follows them."""
        if piece:
            return self.held_head + piece, self.held + len(piece)
        size = self.held - self.held_crs
        return self.held_head[:size], size

    def _held_message(self, rest: bytes = b"") -> Framed:
        """What was held (and `rest`) is a message without a newline; a newline that comes next only ends it."""
        framed = Framed([self._held_line(rest)], unended=True)
        self.held, self.held_head = 0, b""
        self.answered_open = True
        return framed
