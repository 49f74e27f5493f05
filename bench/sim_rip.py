"""Scenario B of shared/bench/ns3 (a chain of RIP routers, UDP echo across it), beside ns-3.

hA - r0 - ... - r(R-1) - hB over point-to-point links (100 Mbps, 1 ms); link k is 10.0.k.0/24,
left end .1, right end .2. Routers run RIPv2 with the defaults (30 s updates, poisoned reverse,
triggered updates damped 1-5 s); their host-facing interfaces are passive (ns-3's
ExcludeInterface); hosts have a default route to their router. hA sends a 64-byte UDP echo
to hB every 100 ms from t=0; convergence = the simulated time of the first reply; the run
covers 300 simulated seconds. R=32 never converges (16 hops is infinity).

Prints, per R: convergence (seed 1 and the range over seeds 1-10), wall seconds of the run
(best and median of 5: the machine is shared, the best is the least disturbed), frames on all
links, and the ratio to ns-3's wall time. With /tmp/ns3-venv, ns-3's script runs in the same
invocation (seed 1, best of 3); otherwise the README's figures are the reference.

    python bench/sim_rip.py [--routers 8 15 32] [--seeds 10] [--no-ns3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path
from typing import Any

from sim_lan import EchoClient, echo_server  # bench/ is the script's directory

from lanlab.sim import Network
from lanlab.sim.devices.router import Router

# shared/ sits beside the repository (/work/shared next to /work/main, or above a worktree in /work/wt/NAME)
NS3_SCRIPT = next(
    (
        p / "shared" / "bench" / "ns3" / "rip_chain.py"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "bench" / "ns3" / "rip_chain.py").exists()
    ),
    Path("rip_chain.py"),
)
NS3_PYTHON = Path("/tmp/ns3-venv/bin/python")
# shared/bench/ns3/README.md, "Measured here" (ns-3 3.44, 2-core machine, median of 5 runs)
NS3_README = {
    8: {"wall_run_s": 0.267, "frames_all_links": 51_194, "convergence_sim_s": 17.52, "seed_range": (13.6, 21.2)},
    15: {"wall_run_s": 0.446, "frames_all_links": 85_382, "convergence_sim_s": 35.53, "seed_range": (28.4, 44.7)},
}
SECOND = 1_000_000_000
END = 300 * SECOND


class TimedEchoClient(EchoClient):
    """The echo client, remembering when the first reply came (the convergence time)."""

    __slots__ = ("first_reply",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_reply: int | None = None

    def reply(self, host: Any, frame: Any, now: int) -> None:
        if self.first_reply is None:
            self.first_reply = now
        super().reply(host, frame, now)


def build_chain(routers: int, seed: int) -> tuple[Network, TimedEchoClient]:
    net = Network(f"rip-chain-{routers}", seed=seed)
    ha = net.add_host("hA", ip="10.0.0.1/24", gateway="10.0.0.2")
    hb = net.add_host("hB", ip=f"10.0.{routers}.2/24", gateway=f"10.0.{routers}.1")
    for k in range(routers):
        router = Router(f"r{k}", net.engine)
        router.add_interface("eth0", IPv4Interface(f"10.0.{k}.2/24"))
        router.add_interface("eth1", IPv4Interface(f"10.0.{k + 1}.1/24"))
        passive = (["eth0"] if k == 0 else []) + (["eth1"] if k == routers - 1 else [])
        router.enable_rip(passive=passive)
        net.add_node(router)
    ends = ["hA:eth0"] + [f"r{k}:{side}" for k in range(routers) for side in ("eth0", "eth1")] + ["hB:eth0"]
    for a, b in zip(ends[::2], ends[1::2]):
        net.link(a, b, delay="1ms", rate="100Mbps")
    hb.udp.bind(9, echo_server)
    client = TimedEchoClient(
        ha, IPv4Address(f"10.0.{routers}.2"), count=END // (100 * 10**6), interval=100 * 10**6, size=64, stop=END
    )
    net.engine.schedule(0, client)
    return net, client


def run_once(routers: int, seed: int) -> dict[str, Any]:
    net, client = build_chain(routers, seed)
    start = time.perf_counter()
    net.run(END / SECOND)
    wall = time.perf_counter() - start
    return {
        "routers": routers,
        "seed": seed,
        "wall_run_s": wall,
        "convergence_sim_s": None if client.first_reply is None else client.first_reply / SECOND,
        "echo_replies_rcvd": client.replies,
        "frames_all_links": sum(link.frames for link in net.links),
        "events": net.engine.events,
    }


def run_ns3(routers: int, repeats: int = 3) -> dict[str, Any] | None:
    """ns-3's own script, `repeats` times; the run with the best wall time."""
    if not NS3_PYTHON.exists() or not NS3_SCRIPT.exists():
        return None
    best: dict[str, Any] | None = None
    for _ in range(repeats):
        done = subprocess.run(
            [str(NS3_PYTHON), str(NS3_SCRIPT), "--routers", str(routers)], capture_output=True, text=True, timeout=600
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if not lines:
            return best
        result = json.loads(lines[-1])
        if best is None or result["wall_run_s"] < best["wall_run_s"]:
            best = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routers", type=int, nargs="+", default=[8, 15, 32])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 1..N for the convergence range")
    parser.add_argument("--no-ns3", action="store_true", help="do not run ns-3 even if /tmp/ns3-venv exists")
    args = parser.parse_args()
    for routers in args.routers:
        runs = [run_once(routers, 1) for _ in range(5)]
        wall = min(r["wall_run_s"] for r in runs)
        median = statistics.median(r["wall_run_s"] for r in runs)
        first = runs[0]
        converged = [run_once(routers, seed)["convergence_sim_s"] for seed in range(2, args.seeds + 1)]
        converged = [first["convergence_sim_s"]] + converged
        reached = [c for c in converged if c is not None]
        ns3 = None if args.no_ns3 else run_ns3(routers)
        reference = ns3 if ns3 is not None else NS3_README.get(routers)
        where = "ns-3 run now (best of 3)" if ns3 is not None else "ns-3 README"
        seed_range = f"{min(reached):.1f}-{max(reached):.1f} s over seeds 1-{args.seeds}" if reached else "never"
        print(
            f"R={routers:<3} lanlab: convergence {first['convergence_sim_s']} s (seed 1), {seed_range} "
            f"({len(reached)}/{len(converged)} converged); wall {wall:.3f} s best of 5 (median {median:.3f}); "
            f"{first['frames_all_links']:,} frames; {first['echo_replies_rcvd']} replies"
        )
        if reference is not None:
            ratio = wall / reference["wall_run_s"]
            extra = (
                f", seeds 1-10: {reference['seed_range'][0]}-{reference['seed_range'][1]} s"
                if "seed_range" in reference
                else ""
            )
            print(
                f"       {where}: convergence {reference['convergence_sim_s']} s{extra}; wall "
                f"{reference['wall_run_s']:.3f} s; {reference['frames_all_links']:,} frames; "
                f"lanlab/ns-3 wall = {ratio:.2f}x"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
