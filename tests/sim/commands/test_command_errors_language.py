"""The --do commands' own refusals (dig/nslookup words, link ends, mac on a host, traceroute -p) are
shown in the user's language; English as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli

ROOT = Path(__file__).resolve().parents[3]
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
pytestmark = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
HUBS = str(ROOT / "examples" / "hub_vs_switch.yaml")

CASES = [  # (--do, a Chinese line, the English line)
    (
        "pc1 dig",
        "lanlab: --do 'pc1 dig'：dig：请给出要查询的名字，例如 \"dig pc3\"",
        "lanlab: --do 'pc1 dig': dig: give a name to look up, like \"dig pc3\"",
    ),
    (
        "pc1 dig +trace pc2",
        "lanlab: --do 'pc1 dig +trace pc2'：dig：选项 +trace 没有模拟（模拟了 +short 和 +noedns）",
        "lanlab: --do 'pc1 dig +trace pc2': dig: option +trace is not simulated (+short, +noedns are)",
    ),
    (
        "pc1 dig -x pc2",
        "lanlab: --do 'pc1 dig -x pc2'：dig -x：'pc2' 不是 IPv4 地址",
        "lanlab: --do 'pc1 dig -x pc2': dig -x: 'pc2' is not an IPv4 address",
    ),
    (
        "pc1 nslookup -debug pc2",
        "lanlab: --do 'pc1 nslookup -debug pc2'：nslookup：没有模拟选项；请给出 NAME [SERVER]",
        "lanlab: --do 'pc1 nslookup -debug pc2': nslookup: options are not simulated; give NAME [SERVER]",
    ),
    (
        "pc1 dig pc2 A extra",
        "lanlab: --do 'pc1 dig pc2 A extra'：dig：'extra'：请按 [@SERVER] NAME [TYPE] 的格式给出（TYPE 为 A,",
        "lanlab: --do 'pc1 dig pc2 A extra': dig: 'extra': give [@SERVER] NAME [TYPE] (TYPE one of A,",
    ),
    (
        "link pc1:eth0 pc2:eth0 down",
        "lanlab: --do 'link pc1:eth0 pc2:eth0 down'：pc1:eth0 连着的是 sw1:p1，不是 pc2:eth0",
        "lanlab: --do 'link pc1:eth0 pc2:eth0 down': pc1:eth0 is linked to sw1:p1, not pc2:eth0",
    ),
    (
        "pc1 traceroute pc2 -p 65530 -m 30",
        "lanlab: --do 'pc1 traceroute pc2 -p 65530 -m 30'：参数 -p：",
        "lanlab: --do 'pc1 traceroute pc2 -p 65530 -m 30': argument -p: UDP probes use ports 65530 to 65619",
    ),
    ("pc1 mac", "错误：pc1 是主机：只有交换机才有 MAC 地址表", "error: pc1 is a host: only switches have a MAC table"),
    (
        "hub1 mac",
        "错误：hub1 是集线器：只有交换机才有 MAC 地址表",
        "error: hub1 is a hub: only switches have a MAC table",
    ),
    (
        "pc1 udp send 198.18.0.300 5 hi",
        "错误：'198.18.0.300' 既不是节点也不是 IPv4 地址",
        "error: '198.18.0.300' is neither a node nor an IPv4 address",
    ),
]


@pytest.mark.parametrize(("do", "chinese", "english"), CASES, ids=[case[0] for case in CASES])
def test_command_refusals_in_both_languages(do, chinese, english):
    """Under --lang zh the refusal starts with its Chinese words; under en it is the English line."""
    for word, expected in (("zh", chinese), ("en", english)):
        result = CliRunner().invoke(cli, ["--lang", word, "sim", "run", HUBS, "--until", "1s", "--do", do])
        assert result.exit_code == 2, result.output
        assert any(line.startswith(expected) for line in result.output.splitlines()), result.output
