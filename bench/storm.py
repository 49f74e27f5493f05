"""Broadcast storms and the spanning tree, timed.

1. A loop of three switches without STP (examples/storm.yaml): one ARP request, run towards 1
   simulated second with the CLI's default --max-events; wall time to the stop, simulated
   time reached, events per wall second, peak memory (tracemalloc) of the run. Baseline in the
   same process: the same triangle with RSTP on, the same ARP, the full simulated second.
2. A ring of 100 switches with 802.1D STP, 300 simulated seconds: wall time, and simulated time
   until the last port settles if it converges (one root, exactly one port blocking). Baseline: a
   ring of 10. 802.1D bounds the diameter by Max Age (20 s): every hop a relay may wait for the
   port's 1 s Hold Time and adds that to Message Age, so the bench also reports the largest ring
   that converges with the default timers.

    python bench/storm.py [--max-events 500000] [--ring 100]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from pathlib import Path
from typing import Any

from lanlab.proto import PortChanged
from lanlab.sim import Network, load_topology
from lanlab.sim.stacks.stp import enable_stp
from lanlab.sim.devices.storm import first_storm

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
S = 1_000_000_000


def storm_run(path: Path, max_events: int, *, measure_memory: bool = False) -> dict[str, Any]:
    """Run `path` (its ping at 0 s) to 1 simulated second or the event limit."""
    net = load_topology(path)
    net.engine.max_events = max_events
    if measure_memory:
        tracemalloc.start()
    start = time.perf_counter()
    events = net.run(1)
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if measure_memory else None
    if measure_memory:
        tracemalloc.stop()
    return {
        "wall_s": wall,
        "events": events,
        "sim_s": net.now / S,
        "stopped": net.engine.stopped,
        "frames": sum(link.frames for link in net.links),
        "storm": first_storm(net.nodes) is not None,
        "peak_mib": peak / 2**20 if peak is not None else None,
    }


def ring(n: int) -> Network:
    """n switches in a ring (swK:p2 -> sw(K+1):p1), 802.1D STP on every one."""
    net = Network(f"ring{n}")
    for k in range(1, n + 1):
        enable_stp(net.add_switch(f"sw{k}"), mode="stp")
    for k in range(1, n + 1):
        net.link(f"sw{k}:p2", f"sw{k % n + 1}:p1")
    return net


def ring_run(n: int, until: int = 300) -> dict[str, Any]:
    """Build and run the ring; converged = one root and one blocked port; when did the last port change?"""
    start = time.perf_counter()
    net = ring(n)
    events = net.run(until)
    wall = time.perf_counter() - start
    switches = [net.node(f"sw{k}") for k in range(1, n + 1)]
    settled = max(t for sw in switches for t, e in sw.stp.history if isinstance(e, PortChanged))
    blocked = [
        f"{sw.name}:{row['port']}"
        for sw in switches
        for row in sw.stp.status()["ports"]
        if row["state"] != "forwarding"
    ]
    roots = len({sw.stp.status()["root_id"] for sw in switches})
    converged = roots == 1 and len(blocked) == 1 and settled < (until - 60) * S
    return {
        "wall_s": wall,
        "events": events,
        "converged_sim_s": settled / S if converged else None,
        "blocked": blocked,
        "roots": roots,
    }


def describe_ring(n: int, r: dict[str, Any]) -> str:
    head = f"ring of {n:>3} switches, 802.1D, 300 sim s: wall {r['wall_s']:.2f} s, {r['events']:,} events; "
    if r["converged_sim_s"] is not None:
        return head + f"converged at sim {r['converged_sim_s']:.3f} s, blocked {r['blocked'][0]}"
    return head + (
        f"NOT converged: {r['roots']} roots, {len(r['blocked'])} ports not forwarding "
        f"(the ring is wider than Max Age allows)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-events", type=int, default=500_000, help="below one storm second (~700,000)")
    parser.add_argument("--ring", type=int, default=100)
    args = parser.parse_args()

    storm = storm_run(EXAMPLES / "storm.yaml", args.max_events)
    memory = storm_run(EXAMPLES / "storm.yaml", args.max_events, measure_memory=True)
    base = storm_run(EXAMPLES / "rstp.yaml", args.max_events)
    print(f"storm: 3-switch loop, no STP, --max-events {args.max_events:,}")
    print(
        f"  stopped={storm['stopped']} at sim {storm['sim_s']:.6f} s after {storm['events']:,} events, "
        f"{storm['frames']:,} frames; wall {storm['wall_s']:.2f} s "
        f"({storm['events'] / storm['wall_s']:,.0f} events/s); storm reported: {storm['storm']}"
    )
    print(
        f"  peak memory of the run (tracemalloc): {memory['peak_mib']:.2f} MiB; process max RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    print(
        f"  baseline, same triangle with RSTP, 1 sim s: {base['events']:,} events, {base['frames']:,} frames, "
        f"wall {base['wall_s']:.3f} s"
    )
    print(
        f"  ratio storm/RSTP: {storm['events'] / base['events']:,.0f}x the events in "
        f"{storm['sim_s'] / base['sim_s']:.4f} of the simulated time"
    )

    small, big = ring_run(10), ring_run(args.ring)
    print(describe_ring(10, small))
    print(describe_ring(args.ring, big))
    print(f"  ratio {args.ring}/10: wall {big['wall_s'] / small['wall_s']:.1f}x")
    widest = None
    for n in range(20, 61, 4):
        r = ring_run(n)
        if r["converged_sim_s"] is None:
            break
        widest = (n, r)
    if widest is not None:
        print("  widest converging ring (20..60 by 4): " + describe_ring(*widest))


if __name__ == "__main__":
    main()
