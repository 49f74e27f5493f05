"""Durations and rates as written in topology files and on the command line."""

import pytest

from lanlab.units import UnitError, format_duration, parse_duration, parse_rate


@pytest.mark.parametrize(
    ("text", "ns"),
    [("1s", 10**9), ("1.5ms", 1_500_000), ("10us", 10_000), ("5ns", 5), ("2", 2 * 10**9), (0.25, 250_000_000)],
)
def test_parse_duration_reads_units(text, ns):
    """Each unit converts to the exact nanosecond count; a bare number is seconds."""
    assert parse_duration(text) == ns


@pytest.mark.parametrize("bad", ["", "fast", "1 parsec", "-1s", "1e"])
def test_parse_duration_rejects_nonsense(bad):
    """Text that is not a non-negative number with a known unit raises UnitError."""
    with pytest.raises(UnitError):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "bps"), [("100Mbps", 100_000_000), ("1Gbps", 10**9), ("64kbps", 64_000), ("9600", 9600)]
)
def test_parse_rate_reads_units(text, bps):
    """Rates convert to bits per second, case-insensitively."""
    assert parse_rate(text) == bps


@pytest.mark.parametrize("bad", ["0Mbps", "fast", "10 furlongs"])
def test_parse_rate_rejects_nonsense(bad):
    """Zero, words and unknown units raise UnitError."""
    with pytest.raises(UnitError):
        parse_rate(bad)


def test_format_duration_is_short():
    """Formatting picks the largest unit that keeps the number >= 1."""
    assert format_duration(1_500_000) == "1.5ms"
    assert format_duration(2 * 10**9) == "2s"
    assert format_duration(12) == "12ns"
