"""The Internet checksum against the word-by-word loop of RFC 1071 section 4.1."""

from hypothesis import given
from hypothesis import strategies as st

from lanlab.wire import internet_checksum


def _rfc1071(data: bytes, initial: int = 0) -> int:
    """RFC 1071 4.1, transcribed: add 16-bit words, fold the carries, complement."""
    if len(data) % 2:
        data += b"\x00"
    total = initial
    for i in range(0, len(data), 2):
        total += (data[i] << 8) + data[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@given(st.binary(max_size=300), st.integers(0, 0x3FFFF))
def test_checksum_matches_rfc1071(data, initial):
    """Same value as the RFC's loop, any length (odd too), with or without a pseudo-header sum."""
    assert internet_checksum(data, initial) == _rfc1071(data, initial)
    assert internet_checksum(memoryview(data)) == _rfc1071(data)


@given(st.binary(min_size=2, max_size=300).filter(lambda d: len(d) % 2 == 0))
def test_data_with_its_checksum_sums_to_zero(data):
    """Appending the checksum makes the whole verify to 0, unless the data is all zeros."""
    checksum = internet_checksum(data)
    total = internet_checksum(data + checksum.to_bytes(2, "big"))
    assert total == 0 or not any(data)


def test_checksum_edge_values():
    """All zeros sums to 0 (checksum 0xFFFF); all ones is -0 (checksum 0)."""
    assert internet_checksum(b"") == 0xFFFF and internet_checksum(b"\x00\x00") == 0xFFFF
    assert internet_checksum(b"\xff\xff") == 0
