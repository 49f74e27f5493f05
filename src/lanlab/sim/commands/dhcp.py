"""`pc1 dhcp renew` and `pc1 dhcp release`: what `dhclient` (run again) and `dhclient -r` do to a lease."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lanlab.sim.commands.base import Command, CommandError, register_command
from lanlab.i18n import L_

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network
    from lanlab.sim.stacks.dhcp import DhcpBoot


class _DhcpCommand(Command):
    waits = False

    def start(self, network: Network, host: Host, now: int) -> None:
        boot = host.dhcp_client  # a Host: the command runs on hosts and routers only
        if boot is None:
            raise CommandError(L_("{node} takes no address from DHCP (give it ip: dhcp)", node=host.name))
        lease = boot.client.lease
        self.address = str(lease.address) if lease is not None else None
        self.server = str(lease.server) if lease is not None else None
        self.done = self.act(boot, now)
        self.state = boot.client.state.value

    def act(self, boot: DhcpBoot, now: int) -> bool:
        raise NotImplementedError

    def result(self) -> dict[str, Any]:
        return {"address": self.address, "server": self.server, "done": self.done, "state": self.state}


@register_command
class DhcpRenew(_DhcpCommand):
    """dhcp renew: ask the server for more time on the lease now (a REQUEST unicast to it, RFC 2131 4.4.5)"""

    words = "dhcp renew"

    def act(self, boot: DhcpBoot, now: int) -> bool:
        return bool(boot.renew(now))

    def lines(self) -> list[str]:
        if not self.done:
            return [L_("  no lease to renew (the client is {state})", state=self.state)]
        if self.address is None:
            return [L_("  DHCPDISCOVER to {broadcast} port 67", broadcast="255.255.255.255")]
        return [L_("  DHCPREQUEST for {address} to {server} port 67", address=self.address, server=self.server)]


@register_command
class DhcpRelease(_DhcpCommand):
    """dhcp release: give the lease back (a RELEASE to the server, RFC 2131 4.4.6) and drop the address"""

    words = "dhcp release"

    def act(self, boot: DhcpBoot, now: int) -> bool:
        return bool(boot.release(now))

    def lines(self) -> list[str]:
        if not self.done:
            return [L_("  no lease to release (the client is {state})", state=self.state)]
        return [L_("  DHCPRELEASE of {address} to {server} port 67", address=self.address, server=self.server)]
