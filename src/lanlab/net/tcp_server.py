"""A concurrent TCP server for the note's three behaviours: a fixed reply, echo, and chat.

The hot path is a bare asyncio Protocol (no Streams, no per-message task); with uvloop it runs
as fast as the textbook uvloop echo. What a serious server adds lives off that path:

- accept is ours (a reader callback on the listening socket), so running out of file
  descriptors pauses accepting briefly and says so once, instead of logging the same error
  thousands of times a second (asyncio) or closing the listener (uvloop);
- per-client memory is bounded: writes that pile up pause reading from that client
  (pause_writing/resume_writing), a chat line has a maximum length (however many reads
  bring it), a chat reader that falls too far behind is dropped;
- the work of one loop turn is bounded: chat relays at most RELAY_BYTES_PER_TURN
  before the loop gets back to signals and new connections, and the log shows at most
  MESSAGES_LOGGED_PER_SECOND messages, counting the rest in one line;
- refusals, idle timeouts and overlong lines are told to the client in one line before
  the connection closes; a client that resets before we look at it is a disconnect.

Reply and echo frame the stream into messages with proto.line_framing, as the simulator's `tcp serve`
does: a line, or what one read returns when it holds no newline; a line TCP delivered in two reads is
still one message, answered once.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lanlab.i18n import L_
from lanlab.proto.line_framing import QUIET_S, Framed, LineFramer, Newline
from lanlab.text import preview

MODES = ("reply", "echo", "chat")
DEFAULT_REPLY = "thank YOU!"
MAX_LINE = 64 * 1024
# A chat reader with this much unsent data queued is not keeping up; drop it, not the server.
SLOW_READER_BYTES = 1024 * 1024
# A read full of newlines is as many messages: log the first few, count the rest.
MESSAGES_LOGGED_PER_READ = 16
# Server-wide, whatever the number of clients (a chat flood, a thousand slowloris clients):
# a log people can read; the rest is counted and said once a second.
MESSAGES_LOGGED_PER_SECOND = 50
# Chat: the bytes relayed before the loop gets back to its other work (a few milliseconds of
# copying; a write counts at least RELAY_WRITE_COST, about what its system call costs),
# and how much of one sender's lines goes out as one write to each reader.
RELAY_BYTES_PER_TURN = 2 * 1024 * 1024
RELAY_WRITE_COST = 1024
RELAY_BATCH_BYTES = 4 * 1024
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

    def __init__(self, server: TcpServer, peer: str) -> None:
        self.server = server
        self.transport: Any = None
        # From accept(): a client that resets at once has no peername by the time its
        # transport exists, and is still a client that came and went.
        self.peer = peer
        self.quiet_ticks = 0
        self.closing = False
        self.writes_paused = False
        self.framer = LineFramer(server.newline)  # reply and echo: a line split across reads is one message
        self.quiet: asyncio.TimerHandle | None = None  # until the framer's deadline

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.server.joined(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.quiet is not None:
            self.quiet.cancel()
            self.quiet = None
        self.server.left(self, exc)

    def eof_received(self) -> bool | None:
        """The client half-closed: what it held without a newline is its last message (answered, in
        reply mode, before the close that follows)."""
        framed = None if self.closing else self.framer.close()
        if framed is not None:
            self.log_and_answer(framed)
        return None

    # Backpressure: while our replies to this client pile up, stop reading what it sends.
    def pause_writing(self) -> None:
        self.writes_paused = True
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.writes_paused = False
        self.resume_reading()

    def may_read(self) -> bool:
        return not (self.closing or self.writes_paused)

    def resume_reading(self) -> None:
        if self.may_read() and not self.transport.is_closing():
            self.transport.resume_reading()

    def say_and_close(self, notice: str, reason: str) -> None:
        """Tell the client why in one line (`notice`, the protocol's English), stop reading and sending,
        close a moment later; the log's disconnect says `reason` now, with the count of clients left.

        The pause lets the client read the notice before the close resets the connection
        (RFC 1122 4.2.2.13: closing with unread data sends RST), without reading its flood.
        """
        self.server.clients.discard(self)  # no more relays or idle checks for it
        self.closing = True
        self.server.log("disconnect", client=self.peer, reason=reason, clients=len(self.server.clients))
        transport = self.transport
        transport.pause_reading()
        transport.write(self.server.notice_line(notice))
        if transport.can_write_eof():
            transport.write_eof()
        self.server.loop.call_later(LINGER_S, transport.abort)

    def frame(self, data: bytes) -> Framed:
        """Log the messages one read completes (see proto.line_framing); what reply mode answers."""
        self.quiet_ticks = 0
        framed = self.framer.feed(data, self.server.loop.time())
        self.log_messages(framed)
        if self.quiet is None and self.framer.deadline() is not None:
            self.quiet = self.server.loop.call_later(QUIET_S, self._quiet_over)
        return framed

    def log_messages(self, framed: Framed) -> None:
        server = self.server
        for message, size in framed.messages:
            server.message(self, message, size=size)
        if framed.lines_count:
            server.messages(self, framed.lines, framed.lines_count)

    def _quiet_over(self) -> None:
        self.quiet = None
        if self.closing:
            return
        framed = self.framer.quiet(self.server.loop.time())
        if framed is not None:
            self.log_and_answer(framed)
            return
        # bytes came since the timer was set (a new line's start too): the quiet starts from them
        deadline = self.framer.deadline()
        if deadline is not None:
            self.quiet = self.server.loop.call_at(deadline, self._quiet_over)

    def log_and_answer(self, framed: Framed) -> None:
        self.log_messages(framed)
        self.answer(framed)

    def answer(self, framed: Framed) -> None:
        """Reply mode writes the answers framed counted; the other modes answer nothing."""


class EchoClient(Client):
    """Sends back every byte it receives (logged as the reply mode logs them)."""

    def data_received(self, data: bytes) -> None:
        self.frame(data)
        self.transport.write(data)


class ReplyClient(Client):
    """Answers every message with the reply: every line, and what one read returns when it
    holds no newline (the note's client sends none and waits for the answer): "thank YOU!", and
    its newline when the message ends a line; a line TCP delivered in two reads is answered once."""

    def data_received(self, data: bytes) -> None:
        self.answer(self.frame(data))

    def answer(self, framed: Framed) -> None:
        self.transport.write(framed.answer(self.server.reply, self.server.newline.bytes))


class ChatClient(Client):
    """Relays each complete line, bytes untouched, to every other client.

    Lines wait in `pending` for the server's relay turn; meanwhile reading from this client
    is paused, so `pending` holds at most one read and a line being written. A last line
    without a newline is relayed, ended by one, when the client closes.
    """

    def __init__(self, server: TcpServer, peer: str) -> None:
        super().__init__(server, peer)
        self.offset = 0  # bytes received, modulo the newline's size (UTF-16: 2)
        self.pending = bytearray()
        self.unfinished = 0  # bytes at the end of `pending` not yet ended by a newline
        self.queued = False

    def may_read(self) -> bool:
        return super().may_read() and not self.queued

    def eof_received(self) -> bool | None:
        """The client half-closed: relay what it sent after its last newline (and lines still
        waiting for their turn), ended by a newline so no reader's line runs into the next."""
        if self.closing or not self.pending:
            return None
        newline = self.server.newline
        if self.unfinished:
            self.pending += newline.bytes
            self.unfinished = 0
        lines = bytes(self.pending)
        self.pending = bytearray()
        self.server.messages(self, lines, newline.count(lines))
        self.server.relay(self, lines)
        return None

    def data_received(self, data: bytes) -> None:
        self.quiet_ticks = 0
        newline = self.server.newline
        offset = self.offset
        if newline.unit > 1:
            self.offset = (offset + len(data)) % newline.unit
        limit = self.server.settings.max_line
        if self._line_too_long(data, limit, offset):
            self.pending = bytearray()
            self.say_and_close(
                f"line longer than {limit} bytes; closing", L_("line longer than {limit} bytes", limit=limit)
            )
            return
        self.pending += data
        last = newline.rfind(data, offset)
        if last < 0:
            self.unfinished += len(data)
            return
        self.unfinished = len(data) - last - newline.unit
        if not self.queued:
            self.queued = True
            self.transport.pause_reading()
            self.server.queue_relay(self)

    def _line_too_long(self, data: bytes, limit: int, offset: int) -> bool:
        """Whether `data` makes or holds a line longer than `limit` (newline not counted),
        counting the line it continues from earlier reads."""
        newline = self.server.newline
        first = newline.find(data, 0, offset)
        if first < 0:
            return self.unfinished + len(data) > limit
        last = newline.rfind(data, offset)
        if self.unfinished + first > limit or len(data) - last - newline.unit > limit:
            return True
        # Lines wholly inside this read: only a read longer than the limit can hold a long one.
        inside = data[first + newline.unit : last]
        return len(inside) > limit and max(map(len, newline.split(inside))) > limit

    def has_lines(self) -> bool:
        return len(self.pending) > self.unfinished

    def take_lines(self) -> bytes:
        """Complete lines from the front of `pending`: about RELAY_BATCH_BYTES, at least one."""
        pending = self.pending
        newline = self.server.newline
        end = newline.rfind(pending, 0, RELAY_BATCH_BYTES + newline.unit - 1)
        if end < 0:
            end = newline.find(pending)
        end += newline.unit
        lines = bytes(pending[:end])
        del pending[:end]
        return lines


_PROTOCOLS: dict[str, type[Client]] = {"reply": ReplyClient, "echo": EchoClient, "chat": ChatClient}


class TcpServer:
    """Accepts clients on host:port and serves them in one of MODES until close()."""

    def __init__(self, settings: ServerSettings, log: Log) -> None:
        if settings.mode not in _PROTOCOLS:
            raise ValueError(f"unknown mode {settings.mode!r}; use one of {', '.join(MODES)}")
        self.settings = settings
        self.log = log
        self.newline = Newline(settings.encoding)
        self.reply = self.newline.text(settings.reply)  # inside a stream, no byte order mark before each
        self.clients: set[Client] = set()
        self.served = 0
        self.refused = 0
        self.address: tuple[str, int] = (settings.host, settings.port)
        self.loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]
        self._listener: socket.socket | None = None
        self._admitted = 0  # accepted and not yet gone, including those still opening
        self._warned_at = -RESOURCE_WARNING_EVERY_S
        self._unwarned = 0
        self._protocol = _PROTOCOLS[settings.mode]
        self._relay_queue: deque[ChatClient] = deque()
        self._relay_scheduled = False
        self._log_quota: LogQuota | None = None

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> tuple[str, int]:
        """Bind, listen and start accepting; return the address really bound (port 0 -> real)."""
        self.loop = asyncio.get_running_loop()
        self._log_quota = LogQuota(self.loop, self.log, MESSAGES_LOGGED_PER_SECOND)
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
        self.log("listening", address=self.address[0], port=self.address[1], mode=self.settings.mode)
        return self.address

    def close(self) -> None:
        """Stop accepting and close every client; logs how many clients were served."""
        if self._listener is not None:
            self._accepting(False)
            self._listener.close()
            self._listener = None
            for client in list(self.clients):
                client.transport.close()
            if self._log_quota is not None:
                self._log_quota.close()
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
        self.log(
            "error",
            message=L_(
                "cannot accept: {reason}; pausing accepts (serving {clients} clients; "
                "{more} more such errors since the last message); raise `ulimit -n` "
                "or lower --max-clients",
                reason=error.strerror,
                clients=len(self.clients),
                more=self._unwarned,
            ),
        )
        self._warned_at, self._unwarned = now, 0

    def _admit(self, connection: socket.socket, peer: tuple[str, int]) -> None:
        connection.setblocking(False)
        limit = self.settings.max_clients
        if limit is not None and self._admitted >= limit:
            self.refused += 1
            try:
                connection.send(self.notice_line(f"server full ({limit} connected); try again later"))
            except OSError:
                pass
            connection.close()
            self.log("refused", client=f"{peer[0]}:{peer[1]}", reason=L_("max clients"))
            return
        self._admitted += 1
        self.served += 1
        name = f"{peer[0]}:{peer[1]}"
        opening = self.loop.create_task(
            self.loop.connect_accepted_socket(lambda: self._protocol(self, name), connection)
        )
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
        if self._listener is None or client.closing:
            return  # close() logged the shutdown line, the last; say_and_close logged this disconnect
        reason = (
            L_("closed")
            if exc is None
            else (L_("reset") if isinstance(exc, ConnectionResetError) else str(exc) or type(exc).__name__)
        )
        self.log("disconnect", client=client.peer, reason=reason, clients=len(self.clients))

    def notice_line(self, notice: str) -> bytes:
        """A line the server says itself (the protocol's English), in --encoding."""
        return self.newline.text(notice.encode(self.settings.encoding, errors="replace")) + self.newline.bytes

    def message(self, client: Client, data: bytes, stands_for: int = 1, size: int | None = None) -> None:
        """Log one message (its line ending left out) if the log's quota allows; else count
        the `stands_for` messages it is. `size`: the message is longer than `data`, which holds
        its start (at least SHOWN_BYTES of it)."""
        if self._log_quota is None or self._log_quota.allow(stands_for):
            encoding = self.settings.encoding
            if size is None:
                text = self.newline.strip(data)
                self.log("message", client=client.peer, bytes=len(text), text=preview(text, encoding))
            else:
                self.log("message", client=client.peer, bytes=size, text=preview(data, encoding, size=size))

    def _more_lines(self, client: Client, more: int) -> None:
        """Log "... and 40 more lines", standing for the 40 (our words, whatever --encoding)."""
        if self._log_quota is None or self._log_quota.allow(more):
            text = f"... and {more} more lines"
            self.log("message", client=client.peer, bytes=len(text), text=text)

    def messages(self, client: Client, data: bytes, lines: int) -> None:
        """Log the first MESSAGES_LOGGED_PER_READ of the `lines` complete lines starting
        `data`, and how many more there were."""
        shown_lines = self.newline.split(data, MESSAGES_LOGGED_PER_READ)[: min(lines, MESSAGES_LOGGED_PER_READ)]
        for line in shown_lines:
            self.message(client, line)
        if lines > len(shown_lines):
            more = lines - len(shown_lines)
            self._more_lines(client, more)

    def queue_relay(self, sender: ChatClient) -> None:
        """Chat: `sender` has complete lines; relay them in the next relay turn."""
        self._relay_queue.append(sender)
        if not self._relay_scheduled:
            self._relay_scheduled = True
            self.loop.call_soon(self._relay_turn)

    def _relay_turn(self) -> None:
        """Relay senders' lines in turn until RELAY_BYTES_PER_TURN are written; the rest
        waits for the next turn, after the loop has seen signals and new connections."""
        self._relay_scheduled = False
        if self._listener is None:
            return  # closed: nothing more is relayed or logged after the shutdown line
        queue, budget = self._relay_queue, RELAY_BYTES_PER_TURN
        while queue and budget > 0:
            sender = queue.popleft()
            if sender.closing or sender not in self.clients or not sender.has_lines():
                continue
            lines = sender.take_lines()
            self.messages(sender, lines, self.newline.count(lines))
            budget -= self.relay(sender, lines)
            if sender.has_lines():
                queue.append(sender)
            else:
                sender.queued = False
                sender.resume_reading()
        if queue and not self._relay_scheduled:
            self._relay_scheduled = True
            self.loop.call_soon(self._relay_turn)

    def relay(self, sender: Client, lines: bytes) -> int:
        """Chat: send lines to every client but their sender; drop readers that fell behind.
        Returns what it cost (RELAY_BYTES_PER_TURN's unit; never 0, even with nobody to tell)."""
        writes = 0
        for client in list(self.clients):
            if client is sender:
                continue
            if client.transport.get_write_buffer_size() > SLOW_READER_BYTES:
                client.say_and_close("you are reading too slowly for this chat; closing", L_("reading too slowly"))
            else:
                client.transport.write(lines)
                writes += 1
        return max(writes, 1) * max(len(lines), RELAY_WRITE_COST)

    def _sweep_idle(self) -> None:
        """Close clients quiet for --idle-timeout (checked every quarter of it)."""
        timeout = self.settings.idle_timeout
        assert timeout is not None
        period = max(timeout / 4, 0.01)
        ticks = max(round(timeout / period), 1)
        for client in list(self.clients):
            client.quiet_ticks += 1
            if client.quiet_ticks > ticks:
                client.say_and_close(
                    f"idle for {timeout:g}s; closing", L_("idle for {seconds}s", seconds=f"{timeout:g}")
                )
        if self._listener is not None:
            self.loop.call_later(period, self._sweep_idle)


class LogQuota:
    """At most `per_second` message lines a second; the messages left out are counted and
    said in one "not_shown" event when the second is over (or when the server closes)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, log: Log, per_second: int) -> None:
        self.loop = loop
        self.log = log
        self.per_second = per_second
        self.window_ends = -1.0
        self.shown = 0
        self.held = 0
        self._timer: asyncio.TimerHandle | None = None
        self.closed = False

    def allow(self, messages: int = 1) -> bool:
        """Whether a line standing for `messages` messages may be logged now."""
        if self.closed:
            return False
        now = self.loop.time()
        if now >= self.window_ends:
            self.window_ends, self.shown = now + 1.0, 0
        if self.shown < self.per_second:
            self.shown += 1
            return True
        self.held += messages
        if self._timer is None:
            self._timer = self.loop.call_at(self.window_ends, self._say_held)
        return False

    def _say_held(self) -> None:
        self._timer = None
        if self.held:
            self.log("not_shown", count=self.held, limit=self.per_second)
            self.held = 0

    def close(self) -> None:
        """Say what is held; log nothing more."""
        if self._timer is not None:
            self._timer.cancel()
        self._say_held()
        self.closed = True
