"""lanlab.sim extended from outside the package: a node kind, a --do command, a trace kind and a
host protocol, each through its documented extension point (sim/__init__'s "How to extend")."""

import pytest

from lanlab.sim import (
    COMMANDS,
    NODE_KINDS,
    TRACE_KINDS,
    Command,
    Frame,
    Network,
    Port,
    register_command,
    register_kind,
    register_node_kind,
)
from lanlab.sim.core.trace import KIND_PROTOCOLS
from lanlab.wire import Ethernet, MacAddress

EXPERIMENTAL = 0x88B5  # IEEE 802 local experimental EtherType
TOPOLOGY = """
name: extended
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
  pc2: {kind: host, ip: 198.18.0.2/24}
  tap: {kind: counter, label: north}
  sw1: {kind: switch}
links:
  - [pc1:eth0, sw1:p1]
  - [pc2:eth0, sw1:p2]
  - [tap:in, sw1:p3]
"""


class Counter:
    """A node kind of our own: it counts the frames it hears on any port and never sends."""

    kind = "counter"

    def __init__(self, name, engine, label):
        self.name, self.engine, self.label = name, engine, label
        self.ports = {}
        self.tracer = None
        self.heard = 0

    def port(self, name):
        if name not in self.ports:
            self.ports[name] = Port(self, name, self.engine)
        return self.ports[name]

    def attach(self, own, peer):
        pass

    def receive(self, port, frame, now):
        self.heard += 1
        if self.tracer is not None:
            self.tracer.record(now, self.name, port.name, "count", None, f"{self.label}: frame {self.heard}")


def build_counter(network, name, spec):
    spec.only({"kind", "label"})
    label, _ = spec.scalar("label")
    if not spec.failed:
        network.add_node(Counter(name, network.engine, label or name))


class CountShow(Command):
    """count: how many frames a counter heard so far"""

    words = "count"
    waits = False
    hosts_only = False

    def start(self, network, node, now):
        self.heard = node.heard

    def result(self):
        return {"heard": self.heard}

    def lines(self):
        return [f"  heard {self.heard} frames"]


@pytest.fixture
def extended():
    """The four registrations, undone after the test."""
    register_node_kind("counter", build_counter)
    register_command(CountShow)
    register_kind("count", "COUNT")
    yield
    del NODE_KINDS["counter"], COMMANDS["count"], KIND_PROTOCOLS["count"]
    TRACE_KINDS.remove("count")


def test_a_node_kind_a_command_a_trace_kind_and_a_host_protocol_from_outside(tmp_path, extended):
    """A topology names the new kind, --do runs the new command on it, its events carry the new
    kind, and a handler on an EtherType of our own receives what another host sends."""
    path = tmp_path / "extended.yaml"
    path.write_text(TOPOLOGY)
    net = Network.from_yaml(path, trace=True)
    received = []
    pc1, pc2 = net.node("pc1"), net.node("pc2")
    pc1.ethertypes[EXPERIMENTAL] = lambda host, nic, frame, now: received.append((nic.name, frame.data))
    nic = pc2.nics[0]
    frame = Frame(
        Ethernet(MacAddress("ff:ff:ff:ff:ff:ff"), nic.mac, EXPERIMENTAL),
        None,
        None,
        b"hello",
        64,
        net.engine.next_frame_id(),
    )
    nic.port.send(frame, 0)
    count = net.do("at 1s tap count")
    net.run("2s")
    assert received == [("eth0", b"hello")]
    assert net.node("tap").label == "north" and net.node("tap").heard == 1
    assert count.as_dict()["result"] == {"heard": 1}
    counted = [event for event in net.trace if event.event_kind == "count"]
    assert [(event.device, event.proto, event.summary) for event in counted] == [("tap", "COUNT", "north: frame 1")]
