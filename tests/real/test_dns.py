"""lanlab.real.dns: dnsmasq's command line from a node's `dns:` zone and dig's output read back as
the simulator's result (no root needed); the zone served and resolved in namespaces, held to the
simulator by `lanlab compare` (root, skip otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest
from netlab import lanlab_compare, netns_unavailable_reason

from lanlab.real import dns
from lanlab.real.model import read_lab
from lanlab.sim import Network

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

RESOLVE = """import socket

for name in ("pc3", "www.lab", "files.lab."):
    print(name, socket.gethostbyname(name))
print(socket.getaddrinfo("www.lab", 80, socket.AF_INET, socket.SOCK_STREAM)[0][4])
print(socket.gethostbyaddr("198.18.0.3")[0])
try:
    socket.gethostbyname("nothere.lab.")
except socket.gaierror as error:
    print("gaierror", error.errno)
"""


def test_dnsmasq_serves_the_zone_only_with_every_name_its_bare_label_and_the_cname(tmp_path: Path):
    """examples/dns.yaml's ns: DNS only on port 53, authoritative for lab. (NXDOMAIN, never
    forwarded), ttl 300; each node (auto) and record as an A with its bare label, www a CNAME."""
    lab = read_lab(EXAMPLES / "dns.yaml")
    argv = dns.server_argv(lab, lab.nodes["ns"], tmp_path)
    assert {"--port=53", "--local=/lab/", "--local-ttl=300", "--no-resolv", "--interface=eth0"} <= set(argv)
    assert not any(word.startswith("--dhcp") for word in argv)
    records = [word.removeprefix("--host-record=") for word in argv if word.startswith("--host-record=")]
    assert "pc3.lab,pc3,198.18.0.3" in records and "files.lab,files,198.18.0.9" in records
    assert "pc2.lab,pc2" not in ",".join(records)  # a DHCP client's address is not known when the lab is built
    assert "--cname=www.lab,www,pc3.lab,300" in argv and not any(r.startswith("www.lab,") for r in records)
    assert dns.resolv_conf(lab.nodes["pc1"]) == "nameserver 198.18.0.53\n" and dns.resolv_conf(lab.nodes["ns"]) == ""


@pytest.mark.parametrize("words", ["dig pc3", "dig www.lab.", "dig -x 198.18.0.3", "dig nothere.lab."])
def test_dig_output_reads_back_as_the_result_it_was_printed_from(words: str):
    """The simulator prints dig as BIND's dig does: parse_dig of those lines gives back its result
    (status, records, authority, flags, id, server)."""
    network = Network.from_yaml(EXAMPLES / "dns.yaml")
    scheduled = network.do(f"at 1s pc1 {words}")
    network.run(3)
    result = scheduled.command.result()
    assert dns.parse_dig("\n".join(scheduled.command.lines())) == result and result["status"] is not None


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_the_zone_resolves_on_the_kernel_as_in_the_simulator(tmp_path: Path):
    """examples/dns.yaml under `lanlab compare`: dig (a bare name, a CNAME, PTR, NXDOMAIN) and
    nslookup (a name, one the lease's search domain completes, an address) from pc1 (dns: in the
    file) and pc2 (the DNS server and domain of its DHCP lease), and a program's gethostbyname,
    getaddrinfo, gethostbyaddr and gaierror on both hosts, agree with the simulator's."""
    (tmp_path / "resolve.py").write_text(RESOLVE)
    document = lanlab_compare(
        *[str(EXAMPLES / "dns.yaml"), "--until", "4s"],
        *["--do", "at 1s pc1 dig pc3", "--do", "at 1.2s pc1 dig www.lab.", "--do", "at 1.4s pc1 dig -x 198.18.0.3"],
        *["--do", "at 1.6s pc1 dig nothere.lab.", "--do", "at 2s pc2 dig files"],
        *[
            "--do",
            "at 1.8s pc1 nslookup pc3",
            "--do",
            "at 2.2s pc2 nslookup www",
            "--do",
            "at 2.4s pc2 nslookup 198.18.0.9",
        ],
        *["--app", f"at 2s pc1={tmp_path / 'resolve.py'}", "--app", f"at 2.5s pc2={tmp_path / 'resolve.py'}"],
    )
    assert document["differences"] == []
    assert not [line for line in document["known"] if line.startswith(("command", "program"))]


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_host_with_a_dns_server_finds_its_own_name_without_asking_on_both(tmp_path: Path):
    """pc1 (dns: 198.18.0.53) resolving its own name: the simulator answers from the host, and the kernel's pc1
    now from its /etc/hosts; it asked the server (an ARP and a query the simulator's run lacked: 3 differences)."""
    program = tmp_path / "own.py"
    program.write_text("import socket\nprint(socket.gethostbyname(socket.gethostname()))\n")
    document = lanlab_compare(str(EXAMPLES / "dns.yaml"), "--until", "2s", "--app", f"at 1s pc1={program}")
    assert document["differences"] == []


@pytest.mark.skipif(netns_unavailable_reason() is not None, reason=str(netns_unavailable_reason()))
def test_a_host_without_a_resolver_fails_an_unknown_name_as_the_kernel_does(tmp_path: Path):
    """No dns: on pc1: an unknown name is EAI_AGAIN (glibc asks 127.0.0.1, where nothing listens) and an
    unknown address herror 2, on both; the simulator said EAI_NONAME and herror 1 without asking."""
    program = tmp_path / "unknown.py"
    program.write_text(
        "import socket\n"
        "for name in ('nosuch', 'nosuch.lab'):\n"
        "    try: print(socket.gethostbyname(name))\n"
        "    except socket.gaierror as e: print(name, e.errno)\n"
        "try: print(socket.gethostbyaddr('198.18.0.99'))\n"
        "except socket.herror as e: print(e.args)\n"
    )
    document = lanlab_compare(str(EXAMPLES / "arp.yaml"), "--until", "2s", "--app", f"at 1s pc1={program}")
    assert document["differences"] == []
