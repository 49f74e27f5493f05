"""`lanlab sim view`: the page served on 127.0.0.1 until Ctrl-C (nothing else is served).

Each request gets its HTTP status: GET and HEAD of / and /document.json 200, another path 404,
another method 405 (with Allow), a head http.server cannot read 400 or 431. A request whose Host
names anything but loopback is refused (403): a page of another site that reached here under a
name of its own (DNS rebinding) cannot read the run. A connection that sends nothing for
REQUEST_TIMEOUT seconds is closed, so idle ones cannot pile up threads."""

from __future__ import annotations

import http.server
import ipaddress
import threading
import webbrowser
from typing import Any

REQUEST_TIMEOUT = 10.0  # s a connection may stay silent (http.server waits for ever by default)


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


def loopback_host(host: str | None) -> bool:
    """Does a Host header name this machine's loopback (any port)? None (HTTP/1.0 sends none) does."""
    if host is None:
        return True
    return is_loopback_name(host.rsplit("]", 1)[0].lstrip("[") if host.startswith("[") else host.rsplit(":", 1)[0])


def is_loopback_name(name: str) -> bool:
    """Is `name` (no port) localhost or a loopback address?"""
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PageServer
    timeout = REQUEST_TIMEOUT

    def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        if not loopback_host(self.headers.get("Host")):
            self.send_error(403, "this viewer answers to 127.0.0.1 and localhost only")
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/", "/index.html"):
            self._send(self.server.page, "text/html; charset=utf-8", body)
        elif path == "/document.json":
            self._send(self.server.document, "application/json", body)
        else:
            self.send_error(404, "the viewer serves / and /document.json only")

    def _refuse_method(self) -> None:
        self.send_response(405, "the viewer takes GET and HEAD only")
        message = b"405: the viewer takes GET and HEAD only\n"
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(message)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(message)
        self.close_connection = True  # its body, if any, is left unread: the connection ends here

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method  # noqa: N815

    def _send(self, data: bytes, content_type: str, body: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: the terminal shows the URL only
        pass
