"""What a node is to the network, and what it can do: Protocols instead of hasattr probes.

`Node` is what the network, links and traces ask of every node (hub, switch, host, router, or a
kind registered from outside). The capability Protocols say which tables a node keeps; a caller
asks `isinstance(node, KeepsMacTable)` and mypy knows the answer's type. They are structural: a
node kind from outside has the capability by having the member, with no base class to inherit.
"""

from __future__ import annotations

from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from lanlab.sim.core.frame import Frame
    from lanlab.sim.core.link import Port
    from lanlab.sim.core.trace import Tracer
    from lanlab.sim.devices.storm import StormReport

Row = dict[str, object]  # one row of a table as `--show` and the JSON document print it


@runtime_checkable
class Node(Protocol):
    """Any node: a name, its ports by name (made on first use where the kind allows), a tracer
    (None when the event list is off), and `attach`, called when a link is plugged into a port."""

    name: str
    ports: dict[str, Port]
    tracer: Tracer | None

    def port(self, name: str) -> Port: ...

    def attach(self, own: Port, peer: Port) -> None: ...


class Receiver(Protocol):
    """A node whose ports are plain `Port`s: a frame that arrives is handed to `receive`."""

    def receive(self, port: Port, frame: Frame, now: int) -> None: ...


@runtime_checkable
class KeepsMacTable(Protocol):
    """A learning bridge: `sw1 mac`, `--show mac`."""

    @property
    def mac_table(self) -> list[Row]: ...


@runtime_checkable
class KeepsArpTable(Protocol):
    """An IP stack with ARP caches: `pc1 arp`, `--show arp`."""

    @property
    def arp_table(self) -> list[Row]: ...


@runtime_checkable
class KeepsRoutes(Protocol):
    """A router's routing table: `r1 route`, `--show route`."""

    @property
    def routes(self) -> list[Row]: ...


@runtime_checkable
class HasAddresses(Protocol):
    """A node with IPv4 addresses (hosts, routers): a node name stands for its first one."""

    @property
    def addresses(self) -> list[IPv4Address]: ...


@runtime_checkable
class WatchesLinks(Protocol):
    """A node told when a cable at one of its ports is pulled or plugged (`link A B down|up`)."""

    def link_changed(self, port: Port, up: bool, now: int) -> None: ...


class SpanningTreeStatus(Protocol):
    """A switch's spanning tree as `sw1 stp` and `--show stp` print it."""

    def status(self) -> dict[str, Any]: ...


@runtime_checkable
class RunsSpanningTree(Protocol):
    """A bridge that can run STP/RSTP: `stp` is its spanning tree, None while it runs none."""

    stp: SpanningTreeStatus | None


@runtime_checkable
class GatesFrames(Protocol):
    """A port that may hold frames back: a spanning-tree port passes them only while forwarding
    (802.1D 8.4); every other port always does."""

    forwarding: bool


@runtime_checkable
class WatchesStorms(Protocol):
    """A hub or switch that notices a frame coming back: `storm` is its report, None until then."""

    storm: StormReport | None
