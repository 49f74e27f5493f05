"""`--vary PATH=V1,V2,...` and `--seeds 1-1000`: the runs of a sweep, applied to the topology's YAML tree
(before it is read, so a varied run is the file with those values, at the file's lines)."""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.representer import SafeRepresenter

from lanlab.i18n import L_
from lanlab.topology.reader import names_an_alias, nests_too_deep


# A sweep's runs (its seeds times the combinations of its --vary values): a million runs of a small
# topology take about three hours on one core, and each is a task held in memory before the first starts.
MAX_RUNS = 1_000_000
STR, MAP, NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:null"


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
    return Vary(path.strip(), tuple(_value(text, v.strip()) for v in split_values(values)))


def split_values(text: str) -> list[str]:
    """V1,V2,... split at the commas between values, not those inside a YAML list, mapping or
    quotes: `{mode: rstp, priority: 4096},{}` is two values."""
    values, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            values.append(text[start:i])
            start = i + 1
    values.append(text[start:])
    return values


def shown_value(value: Any) -> str:
    """A --vary value as the table, a message or a plot shows it: a list or mapping as its JSON text
    (which YAML reads back as the same value), anything else as str()."""
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (list, dict)) else str(value)


def value_key(value: Any) -> Hashable:
    """A --vary value as a key of a dict of groups: a list or mapping (unhashable) by its JSON text."""
    if isinstance(value, (list, dict)):
        return (type(value).__name__, json.dumps(value, sort_keys=True, default=str))
    return value


def _value(text: str, value: str) -> Any:
    """One value of a --vary read as YAML (a SweepError saying which, when it is not a YAML value)."""
    if not value:
        return ""
    refused = SweepError(
        L_(
            "--vary {text}: {value} is not a value (a number, a word, true/false; quote it as '...' for text)",
            text=repr(text),
            value=repr(value),
        )
    )
    if nests_too_deep(value) or names_an_alias(value):  # recursively built, or a value holding itself (&a [*a])
        raise refused
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        raise refused from None


# One part of --seeds: a seed (any integer, as `sim run --seed` takes) or a range FIRST-LAST or FIRST..LAST,
# either end negative: -5, -3-2, -3..2, 3..-1.
_SEEDS_PART = re.compile(r"\s*([-+]?\d+)\s*(?:(?:\.\.|-)\s*([-+]?\d+)\s*)?")


def parse_seeds(text: str) -> list[int]:
    """`1-1000`, `7`, `1,5,9-12`, `-3..2` -> the seeds in that order, each once (at most MAX_RUNS of them)."""
    ranges = seed_ranges(text)
    seeds: list[int] = []
    seen: set[int] = set()
    for first, last in ranges:
        for seed in range(first, last + 1):
            if seed not in seen:
                seen.add(seed)
                seeds.append(seed)
    return seeds


def seeds_given(text: str) -> int:
    """How many seeds --seeds names, a seed named twice counted twice (1,1,1 is 3; it runs once)."""
    return sum(last - first + 1 for first, last in seed_ranges(text))


def seed_ranges(text: str) -> list[tuple[int, int]]:
    """--seeds as (first, last) ranges, checked: numbers, none backwards, at most MAX_RUNS seeds."""
    ranges: list[tuple[int, int]] = []
    for part in text.split(","):
        match = _SEEDS_PART.fullmatch(part)
        if match is None:
            raise SweepError(
                L_("--seeds {text}: give numbers and ranges, like 1-1000 or 1,5,9-12", text=repr(text))
            ) from None
        first = int(match[1])
        last = first if match[2] is None else int(match[2])
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
    return ranges


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


def apply(root: Node, path: str, value: Any) -> int:
    """Set `path` to `value` in the topology's YAML tree (yaml.compose's); returns how many places it set.

    The tree, not the data: every value keeps the line it has in the file, so a mistake a varied value
    makes is reported where the file has it (a value that is new takes the line of the mapping it joins).
    A name is a mapping's key (made when missing), a number a list's index, `*` every entry. Under
    `*` an entry lacking an inner mapping is left alone (nodes.*.rip.split_horizon sets it on the
    routers, not on the hosts); a link written as [a, b] becomes {endpoints: [a, b]} to take a field."""
    parts = path.split(".")
    if len(parts) > 2 and parts[0] == "nodes" and parts[1] != "*" and isinstance(root, MappingNode):
        # a field of a node the file does not have: a typo, not a node to make (it would lack a kind)
        nodes = next((v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "nodes"), None)
        names = [k.value for k, _ in nodes.value] if isinstance(nodes, MappingNode) else []
        if parts[1] not in names:
            raise SweepError(
                L_(
                    "--vary {path}: the topology has no node {node} (its nodes: {nodes})",
                    path=path,
                    node=repr(parts[1]),
                    nodes=", ".join(names[:8]) + (", …" if len(names) > 8 else ""),
                )
            )
    return _apply(root, parts, value, wild=False)


def _apply(here: Node, parts: list[str], value: Any, wild: bool) -> int:
    key, rest = parts[0], parts[1:]
    if key == "*":
        if isinstance(here, (MappingNode, SequenceNode)):
            return sum(_step(here, i, rest, value, wild=True) for i in range(len(here.value)))
        return 0
    if isinstance(here, SequenceNode):
        if not key.isdigit() or int(key) >= len(here.value):
            raise SweepError(
                L_(
                    "--vary: {key} is not an index of a list of {count} (0 to {last}, or *)",
                    key=repr(key),
                    count=len(here.value),
                    last=len(here.value) - 1,
                )
            )
        return _step(here, int(key), rest, value, wild)
    if isinstance(here, MappingNode):
        at = next((i for i, (k, _) in enumerate(here.value) if isinstance(k, ScalarNode) and k.value == key), None)
        if at is None:
            if wild and rest:
                return 0
            here.value.append((_placed(ScalarNode(STR, key), here), _placed(MappingNode(MAP, []), here)))
            at = len(here.value) - 1
        return _step(here, at, rest, value, wild)
    raise SweepError(L_("--vary: cannot go into {value} with {key}", value=_shown(here), key=repr(key)))


def _step(container: MappingNode | SequenceNode, index: int, rest: list[str], value: Any, wild: bool) -> int:
    """Set, or go into, the container's entry at `index` (a mapping's pair, a list's item)."""
    pairs = isinstance(container, MappingNode)
    inner: Node = container.value[index][1] if pairs else container.value[index]
    if not rest:
        # the value as the file would hold it had it been written there (a representer of its own: one
        # remembers the lists it made by id(), which a later value may reuse)
        inner = _placed(SafeRepresenter().represent_data(value), inner)
    elif (
        isinstance(inner, SequenceNode)
        and len(inner.value) == 2
        and all(isinstance(e, ScalarNode) and e.tag == STR for e in inner.value)
        and not rest[0].isdigit()
    ):
        inner = _placed(MappingNode(MAP, [(_placed(ScalarNode(STR, "endpoints"), inner), inner)]), inner)
    elif _empty(inner):
        if wild:
            return 0
        inner = _placed(MappingNode(MAP, []), inner)
    if pairs:
        container.value[index] = (container.value[index][0], inner)
    else:
        container.value[index] = inner
    return 1 if not rest else _apply(inner, rest, value, wild)


def _empty(node: Node) -> bool:
    """A key written with no value (`stp:`), which a path may fill like a missing one."""
    return isinstance(node, ScalarNode) and node.tag == NULL


def _placed(node: Node, where: Node) -> Node:
    """`node` (and what it holds) at `where`'s place in the file, so messages about it name that line."""
    node.start_mark, node.end_mark = where.start_mark, where.end_mark
    for item in node.value if isinstance(node.value, list) else ():
        for part in item if isinstance(item, tuple) else (item,):
            if part.start_mark is None:
                _placed(part, where)
    return node


def _shown(node: Node) -> str:
    """A value as a --vary message shows it: its text, or what kind of value it is."""
    return (
        repr(node.value)
        if isinstance(node, ScalarNode)
        else L_("a list")
        if isinstance(node, SequenceNode)
        else L_("a mapping")
    )
