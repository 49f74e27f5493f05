"""The READMEs' ## headings and their contents lines (README.md's Contents, README.zh.md's 目录)."""

from __future__ import annotations

import re
from pathlib import Path


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation (full-width too) dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")


def contents_links(path: Path, label: str) -> list[str]:
    """The anchors the line starting with `label` links to, in order."""
    line = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(label))
    return re.findall(r"\]\(#([^)]+)\)", line)


def level_two_headings(path: Path) -> list[str]:
    """Each `## ` heading outside code blocks, without the `## `."""
    found, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            found.append(line[3:])
    return found
