"""The real network: sockets, the wall clock.

Public names load on first use (PEP 562), so `lanlab ip` importing lanlab.net.subnet does not
pay for sockets, pyroute2 or the codecs of the other modules. The functions named like their
modules (lanlab.net.ping.ping, lanlab.net.arping.arping) stay in them: a submodule, once imported,
is the package attribute of that name.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        ("SubnetError", "SubnetReport", "AddressClass", "describe", "split", "address_class", "kind_of"),
        "lanlab.net.subnet",
    ),
    **dict.fromkeys(
        ("EchoSocket", "PingOptions", "PingStatistics", "PingPermissionError", "Reply", "IcmpErrorReport", "resolve"),
        "lanlab.net.ping",
    ),
    **dict.fromkeys(("Neighbour", "read_neighbours"), "lanlab.net.neighbours"),
    **dict.fromkeys(
        ("ArpEndpoint", "ArpingOptions", "ArpingStatistics", "ArpReply", "ArpSocketError", "ScanResult", "scan"),
        "lanlab.net.arping",
    ),
    **dict.fromkeys(
        ("Datagram", "UdpReply", "Exchange", "listening_socket", "sending_socket", "receive", "exchange"),
        "lanlab.net.udp",
    ),
    **dict.fromkeys(("TcpServer", "ServerSettings"), "lanlab.net.tcp_server"),
    "talk": "lanlab.net.tcp_client",
    "loopback_story": "lanlab.net.story",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lanlab.net' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
