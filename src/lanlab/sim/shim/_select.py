"""`select` for programs on a simulated host: readiness of simulated sockets, in virtual time."""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._process import UnsupportedInSimulation
from lanlab.sim.shim._proxy import Builtin

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program
    from lanlab.sim.shim._socket import SimSocket


def select_module(program: Program) -> types.ModuleType:
    module = types.ModuleType("select", "Simulated select() over simulated sockets.")

    def as_socket(item: Any) -> SimSocket:
        fd = item if isinstance(item, int) else item.fileno()
        sock = program.shim.sockets.get(fd)
        if sock is None:
            if fd < 0:
                raise ValueError("file descriptor cannot be a negative integer (-1)")
            raise UnsupportedInSimulation(f"select() on descriptor {fd}, which is not a simulated socket "
                                          f"(host {program.node})")
        return sock

    def select(rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> tuple[list, list, list]:
        readers = [(item, as_socket(item)) for item in rlist]
        writers = [(item, as_socket(item)) for item in wlist]
        [as_socket(item) for item in xlist]
        if timeout is not None and timeout < 0:
            raise ValueError("timeout must be non-negative")

        def ready() -> tuple[list, list]:
            return ([item for item, sock in readers if sock._readable()],
                    [item for item, sock in writers if sock._writable()])

        program.wait(lambda: any(ready()), None if timeout is None else int(timeout * 1e9))
        r, w = ready()
        return r, w, []

    module.select = Builtin(select)  # not a method when stored on a class (selectors does that)
    module.error = OSError
    return module
