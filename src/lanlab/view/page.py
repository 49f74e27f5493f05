"""The page: one self-contained HTML file (style, vendored cytoscape.js, the page's own script
and the run's document inlined) that opens from file:// with no server and no network."""

from __future__ import annotations

import html
import json
import re
import stat
from importlib.resources import files
from pathlib import Path
from typing import Any

from lanlab.i18n import language
from lanlab.view.catalogue import page_catalogue
from lanlab.view.document import to_json

# The page's script, one file a pane, in the order they must run (each adds to window.lanlab).
SCRIPTS = (
    "util.js",
    "i18n.js",
    "state.js",
    "filters.js",
    "layout.js",
    "topology.js",
    "timeline.js",
    "events.js",
    "detail.js",
    "tables.js",
    "programs.js",
    "ladder.js",
    "pcapng.js",
    "live.js",
    "build.js",
    "checks.js",
    "main.js",
)
STYLES = ("viewer.css", "checks.css")
VENDOR = ("cytoscape.min.js",)
DATA_ID = "lanlab-data"


def _asset(*parts: str) -> str:
    return files("lanlab.view").joinpath(*parts).read_text(encoding="utf-8")


def render_page(
    document: dict[str, Any],
    *,
    live: bool = False,
    title: str | None = None,
    more: tuple[tuple[str, dict[str, Any]], ...] = (),
) -> str:
    """The whole page as text. Everything user-made (names, payloads, program output) travels
    inside the JSON, which the script shows with textContent, never as markup. live: the page
    of `sim serve`, allowed to open its WebSocket back to the server that sent it (and only that).
    title: the window's title (default: the network's name). more: further documents the page
    carries, each (element id, document), as `lab check --html` carries one run per stage."""
    template = _asset("assets", "page.html")
    scripts = [_asset("assets", name) for name in SCRIPTS]
    parts = {
        "TITLE": html.escape(title if title is not None else f"lanlab: {document.get('network', 'network')}"),
        "STYLE": "\n".join(_asset("assets", name) for name in STYLES),
        "VENDOR": "\n".join(_asset("vendor", name) for name in VENDOR),
        "SCRIPT": "\n".join(scripts),
        "I18N": to_json(page_catalogue(scripts)),
        "LANG": "zh-CN" if language() == "zh" else "en",  # the page's language until its reader picks one
        "DATA": to_json(document),
        "CONNECT": "; connect-src 'self'" if live else "",
    }
    # to_json leaves no `<` in a document: these elements' only tags are their own.
    tagged = {
        "MORE": "".join(
            f'\n<script type="application/json" id="{html.escape(ident)}">{to_json(doc)}</script>'
            for ident, doc in more
        )
    }
    # One pass, so nothing inserted is searched again for placeholders.
    return re.sub(
        r"/\*@(\w+)@\*/",
        lambda m: tagged[m.group(1)] if m.group(1) in tagged else parts[m.group(1)].replace("</script", "<\\/script"),
        template,
    )


def read_document(page: str | Path, ident: str = DATA_ID) -> dict[str, Any]:
    """The format-1 document inside a page written by write_page: its path (a Path, or a str without
    a `<`) or the page's text; ident: the element of one of the page's further documents."""
    is_path = isinstance(page, Path) or "<" not in page  # a page's text always holds a `<`
    text = Path(page).read_text(encoding="utf-8") if is_path else page
    match = re.search(rf'<script type="application/json" id="{re.escape(ident)}">(.*?)</script>', text, re.S)
    if match is None:
        raise ValueError("no lanlab viewer data in this page")
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def check_writable(path: Path) -> None:
    """Raise OSError now, before a long run, if the page could not be written there."""
    if path.is_dir():
        raise IsADirectoryError(21, "is a directory", str(path))
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        # a stream (a named pipe, /dev/stdout into a pipe, `>(gzip > page.html.gz)`): opening it to try would
        # wait for a reader that comes only once the run is done, or give the one there an early end of file
        return
    existed = path.exists()
    with open(path, "a", encoding="utf-8"):
        pass
    if not existed:
        path.unlink()


def write_page(path: str | Path, document: dict[str, Any]) -> Path:
    path = Path(path)
    path.write_text(render_page(document), encoding="utf-8")
    return path
