"""`lanlab sim check|run`: exit statuses, the --json document and --trace jsonl keys exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUB = str(EXAMPLES / "hub_vs_switch.yaml")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_check_warns_of_a_host_in_another_subnet_than_its_router_and_exits_0(tmp_path: Path):
    """A host cabled to a router interface of another subnet loads and runs: check says ok on stdout, the
    mistake as a warning on stderr, exit status 0."""
    path = tmp_path / "wrong.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.1.10/24}\n"
        "  r1: {kind: router, interfaces: {eth0: 198.18.2.1/24}}\nlinks:\n  - [pc1:eth0, r1:eth0]\n"
    )
    result = invoke("sim", "check", str(path))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{path}: ok: ")
    assert result.stderr == (
        f"{path}: warning: pc1:eth0 (198.18.1.10/24) shares a segment with router interface r1:eth0 "
        "(198.18.2.1/24) but not its subnet: that router cannot be its gateway\n"
    )


def test_check_ok_and_all_errors_with_exit_2(tmp_path: Path):
    """check says ok for a good file; for a bad one prints every FILE:LINE problem and exits 2."""
    assert invoke("sim", "check", HUB).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  a: {kind: host}\n  b: {kind: blender}\nlinks:\n  - [a:eth0, c:p1]\n")
    result = invoke("sim", "check", str(bad))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{bad}:2", f"{bad}:3", f"{bad}:5"]
    assert "Traceback" not in result.output


def test_run_json_document_has_exactly_the_issue_keys():
    """--json: network, until, events, commands (node, command, at, result, cut_short), tables, links."""
    result = invoke(
        "sim",
        "run",
        HUB,
        "--until",
        "3s",
        "--json",
        "--do",
        "pc2 udp listen 7788 --reply hello",
        "--do",
        "pc4 udp listen 7788 --reply hey",
        "--do",
        "pc1 udp broadcast Hi --port 7788 --wait 1",
        "--do",
        "at 1.5s pc1 ping pc3 -c 3 -i 0.2 -s 64",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc) == {"network", "until", "events", "commands", "tables", "links"}
    assert doc["network"] == "hub-vs-switch" and doc["until"] == 3.0 and doc["events"] > 0
    assert [set(c) for c in doc["commands"]] == [{"node", "command", "at", "result", "cut_short"}] * 4
    assert [c["cut_short"] for c in doc["commands"]] == [False] * 4  # listeners never end; the rest finished
    broadcast, ping = doc["commands"][2], doc["commands"][3]
    assert sorted(r["from"] for r in broadcast["result"]["replies"]) == ["198.18.0.2", "198.18.0.4"]
    assert {"from", "text"} <= set(broadcast["result"]["replies"][0])
    assert ping["at"] == 1.5 and ping["command"] == "ping pc3 -c 3 -i 0.2 -s 64"
    assert ping["result"]["transmitted"] == 3 and ping["result"]["received"] == 3
    assert len(ping["result"]["rtt_ms"]) == 3
    assert set(doc["tables"]["sw1"]) == {"mac"} and set(doc["tables"]["sw1"]["mac"][0]) == {"mac", "port", "age"}
    assert set(doc["tables"]["pc1"]) == {"arp"} and set(doc["tables"]["pc1"]["arp"][0]) == {"ip", "mac", "interface"}
    link_keys = {"a", "b", "frames", "bytes", "drops", "collisions", "frames_per_s"}  # frames_per_s: issue 8
    assert [set(link) for link in doc["links"]] == [link_keys] * 5


def test_a_command_the_run_ends_in_the_middle_of_says_it_was_cut_short():
    """A ping still sending, a udp broadcast still waiting, a listener short of its --count, a tcp connect
    still connected and a command after --until are cut_short, with a line saying so; finished ones are not."""
    commands = [
        "pc1 ping pc2 -c 100",
        "pc1 ping pc3 -c 2 -i 0.2",
        "pc1 udp broadcast Hi --wait 5",
        "pc2 udp listen 9 --count 3",
        "pc4 tcp serve --port 7",
        "pc3 tcp connect pc4 7 --send hi --wait 9",
        "at 4s pc1 ping pc2",
    ]
    args = [word for command in commands for word in ("--do", command)]
    doc = json.loads(invoke("sim", "run", HUB, "--until", "3s", "--json", *args).stdout)
    assert [c["cut_short"] for c in doc["commands"]] == [True, False, True, True, False, True, True]
    text = invoke("sim", "run", HUB, "--until", "3s", *args).output
    assert text.count("(cut short: the run ended at 3s while the command was still running)") == 4
    assert text.count("(not started: --until ended the run first)") == 1
    finished = invoke("sim", "run", HUB, "--until", "3s", "--do", "pc1 ping pc3 -c 2 -i 0.2").output
    assert "cut short" not in finished


def test_trace_jsonl_has_exactly_the_issue_keys_and_filter_works():
    """Every line has t, device, port, kind, proto, summary, frame; --filter arp keeps only ARP."""
    result = invoke(
        "sim", "run", HUB, "--until", "1s", "--trace", "jsonl", "--filter", "arp", "--do", "pc1 ping pc2 -c 1"
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events and all(set(e) == {"t", "device", "port", "kind", "proto", "summary", "frame"} for e in events)
    assert {e["proto"] for e in events} == {"ARP"}
    request = [e for e in events if e["summary"].startswith("Who has")]
    assert len({e["frame"] for e in request}) == 1  # one frame id for the request and all its copies
    assert {"tx", "rx", "flood", "learn", "deliver", "drop"} <= {e["kind"] for e in events}


def test_trace_jsonl_keeps_stdout_for_events_and_says_the_rest_on_stderr(tmp_path: Path):
    """With --trace jsonl the commands' output, --show tables, program lines and the summary go to stderr,
    and every stdout line is an event (they were lost)."""
    program = tmp_path / "hello.py"
    program.write_text("print('hello from the program')\n")
    result = invoke(
        "sim",
        "run",
        HUB,
        "--until",
        "1s",
        "--trace",
        "jsonl",
        "--show",
        "mac",
        "--do",
        "pc1 ping pc2 -c 1",
        "--app",
        f"pc3={program}",
    )
    assert result.exit_code == 0, result.output
    assert all(json.loads(line)["kind"] for line in result.stdout.splitlines())
    for text in ("1 packets transmitted, 1 received", "sw1 MAC table", "hello from the program", "ran 'hub"):
        assert text in result.stderr


def test_trace_table_and_show():
    """--trace table prints a header and rows; --show mac,arp prints the tables."""
    result = invoke(
        "sim", "run", HUB, "--until", "1s", "--trace", "table", "--show", "mac,arp", "--do", "pc1 ping pc3 -c 1"
    )
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split()[:4] == ["time", "(s)", "device", "port"]
    assert "Echo (ping) request" in result.output and "sw1 MAC table" in result.output
    assert "pc1 ARP table" in result.output


def test_no_answer_exits_1_and_bad_input_exits_2_in_one_line(tmp_path: Path):
    """A ping nobody answers gives 1; a bad --do, --until or --show gives 2 and one line."""
    assert invoke("sim", "run", HUB, "--until", "5s", "--do", "pc1 ping 198.18.0.77 -c 1").exit_code == 1
    for args in (
        ("--do", "pc9 ping pc1"),
        ("--do", "pc1 fly away"),
        ("--do", "pc1 ping"),
        ("--until", "soon"),
        ("--show", "routes"),
        ("--capture", "pc1:eth0"),
    ):
        result = invoke("sim", "run", HUB, *args)
        assert result.exit_code == 2, args
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output, result.output


def test_pcap_option_writes_a_capture(tmp_path: Path):
    """--pcap OUT.pcap with one --capture writes that link; the report says how to open it."""
    out = tmp_path / "pc1.pcap"
    result = invoke(
        "sim", "run", HUB, "--until", "1s", "--pcap", str(out), "--capture", "pc1:eth0", "--do", "pc1 ping pc2 -c 1"
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 24 and f"tshark -r {out}" in result.output


def test_multicast_listener_joins_its_group():
    """udp listen --group joins: a datagram to the group reaches members, not the others."""
    result = invoke(
        "sim",
        "run",
        str(EXAMPLES / "broadcast.yaml"),
        "--until",
        "1s",
        "--json",
        "--do",
        "pc2 udp listen 5000 --group 239.1.2.3",
        "--do",
        "pc3 udp listen 5000",
        "--do",
        "at 0.1s pc1 udp send 239.1.2.3 5000 to-the-group",
    )
    assert result.exit_code == 0, result.output
    listen2, listen3, _ = json.loads(result.output)["commands"]
    assert [r["text"] for r in listen2["result"]["received"]] == ["to-the-group"]
    assert listen3["result"]["received"] == []


def test_a_command_that_cannot_run_is_reported_and_exits_2():
    """No route, a port in use or a command on a switch: the run finishes, the error is shown, exit 2."""
    result = invoke(
        "sim",
        "run",
        HUB,
        "--until",
        "1s",
        "--do",
        "pc1 ping 8.8.8.8 -c 1",
        "--do",
        "pc2 udp listen 7788",
        "--do",
        "pc2 udp listen 7788",
        "--do",
        "sw1 arp",
    )
    assert result.exit_code == 2
    assert "error: connect: Network is unreachable (no route to 8.8.8.8" in result.output
    assert "error: UDP port 7788 is already in use" in result.output
    assert "error: sw1 is a switch: arp runs on hosts" in result.output
    assert "Traceback" not in result.output


def test_same_events_and_capture_bytes_across_processes(tmp_path: Path):
    """Two processes with different hash seeds print the same event list and write the same pcapng."""
    import os
    import subprocess
    import sys

    outputs = []
    for hash_seed in ("1", "2"):
        capture = tmp_path / f"run{hash_seed}.pcapng"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "lanlab",
                "sim",
                "run",
                str(EXAMPLES / "collisions.yaml"),
                "--until",
                "1s",
                "--trace",
                "jsonl",
                "--pcap",
                str(capture),
                "--do",
                "hc udp listen 9",
                "--do",
                "ha udp send hc 9 a",
                "--do",
                "hb udp send hc 9 b",
                "--do",
                "at 0.5s sa ping sc -c 2 -i 0.1",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        assert done.returncode == 0, done.stderr
        outputs.append((done.stdout, capture.read_bytes()))
    assert outputs[0] == outputs[1]
    assert '"kind": "collision"' in outputs[0][0]


def test_switch_table_shown_at_any_time():
    """--do "at T sw1 mac" shows the table as it was then; ageing empties it later."""
    topology = EXAMPLES / "broadcast.yaml"
    result = invoke(
        "sim",
        "run",
        str(topology),
        "--until",
        "400s",
        "--json",
        "--do",
        "pc1 ping pc2 -c 1",
        "--do",
        "at 1s sw1 mac",
        "--do",
        "at 350s sw1 mac",
        "--do",
        "pc1 mac",
    )
    doc = json.loads(result.output)
    early, late, wrong = doc["commands"][1:]
    assert [row["port"] for row in early["result"]["mac"]] == ["p1", "p2"]
    assert late["result"]["mac"] == []  # 300 s ageing
    assert wrong["result"] == {"error": "pc1 is a host: only switches have a MAC table"}
    assert result.exit_code == 2


def test_show_a_table_no_node_holds_says_so_in_one_line(tmp_path: Path):
    """--show mac with no switch (or arp with no host) prints one line saying why, not nothing."""
    hubs = tmp_path / "hubs.yaml"
    hubs.write_text(
        "nodes:\n  a: {kind: host, ip: 198.18.0.1/24}\n  hub1: {kind: hub}\nlinks:\n  - [a:eth0, hub1:p1]\n"
    )
    switches = tmp_path / "switches.yaml"
    switches.write_text("nodes:\n  sw1: {kind: switch}\n  sw2: {kind: switch}\nlinks:\n  - [sw1:p1, sw2:p1]\n")
    result = invoke("sim", "run", str(hubs), "--until", "1s", "--show", "mac")
    assert result.exit_code == 0 and "--show mac: no switch in this network" in result.output
    result = invoke("sim", "run", str(switches), "--until", "1s", "--show", "arp,mac")
    assert "--show arp: no host or router in this network" in result.output
    assert "--show mac:" not in result.output and "sw1 MAC table" in result.output


def test_filter_takes_device_names_and_event_kinds():
    """--filter hub1,flood keeps every event of device hub1 and every flood, nothing else."""
    result = invoke(
        "sim", "run", HUB, "--until", "1s", "--trace", "jsonl", "--filter", "HUB1,flood", "--do", "pc1 ping pc3 -c 1"
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(e["device"] == "hub1" or e["kind"] == "flood" for e in events)
    assert {e["device"] for e in events} >= {"hub1", "sw1"}
    assert any(e["device"] == "sw1" and e["kind"] == "flood" for e in events)


def test_trace_jsonl_with_json_puts_the_event_list_in_the_document():
    """--trace jsonl --json: one document whose 'events' are the JSON lines --trace jsonl prints."""
    args = ("sim", "run", HUB, "--until", "1s", "--trace", "jsonl", "--filter", "icmp", "--do", "pc1 ping pc3 -c 1")
    lines = [json.loads(line) for line in invoke(*args).stdout.splitlines()]
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["events"] == lines and len(lines) > 2
    assert doc["commands"][0]["result"]["received"] == 1
    assert invoke(*args[:-2], "--trace", "table", "--json").exit_code == 2


def test_ping_prints_replies_and_errors_in_the_order_they_happen(tmp_path: Path):
    """Errors while the cable is out (ARP fails) print before the replies that come once it is back."""
    path = tmp_path / "two.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "links:\n  - [pc1:eth0, pc2:eth0]\n"
    )
    result = invoke(
        "sim",
        "run",
        str(path),
        "--until",
        "20s",
        "--do",
        "at 0s link pc1:eth0 pc2:eth0 down",
        "--do",
        "at 6s link pc1:eth0 pc2:eth0 up",
        "--do",
        "pc1 ping pc2 -c 10 -i 1",
    )
    lines = [line for line in result.output.splitlines() if "bytes from" in line or "Unreachable" in line]
    kinds = ["reply" if "bytes from" in line else "error" for line in lines]
    assert kinds == sorted(kinds, key=lambda kind: kind == "reply") and "error" in kinds and "reply" in kinds


def test_counts_read_in_the_singular_and_plural(tmp_path: Path):
    """One frame on one link reads "1 frame on 1 link" (it read "1 frames on 1 links"), in sim run's
    closing line and sim check's; many stay plural."""
    pair = tmp_path / "pair.yaml"
    pair.write_text(
        "name: pair\nnodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "links:\n  - [pc1:eth0, pc2:eth0]\n"
    )
    one = invoke("sim", "run", str(pair), "--until", "1s", "--do", "pc1 udp broadcast hi --wait 0")
    assert one.exit_code == 1, one.output  # nobody answers the broadcast: no answer, as the real one says
    assert one.output.splitlines()[-1] == "ran 'pair' to 1s: 3 events, 1 frame on 1 link"
    assert invoke("sim", "check", str(pair)).output == f"{pair}: ok: network 'pair', 2 nodes, 1 link\n"
    none = invoke("sim", "run", str(pair), "--until", "1s")
    assert none.output.splitlines()[-1] == "ran 'pair' to 1s: 0 events, 0 frames on 1 link"
    many = invoke("sim", "run", HUB, "--until", "1s", "--do", "pc1 ping pc3 -c 1")
    assert many.output.splitlines()[-1].endswith(" frames on 5 links")
    chinese = invoke("--lang", "zh", "sim", "run", str(pair), "--until", "1s", "--do", "pc1 udp broadcast hi --wait 0")
    assert chinese.output.splitlines()[-1] == "运行 'pair' 到 1s：3 个事件，1 条链路上共 1 帧"


def test_a_link_rate_that_rounds_to_nothing_or_overflows_is_a_line_of_the_file(tmp_path):
    """rate: 0.1 (0 bps: a frame that never ends) and rate: 1e300Gbps (infinity) are FILE:LINE mistakes for
    check, run and domains, exit 2 (they were ZeroDivisionError and OverflowError tracebacks)."""
    topology = tmp_path / "t.yaml"
    topology.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
        "  hub1: {kind: hub}\nlinks:\n  - {endpoints: [pc1:eth0, hub1:p1], rate: 0.1}\n"
        "  - {endpoints: [pc2:eth0, hub1:p2], rate: 1e300Gbps}\n"
    )
    for command in (["check"], ["run", "--until", "1s"], ["domains"]):
        result = invoke("sim", *command, str(topology))
        assert result.exit_code == 2, result.output
        assert (
            f"{topology}:6: link: rate: '0.1'" in result.output
            and f"{topology}:7: link: rate: '1e300Gbps'" in result.output
        )
        assert "Traceback" not in result.output


def test_the_max_events_help_names_the_storm_allowance_in_both_languages():
    """sim run --help gives the storm allowance sim.report uses, and the Chinese help is Chinese (it was English:
    an f-string the catalogue could not hold)."""
    from lanlab.sim.report import EVENTS_AFTER_STORM

    assert f"{EVENTS_AFTER_STORM:,} events after a broadcast storm" in " ".join(
        invoke("sim", "run", "--help").output.split()
    )
    chinese = "".join(invoke("--lang", "zh", "sim", "run", "--help").output.split())  # wrapped anywhere
    assert f"再过{EVENTS_AFTER_STORM:,}个事件" in chinese and "Stoptherunafter" not in chinese


@pytest.mark.parametrize(
    ("nodes", "line", "problem"),
    [
        (
            '  pc1: {kind: host, ip: 198.18.0.1/24, mac: "01:00:5e:00:00:01"}\n',
            2,
            "node pc1: mac: 01:00:5e:00:00:01 is a group address (its I/G bit is set)",
        ),
        (
            "  pc1: {kind: host, ip: 198.18.0.1/24, gateway: 198.18.0.255}\n",
            2,
            "node pc1: gateway 198.18.0.255 is its subnet's network or broadcast address",
        ),
        (
            "  pc1: {kind: host, ip: 198.18.0.1/24, gateway: 198.18.0.0}\n",
            2,
            "node pc1: gateway 198.18.0.0 is its subnet's network or broadcast address",
        ),
        (
            "  r1:\n    kind: router\n    interfaces:\n      eth0: 198.18.5.1/24\n      eth0: 198.18.6.1/24\n",
            6,
            "node r1: interfaces: eth0 given twice",
        ),
        ('  "pc:3": {kind: host, ip: 198.18.0.3/24}\n', 2, "node name 'pc:3': a name has no ':'"),
        ('  "": {kind: host}\n', 2, "a node's name is empty; give one, like pc1"),
        ('  "  ": {kind: host}\n', 2, "a node's name is empty; give one, like pc1"),
        ('  "pc1 ": {kind: host}\n', 2, "node name 'pc1 ': a name neither starts nor ends with a space"),
        ('  "pc\\u202e1": {kind: host}\n', 2, "node name 'pc\\u202e1': a name holds no control or direction"),
        ('  "pc\\t1": {kind: host}\n', 2, "node name 'pc\\t1': a name holds no control or direction"),
        ('  "../../x": {kind: host}\n', 2, "node name '../../x': a name is no path"),
        ('  "/tmp/x": {kind: host}\n', 2, "node name '/tmp/x': a name is no path"),
        ('  "..": {kind: host}\n', 2, "node name '..': a name is no path"),
        ("  pc1: {kind: host, ip: 224.0.0.1/24}\n", 2, "node pc1: ip: 224.0.0.1 is a multicast group, not an"),
        ("  pc1: {kind: host, ip: 127.0.0.1/8}\n", 2, "node pc1: ip: 127.0.0.1 is a loopback address"),
        ("  pc1: {kind: host, ip: 240.0.0.1/24}\n", 2, "node pc1: ip: 240.0.0.1 is reserved (240.0.0.0/4)"),
    ],
    ids=[
        "group MAC",
        "broadcast gateway",
        "network gateway",
        "interface twice",
        "colon in name",
        "empty name",
        "blank name",
        "space after name",
        "bidi override in name",
        "tab in name",
        "parent folder in name",
        "absolute path as name",
        "dot dot as name",
        "multicast address",
        "loopback address",
        "reserved address",
    ],
)
def test_check_refuses_what_no_network_could_be(tmp_path, nodes, line, problem):
    """A group MAC on an interface (every switch would learn it), a gateway that is its subnet's network or
    broadcast address, an interface given twice (YAML kept the last silently), a node name with a colon
    (NODE:PORT could not name it), an empty, space-padded or unprintable name, a name that is a path (its
    host's folder would land outside --files: ../../x wrote in /) and an interface address no host may own
    (a group, 127/8, 240/4) are FILE:LINE mistakes, each saying its own reason (an empty name was said to
    hold a ':', the others were ok)."""
    topology = tmp_path / "t.yaml"
    topology.write_text("nodes:\n" + nodes + "links: []\n")
    result = invoke("sim", "check", str(topology))
    assert result.exit_code == 2
    assert result.output.startswith(f"{topology}:{line}: {problem}"), result.output


def test_a_host_with_two_interfaces_on_one_subnet_lists_each_neighbour_per_interface(tmp_path: Path):
    """A neighbour learned on eth0 and on eth1 is two ARP rows told apart by their interface, in the --do
    arp lines, the --show table and the JSON rows (they printed as the same row twice)."""
    topology = tmp_path / "two.yaml"
    topology.write_text(
        "nodes:\n  pc1:\n    kind: host\n    interfaces: {eth0: {ip: 198.18.0.1/24}, eth1: {ip: 198.18.0.11/24}}\n"
        "  pc2: {kind: host, ip: 198.18.0.2/24}\n  sw1: {kind: switch}\n"
        "links:\n  - [pc1:eth0, sw1:p1]\n  - [pc1:eth1, sw1:p3]\n  - [pc2:eth0, sw1:p2]\n"
    )
    does = ["--do", "pc2 ping 198.18.0.1 -c 1", "--do", "pc2 ping 198.18.0.11 -c 1", "--do", "at 1s pc1 arp"]
    text = invoke("sim", "run", str(topology), "--until", "2s", *does).output.splitlines()
    mac = text[text.index("[1s] pc1$ arp") + 1].split()[1]
    assert text[text.index("[1s] pc1$ arp") + 1 :][:2] == [
        f"  198.18.0.2      {mac}  eth0",
        f"  198.18.0.2      {mac}  eth1",
    ]
    doc = json.loads(invoke("sim", "run", str(topology), "--until", "2s", *does, "--json").stdout)
    rows = [(r["ip"], r["interface"]) for r in doc["tables"]["pc1"]["arp"]]
    assert rows == [("198.18.0.2", "eth0"), ("198.18.0.2", "eth1")]
    shown = invoke("sim", "run", str(topology), "--until", "2s", *does, "--show", "arp").output
    assert f"│ 198.18.0.2 │ {mac} │ eth1      │" in shown


def test_a_node_name_with_a_space_is_quoted_in_do_and_stays_quoted_in_what_is_shown(tmp_path: Path):
    """`--do "pc2 ping 'pc 1'"` reaches the node named 'pc 1'; the heading and the JSON command keep the
    quotes (shlex.join, as the kernel lab writes it), so the words read back are the words given."""
    topology = tmp_path / "spaced.yaml"
    topology.write_text(
        'nodes:\n  "pc 1": {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n'
        '  sw1: {kind: switch}\nlinks:\n  - ["pc 1:eth0", sw1:p1]\n  - [pc2:eth0, sw1:p2]\n'
    )
    does = ["--do", "pc2 ping 'pc 1' -c 1", "--do", "'pc 1' ping pc2 -c 1"]
    doc = json.loads(invoke("sim", "run", str(topology), "--until", "2s", *does, "--json").stdout)
    assert [(c["node"], c["command"]) for c in doc["commands"]] == [
        ("pc2", "ping 'pc 1' -c 1"),
        ("pc 1", "ping pc2 -c 1"),
    ]
    assert [c["result"]["received"] for c in doc["commands"]] == [1, 1]
    assert "[0s] pc2$ ping 'pc 1' -c 1" in invoke("sim", "run", str(topology), "--until", "2s", *does).output


def test_a_terminal_ten_columns_wide_still_shows_the_tables_words():
    """COLUMNS=10: --show arp still names its columns and rows (each cell was squeezed to nothing)."""
    result = CliRunner(env={"COLUMNS": "10"}).invoke(
        cli, ["sim", "run", HUB, "--do", "pc1 ping pc2 -c 1", "--show", "arp", "--until", "1s"]
    )
    assert result.exit_code == 0, result.output
    assert "IP" in result.output and "198.18.0.2" in result.output
