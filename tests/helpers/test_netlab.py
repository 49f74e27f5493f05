"""The namespace lab the real-network tests stand on."""

import subprocess

from netlab import needs_netns


@needs_netns
def test_lan_hosts_reach_each_other_through_the_bridge(lan):
    """Two hosts on a lab bridge answer each other's ping; their MACs are distinct."""
    net = lan(2)
    a, b = net.hosts
    assert a.ip == "198.18.0.1" and b.ip == "198.18.0.2"
    assert a.mac != b.mac
    a.run("ping", "-c", "1", "-W", "2", b.ip)


@needs_netns
def test_lab_removes_its_namespaces(lab):
    """Closing a lab deletes every namespace it made."""
    ns = lab.namespace()
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert ns.name in names
    lab.close()
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert ns.name not in names


@needs_netns
def test_point_to_point_link_carries_traffic(lab):
    """lab.link joins two namespaces directly with a veth pair."""
    a, b = lab.namespace(), lab.namespace()
    lab.link(a, b, "198.19.0.1/30", "198.19.0.2/30")
    a.run("ping", "-c", "1", "-W", "2", "198.19.0.2")
