"""Run lanlab's RIP speaker on a real interface for a few seconds (inside a test's namespace).

    python rip_peer.py IFACE ADDRESS/LEN STUB/LEN SECONDS [PASSWORD]

The speaker runs on IFACE with the wall clock and real UDP port 520; STUB is a passive network it
advertises. Meanwhile an AF_PACKET socket captures every frame on IFACE. At the end it prints one
JSON document: the RIP frames other hosts sent (hex), the routes the speaker learned, its drops.
"""

from __future__ import annotations

import json
import random
import select
import socket
import struct
import sys
import time
from ipaddress import IPv4Address, IPv4Interface

from lanlab.proto.rip import RipSpeaker
from lanlab.wire import IPv4, Rip, Udp, dissect

ETH_P_ALL = 0x0003


def main() -> None:
    ifname, address, stub, seconds = sys.argv[1], IPv4Interface(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    password = sys.argv[5] if len(sys.argv) > 5 else None
    capture = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    capture.bind((ifname, 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    udp.bind(("", 520))
    group = struct.pack("4s4s", IPv4Address("224.0.0.9").packed, address.ip.packed)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, address.ip.packed)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)

    speaker = RipSpeaker({ifname: address, "stub": stub}, random.Random(1), passive=["stub"], password=password)
    start = time.monotonic_ns()
    speaker.start(start)
    heard: list[str] = []
    while (now := time.monotonic_ns()) < start + seconds * 1e9:
        for datagram in speaker.datagrams_to_send(now):
            udp.sendto(datagram.message.build(), (str(datagram.destination), datagram.port))
        deadline = min(t for t in (speaker.get_timer(), start + int(seconds * 1e9)) if t is not None)
        ready, _, _ = select.select([udp, capture], [], [], max(0.0, (deadline - now) / 1e9))
        now = time.monotonic_ns()
        if udp in ready:
            data, (src, port) = udp.recvfrom(65535)
            try:
                message, _ = Rip.parse(data)
            except ValueError:
                continue
            speaker.handle_datagram(IPv4Address(src), port, ifname, message, now)
        if capture in ready:
            frame = capture.recv(65535)
            layers = dissect(frame).headers
            ip = next((h for h in layers if isinstance(h, IPv4)), None)
            udp_header = next((h for h in layers if isinstance(h, Udp)), None)
            if (
                ip is not None
                and udp_header is not None
                and 520 in (udp_header.src_port, udp_header.dst_port)
                and ip.src != address.ip
            ):
                heard.append(frame.hex())
        if (timer := speaker.get_timer()) is not None and timer <= now:
            speaker.handle_timer(now)
    routes = {str(p): {"metric": r.metric, "next_hop": str(r.next_hop)} for p, r in speaker.routes.items()}
    print(json.dumps({"frames": heard, "routes": routes, "dropped": speaker.dropped}))


if __name__ == "__main__":
    main()
