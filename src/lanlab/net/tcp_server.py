"""A concurrent TCP server for the note's three behaviours: a fixed reply, echo, and chat.

The hot path is a bare asyncio Protocol (no Streams, no per-message task); with uvloop it runs
as fast as the textbook uvloop echo. What a serious server adds lives off that path:

- accept is ours (a reader callback on the listening socket), so running out of file
  descriptors pauses accepting briefly and says so once, instead of logging the same error
  thousands of times a second (asyncio) or closing the listener (uvloop);
- per-client memory is bounded: writes that pile up pause reading from that client
  (pause_writing/resume_writing), a chat line has a maximum length, a chat reader that
  falls too far behind is dropped;
- refusals, idle timeouts and overlong lines are told to the client in one line before
  the connection closes.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lanlab.net.text import preview

MODES = ("reply", "echo", "chat")
DEFAULT_REPLY = "thank YOU!"
MAX_LINE = 64 * 1024
# A chat reader with this much unsent data queued is not keeping up; drop it, not the server.
SLOW_READER_BYTES = 1024 * 1024
# A read full of newlines is as many messages: log the first few, count the rest.
MESSAGES_LOGGED_PER_READ = 16
ACCEPTS_PER_WAKEUP = 128
ACCEPT_PAUSE_S = 0.25
RESOURCE_WARNING_EVERY_S = 5.0
# How long a client told why it is being closed has to read that line.
LINGER_S = 1.0
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})

Log = Callable[..., None]


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """What `lanlab tcp serve` was asked to do."""

    host: str = "0.0.0.0"
    port: int = 7788
    mode: str = "reply"
    reply: bytes = DEFAULT_REPLY.encode()
    encoding: str = "utf-8"
    max_clients: int | None = None
    idle_timeout: float | None = None
    max_line: int = MAX_LINE


class Client(asyncio.Protocol):
    """One connection. Subclasses decide what data_received does; the rest is shared."""

    def __init__(self, server: TcpServer) -> None:
        self.server = server
        self.transport: Any = None
        self.peer = "?"
        self.quiet_ticks = 0
        self.closing = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        host, port = transport.get_extra_info("peername")[:2]
        self.peer = f"{host}:{port}"
        self.server.joined(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.left(self, exc)

    # Backpressure: while our replies to this client pile up, stop reading what it sends.
    def pause_writing(self) -> None:
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        if not self.closing:
            self.transport.resume_reading()

    def say_and_close(self, notice: str) -> None:
        """Tell the client why in one line, stop reading and sending, close a moment later.

        The pause lets the client read the notice before the close resets the connection
        (RFC 1122 4.2.2.13: closing with unread data sends RST), without reading its flood.
        """
        self.server.clients.discard(self)   # no more relays or idle checks for it
        self.closing = True
        transport = self.transport
        transport.pause_reading()
        transport.write(notice.encode() + b"\n")
        if transport.can_write_eof():
            transport.write_eof()
        self.server.loop.call_later(LINGER_S, transport.abort)


class EchoClient(Client):
    """Sends back every byte it receives."""

    def data_received(self, data: bytes) -> None:
        self.quiet_ticks = 0
        self.transport.write(data)


class ReplyClient(Client):
    """Answers every message with the reply: every line, and what one read returns when it
    holds no newline (the note's client sends none and waits for the answer)."""

    def data_received(self, data: bytes) -> None:
        self.quiet_ticks = 0
        server = self.server
        *lines, rest = data.split(b"\n")
        for line in lines[:MESSAGES_LOGGED_PER_READ]:
            server.message(self, line)
        if len(lines) > MESSAGES_LOGGED_PER_READ:
            server.message(self, f"... and {len(lines) - MESSAGES_LOGGED_PER_READ} more "
                                 "lines".encode())
        if rest:
            server.message(self, rest)
        self.transport.write(server.reply_line * len(lines) + (server.reply if rest else b""))


class ChatClient(Client):
    """Relays each complete line, bytes untouched, to every other client."""

    def __init__(self, server: TcpServer) -> None:
        super().__init__(server)
        self.pending = bytearray()

    def data_received(self, data: bytes) -> None:
        self.quiet_ticks = 0
        pending = self.pending
        pending += data
        end = pending.rfind(b"\n") + 1
        if end:
            complete = bytes(pending[:end])
            del pending[:end]
            for line in complete.splitlines(keepends=True):
                self.server.relay(self, line)
        if len(pending) > self.server.settings.max_line:
            self.pending = bytearray()
            self.say_and_close(f"line longer than {self.server.settings.max_line} bytes; closing")


_PROTOCOLS: dict[str, type[Client]] = {"reply": ReplyClient, "echo": EchoClient, "chat": ChatClient}


class TcpServer:
    """Accepts clients on host:port and serves them in one of MODES until close()."""

    def __init__(self, settings: ServerSettings, log: Log) -> None:
        if settings.mode not in _PROTOCOLS:
            raise ValueError(f"unknown mode {settings.mode!r}; use one of {', '.join(MODES)}")
        self.settings = settings
        self.log = log
        self.reply = settings.reply
        self.reply_line = settings.reply + b"\n"
        self.clients: set[Client] = set()
        self.served = 0
        self.refused = 0
        self.address: tuple[str, int] = (settings.host, settings.port)
        self.loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]
        self._listener: socket.socket | None = None
        self._admitted = 0           # accepted and not yet gone, including those still opening
        self._warned_at = -RESOURCE_WARNING_EVERY_S
        self._unwarned = 0
        self._protocol = _PROTOCOLS[settings.mode]

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> tuple[str, int]:
        """Bind, listen and start accepting; return the address really bound (port 0 -> real)."""
        self.loop = asyncio.get_running_loop()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.settings.host, self.settings.port))
            listener.listen(socket.SOMAXCONN)
            listener.setblocking(False)
        except BaseException:
            listener.close()
            raise
        self._listener = listener
        self.address = listener.getsockname()[:2]
        self._accepting(True)
        if self.settings.idle_timeout is not None:
            self._sweep_idle()
        self.log("listening", address=self.address[0], port=self.address[1],
                 mode=self.settings.mode)
        return self.address

    def close(self) -> None:
        """Stop accepting and close every client; logs how many clients were served."""
        if self._listener is not None:
            self._accepting(False)
            self._listener.close()
            self._listener = None
            for client in list(self.clients):
                client.transport.close()
            self.log("shutdown", served=self.served, refused=self.refused)

    # -- accepting ----------------------------------------------------------------------------

    def _accepting(self, on: bool) -> None:
        if self._listener is None:
            return
        if on:
            self.loop.add_reader(self._listener.fileno(), self._accept_ready)
        else:
            self.loop.remove_reader(self._listener.fileno())

    def _accept_ready(self) -> None:
        for _ in range(ACCEPTS_PER_WAKEUP):
            try:
                connection, peer = self._listener.accept()  # type: ignore[union-attr]
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as error:
                if error.errno not in _OUT_OF_RESOURCES:
                    raise
                self._out_of_resources(error)
                return
            self._admit(connection, peer)

    def _out_of_resources(self, error: OSError) -> None:
        """Pause accepting a moment; say so at most once per RESOURCE_WARNING_EVERY_S."""
        self._accepting(False)
        self.loop.call_later(ACCEPT_PAUSE_S, self._accepting, True)
        now = time.monotonic()
        if now - self._warned_at < RESOURCE_WARNING_EVERY_S:
            self._unwarned += 1
            return
        self.log("error", message=f"cannot accept: {error.strerror}; pausing accepts "
                 f"(serving {len(self.clients)} clients; {self._unwarned} more such errors since "
                 "the last message); raise `ulimit -n` or lower --max-clients")
        self._warned_at, self._unwarned = now, 0

    def _admit(self, connection: socket.socket, peer: tuple[str, int]) -> None:
        connection.setblocking(False)
        limit = self.settings.max_clients
        if limit is not None and self._admitted >= limit:
            self.refused += 1
            try:
                connection.send(f"server full ({limit} connected); try again later\n".encode())
            except OSError:
                pass
            connection.close()
            self.log("refused", client=f"{peer[0]}:{peer[1]}", reason="max clients")
            return
        self._admitted += 1
        self.served += 1
        opening = self.loop.create_task(
            self.loop.connect_accepted_socket(lambda: self._protocol(self), connection))
        opening.add_done_callback(self._opened)

    def _opened(self, opening: asyncio.Task) -> None:
        if opening.cancelled() or opening.exception() is not None:
            self._admitted -= 1  # the client vanished before its transport existed

    # -- clients ------------------------------------------------------------------------------

    def joined(self, client: Client) -> None:
        self.clients.add(client)
        self.log("connect", client=client.peer, clients=len(self.clients))

    def left(self, client: Client, exc: Exception | None) -> None:
        self.clients.discard(client)
        self._admitted -= 1
        reason = "closed" if exc is None else (
            "reset" if isinstance(exc, ConnectionResetError) else str(exc) or type(exc).__name__)
        self.log("disconnect", client=client.peer, reason=reason, clients=len(self.clients))

    def message(self, client: Client, data: bytes) -> None:
        """Log one message (its line ending left out)."""
        text = data.rstrip(b"\r\n")
        self.log("message", client=client.peer, bytes=len(text),
                 text=preview(text, self.settings.encoding))

    def relay(self, sender: Client, line: bytes) -> None:
        """Chat: send a line to every client but its sender; drop readers that fell behind."""
        self.message(sender, line)
        for client in list(self.clients):
            if client is sender:
                continue
            if client.transport.get_write_buffer_size() > SLOW_READER_BYTES:
                client.say_and_close("you are reading too slowly for this chat; closing")
            else:
                client.transport.write(line)

    def _sweep_idle(self) -> None:
        """Close clients quiet for --idle-timeout (checked every quarter of it)."""
        timeout = self.settings.idle_timeout
        assert timeout is not None
        period = max(timeout / 4, 0.01)
        ticks = max(round(timeout / period), 1)
        for client in list(self.clients):
            client.quiet_ticks += 1
            if client.quiet_ticks > ticks:
                client.say_and_close(f"idle for {timeout:g}s; closing")
        if self._listener is not None:
            self.loop.call_later(period, self._sweep_idle)
