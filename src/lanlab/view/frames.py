"""A frame for the page: its bytes, and its layers as `lanlab decode --verbose` names them, each
field with the bytes it occupies in the frame (so the hex dump and the layer tree can point at
each other)."""

from __future__ import annotations

import base64
from typing import Any, Iterable

from lanlab.cli.decode import field_text, layer_name
from lanlab.sim.core.frame import MIN_FRAME
from lanlab.wire import dissect, wire_fields
from lanlab.wire.dissect import Dissection, endpoints
from lanlab.wire.registry import byte_count, next_codec


def field_spans(h: Any, start: int, end: int, names: Iterable[str] | None = None) -> dict[str, tuple[int, int]]:
    """Each field's [first, last+1) byte offsets in the frame, from the header's layout; bit
    fields share their item's bytes, a variable tail (IPv4 options) runs to the header's end.
    (`names`: the header's wire_fields, when the caller has them.) The same for every header of
    a class at the same place: kept, since a run has thousands of frames of a few shapes."""
    key = (type(h), start, end)
    spans = _SPANS.get(key)
    if spans is None:
        spans = _SPANS[key] = _layout_spans(type(h), start, end, list(wire_fields(h) if names is None else names))
    return spans


_SPANS: dict[tuple[type, int, int], dict[str, tuple[int, int]]] = {}


def _layout_spans(kind: type, start: int, end: int, names: list[str]) -> dict[str, tuple[int, int]]:
    spans: dict[str, tuple[int, int]] = {}
    offset = start
    for item in getattr(kind, "LAYOUT", ()):
        size = item.size
        for leaf in item.leaves:
            if leaf.const is None:
                spans[leaf.name.lstrip("_")] = (offset, offset + size)
        offset += size
    for name in names:
        if name not in spans and offset < end:  # the tail: whatever the layout does not cover
            spans[name] = (offset, end)
    return spans


def header_lengths(frame: bytes, headers: list[Any]) -> list[int]:
    """How many bytes each header took: parsing again with the class dissect chose, the payload
    it returns starts right after the header (it may stop before the end: padding)."""
    lengths = []
    rest = frame
    for h in headers:
        try:
            _, payload = type(h).parse(rest)
        except Exception:  # noqa: BLE001 - a header dissect parsed parses again; stop where it does not
            break
        payload = bytes(payload)
        size = getattr(type(h), "SIZE", 0)
        length = next(
            (k for k in range(size, len(rest) - len(payload) + 1) if rest[k : k + len(payload)] == payload),
            len(rest) - len(payload),
        )
        lengths.append(length)
        rest = rest[length : length + len(payload)]
    return lengths


# The fields a page reads without opening a frame: the event list's sentences and the ladder's
# ends. A live page gets only these at first (a brief entry) and asks for the rest when it
# shows the frame in its detail panel.
BRIEF_FIELDS = {"Ethernet": ("src", "dst"), "IPv4": ("src", "dst"), "ARP": ("sender_ip", "target_ip")}


def frame_entry(raw: bytes, *, brief: bool = False) -> dict[str, Any]:
    """{"bytes": base64, "layers": [{"layer", "start", "end", "fields": [[name, text, start, end]]}],
    "protocol", "info", "src", "dst"} for one frame. `brief`: every layer named but only the
    BRIEF_FIELDS in it, without byte offsets, and "brief": true (docs/viewer-format.md, live)."""
    d = dissect(raw)
    payload = d.payload
    if brief:
        layers = _brief_layers(raw, d.headers)
        if payload:
            layers.append({"layer": "Data", "fields": []})
    else:
        layers, offset = _layers(raw, d.headers)
        if payload:
            size = len(payload)
            layers.append(
                {
                    "layer": "Data",
                    "start": offset,
                    "end": offset + size,
                    "fields": [["data", byte_count(size), offset, offset + size]],
                }
            )
        if layers:
            layers[0]["fields"].extend(_tail_fields(raw, d))
    entry = {
        "bytes": base64.b64encode(raw).decode("ascii"),
        "protocol": d.protocol,
        "info": d.info,
        "src": d.src,
        "dst": d.dst,
        "layers": layers,
    }
    if brief:
        entry["brief"] = True
    if d.error:
        entry["error"] = d.error
    return entry


def object_brief_entry(raw: bytes, layers: list[Any], described: tuple[str, str]) -> dict[str, Any] | None:
    """`frame_entry(raw, brief=True)` made from the objects that built `raw` (a simulator frame's
    `layers()`: headers, then the payload bytes) and their `describe` (protocol, info), without
    parsing the bytes again (most of a brief entry's cost); None when `dissect(raw)` could find
    other headers than these, and the caller decodes the bytes: bytes past them (Ethernet
    padding), or a header after which the registry names another codec than the next object's
    (RIP in UDP's payload, an ICMP error's quoted IPv4, 802.3's LLC)."""
    headers, payload = layers[:-1], layers[-1]
    for h, upper in zip(headers, [*headers[1:], None]):
        if next_codec(h) is not (type(upper) if upper is not None else None):
            return None
    if len(raw) <= MIN_FRAME:  # perhaps padded: the padding would be dissect's payload
        return None
    protocol, info = described
    src, dst = endpoints(headers)
    layers = [_brief_layer(h) for h in headers]
    if payload:
        layers.append({"layer": "Data", "fields": []})
    return {
        "bytes": base64.b64encode(raw).decode("ascii"),
        "protocol": protocol,
        "info": info,
        "src": src,
        "dst": dst,
        "layers": layers,
        "brief": True,
    }


def _tail_fields(raw: bytes, d: Dissection) -> list[list[Any]]:
    """The frame's padding, trailer and guessed FCS as fields of its Ethernet layer, where tshark puts them."""
    fields: list[list[Any]] = []
    start = len(raw) - len(d.padding) - len(d.trailer) - len(d.fcs)
    for name, part in (("padding", d.padding), ("trailer", d.trailer), ("fcs", d.fcs)):
        if part:
            text = f"0x{part.hex()} (unverified)" if name == "fcs" else byte_count(len(part))
            fields.append([name, text, start, start + len(part)])
            start += len(part)
    return fields


def _layers(raw: bytes, headers: list[Any]) -> tuple[list[dict[str, Any]], int]:
    """Every field of every header with its byte offsets; and where the headers end."""
    layers = []
    offset = 0
    for h, length in zip(headers, header_lengths(raw, headers)):
        values = wire_fields(h)
        spans = field_spans(h, offset, offset + length, values)
        fields = []
        for name, value in values.items():
            first, last = spans.get(name, (offset, offset))
            fields.append([name, field_text(h, name, value), first, last])
        layers.append({"layer": layer_name(h), "start": offset, "end": offset + length, "fields": fields})
        offset += length
    return layers, offset


def _brief_layers(raw: bytes, headers: list[Any]) -> list[dict[str, Any]]:
    """The layers the whole entry has (up to where `header_lengths` stops: an ICMP error's quote,
    cut short, is not the frame's own), each with its BRIEF_FIELDS only."""
    return [_brief_layer(h) for h, _ in zip(headers, header_lengths(raw, headers))]


def _brief_layer(h: Any) -> dict[str, Any]:
    name = layer_name(h)
    kind = type(h)
    fields = []
    for field in BRIEF_FIELDS.get(name, ()):
        value = getattr(h, field)
        key = (kind, field, value)  # a field's text is its class's and value's alone (wire.meaning_of)
        text = _BRIEF_TEXTS.get(key)
        if text is None:
            text = _BRIEF_TEXTS[key] = field_text(h, field, value)
        fields.append([field, text, 0, 0])
    return {"layer": name, "fields": fields}


# Address texts: a run's frames carry the addresses of its few nodes over and over, and an
# address object's str() is most of a brief layer's cost.
_BRIEF_TEXTS: dict[tuple[type, str, Any], str] = {}
