"""lanlab.real.model: a topology file read for the kernel (no root needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from simnets import topology_problems

from lanlab.cli.real import load_lab
from lanlab.real.model import TopologyError, read_lab

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_hub_vs_switch_reads_kinds_ports_and_addresses():
    """Each node keeps its kind; a host's eth0 has the YAML address; links keep their two ends."""
    lab = read_lab(EXAMPLES / "hub_vs_switch.yaml")
    assert {name: node.kind for name, node in lab.nodes.items()} == {
        "pc1": "host",
        "pc2": "host",
        "pc3": "host",
        "pc4": "host",
        "sw1": "switch",
        "hub1": "hub",
    }
    assert str(lab.nodes["pc3"].interfaces["eth0"]["ip"]) == "198.18.0.3/24"
    assert lab.nodes["sw1"].ageing == 300 * 10**9
    assert [(link.a, link.b) for link in lab.links][2] == (("sw1", "p3"), ("hub1", "p1"))


def test_a_node_name_resolves_to_its_first_address():
    """`pc2` in a --do line is pc2's address, as the simulator resolves it; other words stay."""
    lab = read_lab(EXAMPLES / "arp.yaml")
    assert lab.address_of("pc2") == "198.18.0.2"
    assert lab.address_of("198.18.0.9") == "198.18.0.9"


def test_rarp_and_unknown_kinds_are_file_line_errors(tmp_path):
    """What the kernel cannot build is reported as FILE:LINE, every problem at once."""
    path = tmp_path / "t.yaml"
    path.write_text("nodes:\n  pc1: {kind: host, ip: rarp}\n  x: {kind: toaster}\nlinks: []\n")
    with pytest.raises(TopologyError) as caught:
        read_lab(path)
    problems = caught.value.problems
    assert any(p.startswith(f"{path}:2:") and "rarp" in p for p in problems)
    assert any(p.startswith(f"{path}:3:") and "toaster" in p for p in problems)


def test_a_port_longer_than_an_interface_name_is_refused(tmp_path):
    """Ports become interface names in a namespace: more than 15 characters is an error."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  sw1: {kind: switch}\n"
        "links:\n  - [pc1:eth0, sw1:a_very_long_port_name]\n"
    )
    with pytest.raises(TopologyError, match="15 characters"):
        read_lab(path)


def test_router_routes_and_rip_are_read_through_the_topology_package(tmp_path):
    """A router's interfaces, static routes and RIP settings come from lanlab.topology's readers."""
    path = tmp_path / "r.yaml"
    path.write_text(
        "nodes:\n  r1:\n    kind: router\n    interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}\n"
        "    routes: [{to: 198.18.5.0/24, via: 198.18.1.1}]\n    rip: {enabled: true}\nlinks: []\n"
    )
    node = read_lab(path).nodes["r1"]
    assert [str(prefix) for prefix, _ in node.routes] == ["198.18.5.0/24"]
    assert node.rip is not None and set(node.interfaces) == {"eth0", "eth1"}


def test_a_kind_the_kernel_lab_cannot_build_is_said_in_the_users_language(tmp_path):
    """An unknown or missing kind: the English problem as before, Chinese where shown under zh."""
    from lanlab.i18n import localize, set_language

    path = tmp_path / "t.yaml"
    path.write_text("nodes:\n  x1: {kind: toaster}\n  x2: {}\nlinks: []\n")
    with pytest.raises(TopologyError) as caught:
        read_lab(path)
    problems = [problem.removeprefix(f"{path}:") for problem in caught.value.problems]
    assert problems == [
        "2: node x1: unknown kind 'toaster' (on the kernel: one of host, switch, hub, router)",
        "3: node x2: missing kind (on the kernel: one of host, switch, hub, router)",
    ]
    set_language("zh")
    assert [localize(problem).removeprefix(f"{path}:") for problem in caught.value.problems] == [
        "2: 节点 x1：未知的 kind 'toaster'（在内核上只能是 host, switch, hub, router 之一）",
        "3: 节点 x2：缺少 kind（在内核上只能是 host, switch, hub, router 之一）",
    ]


def test_links_the_kernel_lab_cannot_make_are_said_in_the_users_language(tmp_path):
    """A link to a missing interface or node, or a port name too long for the kernel: English, and Chinese under zh."""
    from lanlab.i18n import localize, set_language

    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  sw1: {kind: switch}\n"
        "links:\n  - [pc1:eth9, sw1:p1]\n  - [pcX:eth0, sw1:p2]\n  - [pc1:eth0, sw1:averyveryverylongportname]\n"
    )
    with pytest.raises(TopologyError) as caught:
        read_lab(path)
    assert [problem.removeprefix(f"{path}:") for problem in caught.value.problems] == [
        "5: host pc1 has no interface 'eth9' (it has eth0)",
        "6: link endpoint 'pcX:eth0': unknown node 'pcX'",
        "7: port name 'averyveryverylongportname' is longer than the kernel's 15 characters",
    ]
    set_language("zh")
    assert [localize(problem).removeprefix(f"{path}:") for problem in caught.value.problems] == [
        "5: host pc1 没有接口 'eth9'（它有 eth0）",
        "6: 链路端点 'pcX:eth0'：未知节点 'pcX'",
        "7: 端口名 'averyveryverylongportname' 超过了内核允许的 15 个字符",
    ]


def test_an_mtu_is_read_for_hosts_and_routers_and_set_on_their_links(tmp_path):
    """mtu: on a host (short form or per interface) and a router's interface reaches `ip link set ... mtu`."""
    from lanlab.real.netns import _node_lines

    path = tmp_path / "m.yaml"
    path.write_text(
        "nodes:\n"
        "  pc1: {kind: host, ip: 198.18.0.1/24, mtu: 1400}\n"
        "  pc2: {kind: host, interfaces: {eth0: {ip: 198.18.1.1/24, mtu: 1280}}}\n"
        "  r1: {kind: router, interfaces: {eth0: {ip: 198.18.0.254/24, mtu: 1400}, eth1: 198.18.1.254/24}}\n"
        "links: [[pc1:eth0, r1:eth0], [pc2:eth0, r1:eth1]]\n"
    )
    lab = read_lab(path)
    assert "link set dev eth0 mtu 1400" in _node_lines(lab, lab.nodes["pc1"])
    assert "link set dev eth0 mtu 1280" in _node_lines(lab, lab.nodes["pc2"])
    assert [line for line in _node_lines(lab, lab.nodes["r1"]) if " mtu " in line] == ["link set dev eth0 mtu 1400"]


def test_a_host_interface_with_an_unknown_field_is_refused(tmp_path):
    """A typo inside a host's interfaces (mtuu) is a file:line error, as the simulator says it."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  pc1:\n    kind: host\n    interfaces: {eth0: {ip: 198.18.0.1/24, mtuu: 1400}}\nlinks: []\n"
    )
    with pytest.raises(TopologyError, match="unknown field 'mtuu'"):
        read_lab(path)


def test_a_links_mtu_is_set_on_both_ends_unless_an_interface_has_its_own(tmp_path):
    """A link's mtu: reaches both ends on the kernel (it was ignored: the simulator dropped a 1472-byte DF
    datagram the kernel delivered); an interface's own mtu: wins over it, as in the simulator."""
    from lanlab.real.netns import _node_lines

    path = tmp_path / "l.yaml"
    path.write_text(
        "nodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  pc2: {kind: host, ip: 198.18.0.2/24, mtu: 1300}\n"
        "links:\n  - {endpoints: [pc1:eth0, pc2:eth0], mtu: 1000}\n"
    )
    lab = read_lab(path)
    assert [line for line in _node_lines(lab, lab.nodes["pc1"]) if " mtu " in line] == ["link set dev eth0 mtu 1000"]
    assert [line for line in _node_lines(lab, lab.nodes["pc2"]) if " mtu " in line] == ["link set dev eth0 mtu 1300"]


def two_nodes(tmp_path: Path, name: str) -> Path:
    """A file with a host called `name` cabled to a switch."""
    path = tmp_path / "t.yaml"
    path.write_text(
        f'nodes:\n  "{name}": {{kind: host, ip: 198.18.0.1/24}}\n  sw1: {{kind: switch}}\n'
        f'links:\n  - ["{name}:eth0", sw1:p1]\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("name", ["pc 1", "pc#1", "pc'1", "h" * 65, "h" * 63 + "\xe7"])
def test_a_node_name_no_namespace_or_hostname_can_hold_is_a_file_line_error(tmp_path, name):
    """A blank, '#' or quote (split or cut in `ip -batch`), more than 64 bytes (a hostname): FILE:LINE, not ip's error."""
    path = two_nodes(tmp_path, name)
    with pytest.raises(TopologyError) as caught:
        read_lab(path)
    assert [p.split(": ", 1)[0] for p in caught.value.problems] == [f"{path}:2"]
    assert "at most 64 bytes" in caught.value.problems[0]


def test_a_node_name_of_64_bytes_is_read(tmp_path):
    """64 bytes, letters beyond ASCII among them, is a name the kernel lab builds."""
    assert "h" * 62 + "\xe7" in read_lab(two_nodes(tmp_path, "h" * 62 + "\xe7")).nodes


def _kernel_problems(path: Path) -> list[str]:
    try:
        read_lab(path)
    except TopologyError as error:
        return [str(problem) for problem in error.problems]
    return []


# Files whose mistakes need every node read (a DNS record's or server's address on no subnet, a CNAME to
# nothing) or concern a host's interfaces, which the simulator and the kernel lab read with one reader.
SAME_CHECKS = {
    "record on no subnet": (
        "nodes:\n  h1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.2}\n"
        "  h2: {kind: host, ip: 198.18.0.2/24, dns: {zone: lab.test, records: {www: 198.19.9.9}}}\n"
        "links:\n  - [h1:eth0, h2:eth0]\n"
    ),
    "resolver on no subnet": "nodes:\n  h1: {kind: host, ip: 198.18.0.1/24, dns: 198.19.0.53}\nlinks: []\n",
    "ip beside interfaces": (
        "nodes:\n  h1: {kind: host, ip: 198.18.0.1/24, interfaces: {eth0: {ip: 198.18.0.2/24}}}\nlinks: []\n"
    ),
    "no address": "nodes:\n  h1: {kind: host, mac: 02:00:00:00:00:01}\nlinks: []\n",
}


@pytest.mark.parametrize("text", SAME_CHECKS.values(), ids=SAME_CHECKS.keys())
def test_the_kernel_lab_finds_the_simulators_problems_in_a_file(tmp_path, text):
    """A file the simulator refuses is refused for the kernel with the same FILE:LINE problems."""
    path = tmp_path / "t.yaml"
    path.write_text(text)
    expected = topology_problems(text, str(path))
    assert expected
    # the kernel has no RARP client: its advice for a host without an address leaves out ip: rarp
    assert _kernel_problems(path) == [line.replace("ip: rarp, ", "") for line in expected]


def test_a_dns_record_may_point_at_a_host_on_a_lan_without_a_router(tmp_path):
    """A host's own address puts its subnet in the file: a record at a LAN host is read for the kernel."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  h1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.2}\n"
        "  h2: {kind: host, ip: 198.18.0.2/24, dns: {zone: lab.test, records: {www: 198.18.0.1}}}\n"
        "links:\n  - [h1:eth0, h2:eth0]\n"
    )
    assert str(read_lab(path).nodes["h2"].zone["addresses"]["www.lab.test."][0]) == "198.18.0.1"


def test_the_files_warnings_are_said_before_a_kernel_lab_runs(tmp_path, capsys):
    """A fixed address inside a DHCP pool is a warning for the kernel lab as in `sim check`; the lab still loads."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n  srv: {kind: host, ip: 198.18.0.1/24, dhcp: {pool: 198.18.0.2-198.18.0.9}}\n"
        "  pc: {kind: host, ip: 198.18.0.5/24}\n"
        "links:\n  - [srv:eth0, pc:eth0]\n"
    )
    lab = load_lab(path)
    assert sorted(lab.nodes) == ["pc", "srv"]
    err = capsys.readouterr().err
    assert f"{path}:3: warning: 198.18.0.5 is inside the DHCP pool 198.18.0.2-198.18.0.9" in err
