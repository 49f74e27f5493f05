"""The viewer's data: one JSON document ("format": 1) made from a finished run.

docs/viewer-format.md describes every key; this module is the only one that writes them.
Events are stored by column (each column one list, index i = event i) and frames once each,
shared by every event that carries them, so a storm of 100,000 events stays small.
"""

from __future__ import annotations

import json
from typing import Any

import lanlab
from lanlab.sim.mistakes import network_domains
from lanlab.view.catalogue import in_each_language, notes_in_each_language
from lanlab.view.frames import frame_entry, object_brief_entry
from lanlab.view.history import TABLE_COLUMNS, TableHistory
from lanlab.wire import describe

FORMAT = 1
EVENT_COLUMNS = ("t", "node", "port", "kind", "proto", "note", "frame")


def topology(network: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(nodes, links): each node's kind, addresses and ports (with MAC and address where the
    port is a NIC); each link's two ends, its delay, rate and loss, and its counters."""
    nodes = []
    for name, node in network.nodes.items():
        nics = {nic.name: nic for nic in getattr(node, "nics", ())}
        ports = []
        for port_name in node.ports:
            port: dict[str, Any] = {"name": port_name}
            nic = nics.get(port_name)
            if nic is not None:
                port["mac"] = str(nic.mac)
                port["ip"] = str(nic.address) if nic.address is not None else None
            ports.append(port)
        nodes.append(
            {
                "name": name,
                "kind": getattr(node, "kind", type(node).__name__.lower()),
                "addresses": [str(a) for a in getattr(node, "addresses", [])],
                "ports": ports,
            }
        )
    return nodes, links_of(network)


def links_of(network: Any) -> list[dict[str, Any]]:
    """Each link's two ends, its delay, rate and loss, and its counters (a live batch sends them
    again as they move)."""
    return [
        {
            "a": link.a.label,
            "b": link.b.label,
            "delay": link.delay,
            "rate": link.rate,
            "loss": link.loss,
            **{key: value for key, value in link.counters().items() if key not in ("a", "b")},
        }
        for link in network.links
    ]


def domains(network: Any) -> dict[str, Any]:
    """The collision and broadcast domains, as `lanlab sim domains --json` gives them (one walk,
    lanlab.topology.domains), for the page to shade each its own colour."""
    return network_domains(network).as_json()


class EventEncoder:
    """Events into the document's columns, each distinct frame once. Kept between calls, so a
    live page gets the same indices in batches as a finished run's document holds.
    `brief`: frames as brief entries (a live run: the page asks for a frame's layers, `full`)."""

    def __init__(self, node_index: dict[str, int], *, brief: bool = False) -> None:
        self.node_index = node_index
        self.brief = brief
        self.frame_index: dict[int, int] = {}  # id(Frame) -> index: a switch forwards the very same object
        self.frames_kept: list[Any] = []  # the Frame objects indexed, so no id() is reused while encoding
        self.protocols: list[str] = []  # each frame's protocol column, by index
        # bytes -> decoded entry: a storm's copies of one frame are new objects with the same
        # bytes, and decoding is most of a page's making
        self.decoded: dict[bytes, dict[str, Any]] = {}

    def encode(self, events: list[Any]) -> tuple[dict[str, list[Any]], list[dict[str, Any]]]:
        """(columns, new frames) of these events; frame indices count on from earlier calls."""
        columns: dict[str, list[Any]] = {name: [] for name in EVENT_COLUMNS}
        frames: list[dict[str, Any]] = []
        t, node_col, port, kind, proto, note, frame_col = (columns[name] for name in EVENT_COLUMNS)
        for event in events:
            frame = event.frame
            t.append(event.t)
            node_col.append(self.node_index.get(event.device, -1))
            port.append(event.port)
            kind.append(event.event_kind)
            note.append(event.note)
            if frame is None:
                proto.append(event.proto)
                frame_col.append(-1)
                continue
            index = self.frame_index.get(id(frame))
            if index is None:
                index = self.frame_index[id(frame)] = len(self.protocols)
                self.frames_kept.append(frame)
                raw = frame.to_bytes()
                layers = frame.layers()
                described = describe(layers)  # the event list's words
                decoded = self.decoded.get(raw)
                if decoded is None:
                    made = object_brief_entry(raw, layers, described) if self.brief else None
                    decoded = self.decoded[raw] = made if made is not None else frame_entry(raw, brief=self.brief)
                entry = self._entry(frame, decoded, described)
                frames.append(entry)
                self.protocols.append(entry["protocol"])
            proto.append(self.protocols[index])
            frame_col.append(index)
        return columns, frames

    def full(self, index: int) -> dict[str, Any]:
        """Frame `index`'s whole entry, every layer with its fields and their bytes (an IndexError
        for an index no event has carried)."""
        if not 0 <= index < len(self.frames_kept):
            raise IndexError(f"no frame {index}: this run has frames 0 to {len(self.frames_kept) - 1}")
        frame = self.frames_kept[index]
        return self._entry(frame, frame_entry(frame.to_bytes()), describe(frame.layers()))

    @staticmethod
    def _entry(frame: Any, decoded: dict[str, Any], described: tuple[str, str]) -> dict[str, Any]:
        """The decoded bytes' entry with the frame's id, and its protocol and summary as the event
        list words them (`described`: describe of the frame's own layers)."""
        entry = {**decoded, "id": frame.ident}
        entry["protocol"], entry["summary"] = described
        return entry


def program_entries(programs: list[Any]) -> list[dict[str, Any]]:
    """Each --app program's console: node, path, exit status (None while it runs), [time, line]s."""
    return [
        {"node": p.node, "path": str(p.path), "exit": p.exit, "output": [[when, text] for when, text in p.output]}
        for p in programs
    ]


def build_document(
    network: Any,
    history: TableHistory,
    *,
    programs: list[Any] = (),  # type: ignore[assignment]
    stopped: str | None = None,
) -> dict[str, Any]:
    """The format-1 document of a run recorded by `history` (see docs/viewer-format.md).
    `stopped`: why the run ended early (an L_ text: English here, the banner shows `stopped_shown`'s
    sentence in the reader's language), None when it ran to its end."""
    nodes, links = topology(network)
    columns, frames = EventEncoder({node["name"]: i for i, node in enumerate(nodes)}).encode(history.events)
    document: dict[str, Any] = {
        "format": FORMAT,
        "generator": f"lanlab {lanlab.__version__}" if hasattr(lanlab, "__version__") else "lanlab",
        "network": network.name,
        "seed": network.engine.seed,
        "end": network.now,
        "nodes": nodes,
        "links": links,
        "domains": domains(network),
        "events": columns,
        "frames": frames,
        "tables": {
            "columns": TABLE_COLUMNS,
            "initial": history.initial,
            "changes": [list(change) for change in history.changes],
        },
        "commands": [{"node": c.node, "command": c.command_text, "at": c.at} for c in network.commands],
        "programs": program_entries(programs),
        "stopped": stopped,
        "stopped_shown": in_each_language(stopped) if stopped else None,
        "notes_shown": notes_in_each_language(columns["note"]),
    }
    return document


def to_json(document: dict[str, Any]) -> str:
    """Compact JSON; every `<` is written \\u003c (it can only be inside a string), so the text can
    sit inside a <script> element whatever the names and payloads say (`</script>`, `<!--`)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).replace("<", "\\u003c")
