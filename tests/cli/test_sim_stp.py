"""`lanlab sim run` with loops: the storm warning, --max-events, `--do "sw1 stp"`, tables.<switch>.stp."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_storm_run_warns_once_names_the_loop_and_stops_at_max_events():
    """A storm: one warning line naming the loop's links with their rates, a stop message, the links
    table so far, exit status 1."""
    result = invoke("sim", "run", str(EXAMPLES / "storm.yaml"), "--max-events", "30000")
    assert result.exit_code == 1
    warnings = [line for line in result.stderr.splitlines() if "broadcast storm" in line]
    assert len(warnings) == 1
    assert "loop: sw1:p1-sw2:p1 (" in warnings[0] and "sw3:p1-sw1:p2 (" in warnings[0]
    assert "stopped at sim time" in result.stderr and "after 30,000 events (--max-events 30000)" in result.stderr
    assert "frames/s" in result.stdout and "sw2:p2 - sw3:p2" in result.stdout


def test_storm_json_has_the_storm_the_stop_and_link_rates():
    """--json adds `storm` (loop links, warning) and `stopped`; every link has frames_per_s."""
    result = invoke("sim", "run", str(EXAMPLES / "storm.yaml"), "--max-events", "30000", "--json")
    doc = json.loads(result.stdout)
    assert doc["events"] == 30000 and doc["stopped"] == {"reason": "max-events", "max_events": 30000}
    assert doc["storm"]["loop"] == ["sw1:p1-sw2:p1", "sw2:p2-sw3:p2", "sw3:p1-sw1:p2"]
    assert doc["storm"]["frame"] == 1 and doc["storm"]["warning"].startswith("broadcast storm")
    rates = {f"{link['a']}-{link['b']}": link["frames_per_s"] for link in doc["links"]}
    assert rates["sw1:p1-sw2:p1"] > 100_000  # close to line rate for 84-byte frames on 100 Mbps


def test_do_stp_and_json_tables_show_each_ports_role_and_state():
    """`--do "sw3 stp"` prints the bridge, its root and each port; tables.sw3.stp has the same rows."""
    path = str(EXAMPLES / "stp.yaml")
    shown = invoke("sim", "run", path, "--until", "50s", "--do", "at 45s sw3 stp", "--show", "stp")
    assert shown.exit_code == 0, shown.output
    assert "802.1D STP, bridge 32768/0/02:53:dc:55:00:03" in shown.stdout
    assert "root 32768/0/02:53:dc:55:00:01 via p1, cost 200000" in shown.stdout
    assert any(line.split()[:3] == ["p2", "alternate", "blocking"] for line in shown.stdout.splitlines())
    doc = json.loads(invoke("sim", "run", path, "--until", "50s", "--do", "at 45s sw3 stp", "--json").stdout)
    table = doc["tables"]["sw3"]["stp"]
    assert set(table) == {"mode", "bridge_id", "root_id", "root_port", "root_cost", "is_root", "ports"}
    assert {row["port"]: (row["role"], row["state"]) for row in table["ports"]} == {
        "p1": ("root", "forwarding"),
        "p2": ("alternate", "blocking"),
        "p3": ("designated", "forwarding"),
    }
    command = next(c for c in doc["commands"] if c["command"] == "stp" and c["at"] == 45)
    assert command["result"]["stp"]["root_port"] == "p1"
    assert "stp" not in doc["tables"]["pc1"]


def test_stp_on_a_node_without_a_spanning_tree_says_so():
    """`--do "sw1 stp"` on a switch without STP explains how to turn it on."""
    result = invoke("sim", "run", str(EXAMPLES / "hub_vs_switch.yaml"), "--until", "1s", "--do", "sw1 stp")
    assert result.exit_code == 0 and "sw1 runs no spanning tree (give the switch stp: {enabled: true})" in result.stdout


def test_stp_events_can_be_filtered_in_the_trace():
    """--trace jsonl --filter stp gives the BPDUs and the kind-stp events, nothing else."""
    result = invoke("sim", "run", str(EXAMPLES / "rstp.yaml"), "--until", "61s", "--trace", "jsonl", "--filter", "stp")
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert {e["proto"] for e in events} == {"STP"}
    takeover = [
        e for e in events if e["kind"] == "stp" and e["summary"] == "p2 alternate -> root, discarding -> forwarding"
    ]
    assert [(e["t"], e["device"]) for e in takeover] == [(60.0, "sw3")]
