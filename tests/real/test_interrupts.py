"""Ctrl-C at a terminal reaches the whole foreground process group: `real run` keeps what it
counted however often it is pressed, and the lab's tools and table reads hear it only from lanlab."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lanlab.real import netns
from netlab import netns_unavailable_reason

pytestmark = pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
HOSTS = 30  # enough namespaces that reading their tables takes the kernel lab a while


def one_switch(tmp_path: Path) -> Path:
    """HOSTS hosts h1.. on one switch."""
    path = tmp_path / "many.yaml"
    nodes = "".join(f"  h{i}: {{kind: host, ip: 198.18.0.{i}/24}}\n" for i in range(1, HOSTS + 1))
    links = "".join(f"  - [h{i}:eth0, sw1:p{i}]\n" for i in range(1, HOSTS + 1))
    path.write_text(f"name: many\nnodes:\n  sw1: {{kind: switch}}\n{nodes}links:\n{links}")
    return path


def ours(pid: int) -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"lanlab-r{pid}-")]


def test_ctrl_c_twice_keeps_the_counts_the_tables_and_removes_the_lab(tmp_path):
    """SIGINT to the run's process group, then again 0.1 s later: ping's counts, the ARP table and the summary
    are printed (not lost to the second press), exit 130, no namespace left."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "real", "run", str(one_switch(tmp_path)), "--until", "30s"]
        + ["--do", "h1 ping h2 -c 100 -i 0.2", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, as a terminal's foreground job
    )
    deadline = time.monotonic() + 60
    while len(ours(process.pid)) < HOSTS + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # built, and h1 has pinged h2 a few times
    for _ in range(2):
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(0.1)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and ours(process.pid) == [], err
    document = json.loads(out)
    ping = document["commands"][0]["result"]
    assert "error" not in ping and ping["received"] >= 1, ping
    assert [row["ip"] for row in document["tables"]["h1"]["arp"]] == ["198.18.0.2"]


def process_group(pid: int) -> int:
    """/proc/PID/stat after the name: state, ppid, pgrp."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])


def test_the_labs_tools_are_out_of_reach_of_the_terminals_ctrl_c(tmp_path):
    """A --do tool runs in a process group of its own, not the run's (which a terminal's Ctrl-C reaches
    whole): only lanlab SIGINTs it, once, for its report."""
    path = tmp_path / "two.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "links:\n  - [pc1:eth0, pc2:eth0]\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "real", "run", str(path), "--until", "30s"]
        + ["--do", "pc2 udp listen 7788", "--do", "pc1 ping pc2 -c 100 -i 0.2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        tools: list[int] = []
        groups: list[int] | None = None
        while (len(tools) != 2 or groups is None) and time.monotonic() < deadline:
            time.sleep(0.2)
            tools = [
                int(pid)
                for ns in ours(process.pid)
                for pid in subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            ]
            try:
                groups = [process_group(pid) for pid in tools]
            except FileNotFoundError:  # one ended between the listing and the read (a short command of the build)
                groups = None
        assert len(tools) == 2
        assert groups == tools  # each leads its own group
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert ours(process.pid) == []


def test_a_hangup_ends_the_run_as_ctrl_c_does(tmp_path):
    """SIGHUP (the terminal closed) in the middle of a run: what was counted is printed, the lab removed, exit 130."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "real", "run", str(one_switch(tmp_path)), "--until", "30s"]
        + ["--do", "h1 ping h2 -c 100 -i 0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(ours(process.pid)) < HOSTS + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)
    process.send_signal(signal.SIGHUP)
    out, err = process.communicate(timeout=60)
    left = ours(process.pid)
    if left:  # what the hang-up left, removed for the next test (this run's only)
        netns.remove(f"r{process.pid}")
    assert left == [] and process.returncode == 130, err
    assert "packets transmitted" in out and err.startswith("lanlab: interrupted at ")
