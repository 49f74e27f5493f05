"""--resume: the rows an --out file holds, matched to the sweep's planned runs."""

import json

import pytest

from lanlab.sweep.output import write_rows
from lanlab.sweep.plan import make_plan
from lanlab.sweep.resume import kept_rows
from lanlab.sweep.vary import SweepError
from lanlab.sweep.where import run_tasks
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VARY = ["links.*.loss=0,0.05", "name=1,abc"]


@pytest.fixture(scope="module")
def plan():
    return make_plan(EXAMPLES / "broadcast.yaml", "1-3", VARY, until="1s", metrics=["frames", "drops"])


@pytest.fixture(scope="module")
def rows(plan):
    return list(run_tasks(plan.tasks, 1, None))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_the_rows_written_are_kept_and_only_the_others_run(tmp_path, plan, rows, suffix):
    """Half the rows in --out (any format, values of every type): those are kept, typed as the sweep's
    own (a csv's "0.05" is 0.05 again), and only the other runs are left to make."""
    if suffix == ".parquet":  # a column of 0 and 0.05 comes back as 0.0 and 0.05: still the runs of 0
        pytest.importorskip("pyarrow")
    out = tmp_path / f"rows{suffix}"
    write_rows(rows[::2], out)
    kept, todo = kept_rows(out, plan.tasks, plan.varied, ["frames", "drops"])
    assert [row["seed"] for row in kept] == [row["seed"] for row in rows[::2]]
    assert [{k: v for k, v in row.items() if k != "wall_s"} for row in kept] == [
        {k: v for k, v in row.items() if k != "wall_s"} for row in rows[::2]
    ]
    assert todo == [task for i, task in enumerate(plan.tasks) if i % 2]


def test_a_failed_row_runs_again_and_rows_of_other_runs_are_left(tmp_path, plan, rows):
    """A row with an error is not kept (its run is made again); a row of a seed not planned is dropped."""
    out = tmp_path / "rows.jsonl"
    failed = {**rows[0], "frames": None, "error": "RuntimeError: the worker died"}
    other = {**rows[1], "seed": 99}
    write_rows([failed, other, rows[2]], out)
    kept, todo = kept_rows(out, plan.tasks, plan.varied, ["frames", "drops"])
    assert [json.dumps(row, sort_keys=True) for row in kept] == [json.dumps(rows[2], sort_keys=True)]
    assert len(todo) == len(plan.tasks) - 1 and plan.tasks[2] not in todo


def test_another_sweeps_file_is_refused_and_a_missing_one_is_a_fresh_start(tmp_path, plan, rows):
    """Rows of other columns (another --metric) are a SweepError naming both; no file: every run to make."""
    out = tmp_path / "rows.csv"
    assert kept_rows(out, plan.tasks, plan.varied, ["frames", "drops"]) == ([], plan.tasks)
    write_rows(rows, out)
    with pytest.raises(SweepError, match=r"--resume: .* holds the columns seed, .*, frames, drops, error, wall_s"):
        kept_rows(out, plan.tasks, plan.varied, ["frames"])


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_row_cut_short_runs_again(tmp_path, plan, rows, suffix):
    """An --out whose writer was killed mid-row (its last line cut in half): the whole rows are kept, the
    cut one's run is made again (a jsonl was a SweepError, nothing kept; a csv kept the row, metrics None)."""
    out = tmp_path / f"rows{suffix}"
    write_rows(rows[:3], out)
    text = out.read_text()
    out.write_text(text[: text.rindex("\n", 0, len(text) - 1) + 9])  # the 3rd row's first 8 characters
    kept, todo = kept_rows(out, plan.tasks, plan.varied, ["frames", "drops"])
    assert [row["seed"] for row in kept] == [rows[0]["seed"], rows[1]["seed"]]
    assert todo == plan.tasks[2:]


def test_a_jsonl_line_nested_thousands_deep_is_a_line_not_written_by_a_sweep(tmp_path, plan, rows):
    """--resume over a .jsonl holding a line of 20,000 [ (hostile, or another tool's): that line is left
    out like a row cut short (it was a RecursionError traceback), and the sweep's own rows are kept."""
    out = tmp_path / "rows.jsonl"
    write_rows(rows[:2], out)
    with out.open("a", encoding="utf-8") as lines:
        lines.write("[" * 20_000 + "]" * 20_000 + "\n")
    kept, _ = kept_rows(out, plan.tasks, plan.varied, ["frames", "drops"])
    assert [row["seed"] for row in kept] == [row["seed"] for row in rows[:2]]
