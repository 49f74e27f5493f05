"""`lanlab sim run --app/--stdin/--arg`: programs run unchanged on simulated hosts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import click

from lanlab.cli.common import fail
from lanlab.i18n import L_, _, localize, message_of
from lanlab.program_lines import ending_line
from lanlab.text import one_line
from lanlab.units import UnitError, parse_duration


def program_line(node: str, t: int, text: str) -> str:
    """`[  0.001234] pc1 | text`: one line a program printed, at the virtual time it did. Its
    controls and bidi overrides are escaped: programs print what peers send them, and an escape
    sequence or a U+202E would recolour or reorder the other programs' lines sharing the screen."""
    return f"[{t / 1e9:10.6f}] {node} | {one_line(text)}"


EXAMPLES = {"--app": "--app pc1=server.py", "--stdin": "--stdin pc2=hello", "--arg": "--arg pc1=7788"}


class AppSpecError(ValueError):
    """A malformed --app/--stdin/--arg value; the message is the one-line error."""


def split_spec(option: str, text: str) -> tuple[str, str]:
    """`NODE=VALUE` -> (node, value)."""
    node, sep, value = text.partition("=")
    if not sep or not node.strip():
        shape = "[at T] NODE=FILE.py" if option == "--app" else "NODE=VALUE"
        raise AppSpecError(
            L_(
                "{option} {text}: expected {shape}, like {example}",
                option=option,
                text=repr(text),
                shape=shape,
                example=EXAMPLES[option],
            )
        )
    return node.strip(), value


def read_app(text: str) -> tuple[int, str, Path]:
    """`[at T] NODE=FILE` -> (start time in ns, node, file); AppSpecError when malformed."""
    words = text.split(None, 2)
    at = 0
    if len(words) >= 3 and words[0] == "at":
        try:
            at = parse_duration(words[1])
        except UnitError as error:
            raise AppSpecError(L_("--app {text}: {problem}", text=repr(text), problem=message_of(error))) from None
        text = words[2]
    node, path = split_spec("--app", text)
    return at, node, Path(path.strip())


def parse_app(text: str) -> tuple[int, str, Path]:
    """`[at T] NODE=FILE` -> (start time in ns, node, file); a malformed one is a one-line error."""
    try:
        return read_app(text)
    except AppSpecError as error:
        fail(localize(message_of(error)))


def program_inputs(
    stdins: tuple[str, ...], args: tuple[str, ...], app_nodes: set[str], nodes: list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """--stdin and --arg values as each node's stdin text and argument list; AppSpecError (the
    one-line error) for a malformed one, or one for a node that is not there or runs no program."""
    stdin_of: dict[str, str] = {}
    for text in stdins:
        node, value = split_spec("--stdin", text)
        stdin_of[node] = stdin_of.get(node, "") + value + ("" if value.endswith("\n") else "\n")
    args_of: dict[str, list[str]] = {}
    for text in args:
        node, value = split_spec("--arg", text)
        args_of.setdefault(node, []).append(value)
    for node in [*stdin_of, *args_of]:
        if node not in nodes:
            raise AppSpecError(
                L_(
                    "--stdin/--arg {node}=...: no node called {node!r} (nodes: {nodes})",
                    node=node,
                    nodes=", ".join(nodes),
                )
            )
        if node not in app_nodes:
            raise AppSpecError(
                L_("--stdin/--arg {node}=...: {node} runs no program; add --app {node}=PROGRAM.py", node=node)
            )
    return stdin_of, args_of


def app_problem(text: str, node: str, path: Path, kinds: dict[str, str]) -> str | None:
    """Why `--app TEXT` cannot start (its node runs no programs, its file is no file), in the words of
    `sim run` and `real run` alike; None when it can. `kinds`: each node's kind (host, router, switch, hub)."""
    kind = kinds.get(node)
    if kind is None:
        return _("--app {text!r}: no host called {node!r} (nodes: {nodes})").format(
            text=text, node=node, nodes=", ".join(kinds)
        )
    if kind not in ("host", "router"):  # a switch or a hub runs no programs
        return _("--app {text!r}: {node} is {kind}; programs run on hosts and routers ({hosts})").format(
            text=text,
            node=node,
            kind=_("a hub") if kind == "hub" else _("a switch"),
            hosts=", ".join(name for name, other in kinds.items() if other in ("host", "router")),
        )
    if not path.is_file():
        problem = (_("{path!r} is a directory") if path.is_dir() else _("no such file {path!r}")).format(path=str(path))
        return _("--app {text!r}: {problem}; give a Python file").format(text=text, problem=problem)
    return None


def start_apps(
    network: Any,
    apps: tuple[str, ...],
    stdins: tuple[str, ...],
    args: tuple[str, ...],
    echo: bool,
    echo_to_stderr: bool = False,
) -> list[Any]:
    """Start every --app on its node; returns the programs. A node's --stdin lines are one stream its
    programs share, as programs started from one terminal: a line one program reads is gone for
    the others (at one instant, programs run in start order). --arg values go to every program on
    the node."""
    from lanlab.sim.devices.host import Host  # here: the CLI imports the simulator only when it runs one
    from lanlab.sim.shim import program_stdin

    app_nodes = {parse_app(text)[1] for text in apps}
    try:
        stdin_of, args_of = program_inputs(stdins, args, app_nodes, list(network.nodes))
    except AppSpecError as error:
        fail(localize(message_of(error)))
    programs = []
    streams: dict[str, io.TextIOWrapper] = {}  # one stdin per host
    kinds = {name: "host" if isinstance(node, Host) else node.kind for name, node in network.nodes.items()}
    for text in apps:
        at, node, path = parse_app(text)
        problem = app_problem(text, node, path, kinds)
        if problem is not None:
            fail(problem)
        host = network.nodes[node]
        try:
            program = host.run_program(
                str(path),
                stdin=streams.setdefault(node, program_stdin(stdin_of.get(node, ""))),
                args=args_of.get(node, []),
                at=at,
            )
        except OSError as error:  # the file cannot be read, or its host's folder (--files DIR/NODE) made
            fail(
                _("--app {text!r}: {path}: {reason}").format(
                    text=text, path=error.filename or path, reason=error.strerror or error
                )
            )
        except SyntaxError as error:
            where = _(" (line {line})").format(line=error.lineno) if error.lineno else ""
            fail(
                _("--app {text!r}: {path} is not valid Python: {error}{where}").format(
                    text=text, path=path, error=error.msg, where=where
                )
            )
        if echo:
            program.sinks.append(lambda p, t, line: click.echo(program_line(p.node, t, line), err=echo_to_stderr))
        programs.append(program)
    return programs


def programs_report(programs: list[Any]) -> list[str]:
    """One closing line per program: how it ended."""
    return [
        L_("{node}: {error}", node=p.node, error=p.error)
        if p.stopped
        else ending_line(p.node, p.path, p.exit, p.error, p.started_at is not None)
        for p in programs
    ]
