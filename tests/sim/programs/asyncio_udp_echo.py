"""asyncio datagrams: an endpoint answering each datagram reversed (but not "drop"), a client endpoint
waiting for each answer with wait_for, and a connected endpoint told ECONNREFUSED by ICMP."""

import asyncio

PORT = 8802


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        print("server got", data, "from", addr[0])
        if data != b"drop":
            self.transport.sendto(data[::-1], addr)


class Client(asyncio.DatagramProtocol):
    def __init__(self):
        self.answers = asyncio.Queue()

    def datagram_received(self, data, addr):
        self.answers.put_nowait((data, addr))

    def error_received(self, exc):
        print("client error", type(exc).__name__, exc.errno)


async def main():
    loop = asyncio.get_running_loop()
    server, _ = await loop.create_datagram_endpoint(Echo, local_addr=("0.0.0.0", PORT))
    transport, client = await loop.create_datagram_endpoint(Client, remote_addr=("127.0.0.1", PORT))
    for word in (b"hello", b"drop", b"again"):
        transport.sendto(word)
        try:
            data, addr = await asyncio.wait_for(client.answers.get(), 0.3)
            print("client got", data, "from port", addr[1])
        except asyncio.TimeoutError:
            print("no answer to", word)
    nobody, _ = await loop.create_datagram_endpoint(Client, remote_addr=("127.0.0.1", 9999))
    nobody.sendto(b"anyone?")
    await asyncio.sleep(0.1)
    nobody.close()
    transport.close()
    server.close()
    print("done")


asyncio.run(main())
