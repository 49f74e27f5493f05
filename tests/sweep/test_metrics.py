"""--metric: paths, functions, arithmetic and built-ins over a run's JSON document, no eval."""

import pytest

from lanlab.sweep.metrics import BUILTINS, parse_metric
from lanlab.sweep.vary import SweepError

DOCUMENT = {
    "events": [{"kind": "route", "t": 1.5}, {"kind": "stp", "t": 2.0}, {"kind": "route", "t": 4.25}],
    "links": [{"a": "pc1:eth0", "frames": 30, "drops": 3}, {"a": "r1:eth1", "frames": 10, "drops": 0}],
    "commands": [
        {"command": "ping pc3 -c 3", "result": {"transmitted": 3, "received": 2, "rtt_avg_ms": 4.0}},
        {"command": "link r1:eth1 r2:eth0 down", "result": {"state": "down"}},
    ],
    "programs": [
        {"node": "pc1", "exit": 0, "output": [{"t": 0.5, "text": "a"}, {"t": 0.6, "text": "b"}]},
        {"node": "pc2", "exit": 3, "output": [{"t": 0.7, "text": "c"}]},
        {"node": "pc3", "exit": None, "output": []},
    ],
}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("x=links.0.frames", 30),
        ("x=links.*.frames", [30, 10]),
        ("x=sum(links.*.drops) / sum(links.*.frames)", 3 / 40),
        ("x=commands[command=ping pc3 -c 3].result.received", [2]),
        ("x=first(links[a=r1:eth1].frames)", 10),
        ("x=(links.0.frames - links.1.frames) * 2", 40.0),
        ("x=-links.1.frames + 1", -9.0),
        ("x=count(events[kind=route])", 2),
        ("routing_convergence", 4.25),
        ("route_changes", 2),
        ("stp_convergence", 2.0),
        ("ping_sent", 3),
        ("ping_received", 2),
        ("frames", 40),
        ("drops", 3),
        ("storm", 0),
        ("x=routing_convergence - 1", 3.25),
        ("program_exit", 3),
        ("output_lines", 3),
        ("x=programs.*.output.*.text", ["a", "b", "c"]),
        ("x=programs[node=pc1].output.*.t", [0.5, 0.6]),
    ],
)
def test_an_expression_reads_the_document(text, value):
    """Each form of the language gives the value a reader of the document would compute."""
    assert parse_metric(text)(DOCUMENT) == value


def test_a_missing_value_is_none_not_an_error():
    """A path the run lacks (no storm, no rtt) is an empty cell."""
    assert parse_metric("storm_t")(DOCUMENT) is None
    assert parse_metric("x=links.9.frames")(DOCUMENT) is None
    assert parse_metric("x=max(commands.*.result.rtt_max_ms)")(DOCUMENT) is None


def test_division_by_zero_is_none():
    """drops / frames of a run with no frames is empty, not a crash."""
    assert parse_metric("x=links.1.drops / links.1.drops")(DOCUMENT) is None


@pytest.mark.parametrize(
    "text",
    ["nosuch", "x=__import__(os)", "x=sum(links.*.frames", "x=links.0.frames )", "x=1 +", "bad name=links", "x=[a].b"],
)
def test_anything_else_is_a_sweep_error(text):
    """An unknown built-in, a call of anything but the listed functions, unbalanced brackets."""
    with pytest.raises(SweepError):
        parse_metric(text)


def test_only_event_lists_turn_the_trace_on():
    """The built-ins over events need the trace; the event count `events` does not."""
    assert parse_metric("routing_convergence").needs_events
    assert not parse_metric("events=events").needs_events
    assert not parse_metric("frames").needs_events


def test_every_builtin_parses():
    """Each built-in is an expression of the language itself."""
    for name in BUILTINS:
        assert parse_metric(name).name == name
