"""What this host's kernel says about its interfaces (sysfs), so an error can name its cause."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from lanlab.i18n import L_, Deferred

IFF_UP: Final = 0x1  # an interface's flags: administratively up (linux/if.h)
SYS_NET: Final = Path("/sys/class/net")


def _flags(interface: str) -> int | None:
    try:
        return int((SYS_NET / interface / "flags").read_text(), 16)
    except (OSError, ValueError):
        return None  # no sysfs here (not Linux), or no such interface


def is_up(interface: str) -> bool:
    """Whether the interface is administratively up (IFF_UP in its flags, as `ip link` shows UP); True
    where sysfs cannot tell, so that the send itself says what is wrong."""
    flags = _flags(interface)
    return flags is None or bool(flags & IFF_UP)


def down_interfaces() -> list[str]:
    """The interfaces other than lo that are administratively down, by name."""
    try:
        names = sorted(entry.name for entry in SYS_NET.iterdir())
    except OSError:
        return []
    return [name for name in names if name != "lo" and not is_up(name)]


def interface_down(interface: str) -> Deferred:
    """The one-line error for a down interface, with the command that brings it up (iputils says the first half)."""
    return L_("interface {interface} is down; bring it up with `ip link set {interface} up`", interface=interface)
