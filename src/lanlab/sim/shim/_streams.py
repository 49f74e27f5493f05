"""Descriptors 0, 1 and 2 of a program on a simulated host: its stdin and its captured output (1 and 2 are
one), which Linux would show it as pipes, as to `echo | python3 prog.py | cat`; never lanlab's own
descriptors of those numbers (its terminal, a file its output is redirected to).

STREAM_CALLS is the one table of what Linux answers an os call given one of them (each answer checked
against python3 on a real pipe): the calls that take a descriptor (_modules.DescriptorCalls) and those that
take a path or a descriptor (os.stat(1), os.truncate(1, 0): _files.HostFiles) both answer from it. A pipe
is no terminal (ENOTTY, so shutil.get_terminal_size() is its default), cannot seek (ESPIPE), be truncated
or synced (EINVAL), and fstat says S_IFIFO, empty."""

from __future__ import annotations

import errno
import fcntl as _real_fcntl
import functools
import os as _real_os
import posixpath
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._clock import EPOCH

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

STREAMS = (0, 1, 2)
PIPE_MODE = stat.S_IFIFO | 0o600  # what pipe(2) makes on Linux
PIPE_INODE = {0: 4096, 1: 4097, 2: 4097}  # stdin one pipe, the output (1 and 2) another


# the names Linux gives a process's own 0-2 (links to /proc/self/fd/N): opened, they are the same pipe
STANDARD_PATHS = {
    "/dev/stdin": 0,
    "/dev/stdout": 1,
    "/dev/stderr": 2,
    **{f"{folder}/{fd}": fd for fd in STREAMS for folder in ("/dev/fd", "/proc/self/fd", "/proc/thread-self/fd")},
}


def standard_path(path: Any) -> int | None:
    """The standard descriptor absolute `path` names (/dev/stdout, /proc/self/fd/1: 1), or None."""
    if isinstance(path, bytes):
        path = _real_os.fsdecode(path)
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    return STANDARD_PATHS.get(posixpath.normpath(path))


def is_stream(fd: Any) -> bool:
    """Whether `fd` is one of the program's standard descriptors (True is 1, as CPython takes it)."""
    return isinstance(fd, int) and fd in STREAMS


def _fail(code: int) -> Callable[..., Any]:
    def fail(*args: Any) -> Any:
        raise OSError(code, _real_os.strerror(code))

    return fail


def _answer(value: Any) -> Callable[..., Any]:
    return lambda *args: value


@functools.cache
def _real_pipe() -> tuple[_real_os.stat_result, _real_os.statvfs_result]:
    """The machine's pipe file system as fstat and fstatvfs see it (its device number, its block size)."""
    read_end, write_end = _real_os.pipe()
    try:
        return _real_os.fstat(read_end), _real_os.fstatvfs(read_end)
    finally:
        _real_os.close(read_end)
        _real_os.close(write_end)


def pipe_stat(program: Program, fd: int, *args: Any) -> _real_os.stat_result:
    """fstat of a standard descriptor: a pipe (S_IFIFO, rw for its owner, empty) made as the program started."""
    ns = EPOCH * 10**9 + (program.started_at or 0)
    seconds = ns // 10**9
    fields = (PIPE_MODE, PIPE_INODE[fd], _real_pipe()[0].st_dev, 1, _real_os.getuid(), _real_os.getgid(), 0)
    named: dict[str, Any] = {"st_blksize": 4096, "st_blocks": 0, "st_rdev": 0}
    for kind in "amc":
        named.update({f"st_{kind}time": ns / 1e9, f"st_{kind}time_ns": ns})
    return _real_os.stat_result((*fields, seconds, seconds, seconds), named)


def _readlink(program: Program, fd: int, position: int, *args: Any) -> Any:
    """readlink of /proc/self/fd/N, N one of 0-2: the pipe's name, as Linux's pipefs gives it."""
    name = f"pipe:[{PIPE_INODE[fd]}]"
    return _real_os.fsencode(name) if isinstance(args[0], bytes) else name


def _pathconf(program: Program, fd: int, position: int, *args: Any) -> int:
    """fpathconf of a pipe (PC_PIPE_BUF: 4096), asked of a pipe of the machine's own."""
    read_end, write_end = _real_os.pipe()
    try:
        return _real_os.fpathconf(read_end, *args[1:])
    finally:
        _real_os.close(read_end)
        _real_os.close(write_end)


def _writes(fd: int) -> None:
    """0 is a pipe's read end, 1 and 2 its write end: the wrong end is EBADF."""
    if fd == 0:
        raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))


def _reads(fd: int) -> None:
    if fd != 0:
        raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))


def scatter_read(read: Any, buffers: Any) -> int:
    """readv(2): one read of as many bytes as the buffers hold, spread over them in turn; the bytes read."""
    views = [memoryview(b).cast("B") for b in buffers]
    data, done = read(sum(len(v) for v in views)), 0
    for view in views:
        part = data[done : done + len(view)]
        view[: len(part)] = part
        done += len(part)
    return done


def _readv(program: Program, fd: int, position: int, *args: Any) -> int:
    _reads(fd)
    return scatter_read(program.stdin.buffer.read, args[1])


def _writev(program: Program, fd: int, position: int, *args: Any) -> int:
    _writes(fd)
    return program.stdout.buffer.write(b"".join(bytes(memoryview(b).cast("B")) for b in args[1]))  # type: ignore[no-any-return]


def _read_file(program: Program, source: Any, count: int, offset: Any) -> bytes:
    """`count` bytes of a file the program opened (EBADF for a number it has not)."""
    if not program.holds_file(source):
        raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
    return _real_os.read(source, count) if offset is None else _real_os.pread(source, count, offset)


def _sendfile(program: Program, fd: int, position: int, *args: Any) -> int:
    """os.sendfile(out, in, offset, count): out 1 or 2 takes a file's bytes; a pipe cannot be the source."""
    if position == 1:
        raise OSError(
            errno.EINVAL if fd == 0 else errno.EBADF, _real_os.strerror(errno.EINVAL if fd == 0 else errno.EBADF)
        )
    _writes(fd)
    _, source, offset, count = args[:4]
    data = _read_file(program, source, count, offset)
    return program.stdout.buffer.write(data) if data else 0  # type: ignore[no-any-return]


def _splice(program: Program, fd: int, position: int, *args: Any) -> int:
    """os.splice(src, dst, count, offset_src, offset_dst): stdin to a file, a file (or stdin) to the output."""
    src, dst, count, *offsets = args
    if not count:
        return 0  # Linux's splice answers a zero length before it looks at the descriptors
    if position == 0:
        _reads(fd)
        if len(offsets) > 0 and offsets[0] is not None:
            raise OSError(errno.ESPIPE, _real_os.strerror(errno.ESPIPE))
        data = program.stdin.buffer.read(count)
    else:
        data = _read_file(program, src, count, offsets[0] if offsets else None)
    if is_stream(dst):
        _writes(dst)
        return program.stdout.buffer.write(data) if data else 0  # type: ignore[no-any-return]
    if not program.holds_file(dst):
        raise OSError(errno.EBADF, _real_os.strerror(errno.EBADF))
    where = offsets[1] if len(offsets) > 1 else None
    return _real_os.write(dst, data) if where is None else _real_os.pwrite(dst, data, where)


def _fallocate(program: Program, fd: int, position: int, *args: Any) -> None:
    _writes(fd)  # the read end is not open for writing: EBADF before the pipe's ESPIPE
    raise OSError(errno.ESPIPE, _real_os.strerror(errno.ESPIPE))


def _lockf(program: Program, fd: int, position: int, *args: Any) -> None:
    """A lock on a pipe is taken (F_TEST, F_ULOCK answer at once); locking needs the end open for writing."""
    if len(args) > 1 and args[1] in (_real_os.F_LOCK, _real_os.F_TLOCK):
        _writes(fd)


def _fcntl_lockf(program: Program, fd: int, position: int, *args: Any) -> None:
    """fcntl.lockf on a pipe: LOCK_EX (a write lock) needs the write end, LOCK_SH (a read lock) the read end."""
    operation = args[1] if len(args) > 1 else 0
    if operation & _real_fcntl.LOCK_EX:
        _writes(fd)
    elif operation & _real_fcntl.LOCK_SH:
        _reads(fd)


# os call -> its answer given descriptor 0, 1 or 2 (as the argument at `position`): Linux's on a pipe
STREAM_CALLS: dict[str, Callable[..., Any]] = {
    **dict.fromkeys(("fstat", "stat"), lambda program, fd, position, *args: pipe_stat(program, fd)),
    **dict.fromkeys(("fstatvfs", "statvfs"), lambda *args: _real_pipe()[1]),
    **dict.fromkeys(("fpathconf", "pathconf"), _pathconf),
    "device_encoding": _answer(None),  # not a terminal: no encoding of its own
    **dict.fromkeys(("ttyname", "tcgetpgrp", "tcsetpgrp", "get_terminal_size"), _fail(errno.ENOTTY)),
    **dict.fromkeys(("ftruncate", "truncate", "fsync", "fdatasync"), _fail(errno.EINVAL)),
    **dict.fromkeys(("lseek", "pread", "pwrite", "preadv", "pwritev", "posix_fadvise"), _fail(errno.ESPIPE)),
    "posix_fallocate": _fallocate,
    "lockf": _lockf,
    "fcntl.lockf": _fcntl_lockf,
    "copy_file_range": _fail(errno.EINVAL),
    "readv": _readv,
    "writev": _writev,
    "sendfile": _sendfile,
    "splice": _splice,
    "get_inheritable": _answer(True),  # 0-2 are inherited across exec
    "set_inheritable": _answer(None),
    # the pipe's inode takes a mode, an owner and times, as Linux's pipefs does (not kept: fstat is as made)
    **dict.fromkeys(("fchmod", "chmod", "fchown", "chown", "utime"), _answer(None)),
    **dict.fromkeys(("fchdir", "chdir", "listdir", "scandir"), _fail(errno.ENOTDIR)),
    "readlink": _readlink,
    "listxattr": _answer([]),
    "getxattr": _fail(errno.ENODATA),
    **dict.fromkeys(("setxattr", "removexattr"), _fail(errno.EPERM)),
}


def stream_call(program: Program, name: str, fd: int, position: int, *args: Any) -> Any:
    """os.`name`(*args) whose argument at `position` is standard descriptor `fd`: Linux's answer on a pipe."""
    answer = STREAM_CALLS.get(name, _fail(errno.EBADF))  # a call not in the table never reaches lanlab's
    return answer(program, fd, position, *args)
