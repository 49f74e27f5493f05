"""The network a `sim serve` page builds: the topology file's own data (name, nodes with their
fields, links), changed one edit at a time and checked by the loader `sim check` uses.

The file is written one field a line (a field's value in YAML's flow style when it is a mapping
or a list), so each line the loader blames is one node's one field, and the page shows the
mistake beside that field.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Callable

import yaml

from lanlab.topology.reader import names_an_alias, nests_too_deep

NAME_STEM = {"host": "pc", "switch": "sw", "hub": "hub", "router": "r"}
PORT_STEM = {"host": "eth", "router": "eth", "switch": "p", "hub": "p"}
# Where a problem is: "FILE:LINE: message".
PROBLEM = re.compile(r"^.*?:(\d+): (.*)$")


class BuildError(ValueError):
    """An edit the page asked for that cannot be made (no such node, no free port)."""


def _holds_binary(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray)):
        return True
    if isinstance(value, dict):
        return any(_holds_binary(key) or _holds_binary(item) for key, item in value.items())
    if isinstance(value, (list, tuple, set)):
        return any(_holds_binary(item) for item in value)
    return False


def flow(value: Any) -> str:
    """One value on one line (YAML flow style)."""
    return yaml.safe_dump(value, default_flow_style=True, width=10**9).strip().removesuffix("...").strip()


class Workspace:
    """The topology being built: {"name", "nodes": {name: {field: value}}, "links": [...]}."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        spec = spec or {}
        self.spec: dict[str, Any] = {
            "name": spec.get("name", "workspace"),
            "nodes": dict(spec.get("nodes") or {}),
            "links": list(spec.get("links") or []),
        }
        for key in ("events",):
            if key in spec:
                self.spec[key] = spec[key]

    @classmethod
    def from_file(cls, path: str | Path) -> Workspace:
        return cls(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})

    # -- the file ---------------------------------------------------------------------------------
    def to_yaml(self) -> tuple[str, dict[int, tuple[str | None, str | None]]]:
        """(text, {line: (node, field)}): the file, and what each line holds."""
        lines = [f"name: {flow(self.spec['name'])}", "nodes:" + (" {}" if not self.spec["nodes"] else "")]
        where: dict[int, tuple[str | None, str | None]] = {1: (None, "name")}
        for name, fields in self.spec["nodes"].items():
            lines.append(f"  {flow(name)}:" + (" {}" if not fields else ""))
            where[len(lines)] = (name, None)
            for field, value in fields.items():
                lines.append(f"    {flow(field)}: {flow(value)}")
                where[len(lines)] = (name, field)
        lines.append("links:" + (" []" if not self.spec["links"] else ""))
        for link in self.spec["links"]:
            lines.append(f"  - {flow(link)}")
            where[len(lines)] = (None, "links")
        if "events" in self.spec:
            lines.append(f"events: {flow(self.spec['events'])}")
            where[len(lines)] = (None, "events")
        return "\n".join(lines) + "\n", where

    def problems(self, check: Callable[[Path], list[str]], folder: Path) -> list[dict[str, Any]]:
        """What `sim check` says of this network, each problem with its node and field."""
        text, where = self.to_yaml()
        path = folder / "network.yaml"
        path.write_text(text, encoding="utf-8")
        found = []
        for problem in check(path):
            match = PROBLEM.match(problem)
            line, message = (int(match.group(1)), match.group(2)) if match else (0, problem)
            node, field = where.get(line, (None, None))
            found.append({"node": node, "field": field, "message": message})
        return found

    # -- edits: each returns a new Workspace (the old one stays until the new one passes) ----------
    def edited(self) -> Workspace:
        return Workspace(copy.deepcopy(self.spec))

    def add(self, kind: str) -> tuple[Workspace, str]:
        """A new node of `kind` with the next free name (pc5, sw2, ...)."""
        if kind not in NAME_STEM:
            raise BuildError(f"kind {kind!r}: choose host, switch, hub or router")
        new = self.edited()
        nodes = new.spec["nodes"]
        number = 1
        while f"{NAME_STEM[kind]}{number}" in nodes:
            number += 1
        name = f"{NAME_STEM[kind]}{number}"
        fields: dict[str, Any] = {"kind": kind}
        if kind == "host":  # a host needs an address: the next free one of 198.18.0.0/24
            fields["ip"] = new.free_address()
        if kind == "router":  # a router is its interfaces: one to start with
            fields["interfaces"] = {"eth0": f"198.19.{number}.254/24"}
        nodes[name] = fields
        return new, name

    def cable(self, a: str, b: str) -> tuple[Workspace, list[str]]:
        """Link the next free port of node `a` to the next free port of node `b`."""
        if a == b:
            raise BuildError(f"cable {a} to another node, not to itself")
        new = self.edited()
        ends = [new.free_port(a), new.free_port(b)]
        new.spec["links"].append(ends)
        return new, ends

    def uncable(self, a: str, b: str) -> Workspace:
        """Remove the cable between ports `a` and `b` (NODE:PORT)."""
        new = self.edited()
        kept = [link for link in new.spec["links"] if set(endpoints(link)) != {a, b}]
        if len(kept) == len(new.spec["links"]):
            raise BuildError(f"no cable between {a} and {b}")
        new.spec["links"] = kept
        return new

    def edit(self, node: str, field: str, value: str) -> Workspace:
        """Set a field from its text (YAML: `198.18.0.1/24`, `300s`, `{enabled: true}`); empty: remove it."""
        new = self.edited()
        if node == "" and field == "name":
            new.spec["name"] = value.strip() or "workspace"
            return new
        fields = new.node(node)
        if not field.strip():
            raise BuildError("name the field to set (ip, gateway, ageing, stp, interfaces, routes, rip, ...)")
        if value.strip() == "":
            fields.pop(field, None)
            return new
        if nests_too_deep(value):  # PyYAML builds nested values recursively
            raise BuildError(f"{field}: not a value (nested deeper than a topology file may be)")
        if names_an_alias(value):  # &a [*a] is a list holding itself: no walk or dump of it ends
            raise BuildError(f"{field}: an alias (*name) is no value of one field; write the value out")
        try:
            fields[field] = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise BuildError(f"{field}: not a value ({str(error).splitlines()[0]})") from None
        if _holds_binary(fields[field]):  # !!binary: written back as a block of lines, it broke the one-line field
            raise BuildError(f"{field}: binary data (!!binary) is no value of a topology file")
        return new

    def remove(self, node: str) -> Workspace:
        """A node and its cables."""
        new = self.edited()
        new.node(node)
        del new.spec["nodes"][node]
        new.spec["links"] = [
            link for link in new.spec["links"] if all(end.split(":")[0] != node for end in endpoints(link))
        ]
        return new

    def file_stem(self) -> str:
        """The network's name as a file name (what the page's download is called)."""
        return re.sub(r"[^\w.-]+", "_", str(self.spec["name"])).strip("._") or "workspace"

    # -- helpers ---------------------------------------------------------------------------------
    def node(self, name: str) -> dict[str, Any]:
        fields = self.spec["nodes"].get(name)
        if fields is None:
            raise BuildError(f"no node called {name!r}")
        return fields  # type: ignore[no-any-return]

    def free_address(self) -> str:
        """198.18.0.N/24 with the smallest N no node's field mentions."""
        used = set(re.findall(r"198\.18\.0\.(\d+)\b", flow(self.spec["nodes"])))
        for number in range(1, 255):
            if str(number) not in used:
                return f"198.18.0.{number}/24"
        raise BuildError("198.18.0.0/24 is full: give this host an address of another network (ip field)")

    def free_port(self, name: str) -> str:
        """The first port of the node no cable uses, named as topology files name them."""
        kind = self.node(name).get("kind")
        used = {end for link in self.spec["links"] for end in endpoints(link)}
        if kind == "host":
            interfaces = list((self.node(name).get("interfaces") or {"eth0": None}).keys())
        elif kind == "router":
            interfaces = list((self.node(name).get("interfaces") or {}).keys())
        else:
            interfaces = [f"{PORT_STEM.get(str(kind), 'p')}{n}" for n in range(1, 1000)]
        for port in interfaces:
            if f"{name}:{port}" not in used:
                return f"{name}:{port}"
        raise BuildError(
            f"{name} has no free port: every interface is cabled (add one to its interfaces field)"
            if kind in ("host", "router")
            else f"{name} is full"
        )


def endpoints(link: Any) -> list[str]:
    """A link's two NODE:PORT ends, in either of the file's forms ([a, b] or {endpoints: [a, b]})."""
    if isinstance(link, dict):
        return [str(end) for end in link.get("endpoints", [])]
    return [str(end) for end in link]
