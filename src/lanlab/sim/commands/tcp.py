"""`--do "pc1 tcp serve --port 7788"` and `--do "pc2 tcp connect pc1 7788 --send hi"`: the real
CLI's words, run as small programs on the simulated hosts (through the socket shim)."""

from __future__ import annotations

import argparse
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from lanlab.sim.commands.base import (
    PORT,
    Command,
    check_encodable,
    duration_s,
    encoding,
    int_in,
    parser,
    register_command,
    timeout_s,
)
from lanlab.i18n import localize
from lanlab.proto.line_framing import Framed, LineFramer, Newline
from lanlab.socket_errors import error_line, not_one_host
from lanlab.tcp_lines import connect_lines, serve_lines
from lanlab.text import preview
from lanlab.units import SECOND

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network

DEFAULT_REPLY = "thank YOU!"  # the note's answer, as `lanlab tcp serve`


def _serve(
    port: int, bind: str, mode: str, reply: bytes, encoding: str, max_clients: int | None, log: list[dict[str, Any]]
) -> None:
    """Accept clients forever, one thread each; reply to (or echo) every message, framed as `lanlab tcp
    serve` frames them (proto.line_framing: a line split across reads is one message, answered once)."""
    newline = Newline(encoding)
    reply = newline.text(reply)  # inside a stream: no byte order mark before each reply
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((bind, port))
    listener.listen(128)
    connected = [0]

    def logged(peer: str, framed: Framed) -> None:
        lines = [(newline.strip(line), None) for line in newline.split(framed.lines)[: framed.lines_count]]
        for text, size in [*framed.messages, *lines]:  # each without its line ending
            shown = preview(text, encoding, size=size)
            count = len(text) if size is None else size
            log.append({"t": time.monotonic(), "event": "message", "client": peer, "bytes": count, "text": shown})

    def answer(conn: Any, peer: str, framed: Framed | None, data: bytes) -> None:
        """Log what `framed` completed; echo the read back, or send reply mode's answer."""
        if framed is None:
            return
        logged(peer, framed)
        out = data if mode == "echo" else framed.answer(reply, newline.bytes)
        if out:
            conn.sendall(out)

    def serve_client(conn: Any, peer: str) -> None:
        """Read, frame and answer until the client closes (OSError: how the connection ended otherwise)."""
        framer = LineFramer(newline)
        while True:
            deadline = framer.deadline()  # a line's start is held until its sender is quiet
            wait = None if deadline is None else deadline - time.monotonic()
            data = None
            if wait is None or wait > 0:
                conn.settimeout(wait)  # only the read waits for the quiet: 0 would make it non-blocking
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    pass
                conn.settimeout(None)  # a reply is sent whole, however long that takes
            if data is None:  # the quiet is over: what was held is a message (the timer may round down)
                assert deadline is not None
                answer(conn, peer, framer.quiet(max(time.monotonic(), deadline)), b"")
            elif data:
                answer(conn, peer, framer.feed(data, time.monotonic()), data)
            else:  # the sender closed: what it held is its last message
                answer(conn, peer, framer.close(), b"")
                return

    def client(conn: Any, peer: str) -> None:
        with conn:
            try:
                serve_client(conn, peer)
                reason = "closed"
            except OSError as error:
                reason = str(error)
        log.append({"t": time.monotonic(), "event": "disconnect", "client": peer, "reason": reason})
        connected[0] -= 1

    while True:
        conn, (ip, client_port) = listener.accept()
        peer = f"{ip}:{client_port}"
        if max_clients is not None and connected[0] >= max_clients:
            log.append({"t": time.monotonic(), "event": "refused", "client": peer, "reason": "too many clients"})
            conn.close()
            continue
        connected[0] += 1
        log.append({"t": time.monotonic(), "event": "connect", "client": peer})
        threading.Thread(target=client, args=(conn, peer), daemon=True).start()


def _connect(
    host: str, port: int, sends: list[str], encoding: str, wait: float, timeout: float, log: dict[str, Any]
) -> None:
    """Connect, send each text as a line, collect what arrives for `wait` seconds, close."""
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:  # the real `lanlab tcp connect`'s words
        log["error"] = error_line(error, f"tcp {host}:{port}", connecting=True)
        return
    log["connected"] = time.monotonic()
    with conn:
        for text in sends:
            conn.sendall((text + "\n").encode(encoding))
            log["sent"].append(text)
        end = time.monotonic() + wait
        while (left := end - time.monotonic()) > 0:
            conn.settimeout(left)
            try:
                data = conn.recv(65536)
            except socket.timeout:
                break
            except OSError as error:
                log["error"] = error_line(error, f"tcp {host}:{port}")
                break
            if not data:
                break
            log["received"].append({"t": time.monotonic(), "text": data.decode(encoding, errors="backslashreplace")})


@register_command
class TcpServe(Command):
    """tcp serve [--port 7788] [--bind ADDR] [--mode reply|echo] [--reply TEXT] [--encoding E] [--max-clients N]"""

    words = "tcp serve"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("--port", type=PORT, default=7788)
        p.add_argument("--bind", default="0.0.0.0")
        p.add_argument("--mode", choices=("reply", "echo"), default="reply")
        p.add_argument("--reply", default=DEFAULT_REPLY)
        p.add_argument("--encoding", type=encoding, default="utf-8")
        p.add_argument("--max-clients", dest="max_clients", type=int_in(1), default=None)
        return p

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        check_encodable("--reply", [self.args.reply], self.args.encoding)

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        self.log: list[dict[str, Any]] = []
        self.program = host.run(
            _serve, a.port, a.bind, a.mode, a.reply.encode(a.encoding), a.encoding, a.max_clients, self.log
        )

    def result(self) -> dict[str, Any]:
        return {"port": self.args.port, "mode": self.args.mode, "events": self.log, "error": self.program.error}

    def running(self) -> bool:
        return self.args.max_clients is not None and not self.program.finished

    def lines(self) -> list[str]:
        return serve_lines(self.result(), self.args.bind)


def _one_host(host: str) -> str:
    """A host TCP can connect to: not a multicast or the limited broadcast address (as `lanlab tcp connect`)."""
    problem = not_one_host(host, "`udp send` or `udp broadcast`")
    if problem is not None:
        raise argparse.ArgumentTypeError(localize(problem))
    return host


@register_command
class TcpConnect(Command):
    """tcp connect HOST PORT [--send TEXT]... [--encoding E] [--wait S] [--timeout S]"""

    words = "tcp connect"

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("host", type=_one_host)
        p.add_argument("port", type=PORT)
        p.add_argument("--send", dest="sends", action="append", default=[])
        p.add_argument("--encoding", type=encoding, default="utf-8")
        p.add_argument("--wait", type=duration_s, default=SECOND)
        p.add_argument("--timeout", type=timeout_s, default=10_000_000_000)
        return p

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        check_encodable("--send", self.args.sends, self.args.encoding)

    def start(self, network: Network, host: Host, now: int) -> None:
        a = self.args
        self.log: dict[str, Any] = {"connected": None, "sent": [], "received": [], "error": None}
        self.program = host.run(_connect, a.host, a.port, a.sends, a.encoding, a.wait / 1e9, a.timeout / 1e9, self.log)

    def result(self) -> dict[str, Any]:
        return dict(self.log)

    def answered(self) -> bool | None:
        return bool(self.log["received"])

    def running(self) -> bool:
        return not self.program.finished

    def lines(self) -> list[str]:
        return connect_lines(self.log, self.args.host, self.args.port)
