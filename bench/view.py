#!/usr/bin/env python3
"""The viewer's page in headless Chromium: size, time to first paint and to ready, time per step.

Pages: the demo's classroom run (`lanlab demo --html`) and examples/storm.yaml stopped at
100,000 engine events (`--max-events 100000`, several trace events each). Baseline, measured in
the same run: the page of a one-host network with no events (the fixed cost: parsing the page's
script and cytoscape.js, drawing one node). Targets (issue 14): the demo opens in under 1 s, the
storm in under 3 s, a step takes under 50 ms, a page stays under 150 bytes per event.

A step is `viewer.go(step + 1)`: every pane redrawn and the page's style and layout computed
(cytoscape then paints the graph on its next animation frame).
Not a test: figures to read. Needs chromium and chromium-driver (skips with the reason otherwise).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "helpers"))
import browserlab  # noqa: E402

from lanlab.cli.main import cli  # noqa: E402

STEPS = 60


def make_pages(folder: Path) -> dict[str, Path]:
    runner = CliRunner()
    pages = {}
    tiny = folder / "tiny.yaml"
    tiny.write_text("nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\nlinks: []\n")
    for name, args in {
        "baseline (1 host, 0 events)": ["sim", "run", str(tiny), "--until", "1s"],
        "demo": ["demo", "--pcap", str(folder / "demo.pcapng")],
        "storm, 100,000 engine events": ["sim", "run", str(ROOT / "examples" / "storm.yaml"), "--max-events", "100000"],
    }.items():
        out = folder / (name.split()[0].strip(",") + ".html")
        started = time.perf_counter()
        result = runner.invoke(cli, [*args, "--html", str(out)])
        if not out.exists():
            sys.exit(f"bench/view.py: could not make the {name} page: {result.output[-400:]}")
        print(f"  made {name} page in {time.perf_counter() - started:.1f} s")
        pages[name] = out
    return pages


def measure(driver, page: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from lanlab.view import read_document

    document = read_document(page)
    events = len(document["events"]["t"])
    started = time.perf_counter()
    browserlab.open_page(driver, page)
    wall = time.perf_counter() - started
    ready = float(driver.execute_script("return document.body.dataset.readyMs"))
    paint = driver.execute_script(
        "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null"
    )
    steps = []
    if events > 2:
        steps = driver.execute_async_script(f"""
            const done = arguments[arguments.length - 1], v = lanlab.viewer, out = [];
            v.go(Math.min(v.run.count - {STEPS} - 2, Math.floor(v.run.count / 2)));
            function one(k) {{
              if (k === {STEPS}) return done(out);
              const start = performance.now();
              v.go(v.step + 1, "step");
              document.body.offsetHeight;  // style and layout now, as the paint would
              const sync = performance.now() - start;
              requestAnimationFrame(() => {{ out.push(sync); setTimeout(() => one(k + 1), 0); }});
            }}
            requestAnimationFrame(() => one(0));""")
    size = page.stat().st_size
    return {
        "events": events,
        "bytes": size,
        "per_event": size / events if events else 0.0,
        "wall": wall,
        "ready_ms": ready,
        "paint_ms": paint or 0.0,
        "step_ms": statistics.median(steps) if steps else 0.0,
        "step_p95_ms": sorted(steps)[int(len(steps) * 0.95) - 1] if steps else 0.0,
    }


def main() -> None:
    reason = browserlab.missing()
    if reason is not None:
        print(f"bench/view.py: skipped: {reason}")
        return
    with tempfile.TemporaryDirectory() as folder:
        pages = make_pages(Path(folder))
        driver = browserlab.start()
        try:
            figures = {name: measure(driver, path) for name, path in pages.items()}
        finally:
            driver.quit()
    base = figures["baseline (1 host, 0 events)"]
    print(
        f"{'page':<30} {'events':>8} {'size':>10} {'B/event':>8} {'paint ms':>9} {'ready ms':>9} "
        f"{'x base':>7} {'step ms':>8} {'p95 ms':>7}"
    )
    for name, f in figures.items():
        print(
            f"{name:<30} {f['events']:>8,} {f['bytes'] / 1e6:>8.2f}MB {f['per_event']:>8.1f} {f['paint_ms']:>9.0f} "
            f"{f['ready_ms']:>9.0f} {f['ready_ms'] / base['ready_ms']:>7.1f} {f['step_ms']:>8.1f} {f['step_p95_ms']:>7.1f}"
        )
    demo, storm = figures["demo"], figures["storm, 100,000 engine events"]
    print(
        f"targets: demo ready {demo['ready_ms']:.0f} ms (< 1000), storm ready {storm['ready_ms']:.0f} ms (< 3000), "
        f"step {max(demo['step_ms'], storm['step_ms']):.1f} ms (< 50), "
        f"{storm['per_event']:.0f} bytes/event (< 150)"
    )


if __name__ == "__main__":
    main()
