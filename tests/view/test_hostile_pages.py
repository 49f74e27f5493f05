"""The page in headless Chromium against what a topology's author can write: names that are markup,
quotes, Chinese, 300 letters long or Object's own keys (__proto__, constructor), a payload and event
notes holding HTML, a hand-edited URL fragment, and 300 hosts on one switch. Nothing runs, nothing
breaks the page, every node is drawn inside the pane, and each filter counts what it shows."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.view import read_document

import browserlab as browser

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))

NETWORK = "<script>window.pwned = 'name'</script> \"网络\" 'q'"
NAMES = [
    "<script>window.pwned='node'",
    "\"'><img src=x onerror=window.pwned='img'>",
    "主机一",
    "L" * 300,
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
]
SWITCH = "<b>sw<b>"
PAYLOAD = "<script>window.pwned='payload'</script><img src=x onerror=window.pwned='payload'>"

# Records any alert() or a marker set by markup that ran, before the page's own scripts.
TRAP = "window.__alerts = []; window.alert = function (x) { window.__alerts.push(String(x)); };"

IN_PANE = """const cy = lanlab.topology.cy, box = cy.container().getBoundingClientRect(), out = [];
cy.nodes().not('.packet, .dropmark').forEach(n => { const b = n.renderedBoundingBox({includeLabels: true});
  if (b.x1 < -1 || b.y1 < -1 || b.x2 > box.width + 1 || b.y2 > box.height + 1) out.push(n.id()); });
return out;"""

OVERLAPS = (
    "const t = lanlab.topology; return lanlab.layoutOverlaps(lanlab.viewer.run.doc, t.layout, t.measure).slice(0, 5);"
)


def hostile_topology(folder: Path) -> Path:
    lines = [f"name: {json.dumps(NETWORK)}", "nodes:", f"  {json.dumps(SWITCH)}: {{kind: switch}}"]
    lines += [f"  {json.dumps(name)}: {{kind: host, ip: 198.18.0.{i}/24}}" for i, name in enumerate(NAMES, 1)]
    lines.append("links:")
    lines += [f"  - [{json.dumps(name + ':eth0')}, {json.dumps(f'{SWITCH}:p{i}')}]" for i, name in enumerate(NAMES, 1)]
    path = folder / "hostile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def driver():  # type: ignore[no-untyped-def]
    chromium = browser.start()
    chromium.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})
    yield chromium
    chromium.quit()


@pytest.fixture(scope="module", params=["en", "zh"])
def hostile_page(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile network's run (pings and a UDP datagram of markup between odd names, a cable named
    in markup pulled and plugged back) as a page written under --lang en and zh."""
    folder = tmp_path_factory.mktemp(f"hostile-{request.param}")
    topology, out = hostile_topology(folder), folder / "hostile.html"
    script, image = NAMES[0], NAMES[1]
    words = [
        "--lang",
        request.param,
        "sim",
        "run",
        str(topology),
        "--until",
        "1s",
        "--do",
        f"{shlex.quote(script)} ping constructor -c 1",
        "--do",
        f"toString udp send __proto__ 7 {shlex.quote(PAYLOAD)}",
        "--do",
        "hasOwnProperty ping 主机一 -c 1",
        "--do",
        f"{shlex.quote(image)} ping {'L' * 300} -c 1",
        "--do",
        f"at 0.5s link {shlex.quote(script + ':eth0')} {shlex.quote(SWITCH + ':p1')} down",
        "--do",
        f"at 0.6s link {shlex.quote(script + ':eth0')} {shlex.quote(SWITCH + ':p1')} up",
        "--html",
        str(out),
    ]
    result = CliRunner().invoke(cli, words)
    assert out.exists(), result.output
    return out


def fresh(driver: Any, page: Path, fragment: str = "") -> None:
    """Open the page anew (the same page with another fragment would only move to it, not load)."""
    driver.get("about:blank")
    browser.open_page(driver, page, fragment)


def errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_hostile_names_payloads_and_notes_are_shown_never_run(driver, hostile_page: Path, tmp_path: Path):
    """Every name, the payload and the notes naming a cable in markup appear as text; nothing they say
    runs or adds an element; every node is inside the pane, nothing drawn overlaps; stepping through
    every event with each tab open raises no error."""
    document = read_document(hostile_page)
    notes = [note for note in document["events"]["note"] if "<script>" in note]
    assert notes, "the run has event notes holding markup (the cable's link events)"
    browser.open_page(driver, hostile_page)
    driver.get_log("browser")
    for tab in ("tables", "ladder", "programs"):
        driver.execute_script(f"document.querySelector('[data-test=tab-{tab}]').click()")
        driver.execute_script("for (let i = -1; i < lanlab.viewer.run.count; i++) lanlab.viewer.go(i);")
    driver.execute_script("document.querySelector('[data-test=tab-tables]').click()")
    assert errors(driver) == []
    assert driver.execute_script("return [window.pwned, window.__alerts]") == [None, []]
    injected = "return document.querySelectorAll('img, iframe, object, embed, [onerror], [onload]').length"
    assert driver.execute_script(injected) == 0
    text = driver.execute_script("return document.body.innerText")
    assert NETWORK in text
    for name in NAMES:
        assert f"{name} ARP table" in text or f"{name} 的 ARP 表" in text, name[:40]
    link = document["events"]["kind"].index("link")
    driver.execute_script(f"lanlab.viewer.go({link})")
    cable = notes[0].rsplit(" ", 1)[0]  # "<script>...:eth0 - <b>sw<b>:p1" (the note's last word, down, is translated)
    assert cable in driver.find_element("css selector", '[data-test="why"]').text
    assert driver.execute_script(IN_PANE) == []
    assert driver.execute_script(OVERLAPS) == []
    browser_shot = tmp_path / "hostile.png"
    driver.save_screenshot(str(browser_shot))
    print(f"\nscreenshot: {browser_shot}")


def test_each_odd_name_filters_its_own_events(driver, hostile_page: Path):
    """Choosing each device in the list (__proto__ and constructor among them) shows its events, as
    many as the document holds, and its option says that count."""
    document = read_document(hostile_page)
    browser.open_page(driver, hostile_page)
    names = [node["name"] for node in document["nodes"]]
    for index, name in enumerate(names):
        count = document["events"]["node"].count(index)
        shown, option = driver.execute_script(
            """const s = document.querySelector('[data-test=filter-node]'); s.value = arguments[0];
            s.dispatchEvent(new Event('change'));
            return [lanlab.events.shown.length, Array.from(s.options).find(o => o.value === arguments[0]).textContent];""",
            name,
        )
        assert shown == count, name[:40]
        assert option.endswith(f"({count})") and len(option) < 60, option
    assert errors(driver) == []


def test_the_page_speaks_the_language_it_was_written_in(driver, hostile_page: Path):
    """Written under --lang zh, the page's own words are Chinese (its html lang, the tabs); under en,
    English; the run's names are as they are in both."""
    fresh(driver, hostile_page)
    chinese = "zh" in hostile_page.parent.name
    assert driver.execute_script("return document.documentElement.lang") == ("zh-CN" if chinese else "en")
    assert driver.find_element("css selector", '[data-test="tab-tables"]').text == ("表" if chinese else "tables")
    assert "主机一" in driver.execute_script("return document.body.innerText")


@pytest.mark.parametrize(
    "fragment, step",
    [("#e=%E4%B8", -1), ("#e=abc", -1), ("#e=1e3", -1), ("#e=99999999999999999999", -1), ("#e=3", 2)],
)
def test_a_hand_edited_fragment_still_opens_the_page(driver, hostile_page: Path, fragment: str, step: int):
    """A shared link whose #e= is cut off, not a number or far too big opens the page at its start
    (#e=%E4%B8 threw in decodeURIComponent and left the page blank)."""
    fresh(driver, hostile_page, fragment)
    assert driver.execute_script("return lanlab.viewer.step") == step
    assert errors(driver) == []


def test_a_fragment_naming_an_odd_node_filters_on_it(driver, hostile_page: Path):
    """#node=__proto__&proto=<markup>: the device filter is __proto__, the unknown protocol ignored."""
    fresh(driver, hostile_page, "#node=__proto__&proto=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    document = read_document(hostile_page)
    own = document["events"]["node"].count([n["name"] for n in document["nodes"]].index("__proto__"))
    assert driver.execute_script("return lanlab.events.shown.length") == own > 0
    assert driver.execute_script("return window.__alerts") == []


def test_300_hosts_on_one_switch_fit_the_pane(driver, tmp_path: Path):
    """A switch with 300 hosts: the page opens within seconds, every node is inside the pane (the
    hosts in rows under the switch, their links a bus), nothing overlaps, and it steps to the end."""
    lines = ["name: big", "nodes:", "  sw1: {kind: switch}"]
    lines += [f"  pc{i}: {{kind: host, ip: 198.18.{i // 250}.{i % 250 + 1}/16}}" for i in range(1, 301)]
    lines += ["links:"] + [f"  - [pc{i}:eth0, sw1:p{i}]" for i in range(1, 301)]
    topology, out = tmp_path / "big.yaml", tmp_path / "big.html"
    topology.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        cli, ["sim", "run", str(topology), "--until", "1s", "--do", "pc1 ping pc300 -c 1", "--html", str(out)]
    )
    assert out.exists(), result.output
    browser.open_page(driver, out)
    assert int(driver.execute_script("return document.body.dataset.readyMs")) < 20000
    assert driver.execute_script(IN_PANE) == []
    assert driver.execute_script(OVERLAPS) == []
    assert driver.execute_script("return lanlab.topology.cy.edges('.bus').length") == 300
    driver.execute_script("lanlab.viewer.go(lanlab.viewer.run.count - 1)")
    assert driver.execute_script("return lanlab.viewer.step") == driver.execute_script(
        "return lanlab.viewer.run.count - 1"
    )
    assert errors(driver) == []
