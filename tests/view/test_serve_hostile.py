"""`lanlab sim serve` and `lanlab sim view` against requests no page sends: other methods, bodies,
heads that are not HTTP, paths out of the server, another site's Host; a network named in Chinese
and quotes; socket messages missing their words; two pages at once, one of them vanishing mid-run;
SIGTERM. Each request gets its HTTP status, the server goes on serving, and nothing is read from
disk but what it serves."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

import pytest

import browserlab as browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUB = str(EXAMPLES / "hub_vs_switch.yaml")


class Served:
    """A `lanlab sim serve` (or `sim view`) process and its URL."""

    def __init__(self, words: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lanlab", *words, "--no-browser"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        deadline = time.monotonic() + 60
        line = ""
        while "http://" not in line and time.monotonic() < deadline:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line and self.process.poll() is not None:
                break
        match = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
        assert match, line + self.process.stderr.read()  # type: ignore[union-attr]
        self.url = match.group(1)
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "", parts.port or 0
        self.token = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("token", "")

    def stop(self, how: int = signal.SIGINT) -> tuple[int, str]:
        self.process.send_signal(how)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return self.process.returncode, err


def raw(served: Served, data: bytes, seconds: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; (status, headers, body) of the answer, read until the server closes."""
    with socket.create_connection((served.host, served.port), timeout=seconds) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before it had it all: the answer is still there to read
        answer = b""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(1 << 16)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), answer[:200]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def request(served: Served, method: str, path: str, more: str = "", body: bytes = b"") -> bytes:
    host = f"{served.host}:{served.port}"
    return f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{more}\r\n".encode() + body


@pytest.fixture(scope="module")
def serve() -> Iterator[Served]:
    served = Served(["sim", "serve", HUB])
    yield served
    status, _ = served.stop()
    assert status == 130


def test_other_methods_bodies_and_heads_that_are_not_http_get_their_status(serve: Served):
    """POST, PUT, DELETE are 405 with Allow (a POST of 4 MB too, answered before it is read); a GET
    with a body 400; HEAD the page's head without its body; a line that is not HTTP, a TLS hello, a
    path not in ASCII 400; HTTP/2.0 505. websockets closed the connection on most of these without
    a word, and served the page to POST and a body to HEAD."""
    page = f"/?token={serve.token}"
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        status, headers, _ = raw(serve, request(serve, method, page))
        assert (status, headers.get("allow")) == (405, "GET, HEAD"), method
    big = request(serve, "POST", page, "Content-Length: 4000000\r\n", b"x" * 4_000_000)
    assert raw(serve, big)[0] == 405
    assert raw(serve, request(serve, "GET", page, "Content-Length: 5\r\n", b"hello"))[0] == 400
    assert (
        raw(serve, request(serve, "GET", page, "Transfer-Encoding: chunked\r\n", b"5\r\nhello\r\n0\r\n\r\n"))[0] == 400
    )
    status, headers, body = raw(serve, request(serve, "HEAD", page))
    assert status == 200 and int(headers["content-length"]) > 100_000 and body == b""
    assert raw(serve, request(serve, "HEAD", f"/nowhere?token={serve.token}"))[0] == 404
    assert raw(serve, b"HELLO\r\n\r\n")[0] == 400
    assert raw(serve, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(100))[0] == 400
    assert raw(serve, f"GET /\u00e9?token={serve.token} HTTP/1.1\r\nHost: x\r\n\r\n".encode())[0] == 400
    assert raw(serve, f"GET {page} HTTP/2.0\r\nHost: x\r\n\r\n".encode())[0] == 505
    assert raw(serve, request(serve, "GET", page))[0] == 200  # and it goes on serving


def test_paths_out_of_the_server_and_another_sites_host_are_refused(serve: Served):
    """Path traversal in every spelling is 404 and reads nothing; a Host naming another machine is
    403 even with the token (a page of another site reaching loopback by DNS rebinding)."""
    for path in (
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/run.html/../../etc/passwd",
    ):
        status, _, body = raw(serve, request(serve, "GET", f"{path}?token={serve.token}"))
        assert status == 404 and b"root:" not in body, path
    foreign = f"GET /?token={serve.token} HTTP/1.1\r\nHost: evil.example:{serve.port}\r\n\r\n".encode()
    assert raw(serve, foreign)[0] == 403
    for host in (f"localhost:{serve.port}", f"127.0.0.1:{serve.port}"):
        assert raw(serve, f"GET /?token={serve.token} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())[0] == 200


def test_socket_messages_missing_their_words_are_told_so(serve: Served):
    """A message without the key its op needs is answered naming that key and what it holds; a pace
    that is no number says so; the socket goes on answering."""
    from websockets.sync.client import connect

    with connect(f"ws://{serve.host}:{serve.port}/ws?token={serve.token}") as ws:
        assert json.loads(ws.recv())["type"] == "document"
        for message, words in [
            ({"op": "pace"}, "needs 'pace'"),
            ({"op": "pace", "pace": "fast"}, "'fast' is not a number"),
            ({"op": "do"}, "needs 'text'"),
            ({"op": "frame"}, "needs 'index'"),
            ({"op": "add"}, "needs 'kind'"),
        ]:
            ws.send(json.dumps(message))
            while (reply := json.loads(ws.recv(timeout=10)))["type"] != "reply":
                pass
            assert reply["ok"] is False and words in reply["error"], (message, reply)


def test_two_pages_at_once_and_one_vanishing_mid_run(serve: Served):
    """Two pages on one run: one starts it as fast as it goes and vanishes without closing; the other
    goes on getting batches and driving the run, and a page opening later gets the run so far."""
    from websockets.sync.client import connect

    url = f"ws://{serve.host}:{serve.port}/ws?token={serve.token}"
    with connect(url, max_size=None) as a, connect(url, max_size=None) as b:
        a.recv(), b.recv()
        for message in (
            {"op": "pace", "pace": 0},
            {"op": "do", "text": "pc1 ping pc3 -c 1000 -i 0.01"},
            {"op": "start"},
        ):
            a.send(json.dumps(message))
        time.sleep(0.5)
        a.socket.shutdown(socket.SHUT_RDWR)  # gone mid-run: no closing handshake
        seen, deadline = 0, time.monotonic() + 20
        while seen < 200 and time.monotonic() < deadline:
            message = json.loads(b.recv(timeout=10))
            if message["type"] == "batch":
                seen += len(message["events"]["t"])
        assert seen >= 200, "the other page stopped hearing the run"
        b.send(json.dumps({"op": "pause"}))
        while (reply := json.loads(b.recv(timeout=10)))["type"] != "reply":
            pass
        assert reply == {"type": "reply", "op": "pause", "ok": True}
    with connect(url, max_size=None) as c:
        first = json.loads(c.recv(timeout=20))
        assert first["type"] == "document" and len(first["document"]["events"]["t"]) >= 200


def test_a_network_named_in_chinese_and_quotes_downloads(tmp_path: Path):
    """A network named 中文 "q" a;b: "run as a page" and "save network (YAML)" download (they were 500:
    a header value must be ASCII), named by an ASCII fallback and the name itself (RFC 6266's filename*)."""
    name = '中文 "q" a;b'
    topology = tmp_path / "zh.yaml"
    topology.write_text(
        f"name: {json.dumps(name)}\nnodes:\n  pc1: {{kind: host, ip: 198.18.0.1/24}}\n"
        "  pc2: {kind: host, ip: 198.18.0.2/24}\nlinks:\n  - [pc1:eth0, pc2:eth0]\n",
        encoding="utf-8",
    )
    served = Served(["sim", "serve", str(topology)])
    try:
        for path, suffix in (("/run.html", ".html"), ("/network.yaml", ".yaml")):
            status, headers, _ = raw(served, request(served, "GET", f"{path}?token={served.token}"))
            assert status == 200, path
            disposition = headers["content-disposition"]
            assert disposition.isascii() and 'filename="' in disposition
            whole = unquote(disposition.split("filename*=UTF-8''", 1)[1])
            assert whole.startswith("中文") and whole.endswith(suffix), disposition
        assert raw(served, request(served, "GET", f"/?token={served.token}"))[0] == 200
    finally:
        status, err = served.stop()
    assert status == 130 and "Traceback" not in err, err


def test_sigterm_ends_sim_serve_as_ctrl_c_does(tmp_path: Path):
    """`kill PID`: exit status 130 after the session's command line, and the workspace's folder is
    removed (SIGTERM's default left lanlab-serve-* behind in the temporary directory)."""
    served = Served(["sim", "serve", HUB], env={"TMPDIR": str(tmp_path)})
    assert list(tmp_path.glob("lanlab-serve-*")), "the workspace's folder is made"
    status, err = served.stop(signal.SIGTERM)
    assert status == 130 and "the session: lanlab sim run" in err, err
    assert list(tmp_path.glob("lanlab-serve-*")) == []


def test_sim_view_answers_each_request_with_its_status():
    """sim view: HEAD the page's head without a body, POST 405 with Allow, another site's Host 403, a
    path out of it 404; SIGTERM stops it as Ctrl-C does (130)."""
    served = Served(["sim", "view", HUB, "--until", "1s", "--do", "pc1 ping pc3 -c 1"])
    try:
        status, headers, body = raw(served, request(served, "HEAD", "/"))
        assert status == 200 and int(headers["content-length"]) > 100_000 and body == b""
        status, headers, _ = raw(served, request(served, "POST", "/", "Content-Length: 3\r\n", b"abc"))
        assert (status, headers.get("allow")) == (405, "GET, HEAD")
        assert raw(served, f"GET / HTTP/1.1\r\nHost: evil.example:{served.port}\r\n\r\n".encode())[0] == 403
        assert raw(served, request(served, "GET", "/../../etc/passwd"))[0] == 404
        assert raw(served, request(served, "GET", "/document.json"))[0] == 200
    finally:
        status, err = served.stop(signal.SIGTERM)
    assert status == 130, err


HOSTILE = """name: odd
nodes:
  "it's": {kind: host, ip: 198.18.0.1/24}
  "a \\"b\\"]": {kind: host, ip: 198.18.0.2/24}
  "<img src=x onerror=window.pwned=1>": {kind: host, ip: 198.18.0.3/24}
  DESKTOP1: {kind: host, ip: 198.18.0.4/24}
  sw1: {kind: switch}
links:
  - ["it's:eth0", sw1:p1]
  - ["a \\"b\\"]:eth0", sw1:p2]
  - ["<img src=x onerror=window.pwned=1>:eth0", sw1:p3]
  - [DESKTOP1:eth0, sw1:p4]
"""


@pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))
def test_the_live_page_drives_nodes_with_quotes_and_markup_in_their_names(tmp_path: Path):
    """On the live page, clicking every node and cable works (a name with a quote broke the tables'
    selector); sending from a host named it's to DESKTOP1 schedules `'it'"'"'s' ping DESKTOP1` (the
    template's TO replaced inside DESKTOP1 before); the header counts the events as the run goes (it
    kept the count the page opened with); nothing in the names runs."""
    topology = tmp_path / "odd.yaml"
    topology.write_text(HOSTILE, encoding="utf-8")
    served = Served(["sim", "serve", str(topology)])
    driver = browser.start()
    try:
        driver.get(served.url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not driver.execute_script(
            "return !!(window.lanlab && lanlab.live && lanlab.live.socket.readyState === 1)"
        ):
            time.sleep(0.1)
        driver.get_log("browser")
        driver.execute_script("lanlab.topology.cy.elements().forEach(e => e.emit('tap'))")
        driver.execute_script(
            """const set = (test, value) => { const s = document.querySelector('[data-test=' + test + ']'); s.value = value; };
            set('live-from', "it's"); set('live-to', 'DESKTOP1'); set('live-verb', 'ping -c 1');
            document.querySelector('[data-test=live-act]').click();"""
        )
        answer = ""
        while time.monotonic() < deadline and "scheduled" not in answer:
            answer = driver.find_element("css selector", '[data-test="live-answer"]').text
            time.sleep(0.1)
        assert answer.endswith("""'it'"'"'s' ping DESKTOP1 -c 1"""), answer
        driver.execute_script("document.querySelector('[data-test=live-run]').click()")
        header, deadline = "", time.monotonic() + 30
        while not header and time.monotonic() < deadline:
            header = driver.execute_script(
                "const n = lanlab.viewer.run.count; const m = document.querySelector('[data-test=meta]').textContent;"
                "return n > 0 && m.includes(n.toLocaleString('en') + ' events') ? m : ''"
            )
            time.sleep(0.1)
        assert header, "the header counts the events as they come"
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        assert driver.execute_script("return window.pwned") is None
    finally:
        driver.quit()
        served.stop()


def test_an_edit_nested_thousands_deep_or_binary_is_refused_not_a_crash(monkeypatch):
    """A value [[[[... 20,000 deep (PyYAML recursed out: the socket closed with a traceback; later its
    RecursionError was caught, now it is refused before PyYAML reads it) and a !!binary one (written
    back as lines, it broke the file) and one with an alias (&a [*a], a list holding itself: a
    RecursionError) are refused with a reason."""
    from hostile_yaml import forbid_recursive_composer

    from lanlab.view.workspace import BuildError, Workspace

    workspace = Workspace({"name": "w", "nodes": {"pc1": {"kind": "host", "ip": "198.18.0.1/24"}}, "links": []})
    with monkeypatch.context() as patch:
        forbid_recursive_composer(patch)
        for deep in ("[" * 20000 + "]" * 20000, "{a: " * 5000 + "1" + "}" * 5000):
            with pytest.raises(BuildError, match="nested deeper"):
                workspace.edit("pc1", "mtu", deep)
    for binary in ("!!binary aGVsbG8=", "[1, !!binary aGVsbG8=]"):
        with pytest.raises(BuildError, match="binary data"):
            workspace.edit("pc1", "mtu", binary)
    for aliased in ("&a [*a]", "[&b [1], *b]"):  # a list holding itself was a RecursionError
        with pytest.raises(BuildError, match="an alias"):
            workspace.edit("pc1", "mtu", aliased)
    assert workspace.edit("pc1", "mtu", "1400").spec["nodes"]["pc1"]["mtu"] == 1400


def test_a_message_that_breaks_something_is_answered_and_a_failing_slice_pauses_the_run(monkeypatch, capsys):
    """Whatever one message raises, its page gets an error reply (the socket stayed open); a slice of
    simulation that raises pauses the run, says so on the terminal, and the server's loop goes on."""
    import asyncio

    from lanlab.sim import load_topology, schedule
    from lanlab.view import live_server
    from lanlab.view.live import LiveSession

    session = LiveSession(load_topology(HUB), schedule=schedule, source=["test"])
    server = live_server.LiveServer(session, port=0)

    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug somewhere below")

    monkeypatch.setattr(session, "step", broken)
    reply = server.act(json.dumps({"op": "step"}))
    assert reply["ok"] is False and "ZeroDivisionError: a bug somewhere below" in reply["error"]
    monkeypatch.setattr(session, "advance", broken)

    async def run_a_while() -> None:
        session.start()
        task = asyncio.create_task(server.run_simulator())
        await asyncio.sleep(0.3)
        assert not task.done(), "the simulator's loop goes on"
        task.cancel()

    asyncio.run(run_a_while())
    assert session.running is False
    assert "the run stopped at sim time 0.000000 s: ZeroDivisionError" in capsys.readouterr().err
