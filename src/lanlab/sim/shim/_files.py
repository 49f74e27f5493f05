"""Files per host: each program starts in its host's own folder, so two hosts never share a
file by accident, while the files a run was given stay readable.

A relative path a program uses (open, io.open, os.*, os.path.*, and so pathlib, shutil, glob)
resolves against the program's working directory, its host's folder, with no process-wide
chdir (lanlab and the other hosts keep theirs). Reading falls back to the directory lanlab
was started in when the host's folder has no such file, so `--arg pc1=data.txt` and a file
beside the program still open; whatever a program creates, changes or removes is in its
host's folder. Absolute paths are left alone. (What C code opens by itself, sqlite3 for
one, resolves against lanlab's own directory.) A file's times (os.stat, lstat, fstat, os.path.getmtime and
so pathlib, os.utime) read the simulated hosts' clock, not the machine's (FileClock)."""

from __future__ import annotations

import contextlib
import errno
import functools
import io as _real_io
import os as _real_os
import posixpath
import shutil
import stat as stat_module
import sys as _real_sys
import tempfile
import time as _real_time
import types
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._arguments import c_int
from lanlab.sim.shim._clock import EPOCH
from lanlab.sim.shim._process import UnsupportedInSimulation
from lanlab.sim.shim._proxy import Proxy, with_globals
from lanlab.sim.shim._streams import is_stream, standard_path, stream_call
from lanlab.sim.shim._system_files import open_descriptor, writer_of

if TYPE_CHECKING:
    from lanlab.sim.devices.host import Host
    from lanlab.sim.network import Network
    from lanlab.sim.shim._process import Program

READING = ("stat", "lstat", "access", "listdir", "scandir", "readlink", "statvfs", "pathconf", "listxattr", "getxattr")
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
    "mknod",
    "setxattr",
    "removexattr",
)
CREATING = ("mkdir", "makedirs", "mkfifo", "mknod")  # the calls the mask applies to (os.open's too)
TWO_WRITTEN = ("rename", "replace", "renames", "link")  # both paths are the program's (the source too)
PATH_READING = (
    "exists",
    "lexists",
    "isfile",
    "isdir",
    "islink",
    "ismount",
    "getsize",
    "getmtime",
    "getatime",
    "getctime",
)
TIMES = ("st_atime", "st_mtime", "st_ctime")
# what a path naming 0-2 (/dev/stdout) answers as the pipe: stat follows the link, readlink of /proc/self/fd/1
PIPE_BY_NAME = ("stat", "statvfs", "pathconf", "readlink", "listxattr", "getxattr")
ON_LINUX = _real_sys.platform.startswith("linux")
CLOCK_REALTIME_COARSE = getattr(_real_time, "CLOCK_REALTIME_COARSE", 5)  # Linux's clock id; Python names it not
EPOCH_NS = EPOCH * 10**9
DESCRIPTOR_FOLDERS = ("/dev/fd", "/proc/self/fd", "/proc/thread-self/fd")  # a process's own descriptors, by number
WRITE_FLAGS = _real_os.O_WRONLY | _real_os.O_RDWR | _real_os.O_CREAT | _real_os.O_TRUNC | _real_os.O_APPEND


class FileClock:
    """The times of files as the simulated hosts' clock reads them, one per network: a file untouched since
    the run began keeps its age (an hour before the run is an hour before virtual time 0); a time the
    machine set during the run (a write, a read, a rename) is the virtual time the change was first seen
    (so a file written at 0.5 s and looked at from 3 s on reads 3 s: never later than the clock, never
    earlier than an older file); a time a program set with os.utime is its own."""

    def __init__(self) -> None:
        # the machine's time that stands for virtual time 0, read from the clock the kernel stamps files with
        # (CLOCK_REALTIME_COARSE, a tick behind time_ns): a file written right after the start is never older
        self.origin = _real_time.clock_gettime_ns(CLOCK_REALTIME_COARSE) if ON_LINUX else _real_time.time_ns() - 10**8
        self.seen: dict[tuple[int, int, str], tuple[int, int]] = {}  # (dev, inode, field): (machine's, virtual)

    def virtual(self, key: tuple[int, int, str], real: int, now: int) -> int:
        """The virtual time (ns since 1970) of a file's time `real` (the machine's), `now` the virtual time."""
        seen = self.seen.get(key)
        if seen is not None and seen[0] == real:
            return seen[1]
        if real < self.origin:
            return real - self.origin + EPOCH_NS
        self.seen[key] = (real, now)
        return now

    def stat(self, result: _real_os.stat_result, now: int) -> _real_os.stat_result:
        """`result` with its three times on the virtual clock (the seconds, the floats and the ns); a simulated
        socket's (no file of the machine's) as it is."""
        if stat_module.S_ISSOCK(result.st_mode) and result.st_mtime_ns == 0:
            return result
        fields = list(result)
        named = {
            name: getattr(result, name)
            for name in ("st_blksize", "st_blocks", "st_rdev", "st_flags", "st_gen", "st_birthtime")
            if hasattr(result, name)
        }
        for index, name in enumerate(TIMES, start=7):
            ns = self.virtual((result.st_dev, result.st_ino, name), getattr(result, f"{name}_ns"), now)
            seconds, part = divmod(ns, 10**9)
            fields[index] = seconds
            named[name] = seconds + part * 1e-9  # as CPython's fill_time makes the float
            named[f"{name}_ns"] = ns
        return _real_os.stat_result(fields, named)

    def observe(self, result: _real_os.stat_result, now: int) -> None:
        """A file's times looked at `now`: a change since they were last seen happened by now."""
        for name in TIMES:
            self.virtual((result.st_dev, result.st_ino, name), getattr(result, f"{name}_ns"), now)

    def set(self, result: _real_os.stat_result) -> None:
        """A file's access and modification times as a program just set them (os.utime): its own."""
        for name in TIMES[:2]:
            real = getattr(result, f"{name}_ns")
            self.seen[(result.st_dev, result.st_ino, name)] = (real, real)


_CLOCKS: weakref.WeakKeyDictionary[Any, FileClock] = weakref.WeakKeyDictionary()


def file_clock(host: Host) -> FileClock:
    """The FileClock of `host`'s network (of the host itself, outside any network)."""
    owner = host.network if host.network is not None else host
    clock = _CLOCKS.get(owner)
    if clock is None:
        clock = _CLOCKS[owner] = FileClock()
    return clock


class HostFiles:
    """One program's view of the file system: its working directory and the launch directory."""

    def __init__(self, program: Program, cwd: str, launch: str) -> None:
        self.program = program
        self.cwd = cwd
        self.launch = launch
        self.clock = file_clock(program.host)
        self.writing: dict[tuple[int, int], tuple[int, str | None]] = {}  # (dev, inode): (fd, path) open to write

    def _watch(self, fd: int, path: str | None) -> None:
        """`fd`, just opened for writing: its times are noted before each wait (settle) until it is closed."""
        found = _real_os.fstat(fd)
        self.writing[(found.st_dev, found.st_ino)] = (fd, path)
        self.program.settle_files = self.settle

    def settle(self) -> None:
        """Before the program's time moves on: what it wrote since its last wait was written now (its clock)."""
        now = EPOCH_NS + self.program.clock_ns()
        for key, (fd, path) in list(self.writing.items()):
            try:
                found = _real_os.fstat(fd)
            except OSError:
                found = None
            if found is None or (found.st_dev, found.st_ino) != key:  # closed: its last state, by its path
                del self.writing[key]
                try:
                    found = _real_os.stat(path) if path is not None else None
                except OSError:
                    found = None
                if found is None or (found.st_dev, found.st_ino) != key:
                    continue
            self.clock.observe(found, now)
        if not self.writing:
            self.program.settle_files = None

    # -- file times on the virtual clock -------------------------------------------------------
    def _timed(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """os.stat, lstat or fstat, the times in the result read on the host's clock (FileClock)."""

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            if args and is_stream(args[0]):  # a pipe's times are on the host's clock already
                return function(*args, **kwargs)
            return self.clock.stat(function(*args, **kwargs), EPOCH_NS + self.program.clock_ns())

        return call

    def _touched(self, paths: Iterable[Any]) -> None:
        """A call just changed `paths` (made, removed, renamed, opened to write): their times, and their folders'
        (an entry made or removed changes its directory), changed now."""
        now = EPOCH_NS + self.program.clock_ns()
        for path in paths:
            if isinstance(path, int):
                continue
            path = posixpath.normpath(_real_os.fsdecode(path))
            for each in (path, posixpath.dirname(path) or "."):
                try:
                    self.clock.observe(_real_os.lstat(each), now)
                except OSError:
                    pass

    def _symlink(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """os.symlink: the link is made in the program's folder; its target is text, kept as given (a relative
        one is found from the link's own directory, as the kernel does)."""

        @functools.wraps(function)
        def symlink(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            given, dst = dst, self.resolve(dst, writing=True) if kwargs.get("dir_fd") is None else dst
            with _spelled_as_given((dst, given)):
                function(src, dst, *args, **kwargs)
            if kwargs.get("dir_fd") is None:
                self._touched([dst])

        return symlink

    def scandir(self, path: Any = ".") -> Scandir:
        """os.scandir: entries whose path is spelled from `path` as the program gave it (not from its host's
        folder) and whose stat() reads the host's clock."""
        if is_stream(path):
            return self._stream("scandir", path, 0, path)
        given = path if isinstance(path, int) else _real_os.fspath("." if path is None else path)
        found = self.resolve(given)
        with _spelled_as_given((found, given)):
            return Scandir(_real_os.scandir(found), given, self)

    def _utime(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """os.utime: times given are set as given, and no times is the host's clock now (not the machine's)."""

        @functools.wraps(function)
        def utime(
            path: Any, times: Any = None, *, ns: Any = None, dir_fd: Any = None, follow_symlinks: bool = True
        ) -> None:
            if is_stream(path):
                return self._stream("utime", path, 0, path, times)  # type: ignore[no-any-return]
            if times is None and ns is None:
                now = EPOCH_NS + self.program.clock_ns()
                ns = (now, now)
            more = {} if dir_fd is None else {"dir_fd": dir_fd}
            named, path = path, self.resolve(path, writing=True) if dir_fd is None else path
            given = {} if ns is None else {"ns": ns}
            with _spelled_as_given((path, named)):
                function(path, times, **given, **more, follow_symlinks=follow_symlinks)
            self.clock.set(_real_os.stat(path, **more, follow_symlinks=follow_symlinks))

        return utime

    def resolve(self, path: Any, writing: bool = False) -> Any:
        """Where relative `path` is for this program (descriptors and absolute paths unchanged)."""
        if isinstance(path, int):  # a descriptor (os.stat(fd), os.truncate(fd), ...): the program's own only
            if self.program.holds_file(path):
                return path
            # any other number is not its own (0-2 are answered from _streams.STREAM_CALLS before this): the
            # real call would reach lanlab's own descriptor of that number
            raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
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
        named = self._standard_named(file)  # /dev/stdout, /proc/self/fd/1: its own output, as open(1)
        if isinstance(file, int) or named is not None:  # a descriptor it has already
            if named is not None or file in (
                0,
                1,
                2,
            ):  # its own streams, not lanlab's (open(1, "w") wrote past the capture)
                stream = StandardStream(self.program, file if named is None else named, mode)
                if named is not None:
                    stream.name = file
                if "b" in mode:
                    return stream
                return _real_io.TextIOWrapper(
                    stream, encoding or "utf-8", errors, newline, line_buffering=buffering == 1, write_through=True
                )
            self._own_file(file, "open()")
            return open(file, mode, buffering, encoding, errors, newline, closefd, opener)
        path, opened = self._path_opener(file, mode, opener)
        with _spelled_as_given((path, file)):
            found = open(path, mode, buffering, encoding, errors, newline, closefd, opened)
        raw: Any = getattr(found, "buffer", found)
        getattr(raw, "raw", raw).name = _real_os.fspath(file)  # its name as given, not in the host's folder
        return found

    def _own_file(self, fd: int, call: str) -> None:
        """`fd` given to open() or io.FileIO (not 0-2): a file the program has open, else its error (never
        lanlab's descriptor of that number)."""
        if not self.program.holds_file(fd):
            if self.program.socket_at(fd) is not None:
                raise UnsupportedInSimulation(
                    f"{call} of socket descriptor {fd} is not available to a program on simulated host "
                    f"{self.program.node} (sock.makefile() is)"
                )
            raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))  # not its own: never lanlab's

    def _path_opener(
        self, file: Any, mode: str, opener: Callable[[str, int], int] | None
    ) -> tuple[Any, Callable[[Any, int], int]]:
        """Where path `file` is for the program, and the opener FileIO is to open it with: the descriptor the
        program's own, the simulated host's /proc/net/arp and the like, a file written watched for its times."""
        self._refuse_process_paths(file)
        writing = any(c in mode for c in "wax+")
        path = self.resolve(file, writing)
        open_path = opener or (lambda name, flags: _real_os.open(name, flags, 0o666))  # FileIO's own
        write = self._writer_of(path)
        if write is not None:  # /proc/net/arp and the like: the simulated host's (its name, as the program gave it)
            open_path = lambda name, flags: open_descriptor(self.program.host, name, write, writing)  # noqa: E731
        own, masked = self.program.own_descriptor, self.masked

        def opened(name: Any, flags: int) -> int:
            with masked():
                fd = own(open_path(name, flags))
            if writing and write is None:
                self._touched([path])
                self._watch(fd, _real_os.fsdecode(path))
            return fd

        return path, opened

    def file_io(self) -> type:
        """io.FileIO (and _io's): a path found as open() finds it, 0-2 and /dev/stdout the program's own streams
        (as open(1, "wb", buffering=0) gives them), a number only of a file it has open (FileIO(1) wrote to
        lanlab's standard output, past the capture)."""
        files = self

        class FileIO(_real_io.FileIO):
            __doc__ = _real_io.FileIO.__doc__

            def __new__(cls, file: Any, mode: str = "r", closefd: bool = True, opener: Any = None) -> Any:
                named = files._standard_named(file)
                if named is not None or is_stream(file):
                    return files.open(file, mode if "b" in mode else mode + "b", 0, closefd=closefd)
                return super().__new__(cls)

            def __init__(self, file: Any, mode: str = "r", closefd: bool = True, opener: Any = None) -> None:
                if isinstance(file, int):
                    files._own_file(file, "io.FileIO()")
                    super().__init__(file, mode, closefd, opener)
                    return
                path, opened = files._path_opener(file, mode, opener)
                with _spelled_as_given((path, file)):
                    super().__init__(path, mode, closefd, opened)
                self.name = file  # as given (a path object too, as FileIO keeps it), not in the host's folder

        FileIO.__module__ = _real_io.FileIO.__module__
        return FileIO

    def fdopen(
        self, fd: Any, mode: str = "r", buffering: int = -1, encoding: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        """os.fdopen, as os.py's: open() of the descriptor (the real one opened lanlab's descriptor of that number)."""
        if not isinstance(fd, int):
            raise TypeError(f"invalid fd type ({type(fd)}, expected integer)")
        return self.open(fd, mode, buffering, encoding, *args, **kwargs)

    def os_open(self, path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        """os.open: /dev/stdout and the like are the program's own stream (its number, as open('/dev/stdout')
        .fileno() is), /dev/tty none (_refuse_process_paths), any other path the file's new descriptor."""
        if kwargs.get("dir_fd") is None:
            self._refuse_process_paths(path)
            named = self._standard_named(path)
            if named is not None:
                if flags & _real_os.O_DIRECTORY:
                    raise NotADirectoryError(errno.ENOTDIR, _real_os.strerror(errno.ENOTDIR), path)
                if flags & _real_os.O_CREAT and flags & _real_os.O_EXCL:
                    raise FileExistsError(errno.EEXIST, _real_os.strerror(errno.EEXIST), path)
                return named
        writing = bool(flags & WRITE_FLAGS)
        resolved = self.resolve(path, writing) if kwargs.get("dir_fd") is None else path
        write = self._writer_of(resolved) if kwargs.get("dir_fd") is None else None
        if write is not None:
            return self.program.own_descriptor(open_descriptor(self.program.host, resolved, write, writing))
        with _spelled_as_given((resolved, path)):
            with self.masked():
                fd = self.program.own_descriptor(_real_os.open(resolved, flags, *args, **kwargs))
        if writing:
            by_path = kwargs.get("dir_fd") is None and not isinstance(resolved, int)
            if by_path:
                self._touched([resolved])
            self._watch(fd, _real_os.fsdecode(resolved) if by_path else None)
        return fd

    # -- the file mode creation mask ------------------------------------------------------------
    def umask(self, mask: Any, /) -> int:
        """os.umask: the program's own mask, at first lanlab's (inherited, as a process's is); the machine's is
        lanlab's, untouched (a program's umask(0o077) was every later file's of lanlab and of the other hosts)."""
        mask = c_int(mask)
        previous = self.program.umask
        if previous is None:
            previous = _real_os.umask(0o022)  # reading the mask is setting it: put back at once
            _real_os.umask(previous)
        self.program.umask = mask & 0o777
        return previous

    @contextlib.contextmanager
    def masked(self) -> Iterator[None]:
        """A call that may create a file or directory: the program's mask is the machine's while it runs."""
        mask = self.program.umask
        if mask is None:  # never set: lanlab's is the program's
            yield
            return
        saved = _real_os.umask(mask)
        try:
            yield
        finally:
            _real_os.umask(saved)

    # -- the working directory ---------------------------------------------------------------
    def getcwd(self) -> str:
        return self.cwd

    def getcwdb(self) -> bytes:
        return _real_os.fsencode(self.cwd)

    def chdir(self, path: Any) -> None:
        if is_stream(path):
            self._stream("chdir", path, 0, path)
        target = posixpath.normpath(_real_os.fsdecode(self.resolve(path)))
        if not posixpath.isdir(target):
            with _spelled_as_given((target, path)):
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

    def relpath(self, path: Any, start: Any = None) -> Any:
        """os.path.relpath: from `start` (the working directory when None), both against the working directory."""
        path = _real_os.fspath(path)
        if start is None:
            start = b"." if isinstance(path, bytes) else "."
        if not path:
            raise ValueError("no path specified")
        return posixpath.relpath(self.abspath(path), self.abspath(start))

    def realpath(self, path: Any, **kwargs: Any) -> Any:
        return posixpath.realpath(self.abspath(path), **kwargs)

    # -- the modules -------------------------------------------------------------------------
    def _wrap(self, function: Callable[..., Any], writing: bool, paths: int = 1) -> Callable[..., Any]:
        @functools.wraps(function)
        def call(*given: Any, **kwargs: Any) -> Any:
            # a path relative to a directory descriptor (dir_fd, src_dir_fd, dst_dir_fd) is the kernel's to find
            anchored = [kwargs.get("dir_fd")] if paths == 1 else [kwargs.get("src_dir_fd"), kwargs.get("dst_dir_fd")]
            for position, fd in enumerate(given[:paths]):
                if is_stream(fd) and (function in _real_os.supports_fd or function.__name__.endswith("xattr")):
                    return self._stream(function.__name__, fd, position, *given)
                named = self._standard_named(fd) if function.__name__ in PIPE_BY_NAME else None
                if named is not None and self._reaches_pipe(function.__name__, fd, kwargs):
                    return self._stream(function.__name__, named, position, *given)
            args = tuple(
                self.resolve(a, writing) if i < paths and anchored[i] is None and not is_stream(a) else a
                for i, a in enumerate(given)
            )
            if function.__name__ in ("readlink", "listdir") and args and anchored[0] is None:
                own = self._process_entry(function.__name__, args[0])
                if own is not None:
                    return own
            if not args and function.__name__ == "listdir":
                args = (self.cwd,)  # no argument: the working directory
            masked = self.masked() if function.__name__ in CREATING else contextlib.nullcontext()
            with _spelled_as_given(*zip(args[:paths], given, strict=False)), masked:
                result = function(*args, **kwargs)
            if writing:
                self._touched(a for a, anchor in zip(args[:paths], anchored, strict=False) if anchor is None)
            return result

        return call

    def _standard_named(self, path: Any) -> int | None:
        """The standard descriptor `path` names (/dev/stdout, /proc/self/fd/1), or None: the path is the machine's
        link to lanlab's own descriptor of that number."""
        if isinstance(path, int) or not isinstance(path, (str, bytes, _real_os.PathLike)):
            return None
        try:
            return standard_path(self.abspath(path))
        except (TypeError, ValueError):
            return None

    def _writer_of(self, path: Any) -> Callable[[Any], str | bytes] | None:
        """What writes `path` (absolute) for the program: its own /proc/self/environ and /proc/self/cmdline, the
        simulated host's /proc/net/arp and the like (_system_files); None for any other file."""
        own = self._process_file(path)
        if own is not None:
            return lambda host: own
        return writer_of(path)

    def _process_file(self, path: Any) -> bytes | None:
        """The program's /proc/self/environ (the environment it started with, as the kernel keeps it) or
        /proc/self/cmdline (how the kernel lab starts it: python3 -u PATH ARGS), also by /proc/thread-self and
        /proc/PID of its own pid; None for another path. Any other file of /proc/self describes lanlab's process
        (its memory, threads, limits): opening one is UnsupportedInSimulation naming it and the host."""
        text = self._own_process_path(path)
        if text is None or not text.startswith("/proc/self/"):
            return None
        parts = text.split("/")
        name = "/".join(parts[3:])
        if name == "environ":
            return self.program.environment.initial  # type: ignore[no-any-return]
        if name == "cmdline":
            overlay = self.program.modules  # type: ignore[attr-defined]
            argv = list(overlay.argv)
            if overlay.home is not None:  # a file: the kernel lab gives python3 its resolved path
                argv[0] = _real_os.path.realpath(self.program.path)
            return b"".join(_real_os.fsencode(arg) + b"\0" for arg in (_real_sys.executable, "-u", *argv))
        if parts[3] in ("net", "fd", "fdinfo", "task"):
            return None  # the host's network (_system_files), its descriptors (_standard_named), ...
        raise UnsupportedInSimulation(
            f"/proc/self/{name} (lanlab's process) is not available to a program on simulated host {self.program.node}"
        )

    def _own_process_path(self, path: Any) -> str | None:
        """`path` normalised, /proc/thread-self/... and /proc/PID/... of the program's own pid read as
        /proc/self/...; None for a descriptor number or a path that is no text."""
        if isinstance(path, int):
            return None
        try:
            text = posixpath.normpath(_real_os.fsdecode(path))
        except (TypeError, ValueError):
            return None
        pid = str(getattr(self.program, "pid", "self"))
        for alias in ("/proc/thread-self", f"/proc/{pid}"):
            if text == alias or text.startswith(alias + "/"):
                return "/proc/self" + text[len(alias) :]
        return text

    def _process_entry(self, call: str, path: Any) -> Any:
        """os.readlink of /proc/self/cwd: the program's working directory; os.listdir of /proc/self/fd or
        /dev/fd: its descriptors (0-2, its sockets and files, and the one the listing holds, as Linux lists
        them); in the type of `path` (str or bytes). None for any other path (they named lanlab's)."""
        text = self._own_process_path(path)
        if text is None:
            return None
        if call == "readlink" and text == "/proc/self/cwd":
            found: Any = self.cwd
        elif call == "listdir" and text.rstrip("/") in DESCRIPTOR_FOLDERS:
            program = self.program
            numbers = {
                0,
                1,
                2,
                *program.descriptors.keys(),
                *(fd for fd in program.files_open if program.holds_file(fd)),
            }
            free = 3
            while free in numbers:
                free += 1
            found = [str(fd) for fd in sorted({*numbers, free})]
        else:
            return None
        if isinstance(path, bytes):
            return (
                [_real_os.fsencode(entry) for entry in found] if isinstance(found, list) else _real_os.fsencode(found)
            )
        return found

    def _refuse_process_paths(self, path: Any) -> None:
        """Opening a path that names something of the process's, which is lanlab's on the machine: /dev/tty is
        ENXIO, as for a process with no controlling terminal (the kernel lab's programs have none: getpass then
        reads the program's stdin, warning that the password may be echoed; it read lanlab's terminal);
        /dev/fd/N and /proc/self/fd/N of a number the program has no file open under are ENOENT, or ENXIO for
        its socket or epoll, as Linux answers (they opened lanlab's descriptor of that number). 0-2 are its
        streams (_standard_named)."""
        if isinstance(path, int) or not isinstance(path, (str, bytes, _real_os.PathLike)):
            return
        try:
            text = _real_os.fsdecode(self.abspath(path))
        except (TypeError, ValueError):
            return  # the real call says what is wrong
        if text == "/dev/tty":
            raise OSError(errno.ENXIO, _real_os.strerror(errno.ENXIO), path)
        folder, _, number = text.rpartition("/")
        if folder not in DESCRIPTOR_FOLDERS or not number.isdigit() or str(int(number)) != number:
            return
        fd = int(number)
        if is_stream(fd) or self.program.holds_file(fd):
            return
        code = errno.ENXIO if fd in self.program.descriptors else errno.ENOENT
        raise OSError(code, _real_os.strerror(code), path)

    def _reaches_pipe(self, name: str, path: Any, kwargs: dict[str, Any]) -> bool:
        """Whether os.`name` of `path`, a name of 0-2, reaches the pipe: /dev/stdout is a link the machine has
        (readlink and follow_symlinks=False read the link itself), /proc/self/fd/1 the pipe's own."""
        link = _real_os.fsdecode(self.abspath(path)) in ("/dev/stdin", "/dev/stdout", "/dev/stderr")
        return not (link and (name == "readlink" or not kwargs.get("follow_symlinks", True)))

    def _stream(self, name: str, fd: int, position: int, *args: Any) -> Any:
        """os.`name` given standard descriptor `fd` where it takes a path: Linux's answer on a pipe, an error
        naming the descriptor as CPython names a path ('[Errno 20] Not a directory: 1'; truncate is ftruncate's,
        which names none)."""
        try:
            return stream_call(self.program, name, fd, position, *args)
        except OSError as error:
            if name != "truncate":
                error.filename = args[position] if position < len(args) else fd
            raise

    def _pipes_seen(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """os.path's `function` (exists, getsize, samefile: the standard library's own), its os.stat of 0-2 the
        pipe's (_streams.STREAM_CALLS), not lanlab's descriptor's."""

        def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
            named = path if is_stream(path) else self._standard_named(path)
            if named is not None:
                return self._stream("stat", named, 0, path)
            return _real_os.stat(path, *args, **kwargs)

        return with_globals(function, {**function.__globals__, "os": Proxy(_real_os, {"stat": stat})})

    def path_module(self) -> types.ModuleType:
        """os.path: the real posixpath, its file tests and abspath against the working directory."""
        replaced = {name: self._wrap(self._pipes_seen(getattr(posixpath, name)), False) for name in PATH_READING}
        replaced["samefile"] = self._wrap(self._pipes_seen(posixpath.samefile), False, paths=2)
        stat = self._timed(self._wrap(_real_os.stat, False))
        replaced.update(
            getmtime=lambda path: stat(path).st_mtime,
            getatime=lambda path: stat(path).st_atime,
            getctime=lambda path: stat(path).st_ctime,
        )
        replaced.update(abspath=self.abspath, realpath=self.realpath, relpath=self.relpath)
        # ~ and $NAME from the program's environment (_environ), not lanlab's
        environment = self.program.environment
        own = Proxy(_real_os, {"environ": environment.environ, "environb": environment.environb})
        for name in ("expanduser", "expandvars"):
            function = getattr(posixpath, name)
            replaced[name] = with_globals(function, {**function.__globals__, "os": own})
        return Proxy(posixpath, replaced)

    def patch_os(self, module: types.ModuleType) -> types.ModuleType:
        """The program's os (or posix): every path resolved as `resolve` says."""
        real = module._real  # type: ignore[attr-defined]
        replaced: dict[str, Any] = {}
        for names, writing, paths in ((READING, False, 1), (WRITING, True, 1), (TWO_WRITTEN, True, 2)):
            for name in names:
                if hasattr(real, name):
                    replaced[name] = self._wrap(getattr(real, name), writing, paths)
        for name in ("stat", "lstat", "fstat"):
            if hasattr(real, name):
                replaced[name] = self._timed(replaced.get(name, getattr(module, name)))
        if hasattr(real, "utime"):
            replaced["utime"] = self._utime(real.utime)
        replaced.update(open=self.os_open, getcwd=self.getcwd, getcwdb=self.getcwdb, chdir=self.chdir, umask=self.umask)
        if hasattr(real, "scandir"):
            replaced["scandir"] = self.scandir
        if hasattr(real, "symlink"):
            replaced["symlink"] = self._symlink(real.symlink)
        if real is _real_os:
            replaced["fdopen"] = self.fdopen
        if real is _real_os:
            replaced.update(walk=self.walk, path=self.path_module())
        module.__dict__.update(replaced)
        return module

    def io_module(self) -> types.ModuleType:
        """io: the real module (its classes are lanlab's too), with open and FileIO resolving the path."""
        file_io = self.program.modules["_io"].FileIO  # type: ignore[attr-defined]  # one class, _io's
        return Proxy(_real_io, {"open": self.open, "FileIO": file_io})

    def underscore_io_module(self) -> types.ModuleType:
        """_io, io's C module: its open and FileIO as io's (_io.open(1, "w") wrote to lanlab's standard output)."""
        return Proxy(_real_sys.modules["_io"], {"open": self.open, "FileIO": self.file_io()})


class StandardStream(_real_io.BufferedIOBase):
    """open(0), open(1) or open(2) in a program, binary: its own stdin, or its captured output, unbuffered (what
    it writes is a line of its output as soon as the line ends, however it was opened)."""

    def __init__(self, program: Program, fd: int, mode: str) -> None:
        super().__init__()
        self._program = program
        self._fd = fd
        self.name = fd
        self.mode = mode

    def fileno(self) -> int:
        return self._fd

    def readable(self) -> bool:
        return self._fd == 0

    def writable(self) -> bool:
        return self._fd != 0

    def read(self, size: int | None = -1) -> bytes:
        if self._fd != 0:
            raise _real_io.UnsupportedOperation("read")
        return self._program.stdin.buffer.read(-1 if size is None else size)  # type: ignore[no-any-return]

    read1 = read

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def write(self, data: Any) -> int:
        if self._fd == 0:
            raise _real_io.UnsupportedOperation("write")
        return self._program.stdout.buffer.write(bytes(data))  # type: ignore[no-any-return]


class DirEntry:
    """An os.scandir entry as a program sees it: its path spelled from the directory the program named, its
    stat() on the host's clock; the rest is the real entry's (an os.DirEntry cannot be made, so
    isinstance(entry, os.DirEntry) is False, and shutil's copystat asks os.stat instead)."""

    __slots__ = ("_entry", "_files", "path")

    def __init__(self, entry: _real_os.DirEntry[Any], path: Any, files: HostFiles) -> None:
        self._entry = entry
        self._files = files
        self.path = path

    def __getattr__(self, name: str) -> Any:
        return getattr(self._entry, name)

    def stat(self, *, follow_symlinks: bool = True) -> _real_os.stat_result:
        found = self._entry.stat(follow_symlinks=follow_symlinks)
        return self._files.clock.stat(found, EPOCH_NS + self._files.program.clock_ns())

    def __fspath__(self) -> Any:
        return self.path

    def __repr__(self) -> str:
        return f"<DirEntry {self._entry.name!r}>"


class Scandir:
    """os.scandir's iterator (a context manager too) over DirEntry."""

    def __init__(self, entries: Any, given: Any, files: HostFiles) -> None:
        self._entries = entries
        self._given = given
        self._files = files

    def __iter__(self) -> Scandir:
        return self

    def __next__(self) -> DirEntry:
        entry = next(self._entries)
        given = self._given
        path = entry.path if isinstance(given, int) else posixpath.join(given, entry.name)
        return DirEntry(entry, path, self._files)

    def close(self) -> None:
        self._entries.close()

    def __enter__(self) -> Scandir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _spelled_as_given(*paths: tuple[Any, Any]) -> Iterator[None]:
    """An OSError raised inside names each path as the program gave it (its filename and filename2), not as
    resolved in the host's folder: FileNotFoundError says 'missing.txt', as on Linux, not the temporary path."""
    try:
        yield
    except OSError as error:
        for attribute in ("filename", "filename2"):
            named = getattr(error, attribute)
            for resolved, given in paths:
                if named is not None and named == resolved and not isinstance(given, int):
                    setattr(error, attribute, _real_os.fspath(given))
                    break
        raise


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
