"""The differences between a simulated run and a kernel run of the same file, --do and --app.

Both sides are `sim run --json`-shaped documents. What the two worlds cannot share is normalised
away before comparing: times (virtual vs wall clock), round-trip times, MAC addresses (each MAC
is replaced by the interface that owns it, `pc2:eth0`), ephemeral ports, ages and metrics.
Differences the README lists as known (a property the kernel did not apply, RSTP run as STP)
are reported apart and not counted.
"""

from __future__ import annotations

import re
from typing import Any

EPHEMERAL = re.compile(r"\b(3[2-9]\d{3}|[4-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-3]\d)\b")  # 32768-65539
HEX_ADDRESS = re.compile(r"0x[0-9a-f]{6,}")  # object ids in a repr()


def _owner(mac: str, owners: dict[str, str]) -> str:
    return owners.get(mac.lower(), "another interface")


def _command_view(command: dict[str, Any], owners: dict[str, str]) -> Any:
    """What must agree for one --do command: counts and who answered, not times."""
    result = command.get("result")
    if result is None:
        return None
    if "error" in result:
        return {"error": True}
    words = command["command"].split()
    if words[0] == "ping":
        return {"transmitted": result["transmitted"], "received": result["received"]}
    if words[:2] in (["udp", "broadcast"], ["udp", "send"]):
        return {"replies": sorted((r["from"], r["text"]) for r in result.get("replies", []))}
    if words[:2] == ["udp", "listen"]:
        return {"received": sorted((r["from"], r["text"]) for r in result.get("received", []))}
    if "arp" in result:
        return sorted((r["ip"], _owner(r["mac"], owners)) for r in result["arp"])
    if "mac" in result:
        return sorted((_owner(r["mac"], owners), r["port"]) for r in result["mac"])
    if "routes" in result:
        return _routes(result["routes"])
    return result


def _routes(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((r["prefix"], r["via"], r["interface"], r["source"]) for r in rows)


def _table_view(tables: dict[str, Any], owners: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for node, held in tables.items():
        if "mac" in held:
            out[f"{node} mac"] = sorted((_owner(r["mac"], owners), r["port"]) for r in held["mac"])
        if "arp" in held:
            out[f"{node} arp"] = sorted((r["ip"], _owner(r["mac"], owners)) for r in held["arp"])
        if "routes" in held:
            out[f"{node} routes"] = _routes(held["routes"])
    return out


def normalise_output(text: str) -> str:
    """A program's line without what differs run to run: ephemeral ports and object addresses."""
    return HEX_ADDRESS.sub("0x…", EPHEMERAL.sub("<port>", text))


def _program_view(program: dict[str, Any]) -> dict[str, Any]:
    return {"exit": program["exit"], "output": [normalise_output(line["text"]) for line in program["output"]]}


def differences(sim: dict[str, Any], real: dict[str, Any], sim_owners: dict[str, str],
                real_owners: dict[str, str]) -> tuple[list[str], list[str]]:
    """(differences, known): one sentence each."""
    found: list[str] = []
    known = [f"{item['where']}: {item['property']} not applied on the kernel ({item['why']})"
             for item in real.get("not_applied", [])]
    unmatched = list(real.get("commands", []))
    for sim_command in sim.get("commands", []):
        # the same command by node and words (the kernel skips a file's events it cannot run)
        real_command = next((c for c in unmatched if (c["node"], c["command"]) ==
                             (sim_command["node"], sim_command["command"])), None)
        if real_command is None:
            continue  # its event is in not_applied, already listed as known
        unmatched.remove(real_command)
        a, b = _command_view(sim_command, sim_owners), _command_view(real_command, real_owners)
        if a != b:
            found.append(f"command {sim_command['node']}$ {sim_command['command']}: sim {a}, kernel {b}")
    sim_tables, real_tables = _table_view(sim.get("tables", {}), sim_owners), \
        _table_view(real.get("tables", {}), real_owners)
    for key in sorted(set(sim_tables) | set(real_tables)):
        a, b = sim_tables.get(key), real_tables.get(key)
        if a != b:
            found.append(f"table {key}: sim {a}, kernel {b}")
    for sim_program, real_program in zip(sim.get("programs", []), real.get("programs", [])):
        a, b = _program_view(sim_program), _program_view(real_program)
        if a == b:
            continue
        where = f"program {sim_program['node']} {sim_program['path']}"
        if a["exit"] == b["exit"] and sorted(a["output"]) == sorted(b["output"]):
            # the same lines in another order: answers from several hosts raced (timing, known)
            known.append(f"{where}: the same lines in another order (timing): kernel {b['output']}")
        else:
            found.append(f"{where}: sim {a}, kernel {b}")
    if found and any(" - " in item["where"] for item in real.get("not_applied", [])):
        # a link's delay, loss or rate the kernel skipped may cause any of them: known, not counted
        return [], known + [f"(a link property not applied) {line}" for line in found]
    return found, known
