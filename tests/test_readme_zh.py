"""README.zh.md is kept in step with README.md: every section of one has its counterpart in the other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sections(path: Path) -> list[tuple[int, list[str]]]:
    """Each heading outside code blocks as (level, the `code` spans it names): what stays the same
    in both languages."""
    found, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"(#+) ", line)):
            found.append((len(match.group(1)), re.findall(r"`([^`]+)`", line)))
    return found


def test_every_readme_section_has_a_chinese_counterpart():
    """README.md and README.zh.md have the same headings in the same order (levels and command words)."""
    english, chinese = sections(ROOT / "README.md"), sections(ROOT / "README.zh.md")
    assert len(english) > 10
    for number, (en, zh) in enumerate(zip(english, chinese), 1):
        assert en == zh, f"section {number}: README.md has {en}, README.zh.md has {zh}"
    assert len(english) == len(chinese), "one README has sections the other lacks"


def test_the_chinese_readme_shows_the_languages_real_output(tmp_path):
    """The Chinese README's demo lines (the whole block it shows) are what `lanlab --lang zh demo` prints."""
    from click.testing import CliRunner

    from lanlab.cli.main import cli

    mo = ROOT / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"
    if not mo.exists():
        import pytest

        pytest.skip("the zh_CN catalogue is not compiled (run `make`)")
    output = CliRunner().invoke(cli, ["--lang", "zh", "demo", "--pcap", str(tmp_path / "demo.pcapng")]).output
    readme = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    shown = readme.split("$ lanlab --lang zh demo\n", 1)[1].split("```", 1)[0]
    assert shown.count("\n") > 10

    def capture_named(text: str) -> str:  # the README shows the default cache path, the test its own
        return re.sub(r"\S+\.pcapng", "CAPTURE", text)

    printed = capture_named(output).splitlines()
    for line in shown.splitlines():
        assert capture_named(line) in printed, line


OFFLINE = ("ip", "oui")  # commands whose output depends on nothing but their arguments


def test_the_chinese_readmes_offline_examples_print_what_they_show():
    """Each `$ lanlab --lang zh ip|oui ...` shown (without a pipe) prints exactly the lines below it."""
    import shlex

    from click.testing import CliRunner

    from lanlab.cli.main import cli

    mo = ROOT / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"
    if not mo.exists():
        import pytest

        pytest.skip("the zh_CN catalogue is not compiled (run `make`)")
    lines = (ROOT / "README.zh.md").read_text(encoding="utf-8").splitlines()
    checked = 0
    for number, line in enumerate(lines):
        plain = line[2:].split()
        if not line.startswith("$ lanlab --lang zh ") or "|" in line or len(plain) < 4 or plain[3] not in OFFLINE:
            continue
        words = shlex.split(line[2:])
        shown = []
        for following in lines[number + 1 :]:
            if following.startswith("$ ") or following.startswith("```"):
                break
            shown.append(following)
        while shown and not shown[-1]:
            shown.pop()
        output = CliRunner().invoke(cli, words[1:]).output
        assert output.rstrip("\n").splitlines() == shown, line
        checked += 1
    assert checked >= 3
