"""tshark, as an independent decoder, reads our RIP, ICMP error and RARP frames without a malformed packet."""

import shutil
import subprocess
from ipaddress import IPv4Address, IPv4Network

import pytest

from lanlab.proto.forwarding import Forwarder, SendIcmp
from lanlab.proto.routing import Route, RouteSource, RoutingTable
from lanlab.wire import (
    Arp,
    ArpOp,
    Ethernet,
    EtherType,
    IpProto,
    IPv4,
    MacAddress,
    PcapWriter,
    Rip,
    RipAuth,
    RipCommand,
    RipEntry,
    Udp,
)

pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
A, B = MacAddress("02:00:00:00:00:01"), MacAddress("02:00:00:00:00:02")
SRC, GROUP = IPv4Address("198.18.0.1"), IPv4Address("224.0.0.9")


def udp_frame(src: IPv4Address, dst: IPv4Address, payload: bytes, ttl: int = 1) -> bytes:
    segment = Udp(520, 520).build(payload, src, dst)
    return Ethernet(MacAddress("01:00:5e:00:00:09"), A, EtherType.IPV4).build(
        IPv4(src, dst, IpProto.UDP, ttl=ttl).build(segment)
    )


def frames() -> list[bytes]:
    route = RipEntry(IPv4Address("198.19.0.0"), 2, IPv4Address("255.255.0.0"), tag=7)
    rip_v2 = Rip(RipCommand.RESPONSE, 2, (RipAuth.password("s3cret"), route)).build()
    rip_v1 = Rip(RipCommand.RESPONSE, 1, (RipEntry(IPv4Address("198.19.0.0"), 3),)).build()
    request = Rip(RipCommand.REQUEST, 2, (RipEntry(IPv4Address(0), 16, afi=0),)).build()
    probe = IPv4(SRC, IPv4Address("198.19.0.9"), IpProto.UDP, ttl=1)  # routed, but its TTL runs out here
    table = RoutingTable()
    table.install(Route(IPv4Network("198.19.0.0/16"), "eth0", IPv4Address("198.18.0.2"), 2, RouteSource.RIP))
    error = Forwarder({"eth0": "198.18.0.254/24"}, table).decide(probe, "eth0", lambda: Udp(1, 33434).build(b"x" * 8))
    assert isinstance(error, SendIcmp)
    icmp = Ethernet(B, A, EtherType.IPV4).build(
        IPv4(error.source, error.destination, IpProto.ICMP).build(error.icmp.build(error.quote))
    )
    rarp = Ethernet(MacAddress.BROADCAST, B, EtherType.RARP).build(
        Arp(ArpOp.RARP_REQUEST, B, IPv4Address(0), B, IPv4Address(0)).build()
    )
    return [
        udp_frame(SRC, GROUP, rip_v2),
        udp_frame(SRC, IPv4Address("198.18.0.255"), rip_v1),
        udp_frame(SRC, GROUP, request),
        icmp,
        rarp,
    ]


def test_tshark_decodes_our_frames_cleanly(tmp_path):
    """Each frame gets the protocol we meant and tshark reports nothing malformed."""
    capture = tmp_path / "rip.pcap"
    with capture.open("wb") as out:
        writer = PcapWriter(out)
        for i, frame in enumerate(frames()):
            writer.write(i * 1_000_000, frame)
    fields = [
        "-T",
        "fields",
        "-e",
        "_ws.col.Protocol",
        "-e",
        "_ws.col.Info",
        "-e",
        "_ws.malformed",
        "-e",
        "rip.auth.passwd",
        "-e",
        "rip.route_tag",
        "-e",
        "rip.metric",
    ]
    result = subprocess.run(
        ["tshark", "-r", str(capture), *fields], capture_output=True, text=True, timeout=60, check=True
    )
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [row[0] for row in rows] == ["RIPv2", "RIPv1", "RIPv2", "ICMP", "RARP"]
    assert all(row[2] == "" for row in rows), result.stdout
    assert rows[0][3] == "s3cret" and rows[0][4] == "7" and rows[0][5] == "2"
    assert "Time-to-live exceeded" in rows[3][1] and "Who is 02:00:00:00:00:02" in rows[4][1]
