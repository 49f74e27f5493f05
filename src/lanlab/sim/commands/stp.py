"""`sw1 stp`: a switch's spanning tree at that moment, as `lanlab sim run --show stp` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lanlab.proto.spanning import status_lines
from lanlab.sim.commands.base import Command, register_command
from lanlab.sim.core.node import RunsSpanningTree
from lanlab.i18n import L_

if TYPE_CHECKING:
    from lanlab.sim.core.node import Node
    from lanlab.sim.network import Network


@register_command
class StpShow(Command):
    """stp: the switch's spanning tree at that moment: bridge, root, each port's role and state"""

    words = "stp"
    waits = False
    hosts_only = False

    def start(self, network: Network, host: Node, now: int) -> None:  # type: ignore[override]  (any node)
        self.node = host.name
        tree = host.stp if isinstance(host, RunsSpanningTree) else None
        self.status = tree.status() if tree is not None else None

    def result(self) -> dict[str, Any]:
        return {"stp": self.status}

    def lines(self) -> list[str]:
        if self.status is None:
            return [
                L_(
                    "  {node} runs no spanning tree (give the switch {setting})",
                    node=self.node,
                    setting="stp: {enabled: true}",
                )
            ]
        return status_lines(self.status)
