"""--do "NODE dig ..." and "NODE nslookup ...": a DNS question on the wire, printed as BIND 9.18's tools print."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from lanlab.proto.dns import DnsServer, DnsZone, over_udp
from lanlab.sim import load_topology
from lanlab.sim.commands import CommandError, schedule
from lanlab.wire.dns import Dns

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(*commands: str, until: float = 20):
    net = load_topology(EXAMPLES / "dns.yaml")
    done = [schedule(net, text) for text in commands]
    net.run(until)
    return done


def sections(lines: list[str]) -> list[str]:
    """The lines of dig's output that do not depend on time, ids or the version."""
    return [
        line
        for line in lines
        if line
        and not line.startswith(("; <<>>", ";; ->>HEADER", ";; Query time", ";; WHEN", ";; SERVER", "; (1 server"))
    ]


def test_dig_prints_the_answer_section_and_the_server():
    """dig pc3: status, flags, the EDNS pseudo-section, the QUESTION and ANSWER sections with tabs, the
    server and the size received (37 bytes and the OPT record's 11)."""
    (dig,) = run("at 1s pc1 dig pc3")
    lines = dig.lines()
    assert ";; ANSWER SECTION:" in lines
    assert "pc3.\t\t\t300\tIN\tA\t198.18.0.3" in lines
    assert ";; SERVER: 198.18.0.53#53(198.18.0.53) (UDP)" in lines
    assert ";; WHEN: Thu Jan 01 00:00:01 UTC 2026" in lines
    assert "; EDNS: version: 0, flags:; udp: 1232" in lines
    assert ";; MSG SIZE  rcvd: 48" in lines
    assert dig.command.result()["status"] == "NOERROR" and dig.command.answered()


def test_no_server_is_three_tries_then_no_servers_could_be_reached():
    """dig @ a host without DNS: three 'connection refused' lines, 'no servers could be reached', no answer."""
    (dig,) = run("at 1s pc1 dig @198.18.0.3 pc3")
    lines = dig.lines()
    assert lines[:3] == [";; communications error to 198.18.0.3#53: connection refused"] * 3
    assert lines[-1] == ";; no servers could be reached" and dig.command.answered() is False


def test_nslookup_follows_the_alias_and_uses_the_lease_search_domain():
    """pc2 (leased, domain lab) nslookup www: the CNAME line, then Name/Address of pc3.lab; its --json
    result adds the AAAA answer it asked for after."""
    (ns,) = run("at 2s pc2 nslookup www")
    assert ns.lines() == [
        "Server:\t\t198.18.0.53",
        "Address:\t198.18.0.53#53",
        "",
        "www.lab\tcanonical name = pc3.lab.",
        "Name:\tpc3.lab",
        "Address: 198.18.0.3",
        "",
    ]
    result = ns.command.result()  # --json: the A answer's keys, and the AAAA answer (NODATA here)
    assert result["answers"][-1].endswith("A\t198.18.0.3") and result["aaaa"] == {"status": "NOERROR", "answers": []}


def test_bad_words_are_refused_when_parsed():
    """dig with no name, or an option it does not simulate, is a CommandError saying what to give."""
    net = load_topology(EXAMPLES / "dns.yaml")
    for text in ("pc1 dig", "pc1 dig +trace pc3", "pc1 dig -x pc3"):
        with pytest.raises(CommandError):
            schedule(net, text)


@pytest.mark.skipif(shutil.which("dig") is None, reason="BIND's dig is not installed (Debian's bind9-dnsutils)")
@pytest.mark.parametrize("edns", [[], ["+noedns"]], ids=["edns", "noedns"])
@pytest.mark.parametrize("words", [["pc3"], ["www.lab"], ["nope.lab"], ["-x", "198.18.0.3"]])
def test_dig_prints_what_the_real_dig_prints(words, edns):
    """The real dig (with EDNS, its default, and +noedns), asking the same zone on loopback, prints the
    same sections, tab for tab: the OPT PSEUDOSECTION of our server's EDNS answer too."""
    zone = DnsZone(
        "lab.",
        {"pc3": [IPv4Address("198.18.0.3")], "files": [IPv4Address("198.18.0.9")]},
        {"www": "pc3"},
        bare_names=True,
    )
    server = DnsServer(zone, "ns")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(10)

    def answer_one() -> None:
        data, peer = sock.recvfrom(4096)
        sock.sendto(server.answer(Dns.parse(data)[0]).build(), peer)

    thread = threading.Thread(target=answer_one)
    thread.start()
    real = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(sock.getsockname()[1]), *edns, "+time=5", "+tries=1", *words],
        capture_output=True,
        text=True,
        timeout=30,
    )
    thread.join()
    sock.close()
    (ours,) = run("at 1s pc1 dig " + " ".join(edns + words))
    assert sections(ours.lines()) == sections(real.stdout.splitlines())
    assert (";; OPT PSEUDOSECTION:" in ours.lines()) == (not edns)


def questions(summaries: list[str]) -> list[str]:
    """ "Standard query 0x1a2b A pc3.lab" -> "A pc3.lab": what was asked, without the id."""
    return [" ".join(text.split()[3:5]) for text in summaries if text.startswith("Standard query 0x")]


@pytest.mark.skipif(shutil.which("nslookup") is None, reason="BIND's nslookup is not installed (bind9-dnsutils)")
@pytest.mark.parametrize("name", ["pc3.lab", "www.lab", "nope.lab", "198.18.0.3", "lab."])
def test_nslookup_prints_and_asks_what_the_real_nslookup_does(name):
    """The real nslookup, asking the same zone on loopback, prints the same lines but the Server/Address
    ones, and asks the same questions: A then AAAA (of the CNAME's target after one), nothing after
    NXDOMAIN, PTR alone for an address; "*** Can't find lab: No answer" when neither has records."""
    zone = DnsZone("lab.", {"pc3": [IPv4Address("198.18.0.3")]}, {"www": "pc3"}, bare_names=True)
    server = DnsServer(zone, "ns")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(3)
    asked: list[str] = []

    def answer_all() -> None:
        for _ in range(4):
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                return
            query = Dns.parse(data)[0]
            asked.append(query.summary())
            sock.sendto(server.answer(query).build(), peer)

    thread = threading.Thread(target=answer_all)
    thread.start()
    real = subprocess.run(
        ["nslookup", f"-port={sock.getsockname()[1]}", "-timeout=5", "-retry=1", name, "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    thread.join()
    sock.close()
    net = load_topology(EXAMPLES / "dns.yaml")
    net.start_trace()
    ours = schedule(net, "at 1s pc1 nslookup " + name)
    net.run(20)
    sent = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "tx"]

    def shown(lines: list[str]) -> list[str]:
        return [line for line in lines if not line.startswith(("Server:", "Address:\t"))]

    assert shown(ours.lines()) == shown(real.stdout.splitlines())
    assert questions(sent) == questions(asked) and questions(asked)[0].split()[0] in ("A", "PTR")


BIG = [IPv4Address(f"198.18.0.{i}") for i in range(100, 180)]  # 80 A records: past 512 and 1232 bytes


def serve_udp_and_tcp(server: DnsServer) -> tuple[int, list[threading.Thread]]:
    """One UDP query answered as our server sends it (TC when it does not fit), then one over TCP, on loopback."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    port = udp.getsockname()[1]
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", port))
    tcp.listen()
    for sock in (udp, tcp):
        sock.settimeout(10)

    def on_udp() -> None:
        with udp:
            data, peer = udp.recvfrom(4096)
            query = Dns.parse(data)[0]
            udp.sendto(over_udp(query, server.answer(query)), peer)

    def on_tcp() -> None:
        with tcp, tcp.accept()[0] as conn:
            data = conn.recv(4096)
            reply = server.answer(Dns.parse(data[2:])[0]).build()
            conn.sendall(len(reply).to_bytes(2, "big") + reply)
            conn.recv(16)  # dig closes

    threads = [threading.Thread(target=on_udp), threading.Thread(target=on_tcp)]
    for thread in threads:
        thread.start()
    return port, threads


@pytest.mark.skipif(shutil.which("dig") is None, reason="BIND's dig is not installed (Debian's bind9-dnsutils)")
@pytest.mark.parametrize("edns", [[], ["+noedns"]], ids=["edns", "noedns"])
def test_a_truncated_answer_is_asked_again_over_tcp_as_the_real_dig_does(tmp_path, edns):
    """80 A records do not fit UDP (512, or 1232 with EDNS): the real dig and ours both print
    ";; Truncated, retrying in TCP mode.", then the whole answer, from the server over TCP."""
    port, threads = serve_udp_and_tcp(DnsServer(DnsZone("lab.", {"big": BIG}, bare_names=True), "ns"))
    real = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), *edns, "+time=5", "+tries=1", "big.lab"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    for thread in threads:
        thread.join()
    records = ", ".join(map(str, BIG))
    (tmp_path / "big.yaml").write_text(
        "nodes:\n"
        f"  ns: {{kind: host, ip: 198.18.0.53/24, dns: {{zone: lab., records: {{big: [{records}]}}}}}}\n"
        "  pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}\n"
        "links:\n  - [ns:eth0, pc1:eth0]\n"
    )
    net = load_topology(tmp_path / "big.yaml")
    ours = schedule(net, "at 1s pc1 dig " + " ".join([*edns, "big.lab"]))
    net.run(10)
    lines = ours.lines()
    assert lines[0] == ";; Truncated, retrying in TCP mode." == real.stdout.splitlines()[0]
    assert sections(lines) == sections(real.stdout.splitlines())
    assert ";; SERVER: 198.18.0.53#53(198.18.0.53) (TCP)" in lines
    assert len(ours.command.reply().answers) == 80
