"""`--out results.csv|.jsonl|.parquet`: the rows as a table, one format per suffix."""

from __future__ import annotations

import csv
import errno
import json
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from lanlab.i18n import L_
from lanlab.sweep.vary import SweepError
from lanlab.os_reasons import reason_of

FORMATS = (".csv", ".jsonl", ".parquet")


def check_out(path: Path) -> None:
    """Before the sweep runs: a suffix we write, pyarrow for parquet, a file we can write."""
    if path.suffix not in FORMATS:
        raise SweepError(L_("--out {path}: name a .csv, .jsonl or .parquet file", path=path))
    if path.suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise SweepError(
                L_("--out .parquet needs pyarrow: pip install 'lanlab[sweep]' (or write .csv/.jsonl)")
            ) from None
    check_can_write("--out", path)


def check_can_write(option: str, path: Path) -> None:
    """Before the sweep runs, `sim run --html`'s check (lanlab.view.check_writable): a file that
    could not be written is a SweepError now, not a traceback once every run is done."""
    from lanlab.view import check_writable

    try:
        if stat.S_ISFIFO(path.stat().st_mode) or stat.S_ISSOCK(path.stat().st_mode):
            # opening a named pipe to write waits for a reader: the sweep hung here, before any run
            raise OSError(errno.EINVAL, L_("a named pipe or socket, not a file"))
    except FileNotFoundError:
        pass
    except OSError as error:
        raise cannot_write(option, path, error) from None
    try:
        check_writable(path)
    except OSError as error:
        raise cannot_write(option, path, error) from None


def cannot_write(option: str, path: str | Path, error: OSError) -> SweepError:
    """`--out: cannot write FILE: REASON; choose another file`."""
    return SweepError(
        L_(
            "{option}: cannot write {file}: {reason}; choose another file",
            option=option,
            file=str(path),
            reason=reason_of(error),
        )
    )


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every key of every row, in first-seen order (a failed run's row may lack none: same keys)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(k for k in row if k != "document"))
    return list(seen)


def write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    """The rows into `path`, whole or not at all: written to a new file beside it, then renamed over it, so a
    write that fails (a full disk, Ctrl-C) leaves what `path` held, an interrupted sweep's rows that --resume
    goes on from. Where no file can be made beside it (a folder we may not write to) or `path` is no regular
    file (a FIFO), it is written in place."""
    if path.exists() and not path.is_file():
        _write_format(rows, path, path.suffix)
        return
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError:
        _write_format(rows, path, path.suffix)
        return
    os.close(handle)
    part = Path(name)
    try:
        # mkstemp's file is 0600; the result keeps the mode the file had, or a new file's (0666 less the umask)
        os.chmod(part, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask())
        _write_format(rows, part, path.suffix)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_format(rows: list[dict[str, Any]], path: Path, suffix: str) -> None:
    """The rows into `path` in the format `suffix` names (one of FORMATS)."""
    names = columns(rows)
    if suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({k: row.get(k) for k in names}) + "\n")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(names)
            for row in rows:
                writer.writerow(["" if row.get(k) is None else _cell(row.get(k)) for k in names])
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({k: parquet_column([_cell(row.get(k)) for row in rows]) for k in names})
        pq.write_table(table, path)


def keep_elsewhere(rows: list[dict[str, Any]], out: Path) -> Path:
    """The rows an --out that failed at the end (a full disk, its folder gone) could not take, written to a
    new file of the same format in the user's cache directory (~/.cache/lanlab/sweeps, or under
    $XDG_CACHE_HOME), else the temporary directory: its path. A file of our own (mkstemp: a name no other
    user can have planted a link at). OSError when neither place takes them."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    places = [(Path(cache) if os.path.isabs(cache) else Path.home() / ".cache") / "lanlab" / "sweeps"]
    places.append(Path(tempfile.gettempdir()))
    problem: OSError | None = None
    for place in places:
        try:
            place.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(
                prefix=f"{out.stem}-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=out.suffix, dir=place
            )
            os.close(handle)
        except OSError as error:
            problem = error
            continue
        try:
            write_rows(rows, Path(name))
        except OSError as error:
            problem = error
            Path(name).unlink(missing_ok=True)
            continue
        return Path(name)
    assert problem is not None
    raise problem


def parquet_column(values: list[Any]) -> Any:
    """One column as a pyarrow array. pyarrow types a column of Python ints as int64, which cannot
    hold a seed of 2**63 or more (`sim run --seed` takes any integer): such a column is uint64 when
    every value fits, else each number's decimal text. A column pyarrow cannot give one type (a --vary
    of 1,abc) is each value's text, as the csv has it."""
    import pyarrow as pa

    try:
        return pa.array(values)
    except (OverflowError, pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    if all(v is None or (type(v) is int and 0 <= v < 2**64) for v in values):
        return pa.array(values, type=pa.uint64())
    return pa.array([v if v is None or isinstance(v, str) else json.dumps(v) for v in values], type=pa.string())


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (list, dict)) else value
