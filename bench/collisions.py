"""CSMA/CD under full offered load: 8 stations, 1,000 frames each, on one hub and on two cascaded hubs.

Every station has all its frames queued at time 0 (saturation), addressed to a MAC no station has,
so the measure is the medium's alone. Printed per case: collisions, frames that got through,
throughput as a fraction of the link rate, events and wall time; both figures beside the CSMA/CD
analysis (two cascaded hubs are one medium: the same contention, a longer round trip), the two-hub
wall time as a ratio to one hub's (both run here, alternated).

The analysis: Metcalfe and Boggs (CACM 19(7), 1976, eq. 3-5), the slotted contention model 802.3's
backoff is built on. After each frame the Q ready stations contend in slots of the 512-bit slot
time; a slot is won when exactly one transmits, which with each sending in it with probability 1/Q
happens with probability A = (1 - 1/Q)^(Q-1), so W = (1 - A) / A slots are lost per frame and the
efficiency is E = F / (F + W * S), F the frame's time on the wire (with preamble and gap), S the
slot time. It is chosen over the continuous Bertsekas-Gallager / Metcalfe 1/(1 + 2e*a) because the
simulator resolves contention in backoff slots of 512 bit times, which that model has, whereas
1/(1 + 2e*a) counts contention in round trips (a = propagation / frame time) and at a 2 us round
trip would predict ~99.9% for every frame size, which says nothing about backoff.

    python bench/collisions.py [--frames 1000] [--size 1500] [--rate 10Mbps]
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

from lanlab.sim import Network
from lanlab.sim.core.frame import MIN_FRAME, WIRE_OVERHEAD, Frame
from lanlab.sim.devices.hub import SLOT_BITS
from lanlab.units import MILLISECOND, SECOND, parse_rate
from lanlab.wire import Ethernet, MacAddress

STATIONS = 8
NOBODY = MacAddress("02:00:00:00:00:99")  # no station has it: every NIC drops the frames it hears


def build(hubs: int, frames: int, size: int, rate: int) -> Network:
    """STATIONS hosts split evenly over `hubs` hubs cabled in a chain, each with `frames` queued."""
    net = Network(f"collisions-{hubs}")
    for h in range(hubs):
        net.add_hub(f"hub{h}")
        if h:
            net.link(f"hub{h - 1}:up", f"hub{h}:down", rate=rate)
    per_hub = STATIONS // hubs
    for i in range(STATIONS):
        host = net.add_host(f"h{i}", ip=f"198.18.0.{i + 1}/24")
        net.link(f"h{i}:eth0", f"hub{i // per_hub}:p{i}", rate=rate, queue=frames + 1)
        nic = host.ports["eth0"]
        eth = Ethernet(dst=NOBODY, src=host.nics[0].mac, ethertype=0x88B5)  # IEEE local experimental
        for _ in range(frames):
            nic.send(Frame(eth, None, None, bytes(size - 14), size, net.engine.next_frame_id()), 0)
    return net


def run(hubs: int, frames: int, size: int, rate: int) -> dict[str, Any]:
    net = build(hubs, frames, size, rate)
    gc.collect()
    engine = net.engine
    start = time.perf_counter()
    events = 0
    while engine.pending():  # 1 ms steps: the clock then stops within 1 ms of the last frame (0.01% of a run)
        events += engine.run(engine.now + MILLISECOND)
    wall = time.perf_counter() - start
    stations = [net.nodes[f"h{i}"].ports["eth0"] for i in range(STATIONS)]
    dropped = sum(port.drops for port in stations)
    sent = STATIONS * frames - dropped
    bits = sent * ((max(size, MIN_FRAME) + WIRE_OVERHEAD) * 8)
    media = {id(node.domain): node.domain for node in net.nodes.values() if node.kind == "hub"}  # a cascade is one
    collisions = sum(medium.collisions for medium in media.values())
    return {
        "hubs": hubs,
        "collisions": collisions,
        "through": sent,
        "dropped": dropped,
        "events": events,
        "throughput": bits / (rate * net.now / SECOND),
        "sim_s": net.now / SECOND,
        "wall_s": wall,
    }


def metcalfe_boggs(stations: int, size: int) -> float:
    """Efficiency of Q saturated stations contending in 512-bit slots for frames of `size` bytes."""
    won = (1 - 1 / stations) ** (stations - 1)
    frame_bits = (max(size, MIN_FRAME) + WIRE_OVERHEAD) * 8
    return frame_bits / (frame_bits + (1 - won) / won * SLOT_BITS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--size", type=int, default=1500, help="frame bytes without FCS (60..1514)")
    parser.add_argument("--rate", default="10Mbps")
    parser.add_argument("--rounds", type=int, default=3, help="alternated runs of each case; the best wall kept")
    options = parser.parse_args()
    rate = parse_rate(options.rate)
    best: dict[int, dict[str, Any]] = {}
    for _ in range(options.rounds):
        for hubs in (1, 2):
            result = run(hubs, options.frames, options.size, rate)
            if hubs not in best or result["wall_s"] < best[hubs]["wall_s"]:
                best[hubs] = result
    predicted = metcalfe_boggs(STATIONS, options.size)
    print(
        f"{STATIONS} stations x {options.frames} frames of {options.size} bytes at {options.rate}, "
        f"saturated; best wall of {options.rounds} alternated runs"
    )
    print("| hubs | collisions | frames through | dropped | throughput | sim s | events | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in best.values():
        print(
            f"| {r['hubs']} | {r['collisions']:,} | {r['through']:,} | {r['dropped']:,} | {r['throughput']:.3f} | "
            f"{r['sim_s']:.3f} | {r['events']:,} | {r['wall_s']:.2f} |"
        )
    one, two = best[1], best[2]
    print(
        f"Metcalfe-Boggs (Q={STATIONS}, 512-bit slots): {predicted:.3f}; one hub measured {one['throughput']:.3f} "
        f"({(one['throughput'] / predicted - 1) * 100:+.1f}%), two cascaded hubs (one medium) "
        f"{two['throughput']:.3f} ({(two['throughput'] / predicted - 1) * 100:+.1f}%)"
    )
    print(f"wall two hubs / one hub: {two['wall_s'] / one['wall_s']:.2f}")


if __name__ == "__main__":
    main()
