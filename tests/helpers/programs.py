"""A program file run on a simulated host, compared with what this machine's python3 prints of it."""

from __future__ import annotations

from pathlib import Path

from simnets import pair

from lanlab.sim.shim import run_programs
from lanlab.units import SECOND

# What a test program starts with: show(label, call) prints the call's value, or its exception's class, errno name
# and text, so a simulated host's lines and python3's compare whatever either raised.
PRELUDE = """import errno, os, sys
def show(label, call):
    try:
        found = call()
    except Exception as e:
        found = (type(e).__name__, errno.errorcode.get(getattr(e, "errno", None)), str(e))
    print(label, repr(found), flush=True)
"""


def on_simulated_host(path: Path, stdin: str = "", args: tuple[str, ...] = ()) -> list[str]:
    """The lines the program at `path` prints on pc1 of a pair (its stdin `stdin`, its arguments `args`), which
    must exit 0 within 5 simulated seconds."""
    net = pair()
    program = net.node("pc1").run_program(str(path), stdin=stdin, args=list(args))
    run_programs(net, 5 * SECOND)
    assert program.exit == 0, program.output
    return [text for _, text in program.output]
