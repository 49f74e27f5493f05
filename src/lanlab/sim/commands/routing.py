"""--do commands for routed networks: `r1 route`, `link A B down|up`, `r1 stop|start`.

--do "r1 route"                          the routing table (show ip route), also in --json
--do "at 60s link r1:eth1 r2:eth0 down"  unplug a cable (both ends lose carrier); `up` plugs it back
--do "at 90s r2 stop"                    power a router off; `r2 start` powers it on again
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from lanlab.i18n import L_, message_of
from lanlab.sim.commands.base import CommandError, Command, parser, register_command
from lanlab.sim.core.errors import NetworkError
from lanlab.sim.core.node import WatchesLinks
from lanlab.sim.devices.router import Router
from lanlab.table_lines import route_lines

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network

COLUMNS = ("prefix", "via", "interface", "metric", "source", "age")


def host_routes(host: Host, now: int) -> list[dict[str, object]]:
    """A host's implicit table (RFC 1122 3.3.1): its connected networks and the default gateway."""
    rows: list[dict[str, object]] = [
        {
            "prefix": str(nic.address.network),
            "via": None,
            "interface": nic.name,
            "metric": 0,
            "source": "connected",
            "age": now / 1e9,
        }
        for nic in host.nics
        if nic.address is not None
    ]
    gateway = host.ipv4.gateway
    if gateway is not None:
        nic = next((n for n in host.nics if n.address is not None and gateway in n.address.network), None)
        rows.append(
            {
                "prefix": "0.0.0.0/0",
                "via": str(gateway),
                "interface": nic.name if nic else None,
                "metric": 0,
                "source": "static",
                "age": now / 1e9,
            }
        )
    return rows


@register_command
class RouteShow(Command):
    """route: the node's routing table at that moment"""

    words = "route"
    waits = False

    def start(self, network: Network, host: Host, now: int) -> None:
        self.rows = host.routes if isinstance(host, Router) else host_routes(host, now)

    def result(self) -> dict[str, Any]:
        return {"routes": self.rows}

    def lines(self) -> list[str]:
        return route_lines(self.rows)


@register_command
class LinkState(Command):
    """link NODE:PORT NODE:PORT down|up: unplug or plug a cable; the routers at both ends notice"""

    words = "link"
    network_wide = True
    waits = False

    @classmethod
    def arguments(cls) -> argparse.ArgumentParser:
        p = parser(cls.words)
        p.add_argument("a")
        p.add_argument("b")
        p.add_argument("state", choices=("down", "up"))
        return p

    def check(self, network: Network) -> None:
        """The two endpoints must be the two ends of one link."""
        try:
            link = network.find_link(self.args.a)
        except NetworkError as error:
            raise CommandError(message_of(error)) from None
        ends = {link.a.label, link.b.label}
        if ends != {self.args.a, self.args.b}:
            raise CommandError(
                L_(
                    "{a} is linked to {other}, not {b}",
                    a=self.args.a,
                    other=(ends - {self.args.a}).pop(),
                    b=self.args.b,
                )
            )
        self.link = link

    def start(self, network: Network, host: Host | None, now: int) -> None:
        up = self.args.state == "up"
        self.link.set_up(up)
        note = (
            L_("{a} - {b} up", a=self.link.a.label, b=self.link.b.label)
            if up
            else L_("{a} - {b} down", a=self.link.a.label, b=self.link.b.label)
        )
        if network.tracer is not None:
            network.tracer.record(now, self.link.a.node.name, self.link.a.name, "link", None, note)
        for port in (self.link.a, self.link.b):
            if isinstance(port.node, WatchesLinks):
                port.node.link_changed(port, up, now)

    def result(self) -> dict[str, Any]:
        return {"link": f"{self.link.a.label}-{self.link.b.label}", "state": self.args.state}

    def lines(self) -> list[str]:
        return [
            L_("  link {a} - {b} is up", a=self.link.a.label, b=self.link.b.label)
            if self.args.state == "up"
            else L_("  link {a} - {b} is down", a=self.link.a.label, b=self.link.b.label)
        ]


class _Power(Command):
    """Shared by stop and start: only routers have a power switch here."""

    waits = False

    def start(self, network: Network, host: Host, now: int) -> None:
        self.router = host.name
        self.done = isinstance(host, Router)
        if self.done:
            (host.stop if self.words == "stop" else host.start)(now)

    def result(self) -> dict[str, Any]:
        return {
            "router": self.router,
            "state": ("stopped" if self.words == "stop" else "running") if self.done else "not a router",
        }

    def lines(self) -> list[str]:
        if not self.done:
            return [L_("  {router} is not a router: nothing to {word}", router=self.router, word=self.words)]
        if self.words == "stop":
            return [L_("  {router} stopped", router=self.router)]
        return [L_("  {router} started", router=self.router)]


@register_command
class Stop(_Power):
    """stop: power the router off (it forgets what RIP learned)"""

    words = "stop"


@register_command
class Start(_Power):
    """start: power the router on (RIP starts afresh, with requests to its neighbours)"""

    words = "start"
