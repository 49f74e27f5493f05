"""Headless Chromium (Debian's chromium + chromium-driver) driven by Selenium, for the viewer's tests
and bench/view.py. `browser()` is None, with the reason, where any piece is missing."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

HUB_VS_SWITCH = Path(__file__).resolve().parents[2] / "examples" / "hub_vs_switch.yaml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, DRIVER):
        if not Path(path).exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


def start(width: int = 1400, height: int = 900) -> Any:
    """A headless Chromium that records its network requests (the DevTools performance log)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # With --disable-dev-shm-usage Chromium keeps its shared memory in $TMPDIR/org.chromium.Chromium.*
    # and leaves those folders behind when the driver ends it: they go in one of ours, removed with it.
    scratch = tempfile.mkdtemp(prefix="lanlab-chromium-")
    driver = webdriver.Chrome(service=Service(DRIVER, env={**os.environ, "TMPDIR": scratch}), options=options)
    weakref.finalize(driver, shutil.rmtree, scratch, ignore_errors=True)
    return driver


def requests_made(driver: Any) -> list[str]:
    """Every URL the page asked for since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_page(driver: Any, path: Path, fragment: str = "") -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.resolve().as_uri() + fragment)
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))


def hub_ping_page(out: Path, *lang: str) -> Path:
    """Write the page of pc1 pinging pc3 across hub_vs_switch's hub (`sim run --html`), in `lang`
    (e.g. "--lang", "zh"; none: the locale's)."""
    from click.testing import CliRunner

    from lanlab.cli.main import cli

    argv = [*lang, "sim", "run", str(HUB_VS_SWITCH), "--do", "pc1 ping pc3 -c 1", "--until", "1s", "--html", str(out)]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    return out
