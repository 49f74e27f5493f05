"""The note's story on this machine's loopback: a UDP message and its reply, then a TCP server
and a client exchanging "thank YOU!". `lanlab demo --real` tells it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from lanlab.net import udp
from lanlab.net.tcp_client import talk
from lanlab.net.tcp_server import DEFAULT_REPLY, ServerSettings, TcpServer
from lanlab.text import decode

LOOPBACK = "127.0.0.1"


def udp_chapter(say: Callable[[str], None]) -> None:
    """A listener answers "thank YOU!"; a sender sends "Hi" and times the reply."""
    say("UDP: a datagram and its reply (the note's first program, unicast on loopback)")
    with udp.listening_socket(0, LOOPBACK) as listener, udp.sending_socket() as sender:
        port = listener.getsockname()[1]
        say(f"  listener on {LOOPBACK}:{port} answers every datagram with {DEFAULT_REPLY!r}")
        heard: list[udp.Datagram] = []

        def serve_one() -> None:
            for datagram, _ in udp.receive(listener, 1, lambda _: DEFAULT_REPLY.encode()):
                heard.append(datagram)

        thread = threading.Thread(target=serve_one, daemon=True)
        thread.start()
        result = udp.exchange(sender, (LOOPBACK, port), b"Hi", wait=2.0, expect=1)
        thread.join(2.0)
        for datagram in heard:
            say(f"  listener got {decode(datagram.data)!r} from {datagram.sender}:{datagram.port}")
        for reply in result.replies:
            say(f"  sender got {decode(reply.data)!r} from {reply.sender}:{reply.port} after {reply.rtt_ms:.3f} ms")
        if not result.replies:
            say("  no reply came back (is loopback up?)")


async def _tcp_exchange(say: Callable[[str], None]) -> None:
    def log(event: str, **fields: object) -> None:
        if event in ("connect", "message", "disconnect"):
            details = fields.get("text", fields.get("reason", ""))
            say(f"  server: {event} {fields['client']} {details}".rstrip())

    server = TcpServer(ServerSettings(host=LOOPBACK, port=0), log)
    host, port = await server.start()
    say(f"  server on {host}:{port} answers every message with {DEFAULT_REPLY!r}")
    say("  client connects and sends '你好, server'")
    received: list[str] = []
    await talk(host, port, sends=["你好, server"], show=received.append)
    await asyncio.sleep(0.05)  # let the server log the client's departure
    say(f"  client got {''.join(received)!r}, then the server closed its side")
    server.close()


def tcp_chapter(say: Callable[[str], None]) -> None:
    """Our server in reply mode and our client exchange one message and "thank YOU!"."""
    say("TCP: a server and a client (the note's second and third programs)")
    asyncio.run(_tcp_exchange(say))


def loopback_story(say: Callable[[str], None] = print) -> None:
    """Tell the whole story on loopback, line by line, through `say`."""
    udp_chapter(say)
    say("")
    tcp_chapter(say)
