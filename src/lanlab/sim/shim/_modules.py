"""The module overlay of a program on a simulated host: `socket`, `select`, `selectors`,
`time`, `threading`, `queue`, `socketserver`, `sys`, `os` and the builtins `print`/`input`
resolve to simulated versions while the program's own code (and the standard-library code it
pulls in through the overlay) runs; everything else is the real module.

`selectors`, `queue` and `socketserver` are the standard library's own source, executed again
with this overlay as their imports (so they sit on the simulated select, threading and time),
the way trio's FakeNet swaps the socket factory under unchanged code."""

from __future__ import annotations

import builtins
import importlib.util
import os as _real_os
import sys as _real_sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from lanlab.sim.shim._clock import time_module
from lanlab.sim.shim._futures import concurrent_package, futures_module
from lanlab.sim.shim._process import UnsupportedInSimulation
from lanlab.sim.shim._proxy import Proxy
from lanlab.sim.shim._select import select_module
from lanlab.sim.shim._socket import socket_module
from lanlab.sim.shim._threading import threading_module

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

FROM_STDLIB = ("selectors", "queue", "socketserver")
UNSUPPORTED = ("subprocess", "asyncio", "multiprocessing", "_thread", "ssl")
OS_UNSUPPORTED = ("fork", "forkpty", "system", "popen", "execv", "execve", "execvp", "execvpe", "execl", "execle",
                  "execlp", "execlpe", "spawnv", "spawnve", "spawnl", "spawnle", "posix_spawn", "posix_spawnp",
                  "kill", "wait", "waitpid")


class _Unavailable(types.ModuleType):
    """A module whose every attribute fails, naming the call and the host."""

    def __init__(self, name: str, host: str) -> None:
        super().__init__(name)
        self._host = host

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise UnsupportedInSimulation(f"{self.__name__}.{attribute} is not available to a program on simulated "
                                      f"host {self._host}")


def _unsupported_call(name: str, host: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise UnsupportedInSimulation(f"{name}() is not available to a program on simulated host {host}")
    call.__name__ = name.rpartition(".")[2]
    return call


def sys_module(program: Program, argv: list[str]) -> types.ModuleType:
    return Proxy(_real_sys, {"argv": argv, "stdin": program.stdin, "stdout": program.stdout,
                              "stderr": program.stdout, "__stdin__": program.stdin,
                              "__stdout__": program.stdout, "__stderr__": program.stdout})


def os_module(program: Program) -> types.ModuleType:
    replaced = {name: _unsupported_call(f"os.{name}", program.node) for name in OS_UNSUPPORTED}
    replaced["getpid"] = lambda: program.pid
    replaced["register_at_fork"] = lambda **hooks: None  # a simulated program never forks
    return Proxy(_real_os, replaced)


def _no_c_queue() -> types.ModuleType:
    """queue's C SimpleQueue would block the real thread: without `_queue`, queue.py falls back
    to its Python SimpleQueue, on the simulated threading."""
    raise ImportError("_queue is not available to a simulated program (queue.SimpleQueue is the Python one)")


class Overlay:
    """The program's modules by name, built on first import, and its builtins."""

    def __init__(self, program: Program, argv: list[str], home: Path | None = None) -> None:
        self.program = program
        self.argv = argv
        self.home = home  # the program's directory: its own modules import from there, as sys.path[0]
        self.modules: dict[str, types.ModuleType] = {}
        self.builders: dict[str, Callable[[], types.ModuleType]] = {
            "socket": lambda: socket_module(program), "select": lambda: select_module(program),
            "time": lambda: time_module(program), "threading": lambda: threading_module(program),
            "sys": lambda: sys_module(program, argv), "os": lambda: os_module(program),
        }
        for name in FROM_STDLIB:
            self.builders[name] = lambda name=name: self.from_stdlib(name)
        self.builders.update({"concurrent": lambda: concurrent_package(self),
                              "concurrent.futures": lambda: futures_module(self), "_queue": _no_c_queue})
        self.builtins = dict(vars(builtins))
        self.builtins.update(__import__=self.import_, print=self.print_, input=self.input_)
        program.modules = self  # type: ignore[attr-defined]

    def __getitem__(self, name: str) -> types.ModuleType:
        module = self.modules.get(name)
        if module is None:
            module = self.modules[name] = self.builders[name]()
        return module

    def import_(self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if level == 0:
            top = name.partition(".")[0]
            if name != top and name in self.builders:  # a simulated submodule (concurrent.futures)
                return self[name] if fromlist else self[top]
            if top in self.builders:
                module = self[top]
                if name == top or not fromlist:
                    return module
            elif top in UNSUPPORTED:
                return _Unavailable(name, self.program.node)
            elif name == top and self.home is not None and (self.home / f"{name}.py").is_file():
                module = self.modules.get(name)
                return module if module is not None else self.load(name, str(self.home / f"{name}.py"))
        return builtins.__import__(name, globals, locals, fromlist, level)

    def from_stdlib(self, name: str) -> types.ModuleType:
        """The standard library's `name`, executed with this overlay for its imports."""
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        return self.load(name, spec.origin)

    def load(self, name: str, path: str) -> types.ModuleType:
        """Execute the source file `path` as module `name` of this program (its imports through the overlay)."""
        module = types.ModuleType(name)
        module.__file__ = path
        module.__dict__["__builtins__"] = self.builtins
        self.modules[name] = module
        with open(path, encoding="utf-8") as source:
            code = compile(source.read(), path, "exec")
        exec(code, module.__dict__)  # noqa: S102 - the program's (or the standard library's) code
        return module

    def print_(self, *values: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None,
               flush: bool = False) -> None:
        builtins.print(*values, sep=sep, end=end, file=self.program.stdout if file is None else file)

    def input_(self, prompt: Any = "") -> str:
        if prompt:
            self.program.stdout.write(str(prompt))
        line = self.program.stdin.readline()
        if not line:
            raise EOFError("EOF when reading a line")
        return line[:-1] if line.endswith("\n") else line

    def namespace(self, path: str) -> dict[str, Any]:
        """Globals for a program file run as __main__."""
        return {"__name__": "__main__", "__file__": path, "__builtins__": self.builtins, "__doc__": None,
                "__package__": None, "__spec__": None}

    def rebind(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` with its module-level names of socket, time, ... pointing at the simulated ones."""
        scope = dict(function.__globals__)
        for name, value in function.__globals__.items():
            if isinstance(value, types.ModuleType) and value.__name__ in self.builders:
                scope[name] = self[value.__name__]
            elif getattr(value, "__module__", None) in ("socket", "_socket", "time", "select", "threading") \
                    and hasattr(self[_module_of(value)], getattr(value, "__name__", "")):
                scope[name] = getattr(self[_module_of(value)], value.__name__)
        scope["__builtins__"] = self.builtins
        rebound = types.FunctionType(function.__code__, scope, function.__name__, function.__defaults__,
                                     function.__closure__)
        rebound.__kwdefaults__ = function.__kwdefaults__
        return rebound


def _module_of(value: Any) -> str:
    return {"_socket": "socket"}.get(value.__module__, value.__module__)
