"""lanlab.real.commands: --do words read on the kernel (no namespace needed for these)."""

from __future__ import annotations

import pytest

from lanlab.real.commands import parse_do, parse_traceroute, traceroute_argv
from lanlab.real.model import read_lab
from lanlab.real.netns import RealError

LINUX_TRACEROUTE = """traceroute to 198.18.2.10 (198.18.2.10), 30 hops max, 60 byte packets
 1  198.18.1.1  0.049 ms  0.005 ms  0.003 ms
 2  * 198.18.12.2  0.020 ms  198.18.12.9  0.004 ms
 3  198.18.2.10  0.018 ms  0.005 ms  0.004 ms
"""


def test_linux_traceroute_lines_become_the_simulators_hops():
    """Each probe is an address with its RTT, or None for a `*`; a new address starts mid-line."""
    result = parse_traceroute(LINUX_TRACEROUTE)
    assert result is not None and result["destination"] == "198.18.2.10" and result["reached"] is True
    assert [[None if p is None else p["address"] for p in hop["probes"]] for hop in result["hops"]] == [
        ["198.18.1.1"] * 3,
        [None, "198.18.12.2", "198.18.12.9"],
        ["198.18.2.10"] * 3,
    ]
    assert result["hops"][0]["probes"][0]["rtt_ms"] == 0.049


def test_an_unreachable_annotation_is_the_probes_note_and_not_reached():
    """`!H` after an RTT is that probe's note; a trace ended by it did not reach its target."""
    result = parse_traceroute(
        "traceroute to 198.18.2.99 (198.18.2.99), 30 hops max, 60 byte packets\n"
        " 1  198.18.1.1  0.04 ms\n 2  198.18.12.2  3051.765 ms !H  *\n"
    )
    assert result is not None and result["reached"] is False
    assert result["hops"][1]["probes"] == [{"address": "198.18.12.2", "rtt_ms": 3051.765, "note": "!H"}, None]
    assert parse_traceroute("traceroute: unknown host\n") is None


def lab(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text(
        "name: t\nnodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "  sw1: {kind: switch}\nlinks:\n  - [pc1:eth0, sw1:p1]\n  - [pc2:eth0, sw1:p2]\n"
    )
    return read_lab(path)


def test_traceroute_takes_the_simulators_flags_one_probe_at_a_time(tmp_path, monkeypatch):
    """-I, -m, -q, -p pass through, -w 500ms becomes 0.5 s, a node name its address, -N 1 added."""
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    argv = traceroute_argv(lab(tmp_path), ["pc2", "-I", "-m", "4", "-w", "500ms"])
    assert argv == ["traceroute", "-n", "-N", "1", "-I", "-m", "4", "-w", "0.5", "198.18.0.2"]
    with pytest.raises(RealError, match="simulator's words"):
        traceroute_argv(lab(tmp_path), ["pc2", "-z"])


def test_new_words_parse_and_unknown_ones_are_refused(tmp_path):
    """traceroute, tcp serve, tcp connect, stp and dig are kernel words now; `dhcp` alone is not."""
    words = [
        parse_do(lab(tmp_path), text).word
        for text in (
            "pc1 traceroute pc2",
            "pc2 tcp serve --port 7",
            "at 1s pc1 tcp connect pc2 7 --send x",
            "sw1 stp",
            "pc1 dig pc2",
        )
    ]
    assert words == ["traceroute", "tcp serve", "tcp connect", "stp", "dig"]
    with pytest.raises(RealError, match="does not run on the kernel"):
        parse_do(lab(tmp_path), "pc1 dhcp pc2")
