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

from lanlab.i18n import L_
from lanlab.program_lines import BUSY_LOOP
from lanlab.proto.arp import DEFAULT_TIMEOUT_NS
from lanlab.units import SECOND

# A port to normalise is a number in the ephemeral range (32768-65535), not either side of a decimal point
# (a clock reading such as time.monotonic()'s 45123.866 must stay a number with a fraction for _clock_only),
# where a port is written: after an IPv4 address (('198.18.0.1', 43210), ["198.18.0.1", 43210],
# 198.18.0.1:43210, 198.18.0.1 43210), after a quoted name in a tuple or list (('pc2', 43210)), after name:
# with no space (pc2:43210), or after the word port (port 43210, "port": 43210, Port=43210, port is 43210).
# A count in the same range ("got 65507 bytes", "support: 50000") is the program's answer and is compared; a
# port printed bare cannot be told from one.
EPHEMERAL = re.compile(r"(?<!\d\.)\b(3[2-9]\d{3}|[4-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-3]\d)\b(?!\.\d)")
PORT_BEFORE = re.compile(
    r"(?:\d+\.\d+\.\d+\.\d+['\"]?\s*[,:]?\s*|['\"],\s*|[A-Za-z][\w.-]*:|\bport['\"]?(?:\s+is)?\W{0,3})$",
    re.IGNORECASE,
)
PORT_CONTEXT = 60  # characters before a number that say whether it is a port (one look each: lines stay linear)
HEX_ADDRESS = re.compile(r"0x[0-9a-f]{6,}")  # object ids in a repr()
# A number with a fraction, what a clock prints ("rtt 1.23." too); not a piece of a dotted address (10.0.0.1).
# Python writes a float below 1e-4 with an exponent (the simulator's time.monotonic() 2 us in: 2e-06, 1.5e-05).
FRACTION = re.compile(r"(?<![\d.])\d+\.\d+(?:e[-+]?\d+)?(?!\.?\d)|(?<![\w.])\d+e[-+]\d+(?!\.?\d)")
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_HMS = r"\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?"
# A date or a time of day, what a wall clock prints: time.ctime() (Thu Jan  1 00:00:00 2026), ISO 8601
# (2026-01-01T00:00:00.5+00:00, logging's 2026-01-01 00:00:00,000, a date alone), an access log's
# [01/Jan/2026:00:00:00 +0000] or http.server's 01/Jan/2026 00:00:00, an HTTP Date (Thu, 01 Jan 2026
# 00:00:00 GMT) and a time alone (12:53:47)
DATE = re.compile(
    rf"\b{_DAY} {_MONTH} [ \d]\d {_HMS} \d{{4}}\b"
    rf"|\b{_DAY}, \d\d {_MONTH} \d{{4}} {_HMS}(?: (?:GMT|UTC|[+-]\d{{4}}))?"
    rf"|\b\d\d/{_MONTH}/\d{{4}}[: ]{_HMS}(?: [+-]\d{{4}})?"
    rf"|\b\d{{4}}-\d\d-\d\d(?:[T ]{_HMS}(?:Z|[+-]\d\d:?\d\d)?)?(?![\d-])"
    rf"|(?<![\d:.])\b\d{{1,2}}:\d\d:\d\d(?:[.,]\d+)?\b(?![:.]\d)"
)


def _owner(mac: str, owners: dict[str, str]) -> str:
    return owners.get(mac.lower(), "another interface")


def _command_view(command: dict[str, Any], owners: dict[str, str]) -> Any:
    """What must agree for one --do command: counts and who answered, not times."""
    result = command.get("result")
    if result is None:
        return None
    if set(result) == {"error"}:  # the command could not run (tcp's results carry an error key of their own)
        return {"error": True}
    words = command["command"].split()
    if words[0] == "ping":
        return {"transmitted": result["transmitted"], "received": result["received"]}
    if words[:2] in (["udp", "broadcast"], ["udp", "send"]):
        return {"replies": sorted((r["from"], r["text"]) for r in result.get("replies", []))}
    if words[:2] == ["udp", "listen"]:
        return {"received": sorted((r["from"], r["text"]) for r in result.get("received", []))}
    if words[:2] in (["dhcp", "renew"], ["dhcp", "release"]):  # which address is the leases table's (clients race)
        return {key: result[key] for key in ("server", "done", "state")} | {"leased": result["address"] is not None}
    if words[0] in ("dig", "nslookup"):  # the question's status and the records (not the id, flags or time)
        return {"status": result["status"], "answers": [" ".join(line.split()) for line in result["answers"]]}
    if words[0] == "traceroute":
        return {
            "reached": result["reached"],
            "hops": [
                [None if p is None else (p["address"], p.get("note")) for p in hop["probes"]] for hop in result["hops"]
            ],
        }
    if words[:2] == ["tcp", "serve"]:  # who connected and what each said (the client's port is ephemeral)
        return [(e["event"], e["client"].rsplit(":", 1)[0], e.get("text")) for e in result["events"]]
    if words[:2] == ["tcp", "connect"]:  # the bytes, not how they were cut into reads
        return {
            "connected": result["connected"] is not None,
            "sent": result["sent"],
            "error": bool(result["error"]),
            "received": "".join(r["text"] for r in result["received"]).rstrip("\n"),
        }
    if "stp" in result:
        return _stp(result["stp"])
    if "arp" in result:
        return sorted((r["ip"], _owner(r["mac"], owners)) for r in result["arp"])
    if "mac" in result:
        return sorted((_owner(r["mac"], owners), r["port"]) for r in result["mac"])
    if "routes" in result:
        return _routes(result["routes"])
    return result


def _stp(status: dict[str, Any] | None) -> Any:
    """The tree a switch sees: bridge, root, root port, each port's role and state. Left out: port
    ids (the kernel numbers ports as they join) and costs (the kernel's 802.1D bridge keeps
    802.1D-1998's 16-bit costs, the simulator 802.1D-2004's)."""
    if status is None:
        return None
    return {
        "bridge": status["bridge_id"],
        "root": status["root_id"],
        "root_port": status["root_port"],
        "ports": sorted((r["port"], r["role"], r["state"]) for r in status["ports"]),
    }


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
        if "stp" in held:
            out[f"{node} stp"] = _stp(held["stp"])
        if "leases" in held:
            out[f"{node} leases"] = _leases(held["leases"], owners)
    return out


def _leases(rows: list[dict[str, Any]], owners: dict[str, str]) -> list[tuple[Any, ...]]:
    """Who holds which address in what state (times are compared apart: _lease_times)."""
    return sorted((r["interface"], r["ip"], _owner(r["mac"], owners), r["state"], r["hostname"]) for r in rows)


def _leased_arp(
    a: list[tuple[Any, ...]],
    b: list[tuple[Any, ...]],
    leases: list[tuple[Any, ...]] | None,
    sim_leases: list[tuple[Any, ...]] | None,
) -> bool:
    """Whether a DHCP server's kernel ARP table is the simulator's plus its own leases' holders
    (its clients' addresses read as the simulator leased them, when the two paired them otherwise)."""
    held = {(r[1], r[2]) for r in leases or []}
    sim_address = {r[2]: r[1] for r in sim_leases or []}  # holder -> the address the simulator gave it
    renumber = {ip: sim_address.get(owner, ip) for ip, owner in held}
    ours = {(renumber.get(ip, ip), owner) for ip, owner in b}
    held = {(renumber.get(ip, ip), owner) for ip, owner in held}
    return bool(held) and ours - held == set(a) - held and set(a) <= ours


def _never_confirmed(row: dict[str, Any]) -> bool:
    """Whether the kernel made this entry without ever confirming it: a new entry's `confirmed` is
    set 2 x base_reachable_time (60 s) before its creation (neigh_alloc), so its age stays 60 s
    past `updated` until an ARP reply confirms it (an entry written by a program, like dnsmasq's,
    or learned from an ARP request). A confirmed one was REACHABLE 15-45 s before going STALE."""
    return (row.get("confirmed", 0) - row.get("updated", 0)) * SECOND >= DEFAULT_TIMEOUT_NS


def _extra_rows(
    a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], rows: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The kernel's rows beyond the simulator's table (None when the simulator holds one it lacks)."""
    extra = {ip for ip, _ in set(b) - set(a)}
    return [row for row in rows if row["ip"] in extra] if extra and set(a) <= set(b) else None


def _stale_arp(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], rows: list[dict[str, Any]]) -> bool:
    """Whether a kernel ARP table is the simulator's plus entries the kernel confirmed longer ago
    than the simulator's ARP timeout. Linux keeps such an entry (STALE: it revalidates it by
    unicast before trusting it again) and removes it only once the table holds gc_thresh1 (128)
    entries; the simulator forgets an entry 60 s after its last ARP. Both flush out-of-date
    entries as RFC 1122 2.3.2.1 asks, each its own way: timing, known."""
    extra = _extra_rows(a, b, rows)
    return bool(extra) and all(
        row.get("confirmed", 0) * SECOND >= DEFAULT_TIMEOUT_NS and not _never_confirmed(row) for row in extra or []
    )


def _written_arp(node: str, a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], roles: dict[str, str]) -> bool:
    """Whether a kernel ARP table is the simulator's plus entries dnsmasq's DHCP explains: on a
    server or relay, those dnsmasq writes for the hardware address it unicasts a reply to (RFC 2131
    4.1: a client's chaddr, a relay's giaddr, without ARP); on a client, its entry for the server or
    relay, learned from the unicast ARP request by which that kernel revalidates the written entry
    (RFC 1122 2.3.2.1). The simulator's server and relay write none, so neither happens there.
    `roles`: node -> server, relay or client."""
    extra = set(b) - set(a)
    pairs = [(roles.get(node), roles.get(owner.split(":")[0])) for _, owner in extra]
    return (
        bool(extra)
        and set(a) <= set(b)
        and all(
            mine is not None and theirs is not None and (mine, theirs) != ("client", "client") for mine, theirs in pairs
        )
    )


def _cut_peers(commands: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(node, the interface across the link) for each link down at the end of the run (`link A:p B:q
    down` not followed by up): the node's neighbour there is gone."""
    down: set[tuple[str, str]] = set()
    for command in commands:
        words = command["command"].split()
        if command["node"] == "net" and len(words) == 4 and words[0] == "link":
            a, b = words[1], words[2]
            pairs = {(a.split(":")[0], b), (b.split(":")[0], a)}
            down = down | pairs if words[3] == "down" else down - pairs
    return down


def _flushed_arp(
    node: str, a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], cut: set[tuple[str, str]], interfaces: set[str]
) -> bool:
    """Whether the simulator's ARP table is the kernel's plus entries that Linux flushed when a carrier went
    (neigh_carrier_down), which the simulator keeps until they expire: the neighbour across a link that went
    down, or, when the node's cable to a switch or hub was pulled (a port that is no host's or router's
    interface in `interfaces`), any of its neighbours, which were all behind it."""
    gone = set(a) - set(b)
    behind_a_switch = any(peer not in interfaces for held, peer in cut if held == node)
    return bool(gone) and set(b) <= set(a) and all((node, owner) in cut or behind_a_switch for _, owner in gone)


def _flushed_note(where: Any, a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> Any:
    return L_(
        "{where}: Linux flushed the entries of an interface whose link went down, the simulator keeps them until "
        "they expire: sim only {rows}",
        where=where,
        rows=sorted(set(a) - set(b)),
    )


def _igmp_learned(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], reports: dict[str, int]) -> bool:
    """Whether a kernel MAC table is the simulator's plus entries for hosts that sent IGMP reports."""
    extra = set(b) - set(a)
    return bool(extra) and set(a) <= set(b) and all(owner.split(":")[0] in reports for owner, _ in extra)


def _shuffled(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Whether two lease views hold the same addresses and the same holders, only paired otherwise."""

    def addresses(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted((r[0], r[1], r[3]) for r in rows)

    def holders(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted((r[2], r[4]) for r in rows)

    return addresses(a) == addresses(b) and holders(a) == holders(b)


def _lease_times(sim: dict[str, Any], real: dict[str, Any]) -> list[str]:
    """A lease's expiry agrees when both sides granted it within the run: the expiries (seconds
    since the start) differ by at most the longer --until (dnsmasq counts whole seconds)."""
    slack = max(float(sim.get("until") or 0), float(real.get("until") or 0)) + 1
    found = []
    for node, held in sim.get("tables", {}).items():
        theirs = {r["ip"]: r["expires"] for r in real.get("tables", {}).get(node, {}).get("leases", [])}
        for row in held.get("leases", []):
            other = theirs.get(row["ip"])
            if other is not None and abs(other - row["expires"]) > slack:
                found.append(
                    L_(
                        "table {table}: {ip} expires at {sim}s in the simulator, {kernel}s on the kernel",
                        table=f"{node} leases",
                        ip=row["ip"],
                        sim=f"{row['expires']:g}",
                        kernel=f"{other:g}",
                    )
                )
    return found


def _dhcp_messages(sim: dict[str, Any], real: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(differences, known) in the DHCP messages each captured interface sent and received: the
    same messages each way, in any order (several clients' exchanges interleave by timing)."""
    found: list[str] = []
    known: list[str] = []
    ours = sim.get("dhcp_messages", {})
    for where, rows in sorted((real.get("dhcp_messages") or {}).items()):
        a = sorted(f"{way} {name}" for way, name in ours.get(where, []))
        b = sorted(f"{way} {name}" for way, name in rows)
        if a == b:
            continue
        if any(m.endswith("DHCP NAK") for m in b) and not any(m.endswith("DHCP NAK") for m in a):
            known.append(
                L_(
                    "dhcp messages {where}: dnsmasq offered one address to two clients at once (RFC 2131 3.1: "
                    "a server need not reserve an offered address; the simulator's does), so one was NAKed "
                    "and started over: kernel {kernel}",
                    where=where,
                    kernel=b,
                )
            )
        else:
            found.append(L_("dhcp messages {where}: sim {sim}, kernel {kernel}", where=where, sim=a, kernel=b))
    return found, known


def normalise_output(text: str) -> str:
    """A program's line without what differs run to run: ephemeral ports and object addresses."""
    ports = EPHEMERAL.sub(
        lambda m: "<port>" if PORT_BEFORE.search(text, max(0, m.start() - PORT_CONTEXT), m.start()) else m[0], text
    )
    return HEX_ADDRESS.sub("0x…", ports)


def _program_view(program: dict[str, Any]) -> dict[str, Any]:
    return {"exit": program["exit"], "output": [normalise_output(line["text"]) for line in program["output"]]}


def _unreachable_rate_limited(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two traceroute views differ only in a last router's !N that Linux's rate limit of route
    errors (net.ipv4.route.error_cost, ip_error) withheld from some probes: `*` there on the kernel, and
    traceroute may go on a hop to meet the !N."""
    if a["reached"] or b["reached"] or not a["hops"]:
        return False
    *before, unreachable = a["hops"]
    routers = {probe[0] for probe in unreachable if probe is not None}
    if len(routers) != 1 or any(p is not None and p[1] != "!N" for p in unreachable):
        return False
    router = routers.pop()
    tail = b["hops"][len(before) :]
    return (
        b["hops"][: len(before)] == before
        and 1 <= len(tail) <= 2
        and all(p is None or p == (router, "!N") for hop in tail for p in hop)
        and (router, "!N") in tail[-1]
    )


def _busy_stopped(sim: dict[str, Any], a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether the simulator stopped a program for computing without waiting (its --app-cpu) and
    the kernel's was still running when the run ended, having printed at least the same lines."""
    return (
        a["exit"] == 1
        and BUSY_LOOP in (sim.get("error") or "")
        and b["exit"] is None
        and b["output"][: len(a["output"])] == a["output"]
    )


def _clock_only(a: list[str], b: list[str], dates: bool = False) -> bool:
    """Whether two outputs differ only in numbers with a fraction, line for line (a clock's
    readings), and with `dates` in dates and times of day too (a wall clock's)."""

    def plain(line: str) -> str:
        return FRACTION.sub("<n>", DATE.sub("<date>", line) if dates else line)

    return len(a) == len(b) and all(plain(x) == plain(y) for x, y in zip(a, b))


def differences(
    sim: dict[str, Any], real: dict[str, Any], sim_owners: dict[str, str], real_owners: dict[str, str]
) -> tuple[list[str], list[str]]:
    """(differences, known): one sentence each."""
    found: list[str] = []
    missing: list[str] = []  # present on one side only: no link property explains that, always counted
    known = [
        L_(
            "{where}: {property} not applied on the kernel ({why})",
            where=item["where"],
            property=item["property"],
            why=item["why"],
        )
        for item in real.get("not_applied", [])
    ]
    unmatched = list(real.get("commands", []))
    cut = _cut_peers(real.get("commands", []))
    interfaces = set(sim_owners.values()) | set(real_owners.values())
    for sim_command in sim.get("commands", []):
        # the same command by node and words (the kernel skips a file's events it cannot run)
        real_command = next(
            (c for c in unmatched if (c["node"], c["command"]) == (sim_command["node"], sim_command["command"])), None
        )
        if real_command is None:
            continue  # its event is in not_applied, already listed as known
        unmatched.remove(real_command)
        a, b = _command_view(sim_command, sim_owners), _command_view(real_command, real_owners)
        where = L_("command {node}$ {command}", node=sim_command["node"], command=sim_command["command"])
        if a != b and sim_command["command"].startswith("traceroute ") and _unreachable_rate_limited(a, b):
            known.append(
                L_(
                    "{where}: Linux's rate limit of route errors kept some of {router}'s !N from the kernel's "
                    "probes (* there): kernel {kernel}",
                    where=where,
                    router=next(p for p in a["hops"][-1] if p is not None)[0],
                    kernel=b,
                )
            )
        elif (
            a != b
            and sim_command["command"].split()[0] == "arp"
            and isinstance(a, list)
            and isinstance(b, list)
            and _flushed_arp(sim_command["node"], a, b, cut, interfaces)
        ):
            known.append(_flushed_note(where, a, b))
        elif a != b:
            found.append(L_("{where}: sim {sim}, kernel {kernel}", where=where, sim=a, kernel=b))
    sim_tables, real_tables = (
        _table_view(sim.get("tables", {}), sim_owners),
        _table_view(real.get("tables", {}), real_owners),
    )
    for key in sorted(set(sim_tables) | set(real_tables)):
        a, b = sim_tables.get(key), real_tables.get(key)
        if key.endswith(" leases") and a is not None and b is not None:
            forgotten = [r for r in a if r[3] == "released" and r[2] not in {row[2] for row in b}]
            if forgotten:
                known.append(
                    L_(
                        "table {table}: dnsmasq deletes a released lease, the simulator's server keeps its record "
                        "(RFC 2131 4.3.4: SHOULD retain it): sim only {rows}",
                        table=key,
                        rows=forgotten,
                    )
                )
                a = [r for r in a if r not in forgotten]
        if a is None or b is None:
            missing.append(
                L_("table {table}: only on the kernel", table=key)
                if a is None
                else L_("table {table}: missing on the kernel", table=key)
            )
        elif a != b and key.endswith(" leases") and _shuffled(a, b):
            # the same addresses to the same clients, paired otherwise: their DISCOVERs raced (timing)
            known.append(
                L_(
                    "table {table}: the same addresses leased in another order (timing): kernel {kernel}",
                    table=key,
                    kernel=b,
                )
            )
        elif (
            a != b
            and key.endswith(" arp")
            and _leased_arp(a, b, real_tables.get(key[:-4] + " leases"), sim_tables.get(key[:-4] + " leases"))
        ):
            known.append(
                L_(
                    "table {table}: dnsmasq wrote its clients' ARP entries when it unicast its replies "
                    "(RFC 2131 4.1), the simulator's server does not: kernel {kernel}",
                    table=key,
                    kernel=b,
                )
            )
        elif a != b and key.endswith(" arp") and _written_arp(key[:-4], a, b, real.get("dhcp_roles", {})):
            known.append(
                L_(
                    "table {table}: dnsmasq wrote ARP entries for the addresses it unicast DHCP replies to "
                    "(RFC 2131 4.1; never confirmed by ARP; a client learns its server from the kernel's "
                    "revalidating request), the simulator's server and relay write none: "
                    "kernel only {rows}",
                    table=key,
                    rows=sorted(set(b) - set(a)),
                )
            )
        elif a != b and key.endswith(" arp") and _flushed_arp(key[:-4], a, b, cut, interfaces):
            known.append(_flushed_note(L_("table {table}", table=key), a, b))
        elif a != b and key.endswith(" mac") and _igmp_learned(a, b, real.get("igmp_reports", {})):
            senders = sorted({owner.split(":")[0] for owner, _ in set(b) - set(a)})
            known.append(
                L_(
                    "table {table}: IGMP: {hosts} sent membership reports when joining a group "
                    "(RFC 3376 5.1), the simulated hosts send none, so the switch learned them on the kernel only: "
                    "kernel {kernel}",
                    table=key,
                    hosts=", ".join(senders),
                    kernel=b,
                )
            )
        elif a != b and key.endswith(" arp") and _stale_arp(a, b, real["tables"][key[:-4]]["arp"]):
            known.append(
                L_(
                    "table {table}: the kernel keeps ARP entries it has not confirmed for {seconds} s "
                    "or more (STALE, until its table holds 128), the simulator's expire then: kernel only {rows}",
                    table=key,
                    seconds=DEFAULT_TIMEOUT_NS // SECOND,
                    rows=sorted(set(b) - set(a)),
                )
            )
        elif a != b:
            found.append(L_("table {table}: sim {sim}, kernel {kernel}", table=key, sim=a, kernel=b))
    found += _lease_times(sim, real)
    messages_found, messages_known = _dhcp_messages(sim, real)
    found += messages_found
    known += messages_known
    sim_programs, real_programs = sim.get("programs", []), real.get("programs", [])
    if len(sim_programs) != len(real_programs):
        missing.append(
            L_(
                "programs: {sim} in the simulator, {kernel} on the kernel",
                sim=len(sim_programs),
                kernel=len(real_programs),
            )
        )
    for sim_program, real_program in zip(sim_programs, real_programs):
        a, b = _program_view(sim_program), _program_view(real_program)
        if a == b:
            continue
        where = L_("program {node} {path}", node=sim_program["node"], path=sim_program["path"])
        if a["exit"] == b["exit"] and sorted(a["output"]) == sorted(b["output"]):
            # the same lines in another order: answers from several hosts raced (timing, known)
            known.append(
                L_(
                    "{where}: the same lines in another order (timing): kernel {kernel}",
                    where=where,
                    kernel=b["output"],
                )
            )
        elif _busy_stopped(sim_program, a, b):
            known.append(
                L_(
                    "{where}: CPU: the simulator stopped it for computing without waiting ({error}); "
                    "on the kernel it ran until the run ended",
                    where=where,
                    error=sim_program["error"],
                )
            )
        elif a["exit"] == b["exit"] and _clock_only(a["output"], b["output"]):
            known.append(
                L_(
                    "{where}: clock: only numbers with a fraction differ (time.monotonic() counts from 0 in "
                    "virtual time, from the machine's boot on the kernel): kernel {kernel}",
                    where=where,
                    kernel=b["output"],
                )
            )
        elif a["exit"] == b["exit"] and _clock_only(a["output"], b["output"], dates=True):
            known.append(
                L_(
                    "{where}: clock: only dates and times of day differ (the simulator's clock starts at "
                    "2026-01-01 00:00:00 UTC, the kernel's is the machine's): kernel {kernel}",
                    where=where,
                    kernel=b["output"],
                )
            )
        else:
            found.append(L_("{where}: sim {sim}, kernel {kernel}", where=where, sim=a, kernel=b))
    if found and any(" - " in item["where"] for item in real.get("not_applied", [])):
        # a link's delay, loss or rate the kernel skipped may cause any of them: known, not counted
        return missing, known + [L_("(a link property not applied) {line}", line=line) for line in found]
    return missing + found, known
