"""The frame detail pane speaks the page's language: the sentence saying why an event happened,
the hint, and each layer's byte range in Chinese under 中文; tshark's field names stay; English as
before. In headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


import browserlab as browser

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
pytestmark = [
    pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)"),
    pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing())),
]
CJK = re.compile(r"[\u4e00-\u9fff]")
WHY_ALL = (
    "return lanlab.viewer.run.doc.events.kind.map(function (k, i) { return [k, lanlab.why(lanlab.viewer.run, i)]; })"
)

# each event's kind, node and the event list's summary column as the list shows it
ROWS = (
    "const run = lanlab.viewer.run;"
    "return run.doc.events.kind.map(function (k, i) { return [k, run.name(i), run.summary(i)]; })"
)


def first(kinds: list[list[str]], kind: str) -> int:
    return next(i for i, (k, _) in enumerate(kinds) if k == kind)


def test_detail_pane_in_chinese_and_english(tmp_path):
    """Under --lang zh every event's sentence is Chinese (tx, rx, hub and switch floods, learn, forward,
    deliver...), the pane's hint and layer headings and the event list's notes too (notes_shown), while
    field names stay tshark's and the document's notes English; the English page says the same in English."""
    from selenium.webdriver.common.by import By

    driver = browser.start()
    try:
        browser.open_page(driver, browser.hub_ping_page(tmp_path / "zh.html", "--lang", "zh"))
        hint = driver.execute_script(
            "return document.querySelector('p.hint') && document.querySelector('p.hint').textContent"
        )
        assert hint == "向前一步（→）或点击一个事件，就能看到它的帧。"
        sentences = driver.execute_script(WHY_ALL)
        kinds = {kind for kind, _ in sentences}
        assert {"tx", "rx", "flood", "learn", "forward", "deliver"} <= kinds
        english_left = [s for s in sentences if not CJK.search(s[1])]
        assert english_left == []
        tx = first(sentences, "tx")
        driver.execute_script(f"lanlab.viewer.go({tx})")
        why = driver.find_element(By.CSS_SELECTOR, '[data-test="why"]').text
        assert why.startswith("pc1 从 eth0 发出“") and why.endswith("”。")
        headings = [e.text for e in driver.find_elements(By.CSS_SELECTOR, '[data-test="layers"] summary')]
        assert headings[0] == "Ethernet（第 0–13 字节）", headings
        names = [e.text for e in driver.find_elements(By.CSS_SELECTOR, '[data-test="layers"] .fname')]
        assert "dst:" in names and "src:" in names  # tshark's names, not translated
        hub_flood = next(i for i, (k, s) in enumerate(sentences) if k == "flood" and "集线器" in s)
        assert sentences[hub_flood][1].startswith("hub1 把这一帧从其他每个端口原样发出")
        learn = sentences[first(sentences, "learn")][1]
        assert re.fullmatch(r"sw1 记下了 \S+ 在 \S+ 上（这一帧的源地址是从那里进来的）。", learn), learn
        rows = driver.execute_script(ROWS)
        floods = [row for row in rows if row[0] == "flood" and row[1] == "sw1"]
        assert floods and all("（复制到 " in row[2] or "(复制到 " in row[2] for row in floods), floods
        assert not [row for row in rows if "copies to" in row[2] or "not for " in row[2]]  # the notes shown in Chinese
        assert driver.execute_script("return lanlab.viewer.run.doc.events.note.some(n => n.startsWith('copies to '))")
        driver.save_screenshot(str(tmp_path / "detail-zh.png"))
        assert not [line for line in driver.get_log("browser") if line["level"] == "SEVERE"]

        browser.open_page(driver, browser.hub_ping_page(tmp_path / "en.html", "--lang", "en"))
        english = driver.execute_script(WHY_ALL)
        assert [kind for kind, _ in english] == [kind for kind, _ in sentences]
        assert not [s for s in english if CJK.search(s[1])]
        assert any("copies to " in row[2] for row in driver.execute_script(ROWS))
        assert english[tx][1].startswith("pc1 sends \u201c") and english[tx][1].endswith(" out of eth0.")
        driver.execute_script(f"lanlab.viewer.go({tx})")
        heading = driver.find_element(By.CSS_SELECTOR, '[data-test="layers"] summary').text
        assert heading == "Ethernet (bytes 0–13)"
    finally:
        driver.execute_script("localStorage.clear()")
        driver.quit()
