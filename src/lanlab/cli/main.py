"""The `lanlab` root command. Command groups live in their own modules and load on first use,
so `lanlab ip` never pays for importing the simulator."""

from __future__ import annotations

import importlib
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from click.exceptions import NoArgsIsHelpError

from lanlab import __version__
from lanlab.cli.common import EXIT_INTERRUPTED, OUTPUT_FULL, LanlabError, say_output_failed
from lanlab.compiled import compiled_modules
from lanlab.cli.help import Group, speak_for_click
from lanlab.i18n import LANGUAGES, _, set_language

speak_for_click()

# command word -> "module:attribute"; one line per command group.
COMMANDS: dict[str, str] = {
    "arp": "lanlab.cli.arp:arp_command",
    "arping": "lanlab.cli.arping:arping_command",
    "decode": "lanlab.cli.decode:decode_command",
    "dhcp": "lanlab.cli.dhcp:dhcp",
    "ip": "lanlab.cli.ip:ip_command",
    "oui": "lanlab.cli.oui:oui_command",
    "ping": "lanlab.cli.ping:ping_command",
    "udp": "lanlab.cli.udp:udp",
    "tcp": "lanlab.cli.tcp:tcp",
    "demo": "lanlab.cli.demo:demo",
    "sim": "lanlab.cli.sim:sim",
    "lab": "lanlab.cli.lab:lab",
    "real": "lanlab.cli.real:real",
    "compare": "lanlab.cli.real:compare",
}


@contextmanager
def one_line_errors(ctx: click.Context) -> Iterator[None]:
    """Click's usage errors as the project's one line (not Usage/Try/Error on four lines), and
    Ctrl-C as exit 130 (not click's "Aborted!" with status 1, which means "no answer" here)."""
    try:
        yield
    except NoArgsIsHelpError:  # `lanlab udp` alone: the group's help is the answer
        raise
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx is not None else ctx.command_path
        message = " ".join(error.format_message().split()).replace("。 ", "。").rstrip(".。")
        raise LanlabError(_("{message} (see `{where} --help`)").format(message=message, where=where)) from None
    except KeyboardInterrupt:
        click.echo(_("lanlab: interrupted"), err=True)
        ctx.exit(EXIT_INTERRUPTED)


def language_first(args: list[str]) -> None:
    """Speak the root's `--lang` before anything prints: click handles eager options in the order
    they were typed, so `lanlab --help --lang zh` would show the help before hearing the language.
    Only the root's options are looked at (up to the command word); a wrong word is left for
    click's own check to refuse."""
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            word = args[index + 1]
        elif arg.startswith("--lang="):
            word = arg.partition("=")[2]
        elif arg.startswith("-"):
            continue
        elif index and args[index - 1] == "--lang":
            continue
        else:
            return
        if word in LANGUAGES:
            set_language(word)


class LazyGroup(Group):
    """A group whose subcommands are imported only when named (or when --help lists them)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with one_line_errors(ctx):
            if ctx.parent is None:
                language_first(args)
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        with one_line_errors(ctx):
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


def _build_name() -> str:
    """lanlab.compiled.build_name() in the user's language: which build runs."""
    modules = compiled_modules()
    if modules:
        return _("compiled with mypyc, {count} modules").format(count=len(modules))
    return _("pure Python")


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """click's version option, plus the build (looked at only when asked: it lists files)."""
    if value and not ctx.resilient_parsing:
        click.echo(_("lanlab, version {version} ({build})").format(version=__version__, build=_build_name()))
        ctx.exit()


@click.group("lanlab", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and which build runs (pure Python or compiled), and exit.",
)
@click.option(
    "--lang",
    type=click.Choice(sorted(LANGUAGES)),
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, param, value: value and set_language(value),
    help="The language to speak: en (English) or zh (中文). Default: the locale "
    "(LANGUAGE, LC_ALL, LC_MESSAGES, LANG). JSON output is the same in both.",
)
def cli() -> None:
    """lanlab: a laboratory for local networks.

    \b
    On the real network: udp, tcp, ping, arp, arping, oui, ip, dhcp.
    In a simulated network, in virtual time: sim, demo. Labs with checks: lab. Captures: decode.
    The same topology on the Linux kernel (root): real; held against the simulator: compare.

    Every command has --help with examples; most have --json for scripts.

    Exit status: 0 ok, 1 no answer, 2 error.
    """


def main() -> None:
    """Console entry point."""
    status: object = 0
    if isinstance(sys.stdout, io.TextIOWrapper) and sys.stdout.errors == "strict":
        # an output that cannot encode a name (电脑1 under PYTHONIOENCODING=ascii) shows it escaped, not a crash
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        cli.main(prog_name="lanlab")
    except KeyboardInterrupt:  # before click is listening (while importing)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as done:  # click's standalone mode always ends so
        status = done.code
    except OSError as error:  # click handles a broken pipe itself; a write that found no room is said here
        if error.errno not in OUTPUT_FULL:
            raise
        _output_failed(error)
    try:
        if sys.stdout is not None:  # None: started with standard output closed (>&-)
            sys.stdout.flush()  # the last of the output, written here rather than at exit, where a failure is a traceback
    except OSError as error:
        _output_failed(error)
    sys.exit(status)


def _output_failed(error: OSError) -> None:
    sys.exit(say_output_failed(error))
