"""`lanlab sim domains FILE [--json]`, `sim run --show domains` and `sim check`'s size-rule warning."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
COLLISIONS = str(EXAMPLES / "collisions.yaml")
TOO_LONG = """
nodes:
  hub1: {kind: hub}
  hub2: {kind: hub}
  hub3: {kind: hub}
  pa: {kind: host, ip: 198.18.0.1/24}
  pb: {kind: host, ip: 198.18.0.2/24}
links:
  - [hub1:b, hub2:a]
  - [hub2:b, hub3:a]
  - [pa:eth0, hub1:s]
  - [pb:eth0, hub3:s]
"""


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_domains_json_counts_the_hub_and_the_switch_ports():
    """collisions.yaml: the two cascaded hubs are one collision domain of four stations, each switch port one; two LANs."""
    result = invoke("sim", "domains", COLLISIONS, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert (doc["collision_domains"], doc["broadcast_domains"]) == (4, 2)
    assert len(doc["collision"]) == 4 and len(doc["broadcast"]) == 2
    hub = next(d for d in doc["collision"] if d["hubs"] == ["hub1", "hub2"])
    assert hub["stations"] == ["ha:eth0", "hb:eth0", "hc:eth0", "hd:eth0"]
    assert hub["round_trip_ns"] == 7840 and hub["round_trip_between"] == ["ha:eth0", "hd:eth0"]


def test_domains_table_says_the_counts_first():
    """The text answer starts with the counts a course asks for, then one line per domain."""
    result = invoke("sim", "domains", COLLISIONS)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "4 collision domains, 2 broadcast domains"
    assert sum(line.startswith("collision domain ") for line in lines) == 4
    assert sum(line.startswith("broadcast domain ") for line in lines) == 2


def test_domains_of_a_bad_file_is_exit_2_without_traceback(tmp_path: Path):
    """A broken topology is its FILE:LINE problems and exit status 2, as sim check."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  a: {kind: blender}\n")
    result = invoke("sim", "domains", str(bad))
    assert result.exit_code == 2 and f"{bad}:2" in result.output and "Traceback" not in result.output


def test_check_warns_of_three_repeaters_at_100_mbps_and_still_passes(tmp_path: Path):
    """Three cascaded hubs at 100 Mb/s break the class II rule: a warning naming late collisions, exit 0."""
    path = tmp_path / "long.yaml"
    path.write_text(TOO_LONG)
    result = CliRunner().invoke(cli, ["sim", "check", str(path)])
    assert result.exit_code == 0
    assert "ok" in result.stdout and "warning" not in result.stdout
    assert "3 repeaters between pa:eth0 and pb:eth0" in result.stderr and "late collision" in result.stderr


def test_check_warns_of_a_round_trip_past_the_slot_time_and_the_run_loses_the_frame_it_names():
    """collisions.yaml keeps the repeater count, but its 1 us cables make ha-hd a 7.84 us round trip at
    100 Mb/s, past the 5.12 us slot: sim check says so, and when hd starts 3 us after ha, ha's ARP
    request is cut on the medium after ha has finished it, so ha never knows and never sends it again."""
    result = CliRunner().invoke(cli, ["sim", "check", COLLISIONS])
    assert result.exit_code == 0
    assert "a round trip of 7.84 us between ha:eth0 and hd:eth0" in result.stderr
    assert "slot time (512 bit times, 5.12 us at 100 Mb/s)" in result.stderr
    run = invoke(
        "sim",
        "run",
        COLLISIONS,
        "--until",
        "500ms",
        "--do",
        "hc udp listen 9",
        "--do",
        "ha udp send hc 9 from-a",
        "--do",
        "at 3us hd udp send hc 9 from-d",
        "--trace",
        "jsonl",
    )
    events = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    asks = [(e["device"], e["kind"]) for e in events if e["summary"].startswith("Who has 198.18.0.3?")]
    assert ("hub1", "collision") in asks  # ha's request, damaged, discarded by the hub
    assert asks.count(("ha", "tx")) == 1 and ("ha", "collision") not in asks  # finished before it heard
    assert asks.count(("hd", "tx")) == 2  # hd heard it in time, jammed and sent again


def test_run_show_domains_prints_them_and_json_carries_them():
    """--show domains prints the domains after the run; with --json they are the document's 'domains'."""
    text = invoke("sim", "run", COLLISIONS, "--until", "10ms", "--show", "domains")
    assert text.exit_code == 0 and "4 collision domains, 2 broadcast domains" in text.output
    doc = json.loads(invoke("sim", "run", COLLISIONS, "--until", "10ms", "--show", "domains", "--json").output)
    assert doc["domains"]["collision_domains"] == 4
