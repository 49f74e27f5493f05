"""`--resume`: an interrupted sweep goes on from its --out file. The rows there that ran (no error) and
are runs of this sweep (a seed and values it plans) are kept; only the other runs are made, and --out
then holds all of them. A run is the same for the same seed and values (the simulator is deterministic),
so a kept row is the row the run would make again, its wall time aside."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from lanlab.i18n import L_
from lanlab.text import json_nests_deeper
from lanlab.sweep.task import Task
from lanlab.sweep.vary import SweepError

_INTEGER = re.compile(r"-?\d+")
MAX_NESTING = 100  # levels of [ and { in a jsonl row: write_rows writes 1 or 2


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of an --out file as write_rows wrote them (a csv cell back to a number where it is one).
    A row cut short (the file's writer killed while writing) is left out, its run made again: a jsonl line
    that is not a JSON object, a csv row with fewer or more cells than the header."""
    if path.suffix == ".jsonl":
        rows = []
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if json_nests_deeper(line, MAX_NESTING):  # not a row write_rows wrote
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if isinstance(row, dict):
                    rows.append(row)
        return rows
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as cells:
            return [
                {k: _from_cell(v) for k, v in row.items()}
                for row in csv.DictReader(cells)
                if None not in row and None not in row.values()  # DictReader's marks of a short or long row
            ]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]


def _from_cell(text: str | None) -> Any:
    if text is None or text == "":
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _text(value: Any) -> str:
    """A value as --out's csv holds it, the same for a value read back from any of the formats: a whole
    float as the integer (parquet gives a column of 0 and 0.05 one type, so 0 comes back as 0.0)."""
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def kept_rows(
    path: Path, tasks: list[Task], varied: list[str], metrics: list[str]
) -> tuple[list[dict[str, Any]], list[Task]]:
    """The rows of `path` this sweep keeps, and the tasks still to run. A file whose columns are not this
    sweep's (another --vary or --metric) is a SweepError: its rows could not be told apart from new ones."""
    try:
        read = read_rows(path)
    except FileNotFoundError:
        return [], tasks
    except (OSError, ValueError, UnicodeError, csv.Error) as error:
        raise SweepError(
            L_("--resume: cannot read the rows of {file}: {reason}", file=str(path), reason=str(error))
        ) from None
    expected = ["seed", *varied, *metrics, "error", "wall_s"]
    found = list(read[0]) if read else expected
    if set(found) != set(expected):
        raise SweepError(
            L_(
                "--resume: {file} holds the columns {found}, this sweep makes {expected}; resume with the same "
                "--vary and --metric, or give another --out",
                file=str(path),
                found=", ".join(found),
                expected=", ".join(expected),
            )
        )
    planned = {(task.seed, tuple(_text(task.values[p]) for p in varied)): task for task in tasks}
    kept: dict[int, dict[str, Any]] = {}
    for row in read:
        if row.get("error") not in (None, ""):
            continue  # a failed run runs again
        try:
            key = (int(row["seed"]), tuple(_text(row[p]) for p in varied))
        except (TypeError, ValueError):
            continue
        task = planned.get(key)
        if task is not None and id(task) not in kept:
            kept[id(task)] = {**row, "seed": task.seed, **task.values, "error": None}
    return list(kept.values()), [task for task in tasks if id(task) not in kept]
