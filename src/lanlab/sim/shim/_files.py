"""Files per host: each program starts in its host's own folder, so two hosts never share a
file by accident, while the files a run was given stay readable.

A relative path a program uses (open, io.open, os.*, os.path.*, and so pathlib, shutil, glob)
resolves against the program's working directory, its host's folder, with no process-wide
chdir (lanlab and the other hosts keep theirs). Reading falls back to the directory lanlab
was started in when the host's folder has no such file, so `--arg pc1=data.txt` and a file
beside the program still open; whatever a program creates, changes or removes is in its
host's folder. Absolute paths are left alone. (What C code opens by itself, sqlite3 for
one, resolves against lanlab's own directory.)"""

from __future__ import annotations

import errno
import functools
import io as _real_io
import os as _real_os
import posixpath
import shutil
import tempfile
import types
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._proxy import Proxy
from lanlab.sim.shim._system_files import open_descriptor, writer_of

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network
    from lanlab.sim.shim._process import Program

READING = ("stat", "lstat", "access", "listdir", "scandir", "readlink", "statvfs")
WRITING = (
    "mkdir",
    "makedirs",
    "rmdir",
    "removedirs",
    "remove",
    "unlink",
    "chmod",
    "chown",
    "lchown",
    "utime",
    "truncate",
    "mkfifo",
)
TWO_WRITTEN = ("rename", "replace", "renames", "link")  # both paths are the program's (the source too)
PATH_READING = ("exists", "lexists", "isfile", "isdir", "islink", "getsize", "getmtime", "getatime", "getctime")
WRITE_FLAGS = _real_os.O_WRONLY | _real_os.O_RDWR | _real_os.O_CREAT | _real_os.O_TRUNC | _real_os.O_APPEND


class HostFiles:
    """One program's view of the file system: its working directory and the launch directory."""

    def __init__(self, program: Program, cwd: str, launch: str) -> None:
        self.program = program
        self.cwd = cwd
        self.launch = launch

    def resolve(self, path: Any, writing: bool = False) -> Any:
        """Where relative `path` is for this program (descriptors and absolute paths unchanged)."""
        if isinstance(path, int):
            return path
        path = _real_os.fspath(path)
        if posixpath.isabs(path):
            return path
        mine = posixpath.join(_as(self.cwd, path), path)
        if writing or posixpath.lexists(mine):
            return mine
        given = posixpath.join(_as(self.launch, path), path)
        return given if posixpath.lexists(given) else mine

    # -- open ------------------------------------------------------------------------------
    def open(
        self,
        file: Any,
        mode: str = "r",
        buffering: int = -1,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
        closefd: bool = True,
        opener: Callable[[str, int], int] | None = None,
    ) -> Any:
        """builtins.open and io.open; the file's descriptor is the program's (Program.own_descriptor)."""
        if isinstance(file, int):  # a descriptor it has already
            return open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        writing = any(c in mode for c in "wax+")
        path = self.resolve(file, writing)
        open_path = opener or (lambda name, flags: _real_os.open(name, flags, 0o666))  # FileIO's own
        write = writer_of(path)
        if write is not None:  # /proc/net/arp and the like: the simulated host's (its name, as the program gave it)
            open_path = lambda name, flags: open_descriptor(self.program.host, name, write, writing)  # noqa: E731
        own = self.program.own_descriptor
        return open(
            path, mode, buffering, encoding, errors, newline, closefd, lambda name, flags: own(open_path(name, flags))
        )

    def os_open(self, path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        writing = bool(flags & WRITE_FLAGS)
        resolved = self.resolve(path, writing)
        write = writer_of(resolved)
        if write is not None:
            return self.program.own_descriptor(open_descriptor(self.program.host, resolved, write, writing))
        return self.program.own_descriptor(_real_os.open(resolved, flags, *args, **kwargs))

    # -- the working directory ---------------------------------------------------------------
    def getcwd(self) -> str:
        return self.cwd

    def getcwdb(self) -> bytes:
        return _real_os.fsencode(self.cwd)

    def chdir(self, path: Any) -> None:
        target = posixpath.normpath(_real_os.fsdecode(self.resolve(path)))
        if not posixpath.isdir(target):
            _real_os.stat(target)  # FileNotFoundError, as chdir says, for a path that is not there
            raise NotADirectoryError(errno.ENOTDIR, _real_os.strerror(errno.ENOTDIR), _real_os.fsdecode(path))
        self.cwd = target

    def walk(self, top: Any, *args: Any, **kwargs: Any) -> Any:
        """os.walk, its paths spelled from `top` as the program gave it."""
        given = _real_os.fspath(top)
        found = self.resolve(given)
        for dirpath, dirnames, filenames in _real_os.walk(found, *args, **kwargs):
            yield given + dirpath[len(found) :], dirnames, filenames

    def abspath(self, path: Any) -> Any:
        path = _real_os.fspath(path)
        return posixpath.normpath(path if posixpath.isabs(path) else posixpath.join(_as(self.cwd, path), path))

    def realpath(self, path: Any, **kwargs: Any) -> Any:
        return posixpath.realpath(self.abspath(path), **kwargs)

    # -- the modules -------------------------------------------------------------------------
    def _wrap(self, function: Callable[..., Any], writing: bool, paths: int = 1) -> Callable[..., Any]:
        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            args = tuple(self.resolve(a, writing) if i < paths else a for i, a in enumerate(args))
            if not args and function.__name__ in ("listdir", "scandir"):
                args = (self.cwd,)  # no argument: the working directory
            return function(*args, **kwargs)

        return call

    def path_module(self) -> types.ModuleType:
        """os.path: the real posixpath, its file tests and abspath against the working directory."""
        replaced = {name: self._wrap(getattr(posixpath, name), False) for name in PATH_READING}
        replaced["samefile"] = self._wrap(posixpath.samefile, False, paths=2)
        replaced.update(abspath=self.abspath, realpath=self.realpath)
        return Proxy(posixpath, replaced)

    def patch_os(self, module: types.ModuleType) -> types.ModuleType:
        """The program's os (or posix): every path resolved as `resolve` says."""
        real = module._real  # type: ignore[attr-defined]
        replaced: dict[str, Any] = {}
        for names, writing, paths in ((READING, False, 1), (WRITING, True, 1), (TWO_WRITTEN, True, 2)):
            for name in names:
                if hasattr(real, name):
                    replaced[name] = self._wrap(getattr(real, name), writing, paths)
        replaced.update(open=self.os_open, getcwd=self.getcwd, getcwdb=self.getcwdb, chdir=self.chdir)
        if real is _real_os:
            replaced.update(walk=self.walk, path=self.path_module())
        module.__dict__.update(replaced)
        return module

    def io_module(self) -> types.ModuleType:
        """io: the real module (its classes are lanlab's too), with open resolving the path."""
        return Proxy(_real_io, {"open": self.open})


def _as(directory: str, like: Any) -> Any:
    """`directory` as str or bytes, as `like` is."""
    return _real_os.fsencode(directory) if isinstance(like, bytes) else directory


_LOOSE_HOSTS: weakref.WeakKeyDictionary[Host, str] = weakref.WeakKeyDictionary()  # hosts in no Network


def _temporary_folder(owner: object) -> tuple[str, weakref.finalize]:
    """A new temporary folder and its removal, which runs when `owner` goes or at the interpreter's exit.
    A worker process that ends with os._exit runs neither: a network removes its own when closed."""
    root = tempfile.mkdtemp(prefix="lanlab-files-")
    return root, weakref.finalize(owner, shutil.rmtree, root, ignore_errors=True)


def _removed_on_close(network: Network, root: str, remove: weakref.finalize) -> Callable[[], None]:
    """What network.close() does for its temporary folder: remove it now (a finalizer runs once, so not
    again at exit), and let the next program make a new one."""

    def close() -> None:
        remove()
        if network.files == root:
            network.files = None

    return close


def host_folder(host: Host) -> str:
    """The folder of `host`'s files: `network.files/NAME` (lanlab sim run --files DIR), or under
    a temporary directory made for the network (or for a host outside any network) and removed with it."""
    network = host.network
    if network is None:
        root = _LOOSE_HOSTS.get(host)
        if root is None:
            root, _ = _temporary_folder(host)
            _LOOSE_HOSTS[host] = root
    else:
        if network.files is None:
            network.files, remove = _temporary_folder(network)
            network.closers.append(_removed_on_close(network, network.files, remove))
        root = network.files
    root = _real_os.path.abspath(root)
    folder = _real_os.path.join(root, host.name)
    if _real_os.path.dirname(_real_os.path.normpath(folder)) != root:  # "../x", "a/b", "/tmp/x", ".."
        raise ValueError(f"host name {host.name!r} is a path: its folder would not be directly in {root}")
    _real_os.makedirs(folder, exist_ok=True)
    return folder
