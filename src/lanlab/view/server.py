"""`lanlab sim view`: the page served on 127.0.0.1 until Ctrl-C (nothing else is served)."""

from __future__ import annotations

import http.server
import threading
import webbrowser
from typing import Any


class PageServer(http.server.ThreadingHTTPServer):
    """Serves one page at / (and its document at /document.json) from memory."""

    daemon_threads = True

    def __init__(self, port: int) -> None:
        """Binds now (an OSError says the port is taken); the page comes later, with `serve`."""
        self.page = b""
        self.document = b""
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def serve(self, page: str, document: str, *, open_browser: bool) -> None:
        """Serve until interrupted (KeyboardInterrupt propagates to the caller)."""
        self.page = page.encode("utf-8")
        self.document = document.encode("utf-8")
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()
        try:
            self.serve_forever(poll_interval=0.2)
        finally:
            self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PageServer

    def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/", "/index.html"):
            self._send(self.server.page, "text/html; charset=utf-8")
        elif path == "/document.json":
            self._send(self.server.document, "application/json")
        else:
            self.send_error(404, "the viewer serves / and /document.json only")

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: the terminal shows the URL only
        pass
