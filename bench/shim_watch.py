"""What the busy-loop watchdog costs a program that waits often.

A program on a simulated host makes 100,000 short waits (`time.sleep(1e-6)`), each a switch
out of and back into its greenlet. Run with the watchdog (its per-switch bookkeeping and the
CPU-time interval timer, `lanlab.sim.shim._watchdog`) and without either (a plain switch, no
timer), alternating in one process; prints CPU seconds per wait and the ratio.

    python bench/shim_watch.py [--waits 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

import lanlab.sim.shim._process as process
from lanlab.sim import Network
from lanlab.sim.shim import run_programs


def one_run(waits: int, cpu_limit: float) -> float:
    """CPU seconds of one run of `waits` waits."""
    net = Network("one")
    net.add_host("pc1", ip="198.18.0.1/24")

    def program(count: int = waits) -> None:
        import time

        for _ in range(count):
            time.sleep(0.000001)

    net.node("pc1").run(program)
    start = time.process_time()
    run_programs(net, 10**12, cpu_limit=cpu_limit)
    return time.process_time() - start


def plain_switch(glet: object) -> None:
    glet.switch()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    watched_switch = process._switch
    best = {"watched": float("inf"), "unwatched": float("inf")}
    for _ in range(options.repeat):
        for name, switch, limit in (("watched", watched_switch, 5.0), ("unwatched", plain_switch, 0.0)):
            process._switch = switch  # type: ignore[assignment]
            best[name] = min(best[name], one_run(options.waits, limit))
    process._switch = watched_switch
    for name, seconds in best.items():
        print(
            f"  {name:10} {seconds:.3f} s CPU for {options.waits:,} waits = {seconds / options.waits * 1e6:.2f} us each"
        )
    print(f"  watched / unwatched: {best['watched'] / best['unwatched']:.2f}x")


if __name__ == "__main__":
    main()
