"""lanlab's default MACs are locally administered and named by nobody: Wireshark shows them as they are."""

import shutil
import subprocess
from pathlib import Path

import pytest

from lanlab.sim import load_topology
from lanlab.sim.devices.host import derived_mac
from lanlab.sim.stacks.stp import bridge_address
from lanlab.wire import EtherType, Ethernet, MacAddress
from lanlab.wire.pcap import PcapWriter

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def default_macs() -> list[MacAddress]:
    """Every default MAC the examples use, plus those of 500 more host names and 50 switch names."""
    macs = [
        nic.mac
        for path in sorted(EXAMPLES.glob("*.yaml"))
        for node in load_topology(path).nodes.values()
        for nic in getattr(node, "nics", [])
    ]
    macs += [derived_mac(f"pc{i}", "eth0") for i in range(500)]
    macs += [bridge_address(f"sw{i}") for i in range(50)] + [bridge_address("core")]
    return macs


def test_default_host_macs_are_local_unicast_where_the_ieee_assigns_nothing():
    """Every default MAC is locally administered unicast; a host's lies in IEEE 802c's AAI quadrant
    (first octet x2), which the IEEE leaves to local administrators (its CIDs are all xA)."""
    macs = default_macs()
    assert len(macs) > 550 and all(mac.is_local and not mac.is_multicast for mac in macs)
    hosts = [derived_mac(f"pc{i}", "eth0") for i in range(500)]
    assert all(mac[0] & 0x0F == 0x02 and mac[0] != 0x02 for mac in hosts)


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (.ci/run installs it)")
def test_wireshark_names_no_default_mac(tmp_path: Path):
    """tshark resolves no default MAC to a vendor or well-known name (02:12:... was 'MS-NLB-PhysServer-18')."""
    macs = default_macs()
    path = tmp_path / "macs.pcap"
    with path.open("wb") as out:
        writer = PcapWriter(out)
        for i, mac in enumerate(macs):
            writer.write(i, Ethernet(MacAddress.BROADCAST, mac, EtherType.IPV4).build(bytes(46)))
    done = subprocess.run(
        ["tshark", "-r", str(path), "-N", "m", "-T", "fields", "-e", "eth.src", "-e", "eth.src_resolved"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert len(rows) == len(macs)
    named = [resolved for address, resolved in rows if resolved != address]
    assert named == []
