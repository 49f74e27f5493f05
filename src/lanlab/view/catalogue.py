"""The page's texts in each language lanlab speaks, from the same message catalogue as the CLI.

The page's scripts mark what they show with `t("English text")` (assets/i18n.js); scripts/catalogue.py
extracts those into the .po beside the CLI's texts, and `page_catalogue` looks each one up in the
compiled .mo of every language, so the page carries its translations inline and fetches nothing.

A text the run makes (an `L_` text: why it stopped, what a lab check found, an event's note) is
English in the document, as the CLI's JSON has it; `in_each_language` gives it in the other
languages beside it (`stopped_shown`, `found_shown`; `notes_shown` once per distinct note), and
the page shows the reader's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lanlab.i18n import LANGUAGES, Deferred, translations_for

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


def shown_in(text: str, translations: Any, inner: bool = False) -> str:
    """An `L_` text in the language of `translations`, as localize() shows it in the current one: an
    argument that is no L_ text is shown as it is (a node's name, a number, a program's line)."""
    if isinstance(text, Deferred) and text.template:
        return translations.gettext(text.template).format(
            **{key: shown_in(value, translations, inner=True) for key, value in text.arguments.items()}
        )
    if inner or not isinstance(text, str) or not text:
        return text
    return translations.gettext(text)  # type: ignore[no-any-return]


def in_each_language(text: str) -> dict[str, str]:
    """{language word: `text` shown in it} for each language but English (the text itself), the same
    whichever language is spoken: a document never changes with `--lang`."""
    return {word: shown_in(text, translations_for(word)) for word in LANGUAGES if word != "en"}


def notes_in_each_language(
    notes: Iterable[str], known: dict[str, dict[str, str]] | None = None
) -> dict[str, dict[str, str]]:
    """{language word: {English note: the note shown in it}} for each distinct note that reads
    otherwise in a language but English (a note no catalogue entry changes is left out: the page
    shows it as it is). The English note stays the key, as the page's own logic reads it (a flood's
    "copies to p2, p3", "lost on the link"). With `known`, notes already in it are not looked up
    again and only the new entries are returned (a live run's batches)."""
    distinct: dict[str, str] = {}
    for note in notes:
        if note and note not in distinct:
            distinct[str(note)] = note  # the first L_ object of this English text: its template and arguments
    shown: dict[str, dict[str, str]] = {}
    for word in LANGUAGES:
        if word == "en":
            continue
        translations, already = translations_for(word), (known or {}).get(word, {})
        table = shown[word] = {}
        for english, note in distinct.items():
            if english not in already and (text := shown_in(note, translations)) != english:
                table[english] = text
    return shown


def notes_for(notes: Iterable[str], shown: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The entries of `shown` (notes_in_each_language's) for these notes: what a live page receiving
    their events needs beside them."""
    wanted = set(notes)
    return {word: {note: table[note] for note in wanted if note in table} for word, table in shown.items()}
