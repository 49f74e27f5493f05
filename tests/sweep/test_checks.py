"""What a sweep checks before any run (output files, --do targets, metrics over events), and a --do
that fails during a run failing that run's row."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lanlab.cli.main import cli
from lanlab.sweep import where
from lanlab.sweep.metrics import parse_metric
from lanlab.sweep.plan import make_plan
from lanlab.sweep.task import run_task
from lanlab.sweep.vary import SweepError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ARP = str(EXAMPLES / "arp.yaml")  # pc1, pc2, pc3 on 198.18.0.0/24, one switch, no gateway
PING = "pc1 ping pc2 -c 2 -i 0.2"


def sweep(*args: str) -> Result:
    return CliRunner().invoke(cli, ["sim", "sweep", ARP, "--seeds", "1-2", "--until", "2s", "--workers", "1", *args])


@pytest.fixture
def no_runs(monkeypatch):
    """A sweep that would start its runs fails the test: what is checked is checked before."""

    def run_tasks(*args, **kwargs):
        raise AssertionError("the runs started")

    monkeypatch.setattr(where, "run_tasks", run_tasks)


@pytest.mark.parametrize("option", ["--out", "--plot"])
def test_an_unwritable_output_file_is_refused_before_any_run(tmp_path, no_runs, option):
    """--out or --plot in a folder that does not exist: one line saying so, exit 2, no run made."""
    path = tmp_path / "missing" / ("rows.csv" if option == "--out" else "fig.png")
    result = sweep("--do", PING, option, str(path))
    assert result.exit_code == 2, result.output
    assert f"{option}: cannot write {path}" in result.output and "choose another file" in result.output
    assert len(result.output.splitlines()) == 1 and "Traceback" not in result.output


def test_a_do_target_neither_node_nor_address_is_refused_before_any_run(no_runs):
    """--do "pc1 ping 198.18.0.999": sim run's words for it, in one line, exit 2, no run made."""
    result = sweep("--do", "pc1 ping 198.18.0.999", "--json")
    assert result.exit_code == 2, result.output
    assert "'198.18.0.999' is neither a node nor an IPv4 address" in result.output
    assert len(result.output.splitlines()) == 1
    with pytest.raises(SweepError, match="neither a node nor an IPv4 address"):
        make_plan(ARP, [1], do=["at 1s pc1 traceroute 198.18.0.999"], until="2s")


def test_a_do_that_fails_during_a_run_fails_its_row():
    """A ping with no route (sim run: `error: connect: ...`, exit 2) makes each row carry that error,
    counted in failed, the sweep's exit status 1."""
    plan = make_plan(ARP, [1], do=["pc1 ping 198.19.0.5 -c 1"], until="2s", metrics=["frames"])
    row = run_task(plan.tasks[0])
    assert "--do 'pc1 ping 198.19.0.5 -c 1': connect: Network is unreachable" in row["error"]
    result = sweep("--do", "pc1 ping 198.19.0.5 -c 1", "--json")
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["failed"] == 2 and [e["seed"] for e in summary["errors"]] == [1, 2]
    assert all("Network is unreachable" in e["error"] for e in summary["errors"])


def test_a_metric_over_events_of_a_kind_records_that_kind():
    """count(events[kind=tx]) counts every frame sent (each link's frames), not the route,stp events alone."""
    plan = make_plan(ARP, [1], do=[PING], until="2s", metrics=["tx=count(events[kind=tx])", "frames"])
    row = run_task(plan.tasks[0])
    assert row["error"] is None and row["tx"] == row["frames"] > 0


def test_events_alone_is_the_number_of_events_also_in_a_traced_sweep():
    """`events` is the event count sim run --json reports, whatever other metric turns the trace on."""
    plan = make_plan(ARP, [1], do=[PING], until="2s", metrics=["events=events", "route_changes"])
    traced = run_task(plan.tasks[0])
    plain = run_task(make_plan(ARP, [1], do=[PING], until="2s", metrics=["events=events"]).tasks[0])
    assert traced["events"] == plain["events"] > 0 and traced["route_changes"] == 0


@pytest.mark.parametrize(
    ("metric", "words"),
    [
        ("n=count(events)", "events is the run's number of events"),
        ("n=count(events.*)", "read them as events[kind=K] (K one of tx, rx,"),
        ("n=count(events[device=pc1])", "read them as events[kind=K]"),
        ("n=count(events[kind=nosuch])", "'nosuch' is not a kind of event (kinds: tx, rx,"),
    ],
)
def test_a_metric_reading_events_a_sweep_does_not_record_is_refused(no_runs, metric, words):
    """Any read of the event list but events[kind=K] is one line naming the kinds, exit 2, no run."""
    with pytest.raises(SweepError, match="kind"):
        parse_metric(metric)
    result = sweep("--metric", metric)
    assert result.exit_code == 2, result.output
    assert words in result.output and len(result.output.splitlines()) == 1
