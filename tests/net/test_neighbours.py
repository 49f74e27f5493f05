"""lanlab arp: the neighbour table from netlink and /proc/net/arp, checked against `ip neigh` in namespaces."""

import json
import time
from ipaddress import IPv4Address

from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.net.neighbours import neighbours_from_proc, state_name
from lanlab.wire import MacAddress
from netlab import needs_netns

PROC_SAMPLE = """IP address       HW type     Flags       HW address            Mask     Device
198.18.0.2       0x1         0x2         c6:76:84:b5:62:70     *        eth0
198.18.0.99      0x1         0x0         00:00:00:00:00:00     *        eth0
198.18.0.7       0x1         0x6         b8:27:eb:00:00:07     *        eth1
"""


def test_proc_net_arp_is_parsed_with_complete_incomplete_and_permanent():
    """/proc/net/arp flags give COMPLETE (0x2), INCOMPLETE (0x0, no MAC) and PERMANENT (0x4)."""
    entries = neighbours_from_proc(PROC_SAMPLE)
    assert [(str(e.ip), e.mac, e.interface, e.state) for e in entries] == [
        ("198.18.0.2", MacAddress("c6:76:84:b5:62:70"), "eth0", "COMPLETE"),
        ("198.18.0.99", None, "eth0", "INCOMPLETE"),
        ("198.18.0.7", MacAddress("b8:27:eb:00:00:07"), "eth1", "PERMANENT"),
    ]


def test_state_names_follow_the_nud_bits():
    """NUD bits map to ip-neigh's names."""
    assert [state_name(bit) for bit in (0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x80)] == [
        "INCOMPLETE",
        "REACHABLE",
        "STALE",
        "DELAY",
        "PROBE",
        "FAILED",
        "PERMANENT",
    ]


def _ip_neigh(host):
    table = {}
    for line in host.run("ip", "-4", "neigh", "show").stdout.splitlines():
        words = line.split()
        mac = words[words.index("lladdr") + 1] if "lladdr" in words else None
        table[words[0]] = (mac, words[-1])
    return table


@needs_netns
def test_table_after_traffic_matches_ip_neigh(lan):
    """After pings, the table lists the neighbour REACHABLE with its MAC and a silent address without one,
    exactly as `ip neigh` shows them."""
    a, b = lan(2).hosts
    a.lanlab("ping", "-c", "1", b.ip)
    a.lanlab("ping", "-c", "1", "-W", "0.2", "198.18.0.99")
    for _ in range(100):  # INCOMPLETE turns FAILED after 3 probes: compare once it has
        if _ip_neigh(a).get("198.18.0.99", (None, ""))[1] == "FAILED":
            break
        time.sleep(0.1)
    document = json.loads(a.lanlab("arp", "--json").stdout)
    ours = {row["ip"]: (row["mac"], row["state"]) for row in document}
    assert ours[b.ip] == (b.mac, "REACHABLE")
    assert ours["198.18.0.99"][0] is None
    assert ours == _ip_neigh(a)
    assert {row["interface"] for row in document} == {"eth0"}


@needs_netns
def test_text_table_has_the_vendor_column_and_filters_by_interface(lan):
    """The text table shows IP, MAC, interface, state and vendor; -i of another interface shows nothing."""
    a, b = lan(2).hosts
    a.lanlab("ping", "-c", "1", b.ip)
    lines = a.lanlab("arp").stdout.splitlines()
    assert lines[0].split() == ["IP", "address", "MAC", "address", "interface", "state", "vendor"]
    assert lines[1].split() == [b.ip, b.mac, "eth0", "REACHABLE", "(locally", "administered)"]
    assert a.lanlab("arp", "-i", "lo", "--json").stdout.strip() == "[]"


def test_unknown_interface_exits_2():
    """-i naming no interface is a one-line error."""
    result = CliRunner().invoke(cli, ["arp", "-i", "nosuch0"])
    assert result.exit_code == 2 and "nosuch0" in result.output


def test_proc_entries_sort_by_address():
    """Entries compare by IP address, not as text (198.18.0.10 after 198.18.0.9)."""
    text = (
        PROC_SAMPLE.splitlines()[0] + "\n198.18.0.10 0x1 0x2 02:00:00:00:00:0a * eth0\n"
        "198.18.0.9 0x1 0x2 02:00:00:00:00:09 * eth0\n"
    )
    assert sorted(e.ip for e in neighbours_from_proc(text)) == [IPv4Address("198.18.0.9"), IPv4Address("198.18.0.10")]
