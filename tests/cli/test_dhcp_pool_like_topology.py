"""`lanlab dhcp serve --pool` and a topology file's `dhcp: {pool: ...}` read a pool with one reader and one set of
rules (lanlab.topology.settings.read_pool, pool_problem): each pool is refused by both or by neither, with the
same one-line problem (no socket opens; the interface's address is given)."""

from __future__ import annotations

import socket
from ipaddress import IPv4Interface

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from simnets import topology_problems


def served(monkeypatch, interface: str, pool: str) -> tuple[int, str]:
    """`lanlab dhcp serve -I v0 --pool POOL` on an interface at `interface`, answering nothing."""
    import lanlab.net.dhcp_server as dhcp_server

    monkeypatch.setattr(dhcp_server, "interface_address", lambda name: IPv4Interface(interface))
    monkeypatch.setattr(dhcp_server, "open_socket", lambda name: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    monkeypatch.setattr(dhcp_server, "serve", lambda *args: 0)
    result = CliRunner().invoke(cli, ["--lang", "en", "dhcp", "serve", "-I", "v0", "--pool", pool])
    return result.exit_code, result.output


def checked(interface: str, pool: str) -> list[str]:
    """The problems `sim check` finds in a file whose one server at `interface` lends `pool`."""
    text = f"""nodes:
  srv: {{kind: host, ip: {interface}, dhcp: {{pool: '{pool}'}}}}
  pc1: {{kind: host, ip: dhcp}}
  sw: {{kind: switch}}
links:
  - [srv:eth0, sw:p1]
  - [pc1:eth0, sw:p2]
"""
    return topology_problems(text)


REFUSED = [
    ("198.18.0.1/24", "198.18.0.20-198.18.0.10"),  # reversed
    ("198.18.0.1/24", "198.18.1.10-198.18.1.20"),  # another subnet
    ("198.18.0.1/24", "198.18.0.200-198.18.1.5"),  # runs out of the subnet
    ("198.18.0.1/24", "198.18.0.1-198.18.0.1"),  # only the server's own address
    ("198.18.0.1/24", "198.18.0.0-198.18.0.0"),  # only the network address
    ("198.18.0.1/24", "198.18.0.255-198.18.0.255"),  # only the broadcast address
    ("198.18.0.1/32", "198.18.0.1-198.18.0.1"),  # a /32: nothing but the server
    ("198.18.0.1/24", "0.0.0.0-255.255.255.255"),  # everything
    ("198.18.0.1/24", "127.0.0.1-127.0.0.9"),  # loopback
    ("198.18.0.1/24", "garbage"),
    ("198.18.0.1/24", "198.18.0.10"),
    ("198.18.0.1/24", "198.18.0.10-"),
    ("198.18.0.1/24", "-198.18.0.10"),
    ("198.18.0.1/24", "198.18.0.10-198.18.0.20-198.18.0.30"),
    ("198.18.0.1/24", "198.18.0.10-x"),
    ("198.18.0.1/24", "198.18.0.010-198.18.0.20"),
    ("198.18.0.1/24", "198.18.0.10-198.18.0.300"),
]


@pytest.mark.parametrize("interface, pool", REFUSED)
def test_a_bad_pool_is_the_same_one_line_problem_in_both(monkeypatch, interface, pool):
    """A reversed pool said "runs backwards" in lanlab dhcp serve and "the first address comes after the last" in
    a file; a pool off the subnet, a garbled address or three ends were said in other words again. Now the
    server's line is the file's, the field named --pool for pool, and exit status 2."""
    code, output = served(monkeypatch, interface, pool)
    problems = checked(interface, pool)
    assert code == 2 and len(problems) == 1, (output, problems)
    assert output.count("\n") == 1 and "Traceback" not in output
    said = output.removeprefix("lanlab: ").rstrip("\n")
    assert problems[0] == "t.yaml:2: node srv dhcp: " + said.replace("--pool", "pool", 1)


@pytest.mark.parametrize(
    "interface, pool",
    [
        ("198.18.0.1/24", "198.18.0.0-198.18.0.255"),  # the whole subnet: network, broadcast and own never lent
        ("198.18.0.1/24", "198.18.0.1-198.18.0.2"),  # the server's own address and one more
        ("198.18.0.1/15", "198.18.0.2-198.19.255.254"),  # 131,069 addresses
        ("198.18.0.1/24", " 198.18.0.10 - 198.18.0.20 "),
    ],
)
def test_a_pool_with_an_address_to_lend_is_taken_by_both(monkeypatch, interface, pool):
    """A pool holding the addresses never lent (the server's, the network's, the broadcast) besides one it can
    lend, and a pool of a /15, load in a file and are served by lanlab dhcp serve (status 1: nothing heard)."""
    code, output = served(monkeypatch, interface, pool)
    assert (code, checked(interface, pool)) == (1, []), output
    first, last = (end.strip() for end in pool.split("-"))
    assert output.startswith(f"lanlab dhcp: serving {first}-{last} on v0 ({interface})")
