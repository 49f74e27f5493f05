"""DNS on the kernel: Debian's dnsmasq serves a node's `dns:` zone inside its namespace (DNS only:
no DHCP, no upstream), each host's resolver is its namespace's /etc/resolv.conf, and `--do "pc1
dig ..."` runs BIND's dig there, read back into the simulator's result keys.

The zone as the simulator's server holds it (lanlab.sim.stacks.dns): with `auto: true` every
node's addresses under its name, then the file's records (a record wins over a node's name), and
the CNAMEs; each name one label below the zone answered alone too (`pc3.` as well as `pc3.lab.`,
dnsmasq's expand-hosts); PTR from the A records; every answer with the zone's ttl.
"""

from __future__ import annotations

import subprocess
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from lanlab.real import dhcp
from lanlab.real.model import RealLab, RealNode

MISSING_SERVER = "a dns: zone on the kernel runs dnsmasq, which is not installed: apt install dnsmasq"
MISSING_DIG = "dig on the kernel runs BIND's dig, which is not installed: apt install dnsutils"


def zone_addresses(lab: RealLab, zone: dict[str, Any]) -> dict[str, list[IPv4Address]]:
    """Absolute name -> its addresses, as the simulator's server builds its zone (static addresses:
    a DHCP client's lease is not known when the lab is built)."""
    addresses: dict[str, list[IPv4Address]] = {}
    if zone["auto"]:
        for name, node in lab.nodes.items():
            found = [o["ip"].ip for o in node.interfaces.values() if o.get("ip") is not None]
            if found:
                addresses[f"{name.lower()}.{zone['zone']}"] = found
    addresses.update(zone["addresses"])
    for alias in zone["aliases"]:
        addresses.pop(alias, None)  # RFC 1034 3.6.2: a CNAME is the only record of its name
    return addresses


def _names(name: str, origin: str) -> list[str]:
    """dnsmasq's spelling of an absolute name (no final dot), and its bare label when it is one
    label below the zone."""
    bare = name[: -len(origin) - 1] if name.endswith("." + origin) else ""
    return [name.rstrip(".")] + ([bare] if bare and "." not in bare else [])


def server_argv(lab: RealLab, node: RealNode, folder: Path) -> list[str]:
    """dnsmasq's command line for a node's zone: DNS only on port 53 of its interfaces and lo,
    authoritative for the zone (`--local`: a name it does not hold is NXDOMAIN, never forwarded)."""
    zone = node.zone
    assert zone is not None
    origin = zone["zone"]
    argv = [
        "dnsmasq",
        "--keep-in-foreground",
        "--no-daemon",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--bind-interfaces",
        "--interface=lo",
        "--user=root",
        "--group=root",
        "--port=53",
        f"--pid-file={folder / f'{node.name}.dns.pid'}",
        f"--local=/{origin.rstrip('.')}/",
        f"--local-ttl={zone['ttl']}",
    ]
    argv += [f"--interface={port}" for port, options in node.interfaces.items() if options.get("ip") is not None]
    for name, found in zone_addresses(lab, zone).items():
        argv += [f"--host-record={','.join(_names(name, origin))},{address}" for address in found]
    for alias, target in zone["aliases"].items():
        argv.append(f"--cname={','.join(_names(alias, origin))},{target.rstrip('.')},{zone['ttl']}")
    return argv


def start(built_ns: Any, lab: RealLab, folder: Path) -> None:
    """A dnsmasq in each namespace whose node serves a zone (the namespace's removal ends it)."""
    for node in lab.nodes.values():
        if node.zone is not None:
            subprocess.Popen(
                ["ip", "netns", "exec", built_ns(node.name), *server_argv(lab, node, folder)],
                stdout=subprocess.DEVNULL,
                stderr=(folder / f"{node.name}.dns.log").open("wb"),
                start_new_session=True,  # a terminal's Ctrl-C is lanlab's to act on (netns._run)
            )


def asks_a_resolver(lab: RealLab, node: RealNode) -> bool:
    """Whether a node's names come from DNS: it has `dns:` servers, or its DHCP lease will name some (a pool of the
    file has `dns:`). Its /etc/hosts then has localhost and its own name only, as the simulator's host's has
    (sim.shim's hosts_entries); any other node's has every node's names."""
    leased_dns = any(pool["dns"] for other in lab.nodes.values() for _, pool in dhcp.serving(other))
    return bool(node.resolvers) or (leased_dns and bool(dhcp.leasing(node)))


def resolv_conf(node: RealNode) -> str:
    """A host's /etc/resolv.conf: its `dns:` servers; empty otherwise (glibc and dig then ask
    127.0.0.1, as the simulator's resolver does; a DHCP client's script writes its lease's)."""
    return "".join(f"nameserver {server}\n" for server in node.resolvers)


def parse_dig(out: str) -> dict[str, Any] | None:
    """BIND dig's output -> the simulator's dig result: server, name, status, answers and authority
    (each record line as dig prints it), query_time_ms, errors, id, flags."""
    lines = out.splitlines()
    header = next((line for line in lines if line.startswith(";; ->>HEADER<<-")), None)
    if header is None:
        return None
    fields = dict(part.strip().split(": ", 1) for part in header.removeprefix(";; ->>HEADER<<-").split(","))
    flags_line = next((line for line in lines if line.startswith(";; flags:")), ";; flags: ;")
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.startswith(";; ") and line.endswith(" SECTION:"):
            current = line[3 : -len(" SECTION:")]
            sections[current] = []
        elif not line.strip():
            current = None
        elif current is not None:
            sections[current].append(line)
    question = (sections.get("QUESTION") or [";"])[0].lstrip(";").split()
    server = next((line.split()[2].split("#")[0] for line in lines if line.startswith(";; SERVER:")), None)
    query_ms = next((int(line.split()[3]) for line in lines if line.startswith(";; Query time:")), 0)
    return {
        "server": server,
        "name": question[0] if question else "",
        "status": fields["status"],
        "answers": sections.get("ANSWER", []),
        "query_time_ms": query_ms,
        "errors": [line.removeprefix(";; ") for line in lines if line.startswith(";; communications error")],
        "id": int(fields["id"]),
        "flags": flags_line.removeprefix(";; flags:").split(";")[0].strip(),
        "authority": sections.get("AUTHORITY", []),
    }
