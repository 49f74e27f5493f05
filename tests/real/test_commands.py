"""lanlab.real.commands: --do words read on the kernel (no namespace needed for these)."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from lanlab.real.commands import parse_do, parse_traceroute, traceroute_argv
from lanlab.real.model import read_lab
from lanlab.real.netns import RealError

LINUX_TRACEROUTE = """traceroute to 198.18.2.10 (198.18.2.10), 30 hops max, 60 byte packets
 1  198.18.1.1  0.049 ms  0.005 ms  0.003 ms
 2  * 198.18.12.2  0.020 ms 198.18.12.9  0.004 ms
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


LINUX_TRACEROUTE_NAMED = """traceroute to pc2 (198.18.2.10), 30 hops max, 60 byte packets
 1  r1 (198.18.1.1)  0.049 ms  0.005 ms  0.003 ms
 2  * 198.18.12.2 (198.18.12.2)  0.020 ms gw.a.b.c (198.18.12.9)  0.004 ms
 3  pc2 (198.18.2.10)  0.018 ms  0.005 ms  0.004 ms
"""


def test_linux_traceroute_lines_with_names_are_the_same_hops_and_print_as_the_simulators():
    """Without -n Linux prints "name (address)" (the address twice without a name): the same hops as -n's lines,
    the names kept for printing, which reads as the simulator's `--do traceroute pc2` (a name with three dots
    is not taken for an address)."""
    from lanlab.real.commands import DoCommand, _result, lines

    named = parse_traceroute(LINUX_TRACEROUTE_NAMED)
    assert named is not None and named["hops"] == parse_traceroute(LINUX_TRACEROUTE)["hops"]
    assert named["destination"] == "198.18.2.10" and named["reached"] is True
    words = "traceroute pc2 -q 3"
    command = DoCommand(words, 0.0, "pc1", "traceroute", words.split(), started=True)
    command.result = _result(command, LINUX_TRACEROUTE_NAMED, 0.0)
    assert [str(line) for line in lines(command)] == LINUX_TRACEROUTE_NAMED.splitlines()


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
    """-I, -n, -m, -q, -p pass through, -w 500ms becomes 0.5 s, a node name its address, -N 1 added; without -n
    Linux names the hops, as the simulator's traceroute does."""
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    argv = traceroute_argv(lab(tmp_path), ["pc2", "-I", "-m", "4", "-w", "500ms"])
    assert argv == ["traceroute", "-N", "1", "-I", "-m", "4", "-w", "0.5", "198.18.0.2"]
    assert traceroute_argv(lab(tmp_path), ["-n", "pc2"]) == ["traceroute", "-N", "1", "-n", "198.18.0.2"]
    with pytest.raises(RealError, match="simulator's words"):
        traceroute_argv(lab(tmp_path), ["pc2", "-z"])


def test_new_words_parse_and_unknown_ones_are_refused(tmp_path, monkeypatch):
    """traceroute, tcp serve, tcp connect, stp and dig are kernel words now; `dhcp` alone is not."""
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")  # the tools' lines are made when parsed
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


KERNEL_RESULTS = [  # (words, result, the English lines, the Chinese lines `real run --lang zh` prints)
    (
        "udp listen 7788",
        {"port": 7788, "received": [{"t": 0.5, "from": "198.18.0.1", "port": 40000, "text": "Hi"}]},
        ["listening on UDP 7788: 1 datagram", "  [0.500000] 198.18.0.1:40000 'Hi'"],
        ["在 UDP 7788 上监听：收到 1 个数据报", "  [0.500000] 198.18.0.1:40000 'Hi'"],
    ),
    (
        "udp broadcast Hi --wait 1",
        {"replies": [{"from": "198.18.0.2", "port": 7788, "text": "hello", "rtt_ms": 0.5}]},
        ["1 reply", "  198.18.0.2:7788 'hello' 0.500 ms"],
        ["1 个回复", "  198.18.0.2:7788 'hello' 0.500 ms"],
    ),
    ("arp", {"arp": []}, ["  (empty)"], ["  （空）"]),
    (
        "mac",
        {"mac": [{"mac": "02:00:00:00:00:01", "port": "p1", "age": 1.0}]},
        ["  02:00:00:00:00:01  p1     age 1.000 s"],
        ["  02:00:00:00:00:01  p1     存活 1.000 秒"],
    ),
    ("dhcp renew", {"done": False, "state": "init"}, ["  no lease to renew (the client is init)"], None),
    ("dhcp release", {"done": False, "state": "init"}, ["  no lease to release (the client is init)"], None),
    ("stp", {"stp": None}, ["  sw1 runs no spanning tree (give the switch stp: {enabled: true})"], None),
]


@pytest.mark.parametrize("words,result,in_english,in_chinese", KERNEL_RESULTS, ids=[row[0] for row in KERNEL_RESULTS])
def test_kernel_results_print_as_sim_run_prints_them_in_either_language(words, result, in_english, in_chinese):
    """A kernel command's lines are sim run's texts: English as they were, translated where shown (--lang zh)."""
    from lanlab.i18n import localize, set_language
    from lanlab.real.commands import DoCommand, lines

    command = DoCommand(words, 0.0, "sw1", words, words.split(), result=result, started=True)
    assert [str(line) for line in lines(command)] == in_english
    set_language("zh")
    shown = [localize(line) for line in lines(command)]
    if in_chinese is not None:
        assert shown == in_chinese
    assert any("\u4e00" <= c <= "\u9fff" for c in shown[0]), shown


def test_a_refused_do_is_english_data_and_said_in_the_users_language(tmp_path):
    """`--do` refusals (no such node, a word the kernel does not run, a malformed line) keep their
    English text and read Chinese where shown under --lang zh."""
    from lanlab.i18n import localize, message_of, set_language

    refusals = {}
    for text in ("pc9 arp", "pc1 frob x", "pc1"):
        with pytest.raises(RealError) as caught:
            parse_do(lab(tmp_path), text)
        refusals[text] = message_of(caught.value)
    assert refusals["pc9 arp"] == "--do 'pc9 arp': no node 'pc9' (nodes: pc1, pc2, sw1)"
    assert refusals["pc1 frob x"].startswith("--do 'pc1 frob x': 'frob' does not run on the kernel yet (it runs: ping,")
    assert refusals["pc1"] == """--do 'pc1': write "[at T] NODE COMMAND", like "pc1 ping pc2 -c 3\""""
    set_language("zh")
    assert localize(refusals["pc9 arp"]) == "--do 'pc9 arp'：没有节点 'pc9'（节点：pc1, pc2, sw1）"
    assert localize(refusals["pc1 frob x"]).startswith(
        "--do 'pc1 frob x'：'frob' 还不能在内核上运行（能运行的有：ping,"
    )
    assert localize(refusals["pc1"]).startswith("--do 'pc1'：请写成")


def test_why_a_files_event_cannot_run_is_english_data_and_said_in_the_users_language(tmp_path):
    """unsupported() gives the reason alone (not_applied's "why"), English as before, Chinese where shown."""
    from lanlab.i18n import localize, set_language
    from lanlab.real.commands import unsupported

    lab_ = lab(tmp_path)
    whys = [unsupported(lab_, text) for text in ("pc1 dhcp pc2", "at 5x pc1 ping pc2", "pc9 arp", "pc1 ping pc2")]
    assert [str(why) if why else why for why in whys[:3]] == [
        whys[0] and "'dhcp' does not run on the kernel yet (it runs: " + whys[0].split("(it runs: ")[1],
        "unknown time unit 'x' in '5x'; use ns, us, ms, s, min or h",
        "no node 'pc9' (nodes: pc1, pc2, sw1)",
    ]
    assert whys[3] is None
    set_language("zh")
    assert localize(whys[0]).startswith("'dhcp' 还不能在内核上运行（能运行的有：ping,")
    assert localize(whys[1]) == "'5x' 中的时间单位 'x' 未知；请用 ns、us、ms、s、min 或 h"
    assert localize(whys[2]) == "没有节点 'pc9'（节点：pc1, pc2, sw1）"


def test_traceroute_refusals_are_said_in_the_users_language(tmp_path, monkeypatch):
    """traceroute's -w with a bad unit and a word the kernel lab does not take read Chinese under zh."""
    from lanlab.i18n import localize, message_of, set_language

    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    errors = []
    for words in (["pc2", "-w", "5x"], ["pc2", "-z"]):
        with pytest.raises(RealError) as caught:
            traceroute_argv(lab(tmp_path), words)
        errors.append(message_of(caught.value))
    assert errors == [
        "traceroute -w: unknown time unit 'x' in '5x'; use ns, us, ms, s, min or h",
        "traceroute '-z': the kernel lab takes the simulator's words: TARGET [-I] [-n] [-m N] [-q N] [-w S] [-p PORT]",
    ]
    set_language("zh")
    assert [localize(error) for error in errors] == [
        "traceroute -w：'5x' 中的时间单位 'x' 未知；请用 ns、us、ms、s、min 或 h",
        "traceroute '-z'：内核实验只接受模拟器的写法：TARGET [-I] [-n] [-m N] [-q N] [-w S] [-p PORT]",
    ]


def test_a_do_line_shlex_cannot_split_is_said_in_the_users_language(tmp_path):
    """An unclosed quote in --do: shlex's English words as before, Chinese under zh."""
    from lanlab.i18n import localize, message_of, set_language

    with pytest.raises(RealError) as caught:
        parse_do(lab(tmp_path), "pc1 'x")
    assert message_of(caught.value) == '--do "pc1 \'x": No closing quotation'
    set_language("zh")
    assert localize(message_of(caught.value)) == '--do "pc1 \'x"：引号没有闭合'


@pytest.mark.parametrize(
    "text, problem",
    [
        ("pc1 nslookup a b c d", "nslookup takes NAME|ADDRESS [SERVER] on the kernel"),
        ("pc1 traceroute", "traceroute needs a target"),
        ("pc1 traceroute pc2 -w 5x", "unknown time unit 'x'"),
    ],
)
def test_words_a_tool_cannot_take_are_refused_when_parsed(tmp_path, monkeypatch, text, problem):
    """A --do line whose tool would refuse it is refused by parse_do, before any namespace is made (it
    was an error line in the run's output after the lab had been built)."""
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(RealError, match="^--do ") as caught:
        parse_do(lab(tmp_path), text)
    assert problem in str(caught.value)


def ping_document(address: str, replies: list[dict]) -> dict:
    """`lanlab ping --json`'s document for two requests, one answered in 0.25 ms, one error: `replies` as given."""
    return {
        "host": address,
        "address": address,
        "transmitted": 2,
        "received": 1,
        "duplicates": 0,
        "errors": 1,
        "loss_percent": 50.0,
        "time_ms": 1000,
        "socket": "raw",
        "pipe": 1,
        "rtt_ms": {"min": 0.25, "avg": 0.25, "max": 0.25, "mdev": 0.0},
        "replies": replies,
    }


def test_a_kernel_ping_with_errors_becomes_results_and_iputils_lines():
    """`lanlab ping --json` whose replies hold errors (unreachable, -M do's local ones) maps to the simulator's
    result and prints iputils' lines: the error entries carry no time (a KeyError ended `real run` before)."""
    import json

    from lanlab.real.commands import DoCommand, _result, lines

    document = ping_document(
        "198.18.0.2",
        [
            {"seq": 1, "from": "198.18.0.1", "error": "local error: message too long, mtu=1500", "mtu": 1500},
            {"seq": 2, "from": "198.18.0.2", "bytes": 64, "ttl": 64, "time_ms": 0.25, "duplicate": False},
        ],
    )
    words = "ping pc2 -c 2 -M do"
    command = DoCommand(words, 0.0, "pc1", "ping", words.split(), started=True)
    command.result = _result(command, json.dumps(document) + "\n", 0.0)
    assert command.result["rtt_ms"] == [0.25] and command.result["errors"] == 1 and command.result["pipe"] == 1
    assert [str(line) for line in lines(command)] == [
        "PING pc2 (198.18.0.2) 56(84) bytes of data.",
        "ping: local error: message too long, mtu=1500",
        "64 bytes from 198.18.0.2: icmp_seq=2 ttl=64 time=0.250 ms",
        "",
        "--- pc2 ping statistics ---",
        "2 packets transmitted, 1 received, +1 errors, 50% packet loss, time 1000ms",
        "rtt min/avg/max/mdev = 0.250/0.250/0.250/0.000 ms",
    ]


def test_a_kernel_ping_names_who_answered_as_its_json_says():
    """The kernel lab's ping lines name who answered from `lanlab ping --json`'s "name" (iputils' pr_addr in the
    node's namespace), as the simulator's `--do ping pc2` does: "64 bytes from pc2 (198.18.0.2)", "From r1
    (198.18.1.1)"; an entry without a name is shown by its address."""
    import json

    from lanlab.real.commands import DoCommand, _result, lines

    document = ping_document(
        "198.18.2.2",
        [
            {"seq": 1, "from": "198.18.1.1", "name": "r1", "error": "Destination Net Unreachable"},
            {
                "seq": 2,
                "from": "198.18.2.2",
                "name": "pc2",
                "bytes": 64,
                "ttl": 63,
                "time_ms": 0.25,
                "duplicate": False,
            },
        ],
    )
    words = "ping pc2 -c 2"
    command = DoCommand(words, 0.0, "pc1", "ping", words.split(), started=True)
    command.result = _result(command, json.dumps(document) + "\n", 0.0)
    assert [str(line) for line in lines(command)][1:3] == [
        "From r1 (198.18.1.1) icmp_seq=1 Destination Net Unreachable",
        "64 bytes from pc2 (198.18.2.2): icmp_seq=2 ttl=63 time=0.250 ms",
    ]


def test_a_kernel_ping_keeps_a_nodes_name_where_the_hosts_file_has_it(tmp_path, monkeypatch):
    """pc1's /etc/hosts lists every node, so its ping gets "pc2" as given (iputils then names who answered, as the
    simulator's ping does); on a node whose names come from a `dns:` server the address goes instead, as the
    simulator takes a node's address from the topology, not from DNS."""
    from lanlab.real.commands import tool_argv

    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    built = lab(tmp_path)
    argv = tool_argv(built, parse_do(built, "pc1 ping pc2 -c 1"), 5.0)
    assert argv[argv.index("ping") + 1] == "pc2"
    built.nodes["pc1"].resolvers = [IPv4Address("198.18.0.53")]
    argv = tool_argv(built, parse_do(built, "pc1 ping pc2 -c 1"), 5.0)
    assert argv[argv.index("ping") + 1] == str(built.address_of("pc2"))


def test_a_kernel_ping_is_bounded_by_stop_after_not_w(tmp_path, monkeypatch):
    """The kernel lab ends a ping at --until with --stop-after, not -w, which would also end it at its first
    error report where the simulator's ping counts errors to -c (3 unreachable requests: 3 errors, not 1)."""
    from lanlab.real.commands import tool_argv

    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    built = lab(tmp_path)
    argv = tool_argv(built, parse_do(built, "at 1s pc1 ping pc2 -c 3"), 5.0)
    assert "-w" not in argv and argv[argv.index("--stop-after") + 1] == "4"
    argv = tool_argv(built, parse_do(built, "pc1 ping pc2 -c 3 -w 2"), 5.0)
    assert "--stop-after" not in argv and argv[argv.index("-w") + 1] == "2"  # a -w given is the user's
