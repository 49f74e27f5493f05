"""A DHCP server on a real interface: lanlab.proto.dhcp's machine behind a UDP socket on port 67.

The socket is bound to the interface (SO_BINDTODEVICE), so it hears the clients' broadcasts on that
link only. A reply the RFC would send to a client that has no address yet, at its MAC (RFC 2131
4.1), is broadcast instead: a plain UDP socket cannot address a frame to a MAC without an ARP
entry (ISC dhcpd uses a raw socket for it), and every client listens for broadcasts until it is
configured (4.1 allows them).
"""

from __future__ import annotations

import errno
import fcntl
import select
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface

from lanlab.i18n import L_
from lanlab.proto.dhcp import BROADCAST, SERVER_PORT, DhcpSend, DhcpServer, message_kind
from lanlab.wire import Dhcp, WireError
from lanlab.wire.dhcp import DhcpMessageType

SIOCGIFADDR = 0x8915
SIOCGIFNETMASK = 0x891B


class DhcpServerError(OSError):
    """The server cannot start (no such interface, no address on it, port 67 taken, no rights)."""


def interface_address(interface: str) -> IPv4Interface:
    """The interface's (first) IPv4 address with its prefix, read with the SIOCGIF ioctls; never a loopback
    address (127/8 is each host's own: no client is ever on that link, RFC 1122 3.2.1.3)."""
    request = struct.pack("256s", interface.encode()[:15])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            address = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)[20:24]
            mask = fcntl.ioctl(probe.fileno(), SIOCGIFNETMASK, request)[20:24]
        except OSError as error:
            raise DhcpServerError(
                L_(
                    "{interface} has no IPv4 address to serve from ({reason})",
                    interface=interface,
                    reason=error.strerror,
                )
            ) from None
    own = IPv4Interface(f"{IPv4Address(address)}/{IPv4Address(mask)}")
    if own.ip.is_loopback:
        raise DhcpServerError(
            L_(
                "{interface} is a loopback interface ({own}): no DHCP client is ever on it; give the LAN's",
                interface=interface,
                own=own,
            )
        )
    return own


@dataclass(frozen=True, slots=True)
class Exchange:
    """One message the server heard and what it answered (None: nothing, e.g. a pool run out)."""

    kind: str
    mac: str
    answer: str | None
    address: IPv4Address | None


def open_socket(interface: str) -> socket.socket:
    """Port 67 on `interface` alone, shared with nothing that serves the same device.

    First without SO_REUSEADDR: Linux lets two UDP sockets that both set it bind one port on one device, and a
    second `lanlab dhcp serve` there started silently, both answering every client (NAKing each other's offers
    under one server identifier). Taken then by a server on every device that shares it (dnsmasq and dhcpd bind
    0.0.0.0:67 with SO_REUSEADDR), the port is asked for again with SO_REUSEADDR, as before; a lanlab server on
    this device set none, so a second still finds the port taken. Servers on other devices do not collide."""
    try:
        return _bound(interface, share=False)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise _cannot_serve(interface, error) from None
    try:
        return _bound(interface, share=True)
    except OSError as error:
        raise _cannot_serve(interface, error) from None


def _bound(interface: str, share: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if share:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        sock.bind(("", SERVER_PORT))
    except OSError:
        sock.close()
        raise
    return sock


def _cannot_serve(interface: str, error: OSError) -> DhcpServerError:
    return DhcpServerError(
        L_("cannot serve DHCP on {interface}: {reason}", interface=interface, reason=_bind_failure(error))
    )


def _bind_failure(error: OSError) -> str:
    """Why port 67 could not be had, in the user's words."""
    if error.errno in (errno.EPERM, errno.EACCES):
        return L_("run as root (port 67 and SO_BINDTODEVICE need it)")
    if error.errno == errno.EADDRINUSE:
        return L_("port 67 is taken there: another DHCP server (a lanlab dhcp serve, dnsmasq, dhcpd) serves it")
    return error.strerror or str(error)


def serve(
    sock: socket.socket,
    server: DhcpServer,
    report: Callable[[Exchange], None],
    count: int | None = None,
    deadline: float | None = None,
) -> int:
    """Answer clients until `count` messages were answered or `deadline` (monotonic seconds); how many were."""
    answered = 0
    while count is None or answered < count:
        now = time.monotonic_ns()
        wake = server.get_timer()
        waits = [
            w
            for w in (
                (wake - now) / 1e9 if wake is not None else None,
                deadline - time.monotonic() if deadline is not None else None,
            )
            if w is not None
        ]
        if deadline is not None and time.monotonic() >= deadline:
            break
        readable, _, _ = select.select([sock], [], [], max(0.0, min(waits)) if waits else None)
        now = time.monotonic_ns()
        server.handle_timer(now)
        if not readable:
            continue
        data, _ = sock.recvfrom(65535)
        try:
            message = Dhcp.parse(data)[0]
        except WireError:
            continue  # a peer's bad bytes are a drop, never a crash
        server.handle_message(message, now)
        sends = server.messages_to_send(now)
        for send in sends:
            sock.sendto(send.message.build(), (str(_destination(send)), send.port))
        kind = _type_name(message)
        if sends:
            answered += 1
        reply = sends[0].message if sends else None
        report(
            Exchange(
                kind,
                str(message.chaddr),
                _type_name(reply) if reply is not None else None,
                reply.yiaddr if reply is not None and int(reply.yiaddr) else None,
            )
        )
    return answered


def _destination(send: DhcpSend) -> IPv4Address:
    return BROADCAST if send.mac is not None else send.destination


def _type_name(message: Dhcp) -> str:
    kind = message_kind(message)
    if message.options is None:
        return "BOOTP"
    try:
        return DhcpMessageType(kind).name if kind is not None else "no type"
    except ValueError:
        return f"type {kind}"
