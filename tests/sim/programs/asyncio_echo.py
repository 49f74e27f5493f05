"""asyncio streams on one host: start_server and open_connection, a wait_for timeout, asyncio.sleep,
write_eof (a half-close) and reading the rest."""

import asyncio

PORT = 8801


async def handle(reader, writer):
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()
    print("server: the client closed its side")
    writer.write(b"bye\n")
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle, "0.0.0.0", PORT)
    print("server on", server.sockets[0].getsockname())
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    for word in (b"hello\n", b"world\n"):
        writer.write(word)
        await writer.drain()
        print("client got", await reader.readline())
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        await asyncio.wait_for(reader.readline(), timeout=0.5)
    except asyncio.TimeoutError:
        print("no line: timed out after at least 0.5 s:", loop.time() - start >= 0.5)
    start = loop.time()
    await asyncio.sleep(1.25)
    print("slept at least 1.25 s:", loop.time() - start >= 1.25)
    writer.write_eof()
    print("client read after its EOF:", await reader.read())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    print("done")


asyncio.run(main())
