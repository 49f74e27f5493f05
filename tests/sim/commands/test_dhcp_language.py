"""`--do "pcN dhcp renew|release"` and a host command on a switch or hub answer in the user's
language; the --json result stays English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli

ROOT = Path(__file__).resolve().parents[3]
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
pytestmark = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
DHCP = str(ROOT / "examples" / "dhcp.yaml")
DO = ["--do", "at 2s pc1 dhcp release", "--do", "at 3s pc1 dhcp renew", "--do", "at 3s pc2 dhcp renew"]


def run(language: str, *args: str, status: int = 0) -> str:
    result = CliRunner().invoke(cli, ["--lang", language, "sim", "run", *args])
    assert result.exit_code == status, result.output
    return result.output


def test_dhcp_release_and_renew_lines_speak_chinese():
    """release, renew from scratch and renew of a bound lease print their Chinese lines under zh."""
    lines = run("zh", DHCP, "--until", "4s", *DO).splitlines()
    assert "  DHCPRELEASE：把 198.18.0.100 归还给 198.18.0.2（67 端口）" in lines
    assert "  DHCPDISCOVER：广播到 255.255.255.255 的 67 端口" in lines
    assert "  DHCPREQUEST：向 198.18.0.2 的 67 端口请求 198.18.1.100" in lines


def test_dhcp_lines_in_english_are_as_before():
    """Under en the lines are the English ones, word for word."""
    lines = run("en", DHCP, "--until", "4s", *DO).splitlines()
    assert "  DHCPRELEASE of 198.18.0.100 to 198.18.0.2 port 67" in lines
    assert "  DHCPDISCOVER to 255.255.255.255 port 67" in lines
    assert "  DHCPREQUEST for 198.18.1.100 to 198.18.0.2 port 67" in lines


def test_dhcp_json_is_the_same_in_both_languages():
    """The --json document of the renew/release run is identical under en and zh."""
    documents = [json.loads(run(word, DHCP, "--until", "4s", "--json", *DO)) for word in ("en", "zh")]
    assert documents[0] == documents[1]


def test_command_refused_on_its_node_speaks_chinese_and_stays_english_in_json():
    """dhcp renew on a host without ip: dhcp, ping on a hub or a switch: the error in Chinese, English in --json."""
    hubs = str(ROOT / "examples" / "hub_vs_switch.yaml")
    do = ["--do", "pc1 dhcp renew", "--do", "hub1 ping pc1", "--do", "sw1 ping pc1"]
    chinese = run("zh", hubs, "--until", "1s", *do, status=2)
    assert "错误：pc1 不从 DHCP 获取地址（要让它获取，请写 ip: dhcp）" in chinese
    assert "错误：hub1 是集线器：ping 只能在主机和路由器上运行" in chinese
    assert "错误：sw1 是交换机：ping 只能在主机和路由器上运行" in chinese
    english = run("en", hubs, "--until", "1s", *do, status=2)
    assert "error: hub1 is a hub: ping runs on hosts and routers" in english
    assert "error: sw1 is a switch: ping runs on hosts and routers" in english
    errors = [
        [
            command["result"]["error"]
            for command in json.loads(run(word, hubs, "--until", "1s", "--json", *do, status=2))["commands"]
        ]
        for word in ("en", "zh")
    ]
    assert (
        errors[0]
        == errors[1]
        == [
            "pc1 takes no address from DHCP (give it ip: dhcp)",
            "hub1 is a hub: ping runs on hosts and routers",
            "sw1 is a switch: ping runs on hosts and routers",
        ]
    )
