"""What the two spanning tree machines (802.1D STP in stp.py, 802.1w RSTP in rstp.py) share.

Both are sans-IO (DESIGN.md): the switch around them calls handle_link / handle_bpdu /
handle_timer with the time, drains bpdus_to_send() (a list of (port, Bpdu)) and next_event()
(PortChanged, RootChanged, TopologyChange, FdbFlush), and asks forwarding(port) / learning(port)
before it relays or learns from a frame. Times are integer nanoseconds.
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from dataclasses import dataclass
from enum import Enum
from collections.abc import Iterable
from typing import Any, Final

from lanlab.i18n import L_, N_, Deferred, _, localize, pad
from lanlab.units import SECOND
from lanlab.wire.mac import MacAddress
from lanlab.wire.stp import Bpdu, BridgeId

DEFAULT_PRIORITY: Final = 32768
_BRIDGE_OUI: Final = 0x02_53 << 32  # locally administered, "S" for STP


def bridge_address(name: str) -> MacAddress:
    """A switch's bridge address from its name: sw1 < sw2 < sw10 (the number is the low 16 bits),
    other names apart by a hash of their letters: 02:53:HH:HH:NN:NN. The simulator's switches
    and the kernel lab's bridges take the same one, so both elect the same root."""
    match = re.fullmatch(r"(.*?)(\d*)", name)
    assert match is not None
    prefix, digits = match.groups()
    return MacAddress(_BRIDGE_OUI | (zlib.crc32(prefix.encode()) & 0xFFFF) << 16 | int(digits or 0) & 0xFFFF)


DEFAULT_PORT_PRIORITY: Final = 128
BRIDGE_ADDRESS: Final = 0xFFFF_FFFF_FFFF  # the MAC part of a bridge identifier (9.2.5)
PORT_NUMBER: Final = 0xFFF  # the number part of a port identifier (9.2.7)


class PortState(Enum):
    """802.1D-1998 8.4 port states; RSTP (802.1D-2004 17.30) merges disabled/blocking/listening into discarding."""

    DISABLED = "disabled"
    BLOCKING = "blocking"
    LISTENING = "listening"
    LEARNING = "learning"
    FORWARDING = "forwarding"
    DISCARDING = "discarding"


class PortRole(Enum):
    """802.1D-2004 17.7 port roles (for classic STP: a blocked port's role says whose information it holds)."""

    ROOT = "root"
    DESIGNATED = "designated"
    ALTERNATE = "alternate"
    BACKUP = "backup"
    DISABLED = "disabled"


# A port's role and state as the event list names them (802.1D's own words), each an L_ text so
# the list shows them translated and JSON keeps the English word.
WORDS: Final[dict[str, Deferred]] = {
    word: L_(word)
    for word in (
        N_("root"),
        N_("designated"),
        N_("alternate"),
        N_("backup"),
        N_("disabled"),
        N_("blocking"),
        N_("listening"),
        N_("learning"),
        N_("forwarding"),
        N_("discarding"),
    )
}


def moved(old: PortRole | PortState, new: PortRole | PortState) -> Deferred:
    """A role or state, with the one it came from when it changed: "designated -> root"."""
    if old == new:
        return WORDS[new.value]
    return L_("{old} -> {new}", old=WORDS[old.value], new=WORDS[new.value])


@dataclass(frozen=True, slots=True)
class PortChanged:
    """A port's role or state changed."""

    port: str
    role: PortRole
    state: PortState
    old_role: PortRole
    old_state: PortState

    @property
    def summary(self) -> str:
        """One line for the event list."""
        return L_(
            "{port} {role}, {state}",
            port=self.port,
            role=moved(self.old_role, self.role),
            state=moved(self.old_state, self.state),
        )


@dataclass(frozen=True, slots=True)
class RootChanged:
    """The bridge now believes in another root (or the same root through another port or cost)."""

    root: BridgeId
    root_port: str | None
    cost: int

    @property
    def summary(self) -> str:
        """One line for the event list."""
        if self.root_port is None:
            return L_("root bridge is this bridge ({root})", root=self.root)
        return L_("root {root} via {port}, cost {cost}", root=self.root, port=self.root_port, cost=self.cost)


@dataclass(frozen=True, slots=True)
class TopologyChange:
    """802.1D-1998 8.5.3.12: while the Topology Change flag is set, learned entries age out after Forward Delay."""

    active: bool
    ageing: int  # ns, the short ageing time to use while active

    @property
    def summary(self) -> str:
        """One line for the event list."""
        if self.active:
            return L_("topology change: short ageing ({seconds} s)", seconds=self.ageing // SECOND)
        return L_("topology change over: normal ageing")


@dataclass(frozen=True, slots=True)
class FdbFlush:
    """Forget the addresses learned on this port (RSTP 17.31 fdbFlush; a port whose link went down)."""

    port: str

    @property
    def summary(self) -> str:
        """One line for the event list."""
        return L_("{port} flush learned addresses", port=self.port)


StpEvent = PortChanged | RootChanged | TopologyChange | FdbFlush


@dataclass(frozen=True, slots=True)
class PortStatus:
    """One row of `--do "sw1 stp"`: what a port is doing and whose information it holds."""

    port: str
    port_id: int
    role: PortRole
    state: PortState
    cost: int
    designated_root: BridgeId
    designated_cost: int
    designated_bridge: BridgeId
    designated_port: int
    edge: bool = False

    def as_dict(self) -> dict[str, object]:
        """The row as JSON-ready values."""
        return {
            "port": self.port,
            "port_id": f"{self.port_id:#06x}",
            "role": self.role.value,
            "state": self.state.value,
            "cost": self.cost,
            "designated_root": str(self.designated_root),
            "designated_cost": self.designated_cost,
            "designated_bridge": str(self.designated_bridge),
            "designated_port": f"{self.designated_port:#06x}",
            "edge": self.edge,
        }


def port_number(name: str, ports: Iterable[str]) -> int:
    """A port's number in its identifier (802.1D 9.2.7): the number in its name (p3 -> 3) when it
    is unique among the bridge's `ports`, else its position. The kernel lab enslaves a bridge's
    ports in this order, so both number them alike."""
    names = list(ports)
    match = re.search(r"(\d+)$", name)
    if match and 1 <= int(match.group(1)) <= 0xFFF:
        number = int(match.group(1))
        clash = [other for other in names if other != name and re.search(rf"\D{number}$|^{number}$", other)]
        if not clash:
            return number
    return names.index(name) + 1


def port_cost(rate_bps: int | None) -> int:
    """The recommended Port Path Cost for a link rate: 802.1D-2004 17.14 Table 17-3 (20 Tb/s divided by the rate)."""
    if not rate_bps:
        return 20_000  # an unlimited link is costed like 1 Gb/s
    return max(1, min(200_000_000, 20_000_000_000_000 // rate_bps))


class LocalStpError(ValueError):
    """The caller asked something the bridge cannot do (unknown port, duplicate port number)."""


def port_id(number: int, priority: int = DEFAULT_PORT_PRIORITY) -> int:
    """A Port Identifier (9.2.7): priority in the top bits, port number in the low 12."""
    if not 1 <= number <= PORT_NUMBER:
        raise LocalStpError(f"port number {number} is outside 1..4095")
    if priority & ~0xF0:
        raise LocalStpError(f"port priority {priority} must be a multiple of 16 from 0 to 240")
    return priority << 8 | number


class SpanningTreeBridge:
    """The part of a bridge both protocols share: identity, output queues, event reporting."""

    INITIAL: tuple[PortRole, PortState] = (PortRole.DISABLED, PortState.DISABLED)  # a port before its link is up

    def __init__(self, address: MacAddress | str, priority: int = DEFAULT_PRIORITY) -> None:
        if not 0 <= priority <= 0xFFFF:
            raise LocalStpError(f"bridge priority {priority} is outside 0..65535")
        self.bridge_id = BridgeId(priority, MacAddress(address))
        self.my_id = int(self.bridge_id)
        self.ports: dict[str, Any] = {}  # name -> the protocol's port record (each has .port_id)
        self._out: list[tuple[str, Bpdu]] = []
        self._events: deque[StpEvent] = deque()
        self._shown: dict[str, tuple[PortRole, PortState]] = {}
        self._shown_root: tuple[int, str | None, int] | None = None

    def _new_port_id(self, name: str, number: int, cost: int, priority: int) -> int:
        """The Port Identifier of a port about to be added, after checking the caller's values."""
        pid = port_id(number, priority)
        if name in self.ports or any(p.port_id & PORT_NUMBER == number for p in self.ports.values()):
            raise LocalStpError(f"port {name} (number {number}) is already on this bridge")
        if not 1 <= cost <= 200_000_000:
            raise LocalStpError(f"port cost {cost} is outside 1..200000000")
        return pid

    def _port(self, name: str) -> Any:
        try:
            return self.ports[name]
        except KeyError:
            raise LocalStpError(f"no port {name!r} on bridge {self.bridge_id}") from None

    # -- outputs ------------------------------------------------------------------------

    def bpdus_to_send(self, now: int) -> list[tuple[str, Bpdu]]:
        """The BPDUs produced since the last call, as (port, bpdu), in order."""
        out, self._out = self._out, []
        return out

    def next_event(self) -> StpEvent | None:
        """The oldest event not yet handed up, or None."""
        return self._events.popleft() if self._events else None

    # -- what subclasses provide ----------------------------------------------------------

    def status(self) -> list[PortStatus]:
        """Every port's role, state and designated information, in port order."""
        raise NotImplementedError

    def root(self) -> tuple[int, str | None, int]:
        """(root bridge id as int, root port or None, root path cost)."""
        raise NotImplementedError

    # -- reporting ------------------------------------------------------------------------

    @property
    def is_root(self) -> bool:
        """Whether this bridge believes it is the root."""
        return self.root()[0] == self.my_id

    def _report(self) -> None:
        """Queue a RootChanged and a PortChanged for whatever differs from what was last reported."""
        root = self.root()
        if root != self._shown_root:
            self._shown_root = root
            self._events.append(RootChanged(BridgeId.from_int(root[0]), root[1], root[2]))
        for row in self.status():
            now_shown = (row.role, row.state)
            before = self._shown.get(row.port, self.INITIAL)
            if now_shown != before:
                self._shown[row.port] = now_shown
                self._events.append(PortChanged(row.port, row.role, row.state, before[0], before[1]))


def status_lines(status: dict[str, Any]) -> list[str]:
    """A switch's spanning tree for people (`--do "sw1 stp"`, `--show stp`, on both back ends): the bridge,
    its root, one aligned line per port; in the current language (called when printed), columns
    measured in terminal columns."""
    standard = {"stp": "802.1D STP", "rstp": "802.1w RSTP"}[status["mode"]]
    root = (
        _("this bridge is the root")
        if status["is_root"]
        else _("root {root} via {port}, cost {cost}").format(
            root=status["root_id"], port=status["root_port"], cost=status["root_cost"]
        )
    )
    out = [
        f"  {standard}, " + _("bridge {bridge}").format(bridge=status["bridge_id"]),
        f"  {root}",
        f"  {pad(_('port'), 5)} {pad(_('role'), 10)} {pad(_('state'), 10)} {pad(_('cost'), 9, right=True)}  "
        + _("designated bridge and port"),
    ]
    for row in status["ports"]:
        edge = " " + _("(edge)") if row["edge"] else ""
        role, state = (localize(WORDS.get(row[key], row[key])) for key in ("role", "state"))
        out.append(
            f"  {pad(row['port'], 5)} {pad(role, 10)} {pad(state, 10)} {row['cost']:>9}  "
            f"{row['designated_bridge']} {row['designated_port']}{edge}"
        )
    return out
