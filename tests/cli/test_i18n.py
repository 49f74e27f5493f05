"""lanlab in Chinese beside English: --lang and the locale choose, help is translated when shown
(click read it at import), and JSON never changes with the language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from lanlab.cli.main import cli
from lanlab.i18n import set_language

ROOT = Path(__file__).resolve().parent.parent.parent
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
pytestmark = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")

# Every command with --json, run offline in both languages; those that need a peer or root are
# named with the reason (they print JSON only once something answers).
JSON_RUNS = {
    "ip": ["ip", "198.18.0.5/24", "--json"],
    "oui": ["oui", "00:1b:21:00:00:00", "42:4c:00:00:00:01", "--json"],
    "decode": ["decode", str(ROOT / "tests/wire/data/dns_udp_2.pcap"), "--json"],
    "sim domains": ["sim", "domains", str(ROOT / "examples/hub_vs_switch.yaml"), "--json"],
    "sim run": [
        "sim",
        "run",
        str(ROOT / "examples/hub_vs_switch.yaml"),
        "--do",
        "pc1 ping pc3 -c 1",
        "--trace",
        "jsonl",
        "--json",
        "--until",
        "2s",
    ],
    "lab check": [  # a wrong answer: what each check found is English in the JSON, Chinese in the report
        "lab",
        "check",
        str(ROOT / "labs/hub_vs_switch/lab.yaml"),
        "--topology",
        str(ROOT / "labs/hub_vs_switch/wrong_hub/topology.yaml"),
        "--answers",
        str(ROOT / "labs/hub_vs_switch/wrong_hub/answers.yaml"),
        "--json",
    ],
    "lab grade": [  # the lab's own folders as the students: solution and wrong_hub
        "lab",
        "grade",
        str(ROOT / "labs/hub_vs_switch/lab.yaml"),
        str(ROOT / "labs/hub_vs_switch"),
        "--workers",
        "1",
        "--json",
    ],
}
# Values of JSON_RUNS that vary from run to run (masked before comparing): the seconds a student's grading took.
JSON_VARYING = {"seconds"}
NEEDS_A_PEER = {
    "arping",
    "compare",
    "dhcp serve",
    "real run",
    "sim sweep",
    "tcp serve",
    "udp broadcast",
    "udp listen",
    "udp send",
}
# Live commands, compared with what varies from run to run (times, the kernel's entry states) masked.
LIVE_RUNS = {
    "arp": ["arp", "--json"],
    "ping": ["ping", "-c", "1", "-W", "2", "127.0.0.1", "--json"],
}
VARYING = {"time_ms", "rtt_ms", "state", "time"}


def masked(document: object, varying: set[str] = VARYING) -> object:
    """The document with the values of `varying` keys replaced: its keys and the other values stay."""
    if isinstance(document, dict):
        return {key: "*" if key in varying else masked(value, varying) for key, value in document.items()}
    if isinstance(document, list):
        return [masked(item, varying) for item in document]
    return document


def json_commands() -> set[str]:
    ctx = click.Context(cli)
    found = set()

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])
        elif any("--json" in p.opts for p in command.params if isinstance(p, click.Option)):
            found.add(" ".join(path))

    walk(cli, [])
    return found


def test_every_json_command_is_compared_or_named():
    """A new command with --json joins JSON_RUNS (or says why it cannot run offline)."""
    assert json_commands() == set(JSON_RUNS) | set(LIVE_RUNS) | NEEDS_A_PEER


@pytest.mark.parametrize("name", sorted(LIVE_RUNS))
def test_live_json_has_the_same_keys_and_values_in_both_languages(name, tmp_path):
    """arp and ping (to loopback): the same JSON under --lang en and zh, times and states masked."""
    outputs = []
    for word in ("en", "zh"):
        result = subprocess.run(
            [sys.executable, "-m", "lanlab", "--lang", word, *LIVE_RUNS[name]],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
        if result.returncode == 2:
            pytest.skip(f"{name} cannot run here: {result.stderr.strip()}")
        outputs.append(masked(json.loads(result.stdout)))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("name", sorted(JSON_RUNS))
def test_json_is_the_same_in_both_languages(name, tmp_path):
    """The command's JSON, keys and values, is identical under --lang en and --lang zh."""
    outputs = []
    for word in ("en", "zh"):
        result = subprocess.run(
            [sys.executable, "-m", "lanlab", "--lang", word, *JSON_RUNS[name]],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
        assert result.returncode in (0, 1), result.stderr
        outputs.append([masked(json.loads(line), JSON_VARYING) for line in result.stdout.splitlines() if line.strip()])
    assert outputs[0] and outputs[0] == outputs[1]


def test_help_is_translated_after_the_module_was_imported_in_english():
    """click read the demo's help in English at import; --lang zh still shows it in Chinese."""
    import lanlab.cli.demo  # noqa: F401  imported first, in English

    english = CliRunner().invoke(cli, ["--lang", "en", "demo", "--help"])
    chinese = CliRunner().invoke(cli, ["--lang", "zh", "demo", "--help"])
    assert "Play the note's story" in english.output and "Options:" in english.output
    assert "演示讲义中的故事" in chinese.output and "选项:" in chinese.output and "用法：" in chinese.output
    assert "改用本机环回接口上的真实套接字来演示。" in chinese.output
    assert "--pcap FILE" in chinese.output  # option names stay


@pytest.mark.parametrize("languages", [("zh", "en"), ("en", "zh")])
def test_help_options_text_follows_each_invocations_language(languages, monkeypatch):
    """Two invocations in one process: each --help's own line is in that invocation's language
    (click makes the option once per command, at the first help shown, and keeps it)."""
    from lanlab.cli.demo import demo

    for command in (cli, demo):
        monkeypatch.setattr(command, "_help_option", None)  # as in a fresh process: not made yet
    said = {"en": "Show this message and exit.", "zh": "显示本帮助并退出。"}
    for language in languages:
        for args in ([], ["demo"]):
            output = CliRunner().invoke(cli, ["--lang", language, *args, "--help"]).output
            line = next(line for line in output.splitlines() if "-h, --help" in line)
            assert line.split(maxsplit=2)[2] == said[language], (language, args, output)


def test_root_help_lists_commands_in_chinese():
    """`lanlab --lang zh --help` shows the root's help and the translated commands' first sentences."""
    result = CliRunner().invoke(cli, ["--lang", "zh", "--help"])
    assert "局域网实验室" in result.output
    demo_line = next(line for line in result.output.splitlines() if line.strip().startswith("demo "))
    assert "演示讲义中的故事" in demo_line


def test_locale_chooses_chinese_and_lang_overrides_it(tmp_path):
    """LANG=zh_CN.UTF-8 makes errors Chinese; --lang en brings English back."""
    env = {**os.environ, "LANG": "zh_CN.UTF-8"}
    env.pop("LANGUAGE", None)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    args = [sys.executable, "-m", "lanlab", "demo", "--real", "--pcap", "x.pcapng"]
    chinese = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path)
    english = subprocess.run(
        args[:3] + ["--lang", "en"] + args[3:], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert chinese.returncode == english.returncode == 2
    assert chinese.stderr.startswith("lanlab: --pcap 只用于模拟的故事")
    assert english.stderr.startswith("lanlab: --pcap is for the simulated story")


def test_trace_table_columns_align_with_chinese_headings():
    """The event list's Chinese heading starts each column where the rows do, in terminal columns."""
    from lanlab.sim.core.trace import table_header

    set_language("zh")
    result = CliRunner().invoke(
        cli,
        [
            "--lang",
            "zh",
            "sim",
            "run",
            str(ROOT / "examples/hub_vs_switch.yaml"),
            "--do",
            "pc1 ping pc3 -c 1",
            "--trace",
            "table",
            "--until",
            "1s",
        ],
    )
    lines = result.output.splitlines()
    header = next(line for line in lines if "设备" in line)
    assert header == table_header()
    row = next(line for line in lines if " tx " in line)

    def starts(line: str, words: list[str]) -> list[int]:
        return [cell_len(line[: line.index(word)]) for word in words]

    fields = row.split()
    assert starts(header, ["设备", "端口", "事件", "协议", "摘要"]) == starts(row, fields[1:6])
    assert cell_len(header[: header.index(")") + 1]) == cell_len(row[: row.index(fields[0]) + len(fields[0])])


def test_ip_labels_line_up_in_chinese():
    """`lanlab --lang zh ip` pads its Chinese labels by terminal columns: every value starts in one column."""
    result = CliRunner().invoke(cli, ["--lang", "zh", "ip", "10.1.2.3"])
    assert "网络号" in result.output and "子网掩码" in result.output and "私有地址" in result.output
    labelled = [
        line for line in result.output.splitlines() if line and not line.startswith(" ") and not line.startswith("AND")
    ]
    starts = {cell_len(line[: len(line) - len(line.split(maxsplit=1)[1])]) for line in labelled}
    assert len(labelled) == 10 and len(starts) == 1, labelled


def test_chinese_help_wraps_by_terminal_columns():
    """fill() breaks Chinese between characters within the width, never before a closing mark nor
    after an opening one."""
    from lanlab.cli.help import fill

    text = "默认跟随区域设置（LANGUAGE、LC_ALL、LC_MESSAGES、LANG）。两种语言下的 JSON 输出完全相同。"
    lines = fill(text, 24)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(cell_len(line) <= 24 for line in lines[:-1] if not line.endswith(("。", "）", "、")))
    assert not any(line.endswith("（") for line in lines) and not any(
        line.startswith(("，", "。", "）")) for line in lines
    )


@pytest.mark.parametrize(
    "args, chinese",
    [
        (["sim", "run", "--bogus"], "lanlab: 没有选项 '--bogus'（参见 `lanlab sim run --help`）"),
        (["sim", "run"], "lanlab: 缺少参数 'FILE'（参见 `lanlab sim run --help`）"),
        (["nosuch"], "lanlab: 没有命令 'nosuch'（参见 `lanlab --help`）"),
        (
            ["sim", "run", "--trac"],
            "lanlab: 没有选项 '--trac'。你是想用 '--trace' 吗？（参见 `lanlab sim run --help`）",
        ),
        (["ping", "-c", "x", "127.0.0.1"], "lanlab: '-c' 的取值无效：'x' 不是有效的整数（参见 `lanlab ping --help`）"),
        (
            ["sim", "run", "f.yaml", "--seed", "1.5"],
            "lanlab: '--seed' 的取值无效：'1.5' 不是有效的整数（参见 `lanlab sim run --help`）",
        ),
    ],
)
def test_clicks_usage_errors_speak_chinese(args, chinese):
    """click's own usage errors (unknown option or command, missing argument) come out in Chinese, exit 2."""
    result = CliRunner().invoke(cli, ["--lang", "zh", *args])
    assert result.exit_code == 2
    assert result.output.strip() == chinese
    assert "No such" not in CliRunner().invoke(cli, ["--lang", "zh", *args]).output
    assert "Usage" not in result.output and "Try" not in result.output


def test_number_types_keep_their_english_name_in_english_and_in_help():
    """click's number type names are translated only inside its 'not a valid' message: English
    errors say 'integer range' and --help's metavars stay INTEGER / INTEGER RANGE under zh."""
    english = CliRunner().invoke(cli, ["--lang", "en", "ping", "-c", "x", "127.0.0.1"])
    assert "'x' is not a valid integer range" in english.output
    swept = CliRunner().invoke(cli, ["--lang", "zh", "sim", "sweep", "--help"])
    ran = CliRunner().invoke(cli, ["--lang", "zh", "sim", "run", "--help"])
    assert "--workers INTEGER RANGE" in swept.output and "--seed INTEGER" in ran.output


def test_clicks_usage_errors_follow_the_locale(tmp_path):
    """LANG=zh_CN.UTF-8 alone makes click's usage error Chinese; --lang en brings English back."""
    env = {key: value for key, value in os.environ.items() if key not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "zh_CN.UTF-8"
    args = [sys.executable, "-m", "lanlab", "ip", "--frob"]
    chinese = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path)
    english = subprocess.run([*args[:3], "--lang", "en", *args[3:]], capture_output=True, text=True, env=env)
    assert chinese.returncode == english.returncode == 2
    assert chinese.stderr.startswith("lanlab: 没有选项 '--frob'")
    assert english.stderr.startswith("lanlab: No such option '--frob'")


def test_clicks_texts_in_the_catalogue_are_clicks_own():
    """Every click text lanlab's catalogue translates is one in click's installed source, word for
    word (a click release that rewords one would leave it English): a string click passes to
    gettext, or (like "required") one it stores and translates later; plurals as ngettext pairs."""
    import ast

    from babel.messages.extract import extract_from_dir

    from lanlab.cli.help import CLICK_WORDS

    source = Path(click.__file__).parent
    plurals = {
        tuple(message)
        for _file, _line, message, *_rest in extract_from_dir(str(source), [("**.py", "python")])
        if isinstance(message, tuple)
    }
    strings = {
        node.value
        for path in source.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert [word for word in CLICK_WORDS if word not in (strings if isinstance(word, str) else plurals)] == []


@pytest.mark.parametrize("args", [["--help", "--lang", "zh"], ["--help", "--lang=zh"], ["--lang", "zh", "--help"]])
def test_lang_after_help_still_chooses_the_language(args):
    """`lanlab --help --lang zh`: the language is heard before the eager --help prints."""
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert result.output.startswith("用法：") and "局域网实验室" in result.output


def test_do_and_topology_errors_made_below_cli_speak_chinese(tmp_path):
    """A --do the simulator refuses (CommandError) and a topology's mistakes are shown in Chinese."""
    arp = str(ROOT / "examples/arp.yaml")
    result = CliRunner().invoke(cli, ["--lang", "zh", "sim", "run", arp, "--do", "pc1 frob"])
    assert result.exit_code == 2
    assert "lanlab: --do 'pc1 frob'：未知命令 'frob'（已知命令：" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\nlinks:\n  - [pc1:eth0, pc2]\n")
    result = CliRunner().invoke(cli, ["--lang", "zh", "sim", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:4: 链路端点 'pc2' 必须是 节点:端口，例如 pc1:eth0" in result.output


def test_sim_domains_counts_in_chinese_and_keeps_english():
    """`sim domains` answers in Chinese under zh (counts, each domain, the size-rule warning) and as before in English."""
    collisions = str(ROOT / "examples/collisions.yaml")
    chinese = CliRunner().invoke(cli, ["--lang", "zh", "sim", "domains", collisions]).output.splitlines()
    english = CliRunner().invoke(cli, ["--lang", "en", "sim", "domains", collisions]).output.splitlines()
    assert chinese[0] == "4 个冲突域，2 个广播域" and english[0] == "4 collision domains, 2 broadcast domains"
    assert chinese[1].startswith("冲突域 1（集线器 hub1, hub2）：4 个站点：ha:eth0")
    assert any(
        line.startswith("广播域 2：3 台主机：sa:eth0, sb:eth0, sc:eth0；没有路由器；经过 sw1") for line in chinese
    )
    assert any("超过了时隙（512 比特时间" in line for line in chinese)
    assert any("beyond the slot time (512 bit times" in line for line in english)


def test_do_command_results_speak_chinese():
    """sim run's --do results (udp listen/broadcast, mac, link) are shown in Chinese; ping's lines stay iputils'."""
    broadcast = str(ROOT / "examples/broadcast.yaml")
    do = ["pc2 udp listen 7788 --reply hello", "pc1 udp broadcast Hi --port 7788 --wait 1", "at 1s sw1 mac"]
    do += ["at 1s link pc3:eth0 sw1:p3 down", "pc1 ping pc2 -c 1"]
    args = ["sim", "run", broadcast, "--until", "2s"] + [word for text in do for word in ("--do", text)]
    chinese = CliRunner().invoke(cli, ["--lang", "zh", *args]).output
    english = CliRunner().invoke(cli, ["--lang", "en", *args]).output
    assert "在 UDP 7788 上监听：收到 1 个数据报" in chinese and "listening on UDP 7788: 1 datagram" in english
    assert "1 个回复" in chinese and "1 reply" in english
    assert "  链路 pc3:eth0 - sw1:p3 已断开" in chinese and "  link pc3:eth0 - sw1:p3 is down" in english
    assert "存活 1.000 秒" in chinese and "--- pc2 ping statistics ---" in chinese


def test_a_host_without_an_address_is_told_in_chinese(tmp_path):
    """sim check's 'a host needs an address' line is Chinese under --lang zh (it was English after the node's name)."""
    topology = tmp_path / "t.yaml"
    topology.write_text("nodes:\n  pc4: {kind: host}\n")
    result = CliRunner().invoke(cli, ["--lang", "zh", "sim", "check", str(topology)])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"{topology}:2: 节点 pc4：主机需要地址：请加上 ip: 198.18.0.N/24（或 ip: rarp、ip: dhcp）"
    )


def test_show_route_sources_and_the_spanning_tree_heading_are_in_chinese():
    """--show route says 直连 for a connected route as `--do "r1 route"` does, and --show stp heads each switch
    "sw1 生成树" (they said 'connected' and 'sw1 spanning tree'); --json keeps the English word."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    routes = CliRunner().invoke(
        cli,
        ["--lang", "zh", "sim", "run", str(examples / "count-to-infinity.yaml"), "--until", "5s", "--show", "route"],
    )
    assert "直连" in routes.output and "connected" not in routes.output
    trees = CliRunner().invoke(
        cli, ["--lang", "zh", "sim", "run", str(examples / "stp.yaml"), "--until", "2s", "--show", "stp"]
    )
    assert "sw1 生成树" in trees.output and "spanning tree" not in trees.output
    document = CliRunner().invoke(
        cli,
        [
            "--lang",
            "zh",
            "sim",
            "run",
            str(examples / "count-to-infinity.yaml"),
            "--until",
            "5s",
            "--show",
            "route",
            "--json",
        ],
    )
    assert '"source": "connected"' in document.output
