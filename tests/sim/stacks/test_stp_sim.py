"""STP and RSTP on simulated switches: BPDUs stay on their link, blocked ports drop, failover times."""

from pathlib import Path

import pytest

from lanlab.proto import PortChanged
from lanlab.sim import Network, TopologyError, load_topology
from lanlab.sim.stacks.stp import StpSwitchPort, bridge_address, enable_stp
from lanlab.sim.devices.switch import SwitchPort
from lanlab.units import SECOND as S
from lanlab.wire import Bpdu

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def triangle(mode: str | None, seed: int = 1) -> Network:
    """sw1-sw2-sw3 in a loop, pc1 on sw2, pc2 on sw3; STP in `mode` on every switch (None: off)."""
    net = Network("triangle", seed)
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    for n in (1, 2, 3):
        switch = net.add_switch(f"sw{n}")
        if mode is not None:
            enable_stp(switch, mode=mode)
    for a, b in (
        ("sw1:p1", "sw2:p1"),
        ("sw2:p2", "sw3:p2"),
        ("sw3:p1", "sw1:p2"),
        ("pc1:eth0", "sw2:p3"),
        ("pc2:eth0", "sw3:p3"),
    ):
        net.link(a, b)
    return net


def states(net, switch):
    return {row["port"]: (row["role"], row["state"]) for row in net.node(switch).stp.status()["ports"]}


def test_a_switch_without_stp_keeps_its_plain_fast_ports():
    """STP off costs nothing on the frame path: the ports are the plain SwitchPort, no STP object."""
    net = triangle(None)
    for n in (1, 2, 3):
        switch = net.node(f"sw{n}")
        assert switch.stp is None
        assert all(type(port) is SwitchPort for port in switch.ports.values())
    assert all(type(port) is StpSwitchPort for port in triangle("stp").node("sw1").ports.values())


@pytest.mark.parametrize("mode", ["stp", "rstp"])
def test_bpdus_are_never_forwarded_by_an_stp_switch(mode):
    """Every BPDU a switch receives was sent by the bridge at the other end of that very link."""
    net = triangle(mode)
    net.start_trace()
    net.run(40)
    bridges = {bridge_address(f"sw{n}"): f"sw{n}" for n in (1, 2, 3)}
    received = [e for e in net.trace if e.event_kind == "rx" and isinstance(e.frame.l4, Bpdu)]
    assert received
    for event in received:
        sender = bridges.get(event.frame.eth.src)
        peer = net.node(event.device).ports[event.port].peer
        assert sender == peer.node.name or (sender is None and event.device.startswith("pc"))


@pytest.mark.parametrize("mode", ["stp", "rstp"])
def test_converged_loop_blocks_one_port_and_a_broadcast_crosses_each_link_once(mode):
    """sw1 (lowest bridge id) is root, sw3:p2 blocks, and pc1's ARP request is seen once per switch."""
    net = triangle(mode)
    net.run(40)
    assert net.node("sw1").stp.status()["is_root"]
    assert states(net, "sw3")["p2"] == ("alternate", "blocking" if mode == "stp" else "discarding")
    net.start_trace()
    result = net.ping("pc1", "pc2", count=1)
    assert result.received == 1
    floods = [(e.device, e.frame.ident) for e in net.trace if e.event_kind == "flood"]
    assert len(floods) == len(set(floods)) and {d for d, _ in floods} == {"sw1", "sw2", "sw3"}
    blocked = "p2 is blocking" if mode == "stp" else "p2 is discarding"
    assert any(e.event_kind == "drop" and (e.device, e.port, e.note) == ("sw3", "p2", blocked) for e in net.trace)
    assert all(getattr(node, "storm", None) is None for node in net.nodes.values())


@pytest.mark.parametrize(
    ("path", "low", "high", "lost"),
    [
        ("stp.yaml", 30, 50, range(25, 36)),  # 802.1D: listening + learning
        ("rstp.yaml", 0, 1, range(0, 2)),  # 802.1w: the alternate port takes over at once
    ],
)
def test_example_link_failure_at_60s(path, low, high, lost):
    """The examples: the cable sw1-sw3 fails at 60 s; sw3:p2 forwards after 30-50 s (STP) or < 1 s (RSTP),
    and pc1's once-a-second pings lose about that many seconds."""
    net = load_topology(EXAMPLES / path)
    net.run(120)
    history = net.node("sw3").stp.history
    took_over = [
        t
        for t, e in history
        if isinstance(e, PortChanged) and e.port == "p2" and e.state.value == "forwarding" and t >= 60 * S
    ]
    assert took_over and low * S <= took_over[0] - 60 * S <= high * S
    ping = next(c for c in net.commands if c.command.words == "ping").command.result()
    assert ping["transmitted"] == 70 and ping["transmitted"] - ping["received"] in lost


def test_every_role_and_state_change_is_an_stp_event():
    """The event list has one `stp` event per port change the machines made, with its summary."""
    net = triangle("stp")
    net.start_trace()
    net.run(40)
    traced = [(e.device, e.note) for e in net.trace if e.event_kind == "stp" and e.port is not None and "->" in e.note]
    made = [
        (f"sw{n}", e.summary)
        for n in (1, 2, 3)
        for _, e in net.node(f"sw{n}").stp.history
        if isinstance(e, PortChanged)
    ]
    assert sorted(traced) == sorted(made) and len(made) >= 12
    assert all(e.proto == "STP" for e in net.trace if e.event_kind == "stp")


def test_topology_change_ages_the_mac_table_with_forward_delay():
    """While the root flags a topology change, learned entries last Forward Delay (15 s), then 300 s again."""
    net = triangle("stp")
    net.run(29.9)
    table = net.node("sw2").table
    assert table.ageing == 300 * S
    net.run(32)
    assert table.ageing == 15 * S  # ports that started forwarding at 30 s were a topology change
    net.run(80)
    assert table.ageing == 300 * S


def test_stp_settings_in_topology_files_are_checked(tmp_path):
    """Bad stp fields are reported with their line: mode, priority, unknown keys, port costs without STP."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "nodes:\n"
        "  sw1: {kind: switch, stp: {enabled: true, mode: mstp}}\n"
        "  sw2: {kind: switch, stp: {priority: 70000, colour: red}}\n"
        "  sw3: {kind: switch, ports: {p1: {cost: 5}}}\n"
        "  sw4: {kind: switch, stp: {enabled: maybe}}\n"
    )
    with pytest.raises(TopologyError) as error:
        load_topology(bad)
    text = "\n".join(error.value.problems)
    assert "bad.yaml:2:" in text and "mode 'mstp'" in text
    assert "bad.yaml:3:" in text and "priority must be between 0 and 65535" in text and "'colour'" in text
    assert "bad.yaml:4:" in text and "port costs need the spanning tree" in text
    assert "bad.yaml:5:" in text and "true or false" in text


def test_port_cost_from_the_file_or_from_the_link_rate(tmp_path):
    """A port's cost is the file's `ports: {pN: {cost}}`, else 802.1D-2004's value for the link rate."""
    spec = tmp_path / "costs.yaml"
    spec.write_text(
        "nodes:\n"
        "  sw1: {kind: switch, stp: {enabled: true, priority: 4096, mode: rstp}, ports: {p1: {cost: 7}}}\n"
        "  sw2: {kind: switch, stp: {enabled: false}}\n"
        "links:\n  - [sw1:p1, sw2:p1]\n  - {endpoints: [sw1:p2, sw2:p2], rate: 1Gbps}\n"
    )
    net = load_topology(spec)
    status = net.node("sw1").stp.status()
    assert status["mode"] == "rstp" and status["bridge_id"].startswith("4096/0/")
    assert [row["cost"] for row in status["ports"]] == [7, 20_000]
    assert net.node("sw2").stp is None


def test_enable_stp_after_linking_is_refused():
    """STP must be switched on before the switch is linked (its ports are made for it)."""
    net = Network()
    switch = net.add_switch("sw1")
    net.add_hub("hub1")
    net.link("sw1:p1", "hub1:p1")
    with pytest.raises(ValueError, match="before linking"):
        enable_stp(switch)


def test_rstp_through_a_hub_waits_for_timers_instead_of_an_agreement():
    """Two RSTP switches meeting on a hub (a shared medium) cannot agree: the designated port waits
    out fdWhile (Max Age from the disabled state, 17.29.1) and learns for Hello Time twice over
    (forwardDelay, 17.20.5) before forwarding, where a point-to-point link forwards at once."""

    def first_forwarding(shared: bool) -> int:
        net = Network()
        for name in ("sw1", "sw2"):
            enable_stp(net.add_switch(name), mode="rstp")
        if shared:
            net.add_hub("hub1")
            net.link("sw1:p1", "hub1:p1")
            net.link("sw2:p1", "hub1:p2")
        else:
            net.link("sw1:p1", "sw2:p1")
        net.run(30)
        return min(
            t for t, e in net.node("sw1").stp.history if isinstance(e, PortChanged) and e.state.value == "forwarding"
        )

    assert first_forwarding(shared=False) < S // 100
    assert 20 * S <= first_forwarding(shared=True) <= 25 * S
