"""The module overlay of a program on a simulated host: what each module name means inside it.

Every import goes through the program's own import system (`_imports.ProgramImports`: its
sys.modules, sys.path, __import__ and importlib), and there a name is one of:

- simulated (`Overlay.builders`): `socket` and `_socket`, `select`, `time`, `threading` and
  `_thread`, `sys`, `os` and `posix`, `_signal`, `builtins`, `importlib` — the host's versions;
- unsupported (`UNSUPPORTED`): subprocess, multiprocessing, pty, ssl, ctypes, ... import,
  and their constants and exception classes are the real ones, but anything that would act
  raises UnsupportedInSimulation naming the call and the host;
- hidden (`HIDDEN`): C accelerators whose pure-Python fallback the standard library then
  uses over the overlay: `_queue` and `_asyncio` (their blocking would stop the whole
  simulation), `_warnings` (its warnings would print on lanlab's stderr, not the program's);
- anything else: the standard library's (or the program's own) source executed afresh for
  this program, so http.client, urllib, ftplib, smtplib, socketserver, selectors, queue,
  logging, asyncio... sit on the simulated socket, select, threading and time.

A simulated module has the real module's surface: a name it does not provide but the real
module has raises UnsupportedInSimulation (PEP 562 `__getattr__`; an AttributeError as well, so
`hasattr` feature tests still say no).
"""

from __future__ import annotations

import _random as _real_random
import builtins
import contextlib
import errno
import importlib
import importlib.machinery
import functools
import importlib.util
import inspect
import operator
import os as _real_os
import posix as _real_posix
import re
import signal as _real_signal
import stat
import struct
import sys as _real_sys
import threading as _real_threading
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._clock import EPOCH, datetime_module, time_module
from lanlab.sim.shim._imports import Hidden, ProgramImports, SentModule
from lanlab.sim.shim._interpreter import (
    ProgramCollector,
    breakpoint_calls,
    compile_call,
    display_hook,
    faulthandler_module,
    locale_module,
    sys_calls,
)
from lanlab.sim.shim._process import UnsupportedInSimulation
from lanlab.sim.shim._proxy import Proxy
from lanlab.sim.shim._select import ready_now, select_module
from lanlab.sim.shim._socket import socket_module
from lanlab.sim.shim._streams import is_stream, scatter_read, stream_call
from lanlab.sim.shim._threading import threading_module

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

UNSUPPORTED = frozenset(
    {
        "subprocess",
        "_posixsubprocess",
        "multiprocessing",
        "_multiprocessing",
        "_posixshmem",
        "pty",
        "ssl",
        "_ssl",
        "ctypes",
        "_ctypes",
        "_imp",
        "_frozen_importlib",
        "_frozen_importlib_external",
        "importlib._bootstrap",
        "importlib._bootstrap_external",
        "resource",
        "_lsprof",  # cProfile: its profiler is the real thread's, so it profiled lanlab's engine and every program
    }
)
HIDDEN = frozenset({"_queue", "_asyncio", "_warnings"})
# os/posix functions that start, replace, wait for or signal real processes, or switch namespaces.
OS_UNSUPPORTED = re.compile(
    r"(exec|spawn|posix_spawn|fork|wait|kill|system$|popen$|abort$|setns$|unshare$"
    r"|pidfd_|plock$|dup$|dup2$)"  # dup2(fd, 1) would redirect lanlab's own standard output
)
# Calls that would need a signal delivered (nothing on a simulated host sends one) or touch lanlab's own.
SIGNAL_UNSUPPORTED = (
    "alarm",
    "setitimer",
    "pause",
    "pthread_kill",
    "pthread_sigmask",
    "sigwait",
    "sigwaitinfo",
    "sigtimedwait",
    "raise_signal",
)


class UnsupportedName(UnsupportedInSimulation, AttributeError):
    """A name the real module has and the simulated one cannot provide. Printed as
    UnsupportedInSimulation; an AttributeError too, so the feature tests the standard library
    makes (`hasattr(select, "poll")`, getattr with a default) still answer "no"."""

    __qualname__ = "UnsupportedInSimulation"
    __module__ = "builtins"


UnsupportedName.__name__ = "UnsupportedInSimulation"


def _unavailable_message(call: str, host: str) -> str:
    return f"{call} is not available to a program on simulated host {host}"


def _is_data(value: Any) -> bool:
    """Constants and exception classes of an unsupported module are harmless and often read at
    import time by modules that only sometimes need it (asyncio reads subprocess.PIPE)."""
    return isinstance(value, (int, str, bytes, float, tuple, frozenset)) or (
        isinstance(value, type) and issubclass(value, BaseException)
    )


# ssl: building and configuring a context is harmless (urllib.request builds one for every opener
# since Python 3.12, https or not); the TLS handshake is what a simulated host cannot do.
SSL_CONTEXT_MAKERS = frozenset(
    {"SSLContext", "create_default_context", "_create_default_https_context", "_create_unverified_context"}
)


class InertSslContext:
    """An ssl.SSLContext a program may make and configure; wrapping a socket with it is unsupported."""

    def __init__(self, message: str) -> None:
        self._message = message

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return lambda *args, **kwargs: None  # load_default_certs, set_alpn_protocols, set_ciphers, ...

    def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:
        raise UnsupportedInSimulation(self._message)

    wrap_bio = wrap_socket


class Unavailable(types.ModuleType):
    """An unsupported module. Its data (constants, exception classes) is the real module's, as
    modules that only sometimes need it read them at import time (asyncio reads subprocess.PIPE,
    ftplib ssl.SSLSocket); calling a function or making an object of a class fails, naming it."""

    def __init__(self, name: str, host: str) -> None:
        super().__init__(name)
        self._host = host
        self.__path__: list[str] = []  # a package, so `import multiprocessing.pool` reaches here too

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        name = f"{self.__name__}.{attribute}"
        try:
            real = getattr(importlib.import_module(self.__name__), attribute)
        except Exception:  # noqa: BLE001 - no real module or attribute: the call is still unavailable
            real = None
        if _is_data(real):
            return real
        message = _unavailable_message(name, self._host)
        if self.__name__ == "ssl" and attribute in SSL_CONTEXT_MAKERS:
            handshake = _unavailable_message("an ssl handshake", self._host)
            value: Any = lambda *args, **kwargs: InertSslContext(handshake)  # noqa: E731
            setattr(self, attribute, value)
            return value
        if isinstance(real, types.ModuleType):
            value = Unavailable(name, self._host)
        elif isinstance(real, type):

            def refuse(cls: type, *args: Any, **kwargs: Any) -> Any:
                raise UnsupportedInSimulation(message)

            value = type(attribute, (), {"__new__": refuse, "__module__": self.__name__})
        elif callable(real):

            def call(*args: Any, **kwargs: Any) -> Any:
                raise UnsupportedInSimulation(message)

            call.__name__ = attribute
            value = call
        else:
            raise UnsupportedName(message)
        setattr(self, attribute, value)
        return value


def unsupported_call(name: str, host: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise UnsupportedInSimulation(_unavailable_message(f"{name}()", host))

    call.__name__ = name.rpartition(".")[2]
    return call


def real_surface(module: types.ModuleType, real: types.ModuleType, host: str) -> types.ModuleType:
    """Make `module` answer every name `real` has: missing ones raise UnsupportedInSimulation."""

    def missing(attribute: str) -> Any:
        if not attribute.startswith("__") and hasattr(real, attribute):
            raise UnsupportedName(_unavailable_message(f"{module.__name__}.{attribute}", host))
        # name and obj, as the interpreter sets them: a traceback then says "Did you mean: 'SO_REUSEADDR'?"
        raise AttributeError(f"module {module.__name__!r} has no attribute {attribute!r}", name=attribute, obj=module)

    if type(module) is types.ModuleType and "__getattr__" not in module.__dict__:
        module.__dict__["__getattr__"] = missing  # PEP 562
    return module


class PrivateClosed(Proxy):
    """A real module whose private names (a way around the door: importlib._bootstrap) fail."""

    def __init__(self, real: types.ModuleType, replaced: dict[str, Any], host: str) -> None:
        super().__init__(real, replaced)
        self._host = host

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_") and not attribute.startswith("__"):
            raise UnsupportedName(_unavailable_message(f"{self.__name__}.{attribute}", self._host))
        return getattr(self._real, attribute)


def _no_function_but_none(name: str, host: str) -> Callable[[Any], None]:
    """sys.settrace and sys.setprofile: None (the program's, as gettrace answers: doctest sets back what it read)
    changes nothing; a function is unsupported."""
    refuse = unsupported_call(name, host)

    def call(function: Any, /) -> None:
        if function is not None:
            refuse(function)

    call.__name__ = name.rpartition(".")[2]
    return call


def untraced(threading: types.ModuleType, host: str) -> types.ModuleType:
    """threading's settrace and setprofile as sys's: a function for the threads to come is unsupported (each new
    thread would set it as the real thread's, tracing lanlab's engine), None changes nothing."""
    for name in ("settrace", "setprofile", "settrace_all_threads", "setprofile_all_threads"):
        if hasattr(_real_threading, name):
            setattr(threading, name, _no_function_but_none(f"threading.{name}", host))
            if name in _real_threading.__all__ and name not in threading.__all__:
                threading.__all__.append(name)
    return threading


def sys_module(program: Program, argv: list[str], imports: ProgramImports) -> types.ModuleType:
    shown = display_hook(program, imports.builtins)
    _, breakpointhook = breakpoint_calls(program, imports)
    program.sys = Proxy(
        _real_sys,
        {
            "excepthook": program.print_traceback,
            "__excepthook__": program.print_traceback,
            "argv": argv,
            "stdin": program.stdin,
            "stdout": program.stdout,
            "stderr": program.stderr,
            "__stdin__": program.stdin,
            "__stdout__": program.stdout,
            "__stderr__": program.stderr,
            "displayhook": shown,  # its own, onto its sys.stdout (the real one wrote to lanlab's)
            "__displayhook__": shown,
            "breakpointhook": breakpointhook,  # its own, PYTHONBREAKPOINT from its environment, its pdb
            "__breakpointhook__": breakpointhook,
            "modules": imports.modules,
            "path": imports.path,
            # a hook is the whole process's for good: it would see (and could stop) lanlab's and every program's
            # events, and the shim raises none of the program's own
            "addaudithook": unsupported_call("sys.addaudithook", program.node),
            **sys_calls(program),  # its own recursion limit, ... (_interpreter)
            # a trace or profile function is the real thread's: it traced lanlab's engine and every program
            **{
                name: _no_function_but_none(f"sys.{name}", program.node)
                for name in ("settrace", "setprofile", "_settraceallthreads", "_setprofileallthreads")
                if hasattr(_real_sys, name)
            },
            "gettrace": lambda: None,
            "getprofile": lambda: None,
            **({"monitoring": Unavailable("sys.monitoring", program.node)} if hasattr(_real_sys, "monitoring") else {}),
        },
    )
    return program.sys


def atexit_module(program: Program) -> types.ModuleType:
    """`atexit` for a program: its functions run when it ends normally (not after os._exit), the last
    registered first, after its other threads have ended, as Python runs them at interpreter exit."""
    module = types.ModuleType("atexit", "Register functions to run when the program ends (simulated host).")
    calls = program.exit_functions

    def register(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        if not callable(function):
            raise TypeError("the first argument must be callable")
        calls.append((function, args, kwargs))
        return function

    def unregister(function: Callable[..., Any], /) -> None:
        calls[:] = [call for call in calls if call[0] != function]

    def run_exitfuncs() -> None:
        while calls:
            function, args, kwargs = calls.pop()
            function(*args, **kwargs)

    module.__dict__.update(
        register=register,
        unregister=unregister,
        _run_exitfuncs=run_exitfuncs,
        _clear=calls.clear,
        _ncallbacks=calls.__len__,
    )
    return module


class DescriptorCalls:
    """os's calls on a descriptor number, for one program: 0, 1 and 2 are its own stdin and stdout,
    never lanlab's (os.write(1, ...) went straight to lanlab's standard output, past the capture and
    into a --json document; os.close(0) closed lanlab's stdin); a simulated socket's number is that
    socket; any other number is a file the program opened, the real call."""

    def __init__(self, program: Program, real: types.ModuleType) -> None:
        self.program = program
        self.real = real

    def write(self, fd: int, data: Any) -> int:
        if fd in (1, 2):
            return self.program.stdout.buffer.write(data)  # type: ignore[no-any-return]
        sock = self.program.socket_at(fd)
        if sock is not None:
            return sock.send(data)  # type: ignore[no-any-return]
        if fd == 0:
            raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
        if self._waits(fd) and stat.S_ISFIFO(self.real.fstat(fd).st_mode):
            return self._write_to_pipe(fd, data)
        return self.real.write(fd, data)  # type: ignore[no-any-return]

    def _write_to_pipe(self, fd: int, data: Any) -> int:
        """A blocking write to a pipe: all of `data`, a part at a time as there is room, waiting in virtual
        time between (the kernel would block every program of the run, the reading thread included)."""
        view, total = memoryview(data).cast("B"), 0
        self.real.set_blocking(fd, False)
        try:
            while True:
                try:
                    total += self.real.write(fd, view[total:])
                    self.program.shim.poke()  # a thread of the program may wait to read it, or select it
                except BlockingIOError:
                    pass
                if total >= len(view):
                    return total
                self.program.wait(lambda: ready_now(fd, writing=True))
        finally:
            self.real.set_blocking(fd, True)

    def read(self, fd: int, length: int) -> bytes:
        if fd == 0:
            return self.program.stdin.buffer.read(length)  # type: ignore[no-any-return]
        sock = self.program.socket_at(fd)
        if sock is not None:
            return sock.recv(length)  # type: ignore[no-any-return]
        if fd in (1, 2):
            raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
        if self._waits(fd):
            # a pipe the program's own threads fill: wait in virtual time for something to read (blocking in
            # the kernel would stop every program of the run, the writing thread included); a file is ready
            self.program.wait(lambda: ready_now(fd))
        data: bytes = self.real.read(fd, length)
        self.program.shim.poke()  # room in a full pipe, for a thread waiting to write
        return data

    def _waits(self, fd: int) -> bool:
        """Whether a call on `fd` waits in virtual time: a blocking descriptor of the program's own."""
        return self.program.holds_file(fd) and bool(self.real.get_blocking(fd))

    def close(self, fd: int) -> None:
        if fd in (0, 1, 2):
            return  # its own standard streams: they end with it
        held = self.program.descriptors.get(fd)  # a socket or an epoll of the program's
        if held is not None:
            held.close()
            return
        if not self.program.holds_file(fd):  # not the program's: never lanlab's own descriptor of that number
            raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
        self.real.close(fd)

    def isatty(self, fd: int) -> bool:
        return False if fd in (0, 1, 2) or self.program.socket_at(fd) is not None else bool(self.real.isatty(fd))

    def set_blocking(self, fd: int, blocking: bool) -> None:
        sock = self.program.socket_at(fd)
        if sock is not None:
            sock.setblocking(blocking)
        elif fd not in (0, 1, 2):
            self.real.set_blocking(fd, blocking)

    def get_blocking(self, fd: int) -> bool:
        sock = self.program.socket_at(fd)
        if sock is not None:
            return bool(sock.getblocking())
        return True if fd in (0, 1, 2) else bool(self.real.get_blocking(fd))

    def pipe(self) -> tuple[int, int]:
        """A real pipe whose two numbers are the program's (not its sockets')."""
        read_end, write_end = self.real.pipe()
        read_end = self.program.own_descriptor(read_end)
        return read_end, self.program.own_descriptor(write_end, above=read_end + 1)

    def closerange(self, low: int, high: int, /) -> None:
        """os.closerange: the program's own descriptors in [low, high), its sockets too; never lanlab's (a
        daemon's closerange(3, 1024) closed lanlab's capture file and ended the run with a traceback)."""
        for fd in sorted({*self.program.descriptors.keys(), *self.program.files_open}):
            if max(low, 3) <= fd < high:
                with contextlib.suppress(OSError):
                    self.close(fd)

    def _guarded(self, name: str, positions: tuple[int, ...]) -> Callable[..., Any]:
        """os.`name`, whose arguments at `positions` are descriptors: the real call on the program's own files;
        on 0-2 what Linux does on the pipes they are (_streams.STREAM_CALLS); on a simulated socket what Linux
        does on a socket (SOCKET_CALLS); on any other number EBADF, as for a descriptor the process does not
        have (the real call would reach whatever lanlab itself has open under that number: its terminal, its
        capture file, its output)."""
        real = getattr(self.real, name)
        signature = _signature(real)

        @functools.wraps(real)
        def call(*args: Any, **kwargs: Any) -> Any:
            if kwargs and signature is not None:  # os.fstat(fd=1): the descriptor named is one too
                try:
                    bound = signature.bind(*args, **kwargs)
                except TypeError:
                    return real(*args, **kwargs)  # the real call says what is wrong
                args, kwargs = bound.args, bound.kwargs
            if not args and name == "get_terminal_size":
                args = (1,)  # its default, STDOUT_FILENO
            for position in positions:
                if position >= len(args) or not isinstance(args[position], int):
                    continue  # missing or not a number: the real call says what is wrong
                fd = args[position]
                if self.program.holds_file(fd):
                    continue
                if is_stream(fd):
                    return stream_call(self.program, name, fd, position, *args)
                sock = self.program.socket_at(fd)
                if sock is None:
                    raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
                return SOCKET_CALLS[name](self, sock, position, *args)
            return real(*args, **kwargs)

        return call

    def calls(self) -> dict[str, Callable[..., Any]]:
        found = {
            name: getattr(self, name)
            for name in ("write", "read", "close", "isatty", "set_blocking", "get_blocking", "pipe", "closerange")
            if hasattr(self.real, name)
        }
        for name, positions in FD_CALLS.items():
            if hasattr(self.real, name):
                found[name] = self._guarded(name, positions)
        return found


@functools.cache
def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    """`function`'s parameters, as its text signature gives them (None where it has none)."""
    try:
        return inspect.signature(function)
    except ValueError:
        return None


def _socket_stat(calls: DescriptorCalls, sock: Any, position: int, *args: Any) -> _real_os.stat_result:
    """fstat of a socket: sockfs's inode, S_IFSOCK with every permission, owned by the process, empty."""
    fields = (stat.S_IFSOCK | 0o777, 1000 + sock.fileno(), 8, 1, _real_os.getuid(), _real_os.getgid(), 0, 0, 0, 0)
    named = {f"st_{kind}time{unit}": 0 for kind in "amc" for unit in ("", "_ns")}
    return _real_os.stat_result(fields, {**named, "st_blksize": 4096, "st_blocks": 0, "st_rdev": 0})


def _errno(code: int) -> Callable[..., Any]:
    def fail(*args: Any) -> Any:
        raise OSError(code, _real_os.strerror(code))

    return fail


def _socket_sendfile(calls: DescriptorCalls, sock: Any, position: int, *args: Any) -> int:
    """os.sendfile(socket, file, offset, count): the file's bytes sent on the socket (EINVAL from a socket)."""
    if position != 0 or len(args) < 4:
        raise OSError(errno.EINVAL, _real_os.strerror(errno.EINVAL))
    _, source, offset, count = args[:4]
    if not calls.program.holds_file(source):
        raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
    data = calls.real.read(source, count) if offset is None else calls.real.pread(source, count, offset)
    return sock.send(data) if data else 0  # type: ignore[no-any-return]


def _socket_writev(calls: DescriptorCalls, sock: Any, position: int, *args: Any) -> int:
    return sock.send(b"".join(bytes(memoryview(b).cast("B")) for b in args[1]))  # type: ignore[no-any-return]


def _socket_readv(calls: DescriptorCalls, sock: Any, position: int, *args: Any) -> int:
    return scatter_read(sock.recv, args[1])


def _socket_inheritable(calls: DescriptorCalls, sock: Any, position: int, *args: Any) -> Any:
    return sock.get_inheritable() if len(args) == 1 else sock.set_inheritable(args[1])


# os calls that take descriptors, and where (0: the first argument); each one's answer on a simulated socket
FD_CALLS: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(
        ("fstat", "fsync", "fdatasync", "ftruncate", "lseek", "pread", "pwrite", "readv", "writev", "preadv"),
        (0,),
    ),
    **dict.fromkeys(("pwritev", "fchmod", "fchown", "fchdir", "fstatvfs", "fpathconf", "get_inheritable"), (0,)),
    **dict.fromkeys(("set_inheritable", "device_encoding", "ttyname", "lockf", "posix_fallocate"), (0,)),
    **dict.fromkeys(("posix_fadvise", "tcgetpgrp", "tcsetpgrp", "get_terminal_size"), (0,)),
    **dict.fromkeys(("sendfile", "copy_file_range", "splice"), (0, 1)),
}
SOCKET_CALLS: dict[str, Callable[..., Any]] = {
    "fstat": _socket_stat,
    "sendfile": _socket_sendfile,
    "writev": _socket_writev,
    "readv": _socket_readv,
    "get_inheritable": _socket_inheritable,
    "set_inheritable": _socket_inheritable,
    "fchmod": lambda *args: None,  # a socket's inode takes a mode and an owner, as Linux's sockfs does
    "fchown": lambda *args: None,
    "device_encoding": lambda *args: None,
    **dict.fromkeys(("fsync", "fdatasync", "ftruncate", "lockf", "fstatvfs", "fpathconf"), _errno(errno.EINVAL)),
    **dict.fromkeys(("copy_file_range", "splice"), _errno(errno.EINVAL)),
    **dict.fromkeys(("lseek", "pread", "pwrite", "preadv", "pwritev", "posix_fallocate"), _errno(errno.ESPIPE)),
    "posix_fadvise": _errno(errno.ESPIPE),
    **dict.fromkeys(("ttyname", "tcgetpgrp", "tcsetpgrp", "get_terminal_size"), _errno(errno.ENOTTY)),
    "fchdir": _errno(errno.ENOTDIR),
}


def os_module(program: Program, real: types.ModuleType = _real_os) -> types.ModuleType:
    replaced: dict[str, Any] = {
        name: unsupported_call(f"{real.__name__}.{name}", program.node)
        for name in dir(real)
        if OS_UNSUPPORTED.match(name)
    }

    def _exit(status: int) -> None:
        program.terminate(int(status))

    def uname() -> Any:
        """The machine's kernel and architecture, with the simulated host's name as its node name
        (what socket.gethostname() says; platform.node() and platform.uname() read this)."""
        sysname, _, release, version, machine = _real_os.uname()
        return type(_real_os.uname())((sysname, program.node, release, version, machine))

    def urandom(size: int) -> bytes:
        """Bytes from the run's seed, not the kernel: secrets, uuid4, tempfile's names and an unseeded
        random are the same in every run with the same seed."""
        if size < 0:
            raise ValueError("negative argument not allowed")
        return program.entropy.randbytes(size)  # type: ignore[attr-defined, no-any-return]

    def getrandom(size: int, flags: int = 0) -> bytes:
        return urandom(size)

    # A program cannot fork, so what would run after a fork never runs (random.py registers a reseed).
    replaced.update(DescriptorCalls(program, real).calls())
    environment = program.environment  # its own copy of the environment (_environ)
    replaced.update(environment.calls if real is _real_os else environment.posix_calls())
    replaced.update(
        urandom=urandom,
        getrandom=getrandom,
        getpid=lambda: program.pid,
        uname=uname,
        _exit=_exit,  # type: ignore[attr-defined]
        register_at_fork=lambda **hooks: None,
    )
    return Proxy(real, replaced)


def _fcntl_overlay(program: Program) -> types.ModuleType:
    """fcntl on the program's descriptors; imported here, as POSIX alone has fcntl and termios."""
    from lanlab.sim.shim._fcntl import fcntl_module

    return fcntl_module(program)


def _termios_overlay(program: Program) -> types.ModuleType:
    """termios on the program's descriptors (0-2 no terminal); imported here, as POSIX alone has it."""
    from lanlab.sim.shim._fcntl import termios_module

    return termios_module(program)


def random_module(program: Program) -> types.ModuleType:
    """_random, whose generators seeded with nothing (random.py's own instance, `random.Random()`) take
    their seed from the program's os.urandom, so from the run's seed, not from the kernel."""

    class Random(_real_random.Random):
        __doc__ = _real_random.Random.__doc__

        def seed(self, n: Any = None) -> None:
            super().seed(int.from_bytes(program.entropy.randbytes(32)) if n is None else n)  # type: ignore[attr-defined]

    Random.__module__ = "_random"
    return Proxy(_real_random, {"Random": Random})


class SignalDispositions:
    """A program's signal handlers, its own (lanlab's are the process's). Nothing on a simulated
    host can send a signal (os.kill is unsupported), so a handler is recorded and never called:
    asyncio.run and servers that catch SIGINT/SIGTERM run unchanged."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.handlers: dict[int, Any] = {
            real.SIGINT: real.default_int_handler,
            real.SIGPIPE: real.SIG_IGN,
            real.SIGXFSZ: real.SIG_IGN,
        }  # as CPython sets them at startup
        self.wakeup_fd = -1
        self.interrupting: dict[int, bool] = {}

    def _settable(self, signalnum: Any) -> int:
        """The signal a call sets the action of: ValueError outside 1..NSIG-1, as CPython checks; EINVAL, as
        sigaction answers, for SIGKILL, SIGSTOP and the two real-time signals glibc keeps (32 and 33)."""
        signalnum = int(signalnum)
        if not 1 <= signalnum < self.real.NSIG:
            raise ValueError("signal number out of range")
        if signalnum not in self.real.valid_signals() or signalnum in (self.real.SIGKILL, self.real.SIGSTOP):
            raise OSError(errno.EINVAL, _real_os.strerror(errno.EINVAL))
        return signalnum

    def signal(self, signalnum: int, handler: Any) -> Any:
        signalnum = self._settable(signalnum)
        if not callable(handler) and handler not in (self.real.SIG_DFL, self.real.SIG_IGN):
            raise TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object")
        previous = self.getsignal(signalnum)
        self.handlers[signalnum] = handler
        return previous

    def getsignal(self, signalnum: int) -> Any:
        return self.handlers.get(int(signalnum), self.real.SIG_DFL)

    def siginterrupt(self, signalnum: int, flag: int) -> None:
        """Whether the signal interrupts a system call (SA_RESTART off): recorded, as a handler is; no signal
        comes. asyncio's loop.add_signal_handler calls it."""
        signalnum = self._settable(signalnum)
        self.interrupting[signalnum] = bool(operator.index(flag))

    def set_wakeup_fd(self, fd: int, *, warn_on_full_buffer: bool = True) -> int:
        previous, self.wakeup_fd = self.wakeup_fd, fd
        return previous

    def interrupt_main(self, program: Program, signalnum: int = _real_signal.SIGINT) -> None:
        """_thread.interrupt_main: the signal as if it arrived (PyErr_SetInterruptEx), nothing when its handler is
        SIG_DFL or SIG_IGN; else a byte on the wakeup fd (asyncio's self-pipe: its add_signal_handler callbacks
        run) and the handler called in the main thread when it next runs (at once when that is the caller)."""
        signalnum = operator.index(signalnum)
        if not 1 <= signalnum < self.real.NSIG:
            raise ValueError("signal number out of range")
        if self.getsignal(signalnum) in (self.real.SIG_DFL, self.real.SIG_IGN):
            return
        if self.wakeup_fd >= 0:
            sock = program.socket_at(self.wakeup_fd)
            try:  # trip_signal writes the number as one byte and ignores a full or closed descriptor
                if sock is not None:
                    sock.send(bytes([signalnum & 0xFF]))
                elif program.holds_file(self.wakeup_fd):
                    _real_os.write(self.wakeup_fd, bytes([signalnum & 0xFF]))
            except OSError:
                pass
        program.handle_signal = self.handle
        program.pending_signals.append(signalnum)
        program.signals_arrive()

    def handle(self, signalnum: int) -> None:
        """Call the program's handler for `signalnum` with the frame its main thread is in (lanlab's left out)."""
        handler = self.getsignal(signalnum)
        if not callable(handler):
            return
        frame = _real_sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith("lanlab."):
            frame = frame.f_back
        handler(signalnum, frame)


def signal_dispositions(program: Program) -> SignalDispositions:
    """The program's signal handlers, one table whether `signal` or `_thread` asks first."""
    if program.signal_dispositions is None:
        program.signal_dispositions = SignalDispositions(_real_sys.modules["_signal"])
    return program.signal_dispositions  # type: ignore[no-any-return]


def signal_module(program: Program) -> types.ModuleType:
    """`_signal` (signal.py runs afresh over it): handlers are the program's own, never called;
    timers and waits for a signal are unsupported."""
    real = _real_sys.modules["_signal"]
    dispositions = signal_dispositions(program)
    replaced: dict[str, Any] = {
        name: unsupported_call(f"signal.{name}", program.node) for name in SIGNAL_UNSUPPORTED if hasattr(real, name)
    }
    replaced.update(
        signal=dispositions.signal,
        getsignal=dispositions.getsignal,
        set_wakeup_fd=dispositions.set_wakeup_fd,
        siginterrupt=dispositions.siginterrupt,
    )
    replaced["__all__"] = [name for name in dir(real) if not name.startswith("_")]  # for signal.py's import *
    return Proxy(real, replaced)


UUID_EPOCH = 0x01B21DD213814000  # 1582-10-15 (the Gregorian reform) to 1970-01-01, in 100 ns


def uuid_module(program: Program) -> types.ModuleType:
    """`_uuid` (uuid.py runs afresh over it): uuid1() and getnode() as libuuid makes them on the simulated host,
    the real `_uuid` would read the machine's clock and network card. The time is the host's virtual clock (each
    one later than the last, as libuuid keeps them), the node the MAC of the host's first interface (libuuid's
    get_node_id: the first one with a non-zero address), the clock sequence drawn from the run's seed."""
    seq = program.entropy.getrandbits(14)  # type: ignore[attr-defined]
    last = [0]

    def node() -> int:
        for nic in getattr(program.host, "nics", ()):
            mac = int.from_bytes(bytes(nic.mac), "big")
            if mac:
                return mac
        return program.entropy.getrandbits(48) | 1 << 40  # type: ignore[attr-defined, no-any-return]  # multicast bit

    def generate_time_safe() -> tuple[bytes, int]:
        ticks = max((EPOCH * 10**9 + program.charge()) // 100 + UUID_EPOCH, last[0] + 1)
        last[0] = ticks
        fields = (ticks & 0xFFFFFFFF, ticks >> 32 & 0xFFFF, ticks >> 48 & 0x0FFF | 0x1000, seq >> 8 | 0x80, seq & 0xFF)
        # -1: not known to be unique across processes (no uuidd), what libuuid says without its daemon
        return struct.pack(">IHHBB", *fields) + node().to_bytes(6, "big"), -1

    module = types.ModuleType("_uuid", "Simulated libuuid (lanlab).")
    module.__dict__.update(generate_time_safe=generate_time_safe, has_uuid_generate_time_safe=1)
    return module


def thread_module(threading: Any, program: Program) -> types.ModuleType:
    """`_thread` on the simulated threading: its threads are greenlets, its locks park in virtual time;
    interrupt_main is a signal for the main thread, as CPython's."""
    module = types.ModuleType("_thread", "Simulated low-level threads (lanlab).")

    def interrupt_main(signum: int = _real_signal.SIGINT) -> None:
        signal_dispositions(program).interrupt_main(program, signum)

    def exit() -> None:  # noqa: A001 - _thread's name
        raise SystemExit

    def start_new_thread(function: Callable[..., Any], args: tuple[Any, ...], kwargs: Any = None) -> int:
        thread = threading.Thread(target=function, args=args, kwargs=kwargs or {}, daemon=True)
        thread.start()
        return thread.ident  # type: ignore[no-any-return]

    module.__dict__.update(
        start_new_thread=start_new_thread,
        start_new=start_new_thread,
        allocate_lock=threading.Lock,
        allocate=threading.Lock,
        LockType=threading.Lock,
        RLock=threading.RLock,
        get_ident=threading.get_ident,
        get_native_id=threading.get_ident,
        error=RuntimeError,
        TIMEOUT_MAX=threading.TIMEOUT_MAX,
        stack_size=threading.stack_size,
        _local=threading.local,
        _count=lambda: threading.active_count() - 1,
        interrupt_main=interrupt_main,
        exit=exit,
        exit_thread=exit,
    )
    return module


def importlib_module(imports: ProgramImports, host: str) -> types.ModuleType:
    """The program's importlib: import_module, reload, __import__ and the loaders go through its door."""
    machinery = importlib.machinery

    real_loaders = (machinery.ExtensionFileLoader, machinery.BuiltinImporter)

    def door(base: type) -> type:
        """`base` whose modules import through the door; C modules the door replaces are replaced."""
        cls: type  # the subclass made below, for super() in its methods

        def create_module(self_or_cls: Any, spec: Any) -> Any:
            special = imports.special_for(spec) if base in real_loaders else None
            return special if special is not None else super(cls, self_or_cls).create_module(spec)

        def exec_module(self_or_cls: Any, module: types.ModuleType) -> None:
            if base in real_loaders:
                if imports.modules.get(module.__name__) is not module and not isinstance(module, Proxy):
                    super(cls, self_or_cls).exec_module(module)
                return
            module.__dict__["__builtins__"] = imports.builtins  # its imports then come through the door
            super(cls, self_or_cls).exec_module(module)

        def load_module(self_or_cls: Any, fullname: str | None = None) -> types.ModuleType:
            return imports.load(fullname or self_or_cls.name)

        wrap: Callable[[Any], Any] = (
            classmethod if isinstance(base.__dict__.get("exec_module"), (classmethod, staticmethod)) else (lambda f: f)
        )
        cls = type(
            base.__name__,
            (base,),
            {
                "create_module": wrap(create_module),
                "exec_module": wrap(exec_module),
                "load_module": wrap(load_module),
                "__module__": base.__module__,
            },
        )
        return cls

    loaders = {
        cls.__name__: door(cls)
        for cls in (
            machinery.SourceFileLoader,
            machinery.SourcelessFileLoader,
            machinery.ExtensionFileLoader,
            machinery.BuiltinImporter,
            machinery.FrozenImporter,
        )
    }
    util = PrivateClosed(
        importlib.util, {"module_from_spec": imports.module_from_spec, "find_spec": imports.spec_of}, host
    )
    module = PrivateClosed(
        importlib,
        {
            "import_module": imports.import_module,
            "reload": imports.reload,
            "__import__": imports.import_,
            "util": util,
            "machinery": PrivateClosed(machinery, loaders, host),
        },
        host,
    )
    imports.modules["importlib.util"] = util
    imports.modules["importlib.machinery"] = module.machinery
    return module


class Overlay:
    """One program's modules and builtins."""

    def __init__(
        self, program: Program, argv: list[str], home: Path | None = None, sent: Iterable[SentModule] = ()
    ) -> None:
        self.program = program
        self.argv = argv
        self.home = home  # the program's directory: its own modules import from there, as sys.path[0]
        self.builtins_module = types.ModuleType("builtins", builtins.__doc__)
        self.builtins_module.__dict__.update(vars(builtins))
        # One dict for both: `builtins.print = f` in the program changes its own print only.
        self.builtins: dict[str, Any] = self.builtins_module.__dict__
        path = [str(home)] if home is not None else []
        self.imports = ProgramImports(self.builtins, self.special, [*path, *_real_sys.path[1:]], sent)
        self.modules = self.imports.modules
        host = program.node

        def socket() -> types.ModuleType:
            module = socket_module(program)
            module.close = DescriptorCalls(program, _real_os).close  # type: ignore[attr-defined]  # socket.close(fd)
            module.__all__.append("close")
            return real_surface(module, _real_sys.modules["socket"], host)

        self.builders: dict[str, Callable[[], types.ModuleType]] = {
            "socket": socket,
            "_socket": lambda: self["socket"],
            "select": lambda: real_surface(select_module(program), _real_sys.modules["select"], host),
            "time": lambda: time_module(program),
            "threading": lambda: real_surface(
                untraced(threading_module(program), host), _real_sys.modules["threading"], host
            ),
            "_thread": lambda: real_surface(
                thread_module(self["threading"], program), _real_sys.modules["_thread"], host
            ),
            "sys": lambda: sys_module(program, argv, self.imports),
            "os": lambda: program.files.patch_os(os_module(program)),  # paths from the host's folder (_files)
            "os.path": lambda: self["os"].path,  # what os.py puts in sys.modules as "os.path"
            "posix": lambda: program.files.patch_os(os_module(program, _real_posix)),
            "io": program.files.io_module,
            "_io": program.files.underscore_io_module,
            "_random": lambda: random_module(program),
            "_uuid": lambda: uuid_module(program),
            "fcntl": lambda: _fcntl_overlay(program),
            "termios": lambda: _termios_overlay(program),
            "atexit": lambda: atexit_module(program),
            "_signal": lambda: signal_module(program),
            "builtins": lambda: self.builtins_module,
            "importlib": lambda: importlib_module(self.imports, host),
            "gc": lambda: ProgramCollector(program).module(),  # its own switches (_interpreter)
            "_locale": lambda: locale_module(program),  # its own locale (_interpreter)
            "faulthandler": lambda: faulthandler_module(program),  # its own switch (_interpreter)
        }
        self.builders["datetime"] = lambda: datetime_module(program)  # its C clock would be the real one
        self.builtins.update(
            __import__=self.imports.import_,
            print=self.print_,
            input=self.input_,
            exit=self.exit_,
            quit=self.exit_,
            open=program.files.open,
            compile=compile_call(program, display_hook(program, self.builtins)),
            breakpoint=breakpoint_calls(program, self.imports)[0],
        )
        program.modules = self  # type: ignore[attr-defined]

    def __getitem__(self, name: str) -> types.ModuleType:
        """The program's module `name`, imported through its door."""
        return self.imports.load(name)

    def special(self, name: str) -> types.ModuleType | None:
        """The simulated or unsupported module for `name`, None for an ordinary one (run afresh)."""
        builder = self.builders.get(name)
        if builder is not None:
            return builder()
        if name in HIDDEN:
            raise Hidden(name)
        if name in UNSUPPORTED or name.partition(".")[0] in UNSUPPORTED:
            return Unavailable(name, self.program.node)
        return None

    def _standard(self, name: str) -> Any:
        """The program's sys.stdout (stdin, stderr) now: one it set (contextlib.redirect_stdout, a StringIO) is
        where print and input go, as in CPython; RuntimeError when it deleted it, as CPython says."""
        own = self.program.sys  # None until it imports sys: then it cannot have changed them
        if own is None:
            return {"stdin": self.program.stdin, "stderr": self.program.stderr}.get(name, self.program.stdout)
        if name not in own.__dict__:
            raise RuntimeError(f"lost sys.{name}")
        return own.__dict__[name]

    def print_(
        self, *values: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None, flush: bool = False
    ) -> None:
        if file is None:
            file = self._standard("stdout")
            if file is None:  # sys.stdout = None: print writes nothing, as CPython's
                return
        builtins.print(*values, sep=sep, end=end, file=file, flush=flush)

    def input_(self, *prompt: Any) -> str:
        """builtins.input as CPython's when stdin is no terminal: sys.stdin, sys.stdout and sys.stderr each there
        and not None (RuntimeError 'input(): lost sys.stdin' otherwise, in that order), stderr flushed, the
        prompt (any object, input(0) too) written to stdout and stdout flushed, a line read from stdin."""
        if len(prompt) > 1:
            raise TypeError(f"input expected at most 1 argument, got {len(prompt)}")
        streams = []
        for name in ("stdin", "stdout", "stderr"):
            try:
                streams.append(self._standard(name))
            except RuntimeError:  # deleted: lost, as None is
                streams.append(None)
        for name, stream in zip(("stdin", "stdout", "stderr"), streams, strict=True):
            if stream is None:
                raise RuntimeError(f"input(): lost sys.{name}")
        stdin, stdout, stderr = streams
        with contextlib.suppress(Exception):
            stderr.flush()  # CPython flushes it first, a failure passed over
        if prompt:
            stdout.write(str(prompt[0]))
        with contextlib.suppress(Exception):
            stdout.flush()
        line = stdin.readline()
        if not line:
            raise EOFError("EOF when reading a line")
        return line.removesuffix("\n")  # type: ignore[no-any-return]

    @staticmethod
    def exit_(code: Any = None) -> None:
        raise SystemExit(code)  # the site module's exit() would close lanlab's own stdin

    def namespace(self, path: str) -> dict[str, Any]:
        """Globals for a program file run as __main__ (sys.modules['__main__'] inside it)."""
        main = types.ModuleType("__main__")
        main.__dict__.update(__file__=path, __builtins__=self.builtins, __package__=None, __spec__=None)
        self.modules["__main__"] = main
        return main.__dict__

    def rebind(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` with its module-level names of socket, time, ... pointing at the simulated ones."""
        scope = dict(function.__globals__)
        for name, value in function.__globals__.items():
            if isinstance(value, types.ModuleType) and value.__name__ in self.builders:
                scope[name] = self[value.__name__]
            elif getattr(value, "__module__", None) in ("socket", "_socket", "time", "select", "threading") and getattr(
                value, "__name__", ""
            ) in vars(self[_module_of(value)]):
                scope[name] = vars(self[_module_of(value)])[value.__name__]
        scope["__builtins__"] = self.builtins
        rebound = types.FunctionType(
            function.__code__, scope, function.__name__, function.__defaults__, function.__closure__
        )
        rebound.__kwdefaults__ = function.__kwdefaults__
        return rebound


def _module_of(value: Any) -> str:
    return {"_socket": "socket"}.get(value.__module__, value.__module__)
