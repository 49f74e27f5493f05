"""The full-duplex client: sends lines, shows what arrives decoded, half-closes, reports errors."""

from __future__ import annotations

import asyncio
import io
import socket

import pytest

from lanlab.net import aio
from lanlab.net.tcp_client import talk


async def one_shot_server(handler):
    """A loopback server running `handler(reader, writer)` per client; returns (server, port)."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_talk_sends_each_text_as_a_line_and_shows_the_answer_across_chunks():
    """gb2312 text split across two segments is shown whole (incremental decoding)."""
    answer = "谢谢你!".encode("gb2312")

    async def handler(reader, writer):
        line = await reader.readline()
        assert line == "你好\n".encode("gb2312")
        writer.write(answer[:3])  # cut inside a two-byte character
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(answer[3:])
        writer.close()

    async def main():
        server, port = await one_shot_server(handler)
        shown = []
        async with server:
            received = await talk("127.0.0.1", port, sends=["你好"], encoding="gb2312", show=shown.append)
        return received, "".join(shown)

    received, text = aio.run(main())
    assert received == len(answer) and text == "谢谢你!"


def test_talk_reads_stdin_lines_and_half_closes_at_their_end():
    """Lines from a non-terminal stdin are sent; at EOF the peer sees EOF and can still answer."""

    async def handler(reader, writer):
        everything = await reader.read()  # until our half-close
        writer.write(b"got %d bytes" % len(everything))
        writer.close()

    async def main():
        server, port = await one_shot_server(handler)
        shown = []
        async with server:
            await talk("127.0.0.1", port, stdin=io.BytesIO(b"one\ntwo\n"), show=shown.append)
        return "".join(shown)

    assert aio.run(main()) == "got 8 bytes"


def test_talk_with_wait_keeps_listening_then_closes_itself():
    """With wait, the client does not half-close; it listens that long and closes."""

    async def handler(reader, writer):
        await reader.readline()
        for word in (b"a", b"b"):
            writer.write(word)
            await asyncio.sleep(0.05)
        await reader.read()  # never ends unless the client closes

    async def main():
        server, port = await one_shot_server(handler)
        shown = []
        loop = asyncio.get_running_loop()
        async with server:
            started = loop.time()
            await talk("127.0.0.1", port, sends=["hi"], wait=0.3, show=shown.append)
            return "".join(shown), loop.time() - started

    text, elapsed = aio.run(main())
    assert text == "ab" and 0.25 < elapsed < 3


def test_talk_to_a_closed_port_is_refused():
    """Nothing listening: ConnectionRefusedError (the CLI says so in one line)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(ConnectionRefusedError):
            aio.run(talk("127.0.0.1", port, sends=["x"]))


def test_talk_times_out_when_the_handshake_is_never_answered():
    """A listener whose accept queue is full drops SYNs: the connect times out."""
    with socket.socket() as full:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        port = full.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):  # fill the accept queue (backlog 0 holds one)
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                fillers.append(filler)
            with pytest.raises(TimeoutError):
                aio.run(talk("127.0.0.1", port, sends=["x"], timeout=0.3))
        finally:
            for filler in fillers:
                filler.close()


def test_talk_to_a_name_whose_every_address_refuses_is_refused_on_the_stock_loop():
    """A name with two addresses, neither listening: ConnectionRefusedError on asyncio's own loop too (not its
    errno-less "Multiple exceptions" OSError), so the CLI says "refused" and exits 1 with or without uvloop."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

        async def two_addresses(host, port, **kwargs):
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port)),
            ]

        async def main():
            asyncio.get_running_loop().getaddrinfo = two_addresses
            await talk("two.example", port, sends=["x"])

        with pytest.raises(ConnectionRefusedError):
            asyncio.run(main())  # the stock loop, whatever aio.run would pick
