"""`--metric NAME=EXPR`: a number (or word) read from a run's JSON document, the one `lanlab sim run
--json` prints. No eval: a small language of paths, functions and arithmetic, parsed here.

    commands.0.result.received            a path: mapping keys, list indexes, * for every entry
    links.*.frames                        with * a list of values
    programs.*.output.*                   two *: still one list (each program's lines, together)
    commands[command=ping pc3 -c 3].result.rtt_avg_ms     [field=value] keeps matching entries
    sum(links.*.drops) / sum(links.*.frames)              sum max min mean median count first last
    routing_convergence - 83                              a built-in name is a metric too

Spaces around an operator keep it apart from a path (`links.*.frames * 2`).

Built-ins (BUILTINS) read what every course question asks: convergence times from the run's route
and stp events (so a sweep that uses them runs with --trace jsonl --filter route,stp, and its
document carries `events` as `sim run --json --trace jsonl --filter route,stp` would), ping
counts and round trips, frames and drops, the storm.

Events: a sweep records the events of the kinds its metrics name, `events[kind=tx]` (its runs
are `sim run --trace jsonl --filter KINDS --json`), and nothing else, so any other read of the
event list (`events.*`, `events[device=r1]`, `count(events)`) is refused when the metric is
parsed rather than counted over a list that lacks most events. `events` alone is the run's
number of events, as `sim run --json` reports it without --trace.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lanlab.i18n import L_
from lanlab.sweep.vary import SweepError

FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "sum": sum,
    "max": max,
    "min": min,
    "mean": statistics.fmean,
    "median": statistics.median,
    "count": len,
    "first": lambda v: v[0],
    "last": lambda v: v[-1],
}
# Built-in metrics, each an expression of this language (so `--metric` can say the same).
BUILTINS: dict[str, str] = {
    "routing_convergence": "last(events[kind=route].t)",  # s: the last routing-table change
    "route_changes": "count(events[kind=route])",
    "stp_convergence": "last(events[kind=stp].t)",  # s: the last port-role/state change
    "ping_sent": "sum(commands.*.result.transmitted)",
    "ping_received": "sum(commands.*.result.received)",
    "rtt_min_ms": "min(commands.*.result.rtt_min_ms)",
    "rtt_avg_ms": "mean(commands.*.result.rtt_avg_ms)",
    "rtt_max_ms": "max(commands.*.result.rtt_max_ms)",
    "frames": "sum(links.*.frames)",
    "drops": "sum(links.*.drops)",
    "storm": "count(storm.t)",  # 1 when a broadcast storm was seen, else 0
    "storm_t": "storm.t",
    "program_exit": "max(programs.*.exit)",  # the worst exit status of the --app programs
    "output_lines": "count(programs.*.output.*)",  # lines the programs printed, all together
}
TRACED_KINDS = ("route", "stp")  # the event kinds the built-ins read
EVENTS = "events"  # the run's number of events, or (traced) its list of events
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+\.\d*|\.\d+|\d+)(?![\w.*\[])|(?P<op>[-+*/()])|(?P<path>[A-Za-z_*](?:\[[^\]]*\]|[^\s()+\-/\[])*))"
)


@dataclass(frozen=True)
class Metric:
    name: str
    text: str
    tree: Any

    @property
    def needs_events(self) -> bool:
        """Reads the event list (`events[kind=K]`), not the count `events` alone."""
        return bool(self.event_kinds)

    @property
    def event_kinds(self) -> tuple[str, ...]:
        """The event kinds it reads (`events[kind=tx]` -> tx), for the trace of its runs."""
        read = (segments[1][2].lower() for segments in _paths(self.tree) if _reads_event_list(segments))
        return tuple(dict.fromkeys(read))

    def __call__(self, document: dict[str, Any], events: int | None = None) -> Any:
        """Its value in `document`; `events`, the run's number of events, is what `events` alone
        reads when the document's `events` is the traced list."""
        return _evaluate(self.tree, document, events)


def parse_metric(text: str) -> Metric:
    """`NAME=EXPR` or a built-in's name -> Metric; SweepError naming the mistake."""
    name, sep, expression = text.partition("=")
    name = name.strip()
    if not sep:
        if name not in BUILTINS:
            raise SweepError(
                L_(
                    "--metric {text}: not a built-in ({builtins}); "
                    "write NAME=EXPR, like received=commands.0.result.received",
                    text=repr(text),
                    builtins=", ".join(BUILTINS),
                )
            )
        expression = BUILTINS[name]
    if not name.isidentifier():
        raise SweepError(
            L_("--metric {text}: the name before = is a column name (letters, digits, _)", text=repr(text))
        )
    metric = Metric(name, expression.strip(), parse_expression(expression, text))
    check_events(metric, text)
    return metric


def check_events(metric: Metric, shown: str) -> None:
    """SweepError unless every read of the event list is `events[kind=K]` with K a kind of event:
    a sweep records only the kinds its metrics name, so any other read would count a list that
    lacks most of the run's events; `count(events)`, a count of one number, is always 1."""
    from lanlab.sim.core.trace import TRACE_KINDS
    from lanlab.sim.network import Network  # noqa: F401  (its devices register their kinds)

    kinds = ", ".join(TRACE_KINDS)
    if _counts_the_count(metric.tree):
        raise SweepError(
            L_(
                "--metric {text}: events is the run's number of events (write events alone); "
                "count(events[kind=K]) counts the events of a kind K ({kinds})",
                text=repr(shown),
                kinds=kinds,
            )
        )
    for segments in _paths(metric.tree):
        if segments[0] != EVENTS or len(segments) == 1:
            continue
        if not _reads_event_list(segments):
            raise SweepError(
                L_(
                    "--metric {text}: a sweep records the events of the kinds its metrics name, no others; "
                    "read them as events[kind=K] (K one of {kinds})",
                    text=repr(shown),
                    kinds=kinds,
                )
            )
        if segments[1][2].lower() not in TRACE_KINDS:
            raise SweepError(
                L_(
                    "--metric {text}: {kind} is not a kind of event (kinds: {kinds})",
                    text=repr(shown),
                    kind=repr(segments[1][2]),
                    kinds=kinds,
                )
            )


def _paths(tree: Any) -> list[tuple[Any, ...]]:
    """The segments of every path of an expression's tree."""
    if tree[0] == "num":
        return []
    if tree[0] == "path":
        return [tree[1]]
    if tree[0] == "call":
        return _paths(tree[2])
    return _paths(tree[1]) + _paths(tree[2])


def _reads_event_list(segments: tuple[Any, ...]) -> bool:
    """`events[kind=K]...`: the events of one kind."""
    return (
        len(segments) > 1
        and segments[0] == EVENTS
        and isinstance(segments[1], tuple)
        and segments[1][1].lower() == "kind"
    )


def _counts_the_count(tree: Any) -> bool:
    """count(events): the count of one number."""
    if tree[0] == "call":
        return (tree[1] == "count" and tree[2] == ("path", (EVENTS,))) or _counts_the_count(tree[2])
    if tree[0] in ("num", "path"):
        return False
    return _counts_the_count(tree[1]) or _counts_the_count(tree[2])


# Words (numbers, paths, operators, parentheses) in one metric; a course's longest has about 15. The
# parser and the walks of its tree recurse once a ( or an operator, so a bound on the words bounds
# their depth far below the interpreter's limit. Catching a RecursionError instead was not enough:
# near the limit the collector's finalizers fail too, and their tracebacks litter the output.
MAX_TOKENS = 200


def parse_expression(expression: str, shown: str | None = None) -> Any:
    tokens = _tokens(expression, shown or expression)
    if len(tokens) > MAX_TOKENS:
        raise SweepError(
            L_(
                "--metric {text}: {count} words; a metric has at most {most}",
                text=repr(shown or expression),
                count=len(tokens),
                most=MAX_TOKENS,
            )
        )
    tree, at = _sum(tokens, 0, shown or expression)
    if at != len(tokens):
        raise SweepError(
            L_("--metric {text}: unexpected {token}", text=repr(shown or expression), token=repr(tokens[at][1]))
        )
    return tree


def _tokens(text: str, shown: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    text = text.rstrip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise SweepError(L_("--metric {text}: cannot read {rest}", text=repr(shown), rest=repr(text[at:].strip())))
        group = match.lastgroup  # num, op or path
        assert group is not None
        tokens.append((group, match.group(group)))
        at = match.end()
    return tokens


def _sum(tokens: list[tuple[str, str]], at: int, shown: str) -> tuple[Any, int]:
    left, at = _product(tokens, at, shown)
    while at < len(tokens) and tokens[at][1] in "+-":
        op = tokens[at][1]
        right, at = _product(tokens, at + 1, shown)
        left = (op, left, right)
    return left, at


def _product(tokens: list[tuple[str, str]], at: int, shown: str) -> tuple[Any, int]:
    left, at = _term(tokens, at, shown)
    while at < len(tokens) and tokens[at][1] in "*/":
        op = tokens[at][1]
        right, at = _term(tokens, at + 1, shown)
        left = (op, left, right)
    return left, at


def _term(tokens: list[tuple[str, str]], at: int, shown: str) -> tuple[Any, int]:
    if at >= len(tokens):
        raise SweepError(L_("--metric {text}: ends where a value was expected", text=repr(shown)))
    group, text = tokens[at]
    if group == "num":
        return ("num", float(text)), at + 1
    if text == "(":
        inner, at = _sum(tokens, at + 1, shown)
        if at >= len(tokens) or tokens[at][1] != ")":
            raise SweepError(L_("--metric {text}: a ( is not closed", text=repr(shown)))
        return inner, at + 1
    if text == "-":
        inner, at = _term(tokens, at + 1, shown)
        return ("-", ("num", 0.0), inner), at
    if group == "path":
        if at + 1 < len(tokens) and tokens[at + 1][1] == "(":
            if text not in FUNCTIONS:
                raise SweepError(
                    L_(
                        "--metric {text}: no function {name}() (there are {functions})",
                        text=repr(shown),
                        name=text,
                        functions=", ".join(FUNCTIONS),
                    )
                )
            inner, after = _sum(tokens, at + 2, shown)
            if after >= len(tokens) or tokens[after][1] != ")":
                raise SweepError(L_("--metric {text}: {name}( is not closed", text=repr(shown), name=text))
            return ("call", text, inner), after + 1
        if text in BUILTINS:
            return parse_expression(BUILTINS[text]), at + 1
        return ("path", _segments(text, shown)), at + 1
    raise SweepError(L_("--metric {text}: unexpected {token}", text=repr(shown), token=repr(text)))


def _segments(path: str, shown: str) -> tuple[Any, ...]:
    """`commands[command=ping].result.x` -> ('commands', ('=', 'command', 'ping'), 'result', 'x')."""
    segments: list[Any] = []
    for part in re.findall(r"\[[^\]]*\]|[^.\[]+", path):
        if part.startswith("["):
            field, sep, value = part[1:-1].partition("=")
            if not sep:
                raise SweepError(
                    L_("--metric {text}: a filter is [field=value], got {part}", text=repr(shown), part=part)
                )
            segments.append(("=", field.strip(), value.strip()))
        else:
            segments.append(part)
    return tuple(segments)


def _evaluate(tree: Any, document: Any, events: int | None = None) -> Any:
    node = tree[0]  # num, path, call or an operator
    if node == "num":
        return tree[1]
    if node == "path":
        if tree[1] == (EVENTS,) and events is not None:
            return events  # the number, where the document's `events` is the traced list
        return _walk(document, tree[1])
    if node == "call":
        values = _evaluate(tree[2], document, events)
        values = [v for v in (values if isinstance(values, list) else [values]) if v is not None]
        if not values and tree[1] != "count":
            return None  # nothing to measure (no ping in this run): an empty cell, not an error
        return FUNCTIONS[tree[1]](values)
    left, right = _evaluate(tree[1], document, events), _evaluate(tree[2], document, events)
    if left is None or right is None:
        return None
    if isinstance(left, list) or isinstance(right, list):  # a path with * or [filter]: many values, not one
        raise SweepError(
            L_(
                "{op} takes one value on each side; a list (a path with * or [...]) needs sum(), max(), last()...",
                op=node,
            )
        )
    if node == "/":
        return left / right if right else None
    return {"+": left + right, "-": left - right, "*": left * right}[node]


def _walk(here: Any, segments: tuple[Any, ...]) -> Any:
    """Follow a path; after a * or a [filter] the value is a list, each entry walked on."""
    for at, segment in enumerate(segments):
        if isinstance(segment, tuple):
            entries = here if isinstance(here, list) else []
            kept = [e for e in entries if isinstance(e, dict) and _same(e.get(segment[1]), segment[2])]
            return _each(kept, segments[at + 1 :]) if at + 1 < len(segments) else kept
        if segment == "*":
            entries = list(here.values()) if isinstance(here, dict) else here if isinstance(here, list) else []
            return _each(entries, segments[at + 1 :])
        if isinstance(here, list) and segment.isdigit():
            here = here[int(segment)] if int(segment) < len(here) else None
        elif isinstance(here, dict):
            here = here.get(segment)
        else:
            return None
        if here is None:
            return None
    return here


def _each(entries: list[Any], rest: tuple[Any, ...]) -> list[Any]:
    """`rest` walked from each entry; when `rest` has its own * or [filter] (a list per entry),
    one list of all their values."""
    found = [v for v in (_walk(e, rest) for e in entries) if v is not None]
    if "*" in rest or any(isinstance(segment, tuple) for segment in rest):
        return [v for values in found for v in values]
    return found


def _same(value: Any, wanted: str) -> bool:
    return str(value).lower() == wanted.lower() if not isinstance(value, str) else value.lower() == wanted.lower()
