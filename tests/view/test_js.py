"""The viewer script's own logic (state replay, event filters, layout, timeline, ladder, pcapng)
unit-tested in headless Chromium, without Node: tests/view/js/*.test.js run against the page's
logic modules on a harness page; each JS test failing fails its file's test here, naming it."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.view import read_document

import browserlab as browser
from simnets import ROUTED_HUBS_YAML

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))

JS = Path(__file__).resolve().parent / "js"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MODULES = (
    "util.js",
    "i18n.js",
    "state.js",
    "filters.js",
    "layout.js",
    "timeline.js",
    "ladder.js",
    "pcapng.js",
    "live.js",
)  # the page's logic modules, as the page loads them (i18n.js for live.js's L.t, live.js for its send row's words)
TEST_FILES = sorted(path.name for path in JS.glob("*.test.js"))


def harness_page(folder: Path, tests: dict[str, str], docs: dict[str, Any]) -> Path:
    """A page loading the modules, the harness, the documents (as jstest.docs) and the tests."""

    def script(text: str) -> str:
        return "<script>" + text.replace("</script", "<\\/script") + "</script>\n"

    parts = [script(files("lanlab.view").joinpath("assets", name).read_text(encoding="utf-8")) for name in MODULES]
    parts.append(script((JS / "harness.js").read_text(encoding="utf-8")))
    parts.append(script(f"jstest.docs = {json.dumps(docs)};"))
    for name, text in tests.items():
        parts.append(script(f"jstest.file = {json.dumps(name)};"))
        parts.append(script(text))
    path = folder / "harness.html"
    path.write_text(
        '<!doctype html><meta charset="utf-8"><title>lanlab js tests</title>\n' + "".join(parts), encoding="utf-8"
    )
    return path


def run_harness(driver: Any, page: Path) -> list[dict[str, Any]]:
    driver.get(page.resolve().as_uri())
    return driver.execute_script("return window.jstest ? window.jstest.results : null")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def driver():  # type: ignore[no-untyped-def]
    chromium = browser.start()
    yield chromium
    chromium.quit()


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real run's document for the JS tests: hub_vs_switch with pings across the hub and the switch."""
    out = tmp_path_factory.mktemp("hub") / "hub.html"
    result = CliRunner().invoke(
        cli,
        [
            "sim",
            "run",
            str(EXAMPLES / "hub_vs_switch.yaml"),
            "--do",
            "pc1 ping pc3 -c 2 -i 0.2",
            "--do",
            "at 1s pc1 ping pc2 -c 2 -i 0.2",
            "--until",
            "2s",
            "--html",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return {"hub": read_document(out), "networks": networks(tmp_path_factory.mktemp("networks"))}


def networks(folder: Path) -> dict[str, Any]:
    """The nodes and links of every example, of the demo's classroom and of a routed network with
    hubs, as their pages carry them (the layout's input)."""
    (folder / "routed_hubs.yaml").write_text(ROUTED_HUBS_YAML)
    runs = {
        path.stem: ["sim", "run", str(path), "--until", "1ms", "--max-events", "200"]
        for path in EXAMPLES.glob("*.yaml")
    }
    runs["routed_hubs"] = ["sim", "run", str(folder / "routed_hubs.yaml"), "--until", "1ms"]
    runs["demo"] = ["demo", "--pcap", str(folder / "demo.pcapng")]
    out = {}
    for name, words in sorted(runs.items()):
        page = folder / f"{name}.html"
        result = CliRunner().invoke(cli, [*words, "--html", str(page)])
        assert page.exists(), result.output
        document = read_document(page)
        out[name] = {key: document[key] for key in ("network", "nodes", "links")}
    return out


@pytest.fixture(scope="module")
def results(driver, docs, tmp_path_factory):  # type: ignore[no-untyped-def]
    tests = {name: (JS / name).read_text(encoding="utf-8") for name in TEST_FILES}
    got = run_harness(driver, harness_page(tmp_path_factory.mktemp("js"), tests, docs))
    assert got is not None, "the harness did not load"
    return got


def test_there_are_js_test_files():
    """The JS tests this file runs are found (state replay and filters at least)."""
    assert {
        "state.test.js",
        "filters.test.js",
        "layout.test.js",
        "timeline.test.js",
        "ladder.test.js",
        "pcapng.test.js",
        "hostile.test.js",
    } <= set(TEST_FILES)


@pytest.mark.parametrize("name", TEST_FILES)
def test_js_file_passes(results, name: str):
    """Every test in this JS file ran and passed; a failure names the JS test and its message."""
    mine = [r for r in results if r["file"] == name]
    failed = [f"{r['name']}: {r.get('message')}" for r in mine if not r["ok"]]
    assert mine, f"{name} ran no test"
    assert not failed, f"{len(failed)} of {len(mine)} JS tests failed in {name}:\n" + "\n".join(failed)
    print(f"{name}: {len(mine)} JS tests passed")


def test_the_harness_reports_a_failed_assertion_and_a_broken_file(driver, tmp_path: Path):
    """A JS assertion that fails, and a file that throws while loading, come back as failures with
    their names and messages, beside a test that passes."""
    tests = {
        "fails.test.js": 'test("adds", function () { assert.equal(1 + 1, 3, "sum"); });\n'
        'test("passes", function () { assert.deepEqual([1, {a: new Set([2])}], [1, {a: new Set([2])}]); });',
        "broken.test.js": "nosuchfunction();",
    }
    got = run_harness(driver, harness_page(tmp_path, tests, {}))
    by_name = {(r["file"], r["name"]): r for r in got}
    assert by_name[("fails.test.js", "passes")]["ok"] is True
    assert by_name[("fails.test.js", "adds")]["ok"] is False
    assert "sum: 2 !== 3" in by_name[("fails.test.js", "adds")]["message"]
    assert by_name[("broken.test.js", "(loading the file)")]["ok"] is False
    assert "nosuchfunction" in by_name[("broken.test.js", "(loading the file)")]["message"]


def test_the_pcapng_the_page_writes_reads_in_dpkt_and_tshark(driver, tmp_path: Path):
    """Frames of odd lengths with times past 2^32 ns, written by pcapng.js, read back by two other
    readers (dpkt and tshark) with the same bytes and nanosecond times, and no malformed packet."""
    import base64
    import shutil
    import subprocess

    import dpkt

    frames = [(10**9 * k + 4_294_967_296 * k + k, bytes(range(k, k + 14 + k * 7)) * 1) for k in range(1, 9)]
    page = harness_page(tmp_path, {}, {})
    driver.get(page.resolve().as_uri())
    written = base64.b64decode(
        driver.execute_script(
            """const frames = arguments[0].map(f => [f[0], Uint8Array.from(atob(f[1]), c => c.charCodeAt(0))]);
            const bytes = lanlab.pcapngBytes(frames); let text = '';
            for (const b of bytes) text += String.fromCharCode(b); return btoa(text);""",
            [[t, base64.b64encode(raw).decode()] for t, raw in frames],
        )
    )
    path = tmp_path / "page.pcapng"
    path.write_bytes(written)
    with open(path, "rb") as f:
        reader = dpkt.pcapng.Reader(f)
        assert reader.datalink() == dpkt.pcap.DLT_EN10MB
        read = [(round(ts * 1e9), raw) for ts, raw in reader]
    assert [raw for _, raw in read] == [raw for _, raw in frames]
    assert all(abs(t - want) < 1000 for (t, _), (want, _) in zip(read, frames))  # dpkt gives float seconds
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed")
    out = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(out) == len(frames)
    for line, (t, raw) in zip(out, frames):
        epoch, length, *_ = line.split("\t") + [""]
        seconds, _, fraction = epoch.partition(".")
        assert int(seconds) * 10**9 + int(fraction.ljust(9, "0")[:9]) == t
        assert int(length) == len(raw)
