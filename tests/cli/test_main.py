"""The root command: version, help, unknown commands."""

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
