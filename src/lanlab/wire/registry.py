"""Which codec follows which: the dissector's tables, filled by each codec module when it is imported.

A codec module ends with one `register(...)` call per header class:

    register(Udp, under=[("ip_proto", 17)], next_keys=lambda h: [("udp_port", h.dst_port), ("udp_port", h.src_port)],
             summary=udp_summary)

- under: the (table, key) pairs that lead to this header: ("ethertype", 0x0806), ("ip_proto", 6),
  ("udp_port", 520), ("llc_sap", 0x42), or any table a lower codec's next_keys names (("tcp_port", 179)).
- next_keys(h): the (table, key) pairs to look up, in order, for what follows h (None: nothing follows).
- summary(h, below, payload) -> (protocol, info): tshark's Protocol column and Info line for a frame
  whose top header is h; `below` are the headers under it (outermost first), `payload` the bytes above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

Key = tuple[str, int]
Summary = Callable[[Any, Sequence[Any], bytes], tuple[str, str]]

_BY_KEY: dict[Key, type] = {}
_NEXT_KEYS: dict[type, Callable[[Any], Iterable[Key]]] = {}
_SUMMARY: dict[type, Summary] = {}


def register(cls: type, *, summary: Summary, under: Iterable[Key] = (),
             next_keys: Callable[[Any], Iterable[Key]] | None = None) -> None:
    """Make the dissector parse `cls` where one of `under` is looked up, and describe frames it tops."""
    for key in under:
        _BY_KEY[key] = cls
    if next_keys is not None:
        _NEXT_KEYS[cls] = next_keys
    _SUMMARY[cls] = summary


def next_codec(h: Any) -> type | None:
    """The header class that follows `h` on the wire, if one is registered."""
    keys = _NEXT_KEYS.get(type(h))
    if keys is None:
        return None
    for key in keys(h):
        cls = _BY_KEY.get(key)
        if cls is not None:
            return cls
    return None


def summary_of(h: Any) -> Summary | None:
    """The summary function registered for `h`'s class."""
    return _SUMMARY.get(type(h))
