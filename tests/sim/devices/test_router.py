"""Routers in the simulator: forwarding, ICMP errors, RIP convergence, failures, the route table."""

import io
import shutil
import subprocess
from ipaddress import IPv4Address
from pathlib import Path

import dpkt
import pytest

from lanlab.sim import CommandError, Network, TopologyError, load_topology
from lanlab.units import SECOND

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CHAIN = """
name: chain
nodes:
  pc1: {kind: host, ip: 198.18.1.10/24, gateway: 198.18.1.1}
  r1:
    kind: router
    interfaces: {eth0: 198.18.1.1/24, eth1: 198.18.12.1/24}
    rip: {enabled: true}
  r2:
    kind: router
    interfaces: {eth0: 198.18.12.2/24, eth1: {ip: 198.18.2.1/24, mac: "02:00:00:00:02:01"}}
    rip: {enabled: true, split_horizon: simple}
  pc2: {kind: host, ip: 198.18.2.10/24, gateway: 198.18.2.1}
links:
  - [pc1:eth0, r1:eth0]
  - {endpoints: [r1:eth1, r2:eth0], delay: 1ms}
  - [r2:eth1, pc2:eth0]
"""


def chain(tmp_path: Path, text: str = CHAIN) -> Network:
    path = tmp_path / "chain.yaml"
    path.write_text(text)
    return load_topology(path)


def route_events(network: Network, device: str | None = None) -> list[str]:
    return [e.summary for e in network.trace if e.event_kind == "route" and device in (None, e.device)]


def test_ping_across_two_routers_after_rip_converges(tmp_path):
    """Once RIP has run, pc1 reaches pc2 through r1 and r2, with TTL 64 - 2 on the reply."""
    net = chain(tmp_path)
    net.run(10)
    result = net.ping("pc1", "pc2", count=2)
    assert result.received == 2 and {ttl for _, ttl, _ in result.replies} == {62}


def test_rip_routes_appear_in_the_table_with_the_issue_keys(tmp_path):
    """r1 learns pc2's network from r2 at metric 2; each row has exactly the issue's keys."""
    net = chain(tmp_path)
    net.run(10)
    rows = {row["prefix"]: row for row in net.node("r1").routes}
    assert set(rows["198.18.2.0/24"]) == {"prefix", "via", "interface", "metric", "source", "age"}
    assert (rows["198.18.2.0/24"]["via"], rows["198.18.2.0/24"]["metric"], rows["198.18.2.0/24"]["source"]) == (
        "198.18.12.2",
        2,
        "rip",
    )
    assert rows["198.18.1.0/24"]["source"] == "connected"


def test_every_route_change_is_an_event(tmp_path):
    """Learning a route is a `route` event naming the prefix, the metric and the gateway."""
    net = chain(tmp_path)
    net.start_trace()
    net.run(10)
    assert any("198.18.2.0/24 added, metric 2 via 198.18.12.2" in s for s in route_events(net, "r1"))


def test_before_convergence_the_router_answers_net_unreachable(tmp_path):
    """At time 0 r1 knows no route to pc2's network: ping gets Network Unreachable from r1."""
    net = chain(tmp_path)
    result = net.ping("pc1", "pc2", count=1)
    assert result.received == 0 and "From 198.18.1.1" in result.error_messages[0]
    assert result.error_messages[0] == "From 198.18.1.1 icmp_seq=1 Destination Net Unreachable"  # iputils' words


def test_ttl_expiry_gives_time_exceeded_from_the_router(tmp_path):
    """A ping with TTL 1 dies at r1, which says Time to live exceeded."""
    net = chain(tmp_path)
    net.run(10)
    result = net.ping("pc1", "pc2", count=1, ttl=1)
    assert result.received == 0 and result.error_messages == ["From 198.18.1.1 icmp_seq=1 Time to live exceeded"]


def test_no_arp_answer_gives_host_unreachable(tmp_path):
    """A ping to an absent address on r2's network: r2's ARP fails and it answers Host Unreachable."""
    net = chain(tmp_path)
    net.run(10)
    result = net.ping("pc1", "198.18.2.99", count=1, timeout=5)
    assert result.error_messages[0] == "From 198.18.12.2 icmp_seq=1 Destination Host Unreachable"


def test_traceroute_udp_and_icmp_list_each_router_then_the_host(tmp_path):
    """Both kinds of probes show r1, r2 and pc2, and reach it (port unreachable / echo reply)."""
    net = chain(tmp_path)
    udp = net.do("at 10s pc1 traceroute pc2")
    icmp = net.do("at 10s pc1 traceroute -I pc2 -q 1")
    net.run(20)
    for scheduled, probes in ((udp, 3), (icmp, 1)):
        result = scheduled.command.result()
        assert result["reached"] is True
        assert [hop["probes"][0]["address"] for hop in result["hops"]] == ["198.18.1.1", "198.18.12.2", "198.18.2.10"]
        assert all(len(hop["probes"]) == probes for hop in result["hops"])
    assert udp.command.lines()[0].startswith("traceroute to pc2 (198.18.2.10), 30 hops max")


def test_traceroute_probes_leave_without_df(tmp_path):
    """UDP and ICMP probes go with DF clear and an identification each, as Linux traceroute's sockets
    (IP_PMTUDISC_DONT unless -F); they had the host's default DF."""
    from lanlab.wire import Icmp, IPv4, Udp

    net = chain(tmp_path)
    net.do("at 10s pc1 traceroute pc2 -q 1")
    net.do("at 12s pc1 traceroute -I pc2 -q 1")
    net.run(10)
    net.start_trace()
    net.run(20)
    probes = [
        e.frame.l3
        for e in net.trace
        if e.event_kind == "tx" and e.device == "pc1" and isinstance(e.frame.l3, IPv4)
        if isinstance(e.frame.l4, Udp) or (isinstance(e.frame.l4, Icmp) and e.frame.l4.type == 8)
    ]
    assert len(probes) == 6 and not any(ip.flags & 2 for ip in probes)
    assert len({ip.ident for ip in probes}) == 6


def test_traceroute_to_an_unrouted_network_stops_with_bang_n(tmp_path):
    """No route at r1: the first hop is r1's !N and traceroute stops there (as on Linux; it was Time
    Exceeded from r1 at hop 1, then !N at hop 2)."""
    net = chain(tmp_path)
    scheduled = net.do("at 10s pc1 traceroute 203.0.113.1 -q 1 -w 1")
    net.run(20)
    hops = scheduled.command.result()["hops"]
    assert len(hops) == 1 and hops[0]["probes"][0]["note"] == "!N" and scheduled.command.answered() is False


def test_traceroute_goes_on_with_stars_when_the_route_goes_away_during_the_run(tmp_path):
    """pc1 loses its address mid-traceroute: the probes it can no longer send are `*` hops, each a drop saying
    why, and the run goes on (sendto fails with ENETUNREACH; before, the error ended the run)."""
    net = chain(tmp_path)
    net.start_trace()
    scheduled = net.do("at 10s pc1 traceroute 198.18.1.99 -q 1 -w 1 -m 5")  # on-link and silent: a * a second
    net.run(11.5)
    pc1 = net.node("pc1")
    pc1.clear_address(pc1.nics[0])
    net.run(20)
    assert [hop["probes"] for hop in scheduled.command.result()["hops"]] == [[None]] * 5
    unsent = [e.summary for e in net.trace if e.event_kind == "drop" and e.device == "pc1" and "not sent" in e.summary]
    assert [summary.split(")")[0] for summary in unsent] == [
        "traceroute probe (TTL 3",
        "traceroute probe (TTL 4",
        "traceroute probe (TTL 5",
    ]
    assert scheduled.command.lines()[-1] == " 5  *"


def test_route_command_shows_router_and_host_tables(tmp_path):
    """`r1 route` lists connected and RIP routes; `pc1 route` its network and default gateway."""
    net = chain(tmp_path)
    router = net.do("at 10s r1 route")
    host = net.do("at 10s pc1 route")
    net.run(11)
    assert {r["source"] for r in router.command.result()["routes"]} == {"connected", "rip"}
    assert [(r["prefix"], r["via"]) for r in host.command.result()["routes"]] == [
        ("198.18.1.0/24", None),
        ("0.0.0.0/0", "198.18.1.1"),
    ]
    assert "prefix" in router.command.lines()[0]


def test_link_down_poisons_and_link_up_restores(tmp_path):
    """Unplugging r1-r2 makes pc2's network unreachable at r1; plugging it back relearns it."""
    net = chain(tmp_path)
    net.start_trace()
    net.do("at 20s link r1:eth1 r2:eth0 down")
    net.do("at 40s link r1:eth1 r2:eth0 up")
    net.run(30)
    assert "198.18.2.0/24" not in {r["prefix"] for r in net.node("r1").routes}
    assert net.ping("pc1", "pc2", count=1).received == 0
    net.run(60)
    assert net.ping("pc1", "pc2", count=1).received == 1
    assert any(e.event_kind == "link" and "down" in e.summary for e in net.trace)


def test_route_age_counts_from_the_last_install(tmp_path):
    """A connected route plugged back at 40 s is 10 s old at 50 s; one never touched is as old as the run."""
    net = chain(tmp_path)
    net.do("at 20s link r1:eth1 r2:eth0 down")
    net.do("at 40s link r1:eth1 r2:eth0 up")
    net.run(50)
    ages = {row["prefix"]: row["age"] for row in net.node("r1").routes}
    assert ages["198.18.12.0/24"] == pytest.approx(10.0)
    assert ages["198.18.1.0/24"] == pytest.approx(50.0)


def test_link_command_checks_its_endpoints(tmp_path):
    """Endpoints that are not the two ends of one link are a CommandError when parsed."""
    net = chain(tmp_path)
    with pytest.raises(CommandError, match="linked to r2:eth0, not pc2:eth0"):
        net.do("at 1s link r1:eth1 pc2:eth0 down")
    with pytest.raises(CommandError):
        net.do("at 1s link r1:eth1 r2:eth0 sideways")


def test_stopped_router_forgets_rip_and_relearns_on_start(tmp_path):
    """A stopped router forwards nothing; started again, RIP brings its routes back."""
    net = chain(tmp_path)
    net.do("at 10s r2 stop")
    net.do("at 20s r2 start")
    net.run(15)
    assert net.ping("pc1", "pc2", count=1).received == 0
    assert not [r for r in net.node("r2").routes if r["source"] == "rip"]
    net.run(40)
    assert net.ping("pc1", "pc2", count=1).received == 1


def test_router_topology_mistakes_name_file_and_line(tmp_path):
    """Bad router fields are reported as FILE:LINE with what to write instead."""
    bad = CHAIN.replace("split_horizon: simple", "split_horizon: sometimes").replace(
        "eth1: 198.18.12.1/24}", "eth1: 198.18.12.1}"
    )
    with pytest.raises(TopologyError) as error:
        chain(tmp_path, bad)
    text = str(error.value)
    assert "chain.yaml:7:" in text and "needs a prefix length" in text
    assert "chain.yaml:12:" in text and "none, simple or poisoned_reverse" in text


def test_static_route_beats_rip_and_events_come_from_the_file(tmp_path):
    """A static route wins over RIP's for the same prefix; `events:` schedules commands from the file."""
    text = CHAIN.replace(
        "    rip: {enabled: true}\n",
        "    rip: {enabled: true}\n    routes: [{to: 198.18.2.0/24, via: 198.18.12.2}]\n",
        1,
    )
    text += "events:\n  - at 5s r1 route\n"
    net = chain(tmp_path, text)
    net.run(10)
    (scheduled,) = net.commands
    rows = {r["prefix"]: r for r in scheduled.command.result()["routes"]}
    assert rows["198.18.2.0/24"]["source"] == "static"
    assert net.ping("pc1", "pc2", count=1).received == 1


def metric_steps(example: str) -> list[str]:
    net = Network.from_yaml(EXAMPLES / example)
    net.start_trace()
    net.run(200)
    return [s for s in route_events(net) if "198.18.3.0/24" in s and s.startswith("rip:")]


def test_count_to_infinity_example_climbs_to_16():
    """Without split horizon r1 and r2 raise pc3's network hop by hop until 16."""
    steps = metric_steps("count-to-infinity.yaml")
    metrics = [int(s.split("metric ")[1].split()[0]) for s in steps]
    climb = metrics[metrics.index(16) + 1 :]  # after the failure's first 16
    assert climb[-1] == 16 and len(climb) > 8 and climb == sorted(climb)


def test_poisoned_reverse_twin_converges_at_once():
    """With poisoned reverse the same failure is final after one triggered update."""
    steps = metric_steps("count-to-infinity-poisoned.yaml")
    assert all("unreachable" in s or "deleted" in s or "added" in s for s in steps)
    assert len([s for s in steps if "added" in s]) == 2  # learned at start-up by r1 and r2, never again


def test_ring_reroutes_around_the_failed_link():
    """After r1-r4 fails, r1 reaches pc3 through r2 within one update period."""
    net = Network.from_yaml(EXAMPLES / "rip-ring.yaml")
    net.run(95)
    rows = {r["prefix"]: r for r in net.node("r1").routes}
    assert rows["198.18.3.0/24"]["via"] == "198.18.12.2"
    assert net.ping("pc1", "pc3", count=1).received == 1


def test_same_seed_same_route_events(tmp_path):
    """Two runs with the same seed give the same route events at the same times."""
    runs = []
    for _ in range(2):
        net = chain(tmp_path)
        net.start_trace()
        net.do("at 50s link r1:eth1 r2:eth0 down")
        net.do("at 60s link r1:eth1 r2:eth0 up")
        net.run(100)
        runs.append([(e.t, e.device, e.summary) for e in net.trace if e.event_kind == "route"])
    assert runs[0] == runs[1] and len(runs[0]) > 6


def test_rip_passwords_must_match_for_routes_to_be_learned(tmp_path):
    """Routers with the same simple password learn each other's networks; a different one learns none."""
    same = CHAIN.replace("rip: {enabled: true}", "rip: {enabled: true, auth: {password: s3cret}}").replace(
        "split_horizon: simple}", "split_horizon: simple, auth: {password: s3cret}}"
    )
    other = same.replace("split_horizon: simple, auth: {password: s3cret}", "auth: {password: guess}")
    for text, learned in ((same, True), (other, False)):
        net = chain(tmp_path, text)
        net.run(10)
        assert ("198.18.2.0/24" in {r["prefix"] for r in net.node("r1").routes}) is learned
        assert (net.node("r1").rip.dropped.get("authentication failed", 0) > 0) is not learned


def test_ripv1_routers_exchange_subnet_broadcasts_and_route(tmp_path):
    """With version: 1 the updates are RIPv1 broadcasts without masks, and pc1 still reaches pc2."""
    net = chain(
        tmp_path,
        CHAIN.replace("rip: {enabled: true}", "rip: {enabled: true, version: 1}").replace(
            "split_horizon: simple}", "split_horizon: simple, version: 1}"
        ),
    )
    net.start_trace()
    net.run(10)
    assert {e.proto for e in net.trace if e.event_kind == "tx" and e.device == "r1" and "RIP" in e.proto} == {"RIPv1"}
    assert net.ping("pc1", "pc2", count=1).received == 1


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
def test_tshark_reads_a_routed_capture_without_malformed_packets(tmp_path):
    """RIP, forwarded pings, ICMP errors, traceroute probes and RARP from the simulator all decode cleanly."""
    from lanlab.sim.builtin_routed import two_subnets

    net = two_subnets()
    capture = tmp_path / "routed.pcapng"
    net.capture(capture)
    net.do("at 0s pc1 ping pc3 -c 1")  # before convergence: Network unreachable from r1
    net.do("at 10s pc1 traceroute pc3 -q 1")
    net.run(40)
    net.close()
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(capture),
            "-T",
            "fields",
            "-e",
            "_ws.col.Protocol",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.col.Info",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    rows = [line.split("\t") for line in out]
    assert all(row[1] == "" for row in rows)
    protocols = {row[0] for row in rows}
    assert {"RIPv2", "RARP", "ICMP", "UDP", "ARP"} <= protocols
    assert any("Time-to-live exceeded" in row[2] for row in rows)
    assert any("Destination unreachable (Network unreachable)" in row[2] for row in rows)


def test_directed_broadcast_is_forwarded_only_when_enabled(tmp_path):
    """A UDP broadcast to 198.18.2.255 from pc1 reaches pc2 only if r2 forwards directed broadcasts."""
    for enabled in (False, True):
        text = CHAIN.replace(
            "    rip: {enabled: true, split_horizon: simple}\n",
            f"    rip: {{enabled: true, split_horizon: simple}}\n"
            f"    forward_directed_broadcast: {str(enabled).lower()}\n",
        )
        net = chain(tmp_path, text)
        listener = net.do("at 10s pc2 udp listen 7788")
        net.do("at 11s pc1 udp broadcast Hi --port 7788 --to 198.18.2.255 --wait 1")
        net.run(13)
        assert len(listener.command.result()["received"]) == (1 if enabled else 0)


class _Datagrams:
    """Sends one UDP datagram of `size` bytes from `host` to `dst` each time it fires."""

    def __init__(self, host, dst: str, size: int) -> None:
        self.host, self.dst, self.size = host, IPv4Address(dst), size

    def fire(self, arg, now: int) -> None:
        self.host.send_udp(4000, self.dst, 9, bytes(self.size), now)


class _SetMtu:
    """Sets an interface's MTU when it fires."""

    def __init__(self, nic, mtu: int) -> None:
        self.nic, self.mtu = nic, mtu

    def fire(self, arg, now: int) -> None:
        self.nic.set_mtu(self.mtu)


def _forwarded_capture(tmp_path: Path, traced: bool) -> bytes:
    """pc1 -> r1 -> pc2 with static routes: datagrams while r1's decision is cached, again after its ARP
    entry for pc2 has expired (60 s), then bigger than r1's lowered MTU; the pcap of both links."""
    net = Network("forward", trace=traced)
    pc1 = net.add_host("pc1", "198.18.1.10/24", gateway="198.18.1.1")
    r1 = net.add_router("r1", {"eth0": "198.18.1.1/24", "eth1": "198.18.2.1/24"})
    net.add_host("pc2", "198.18.2.10/24", gateway="198.18.2.1")
    net.link("pc1:eth0", "r1:eth0")
    net.link("r1:eth1", "pc2:eth0")
    path = tmp_path / f"traced-{traced}.pcapng"
    net.capture(path, ["r1:eth0", "r1:eth1"])
    small, big = _Datagrams(pc1, "198.18.2.10", 100), _Datagrams(pc1, "198.18.2.10", 1000)
    for ms in (1, 2, 3, 61_000, 61_001):
        net.engine.schedule(ms * SECOND // 1000, small)
    net.engine.schedule(70 * SECOND, _SetMtu(r1.nics[1], 576))
    net.engine.schedule(71 * SECOND, big)
    net.run("80s")
    net.close()
    return path.read_bytes()


def test_untraced_forwarding_sends_what_the_traced_router_sends(tmp_path):
    """A router's shortcut for cached decisions (no trace) re-resolves ARP after expiry and fragments past a
    lowered MTU: its frames are byte for byte the traced router's, which always takes the full path."""
    untraced, traced = _forwarded_capture(tmp_path, False), _forwarded_capture(tmp_path, True)
    frames = list(dpkt.pcapng.Reader(io.BytesIO(untraced)))
    arp_requests = [buf for _, buf in frames if buf[12:14] == b"\x08\x06" and buf[21] == 1]
    too_big = [buf for _, buf in frames if buf[23] == 1 and buf[34:36] == b"\x03\x04"]  # ICMP frag needed
    assert len(arp_requests) == 4  # pc1 and r1 each ask at first and again once their answer has expired
    assert len(too_big) == 1  # the 1,028-byte DF datagram does not fit r1's new MTU (RFC 1191)
    assert untraced == traced


def test_routers_on_a_31_link_learn_by_rip_and_forward_to_the_peer(tmp_path):
    """RFC 3021: two routers joined by a /31 exchange RIP and forward to each other's address (not a broadcast)."""
    net = chain(tmp_path, CHAIN.replace("198.18.12.1/24", "198.18.12.0/31").replace("198.18.12.2/24", "198.18.12.1/31"))
    net.start_trace()
    net.run(10)
    result = net.ping("pc1", "pc2", count=2)
    assert result.received == 2 and {ttl for _, ttl, _ in result.replies} == {62}
    forwarded = [e for e in net.trace if e.device == "r1" and e.port == "eth1" and e.event_kind == "tx"]
    assert any(e.summary == "Who has 198.18.12.1? Tell 198.18.12.0" for e in forwarded)


def test_ping_with_less_than_16_data_bytes_prints_no_times(tmp_path):
    """-s 8: the replies are printed without time= and there is no rtt line, as iputils when its data
    cannot hold a timestamp; -s 16 is timed."""
    net = chain(tmp_path)
    short = net.do("at 10s pc1 ping pc2 -c 1 -s 8")
    timed = net.do("at 11s pc1 ping pc2 -c 1 -s 16")
    net.run(12)
    assert short.command.lines()[1] == "16 bytes from pc2 (198.18.2.10): icmp_seq=1 ttl=62"
    assert not any(line.startswith("rtt") for line in short.command.lines())
    assert " time=" in timed.command.lines()[1] and timed.command.lines()[-1].startswith("rtt min/avg/max")


def test_ping_ends_at_the_error_for_its_last_request(tmp_path):
    """ping -c 1 to a network r1 has no route to ends as r1's error arrives, as iputils does; it waited for
    its -W second and a run ending sooner said it was cut short."""
    net = chain(tmp_path)
    scheduled = net.do("at 10s pc1 ping 198.19.7.7 -c 1")
    net.run("10.1s")
    assert not scheduled.command.running()
    assert scheduled.command.lines()[1] == "From 198.18.1.1 icmp_seq=1 Destination Net Unreachable"


class _Call:
    """Calls `action(now)` when it fires."""

    def __init__(self, action) -> None:
        self.action = action

    def fire(self, arg, now: int) -> None:
        self.action(now)


@pytest.mark.parametrize("cut", ["router stopped", "input port down"])
def test_a_cached_flow_stops_at_a_stopped_router_or_a_downed_port(cut):
    """A flow r1 has forwarded before (its decision cached) goes no further once r1 is stopped or the port it
    comes in by is down: the shortcut for cached decisions checks both, as the full path does."""
    net = Network("cut")
    pc1 = net.add_host("pc1", "198.18.1.10/24", gateway="198.18.1.1")
    r1 = net.add_router("r1", {"eth0": "198.18.1.1/24", "eth1": "198.18.2.1/24"})
    pc2 = net.add_host("pc2", "198.18.2.10/24", gateway="198.18.2.1")
    net.link("pc1:eth0", "r1:eth0")
    net.link("r1:eth1", "pc2:eth0")
    received = []
    pc2.udp.bind(9, lambda host, frame, now: received.append(now))
    send = _Datagrams(pc1, "198.18.2.10", 100)
    for ms in (1, 2, 3, 10, 11):
        net.engine.schedule(ms * SECOND // 1000, send)
    if cut == "router stopped":
        net.engine.schedule(5 * SECOND // 1000, _Call(r1.stop))
    else:
        net.engine.schedule(5 * SECOND // 1000, _Call(lambda now: setattr(r1.ports["eth0"], "up", False)))
    net.run("1s")
    assert len(received) == 3  # the three before the cut; none after
