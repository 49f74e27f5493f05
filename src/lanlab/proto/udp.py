"""UDP demultiplexing (RFC 768): which bound endpoint a datagram is for, ephemeral ports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Generic, TypeVar

from lanlab.i18n import L_

EPHEMERAL_FIRST: Final = 32768  # Linux net.ipv4.ip_local_port_range
EPHEMERAL_LAST: Final = 60999

H = TypeVar("H")


class PortInUseError(ValueError):
    """bind() to a port that is taken (EADDRINUSE)."""


class UdpDemux(Generic[H]):
    """Port -> receiver table of one host; a receiver is whatever the host layer calls."""

    __slots__ = ("bound", "accepts", "_next_ephemeral")

    def __init__(self) -> None:
        self.bound: dict[int, H] = {}  # read directly on the delivery hot path
        # (port, dst, src, src_port) -> whether a receiver on the port takes that datagram, when sockets bound
        # to one address share the port table (a socket on 127.0.0.1 does not take a datagram to the LAN
        # address: no socket does, so the host answers port unreachable, as Linux's __udp4_lib_lookup finds none)
        self.accepts: Callable[[int, Any, Any, int], bool] | None = None
        self._next_ephemeral = EPHEMERAL_FIRST

    def bind(self, port: int, receiver: H) -> int:
        """Attach `receiver` to `port` (0: pick an ephemeral port); the port bound."""
        if port == 0:
            port = self.ephemeral_port()
        if not 0 < port < 65536:
            raise ValueError(L_("UDP port {port} out of range 1-65535", port=port))
        if port in self.bound:
            raise PortInUseError(L_("UDP port {port} is already in use", port=port))
        self.bound[port] = receiver
        return port

    def unbind(self, port: int) -> None:
        self.bound.pop(port, None)

    def receiver(self, port: int) -> H | None:
        return self.bound.get(port)

    def ephemeral_port(self) -> int:
        """The next free port of the ephemeral range, round robin like Linux's."""
        span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1
        for _ in range(span):
            port = self._next_ephemeral
            self._next_ephemeral = EPHEMERAL_FIRST + (port - EPHEMERAL_FIRST + 1) % span
            if port not in self.bound:
                return port
        raise PortInUseError(L_("no free ephemeral UDP port"))

    def ports(self) -> list[int]:
        return sorted(self.bound)
