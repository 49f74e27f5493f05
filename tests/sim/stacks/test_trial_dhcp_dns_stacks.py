"""A hostile trial of DNS and DHCP on simulated hosts: node names no zone can hold, names no query can hold,
and the same odd DHCP messages answered by the simulated server as by `lanlab dhcp serve`."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.sim import Network, load_topology
from lanlab.sim.commands import schedule
from lanlab.sim.shim import run_programs
from lanlab.sim.stacks.dns import DnsService
from lanlab.units import SECOND


# A program sending odd DHCP messages to port 67 (argv[1]) from a host with a fixed address, a line per answer.
PROBE = r"""

import socket
import struct
import sys
import time

SERVER = sys.argv[1]
SERVER_ID = socket.inet_aton("198.18.0.1")
WAIT = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0


def mac(n):
    return bytes.fromhex("02aa000000%02x" % n)


def message(kind, xid, options=b"", ciaddr="0.0.0.0", hlen=6, chaddr=mac(1), kind_option=None):
    fixed = struct.pack(
        "!BBBBIHH4s4s4s4s16s64s128s", 1, 1, hlen, 0, xid, 0, 0x8000, socket.inet_aton(ciaddr),
        bytes(4), bytes(4), bytes(4), chaddr.ljust(16, b"\0"), b"", b"",
    )
    typed = bytes([53, 1, kind]) if kind_option is None else kind_option
    return fixed + b"\x63\x82\x53\x63" + typed + options + b"\xff" + bytes(40)


def opt(code, data):
    return bytes([code, len(data)]) + data


def asked(address):
    return opt(50, socket.inet_aton(address))


def shown(reply):
    options, i = {}, 240
    while i < len(reply) and reply[i] != 255:
        if reply[i] == 0:
            i += 1
            continue
        options[reply[i]] = reply[i + 2 : i + 2 + reply[i + 1]]
        i += 2 + reply[i + 1]
    kind = {2: "OFFER", 5: "ACK", 6: "NAK"}.get(options.get(53, b"\0")[0], "?")
    codes = ",".join(str(c) for c in sorted(options) if c != 53)
    return "%s %s opts %s" % (kind, socket.inet_ntoa(reply[16:20]), codes)


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.bind(("", 68))
cases = [
    ("DISCOVER asking for a pool address", message(1, 1, asked("198.18.0.105"))),
    ("DISCOVER asking outside the pool", message(1, 2, asked("198.18.0.200"), chaddr=mac(2))),
    ("DISCOVER asking another subnet", message(1, 3, asked("198.19.5.5"), chaddr=mac(3))),
    ("REQUEST INIT-REBOOT for another subnet", message(3, 4, asked("198.19.5.5"), chaddr=mac(4))),
    ("REQUEST INIT-REBOOT for an unknown pool address", message(3, 5, asked("198.18.0.108"), chaddr=mac(5))),
    ("REQUEST SELECTING for a never-offered address", message(3, 6, asked("198.18.0.109") + opt(54, SERVER_ID), chaddr=mac(6))),
    ("REQUEST SELECTING naming the first offer", message(3, 1, asked("198.18.0.105") + opt(54, SERVER_ID))),
    ("REQUEST INIT-REBOOT by another MAC for .105", message(3, 7, asked("198.18.0.105"), chaddr=mac(7))),
    ("DISCOVER chaddr of zeros", message(1, 8, chaddr=bytes(6))),
    ("DISCOVER hlen 16", message(1, 10, hlen=16, chaddr=mac(10))),
    ("DISCOVER with an empty message type", message(1, 11, chaddr=mac(11), kind_option=b"\x35\x00")),
    ("RELEASE of .105 by another MAC", message(7, 13, opt(54, SERVER_ID), ciaddr="198.18.0.105", chaddr=mac(7))),
    ("DECLINE of .105 by another MAC", message(4, 14, asked("198.18.0.105") + opt(54, SERVER_ID), chaddr=mac(7))),
    ("DISCOVER again from the MAC holding .105", message(1, 15)),
]
for title, data in cases:
    sock.sendto(data, (SERVER, 67))
    xid = data[4:8]
    deadline, got = time.monotonic() + WAIT, []
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            reply = sock.recv(2000)
        except socket.timeout:
            break
        if reply[0] == 2 and reply[4:8] == xid:
            got.append(shown(reply))
    print("%s: %s" % (title, " | ".join(got) or "no answer"), flush=True)
"""


def lab(*names: str) -> Network:
    """ns serves lab.test. (auto) at 198.18.0.53; pc1 asks it; one more host per name, 198.18.0.10 on."""
    net = Network("lab")
    ns = net.add_host("ns", ip="198.18.0.53/24")
    pc1 = net.add_host("pc1", ip="198.18.0.1/24")
    net.add_switch("sw1")
    net.link("ns:eth0", "sw1:p1")
    net.link("pc1:eth0", "sw1:p2")
    for i, name in enumerate(names):
        net.add_host(name, ip=f"198.18.0.{10 + i}/24")
        net.link(f"{name}:eth0", f"sw1:p{3 + i}")
    DnsService(ns, "lab.test.", {}, {}, 300, auto=True)
    pc1.resolver_servers = (IPv4Address("198.18.0.53"),)
    return net


def test_a_reverse_question_for_a_node_no_dns_name_fits_is_answered_not_a_crash():
    """With auto, a node named in Chinese is served as its UTF-8 bytes and one named past 63 characters is not
    served: their PTR questions raised UnicodeEncodeError and MalformedError out of the run."""
    net = lab("主机", "a" * 64)
    chinese = schedule(net, "pc1 dig -x 198.18.0.10 +short")
    long = schedule(net, "pc1 dig -x 198.18.0.11")
    forward = schedule(net, "pc1 dig 主机.lab.test +short")
    net.run(5)
    assert chinese.lines() == ["\\228\\184\\187\\230\\156\\186.lab.test."]
    assert long.command.result()["status"] == "REFUSED"  # no PTR: the reverse name is not in the zone
    assert forward.lines() == ["198.18.0.10"]


def test_a_name_no_query_can_hold_fails_at_once_as_glibc_fails_it():
    """getaddrinfo of a name over 255 bytes (labels under 63, so CPython's IDNA step passes it) is EAI_NONAME at
    once with nothing sent, as glibc in a namespace says; it waited 10 s of virtual time and said EAI_AGAIN."""
    long = ".".join(["b" * 62] * 4) + ".lab.test"

    def probe():
        import socket
        import time

        try:
            socket.getaddrinfo(long, 80)
        except socket.gaierror as error:
            return error.errno, error.strerror, time.monotonic()

    net = lab()
    net.start_trace()
    program = net.node("pc1").run(probe)
    run_programs(net, 30 * SECOND)
    errno, text, when = program.result
    assert (errno, text) == (-2, "Name or service not known") and when < 1
    assert not [e for e in net.trace if e.device == "pc1" and e.event_kind == "tx" and e.proto == "DNS"]


def test_odd_dhcp_messages_get_the_answers_lanlab_dhcp_serve_gives(tmp_path):
    """A program on a host with a fixed address sends DISCOVERs asking for addresses in and out of the pool and
    of another subnet, INIT-REBOOT and SELECTING REQUESTs nobody offered, an all-zero chaddr, a 16-byte hlen,
    RELEASE and DECLINE of another's address: the simulated server answers each as `lanlab dhcp serve` answers
    it from a namespace (tests/net/test_trial_dhcp_dns_net.py holds the same lines against the real one)."""
    path = tmp_path / "probe.yaml"
    path.write_text(
        "nodes:\n"
        "  srv: {kind: host, ip: 198.18.0.1/24, dhcp: {pool: 198.18.0.100-198.18.0.109, lease: 2m, router: 198.18.0.1}}\n"
        "  pc1: {kind: host, ip: 198.18.0.50/24}\n"
        "links:\n  - [srv:eth0, pc1:eth0]\n"
    )
    net = load_topology(path)
    program_file = tmp_path / "probe.py"
    program_file.write_text(PROBE)
    program = net.node("pc1").run_program(str(program_file), args=["198.18.0.255"])
    run_programs(net, 300 * SECOND)
    lines = [text for _, text in program.output]
    assert lines == EXPECTED_PROBE, lines


EXPECTED_PROBE = [
    "DISCOVER asking for a pool address: OFFER 198.18.0.105 opts 1,3,51,54,58,59",
    "DISCOVER asking outside the pool: OFFER 198.18.0.100 opts 1,3,51,54,58,59",
    "DISCOVER asking another subnet: OFFER 198.18.0.101 opts 1,3,51,54,58,59",
    "REQUEST INIT-REBOOT for another subnet: NAK 0.0.0.0 opts 54",
    "REQUEST INIT-REBOOT for an unknown pool address: no answer",
    "REQUEST SELECTING for a never-offered address: NAK 0.0.0.0 opts 54",
    "REQUEST SELECTING naming the first offer: ACK 198.18.0.105 opts 1,3,51,54,58,59",
    "REQUEST INIT-REBOOT by another MAC for .105: NAK 0.0.0.0 opts 54",
    "DISCOVER chaddr of zeros: OFFER 198.18.0.102 opts 1,3,51,54,58,59",
    "DISCOVER hlen 16: OFFER 198.18.0.103 opts 1,3,51,54,58,59",
    "DISCOVER with an empty message type: no answer",
    "RELEASE of .105 by another MAC: no answer",
    "DECLINE of .105 by another MAC: no answer",
    "DISCOVER again from the MAC holding .105: OFFER 198.18.0.105 opts 1,3,51,54,58,59",
]


def test_a_host_named_in_chinese_takes_a_lease(tmp_path):
    """`主机: {kind: host, ip: dhcp}` raised UnicodeEncodeError at time 0 (its name sent as ASCII in option 12):
    it is bound like any host, and the lease table names it as written."""
    path = tmp_path / "zh.yaml"
    path.write_text(
        "nodes:\n"
        "  srv: {kind: host, ip: 198.18.0.2/24, dhcp: {pool: 198.18.0.100-198.18.0.101, lease: 2m}}\n"
        "  主机: {kind: host, ip: dhcp}\n"
        "  sw1: {kind: switch}\n"
        "links:\n  - [srv:eth0, sw1:p1]\n  - [主机:eth0, sw1:p2]\n"
    )
    net = load_topology(path)
    net.run(3)
    assert str(net.node("主机").nics[0].ip) == "198.18.0.100"
    assert [row["hostname"] for row in net.node("srv").dhcp.lease_rows()] == ["主机"]
