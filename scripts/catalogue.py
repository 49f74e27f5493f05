"""lanlab's message catalogue, with Babel.

  python scripts/catalogue.py extract   refresh src/lanlab/locale/lanlab.pot and merge it into
                                        every .po (new entries empty, changed ones fuzzy)
  python scripts/catalogue.py check     exit 1 naming every entry a .po misses, leaves empty,
                                        marks fuzzy or keeps after the source dropped it
  python scripts/catalogue.py bypass    exit 1 naming every user-facing text in cli/ or the page's
                                        scripts that does not go through the catalogue (see
                                        `bypasses`, `page_bypasses`)

What is extracted: `_()`, `N_()`, `N_plural()`, `L_()`, `L_counted()`, `ngettext()` and `counted()` calls anywhere in src/lanlab (Babel's
Python extractor), the browser page's `t("...")` texts (src/lanlab/view/assets/*.js), and click's help texts, which click reads before the language is known and
lanlab.cli.help translates when formatting: the docstring of a function decorated with
`.command(...)`/`.group(...)` and `help=`/`short_help=`/`epilog=` string literals, each cleaned
as click cleans it (inspect.cleandoc).
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from lanlab.view.catalogue import marked  # noqa: E402  (the page's own rule for what it asks for)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "lanlab"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "lanlab.pot"
KEYWORDS = {
    "_": None,
    "N_": None,
    "N_plural": (1, 2),
    "L_": None,
    "ngettext": (1, 2),
    "counted": (1, 2),
    "L_counted": (1, 2),
    "pgettext": ((1, "c"), 2),
}
HELP_KEYWORDS = ("help", "short_help", "epilog")
CLI = PACKAGE / "cli"
ASSETS = PACKAGE / "view" / "assets"  # the browser page's scripts: their t("...") texts (lanlab.view.catalogue)


def extract_lanlab(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Babel's Python extraction, then click's help texts (see the module's docstring)."""
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            map(is_click_decorator, node.decorator_list)
        ):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, None, doc.partition("\f")[0], []
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if (
                    keyword.arg in HELP_KEYWORDS
                    and isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, str)
                    and keyword.value.value.strip()
                ):
                    yield keyword.value.lineno, None, inspect.cleandoc(keyword.value.value), []


def is_click_decorator(decorator: ast.expr) -> bool:
    """@click.command(...), @click.group(...), @sim.command(...), @udp.group(...)."""
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("command", "group")


def template() -> Catalog:
    """The catalogue the source asks for, extracted now."""
    catalog = Catalog(project="lanlab", domain="lanlab", fuzzy=False)
    method_map = [("**.py", extract_lanlab)]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(f"src/lanlab/{filename}", lineno)], auto_comments=comments, context=context)
    for script in sorted(ASSETS.glob("*.js")):
        for lineno, message in marked(script.read_text(encoding="utf-8")):
            catalog.add(message, None, [(str(script.relative_to(ROOT)), lineno)])
    return catalog


def po_files() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/lanlab.po"))


def extract() -> int:
    source = template()
    with TEMPLATE.open("wb") as out:
        write_po(out, source, width=100, omit_header=False, sort_by_file=True)
    for path in po_files():
        with path.open("rb") as file:
            catalog = read_po(file, locale=path.parent.parent.name)
        catalog.update(source, no_fuzzy_matching=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True, sort_by_file=True)
        untranslated = sum(
            1 for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
        )
        print(f"{path.relative_to(ROOT)}: {untranslated} untranslated")  # a plural counts until each form is there
    return 0


def problems() -> list[str]:
    """Every entry a .po misses, leaves empty, marks fuzzy or no longer needs."""
    source = template()
    found = []
    for path in po_files():
        with path.open("rb") as file:
            catalog = read_po(file)
        where = path.relative_to(ROOT)
        for message in source:
            if not message.id:
                continue
            translated = catalog.get(message.id, message.context)
            first = message.id if isinstance(message.id, str) else message.id[0]
            at = ", ".join(f"{f}:{n}" for f, n in message.locations[:1])
            if translated is None:
                found.append(f"{where}: missing {first[:60]!r} ({at})")
            elif translated.fuzzy:
                found.append(f"{where}: fuzzy {first[:60]!r} ({at})")
            elif not all(translated.string if isinstance(translated.string, tuple) else [translated.string]):
                found.append(f"{where}: untranslated {first[:60]!r} ({at})")
        for message in catalog:
            if message.id and source.get(message.id, message.context) is None:  # (text, context), as gettext keys it
                first = message.id if isinstance(message.id, str) else message.id[0]
                found.append(f"{where}: no longer in the source {first[:60]!r} (run scripts/catalogue.py extract)")
    return found


def check() -> int:
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


# Calls whose text arguments reach the user; a text in them must be a catalogue call's.
SHOWN_BY = {
    "echo",
    "secho",
    "fail",
    "say",
    "print",
    "LanlabError",
    "BadParameter",
    "UsageError",
    "ClickException",
    "prompt",
    "confirm",
    "add_column",
    "Table",
    "Panel",
}
TRANSLATED_BY = {"_", "N_", "L_", "L_counted", "ngettext", "counted", "pgettext", "as_the_tool_prints"}
MARKUP = re.compile(r"\[/?[a-z ]+\]")  # rich's [bold]...[/bold]
WORD = re.compile(r"[a-z]{2,}")
SAME_IN_BOTH = {"lanlab", "ms", "ns", "us", "kbit", "mbit"}  # the program's name, units


def english(text: str) -> bool:
    """A text with words to translate: any lower-case word past markup and units."""
    return any(word not in SAME_IN_BOTH for word in WORD.findall(MARKUP.sub("", text)))


def bypasses(path: Path) -> Iterator[str]:
    """User-facing texts in a cli/ module that skip the catalogue: a string or f-string with words,
    given to echo/fail/print/... (SHOWN_BY) outside a _()/ngettext()/N_()/L_() call; and a
    click.command/click.group made without cls= (its help would not be translated)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT)

    def texts(node: ast.AST) -> Iterator[ast.AST]:
        if isinstance(node, ast.Call) and _name(node.func) in TRANSLATED_BY:
            return
        if isinstance(node, ast.JoinedStr):
            if english("".join(v.value for v in node.values if isinstance(v, ast.Constant))):
                yield node
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    yield from texts(value.value)
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if english(node.value):
                yield node
            return
        if isinstance(node, ast.Call) and _name(node.func) in ("format", "join"):
            children: list[ast.AST] = [node.func, *node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, (ast.BinOp, ast.IfExp, ast.BoolOp, ast.Tuple, ast.List, ast.Attribute)):
            children = list(ast.iter_child_nodes(node))  # what is shown; not a subscript's key or a call's argument
        else:
            children = []
        for child in children:
            yield from texts(child)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name == "error" and isinstance(node.func, ast.Attribute) and len(node.args) >= 2:
            # a topology reader's or builder's spec.error(node, message): the message is shown as FILE:LINE
            for text in texts(node.args[1]):
                yield f"{where}:{text.lineno}: {ast.unparse(text)[:70]} is not in the catalogue (wrap it in L_())"
        if name in SHOWN_BY:
            for argument in [*node.args, *(k.value for k in node.keywords if k.arg in ("title", "message"))]:
                for text in texts(argument):
                    yield f"{where}:{text.lineno}: {ast.unparse(text)[:70]} is not in the catalogue (wrap it in _())"
        if (
            name in ("command", "group")
            and isinstance(node.func, ast.Attribute)
            and _name(node.func.value) == "click"
            and not any(k.arg == "cls" for k in node.keywords)
        ):
            yield f"{where}:{node.lineno}: click.{name}() without cls= (lanlab.cli.help's Command or Group)"


def spec_errors(path: Path) -> Iterator[str]:
    """Outside cli/ only the topology readers' and builders' `spec.error(node, message)` calls: bypasses()'s
    check of the message (the rest of the module's strings are not shown as they are)."""
    return (line for line in bypasses(path) if "wrap it in L_()" in line)


# Where a page script shows a value: an element's text, title, label or placeholder (util.js's el(),
# cytoscape's data), or a DOM node's textContent. What follows is read to the end of its expression.
PAGE_SINKS = re.compile(r"\b(?:text|title|label|placeholder)\s*:|\.textContent\s*=")
JS_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
JS_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


AS_TYPED = "/* as typed */"  # before a literal a page shows as the user types it: command words, a prompt
NOT_SHOWN_BY = re.compile(r"\b(?:t|toLocaleString)\(\s*$")  # t()'s own text; a number's locale


def page_bypasses(path: Path) -> Iterator[str]:
    """Texts with words a page script shows without t(): a string literal in the expression given
    to an element's text/title/label/placeholder or to textContent, outside a t("...") call and
    not marked /* as typed */ (command words such as `pc1 ping pc3`, which read the same in every language)."""
    original = path.read_text(encoding="utf-8")
    source = JS_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), original)
    where = path.relative_to(ROOT)
    for sink in PAGE_SINKS.finditer(source):
        depth, at = 0, sink.end()
        while at < len(source):
            char = source[at]
            if char == '"':
                literal = JS_STRING.match(source, at)
                assert literal is not None, f"{where}: an unclosed string at {at}"
                text = json.loads(literal.group())
                before = source[max(0, at - 20) : at]
                typed = original[max(0, at - 20) : at].rstrip().endswith(AS_TYPED)
                if english(text) and not NOT_SHOWN_BY.search(before) and not typed:
                    line = source.count("\n", 0, at) + 1
                    yield f"{where}:{line}: {literal.group()[:70]} is shown without t()"
                at = literal.end()
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif char in ",;" and depth == 0:
                break
            at += 1


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def bypass() -> int:
    found = [line for path in sorted(CLI.glob("*.py")) for line in bypasses(path)]
    found += [line for path in sorted(PACKAGE.rglob("*.py")) if CLI not in path.parents for line in spec_errors(path)]
    found += [line for path in sorted(ASSETS.glob("*.js")) for line in page_bypasses(path)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    actions = {"extract": extract, "check": check, "bypass": bypass}
    if len(sys.argv) != 2 or sys.argv[1] not in actions:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(actions)}")
    sys.exit(actions[sys.argv[1]]())
