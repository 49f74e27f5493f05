"""`lanlab real run|up|exec|down|clean` and `lanlab compare` on the kernel (root + iproute2; skip otherwise)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netlab import netns_unavailable_reason

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SEED = Path(os.environ.get("LANLAB_SEED", REPO.parent / "shared" / "seed")) / "programs"
pytestmark = pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
needs_seed = pytest.mark.skipif(not SEED.is_dir(), reason=f"the note's programs are not at {SEED} (set LANLAB_SEED)")


def lanlab(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lanlab", *args], capture_output=True, text=True, timeout=timeout)


def root_state() -> dict[str, object]:
    """The machine's own namespace: interfaces (name, addresses), routes, neighbours (ip, MAC)."""
    def ip_json(*argv: str) -> list[dict]:
        return json.loads(subprocess.run(["ip", "-j", *argv], capture_output=True, text=True, check=True).stdout or "[]")
    links = sorted((link["ifname"], tuple(sorted(a["local"] for a in link.get("addr_info", []))))
                   for link in ip_json("address", "show") if not link["ifname"].startswith(("veth", "ll")))
    routes = sorted(json.dumps(route, sort_keys=True) for route in ip_json("route", "show", "table", "all"))
    neighbours = sorted((n["dst"], n.get("lladdr")) for n in ip_json("neigh", "show") if "lladdr" in n)
    return {"links": links, "routes": routes, "neighbours": neighbours}


def ours(pid: int) -> list[str]:
    """The namespaces of the run lanlab process `pid` makes (lanlab-rPID-NODE)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"lanlab-r{pid}-")]


def popen(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lanlab", *args], **kwargs)


EXAMPLE_RUNS = {
    "hub_vs_switch": ["--do", "pc1 ping pc3 -c 2 -i 0.2", "--do", "at 1s pc1 ping pc2 -c 2 -i 0.2"],
    "broadcast": ["--do", "pc2 udp listen 7788 --reply hello", "--do", "pc3 udp listen 7788 --reply hi",
                  "--do", "pc4 udp listen 7788 --reply hey", "--do", "pc1 udp broadcast Hi --port 7788 --wait 1"],
    "rip-ring": ["--do", "at 8s pc1 ping pc3 -c 2 -i 0.5", "--do", "at 10s r1 route"],
    "stp": [],  # the file's own events: pc1 pings pc2 from 40 s, after 802.1D's 30 s of listening and learning
    "arp": ["--do", "pc1 ping pc2 -c 2 -i 0.5", "--do", "at 1s pc1 ping 198.18.0.9 -c 1 -W 1",
            "--do", "at 2.5s pc1 arp"],
}


@pytest.mark.parametrize("example", sorted(EXAMPLE_RUNS))
def test_compare_finds_no_difference_on_the_examples(example):
    """hub_vs_switch, broadcast, arp, the RIP ring (BIRD 2) and the STP triangle (the kernel's 802.1D, the
    same root and blocked port): commands, ARP, MAC and routing tables agree."""
    until = {"rip-ring": "12s", "stp": "45.5s"}.get(example, "3s")  # RIP's first updates; STP's 30 s
    result = lanlab("compare", str(EXAMPLES / f"{example}.yaml"), "--until", until, *EXAMPLE_RUNS[example], "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["differences"] == []


NOTE_RUNS = {
    "tcp_server_once": ["--app", "pc1={}/tcp_server_once.py", "--app", "at 0.1s pc1={}/tcp_client.py",
                        "--stdin", "pc1=hello"],
    "tcp_server_loop": ["--app", "pc1={}/tcp_server_loop.py", "--app", "at 0.1s pc1={}/tcp_client.py",
                        "--stdin", "pc1=hello"],
    "udp_broadcast_sender": ["--app", "pc1={}/udp_broadcast_sender.py", "--do", "pc2 udp listen 7788 --reply hello",
                             "--do", "pc3 udp listen 7788 --reply hi"],
}


@needs_seed
@pytest.mark.parametrize("program", sorted(NOTE_RUNS))
def test_compare_finds_no_difference_on_the_notes_programs(program):
    """The note's four programs (server once/loop, client, broadcast sender) print the same on both."""
    args = [arg.format(SEED) for arg in NOTE_RUNS[program]]
    result = lanlab("compare", str(EXAMPLES / "broadcast.yaml"), "--until", "3s", *args, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["differences"] == []


def test_real_run_json_has_sim_runs_keys_and_removes_its_namespaces():
    """commands, tables (arp per host, mac per switch), network, until; nothing left afterwards."""
    process = popen("real", "run", str(EXAMPLES / "broadcast.yaml"), "--until", "2s", "--do", "pc1 ping pc2 -c 1",
                    "--json", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    document = json.loads(out)
    sim = json.loads(lanlab("sim", "run", str(EXAMPLES / "broadcast.yaml"), "--until", "2s", "--do",
                            "pc1 ping pc2 -c 1", "--json").stdout)
    assert {"network", "until", "commands", "tables"} <= set(document)
    assert set(document["commands"][0]["result"]) == set(sim["commands"][0]["result"])
    assert set(document["tables"]) == set(sim["tables"]) and document["tables"]["sw1"]["mac"]
    assert ours(process.pid) == []


def test_root_namespace_unchanged_after_a_run_and_after_a_killed_run_plus_clean():
    """Interfaces, routes and neighbours of the machine's own namespace are the same afterwards."""
    before = root_state()
    lanlab("real", "run", str(EXAMPLES / "hub_vs_switch.yaml"), "--until", "1s", "--do", "pc1 ping pc3 -c 1")
    assert root_state() == before
    process = popen("real", "run", str(EXAMPLES / "arp.yaml"), "--until", "30s", "--do", "pc1 ping pc2 -c 100",
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(ours(process.pid)) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # past the build: addresses and routes are in place
    assert len(ours(process.pid)) == 4  # three hosts and the switch stand
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert ours(process.pid), "a killed run leaves its namespaces"
    cleaned = lanlab("real", "clean")
    assert cleaned.returncode == 0 and "removed" in cleaned.stdout
    assert ours(process.pid) == []
    assert root_state() == before


def test_ctrl_c_removes_the_lab_and_exits_130():
    """SIGINT in the middle of a run: what it had is printed, the namespaces are gone, status 130."""
    process = popen("real", "run", str(EXAMPLES / "arp.yaml"), "--until", "30s", "--do", "pc2 udp listen 9 --reply x",
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(ours(process.pid)) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "udp listen" in out and ours(process.pid) == []


def test_up_exec_down():
    """`real up` leaves the lab standing, `real exec` runs inside a node, `real down` removes it."""
    try:
        up = lanlab("real", "up", str(EXAMPLES / "arp.yaml"))
        assert up.returncode == 0, up.stderr
        ping = lanlab("real", "exec", "pc1", "--", "lanlab", "ping", "-c", "1", "198.18.0.2")
        assert ping.returncode == 0 and "1 received" in ping.stdout
        address = lanlab("real", "exec", "pc3", "--", "ip", "-4", "-br", "address", "show", "eth0")
        assert "198.18.0.3/24" in address.stdout
        missing = lanlab("real", "exec", "nope", "--", "true")
        assert missing.returncode == 2 and "no node 'nope'" in missing.stderr
    finally:
        down = lanlab("real", "down")
    assert down.returncode == 0 and "removed 4 namespaces" in down.stdout


def test_bad_input_is_one_line_exit_2():
    """An unknown node in --do and a bad --until are one-line errors, no traceback, nothing built."""
    for args in (["--do", "pcX ping pc2"], ["--until", "soon"]):
        result = lanlab("real", "run", str(EXAMPLES / "arp.yaml"), *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
