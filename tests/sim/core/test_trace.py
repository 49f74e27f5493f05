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


def test_a_table_row_pads_chinese_names_by_their_width_on_screen():
    """Device and port columns are padded to terminal columns, not characters: a node named 电脑1 (5
    columns wide in 3 characters) puts the event kind where pc2's row has it."""
    from lanlab.i18n import cell_width

    rows = [TraceEvent(0, name, port, "route", None, "x").as_row() for name, port in (("电脑1", "网口"), ("pc2", "p1"))]
    starts = [cell_width(row[: row.index("route")]) for row in rows]
    assert starts[0] == starts[1]
