"""`lanlab dhcp serve` when its pool is all lent: the DISCOVER it leaves unanswered says why (no socket opens)."""

from __future__ import annotations

import json
import random
from ipaddress import IPv4Interface

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.proto.dhcp import DhcpClient
from lanlab.wire import MacAddress


@pytest.fixture
def two_clients(monkeypatch):
    """`lanlab dhcp serve -I v0 ARGS` on 198.18.0.1/24, hearing a DISCOVER from each of two clients."""
    import lanlab.net.dhcp_server as dhcp_server

    def serve(sock, server, report, count, deadline):
        for n in (1, 2):
            client = DhcpClient(MacAddress(bytes([2, 0, 0, 0, 0, n])), random.Random(n))
            client.start(0)
            (discover,) = client.messages_to_send(0)
            server.handle_message(discover.message, 0)
            sends = server.messages_to_send(0)
            reply = sends[0].message if sends else None
            report(
                dhcp_server.Exchange(
                    "DISCOVER",
                    str(discover.message.chaddr),
                    "OFFER" if reply is not None else None,
                    reply.yiaddr if reply is not None else None,
                )
            )
        return 1

    monkeypatch.setattr(dhcp_server, "interface_address", lambda name: IPv4Interface("198.18.0.1/24"))
    monkeypatch.setattr(dhcp_server, "open_socket", lambda name: __import__("socket").socket())
    monkeypatch.setattr(dhcp_server, "serve", serve)

    def run(*args: str) -> list[str]:
        result = CliRunner().invoke(cli, ["--lang", "en", "dhcp", "serve", "-I", "v0", *args])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    return run


def test_a_discover_left_unanswered_for_a_pool_all_taken_says_so(two_clients):
    """A pool of one address and two clients: the second DISCOVER's line said only "no answer"; it now says the
    pool has no free address, and --json gains "why": "pool exhausted" (null on the lines answered)."""
    lines = two_clients("--pool", "198.18.0.10-198.18.0.10")
    assert lines[1:3] == [
        "DISCOVER from 02:00:00:00:00:01 -> OFFER 198.18.0.10",
        "DISCOVER from 02:00:00:00:00:02 -> no answer (no free address in the pool 198.18.0.10-198.18.0.10)",
    ]
    heard = [json.loads(line) for line in two_clients("--pool", "198.18.0.10-198.18.0.10", "--json")[:2]]
    assert [(h["answer"], h["why"]) for h in heard] == [("OFFER", None), (None, "pool exhausted")]
    assert two_clients("--pool", "198.18.0.10-198.18.0.11")[1:3] == [
        "DISCOVER from 02:00:00:00:00:01 -> OFFER 198.18.0.10",
        "DISCOVER from 02:00:00:00:00:02 -> OFFER 198.18.0.11",
    ]
