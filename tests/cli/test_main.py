"""The root command: version, help, unknown commands."""

import click
import pytest
from click.testing import CliRunner

from lanlab import __version__
from lanlab.cli.main import cli


def test_version_prints_the_package_version():
    """`lanlab --version` prints the installed version."""
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_every_registered_command():
    """`lanlab --help` names every command group and the exit-status convention."""
    from lanlab.cli.main import COMMANDS

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for word in COMMANDS:
        assert word in result.output
    assert "Exit status" in result.output


def test_unknown_command_is_a_usage_error():
    """An unknown command word exits 2 with a usage message, not a traceback."""
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_version_names_the_build_in_the_users_language(monkeypatch):
    """`lanlab --lang zh --version` names the build in Chinese (纯 Python); English keeps "pure Python"."""
    import lanlab.cli.main as main

    monkeypatch.setattr(main, "compiled_modules", lambda: [])
    assert "(pure Python)" in CliRunner().invoke(cli, ["--lang", "en", "--version"]).output
    assert "（纯 Python）" in CliRunner().invoke(cli, ["--lang", "zh", "--version"]).output
    monkeypatch.setattr(main, "compiled_modules", lambda: ["a", "b"])
    assert "(compiled with mypyc, 2 modules)" in CliRunner().invoke(cli, ["--lang", "en", "--version"]).output
    assert "（用 mypyc 编译，2 个模块）" in CliRunner().invoke(cli, ["--lang", "zh", "--version"]).output


def test_output_that_cannot_be_written_is_one_line_and_exit_2():
    """Standard output on /dev/full: one line saying so and exit 2 (it was a traceback and exit 1); the
    command's own status otherwise stays (oui's "no vendor" is 1 with output that fits)."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "lanlab", "ip", "198.18.0.1/24"], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert (done.returncode, done.stderr) == (2, "lanlab: cannot write the output: No space left on device\n")
    done = subprocess.run([sys.executable, "-m", "lanlab", "oui", "02:00:00:00:00:01"], capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr == ""


def test_a_name_the_output_cannot_encode_is_escaped_not_a_crash(tmp_path):
    """Standard output in ASCII (PYTHONIOENCODING=ascii): a Chinese node name prints escaped and the run
    ends 0 (it was a UnicodeEncodeError); --json stays JSON."""
    import json
    import os
    import subprocess
    import sys

    topology = tmp_path / "u.yaml"
    topology.write_text(
        "nodes:\n  电脑1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "links:\n  - [电脑1:eth0, pc2:eth0]\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    command = [sys.executable, "-m", "lanlab", "sim", "run", str(topology), "--do", "电脑1 ping pc2 -c 1"]
    done = subprocess.run([*command, "--trace", "table"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "\\u7535\\u8111" + "1" in done.stdout
    done = subprocess.run([*command, "--json"], capture_output=True, text=True, env=env)
    assert json.loads(done.stdout)["commands"][0]["node"] == "电脑1"
    latin = tmp_path / "cafe.yaml"  # é escaped by backslashreplace is \xe9, no JSON escape: --json writes \u00e9
    latin.write_text(topology.read_text(encoding="utf-8").replace("电脑1", "pcé"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "sim", "run", str(latin), "--do", "pcé ping pc2 -c 1", "--json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert json.loads(done.stdout)["commands"][0]["node"] == "pcé"


def test_a_closed_standard_output_is_no_traceback():
    """lanlab --version with standard output closed (>&-) exits 0, nothing on stderr."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "--version"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),  # noqa: PLW1509 - the child's own stdout, closed before exec
    )
    assert (done.returncode, done.stderr) == (0, b"")


def _leaf_commands(command: click.Command, words: list[str]) -> list[list[str]]:
    context = click.Context(command)
    if not isinstance(command, click.Group):
        return [words]
    return [
        leaf
        for name in command.list_commands(context)
        for leaf in _leaf_commands(command.get_command(context, name), [*words, name])
    ]


@pytest.mark.parametrize("words", _leaf_commands(cli, []), ids=" ".join)
def test_every_command_help_says_its_exit_statuses(words):
    """Each command's --help says what its exit statuses mean, as ping's and sim run's do."""
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0
    assert "exit status" in result.output.lower()
