"""lanlab in the user's language: one gettext catalogue (domain "lanlab"), English as the source.

The language comes from the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: gettext's order, the
first one set decides) and `lanlab --lang en|zh` overrides it. The compiled catalogues are
`lanlab/locale/<ll_CC>/LC_MESSAGES/lanlab.mo`, built from the .po files by `make` with Babel
(never at run time); without them lanlab speaks English.

The marks Babel extracts (scripts/catalogue.py; `make catalogue` refreshes the .po files):
  _("text")                     translated now, in the current language
  ngettext("one", "many", n)    the same with a plural
  counted("{count} x", "{count} xs", n)   a plural with the count filled in
  pgettext("context", "text")   the same where one English word has two meanings
  N_("text")                    marked only: the English text, translated where it is shown
  N_plural("one", "many")       marked only, with its plural (another library's ngettext asks)
  L_("text {x}", x=1)           English now (a str, so JSON, logs and digests never change),
                                translated where it is shown: `localize(text)`; an argument
                                is shown as it is unless it is an L_ text itself
  joined([L_(...), ...])        a list of L_ texts joined, each shown translated
Click's help texts (command docstrings, help=) are extracted as they are and translated when
the help is formatted (lanlab.cli.help), since click reads them when a module is imported.

A leaf module like lanlab.units: it imports nothing of lanlab, so every layer may use it.
"""

from __future__ import annotations

import functools
import gettext
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

DOMAIN = "lanlab"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# `--lang` word -> catalogue locale; "en" is the source text itself.
LANGUAGES: dict[str, str] = {"en": "en", "zh": "zh_CN"}
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order of precedence

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
# A language spoken for a while by one thread or task only (`speaking`): sim serve parses a --do
# line in every language on its loop thread while another thread writes run.html in the user's.
_spoken: ContextVar[str | None] = ContextVar("lanlab_spoken", default=None)


def language_from_environment(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """The `--lang` word for the locale the environment names: the first of LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG that is set decides (LANGUAGE may list several, "zh_CN:en"); any Chinese
    locale (zh, zh_CN.UTF-8, zh_TW) reads Chinese, everything else English."""
    environ = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = environ.get(name, "")
        if not value:
            continue
        for part in value.split(":"):
            code = part.split(".")[0].split("@")[0].lower()
            if code.startswith("zh"):
                return "zh"
            if code:
                return "en"
    return "en"


@functools.cache
def translations_for(word: str) -> gettext.NullTranslations:
    """The compiled catalogue of language `word` (English: none), whatever the current language."""
    if word == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[LANGUAGES[word]], fallback=True)


def _known(word: str) -> None:
    if word not in LANGUAGES:
        raise ValueError(f"unknown language {word!r}; choose one of {', '.join(LANGUAGES)}")


def set_language(word: str) -> None:
    """Speak `word` ("en" or "zh") from now on; a language whose catalogue was not built by
    `make` falls back to English."""
    global _translations, _language
    _known(word)
    _language = word
    _translations = translations_for(word)


@contextmanager
def speaking(word: str) -> Iterator[None]:
    """Speak `word` for a while in this thread (or asyncio task) only; every other thread goes
    on in the language set_language chose."""
    _known(word)
    token = _spoken.set(word)
    try:
        yield
    finally:
        _spoken.reset(token)


def spoken() -> str | None:
    """The language of the `speaking` block this thread (or task) is in; None outside one."""
    return _spoken.get()


def language() -> str:
    """The current `--lang` word."""
    return _spoken.get() or _language


def _catalogue() -> gettext.NullTranslations:
    spoken = _spoken.get()
    return _translations if spoken is None else translations_for(spoken)


def _(message: str) -> str:
    """`message` in the current language."""
    return _catalogue().gettext(message)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, where the same English word means something else
    elsewhere ("broadcast": an address in `lanlab ip`, a kind of MAC in `lanlab oui`)."""
    return _catalogue().pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, as the current language counts `n`."""
    return _catalogue().ngettext(singular, plural, n)


def counted(singular: str, plural: str, count: int, **fields: object) -> str:
    """A message about `count` things, singular or plural as the current language counts, {count} (and any
    other `fields`) filled in: counted("{count} link", "{count} links", 1) is "1 link"."""
    return ngettext(singular, plural, count).format(count=count, **fields)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it (it is translated where shown)."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and its plural for the catalogue, for text another library (click)
    passes to `ngettext` itself."""
    return singular, plural


def as_the_tool_prints(text: str) -> str:
    """Mark text printed the same in every language because it is a tool's own output format
    (iputils ping's reply and statistics lines, tshark's columns), which people and scripts
    compare with the real tool's."""
    return text


class Deferred(str):
    """English text that remembers its catalogue entry and arguments, so it can be shown in
    another language later (`localize`). It *is* the English str: stored in an event, written
    to JSON or compared, it never changes with the language. With a `plural`, the entry is a
    singular and plural pair chosen by the `count` argument (L_counted)."""

    template: str
    arguments: dict[str, Any]
    plural: str | None

    def __new__(cls, template: str, arguments: dict[str, Any], plural: str | None = None) -> Deferred:
        english = template if plural is None or arguments["count"] == 1 else plural
        text = super().__new__(cls, english.format(**arguments))
        text.template = template
        text.arguments = arguments
        text.plural = plural
        return text

    def __getnewargs__(self) -> tuple[str, dict[str, Any], str | None]:  # type: ignore[override]  # pickled into a sweep's worker
        return self.template, self.arguments, self.plural

    def localized(self) -> str:
        if language() == "en" or not self.template:  # gettext("") is the catalogue's header
            return str(self)
        catalogue = _catalogue()
        if self.plural is None:
            translated = catalogue.gettext(self.template)
        else:
            translated = catalogue.ngettext(self.template, self.plural, self.arguments["count"])
        return translated.format(
            **{
                key: value.localized() if isinstance(value, Deferred) else value
                for key, value in self.arguments.items()
            }
        )


def L_(template: str, **arguments: Any) -> Deferred:
    """`template.format(**arguments)` in English, translatable where it is shown."""
    return Deferred(template, arguments)


def L_counted(singular: str, plural: str, count: int, **arguments: Any) -> Deferred:
    """L_ of a message about `count` things: singular or plural by the count, here and where it is shown."""
    return Deferred(singular, {"count": count, **arguments}, plural)


def joined(items: list[str], separator: str = ", ") -> Deferred:
    """`separator.join(items)`, each item shown translated where it is an L_ text (a loop's links,
    each with its rate). The template names only the items, so the catalogue needs no entry."""
    names = [f"item{index}" for index in range(len(items))]
    escaped = separator.replace("{", "{{").replace("}", "}}")
    return Deferred(escaped.join(f"{{{name}}}" for name in names), dict(zip(names, items)))


def as_record(text: Any) -> Any:
    """A JSON value that `from_record` turns back into `text`, an L_ text still translatable (what a
    walled process hands its parent: a lab grade's problem). Arguments that are not JSON become str."""
    if isinstance(text, Deferred):
        arguments = {key: as_record(value) for key, value in text.arguments.items()}
        return {"template": text.template, "arguments": arguments, "plural": text.plural}
    return text if isinstance(text, (str, int, float)) or text is None else str(text)


def from_record(record: Any) -> Any:
    """What `as_record` was given (an L_ text again); a record of another shape is shown as it is."""
    if isinstance(record, dict):
        try:
            arguments = {key: from_record(value) for key, value in record["arguments"].items()}
            return Deferred(record["template"], arguments, record["plural"])
        except (KeyError, AttributeError, TypeError, ValueError, IndexError):
            return str(record)
    return record


def message_of(error: BaseException) -> str:
    """An exception's message, still an L_ text if it was raised with one (str(error) makes a
    plain copy, which localize() could no longer translate)."""
    if len(error.args) == 1 and isinstance(error.args[0], str):
        return error.args[0]
    return str(error)


def localize(text: str) -> str:
    """Text made in English (an `L_` or an `N_` message) in the current language; any other
    text (a name, a number, a protocol's own words) unchanged."""
    if language() == "en" or not text:
        return text
    if isinstance(text, Deferred):
        return text.localized()
    return _catalogue().gettext(text)


def cell_width(text: str) -> int:
    """Terminal columns `text` takes: a wide (CJK) character takes two (Unicode TR 11)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """`text` padded with spaces to `width` terminal columns (f"{text:<8}" counts characters,
    which leaves a column of Chinese words ragged)."""
    fill = " " * max(0, width - cell_width(text))
    return fill + text if right else text + fill


set_language(language_from_environment())
