"""Each check kind judged against a network (built, running or run): what was found, and whether
that passes. Only the simulator's public objects are read (nodes, their tables, the trace).

What was found is an L_ text: English in `lab check --json`, --csv and `lab grade` whatever the
language (a contract), shown translated by `lab check`'s report and its page (lanlab.i18n).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from lanlab.i18n import L_, N_
from lanlab.lab.model import Check
from lanlab.lab.patterns import MATCH_SECONDS, fullmatch
from lanlab.lab.query import compare, truth
from lanlab.topology import yes_no
from lanlab.units import parse_duration

ANSWER_SEPARATORS = re.compile(r"[\s,;，、；]+")  # \s is Unicode's whitespace: the ideographic space too


@dataclass
class Result:
    """One check judged: what the run showed and the points it earned."""

    id: str
    stage: str
    points: int
    passed: bool
    found: str
    hint: str

    @property
    def score(self) -> int:
        return self.points if self.passed else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "stage": self.stage,
            "points": self.points,
            "passed": self.passed,
            "score": self.score,
            "found": self.found,
            "hint": None if self.passed else self.hint,
        }


def expect(network: Any, body: dict[str, Any]) -> tuple[bool, str]:
    """The student's configuration, before anything runs."""
    node = network.nodes.get(body["node"])
    if node is None:
        return False, L_("no node called {node}", node=body["node"])
    nics = [nic for nic in getattr(node, "nics", []) if nic.address is not None]
    address = nics[0].address if nics else None
    gateway = getattr(getattr(node, "ipv4", None), "gateway", None)
    found, passed = [], True
    if "address_in" in body:
        inside = address is not None and address.ip in IPv4Network(body["address_in"], strict=False)
        found.append(_address(address))
        passed &= inside
    if "prefix_length" in body:
        found.append(_address(address))
        passed &= address is not None and address.network.prefixlen == int(body["prefix_length"])
    if "gateway" in body:
        found.append(L_("gateway {gateway}", gateway=str(gateway)) if gateway is not None else L_("no gateway"))
        want = body["gateway"]
        passed &= gateway is not None and (want == "set" or gateway == IPv4Address(want))
    if "gateway_on_subnet" in body:
        on = gateway is not None and any(gateway in nic.address.network for nic in nics)
        if gateway is None:
            found.append(L_("no gateway"))  # said once with a gateway: check (dict.fromkeys below)
        elif on:
            found.append(L_("gateway {gateway} on its subnet", gateway=str(gateway)))
        else:
            found.append(L_("gateway {gateway} not on its subnet", gateway=str(gateway)))
        passed &= on == yes_no(body["gateway_on_subnet"])  # read when the lab was loaded
    if "rip" in body:
        running = getattr(node, "rip_options", None) is not None
        found.append(L_("RIP on") if running else L_("RIP off"))
        passed &= running == yes_no(body["rip"])
    if "stp" in body:
        stp = getattr(node, "stp", None)
        mode = stp.mode if stp is not None else "off"
        found.append(L_("spanning tree {mode}", mode=mode) if stp is not None else L_("spanning tree off"))
        passed &= mode == body["stp"].lower()
    return bool(passed), in_turn(list(dict.fromkeys(found)))


def _address(address: Any) -> str:
    return L_("address {address}", address=str(address)) if address is not None else L_("no address")


def in_turn(items: list[str]) -> str:
    """`"; ".join(items)`, shown translated item by item (a Chinese reader gets "；")."""
    if not items:
        return ""
    text = items[0]
    for item in items[1:]:
        text = L_("{found}; {more}", found=text, more=item)
    return text


# What a state check found, a template per table (model.TABLES): "sw1 mac table at 2 s: ..."
TABLE_AT = {
    "mac": N_("{node} mac table at {seconds} s: {rows}"),
    "arp": N_("{node} arp table at {seconds} s: {rows}"),
    "route": N_("{node} route table at {seconds} s: {rows}"),
    "stp": N_("{node} stp table at {seconds} s: {rows}"),
}


def table_rows(network: Any, node: Any, table: str) -> list[dict[str, Any]]:
    if table == "mac":
        return list(getattr(node, "mac_table", []))
    if table == "arp":
        return list(getattr(node, "arp_table", []))
    if table == "route":
        return list(getattr(node, "routes", []))
    stp = getattr(node, "stp", None)
    return list(stp.status()["ports"]) if stp is not None else []


def _wanted(network: Any, key: str, value: str) -> str:
    """A node's name stands for its MAC (mac:) or its first address (ip:, via:)."""
    node = network.nodes.get(value)
    if node is not None and getattr(node, "nics", None):
        if key == "mac":
            return str(node.nics[0].mac)
        if key in ("ip", "via") and node.addresses:
            return str(node.addresses[0])
    return value.lower()


def _row_matches(network: Any, row: dict[str, Any], fields: dict[str, str]) -> bool:
    return all(str(row.get(key, "")).lower() == _wanted(network, key, str(value)) for key, value in fields.items())


def state(network: Any, body: dict[str, Any]) -> tuple[bool, str]:
    """A table at this instant: has a row with these fields, or lacks one."""
    node = network.nodes.get(body["node"])
    if node is None:
        return False, L_("no node called {node}", node=body["node"])
    rows = table_rows(network, node, body["table"])
    shown = "; ".join(
        ", ".join(
            f"{k} {v}" for k, v in row.items() if k in ("mac", "ip", "port", "prefix", "via", "metric", "role", "state")
        )
        for row in rows
    ) or L_("empty")
    if len(shown) > OUTPUT_SHOWN:  # a table of thousands of rows: its start and how many
        shown = L_("{start}... ({count} rows in all)", start=shown[:OUTPUT_SHOWN], count=f"{len(rows):,}")
    found = L_(TABLE_AT[body["table"]], node=body["node"], seconds=f"{network.now / 1e9:g}", rows=shown)
    passed = True
    if "has" in body:
        passed &= any(_row_matches(network, row, body["has"]) for row in rows)
    if "lacks" in body:
        passed &= not any(_row_matches(network, row, body["lacks"]) for row in rows)
    return passed, found


# Characters of a program's output a result shows: a program printing megabytes would otherwise make one
# result line of them (lab check's report, and lab grade's worker line, whose end was lost past 1 MiB)
OUTPUT_SHOWN = 1_000


def printable(text: str) -> str:
    """`text` with each lone surrogate (print("\\udcff"), a name os.fsdecode made of a byte that is not
    UTF-8) written as its backslash escape, as CPython's stderr writes it: such a character cannot be
    encoded, and a report or the grader's result line holding one failed (or was not UTF-8)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shown_output(lines: list[str]) -> str:
    """A program's lines as a result shows them: joined by " | ", the start of a long output and its size."""
    if not lines:
        return L_("no output")
    text = printable(" | ".join(lines))
    if len(text) <= OUTPUT_SHOWN:
        return text
    return L_(
        "{start}... ({lines} lines, {characters} characters in all)",
        start=text[:OUTPUT_SHOWN],
        lines=len(lines),
        characters=len(text),
    )


def output(lines: list[str], body: dict[str, Any]) -> tuple[bool, str]:
    """A program's printed lines: exactly these, each matching a regular expression, as a set,
    or containing a text."""
    found = shown_output(lines)
    if "exactly" in body:
        want = body["exactly"] if isinstance(body["exactly"], list) else [body["exactly"]]
        return lines == want, found
    if "set" in body:
        want = body["set"] if isinstance(body["set"], list) else [body["set"]]
        return set(lines) == set(want), found
    if "matches" in body:
        patterns = body["matches"] if isinstance(body["matches"], list) else [body["matches"]]
        if len(lines) != len(patterns):
            return False, found
        for pattern, line in zip(patterns, lines):
            try:
                if not fullmatch(pattern, line):
                    return False, found
            except TimeoutError:
                return False, L_(
                    "matches: {pattern} took more than {seconds} s on {line}: a repeat whose parts can match the "
                    "same text, like (a|aa)+, tries every way; write it so each text matches one way",
                    pattern=repr(pattern),
                    seconds=MATCH_SECONDS,
                    line=repr(line[:80]),
                )
        return True, found
    return any(body["contains"] in line for line in lines), found


def show(value: Any) -> str:
    """A measured value or an answer as a result shows it; a long one (a student's answer of a megabyte,
    the names of thousands of devices) cut to its start and its size, as shown_output cuts output."""
    if isinstance(value, bool):  # an order
        return L_("in that order") if value else L_("not in that order (or one of them never happened)")
    if isinstance(value, list):
        if not value:
            return L_("none")
        text = printable(", ".join(map(str, value)))
        if len(text) <= OUTPUT_SHOWN:
            return text
        return L_("{start}... ({count} in all)", start=text[:OUTPUT_SHOWN], count=f"{len(value):,}")
    if value is None:
        return L_("no such event")
    text = printable(str(value))
    if len(text) <= OUTPUT_SHOWN:
        return text
    return L_("{start}... ({characters} characters in all)", start=text[:OUTPUT_SHOWN], characters=f"{len(text):,}")


def question(check: Check, events: list[Any], answers: dict[str, Any]) -> tuple[bool, str]:
    """The student's prediction against what the run shows; an answer of the wrong shape (a list
    for a number, a mapping) fails this question only, saying what the answer must be."""
    assert check.query is not None
    value = check.query.value(events)
    given = answers.get(check.id)
    if given is None or given == "":
        return False, L_("no answer (the run shows {value})", value=show(value))
    if isinstance(value, list) and isinstance(given, str):
        # names apart by commas or spaces, a Chinese input method's too (，、；and the ideographic space)
        given = [word for word in ANSWER_SEPARATORS.split(given) if word]
    wrong = wrong_shape(check.query.measure, given)
    if wrong is not None:
        return False, L_("{problem} (the run shows {value})", problem=wrong, value=show(value))
    try:
        passed = compare("equals", value, given)
    except ValueError:
        passed = False
    return passed, L_("answered {answer}; the run shows {value}", answer=show(given), value=show(value))


def _quoted(given: Any) -> str:
    """An answer quoted in a message: its start when long (an answers file may hold a megabyte)."""
    text = printable(str(given))
    return repr(text) if len(text) <= 80 else repr(text[:80]) + "…"


def wrong_shape(measure: str, given: Any) -> str | None:
    """Why an answer cannot be compared with what `measure` gives (None: it can): names answer
    ports and devices, a number a count, a time first and last, yes or no an order."""
    shape = L_("a mapping") if isinstance(given, dict) else L_("a list")
    if measure in ("ports", "devices"):
        if isinstance(given, dict):
            return L_("answer must be a name or a list of names, got {shape}", shape=shape)
        items = given if isinstance(given, list) else [given]
        inner = next((item for item in items if isinstance(item, (list, dict))), None)
        if inner is not None:
            shape = L_("a mapping") if isinstance(inner, dict) else L_("a list")
            return L_("answer must be a name or a list of names, got {shape} inside the list", shape=shape)
        return None
    if measure in ("count", "frames"):
        if isinstance(given, (list, dict)):
            return L_("answer must be a number, got {shape}", shape=shape)
        try:
            float(str(given))
        except ValueError:
            return L_("answer must be a number, got {answer}", answer=_quoted(given))
        return None
    if measure in ("first", "last"):
        if isinstance(given, (list, dict)):
            return L_("answer must be a time like 1.5s, got {shape}", shape=shape)
        try:
            parse_duration(str(given))
        except ValueError:
            return L_("answer must be a time like 1.5s, got {answer}", answer=_quoted(given))
        return None
    if isinstance(given, (list, dict)):  # order: a truth
        return L_("answer must be yes or no, got {shape}", shape=shape)
    try:
        truth(str(given))
    except ValueError:  # "maybe" is not a "no" (it scored when the run showed no order)
        return L_("answer must be yes or no, got {answer}", answer=_quoted(given))
    return None


def judge(check: Check, stage: str, passed: bool, found: str) -> Result:
    return Result(check.id, stage, check.points, passed, found, check.hint)
