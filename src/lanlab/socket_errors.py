"""What to tell the user when a socket call fails, by errno: one wording for the real-network
commands (`lanlab tcp connect`, `lanlab udp ...`) and the simulator's --do words (`tcp connect`),
so the same mistake reads the same on either side. A leaf: it imports nothing of lanlab's layers."""

from __future__ import annotations

import errno
import ipaddress

from lanlab.i18n import L_, N_

# errno -> an N_ template; {target} is what we tried to reach or bind ("tcp 198.18.0.2:7788").
ADVICE: dict[int, str] = {
    errno.EADDRINUSE: N_("{target} is already in use; pick another --port or stop the program using it"),
    errno.EADDRNOTAVAIL: N_("{target}: no such address on this host (see `ip addr`)"),
    # bind(2): a port below 1024 without root; sendto(2)/connect(2): a broadcast address without SO_BROADCAST
    errno.EACCES: N_(
        "{target}: permission denied (a port below 1024 needs root; a broadcast address needs `udp broadcast`)"
    ),
    errno.ECONNRESET: N_("{target}: the peer reset the connection (it closed with data unread, or aborted)"),
    errno.ECONNREFUSED: N_("connection refused by {target}: nothing listens there (is the server running?)"),
    errno.ENETUNREACH: N_("{target}: network is unreachable (no route to it; see `ip route`)"),
    errno.EHOSTUNREACH: N_("{target}: host unreachable (nobody answered ARP, or a router said no)"),
    errno.ETIMEDOUT: N_("{target}: timed out (the host is down or a firewall drops the packets)"),
    errno.ENODEV: N_("{target}: no such network interface (see `ip link`)"),
    errno.EPERM: N_("{target}: operation not permitted (binding to an interface needs root)"),
    # RFC 768 and 791: a 16-bit length less 8 bytes of UDP and 20 of IPv4 header
    errno.EMSGSIZE: N_("{target}: the datagram is too long (over IPv4 a UDP datagram holds at most 65,507 bytes)"),
}


# connect(2) of a TCP socket: Linux's tcp_v4_connect also says ENETUNREACH when the route found is a
# subnet's broadcast (a group or 255.255.255.255 is refused before: not_one_host), where "no route" misleads
CONNECT_ADVICE: dict[int, str] = {
    errno.ENETUNREACH: N_(
        "{target}: network is unreachable (no route to it, see `ip route`; or a subnet's broadcast address, "
        "which a TCP connection cannot have)"
    ),
}


def advice_for(error: OSError, connecting: bool = False) -> str | None:
    """The template for `error` (a TimeoutError without an errno is ETIMEDOUT), or None; `connecting`: of
    a TCP connect."""
    if isinstance(error, TimeoutError) and error.errno is None:
        return ADVICE[errno.ETIMEDOUT]
    code = error.errno or 0
    if connecting and code in CONNECT_ADVICE:
        return CONNECT_ADVICE[code]
    return ADVICE.get(code)


def error_line(error: OSError, target: str, connecting: bool = False) -> str:
    """The one line for `error` on `target` (an L_ text: English as data, the user's language where shown);
    `connecting`: the error of a TCP connect."""
    advice = advice_for(error, connecting)
    return L_(advice, target=target) if advice else f"{target}: {error.strerror or error}"


def not_one_host(host: str, udp_words: str) -> str | None:
    """Why TCP cannot connect to `host`, a multicast or the limited broadcast address (the kernel's
    "Network is unreachable" sends people looking at their routes), or None; `udp_words`: how the
    command at hand sends UDP ("`lanlab udp send` or `lanlab udp broadcast`")."""
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        return None
    if address.is_multicast or int(address) == 0xFFFFFFFF:
        return L_(
            "{host} is a multicast or broadcast address, and TCP connects to one host; UDP sends to many: {udp}",
            host=host,
            udp=udp_words,
        )
    return None
