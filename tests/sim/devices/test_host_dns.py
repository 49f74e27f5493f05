"""The resolver library's DNS-over-TCP framing (RFC 1035 4.2.2): a two-byte length before each message."""

from hypothesis import given
from hypothesis import strategies as st

from lanlab.sim.devices.host_dns import framed, unframe


@given(st.lists(st.binary(max_size=600), max_size=6), st.lists(st.integers(1, 700), max_size=20))
def test_messages_come_out_whole_and_in_order_however_the_stream_is_cut(messages, cuts):
    """Framed messages fed in pieces of any sizes (as TCP delivers them) come out the same, in order,
    each once it is whole; the bytes of a message not yet whole stay in the buffer."""
    stream = b"".join(framed(m) for m in messages)
    buffer, found, at = bytearray(), [], 0
    for size in [*cuts, len(stream)]:
        buffer += stream[at : at + size]
        at += size
        found += unframe(buffer)
    assert found == messages and buffer == bytearray()


def test_a_partial_length_or_message_waits():
    """One byte of the length, or a length without all its message: nothing yet, nothing lost."""
    buffer = bytearray(framed(b"abc")[:1])
    assert unframe(buffer) == [] and buffer == bytearray(b"\x00")
    buffer += b"\x03ab"
    assert unframe(buffer) == [] and len(buffer) == 4
    buffer += b"c"
    assert unframe(buffer) == [b"abc"]
