"""DNS in topology files: a zone served on UDP 53 (dns: {zone: ...}), hosts resolving over the wire (dns: ADDRESS)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.sim import Network, TopologyError, load_topology
from lanlab.sim.stacks.dns import DnsService
from lanlab.units import SECOND
from lanlab.wire.dns import Dns, DnsType, Rcode

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def load(tmp_path: Path, text: str):
    path = tmp_path / "dns.yaml"
    path.write_text(text)
    return load_topology(path)


def lan(zone: str, *hosts: str) -> str:
    """ns (198.18.0.53) serving `zone` on sw1:p1, then each host line on the next ports."""
    nodes = "\n".join(f"  {line}" for line in hosts)
    names = [line.split(":")[0] for line in hosts]
    links = "\n".join(f"  - [{name}:eth0, sw1:p{i + 2}]" for i, name in enumerate(names))
    return (
        f"nodes:\n  ns: {{kind: host, ip: 198.18.0.53/24, dns: {zone}}}\n{nodes}\n"
        f"  sw1: {{kind: switch}}\nlinks:\n  - [ns:eth0, sw1:p1]\n{links}\n"
    )


def resolve(net, host: str, name: str, qtype: int = DnsType.A):
    """Look `name` up from `host` through its resolver; run until it is done; the event."""
    found = []
    net.nodes[host].lookup_name(name, found.append, qtype)
    net.run(net.now / SECOND + 30)
    assert len(found) == 1
    return found[0]


def test_auto_serves_every_node_by_name_and_address(tmp_path):
    """auto: true answers pc3.lab. and pc3. with pc3's address, and its PTR with the full name."""
    net = load(
        tmp_path,
        lan(
            "{zone: lab., auto: true}",
            "pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}",
            "pc3: {kind: host, ip: 198.18.0.3/24}",
        ),
    )
    assert [str(a) for a in resolve(net, "pc1", "pc3.lab").addresses] == ["198.18.0.3"]
    assert [str(a) for a in resolve(net, "pc1", "pc3").addresses] == ["198.18.0.3"]
    assert resolve(net, "pc1", "3.0.18.198.in-addr.arpa", DnsType.PTR).names == ("pc3.lab.",)


def test_records_and_aliases(tmp_path):
    """records: an address list is A records, a name is a CNAME the server follows in its answer."""
    net = load(
        tmp_path,
        lan(
            "{zone: lab., records: {web: [198.18.0.7, 198.18.0.8], www: web}}",
            "pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}",
        ),
    )
    event = resolve(net, "pc1", "www.lab")
    assert [str(a) for a in event.addresses] == ["198.18.0.7", "198.18.0.8"]
    assert event.aliases == ("web.lab.",)


def test_unknown_name_is_nxdomain_with_the_frames_on_the_wire(tmp_path):
    """A name the zone lacks is NXDOMAIN (EAI_NONAME); query and answer are DNS frames in the event list."""
    net = load(tmp_path, lan("{zone: lab.}", "pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}"))
    net.start_trace()
    event = resolve(net, "pc1", "nope.lab")
    assert event.error == "EAI_NONAME" and event.reply.rcode == Rcode.NXDOMAIN
    sent = [e.summary for e in net.trace if e.event_kind == "tx" and e.proto == "DNS" and e.device in ("pc1", "ns")]
    assert sent[0].startswith("Standard query 0x") and sent[0].endswith("A nope.lab")
    assert "No such name" in sent[1]


def test_no_server_answers_is_eai_again_after_glibcs_timeouts(tmp_path):
    """A resolver whose server is silent tries at 0 s and 5 s (the first waits for ARP), EAI_AGAIN at 10 s."""
    net = load(
        tmp_path,
        lan(
            "{zone: lab.}",
            "pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.54}",
            "pc4: {kind: host, ip: 198.18.0.54/24}",
        ),
    )
    net.nodes["pc4"].udp.bind(53, lambda host, frame, now: None)  # something on port 53 that never answers
    net.start_trace()
    event = resolve(net, "pc1", "pc3.lab")
    assert event.error == "EAI_AGAIN" and event.reply is None
    queries = [e.t for e in net.trace if e.device == "pc1" and e.event_kind == "tx" and e.proto == "DNS"]
    assert len(queries) == 2 and queries[0] < SECOND // 1000 and queries[1] == 5 * SECOND
    assert event.time == 10 * SECOND


def test_port_unreachable_moves_on_at_once(tmp_path):
    """A server host without DNS answers ICMP port unreachable: the next try goes at once, not after 5 s."""
    net = load(
        tmp_path,
        lan(
            "{zone: lab., auto: true}",
            "pc1: {kind: host, ip: 198.18.0.1/24, dns: [198.18.0.54, 198.18.0.53]}",
            "pc4: {kind: host, ip: 198.18.0.54/24}",
        ),
    )
    event = resolve(net, "pc1", "pc4.lab")
    assert [str(a) for a in event.addresses] == ["198.18.0.54"]
    assert event.time < SECOND // 100


def test_lease_gives_the_resolver(tmp_path):
    """A host with ip: dhcp resolves through the DNS server its lease names (option 6), and the search domain."""
    net = load(
        tmp_path,
        lan(
            "{zone: lab., auto: true}",
            "srv: {kind: host, ip: 198.18.0.2/24, dhcp: {pool: 198.18.0.100-198.18.0.110, "
            "dns: 198.18.0.53, domain: lab}}",
            "pc1: {kind: host, ip: dhcp}",
        ),
    )
    net.run(5)
    assert [str(a) for a in net.nodes["pc1"].resolver_servers] == ["198.18.0.53"]
    event = resolve(net, "pc1", "srv")
    assert event.name == "srv.lab." and [str(a) for a in event.addresses] == ["198.18.0.2"]
    assert resolve(net, "pc1", "pc1.lab").addresses[0] == net.nodes["pc1"].addresses[0]  # a leased address too


@pytest.mark.parametrize(
    "zone, hosts, expected",
    [
        ("{zone: lab., records: {www: pc9}}", (), "which the zone does not hold"),
        ("{zone: lab., auto: true, records: {www: pc9}}", (), "neither a record nor a node of this file"),
        ("{zone: lab., records: {www: www.example.com.}}", (), "this server does not recurse"),
        ("{zone: lab., records: {a: b, b: a}}", (), "an alias in a loop"),
        ("{zone: lab., records: {far: 203.0.113.5}}", (), "203.0.113.5 is on no subnet of this file"),
        ("{zone: lab., records: {x.example.: 198.18.0.3}}", (), "is outside the zone lab."),
        ("{records: {}}", (), "needs zone: NAME"),
        ("{zone: lab., serial: 3}", (), "unknown field 'serial'"),
        (
            "{zone: lab.}",
            ("pc1: {kind: host, ip: 198.18.0.1/24, dns: 203.0.113.53}",),
            "server 203.0.113.53 is on no subnet",
        ),
        ("{zone: lab.}", ("pc1: {kind: host, ip: 198.18.0.1/24, dns: pc3}",), "give the DNS server's IPv4 address"),
    ],
)
def test_check_errors(tmp_path, zone, hosts, expected):
    """A record or resolver pointing nowhere sensible is a FILE:LINE error of sim check."""
    with pytest.raises(TopologyError) as caught:
        load(tmp_path, lan(zone, *hosts))
    assert any(expected in p and "dns.yaml:" in p for p in caught.value.problems), caught.value.problems


def test_router_serves_a_zone(tmp_path):
    """dns: on a router serves on each of its interfaces."""
    net = load(
        tmp_path,
        """nodes:
  r1: {kind: router, interfaces: {eth0: 198.18.0.254/24, eth1: 198.18.1.254/24}, dns: {zone: lab., auto: true}}
  pc1: {kind: host, ip: 198.18.1.1/24, gateway: 198.18.1.254, dns: 198.18.0.254}
links:
  - [r1:eth1, pc1:eth0]
""",
    )
    assert [str(a) for a in resolve(net, "pc1", "r1.lab").addresses] == ["198.18.0.254", "198.18.1.254"]


@settings(max_examples=80, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.builds(lambda n, cut: Dns.query(7, "pc1.lab", n).build()[:cut], st.integers(0, 300), st.integers(0, 40)),
    )
)
def test_malformed_messages_to_the_server_are_counted_drops(junk):
    """Any bytes sent to port 53 are answered or dropped with a reason and counted, never a crash."""
    net = Network("fuzz")
    ns = net.add_host("ns", "198.18.0.53/24")
    pc = net.add_host("pc", "198.18.0.3/24")
    net.link(ns.port("eth0"), pc.port("eth0"))
    DnsService(ns, "lab.", {}, {}, 300, auto=True)
    net.start_trace()
    pc.run(_send, junk, 53)
    net.run(1)
    drops = [e for e in net.trace if e.device == "ns" and e.event_kind == "drop" and "DNS" in e.note]
    assert ns.dns_drops == len(drops)
    assert all(e.note.startswith(("bad DNS message", "a DNS response")) for e in drops)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_malformed_answers_to_the_resolver_are_counted_drops(junk):
    """Bytes from anyone to a resolver's query port are a counted drop or ignored; the lookup still ends."""
    net = Network("fuzz")
    pc = net.add_host("pc", "198.18.0.3/24")
    evil = net.add_host("evil", "198.18.0.53/24")
    net.link(pc.port("eth0"), evil.port("eth0"))
    pc.resolver_servers = (evil.addresses[0],)
    evil.udp.bind(53, lambda host, frame, now: host.send_udp(53, frame.l3.src, frame.l4.src_port, junk, now))
    net.start_trace()
    found = []
    pc.lookup_name("pc1.lab", found.append)
    net.run(20)
    assert len(found) == 1
    assert pc.dns_drops == sum(1 for e in net.trace if e.device == "pc" and e.event_kind == "drop" and "DNS" in e.note)


def _send(junk: bytes, port: int) -> None:
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(junk, ("198.18.0.53", port))


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
        st.lists(st.integers(1, 250), min_size=1, max_size=3, unique=True),
        min_size=1,
        max_size=6,
    )
)
def test_every_record_resolves_to_its_addresses(records):
    """Whatever the records, a lookup of each name over the wire gives exactly its addresses, and each PTR its name."""
    from ipaddress import IPv4Address

    net = Network("prop")
    ns = net.add_host("ns", "198.18.0.253/24")
    pc = net.add_host("pc", "198.18.0.254/24")
    net.link(ns.port("eth0"), pc.port("eth0"))
    zone = {f"{name}.lab.": [IPv4Address(f"198.18.0.{n}") for n in numbers] for name, numbers in records.items()}
    DnsService(ns, "lab.", zone, {}, 300)
    pc.resolver_servers = (ns.addresses[0],)
    for name, addresses in zone.items():
        found = []
        pc.lookup_name(name, found.append)
        net.run(net.now / SECOND + 1)
        assert list(found[0].addresses) == addresses
    for address in {a for listed in zone.values() for a in listed}:
        found = []
        pc.lookup_name(".".join(reversed(str(address).split("."))) + ".in-addr.arpa.", found.append, DnsType.PTR)
        net.run(net.now / SECOND + 1)
        assert found[0].names[0] in {n for n, listed in zone.items() if address in listed}


BIG = [f"198.18.0.{i}" for i in range(100, 180)]  # 80 A records: 1,307 bytes, past 512 and 1232


def big_zone(tmp_path: Path):
    return load(
        tmp_path,
        lan(
            f"{{zone: lab., records: {{big: [{', '.join(BIG)}]}}}}",
            "pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}",
        ),
    )


def test_a_truncated_answer_is_asked_again_over_tcp(tmp_path):
    """RFC 7766 5: the resolver (glibc's gethostbyname path) gets TC over UDP, asks the same server over
    TCP port 53 and gets all 80 addresses; the TCP connection is closed after."""
    net = big_zone(tmp_path)
    net.start_trace()
    event = resolve(net, "pc1", "big.lab")
    assert [str(a) for a in event.addresses] == BIG
    udp_answer = next(
        e for e in net.trace if e.device == "pc1" and e.event_kind == "deliver" and "response" in e.summary
    )
    assert "(to UDP port" in udp_answer.summary
    states = [e.summary for e in net.trace if e.device == "pc1" and e.event_kind == "tcp"]
    assert "198.18.0.53:53 CLOSED → SYN-SENT" in states[0] and "TIME-WAIT" in states[-1]
    assert net.nodes["pc1"].dns_drops == 0


def ask_over_tcp(queries: list[bytes], answers: list) -> None:
    """A program: one TCP connection to ns:53, every query framed by its length, the answers read back."""
    import socket

    with socket.create_connection(("198.18.0.53", 53), timeout=5) as conn:
        conn.sendall(b"".join(len(q).to_bytes(2, "big") + q for q in queries))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
            while len(data) >= 2 and len(data) >= 2 + int.from_bytes(data[:2], "big"):
                size = int.from_bytes(data[:2], "big")
                answers.append(Dns.parse(data[2 : 2 + size])[0])
                data = data[2 + size :]
            if len(answers) == len([q for q in queries if q[:1] != b"\xff"]):
                break


def test_the_server_answers_several_queries_on_one_tcp_connection_in_order(tmp_path):
    """RFC 7766 6.2.1: two queries sent back to back on one connection get their answers, in order, the
    80-record one whole (no TC over TCP), the NXDOMAIN one after it; a malformed message there is a
    counted drop and the connection goes on."""
    net = big_zone(tmp_path)
    answers: list = []
    queries = [Dns.query(1, "big.lab").build(), b"\xff\x00junk", Dns.query(2, "nope.lab").build()]
    net.nodes["pc1"].run(ask_over_tcp, queries, answers)
    net.run(5)
    assert [(a.id, a.tc, len(a.answers), a.rcode) for a in answers] == [
        (1, 0, 80, Rcode.NOERROR),
        (2, 0, 0, Rcode.NXDOMAIN),
    ]
    assert net.nodes["ns"].dns_drops == 1
