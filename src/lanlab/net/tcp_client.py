"""A full-duplex TCP client: what arrives is shown while you type (the note's client is half
duplex: it sends, then waits).

Input is a list of texts (`--send`) or the lines of stdin, read as bytes by a thread so a
terminal and a pipe behave the same (see `recode` for what is sent). When the input ends the client half-closes (the peer sees EOF
and usually closes too, which ends the session), or, with `wait`, keeps listening that many
seconds and then closes.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from lanlab.text import EncodingError, encode, preamble, without_preamble


# Byte order marks: a UTF-16 or UTF-32 stream that starts with none is read in this machine's order, as
# bytes.decode("utf-16") reads it (Python's incremental decoder raises "stream does not start with BOM").
_BOMS = {
    "utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
    "utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE),
}


class StreamDecoder:
    """Decodes a stream in `encoding` piece by piece, bytes it rejects as \\xNN escapes; never raises.

    UTF-16 and UTF-32 streams need not start with a byte order mark (ours and most servers' replies do
    not): without one they are read in this machine's byte order."""

    def __init__(self, encoding: str) -> None:
        self.name = codecs.lookup(encoding).name
        self.start = b""  # the first bytes of a UTF-16/32 stream, until they show whether a BOM is there
        boms = _BOMS.get(self.name)
        self.decoder: codecs.IncrementalDecoder | None = None if boms else self._make(self.name)

    @staticmethod
    def _make(encoding: str) -> codecs.IncrementalDecoder:
        return codecs.getincrementaldecoder(encoding)(errors="backslashreplace")

    def decode(self, data: bytes, final: bool = False) -> str:
        if self.decoder is None:
            self.start += data
            boms = _BOMS[self.name]
            if len(self.start) < len(boms[0]) and not final:
                return ""
            bom = self.start.startswith(boms)
            order = "le" if sys.byteorder == "little" else "be"
            self.decoder = self._make(self.name if bom else f"{self.name}-{order}")
            data, self.start = self.start, b""
        return self.decoder.decode(data, final)  # backslashreplace: text_encoding refused codecs without it


class _Session(asyncio.Protocol):
    """Hands every received chunk, decoded incrementally, to `show`; notes when the peer closes."""

    def __init__(self, encoding: str, show: Callable[[str], None]) -> None:
        self.decoder = StreamDecoder(encoding)
        self.show = show
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.received = 0
        self.reset: ConnectionResetError | None = None  # how the peer ended it, if it reset
        self.writable = asyncio.Event()  # cleared while the transport's buffer is over its high-water mark
        self.writable.set()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        self.show(self.decoder.decode(data))

    def connection_lost(self, exc: Exception | None) -> None:
        if isinstance(exc, ConnectionResetError):
            self.reset = exc
        tail = self.decoder.decode(b"", final=True)
        if tail:
            self.show(tail)
        self.writable.set()  # nothing more will be written: let the input's thread see the end
        if not self.closed.done():
            self.closed.set_result(None)


def recode(line: bytes, typed: str, encoding: str) -> bytes:
    """A line of input as the bytes to send in `encoding`.

    Text in the input's own encoding `typed` (the terminal's: UTF-8 typing with --encoding
    gb2312) is written in `encoding`; bytes that are not text in `typed` (gb2312 piped in
    under a UTF-8 locale) are already in `encoding` and go out as they are, and so do bytes
    that are text in both whose `typed` reading `encoding` cannot write (gb2312's 学习 is the
    UTF-8 of ѧϰ). Text that is in neither raises EncodingError, as --send does: no byte of
    input is lost or turned into escapes.
    """
    if codecs.lookup(typed).name == encoding:
        return line
    try:
        text = line.decode(typed)
    except UnicodeDecodeError:
        return line
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            return encode(text, encoding)  # raises EncodingError, naming what cannot be written
        return line


# A line longer than this, sent as typed (its encoding is --encoding), goes out in pieces of it: the
# input is never held whole (a file without newlines piped in).
MAX_PIECE = 65536


def _batches(stream: BinaryIO, as_typed: bool) -> Iterator[list[bytes]]:
    """The lines of `stream`, each with its newline (the last may lack one), a list for each read. A real
    file is read with os.read: a thread blocked in the buffered reader holds its lock, and an interpreter
    ending meanwhile (the peer closed) aborts with "could not acquire lock ... at shutdown". `as_typed`:
    a line longer than MAX_PIECE is passed on in pieces (a line to recode stays whole)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        for line in stream:
            yield [line]
        return
    pending = bytearray()
    while chunk := os.read(fd, 65536):
        last = chunk.rfind(b"\n")
        if last < 0:
            pending += chunk
            if as_typed and len(pending) >= MAX_PIECE:
                yield [bytes(pending)]
                pending.clear()
            continue
        whole = bytes(pending) + chunk[: last + 1]
        pending = bytearray(chunk[last + 1 :])
        yield [line + b"\n" for line in whole.split(b"\n")[:-1]]
    if pending:
        yield [bytes(pending)]


class _Sender:
    """Writes what we send, unless the peer already closed (then there is nobody to send to), and lets
    the input wait while the kernel's send buffer and ours are full (a peer that does not read must not
    make us hold a whole piped file). One stream carries one byte order mark: UTF-16 text, encoded line
    by line, loses the BOM of every line but the first."""

    def __init__(self, transport: Any, session: _Session, encoding: str) -> None:
        self.transport = transport
        self.session = session
        self.bom = preamble(encoding)
        self.started = False

    def prepare(self, pieces: Iterable[bytes]) -> bytes:
        """The pieces as one write, each without the BOM it was encoded with once the stream has one."""
        out = []
        for piece in pieces:
            if self.started:
                piece = without_preamble(piece, self.bom)
            self.started = self.started or bool(piece)
            out.append(piece)
        return b"".join(out)

    def __call__(self, data: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(data)

    async def write_and_wait(self, data: bytes) -> None:
        """Write, then wait until the transport takes more (asyncio's high-water mark)."""
        self(data)
        await self.session.writable.wait()


def _deliver(loop: asyncio.AbstractEventLoop, send: _Sender, data: bytes) -> bool:
    """From the input thread: write `data` in the loop and wait until more may be written; False once the
    session is over (the loop closed or closing)."""
    try:
        future = asyncio.run_coroutine_threadsafe(send.write_and_wait(data), loop)
    except RuntimeError:
        return False  # the loop is closed: the session ended while we waited for a line
    while True:
        try:
            future.result(timeout=0.5)
            return True
        except concurrent.futures.TimeoutError:
            if loop.is_closed():
                return False
        except (concurrent.futures.CancelledError, RuntimeError):
            return False


def _pump_lines(
    stream: BinaryIO,
    typed: str,
    loop: asyncio.AbstractEventLoop,
    send: _Sender,
    encoding: str,
    done: asyncio.Future[None],
) -> None:
    """Thread body: send the lines of `stream`, a read at a time; resolve `done` at end of input, or fail
    it with the EncodingError of a line `encoding` cannot write (the lines before it are sent)."""
    as_typed = codecs.lookup(typed).name == encoding
    try:
        for batch in _batches(stream, as_typed):
            recoded = []
            for line in batch:
                try:
                    recoded.append(recode(line, typed, encoding))
                except EncodingError as error:
                    if recoded:
                        _deliver(loop, send, send.prepare(recoded))
                    loop.call_soon_threadsafe(_fail, done, error)
                    return
            if not _deliver(loop, send, send.prepare(recoded)):
                return
        loop.call_soon_threadsafe(_resolve, done)
    except RuntimeError:
        pass  # the loop is closed: the session ended while we waited for a line


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _fail(future: asyncio.Future[None], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


async def _connect(
    loop: asyncio.AbstractEventLoop, factory: Callable[[], _Session], host: str, port: int
) -> tuple[asyncio.Transport, _Session]:
    """Connect to each address `host` has in turn, as socket.create_connection does; the last error when
    none answers. Given a name with several addresses that all refuse, the stock loop raises one
    OSError("Multiple exceptions: ...") with no errno (uvloop a ConnectionRefusedError), so the same
    closed port was exit 2 without uvloop and exit 1 with it; trying them here gives the real error on
    either loop."""
    error: OSError | None = None
    for family, kind, proto, _, address in await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
        except OSError as refused:
            sock.close()
            error = refused
            continue
        except BaseException:  # a timeout's cancellation: the half-made socket is not left open
            sock.close()
            raise
        return await loop.create_connection(factory, sock=sock)  # type: ignore[return-value]
    raise error if error is not None else OSError(f"{host}: no address to connect to")


async def talk(
    host: str,
    port: int,
    *,
    sends: Iterable[str] = (),
    stdin: BinaryIO | None = None,
    stdin_encoding: str = "utf-8",
    encoding: str = "utf-8",
    wait: float | None = None,
    timeout: float = 10.0,
    show: Callable[[str], None] = print,
) -> int:
    """Connect, send `sends` (each as a line) or the lines of `stdin` (bytes, text in
    `stdin_encoding` or already in `encoding`), show what arrives.

    Returns the number of bytes received. Raises ConnectionRefusedError, OSError
    (unreachable), TimeoutError (no answer to the connection request within `timeout`),
    ConnectionResetError (the peer reset the connection; what came before it was shown) or
    EncodingError (a line of input `encoding` cannot write).
    """
    loop = asyncio.get_running_loop()
    payloads = [encode(text + "\n", encoding) for text in sends]
    transport, session = await asyncio.wait_for(_connect(loop, lambda: _Session(encoding, show), host, port), timeout)
    try:
        input_done: asyncio.Future[None] = loop.create_future()
        send = _Sender(transport, session, encoding)
        for payload in payloads:
            send(send.prepare([payload]))
        if stdin is not None and not payloads:
            threading.Thread(
                target=_pump_lines,
                daemon=True,
                name="stdin",
                args=(stdin, stdin_encoding, loop, send, encoding, input_done),
            ).start()
        else:
            input_done.set_result(None)
        await asyncio.wait([input_done, session.closed], return_when=asyncio.FIRST_COMPLETED)
        if input_done.done() and input_done.exception() is not None:
            raise input_done.exception()  # type: ignore[misc]  # a line --encoding cannot write
        if not session.closed.done():
            if wait is None:
                if transport.can_write_eof():
                    transport.write_eof()
                await session.closed
            else:
                await asyncio.wait([session.closed], timeout=wait)
    finally:
        _resolve(input_done)
        transport.close()
    if session.reset is not None:
        raise session.reset  # as ncat's "Connection reset by peer": not the peer's orderly end
    return session.received
