"""`lanlab sim serve`'s server: the page, its WebSocket, and the run's downloads, on one port.

Safety as Jupyter's: every request and the socket carry the random token of the URL (403
without it); a request whose Origin is not the page's own is refused (another site's script
cannot drive the simulator), and on loopback so is one whose Host names another machine (a page
reaching here through a name of its own, DNS rebinding); the page can only send the messages
below, none of which carries code (programs come only from `--app` on the command line). Every
request is answered with its HTTP status: a head that is not HTTP/1.x 400 (505 another version),
a method but GET and HEAD 405, a body 400 (nothing here takes one), an unknown path 404; websockets,
which serves the rest, would close the connection on the first three without a word (`_Connection`).

Messages from the page, JSON: {"op": "start"|"pause"|"step"}, {"op": "pace", "pace": k} (0: as
fast as it goes), {"op": "do", "text": "pc1 ping pc3 -c 1"}, {"op": "frame", "index": i} (frame i
whole: the document's frames are brief). To the page: {"type": "document",
"document", "state", "workspace", "fields"} once (a workspace being built: its YAML spec, and each
node kind's fields for the edit form), then {"type": "batch", ...} as the run moves (LiveSession.batch), and
{"type": "reply", "op", "ok", "error"?, "text"?, "index"?, "frame"?} to each message.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import json
import math
import re
import secrets
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, quote, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from lanlab.topology.settings import NODE_FIELDS
from lanlab.view.document import to_json
from lanlab.view.live import LiveSession
from lanlab.view.page import render_page
from lanlab.text import json_nests_deeper
from lanlab.view.server import is_loopback_name, loopback_host
from lanlab.view.workspace import BuildError, Workspace

BATCH_EVERY = 0.03  # s at least between two batches to one page (each costs the page a re-index)
IDLE_LOOK = 0.1  # s between two looks for a page when no slice brought news (the clock, a pause)
TICK = 0.005  # s the loop sleeps between two slices of simulation while running
MAX_MESSAGE = 64 * 1024
# Levels of [ and { in a message: the page's are 3 deep. json.loads recurses once a level, and its
# RecursionError is no answer: near the interpreter's limit, any finalizer the collector runs fails
# too and prints its traceback ("Exception ignored in ..."), so [[[[... is refused before it is read.
MAX_NESTING = 100
HEAD_LIMIT = 16 * 1024  # bytes of a request's line and headers; past them 414 or 431, as websockets says
REFUSED_LINGER = 2.0  # s a refused request's connection stays to drain what the client still sends


class LiveServer:
    """Serves one LiveSession to any number of pages (each with its own place in the run)."""

    def __init__(
        self,
        session: LiveSession,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        builder: Builder | None = None,
    ) -> None:
        """builder: how the page's edits are checked and become a network (None: no building)."""
        self.session = session
        self.builder = builder
        self.sockets: set[ServerConnection] = set()
        self.host = host
        self.port = port
        self.token = token or secrets.token_urlsafe(24)
        self.server: Any = None
        self.errors: list[str] = []
        # Set (and replaced) when a slice of simulation or a message changed the run: the pages'
        # senders wake on it, so a batch leaves right after the slice, before the next one holds
        # the loop.
        self.news = asyncio.Event()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/?token={self.token}"

    async def start(self) -> None:
        """Bind now (an OSError says the port is taken) and start running the simulator."""
        self.server = await serve(
            self.talk,
            self.host,
            self.port,
            process_request=self.check_request,
            max_size=MAX_MESSAGE,
            compression=None,
            create_connection=_Connection,
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.runner = asyncio.create_task(self.run_simulator())

    async def close(self) -> None:
        self.runner.cancel()
        self.server.close()
        await self.server.wait_closed()

    # -- HTTP: the token, the Origin, the page and its downloads -------------------------------------
    async def check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """What a request gets (None: the socket's handshake goes on). HEAD gets GET's head."""
        response = await self.answer(connection, request)
        if response is not None and request.method == "HEAD":
            return Response(response.status_code, response.reason_phrase, response.headers, b"")
        return response

    async def answer(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        token = parse_qs(url.query).get("token", [""])[0]
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return connection.respond(
                HTTPStatus.FORBIDDEN, "403: this URL needs the token `lanlab sim serve` printed\n"
            )
        if not self.host_allowed(request.headers.get("Host")):
            return connection.respond(
                HTTPStatus.FORBIDDEN,
                "403: this server listens on loopback and answers to 127.0.0.1, localhost or [::1] only\n",
            )
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{request.headers.get('Host', '')}":
            return connection.respond(HTTPStatus.FORBIDDEN, "403: requests from another site's page are refused\n")
        if url.path == "/ws":
            if request.method != "GET":
                return _refused_method(connection, "GET")
            return None  # the WebSocket handshake goes on
        if url.path in ("/", "/index.html"):
            return _response(render_page(self.session.document, live=True).encode(), "text/html; charset=utf-8")
        if url.path == "/network.yaml" and self.builder is not None:
            return _response(
                self.builder.workspace.to_yaml()[0].encode(),
                "application/yaml; charset=utf-8",
                f"{self.builder.workspace.file_stem()}.yaml",
            )
        if url.path == "/run.html":  # the run so far as the viewer's page (works offline, like --html)
            # Every frame decoded whole takes seconds for a long run: done in a thread, from a copy
            # of the document taken now, so the loop goes on simulating and feeding pages meanwhile.
            snapshot = self.session.snapshot()
            return _response(
                await asyncio.to_thread(lambda: render_page(self.session.whole_document(snapshot)).encode()),
                "text/html; charset=utf-8",
                f"{self.session.network.name}.html",
            )
        return connection.respond(
            HTTPStatus.NOT_FOUND,
            "404: lanlab sim serve serves /, /ws, /run.html"
            + (" and /network.yaml" if self.builder is not None else "")
            + " (with the URL's token)\n",
        )

    def host_allowed(self, host: str | None) -> bool:
        """Listening on loopback, a request must name loopback (any port): a page of another site that
        reached here under a name of its own (DNS rebinding) is refused, even with the token. No Host
        (HTTP/1.0) is allowed; listening elsewhere (--host), any is."""
        return not is_loopback_name(self.host) or loopback_host(host)

    # -- the simulator ---------------------------------------------------------------------------------
    async def run_simulator(self) -> None:
        while True:
            if self.session.running:
                try:
                    self.session.advance()
                except Exception as error:  # noqa: BLE001 - the run pauses; the server and its pages go on
                    self.session.pause()
                    self.errors.append(f"{type(error).__name__}: {error}")
                    print(
                        f"lanlab: the run stopped at sim time {self.session.network.now / 1e9:.6f} s: {self.errors[-1]}",
                        file=sys.stderr,
                    )
                    self.tell_pages()
                    continue
                # What a slice adds stays for the session's life (the document, the frames
                # kept): out of the cyclic collector's sight, or each collection rescans the
                # whole growing run (a quarter of the server's CPU on bench/serve.py). A
                # session replaced unfreezes them (build).
                gc.freeze()
                self.tell_pages()
                await asyncio.sleep(TICK)
            else:
                await asyncio.sleep(0.05)

    def tell_pages(self) -> None:
        """Wake every page's sender: the run moved."""
        self.news.set()
        self.news = asyncio.Event()

    # -- one page ------------------------------------------------------------------------------------
    async def talk(self, socket: ServerConnection) -> None:
        session = self.session
        cursor = session.cursor()
        workspace = self.builder.workspace.spec if self.builder is not None else None
        await socket.send(
            to_json(
                {
                    "type": "document",
                    "document": session.document,
                    "state": session.state(),
                    "workspace": workspace,
                    "fields": NODE_FIELDS if workspace is not None else None,
                }
            )
        )
        sender = asyncio.create_task(self.send_batches(socket, cursor))
        self.sockets.add(socket)
        try:
            async for message in socket:
                before = self.session
                await socket.send(json.dumps(self.act(message)))
                self.tell_pages()  # a step, a pause, a new pace: the pages see it now
                if self.session is not before:  # a new network: every page loads it afresh
                    for page in list(self.sockets):
                        await page.send(json.dumps({"type": "reload"}))
        except ConnectionClosed:
            pass
        finally:
            self.sockets.discard(socket)
            sender.cancel()

    async def send_batches(self, socket: ServerConnection, cursor: tuple[int, int, int, int]) -> None:
        """Each page at its own place in the run: a batch when a slice or a message brought news
        (or after IDLE_LOOK without), at most one every BATCH_EVERY."""
        loop = asyncio.get_running_loop()
        try:
            sent_state: dict[str, Any] = {}
            session = self.session
            sent_at = 0.0
            while self.session is session:
                try:
                    await asyncio.wait_for(self.news.wait(), IDLE_LOOK)
                except TimeoutError:
                    pass
                wait = BATCH_EVERY - (loop.time() - sent_at)
                if wait > 0:  # ends when the loop is free again: after a slice running now
                    await asyncio.sleep(wait)
                state = self.session.state()
                if self.session.cursor() == cursor and state == sent_state:
                    continue
                batch = self.session.batch(cursor)
                cursor, sent_state = self.session.cursor(), state
                sent_at = loop.time()
                await socket.send(to_json(batch))
        except ConnectionClosed:
            pass

    def act(self, message: str | bytes) -> dict[str, Any]:
        """Do what one message from the page asks; the reply."""
        refused = {"type": "reply", "op": None, "ok": False, "error": 'expected {"op": ...} as JSON'}
        if json_nests_deeper(message, MAX_NESTING):
            return refused
        try:
            request = json.loads(message)
            op = request["op"]
        except (ValueError, KeyError, TypeError):
            return refused
        session = self.session
        reply: dict[str, Any] = {"type": "reply", "op": op, "ok": True}
        try:
            if op == "start":
                session.start()
            elif op == "pause":
                session.pause()
            elif op == "step":
                reply["events"] = session.step()
            elif op == "pace":
                value = _needed(request, "pace", "a number: 1 real time, 0 as fast as it goes")
                try:
                    pace = float(value)
                except OverflowError:  # an integer of hundreds of digits: past any pace, as set_pace says
                    pace = math.inf
                except (TypeError, ValueError):
                    raise ValueError(f"pace: {value!r} is not a number (1: real time, 0: as fast as it goes)") from None
                session.set_pace(pace)
            elif op == "do":
                reply["text"] = session.do(
                    str(_needed(request, "text", 'the words of sim run --do, like "pc1 ping pc3"'))
                )
            elif op == "frame":
                reply["index"] = index = _needed(request, "index", "a frame's number in the document")
                if not isinstance(index, int) or isinstance(index, bool):
                    raise ValueError(f"frame: index is a frame's number in the document, not {index!r}")
                reply["frame"] = session.frame(index)
            elif op in BUILD_OPS:
                return {**reply, **self.build(request)}
            else:
                return {
                    **reply,
                    "ok": False,
                    "error": f"unknown op {op!r}: start, pause, step, pace, do, frame, " + ", ".join(BUILD_OPS),
                }
        except BuildError as error:
            return {**reply, "ok": False, "error": str(error)}
        except (ValueError, KeyError, TypeError, IndexError) as error:  # CommandError is a ValueError
            message_text = str(error).strip("'\"") if isinstance(error, KeyError) else str(error)
            return {**reply, "ok": False, "error": message_text}
        except Exception as error:  # noqa: BLE001 - one message that breaks something is answered, not the socket closed
            self.errors.append(f"{type(error).__name__}: {error}")
            print(f"lanlab: a page's {op!r} failed: {self.errors[-1]}", file=sys.stderr)
            return {**reply, "ok": False, "error": f"{op}: failed ({type(error).__name__}: {error})"}
        return reply

    def build(self, request: dict[str, Any]) -> dict[str, Any]:
        """One edit of the network; kept (and the network rebuilt at 0 s) only if `sim check` passes."""
        builder = self.builder
        if builder is None:
            raise BuildError(builder_refusal)
        workspace = builder.workspace
        op = request["op"]
        answer: dict[str, Any] = {}

        def word(key: str, what: str) -> str:
            return str(_needed(request, key, what))

        if op == "add":
            new, answer["node"] = workspace.add(word("kind", "host, switch, hub or router"))
        elif op == "cable":
            new, answer["ends"] = workspace.cable(word("a", "a node's name"), word("b", "a node's name"))
        elif op == "uncable":
            new = workspace.uncable(word("a", "NODE:PORT"), word("b", "NODE:PORT"))
        elif op == "edit":
            field, value = word("field", "a field's name, like ip"), word("value", "the value as YAML, or empty")
            new = workspace.edit(str(request.get("node", "")), field, value)
        else:  # remove
            new = workspace.remove(word("node", "a node's name"))
        problems = builder.problems(new)
        if problems:
            return {"ok": False, "error": "; ".join(p["message"] for p in problems), "problems": problems}
        builder.workspace = new
        self.session = builder.session_of(new)
        gc.unfreeze()  # the old session's network (cycles of nodes and links) can be collected
        return {"ok": True, **answer}


BUILD_OPS = ("add", "cable", "uncable", "edit", "remove")
builder_refusal = "this page runs a network with --app programs: build without --app to edit it"


class Builder:
    """The network being built and how it is checked and run (given by the command line)."""

    def __init__(
        self,
        workspace: Workspace,
        check: Callable[[Path], list[str]],
        session_of: Callable[[Path, Workspace], LiveSession],
        folder: Path,
    ) -> None:
        """check(path): `sim check`'s problems with a file; session_of(path, workspace): a new
        session running the network in that file; folder: where the files being checked go."""
        self.workspace = workspace
        self.check = check
        self.folder = folder
        self._session_of = session_of

    def problems(self, workspace: Workspace) -> list[dict[str, Any]]:
        return workspace.problems(self.check, self.folder)

    def session_of(self, workspace: Workspace) -> LiveSession:
        path = self.folder / "network.yaml"
        path.write_text(workspace.to_yaml()[0], encoding="utf-8")
        return self._session_of(path, workspace)


def _response(body: bytes, content_type: str, download: str | None = None) -> Response:
    headers = Headers()
    headers["Content-Type"] = content_type
    headers["Content-Length"] = str(len(body))
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    if download is not None:
        headers["Content-Disposition"] = attachment(download)
    return Response(200, "OK", headers, body)


def attachment(name: str) -> str:
    """Content-Disposition for a download called `name` (the network's name, which may be 中文 or hold
    quotes): an ASCII fallback, and the name itself in RFC 5987's filename* (RFC 6266). A header value
    must be printable ASCII (websockets refused the rest with a 500: a Chinese network's downloads failed)."""
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" ._") or "lanlab"
    whole = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", name).strip() or plain  # no controls or path separators either way
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(whole, safe='')}"


def _needed(request: dict[str, Any], key: str, what: str) -> Any:
    """request[key], or a ValueError naming it and what it is (not Python's bare KeyError)."""
    if key not in request:
        raise ValueError(f"{request.get('op')}: the message needs {key!r}: {what}")
    return request[key]


def _refused_method(connection: ServerConnection, allowed: str) -> Response:
    response = connection.respond(HTTPStatus.METHOD_NOT_ALLOWED, f"405: this path takes {allowed}\n")
    response.headers["Allow"] = allowed
    return response


def _refusal(head: bytes, end: int) -> tuple[HTTPStatus, str, dict[str, str]] | None:
    """What is wrong with a request's head so far (`end`: where it ends, -1 while it has not), as
    (status, text, headers), or None (fine so far, or a whole head websockets may have)."""
    line_end = head.find(b"\r\n")
    if head and not head[:1].isalpha():  # a TLS hello, a stray protocol: no request line begins so
        return HTTPStatus.BAD_REQUEST, "400: this is an HTTP server (http://, not https://)\n", {}
    if line_end < 0:
        if b"\n" in head:
            return HTTPStatus.BAD_REQUEST, "400: an HTTP request's lines end with CRLF\n", {}
        if len(head) > HEAD_LIMIT:
            return HTTPStatus.REQUEST_URI_TOO_LONG, "414: the request line is too long\n", {}
        return None
    line = head[:line_end]
    parts = line.split(b" ")
    if len(parts) != 3 or not re.fullmatch(rb"[A-Z]+", parts[0]) or not re.fullmatch(rb"[\x21-\x7e]+", parts[1]):
        return HTTPStatus.BAD_REQUEST, "400: not an HTTP request line (METHOD /path HTTP/1.1, the path in ASCII)\n", {}
    version = re.fullmatch(rb"HTTP/(\d)\.(\d)", parts[2])
    if version is None:
        return HTTPStatus.BAD_REQUEST, "400: not an HTTP request line (METHOD /path HTTP/1.1)\n", {}
    if parts[2] not in (b"HTTP/1.0", b"HTTP/1.1"):
        return HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, "505: this server speaks HTTP/1.1 (and 1.0)\n", {}
    if parts[0] not in (b"GET", b"HEAD"):
        return HTTPStatus.METHOD_NOT_ALLOWED, "405: this server takes GET and HEAD only\n", {"Allow": "GET, HEAD"}
    if end < 0:
        if len(head) > HEAD_LIMIT:
            return HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "431: the request's headers are too large\n", {}
        if b"\n\n" in head.replace(b"\r\n", b"\r"):  # a blank line of a bare LF ends the head: not HTTP's
            return HTTPStatus.BAD_REQUEST, "400: an HTTP request's lines end with CRLF\n", {}
        return None
    for header in head[line_end + 2 : end].split(b"\r\n"):
        name, _, value = header.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return HTTPStatus.BAD_REQUEST, "400: a request to this server has no body\n", {}
    return None


class _Connection(ServerConnection):
    """websockets' connection, reading each request's head first (a public hook: serve's
    create_connection). websockets answers only a head it parses, and drops one it cannot parse (a
    body, a line that is not HTTP, a path that is not ASCII) without a word: those are answered
    here with their status, and only a GET or HEAD without a body reaches it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head: bytearray | None = bytearray()  # None once handed over to websockets
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # what a refused client still sends (its body) is read and dropped, until the close
        if self._head is None:
            super().data_received(data)
            return
        self._head += data
        end = self._head.find(b"\r\n\r\n")
        refusal = _refusal(bytes(self._head[: end + 4 if end >= 0 else len(self._head)]), end)
        if refusal is not None:
            self._refuse(*refusal)
            return
        if end >= 0:
            held, self._head = bytes(self._head), None
            super().data_received(held)

    def _refuse(self, status: HTTPStatus, text: str, more: dict[str, str]) -> None:
        """Answer and close: our side at once, theirs after REFUSED_LINGER (what they still send is
        read meanwhile: closing with it unread would reset the connection, and the answer with it)."""
        self._refused = True
        body = text.encode()
        lines = [f"HTTP/1.1 {status.value} {status.phrase}", "Content-Type: text/plain; charset=utf-8"]
        lines += [f"Content-Length: {len(body)}", "Connection: close", *(f"{k}: {v}" for k, v in more.items())]
        transport = self.transport
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body)
        if transport.can_write_eof():
            transport.write_eof()
        asyncio.get_running_loop().call_later(REFUSED_LINGER, transport.close)
