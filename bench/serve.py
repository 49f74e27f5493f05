#!/usr/bin/env python3
"""`lanlab sim serve` under load: does the run keep up with real time, and how long does an
event take to reach a page?

The network: H hosts (50) around one switch, host i pinging host (i+1) mod H every 10 ms (H x 100
pings a second, each a request and a reply through the switch). The server runs it at real
time (pace 1) for D seconds (5) with one page connected: a WebSocket client in its own process,
the same messages Chromium's page gets (JSON parsed, the batch's events counted).

Figures: the virtual seconds the run reached per real second (1.00 = keeps up) and the most it
fell behind, and per CPU second of the server (what a whole core would reach, on a shared
machine); per batch, the delay from the simulator producing its first event (when it went
into the document, at the end of its instant) to the page having parsed it (median, 95th percentile, max). Baseline,
in the same process: the same network run by `TableHistory.run` as fast as it goes with no
server (`sim view`'s way): the virtual seconds it does per real second, so the ratio says how
much of the simulator's speed serving costs. And served with every frame decoded whole into
the document (`--whole`, how sim serve sent frames before they went brief), alternated with the
brief runs (`--rounds`), for the before/after of that change in one invocation.

    python bench/serve.py [--hosts 50] [--seconds 5] [--interval 10ms] [--whole] [--rounds 1]
Not a test: figures to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import multiprocessing
import time
from typing import Any

from lanlab.sim import Network, schedule
from lanlab.units import parse_duration
from lanlab.view.history import TableHistory
from lanlab.view.live import LiveSession
from lanlab.view.live_server import LiveServer


def star(hosts: int, interval: str, seconds: float) -> Network:
    """H hosts on sw1, each pinging the next every `interval` for the whole run."""
    network = Network("bench-serve")
    network.add_switch("sw1")
    for i in range(1, hosts + 1):
        network.add_host(f"pc{i}", f"198.18.{i // 250}.{i % 250 + 1}/16")
        network.link(f"pc{i}:eth0", f"sw1:p{i}")
    count = int(seconds * 1e9 / parse_duration(interval)) + 1
    for i in range(1, hosts + 1):
        schedule(network, f"pc{i} ping pc{i % hosts + 1} -i {interval} -c {count}")
    return network


def baseline(hosts: int, interval: str, seconds: float) -> tuple[float, float]:
    """Virtual seconds per real second and per CPU second, as fast as it goes, tables followed, no server."""
    network = star(hosts, interval, seconds)
    history = TableHistory(network)
    started, cpu = time.perf_counter(), time.process_time()
    history.run(int(seconds * 1e9))
    return seconds / (time.perf_counter() - started), seconds / (time.process_time() - cpu)


def served(hosts: int, interval: str, seconds: float, *, whole: bool = False) -> dict[str, float]:
    """The run served at pace 1 to one page; `whole`: frames decoded whole, not brief."""
    network = star(hosts, interval, seconds)
    session = LiveSession(network, schedule=schedule, source=["bench"])
    session.encoder.brief = not whole
    produced: list[tuple[int, float]] = []  # (events in the document, when) after each slice
    spent = {"simulating": 0.0, "encoding": 0.0}  # CPU seconds: engine with the tables, events into the document
    sync, guarded = session.sync, session._guarded

    def timed_sync() -> None:
        started = time.thread_time()
        sync()
        spent["encoding"] += time.thread_time() - started
        produced.append((session.encoded, time.monotonic()))

    def timed_run(run: Any, *args: Any) -> int:
        started = time.thread_time()
        done = guarded(run, *args)
        spent["simulating"] += time.thread_time() - started
        return done

    looked = session.history.end_of_instant

    def timed_look(now: int) -> None:  # the tables read at the end of each instant
        started = time.thread_time()
        looked(now)
        spent["simulating"] += time.thread_time() - started

    session.sync = timed_sync  # type: ignore[method-assign]
    session._guarded = timed_run  # type: ignore[method-assign]
    session.history.end_of_instant = timed_look  # type: ignore[method-assign]
    received: list[tuple[int, float]] = []  # (events the page holds, when it had parsed the batch)
    worst_behind = [0.0]

    async def main() -> None:
        server = LiveServer(session, port=0)
        await server.start()
        url = f"ws://127.0.0.1:{server.port}/ws?token={server.token}"
        # The page in a process of its own, as Chromium is: its parsing takes neither the
        # server's CPU time nor its interpreter lock.
        answer, answering = multiprocessing.Pipe(duplex=False)
        page = multiprocessing.get_context("spawn").Process(target=read_page, args=(url, seconds + 5, answering))
        page.start()
        while not server.sockets:  # the page has its document
            await asyncio.sleep(0.05)
        session.start()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await asyncio.sleep(0.1)
            worst_behind[0] = max(worst_behind[0], session.behind())
        session.pause()
        await asyncio.sleep(0.3)
        await server.close()
        received.extend(await asyncio.get_running_loop().run_in_executor(None, answer.recv))
        page.join(timeout=5)

    started_virtual = network.engine.now
    cpu = time.process_time()
    asyncio.run(main())
    cpu = time.process_time() - cpu
    delays = []
    for count, when in produced:  # the first batch whose events include this slice's last
        arrival = next((t for held, t in received if held >= count), None)
        if arrival is not None and count:
            delays.append(arrival - when)
    return {
        "virtual_per_real": (network.engine.now - started_virtual) / 1e9 / seconds,
        "virtual_per_cpu": (network.engine.now - started_virtual) / 1e9 / cpu,
        "simulating": spent["simulating"] / cpu,
        "encoding": spent["encoding"] / cpu,
        "behind_max": worst_behind[0],
        "events": session.encoded,
        "median_ms": statistics.median(delays) * 1e3,
        "p95_ms": sorted(delays)[int(0.95 * (len(delays) - 1))] * 1e3,
        "max_ms": max(delays) * 1e3,
        "batches": len(received),
    }


def read_page(url: str, seconds: float, answer: Any) -> None:
    """What Chromium's page does with the socket, minus drawing: parse each message, count events;
    sends back [(events held, when parsed)] once the server closes."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    held = 0
    received = []
    deadline = time.monotonic() + seconds
    with connect(url, max_size=None) as socket:
        while time.monotonic() < deadline:
            try:
                message = json.loads(socket.recv(timeout=1))
            except TimeoutError:
                continue
            except ConnectionClosed:  # the server closed at the end of the run
                break
            if message["type"] == "document":
                held = len(message["document"]["events"]["t"])
            elif message["type"] == "batch":
                held += len(message["events"]["t"])
            received.append((held, time.monotonic()))
    answer.send(received)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--interval", default="10ms")
    parser.add_argument("--whole", action="store_true", help="also serve with frames whole (before they went brief)")
    parser.add_argument("--rounds", type=int, default=1, help="served runs of each kind, alternated")
    options = parser.parse_args()
    print(f"{options.hosts} hosts pinging every {options.interval} for {options.seconds:g} s of real time")
    fast, fast_cpu = baseline(options.hosts, options.interval, options.seconds)
    print(
        f"  baseline (TableHistory.run, no server, as fast as it goes): {fast:.2f} virtual s per real s, "
        f"{fast_cpu:.2f} per CPU s"
    )
    kinds = [("frames whole", True), ("frames brief", False)] if options.whole else [("frames brief", False)]
    for _ in range(options.rounds):
        for label, whole in kinds:
            report(label, served(options.hosts, options.interval, options.seconds, whole=whole))
    print(f"  ratio: the run needs {1 / fast:.2f} of the simulator's speed alone to keep up (1.00 = all of it)")


def report(label: str, result: dict[str, float]) -> None:
    print(
        f"  sim serve at pace 1, {label}: {result['virtual_per_real']:.2f} virtual s per real s "
        f"({'keeps up' if result['behind_max'] < 0.1 else 'falls behind'}; at most {result['behind_max']:.3f} s behind), "
        f"{result['events']:,} events in {result['batches']} batches; "
        f"{result['virtual_per_cpu']:.2f} virtual s per CPU s of the server"
    )
    print(
        f"    the server's CPU: {result['simulating']:.0%} simulating (with the tables), "
        f"{result['encoding']:.0%} putting events into the document, "
        f"{1 - result['simulating'] - result['encoding']:.0%} the rest (batches, socket, loop)"
    )
    print(
        f"    event -> page: median {result['median_ms']:.1f} ms, 95th percentile {result['p95_ms']:.1f} ms, "
        f"max {result['max_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
