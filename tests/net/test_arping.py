"""lanlab arping in namespaces: replies, silence, duplicate detection, --scan (arp-scan and iputils as peers)."""

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from netlab import needs_netns

SILENT = "198.18.0.99"


def arping(host, *args, **kwargs):
    return host.lanlab("arping", "-I", "eth0", *args, **kwargs)


@needs_netns
def test_arping_a_neighbour_gets_its_mac_then_unicasts(lan):
    """-c 3 gets three replies from the neighbour's MAC; the first request is broadcast, then unicast (iputils)."""
    a, b = lan(2).hosts
    result = arping(a, "-c", "3", "-i", "0.05", b.ip, "--json")
    document = json.loads(result.stdout)
    assert result.returncode == 0
    assert (document["sent"], document["broadcasts"], document["received"]) == (3, 1, 3)
    assert {(r["ip"], r["mac"]) for r in document["replies"]} == {(b.ip, b.mac)}


@needs_netns
def test_text_output_has_iputils_lines(lan):
    """The text output has iputils arping's header, reply lines and two summary lines."""
    a, b = lan(2).hosts
    lines = arping(a, "-c", "2", "-i", "0.05", b.ip).stdout.splitlines()
    assert lines[0] == f"ARPING {b.ip} from {a.ip} eth0"
    assert re.fullmatch(rf"Unicast reply from {b.ip} \[{b.mac.upper()}\]  \d+\.\d{{3}}ms", lines[1])
    assert lines[-2:] == ["Sent 2 probes (1 broadcast(s))", "Received 2 response(s)"]


@needs_netns
def test_same_answer_as_iputils_arping(lan):
    """iputils arping in the same namespace sees the same MAC and exits the same way."""
    if not shutil.which("arping"):
        pytest.skip("iputils arping is not installed")
    a, b = lan(2).hosts
    ours = arping(a, "-c", "1", b.ip)
    theirs = a.run("arping", "-I", "eth0", "-c", "1", b.ip, check=False)
    assert ours.returncode == theirs.returncode == 0
    assert b.mac.upper() in ours.stdout and b.mac.upper() in theirs.stdout


@needs_netns
def test_silent_address_exits_1(lan):
    """Nobody answers for an unused address: 0 responses, exit 1, as iputils arping."""
    host = lan(2).hosts[0]
    ours = arping(host, "-c", "2", "-i", "0.1", SILENT)
    assert ours.returncode == 1 and "Received 0 response(s)" in ours.stdout
    if shutil.which("arping"):
        assert host.run("arping", "-I", "eth0", "-c", "1", "-w", "1", SILENT, check=False).returncode == 1


@needs_netns
def test_duplicate_address_detection(lab, lan):
    """-D exits 1 and names the owner's MAC when the address is taken, 0 when it is free (as iputils)."""
    network = lan(3)
    owner = network.hosts[1]
    probe = lab.namespace("probe")
    lab.attach(probe, network.bridge, ip=None)  # a newcomer without an address yet, as in RFC 5227
    taken = arping(probe, "-D", "-c", "2", "-i", "0.1", owner.ip, "--json")
    document = json.loads(taken.stdout)
    assert taken.returncode == 1 and [r["mac"] for r in document["replies"]] == [owner.mac]
    assert arping(probe, "-D", "-c", "2", "-i", "0.1", SILENT).returncode == 0
    if shutil.which("arping"):
        assert probe.run("arping", "-I", "eth0", "-D", "-c", "1", owner.ip, check=False).returncode == 1
        assert probe.run("arping", "-I", "eth0", "-D", "-c", "1", "-w", "1", SILENT, check=False).returncode == 0


def _arp_scan_pairs(host, cidr):
    out = host.run("arp-scan", "-I", "eth0", "-q", "-x", cidr, check=False, timeout=60).stdout
    return {tuple(line.split("\t")[:2]) for line in out.splitlines() if line.count("\t") >= 1}


@needs_netns
def test_scan_finds_all_16_hosts_and_invents_none(lan):
    """--scan of a /24 with 16 other hosts lists exactly those 16 (IP, MAC) pairs, like arp-scan."""
    hosts = lan(17).hosts
    scanner, others = hosts[0], hosts[1:]
    result = arping(scanner, "--scan", "198.18.0.0/24", "--json", timeout=60)
    document = json.loads(result.stdout)
    found = {(h["ip"], h["mac"]) for h in document["hosts"]}
    assert result.returncode == 0
    assert found == {(h.ip, h.mac) for h in others}
    assert document["duplicates"] == {}
    if shutil.which("arp-scan"):
        assert _arp_scan_pairs(scanner, "198.18.0.0/24") == found


@needs_netns
def test_scan_flags_two_hosts_with_the_same_address(lab, lan):
    """Two hosts answering for one IP with different MACs are both listed and flagged as a duplicate."""
    network = lan(3)
    twin = lab.namespace("twin")
    twin_mac = lab.attach(twin, network.bridge, ip=f"{network.hosts[2].ip}/24")
    result = arping(network.hosts[0], "--scan", "198.18.0.0/28", "--json")
    document = json.loads(result.stdout)
    assert sorted(document["duplicates"][network.hosts[2].ip]) == sorted([network.hosts[2].mac, twin_mac])
    assert [h["duplicate"] for h in document["hosts"] if h["ip"] == network.hosts[1].ip] == [False]
    text = arping(network.hosts[0], "--scan", "198.18.0.0/28").stdout
    assert f"DUPLICATE {network.hosts[2].ip} answered from 2 MACs" in text


@needs_netns
def test_scan_of_an_empty_subnet_exits_1(lan):
    """Nobody else on the subnet: no hosts listed, exit 1."""
    host = lan(1).hosts[0]
    result = arping(host, "--scan", "198.18.0.0/29", "--timeout", "0.2", "--retry", "0")
    assert result.returncode == 1 and "0 hosts answered" in result.stdout


@needs_netns
def test_unknown_interface_is_a_one_line_error(lan):
    """-I naming no interface exits 2 with one line saying so."""
    host = lan(1).hosts[0]
    result = host.lanlab("arping", "-I", "nosuch0", "-c", "1", SILENT)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "nosuch0" in result.stderr


@needs_netns
def test_a_down_interface_is_a_one_line_error(lan):
    """arping, -D and --scan on an interface that is down exit 2 with one line saying so (a traceback and
    status 1 before: -D's 1 means "the address is taken")."""
    a, b = lan(2).hosts
    a.run("ip", "link", "set", "eth0", "down")
    for args in (["-c", "1", b.ip], ["-D", "-c", "1", b.ip], ["--scan", "198.18.0.0/29"]):
        result = arping(a, *args)
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr == "lanlab: interface eth0 is down; bring it up with `ip link set eth0 up`\n"


@pytest.mark.parametrize(
    "args",
    [
        ["-I", "eth0"],
        ["-I", "eth0", "198.18.0.1", "--scan", "198.18.0.0/24"],
        ["-I", "eth0", "300.1.1.1"],
        ["-I", "eth0", "--scan", "10.0.0.0/8"],
        ["-I", "eth0", "--scan", "nonsense"],
    ],
)
def test_bad_arguments_exit_2_before_any_packet(args):
    """Missing target, target plus --scan, bad addresses and oversized scans exit 2 with one line."""
    result = CliRunner().invoke(cli, ["arping", *args])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("lanlab: ")


@needs_netns
def test_f_stops_at_the_first_reply(lan):
    """-f with -c 5 stops after the first request's answer: 1 sent, 1 received, exit 0."""
    a, b = lan(2).hosts
    document = json.loads(arping(a, "-f", "-c", "5", "-i", "0.5", b.ip, "--json").stdout)
    assert (document["sent"], document["received"]) == (1, 1)


MO = Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"


@pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
def test_an_unusable_interface_is_one_line_in_the_users_language():
    """arping -I on a missing interface or on loopback (no ARP) says why in Chinese under --lang zh, in
    English under en, one line, exit 2; nothing is sent (the socket is refused before any request)."""
    expected = {  # as root: the interface's own reason; otherwise the packet socket is refused first
        "nosuch0": ("lanlab: 无法使用接口 'nosuch0'：", "lanlab: cannot use interface 'nosuch0': "),
        "lo": ("lanlab: lo 不是以太网接口（链路类型 772），没有 ARP；", "lanlab: lo is not an Ethernet interface"),
    }
    refused = ("lanlab: arping 需要 packet 套接字：请以 root 运行", "lanlab: arping needs a packet socket: run as root")
    for interface, starts in expected.items():
        for lang, start, no_rights in zip(("zh", "en"), starts, refused):
            result = CliRunner().invoke(cli, ["--lang", lang, "arping", "-I", interface, "-c", "1", "198.18.0.1"])
            assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
            assert result.output.startswith((start, no_rights)), result.output
