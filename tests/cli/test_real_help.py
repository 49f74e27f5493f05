"""`lanlab real run --help` and `lanlab compare --help` (no root needed) in the user's language."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli


@pytest.mark.parametrize("words", [("real", "run"), ("compare",)])
def test_the_do_option_is_explained_in_chinese(words):
    """--do's help, kept in a variable (DO_HELP), reaches the catalogue: Chinese under --lang zh."""
    english = " ".join(CliRunner().invoke(cli, ["--lang", "en", *words, "--help"]).output.split())
    chinese = "".join(CliRunner().invoke(cli, ["--lang", "zh", *words, "--help"]).output.split())
    assert "run as the real tool inside NODE's namespace" in english
    assert "作为真实的工具运行" in chinese and "realtoolinside" not in chinese
