"""`lab check --html`: one self-contained page a student opens (no script, no network): the score,
each stage's checks beside its event list, and from each trace or question check a link to the
events its query selected, the first of them for a failed one. Every text on the page (the lab's,
the student's, a program's output, the trace) is escaped: a page is never markup someone wrote."""

from __future__ import annotations

from html import escape
from pathlib import Path

from lanlab.lab.checks import Result
from lanlab.lab.model import Lab
from lanlab.lab.runner import StageTrail

SHOWN_EVENTS = 2000  # of a stage's events listed from its start; the checks' own events are listed too
SHOWN_PER_CHECK = 200  # events of one check listed (a storm's check selects hundreds of thousands)

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { margin-bottom: .2em; } .score { font-size: 1.3em; margin: .2em 0 1em; }
pre.brief { white-space: pre-wrap; background: #f6f6f4; padding: .8em; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1.2em; }
th, td { text-align: left; padding: .25em .5em; border-bottom: 1px solid #ddd; vertical-align: top; }
tr.pass td.mark { color: #17702c; font-weight: bold; } tr.fail td.mark { color: #b3261e; font-weight: bold; }
td.hint { color: #b3261e; } td.found { font-family: ui-monospace, monospace; white-space: pre-wrap; }
table.events td { font-family: ui-monospace, monospace; font-size: 12px; padding: .05em .5em; }
table.events tr.hit td { background: #fff4c2; } table.events tr:target td { background: #ffd866; }
tr.gap td { color: #777; font-style: italic; }
"""


def render(lab: Lab, results: list[Result], trails: list[StageTrail], student: str | None) -> str:
    """The page, as text."""
    score = sum(result.score for result in results)
    by_id = {result.id: result for result in results}
    who = f" — {student}" if student else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(lab.title)}{escape(who)}: {score}/{lab.total}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(lab.title)}{escape(who)}</h1>",
        f'<p class="score" id="score">score {score}/{lab.total}</p>',
    ]
    if lab.brief.strip():
        parts.append(f'<pre class="brief">{escape(lab.brief.strip())}</pre>')
    for number, trail in enumerate(trails, 1):
        parts += _stage(number, trail, by_id)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _stage(number: int, trail: StageTrail, by_id: dict[str, Result]) -> list[str]:
    stage = trail.stage
    parts = [f'<section id="s{number}"><h2>{escape(stage.name)}</h2>']
    if stage.brief.strip():
        parts.append(f'<pre class="brief">{escape(stage.brief.strip())}</pre>')
    parts.append(
        '<table class="checks"><tr><th></th><th>check</th><th>points</th><th>found</th>'
        "<th>hint</th><th>events</th></tr>"
    )
    for check in stage.checks:
        result = by_id.get(check.id)
        if result is None:
            continue
        selected = trail.selected.get(check.id)
        if selected is None:
            events = ""
        elif selected:
            # A failed check jumps to the first event it is about; a passed one too, for reading.
            events = f'<a href="#s{number}-e{selected[0]}">{len(selected)} events, from #{selected[0] + 1}</a>'
        else:
            events = f'<a href="#s{number}-events">none selected</a>'
        mark = "PASS" if result.passed else "FAIL"
        parts.append(
            f'<tr class="{mark.lower()}" id="s{number}-check-{_anchor(check.id)}"><td class="mark">{mark}</td>'
            f"<td>{escape(check.id)}</td><td>{result.score}/{result.points}</td>"
            f'<td class="found">{escape(result.found)}</td>'
            f'<td class="hint">{"" if result.passed else escape(result.hint)}</td><td>{events}</td></tr>'
        )
    parts.append("</table>")
    parts += _events(number, trail)
    parts.append("</section>")
    return parts


def _anchor(check_id: str) -> str:
    """A check id as an id attribute's value (letters, digits, - and _ kept; the rest as -)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in check_id)


def _events(number: int, trail: StageTrail) -> list[str]:
    hits: dict[int, list[str]] = {}
    for check_id, positions in trail.selected.items():
        for position in positions[:SHOWN_PER_CHECK]:
            hits.setdefault(position, []).append(check_id)
    shown = sorted(set(range(min(len(trail.events), SHOWN_EVENTS))) | set(hits))
    parts = [
        f'<h3 id="s{number}-events">events ({len(trail.events)})</h3>',
        '<table class="events">',
        "<tr><th>#</th><th>time (s)</th><th>device</th><th>port</th><th>event</th><th>proto</th>"
        "<th>summary</th><th>checks</th></tr>",
    ]
    previous = -1
    for position in shown:
        if position > previous + 1:
            parts.append(f'<tr class="gap"><td colspan="8">… {position - previous - 1} events not shown …</td></tr>')
        event = trail.events[position]
        checks = hits.get(position, [])
        hit = ' class="hit"' if checks else ""
        parts.append(
            f'<tr id="s{number}-e{position}"{hit}><td>{position + 1}</td>'
            f"<td>{event.t / 1e9:.6f}</td><td>{escape(event.device)}</td><td>{escape(event.port or '-')}</td>"
            f"<td>{escape(event.event_kind)}</td><td>{escape(event.proto)}</td>"
            f"<td>{escape(event.localized_summary())}</td><td>{escape(', '.join(checks))}</td></tr>"
        )
        previous = position
    if previous < len(trail.events) - 1:
        parts.append(
            f'<tr class="gap"><td colspan="8">… {len(trail.events) - previous - 1} events not shown …</td></tr>'
        )
    parts.append("</table>")
    return parts


def write(path: Path, lab: Lab, results: list[Result], trails: list[StageTrail], student: str | None) -> None:
    path.write_text(render(lab, results, trails, student), encoding="utf-8")
