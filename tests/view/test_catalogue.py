"""The page's texts in Chinese: what the scripts mark with t(), looked up in lanlab's catalogue and
carried inside the page; `--lang` chooses the page's language, the header's switch the reader's,
in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.i18n import set_language
from lanlab.view.catalogue import marked_texts, page_catalogue
from lanlab.view.page import SCRIPTS, _asset, read_document, render_page

import browserlab as browser

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
needs_mo = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
needs_browser = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))


def test_marked_texts_are_the_literals_given_to_t():
    """t("...") literals are found once each, escapes decoded; other calls and quotes are not texts."""
    source = 'L.t("a \\u00B7 b"); L.t("{n} of {m}", {n: 1}); L.t("a \\u00B7 b"); title("x"); L.t(name);'
    assert marked_texts([source]) == ["a · b", "{n} of {m}"]


@needs_mo
def test_every_text_the_page_marks_has_its_chinese():
    """Each t() text of the page's scripts is in the zh catalogue the page carries."""
    scripts = [_asset("assets", name) for name in SCRIPTS]
    texts = marked_texts(scripts)
    chinese = page_catalogue(scripts)["zh"]
    assert len(texts) > 30
    assert [text for text in texts if text not in chinese] == []
    assert chinese["every device"] == "所有设备" and chinese["{node} ARP table"] == "{node} 的 ARP 表"


@needs_mo
def test_the_page_is_written_in_the_language_spoken():
    """render_page under zh marks the page zh-CN (its default language); under en, en; both carry the catalogue."""
    document = {"format": 1, "network": "x"}
    set_language("zh")
    try:
        chinese = render_page(document)
    finally:
        set_language("en")
    english = render_page(document)
    assert '<html lang="zh-CN">' in chinese and '<html lang="en">' in english
    for page in (chinese, english):
        assert read_document(page, "lanlab-i18n")["zh"]["every device"] == "所有设备"


def header(driver) -> str:  # type: ignore[no-untyped-def]
    return driver.execute_script(
        "return document.querySelector('header').textContent + ' ' + document.querySelector('.tabs').textContent"
    )


@needs_mo
@needs_browser
def test_lang_zh_page_speaks_chinese_and_the_switch_brings_english(tmp_path):
    """A page written under --lang zh opens in Chinese; choosing English redraws it in English at the
    same event, and that choice holds for the next page opened; 中文 brings Chinese back."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    chinese_page = browser.hub_ping_page(tmp_path / "zh.html", "--lang", "zh")
    english_page = browser.hub_ping_page(tmp_path / "en.html")
    driver = browser.start()
    try:
        browser.open_page(driver, chinese_page, "#e=3")
        text = header(driver)
        assert "个节点" in text and "随机种子" in text and "时序图" in text and "ladder" not in text
        assert driver.find_element(By.CSS_SELECTOR, '[data-test="filter-node"] option').text == "所有设备"
        assert "个事件中的" in driver.find_element(By.CSS_SELECTOR, '[data-test="event-count"]').text
        driver.save_screenshot(str(tmp_path / "zh.png"))

        Select(driver.find_element(By.CSS_SELECTOR, '[data-test="language"]')).select_by_value("en")
        WebDriverWait(driver, 20).until(lambda d: "nodes" in header(d))
        browser.open_page(driver, chinese_page, "#e=3")
        assert "nodes" in header(driver) and "ladder" in header(driver)
        assert driver.execute_script("return lanlab.viewer.step") == 2
        browser.open_page(driver, english_page)
        assert "nodes" in header(driver)

        Select(driver.find_element(By.CSS_SELECTOR, '[data-test="language"]')).select_by_value("zh")
        WebDriverWait(driver, 20).until(lambda d: "个节点" in header(d))
        driver.save_screenshot(str(tmp_path / "switched.png"))
        assert driver.find_element(By.CSS_SELECTOR, '[data-test="tab-tables"]').text == "表"
        assert not [line for line in driver.get_log("browser") if line["level"] == "SEVERE"]
    finally:
        driver.execute_script("localStorage.clear()")
        driver.quit()


@needs_mo
@needs_browser
def test_a_storm_stopped_pages_banner_is_in_the_readers_language(tmp_path, monkeypatch):
    """The banner of a run its broadcast storm stopped: Chinese in a page written under --lang zh,
    English once the switch says English, and Chinese again in a page written in English when 中文 is chosen."""
    import lanlab.cli.sim
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    monkeypatch.setattr(lanlab.cli.sim, "EVENTS_AFTER_STORM", 2000)  # a small page (200,000 by default)
    pages = {}
    for language in ("zh", "en"):
        pages[language] = tmp_path / f"storm-{language}.html"
        run = ["--lang", language, "sim", "run", str(ROOT / "examples" / "storm.yaml"), "--html", str(pages[language])]
        assert CliRunner().invoke(cli, run).exit_code == 1

    def banner(driver) -> str:  # type: ignore[no-untyped-def]
        return driver.find_element(By.CSS_SELECTOR, '[data-test="banner"]').text

    def choose(driver, language: str) -> None:  # type: ignore[no-untyped-def]
        Select(driver.find_element(By.CSS_SELECTOR, '[data-test="language"]')).select_by_value(language)
        ready = "return document.body.dataset.ready === '1' && window.lanlab.language"
        WebDriverWait(driver, 20).until(lambda d: d.execute_script(ready) == language)

    driver = browser.start()
    try:
        browser.open_page(driver, pages["zh"])
        shown = banner(driver)
        assert shown.startswith("⚠ 这次运行没有到达终点：在模拟时间 ") and "broadcast" not in shown
        assert re.search(
            r"个模拟器事件之后停止（广播风暴开始后又过了 2,000 个事件）：列表中的 [\d,]+ 个事件是到此为止的运行过程$",
            shown,
        )
        driver.save_screenshot(str(tmp_path / "storm-zh.png"))

        choose(driver, "en")
        shown = banner(driver)
        assert shown.startswith("⚠ This run did not reach its end: stopped at sim time ")
        assert re.search(
            r"\(2,000 events after the broadcast storm began\): the [\d,]+ events listed are the run so far$", shown
        )
        browser.open_page(driver, pages["en"])
        assert banner(driver) == shown
        driver.save_screenshot(str(tmp_path / "storm-en.png"))

        choose(driver, "zh")
        assert re.search(
            r"（广播风暴开始后又过了 2,000 个事件）：列表中的 [\d,]+ 个事件是到此为止的运行过程$", banner(driver)
        )
        assert not [line for line in driver.get_log("browser") if line["level"] == "SEVERE"]
    finally:
        driver.execute_script("localStorage.clear()")
        driver.quit()
    print(f"\nbanner screenshots in {tmp_path}")
