"""LiveSession's frames: brief in the document a page is sent (layer names and the address
fields the page reads before opening a frame), whole when asked for one, as `sim view` writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import load_topology, schedule
from lanlab.units import SECOND
from lanlab.view.document import build_document
from lanlab.view.live import LiveSession

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def session_run(example: str, commands: list[str], until_ns: int) -> LiveSession:
    """A live session on an example, its commands given, stepped (no wall clock) to `until_ns`."""
    network = load_topology(str(EXAMPLES / example))
    session = LiveSession(network, schedule=schedule, source=[example])
    for text in commands:
        session.do(text)
    engine = network.engine
    while engine.next_time() is not None and engine.next_time() <= until_ns:
        session.step()
    return session


RUNS = {
    "hub_vs_switch": ("hub_vs_switch.yaml", ["pc1 ping pc3 -c 2 -i 0.2", "pc2 ping pc4 -c 1"], SECOND),
    # RIP updates (RIP parsed from UDP's payload) and traceroute's ICMP errors, which quote a datagram
    "routed": ("count-to-infinity.yaml", ["pc1 traceroute pc3"], 40_000_000_000),
    "dhcp": ("dhcp.yaml", [], 5_000_000_000),
}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_brief_frames_name_the_layers_of_the_whole_ones_and_asking_gives_sim_views(run: str):
    """Every brief frame names the same layers as its whole entry, with the same texts for the
    address fields it keeps; the whole entry is the one a finished run's document holds."""
    example, commands, until = RUNS[run]
    session = session_run(example, commands, until)
    brief = session.document["frames"]
    offline = build_document(session.network, session.history)["frames"]
    assert len(brief) == len(offline) >= 10
    kept = 0
    for index, entry in enumerate(brief):
        whole = session.frame(index)
        assert whole == offline[index]
        assert entry["brief"] is True and "brief" not in whole
        assert entry["bytes"] == whole["bytes"] and entry["summary"] == whole["summary"]
        assert [layer["layer"] for layer in entry["layers"]] == [layer["layer"] for layer in whole["layers"]]
        for short, full in zip(entry["layers"], whole["layers"]):
            texts = {field[0]: field[1] for field in full["fields"]}
            for name, text, *_ in short["fields"]:
                assert texts[name] == text
                kept += 1
    assert kept >= 2 * len(brief)  # at least Ethernet's src and dst in every frame


def test_a_frame_no_event_carried_is_an_index_error():
    """Asking for a frame past the last, or before the first, raises IndexError saying the range."""
    session = session_run("hub_vs_switch.yaml", ["pc1 ping pc3 -c 1"], 500_000_000)
    count = len(session.document["frames"])
    assert session.frame(count - 1)["layers"][0]["start"] == 0
    for bad in (count, -1, 10**9):
        with pytest.raises(IndexError, match=f"frames 0 to {count - 1}"):
            session.frame(bad)


def test_the_offline_page_of_a_live_run_holds_every_frame_whole():
    """`whole_document` (served as run.html): no "live", every frame whole as sim view writes it."""
    session = session_run("hub_vs_switch.yaml", ["pc1 ping pc3 -c 1"], 500_000_000)
    document = session.whole_document()
    assert "live" not in document and "live" in session.document
    assert document["frames"] == build_document(session.network, session.history)["frames"]
    assert all(frame.get("brief") for frame in session.document["frames"])  # the session's own stay brief


def test_a_slice_of_a_run_fallen_behind_stops_at_its_budget_with_the_encoding_counted(monkeypatch):
    """advance() on a run 10 s behind: its budget counts the time spent putting each instant's
    events into the document, so the slice stops after about budget / (time per instant)
    instants, every event dispatched already in the document (the loop goes back to the pages)."""
    import lanlab.view.live as live

    clock = [0.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    session = session_run("hub_vs_switch.yaml", ["pc1 ping pc3 -c 1000 -i 0.01", "pc2 ping pc4 -c 1000 -i 0.01"], 0)
    encode = session.sync

    def slow_sync() -> None:  # each instant's encoding costs 1 ms of the (fake) clock
        encode()
        clock[0] += 0.001

    session.sync = slow_sync  # type: ignore[method-assign]
    session.start()
    clock[0] = 10.0  # the clock wants 10 virtual seconds: far behind
    instants_before = len({t for t in session.document["events"]["t"]})
    session.advance(budget=0.010)
    instants = len(set(session.document["events"]["t"])) - instants_before
    assert 5 <= instants <= 11
    assert session.encoded == len(session.history.events) > 0
    assert session.network.engine.now < 1_000_000_000


def test_a_snapshot_stays_as_the_run_was_when_it_was_taken():
    """The document `snapshot` copies keeps its events, frames and table changes while the run
    goes on, and its whole document holds exactly its frames, each whole."""
    session = session_run("hub_vs_switch.yaml", ["pc1 ping pc3 -c 3 -i 0.2"], 100_000_000)
    snapshot = session.snapshot()
    held = (len(snapshot["events"]["t"]), len(snapshot["frames"]), len(snapshot["tables"]["changes"]))
    engine = session.network.engine
    while engine.next_time() is not None and engine.next_time() <= SECOND:
        session.step()
    assert len(session.document["events"]["t"]) > held[0] and len(session.document["frames"]) > held[1]
    assert (len(snapshot["events"]["t"]), len(snapshot["frames"]), len(snapshot["tables"]["changes"])) == held
    whole = session.whole_document(snapshot)["frames"]
    assert len(whole) == held[1] and not any(frame.get("brief") for frame in whole)


def test_batches_carry_the_chinese_of_their_notes_as_a_finished_runs_document_does():
    """A live run's document and each batch give every note the Chinese build_document gives the same
    events (notes_shown), the English notes unchanged in events.note; a batch carries only its own."""
    session = session_run("hub_vs_switch.yaml", ["pc1 ping pc3 -c 1"], 10_000_000)
    cursor = session.cursor()
    engine = session.network.engine
    session.do("pc2 ping pc4 -c 1")
    while engine.next_time() is not None and engine.next_time() <= SECOND:
        session.step()
    batch = session.batch(cursor)
    notes = batch["events"]["note"]
    assert any(note.startswith("copies to ") for note in notes)
    assert set(batch["notes_shown"]["zh"]) <= set(notes)
    finished = build_document(session.network, session.history)["notes_shown"]["zh"]
    assert session.document["notes_shown"]["zh"] == finished
    assert {note: finished[note] for note in set(notes) if note in finished} == batch["notes_shown"]["zh"]
    assert any(text.startswith("复制到 ") for text in batch["notes_shown"]["zh"].values())


@pytest.mark.parametrize("pace", ["nan", "inf", 1e308, -1, 10**400])
def test_a_pace_that_is_no_factor_of_real_time_is_refused_and_the_clock_keeps_its_pace(pace):
    """{"op": "pace"} with NaN, infinity, 1e308, a negative number or 400 digits (an OverflowError) is an error
    reply and the pace stays
    (NaN was taken: the clock stopped for the session and every state message held NaN, which is no JSON)."""
    import json

    from lanlab.view.live_server import LiveServer

    session = session_run("hub_vs_switch.yaml", [], 0)
    server = LiveServer(session)  # act() needs no running server
    reply = server.act(json.dumps({"op": "pace", "pace": pace}))
    assert reply["ok"] is False and "a factor of real time" in reply["error"]
    assert session.pace == 1
    assert server.act("[" * 20_000)["ok"] is False  # nested past the stack: refused, no traceback


def test_a_message_nested_past_the_limit_is_refused_before_json_reads_it(monkeypatch):
    """[[[[... 20,000 deep (as text or bytes) is refused unread: json.loads recursed into a RecursionError,
    and near the limit the collector's finalizers failed too and printed tracebacks; brackets inside a
    string do not count, and 100 levels are still read."""
    import json

    from lanlab.view import live_server

    server = live_server.LiveServer(session_run("hub_vs_switch.yaml", [], 0))
    read: list[object] = []
    loads = json.loads
    monkeypatch.setattr(live_server.json, "loads", lambda message: read.append(message) or loads(message))
    for deep in ("[" * 20_000, b"{" * 20_000, '{"op": ' + "[" * 101 + "]" * 101 + "}"):
        assert server.act(deep)["ok"] is False
    assert read == []
    assert server.act(json.dumps({"op": "pause", "x": "[" * 20_000}))["ok"] is True
    assert server.act('{"op": "pause", "x": ' + "[" * 99 + "]" * 99 + "}")["ok"] is True
    assert len(read) == 2
