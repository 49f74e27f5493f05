"""One run of a sweep is exactly `lanlab sim run FILE --seed S --json` with those values."""

import json
import subprocess
import sys
from pathlib import Path

from lanlab.sweep.metrics import parse_metric
from lanlab.sweep.plan import make_plan
from lanlab.sweep.task import Task, run_task

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def sim_run_json(path: Path, *args: str) -> dict:
    """What the command line prints (a process of its own, as a user runs it)."""
    done = subprocess.run([sys.executable, "-m", "lanlab", "sim", "run", str(path), "--json", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_a_varied_row_is_sim_run_of_the_file_with_that_value(tmp_path):
    """Seed 1 of count-to-infinity (which loops without poisoned reverse) with split_horizon poisoned_reverse: the row's document (route
    events in it, as the built-in needs) is sim run's of the file edited by hand, and its metric
    is read from that."""
    edited = tmp_path / "c2i.yaml"
    edited.write_text((EXAMPLES / "count-to-infinity.yaml").read_text().replace(
        "split_horizon: none", "split_horizon: poisoned_reverse"))
    plan = make_plan(EXAMPLES / "count-to-infinity.yaml", [1], ["nodes.*.rip.split_horizon=poisoned_reverse"],
                     until="150s", metrics=["routing_convergence"], keep_documents=True)
    row = run_task(plan.tasks[0])
    expected = sim_run_json(edited, "--seed", "1", "--until", "150s", "--trace", "jsonl", "--filter", "route,stp")
    assert row["document"] == expected
    assert row["routing_convergence"] == expected["events"][-1]["t"]
    assert row["nodes.*.rip.split_horizon"] == "poisoned_reverse" and row["error"] is None


def test_a_row_with_do_is_sim_run_with_that_do():
    """rip-ring, seed 5, a ping at 30 s: the same document, ping counts read from it."""
    do = "at 30s pc1 ping pc3 -c 5"
    plan = make_plan(EXAMPLES / "rip-ring.yaml", [5], do=[do], until="40s",
                     metrics=["ping_received", "frames"], keep_documents=True)
    row = run_task(plan.tasks[0])
    expected = sim_run_json(EXAMPLES / "rip-ring.yaml", "--seed", "5", "--until", "40s", "--do", do)
    assert row["document"] == expected
    assert row["ping_received"] == expected["commands"][-1]["result"]["received"]
    assert row["frames"] == sum(link["frames"] for link in expected["links"])


def test_a_failed_run_is_a_row_with_its_error():
    """A topology that does not read gives a row naming the problem and empty metrics."""
    row = run_task(Task("broken.yaml", "nodes: {pc1: {kind: host}\n", 1, {}, metrics=(parse_metric("frames"),)))
    assert row["seed"] == 1 and row["frames"] is None
    assert "broken.yaml" in row["error"]


def test_different_seeds_can_differ():
    """Seeds reach the run: count-to-infinity without split horizon loops on seed 1, not on all."""
    plan = make_plan(EXAMPLES / "count-to-infinity.yaml", "1-4", until="150s", metrics=["route_changes"])
    counts = [run_task(task)["route_changes"] for task in plan.tasks]
    assert len(set(counts)) > 1
