"""Random and truncated bytes into every parser raise WireError and nothing else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.wire import Arp, Dot3, Ethernet, Icmp, IPv4, Llc, TruncatedError, Udp, WireError, dissect
from wire_strategies import HEADERS

PARSERS = [Ethernet, Dot3, Llc, Arp, IPv4, Icmp, Udp]


@pytest.mark.parametrize("cls", PARSERS, ids=lambda c: c.__name__)
@given(data=st.binary(max_size=80))
def test_random_bytes_raise_only_wire_error(cls, data):
    """Any bytes either parse or raise a WireError (never IndexError, struct.error, ...)."""
    try:
        cls.parse(data)
    except WireError:
        pass
    try:
        cls.parse(memoryview(data))
    except WireError:
        pass


@pytest.mark.parametrize("name", sorted(HEADERS))
@given(data=st.data())
def test_truncated_header_raises_truncated_error_naming_the_field(name, data):
    """Cutting a valid header short raises TruncatedError naming header, field and offset."""
    h = data.draw(HEADERS[name])
    built = h.build(b"")
    cut = data.draw(st.integers(0, type(h).SIZE - 1))
    with pytest.raises(TruncatedError, match=r"truncated at field '\w+' \(offset \d+\)"):
        type(h).parse(built[:cut])


@given(data=st.binary(max_size=120))
def test_dissect_never_raises(data):
    """dissect() takes any bytes and reports what it could not parse instead of raising."""
    result = dissect(data)
    assert isinstance(result.layers[-1], bytes)
    assert (result.error is None) or "Malformed" in result.info
