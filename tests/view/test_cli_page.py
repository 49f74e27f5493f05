"""`sim run --html`, `sim view`, `demo --html`: pages written or served, and bad input in one line."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.view import read_document
from running import Running
from tests.helpers.languages import needs_the_catalogue

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUB = str(EXAMPLES / "hub_vs_switch.yaml")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_html_page_is_self_contained(tmp_path: Path):
    """The page inlines its data, style and script: no src= or href= to anything outside it."""
    out = tmp_path / "run.html"
    result = invoke("sim", "run", HUB, "--do", "pc1 ping pc3 -c 1", "--until", "1s", "--html", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert " src=" not in text.split("<script>")[0] and "<link" not in text
    assert "cytoscape" in text and read_document(out)["network"] == "hub-vs-switch"


def test_html_to_an_unwritable_place_is_one_line_exit_2(tmp_path: Path):
    """--html into a missing folder: one line naming the file, exit 2, before any run."""
    result = invoke("sim", "run", HUB, "--html", str(tmp_path / "missing" / "run.html"))
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "--html" in result.output and "Traceback" not in result.output


def test_html_to_a_directory_is_one_line_exit_2(tmp_path: Path):
    """--html naming a directory is refused the same way."""
    result = invoke("sim", "run", HUB, "--html", str(tmp_path))
    assert result.exit_code == 2 and "--html" in result.output


def test_a_run_stopped_by_max_events_still_writes_its_page_with_a_banner(tmp_path: Path):
    """A storm stopped by --max-events: the page is written and says why the run is short."""
    out = tmp_path / "storm.html"
    result = invoke("sim", "run", str(EXAMPLES / "storm.yaml"), "--max-events", "2000", "--html", str(out))
    assert result.exit_code == 1
    document = read_document(out)
    assert "--max-events 2000" in document["stopped"]
    assert len(document["events"]["t"]) > 2000


def test_a_storm_stopped_page_says_why_in_english_with_each_language_beside_it(tmp_path: Path, monkeypatch):
    """A run stopped by its broadcast storm, written under --lang zh and en: the same document, whose
    `stopped` is English and `stopped_shown` the Chinese the banner shows."""
    import lanlab.cli.sim

    needs_the_catalogue()
    monkeypatch.setattr(lanlab.cli.sim, "EVENTS_AFTER_STORM", 2000)  # a small page (200,000 by default)
    documents = []
    for language in ("zh", "en"):
        out = tmp_path / f"{language}.html"
        result = invoke("--lang", language, "sim", "run", str(EXAMPLES / "storm.yaml"), "--html", str(out))
        assert result.exit_code == 1, result.output
        documents.append(read_document(out))
    chinese, english = ({key: d[key] for key in ("stopped", "stopped_shown")} for d in documents)
    assert chinese == english
    assert english["stopped"].startswith("stopped at sim time ")
    listed = f"{len(documents[1]['events']['t']):,}"  # the rows the header counts, not the simulator's events
    assert english["stopped"].endswith(
        f" simulator events (2,000 events after the broadcast storm began): the {listed} events listed are the run so far"
    )
    assert english["stopped_shown"]["zh"].startswith("在模拟时间 ")
    assert english["stopped_shown"]["zh"].endswith(
        f"个模拟器事件之后停止（广播风暴开始后又过了 2,000 个事件）：列表中的 {listed} 个事件是到此为止的运行过程"
    )


@pytest.mark.parametrize(
    "interrupted, stopped_by, english, chinese",
    [
        (
            True,
            None,
            "interrupted (Ctrl-C) at sim time 0.250000 s after 12,345 simulator events: "
            "the 40,000 events listed are the run so far",
            "在模拟时间 0.250000 秒、12,345 个模拟器事件之后被中断（Ctrl-C）：列表中的 40,000 个事件是到此为止的运行过程",
        ),
        (
            False,
            "max-events",
            "stopped at sim time 0.250000 s after 12,345 simulator events (--max-events 3000): "
            "the 40,000 events listed are the run so far",
            "在模拟时间 0.250000 秒、12,345 个模拟器事件之后停止（--max-events 3000）：列表中的 40,000 个事件是到此为止的运行过程",
        ),
    ],
)
def test_each_reason_for_stopping_is_english_and_has_its_chinese(interrupted, stopped_by, english, chinese):
    """Ctrl-C and --max-events: the banner's sentence is English, its Chinese beside it (in_each_language)."""
    from types import SimpleNamespace

    from lanlab.cli.sim_view import stopped_reason
    from lanlab.view.catalogue import in_each_language

    needs_the_catalogue()
    engine = SimpleNamespace(events=12345, stopped=True, stopped_by=stopped_by, max_events=3000, events_after_storm=0)
    reason = stopped_reason(SimpleNamespace(engine=engine, now=250_000_000), interrupted, 40_000)
    assert reason == english and in_each_language(reason) == {"zh": chinese}


def test_view_on_a_busy_port_is_one_line_exit_2():
    """sim view --port N when N is taken: one line, exit 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("sim", "view", HUB, "--port", str(port), "--no-browser")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and f"--port {port}" in result.output


def test_view_serves_the_page_on_loopback_until_stopped():
    """sim view prints the URL first; the page there holds the run's document; SIGINT stops it (130)."""
    import signal

    viewer = Running("sim", "view", HUB, "--do", "pc1 ping pc3 -c 1", "--until", "1s", "--no-browser", "--port", "0")
    try:
        line = viewer.first_line if viewer.first_line.startswith("viewer at") else viewer.expect("viewer at")
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        assert read_document(page)["network"] == "hub-vs-switch"
        missing = urllib.request.Request(url + "elsewhere")
        try:
            urllib.request.urlopen(missing, timeout=5)
            raise AssertionError("the server answered a path it does not serve")
        except urllib.error.HTTPError as error:
            assert error.code == 404
    finally:
        status = viewer.stop(signal.SIGINT)
    assert status == 130


def test_demo_html_writes_the_classroom_run(tmp_path: Path):
    """lanlab demo --html: the story as usual, and the classroom run as a page with its hub and switch."""
    out = tmp_path / "demo.html"
    result = invoke("demo", "--html", str(out), "--pcap", str(tmp_path / "demo.pcapng"))
    assert result.exit_code == 0, result.output
    document = read_document(out)
    kinds = {node["kind"] for node in document["nodes"]}
    assert {"hub", "switch", "host"} <= kinds and document["stopped"] is None
    assert "UDP" in document["events"]["proto"]


def test_demo_real_refuses_html():
    """--real runs no simulator, so --html with it is one line, exit 2."""
    result = invoke("demo", "--real", "--html", "x.html")
    assert result.exit_code == 2 and "--html" in result.output


def test_a_run_stopped_by_ctrl_c_still_writes_its_page_with_a_banner(tmp_path: Path):
    """A storm with no event limit, interrupted: exit 130 and a page saying it was interrupted."""
    import signal
    import time

    out = tmp_path / "storm.html"
    run = Running(
        "sim",
        "run",
        str(EXAMPLES / "storm.yaml"),
        "--max-events",
        "0",
        "--until",
        "1000s",
        "--trace",
        "jsonl",
        "--html",
        str(out),
    )
    time.sleep(1.0)
    status = run.stop(signal.SIGINT, timeout=60)
    assert status == 130, run.stderr
    document = read_document(out)
    assert document["stopped"].startswith("interrupted (Ctrl-C)")
    assert len(document["events"]["t"]) > 100


def test_program_output_is_in_the_page(tmp_path: Path):
    """--app programs: each one's lines with their virtual times, for the programs pane."""
    program = tmp_path / "hello.py"
    program.write_text("import time\nprint('hello <b>world</b>')\ntime.sleep(0.5)\nprint('later')\n")
    out = tmp_path / "apps.html"
    result = invoke("sim", "run", HUB, "--until", "1s", "--app", f"pc1={program}", "--html", str(out))
    assert result.exit_code == 0, result.output
    [entry] = read_document(out)["programs"]
    assert entry["node"] == "pc1" and [text for _, text in entry["output"]] == ["hello <b>world</b>", "later"]
    assert entry["output"][1][0] - entry["output"][0][0] >= 500_000_000


def test_a_page_written_to_a_named_pipe_waits_for_no_reader_before_the_run(tmp_path):
    """sim run --html FIFO: the check before the run no longer opens the pipe (it hung there until a reader
    came, and a reader there got an empty page); the page arrives whole once the run is done."""
    import os
    import subprocess
    import sys
    import threading

    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hub_vs_switch.yaml"
    run = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "sim", "run", str(EXAMPLE), "--until", "1s", "--html", str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        out, err = run.communicate(timeout=60)
    finally:
        run.kill()
    reader.join(timeout=10)
    assert run.returncode == 0, err
    assert got and got[0].startswith(b"<!doctype html>") and got[0].rstrip().endswith(b"</html>")
