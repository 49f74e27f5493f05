"""A sweep's plan and its table."""

import sys
import types
from pathlib import Path

import pytest

from lanlab.sweep import SweepError
from lanlab.sweep.plan import as_table, make_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_plan_is_seeds_times_values():
    """3 seeds by 2 x 2 values are 12 tasks, each carrying the topology's text (no shared files)."""
    plan = make_plan(EXAMPLES / "rip-ring.yaml", "1-3", ["links.*.loss=0,0.1", "nodes.*.rip.split_horizon=none,simple"])
    assert len(plan.tasks) == 12
    assert {(t.seed, t.values["links.*.loss"], t.values["nodes.*.rip.split_horizon"]) for t in plan.tasks} == {
        (s, loss, sh) for s in (1, 2, 3) for loss in (0, 0.1) for sh in ("none", "simple")
    }
    assert all(t.text == (EXAMPLES / "rip-ring.yaml").read_text() for t in plan.tasks)


def test_rows_become_a_dataframe_when_pandas_is_there(monkeypatch):
    """With pandas importable the rows go through pandas.DataFrame; without, they stay a list."""
    fake = types.SimpleNamespace(DataFrame=lambda rows: ("frame", rows))
    monkeypatch.setitem(sys.modules, "pandas", fake)
    assert as_table([{"seed": 1}]) == ("frame", [{"seed": 1}])
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    assert as_table([{"seed": 1}]) == [{"seed": 1}]


def test_two_varies_on_one_path_are_refused_naming_it():
    """Two --vary on the same path are a SweepError naming it (the first one's values were silently dropped)."""
    with pytest.raises(SweepError, match=r"--vary links\.\*\.loss is given twice"):
        make_plan(EXAMPLES / "rip-ring.yaml", "1", ["links.*.loss=0,0.3", "links.*.loss=0.9"])


def test_a_do_timed_after_until_is_refused_before_any_run():
    """A --do starting after --until is a SweepError saying so (each run's cell was silently empty, exit 0)."""
    with pytest.raises(SweepError, match=r"--do 'at 5s pc1 ping pc3 -c 1': starts at 5s, after --until 1s"):
        make_plan(EXAMPLES / "hub_vs_switch.yaml", "1", do=["at 5s pc1 ping pc3 -c 1"], until="1s")
    assert make_plan(EXAMPLES / "hub_vs_switch.yaml", "1", do=["at 1s pc1 ping pc3 -c 1"], until="1s").tasks


def test_an_app_timed_after_until_is_refused_before_any_run(tmp_path):
    """An --app starting after --until is a SweepError too (every run reported it 'not started', exit 0)."""
    program = tmp_path / "hello.py"
    program.write_text("print('hi')\n")
    with pytest.raises(SweepError, match=r"--app 'pc1=.*hello\.py': starts at 5s, after --until 1s"):
        make_plan(EXAMPLES / "hub_vs_switch.yaml", "1", apps=[f"at 5s pc1={program}"], until="1s")
    assert make_plan(EXAMPLES / "hub_vs_switch.yaml", "1", apps=[f"at 1s pc1={program}"], until="1s").tasks


def test_the_python_api_orders_rows_whose_value_is_a_list():
    """lanlab.sim.sweep with a --vary value that is a list returns its rows (the ordering raised TypeError)."""
    from lanlab.sweep.api import sweep

    rows = sweep(EXAMPLES / "hub_vs_switch.yaml", "1-2", vary=["links=[]"], until="1s", workers=1)
    assert [(row["seed"], row["links"]) for row in (rows.to_dict("records") if hasattr(rows, "to_dict") else rows)] == [
        (1, []),
        (2, []),
    ]


def test_the_apis_seeds_are_read_as_the_command_lines():
    """make_plan (lanlab.sim.sweep) takes a seed alone (7 was a TypeError), runs a seed listed twice
    once, as --seeds 1,1 does (it ran [1, 1, 1] three times), and says what seeds are when given None."""
    topology = Path(__file__).resolve().parents[2] / "examples" / "broadcast.yaml"
    assert [task.seed for task in make_plan(topology, 7, until="1s").tasks] == [7]
    assert [task.seed for task in make_plan(topology, [3, 1, 3, 1], until="1s").tasks] == [3, 1]
    assert [task.seed for task in make_plan(topology, range(-1, 2), until="1s").tasks] == [-1, 0, 1]
    for bad in (None, [[1]]):
        with pytest.raises(SweepError, match="seeds: give a text like 1-100, a seed, or a list of seeds"):
            make_plan(topology, bad, until="1s")


@pytest.mark.parametrize("value", [0, -1, "0s", "-5", "soon", float("nan"), "1e-9"])
def test_a_run_limit_that_is_no_time_is_a_sweep_error(value):
    """run_limit 0, negative, not a number, or under a millisecond: a SweepError naming --run-limit."""
    with pytest.raises(SweepError, match="--run-limit"):
        make_plan(EXAMPLES / "broadcast.yaml", [1], run_limit=value)


def test_a_run_limit_is_seconds_on_every_task():
    """run_limit 90, "1.5s" or "2min" is the seconds on each task; None (the default) no limit."""
    assert {t.run_limit for t in make_plan(EXAMPLES / "broadcast.yaml", "1-3", run_limit=90).tasks} == {90.0}
    assert make_plan(EXAMPLES / "broadcast.yaml", [1], run_limit="1.5s").run_limit == 1.5
    assert make_plan(EXAMPLES / "broadcast.yaml", [1], run_limit="2min").tasks[0].run_limit == 120.0
    assert make_plan(EXAMPLES / "broadcast.yaml", [1]).tasks[0].run_limit is None
