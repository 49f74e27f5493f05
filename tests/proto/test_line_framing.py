"""proto.line_framing: a TCP stream's bytes as `tcp serve` frames them into messages, whatever the reads."""

from __future__ import annotations

from hypothesis import given, strategies as st

from lanlab.proto.line_framing import QUIET_S, Framed, LineFramer, Newline

LINES = st.lists(
    st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=12), max_size=6
)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at the given offsets (each taken modulo its length, inside a character too): the reads
    TCP might deliver."""
    points = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:]) if b > a]


def framed_all(newline: Newline, reads: list[bytes], quiet_between: bool = False) -> list[Framed]:
    """Feed every read (with the quiet over between reads when asked), then close."""
    framer, now, out = LineFramer(newline), 0.0, []
    for data in reads:
        out.append(framer.feed(data, now))
        if quiet_between:
            now += QUIET_S
            out.append(framer.quiet(now))
    out.append(framer.close())
    return [framed for framed in out if framed is not None]


def messages(newline: Newline, framed: list[Framed]) -> list[bytes]:
    """Every message the framings logged, each without its line ending."""
    found = []
    for one in framed:
        found += [newline.strip(data) if size is None else data for data, size in one.messages]
        found += newline.split(one.lines)[: one.lines_count]
    return found


@given(
    LINES,
    st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=5),
    st.lists(st.integers(0, 400), max_size=8),
    st.sampled_from(["utf-8", "utf-16-le", "utf-32-be", "gbk"]),
    st.booleans(),
)
def test_every_byte_is_in_one_message_and_every_newline_in_one_answer(lines, tail, cuts, encoding, quiet):
    """However the stream is cut into reads (and whether the sender pauses between them), the messages hold
    every byte but the newlines once, in order, and reply mode's answers hold one newline for each newline
    sent and one reply for each message."""
    text = "".join(line + "\n" for line in lines) + tail
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    newline = Newline(encoding)
    framed = framed_all(newline, chunked(data, cuts), quiet)
    found = messages(newline, framed)
    assert b"".join(found).decode(encoding) == text.replace("\n", "")
    reply = newline.text("R".encode(encoding))
    answers = b"".join(one.answer(reply, newline.bytes) for one in framed)
    assert newline.count(answers) == text.count("\n")
    assert answers.count(reply) == len(found)


def test_a_line_in_two_reads_is_one_message_and_a_read_without_newline_is_one_of_its_own():
    """ "a" alone is a message (the note's client sends no newline); "x\\nhe" + "llo\\n" are x and hello."""
    newline = Newline("utf-8")
    assert messages(newline, framed_all(newline, [b"a"])) == [b"a"]
    assert messages(newline, framed_all(newline, [b"x\nhe", b"llo\n"])) == [b"x", b"hello"]


def test_the_quiet_is_counted_from_the_last_bytes_held():
    """A held start is a message QUIET_S after its last bytes came, not after its first."""
    framer = LineFramer(Newline("utf-8"))
    framer.feed(b"x\nhe", 0.0)
    framer.feed(b"ll", 0.4)
    assert framer.deadline() == 0.4 + QUIET_S
    assert framer.quiet(0.6) is None
    framed = framer.quiet(0.4 + QUIET_S)
    assert framed is not None and framed.messages == [(b"hell", 4)] and framed.unended
    assert framer.deadline() is None and framer.close() is None


def test_a_message_ending_in_part_of_a_character_keeps_every_byte():
    """A UTF-16 read of 3 bytes (a sender's write cut by TCP) is logged with its last byte: strip cut the
    partial code unit off, and the log showed 2 bytes of the 3 (or nothing of a 1-byte read)."""
    newline = Newline("utf-16-le")
    assert newline.strip(b"a\x00b") == b"a\x00b"
    assert newline.strip(b"a\x00\n\x00") == b"a\x00"
    assert messages(newline, framed_all(newline, [b"0"])) == [b"0"]


def test_a_utf16_newline_cut_in_two_by_tcp_still_ends_one_line():
    """UTF-16 "a\\n" read as 3 bytes and then 1 is the message "a", answered once (it was two messages: the
    3 bytes with half a newline, then the byte 00 alone, each answered), and its reply line is whole."""
    newline = Newline("utf-16-le")
    framer = LineFramer(newline)
    first = framer.feed(b"a\x00\n", 0.0)
    assert first == Framed() and framer.deadline() == QUIET_S
    second = framer.feed(b"\x00", 0.1)
    assert second.messages == [(b"a\x00", 2)] and second.replies == 1
    reply = newline.text("R".encode("utf-16-le"))
    assert (first.answer(reply, newline.bytes) + second.answer(reply, newline.bytes)).decode("utf-16-le") == "R\n"


def test_half_a_character_waits_for_its_other_half_past_the_quiet():
    """UTF-16 "a" and half of "b", then quiet: the message is "a"; the half is no message until the sender
    closes (a byte alone is not a character), and its other half, coming later, makes "b" the next."""
    framer = LineFramer(Newline("utf-16-le"))
    assert framer.feed(b"a\x00b", 0.0) == Framed()
    framed = framer.quiet(QUIET_S)
    assert framed is not None and framed.messages == [(b"a\x00", 2)] and framed.unended
    assert framer.deadline() is None and framer.quiet(10.0) is None
    late = LineFramer(Newline("utf-16-le"))
    late.feed(b"b", 0.0)
    assert late.deadline() is None
    assert late.feed(b"\x00", 1.0).messages == [(b"b\x00", None)]
    assert framer.close() == Framed([(b"b", 1)], unended=True)


def test_a_crlf_that_comes_in_two_reads_ends_the_line_it_ends():
    """ "x\\nhello\\r" then "\\n": the message is hello, 5 bytes (it was hello\\r, 6); a CR inside a line stays."""
    newline = Newline("utf-8")
    assert messages(newline, framed_all(newline, [b"x\nhello\r", b"\n"])) == [b"x", b"hello"]
    framer = LineFramer(newline)
    framer.feed(b"x\nhel", 0.0)
    framer.feed(b"lo\r\r", 0.1)
    assert framer.feed(b"\n", 0.2).messages == [(b"hello", 5)]
    framer.feed(b"y\na\r", 0.3)
    assert framer.feed(b"b\n", 0.4).messages == [(b"a\rb", 3)]


def test_an_empty_read_completes_nothing():
    """feed(b"") is no message (it was an empty message to answer)."""
    framed = LineFramer(Newline("utf-8")).feed(b"", 0.0)
    assert framed.messages == [] and not framed.unended and framed.answer(b"R", b"\n") == b""
