"""`lab check --html`: the viewer's page of each stage's run with the lab's checks beside the event
list. The documents it carries (which events each check links, one run per stage), every hostile
text kept as text, and in headless Chromium: choosing a failed check selects its events."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browserlab import missing, open_page, requests_made, start

from lanlab.lab import Submission, load_lab, read_answers, run_lab
from lanlab.lab.report import render
from lanlab.view import read_document

HOSTILE = "</script><script>alert(1)</script>"
QUOTES = "\"'&<!--"
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
title: {json.dumps(f"Title {HOSTILE} {QUOTES}")}
topology: topology.yaml
brief: "Brief <b onmouseover=x>bold</b> & more"
stages:
  - name: "stage {HOSTILE}"
    run: {{do: ["pc1 ping pc2 -c 1"], app: ["pc1=prog.py"], until: 1s}}
    checks:
      - id: one-port
        points: 2
        hint: {json.dumps(f"a hub repeats to every port {HOSTILE} {QUOTES}")}
        trace: {{where: {{kind: flood, device: hub1, proto: icmp}}, measure: count, equals: 0}}
      - id: replied
        trace: {{where: {{kind: deliver, device: pc1, proto: icmp}}, measure: count, at_least: 1}}
      - id: printed
        hint: print it
        output: {{node: pc1, contains: nothing-like-this}}
      - id: who-heard
        question: {{ask: "who got the request?", where: {{kind: rx, proto: icmp, summary: request}}, measure: devices}}
  - name: second
    brief: "now pc2 pings"
    run: {{do: ["pc2 ping pc1 -c 2"], until: 2s}}
    checks:
      - id: pc2-asked
        trace: {{where: {{kind: tx, device: pc2, proto: arp}}, measure: count, equals: 1}}
      - id: never
        hint: nothing like it happens
        trace: {{where: {{kind: tx, device: pc2, proto: udp}}, measure: count, at_least: 1}}
"""
PRINTED = "<img src=x onerror=alert(2)></script><script>alert(3)</script>"
STUDENT = f"<eve {QUOTES}>"


class Page(HTMLParser):
    """The tags and script elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))
        for name, _ in attrs:
            assert not name.startswith("on"), f"an event handler attribute on <{tag}>: {name}"


@pytest.fixture(scope="module")
def page_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("lab")
    (folder / "topology.yaml").write_text(TOPOLOGY)
    (folder / "lab.yaml").write_text(LAB)
    (folder / "prog.py").write_text(f"print({PRINTED!r})\n")
    (folder / "answers.yaml").write_text("who-heard: pc2\n")
    lab = load_lab(folder / "lab.yaml")
    trails: list[Any] = []
    answers = read_answers(folder / "answers.yaml", lab.values)
    results = run_lab(lab, Submission(folder / "topology.yaml", folder, answers), trails=trails)
    return render(lab, results, trails, STUDENT)


@pytest.fixture
def page(tmp_path: Path, page_text: str) -> Path:
    out = tmp_path / "report.html"
    out.write_text(page_text, encoding="utf-8")
    return out


def checks_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in document["lab"]["checks"]}


def where(document: dict[str, Any], node: str, kind: str, proto: str) -> list[int]:
    """The indices of the document's events of this node, kind and protocol (read from its columns)."""
    events = document["events"]
    names = [entry["name"] for entry in document["nodes"]]
    return [
        i
        for i, (n, k, p) in enumerate(zip(events["node"], events["kind"], events["proto"]))
        if n >= 0 and names[n] == node and k == kind and p == proto
    ]


def test_the_page_is_the_viewers_with_one_run_per_stage(page_text: str) -> None:
    """The page holds the viewer's script and one format-1 document per stage (lanlab-data, lanlab-data-2),
    each its own run, each with the lab's score and every stage's points."""
    first, second = read_document(page_text), read_document(page_text, "lanlab-data-2")
    assert first["format"] == second["format"] == 1
    assert "L.Checks = Checks" in page_text and "new L.Viewer(doc)" in page_text
    assert (first["lab"]["stage"], second["lab"]["stage"]) == (1, 2)
    assert first["lab"]["stages"] == second["lab"]["stages"]
    assert [(s["name"], s["score"], s["points"], s["failed"]) for s in first["lab"]["stages"]] == [
        (f"stage {HOSTILE}", 2, 5, 2),
        ("second", 1, 2, 1),
    ]
    assert first["lab"]["score"] == 3 and first["lab"]["total"] == 7
    assert [c["id"] for c in first["lab"]["checks"]] == ["one-port", "replied", "printed", "who-heard"]
    assert [c["id"] for c in second["lab"]["checks"]] == ["pc2-asked", "never"]
    assert first["commands"][0]["command"].startswith("ping") and second["commands"][0]["node"] == "pc2"


def test_docs_name_every_key_of_the_lab_entry_and_its_checks(page_text: str) -> None:
    """docs/viewer-format.md's lab section names every key the page's `lab` and each of its checks carry."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "viewer-format.md").read_text(encoding="utf-8")
    section = docs.split("\n## lab ", 1)[1].split("\n## ", 1)[0]
    lab = read_document(page_text)["lab"]
    keys = set(lab) | {key for check in lab["checks"] for key in check}
    assert sorted(key for key in keys if f"`{key}`" not in section) == []


def test_each_check_links_the_events_its_query_selected(page_text: str) -> None:
    """A trace or question check carries the indices of the document's events its query selected (read
    back from the event columns here); an output check carries none."""
    first, second = read_document(page_text), read_document(page_text, "lanlab-data-2")
    checks = checks_of(first)
    floods = where(first, "hub1", "flood", "ICMP")
    assert len(floods) == 2  # the request and the reply, each repeated by the hub
    assert checks["one-port"]["events"] == floods and not checks["one-port"]["passed"]
    assert checks["replied"]["events"] == where(first, "pc1", "deliver", "ICMP") and checks["replied"]["passed"]
    assert checks["printed"]["events"] is None
    heard = sorted(where(first, "hub1", "rx", "ICMP")[:1] + where(first, "pc2", "rx", "ICMP")[:1])
    assert checks["who-heard"]["events"] == heard and checks["who-heard"]["passed"]
    later = checks_of(second)
    assert later["pc2-asked"]["events"] == where(second, "pc2", "tx", "ARP") != []
    assert later["never"]["events"] == [] and not later["never"]["passed"]


def test_every_text_stays_text(page_text: str) -> None:
    """The lab's title, brief, stage name and hint, the student id and a program's output reach the page
    only inside its JSON: the page's only elements are the viewer's own (its scripts, no img or b), and
    the documents read back hold each text as written."""
    parsed = Page()
    parsed.feed(page_text)
    assert not {"img", "b"} & set(parsed.tags)
    assert [s.get("id") for s in parsed.scripts] == ["lanlab-i18n", "lanlab-data", "lanlab-data-2", None, None]
    document = read_document(page_text)
    lab = document["lab"]
    assert lab["title"] == f"Title {HOSTILE} {QUOTES}" and lab["student"] == STUDENT
    assert lab["brief"] == "Brief <b onmouseover=x>bold</b> & more"
    assert checks_of(document)["one-port"]["hint"] == f"a hub repeats to every port {HOSTILE} {QUOTES}"
    assert PRINTED in checks_of(document)["printed"]["found"]
    assert document["programs"][0]["output"][0][1] == PRINTED
    assert "<title>Title &lt;/script&gt;" in page_text


def test_cli_writes_the_page_and_keeps_its_exit_status(tmp_path: Path) -> None:
    """lab check --html writes the viewer's page, says so, and still exits 1 when a check failed; the
    failed replies-unicast check links to sw1 sending the replies out of every port."""
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
    document = read_document(out)
    checks = checks_of(document)
    assert not checks["replies-unicast"]["passed"] and checks["one-broadcast"]["passed"]
    events = document["events"]
    ports = {events["port"][i] for i in checks["replies-unicast"]["events"]}
    assert ports == {"p1", "p2", "p3", "p4"}


def visible_rows(driver: Any) -> list[int]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#events .rows .row')).map(r => Number(r.dataset.index))"
    )


@pytest.fixture
def driver():  # type: ignore[no-untyped-def]
    chromium = start()
    yield chromium
    chromium.quit()


@pytest.mark.skipif(missing() is not None, reason=str(missing()))
def test_chromium_choosing_a_failed_check_selects_its_events(driver: Any, page: Path, tmp_path: Path) -> None:
    """In headless Chromium: the checks panel shows each hostile text as text and no script of it runs;
    choosing the failed one-port check leaves only its events in the list, marked as a failed check's,
    shows its first event and puts it in the URL; "show every event" brings the rest back."""
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(driver, page)
    panel = driver.find_element("css selector", "[data-test=checks]")
    assert f"Title {HOSTILE} {QUOTES}" in driver.title
    assert f"a hub repeats to every port {HOSTILE} {QUOTES}" in panel.text and STUDENT in panel.text
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - reading it is how Selenium asks whether an alert is open
    document = read_document(page)
    floods = checks_of(document)["one-port"]["events"]
    total = len(document["events"]["t"])
    driver.find_element("css selector", '.check[data-check="one-port"] [data-test=check-events]').click()
    assert visible_rows(driver) == floods
    assert driver.find_element("css selector", "[data-test=event-count]").text == f"{len(floods)} of {total} events"
    classes = driver.execute_script(
        "return Array.from(document.querySelectorAll('#events .rows .row')).map(r => r.className)"
    )
    assert all("check-failed" in c and "check-hit" in c for c in classes)
    assert driver.execute_script("return lanlab.viewer.step") == floods[0]
    WebDriverWait(driver, 5).until(lambda d: "check=one-port" in d.execute_script("return location.hash"))
    driver.save_screenshot(str(tmp_path / "failed-check.png"))
    driver.find_element("css selector", "[data-test=check-clear]").click()
    assert set(visible_rows(driver)) - set(floods)
    assert driver.find_element("css selector", "[data-test=event-count]").text == f"{total} of {total} events"
    urls = requests_made(driver)
    assert urls and [u for u in urls if not u.startswith(("data:", "blob:")) and u.split("#")[0] != page.as_uri()] == []


@pytest.mark.skipif(missing() is not None, reason=str(missing()))
def test_chromium_a_passed_check_and_the_stage_switch(driver: Any, page: Path) -> None:
    """Choosing a passed check selects its events without the failed mark; the stage switch opens the
    second stage's own run, whose failed check selects no event; #check= opens with a check chosen."""
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(driver, page)
    replied = checks_of(read_document(page))["replied"]["events"]
    driver.find_element("css selector", '.check[data-check="replied"] [data-test=check-events]').click()
    assert visible_rows(driver) == replied
    classes = driver.execute_script(
        "return Array.from(document.querySelectorAll('#events .rows .row')).map(r => r.className)"
    )
    assert all("check-hit" in c and "check-failed" not in c for c in classes)
    driver.find_element("css selector", '.stages button[data-stage="2"]').click()
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return !!(window.lanlab.viewer && lanlab.viewer.run.doc.lab.stage === 2)")
    )
    second = read_document(page, "lanlab-data-2")
    assert driver.execute_script("return lanlab.viewer.run.count") == len(second["events"]["t"])
    driver.find_element("css selector", '.check[data-check="never"] [data-test=check-events]').click()
    assert visible_rows(driver) == []
    WebDriverWait(driver, 5).until(lambda d: "stage=2" in d.execute_script("return location.hash"))
    driver.get("about:blank")  # else a new fragment on the same page is no new page
    open_page(driver, page, "#stage=2&check=pc2-asked")
    assert driver.execute_script("return lanlab.viewer.run.doc.lab.stage") == 2
    assert visible_rows(driver) == checks_of(second)["pc2-asked"]["events"]


def test_without_html_the_tables_are_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """lab check without --html runs no TableHistory (it costs on a storm: 4 against 11 CPU s), with it one per stage.
    (Counted in a file: a lab with programs runs in a child forked behind the network-namespace wall.)"""
    from click.testing import CliRunner

    from lanlab.cli.main import cli
    from lanlab.lab import runner

    followed = tmp_path / "followed"
    real = runner.record

    def record(network: Any) -> Any:
        with followed.open("a") as out:
            out.write("x")
        return real(network)

    monkeypatch.setattr(runner, "record", record)
    (tmp_path / "topology.yaml").write_text(TOPOLOGY)
    (tmp_path / "lab.yaml").write_text(LAB)
    (tmp_path / "prog.py").write_text("print('hi')\n")
    plain = CliRunner().invoke(cli, ["lab", "check", str(tmp_path / "lab.yaml"), "--json"])
    assert plain.exit_code == 1 and not followed.exists()
    paged = CliRunner().invoke(cli, ["lab", "check", str(tmp_path / "lab.yaml"), "--html", str(tmp_path / "r.html")])
    assert paged.exit_code == 1 and followed.read_text() == "xx"


MO = Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"
needs_mo = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")


@needs_mo
def test_found_stays_english_with_its_chinese_beside_it(page_text: str) -> None:
    """A check's `found` in the page is the English of --json; `found_shown` holds it in Chinese, an answer
    against the run, "no output", the empty list; the student's own words and a program's lines as they are."""
    checks = checks_of(read_document(page_text))
    assert checks["who-heard"]["found"] == "answered pc2; the run shows pc2"
    assert checks["who-heard"]["found_shown"] == {"zh": "回答 pc2；运行结果是 pc2"}
    assert checks["printed"]["found_shown"]["zh"] == checks["printed"]["found"]  # the program's own line
    assert checks_of(read_document(page_text, "lanlab-data-2"))["never"]["found_shown"] == {"zh": "0"}


@pytest.fixture
def chinese_page(tmp_path: Path) -> Path:
    """The page of a hub-only network whose check finds no sw1, written under --lang zh."""
    from lanlab.i18n import language, set_language

    (tmp_path / "topology.yaml").write_text(TOPOLOGY)
    (tmp_path / "lab.yaml").write_text(
        "lab: 1\nname: t\ntitle: T\ntopology: topology.yaml\nstages:\n"
        "  - run: {do: ['pc1 ping pc2 -c 1'], until: 1s}\n    checks:\n"
        "      - id: switch-used\n        hint: use a switch\n        expect: {node: sw1, stp: 'off'}\n"
        "      - id: who-heard\n"
        "        question: {ask: 'who?', where: {kind: rx, proto: icmp, summary: request}, measure: devices}\n"
    )
    lab = load_lab(tmp_path / "lab.yaml")
    trails: list[Any] = []
    results = run_lab(lab, Submission(tmp_path / "topology.yaml", tmp_path, {}), trails=trails)
    spoken = language()
    set_language("zh")
    try:
        text = render(lab, results, trails, None)
    finally:
        set_language(spoken)
    out = tmp_path / "zh.html"
    out.write_text(text, encoding="utf-8")
    return out


@needs_mo
@pytest.mark.skipif(missing() is not None, reason=str(missing()))
def test_chromium_shows_what_was_found_in_the_readers_language(driver: Any, chinese_page: Path) -> None:
    """In headless Chromium a page written under --lang zh shows what each check found in Chinese and the
    hint as the teacher wrote it; switched to English, the English of --json."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def found() -> list[str]:
        return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-test=check-list] .found")]

    open_page(driver, chinese_page)
    assert found() == ["没有名为 sw1 的节点", "没有作答（运行结果是 pc2）"]
    hint = driver.find_element(By.CSS_SELECTOR, '.check[data-check="switch-used"] .check-hint').text
    assert hint == "提示：use a switch"
    Select(driver.find_element(By.CSS_SELECTOR, '[data-test="language"]')).select_by_value("en")
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return window.lanlab.language") == "en")
    WebDriverWait(driver, 20).until(lambda d: found() == ["no node called sw1", "no answer (the run shows pc2)"])


@needs_mo
def test_a_stage_its_storm_stopped_says_so_in_english_with_the_chinese_beside_it(tmp_path: Path, monkeypatch) -> None:
    """lab check --html under --lang zh on a switch loop: the stage's `stopped` is English, as under
    --lang en, and `stopped_shown` the Chinese the page's banner shows."""
    import lanlab.sim.report
    from click.testing import CliRunner

    from lanlab.cli.main import cli

    monkeypatch.setattr(lanlab.sim.report, "EVENTS_AFTER_STORM", 2000)  # a small page (200,000 by default)
    (tmp_path / "topology.yaml").write_text((Path(__file__).resolve().parents[2] / "examples/storm.yaml").read_text())
    (tmp_path / "lab.yaml").write_text(
        "lab: 1\nname: t\ntitle: T\ntopology: topology.yaml\nstages:\n"
        "  - run: {do: ['pc1 ping pc2 -c 1'], until: 1s}\n    checks:\n"
        "      - id: looped\n        trace: {where: {kind: storm}, measure: count, at_least: 1}\n"
    )
    stopped = []
    for language in ("zh", "en"):
        out = tmp_path / f"{language}.html"
        result = CliRunner().invoke(
            cli, ["--lang", language, "lab", "check", str(tmp_path / "lab.yaml"), "--html", str(out)]
        )
        assert out.exists(), result.output
        document = read_document(out.read_text(encoding="utf-8"))
        stopped.append((document["stopped"], document["stopped_shown"]))
    assert (
        stopped[0]
        == stopped[1]
        == (
            "stopped 2,000 events after a broadcast storm was seen",
            {"zh": "发现广播风暴后又过了 2,000 个事件，运行停止"},
        )
    )


def test_a_stage_whose_program_is_not_python_has_its_page_too(tmp_path: Path) -> None:
    """prog.py with a SyntaxError: the report still holds a page for every stage, the failed one with its
    checks and why they failed (the stage was missing, and a later one took its number)."""
    (tmp_path / "topology.yaml").write_text(TOPOLOGY)
    (tmp_path / "lab.yaml").write_text(LAB)
    (tmp_path / "prog.py").write_text("print(\n")
    lab = load_lab(tmp_path / "lab.yaml")
    trails: list[Any] = []
    results = run_lab(lab, Submission(tmp_path / "topology.yaml", tmp_path, {}), trails=trails)
    text = render(lab, results, trails, STUDENT)
    first, second = read_document(text), read_document(text, "lanlab-data-2")
    assert (first["lab"]["stage"], second["lab"]["stage"]) == (1, 2)
    printed = checks_of(first)["printed"]
    assert not printed["passed"] and "prog.py is not valid Python" in printed["found"]
