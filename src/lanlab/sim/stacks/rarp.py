"""RARP roles on simulated hosts (RFC 903): a server with a MAC -> IP table, a client without an address.

    pc3: {kind: host, ip: 198.18.2.3/24, rarp_server: {"02:00:00:00:02:04": 198.18.2.4}}
    pc4: {kind: host, ip: rarp/24, mac: "02:00:00:00:02:04", gateway: 198.18.2.254}

The client broadcasts requests from time 0 until answered, then takes the address (with the
prefix length given after `rarp/`, /24 by default: RARP carries no mask).
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface
from typing import TYPE_CHECKING, Any, Final

from lanlab.i18n import L_, N_
from lanlab.proto.rarp import RarpClient, RarpFrame, RarpServer
from lanlab.sim.core.engine import MachineTimer, TimedMachine
from lanlab.sim.core.frame import Frame
from lanlab.sim.devices.host import ARP_SIZE
from lanlab.wire import EtherType, Ethernet, MacAddress

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host, Nic

RARP: Final = int(EtherType.RARP)


def _send(host: Host, nic: Nic, frames: list[RarpFrame], now: int) -> None:
    for frame in frames:
        nic.port.send(
            Frame(
                Ethernet(frame.destination, nic.mac, EtherType.RARP),
                frame.packet,
                None,
                b"",
                ARP_SIZE,
                host.engine.next_frame_id(),
            ),
            now,
        )


class RarpService:
    """The server role on every addressed interface: a request is answered out of the interface
    it came in on, with that interface's MAC and address as the sender (RFC 903)."""

    def __init__(self, host: Host, table: dict[MacAddress, IPv4Address]) -> None:
        self.host = host
        self.servers = {nic: RarpServer(nic.mac, nic.address.ip, table) for nic in host.nics if nic.address is not None}
        host.ethertypes[RARP] = self.receive

    def receive(self, host: Host, nic: Nic, frame: Frame, now: int) -> None:
        server = self.servers.get(nic)
        if server is None:  # an interface without an address has nothing to answer with
            if host.tracer is not None:
                host.tracer.record(now, host.name, nic.name, "drop", frame, N_("RARP: this interface has no address"))
            return
        if host.tracer is not None:
            host.tracer.record(now, host.name, nic.name, "deliver", frame)
        server.handle_packet(frame.l3, now)
        _send(host, nic, server.frames_to_send(now), now)


class RarpBoot:
    """The client role: a NIC without an address asks for one at time 0 and retries until told."""

    def __init__(self, host: Host, nic: Nic, prefixlen: int) -> None:
        self.host = host
        self.nic = nic
        self.prefixlen = prefixlen
        self.client = RarpClient(nic.mac)
        self.timer = MachineTimer(host.engine, self.client, self)
        host.ethertypes[RARP] = self.receive
        host.engine.schedule(host.engine.now, self)  # from time 0 in a topology file

    def fire(self, arg: Any, now: int) -> None:
        self.client.start(now)
        self.timer_fired(self.client, now)

    def receive(self, host: Host, nic: Nic, frame: Frame, now: int) -> None:
        self.client.handle_packet(frame.l3, now)
        learned = self.client.next_event()
        if learned is not None:
            host.set_address(self.nic, IPv4Interface(f"{learned.address}/{self.prefixlen}"))
            if host.tracer is not None:
                host.tracer.record(
                    now,
                    host.name,
                    self.nic.name,
                    "deliver",
                    frame,
                    L_(
                        "RARP: this host is {address} (told by {server})",
                        address=learned.address,
                        server=learned.server_ip,
                    ),
                )
        self.timer.arm()

    def timer_fired(self, machine: TimedMachine, now: int) -> None:
        _send(self.host, self.nic, self.client.frames_to_send(now), now)
        self.timer.arm()
