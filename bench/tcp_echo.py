"""TCP echo on loopback: `lanlab tcp serve --mode echo` against two baselines, in one run.

Baselines (each its own process, like ours): a minimal asyncio Protocol echo server and the
same server on uvloop. Load (this process, uvloop): C = 1, 100 and 1000 connections each
doing 64-byte round trips, then one connection echoing 1 MiB messages. Prints round trips/s,
MiB/s, our ratio to each baseline, and each server's resident memory with 1000 clients.
Servers run side by side and take turns, best of --rounds per case (this machine is shared).

    python bench/tcp_echo.py [--seconds 1.5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import subprocess
import sys
import time

import uvloop

BASELINE = """
import asyncio, socket, sys
class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
    def data_received(self, data):
        self.transport.write(data)
async def main():
    server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", int(sys.argv[1]),
                                                            backlog=4096)
    await server.serve_forever()
if sys.argv[2] == "uvloop":
    import uvloop
    uvloop.run(main())
else:
    asyncio.run(main())
"""
SERVERS = {
    "lanlab": lambda port: [
        sys.executable,
        "-m",
        "lanlab",
        "tcp",
        "serve",
        "--mode",
        "echo",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
    ],
    "asyncio": lambda port: [sys.executable, "-c", BASELINE, str(port), "asyncio"],
    "uvloop": lambda port: [sys.executable, "-c", BASELINE, str(port), "uvloop"],
}
ROUND_TRIP = 64
BULK = 1 << 20
CONCURRENCY = (1, 100, 1000)


class Exchange(asyncio.Protocol):
    """Sends `payload`, waits for all of it back, counts one exchange, again while running."""

    payload = b""

    def __init__(self, tally: list[int], running: list[bool]) -> None:
        self.tally, self.running, self.pending = tally, running, 0

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.pending += len(data)
        size = len(self.payload)
        while self.pending >= size:
            self.pending -= size
            self.tally[0] += 1
            if self.running[0]:
                self.transport.write(self.payload)


class PingPong(Exchange):
    """64-byte round trips."""

    payload = b"x" * ROUND_TRIP


class Bulk(Exchange):
    """1 MiB echoed whole."""

    payload = b"b" * BULK


async def measure(port: int, protocol: type, clients: int, seconds: float) -> float:
    """Completed exchanges per second over `seconds`, after a short warm-up."""
    loop = asyncio.get_running_loop()
    tally, running = [0], [True]
    transports = []
    for start in range(0, clients, 100):  # connect in batches: no SYN floods
        made = await asyncio.gather(
            *(
                loop.create_connection(lambda: protocol(tally, running), "127.0.0.1", port)
                for _ in range(min(100, clients - start))
            )
        )
        transports += [transport for transport, _ in made]
    for transport in transports:
        transport.write(protocol.payload)
    await asyncio.sleep(min(0.5, seconds / 4))
    before, started = tally[0], time.perf_counter()
    await asyncio.sleep(seconds)
    rate = (tally[0] - before) / (time.perf_counter() - started)
    running[0] = False
    return rate, transports


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kib / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"server on port {port} did not start")


async def run_cases(
    ports: dict[str, int], pids: dict[str, int], seconds: float, rounds: int
) -> dict[str, dict[str, float]]:
    """Every case on every server, servers interleaved and the best of `rounds` kept, so a
    neighbour's load on this shared machine does not favour whichever server ran first."""
    results: dict[str, dict[str, float]] = {name: {} for name in ports}
    cases = [(f"C={c}", PingPong, c) for c in CONCURRENCY] + [("bulk", Bulk, 1)]
    for key, protocol, clients in cases:
        for _ in range(rounds):
            for name, port in ports.items():
                rate, transports = await measure(port, protocol, clients, seconds)
                if protocol is Bulk:
                    rate = rate * BULK / (1 << 20)
                results[name][key] = max(rate, results[name].get(key, 0.0))
                if clients == max(CONCURRENCY):
                    results[name]["rss"] = max(rss_mib(pids[name]), results[name].get("rss", 0))
                for transport in transports:
                    transport.close()
                await asyncio.sleep(0.2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="measuring time per case")
    parser.add_argument("--rounds", type=int, default=2, help="runs per case (best is kept)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    ports = {name: free_port() for name in SERVERS}
    servers = {name: subprocess.Popen(SERVERS[name](port), stdout=subprocess.DEVNULL) for name, port in ports.items()}
    try:
        for port in ports.values():
            wait_ready(port)
        results = uvloop.run(run_cases(ports, {n: p.pid for n, p in servers.items()}, args.seconds, args.rounds))
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()

    ours, asyncio_, uv = results["lanlab"], results["asyncio"], results["uvloop"]
    rows = [(f"64 B round trips/s, C={c}", f"C={c}") for c in CONCURRENCY]
    rows += [("1 MiB bulk echo, MiB/s", "bulk"), ("resident memory at C=1000, MiB", "rss")]
    print(f"{'case':34} {'lanlab':>10} {'asyncio':>10} {'uvloop':>10} {'/asyncio':>9} {'/uvloop':>8}")
    for label, key in rows:
        print(
            f"{label:34} {ours[key]:>10,.0f} {asyncio_[key]:>10,.0f} {uv[key]:>10,.0f} "
            f"{ours[key] / asyncio_[key]:>8.2f}x {ours[key] / uv[key]:>7.2f}x"
        )


if __name__ == "__main__":
    main()
