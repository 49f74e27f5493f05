"""dissect(frame): every header of an Ethernet frame, parsed, and a tshark-like summary of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Any

from lanlab.wire.errors import WireError
from lanlab.wire.ethernet import MAX_DOT3_LENGTH, Dot3, Ethernet
from lanlab.wire.mac import MacAddress
from lanlab.wire.registry import next_codec, summary_of


@dataclass(frozen=True, slots=True)
class Dissection:
    """A parsed frame: `layers` are header objects, outermost first, then the remaining payload bytes."""

    layers: list[Any]
    protocol: str
    info: str
    src: str
    dst: str
    error: str | None = None  # why dissection stopped early (tshark's [Malformed Packet])

    @property
    def headers(self) -> list[Any]:
        """The header objects only."""
        return self.layers[:-1]

    @property
    def payload(self) -> bytes:
        """The bytes after the last header."""
        return self.layers[-1]


def dissect(frame: bytes | memoryview) -> Dissection:
    """Parse an Ethernet frame as deep as registered codecs go; a WireError stops it and is recorded, not raised."""
    frame = bytes(frame)
    layers: list[Any] = []
    error = None
    rest = frame
    try:
        # 802.3 frames put a length where Ethernet II puts the EtherType (IEEE 802.3 3.2.6).
        first = Dot3 if len(frame) >= 14 and int.from_bytes(frame[12:14], "big") <= MAX_DOT3_LENGTH else Ethernet
        h, rest = first.parse(frame)
        layers.append(h)
        while (cls := next_codec(h)) is not None:
            h, rest = cls.parse(rest)
            layers.append(h)
    except WireError as failure:
        error = str(failure)
    layers.append(bytes(rest))
    protocol, info = describe(layers)
    if error is not None:
        info = f"{info} [Malformed Packet: {error}]" if layers[:-1] else f"[Malformed Packet: {error}]"
    src, dst = _endpoints(layers)
    return Dissection(layers, protocol, info, src, dst, error)


def describe(layers: Sequence[Any]) -> tuple[str, str]:
    """(protocol, info) for header objects, outermost first, optionally ending in payload bytes."""
    if layers and isinstance(layers[-1], (bytes, bytearray, memoryview)):
        headers, payload = layers[:-1], bytes(layers[-1])
    else:
        headers, payload = layers, b""
    if headers and payload:
        # Like tshark, name what the payload is when a codec is registered for it (RIP in UDP 520):
        # a simulator frame carries the RIP message as bytes after its UDP header object.
        upper = next_codec(headers[-1])
        if upper is not None:
            try:
                top, rest = upper.parse(payload)
                headers, payload = [*headers, top], bytes(rest)
            except WireError:
                pass
    for depth in range(len(headers) - 1, -1, -1):
        summary = summary_of(headers[depth])
        if summary is not None:
            return summary(headers[depth], headers[:depth], payload)
    return "Data", f"{len(payload)} bytes"


def _endpoints(layers: Sequence[Any]) -> tuple[str, str]:
    # tshark's Source/Destination columns: the network address when there is one, else the MAC.
    src = dst = ""
    for h in layers[:-1]:
        if isinstance(getattr(h, "src", None), (MacAddress, IPv4Address)):
            src, dst = str(h.src), str(h.dst)
    return src, dst
