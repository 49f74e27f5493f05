"""Help in the user's language. Click reads a command's docstring and its options' help= when the
module is imported, before `--lang` is known, so they stay English in the source (that is what
scripts/catalogue.py extracts) and are translated here, when the help is formatted.

Every command is made with `cls=Command` (a group with `cls=Group`; a group's subcommands
inherit the class), which tests/cli/test_i18n.py checks.
"""

from __future__ import annotations

import inspect
import re

import click
from rich.cells import cell_len

from lanlab.i18n import N_, N_plural, _, ngettext

# Click's own words: click looks them up with the standard library's gettext, in a catalogue of its
# own that no one installs, so `speak_for_click` points those lookups at ours, which has them too.
# Each text is click's exactly (tests/cli/test_i18n.py finds it in click's source): help headings, and
# the usage errors a user meets, which main.one_line_errors turns into one line. Not "file", "path",
# "directory": click.Path makes its metavar (FILE) of them, and option syntax stays as typed.
SHOW_HELP = N_("Show this message and exit.")  # --help's text, translated as each help is formatted
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    SHOW_HELP,
    N_("Show the version and exit."),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Aborted!"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is not readable."),
    N_plural("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    N_plural("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    N_plural("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    N_plural("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)
# click's modules that call gettext (click.core's `_`, click.parser's `ngettext`...).
CLICK_MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
)


class _TypeName(str):
    """A click number type's name ("integer range"): itself where click reads it as a str (its
    metavar INTEGER RANGE is `name.upper()`, kept as typed), translated where it is formatted into
    "{value!r} is not a valid {number_type}." (click passes it untranslated)."""

    def __format__(self, spec: str) -> str:
        return format(_(str(self)), spec)


# click's number types, by the name click gives each (the same words, marked for the catalogue)
NUMBER_TYPES = (
    (click.types.IntParamType, N_("integer")),
    (click.types.IntRange, N_("integer range")),
    (click.types.FloatParamType, N_("float")),
    (click.types.FloatRange, N_("float range")),
)


def speak_for_click() -> None:
    """Click's messages through lanlab's catalogue, in the language `--lang` or the locale chose.
    Click binds `from gettext import gettext as _` in each module; rebinding those names is the
    one hook it has (it never sets a text domain of its own)."""
    for module in CLICK_MODULES:
        module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    for number_type, name in NUMBER_TYPES:
        number_type.name = _TypeName(name)


_WIDE = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"  # CJK characters and punctuation (two columns each)
WIDE = re.compile(f"[{_WIDE}]")
TOKEN = re.compile(f"[{_WIDE}]|[^\\s{_WIDE}]+|\\s+")  # a wide character, a word, or spaces
CLOSING = re.compile("[，。；：、）》」！？,.;:)]")  # never starts a line
OPENING = "（《「("  # never ends a line


def join_lines(lines: list[str]) -> str:
    """One paragraph's lines as one line: a space between words, none beside a Chinese character."""
    text = ""
    for line in (line.strip() for line in lines):
        if text and line and not (WIDE.match(text[-1]) or WIDE.match(line[0])):
            text += " "
        text += line
    return text


def fill(text: str, width: int) -> list[str]:
    """`text` wrapped to `width` terminal columns; Chinese breaks between any two characters
    (textwrap counts characters and breaks only at spaces)."""
    lines, line = [], ""
    for token in TOKEN.findall(text):
        if token.isspace():
            if not line:
                continue
            token = " "
        if line.strip() and cell_len(line + token) > width and not CLOSING.match(token):
            carried = line[-1] if line[-1] in OPENING and line[:-1].strip() else ""
            lines.append(line[: len(line) - len(carried)].rstrip())
            line = carried + ("" if token == " " else token)
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


class HelpFormatter(click.HelpFormatter):
    """Click's formatter, translating headings and texts through the catalogue, and measuring
    Chinese text in terminal columns."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage:") + " " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_(heading))

    def write_text(self, text: str) -> None:
        text = _(text)
        if not WIDE.search(text):
            super().write_text(text)
            return
        indent = " " * self.current_indent
        for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
            lines = paragraph.splitlines()
            if number:
                self.write("\n")
            if lines and lines[0].strip() == "\b":  # click's mark: the lines as they are
                self.write("".join(f"{indent}{line}\n" for line in lines[1:]))
            else:
                self.write("".join(f"{indent}{line}\n" for line in fill(join_lines(lines), self.width - len(indent))))

    def write_dl(self, rows: object, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)  # type: ignore[call-overload]
        if not any(WIDE.search(second) for _first, second in rows):
            super().write_dl(rows, col_max, col_spacing)
            return
        first_col = min(max(cell_len(first) for first, _second in rows), col_max) + col_spacing
        hanging = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cell_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_len(first)))
            else:
                self.write("\n" + hanging)
            lines = fill(second, max(self.width - first_col - self.current_indent, 10))
            self.write(lines[0] + "\n" + "".join(f"{hanging}{line}\n" for line in lines[1:]))


class Context(click.Context):
    formatter_class = HelpFormatter


def option_rows(command: click.Command, ctx: click.Context) -> list[tuple[str, str]]:
    """The Options section's rows, each option's help and its [default: ...] in the language."""
    rows = []
    for param in command.get_params(ctx):
        if isinstance(param, click.Argument) or param.get_help_record(ctx) is None:
            continue
        extra = param.get_help_extra(ctx) if isinstance(param, click.Option) else {}
        items = []
        if "envvars" in extra:
            items.append(_("env var: {var}").format(var=", ".join(extra["envvars"])))
        if "default" in extra:
            items.append(_("default: {default}").format(default=extra["default"]))
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append(_(extra["required"]))
        text = _(param.help) if param.help else ""
        if items:
            text = f"{text}  [{'; '.join(items)}]" if text else f"[{'; '.join(items)}]"
        rows.append((param.get_help_spec(ctx) if isinstance(param, click.Option) else param.make_metavar(ctx), text))
    return rows


def short_help(text: str, limit: int) -> str:
    """The first sentence of a help text (a Chinese one ends at 。), cut to `limit` columns."""
    first = " ".join(text.split("\n\n")[0].split())
    for end in ("。", ". "):
        if end in first:
            first = first.split(end)[0] + end.strip()
    if cell_len(first) <= limit:
        return first
    while cell_len(first + "...") > limit and first:
        first = first[:-1]
    return first.rstrip() + "..."


class Command(click.Command):
    """A command whose help is shown in the user's language."""

    context_class = Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Click's --help, its text in English, the source: click makes the option once per command
        and keeps it, its help translated in the language of that first call, so a process that
        showed help in Chinese once (tests with CliRunner) would show it so under --lang en."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = SHOW_HELP  # option_rows translates it in this invocation's language
        return option

    def get_short_help_str(self, limit: int = 45) -> str:
        source = self.short_help or self.help
        return short_help(_(inspect.cleandoc(source)).partition("\f")[0], limit) if source else ""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:  # HelpFormatter.write_text translates; the lookup is by the cleaned text
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(inspect.cleandoc(self.help).partition("\f")[0])

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = option_rows(self, ctx)
        if rows:
            with formatter.section(_("Options")):
                formatter.write_dl(rows)


class Group(Command, click.Group):
    """A group of commands whose help is shown in the user's language; its subcommands and
    subgroups get the same classes."""

    command_class = Command
    group_class = type

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)
