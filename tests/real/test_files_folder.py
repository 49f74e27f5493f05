"""`real run --files DIR`: a host's folder DIR/NODE that cannot be made is one line before anything is built."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from netlab import netns_unavailable_reason

pytestmark = pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
HUB_VS_SWITCH = Path(__file__).resolve().parents[2] / "examples" / "hub_vs_switch.yaml"


def test_a_host_folder_that_is_a_file_is_one_line_exit_2(tmp_path):
    """DIR/pc1 is a file: exit 2, one line naming it (it was a FileExistsError traceback), no namespace left."""
    program = tmp_path / "hello.py"
    program.write_text("print('hello')\n")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "pc1").write_text("in the way\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "real", "run", str(HUB_VS_SWITCH), "--until", "1s"]
        + ["--app", f"pc1={program}", "--files", str(tmp_path / "files")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2 and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert str(tmp_path / "files" / "pc1") in err
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert f"lanlab-r{process.pid}-" not in names
    assert not list(Path(tempfile.gettempdir()).glob(f"lanlab-real-*-r{process.pid}-*"))
