"""Text from the network: decoding never crashes, previews stay short, encoding errors explain."""

import codecs

import pytest
from hypothesis import given, strategies as st

from lanlab.net.text import decode, encode, preview


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
