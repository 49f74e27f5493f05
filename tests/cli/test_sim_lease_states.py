"""`sim run --show leases` shows each lease's state in the user's language (--json keeps the English word)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.i18n import language, set_language

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
pytestmark = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
ARGS = ["sim", "run", str(ROOT / "examples" / "dhcp.yaml"), "--until", "3s", "--show", "leases"]
ARGS += ["--do", "at 2s pc1 dhcp release"]


def test_lease_table_states_in_chinese():
    """--lang zh: a released and two bound leases read 已释放 and 已绑定, in the table's state column."""
    output = CliRunner().invoke(cli, ["--lang", "zh", *ARGS]).output
    rows = [line for line in output.splitlines() if line.startswith("│ eth0")]
    assert len(rows) == 3
    assert [row.split("│")[4].strip() for row in rows] == ["已释放", "已绑定", "已绑定"]
    assert "bound" not in output and "released" not in output


def test_lease_table_states_in_english_and_json():
    """--lang en shows released/bound as before; --json's states are the English words in both languages."""
    output = CliRunner().invoke(cli, ["--lang", "en", *ARGS]).output
    rows = [line for line in output.splitlines() if line.startswith("│ eth0")]
    assert [row.split("│")[4].strip() for row in rows] == ["released", "bound", "bound"]
    for word in ("en", "zh"):
        document = json.loads(CliRunner().invoke(cli, ["--lang", word, *ARGS, "--json"]).output)
        assert [row["state"] for row in document["tables"]["srv"]["leases"]] == ["released", "bound", "bound"]


def test_every_lease_state_has_a_chinese_word():
    """Each state the DHCP server keeps (offered, bound, released, declined, expired) is translated."""
    from lanlab.cli.sim import lease_state

    before = language()
    set_language("zh")
    try:
        words = {state: lease_state(state) for state in ("offered", "bound", "released", "declined", "expired")}
    finally:
        set_language(before)
    assert words == {
        "offered": "已提供",
        "bound": "已绑定",
        "released": "已释放",
        "declined": "已拒绝",
        "expired": "已过期",
    }


def test_a_clients_host_name_cannot_drive_the_terminal():
    """A lease's host name is the client's own words (option 12): an escape sequence in it is shown escaped
    in --show leases, never sent to the terminal."""
    from rich.console import Console

    from lanlab.cli.sim import lease_table

    row = {"interface": "eth0", "ip": "198.18.0.100", "mac": "02:00:00:00:00:01", "state": "bound"}
    table = lease_table("srv", [{**row, "expires": 10.0, "hostname": "pc\x1b[2J"}], "at 1s")
    console = Console(width=120, record=True, force_terminal=False)
    console.print(table)
    text = console.export_text()
    assert "\x1b" not in text and "pc\\x1b[2J" in text
