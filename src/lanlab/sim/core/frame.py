"""A frame in flight: header objects, not bytes. Bytes are built only when a capture asks."""

from __future__ import annotations

from typing import Any, Final

from lanlab.wire import IPv4, Tcp, Udp

ETH_HEADER: Final = 14
MIN_FRAME: Final = 60  # 64 on the wire with the FCS; shorter frames are padded (802.3 4.2.3.3)
WIRE_OVERHEAD: Final = 24  # preamble + SFD (8), FCS (4), inter-frame gap (12): bytes of wire time


class Frame:
    """One transmitted Ethernet frame and its copies (a switch forwards the same object).

    `eth` the Ethernet header, `l3` the network header (IPv4, Arp, ...), `l4` the transport
    header (Udp, Icmp, Tcp, ... or None), `data` the final payload, `size` the frame length in
    bytes without FCS and padding, `ident` the id the trace shows for it and its copies.
    """

    __slots__ = ("eth", "l3", "l4", "data", "size", "ident")

    def __init__(self, eth: Any, l3: Any, l4: Any, data: bytes, size: int, ident: int) -> None:
        self.eth = eth
        self.l3 = l3
        self.l4 = l4
        self.data = data
        self.size = size
        self.ident = ident

    def layers(self) -> list[Any]:
        """Headers outermost first, then the payload bytes (lanlab.wire.describe's input)."""
        out: list[Any] = [self.eth]
        if self.l3 is not None:
            out.append(self.l3)
        if self.l4 is not None:
            out.append(self.l4)
        out.append(self.data)
        return out

    def to_bytes(self) -> bytes:
        """The frame as it would be on the wire (without FCS), padded to 60 bytes."""
        payload = self.data
        l3 = self.l3
        l4 = self.l4
        if l4 is not None:
            if isinstance(l3, IPv4) and isinstance(l4, (Udp, Tcp)):
                payload = l4.build(payload, l3.src, l3.dst)  # UDP/TCP checksum over the pseudo-header
            else:
                payload = l4.build(payload)
        if l3 is not None:
            payload = l3.build(payload)
        raw: bytes = self.eth.build(payload)
        if len(raw) < MIN_FRAME:
            raw += bytes(MIN_FRAME - len(raw))
        return raw
