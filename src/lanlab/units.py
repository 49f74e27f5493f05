"""Durations and rates as people write them ("1ms", "100Mbps"), as integers the code can trust.

Time is integer nanoseconds everywhere in lanlab (DESIGN.md: the simulator's clock), rates are
integer bits per second.
"""

from __future__ import annotations

import re
from typing import Final

from lanlab.i18n import L_  # a leaf too: it imports nothing of lanlab

# The one spelling of each for every layer (wire and proto included): times are integer ns.
MICROSECOND: Final = 1_000
MILLISECOND: Final = 1_000_000
SECOND: Final = 1_000_000_000
FOREVER: Final = 1 << 62  # a time that never comes (a static entry's expiry), far below int64's end
NS_PER: dict[str, int] = {
    "ns": 1,
    "us": MICROSECOND,
    "µs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": 60 * SECOND,
    "min": 60 * SECOND,
    "h": 3600 * SECOND,
}
BPS_PER: dict[str, int] = {"bps": 1, "kbps": 1_000, "mbps": 1_000_000, "gbps": 1_000_000_000}
MIN_RATE_BPS, MAX_RATE_BPS = 1, 10**12  # a frame's wire time stays a whole number of ns from 1bps to 1000Gbps

# The sign is matched so that "-1s" gets "cannot be negative" rather than "not a number".
_NUMBER_UNIT = re.compile(r"^\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Zµ]*)\s*$")
# Longer than any run or wait makes sense, and short enough that every timer API takes it
# (select() and asyncio overflow near 2**63 ns); "1e30s" is a typo, not a plan.
MAX_DURATION_NS = 10**18


class UnitError(ValueError):
    """A duration or rate that cannot be read; the message says what is accepted. Its text is an
    L_ text: English as a str, shown in the user's language by lanlab.i18n.localize."""


def _split(text: str, like: str) -> tuple[float, str]:
    """(number, unit) of "200ms"; `like` is the examples a refusal gives (a duration's or a rate's)."""
    match = _NUMBER_UNIT.match(text)
    if match is None:
        raise UnitError(L_("{text!r} is not a number with a unit, like {like}", text=text, like=like))
    return float(match.group(1)), match.group(2)


def parse_duration(value: str | int | float, default_unit: str = "s") -> int:
    """Return nanoseconds for "1.5s", "200ms", "10us", "5ns", or a bare number in `default_unit`."""
    if isinstance(value, bool):
        raise UnitError(L_("{value!r} is not a duration", value=value))
    if isinstance(value, (int, float)):
        number, unit = float(value), default_unit
        if number != number:  # nan: no length at all (it was "too long")
            raise UnitError(L_("{value!r} is not a duration", value=value))
    else:
        number, unit = _split(value, L_("2s or 200ms"))
        unit = unit or default_unit
    if unit not in NS_PER:
        raise UnitError(
            L_("unknown time unit {unit!r} in {value!r}; use ns, us, ms, s, min or h", unit=unit, value=value)
        )
    if number < 0:
        raise UnitError(L_("a duration cannot be negative: {value!r}", value=value))
    if not number * NS_PER[unit] <= MAX_DURATION_NS:  # also catches inf and nan
        raise UnitError(
            L_(
                "{value!r} is too long: a duration is at most {limit}s (31 years)",
                value=value,
                limit=f"{MAX_DURATION_NS // NS_PER['s']:,}",
            )
        )
    return round(number * NS_PER[unit])


def parse_rate(value: str | int | float) -> int:
    """Return bits per second for "100Mbps", "1Gbps", "64kbps", or a bare number of bps."""
    if isinstance(value, bool):
        raise UnitError(L_("{value!r} is not a rate", value=value))
    if isinstance(value, (int, float)):
        number, unit = float(value), "bps"
    else:
        number, written = _split(value, L_("100Mbps or 64kbps"))
        if "B" in written and "b" not in written:  # MBps: megabytes (tc reads mbps so too); lanlab counts bits
            raise UnitError(
                L_("{value!r} is in bytes per second; give the rate in bits, like 8Mbps for 1MBps", value=value)
            )
        unit = (written or "bps").lower()
    if unit not in BPS_PER:
        raise UnitError(L_("unknown rate unit in {value!r}; use bps, kbps, Mbps or Gbps", value=value))
    if not 0 < number < float("inf"):
        raise UnitError(L_("a rate must be a positive number: {value!r}", value=value))
    bps = number * BPS_PER[unit]
    if not MIN_RATE_BPS <= bps <= MAX_RATE_BPS:  # 0.1bps rounds to 0 (a link that never ends a frame); 1e300Gbps is inf
        raise UnitError(L_("{value!r}: a rate is from 1bps to 1000Gbps", value=value))
    return round(bps)


def format_duration(ns: int) -> str:
    """Shortest exact-ish human form of a nanosecond count: 1500000 -> '1.5ms'."""
    for unit in ("s", "ms", "us"):
        if abs(ns) >= NS_PER[unit]:
            return f"{ns / NS_PER[unit]:g}{unit}"
    return f"{ns}ns"
