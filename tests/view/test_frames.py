"""A simulator frame's brief entry made from its own header objects is the one its bytes decode to."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import load_topology, schedule
from lanlab.view.frames import frame_entry, object_brief_entry
from lanlab.wire import describe

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

RUNS = {
    # pings (ICMP echo, no padding), ARP (padded), traceroute's ICMP errors (a quoted datagram)
    "count-to-infinity.yaml": (["pc1 traceroute pc3", "pc1 ping pc3 -c 2 -s 300"], "35s"),  # RIP in UDP 520
    "hub_vs_switch.yaml": (
        [
            "pc3 tcp serve --port 7",
            "at 0.1s pc1 tcp connect pc3 7 --send hello",
            "pc2 udp send pc4 9 datagram",
            "pc1 ping pc4 -c 2",
        ],
        "2s",
    ),
    "dhcp.yaml": ([], "5s"),
    "dns.yaml": ([], "5s"),
    "stp.yaml": ([], "5s"),  # BPDUs in 802.3 frames with LLC
}


@pytest.mark.parametrize("example", sorted(RUNS))
def test_the_entry_from_header_objects_equals_the_decoded_bytes_brief_entry(example: str):
    """For every distinct frame of the run, the entry made from the objects is either refused
    (None) or equal to `frame_entry(bytes, brief=True)`, key for key."""
    commands, until = RUNS[example]
    network = load_topology(str(EXAMPLES / example))
    tracer = network.start_trace()
    for text in commands:
        schedule(network, text)
    network.run(until)
    seen: dict[bytes, object] = {}
    for event in tracer.events:
        if event.frame is not None:
            seen.setdefault(event.frame.to_bytes(), event.frame)
    made = 0
    for raw, frame in seen.items():
        entry = object_brief_entry(raw, frame.layers(), describe(frame.layers()))
        if entry is not None:
            assert entry == frame_entry(raw, brief=True), entry["info"]
            made += 1
    assert len(seen) >= 5
    if example in ("count-to-infinity.yaml", "hub_vs_switch.yaml"):
        assert made >= 4  # the pings at least; each example also has frames refused (ARP's padding)
        assert made < len(seen)
