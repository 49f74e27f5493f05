"""Building a 50-host, 5-switch topology on the kernel (`lanlab real up`'s work), beside its floor.

The topology: 5 switches in a line (sw1 - sw2 - ... - sw5), 10 hosts on each, 198.18.0.0/24.
Measured in one process: reading the file, building it (55 namespaces, 54 veth pairs, bridges,
addresses, the IPv6 sysctls), removing it; and, as the baseline, the floor any namespace lab
pays: adding and deleting 55 bare namespaces with one `ip netns` command each. No Mininet
figure was measured on this machine (Mininet is not installed), so none is quoted; the issue's
target is under 10 s. Needs root and iproute2.

    sudo python bench/real_up.py [--hosts 50] [--switches 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lanlab.real.model import read_lab
from lanlab.real.netns import build, remove


def topology(hosts: int, switches: int) -> str:
    lines = ["name: bench-real-up", "nodes:"]
    links = []
    for s in range(1, switches + 1):
        lines.append(f"  sw{s}: {{kind: switch}}")
        if s > 1:
            links.append(f"  - [sw{s - 1}:up, sw{s}:down]")
    for h in range(hosts):
        switch = h % switches + 1
        lines.append(f"  pc{h + 1}: {{kind: host, ip: 198.18.0.{h + 1}/24}}")
        links.append(f"  - [pc{h + 1}:eth0, sw{switch}:p{h + 1}]")
    return "\n".join(lines + ["links:"] + links) + "\n"


def bare_namespaces(count: int) -> float:
    names = [f"lanlab-benchbare-{os.getpid()}-{i}" for i in range(count)]
    start = time.perf_counter()
    for name in names:
        subprocess.run(["ip", "netns", "add", name], check=True)
    for name in names:
        subprocess.run(["ip", "netns", "del", name], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--switches", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/real_up.py needs root (network namespaces)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lan.yaml"
        path.write_text(topology(options.hosts, options.switches))
        nodes = options.hosts + options.switches
        ups, downs, floors = [], [], []
        for _ in range(options.repeat):
            start = time.perf_counter()
            lab = read_lab(path)
            build(lab, f"bench{os.getpid()}")
            ups.append(time.perf_counter() - start)
            start = time.perf_counter()
            remove(f"bench{os.getpid()}")
            downs.append(time.perf_counter() - start)
            floors.append(bare_namespaces(nodes))
    up, down, floor = min(ups), min(downs), min(floors)
    print(
        f"{options.hosts} hosts, {options.switches} switches ({nodes} namespaces, "
        f"{options.hosts + options.switches - 1} links), best of {options.repeat}:"
    )
    print(f"  build {up:.2f} s (target < 10 s), remove {down:.2f} s")
    print(f"  baseline: {nodes} bare namespaces added and deleted one command each: {floor:.2f} s")
    print(f"  ratio build+remove / bare namespaces: {(up + down) / floor:.2f}x")


if __name__ == "__main__":
    main()
