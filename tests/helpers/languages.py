"""Run a command under --lang en and --lang zh, for tests that the Chinese is shown where the English was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

MO = Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def needs_the_catalogue() -> None:
    """Skip where `make` has not compiled the zh_CN catalogue (lanlab then speaks English only)."""
    if not MO.exists():
        pytest.skip("the zh_CN catalogue is not compiled (run `make`)")


def check_problems(path: Path) -> dict[str, list[tuple[str, str]]]:
    """`lanlab sim check PATH` (which must fail, exit 2) under each language: its lines as (FILE:LINE, text)."""
    from lanlab.cli.main import cli

    needs_the_catalogue()
    shown = {}
    for word in ("en", "zh"):
        result = CliRunner().invoke(cli, ["--lang", word, "sim", "check", str(path)])
        assert result.exit_code == 2, result.output
        shown[word] = [tuple(line.split(": ", 1)) for line in result.output.splitlines()]
    assert [where for where, _ in shown["en"]] == [where for where, _ in shown["zh"]]
    return shown
