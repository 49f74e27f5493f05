"""The switch, router and DHCP fields (lanlab.topology.settings): their problems in both languages."""

from __future__ import annotations

from simnets import topology_problems
from tests.helpers.languages import CHINESE, check_problems

BAD_SETTINGS = """nodes:
  sw1: {kind: switch, stp: {priority: 70000, mode: x}}
  srv:
    kind: host
    gateway: 198.18.0.2
    interfaces:
      eth0: {ip: 198.18.0.2/24, dhcp: {pool: 198.18.1.100-198.18.1.199, router: 198.18.5.1}}
  r1:
    kind: router
    interfaces: {eth0: 198.18.2.254/24, eth1: 198.18.2.253/24}
    routes: [{to: 198.18.9.0/24, via: 198.18.7.1}]
    rip: {version: 3, passive: [eth9]}
    dhcp_relay: 198.18.0.99
"""


def test_settings_problems_are_shown_in_chinese_at_the_same_lines_and_stay_english_text(tmp_path):
    """`sim check` under --lang zh gives each stp/router/rip/dhcp problem in Chinese at the same
    FILE:LINE; the English lines are those lanlab printed before they became L_ texts, byte for byte."""
    path = tmp_path / "t.yaml"
    path.write_text(BAD_SETTINGS)
    shown = check_problems(path)
    assert [text for _, text in shown["en"]] == [
        "node sw1 stp: priority must be between 0 and 65535 (lower wins), not 70000",
        "node sw1 stp: mode 'x': choose stp (802.1D) or rstp (802.1w)",
        "node srv interfaces.eth0 dhcp: pool 198.18.1.100-198.18.1.199 is not inside 198.18.0.0/24, the subnet "
        "of 198.18.0.2/24: a server hands out addresses of the subnet it serves",
        "node srv interfaces.eth0 dhcp: router 198.18.5.1 is not in 198.18.0.0/24: clients reach their gateway "
        "directly",
        "node r1 interfaces.eth1: 198.18.2.253/24 is in 198.18.2.0/24, the subnet of eth0 already: give each "
        "interface of a router its own subnet",
        "node r1 routes[0]: gateway 198.18.7.1 is not on any of the router's networks",
        "node r1 rip: version 3: RIP has versions 1 and 2",
        "node r1 rip: passive: lists interfaces of this router (eth0)",
        "node r1: dhcp_relay: 198.18.0.99 is no node's address in this file; give the DHCP server's address",
    ]
    for _, text in shown["zh"]:
        assert CHINESE.search(text.replace("节点", "").replace("的", "")), text  # more than the owner's words
    assert shown["zh"][2][1].endswith(
        "地址池 198.18.1.100-198.18.1.199 不在 198.18.0.0/24 之内，即 198.18.0.2/24 的子网：服务器分配的是它所服务子网中的地址"
    )


def test_a_word_outside_a_fields_choices_is_said_without_pythons_enum_message(tmp_path):
    """split_horizon: maybe lists the words it takes and nothing of Python's "'maybe' is not a valid
    SplitHorizon", which leaked in English into every language."""
    from lanlab.sim import TopologyError, load_topology

    text = "name: b\nnodes:\n  r1: {kind: router, interfaces: {eth0: 198.18.0.1/24}, rip: {split_horizon: maybe}}\n"
    try:
        load_topology("b.yaml", text=text)
    except TopologyError as error:
        [problem] = [str(p) for p in error.problems]
    assert problem == "b.yaml:3: node r1 rip: split_horizon: 'maybe' is not none, simple or poisoned_reverse"


def _dhcp_problems(dhcp: str) -> list[str]:
    """The problems `sim check` finds in a server srv (198.18.0.1/24) with `dhcp: {DHCP}`."""
    return topology_problems(f"name: d\nnodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {{{dhcp}}}}}\n", "d.yaml")


def test_a_dhcp_domain_that_is_no_dns_name_is_a_file_line_problem():
    """domain: with a non-ASCII letter, a space or past 253 characters was a traceback when the run sent it
    (option 15 is ASCII); now it is a FILE:LINE problem naming RFC 1123's rule. lab.test and lab.test. pass."""
    pool = "pool: 198.18.0.10-198.18.0.20"
    for bad in ("ländle", "a b", "a..b", "x" * 64, ".".join(["abc"] * 70)):
        [problem] = _dhcp_problems(f'{pool}, domain: "{bad}"')
        assert "is not a DNS domain" in problem and problem.startswith("d.yaml:3: node srv dhcp: domain:")
    assert _dhcp_problems(f"{pool}, domain: lab.test") == _dhcp_problems(f"{pool}, domain: lab.test.") == []


def test_a_pool_with_nothing_to_lend_and_a_router_on_the_broadcast_address_are_problems():
    """A pool holding only the server's own address (or the subnet's network or broadcast address) served
    nothing and said nothing; a router at the subnet's broadcast address was accepted. Both are refused now."""
    [empty] = _dhcp_problems("pool: 198.18.0.1-198.18.0.1")
    assert "has no address to lend in 198.18.0.0/24" in empty
    [edge] = _dhcp_problems("pool: 198.18.0.255-198.18.0.255")
    assert "has no address to lend" in edge
    [router] = _dhcp_problems("pool: 198.18.0.10-198.18.0.20, router: 198.18.0.255")
    assert "router 198.18.0.255 is the network or broadcast address of 198.18.0.0/24" in router
    assert _dhcp_problems("pool: 198.18.0.10-198.18.0.20, router: 198.18.0.254") == []
