"""A variant per student: each `vars:` pool gives one value, drawn from a seed made of the lab's
name and the student id, and `{{name}}` placeholders in the lab, its topology and its brief are
filled in. The seed is SHA-256 (Python's hash() of a str changes with every process)."""

from __future__ import annotations

import hashlib
import random
import re

from lanlab.i18n import L_
from lanlab.topology import TopologyError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def draw(pools: dict[str, list[str]], lab_name: str, student: str | None) -> dict[str, str]:
    """One value per pool for this student (the first of each pool without a student: the reference)."""
    if student is None:
        return {name: values[0] for name, values in pools.items()}
    # surrogateescape: a folder named in bytes that are not UTF-8 (an archive unpacked from a GBK system) is
    # its bytes, as `lab new --student` given that name on the command line has them; UTF-8 ids are unchanged
    digest = hashlib.sha256(f"{lab_name}\0{student}".encode("utf-8", "surrogateescape")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    return {name: rng.choice(pools[name]) for name in sorted(pools)}


def fill(text: str, values: dict[str, str], shown: str) -> str:
    """`text` with every {{name}} replaced; an unknown name is FILE:LINE (every one, at once)."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in PLACEHOLDER.finditer(line):
            if match.group(1) not in values:
                known = ", ".join(sorted(values)) or L_("none: add a vars: pool")
                problems.append(
                    L_(
                        "{file}:{line}: unknown placeholder {placeholder} (vars: {known})",
                        file=shown,
                        line=number,
                        placeholder="{{" + match.group(1) + "}}",
                        known=known,
                    )
                )
    if problems:
        raise TopologyError(problems)
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
