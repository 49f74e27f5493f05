"""README.md's offline examples print what the README shows under them."""

from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli
from tests.helpers.readmes import anchor, contents_links, level_two_headings

ROOT = Path(__file__).resolve().parent.parent
# commands that read no network and no clock: their output is the same on every machine
OFFLINE = (("ip",), ("oui",), ("sim", "domains"))


def shown_examples() -> list[tuple[str, list[str], list[str]]]:
    """(the line, its words, the lines shown under it) for each offline `$ lanlab ...` of README.md."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    found = []
    for number, line in enumerate(lines):
        if not line.startswith("$ lanlab ") or "|" in line or ">" in line or line.endswith("\\"):
            continue
        words = shlex.split(line[2:])[1:]
        if not any(tuple(words[: len(command)]) == command for command in OFFLINE):
            continue
        shown = []
        for following in lines[number + 1 :]:
            if following.startswith(("$ ", "```")):
                break
            shown.append(following)
        while shown and not shown[-1]:
            shown.pop()
        found.append((line, words, shown))
    return found


def test_the_readmes_offline_examples_print_what_they_show(monkeypatch):
    """Each `$ lanlab ip|oui|sim domains ...` shown prints exactly the lines below it (stdout; with stderr when it fails)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("LANGUAGE", "en")
    examples = shown_examples()
    for line, words, shown in examples:
        result = CliRunner().invoke(cli, words)
        printed = result.stdout if result.exit_code == 0 else result.output  # an error is shown as the terminal has it
        assert printed.rstrip("\n").splitlines() == shown, line
    assert len(examples) >= 3


def test_the_contents_line_links_every_section():
    """README.md's Contents line links every ## section in order, each to its heading's anchor."""
    headings = level_two_headings(ROOT / "README.md")
    assert contents_links(ROOT / "README.md", "Contents: ") == [anchor(heading) for heading in headings]
