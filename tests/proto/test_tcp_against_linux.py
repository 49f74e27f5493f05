"""lanlab's TCP against the kernel's: the same 200 kB transfer with a reply (programs/bulk_reply.py)
between two lab namespaces and between two simulated hosts, both captured, read by tshark and
compared: handshake options, segment sizes, the ACK pattern, when the short last segment leaves.

Links are veths with no delay, as the simulated link is. The namespaces are told to announce what
lanlab announces: no SACK-permitted (RFC 2018) and no timestamps (RFC 7323 3), which lanlab does
not implement; with timestamps on, Linux's segments would carry 1448 bytes instead of 1460.
Window scale is announced by both, with different shifts: Linux sizes it for the largest buffer
it may grow to (net.core.rmem_max, 4 MiB: shift 7), lanlab for its fixed 128 KiB (shift 2).
GSO is limited to one segment per packet so the capture shows segments as they are on a wire.
Where sch_netem exists, the transfer is also timed over links with delay on both sides.
"""

from __future__ import annotations

import functools
import importlib.util
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import MILLISECOND, SECOND
from netlab import Lab, Netns, needs_netns

PROGRAM = Path(__file__).with_name("programs") / "bulk_reply.py"
SIZE = 200_000
PORT = 5001
MSS = 1460
DELAYED_ACK = 40 * MILLISECOND  # a stall this long means a segment or an ACK waited for a timer
QUICK_ACKS = 16  # Linux TCP_MAX_QUICKACKS
NETEM_ONE_WAY = "5ms"

pytestmark = [
    needs_netns,
    pytest.mark.netns,
    pytest.mark.skipif(
        shutil.which("dumpcap") is None or shutil.which("tshark") is None,
        reason="needs dumpcap and tshark (apt install tshark)",
    ),
]


@dataclass(frozen=True)
class Segment:
    time: float  # seconds from the first frame
    from_client: bool
    flags: int
    seq: int  # relative, as tshark numbers them
    ack: int
    length: int
    option_kinds: tuple[int, ...]
    mss: int | None
    window_shift: int | None


def read_capture(path: Path, client_ip: str) -> list[Segment]:
    """The TCP segments of a pcap, as tshark reads them (the same reader for both captures)."""
    fields = [
        "frame.time_relative",
        "ip.src",
        "tcp.flags",
        "tcp.seq",
        "tcp.ack",
        "tcp.len",
        "tcp.option_kind",
        "tcp.options.mss_val",
        "tcp.options.wscale.shift",
    ]
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(path),
            "-Y",
            "tcp",
            "-T",
            "fields",
            "-E",
            "separator=\t",
            *[arg for field in fields for arg in ("-e", field)],
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    segments = []
    for line in out.splitlines():
        t, src, flags, seq, ack, length, kinds, mss, shift = line.split("\t")
        segments.append(
            Segment(
                float(t),
                src == client_ip,
                int(flags, 16),
                int(seq),
                int(ack or 0),
                int(length),
                tuple(int(k) for k in kinds.split(",") if k),
                int(mss) if mss else None,
                int(shift) if shift else None,
            )
        )
    return segments


SYN, ACK = 0x02, 0x10
NOP, EOL = 1, 0


@dataclass
class Transfer:
    """What a capture says about the transfer."""

    segments: list[Segment]

    def handshake(self, from_client: bool) -> Segment:
        return next(s for s in self.segments if s.flags & SYN and s.from_client == from_client)

    def announced(self, from_client: bool) -> set[int]:
        """The option kinds of a SYN (padding NOP/EOL aside: where they go is each stack's layout)."""
        return set(self.handshake(from_client).option_kinds) - {NOP, EOL}

    @property
    def data(self) -> list[Segment]:
        """The client's data segments, each sequence number once: a segment the kernel sent again (a tail
        loss probe or a retransmission on a busy machine) is not a segment size of the transfer."""
        seen: set[int] = set()
        data = []
        for s in self.segments:
            if s.from_client and s.length and s.seq not in seen:
                seen.add(s.seq)
                data.append(s)
        return data

    @property
    def data_acks(self) -> list[tuple[Segment, int]]:
        """Each server segment that acknowledged new client data, with how many bytes it acknowledged."""
        acks, last = [], 1  # tshark's relative numbers: the first data byte is 1
        for s in self.segments:
            if not s.from_client and s.flags & ACK and last < s.ack <= SIZE + 1:
                acks.append((s, s.ack - last))
                last = s.ack
        return acks

    def longest_ack_wait(self) -> float:
        """The longest time any data segment waited for the ACK that covered it (seconds)."""
        acks = self.data_acks
        return max(next(a.time for a, _ in acks if a.ack >= d.seq + d.length) - d.time for d in self.data)

    @property
    def reply(self) -> Segment:
        return next(s for s in self.segments if not s.from_client and s.length)

    @property
    def duration(self) -> float:
        """From the client's SYN to the server's reply."""
        return self.reply.time - self.handshake(True).time


# ------------------------------------------------------------------ the two runs
def _start_capture(ns: Netns, path: Path) -> subprocess.Popen:
    process = ns.popen("dumpcap", "-q", "-P", "-i", "eth0", "-w", str(path), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "Capturing on" in line or not line:
            break
    assert process.poll() is None, "dumpcap did not start"
    time.sleep(0.3)  # "Capturing on" can come a moment before the packet socket sees traffic
    return process


def linux_transfer(tmp_path: Path, delay: str | None = None) -> Transfer:
    lab = Lab()
    try:
        client, server = lab.namespace("h"), lab.namespace("h")
        lab.link(client, server, "198.18.0.1/24", "198.18.0.2/24")
        for ns in (client, server):
            ns.run("ip", "link", "set", "dev", "eth0", "gso_max_segs", "1")
            ns.run("sysctl", "-qw", "net.ipv4.tcp_sack=0")
            ns.run("sysctl", "-qw", "net.ipv4.tcp_timestamps=0")
            if delay is not None:
                ns.run("tc", "qdisc", "add", "dev", "eth0", "root", "netem", "delay", delay)
        path = tmp_path / "linux.pcap"
        capture = _start_capture(server, path)
        serving = server.popen(
            sys.executable, str(PROGRAM), "server", str(PORT), str(SIZE), stdout=subprocess.PIPE, text=True
        )
        try:
            assert serving.stdout is not None and serving.stdout.readline().strip() == "listening"
            reply = client.python(str(PROGRAM), "client", "198.18.0.2", str(PORT), str(SIZE), timeout=30)
            assert reply.stdout.strip() == "ok"
            assert serving.communicate(timeout=30)[0].strip() == str(SIZE)
        finally:
            serving.kill()
            time.sleep(0.3)
            capture.terminate()
            capture.wait(timeout=10)
        return Transfer(read_capture(path, "198.18.0.1"))
    finally:
        lab.close()


def _program_module():
    spec = importlib.util.spec_from_file_location("bulk_reply", PROGRAM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sim_transfer(tmp_path: Path, delay: int = 0) -> Transfer:
    # The program's own functions go to node.run (which gives them the host's socket module); a
    # wrapper defined here would call them with this module's globals, outside the simulation.
    program = _program_module()
    net = Network("pair")
    net.add_host("h0", ip="198.18.0.1/24")
    net.add_host("h1", ip="198.18.0.2/24")
    net.link("h0:eth0", "h1:eth0", rate="10Gbps", delay=delay / SECOND)  # a veth: no delay, hardly a rate
    path = tmp_path / "sim.pcap"
    net.capture(path, ["h1:eth0"])
    net.node("h1").run(program.serve, PORT, SIZE)
    net.node("h0").run(program.send, "198.18.0.2", PORT, SIZE)
    run_programs(net, 60 * SECOND)
    net.close()
    transfer = Transfer(read_capture(path, "198.18.0.1"))
    assert sum(s.length for s in transfer.data) == SIZE and transfer.reply.length == 2
    return transfer


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Transfer, Transfer]:
    """The transfer on Linux and in the simulator (run once for the module's tests)."""
    tmp = tmp_path_factory.mktemp("linux_vs_sim")
    return linux_transfer(tmp), sim_transfer(tmp)


# ------------------------------------------------------------------ the comparisons
def test_handshake_announces_the_same_options(both):
    """SYN and SYN,ACK: the same option kinds (MSS, window scale) and the same MSS on both stacks."""
    linux, sim = both
    for from_client in (True, False):
        assert linux.announced(from_client) == sim.announced(from_client) == {2, 3}
        assert linux.handshake(from_client).mss == sim.handshake(from_client).mss == MSS
        assert linux.handshake(from_client).window_shift is not None
        assert sim.handshake(from_client).window_shift is not None


def test_segments_are_full_sized_but_the_last(both):
    """The same segment sizes: every data segment carries one MSS except the last, the same short tail."""
    linux, sim = both
    expected = [MSS] * (SIZE // MSS) + [SIZE % MSS]
    assert [s.length for s in linux.data] == expected
    assert [s.length for s in sim.data] == expected


def test_the_first_segments_are_acked_one_by_one(both):
    """Quick ACKs while the connection starts: the first data is acked at once, segment by segment, on both
    (Linux may fold a few when its receiver is busy: 12 of the first 16 is the bar)."""
    linux, sim = both
    for transfer in (linux, sim):
        acks = transfer.data_acks
        assert acks[0][1] == MSS
        assert sum(1 for _, acked in acks[:QUICK_ACKS] if acked == MSS) >= 12
    assert [acked for _, acked in sim.data_acks[:QUICK_ACKS]] == [MSS] * QUICK_ACKS


def test_then_every_second_segment_is_acked(both):
    """After the quick ACKs, the simulator acks every second full-sized segment (RFC 1122 4.2.3.2, as
    Linux's __tcp_ack_snd_check); Linux acks at least that often or stretches (its receiver coalesces
    what arrives while it is busy). Neither leaves data waiting for the delayed-ACK timer."""
    linux, sim = both
    bulk = [acked for _, acked in sim.data_acks[QUICK_ACKS:-1]]
    assert bulk and set(bulk) == {2 * MSS}
    for transfer in (linux, sim):
        assert transfer.longest_ack_wait() < DELAYED_ACK / SECOND


def test_the_short_last_segment_is_not_held_back(both):
    """The short last segment follows the full ones at once on both (Minshall's Nagle: no short segment
    is unacknowledged); strict Nagle plus a delayed ACK held it for the ACK timer."""
    linux, sim = both
    for transfer in (linux, sim):
        *_, before, last = transfer.data
        assert last.length < MSS and last.time - before.time < DELAYED_ACK / SECOND


@functools.cache
def netem_missing() -> str | None:
    """Why links cannot be given a delay here (None when sch_netem is there)."""
    lab = Lab()
    try:
        a, b = lab.namespace("h"), lab.namespace("h")
        lab.link(a, b, "198.18.0.1/24", "198.18.0.2/24")
        tried = a.run("tc", "qdisc", "add", "dev", "eth0", "root", "netem", "delay", "1ms", check=False)
    finally:
        lab.close()
    if tried.returncode == 0:
        return None
    return f"this kernel has no sch_netem (tc says: {tried.stderr.strip()}); completion times need link delay"


def test_completion_time_with_delay_is_within_20_percent(tmp_path):
    """With 5 ms each way (netem on Linux, the link's delay in the simulator) the transfer takes within 20%
    of the kernel's time."""
    reason = netem_missing()
    if reason is not None:
        pytest.skip(reason)
    linux = linux_transfer(tmp_path, delay=NETEM_ONE_WAY)
    sim = sim_transfer(tmp_path, delay=5 * MILLISECOND)
    assert abs(sim.duration - linux.duration) <= 0.2 * linux.duration, (sim.duration, linux.duration)
