"""The event list's JSON lines: exactly json.dumps of each event's dict, however its text is made."""

import json

from lanlab.sim import Network
from lanlab.sim.core.trace import TraceEvent, jsonl_line


def test_jsonl_line_is_json_dumps_of_the_event():
    """Every event of a ping, and frameless events with quotes, control and non-ASCII text, match json.dumps."""
    net = Network("t", trace=True)
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    net.link("a:eth0", "b:eth0")
    net.ping("a", "b", count=2)
    odd = [
        TraceEvent(5, 'r"1\\', None, "route", None, "naïve \x01\u2028 \U0001f600"),
        TraceEvent(1_234_567_891, "sw1", "p1", "stp", None, ""),
    ]
    events = [*net.trace, *odd]
    assert len(events) > 10
    for event in events:
        assert jsonl_line(event) == json.dumps(event.as_dict(), ensure_ascii=False)
