"""DNS names with odd bytes (a hostile trial): every name on the wire has one text (RFC 1035 5.1 escapes, as dig
writes it) that builds back to its bytes, and the names that cannot be written are refused in dig's words."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.wire import WireError
from lanlab.wire.dns import Dns, Question, canonical, check_name

DIG = shutil.which("dig")


def query(labels: list[bytes]) -> bytes:
    """A one-question A query whose name has these labels, made by hand."""
    name = b"".join(bytes([len(label)]) + label for label in labels) + b"\0"
    return struct.pack("!6H", 0x1234, 0x0100, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01"


@given(st.lists(st.binary(min_size=1, max_size=20), min_size=1, max_size=5))
def test_any_label_bytes_parse_and_build_back(labels):
    """A label holding a dot, a backslash, a space, NUL or UTF-8 parses to a text that builds the same bytes: a
    server echoing the question sends back the name it was asked (a resolver drops an answer to another name)."""
    wire = query(labels)
    message, _ = Dns.parse(wire)
    assert message.build() == wire
    assert canonical(message.questions[0].name) == message.questions[0].name


@pytest.mark.parametrize(
    "labels, text",
    [
        ([b"a.b", b"lab"], "a\\.b.lab."),
        ([b"a\\", b"b"], "a\\\\.b."),
        ([b"a b"], "a\\032b."),
        ([b"\xc3\xa4", b"test"], "\\195\\164.test."),
    ],
)
def test_odd_bytes_are_written_as_dig_writes_them(labels, text):
    """A dot or backslash inside a label is escaped; a byte that is not printable ASCII is \\DDD in decimal."""
    assert Dns.parse(query(labels))[0].questions[0].name == text


def test_text_with_other_characters_goes_out_as_utf8():
    """A name typed with a non-ASCII letter is sent as its UTF-8 bytes, as dig and glibc send what they are given."""
    wire = Dns(1, (Question("ä.test."),)).build()
    assert b"\x02\xc3\xa4\x04test\x00" in wire


@pytest.mark.parametrize(
    "name, problem",
    [
        ("pc3.lab.test", None),
        (".", None),
        ("a..b.lab.test", "empty label"),
        (".lab.test", "empty label"),
        ("lab.test..", "empty label"),
        ("a" * 64 + ".test", "label too long"),
        (".".join(["b" * 62] * 4) + ".test", "ran out of space"),
        ("a" * 63 + ".test", None),
    ],
)
def test_names_that_cannot_be_written_are_named_in_digs_words(name, problem):
    """An empty label, a label over 63 bytes or a name over 255 is refused before anything is built."""
    assert check_name(name) == problem
    if problem is not None:
        with pytest.raises(WireError):
            Dns(1, (Question(name),)).build()


@pytest.mark.skipif(DIG is None, reason="BIND's dig not installed")
@pytest.mark.parametrize("name", ["a..b.lab.test", ".lab.test", "a" * 64 + ".test", ".".join(["b" * 62] * 4) + ".test"])
def test_the_real_dig_refuses_the_same_names_in_the_same_words(name):
    """BIND's dig says "'NAME' is not a legal name (REASON)" with the reason check_name gives (it refuses before
    sending: the server named is a closed port on loopback, never asked)."""
    result = subprocess.run(
        [DIG, "@127.0.0.1", "-p", "9", "+tries=1", "+time=1", name], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 10
    assert f"is not a legal name ({check_name(name)})" in result.stderr + result.stdout


def test_the_summary_shows_utf8_as_text_and_what_a_terminal_obeys_escaped():
    """tshark's Info shows a UTF-8 name as its letters; an escape sequence or a bidi override from a peer is shown
    escaped (it reached `sim run --trace table` raw and cleared the screen)."""
    ours = Dns.parse(query([b"\xc3\xa4", b"\x1b[2J\xe2\x80\xae", b"test"]))[0].summary()
    assert ours == "Standard query 0x1234 A ä.\\x1b[2J\\u202e.test"
