"""Scenario A of shared/bench/ns3 (switched LAN, UDP echo) in lanlab's simulator, beside ns-3.

A star of H hosts around one switch (100 Mbps, 1 us links), hosts 10.1.1.(i+1)/24. Every host
answers UDP echo on port 9; host i sends 64-byte echo requests to host (i+1) mod H every 1 ms,
8000 of them, starting at 1 s + i*(1 ms/H); the run stops at 10 s. No trace, no capture.
Prints frames on all links, echo round trips and events per wall second, for H = 16 and 64.
If /tmp/ns3-venv exists, runs ns-3's own script in the same invocation and prints ratios of
wall-clock rates and of CPU-time rates (the fair one when the machine is shared); otherwise
prints the README's ns-3 figures as the reference. Also: the memory and build time
of 10,000 hosts on a tree of switches running one simulated second of ARP + ping.

    python bench/sim_lan.py [--hosts 16 64] [--big 10000] [--no-ns3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from lanlab.sim import Network
from lanlab.sim.devices.host import Host


def _find_ns3_script() -> Path:
    """shared/bench/ns3/lan_switched.py beside the checkout (or in $LANLAB_NS3_DIR)."""
    places = [Path(os.environ["LANLAB_NS3_DIR"])] if "LANLAB_NS3_DIR" in os.environ else []
    places += [parent / "shared" / "bench" / "ns3" for parent in Path(__file__).resolve().parents]
    for place in places:
        if (place / "lan_switched.py").exists():
            return place / "lan_switched.py"
    return places[-1] / "lan_switched.py"


NS3_SCRIPT = _find_ns3_script()
NS3_PYTHON = Path("/tmp/ns3-venv/bin/python")
# shared/bench/ns3/README.md, "Measured here" (ns-3 3.44, 2-core machine, median of 5 runs)
NS3_README = {
    16: {
        "wall_run_s": 2.84,
        "frames_all_links": 512_200,
        "frames_per_wall_s": 180_064,
        "round_trips_per_wall_s": 44_954,
    },
    64: {
        "wall_run_s": 13.18,
        "frames_all_links": 2_055_146,
        "frames_per_wall_s": 155_948,
        "round_trips_per_wall_s": 38_817,
    },
}
MS = 1_000_000
SECOND = 1_000_000_000


class EchoClient:
    """ns-3's UdpEchoClient: `count` requests of `size` bytes every `interval` to dst:9."""

    __slots__ = ("host", "dst", "port", "payload", "interval", "left", "stop", "replies", "network")

    def __init__(self, host: Host, dst: IPv4Address, *, count: int, interval: int, size: int, stop: int) -> None:
        self.host = host
        self.dst = dst
        self.payload = bytes(size)
        self.interval = interval
        self.left = count
        self.stop = stop
        self.replies = 0
        self.port = host.udp.bind(0, self.reply)

    def fire(self, arg: Any, now: int) -> None:
        self.host.send_udp(self.port, self.dst, 9, self.payload, now)
        self.left -= 1
        if self.left and now + self.interval < self.stop:
            self.host.engine.schedule(now + self.interval, self)

    def reply(self, host: Host, frame: Any, now: int) -> None:
        self.replies += 1


def echo_server(host: Host, frame: Any, now: int) -> None:
    """ns-3's UdpEchoServer: send the datagram back to where it came from."""
    host.send_udp(9, frame.l3.src, frame.l4.src_port, frame.data, now)


def build_star(hosts: int, packets: int, interval: int, size: int, stop: int) -> tuple[Network, list[EchoClient]]:
    net = Network("scenario-a")
    net.add_switch("sw")
    nodes = []
    for i in range(hosts):
        host = net.add_host(f"h{i}", ip=f"10.1.1.{i + 1}/24")  # as ns-3's Ipv4AddressHelper (H <= 254)
        net.link(f"h{i}:eth0", f"sw:p{i}")
        host.udp.bind(9, echo_server)
        nodes.append(host)
    clients = []
    for i, host in enumerate(nodes):
        client = EchoClient(
            host, nodes[(i + 1) % hosts].addresses[0], count=packets, interval=interval, size=size, stop=stop
        )
        net.engine.schedule(SECOND + i * interval // hosts, client)
        clients.append(client)
    return net, clients


def run_lanlab(hosts: int, packets: int, tend: float) -> dict[str, Any]:
    stop = round(tend * SECOND)
    net, clients = build_star(hosts, packets, MS, 64, stop)
    gc.collect()  # the build's garbage, not the run's (the collector stays on: it costs nothing measurable)
    start, start_cpu = time.perf_counter(), time.process_time()
    events = net.engine.run(stop)
    wall = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    frames = sum(link.frames for link in net.links)
    replies = sum(c.replies for c in clients)
    return {
        "hosts": hosts,
        "wall_run_s": wall,
        "cpu_run_s": cpu,
        "events": events,
        "frames_all_links": frames,
        "echo_replies_rcvd": replies,
        "frames_per_wall_s": frames / wall,
        "round_trips_per_wall_s": replies / wall,
        "events_per_wall_s": events / wall,
    }


# Runs ns-3's script unchanged, but notes the process CPU time at each of its perf_counter()
# calls: the last two bracket Simulator::Run, so its CPU seconds can be compared with ours
# (on a shared machine, wall time mostly measures the neighbours).
NS3_WRAPPER = """
import json, sys, time
wall, marks = time.perf_counter, []
def perf_counter():
    marks.append(time.process_time())
    return wall()
time.perf_counter = perf_counter
script = sys.argv[1]
sys.argv = sys.argv[1:]
exec(compile(open(script).read(), script, "exec"), {"__name__": "__main__"})
print(json.dumps({"cpu_run_s": marks[-1] - marks[-2]}))
"""


def run_ns3(hosts: int) -> dict[str, Any] | None:
    if not NS3_PYTHON.exists() or not NS3_SCRIPT.exists():
        return None
    done = subprocess.run(
        [str(NS3_PYTHON), "-c", NS3_WRAPPER, str(NS3_SCRIPT), "--hosts", str(hosts)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    result: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    if "wall_run_s" not in result:
        sys.stderr.write(done.stderr[-2000:])
        return None
    return result


def big_tree(hosts: int, pingers: int = 100) -> dict[str, Any]:
    """`hosts` hosts, 48 per access switch, access switches under one core switch. Build it
    , then run one simulated second in which `pingers` hosts,
     spread over the tree and over the second, each ping a host on another switch: every ARP
     request is flooded to all hosts (one broadcast domain), the echoes cross the core.

     The build is timed in CPU seconds (the fair figure on a shared machine) and wall seconds, with no
     memory tracer running: tracemalloc triples the CPU time of an allocation-bound build (10,000 hosts:
     0.97 s without, 2.93 s with), so it would time the tracer. Its memory is what the process's resident
     set grew by while building: the pages the network really holds, allocator overhead included."""
    gc.collect()
    resident = _resident_bytes()
    start, start_cpu = time.perf_counter(), time.process_time()
    net = Network("tree")
    per_switch = 48
    names = []
    with net.building():  # the collector paused while the network grows, as from_yaml builds
        net.add_switch("core")
        for i in range(hosts):
            if i % per_switch == 0:
                access = f"sw{i // per_switch}"
                net.add_switch(access)
                net.link(f"{access}:up", f"core:p{i // per_switch}")
            name = f"h{i}"
            number = i + 1  # 10.0.0.1, 10.0.0.2, ... in one /8
            net.add_host(name, ip=f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}/8")
            net.link(f"{name}:eth0", f"sw{i // per_switch}:p{i % per_switch}")
            names.append(name)
    build, build_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    built = _resident_bytes() - resident
    step = hosts // pingers
    sessions = []
    for k in range(pingers):
        # Half way round the tree, plus a little: no pair pings both ways (ARP would be learned).
        source, target = net.node(names[k * step]), net.node(names[(k * step + hosts // 2 + 7) % hosts])
        net.engine.schedule(k * SECOND // pingers, _StartPing(source, target.addresses[0], sessions))
    start = time.perf_counter()
    events = net.engine.run(SECOND)
    run = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    received = sum(s.result.received for s in sessions)
    return {
        "hosts": hosts,
        "switches": len(net.nodes) - hosts,
        "build_s": build,
        "build_cpu_s": build_cpu,
        "run_s": run,
        "events": events,
        "pings": pingers,
        "pings_answered": received,
        "built_mib": built / 2**20,
        "bytes_per_host": built / hosts,
        "peak_rss_mib": peak_rss / 2**20,
    }


def _resident_bytes() -> int:
    """The process's resident set now (Linux /proc/self/statm: pages)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _StartPing:
    """Start one ping when fired (spreads the pingers over the simulated second)."""

    def __init__(self, host: Host, dst: IPv4Address, sessions: list[Any]) -> None:
        self.host, self.dst, self.sessions = host, dst, sessions

    def fire(self, arg: Any, now: int) -> None:
        self.sessions.append(self.host.ping(self.dst, count=1, interval=SECOND, size=56, timeout=SECOND // 2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--packets", type=int, default=8000)
    ap.add_argument("--tend", type=float, default=10.0)
    ap.add_argument("--big", type=int, default=10_000, help="hosts in the memory test (0: skip)")
    ap.add_argument("--no-ns3", action="store_true", help="do not run ns-3 even if /tmp/ns3-venv exists")
    args = ap.parse_args()
    print(f"scenario A (shared/bench/ns3/README.md), Python {sys.version.split()[0]}, pid {os.getpid()}")
    for hosts in args.hosts:
        ours = run_lanlab(hosts, args.packets, args.tend)
        ns3 = None if args.no_ns3 else run_ns3(hosts)
        source = (
            "ns-3 run now" if ns3 is not None else "ns-3 README figures (ns-3 not run: --no-ns3, or no /tmp/ns3-venv)"
        )
        if ns3 is None:
            ns3 = NS3_README.get(hosts)
        print(
            f"\nH={hosts}: lanlab {ours['wall_run_s']:.2f} s wall ({ours['cpu_run_s']:.2f} s CPU), "
            f"{ours['frames_all_links']:,} frames, "
            f"{ours['echo_replies_rcvd']:,} round trips, {ours['events']:,} events"
        )
        print(
            f"  frames/s {ours['frames_per_wall_s']:>12,.0f}   round trips/s {ours['round_trips_per_wall_s']:>10,.0f}"
            f"   events/s {ours['events_per_wall_s']:>12,.0f}"
        )
        if ns3 is not None:
            print(
                f"  baseline: {source}: {ns3['wall_run_s']:.2f} s wall, {ns3['frames_all_links']:,} frames"
                + (f", {ns3['echo_replies_rcvd']:,} round trips" if "echo_replies_rcvd" in ns3 else "")
            )
            for key in ("frames_per_wall_s", "round_trips_per_wall_s"):
                print(f"  {key:<24} lanlab/ns-3 = {ours[key] / ns3[key]:.2f}x  ({ours[key]:,.0f} vs {ns3[key]:,.0f})")
            if "cpu_run_s" in ns3:
                ours_rate = ours["echo_replies_rcvd"] / ours["cpu_run_s"]
                ns3_rate = ns3["echo_replies_rcvd"] / ns3["cpu_run_s"]
                print(
                    f"  round trips per CPU second: lanlab/ns-3 = {ours_rate / ns3_rate:.2f}x  "
                    f"({ours_rate:,.0f} vs {ns3_rate:,.0f}; ns-3 Run {ns3['cpu_run_s']:.2f} s CPU, "
                    f"{ns3['cpu_run_s'] / ns3['wall_run_s']:.0%} of its wall, ours "
                    f"{ours['cpu_run_s'] / ours['wall_run_s']:.0%})"
                )
            else:
                ours_rate = ours["echo_replies_rcvd"] / ours["cpu_run_s"]
                print(
                    f"  round trips per CPU second (fair on a busy machine): {ours_rate:,.0f} = "
                    f"{ours_rate / ns3['round_trips_per_wall_s']:.2f}x the README's quiet-machine ns-3 figure"
                )
    if args.big:
        big = big_tree(args.big)
        print(
            f"\n{big['hosts']:,} hosts on {big['switches']} switches: built in {big['build_cpu_s']:.2f} s CPU "
            f"({big['build_s']:.2f} s wall), {big['built_mib']:.0f} MiB resident = "
            f"{big['bytes_per_host'] / 1024:.1f} KiB per host (target: < 15 s, < 1.5 GiB at 100,000 hosts)"
        )
        print(
            f"  1 sim second, {big['pings']} pings with ARP flooded to every host: {big['run_s']:.2f} s wall, "
            f"{big['events']:,} events, {big['pings_answered']} answered; process peak RSS "
            f"{big['peak_rss_mib']:.0f} MiB (limit asked: 1024)"
        )


if __name__ == "__main__":
    main()
