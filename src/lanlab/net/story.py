"""The note's story on this machine's loopback: a UDP message and its reply, then a TCP server
and a client exchanging "thank YOU!". `lanlab demo --real` tells it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from lanlab.i18n import _, localize
from lanlab.net import udp
from lanlab.net.tcp_client import talk
from lanlab.net.tcp_server import DEFAULT_REPLY, ServerSettings, TcpServer
from lanlab.text import decode

LOOPBACK = "127.0.0.1"


def udp_chapter(say: Callable[[str], None]) -> None:
    """A listener answers "thank YOU!"; a sender sends "Hi" and times the reply."""
    say(_("UDP: a datagram and its reply (the note's first program, unicast on loopback)"))
    with udp.listening_socket(0, LOOPBACK) as listener, udp.sending_socket() as sender:
        port = listener.getsockname()[1]
        say(
            "  "
            + _("listener on {address} answers every datagram with {reply}").format(
                address=f"{LOOPBACK}:{port}", reply=repr(DEFAULT_REPLY)
            )
        )
        heard: list[udp.Datagram] = []

        def serve_one() -> None:
            for datagram, _ in udp.receive(listener, 1, lambda _: DEFAULT_REPLY.encode()):
                heard.append(datagram)

        thread = threading.Thread(target=serve_one, daemon=True)
        thread.start()
        result = udp.exchange(sender, (LOOPBACK, port), b"Hi", wait=2.0, expect=1)
        thread.join(2.0)
        for datagram in heard:
            say(
                "  "
                + _("listener got {text} from {sender}").format(
                    text=repr(decode(datagram.data)), sender=f"{datagram.sender}:{datagram.port}"
                )
            )
        for reply in result.replies:
            say(
                "  "
                + _("sender got {text} from {sender} after {rtt} ms").format(
                    text=repr(decode(reply.data)), sender=f"{reply.sender}:{reply.port}", rtt=f"{reply.rtt_ms:.3f}"
                )
            )
        if not result.replies:
            say("  " + _("no reply came back (is loopback up?)"))


async def _tcp_exchange(say: Callable[[str], None]) -> None:
    def log(event: str, **fields: object) -> None:
        client = fields.get("client")
        if event == "connect":
            say("  " + _("server: connect {client}").format(client=client))
        elif event == "message":
            say("  " + _("server: message {client} {text}").format(client=client, text=fields.get("text", "")))
        elif event == "disconnect":
            reason = fields.get("reason", "")
            reason = localize(reason) if isinstance(reason, str) else reason  # an L_ word: "closed", "reset"
            say(("  " + _("server: disconnect {client} {reason}").format(client=client, reason=reason)).rstrip())

    server = TcpServer(ServerSettings(host=LOOPBACK, port=0), log)
    host, port = await server.start()
    say(
        "  "
        + _("server on {address} answers every message with {reply}").format(
            address=f"{host}:{port}", reply=repr(DEFAULT_REPLY)
        )
    )
    say("  " + _("client connects and sends {text}").format(text=repr("你好, server")))
    received: list[str] = []
    await talk(host, port, sends=["你好, server"], show=received.append)
    await asyncio.sleep(0.05)  # let the server log the client's departure
    say("  " + _("client got {text}, then the server closed its side").format(text=repr("".join(received))))
    server.close()


def tcp_chapter(say: Callable[[str], None]) -> None:
    """Our server in reply mode and our client exchange one message and "thank YOU!"."""
    say(_("TCP: a server and a client (the note's second and third programs)"))
    asyncio.run(_tcp_exchange(say))


def loopback_story(say: Callable[[str], None] = print) -> None:
    """Tell the whole story on loopback, line by line, through `say`."""
    udp_chapter(say)
    say("")
    tcp_chapter(say)
