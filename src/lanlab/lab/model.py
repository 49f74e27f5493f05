"""The lab file (`lab: 1`, docs/labs.md) read into plain data; every mistake FILE:LINE at once,
through the topology loader's Spec and Context. A lab file is data: nothing in it runs code."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from ipaddress import IPv4Address, IPv4Network

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lanlab.i18n import L_, N_, message_of
from lanlab.lab.patterns import pattern_problem
from lanlab.lab.query import Query, plain, read_query
from lanlab.lab.variants import PLACEHOLDER, draw, fill
from lanlab.topology import Context, Spec, TopologyError, compose, line_of, read_text
from lanlab.units import UnitError, format_duration, parse_duration

CHECK_KINDS = ("expect", "state", "trace", "output", "question")
LAB_FIELDS = {"lab", "name", "title", "topology", "vars", "brief", "stages"}
STAGE_FIELDS = {"name", "brief", "topology", "run", "checks"}
RUN_FIELDS = {"do", "app", "lab_app", "stdin", "arg", "until", "seed"}
EXPECT_FIELDS = {"node", "address_in", "prefix_length", "gateway", "gateway_on_subnet", "rip", "stp"}
STATE_FIELDS = {"node", "table", "at", "has", "lacks"}
TABLES = ("mac", "arp", "route", "stp")
STP_MODES = ("stp", "rstp", "off")  # an expect check's stp: (checks.expect compares it lowercased)
# The fields of each table's rows (the simulator's mac_table, arp_table, routes and stp.status(); a test
# holds them to it): a field not there would make a has: that never passes, a lacks: that always does.
TABLE_FIELDS = {
    "mac": ("mac", "port", "age"),
    "arp": ("ip", "mac", "interface"),
    "route": ("prefix", "via", "interface", "metric", "source", "age"),
    "stp": (
        "port",
        "role",
        "state",
        "cost",
        "port_id",
        "edge",
        "designated_root",
        "designated_bridge",
        "designated_cost",
        "designated_port",
    ),
}
OUTPUT_FIELDS = {"node", "exactly", "matches", "set", "contains"}
KINDS = ", ".join(CHECK_KINDS)
GRADE_COLUMNS = ("student", "total", "problem")  # lab grade's own columns, beside one per check id


def located(file: str | Path, line: int, message: str) -> str:
    """FILE:LINE: message, shown translated where the message is an L_ text."""
    return L_("{file}:{line}: {problem}", file=file, line=line, problem=message)


class LabError(TopologyError):
    """Every mistake found in a lab file (or a file it names); str() is one FILE:LINE per line."""


@dataclass
class Check:
    id: str
    points: int
    hint: str
    kind: str  # one of CHECK_KINDS
    body: dict[str, Any]  # the check's own fields as plain values
    query: Query | None = None  # trace and question checks
    ask: str = ""  # a question's text
    line: int = 0  # the lab file's line of its id


@dataclass
class Stage:
    name: str
    brief: str
    do: list[str]
    apps: list[str]
    stdin: list[str]
    args: list[str]
    until: int
    seed: int
    checks: list[Check]
    do_lines: list[int] = field(default_factory=list)  # the lab file's line of each run.do
    lab_topology: bool = False  # `topology: lab`: run the lab's own network (a prediction), not the student's
    # `run.lab_app`: the teacher's programs (a test client), from the lab file's folder, never a student's
    lab_apps: list[str] = field(default_factory=list)


@dataclass
class Lab:
    path: Path
    name: str
    title: str
    brief: str
    topology: Path  # the template the students start from (the lab file itself when inline)
    values: dict[str, str]  # this student's draw of every vars: pool
    stages: list[Stage] = field(default_factory=list)
    inline_topology: str | None = None  # `topology:` written in the lab file: its text, values filled
    inline_line: int = 0  # the line (from 0) of the lab file it starts on
    pools: dict[str, list[str]] = field(default_factory=dict)  # every vars: pool, as the lab file gives it

    def topology_text(self, path: Path) -> str:
        """The text of the topology at `path`, this student's values filled in; the lab's own
        inline topology (path: the lab file) padded to its lines, so its mistakes are FILE:LINE
        of the lab file."""
        if self.inline_topology is not None and path == self.topology:
            return "\n" * self.inline_line + self.inline_topology
        return fill(read_text(path), self.values, str(path))

    @property
    def checks(self) -> list[Check]:
        return [check for stage in self.stages for check in stage.checks]

    @property
    def total(self) -> int:
        return sum(check.points for check in self.checks)


def inside(folder: Path, name: str, what: str) -> Path:
    """`folder/name`, refused when it resolves (links followed) outside `folder`."""
    base = folder.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        raise LabError(
            [
                L_(
                    "{what} {name} is outside {folder} (files are read only from the lab's own folder)",
                    what=what,
                    name=repr(name),
                    folder=folder,
                )
            ]
        )
    return path


def app_parts(text: str) -> tuple[int, str, str]:
    """A run.app line `[at TIME] NODE=PROGRAM.py` as (start in ns, node, program name)."""
    words = text.split(None, 2)
    at = 0
    if len(words) == 3 and words[0] == "at":
        at, text = parse_duration(words[1]), words[2]
    node, _, name = text.partition("=")
    return at, node.strip(), name.strip()


def load_lab(path: str | Path, student: str | None = None, chosen: dict[str, str] | None = None) -> Lab:
    """Read a lab file with the values drawn for `student` (None: the first of every pool), or
    `chosen` where it names a pool."""
    path = Path(path)
    shown = str(path)
    try:
        text = read_text(path)
        # vars: and name: first, read with every placeholder as a plain word ({{x}} in a flow mapping is not YAML)
        _, raw = compose(
            shown,
            PLACEHOLDER.sub("placeholder", text),
            N_("a lab is a mapping with lab: 1, name:, topology: and stages:"),
        )
    except TopologyError as error:
        raise LabError(error.problems) from None
    ctx = Context(shown)
    pools = _read_vars(Spec(ctx, "lab", raw))
    name = str(Spec(ctx, "lab", raw).scalar("name")[0] or path.stem)
    values = {**draw(pools, name, student), **(chosen or {})}
    try:
        filled = fill(text, values, shown)
        _, root = compose(shown, filled, N_("a lab is a mapping"))
    except TopologyError as error:
        raise LabError(error.problems) from None
    top = Spec(ctx, "lab", root)
    top.only(LAB_FIELDS)
    version, version_node = top.scalar("lab")
    if version != "1":
        top.error(version_node, L_("say which lab format this is: lab: 1"))
    title, _ = top.scalar("title")
    brief, _ = top.scalar("brief")
    topology_node = top.values.get("topology")
    topology, inline, inline_line = path, None, 0
    if isinstance(topology_node, MappingNode):
        inline, inline_line = _inline(filled, topology_node), topology_node.start_mark.line
    else:
        topology_name, topology_node = top.scalar("topology")
        if topology_name is None:
            top.error(
                topology_node,
                L_(
                    "topology: names the network file the students start from, like topology.yaml (or is that "
                    "network, written in the lab file as a topology file would be)"
                ),
            )
        else:
            try:
                topology = inside(path.parent, topology_name, "topology")
                read_text(topology)  # missing, unreadable, not text: the lab file's mistake, said at its line
            except TopologyError as error:
                top.error(topology_node, error.problems[0])
    lab = Lab(path, name, title or name, brief or "", topology, values, pools=pools)
    if inline is not None:
        lab.inline_topology, lab.inline_line = inline, inline_line
    stages = top.values.get("stages")
    if not isinstance(stages, SequenceNode) or not stages.value:
        top.error(stages, L_("stages: is a list of stages, each with run: and checks:"))
    else:
        ids: dict[str, int] = {}
        names: dict[str, int] = {}  # each stage's name -> the line it is given on
        for number, item in enumerate(stages.value, start=1):
            if not isinstance(item, MappingNode):
                ctx.error(item, L_("stage {number}: give it as a mapping with run: and checks:", number=number))
                continue
            stage_spec = Spec(ctx, L_("stage {number}", number=number), item)
            lab.stages.append(_read_stage(stage_spec, number, ids, names, path.parent))
    if ctx.problems:
        ordered = sorted(ctx.problems, key=lambda problem: problem[0])
        raise LabError([located(shown, line, message) for line, message in ordered])
    return lab


MOST_VARIANT_PROBLEMS = 20  # a pool of many bad values: the first ones say enough
# Values read in turn at most (3,000 values of one pool took 72 s, each a read of the whole file); past it,
# of each shape (letters, digits, the other characters as they are) per pool: the first value, those with the
# smallest and the largest numbers, and the longest (an address byte of 300 is an extreme of 1-300).
MOST_VARIANTS_READ = 200


def _shape(value: str) -> str:
    """A value's shape: each run of letters a, of digits 9, every other character itself (7788 and 80
    are one shape, 7788x and 7788: two others)."""
    return re.sub(r"[0-9]+", "9", re.sub(r"[^\W\d_]+", "a", value))


def with_value(problem: str, pool: str, value: str) -> str:
    """A mistake only some students' values make, said with the value that makes it."""
    return L_("{problem} (with {name}: {value})", problem=problem, name=pool, value=repr(value))


def _numbers(value: str) -> tuple[int, ...]:
    """The numbers in a value, in order: how values of one shape compare (198.18.0.9 < 198.18.0.300)."""
    return tuple(int(run) for run in re.findall(r"[0-9]+", value))


def variant_problems(lab: Lab) -> list[str]:
    """The lab file's mistakes that only some students' values make (a count of x, a quote that ends a
    string early, an id that changes): each value of every vars: pool read in turn, the other pools at
    their first value, each mistake said with the value that makes it (past MOST_VARIANTS_READ values,
    a few of each shape per pool: see MOST_VARIANTS_READ). Checked once by each command, before anything runs, rather than
    found in the row of whichever student draws that value."""
    problems: list[str] = []
    tried = [(pool, value) for pool, values in lab.pools.items() for value in dict.fromkeys(values)]
    tried = [(pool, value) for pool, value in tried if value != lab.values.get(pool)]  # not the lab as loaded
    if len(tried) > MOST_VARIANTS_READ:  # each is a read of the whole file
        by_shape: dict[tuple[str, str], list[str]] = {}
        for pool, value in tried:
            by_shape.setdefault((pool, _shape(value)), []).append(value)
        tried = [
            (pool, value)
            for (pool, _), values in by_shape.items()
            for value in dict.fromkeys(
                [values[0], min(values, key=_numbers), max(values, key=_numbers), max(values, key=len)]
            )
        ]
    if not tried:
        return []
    texts = {_topology_text(lab)}  # the network the students start from, as each value makes it
    starts = next(iter(texts)) is not None and not _network_problems(lab)  # (a lab may hand out one to fix)
    for pool, value in tried[:MOST_VARIANTS_READ]:
        try:
            variant = load_lab(lab.path, None, {**lab.values, pool: value})
        except LabError as error:
            problems += [with_value(problem, pool, value) for problem in error.problems]
            continue
        text = _topology_text(variant)
        if starts and text not in texts:  # lab new would write it for the student, who could do nothing with it
            texts.add(text)
            problems += [with_value(problem, pool, value) for problem in _network_problems(variant)]
        # a check's id names its column in lab grade: one that changes with the values puts some
        # students' points in a column the report does not have (their cell 0, their total right)
        ids = [check.id for check in variant.checks]
        problems += [
            located(
                lab.path,
                check.line,
                L_(
                    "check {id}: its id changes with {name} (another value makes it something else); "
                    "an id names the check's column in lab grade, the same for every student: "
                    "give it without a placeholder",
                    id=check.id,
                    name=pool,
                ),
            )
            for check in lab.checks
            if check.id not in ids
        ]
        if len(problems) >= MOST_VARIANT_PROBLEMS:  # a pool of many bad values: the first ones say enough
            break
    return list(dict.fromkeys(problems))[:MOST_VARIANT_PROBLEMS]


def _topology_text(lab: Lab) -> str | None:
    """The lab's own topology with its values (None: it cannot be read, said elsewhere)."""
    try:
        return lab.topology_text(lab.topology)
    except TopologyError:
        return None


def _network_problems(lab: Lab) -> list[str]:
    """What the simulator refuses in the lab's own topology with its values (FILE:LINE each)."""
    from lanlab.sim import Network, NetworkError

    text = _topology_text(lab)
    if text is None:
        return []
    try:
        Network.from_yaml(lab.topology, 1, text=text).close()
    except TopologyError as error:
        return list(error.problems)
    except NetworkError as error:
        return [L_("{file}: {problem}", file=lab.topology, problem=message_of(error))]
    return []


def _read_vars(spec: Spec) -> dict[str, list[str]]:
    node = spec.values.get("vars")
    if node is None:
        return {}
    pools: dict[str, list[str]] = {}
    if not isinstance(node, MappingNode):
        spec.error(node, L_("vars: maps a name to its pool of values, like {{host: [pc3, pc4]}}"))
        return pools
    for key, value in node.value:
        items = value.value if isinstance(value, SequenceNode) else None
        if not items or not all(isinstance(item, ScalarNode) and "\n" not in str(item.value) for item in items):
            spec.error(value, L_("vars.{key}: give a list of one-line values, like [pc3, pc4]", key=key.value))
            continue
        pools[str(key.value)] = [str(item.value) for item in items]
    if spec.failed:  # the values cannot be drawn: report these now, before the placeholders
        raise LabError([located(spec.ctx.path, line, message) for line, message in spec.ctx.problems])
    return pools


def _lines(spec: Spec, key: str) -> list[tuple[str, Node]]:
    """A line or a list of lines, each with its YAML node (the line a mistake in it is told at)."""
    node = spec.values.get(key)
    if node is None:
        return []
    items = node.value if isinstance(node, SequenceNode) else [node]
    if not all(isinstance(item, ScalarNode) for item in items):
        spec.error(node, L_("{key}: give a line or a list of lines", key=key))
        return []
    return [(str(item.value), item) for item in items]


def _app_problem(key: str, text: str) -> str | None:
    """Why a run.app or run.lab_app line is not `[at TIME] NODE=PROGRAM.py` (None: it is)."""
    words = text.split(None, 2)
    rest = text
    if words and words[0] == "at":
        if len(words) < 3:
            return _app_shape(key, text)
        try:
            parse_duration(words[1])
        except (ValueError, UnitError) as error:
            problem = L_("{text}: {problem}", text=repr(text), problem=message_of(error))
            return L_("run.{key}: {problem}", key=key, problem=problem)
        rest = words[2]
    node, sep, name = rest.partition("=")
    if not sep or len(node.split()) != 1 or not name.strip():
        return _app_shape(key, text)
    return None


def _app_shape(key: str, text: str) -> str:
    return L_(
        'run.{key}: {text} is not [at TIME] NODE=PROGRAM.py, like "at 0.5s pc1=client.py"',
        key=key,
        text=repr(text),
    )


def _leaves(name: str) -> bool:
    """Whether a program's name is a path out of the folder it is read from (absolute, or through ..)."""
    path = PurePath(name)
    return path.is_absolute() or ".." in path.parts


def do_problem(text: str) -> str | None:
    """Why a run.do line is not a command the simulator knows, with arguments it takes (None: it is);
    whether its node is in the network is known only when a stage's topology is built."""
    from lanlab.sim.commands import CommandError, read_do

    try:
        read_do(text)  # the arguments parsed, as sim run does; nothing starts
    except CommandError as error:
        return message_of(error)
    return None


def _start_of(key: str, text: str) -> int | None:
    """When a run.do, run.app or run.lab_app line starts (ns; None: one that cannot be read, said elsewhere)."""
    try:
        if key == "do":
            from lanlab.sim.commands import CommandError, read_do

            try:
                return read_do(text).at or 0
            except CommandError:
                return None
        if _app_problem(key, text) is not None:
            return None
        return app_parts(text)[0]
    except (ValueError, UnitError):
        return None


def _read_stage(spec: Spec, number: int, ids: dict[str, int], names: dict[str, int], folder: Path) -> Stage:
    spec.only(STAGE_FIELDS)
    name, name_node = spec.scalar("name")
    brief, _ = spec.scalar("brief")
    stage = Stage(name or f"stage {number}", brief or "", [], [], [], [], parse_duration("10s"), 1, [])
    where = name_node if name_node is not None else spec.node
    if stage.name in names:  # a report and a grade name the stage a check is in: two would be one
        spec.error(
            where,
            L_(
                "stage name {name} is used twice (first on line {line}); give each stage a name of its own",
                name=repr(stage.name),
                line=names[stage.name],
            ),
        )
    else:
        names[stage.name] = where.start_mark.line + 1
    whose, whose_node = spec.scalar("topology")
    if whose is not None and whose not in ("lab", "student"):
        spec.error(whose_node, L_("topology: is lab (the lab's own network) or student (the default)"))
    stage.lab_topology = whose == "lab"
    run = spec.values.get("run")
    if isinstance(run, MappingNode):
        run_spec = Spec(spec.ctx, L_("{owner} run", owner=spec.owner), run)
        run_spec.only(RUN_FIELDS)
        do = _lines(run_spec, "do")
        stage.do, stage.do_lines = [text for text, _ in do], [line_of(item) for _, item in do]
        for text, item in do:  # a command lanlab does not know is the lab file's mistake, said now
            problem = do_problem(text)
            if problem is not None:
                run_spec.error(item, L_("run.{key}: {problem}", key="do", problem=problem))
        apps, lab_apps = _lines(run_spec, "app"), _lines(run_spec, "lab_app")
        stage.apps, stage.lab_apps = [text for text, _ in apps], [text for text, _ in lab_apps]
        for key, lines in (("app", apps), ("lab_app", lab_apps)):
            for text, item in lines:
                problem = _app_problem(key, text)
                if problem is not None:
                    run_spec.error(item, problem)
                elif key == "app" and _leaves(app_parts(text)[2]):
                    run_spec.error(
                        item,
                        L_(
                            "run.app: {name} is a path out of the student's folder; name a file in it, like "
                            "client.py (the teacher's own programs are run.lab_app)",
                            name=repr(app_parts(text)[2]),
                        ),
                    )
                elif key == "lab_app":  # the teacher's own files: missing is the lab file's mistake, said now
                    name = app_parts(text)[2]
                    try:
                        found = inside(folder, name, "run.lab_app").is_file()
                    except LabError as error:
                        run_spec.error(item, error.problems[0])
                        continue
                    if not found:
                        run_spec.error(
                            item,
                            L_(
                                "run.lab_app: no program {name} beside the lab file (in {folder})",
                                name=repr(name),
                                folder=folder,
                            ),
                        )
        stdin, args = _lines(run_spec, "stdin"), _lines(run_spec, "arg")
        stage.stdin, stage.args = [text for text, _ in stdin], [text for text, _ in args]
        for key, lines, example in (("stdin", stdin, "pc1=hello"), ("arg", args, "pc1=7788")):
            for text, item in lines:
                node, sep, _ = text.partition("=")
                if not sep or not node.strip():
                    run_spec.error(
                        item,
                        L_(
                            "run.{key}: {text} is not NODE=TEXT, like {example}",
                            key=key,
                            text=repr(text),
                            example=example,
                        ),
                    )
        until = run_spec.duration("until")
        stage.until = until if until is not None else stage.until  # until: 0s is a run of nothing, not 10 s
        # a command or program set to start after the run ends never starts: every check on it fails
        starts = [
            (key, text, item, _start_of(key, text))
            for key, lines in (("do", do), ("app", apps), ("lab_app", lab_apps))
            for text, item in lines
        ]
        for key, text, item, at in starts:
            if at is not None and at > stage.until:
                run_spec.error(
                    item,
                    L_(
                        "run.{key}: {text} starts at {at}, after the stage's run ends (until: {until}); start it "
                        "earlier, or make until: later",
                        key=key,
                        text=repr(text),
                        at=format_duration(at),
                        until=format_duration(stage.until),
                    ),
                )
        seed = run_spec.parsed("seed", int, "a whole number")
        stage.seed = seed if seed is not None else 1
    elif run is not None:
        spec.error(run, L_('run: is a mapping like {{do: ["pc1 ping pc3 -c 2"], until: 2s}}'))
    checks = spec.values.get("checks")
    if not isinstance(checks, SequenceNode):
        spec.error(
            checks,
            L_("checks: is a list of checks, each with id:, points:, hint: and one of {kinds}", kinds=KINDS),
        )
        return stage
    for item in checks.value:
        if not isinstance(item, MappingNode):
            spec.error(item, L_("a check is a mapping with id:, points:, hint: and one of {kinds}", kinds=KINDS))
            continue
        check = _read_check(Spec(spec.ctx, L_("{owner} check", owner=spec.owner), item), ids, stage.until)
        if check is not None:
            stage.checks.append(check)
    return stage


def _inline(text: str, node: MappingNode) -> str:
    """An inline topology's own text, as a file of its own would hold it (indentation removed)."""
    start, end = node.start_mark, node.end_mark
    return textwrap.dedent(" " * start.column + text[start.index : end.index]).rstrip() + "\n"


def _read_check(spec: Spec, ids: dict[str, int], until: int) -> Check | None:
    """One check; `until`: when its stage's run ends (a state check cannot look later)."""
    spec.only({"id", "points", "hint", *CHECK_KINDS})
    check_id, id_node = spec.scalar("id")
    if check_id is None:
        spec.error(None, L_("give the check an id:, a word its column is named by"))
        return None
    nameless = not check_id.strip() or any(unicodedata.category(char)[0] == "C" for char in check_id)
    spec.owner = L_("check {id}", id=repr(check_id) if nameless else check_id)
    if (
        nameless
    ):  # a column of lab grade's CSV and a line of lab check's report: nameless or broken over lines is neither
        spec.error(
            id_node,
            L_("id {id}: give the check a name on one line, like replies-unicast", id=repr(check_id)),
        )
    elif check_id.strip().lower() in GRADE_COLUMNS:
        spec.error(
            id_node,
            L_(
                "id {id} is the name of a column lab grade gives every row ({columns}); choose another",
                id=repr(check_id),
                columns=", ".join(GRADE_COLUMNS),
            ),
        )
    if check_id in ids:
        spec.error(id_node, L_("id {id} is used twice (first on line {line})", id=repr(check_id), line=ids[check_id]))
    ids[check_id] = id_node.start_mark.line + 1 if id_node is not None else 1
    points = spec.parsed("points", int, "a whole number")
    if points is not None and points < 0:
        spec.error(
            spec.values["points"],
            L_("points: {points} is below 0; give a whole number of points, 0 or more, like points: 2", points=points),
        )
        points = None
    hint, _ = spec.scalar("hint")
    kinds = [kind for kind in CHECK_KINDS if kind in spec.values]
    if len(kinds) != 1:
        spec.error(None, L_("give exactly one of {kinds}", kinds=KINDS))
        return None
    kind = kinds[0]
    node = spec.values[kind]
    if not isinstance(node, MappingNode):
        spec.error(node, L_("{kind}: is a mapping (see docs/labs.md)", kind=kind))
        return None
    body = Spec(spec.ctx, L_("check {id} {kind}", id=check_id, kind=kind), node)
    check = Check(check_id, points if points is not None else 1, hint or "", kind, plain(node), line=ids[check_id])
    if kind == "trace":
        check.query = read_query(body, until=until)
    elif kind == "question":
        ask, _ = body.scalar("ask")
        if ask is None:
            body.error(None, L_("ask: is the question the student answers"))
        check.ask = ask or ""
        check.query = read_query(body, compared=False, also=("ask",), until=until)
    elif kind == "expect":
        body.only(EXPECT_FIELDS)
        _node_named(body)
        _read_expect(body)
    elif kind == "state":
        body.only(STATE_FIELDS)
        _node_named(body)
        table, table_node = body.scalar("table")
        if table not in TABLES:
            body.error(table_node, L_("table: choose from {tables}", tables=", ".join(TABLES)))
        at, at_node = body.scalar("at")
        if at is not None and at != "end":
            when = body.duration("at")
            if when is not None and when > until:
                body.error(
                    at_node,
                    L_(
                        "at: {at} is after the stage's run ends (until: {until}); give a time up to {until}, "
                        "or make the stage's until: later",
                        at=at,
                        until=format_duration(until),
                    ),
                )
        if not any(key in body.values for key in ("has", "lacks")):
            body.error(None, L_("say what the table has: (or lacks:), like has: {{mac: pc3, port: p3}}"))
        for key in ("has", "lacks"):
            row = body.values.get(key)
            if row is not None and not isinstance(row, MappingNode):
                body.error(row, L_("{key}: is a row's fields, like {{mac: pc3, port: p3}}", key=key))
            elif row is not None and table in TABLE_FIELDS:
                for field_node, value_node in row.value:
                    if not isinstance(value_node, ScalarNode):  # a row's field holds one value: a list never equals it
                        body.error(
                            value_node,
                            L_(
                                "{key}: {field} is one value, like {{mac: pc3, port: p3}}",
                                key=key,
                                field=str(field_node.value),
                            ),
                        )
                    if str(field_node.value) not in TABLE_FIELDS[table]:
                        body.error(
                            field_node,
                            L_(
                                "{key}: the {table} table has no field {field} (it has {fields})",
                                key=key,
                                table=table,
                                field=repr(str(field_node.value)),
                                fields=", ".join(TABLE_FIELDS[table]),
                            ),
                        )
    else:  # output
        body.only(OUTPUT_FIELDS)
        _node_named(body)
        if sum(key in body.values for key in ("exactly", "matches", "set", "contains")) != 1:
            body.error(None, L_("say how the lines must look with one of exactly, matches, set, contains"))
        for key in ("exactly", "matches", "set"):
            if key in body.values:
                _read_lines(body, key)
        body.scalar("contains")
    return check


def _read_expect(body: Spec) -> None:
    """An expect check's values, read now: a mistake is FILE:LINE, not a crash when it is judged."""
    body.parsed("address_in", lambda text: IPv4Network(text, strict=False), N_("a network like 198.18.0.0/15"))
    length = body.parsed("prefix_length", int, N_("a prefix length, a whole number from 0 to 32"))
    if length is not None and not 0 <= length <= 32:
        body.error(
            body.values["prefix_length"],
            L_("prefix_length: {length} is not from 0 to 32; give a prefix length like 24", length=length),
        )
    gateway, _ = body.scalar("gateway")
    if gateway is not None and gateway != "set":
        body.parsed("gateway", IPv4Address, N_("an IPv4 address, or set (any gateway)"))
    for key in ("gateway_on_subnet", "rip"):
        body.flag(key)
    mode, mode_node = body.scalar("stp")
    if mode is not None and mode.lower() not in STP_MODES:
        body.error(
            mode_node,
            L_("stp: {mode} is not a mode; choose from {modes}", mode=repr(mode), modes=", ".join(STP_MODES)),
        )


def _read_lines(body: Spec, key: str) -> None:
    """exactly:, matches: or set: a line or a list of lines; each of matches: a regular expression."""
    node = body.values[key]
    items: list[Node] = node.value if isinstance(node, SequenceNode) else [node]
    for item in items:
        if not isinstance(item, ScalarNode):
            body.error(item, L_("{key}: give a line or a list of lines, like [hello, bye]", key=key))
        elif key == "matches":
            problem = pattern_problem(str(item.value))
            if problem is not None:
                body.error(item, problem)


def _node_named(body: Spec) -> None:
    if body.scalar("node")[0] is None:
        body.error(None, L_("node: names the device this check is about"))
