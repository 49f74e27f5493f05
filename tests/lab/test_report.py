"""`lab check --html`: the report page escapes every text, and a failed trace check links to the
events it is about (checked by parsing the page, and in headless Chromium where it is installed)."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browserlab import missing, start

from lanlab.lab import Submission, load_lab, run_lab
from lanlab.lab.report import render

HOSTILE = "<script>alert(1)</script>"
TOPOLOGY = """name: t
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  hub1: {kind: hub}
links:
  - [pc1:eth0, hub1:p1]
  - [pc2:eth0, hub1:p2]
"""
LAB = f"""lab: 1
name: t
title: "Title {HOSTILE}"
topology: topology.yaml
brief: "Brief <b onmouseover=x>bold</b> & more"
stages:
  - name: "stage {HOSTILE}"
    run: {{do: ["pc1 ping pc2 -c 1"], app: ["pc1=prog.py"], until: 1s}}
    checks:
      - id: one-port
        points: 2
        hint: "a hub repeats to every port {HOSTILE}"
        trace: {{where: {{kind: flood, device: hub1, proto: icmp}}, measure: count, equals: 0}}
      - id: printed
        hint: print it
        output: {{node: pc1, contains: nothing-like-this}}
"""
PRINTED = "<img src=x onerror=alert(2)>"


class Page(HTMLParser):
    """The tags, ids, links and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids[str(found["id"])] = found
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        for name in found:
            assert not name.startswith("on"), f"an event handler attribute on <{tag}>: {name}"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def page(tmp_path: Path) -> str:
    (tmp_path / "topology.yaml").write_text(TOPOLOGY)
    (tmp_path / "lab.yaml").write_text(LAB)
    (tmp_path / "prog.py").write_text(f"print({PRINTED!r})\n")
    lab = load_lab(tmp_path / "lab.yaml")
    trails: list = []
    results = run_lab(lab, Submission(tmp_path / "topology.yaml", tmp_path), trails=trails)
    return render(lab, results, trails, "<eve>")


def test_every_text_is_escaped(page: str) -> None:
    """The lab's title, brief, stage name and hint, the student id and a program's output reach the page
    as text: no script, img or b element, no event handler attribute, and the texts read as written."""
    parsed = Page()
    parsed.feed(page)
    assert not {"script", "img", "b"} & set(parsed.tags)
    text = "".join(parsed.text)
    assert HOSTILE in text and PRINTED in text and "<eve>" in text and "<b onmouseover=x>bold</b> & more" in text


def test_a_failed_trace_check_links_to_its_events(page: str) -> None:
    """The failed one-port check's link goes to a row of the event list that its query selected (the hub
    repeating an ICMP frame), marked as one of the check's events."""
    parsed = Page()
    parsed.feed(page)
    row = parsed.ids["s1-check-one-port"]
    assert row["class"] == "fail"
    row_at = page.index('id="s1-check-one-port"')
    target = page[row_at : page.index("</tr>", row_at)].split('href="', 1)[1].split('"', 1)[0]
    assert parsed.ids[target[1:]]["class"] == "hit"
    start_at = page.index(f'id="{target[1:]}"')
    cells = page[start_at : page.index("</tr>", start_at)]
    assert "<td>hub1</td>" in cells and "<td>flood</td>" in cells and "ICMP" in cells and "one-port" in cells


def test_cli_writes_the_page_and_keeps_its_exit_status(tmp_path: Path) -> None:
    """lab check --html writes the page, says so, and still exits 1 when a check failed."""
    labs = Path(__file__).resolve().parents[2] / "labs" / "udp_broadcast"
    out = tmp_path / "report.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lanlab",
            "lab",
            "check",
            str(labs / "lab.yaml"),
            "--topology",
            str(labs / "wrong_reply_broadcast/topology.yaml"),
            "--answers",
            str(labs / "solution/answers.yaml"),
            "--html",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and f"wrote {out}" in result.stdout
    parsed = Page()
    parsed.feed(out.read_text())
    assert parsed.ids["s1-check-replies-unicast"]["class"] == "fail"
    assert parsed.ids["s1-check-one-broadcast"]["class"] == "pass"


@pytest.mark.skipif(missing() is not None, reason=str(missing()))
def test_chromium_shows_the_page_and_the_link_reaches_the_events(tmp_path: Path, page: str) -> None:
    """In headless Chromium: the title is the escaped text, no script ran (no alert), and following the
    failed check's link makes its first event the :target row."""
    out = tmp_path / "report.html"
    out.write_text(page)
    driver = start()
    try:
        driver.get(out.as_uri())
        assert HOSTILE in driver.title
        link = driver.find_element("css selector", 'tr[id="s1-check-one-port"] a')
        target = link.get_attribute("href").split("#", 1)[1]
        link.click()
        assert (
            driver.execute_script("return document.querySelector(':target') && document.querySelector(':target').id")
            == target
        )
        from selenium.common.exceptions import NoAlertPresentException

        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018 - reading it is how Selenium asks whether an alert is open
    finally:
        driver.quit()
