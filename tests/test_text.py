"""Text from the network: decoding never crashes, previews stay short, encoding errors explain."""

import codecs
import json

import pytest
from hypothesis import given, strategies as st

from lanlab.net.tcp_client import recode
from lanlab.text import (
    decode,
    encode,
    json_nests_deeper,
    json_safe,
    one_line,
    preamble,
    preview,
    text_encoding,
    without_preamble,
)


@given(st.binary(max_size=200), st.sampled_from(["utf-8", "gb2312", "gbk", "ascii", "latin-1"]))
def test_decode_never_raises(data, encoding):
    """Any bytes decode in any of the note's (or common) encodings without an exception."""
    assert isinstance(decode(data, encoding), str)


@given(st.binary(max_size=200).filter(lambda data: b"\\" not in data))
def test_escaped_bytes_lose_nothing(data):
    """Every byte the encoding rejects is shown as a \\xNN escape that reads back to the byte."""
    assert codecs.escape_decode(decode(data, "ascii").encode())[0] == data


def test_decode_gb2312_and_utf8_both_round_trip():
    """The note's two encodings read their own bytes back exactly."""
    for encoding in ("gb2312", "utf-8"):
        assert decode("接收数据为：你好".encode(encoding), encoding) == "接收数据为：你好"


def test_decode_shows_undecodable_bytes_escaped():
    """UTF-8 bytes read as ASCII show as \\xNN, not as a crash or a replacement character."""
    assert decode("é!".encode(), "ascii") == "\\xc3\\xa9!"


def test_preview_cuts_long_data_and_says_how_much_was_left_out():
    """A megabyte is shown as its first bytes plus a count of the rest."""
    assert preview(b"a" * 1_000_000, limit=10) == "aaaaaaaaaa... (+999990 bytes)"
    assert preview(b"short") == "short"


def test_encode_names_the_character_the_encoding_lacks():
    """Encoding text the charset cannot hold raises ValueError naming the character."""
    with pytest.raises(ValueError, match="'é' cannot be written in ascii"):
        encode("café", "ascii")


UNSAFE = "\x1b\x9b\x85\x7f\u2028\u2029\u202a\u202e\u2066\u200f\u061c"


def test_one_line_escapes_everything_a_terminal_would_obey():
    """C0/C1 controls, DEL, line/paragraph separators and bidi controls become \\xNN/\\uNNNN."""
    assert one_line("a\x1b[2Jb\x9bc\x85d\u2028e\u202ef\x7f\tg\n") == (
        r"a\x1b[2Jb\x9bc\x85d\u2028e\u202ef\x7f" + "\t" + r"g\n"
    )
    assert not set(one_line(UNSAFE)) & set(UNSAFE)


def test_one_line_leaves_ordinary_text_alone():
    """Chinese, accents, emoji with joiners and tabs are shown as they are."""
    text = "你好 café 👩‍💻\tok"
    assert one_line(text) == text


@given(st.text())
def test_json_safe_keeps_the_value_and_drops_raw_controls(text):
    """Any text: the escaped JSON reads back to the same value and holds none of the unsafe
    characters raw."""
    document = json_safe(json.dumps({"text": text}, ensure_ascii=False))
    assert json.loads(document) == {"text": text}
    assert not set(document) & set(UNSAFE)


@pytest.mark.parametrize("name", ["base64", "hex", "rot13", "zlib", "uu"])
def test_bytes_codecs_are_not_text_encodings(name):
    """Codecs that turn bytes into bytes (or str into str) are refused, naming the codec."""
    with pytest.raises(ValueError, match=f"'{name}' is not a text encoding"):
        text_encoding(name)


def test_text_encodings_get_their_canonical_name():
    """GB2312 and latin-1 are accepted under their codec names; a made-up name is unknown."""
    assert (text_encoding("GB2312"), text_encoding("latin-1")) == ("gb2312", "iso8859-1")
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        text_encoding("klingon")


@pytest.mark.parametrize(
    "line, typed, encoding, sent",
    [
        ("你好\n".encode(), "utf-8", "gb2312", "你好\n".encode("gb2312")),  # typed, re-written
        ("你好\n".encode("gb2312"), "utf-8", "gb2312", "你好\n".encode("gb2312")),  # piped, as is
        (b"caf\xe9\n", "utf-8", "utf-8", b"caf\xe9\n"),  # not UTF-8: as is
        ("学习\n".encode("gb2312"), "utf-8", "gb2312", "学习\n".encode("gb2312")),  # UTF-8 too (ѧϰ): as is
    ],
)
def test_recode_sends_input_bytes_in_the_chosen_encoding(line, typed, encoding, sent):
    """Input text in the terminal's encoding is re-encoded; bytes that are not are sent as they are, and so
    are bytes in the chosen encoding that the terminal's reads as text the chosen one cannot write."""
    assert recode(line, typed, encoding) == sent


@pytest.mark.parametrize(("line", "encoding", "bad"), [("é\n", "ascii", "'é'"), ("你好 😀\n", "gb2312", "'😀'")])
def test_recode_refuses_text_the_encoding_cannot_write(line, encoding, bad):
    """Typed text the encoding lacks, whose bytes are no text in it either, is refused as --send refuses it
    (it was sent as backslash escapes)."""
    with pytest.raises(ValueError, match=f"^{bad} cannot be written in {encoding}"):
        recode(line.encode(), "utf-8", encoding)


def test_encoding_errors_are_english_and_shown_in_the_users_language():
    """text_encoding's and encode's refusals keep their English str and read Chinese under zh."""
    from lanlab.i18n import localize, message_of, set_language

    errors = []
    for call in (lambda: text_encoding("bogus"), lambda: text_encoding("base64"), lambda: encode("你好", "latin-1")):
        with pytest.raises(ValueError) as caught:
            call()
        errors.append(caught.value)
    assert [str(error) for error in errors] == [
        "unknown encoding 'bogus' (try utf-8, gb2312, gbk, latin-1)",
        "'base64' is not a text encoding (it turns bytes into bytes); try utf-8, gb2312, gbk, latin-1",
        "'你好' cannot be written in latin-1; pick another --encoding",
    ]
    set_language("zh")
    assert [localize(message_of(error)) for error in errors] == [
        "未知的编码 'bogus'（可以试试 utf-8、gb2312、gbk、latin-1）",
        "'base64' 不是文本编码（它把字节变成字节）；可以试试 utf-8、gb2312、gbk、latin-1",
        "'你好' 无法用 latin-1 编码；请换一个 --encoding",
    ]


@pytest.mark.parametrize(
    ("encoding", "first"),
    [
        ("utf-8", b""),
        ("gbk", b""),
        ("cp037", b""),
        ("utf-16-le", b""),
        ("utf-8-sig", codecs.BOM_UTF8),
        ("utf-16", codecs.BOM_UTF16),
        ("utf-32", codecs.BOM_UTF32),
    ],
)
def test_the_preamble_is_what_every_encode_writes_first_and_a_stream_carries_once(encoding, first):
    """preamble: UTF-16/32's byte order mark and utf-8-sig's signature, nothing for the others;
    without_preamble takes it off an encoded piece, so pieces joined read as one text."""
    assert preamble(encoding) == first
    pieces = [without_preamble(part.encode(encoding), first) for part in ("hello", "\n", "world")]
    assert (first + b"".join(pieces)).decode(encoding) == "hello\nworld"


def test_json_depth_is_counted_in_linear_time_and_brackets_in_strings_do_not_count():
    """json_nests_deeper on 64 KiB of an unclosed string of \\" (the live lab's largest message) answers at
    once (the string pattern rescanned the rest from every quote: 17 s); [ inside strings are text."""
    import time

    hostile = '"' + '\\"' * 32_000
    started = time.perf_counter()
    assert not json_nests_deeper(hostile, 100)
    assert time.perf_counter() - started < 1.0  # 1 ms here; quadratic, seconds
    assert not json_nests_deeper('{"a": "' + "[" * 500 + '"}', 100)
    assert json_nests_deeper("[" * 101, 100) and not json_nests_deeper("[" * 100, 100)
    assert json_nests_deeper(b'{"a": ' + b"[" * 200, 100)
