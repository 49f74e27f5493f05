"""The linters `make test` keeps the code to: ruff (pyproject's rule set, and ruff format over the whole
tree), mypy --strict on wire/, proto/ and sim/core, and mypy on the modules the compiled build compiles."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRICT = ["src/lanlab/wire", "src/lanlab/proto", "src/lanlab/sim/core"]
# ruff format (black's style, 120 columns) holds for the whole tree: a file that drifts fails here, and
# `ruff format src tests bench scripts` puts it right.
FORMATTED = ["src", "tests", "bench", "scripts", "setup.py"]


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed here (pip install -e '.[test-core]')")
    return found


def test_ruff_finds_nothing():
    """ruff check over src, tests, bench and scripts reports no finding."""
    done = subprocess.run(
        [tool("ruff"), "check", "--no-cache", "--output-format", "concise", "src", "tests", "bench", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_keeps_the_formatted_folders():
    """ruff format --check finds nothing to change anywhere in the tree."""
    done = subprocess.run(
        [tool("ruff"), "format", "--check", "--no-cache", *FORMATTED], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_on_the_typed_layers():
    """mypy --strict finds no error in the layers held to it."""
    done = subprocess.run(
        [tool("mypy"), "--strict", "--no-incremental", *STRICT], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_passes_the_compiled_modules_as_setup_py_checks_them():
    """The hot path `make fast` compiles type-checks as mypyc checks it first (setup.py's flags), so
    a moved `# type: ignore` shows here, not only in the compiled build's three-minute install."""
    hot_path = [
        line.strip().strip('",')
        for line in (ROOT / "setup.py").read_text().splitlines()
        if line.strip().startswith('"src/lanlab/')
    ]
    assert hot_path
    done = subprocess.run(
        [tool("mypy"), "--follow-imports=silent", "--no-incremental", *hot_path],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
