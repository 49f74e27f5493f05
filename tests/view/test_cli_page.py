"""`sim run --html`, `sim view`, `demo --html`: pages written or served, and bad input in one line."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.view import read_document
from running import Running

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
        line = viewer.first_line
        while not line.startswith("viewer at"):
            line = viewer.proc.stdout.readline()
            assert line, viewer.stderr
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
