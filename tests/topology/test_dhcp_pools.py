"""DHCP pools in topology files (lanlab.topology.settings) as a demanding teacher and a hostile user write them."""

from __future__ import annotations

from ipaddress import IPv4Network

from lanlab.sim.build.load import build
from lanlab.sim.network import Network
from lanlab.topology import read_document
from simnets import topology_problems

FIXED_IN_POOL = """nodes:
  srv: {kind: host, ip: 198.18.0.1/24, dhcp: {pool: 198.18.0.1-198.18.0.20}}
  pc1: {kind: host, ip: dhcp}
  pc2: {kind: host, ip: 198.18.0.15/24}
  r1: {kind: router, interfaces: {eth0: 198.18.0.20/24, eth1: {ip: 198.18.1.1/24, dhcp: {pool: 198.18.1.1-198.18.1.9}}}}
  pc3: {kind: host, ip: 198.18.0.21/24}
"""


def warnings_of(text: str) -> list[str]:
    """The warnings of a topology that loads (a problem would raise TopologyError)."""
    document = read_document("t.yaml", text)
    build(Network("t", 1), document)
    return document.warning_lines()


def test_a_fixed_address_inside_a_pool_is_a_warning_naming_both_lines():
    """pc2's 198.18.0.15 and r1's 198.18.0.20 inside srv's pool were said by nobody, and the server would lend
    them; each is now a warning at the address's line naming the pool's. The servers' own addresses (never lent)
    and 198.18.0.21 (outside) are not said, and the file still loads: a client's ARP probe catches it in a run."""
    assert warnings_of(FIXED_IN_POOL) == [
        "t.yaml:4: warning: 198.18.0.15 is inside the DHCP pool 198.18.0.1-198.18.0.20 on line 2: the server may "
        "lend it to another host (whose ARP probe then finds it in use, RFC 2131 2.2); keep fixed addresses out of "
        "the pool",
        "t.yaml:5: warning: 198.18.0.20 is inside the DHCP pool 198.18.0.1-198.18.0.20 on line 2: the server may "
        "lend it to another host (whose ARP probe then finds it in use, RFC 2131 2.2); keep fixed addresses out of "
        "the pool",
    ]


def test_sim_check_says_the_warnings_on_stderr_and_exits_0(tmp_path):
    """`lanlab sim check` prints each such warning as FILE:LINE on stderr, exit 0 (the reader kept them, and
    nobody printed them)."""
    from click.testing import CliRunner

    from lanlab.cli.main import cli

    path = tmp_path / "t.yaml"
    path.write_text(FIXED_IN_POOL)
    result = CliRunner().invoke(cli, ["sim", "check", str(path)])
    assert result.exit_code == 0
    assert f"{path}:4: warning: 198.18.0.15 is inside the DHCP pool" in result.stderr
    assert f"{path}:5: warning: 198.18.0.20 is inside the DHCP pool" in result.stderr
    assert "ok: network" in result.stdout


def test_a_file_without_fixed_addresses_in_its_pools_has_no_warning():
    """Pools that start after the fixed addresses are said nothing of."""
    text = FIXED_IN_POOL.replace("198.18.0.1-198.18.0.20", "198.18.0.100-198.18.0.199")
    assert warnings_of(text) == []


def test_a_second_pool_for_a_subnet_the_server_already_serves_is_a_problem():
    """A list of two pools on one subnet loaded, and the second never lent (pc2 got nothing while it had 11 free
    addresses); now it is a problem naming the first pool's line. Pools of subnets apart still load."""
    two = "[{pool: 198.18.0.10-198.18.0.10},\n  {pool: 198.18.0.30-198.18.0.40}]"
    assert topology_problems(f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {two}}}\n") == [
        "t.yaml:3: node srv: dhcp: the pool 198.18.0.30-198.18.0.40 for 198.18.0.0/24 would never lend an address: "
        "the pool on line 2 serves 198.18.0.0/24 first; give one subnet one pool (widen that one)"
    ]
    apart = "[{pool: 198.18.0.10-198.18.0.10}, {pool: 198.18.1.30-198.18.1.40, subnet: 198.18.1.0/24}]"
    assert topology_problems(f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {apart}}}\n") == []


def test_a_subnet_holding_the_servers_address_but_not_its_own_is_a_problem():
    """subnet: 198.18.0.0/16 on a server at 198.18.0.1/24 loaded and lent nothing to anybody on its link (the
    server answers a broadcast from a pool of the interface's subnet only); now it is a problem."""
    dhcp = "{pool: 198.18.0.10-198.18.0.40, subnet: 198.18.0.0/16}"
    assert topology_problems(f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {dhcp}}}\n") == [
        "t.yaml:2: node srv dhcp: subnet 198.18.0.0/16 holds this interface's address 198.18.0.1/24 but is not its "
        "subnet 198.18.0.0/24: the server lends to its own link from a pool of 198.18.0.0/24 only, so this one "
        "would lend nothing; leave subnet: out"
    ]
    same = "{pool: 198.18.0.10-198.18.0.40, subnet: 198.18.0.0/24}"
    assert topology_problems(f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {same}}}\n") == []


def test_a_relay_to_a_node_that_serves_no_dhcp_is_a_problem():
    """dhcp_relay: to pc1's address (a host without dhcp:) or to the router's own loaded, and the clients behind
    the relay never got an answer; now it is a problem naming the line of the address. The server's passes."""
    text = """nodes:
  srv: {kind: host, ip: 198.18.0.2/24, dhcp: [{pool: 198.18.0.100-198.18.0.199},
        {subnet: 198.18.1.0/24, pool: 198.18.1.100-198.18.1.199}]}
  pc1: {kind: host, ip: 198.18.0.9/24}
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}, dhcp_relay: RELAY}
"""
    assert topology_problems(text.replace("RELAY", "198.18.0.9")) == [
        "t.yaml:5: node r1: dhcp_relay: 198.18.0.9 (line 4) serves no DHCP: it has no dhcp: pool, so the relayed "
        "clients would get no answer; give the DHCP server's address"
    ]
    assert (
        "dhcp_relay: 198.18.0.254 (line 5) serves no DHCP"
        in topology_problems(text.replace("RELAY", "198.18.0.254"))[0]
    )
    assert topology_problems(text.replace("RELAY", "198.18.0.2")) == []


def test_a_relay_to_a_server_whose_pool_is_wrong_is_not_blamed_too():
    """srv's pools both have a lease too short: those two problems, and none at r1's dhcp_relay: 198.18.0.2 (it
    said srv served no DHCP, a second, false problem for one mistake)."""
    text = """nodes:
  srv: {kind: host, ip: 198.18.0.2/24, dhcp: [{pool: 198.18.0.100-198.18.0.199, lease: 2s},
        {subnet: 198.18.1.0/24, pool: 198.18.1.100-198.18.1.199, lease: 2s}]}
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}, dhcp_relay: 198.18.0.2}
"""
    found = topology_problems(text)
    assert len(found) == 2 and all("lease: at least 4s" in problem for problem in found), found


def test_thousands_of_pools_are_checked_in_little_time():
    """8000 relayed /28 pools took a minute, each pool compared with every other twice (overlap, one pool per
    subnet); sorted ranges make it a few seconds (no timed assertion here: the test's own time shows it)."""
    subnets = [IPv4Network("198.18.0.0/15").network_address + 16 * index for index in range(16, 8016)]
    pools = ", ".join(f"{{subnet: {net}/28, pool: {net + 2}-{net + 13}}}" for net in subnets)
    text = f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: [{{pool: 198.18.0.10-198.18.0.20}}, {pools}]}}\n"
    assert topology_problems(text) == []
    overlapping = text.replace("198.18.0.10-198.18.0.20}", "198.18.0.10-198.18.0.20}, {pool: 198.18.0.15-198.18.0.30}")
    assert topology_problems(overlapping) == [
        "t.yaml:2: node srv dhcp: pool 198.18.0.15-198.18.0.30 overlaps the pool on line 2: two servers would lease "
        "one address twice"
    ]


def test_a_pools_mistakes_are_said_with_the_entrys_other_mistakes_in_one_pass():
    """A pool that runs backwards, or lies outside the subnet, is said beside the same entry's too short lease, as
    sim check said both before the pool readers became one (a5546fb said only the lease)."""
    for pool, said in (("198.18.0.199-198.18.0.100", "runs backwards"), ("198.18.5.1-198.18.5.9", "is not inside")):
        problems = topology_problems(
            f"nodes:\n  srv: {{kind: host, ip: 198.18.0.1/24, dhcp: {{pool: {pool}, lease: 1ms}}}}\n"
        )
        assert len(problems) == 2, problems
        assert any(said in problem for problem in problems) and any("lease: at least 4s" in p for p in problems)
