"""The run in a browser: topology, frames moving, every step's layers and tables.

    from lanlab.view import record, save_html
    net = Network.from_yaml("examples/hub_vs_switch.yaml")
    history = record(net)          # before running: tables are followed event by event
    net.do("pc1 ping pc3 -c 2"); history.run(3 * SECOND)   # (or net.run(3))
    save_html(net, "run.html")     # or net.save_html("run.html")

Layout: history (each node's tables at every event, as changes), frames (bytes and layers with
field byte spans), document (the one module that writes the format-1 JSON, docs/viewer-format.md),
replay (reading it back: tables at an event), page (the self-contained HTML), server (`sim view`),
assets/ (the page's style and script, one file per pane), vendor/ (cytoscape.js, from
scripts/vendor_js.sh).
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from lanlab.view.document import FORMAT, build_document, to_json
from lanlab.view.history import TableHistory
from lanlab.view.page import check_writable, read_document, render_page, write_page
from lanlab.view.replay import last_event_at, shown_rows, tables_at

_HISTORIES: weakref.WeakKeyDictionary[Any, TableHistory] = weakref.WeakKeyDictionary()


def record(network: Any) -> TableHistory:
    """Follow `network`'s events and tables from now on (call it before running)."""
    history = _HISTORIES.get(network)
    if history is None:
        history = _HISTORIES[network] = TableHistory(network)
    return history


def document_of(network: Any, *, programs: list[Any] = (), stopped: str | None = None) -> dict[str, Any]:  # type: ignore[assignment]
    """The format-1 document of the run so far. Without record() before the run, the events are
    the network's kept trace and the tables are those of now only (the page says so)."""
    history = _HISTORIES.get(network)
    if history is None:
        history = TableHistory(network, follow=False)  # the tables of now, as the initial state
        history.events = list(network.trace)
        document = build_document(network, history, programs=programs, stopped=stopped)
        document["tables"]["partial"] = (
            "tables as at the end only"
            + ("" if history.events else ", and no events (the network kept no trace)")
            + ": call lanlab.view.record(net) before running"
        )
        return document
    return build_document(network, history, programs=programs, stopped=stopped)


def save_html(network: Any, path: str | Path) -> Path:
    """Write the run so far as one self-contained page."""
    return write_page(path, document_of(network))


def notebook_html(network: Any, height: int = 640) -> str:
    """The page in an iframe (Jupyter's _repr_html_): its script runs apart from the notebook's."""
    import html

    page = render_page(document_of(network))
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{height}px;border:0" '
        'sandbox="allow-scripts allow-downloads"></iframe>'
    )


__all__ = [
    "FORMAT",
    "TableHistory",
    "build_document",
    "check_writable",
    "document_of",
    "last_event_at",
    "notebook_html",
    "read_document",
    "record",
    "render_page",
    "save_html",
    "shown_rows",
    "tables_at",
    "to_json",
    "write_page",
]
