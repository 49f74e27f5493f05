"""The README's sweep study: count to infinity on rings of 3 to 12 RIP routers, with split horizon
off and with poisoned reverse, over seeds; writes docs/sweep-count-to-infinity.png and .csv.

Each ring has pc1 on r1 and pc3 on the router farthest round the ring; at 83 s pc3's cable is
pulled, so its network is gone for good and every router must learn so. Columns: route_changes
(routing-table changes, all run) and settle_s (from the failure to the last change).

    .venv/bin/python scripts/count_to_infinity_study.py [SEEDS] [WORKERS]
    .venv/bin/python scripts/count_to_infinity_study.py --replot    # the figure from the csv
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path
from typing import Any

from lanlab.sim import sweep
from lanlab.sweep.plot import PlotSpec, draw

DOCS = Path(__file__).resolve().parents[1] / "docs"
CSV = DOCS / "sweep-count-to-infinity.csv"
SIZES = range(3, 13)
FAILURE_S = 83


def ring(n: int) -> str:
    """A ring of n routers: link i joins r_i:eth0 (198.18.i.1) and r_(i+1):eth1 (198.18.i.2)."""
    far = n // 2 + 1
    lines = [
        f"name: ring-{n}",
        "nodes:",
        "  pc1: {kind: host, ip: 198.19.1.10/24, gateway: 198.19.1.1}",
        "  pc3: {kind: host, ip: 198.19.3.10/24, gateway: 198.19.3.1}",
    ]
    for i in range(1, n + 1):
        previous = (i - 2) % n + 1
        stub = {1: "198.19.1.1/24", far: "198.19.3.1/24"}.get(i)
        interfaces = f"eth0: 198.18.{i}.1/24, eth1: 198.18.{previous}.2/24" + (f", eth2: {stub}" if stub else "")
        lines += [
            f"  r{i}:",
            "    kind: router",
            f"    interfaces: {{{interfaces}}}",
            "    rip: {enabled: true, split_horizon: none}",
        ]
    lines.append("links:")
    lines += [f"  - {{endpoints: [r{i}:eth0, r{i % n + 1}:eth1], delay: 1ms}}" for i in range(1, n + 1)]
    lines += [
        "  - [pc1:eth0, r1:eth2]",
        f"  - [r{far}:eth2, pc3:eth0]",
        "events:",
        f"  - at {FAILURE_S}s link r{far}:eth2 pc3:eth0 down",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    if sys.argv[1:2] == ["--replot"]:  # the figure again from the committed rows, no runs
        replot()
        return
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else None
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in SIZES:
            path = Path(folder) / f"ring-{n}.yaml"
            path.write_text(ring(n))
            table = sweep(
                path,
                range(1, seeds + 1),
                until="400s",
                workers=workers,
                vary=["nodes.*.rip.split_horizon=none,poisoned_reverse"],
                metrics=["route_changes", f"settle_s=routing_convergence - {FAILURE_S}"],
            )
            records = table.to_dict("records") if hasattr(table, "to_dict") else table
            rows += [{"routers": n, **row} for row in records]
            print(f"ring of {n}: {len(records)} runs", file=sys.stderr)
    with CSV.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, seeds)


def plot(rows: list[dict[str, Any]], seeds: int) -> None:
    varied = ["routers", "nodes.*.rip.split_horizon"]
    draw(
        PlotSpec(DOCS / "sweep-count-to-infinity.png", "route_changes", "vs"),
        rows,
        ["route_changes", "settle_s"],
        varied,
        f"count to infinity on RIP rings, {seeds} seeds each",
    )


def replot() -> None:
    """Read the csv back (numbers as numbers) and draw the figure."""
    with CSV.open(newline="") as source:
        rows: list[dict[str, Any]] = [
            {
                **row,
                "routers": int(row["routers"]),
                "seed": int(row["seed"]),
                "route_changes": int(row["route_changes"]) if row["route_changes"] else None,
            }
            for row in csv.DictReader(source)
        ]
    plot(rows, len({row["seed"] for row in rows}))


if __name__ == "__main__":
    main()
