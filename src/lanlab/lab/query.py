"""The trace query language: YAML over the event list, no code (docs/labs.md).

    where: {kind: tx, device: sw1, proto: icmp, summary: "echo reply", after: 1s, before: 2s}
    measure: ports            # count | ports | devices | frames | first | last | order
    equals: [p1]              # or at_least / at_most / includes / excludes

A selection keeps the events whose every given field matches: kind, device, port and proto are
one word or a list of words (case-insensitive), summary is text the summary contains, after and
before bound the time (after <= t < before), and `frame: {a selection}` keeps only the events of
the frame that selection finds first (its copies through hubs and switches carry the same
number). `order` is true when the first event of `where` comes before the first of `then`.
Values are read when the lab is loaded, so a mistake is FILE:LINE before anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lanlab.i18n import L_
from lanlab.topology import Spec, yes_no
from lanlab.units import format_duration, parse_duration

SELECT_FIELDS = {"kind", "device", "port", "proto", "summary", "after", "before", "frame"}
MEASURES = ("count", "ports", "devices", "frames", "first", "last", "order")
COMPARISONS = ("equals", "at_least", "at_most", "includes", "excludes")
QUERY_FIELDS = {"where", "measure", "then", *COMPARISONS}


def words(spec: Spec, key: str) -> list[str] | None:
    """A field that is one word or a list of words, lower-cased."""
    node = spec.values.get(key)
    if node is None:
        return None
    items = node.value if isinstance(node, SequenceNode) else [node]
    if not all(isinstance(item, ScalarNode) for item in items):
        spec.error(node, L_("{key}: give a word or a list of words", key=key))
        return None
    return [str(item.value).lower() for item in items]


def plain(node: Node) -> Any:
    """A YAML value as strings, lists and dicts (numbers stay text until a check reads them)."""
    if isinstance(node, SequenceNode):
        return [plain(item) for item in node.value]
    if isinstance(node, MappingNode):
        return {str(key.value): plain(value) for key, value in node.value}
    return str(node.value) if node.value is not None else ""


@dataclass
class Selection:
    kinds: list[str] | None = None
    devices: list[str] | None = None
    ports: list[str] | None = None
    protos: list[str] | None = None
    summary: str | None = None
    after: int | None = None
    before: int | None = None
    frame: Selection | None = None

    def matches(self, event: Any) -> bool:
        return (
            (self.kinds is None or event.event_kind in self.kinds)
            and (self.devices is None or event.device.lower() in self.devices)
            and (self.ports is None or (event.port or "").lower() in self.ports)
            and (self.after is None or event.t >= self.after)
            and (self.before is None or event.t < self.before)
            and (self.protos is None or event.proto.lower() in self.protos)
            and (self.summary is None or self.summary in event.summary.lower())
        )

    def select(self, events: Sequence[Any]) -> list[Any]:
        if self.frame is not None:
            anchor = next(iter(self.frame.select(events)), None)
            if anchor is None or anchor.frame is None:
                return []
            ident = anchor.frame.ident
            events = [event for event in events if event.frame is not None and event.frame.ident == ident]
        return [event for event in events if self.matches(event)]


def read_selection(spec: Spec, until: int | None = None) -> Selection:
    """A selection; `until`: when the stage's run ends (an after: later selects nothing, ever)."""
    spec.only(SELECT_FIELDS)
    selection = Selection(words(spec, "kind"), words(spec, "device"), words(spec, "port"), words(spec, "proto"))
    from lanlab.sim import trace_words  # here: a lab file is read without the simulator until it is checked

    # a word the event list never shows would select nothing, and a check of "none" would always pass
    kinds, protocols = trace_words()
    for key, chosen, known in (("kind", selection.kinds, kinds), ("proto", selection.protos, protocols)):
        for word in chosen or ():
            if word not in known:
                spec.error(
                    spec.values[key],
                    L_(
                        "{key}: no event has {word} (there are {known})",
                        key=key,
                        word=repr(word),
                        known=", ".join(known),
                    ),
                )
    summary, _ = spec.scalar("summary")
    selection.summary = summary.lower() if summary is not None else None
    selection.after = spec.duration("after")
    if until is not None and selection.after is not None and selection.after > until:
        # "no route change after 30 s" in a run of 20 s would pass whatever the student did
        spec.error(
            spec.values["after"],
            L_(
                "after: {after} is after the stage's run ends (until: {until}), so nothing is selected whatever "
                "the run does; give a time up to {until}, or make the stage's until: later",
                after=format_duration(selection.after),
                until=format_duration(until),
            ),
        )
    selection.before = spec.duration("before")
    frame = spec.values.get("frame")
    if frame is not None:
        if isinstance(frame, MappingNode):
            selection.frame = read_selection(Spec(spec.ctx, L_("{owner} frame", owner=spec.owner), frame), until)
        else:
            spec.error(frame, L_("frame: is a selection, like {{kind: tx, device: pc1, proto: arp}}"))
    return selection


@dataclass
class Query:
    """A selection, what to measure of it and (for a trace check) what it must be."""

    where: Selection
    measure: str
    then: Selection | None = None
    comparison: str | None = None
    expected: Any = None

    def value(self, events: Sequence[Any]) -> Any:
        """The measure: a number, a sorted list of names, seconds (None: no event) or a truth."""
        chosen = self.where.select(events)
        if self.measure == "count":
            return len(chosen)
        if self.measure == "ports":
            return sorted({event.port for event in chosen if event.port})
        if self.measure == "devices":
            return sorted({event.device for event in chosen})
        if self.measure == "frames":
            return len({event.frame.ident for event in chosen if event.frame is not None})
        if self.measure in ("first", "last"):
            if not chosen:
                return None
            return (chosen[0] if self.measure == "first" else chosen[-1]).t / 1e9
        assert self.then is not None  # order: read_query requires then
        later = self.then.select(events)
        return bool(chosen) and bool(later) and chosen[0].t <= later[0].t and chosen[0] is not later[0]

    def passes(self, found: Any) -> bool:
        """Does the measured value meet the comparison (order: is it true)?"""
        if self.comparison is None:
            return bool(found)
        return compare(self.comparison, found, self.expected)


# A yes or no in the note's language, as a student answers a question in Chinese (是, 对 / 否, 不是, 不对, 错)
CHINESE_TRUTHS: Final = {
    "是": True,
    "是的": True,
    "对": True,
    "对的": True,
    "否": False,
    "不是": False,
    "不对": False,
    "错": False,
}


def truth(text: str) -> bool:
    """A yes or no as a student or a teacher writes it: YAML's yes/true/on or no/false/off, or in Chinese;
    other text is a ValueError (never taken for a "no")."""
    word = text.strip()
    return CHINESE_TRUTHS[word] if word in CHINESE_TRUTHS else yes_no(word)


def compare(comparison: str, found: Any, expected: Any) -> bool:
    if isinstance(found, list):
        names = {name.lower() for name in found}
        wanted = {str(item).lower() for item in (expected if isinstance(expected, list) else [expected])}
        if comparison == "includes":
            return wanted <= names
        if comparison == "excludes":
            return not wanted & names
        if comparison == "equals" and isinstance(expected, list):
            return names == wanted
        found = len(found)  # equals 2 / at_least 1: how many
    if found is None:
        return False
    if isinstance(found, bool):  # yes/true/on or no/false/off; other text is a ValueError, never a "no"
        return found == truth(str(expected))
    number = float(expected) if isinstance(found, int) else parse_duration(str(expected)) / 1e9
    if comparison == "equals":
        return float(found) == number
    if comparison == "at_least":
        return float(found) >= number
    if comparison == "at_most":
        return float(found) <= number
    return False


def read_query(
    spec: Spec, *, compared: bool = True, also: tuple[str, ...] = (), until: int | None = None
) -> Query | None:
    """A query mapping; `compared` (trace checks) asks for exactly one comparison, a question none;
    `also`: the other fields the mapping may hold (a question's ask:); `until`: when the stage's run ends."""
    spec.only((QUERY_FIELDS if compared else {"where", "measure", "then"}) | set(also))
    where_node = spec.values.get("where")
    if not isinstance(where_node, MappingNode):
        spec.error(where_node, L_("where: is the selection of events, like {{kind: tx, device: sw1, proto: icmp}}"))
        return None
    query = Query(read_selection(Spec(spec.ctx, L_("{owner} where", owner=spec.owner), where_node), until), "count")
    measure, measure_node = spec.scalar("measure")
    if measure is not None:
        if measure not in MEASURES:
            spec.error(
                measure_node,
                L_("measure {measure}: choose from {measures}", measure=repr(measure), measures=", ".join(MEASURES)),
            )
        query.measure = measure
    then_node = spec.values.get("then")
    if query.measure == "order":
        if not isinstance(then_node, MappingNode):
            spec.error(then_node, L_("measure: order needs then: (the selection that must come second)"))
        else:
            query.then = read_selection(Spec(spec.ctx, L_("{owner} then", owner=spec.owner), then_node), until)
    elif then_node is not None:
        spec.error(then_node, L_("then: is for measure: order"))
    given = [name for name in COMPARISONS if name in spec.values]
    if compared and query.measure != "order" and len(given) != 1:
        spec.error(
            None,
            L_(
                "say what the {measure} must be with one of {comparisons}",
                measure=query.measure,
                comparisons=", ".join(COMPARISONS),
            ),
        )
    for name in given:
        query.comparison, query.expected = name, plain(spec.values[name])
        node = spec.values[name]
        names = name in ("includes", "excludes")
        if query.measure in ("first", "last", "count", "frames") and names:
            spec.error(
                node,
                L_(
                    "{name} compares names; a {measure} is a number (equals, at_least, at_most)",
                    name=name,
                    measure=query.measure,
                ),
            )
        elif query.measure == "order":  # a truth: in that order, or (false) not
            if name != "equals":
                spec.error(
                    node,
                    L_(
                        "{name}: an order is true or false; say equals: true (or false), or nothing for true",
                        name=name,
                    ),
                )
            else:
                spec.flag(name)
        elif query.measure in ("first", "last"):
            spec.duration(name)  # a time: 30s, 500ms
        elif query.measure in ("ports", "devices") and (names or isinstance(node, SequenceNode)):
            pass  # names: one or a list
        elif query.measure != "order":
            spec.parsed(name, int, "a whole number")  # a count, or how many ports/devices
    return query
