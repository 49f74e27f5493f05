"""lanlab.sweep.output: --out is written whole or not at all, in the format its suffix names."""

from __future__ import annotations

import csv
import json
import os
import stat

import pytest

from lanlab.sweep import output
from lanlab.sweep.output import write_rows

ROWS = [{"seed": seed, "converged": seed * 1.5, "error": None} for seed in range(1, 4)]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_rows_are_written_in_the_suffixs_format_with_nothing_left_beside(tmp_path, suffix):
    """The file holds every row in its format; no part file stays in the folder."""
    out = tmp_path / f"rows{suffix}"
    write_rows(ROWS, out)
    text = out.read_text()
    if suffix == ".csv":
        assert list(csv.reader(text.splitlines())) == [
            ["seed", "converged", "error"],
            ["1", "1.5", ""],
            ["2", "3.0", ""],
            ["3", "4.5", ""],
        ]
    else:
        assert [json.loads(line)["seed"] for line in text.splitlines()] == [1, 2, 3]
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_write_that_fails_leaves_the_earlier_rows_as_they_were(tmp_path, monkeypatch):
    """A failure part way (a full disk, Ctrl-C) leaves --out's earlier rows, the ones --resume goes on from,
    untouched, and removes the part file; the error still reaches the caller."""
    out = tmp_path / "rows.jsonl"
    write_rows(ROWS[1:], out)
    before = out.read_bytes()
    real_dumps = json.dumps

    def disk_full_at_the_first_row(value, *args, **kwargs):
        if value.get("seed") == 1:
            raise OSError(28, "No space left on device")
        return real_dumps(value, *args, **kwargs)

    monkeypatch.setattr(output.json, "dumps", disk_full_at_the_first_row)
    with pytest.raises(OSError, match="No space left"):
        write_rows(ROWS, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_new_file_gets_the_umasks_mode_and_an_old_one_keeps_its_own(tmp_path):
    """Not the part file's private 0600: a new --out is 0666 less the umask, a rewritten one keeps its mode."""
    mask = os.umask(0o022)
    try:
        out = tmp_path / "rows.csv"
        write_rows(ROWS, out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        out.chmod(0o640)
        write_rows(ROWS, out)
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(mask)


def test_a_fifo_is_written_in_place(tmp_path):
    """An --out that is no regular file (a FIFO a reader holds) is written to, not replaced by a file."""
    import threading

    fifo = tmp_path / "rows.jsonl"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_rows(ROWS, fifo)
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and got and len(got[0].splitlines()) == 3
