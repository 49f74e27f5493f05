"""Spanning tree BPDUs (IEEE 802.1D-2004 clause 9): configuration, TCN and RST, carried in 802.3 + LLC SAP 0x42.

One class, `Bpdu`, as tshark and scapy see it: the BPDU type says how long it is on the wire
(TCN 4 bytes, configuration 35, RST 36 with its Version 1 Length). Bridge identifiers are two
fields each (priority, MAC) with a `BridgeId` view; times are in 1/256 s as on the wire
(9.2.8), `to_ticks`/`from_ticks` convert them to and from the integer nanoseconds of lanlab.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import Final

from lanlab.units import SECOND
from lanlab.wire.errors import malformed, truncated
from lanlab.wire.fields import const, Header, header, mac, u8, u16, u32
from lanlab.wire.mac import MacAddress
from lanlab.wire.registry import register

# The Bridge Group Address every STP bridge listens on and never forwards (802.1D-2004 7.12.3, Table 7-10).
STP_MULTICAST: Final = MacAddress("01:80:c2:00:00:00")
STP_SAP: Final = 0x42
NS_PER_TICK: Final = SECOND // 256  # exactly 3_906_250: 1/256 s


class BpduType(IntEnum):
    """The BPDU Type octet (9.3.1-9.3.3)."""

    CONFIG = 0x00
    RST = 0x02
    TCN = 0x80


class BpduFlags(IntFlag):
    """The Flags octet (9.3.1 for configuration BPDUs, 9.3.3 adds the RST bits)."""

    TC = 0x01
    PROPOSAL = 0x02
    ROLE = 0x0C  # two bits, a BpduRole
    LEARNING = 0x10
    FORWARDING = 0x20
    AGREEMENT = 0x40
    TC_ACK = 0x80


class BpduRole(IntEnum):
    """The Port Role encoded in bits 3-4 of an RST BPDU's flags (9.2.9)."""

    UNKNOWN = 0
    ALTERNATE_BACKUP = 1
    ROOT = 2
    DESIGNATED = 3


@dataclass(frozen=True, slots=True, order=True)
class BridgeId:
    """A bridge identifier (9.2.5): priority then MAC, compared as one 64-bit number (lower wins)."""

    priority: int
    mac: MacAddress

    def __int__(self) -> int:
        return self.priority << 48 | int.from_bytes(self.mac, "big")

    @classmethod
    def from_int(cls, value: int) -> BridgeId:
        """The identifier whose 64-bit value is `value`."""
        return cls(value >> 48, MacAddress(value & 0xFFFF_FFFF_FFFF))

    def __str__(self) -> str:
        # tshark's notation: priority / system id extension (802.1D-2004 9.2.5) / MAC
        return f"{self.priority & 0xF000}/{self.priority & 0x0FFF}/{self.mac}"


_ZERO_MAC: Final = MacAddress(0)
_HEAD = 4  # protocol identifier, version, type: all a TCN has
_RST_SIZE = 36


@header(
    "STP",
    layout=(
        const(u16("protocol"), 0),
        u8("version"),
        u8("bpdu_type"),
        u8("flags"),
        u16("root_priority"),
        mac("root_mac"),
        u32("root_path_cost"),
        u16("bridge_priority"),
        mac("bridge_mac"),
        u16("port_id"),
        u16("message_age"),
        u16("max_age"),
        u16("hello_time"),
        u16("forward_delay"),
    ),
)
class Bpdu(Header):
    """A BPDU; build a TCN with Bpdu(BpduType.TCN), an RST BPDU with bpdu_type=RST and version=2."""

    bpdu_type: int = BpduType.CONFIG
    flags: int = 0
    root_priority: int = 32768
    root_mac: MacAddress = _ZERO_MAC
    root_path_cost: int = 0
    bridge_priority: int = 32768
    bridge_mac: MacAddress = _ZERO_MAC
    port_id: int = 0x8001
    message_age: int = 0
    max_age: int = 20 * 256
    hello_time: int = 2 * 256
    forward_delay: int = 15 * 256
    version: int = 0
    version1_length: int | None = None  # RST BPDUs only (9.3.3): 0, computed by build when None

    @classmethod
    def parse(cls, data: bytes | memoryview) -> tuple[Bpdu, bytes]:
        """The BPDU and what follows it (an MST BPDU's extension, or nothing)."""
        if len(data) < _HEAD:
            field = ("protocol", 0) if len(data) < 2 else ("version", 2) if len(data) < 3 else ("bpdu_type", 3)
            raise truncated(cls.NAME, field[0], field[1], _HEAD, len(data))
        if data[0] or data[1]:
            raise malformed(cls.NAME, "protocol", 0, f"must be 0, is {data[0] << 8 | data[1]}")
        version, kind = data[2], data[3]
        if kind == BpduType.TCN:
            return cls(BpduType.TCN, version=version), bytes(data[_HEAD:])
        if kind not in (BpduType.CONFIG, BpduType.RST):
            raise malformed(cls.NAME, "bpdu_type", 3, f"{kind:#04x} is not 0x00, 0x02 or 0x80")
        values = cls._unpack(data)
        version1_length = None
        end = cls.SIZE
        if kind == BpduType.RST:
            if len(data) < _RST_SIZE:
                raise truncated(cls.NAME, "version1_length", cls.SIZE, _RST_SIZE, len(data))
            version1_length, end = data[cls.SIZE], _RST_SIZE
        return cls._new(*values[1:], values[0], version1_length), bytes(data[end:])

    def build(self, payload: bytes = b"") -> bytes:
        """The BPDU's bytes (4, 35 or 36 of them) + payload."""
        if self.bpdu_type == BpduType.TCN:
            return bytes((0, 0, self.version, BpduType.TCN)) + payload
        body = self._pack(
            self.version,
            self.bpdu_type,
            self.flags,
            self.root_priority,
            self.root_mac,
            self.root_path_cost,
            self.bridge_priority,
            self.bridge_mac,
            self.port_id,
            self.message_age,
            self.max_age,
            self.hello_time,
            self.forward_delay,
        )
        if self.bpdu_type == BpduType.RST:
            length = 0 if self.version1_length is None else self.version1_length
            if not 0 <= length <= 255:
                raise malformed(self.NAME, "version1_length", self.SIZE, f"{length} does not fit in a byte")
            body += bytes((length,))
        return body + payload

    @property
    def root(self) -> BridgeId:
        """The Root Identifier as a BridgeId."""
        return BridgeId(self.root_priority, self.root_mac)

    @property
    def bridge(self) -> BridgeId:
        """The (designated) Bridge Identifier as a BridgeId."""
        return BridgeId(self.bridge_priority, self.bridge_mac)

    @property
    def role(self) -> BpduRole:
        """The Port Role an RST BPDU announces (configuration BPDUs speak for a designated port, 17.21.8)."""
        if self.bpdu_type == BpduType.CONFIG:
            return BpduRole.DESIGNATED
        return BpduRole((self.flags & BpduFlags.ROLE) >> 2)

    def has(self, flag: BpduFlags) -> bool:
        """Whether `flag` is set."""
        return bool(self.flags & flag)


def to_ticks(ns: int) -> int:
    """Nanoseconds as the 1/256 s units of a BPDU's times (rounded down)."""
    return ns // NS_PER_TICK


def from_ticks(ticks: int) -> int:
    """A BPDU time (1/256 s) in nanoseconds, exactly."""
    return ticks * NS_PER_TICK


def describe_bpdu(bpdu: Bpdu, below: object = (), payload: bytes = b"") -> tuple[str, str]:
    """(protocol, info) as tshark shows them: ("STP", "Conf. Root = 32768/0/02:..  Cost = 0  Port = 0x8001").

    tshark says STP for every kind, and calls an RST BPDU of version 3 or more an MST one."""
    if bpdu.bpdu_type == BpduType.TCN:
        return "STP", "Topology Change Notification"
    kind = "Conf. " if bpdu.bpdu_type == BpduType.CONFIG else "MST. " if bpdu.version >= 3 else "RST. "
    tc = "TC + " if bpdu.flags & BpduFlags.TC else ""
    return "STP", f"{kind}{tc}Root = {bpdu.root}  Cost = {bpdu.root_path_cost}  Port = {bpdu.port_id:#06x}"


register(Bpdu, under=[("llc_sap", STP_SAP)], summary=describe_bpdu)
