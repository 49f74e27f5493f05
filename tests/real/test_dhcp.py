"""lanlab.real.dhcp: dnsmasq's command line from `dhcp:`, its lease file as the leases table, and
compare's view of leases (no root needed); a lease taken in namespaces (root, skip otherwise)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from netlab import lanlab_compare, netns_unavailable_reason

from lanlab.cli.real import STANDING
from lanlab.real import dhcp, netns
from lanlab.real.compare import differences
from lanlab.real.model import read_lab

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

ONE_SUBNET = """name: dhcp1
nodes:
  srv:
    kind: host
    ip: 198.18.0.2/24
    dhcp: {pool: 198.18.0.100-198.18.0.199, lease: 30m, router: 198.18.0.254, dns: 198.18.0.53}
  pc1: {kind: host, ip: dhcp}
  pc2: {kind: host, ip: dhcp}
  sw1: {kind: switch}
links:
  - [srv:eth0, sw1:p1]
  - [pc1:eth0, sw1:p2]
  - [pc2:eth0, sw1:p3]
"""


@pytest.fixture
def one_subnet(tmp_path: Path) -> Path:
    path = tmp_path / "dhcp1.yaml"
    path.write_text(ONE_SUBNET)
    return path


def test_ip_dhcp_is_a_lease_and_dhcp_a_server_with_the_files_pool(one_subnet: Path):
    """A host with ip: dhcp has no address but a lease to take; the server keeps its pool settings."""
    lab = read_lab(one_subnet)
    assert dhcp.leasing(lab.nodes["pc1"]) == ["eth0"] and lab.nodes["pc1"].interfaces["eth0"]["ip"] is None
    [(port, pool)] = dhcp.serving(lab.nodes["srv"])
    assert (port, str(pool["pool"][0]), pool["lease"]) == ("eth0", "198.18.0.100", 1800 * 10**9)


def test_a_lease_under_dnsmasqs_two_minutes_is_listed_as_not_applied(tmp_path: Path):
    """lease: 30s runs on the kernel as dnsmasq's 120 s: said in not_applied (compare lists it as known); before,
    nothing said it, and renewals and expiries differed between the two runs unexplained. 30m is said nothing of."""
    short = tmp_path / "short.yaml"
    short.write_text(ONE_SUBNET.replace("lease: 30m", "lease: 30s"))
    assert dhcp.short_leases(read_lab(short).nodes["srv"]) == [
        {"where": "srv:eth0", "property": "dhcp lease 30s", "why": "dnsmasq lends for at least 120 s"}
    ]
    long = tmp_path / "long.yaml"
    long.write_text(ONE_SUBNET)
    assert dhcp.short_leases(read_lab(long).nodes["srv"]) == []


def test_dnsmasq_runs_dhcp_only_with_the_pool_lease_router_and_dns(one_subnet: Path, tmp_path: Path):
    """--port=0 (no DNS), the range with its mask and lease in seconds, options 3 and 6 from the file."""
    argv = dhcp.server_argv(read_lab(one_subnet).nodes["srv"], tmp_path)
    assert "--port=0" in argv and "--interface=eth0" in argv
    assert "--dhcp-range=set:pool0,198.18.0.100,198.18.0.199,255.255.255.0,1800" in argv
    assert "--dhcp-option=tag:pool0,3,198.18.0.254" in argv and "--dhcp-option=tag:pool0,6,198.18.0.53" in argv
    assert f"--dhcp-leasefile={tmp_path / 'srv.leases'}" in argv


def test_the_lease_file_becomes_the_simulators_lease_rows(one_subnet: Path, tmp_path: Path):
    """EXPIRY MAC IP HOSTNAME CLIENT-ID lines -> {interface, ip, mac, state, expires, hostname} by address."""
    (tmp_path / "srv.leases").write_text(
        "1000003600 02:00:00:00:00:02 198.18.0.101 pc2 01:02:00:00:00:00:02\n"
        "1000001800 02:00:00:00:00:01 198.18.0.100 * *\n"
    )
    rows = dhcp.leases(read_lab(one_subnet).nodes["srv"], tmp_path, wall0=1000000000.0)
    assert rows == [
        {
            "interface": "eth0",
            "ip": "198.18.0.100",
            "mac": "02:00:00:00:00:01",
            "state": "bound",
            "expires": 1800.0,
            "hostname": "",
        },
        {
            "interface": "eth0",
            "ip": "198.18.0.101",
            "mac": "02:00:00:00:00:02",
            "state": "bound",
            "expires": 3600.0,
            "hostname": "pc2",
        },
    ]


def lease_doc(pairs: list[tuple[str, str]], expires: float = 3600.0) -> dict:
    return {
        "until": 5.0,
        "tables": {
            "srv": {
                "leases": [
                    {"interface": "eth0", "ip": ip, "mac": mac, "state": "bound", "expires": expires, "hostname": ""}
                    for ip, mac in pairs
                ]
            }
        },
    }


def test_leases_compare_by_holder_and_expiry_within_the_run():
    """The same address to the same interface agrees; another holder, or an expiry off by more than
    the run, is a difference; the same addresses paired otherwise is known timing."""
    sim_owners = {"a1": "pc1:eth0", "a2": "pc2:eth0"}
    real_owners = {"b1": "pc1:eth0", "b2": "pc2:eth0"}
    sim = lease_doc([("198.18.0.100", "a1"), ("198.18.0.101", "a2")])
    assert differences(
        sim, lease_doc([("198.18.0.100", "b1"), ("198.18.0.101", "b2")], 3602.0), sim_owners, real_owners
    ) == ([], [])
    found, known = differences(
        sim, lease_doc([("198.18.0.100", "b2"), ("198.18.0.101", "b1")]), sim_owners, real_owners
    )
    assert found == [] and "another order" in known[0]
    found, _ = differences(sim, lease_doc([("198.18.0.100", "b1"), ("198.18.0.102", "b2")]), sim_owners, real_owners)
    assert found and "198.18.0.102" in found[0]
    found, _ = differences(
        sim, lease_doc([("198.18.0.100", "b1"), ("198.18.0.101", "b2")], 1800.0), sim_owners, real_owners
    )
    assert len(found) == 2 and "expires" in found[0]


def lab_leftovers() -> set[str]:
    """Namespaces and temporary DHCP folders left by runs whose process has ended (others' labs
    running side by side are in use, not left)."""

    def ended(name: str) -> bool:
        return not netns.run_alive(
            name.rsplit("/", 1)[-1].removeprefix(netns.DHCP_FOLDER).removeprefix(netns.PREFIX).split("-", 1)[0]
        )

    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout.split()
    found = {n for n in names if n.startswith(netns.PREFIX)} | {
        str(p) for p in Path(tempfile.gettempdir()).glob(f"{netns.DHCP_FOLDER}*")
    }
    standing = netns.namespace(STANDING, "")  # `real up`'s lab stands with no process, on purpose
    return {name for name in found if ended(name) and not name.startswith(standing)}


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_dnsmasq_leases_as_the_simulator_in_namespaces(one_subnet: Path):
    """`lanlab compare` on one subnet: dnsmasq leases .100 and .101 to pc1 and pc2 for 30 min as the
    simulator's server does, pc1 uses its lease (a ping answered) and renews it (udhcpc's SIGUSR1:
    the expiry moves), and the lab is removed after."""
    before = lab_leftovers()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lanlab",
            "compare",
            str(one_subnet),
            "--until",
            "5s",
            "--json",
            "--do",
            "at 4s pc1 ping 198.18.0.2 -c 1 -W 1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert document["differences"] == []  # known: which client got .100 (timing), dnsmasq's NAK race
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "lanlab",
            "real",
            "run",
            str(one_subnet),
            "--until",
            "5s",
            "--json",
            "--do",
            "at 4s pc1 ping 198.18.0.2 -c 1 -W 1",
            "--do",
            "at 4s pc1 dhcp renew",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(run.stdout)
    leases = result["tables"]["srv"]["leases"]
    # which client gets .100 is a race of their DISCOVERs (the README's known timing)
    assert sorted(row["ip"] for row in leases) == ["198.18.0.100", "198.18.0.101"]
    assert sorted(row["hostname"] for row in leases) == ["pc1", "pc2"]
    assert all(1795 <= row["expires"] <= 1806 for row in leases)
    assert result["commands"][0]["result"]["received"] == 1
    renewed = result["commands"][1]["result"]
    assert renewed["done"] and renewed["state"] == "RENEWING" and renewed["server"] == "198.18.0.2"
    # dnsmasq counts whole seconds from the renewal, at 4 s or later
    assert next(row["expires"] for row in leases if row["ip"] == renewed["address"]) >= 1803
    assert lab_leftovers() <= before


def test_a_router_relays_its_other_subnets_to_the_server_with_their_address_as_giaddr():
    """examples/dhcp.yaml: r1's dnsmasq relays eth1 (198.18.1.254) to srv, not eth0 (srv's own subnet)."""
    lab = read_lab(EXAMPLES / "dhcp.yaml")
    assert dhcp.relaying(lab.nodes["r1"]) == [("eth1", "198.18.1.254")]
    argv = dhcp.server_argv(lab.nodes["r1"], Path("/tmp"))
    assert "--dhcp-relay=198.18.1.254,198.18.0.2" in argv and not any("--dhcp-range" in a for a in argv)


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_relayed_leases_agree_with_the_simulator_in_namespaces():
    """examples/dhcp.yaml on the kernel: srv's dnsmasq leases pc2 and pc3 from the relayed subnet's
    pool, as the simulator's server does, with the same DHCP messages on every interface; the ARP
    entry srv's dnsmasq writes for the relay's giaddr, which it unicasts to, is known."""
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "compare", str(EXAMPLES / "dhcp.yaml"), "--until", "6s", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    document = json.loads(done.stdout)
    assert document["differences"] == [], document
    written = {line.split(":")[0] for line in document["known"] if "dnsmasq wrote ARP entries" in line}
    assert "table srv arp" in written, document  # the relay's giaddr, which srv's dnsmasq unicasts to
    run = subprocess.run(
        [sys.executable, "-m", "lanlab", "real", "run", str(EXAMPLES / "dhcp.yaml"), "--until", "6s", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    leases = json.loads(run.stdout)["tables"]["srv"]["leases"]
    assert sorted(row["hostname"] for row in leases if row["ip"].startswith("198.18.1.")) == ["pc2", "pc3"]


ONE_CLIENT = ONE_SUBNET.replace("  pc2: {kind: host, ip: dhcp}\n", "  pc2: {kind: host, ip: 198.18.0.3/24}\n")


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_renew_and_release_on_the_kernel_agree_with_the_simulator(tmp_path: Path):
    """`dhcp renew` (udhcpc's SIGUSR1: a REQUEST to the server) then `dhcp release` (SIGUSR2) give
    the simulator's results; dnsmasq deletes the released lease where the simulator's server keeps
    it as released: that is the one known difference besides ARP entries dnsmasq may write."""
    path = tmp_path / "one.yaml"
    path.write_text(ONE_CLIENT)
    document = lanlab_compare(
        str(path), "--until", "4s", "--do", "at 2s pc1 dhcp renew", "--do", "at 3s pc1 dhcp release"
    )
    assert document["differences"] == []
    assert [line.split(":")[0] for line in document["known"] if "arp" not in line.split(":")[0]] == ["table srv leases"]
    assert "dnsmasq deletes a released lease" in next(line for line in document["known"] if "leases" in line)
