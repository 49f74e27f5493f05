"""Which build runs: pure Python by default, the mypyc-compiled hot path after `make fast`."""

import os
import re
from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.compiled import build_name, compiled_modules

SETUP = Path(__file__).resolve().parents[1] / "setup.py"
# `make test-fast` (CI's second run of the simulator's tests) sets this: its run must be the compiled build.
EXPECT_COMPILED = os.environ.get("LANLAB_EXPECT_COMPILED") == "1"


def hot_path_modules() -> list[str]:
    """The modules setup.py compiles, as dotted names."""
    paths = re.findall(r'"src/(lanlab/[^"]+)\.py"', SETUP.read_text())
    return sorted(path.replace("/", ".") for path in paths)


def test_the_build_under_test_is_the_one_asked_for():
    """The pure run imports no extension of lanlab; the compiled run imports every module setup.py compiles."""
    if EXPECT_COMPILED:
        assert compiled_modules() == hot_path_modules()
    else:
        assert compiled_modules() == []


def test_version_says_which_build_runs():
    """`lanlab --version` names the build: "pure Python" or "compiled with mypyc, N modules"."""
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert f"({build_name()})" in result.output
    expected = f"compiled with mypyc, {len(hot_path_modules())} modules" if EXPECT_COMPILED else "pure Python"
    assert expected in result.output


def test_setup_compiles_the_engine_and_the_devices_on_the_per_frame_path():
    """setup.py's list names the engine, link, frame, switch, hub, host and router (and files that exist)."""
    modules = hot_path_modules()
    for name in (
        "core.engine",
        "core.link",
        "core.frame",
        "devices.switch",
        "devices.hub",
        "devices.host",
        "devices.router",
    ):
        assert f"lanlab.sim.{name}" in modules
    for module in modules:
        assert (SETUP.parent / "src" / (module.replace(".", "/") + ".py")).exists()


def test_the_compiled_engine_keeps_its_events_in_the_typed_heap():
    """Compiled, the engine's heap is sim.core.typedheap's; pure Python, a list that heapq keeps."""
    from lanlab.sim.core.engine import Engine

    heap = Engine().heap
    assert type(heap).__name__ == ("TypedHeap" if EXPECT_COMPILED else "list")
