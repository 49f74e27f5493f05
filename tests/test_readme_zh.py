"""README.zh.md is kept in step with README.md: every section of one has its counterpart in the other."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.readmes import anchor, contents_links, level_two_headings

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


def section_bodies(path: Path) -> list[tuple[str, int, int]]:
    """Each section (from a heading to the next) as (heading, its fenced code blocks, its characters
    of text outside headings)."""
    found: list[list] = []
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if not fenced and found:
                found[-1][1] += 1
            fenced = not fenced
        elif not fenced and re.match(r"#+ ", line):
            found.append([line, 0, 0])
            continue
        if found:
            found[-1][2] += len(line)
    return [(heading, blocks, chars) for heading, blocks, chars in found]


def test_every_chinese_section_is_a_translation_not_a_stub():
    """Each section of README.zh.md has code blocks where README.md's has them (one more or fewer at
    most) and at least 30% of its characters (a translation runs 45-95% as long; a summary of a few
    lines of a long section does not)."""
    english, chinese = section_bodies(ROOT / "README.md"), section_bodies(ROOT / "README.zh.md")
    assert len(english) == len(chinese)
    for (heading, en_blocks, en_chars), (zh_heading, zh_blocks, zh_chars) in zip(english, chinese):
        assert (en_blocks > 0) == (zh_blocks > 0) and abs(en_blocks - zh_blocks) <= 1, (
            f"{heading}: {en_blocks} code blocks in README.md, {zh_blocks} in README.zh.md"
        )
        assert zh_chars >= 0.3 * en_chars, f"{zh_heading}: {zh_chars} characters against README.md's {en_chars}"


def test_the_chinese_contents_line_links_every_section_and_readme_mds():
    """README.zh.md's 目录 line links every ## section in order, each to its heading's anchor: so
    the counterpart of every section README.md's Contents line lists."""
    chinese = level_two_headings(ROOT / "README.zh.md")
    links = contents_links(ROOT / "README.zh.md", "目录：")
    assert links == [anchor(heading) for heading in chinese]
    english = [anchor(heading) for heading in level_two_headings(ROOT / "README.md")]
    listed = contents_links(ROOT / "README.md", "Contents: ")
    assert len(listed) > 10 and set(listed) <= set(english)
    assert {anchor(chinese[english.index(link)]) for link in listed} <= set(links)


def test_the_chinese_readmes_sweep_prints_what_it_shows(tmp_path, monkeypatch):
    """The `lanlab --lang zh sim sweep` block prints its table line for line (seeds fixed, in process;
    the wall time and where the runs ran masked, the plot left out)."""
    import shlex
    import shutil

    from click.testing import CliRunner

    from lanlab.cli.main import cli

    if not (ROOT / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo").exists():
        import pytest

        pytest.skip("the zh_CN catalogue is not compiled (run `make`)")
    readme = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    block = readme.split("$ cd examples\n$ lanlab --lang zh sim sweep ", 1)[1].split("```", 1)[0]
    command, shown = block.split("\n", 1)[0], []
    rest = block.split("\n")[1:]
    while command.endswith("\\"):
        command = command[:-1] + rest.pop(0)
    shown = [line for line in rest if line]
    words = shlex.split(command)
    plot = words.index("--plot")
    del words[plot : plot + 2]  # matplotlib stays out of pytest's process (see tests/cli/test_sim_sweep.py)
    shutil.copy(ROOT / "examples" / words[0], tmp_path / words[0])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(cli, ["--lang", "zh", "sim", "sweep", *words, "--workers", "1"])
    assert result.exit_code == 0, result.output

    def masked(line: str) -> str:
        return re.sub(r"用时 [\d.]+ 秒，运行于 [^；]+", "用时 T 秒，运行于 W", re.sub(r"；图 \S+", "", line.rstrip()))

    assert [masked(line) for line in result.output.splitlines()] == [masked(line) for line in shown]
    assert len(shown) > 8
