"""lanlab.net.dhcp_server's errors: the English text in the exception, the user's language where shown."""

from ipaddress import IPv4Interface
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.i18n import localize, message_of, set_language
from lanlab.net.dhcp_server import DhcpServerError, interface_address

MO = Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"
pytestmark = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")


def test_an_interface_without_an_address_is_english_in_the_error_and_chinese_shown():
    """interface_address of a missing interface raises the English text; localize shows it in Chinese."""
    with pytest.raises(DhcpServerError) as caught:
        interface_address("nosuch0")
    assert str(caught.value) == "nosuch0 has no IPv4 address to serve from (No such device)"
    set_language("zh")
    assert localize(message_of(caught.value)) == "nosuch0 上没有可用来提供服务的 IPv4 地址（No such device）"


def test_dhcp_serve_on_a_missing_interface_says_why_in_the_users_language():
    """dhcp serve --interface nosuch0 is one line in Chinese under --lang zh, exit 2, before any socket opens."""
    args = ["dhcp", "serve", "--interface", "nosuch0", "--pool", "198.18.0.10-198.18.0.20"]
    chinese = CliRunner().invoke(cli, ["--lang", "zh", *args])
    assert chinese.exit_code == 2
    assert chinese.output == "lanlab: nosuch0 上没有可用来提供服务的 IPv4 地址（No such device）\n"
    english = CliRunner().invoke(cli, ["--lang", "en", *args])
    assert english.output == "lanlab: nosuch0 has no IPv4 address to serve from (No such device)\n"


def test_dhcp_serve_with_a_bad_pool_says_why_in_the_users_language(monkeypatch):
    """--pool outside the interface's subnet, or backwards, is one line in either language, before any socket opens."""
    import lanlab.net.dhcp_server as dhcp_server

    monkeypatch.setattr(dhcp_server, "interface_address", lambda name: IPv4Interface("198.18.0.1/24"))
    monkeypatch.setattr(dhcp_server, "open_socket", lambda name: pytest.fail("a socket was opened"))
    said = {}
    for word in ("en", "zh"):
        for pool in ("198.18.1.10-198.18.1.20", "198.18.0.20-198.18.0.10"):
            result = CliRunner().invoke(cli, ["--lang", word, "dhcp", "serve", "--interface", "v0", "--pool", pool])
            assert result.exit_code == 2, result.output
            said[word, pool] = result.output
    # the lines a topology file's dhcp: pool gets (topology.settings.pool_problem), which begin with the old ones
    assert said["en", "198.18.1.10-198.18.1.20"] == (
        "lanlab: pool 198.18.1.10-198.18.1.20 is not inside 198.18.0.0/24, the subnet of 198.18.0.1/24: a server "
        "hands out addresses of the subnet it serves\n"
    )
    assert said["en", "198.18.0.20-198.18.0.10"] == (
        "lanlab: pool 198.18.0.20-198.18.0.10 runs backwards: the first address comes after the last\n"
    )
    assert said["zh", "198.18.1.10-198.18.1.20"].startswith(
        "lanlab: 地址池 198.18.1.10-198.18.1.20 不在 198.18.0.0/24 之内"
    )
    assert said["zh", "198.18.0.20-198.18.0.10"].startswith("lanlab: 地址池 198.18.0.20-198.18.0.10 首尾颠倒了")
