"""`lanlab sim serve`'s server: the page, its WebSocket, and the run's downloads, on one port.

Safety as Jupyter's: every request and the socket carry the random token of the URL (403
without it); a request whose Origin is not the page's own is refused (another site's script
cannot drive the simulator); the page can only send the messages below, none of which carries
code (programs come only from `--app` on the command line).

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
import secrets
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from lanlab.sim.build.kinds import NODE_FIELDS
from lanlab.view.document import to_json
from lanlab.view.live import LiveSession
from lanlab.view.page import render_page
from lanlab.view.workspace import BuildError, Workspace

BATCH_EVERY = 0.03  # s at least between two batches to one page (each costs the page a re-index)
IDLE_LOOK = 0.1  # s between two looks for a page when no slice brought news (the clock, a pause)
TICK = 0.005  # s the loop sleeps between two slices of simulation while running
MAX_MESSAGE = 64 * 1024


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
            self.talk, self.host, self.port, process_request=self.check_request, max_size=MAX_MESSAGE, compression=None
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.runner = asyncio.create_task(self.run_simulator())

    async def close(self) -> None:
        self.runner.cancel()
        self.server.close()
        await self.server.wait_closed()

    # -- HTTP: the token, the Origin, the page and its downloads -------------------------------------
    async def check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        token = parse_qs(url.query).get("token", [""])[0]
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return connection.respond(
                HTTPStatus.FORBIDDEN, "403: this URL needs the token `lanlab sim serve` printed\n"
            )
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{request.headers.get('Host', '')}":
            return connection.respond(HTTPStatus.FORBIDDEN, "403: requests from another site's page are refused\n")
        if url.path == "/ws":
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
        return connection.respond(HTTPStatus.NOT_FOUND, "404: lanlab sim serve serves /, /ws and /run.html\n")

    # -- the simulator ---------------------------------------------------------------------------------
    async def run_simulator(self) -> None:
        while True:
            if self.session.running:
                self.session.advance()
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
        try:
            request = json.loads(message)
            op = request["op"]
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: [[[[... thousands deep
            return {"type": "reply", "op": None, "ok": False, "error": 'expected {"op": ...} as JSON'}
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
                try:
                    pace = float(request["pace"])
                except OverflowError:  # an integer of hundreds of digits: past any pace, as set_pace says
                    pace = math.inf
                session.set_pace(pace)
            elif op == "do":
                reply["text"] = session.do(str(request["text"]))
            elif op == "frame":
                reply["index"] = index = request["index"]
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
        return reply

    def build(self, request: dict[str, Any]) -> dict[str, Any]:
        """One edit of the network; kept (and the network rebuilt at 0 s) only if `sim check` passes."""
        builder = self.builder
        if builder is None:
            raise BuildError(builder_refusal)
        workspace = builder.workspace
        op = request["op"]
        answer: dict[str, Any] = {}
        if op == "add":
            new, answer["node"] = workspace.add(str(request["kind"]))
        elif op == "cable":
            new, answer["ends"] = workspace.cable(str(request["a"]), str(request["b"]))
        elif op == "uncable":
            new = workspace.uncable(str(request["a"]), str(request["b"]))
        elif op == "edit":
            new = workspace.edit(str(request.get("node", "")), str(request["field"]), str(request["value"]))
        else:  # remove
            new = workspace.remove(str(request["node"]))
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
        headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return Response(200, "OK", headers, body)
