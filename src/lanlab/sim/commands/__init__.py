"""`--do` commands: the base class and parser (base), then one module per family.

FAMILIES is the one list of command modules: importing this package registers every command in
them. A command from outside the package registers itself the same way (`@register_command`).
"""

from lanlab.sim.commands import basic, dhcp, dns, routing, stp, tcp, traceroute
from lanlab.sim.commands.base import (
    COMMANDS,
    Command,
    CommandError,
    DoWords,
    HostCommand,
    Scheduled,
    parse_do,
    read_do,
    register_command,
    schedule,
)

FAMILIES = (basic, routing, traceroute, tcp, stp, dhcp, dns)

__all__ = [
    "COMMANDS",
    "FAMILIES",
    "Command",
    "CommandError",
    "DoWords",
    "HostCommand",
    "Scheduled",
    "parse_do",
    "read_do",
    "register_command",
    "schedule",
]
