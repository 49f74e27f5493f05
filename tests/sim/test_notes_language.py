"""The event list's notes (why a frame was dropped, a port's new role, a route's change, a storm, a
window's phase...) are L_ texts: English in the list itself, shown in Chinese by localize()."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lanlab.i18n import localize, set_language
from lanlab.sim import load_topology

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
pytestmark = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")

RARP_LAN = """
nodes:
  pc3: {kind: host, ip: 198.18.2.3/24, rarp_server: {"02:00:00:00:02:04": 198.18.2.4}}
  pc4: {kind: host, ip: rarp/24, mac: "02:00:00:00:02:04"}
  pc5: {kind: host, ip: rarp/24, mac: "02:00:00:00:02:05"}
  sw: {kind: switch}
links:
  - [pc3:eth0, sw:p1]
  - [pc4:eth0, sw:p2]
  - [pc5:eth0, sw:p3]
"""
# (topology, seconds to run, --do commands, max events): between them every kind of note
RUNS = {
    "stp": ("examples/stp.yaml", 120, [], 0),
    "rstp": ("examples/rstp.yaml", 80, [], 0),
    "rip": ("examples/rip-ring.yaml", 120, [], 0),
    "count-to-infinity": ("examples/count-to-infinity.yaml", 200, [], 0),
    "storm": ("examples/storm.yaml", 1, [], 3000),
    "hub loop": ("examples/hub_loop.yaml", 1, [], 3000),
    "tcp": ("examples/broadcast.yaml", 2, ["pc1 tcp serve --port 7788", "pc2 tcp connect pc1 7788 --send hi"], 0),
    "rarp": (RARP_LAN, 20, [], 0),
}
ENGLISH = re.compile(r"\b[a-z]{3,}\b")  # a word (not eth0, not a MAC's hex)


def notes_of(run: tuple[str, int, list[str], int], tmp_path: Path) -> list[str]:
    topology, seconds, commands, max_events = run
    path = ROOT / topology
    if topology.startswith("\n"):
        path = tmp_path / "topology.yaml"
        path.write_text(topology)
    network = load_topology(path)
    network.engine.max_events = max_events
    network.start_trace()
    for command in commands:
        network.do(command)
    network.run(seconds)
    from lanlab.sim.devices.storm import record_rates

    record_rates(network)
    return [event.note for event in network.trace if event.note]


@pytest.mark.parametrize("name", sorted(RUNS))
def test_every_note_shows_in_chinese(name, tmp_path):
    """Each note with English words in it reads differently under zh, and is unchanged English under en."""
    notes = notes_of(RUNS[name], tmp_path)
    assert notes
    set_language("zh")
    try:
        left = sorted({note for note in notes if ENGLISH.search(note) and localize(note) == note})
        shown = [localize(note) for note in notes]
    finally:
        set_language("en")
    assert left == []
    assert all(localize(note) == note for note in notes)
    assert any(re.search("[\u4e00-\u9fff]", line) for line in shown)
