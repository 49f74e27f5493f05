"""iputils ping's output, line for line, from plain values: one wording for `lanlab ping` (the kernel's
sockets), the simulator's `--do ping` and the kernel lab's, so each reads as the real tool does and
they read the same (iputils 20221126, ping_common.c: main_loop's reply lines, finish()'s statistics).
A leaf: it imports nothing of lanlab's."""

from __future__ import annotations

import math
from ipaddress import IPv4Address
from typing import Final

TIMING_SIZE: Final = 16  # a struct timeval: iputils times a ping only when its data can carry one
ICMP_HEADER: Final = 8  # an echo request's type, code, checksum, identifier and sequence (RFC 792)
IP_HEADER: Final = 20  # without options, as ping sends it
# iputils' words when its probe's connect() to the target fails with EACCES (a broadcast address): without -b it
# stops (exit 2), with -b it warns on stderr and sets SO_BROADCAST (ping4_run)
BROADCAST_REFUSED: Final = "Do you want to ping broadcast? Then -b. If not, check your local firewall rules"
BROADCAST_WARNING: Final = "WARNING: pinging broadcast address"


def timed(data_size: int) -> bool:
    """Whether iputils prints round trips for `-s data_size`: only when the data can carry the send time."""
    return data_size >= TIMING_SIZE


def format_rtt(rtt_ns: int) -> str:
    """A round trip with iputils' precision: 0.045, 1.23, 12.3, 123 (ms)."""
    ms = rtt_ns / 1e6
    if ms >= 99.95:
        return f"{ms:.0f}"
    if ms >= 9.995:
        return f"{ms:.1f}"
    if ms >= 0.9995:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def header_line(target: str, address: str, size: int, source: str | None = None, device: str = "") -> str:
    """The first line: what was asked for, its address, the data's size and the datagram's; with -I, the source
    address and the device ("" for -I ADDRESS), as iputils' ping4_run prints them ("from SRC DEV: ")."""
    via = "" if source is None else f"from {source} {device}: "
    return f"PING {target} ({address}) {via}{size}({size + IP_HEADER + ICMP_HEADER}) bytes of data."


def named(address: str, name: str | None) -> str:
    """Who answered, as iputils' pr_addr shows it: "name (address)" when a reverse lookup found a name (a ping of
    a host name, without -n), else the address alone."""
    return f"{name} ({address})" if name else address


def marks_duplicates(broadcast: bool, destination: str) -> bool:
    """Whether iputils marks a duplicate reply (DUP!): not for a broadcast or multicast ping, where every host's
    answer after the first is one (ping_common.c: `dupflag && !multicast`)."""
    return not broadcast and not IPv4Address(destination).is_multicast


def reply_line(size: int, source: str, seq: int, ttl: int | None, rtt_ns: int | None, duplicate: bool = False) -> str:
    """One echo reply; `size` is the ICMP message's (data + 8), `rtt_ns` None when the data was too short
    to carry the send time (iputils then prints no time)."""
    shown_ttl = f" ttl={ttl}" if ttl is not None else ""
    shown_time = f" time={format_rtt(rtt_ns)} ms" if rtt_ns is not None else ""
    return f"{size} bytes from {source}: icmp_seq={seq}{shown_ttl}{shown_time}{' (DUP!)' if duplicate else ''}"


def error_line(source: str, seq: int, text: str) -> str:
    """An ICMP error about one request (or the host's own "Destination Host Unreachable" when ARP failed)."""
    return f"From {source} icmp_seq={seq} {text}"


def too_long_line(mtu: int) -> str:
    """A request -M do kept from leaving: bigger than the path MTU (iputils prints it on stderr)."""
    return f"ping: local error: message too long, mtu={mtu}"


def rtt_summary_ms(rtts_ns: list[int]) -> tuple[float, float, float, float] | None:
    """(min, avg, max, mdev) in milliseconds; mdev as iputils defines it: sqrt(E[x^2] - E[x]^2).

    Computed on integer nanoseconds so the subtraction is exact (floats cancel catastrophically).
    """
    if not rtts_ns:
        return None
    n, total = len(rtts_ns), sum(rtts_ns)
    variance_ns2 = (n * sum(x * x for x in rtts_ns) - total * total) / (n * n)
    return min(rtts_ns) / 1e6, total / n / 1e6, max(rtts_ns) / 1e6, math.sqrt(variance_ns2) / 1e6


def summary_lines(
    target: str,
    transmitted: int,
    received: int,
    duplicates: int,
    errors: int,
    elapsed_ns: int,
    rtt_ms: tuple[float, float, float, float] | None,
    pipe: int = 0,
) -> list[str]:
    """The statistics block after a blank line; the rtt line only with `rtt_ms` (min, avg, max, mdev: see
    rtt_summary_ms), which is None when no reply came or none was timed; "pipe N" after it (or alone) when
    `pipe`, the most requests out at once when an answer came, is over 1 (finish(): `pipesize > 1`)."""
    loss = 100.0 * (transmitted - received) / transmitted if transmitted else 0.0
    parts = [f"{transmitted} packets transmitted", f"{received} received"]
    if duplicates:
        parts.append(f"+{duplicates} duplicates")
    if errors:
        parts.append(f"+{errors} errors")
    parts += [f"{loss:g}% packet loss", f"time {round(elapsed_ns / 1e6)}ms"]
    lines = ["", f"--- {target} ping statistics ---", ", ".join(parts)]
    last = []
    if rtt_ms is not None:
        last.append("rtt min/avg/max/mdev = {:.3f}/{:.3f}/{:.3f}/{:.3f} ms".format(*rtt_ms))
    if pipe > 1:
        last.append(f"pipe {pipe}")
    if last:
        lines.append(", ".join(last))
    return lines
