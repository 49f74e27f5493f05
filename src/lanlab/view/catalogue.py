"""The page's texts in each language lanlab speaks, from the same message catalogue as the CLI.

The page's scripts mark what they show with `t("English text")` (assets/i18n.js); scripts/catalogue.py
extracts those into the .po beside the CLI's texts, and `page_catalogue` looks each one up in the
compiled .mo of every language, so the page carries its translations inline and fetches nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from lanlab.i18n import LANGUAGES, translations_for

# t("..."): a JavaScript string literal in double quotes (the page's scripts use no other quotes for t).
MARKED = re.compile(r'\bt\(\s*("(?:[^"\\\n]|\\.)*")')


def marked(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) for each t("text") in a script's source."""
    for match in MARKED.finditer(source):
        yield source.count("\n", 0, match.start()) + 1, json.loads(match.group(1))


def marked_texts(sources: Iterable[str]) -> list[str]:
    """The texts the scripts pass to t(), each once, in order of first use."""
    return list(dict.fromkeys(text for source in sources for _line, text in marked(source)))


def page_catalogue(sources: Iterable[str]) -> dict[str, dict[str, str]]:
    """language word -> {English text: its translation}, for the texts the scripts mark and each
    language but English (which is the text itself); a text not yet translated is left out."""
    texts = marked_texts(sources)
    catalogue: dict[str, dict[str, str]] = {}
    for word in LANGUAGES:
        if word == "en":
            continue
        translations = translations_for(word)
        catalogue[word] = {text: shown for text in texts if (shown := translations.gettext(text)) != text}
    return catalogue
