"""The event list: what happened to which frame, where and when (Packet Tracer's simulation mode).

Devices call `tracer.record(t, device, port, event_kind, frame, note)` only when a tracer is set
(one `is not None` test when off). The protocol and one-line summary of an event come from
`lanlab.wire.describe` on the frame's header objects, computed when the event is shown.
New subsystems add their event words with `register_kind("route")`.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from lanlab.i18n import N_, _, language, localize, pad
from lanlab.sim.core.frame import Frame
from lanlab.wire import describe

TRACE_KINDS: list[str] = ["tx", "rx", "flood", "forward", "filter", "learn", "deliver", "drop", "collision"]
KIND_PROTOCOLS: dict[str, str] = {}  # the protocol column of frameless events of a kind ("stp" -> "STP")


def register_kind(word: str, protocol: str | None = None) -> None:
    """Let a subsystem (routing, STP, TCP) record events of a new kind; `protocol` names the
    protocol column (and --filter word) of its events that carry no frame."""
    if word not in TRACE_KINDS:
        TRACE_KINDS.append(word)
    if protocol is not None:
        KIND_PROTOCOLS[word] = protocol


def trace_words() -> tuple[list[str], list[str]]:
    """The words an event list's kind and proto columns can hold, lower case (a lab's `where:` is checked
    against them): every registered kind; every protocol the dissector names a frame by (each registered
    header's NAME, RARP for ARP's reverse, Data for undecoded bytes) and the frameless kinds' protocols."""
    from lanlab.wire.registry import registered

    protocols = {cls.NAME for cls in registered()} | {"RARP", "Data"} | set(KIND_PROTOCOLS.values())
    return list(TRACE_KINDS), sorted(name.lower() for name in protocols)


class TraceEvent:
    """One line of the event list."""

    __slots__ = ("t", "device", "port", "event_kind", "frame", "note", "_described")

    def __init__(self, t: int, device: str, port: str | None, event_kind: str, frame: Frame | None, note: str) -> None:
        self.t = t
        self.device = device
        self.port = port
        self.event_kind = event_kind
        self.frame = frame
        self.note = note
        self._described: tuple[str, str] | None = None

    def _describe(self) -> tuple[str, str]:
        if self._described is None:
            if self.frame is None:
                self._described = (KIND_PROTOCOLS.get(self.event_kind, "-"), self.note)
            else:
                proto, info = describe(self.frame.layers())
                self._described = (proto, f"{info} ({self.note})" if self.note else info)
        return self._described

    @property
    def proto(self) -> str:
        return self._describe()[0]

    @property
    def summary(self) -> str:
        return self._describe()[1]

    def protocols(self) -> set[str]:
        """Every name --filter matches this event by, lower case: the protocols its frame carries,
        its device and its kind (--filter hubA,flood); an event without a frame (a route change,
        a link going down) answers to its protocol column and its kind (--filter route)."""
        names = {self.proto.lower(), self.event_kind, self.device.lower()}
        if self.frame is not None:
            names.update(type(layer).__name__.lower() for layer in self.frame.layers()[:-1])
        return names

    def as_dict(self) -> dict[str, Any]:
        """The JSON line: exactly t, device, port, kind, proto, summary, frame."""
        return {
            "t": self.t / 1e9,
            "device": self.device,
            "port": self.port,
            "kind": self.event_kind,
            "proto": self.proto,
            "summary": self.summary,
            "frame": self.frame.ident if self.frame is not None else None,
        }

    def __repr__(self) -> str:
        """As the event list shows it: <TraceEvent 0.000102 s pc1 eth0 tx ARP Who has ...>."""
        return f"<TraceEvent {self.t / 1e9:.6f} s {self.device} {self.port or '-'} {self.event_kind} {self.proto} {self.summary}>"

    def localized_summary(self) -> str:
        """The summary in the user's language: the note (why) translated; a frame's Info column
        stays as tshark writes it."""
        if language() == "en" or not self.note:
            return self.summary
        if self.frame is None:
            return localize(self.note)
        return f"{describe(self.frame.layers())[1]} ({localize(self.note)})"

    def as_row(self) -> str:
        return (
            f"{self.t / 1e9:12.6f}  {pad(self.device, 8)} {pad(self.port or '-', 6)} {self.event_kind:<9} "
            f"{self.proto:<8} {self.localized_summary()}"
        )


TABLE_COLUMNS = (
    (N_("time (s)"), 12),
    (N_("device"), 8),
    (N_("port"), 6),
    (N_("event"), 9),
    (N_("proto"), 8),
    (N_("summary"), 0),
)


def table_header() -> str:
    """The event list's heading in the user's language, over as_row's columns (a Chinese word
    takes two terminal columns per character)."""
    (time, width), *rest = TABLE_COLUMNS
    return pad(_(time), width, right=True) + "  " + " ".join(pad(_(name), width) for name, width in rest).rstrip()


class Tracer:
    """Collects events (optionally only some protocols) and/or streams them to `sink`."""

    __slots__ = ("events", "keep", "sink", "protocols", "names_seen")

    def __init__(
        self,
        *,
        protocols: Iterable[str] | None = None,
        keep: bool = True,
        sink: Callable[[TraceEvent], None] | None = None,
    ) -> None:
        self.events: list[TraceEvent] = []
        self.keep = keep
        self.sink = sink
        self.protocols = {p.lower() for p in protocols} if protocols else None
        self.names_seen: set[str] = set()  # with a filter: every name it could have matched (to spot a typo)

    def record(
        self, t: int, device: str, port: str | None, event_kind: str, frame: Frame | None, note: str = ""
    ) -> None:
        event = TraceEvent(t, device, port, event_kind, frame, note)
        if self.protocols is not None:
            names = event.protocols()
            self.names_seen |= names
            if not names & self.protocols:
                return
        if self.keep:
            self.events.append(event)
        if self.sink is not None:
            self.sink(event)


def jsonl_line(event: TraceEvent) -> str:
    """`json.dumps(event.as_dict(), ensure_ascii=False)`, formatted directly: a long trace is
    millions of lines, and the general encoder made --trace jsonl slower than --trace table."""
    port = "null" if event.port is None else _string(event.port)
    frame = "null" if event.frame is None else str(event.frame.ident)
    return (
        f'{{"t": {event.t / 1e9!r}, "device": {_string(event.device)}, "port": {port}, '
        f'"kind": {_string(event.event_kind)}, "proto": {_string(event.proto)}, '
        f'"summary": {_string(event.summary)}, "frame": {frame}}}'
    )


_string = json.encoder.encode_basestring  # the quoting json.dumps(ensure_ascii=False) uses (C when built)
