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


@pytest.mark.parametrize("bad", ["0.1", 0.1, "0.4bps", "1e-5", "1e300Gbps", "1001Gbps", 2 * 10**12])
def test_a_rate_below_1bps_or_past_1000gbps_is_refused(bad):
    """A rate that rounds to 0 bps (a link whose frames never end) or overflows is one UnitError saying the range."""
    with pytest.raises(UnitError, match="a rate is from 1bps to 1000Gbps"):
        parse_rate(bad)


@pytest.mark.parametrize("bad", ["1MBps", "100GBps", "8kBps"])
def test_bytes_per_second_are_refused_with_the_bits(bad):
    """MBps (capital B: bytes) is not read as Mbps: refused, saying to write bits."""
    with pytest.raises(UnitError, match="bytes per second; give the rate in bits, like 8Mbps for 1MBps"):
        parse_rate(bad)


def test_format_duration_is_short():
    """Formatting picks the largest unit that keeps the number >= 1."""
    assert format_duration(1_500_000) == "1.5ms"
    assert format_duration(2 * 10**9) == "2s"
    assert format_duration(12) == "12ns"


@pytest.mark.parametrize(
    ("bad", "in_english", "in_chinese"),
    [
        ("5x", "unknown time unit 'x' in '5x'; use ns, us, ms, s, min or h", "'5x' 中的时间单位 'x' 未知；请用"),
        ("-1s", "a duration cannot be negative: '-1s'", "时长不能为负：'-1s'"),
        ("soon", "'soon' is not a number with a unit, like 2s or 200ms", "'soon' 不是带单位的数"),
        (
            "1e30s",
            "'1e30s' is too long: a duration is at most 1,000,000,000s (31 years)",
            "最多 1,000,000,000s（31 年）",
        ),
    ],
)
def test_a_unit_error_is_english_and_shown_in_the_users_language(bad, in_english, in_chinese):
    """UnitError's str stays English; message_of makes it an L_ text that reads Chinese under zh."""
    from lanlab.i18n import localize, message_of, set_language

    with pytest.raises(UnitError) as caught:
        parse_duration(bad)
    assert str(caught.value) == in_english
    set_language("zh")
    assert str(caught.value) == in_english
    assert in_chinese in localize(message_of(caught.value))


def test_a_rate_that_is_no_number_gives_a_rates_examples():
    """'fast' as a rate is refused with rate examples (100Mbps), not a duration's (2s), in both languages."""
    from lanlab.i18n import localize, message_of, set_language

    with pytest.raises(UnitError) as caught:
        parse_rate("fast")
    assert str(caught.value) == "'fast' is not a number with a unit, like 100Mbps or 64kbps"
    set_language("zh")
    shown = localize(message_of(caught.value))
    assert "100Mbps" in shown and "200ms" not in shown and "不是带单位的数" in shown


def test_a_unit_error_survives_pickling():
    """A UnitError pickled back from a sweep's worker keeps its English text and its template."""
    import pickle

    from lanlab.i18n import localize, message_of, set_language

    with pytest.raises(UnitError) as caught:
        parse_rate("10 furlongs")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == "unknown rate unit in '10 furlongs'; use bps, kbps, Mbps or Gbps"
    set_language("zh")
    assert localize(message_of(copy)) == "'10 furlongs' 中的速率单位未知；请用 bps、kbps、Mbps 或 Gbps"


def test_a_nan_duration_is_no_duration_and_inf_is_too_long():
    """net.run(float('nan')) said nan was too long; it is no duration at all (inf stays too long)."""
    with pytest.raises(UnitError, match=r"^nan is not a duration$"):
        parse_duration(float("nan"))
    with pytest.raises(UnitError, match=r"^inf is too long"):
        parse_duration(float("inf"))
