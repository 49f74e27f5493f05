"""`lanlab sim run --html OUT.html` and `lanlab sim view`: the run as a page (lanlab.view)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from lanlab.cli.common import EXIT_INTERRUPTED, fail
from lanlab.i18n import L_, _


class PageTarget:
    """Where the run's page goes: a file, a server on 127.0.0.1, or both. Checked before the run
    (an unwritable file or a busy port is a one-line error, not a lost run)."""

    def __init__(self, html: Path | None, port: int | None, open_browser: bool) -> None:
        from lanlab.view import check_writable

        self.html = html
        self.open_browser = open_browser
        self.server: Any = None
        if html is not None:
            try:
                check_writable(html)
            except OSError as error:
                fail(
                    _("--html: cannot write {file}: {reason}; choose another file").format(
                        file=html, reason=error.strerror or error
                    )
                )
        if port is not None:
            from lanlab.view.server import PageServer

            try:
                self.server = PageServer(port)
            except OSError as error:
                fail(
                    _(
                        "--port {port}: cannot listen on 127.0.0.1:{port}: {reason}; "
                        "choose another --port (0: any free port)"
                    ).format(port=port, reason=error.strerror or error)
                )

    def follow(self, network: Any) -> Any:
        """Start following the network's tables (before the run); the TableHistory."""
        from lanlab.view import record

        return record(network)

    def publish(self, network: Any, programs: list[Any], stopped: str | None) -> None:
        """Write the page and/or serve it (serving ends with Ctrl-C or SIGTERM: exit status 130)."""
        from lanlab.view import document_of, render_page, to_json

        document = document_of(network, programs=programs, stopped=stopped)
        page = render_page(document)
        if self.html is not None:
            try:
                self.html.write_text(page, encoding="utf-8")
            except OSError as error:
                fail(_("--html: cannot write {file}: {reason}").format(file=self.html, reason=error.strerror or error))
            click.echo(
                _("page written to {file}: open it in a browser (no network needed)").format(file=self.html), err=True
            )
        if self.server is not None:
            # `kill PID` stops it as Ctrl-C does; set before the URL is printed, for whoever reads it
            in_main = threading.current_thread() is threading.main_thread()  # where Python runs signal handlers
            previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
            try:
                click.echo(_("viewer at {url}  (Ctrl-C stops)").format(url=self.server.url))
                sys.stdout.flush()
                self.server.serve(page, to_json(document), open_browser=self.open_browser)
            except KeyboardInterrupt:
                click.echo(_("lanlab: viewer stopped"), err=True)
                sys.exit(EXIT_INTERRUPTED)
            finally:
                if in_main:
                    signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stopped_reason(network: Any, interrupted: bool, listed: int) -> str | None:
    """What the page's banner says when the run did not reach its end: an L_ text, English in the
    document (`stopped`), shown in the reader's language (`stopped_shown`). It counts the simulator's
    events, as --max-events and the storm's limit do, and names the `listed` events (the event list's
    rows, the header's count) they made: a storm's 200,008 simulator events make 690,945 rows."""
    engine = network.engine
    time, events, rows = f"{network.now / 1e9:.6f}", f"{engine.events:,}", f"{listed:,}"
    if interrupted:
        return L_(
            "interrupted (Ctrl-C) at sim time {time} s after {events} simulator events: "
            "the {rows} events listed are the run so far",
            time=time,
            events=events,
            rows=rows,
        )
    if engine.stopped:
        why = (
            f"--max-events {engine.max_events}"
            if engine.stopped_by == "max-events"
            else L_("{events} events after the broadcast storm began", events=f"{engine.events_after_storm:,}")
        )
        return L_(
            "stopped at sim time {time} s after {events} simulator events ({why}): "
            "the {rows} events listed are the run so far",
            time=time,
            events=events,
            why=why,
            rows=rows,
        )
    return None
