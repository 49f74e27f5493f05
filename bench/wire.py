"""Frames per second for parse and build of Ethernet/IPv4/UDP and Ethernet/IPv4/TCP: lanlab.wire, scapy and dpkt,
measured in the same run; prints each rate and lanlab's ratio to each baseline.

Parse: the bytes of a frame to header objects for every layer (dpkt's and scapy's constructors parse all layers
eagerly; ours is Ethernet.parse, IPv4.parse, Udp/Tcp.parse in turn). Build: header objects made from field values
and serialised with lengths and both checksums computed. The frames each library builds are checked to be
byte-identical first, so every library does the same work.

    .venv/bin/python bench/wire.py [--seconds 0.03]
"""

from __future__ import annotations

import argparse
import functools
import socket
import sys
import timeit
from ipaddress import IPv4Address

import dpkt
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether

from lanlab.wire import Ethernet, IPv4, MacAddress, Udp

try:
    from lanlab.wire.tcp import Tcp, TcpFlags
except ImportError:  # the TCP codec comes from its own workstream
    Tcp = None

SRC_MAC, DST_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
SRC_IP, DST_IP = "198.18.0.1", "198.18.0.2"
PAYLOAD = b"x" * 64  # a small datagram: headers, not payload copying, dominate
TS_OPTIONS = b"\x01\x01\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x02"  # NOP NOP timestamps(1, 2): a typical segment


def lanlab_cases() -> dict[str, object]:
    """lanlab's parse and build functions for each frame."""
    src_mac, dst_mac = MacAddress(SRC_MAC), MacAddress(DST_MAC)
    src_ip, dst_ip = IPv4Address(SRC_IP), IPv4Address(DST_IP)

    def build_udp() -> bytes:
        return Ethernet(dst_mac, src_mac, 0x0800).build(
            IPv4(src_ip, dst_ip, 17).build(Udp(1234, 5678).build(PAYLOAD, src_ip, dst_ip))
        )

    def parse_udp(frame: bytes) -> object:
        _, rest = Ethernet.parse(frame)
        _, rest = IPv4.parse(rest)
        return Udp.parse(rest)

    cases = {"udp": (parse_udp, build_udp)}
    if Tcp is not None:
        from lanlab.wire.tcp import Nop, Timestamps

        def build_tcp() -> bytes:
            segment = Tcp(
                1234, 80, 1000, 2000, TcpFlags.PSH | TcpFlags.ACK, 65535, options=(Nop(), Nop(), Timestamps(1, 2))
            )
            return Ethernet(dst_mac, src_mac, 0x0800).build(
                IPv4(src_ip, dst_ip, 6).build(segment.build(PAYLOAD, src_ip, dst_ip))
            )

        def parse_tcp(frame: bytes) -> object:
            _, rest = Ethernet.parse(frame)
            _, rest = IPv4.parse(rest)
            return Tcp.parse(rest)

        cases["tcp"] = (parse_tcp, build_tcp)
    return cases


def dpkt_cases() -> dict[str, object]:
    """dpkt's parse and build for the same frames."""
    src_mac, dst_mac = bytes.fromhex(SRC_MAC.replace(":", "")), bytes.fromhex(DST_MAC.replace(":", ""))
    src_ip, dst_ip = socket.inet_aton(SRC_IP), socket.inet_aton(DST_IP)

    def build(transport: dpkt.Packet, proto: int) -> bytes:
        ip = dpkt.ip.IP(src=src_ip, dst=dst_ip, p=proto, ttl=64, id=0, data=transport)
        ip.len = 20 + len(transport)
        return bytes(dpkt.ethernet.Ethernet(src=src_mac, dst=dst_mac, type=0x0800, data=ip))

    def build_udp() -> bytes:
        udp = dpkt.udp.UDP(sport=1234, dport=5678, data=PAYLOAD)
        udp.ulen = 8 + len(PAYLOAD)
        return build(udp, 17)

    def build_tcp() -> bytes:
        tcp = dpkt.tcp.TCP(
            sport=1234,
            dport=80,
            seq=1000,
            ack=2000,
            flags=0x18,
            win=65535,
            opts=TS_OPTIONS,
            off=(20 + len(TS_OPTIONS)) // 4,
            data=PAYLOAD,
        )
        return build(tcp, 6)

    return {"udp": (dpkt.ethernet.Ethernet, build_udp), "tcp": (dpkt.ethernet.Ethernet, build_tcp)}


def scapy_cases() -> dict[str, object]:
    """scapy's parse (dissect) and build (raw) for the same frames."""

    def build_udp() -> bytes:
        return bytes(
            Ether(src=SRC_MAC, dst=DST_MAC)
            / IP(src=SRC_IP, dst=DST_IP, id=0, flags=0)
            / UDP(sport=1234, dport=5678)
            / PAYLOAD
        )

    def build_tcp() -> bytes:
        return bytes(
            Ether(src=SRC_MAC, dst=DST_MAC)
            / IP(src=SRC_IP, dst=DST_IP, id=0, flags=0)
            / TCP(
                sport=1234,
                dport=80,
                seq=1000,
                ack=2000,
                flags="PA",
                window=65535,
                options=[("NOP", None), ("NOP", None), ("Timestamp", (1, 2))],
            )
            / PAYLOAD
        )

    return {"udp": (Ether, build_udp), "tcp": (Ether, build_tcp)}


def rates_of(calls: dict[str, object], seconds: float, rounds: int = 40) -> dict[str, float]:
    """Calls per second of each library: the best of `rounds` short rounds of about `seconds` each, the
    libraries taking turns within every round. On a shared machine short rounds are what finds quiet
    moments for every library alike; the best round is the one least disturbed."""
    numbers = {
        name: max(1, int(seconds / max(timeit.timeit(call, number=20) / 20, 1e-9))) for name, call in calls.items()
    }
    best = dict.fromkeys(calls, 0.0)
    for _ in range(rounds):
        for name, call in calls.items():
            best[name] = max(best[name], numbers[name] / timeit.timeit(call, number=numbers[name]))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.03, help="length of one timing round per case")
    seconds = parser.parse_args().seconds
    libraries = {"lanlab": lanlab_cases(), "dpkt": dpkt_cases(), "scapy": scapy_cases()}
    print(
        f"Python {sys.version.split()[0]}, dpkt {dpkt.__version__}, payload {len(PAYLOAD)} bytes"
        + ("" if Tcp is not None else "; lanlab.wire.tcp is not there yet: TCP rows skipped")
    )
    print(f"{'frame':5} {'op':5} {'lanlab/s':>10} {'dpkt/s':>10} {'scapy/s':>10} {'x dpkt':>7} {'x scapy':>8}")
    for frame_kind in ("udp", "tcp"):
        if frame_kind not in libraries["lanlab"]:
            continue
        frames = {name: cases[frame_kind][1]() for name, cases in libraries.items()}
        if len(set(frames.values())) != 1:
            differing = {name: frame.hex() for name, frame in frames.items()}
            raise SystemExit(f"the libraries build different {frame_kind} frames, not a fair race: {differing}")
        frame = frames["lanlab"]
        for op, index in (("parse", 0), ("build", 1)):
            calls = {
                name: functools.partial(cases[frame_kind][0], frame) if index == 0 else cases[frame_kind][1]
                for name, cases in libraries.items()
            }
            rates = rates_of(calls, seconds)
            print(
                f"{frame_kind:5} {op:5} {rates['lanlab']:10.0f} {rates['dpkt']:10.0f} {rates['scapy']:10.0f} "
                f"{rates['lanlab'] / rates['dpkt']:7.1f} {rates['lanlab'] / rates['scapy']:8.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
