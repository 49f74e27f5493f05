"""What this host's kernel says about its interfaces, so an error can name its cause. Asked of the kernel
through a socket (SIOCGIFFLAGS, if_nameindex), which answers for the network namespace the process is in:
/sys/class/net shows the namespace sysfs was mounted in, another one under `unshare -n`."""

from __future__ import annotations

import fcntl
import socket
import struct
from typing import Final

from lanlab.i18n import L_, Deferred

IFF_UP: Final = 0x1  # an interface's flags: administratively up (linux/if.h)
SIOCGIFFLAGS: Final = 0x8913  # linux/sockios.h: get an interface's flags
IFREQ_FLAGS: Final = struct.Struct("16sH")  # struct ifreq's name and ifr_flags


def _flags(interface: str) -> int | None:
    name = interface.encode(errors="replace")
    if not 0 < len(name) < 16:  # IFNAMSIZ counts the final NUL
        return None
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            answer = fcntl.ioctl(probe.fileno(), SIOCGIFFLAGS, IFREQ_FLAGS.pack(name, 0))
    except OSError:
        return None  # no such interface (ENODEV), or not Linux
    return IFREQ_FLAGS.unpack(answer[: IFREQ_FLAGS.size])[1]


def is_up(interface: str) -> bool:
    """Whether the interface is administratively up (IFF_UP in its flags, as `ip link` shows UP); True
    where the kernel cannot tell (no such interface), so that the send itself says what is wrong."""
    flags = _flags(interface)
    return flags is None or bool(flags & IFF_UP)


def down_interfaces() -> list[str]:
    """The interfaces other than lo that are administratively down, by name."""
    try:
        names = sorted(name for _index, name in socket.if_nameindex())
    except OSError:
        return []
    return [name for name in names if name != "lo" and not is_up(name)]


def interface_down(interface: str) -> Deferred:
    """The one-line error for a down interface, with the command that brings it up (iputils says the first half)."""
    return L_("interface {interface} is down; bring it up with `ip link set {interface} up`", interface=interface)
