"""A --do result read on the kernel says what the simulator's says of the same result: whether a
ping was still at work when the run ended, and what a `udp send` without --wait prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lanlab.real.commands import lines, parse_do
from lanlab.real.model import read_lab
from netlab import netns_unavailable_reason

HUB_VS_SWITCH = Path(__file__).resolve().parents[2] / "examples" / "hub_vs_switch.yaml"


def sim_run(words: str, until: str, *json: str) -> str:
    """`sim run`'s output for the one --do command `words`."""
    argv = ["sim", "run", str(HUB_VS_SWITCH), "--until", until, "--do", words, *json]
    return subprocess.run([sys.executable, "-m", "lanlab", *argv], capture_output=True, text=True, timeout=120).stdout


def simulated(words: str, until: str) -> dict:
    """`sim run --json`'s entry for the command."""
    return json.loads(sim_run(words, until, "--json"))["commands"][0]


def on_the_kernel(words: str, until: str) -> dict:
    """`real run --json`'s entry for the command."""
    argv = ["real", "run", str(HUB_VS_SWITCH), "--until", until, "--do", words, "--json"]
    done = subprocess.run([sys.executable, "-m", "lanlab", *argv], capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout)["commands"][0]


def both_sides(*argv: str) -> dict[str, subprocess.CompletedProcess[str]]:
    """`sim run` and `real run` of hub_vs_switch to 1 s with the same further words."""
    return {
        side: subprocess.run(
            [sys.executable, "-m", "lanlab", side, "run", str(HUB_VS_SWITCH), "--until", "1s", *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        for side in ("sim", "real")
    }


@pytest.mark.parametrize(
    ("words", "until"),
    [
        ("pc1 ping 198.18.0.77 -c 2 -i 0.2", "2s"),  # nobody answers ARP: waiting for an answer or an error
        ("pc1 ping pc2 -c 2 -i 0.2", "2s"),  # every reply in: ended at once
        ("pc1 ping pc2 -c 50 -i 0.2", "2s"),  # requests left to send
        ("pc1 ping 198.18.0.255 -c 1 -b", "3s"),  # no host answers a broadcast ping: -W's 10 s
        ("pc1 ping 198.18.0.255 -c 1 -b -W 1", "3s"),  # ... or 1 s
    ],
)
def test_a_ping_is_cut_short_on_the_kernel_when_the_simulators_is(words, until):
    """The simulator's result held by a kernel --do command: cut short exactly when the simulator says so."""
    entry = simulated(words, until)
    command = parse_do(read_lab(HUB_VS_SWITCH), words)
    command.started, command.until, command.result = True, float(until.rstrip("s")), entry["result"]
    assert command.cut_short() == entry["cut_short"]


def test_udp_send_without_wait_says_it_sent_not_that_no_reply_came():
    """`udp send` with no --wait collects nothing: one datagram sent, printed as the simulator prints it."""
    lab = read_lab(HUB_VS_SWITCH)
    for words in ("pc3 udp send pc4 9 hello", "pc3 udp send pc4 9 hello --wait 1"):
        command = parse_do(lab, words)
        command.started, command.result = True, simulated(words, "2s")["result"]
        printed = sim_run(words, "2s").splitlines()[1:-1]  # between the heading and the run's summary
        assert lines(command) == printed


def test_a_udp_broadcast_without_wait_is_judged_by_its_replies():
    """`udp broadcast` waits 2 s when no --wait is written (tool_argv), so no reply is no answer (exit 1) as in
    the simulator, and a reply an answer; it was judged only with --wait written."""
    lab = read_lab(HUB_VS_SWITCH)
    for words in ("pc1 udp broadcast hi", "pc1 udp broadcast hi --wait 1"):
        command = parse_do(lab, words)
        command.started, command.result = True, simulated(words, "3s")["result"]
        assert command.answered() is False, words
        command.result = {**command.result, "replies": [{"from": "198.18.0.2", "text": "ok"}]}
        assert command.answered() is True, words


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_udp_broadcast_nobody_answers_exits_1_on_both_sides():
    """`pc1 udp broadcast hi` with nobody listening: "0 replies" and exit status 1 from `sim run` and `real run`."""
    for side in ("sim", "real"):
        argv = [side, "run", str(HUB_VS_SWITCH), "--until", "3s", "--do", "pc1 udp broadcast hi"]
        done = subprocess.run([sys.executable, "-m", "lanlab", *argv], capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "0 replies" in done.stdout.splitlines(), (side, done.stdout, done.stderr)


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_refused_tcp_connect_names_the_host_as_the_simulator_does():
    """`tcp connect pc2 7788` with nothing listening: the kernel's error names pc2, word for word the simulator's."""
    words = "pc1 tcp connect pc2 7788 --send hi"
    kernel = on_the_kernel(words, "2s")["result"]["error"]
    assert kernel == simulated(words, "2s")["result"]["error"] and "pc2:7788" in kernel


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_ping_timed_at_until_sends_its_first_request_as_the_simulators_does():
    """`at 1s pc1 ping pc2 -c 1` with --until 1s: one request sent on both sides, no error (it was exit 2)."""
    words = "at 1s pc1 ping pc2 -c 1"
    kernel = on_the_kernel(words, "1s")["result"]
    assert "error" not in kernel, kernel
    assert kernel["transmitted"] == simulated(words, "1s")["result"]["transmitted"] == 1


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
@pytest.mark.parametrize("option", [["--stdin", "pc2=x"], ["--arg", "pc1=1"], ["--stdin", "pc9=x"], ["--stdin", "bad"]])
def test_stdin_and_arg_mistakes_are_the_simulators_one_line(option):
    """For a node that runs no program, is not there, or no NODE= at all: sim run's line, exit 2, nothing built."""
    done = both_sides(*option)
    for side in done.values():
        assert side.returncode == 2 and len(side.stderr.splitlines()) == 1, side.stderr
    assert done["real"].stderr == done["sim"].stderr


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
@pytest.mark.parametrize(
    "words", ["pc1 tcp connect", "pc1 ping pc2 -c 0", "pc1 udp listen abc", "link pc1:eth0 sw1:p1 sideways"]
)
def test_do_words_the_simulator_refuses_are_refused_before_the_lab_is_built(words):
    """Missing or out-of-range arguments: sim run's one line, exit 2, before the build (tcp connect
    without HOST PORT crashed the kernel's report; the others were error lines after a whole run)."""
    done = both_sides("--do", words)
    for side in done.values():
        assert side.returncode == 2 and side.stdout == "" and len(side.stderr.splitlines()) == 1, side.stderr
    assert done["real"].stderr == done["sim"].stderr


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_hosts_word_on_a_switch_or_hub_is_the_simulators_error():
    """ping on a switch, udp listen on a hub: the simulator's error lines (the kernel ran the tools in
    the bridges' namespaces: ping said Network is unreachable, the hub listened)."""
    do = ["--do", "sw1 ping pc1 -c 1", "--do", "hub1 udp listen 99", "--do", "sw1 arp", "--do", "hub1 mac"]
    printed = {side: done.stdout.splitlines()[:-1] for side, done in both_sides(*do).items()}  # but the summary
    assert printed["real"] == printed["sim"]
    assert "error: sw1 is a switch: ping runs on hosts and routers" in printed["real"]


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_routers_route_table_is_printed_as_the_simulator_prints_it():
    """`r1 route` on the kernel: the simulator's heading and one aligned line per route (it printed the
    result's raw JSON); the connected routes read alike on both sides."""
    words = ["--do", "r1 route"]
    ring = str(Path(__file__).resolve().parents[2] / "examples" / "rip-ring.yaml")
    printed = {}
    for side in ("sim", "real"):
        done = subprocess.run(
            [sys.executable, "-m", "lanlab", side, "run", ring, "--until", "1s", *words],
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = done.stdout.splitlines()
        printed[side] = lines[lines.index("[0s] r1$ route") + 1 : -1]  # to the run's summary
    assert printed["real"][0] == printed["sim"][0] and printed["real"][0].split()[:2] == ["prefix", "via"]
    connected = {side: sorted(line for line in lines if "connected" in line) for side, lines in printed.items()}
    assert connected["real"] and [line.rsplit(None, 1)[0] for line in connected["real"]] == [
        line.rsplit(None, 1)[0] for line in connected["sim"]
    ]


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_an_app_on_a_switch_or_a_folder_is_refused_in_the_simulators_words(tmp_path):
    """--app on a switch, or naming a folder: real run said "no host called 'sw1'" and "no such file";
    both back ends now give sim run's one line (cli.sim_apps.app_problem), exit 2."""
    program = tmp_path / "prog.py"
    program.write_text("print('hi')\n")
    for app in (f"sw1={program}", f"pc1={tmp_path}", f"pc9={program}"):
        done = both_sides("--app", app)
        for side in done.values():
            assert side.returncode == 2 and len(side.stderr.splitlines()) == 1, side.stderr
        assert done["real"].stderr == done["sim"].stderr


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_ping_of_a_node_names_who_answered_on_both_sides():
    """`pc1 ping pc3 -c 1`: "64 bytes from pc3 (198.18.0.3)" on the kernel as in the simulator (iputils' pr_addr in
    the namespace, whose /etc/hosts lists every node); the kernel printed the address alone."""
    replies = {
        side: [line for line in done.stdout.splitlines() if " bytes from " in line]
        for side, done in both_sides("--do", "pc1 ping pc3 -c 1").items()
    }
    for side, lines_seen in replies.items():
        assert len(lines_seen) == 1 and lines_seen[0].startswith("64 bytes from pc3 (198.18.0.3): icmp_seq=1 "), side


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_traceroute_names_its_target_and_hops_on_both_sides():
    """`pc1 traceroute pc3`: "traceroute to pc3 (198.18.0.3)" and " 1  pc3 (198.18.0.3)" on the kernel as in the
    simulator (Linux traceroute without -n, the namespace's /etc/hosts); with -n the address alone on both. The
    kernel ran it with -n and printed "198.18.0.3 (198.18.0.3)"."""
    for words, hop in (
        ("pc1 traceroute pc3 -q 1", " 1  pc3 (198.18.0.3)"),
        ("pc1 traceroute pc3 -q 1 -n", " 1  198.18.0.3"),
    ):
        for side, done in both_sides("--do", words).items():
            printed = done.stdout.splitlines()
            start = next(i for i, line in enumerate(printed) if line.startswith("traceroute to "))
            assert printed[start].startswith("traceroute to pc3 (198.18.0.3), 30 hops max"), (side, done.stdout)
            assert re.sub(r"  [0-9.]+ ms", "", printed[start + 1]) == hop, (side, done.stdout)
