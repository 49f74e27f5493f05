"""What the trial of `lanlab udp`/`lanlab tcp` fixed, below the network: how a line ends in each
--encoding (UTF-16's newline is two bytes, found only at an even offset), the client's decoder for
streams without a byte order mark, one BOM a stream, and the encodings a peer's bytes cannot be shown in.
No socket is opened here; tests/cli/test_trial_udp_tcp_namespaces.py runs the same over namespaces."""

from __future__ import annotations

import click
import pytest

from lanlab.cli.common import ENCODING
from lanlab.net.tcp_client import StreamDecoder, _Sender
from lanlab.proto.line_framing import Newline
from lanlab.text import preview


@pytest.mark.parametrize(
    ("encoding", "newline", "bom"),
    [
        ("utf-8", b"\n", b""),
        ("gbk", b"\n", b""),
        ("latin-1", b"\n", b""),
        ("cp037", b"\x25", b""),  # EBCDIC
        ("utf-16-le", b"\n\x00", b""),
        ("utf-16-be", b"\x00\n", b""),
        ("utf-32-le", b"\n\x00\x00\x00", b""),
    ],
)
def test_a_line_ends_with_the_newline_of_the_encoding(encoding, newline, bom):
    line = Newline(encoding)
    assert (line.bytes, line.bom, line.unit) == (newline, bom, len(newline))


def test_utf16_newline_drops_the_byte_order_mark_inside_a_stream():
    line = Newline("utf-16")
    assert line.unit == 2 and line.bom in (b"\xff\xfe", b"\xfe\xff")
    order = "le" if line.bom == b"\xff\xfe" else "be"
    assert line.text("thank YOU!".encode("utf-16")) == "thank YOU!".encode(f"utf-16-{order}")


def test_utf16_newline_counts_only_at_an_even_offset():
    """U+0A41 U+0100 holds the bytes 0a 00 at an odd offset: not a newline."""
    line = Newline("utf-16-le")
    data = "\u0a41\u0100x\n".encode("utf-16-le")  # 41 0a 00 01 78 00 0a 00
    assert data.find(b"\n\x00") == 1
    assert line.find(data) == 6 and line.rfind(data) == 6 and line.count(data) == 1
    # the same bytes one byte later in the stream: the newline at 6 is now odd, the pair at 1 even
    assert line.find(data, 0, offset=1) == 1 and line.count(data, offset=1) == 1
    assert line.split("a\nb\nc".encode("utf-16-le")) == [b"a\x00", b"b\x00", b"c\x00"]


def test_strip_takes_the_line_ending_off_in_every_encoding():
    assert Newline("utf-8").strip(b"hello\r\n") == b"hello"
    wide = Newline("utf-16-le")
    assert wide.strip("hello\r\n".encode("utf-16-le")) == "hello".encode("utf-16-le")
    assert wide.strip("\u0a0d".encode("utf-16-le")) == "\u0a0d".encode("utf-16-le")  # 0d 0a is a letter here


def test_preview_of_a_message_from_its_start_and_size():
    assert preview(b"hello", "utf-8", size=5) == "hello"
    assert preview(b"a" * 300, "utf-8", size=1000) == "a" * 200 + "... (+800 bytes)"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_stream_decoder_reads_utf16_and_utf32_without_a_bom(encoding):
    """Python's incremental UTF-16 decoder raises "stream does not start with BOM" (the client died
    with a traceback on the first reply of a server that writes none)."""
    assert StreamDecoder(encoding).decoder is None  # chosen when the first bytes show a BOM or none
    native = "thank YOU!\n".encode(f"{encoding}-le")
    decoder = StreamDecoder(encoding)
    text = "".join(decoder.decode(native[i : i + 3]) for i in range(0, len(native), 3)) + decoder.decode(b"", True)
    assert text == "thank YOU!\n"
    with_bom = StreamDecoder(encoding)
    assert with_bom.decode("你好".encode(encoding)) + with_bom.decode(b"", True) == "你好"


def test_stream_decoder_with_a_big_endian_bom_reads_big_endian():
    decoder = StreamDecoder("utf-16")
    data = b"\xfe\xff" + "你好\n".encode("utf-16-be")
    assert decoder.decode(data[:1]) == "" and decoder.decode(data[1:]) + decoder.decode(b"", True) == "你好\n"


def test_stream_decoder_escapes_what_the_encoding_rejects_and_never_raises():
    decoder = StreamDecoder("utf-8")
    assert decoder.decode(b"ok \xff\xfe") + decoder.decode(b"", True) == "ok \\xff\\xfe"
    short = StreamDecoder("utf-16")
    assert short.decode(b"a", final=True) == "\\x61"


def test_a_utf16_stream_carries_one_byte_order_mark():
    """Each --send line was encoded on its own, each with a BOM: the peer saw U+FEFF in every line."""
    send = _Sender(None, None, "utf-16")
    stream = send.prepare([text.encode("utf-16") for text in ("你好\n", "world\n")])
    stream += send.prepare(["again\n".encode("utf-16")])
    assert stream == "你好\nworld\nagain\n".encode("utf-16")  # one BOM, at the start
    plain = _Sender(None, None, "utf-8")  # UTF-8 has no BOM of its own: bytes untouched
    assert plain.prepare([b"\xef\xbb\xbfkept as sent\n"]) == b"\xef\xbb\xbfkept as sent\n"


def test_piped_input_is_read_a_read_at_a_time_and_a_long_line_in_pieces(tmp_path):
    """A file without newlines piped to `tcp connect` was held whole before a byte went out, and every
    line was queued to the loop at once (a peer that does not read made the client grow by the file)."""
    from lanlab.net.tcp_client import MAX_PIECE, _batches

    long_line = tmp_path / "long"
    long_line.write_bytes(b"x" * (4 * MAX_PIECE))
    with long_line.open("rb") as stream:
        pieces = list(_batches(stream, as_typed=True))
    assert b"".join(b"".join(batch) for batch in pieces) == b"x" * (4 * MAX_PIECE)
    assert max(len(piece) for batch in pieces for piece in batch) <= 2 * MAX_PIECE
    lines = tmp_path / "lines"
    lines.write_bytes(b"a\nbb\nccc")
    with lines.open("rb") as stream:
        assert list(_batches(stream, as_typed=False)) == [[b"a\n", b"bb\n"], [b"ccc"]]


@pytest.mark.parametrize("name", ["idna", "punycode", "undefined"])
def test_encodings_that_cannot_show_a_peers_bytes_are_refused(name):
    """`--encoding idna` hung `tcp connect` (a transport error in data_received) and gave `udp send`
    a traceback: such codecs have no \\xNN escapes."""
    with pytest.raises(click.BadParameter, match="cannot show the bytes a peer sends"):
        ENCODING.convert(name, None, None)


@pytest.mark.parametrize("name", ["utf-8", "gbk", "gb2312", "latin-1", "utf-16", "utf-16-be", "cp037", "utf-7"])
def test_text_encodings_with_escapes_are_accepted(name):
    """Encodings that show a rejected byte as \\xNN are taken."""
    assert ENCODING.convert(name, None, None)
