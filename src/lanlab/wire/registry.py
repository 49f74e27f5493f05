"""Which codec follows which: the dissector's tables, filled by each codec module when it is imported.

A codec module ends with one `register(...)` call per header class:

    register(Udp, under=[("ip_proto", 17)], next_keys=lambda h: [("udp_port", h.dst_port), ("udp_port", h.src_port)],
             summary=udp_summary)

- under: the (table, key) pairs that lead to this header: ("ethertype", 0x0806), ("ip_proto", 6),
  ("udp_port", 520), ("llc_sap", 0x42), or any table a lower codec's next_keys names (("tcp_port", 179)).
- next_keys(h): the (table, key) pairs to look up, in order, for what follows h (None: nothing follows).
- summary(h, below, payload) -> (protocol, info): tshark's Protocol column and Info line for a frame
  whose top header is h; `below` are the headers under it (outermost first), `payload` the bytes above it.
- quotes(h): True when what follows h is not carried by it but quoted from another datagram (an ICMP
  error's copy of the datagram it is about): the dissector decodes it as a datagram a snaplen cut short
  and keeps its addresses out of the frame's Source and Destination.

A header cut short (by a snaplen, or in a quote) can still show its first fields: a class registered
under (table + CUT, key) is parsed in its place (PartialTcp: ports and sequence number in 8 bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lanlab.wire.fields import Header

Key = tuple[str, int]
Summary = Callable[[Any, Sequence[Any], bytes], tuple[str, str]]

_BY_KEY: dict[Key, type[Header]] = {}
_NEXT_KEYS: dict[type, Callable[[Any], Iterable[Key]]] = {}
_SUMMARY: dict[type, Summary] = {}
_QUOTES: dict[type, Callable[[Any], bool]] = {}
CUT = ":cut"  # suffix of the tables that name a header's partial form


def register(
    cls: type[Header],
    *,
    summary: Summary,
    under: Iterable[Key] = (),
    next_keys: Callable[[Any], Iterable[Key]] | None = None,
    quotes: Callable[[Any], bool] | None = None,
) -> None:
    """Make the dissector parse `cls` where one of `under` is looked up, and describe frames it tops."""
    for key in under:
        _BY_KEY[key] = cls
    if next_keys is not None:
        _NEXT_KEYS[cls] = next_keys
    if quotes is not None:
        _QUOTES[cls] = quotes
    _SUMMARY[cls] = summary


def next_codec(h: Any, cut: bool = False) -> type[Header] | None:
    """The header class that follows `h` on the wire, if one is registered (with cut: its partial form)."""
    keys = _NEXT_KEYS.get(type(h))
    if keys is None:
        return None
    for table, value in keys(h):
        cls = _BY_KEY.get((table + CUT, value) if cut else (table, value))
        if cls is not None:
            return cls
    return None


def registered() -> list[type[Header]]:
    """Every header class registered with the dissector, in registration order."""
    return list(_SUMMARY)


def quotes(h: Any) -> bool:
    """Whether what follows `h` is a quoted datagram (an ICMP error's), not its payload."""
    quoting = _QUOTES.get(type(h))
    return quoting is not None and quoting(h)


def summary_of(h: Any) -> Summary | None:
    """The summary function registered for `h`'s class."""
    return _SUMMARY.get(type(h))


def byte_count(n: int) -> str:
    """ "1 byte", "64 bytes": a length as tshark's columns say it."""
    return "1 byte" if n == 1 else f"{n} bytes"
