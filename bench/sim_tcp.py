"""A 10 MiB bulk TCP transfer host to host across one switch at 100 Mbps, in virtual time.

Reports: simulated goodput (payload bits / simulated seconds from the SYN to the last byte
read), wall seconds per simulated MiB, and what the socket shim costs: the same transfer
driven (1) by two programs through the shim (`socket.sendall` / `recv` loops in greenlets)
and (2) directly through the protocol API (`TcpConnection.send`/`receive` called from the
host's activity hook), with their wall-time ratio. With /tmp/ns3-venv present, also runs
bench/ns3_bulk_send.py (ns-3's BulkSendApplication -> PacketSink on the same topology,
NewReno, same MSS and buffers) in the same invocation and prints the ratio.

    python bench/sim_tcp.py [--mib 10] [--repeat 3] [--no-ns3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from lanlab.proto.tcp import TcpState
from lanlab.sim import Network
from lanlab.sim.shim import run_programs

SECOND = 1_000_000_000
MIB = 1 << 20
PORT = 5001
NS3_SCRIPT = Path(__file__).with_name("ns3_bulk_send.py")
NS3_PYTHON = Path("/tmp/ns3-venv/bin/python")


def network() -> Network:
    net = Network("bulk")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.link("pc1:eth0", "sw1:p1", rate="100Mbps")
    net.link("pc2:eth0", "sw1:p2", rate="100Mbps")
    return net


def receiver(port: int, size: int, done: list[Any]) -> None:
    import socket
    import time as clock

    listener = socket.socket()
    listener.bind(("", port))
    listener.listen(1)
    conn, _ = listener.accept()
    got = 0
    while chunk := conn.recv(65536):
        got += len(chunk)
    done.append((got, clock.monotonic()))
    conn.close()


def sender(host: str, port: int, data: bytes) -> None:
    import socket

    with socket.create_connection((host, port)) as conn:
        view = memoryview(data)
        for offset in range(0, len(data), 65536):
            conn.sendall(view[offset : offset + 65536])


def through_the_shim(size: int) -> dict[str, Any]:
    net = network()
    data = bytes(size)
    done: list[Any] = []
    net.node("pc2").run(receiver, PORT, size, done)
    net.node("pc1").run(sender, "pc2", PORT, data)
    wall = time.perf_counter()
    events = run_programs(net, 3600 * SECOND)
    wall = time.perf_counter() - wall
    [(got, finished)] = done
    assert got == size
    return {"wall_s": wall, "sim_s": finished, "events": events}


class DirectDriver:
    """The same transfer with no programs: push and pull on the connections after every event."""

    def __init__(self, net: Network, size: int) -> None:
        self.net, self.size = net, size
        self.tcp1, self.tcp2 = net.node("pc1").tcp, net.node("pc2").tcp
        self.listener = self.tcp2.stack.listen(net.node("pc2").addresses[0], PORT, 1)
        key, self.client = self.tcp1.stack.connect(net.node("pc1").addresses[0], net.node("pc2").addresses[0], PORT)
        self.server: Any = None
        self.sent = self.received = 0
        self.finished: float | None = None
        self.chunk = bytes(65536)
        self.tcp1.watchers.append(self.push)
        self.tcp2.watchers.append(self.pull)
        self.tcp1.flush(0)

    def push(self) -> None:
        client = self.client
        if client.state is TcpState.ESTABLISHED:
            while self.sent < self.size and client.send_space:
                self.sent += client.send(self.chunk[: min(65536, self.size - self.sent)])
                self.tcp1.flush(self.net.now)
            if self.sent == self.size:
                client.close()
                self.tcp1.flush(self.net.now)

    def pull(self) -> None:
        if self.server is None:
            accepted = self.listener.accept()
            if accepted is None:
                return
            self.server = accepted[1]
        while self.server.readable:
            self.received += len(self.server.receive(65536))
            self.tcp2.flush(self.net.now)
        if self.server.at_eof and self.finished is None:
            self.finished = self.net.now / 1e9
            self.server.close()
            self.tcp2.flush(self.net.now)


def through_the_api(size: int) -> dict[str, Any]:
    net = network()
    driver = DirectDriver(net, size)
    wall = time.perf_counter()
    events = _run_until_idle(net)
    wall = time.perf_counter() - wall
    assert driver.received == size and driver.finished is not None
    return {"wall_s": wall, "sim_s": driver.finished, "events": events}


def _run_until_idle(net: Network) -> int:
    """Run until no TCP connection is exchanging segments (TIME-WAIT left aside)."""
    engine, events = net.engine, 0
    while (next_time := engine.next_time()) is not None:
        events += engine.run(next_time)
        if all(
            c.state is TcpState.TIME_WAIT for h in ("pc1", "pc2") for c in net.node(h).tcp.stack.connections.values()
        ):
            break
    return events


def ns3(size: int) -> dict[str, Any] | None:
    if not NS3_PYTHON.exists():
        return None
    out = subprocess.run(
        [str(NS3_PYTHON), str(NS3_SCRIPT), "--bytes", str(size)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda r: r["wall_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-ns3", action="store_true")
    args = parser.parse_args()
    size = args.mib * MIB
    shim = best([through_the_shim(size) for _ in range(args.repeat)])
    api = best([through_the_api(size) for _ in range(args.repeat)])
    print(f"{args.mib} MiB, pc1 - sw1 - pc2, 100 Mbps links (best of {args.repeat}):")
    for name, run in (("socket shim (programs)", shim), ("protocol API (direct)", api)):
        goodput = size * 8 / run["sim_s"] / 1e6
        print(
            f"  {name:<24} simulated {run['sim_s']:.4f} s, goodput {goodput:.2f} Mbit/s, "
            f"wall {run['wall_s']:.3f} s = {run['wall_s'] / args.mib:.4f} wall s per simulated MiB, "
            f"{run['events']} events"
        )
    print(f"  shim / direct wall-time ratio: {shim['wall_s'] / api['wall_s']:.2f}x (target: within 2x)")
    reference = None if args.no_ns3 else ns3(size)
    if reference is None:
        print("  ns-3: not run (needs /tmp/ns3-venv, see shared/bench/ns3/README.md)")
    else:
        print(
            f"  ns-3 BulkSend: simulated {reference['sim_s']:.4f} s, goodput "
            f"{size * 8 / reference['sim_s'] / 1e6:.2f} Mbit/s, wall {reference['wall_run_s']:.3f} s; "
            f"lanlab direct / ns-3 wall: {api['wall_s'] / reference['wall_run_s']:.2f}x, "
            f"shim / ns-3: {shim['wall_s'] / reference['wall_run_s']:.2f}x"
        )


if __name__ == "__main__":
    main()
