"""Bad input a user types gets one line saying what is wrong, exit status 2, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lanlab.cli.main import cli

TWO_HOSTS = (
    "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
    "links:\n  - [pc1:eth0, pc2:eth0]\n"
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    for word in words:
        assert word in last, last


@pytest.fixture
def topology(tmp_path: Path) -> str:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_HOSTS)
    return str(path)


@pytest.mark.parametrize("value", ["1e400", "1e30"])
def test_absurdly_long_duration_is_refused(value: str):
    """A duration too long for any timer (1e400 overflowed float, 1e30 overflowed select) is a usage error."""
    assert_one_line_error(invoke("udp", "send", "127.0.0.1", "9", "hi", "--wait", value), "too long")


def test_negative_duration_says_negative(topology: str):
    """--until -1 says a duration cannot be negative, not that -1 is not a number."""
    assert_one_line_error(invoke("sim", "run", topology, "--until", "-1"), "cannot be negative")


def test_huge_at_time_in_do_and_app(topology: str, tmp_path: Path):
    """`at 1e400` in --do and --app is a one-line error, not an OverflowError."""
    assert_one_line_error(invoke("sim", "run", topology, "--do", "at 1e400 pc1 ping pc2"), "too long")
    program = tmp_path / "p.py"
    program.write_text("print('hi')\n")
    assert_one_line_error(invoke("sim", "run", topology, "--app", f"at 1e400 pc1={program}"), "too long")


def test_binary_topology_file(tmp_path: Path):
    """A binary file given to sim check is 'not a text file', not a UnicodeDecodeError."""
    path = tmp_path / "garbage.yaml"
    path.write_bytes(b"\x00\x01\xff\xfegarbage")
    assert_one_line_error(invoke("sim", "check", str(path)), "not a text file")


@pytest.mark.parametrize(
    ("do", "words"),
    [
        ("pc1 udp send pc2 99999 hi", ("port", "1 to 65535")),
        ("pc1 udp broadcast hi --port 0", ("--port", "1 to 65535")),
        ("pc1 traceroute pc2 -p 70000", ("-p", "1 to 65535")),
        ("pc1 tcp serve --port 99999", ("--port", "1 to 65535")),
        ("pc1 tcp connect pc2 70000", ("port", "1 to 65535")),
        ("pc1 tcp serve --encoding klingon", ("unknown encoding 'klingon'",)),
        ("pc1 tcp connect pc2 7788 --encoding klingon", ("unknown encoding 'klingon'",)),
        ("pc1 tcp serve --encoding base64", ("'base64' is not a text encoding",)),
        ("pc1 tcp connect pc2 7788 --encoding rot13", ("'rot13' is not a text encoding",)),
        ("pc1 tcp serve --max-clients -1", ("--max-clients", "at least 1")),
        ("pc1 ping pc2 -s -5", ("-s", "0 to 65507")),
        ("pc1 ping pc2 -s 99999", ("-s", "0 to 65507")),
        ("pc1 ping pc2 -t 0", ("-t", "1 to 255")),
        ("pc1 ping pc2 -c x", ("-c", "not a whole number")),
        ("pc1 udp listen --count 0", ("--count", "at least 1")),
        ("pc1 udp broadcast --expect 0", ("--expect", "at least 1")),
        ("pc1 udp broadcast --to abc", ("--to", "not an IPv4 address")),
        ("pc1 udp listen 0", ("argument port: 0 is out of range",)),  # not argparse's dest, port_arg
        ("pc1 tcp serve --encoding latin-1 --reply 你好", ("--reply '你好' cannot be written in iso8859-1",)),
        ("pc1 tcp connect pc2 7788 --encoding ascii --send 你好", ("--send '你好' cannot be written in ascii",)),
    ],
)
def test_do_arguments_are_checked_when_parsed(topology: str, do: str, words: tuple[str, ...]):
    """--do arguments out of range are refused before the run (they crashed it or ran nonsense)."""
    assert_one_line_error(invoke("sim", "run", topology, "--do", do), *words)


def test_traceroute_probe_ports_must_fit(topology: str):
    """traceroute -p near 65535 is refused when the --do is parsed, before the run, saying how high -p may go."""
    result = invoke("sim", "run", topology, "--do", "pc1 traceroute pc2 -p 65530")
    assert_one_line_error(result, "--do 'pc1 traceroute pc2 -p 65530': argument -p:", "give -p at most 65446")
    assert "pc1$" not in result.output  # nothing ran
    assert invoke("sim", "run", topology, "--do", "pc1 traceroute pc2 -I -p 65530", "--until", "1s").exit_code != 2


def test_traceroute_probe_ports_are_refused_in_the_users_language(topology: str):
    """Under --lang zh the -p refusal is Chinese, the numbers as in English."""
    result = invoke("--lang", "zh", "sim", "run", topology, "--do", "pc1 traceroute pc2 -p 65530")
    assert_one_line_error(result, "参数 -p：UDP 探测包要用端口 65530 到 65619：-p 最多为 65446")


def test_app_directory_and_binary_file(topology: str, tmp_path: Path):
    """--app with a directory says so; a binary file is 'not valid Python' without '(line None)'."""
    assert_one_line_error(invoke("sim", "run", topology, "--app", f"pc1={tmp_path}"), "is a directory")
    garbage = tmp_path / "garbage.py"
    garbage.write_bytes(b"\x00\x01\xff")
    result = invoke("sim", "run", topology, "--app", f"pc1={garbage}")
    assert_one_line_error(result, "not valid Python")
    assert "None" not in result.output


def test_topology_mistakes_are_listed_once_with_scalar_names(tmp_path: Path):
    """A list where a value belongs is reported once per field; a non-word node name is named as such."""
    path = tmp_path / "odd.yaml"
    path.write_text("nodes:\n  pc1: {kind: host, ip: [1, 2]}\n  ? [a, b]\n  : {kind: host}\n")
    result = invoke("sim", "check", str(path))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{path}:2: node pc1: ip must be a single value",
        f"{path}:3: a node's name is one word, like pc1",
    ]


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["ping"], "lanlab ping --help"),
        (["ping", "-c", "0", "127.0.0.1"], "lanlab ping --help"),
        (["udp", "send", "127.0.0.1", "9", "hi", "--wait", "x"], "lanlab udp send --help"),
        (["frob"], "lanlab --help"),
        (["--bogus"], "lanlab --help"),
    ],
)
def test_usage_errors_are_one_line_naming_the_help(args: list[str], where: str):
    """A click usage error is one `lanlab: ...` line pointing at the right --help, exit 2."""
    result = invoke(*args)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith("lanlab: ") and f"(see `{where}`)" in result.output


def test_group_alone_still_shows_its_help():
    """`lanlab udp` with no subcommand lists the subcommands (click's help), not a one-line error."""
    result = invoke("udp")
    assert "broadcast" in result.output and "listen" in result.output


def test_ctrl_c_exits_130_not_no_answer(topology: str, monkeypatch: pytest.MonkeyPatch):
    """Ctrl-C in a command says 'interrupted' and exits 130 (click's default was 'Aborted!', status 1)."""
    import lanlab.sim

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(lanlab.sim, "load_topology", interrupted)
    result = invoke("sim", "check", topology)
    assert result.exit_code == 130
    assert result.output.strip() == "lanlab: interrupted"


def test_ctrl_c_in_a_sim_run_shows_the_counters_so_far(topology: str, monkeypatch: pytest.MonkeyPatch):
    """Ctrl-C in the middle of a run prints the report of what ran, the events counted, and exits 130."""
    from lanlab.sim.core.engine import Engine

    real_run = Engine.run

    def run_then_interrupt(self: Engine, until: int) -> int:
        real_run(self, 1_000_000)  # 1 ms of the ping, then the user presses Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(Engine, "run", run_then_interrupt)
    result = invoke("sim", "run", topology, "--do", "pc1 ping pc2 -c 3")
    assert result.exit_code == 130
    assert "64 bytes from pc2 (198.18.0.2): icmp_seq=1" in result.stdout
    assert result.stderr.startswith("lanlab: interrupted at sim time 0.001000 s after ")


def test_app_missing_file_names_it(topology: str):
    """--app with a file that is not there says 'no such file' and names it."""
    result = invoke("sim", "run", topology, "--app", "pc1=nowhere.py")
    assert_one_line_error(result, "no such file 'nowhere.py'")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["demo", "--pcap", "/nonexistent-dir/story.pcapng"], ("cannot write", "No such file or directory")),
        (["demo", "--pcap", "story.pcap"], ("ending in .pcapng",)),
        (["demo", "--real", "--pcap", "story.pcapng"], ("--pcap is for the simulated story",)),
    ],
)
def test_demo_capture_name_mistakes(args: list[str], words: tuple[str, ...]):
    """demo --pcap into a missing directory or with a .pcap name is one line (it was a traceback)."""
    assert_one_line_error(invoke(*args), *words)


def test_sim_capture_into_missing_directory(topology: str):
    """sim run --pcap into a missing directory says it cannot write there, without '[Errno 2]'."""
    result = invoke("sim", "run", topology, "--pcap", "/nonexistent-dir/run.pcapng")
    assert_one_line_error(result, "cannot write /nonexistent-dir/run.pcapng: No such file or directory")
    assert "Errno" not in result.output


def test_decode_cut_short_capture_keeps_its_frames(topology: str, tmp_path: Path):
    """A capture cut mid-frame shows the frames before the cut, then says it was cut short (exit 2)."""
    whole = tmp_path / "run.pcapng"
    assert invoke("sim", "run", topology, "--do", "pc1 ping pc2 -c 2", "--pcap", str(whole)).exit_code == 0
    cut = tmp_path / "cut.pcapng"
    cut.write_bytes(whole.read_bytes()[:-10])
    result = invoke("decode", str(cut))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert "Who has 198.18.0.2?" in lines[0]
    assert lines[-1].startswith(f"lanlab: {cut} appears to have been cut short after frame {len(lines) - 1} ")


def test_decode_empty_hex():
    """--hex with no digits is an error, not an empty 'Malformed Packet' with exit 0."""
    assert_one_line_error(invoke("decode", "--hex", ""), "--hex is empty")


@pytest.mark.parametrize("args", [["udp", "send", "", "9", "hi"], ["tcp", "connect", " ", "9"], ["ping", ""]])
def test_empty_host_is_refused(args: list[str]):
    """An empty HOST is an error (the socket API took it as 0.0.0.0: ping "" pinged this host)."""
    assert_one_line_error(invoke(*args), "the host is empty")


def test_filter_typo_is_warned_with_the_names_seen(topology: str):
    """--filter icpm (a typo) warns that it matched nothing and lists the names the run's events carry."""
    result = invoke("sim", "run", topology, "--do", "pc1 ping pc2 -c 1", "--trace", "jsonl", "--filter", "icpm,arp")
    assert result.exit_code == 0
    assert (
        "lanlab: warning: --filter icpm matched no event of this run "
        "(its events carry: arp, ethernet, icmp, ipv4; devices: pc1, pc2; kinds: deliver, rx, tx)"
    ) in result.stderr
    assert "--filter arp" not in result.stderr


def test_filter_without_trace_is_an_error(topology: str):
    """--filter alone would do nothing; it says to add --trace."""
    assert_one_line_error(invoke("sim", "run", topology, "--filter", "arp"), "add --trace table")


def test_stdin_for_a_node_without_a_program(topology: str):
    """--stdin for a node that runs no --app is an error (it was silently dropped)."""
    assert_one_line_error(invoke("sim", "run", topology, "--stdin", "pc1=hello"), "pc1 runs no program")


def test_ctrl_c_while_collecting_replies_reports_them(monkeypatch: pytest.MonkeyPatch):
    """Ctrl-C during udp send --wait prints the result so far (exit 1: no reply), not just 'interrupted'."""
    from lanlab.net import udp as net_udp

    def interrupted(*args: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(net_udp, "_ready", interrupted)
    result = invoke("udp", "send", "127.0.0.1", "9", "hi", "--wait", "30", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"sent": 1, "replies": []}


@pytest.mark.skipif(os.geteuid() != 0, reason="a packet socket needs root")
def test_arping_on_loopback_says_it_has_no_arp():
    """arping -I lo is refused in one line (it sent requests nobody can answer, then exit 1)."""
    assert_one_line_error(invoke("arping", "-I", "lo", "-c", "1", "127.0.0.1"), "lo is not an Ethernet interface")


@pytest.mark.parametrize(
    "args",
    [
        ["ping", "-c", "1", "-I", "", "127.0.0.1"],
        ["udp", "broadcast", "--interface", " ", "--to", "127.0.0.1", "--wait", "0.1"],
    ],
)
def test_empty_interface_is_refused(args: list[str]):
    """An empty -I/--interface is an error (it was taken as 'no interface given' and silently ignored)."""
    assert_one_line_error(invoke(*args), "the interface is empty")


def test_oui_empty_search():
    """oui --search "" is an error (it listed every one of the registries' prefixes)."""
    assert_one_line_error(invoke("oui", "--search", " "), "--search is empty")


def test_arping_dad_with_scan_is_refused():
    """arping -D --scan is refused in one line naming both (the scan silently ignored -D)."""
    # an interface that does not exist: without the check this must fail on it, never scan a real one
    result = invoke("arping", "-I", "lanlab-none0", "-D", "--scan", "198.18.0.0/30")
    assert_one_line_error(result, "-D checks one address", "--scan CIDR", "use one or the other")


def test_rich_markup_in_a_do_payload_is_printed_as_typed(topology: str):
    """'[/bold]' and '[red]x' in a --do command are text: no MarkupError, nothing eaten."""
    result = invoke(
        "sim",
        "run",
        topology,
        "--do",
        "pc1 udp send pc2 9 [/bold]",
        "--do",
        "pc2 udp listen 9",
        "--do",
        "at 0.5s pc1 udp send pc2 9 [red]x",
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "pc1$ udp send pc2 9 [/bold]" in result.output
    assert "'[red]x'" in result.output and "pc1$ udp send pc2 9 [red]x" in result.output


def test_rich_markup_in_node_and_network_names_is_printed_as_typed(tmp_path: Path):
    """A network named with '[/]' and nodes named with '[bold]' and '[red]' (no '/': a node's name is no
    path) run with --show mac,arp and print their names as typed."""
    path = tmp_path / "markup.yaml"
    path.write_text(
        'name: "lab[/]"\nnodes:\n  "pc[bold]": {kind: host, ip: 198.18.0.1/24}\n'
        '  pc2: {kind: host, ip: 198.18.0.2/24}\n  "sw[red]": {kind: switch}\n'
        'links:\n  - ["pc[bold]:eth0", "sw[red]:p1"]\n  - [pc2:eth0, "sw[red]:p2"]\n'
    )
    result = invoke("sim", "run", str(path), "--do", "pc[bold] ping pc2 -c 1", "--show", "mac,arp")
    assert result.exit_code == 0, result.output
    assert "sw[red] MAC table" in result.output and "pc[bold] ARP table" in result.output
    assert "ran 'lab[/]'" in result.output


def test_max_events_on_a_run_without_a_loop_advises_raising_it(topology: str):
    """A --max-events stop with no loop says to raise --max-events, not to break a loop that is not there."""
    result = invoke("sim", "run", topology, "--max-events", "5", "--do", "pc1 ping pc2 -c 3")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "No loop was found: raise --max-events (0: no limit)" in last and "stp" not in last


def test_a_storm_round_hubs_advises_taking_a_cable_out_not_stp():
    """A loop of hubs is broken by taking a cable out: the advice does not offer stp:, which a hub refuses."""
    hub_loop = str(Path(__file__).resolve().parents[2] / "examples" / "hub_loop.yaml")
    last = invoke("sim", "run", hub_loop, "--max-events", "500").stderr.strip().splitlines()[-1]
    assert last.endswith("Take a cable out of the loop (hubs run no spanning tree) or raise --max-events (0: no limit)")
    assert "stp" not in last


def test_default_run_is_stopped_only_by_a_storm():
    """Without --max-events, 1,200,000 ordinary events run to the end; the storm example stops by itself."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    result = invoke(
        "sim",
        "run",
        str(examples / "hub_vs_switch.yaml"),
        "--until",
        "20s",
        "--json",
        "--do",
        "pc1 ping pc3 -c 135000 -i 0.0001",
    )
    doc = json.loads(result.stdout)
    assert doc["events"] > 1_200_000 and "stopped" not in doc and result.exit_code == 0
    storm = invoke("sim", "run", str(examples / "storm.yaml"), "--json")
    assert storm.exit_code == 1
    assert json.loads(storm.stdout)["stopped"] == {"reason": "storm", "max_events": 0, "events_after_storm": 200_000}
    assert "Break the loop" in storm.stderr


@pytest.mark.parametrize(
    ("option", "value", "hint"),
    [
        ("--app", "server.py", "--app pc1=server.py"),
        ("--stdin", "hello", "--stdin pc2=hello"),
        ("--arg", "7788", "--arg pc1=7788"),
    ],
)
def test_a_value_without_node_shows_its_own_options_example(topology: str, option: str, value: str, hint: str):
    """--app without NODE= shows an --app example (it showed --app pc2=hello, the --stdin example)."""
    result = invoke("sim", "run", topology, option, value)
    assert_one_line_error(result, hint)
    assert "hello" not in result.output or option == "--stdin"


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("shape", ["flow", "block"])
def test_yaml_nested_500_deep_is_one_line_error(tmp_path: Path, command: str, shape: str):
    """500 levels of nesting (flow or block) is a FILE:LINE error naming the depth, not a RecursionError."""
    path = tmp_path / "deep.yaml"
    if shape == "flow":
        path.write_text("nodes: {}\nlinks: " + "[" * 500 + "]" * 500 + "\n")
    else:
        path.write_text(
            "nodes: {}\nlinks:\n" + "".join("  " * i + "- \n" for i in range(1, 500)) + "  " * 500 + "- x\n"
        )
    result = invoke("sim", command, str(path))
    line = 2 if shape == "flow" else 102  # where the 101st level opens
    assert_one_line_error(result, f"{path}:{line}:", "nested more than 100 levels deep")


def test_yaml_indentation_mistake_is_said_plainly(tmp_path: Path):
    """A key indented one space too far says the indentation does not match, with its line."""
    path = tmp_path / "indent.yaml"
    path.write_text("nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n   pc2: {kind: host, ip: 198.18.0.2/24}\n")
    result = invoke("sim", "check", str(path))
    assert_one_line_error(result, f"{path}:3:", "the indentation does not match the line above")


def test_a_router_is_called_a_router(tmp_path: Path):
    """A link to a router's missing interface says 'router r1 has no interface', not 'host r1'."""
    path = tmp_path / "r.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n"
        "  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24}}\nlinks:\n  - [pc1:eth0, r1:eth5]\n"
    )
    result = invoke("sim", "check", str(path))
    assert_one_line_error(result, f"{path}:5:", "router r1 has no interface 'eth5' (it has eth0)")


# (a gateway off the host's subnet is refused when the file is read: see test_sim_check_catches_...)
NO_ROUTE = (
    "nodes:\n  h1: {kind: host, ip: 198.18.1.10/24}\n"
    "  gw: {kind: router, interfaces: {eth0: 198.18.1.1/24}}\n  sw: {kind: switch}\n"
    "links:\n  - [h1:eth0, sw:p1]\n  - [gw:eth0, sw:p3]\n"
)


@pytest.mark.parametrize(
    ("do", "call", "why"),
    [
        ("gw ping 198.19.99.9 -c 1", "connect", "router gw: no route to 198.19.99.9"),
        ("h1 ping 198.19.99.9 -c 1", "connect", "not on a local network and no gateway"),
        ("h1 traceroute 198.19.99.9", "connect", "not on a local network and no gateway"),
        ("gw traceroute 198.19.99.9", "connect", "router gw: no route to 198.19.99.9"),
        ("h1 udp send 198.19.99.9 9 hi", "sendto", "no gateway"),
        ("gw udp send 198.19.99.9 9 hi", "sendto", "router gw: no route to 198.19.99.9"),
    ],
)
def test_no_route_is_network_unreachable_as_linux_says(tmp_path: Path, do: str, call: str, why: str):
    """ping, traceroute and udp send without a route say 'CALL: Network is unreachable' and exit 2 as ping
    does (a router's ping was a NoRouteError traceback, traceroute's a LocalIpError, udp send 'sent')."""
    path = tmp_path / "noroute.yaml"
    path.write_text(NO_ROUTE)
    result = invoke("sim", "run", str(path), "--until", "10s", "--do", do)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    [line] = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: {call}: Network is unreachable (") and why in line


def test_router_ping_before_rip_has_converged_is_network_unreachable():
    """r1 pinging a network RIP has not taught it yet: connect: Network is unreachable, not a traceback."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    result = invoke("sim", "run", str(examples / "rip-ring.yaml"), "--until", "5s", "--do", "r1 ping pc3 -c 1")
    assert result.exit_code == 2
    assert "error: connect: Network is unreachable (router r1: no route to 198.18.3.10)" in result.output


def test_udp_payload_over_65507_bytes_is_emsgsize(topology: str):
    """65,508 bytes of UDP payload is refused as Linux's sendto does (EMSGSIZE), not a MalformedError."""
    result = invoke("sim", "run", topology, "--do", f"pc1 udp send pc2 9 {'x' * 65_508}")
    assert result.exit_code == 2
    assert "error: sendto: Message too long (EMSGSIZE): 65,508 bytes" in result.output


@pytest.mark.parametrize(
    ("nodes", "line", "words"),
    [
        (
            "  h1: {kind: host, ip: 198.18.1.10/24, gateway: 198.18.9.1}\n",
            3,
            "gateway 198.18.9.1 is not on this host's subnet",
        ),
        ("  h1: {kind: host, ip: 198.18.1.10/24, gateway: 198.18.1.10}\n", 3, "gateway 198.18.1.10 is this host's own"),
        ("  h1: {kind: host, ip: 198.18.1.0/24}\n", 3, "198.18.1.0 is the network address of 198.18.1.0/24"),
        ("  h1: {kind: host, ip: 198.18.1.255/24}\n", 3, "198.18.1.255 is the broadcast address of 198.18.1.0/24"),
        (
            "  h1: {kind: host, ip: 198.18.1.10/24}\n  r1:\n    kind: router\n"
            "    interfaces: {eth0: 198.18.1.1/24,\n                 eth1: 198.18.1.2/24}\n",
            7,
            "198.18.1.2/24 is in 198.18.1.0/24, the subnet of eth0 already",
        ),
    ],
)
@pytest.mark.parametrize("command", ["check", "run"])
def test_sim_check_catches_address_mistakes_run_would_trip_on(
    tmp_path: Path, nodes: str, line: int, words: str, command: str
):
    """Gateway off the subnet or equal to the host, a network/broadcast host address, two router
    interfaces in one subnet: FILE:LINE errors from check (which said ok) and run, exit 2."""
    path = tmp_path / "mistake.yaml"
    path.write_text(
        "name: mistake\nnodes:\n" + nodes + "  h9: {kind: host, ip: 198.18.1.99/24}\nlinks:\n  - [h1:eth0, h9:eth0]\n"
    )
    assert_one_line_error(invoke("sim", command, str(path)), f"{path}:{line}:", words)


@pytest.mark.parametrize("codec", ["base64", "hex", "rot13"])
@pytest.mark.parametrize(
    "args",
    [
        ["udp", "send", "127.0.0.1", "9", "hi"],
        ["udp", "broadcast", "--to", "127.0.0.1", "--wait", "0.1"],
        ["tcp", "connect", "127.0.0.1", "9", "--send", "hi"],
        ["tcp", "serve", "--port", "0", "--bind", "127.0.0.1"],
    ],
)
def test_bytes_codecs_are_not_text_encodings(args: list[str], codec: str):
    """--encoding base64/hex/rot13 (Python codecs that are not text) is refused when parsed
    (it was a LookupError traceback when the text was first encoded)."""
    assert_one_line_error(invoke(*args, "--encoding", codec), "--encoding", f"'{codec}' is not a text encoding")


def test_bytes_codec_is_refused_before_udp_listen_starts():
    """udp listen --encoding base64 is refused at once (it listened and died at its first datagram)."""
    from running import lanlab

    result = lanlab("udp", "listen", "--port", "0", "--bind", "127.0.0.1", "--encoding", "base64", timeout=10)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "'base64' is not a text encoding" in result.stderr


def test_source_with_a_port_says_so():
    """--source 127.0.0.1:5 is named as an address with a port (it said 'cannot resolve 127.0.0.1')."""
    assert_one_line_error(
        invoke("udp", "broadcast", "--source", "127.0.0.1:5", "--wait", "0.1"),
        "--source",
        "'127.0.0.1:5' has a port",
        "(127.0.0.1)",
    )


@pytest.mark.parametrize("to", ["", " "])
def test_empty_broadcast_destination_is_refused(to: str):
    """udp broadcast --to "" is refused (the socket API took it as 0.0.0.0 and sent there)."""
    assert_one_line_error(invoke("udp", "broadcast", "--to", to, "--wait", "0.1"), "--to", "the address is empty")


def test_a_host_with_no_route_back_drops_its_answers_instead_of_crashing(tmp_path: Path):
    """pc2 (a /25 without a gateway) cannot answer pc1's ping or TCP SYN: the answers are dropped with the
    reason in the event list, the run goes on, ping reports the loss (it was a NetworkUnreachable traceback)."""
    path = tmp_path / "offnet.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.130/25}\n"
        "  sw1: {kind: switch}\nlinks:\n  - [pc1:eth0, sw1:p1]\n  - [pc2:eth0, sw1:p2]\n"
    )
    result = invoke(
        "sim",
        "run",
        str(path),
        "--until",
        "3s",
        "--trace",
        "table",
        "--do",
        "pc1 ping 198.18.0.130 -c 1",
        "--do",
        "pc2 tcp serve --port 80",
        "--do",
        "at 1s pc1 tcp connect 198.18.0.130 80 --send hi",
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.output.count("no route to 198.18.0.1: not on a local network and no gateway") >= 2
    assert "1 packets transmitted, 0 received, 100% packet loss" in result.output


@pytest.mark.parametrize(
    ("args", "in_english", "in_chinese"),
    [
        (
            ["sim", "run", "{topology}", "--until", "5x"],
            "--until: unknown time unit 'x'",
            "--until：'5x' 中的时间单位 'x' 未知",
        ),
        (
            ["sim", "run", "{topology}", "--app-cpu", "-1s"],
            "--app-cpu: a duration cannot be negative",
            "--app-cpu：时长不能为负",
        ),
        (["udp", "send", "127.0.0.1", "9", "hi", "--wait", "1e30"], "is too long", "太长：时长最多"),
        (
            ["sim", "serve", "{topology}", "--app-cpu", "5x"],
            "--app-cpu: unknown time unit",
            "--app-cpu：'5x' 中的时间单位",
        ),
        (["sim", "run", "{topology}", "--do", "pc1 'x"], '--do "pc1 \'x": No closing quotation', "引号没有闭合"),
        (["sim", "run", "{topology}", "--do", "pc1 x\\"], "No escaped character", "转义符 \\ 后面缺少字符"),
        (["tcp", "serve", "--encoding", "bogus"], "unknown encoding 'bogus'", "未知的编码 'bogus'"),
        (
            ["tcp", "connect", "127.0.0.1", "9", "--send", "你好", "--encoding", "latin-1"],
            "cannot be written",
            "无法用 iso8859-1 编码",
        ),
        (
            ["udp", "send", "127.0.0.1", "9", "你好", "--encoding", "latin-1"],
            "cannot be written",
            "无法用 iso8859-1 编码",
        ),
        (["tcp", "serve", "--reply", "你好", "--encoding", "latin-1"], "cannot be written", "无法用 iso8859-1 编码"),
    ],
)
def test_unit_and_encoding_errors_in_the_users_language(topology: str, args, in_english, in_chinese):
    """A bad duration or encoding is said in English, and in Chinese under --lang zh."""
    args = [topology if arg == "{topology}" else arg for arg in args]
    assert_one_line_error(invoke(*args), in_english)
    assert_one_line_error(invoke("--lang", "zh", *args), in_chinese)


@pytest.mark.parametrize(
    ("args", "in_english", "in_chinese"),
    [
        (["sim", "run", "{topology}", "--app", "pc1"], "expected [at T] NODE=FILE.py", "应写成 [at T] NODE=FILE.py"),
        (["sim", "run", "{topology}", "--stdin", "x"], "expected NODE=VALUE", "应写成 NODE=VALUE"),
        (
            ["sim", "run", "{topology}", "--app", "at 5x pc1={bad}"],
            "unknown time unit 'x'",
            "'5x' 中的时间单位 'x' 未知",
        ),
        (["sim", "run", "{topology}", "--stdin", "pc2=x"], "pc2 runs no program", "pc2 上没有运行程序"),
        (["sim", "sweep", "{topology}", "--app", "pc1={bad}"], "is not valid Python", "不是有效的 Python"),
        (
            ["sim", "sweep", "{topology}", "--app", "pc1={tmp}"],
            "is a directory; give a Python file",
            "是一个目录；请给出",
        ),
        (["sim", "sweep", "{topology}", "--app", "pc1=nofile.py"], "no such file 'nofile.py'", "没有文件 'nofile.py'"),
        (["sim", "sweep", "{topology}", "--stdin", "pc1=x"], "pc1 runs no program", "pc1 上没有运行程序"),
    ],
)
def test_app_stdin_and_arg_mistakes_in_the_users_language(topology: str, tmp_path: Path, args, in_english, in_chinese):
    """sim run's and sim sweep's --app/--stdin/--arg refusals are English, and Chinese under --lang zh."""
    bad = tmp_path / "bad.py"
    bad.write_text("x = (\n")
    places = {"{topology}": topology, "{tmp}": str(tmp_path), "{bad}": str(bad)}
    for key, value in places.items():
        args = [arg.replace(key, value) for arg in args]
    assert_one_line_error(invoke(*args), in_english)
    assert_one_line_error(invoke("--lang", "zh", *args), in_chinese)


def test_a_topology_the_simulator_cannot_build_is_said_in_the_users_language(tmp_path: Path):
    """sim check's problems from building (kind, interface, link endpoint, a yes/no value) in both languages."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  x1: {kind: toaster}\n"
        "  sw1: {kind: switch, stp: {enabled: maybe}}\n"
        "links:\n  - [pc1:eth9, sw1:p1]\n  - [pcX:eth0, sw1:p2]\n"
    )
    english = invoke("sim", "check", str(path)).output.replace(f"{path}:", "")
    chinese = invoke("--lang", "zh", "sim", "check", str(path)).output.replace(f"{path}:", "")
    assert english.splitlines() == [
        "3: node x1: unknown kind 'toaster' (one of host, switch, hub, router)",
        "4: node sw1 stp: enabled: 'maybe' is not true or false (say true or false)",
        "6: host pc1 has no interface 'eth9' (it has eth0)",
        "7: link endpoint 'pcX:eth0': unknown node 'pcX'",
    ]
    assert chinese.splitlines() == [
        "3: 节点 x1：未知的 kind 'toaster'（应为 host, switch, hub, router 之一）",
        "4: 节点 sw1 的 stp：enabled：'maybe' 不是true 或 false（请写 true 或 false）",
        "6: host pc1 没有接口 'eth9'（它有 eth0）",
        "7: 链路端点 'pcX:eth0'：未知节点 'pcX'",
    ]


@pytest.mark.parametrize(
    ("pcap", "points", "in_english", "in_chinese"),
    [
        ("x.txt", [], "a capture file ends in .pcapng", "抓包文件应以 .pcapng（所有链路）或 .pcap（一条链路）结尾"),
        ("x.pcap", [], "a .pcap file holds one capture point", "一个 .pcap 文件只能放一个抓包点"),
        (
            "x.pcap",
            ["pc1:eth9"],
            "host pc1 has no interface 'eth9' (it has eth0)",
            "host pc1 没有接口 'eth9'（它有 eth0）",
        ),
        ("x.pcap", ["sw1"], "'sw1': say which port, as NODE:PORT", "'sw1'：请说明是哪个端口"),
        ("x.pcap", ["sw1:p9"], "sw1:p9 is not linked", "sw1:p9 没有连接链路"),
        (
            "x.pcap",
            ["pc9:eth0"],
            "no node called 'pc9' (nodes: pc1, pc2, pc3, sw1)",
            "没有叫 'pc9' 的节点（节点：pc1, pc2, pc3, sw1）",
        ),
    ],
)
def test_capture_mistakes_in_the_users_language(tmp_path: Path, pcap, points, in_english, in_chinese):
    """--pcap/--capture mistakes are one line, English as before and Chinese under --lang zh."""
    arp = str(Path(__file__).resolve().parents[2] / "examples" / "arp.yaml")
    args = ["sim", "run", arp, "--pcap", str(tmp_path / pcap), *[a for p in points for a in ("--capture", p)]]
    assert_one_line_error(invoke(*args), "--pcap: ", in_english)
    assert_one_line_error(invoke("--lang", "zh", *args), "--pcap：", in_chinese)


def test_a_command_that_cannot_run_says_why_in_the_users_language():
    """A port in use and no route: Chinese why under --lang zh (the kernel's 'Network is unreachable' kept),
    and --json's error is the English text in either language."""
    arp = str(Path(__file__).resolve().parents[2] / "examples" / "arp.yaml")
    args = ["sim", "run", arp, "--until", "2s", "--do", "pc2 udp listen 7", "--do", "pc2 udp listen 7"]
    args += ["--do", "pc1 ping 10.9.9.9"]
    chinese = invoke("--lang", "zh", *args).output.splitlines()
    assert "错误：UDP 端口 7 已被占用" in chinese
    assert (
        "错误：connect: Network is unreachable（没有到 10.9.9.9 的路由：它不在本地网络上，也没有设置网关）" in chinese
    )
    english = invoke("--lang", "en", *args).output.splitlines()
    assert "error: UDP port 7 is already in use" in english
    errors = [
        [
            command["result"]["error"]
            for command in json.loads(invoke("--lang", word, *args, "--json").output)["commands"]
            if "error" in (command["result"] or {})
        ]
        for word in ("en", "zh")
    ]
    assert (
        errors[0]
        == errors[1]
        == [
            "UDP port 7 is already in use",
            "connect: Network is unreachable (no route to 10.9.9.9: not on a local network and no gateway)",
        ]
    )


def test_interface_and_link_field_mistakes_in_the_users_language(tmp_path: Path):
    """ip beside interfaces:, a queue and a loss that are no numbers: what was expected reads Chinese under zh."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24, interfaces: {eth0: {ip: 198.18.0.1/24}}}\n"
        "  sw1: {kind: switch}\nlinks:\n  - {endpoints: [pc1:eth0, sw1:p1], queue: x, loss: y}\n"
    )
    english = invoke("--lang", "en", "sim", "check", str(path)).output
    chinese = invoke("--lang", "zh", "sim", "check", str(path)).output
    assert "2: node pc1: give ip/mac/mtu inside interfaces: when interfaces: is used" in english
    assert "link: loss: 'y' is not a probability\n" in english and "queue: 'x' is not a number of frames\n" in english
    assert "2: 节点 pc1：用了 interfaces: 时，ip/mac/mtu 要写在 interfaces: 里面" in chinese
    assert "link：loss：'y' 不是概率\n" in chinese and "queue：'x' 不是帧数\n" in chinese


@pytest.mark.parametrize("option", ["-W", "-w", "-i"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e300"])
def test_ping_seconds_that_are_no_number_or_too_many_are_refused_before_anything_is_sent(option: str, value: str):
    """ping -W/-w/-i nan, inf or 1e300 passed every range check and crashed turning into nanoseconds."""
    assert_one_line_error(invoke("ping", "-c", "1", option, value, "127.0.0.1"), option)


def test_lab_grade_time_limit_that_is_no_number_is_refused(tmp_path: Path):
    """--time-limit nan (or inf) crashed in setitimer; it is a one-line error."""
    lab = str(Path(__file__).resolve().parents[2] / "labs" / "hub_vs_switch" / "lab.yaml")
    for value in ("nan", "inf"):
        assert_one_line_error(invoke("lab", "grade", lab, str(tmp_path), "--time-limit", value), "--time-limit")


def test_sim_check_and_domains_read_a_pipe_once(tmp_path: Path):
    """A FIFO (or <(...)) holds its text once: check and domains read it once (the second read found
    nothing and crashed after saying ok, or hung on a FIFO)."""
    fifo = tmp_path / "topology.fifo"
    for command in ("check", "domains"):
        os.mkfifo(fifo)
        pid = os.fork()
        if pid == 0:  # the writer, as `cat file > fifo` would be
            with open(fifo, "w") as stream:
                stream.write(TWO_HOSTS)
            os._exit(0)
        result = invoke("sim", command, str(fifo))
        os.waitpid(pid, 0)
        fifo.unlink()
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output


def test_a_files_folder_that_cannot_hold_a_host_s_folder_is_a_one_line_error(topology: str, tmp_path: Path):
    """--files DIR where DIR/pc1 is a file (or cannot be made) says so instead of a FileExistsError."""
    program = tmp_path / "p.py"
    program.write_text("print('hi')\n")
    files = tmp_path / "files"
    files.mkdir()
    (files / "pc1").write_text("not a folder")
    assert_one_line_error(
        invoke("sim", "run", topology, "--files", str(files), "--app", f"pc1={program}"), "pc1", "File exists"
    )


def test_sweep_scheduler_that_is_no_address_and_a_metric_nested_too_deep_are_one_line_errors(topology: str):
    """--scheduler garbage raised distributed's ValueError; 2000 nested ( a RecursionError, whose
    collector-run finalizers then printed tracebacks; 5000 terms of one sum one when it was walked."""
    common = ("sim", "sweep", topology, "--until", "1s", "--seeds", "1-2", "--workers", "1")
    assert_one_line_error(invoke(*common, "--scheduler", "garbage"), "garbage", "tcp://")
    deep = invoke(*common, "--metric", "x=" + "(" * 2000 + "1" + ")" * 2000)
    assert_one_line_error(deep, "4001 words", "at most 200")
    assert_one_line_error(invoke(*common, "--metric", "x=" + "+".join(["1"] * 5000)), "9999 words")


def test_ping_interval_0_in_the_simulator_is_refused_rather_than_sending_every_request_at_one_instant(topology: str):
    """`ping -i 0` sent a million requests at t=0 and the run never left that instant (--until could not
    stop it); -W 0 is no time to wait."""
    assert_one_line_error(invoke("sim", "run", topology, "--do", "pc1 ping pc2 -c 999999999 -i 0"), "-i", "more than 0")
    assert_one_line_error(invoke("sim", "run", topology, "--do", "pc1 ping pc2 -W 0"), "-W")


def test_a_sweep_metric_no_run_has_warns_and_arithmetic_on_a_list_says_what_to_do(topology: str):
    """--metric x=nosuch gave a column of empty cells and exit 0 with no word; links.*.frames + 1 failed
    every run with Python's "can only concatenate list" message."""
    common = ("sim", "sweep", topology, "--until", "1s", "--seeds", "1-2", "--workers", "1")
    typo = invoke(*common, "--metric", "x=nosuch")
    assert typo.exit_code == 0 and "--metric x: no run has a value" in typo.stderr
    assert "no run has a value" not in invoke(*common, "--metric", "x=frames").stderr
    listed = invoke(*common, "--metric", "x=links.*.frames + 1")
    assert "needs sum()" in listed.stderr and "concatenate" not in listed.output


def test_sim_serve_host_that_is_empty_or_not_this_machine_s_says_host_not_port(topology: str):
    """--host "" listened on every interface and printed http://:PORT; an address not the machine's was
    blamed on --port. (198.51.100.7 is TEST-NET-2: binding to it sends nothing.)"""
    assert_one_line_error(invoke("sim", "serve", topology, "--host", "", "--no-browser"), "--host", "empty")
    assert_one_line_error(
        invoke("sim", "serve", topology, "--host", "198.51.100.7", "--port", "0", "--no-browser"),
        "--host 198.51.100.7",
        "address of this machine",
    )


def test_real_exec_on_a_node_not_standing_lists_the_standing_nodes_sorted(monkeypatch: pytest.MonkeyPatch):
    """`real exec pc9` names the lab's nodes in order; they came in `ip netns list`'s order (newest first)."""
    import lanlab.real.netns as netns
    from lanlab.cli.real import STANDING

    standing = [netns.namespace(STANDING, name) for name in ("sw1", "pc2", "pc10", "pc1")] + ["other"]
    monkeypatch.setattr(netns, "require_root", lambda: None)
    monkeypatch.setattr(netns, "namespaces", lambda: standing)
    result = invoke("real", "exec", "pc9", "--", "true")
    assert result.exit_code == 2
    assert "no node 'pc9' standing (nodes: pc1, pc10, pc2, sw1)" in result.output


def test_a_name_with_a_port_is_refused_as_an_address_with_one():
    """--bind localhost:8080 says the port has its own option (it ended in 'cannot resolve localhost:8080');
    a name never holds a colon."""
    assert_one_line_error(
        invoke("tcp", "serve", "--bind", "localhost:8080"),
        "--bind",
        "'localhost:8080' has a port",
        "(localhost)",
    )
