"""`lanlab dhcp serve` given odd --pool text: said plainly, before any socket opens (no namespace needed)."""

from __future__ import annotations

import socket
from ipaddress import IPv4Interface

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli


@pytest.fixture
def served(monkeypatch):
    """`lanlab dhcp serve -I v0 ARGS` on an interface at 198.18.0.1/24, answering nothing: (exit code, output)."""
    import lanlab.net.dhcp_server as dhcp_server

    monkeypatch.setattr(dhcp_server, "interface_address", lambda name: IPv4Interface("198.18.0.1/24"))
    monkeypatch.setattr(dhcp_server, "open_socket", lambda name: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    monkeypatch.setattr(dhcp_server, "serve", lambda *args: 0)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--lang", "en", "dhcp", "serve", "-I", "v0", *args])
        return result.exit_code, result.output

    return run


@pytest.mark.parametrize("pool", ["198.18.0.10-", "-198.18.0.10", " - ", "198.18.0.10-198.18.0.20-198.18.0.30"])
def test_a_pool_without_both_ends_asks_for_first_last(served, pool):
    """--pool with an end missing said "'' is not an IPv4 address (--pool)", and with three ends blamed the last
    two as one address; each now asks for FIRST-LAST, status 2."""
    assert served("--pool", pool) == (
        2,
        f"lanlab: --pool {pool!r} needs FIRST-LAST, e.g. 198.18.0.100-198.18.0.199\n",
    )


def test_the_pool_served_is_shown_as_read(served):
    """--pool '198.18.0.10 - 198.18.0.20' was echoed with its spaces in the first line; the line now shows the
    two addresses read. Nothing answered: status 1."""
    code, output = served("--pool", "198.18.0.10 - 198.18.0.20")
    assert code == 1
    assert output.splitlines()[0] == "lanlab dhcp: serving 198.18.0.10-198.18.0.20 on v0 (198.18.0.1/24), lease 3600 s"
