"""`lab check --html`: the viewer's own page (the one `sim run --html` writes: topology, timeline,
event list, frames, tables) of each stage's run, with a checks panel beside the event list.

Each stage is a run of its own (a fresh network), so each is its own format-1 document; the page
carries them all (stage 1 as the viewer's `lanlab-data`, stage N as `lanlab-data-N`) and shows one
at a time, switched by the panel (docs/labs.md). Every document gets a `lab` key
(docs/viewer-format.md): the lab, the score, each stage's total, and this stage's checks, each
trace or question check with the indices of the events its query selected, which the panel
selects in the event list and marks when the check failed. A check's `found` is English, as
`lab check --json` prints it; `found_shown` holds it in each other language lanlab speaks (the
panel shows the reader's, whichever language the page was written in).

Every text (the lab's, the student's, a program's output, the trace) travels inside the JSON,
with every `<` escaped, and the script shows it with textContent: a page is never markup someone
wrote. Nothing is fetched: the page opens from file://."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lanlab.lab.checks import Result
from lanlab.lab.model import Lab
from lanlab.lab.runner import StageTrail
from lanlab.view.catalogue import in_each_language
from lanlab.view.page import DATA_ID, render_page


def stage_element(number: int) -> str:
    """The id of the page element holding stage `number`'s document (1 is the viewer's own)."""
    return DATA_ID if number == 1 else f"{DATA_ID}-{number}"


def found_shown(found: str) -> dict[str, str]:
    """{language word: `found` shown in it} for each language but English (the text itself)."""
    return in_each_language(found)


def lab_entry(
    lab: Lab, results: list[Result], trails: list[StageTrail], student: str | None, number: int
) -> dict[str, Any]:
    """The document's `lab` key for stage `number` (1-based) of the page."""
    by_id = {result.id: result for result in results}
    trail = trails[number - 1]
    stages = []
    for n, each in enumerate(trails, 1):
        judged = [by_id[check.id] for check in each.stage.checks if check.id in by_id]
        stages.append(
            {
                "name": each.stage.name,
                "element": stage_element(n),
                "score": sum(result.score for result in judged),
                "points": sum(result.points for result in judged),
                "failed": sum(not result.passed for result in judged),
            }
        )
    checks = []
    for check in trail.stage.checks:
        result = by_id.get(check.id)
        if result is None:
            continue
        checks.append(
            {
                **result.as_dict(),
                "found_shown": found_shown(result.found),
                "kind": check.kind,
                "events": trail.selected.get(check.id),  # None: the check is not about events
            }
        )
    return {
        "name": lab.name,
        "title": lab.title,
        "student": student,
        "brief": lab.brief,
        "score": sum(result.score for result in results),
        "total": lab.total,
        "stage": number,
        "stage_brief": trail.stage.brief,
        "stages": stages,
        "checks": checks,
    }


def documents(
    lab: Lab, results: list[Result], trails: list[StageTrail], student: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """(element id, document) of every stage: its run's document with the `lab` key added."""
    out = []
    for number, trail in enumerate(trails, 1):
        if trail.document is None:
            raise ValueError(f"stage {trail.stage.name} was not recorded for a page (run_lab(..., trails=[]))")
        if len(trail.document["events"]["t"]) != len(trail.events):
            raise ValueError(f"stage {trail.stage.name}: the page's events are not the events the checks read")
        out.append((stage_element(number), {**trail.document, "lab": lab_entry(lab, results, trails, student, number)}))
    return out


def render(lab: Lab, results: list[Result], trails: list[StageTrail], student: str | None) -> str:
    """The page, as text."""
    score = sum(result.score for result in results)
    who = f" — {student}" if student else ""
    pages = documents(lab, results, trails, student)
    if not pages:
        raise ValueError(f"{lab.path}: the lab has no stage to show")
    (_, first), *rest = pages
    return render_page(first, title=f"{lab.title}{who}: {score}/{lab.total}", more=tuple(rest))


def write(path: Path, lab: Lab, results: list[Result], trails: list[StageTrail], student: str | None) -> None:
    path.write_text(render(lab, results, trails, student), encoding="utf-8")
