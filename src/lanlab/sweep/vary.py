"""`--vary PATH=V1,V2,...` and `--seeds 1-1000`: the runs of a sweep, applied to the topology's data
(plain YAML values, before anything is built, so a varied run is the file with those values)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from lanlab.i18n import L_


# A sweep's runs (its seeds times the combinations of its --vary values): a million runs of a small
# topology take about three hours on one core, and each is a task held in memory before the first starts.
MAX_RUNS = 1_000_000


class SweepError(ValueError):
    """A sweep's own mistake (a bad --vary, --seeds or --metric): one line saying what to do."""


@dataclass(frozen=True)
class Vary:
    """One --vary: a dotted path into the topology's data and the values it takes in turn."""

    path: str
    values: tuple[Any, ...]


def parse_vary(text: str) -> Vary:
    """`links.*.loss=0,0.01` -> Vary; each value read as YAML (0.01 a number, none a word)."""
    path, sep, values = text.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise SweepError(L_("--vary {text}: expected PATH=V1,V2,..., like links.*.loss=0,0.01,0.05", text=repr(text)))
    parts = path.strip().split(".")
    if parts[0] not in ("nodes", "links", "name", "events") or any(not p for p in parts):
        raise SweepError(
            L_(
                "--vary {text}: a path starts at nodes. or links. (nodes.r1.rip.split_horizon, links.*.loss)",
                text=repr(text),
            )
        )
    return Vary(path.strip(), tuple(yaml.safe_load(v.strip()) if v.strip() else "" for v in values.split(",")))


def parse_seeds(text: str) -> list[int]:
    """`1-1000`, `7`, `1,5,9-12` -> the seeds in that order, each once (at most MAX_RUNS of them)."""
    ranges: list[tuple[int, int]] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        try:
            first, last = int(low), int(high) if dash else int(low)
        except ValueError:
            raise SweepError(
                L_("--seeds {text}: give numbers and ranges, like 1-1000 or 1,5,9-12", text=repr(text))
            ) from None
        if last < first:
            raise SweepError(
                L_(
                    "--seeds {text}: the range {range} runs backwards; write {last}-{first}",
                    text=repr(text),
                    range=part.strip(),
                    last=last,
                    first=first,
                )
            )
        ranges.append((first, last))
    given = sum(last - first + 1 for first, last in ranges)
    if given > MAX_RUNS:  # refused before a list of them is made
        raise SweepError(too_many_runs(given, L_("--seeds {text}", text=repr(text))))
    seeds: list[int] = []
    seen: set[int] = set()
    for first, last in ranges:
        for seed in range(first, last + 1):
            if seed not in seen:
                seen.add(seed)
                seeds.append(seed)
    return seeds


def check_runs(seeds: int, varies: list[Vary]) -> None:
    """Refuse a sweep of more than MAX_RUNS runs (seeds times the --vary combinations)."""
    runs = seeds * math.prod(len(v.values) for v in varies)
    if runs > MAX_RUNS:
        raise SweepError(
            too_many_runs(
                runs,
                L_(
                    "{seeds:,} seeds times {combinations:,} combinations of --vary",
                    seeds=seeds,
                    combinations=runs // seeds,
                ),
            )
        )


def too_many_runs(runs: int, what: str) -> str:
    return L_(
        "{what}: {runs:,} runs, more than the {most:,} a sweep may have; split it into several sweeps",
        what=what,
        runs=runs,
        most=MAX_RUNS,
    )


def combinations(varies: list[Vary]) -> Iterator[dict[str, Any]]:
    """Every choice of one value per --vary (the product), as {path: value}."""
    for values in itertools.product(*(v.values for v in varies)):
        yield {v.path: value for v, value in zip(varies, values)}


def apply(data: Any, path: str, value: Any) -> int:
    """Set `path` to `value` in the topology data; returns how many places it set.

    A name is a mapping's key (made when missing), a number a list's index, `*` every entry. Under
    `*` an entry lacking an inner mapping is left alone (nodes.*.rip.split_horizon sets it on the
    routers, not on the hosts); a link written as [a, b] becomes {endpoints: [a, b]} to take a field."""
    return _apply(data, path.split("."), value, wild=False)


def _apply(here: Any, parts: list[str], value: Any, wild: bool) -> int:
    key, rest = parts[0], parts[1:]
    if key == "*":
        if isinstance(here, dict):
            return sum(_step(here, k, rest, value, wild=True) for k in list(here))
        if isinstance(here, list):
            return sum(_step(here, i, rest, value, wild=True) for i in range(len(here)))
        return 0
    if isinstance(here, list):
        if not key.isdigit() or int(key) >= len(here):
            raise SweepError(
                L_(
                    "--vary: {key} is not an index of a list of {count} (0 to {last}, or *)",
                    key=repr(key),
                    count=len(here),
                    last=len(here) - 1,
                )
            )
        return _step(here, int(key), rest, value, wild)
    if isinstance(here, dict):
        if key not in here and wild and rest:
            return 0
        return _step(here, key, rest, value, wild)
    raise SweepError(L_("--vary: cannot go into {value} with {key}", value=repr(here), key=repr(key)))


def _step(container: Any, key: Any, rest: list[str], value: Any, wild: bool) -> int:
    if not rest:
        container[key] = value
        return 1
    inner = container[key] if (isinstance(container, list) or key in container) else None
    if isinstance(inner, list) and len(inner) == 2 and all(isinstance(e, str) for e in inner) and not rest[0].isdigit():
        inner = container[key] = {"endpoints": inner}  # a link [a, b] taking a field (loss, delay)
    if inner is None:
        if wild:
            return 0
        inner = container[key] = {}
    return _apply(inner, rest, value, wild)
