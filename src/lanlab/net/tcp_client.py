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
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from lanlab.text import EncodingError, encode


class _Session(asyncio.Protocol):
    """Hands every received chunk, decoded incrementally, to `show`; notes when the peer closes."""

    def __init__(self, encoding: str, show: Callable[[str], None]) -> None:
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="backslashreplace")
        self.show = show
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.received = 0
        self.reset: ConnectionResetError | None = None  # how the peer ended it, if it reset

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        self.show(self.decoder.decode(data))

    def connection_lost(self, exc: Exception | None) -> None:
        if isinstance(exc, ConnectionResetError):
            self.reset = exc
        tail = self.decoder.decode(b"", final=True)
        if tail:
            self.show(tail)
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


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of `stream`, each with its newline (the last may lack one). A real file is read
    with os.read: a thread blocked in the buffered reader holds its lock, and an interpreter
    ending meanwhile (the peer closed) aborts with "could not acquire lock ... at shutdown"."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        yield from stream
        return
    pending = b""
    while chunk := os.read(fd, 65536):
        *whole, pending = (pending + chunk).split(b"\n")
        for line in whole:
            yield line + b"\n"
    if pending:
        yield pending


def _pump_lines(
    stream: BinaryIO,
    typed: str,
    loop: asyncio.AbstractEventLoop,
    transport: Any,
    encoding: str,
    done: asyncio.Future[None],
) -> None:
    """Thread body: send each line of `stream`; resolve `done` at end of input, or fail it with the
    EncodingError of a line `encoding` cannot write."""
    try:
        for line in _lines(stream):
            try:
                data = recode(line, typed, encoding)
            except EncodingError as error:
                loop.call_soon_threadsafe(_fail, done, error)
                return
            loop.call_soon_threadsafe(_send, transport, data)
        loop.call_soon_threadsafe(_resolve, done)
    except RuntimeError:
        pass  # the loop is closed: the session ended while we waited for a line


def _send(transport: Any, data: bytes) -> None:
    """Write unless the peer already closed (then there is nobody to send to)."""
    if not transport.is_closing():
        transport.write(data)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _fail(future: asyncio.Future[None], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


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
    transport, session = await asyncio.wait_for(
        loop.create_connection(lambda: _Session(encoding, show), host, port), timeout
    )
    try:
        input_done: asyncio.Future[None] = loop.create_future()
        for payload in payloads:
            _send(transport, payload)
        if stdin is not None and not payloads:
            threading.Thread(
                target=_pump_lines,
                daemon=True,
                name="stdin",
                args=(stdin, stdin_encoding, loop, transport, encoding, input_done),
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
