"""The simulator's observable behaviour, byte for byte: every example, the README's runs, --app, the demo.

The digests in tests/sim/golden/digests.json were recorded by scripts/update_golden.py; a change of
behaviour that is meant must regenerate them (and say so in its commit message).
"""

import importlib.util
import json
import sys

import pytest

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "update_golden.py"
spec = importlib.util.spec_from_file_location("update_golden", SCRIPT)
update_golden = importlib.util.module_from_spec(spec)
sys.modules["update_golden"] = update_golden
spec.loader.exec_module(update_golden)


@pytest.mark.slow
def test_every_trace_and_capture_is_as_recorded(tmp_path):
    """Each case's exit status, trace (--trace jsonl), stderr and pcapng have their golden sha256."""
    found = update_golden.run_all(tmp_path / "scratch")
    expected = json.loads(update_golden.GOLDEN.read_text())
    lines = update_golden.differences(found, expected)
    if lines:
        kept = tmp_path / "outputs"
        kept.mkdir()
        for name, data in found.items():
            (kept / name).write_bytes(data)
        pytest.fail(
            f"{len(lines)} of {len(expected)} golden outputs differ (all outputs kept in {kept}; "
            "if the change is meant, run scripts/update_golden.py and say why in the commit):\n" + "\n".join(lines)
        )


def test_a_changed_output_is_named():
    """The comparison names the file whose bytes changed, the new one and the missing one."""
    expected = {
        "a.stdout": update_golden.digest(b"same"),
        "b.pcapng": update_golden.digest(b"old"),
        "gone.stdout": update_golden.digest(b"x"),
    }
    found = {"a.stdout": b"same", "b.pcapng": b"new", "c.stdout": b"extra"}
    lines = update_golden.differences(found, expected)
    assert [line.split(":")[0] for line in lines] == ["b.pcapng", "c.stdout", "gone.stdout"]
    assert "differs" in lines[0] and "new" in lines[1] and "not produced" in lines[2]


def test_every_example_is_a_case():
    """No example in examples/ escapes the golden test."""
    names = {case.name for case in update_golden.cases()}
    examples = {f"example-{path.stem}" for path in (ROOT / "examples").glob("*.yaml")}
    assert examples <= names
