"""`real up` builds a lab and leaves it standing: a file's timed events are said as not applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.real import real
from lanlab.real import netns


def test_up_says_each_event_of_the_file_is_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two pcs and an event at 5 s (the build itself stood in for): stderr names the event as not applied."""
    path = tmp_path / "events.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "links:\n  - [pc1:eth0, pc2:eth0]\nevents:\n  - at 5s link pc1:eth0 pc2:eth0 down\n"
    )
    monkeypatch.setattr(netns, "build", lambda lab, run: netns.Built(lab, run))
    result = CliRunner().invoke(real, ["up", str(path)])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "not applied" in line]
    assert len(said) == 1 and "'at 5s link pc1:eth0 pc2:eth0 down'" in said[0], result.stderr
