"""Small simulated networks the tests share (as Python networks, and as topology files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lanlab.sim import Network, TopologyError, load_topology
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND


def pair() -> Network:
    """pc1 (198.18.0.1) and pc2 (198.18.0.2) on one switch."""
    net = Network("pair")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.link("pc1:eth0", "sw1:p1")
    net.link("pc2:eth0", "sw1:p2")
    return net


def one_switch(*names: str, seed: int = 1) -> Network:
    """Hosts on one switch, 198.18.0.1, .2, ... in the order named."""
    net = Network("lan", seed)
    net.add_switch("sw1")
    for n, name in enumerate(names, 1):
        net.add_host(name, ip=f"198.18.0.{n}/24")
        net.link(f"{name}:eth0", f"sw1:p{n}")
    return net


def narrow_chain(middle_mtu: int = 1000, left: str = "pc1", right: str = "pc2") -> Network:
    """left - r1 - r2 - right, 1500 bytes on the edges and `middle_mtu` between the routers, traced."""
    net = Network("narrow", trace=True)
    net.add_host(left, ip="198.18.0.1/24", gateway="198.18.0.254")
    net.add_host(right, ip="198.18.1.2/24", gateway="198.18.1.254")
    r1 = net.add_router("r1", {"eth0": "198.18.0.254/24", "eth1": "198.18.12.1/24"})
    r2 = net.add_router("r2", {"eth0": "198.18.12.2/24", "eth1": "198.18.1.254/24"})
    r1.add_static_route("198.18.1.0/24", "198.18.12.2")
    r2.add_static_route("198.18.0.0/24", "198.18.12.1")
    net.link(f"{left}:eth0", "r1:eth0")
    net.link("r1:eth1", "r2:eth0", mtu=middle_mtu)
    net.link("r2:eth1", f"{right}:eth0")
    return net


# Two switches joined by two cables, a host on each: a loop, a broadcast storm without the spanning tree.
LOOP_YAML = """name: loop
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  sw1: {kind: switch}
  sw2: {kind: switch}
links:
  - [pc1:eth0, sw1:p1]
  - [pc2:eth0, sw2:p1]
  - [sw1:p2, sw2:p2]
  - [sw1:p3, sw2:p3]
"""


# The same pair as a topology file, for tests that write one (labs, the CLI).
PAIR_YAML = """name: t
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  sw1: {kind: switch}
links:
  - [pc1:eth0, sw1:p1]
  - [pc2:eth0, sw1:p2]
"""


# A routed network with hubs: two separate hubs on one switch, two cascaded hubs on another, one
# router between (5 collision domains, 2 broadcast domains); the viewer's domain shading and layout.
ROUTED_HUBS_YAML = """name: domains
nodes:
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}}
  sw1: {kind: switch}
  sw2: {kind: switch}
  hub1: {kind: hub}
  hub2: {kind: hub}
  hub3: {kind: hub}
  hub4: {kind: hub}
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  pc3: {kind: host, ip: 198.18.1.3/24}
  pc4: {kind: host, ip: 198.18.1.4/24}
links:
  - [r1:eth0, sw1:p1]
  - [r1:eth1, sw2:p1]
  - [sw1:p2, hub1:p1]
  - [sw1:p3, hub2:p1]
  - [pc1:eth0, hub1:p2]
  - [pc2:eth0, hub2:p2]
  - [sw2:p2, hub3:p1]
  - [hub3:p2, hub4:p1]
  - [pc3:eth0, hub3:p3]
  - [pc4:eth0, hub4:p2]
"""


def prints_as_on_this_machine(folder: Path, source: str) -> None:
    """The program `source` prints the same run by this machine's Python (numbers and loopback only: nothing
    leaves the machine, no name is asked of a server) and on pc1 of a simulated pair, and ends well there."""
    path = folder / "trial.py"
    path.write_text(source)
    linux = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=True)
    net = pair()
    program = net.node("pc1").run_program(str(path))
    run_programs(net, 5 * SECOND)
    assert program.exit == 0, program.output
    assert [text for _, text in program.output] == linux.stdout.splitlines()


def topology_problems(text: str, path: str = "t.yaml") -> list[str]:
    """The problems `sim check` finds in a topology file's `text`, named `path` in them ([]: it loads)."""
    try:
        load_topology(path, text=text)
    except TopologyError as error:
        return [str(problem) for problem in error.problems]
    return []


# A lab whose one check reads what pc1's prog.py prints (the student's program, on a topology.yaml beside it).
PROGRAM_LAB = """lab: 1
name: t
topology: topology.yaml
stages:
  - run: {app: ["pc1=prog.py"], until: 1s}
    checks:
      - {id: says-hi, points: 2, output: {node: pc1, contains: hi}}
"""


# A zone server that names pc1 only: pc7 answers with no PTR record for it (ping and traceroute show its address).
ZONE_WITHOUT_PC7 = """name: z
nodes:
  ns: {kind: host, ip: 198.18.0.53/24, dns: {zone: lab., records: {pc1: 198.18.0.1}}}
  pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}
  pc7: {kind: host, ip: 198.18.0.77/24}
  sw1: {kind: switch}
links:
  - [ns:eth0, sw1:p1]
  - [pc1:eth0, sw1:p2]
  - [pc7:eth0, sw1:p3]
"""
