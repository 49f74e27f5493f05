"""Where a run with programs executes: behind a network-namespace wall, or in a bubblewrap sandbox.

The socket shim is the door programs use; this is the wall under it. A run with `--app`
forks once its programs are loaded (`enter_wall`), and the child (which runs the simulation,
prints the report and exits; `walled_command` makes sure it never returns to a caller) moves
into a fresh network namespace: as root `unshare(CLONE_NEWNET)`, otherwise a new user
namespace too (`CLONE_NEWUSER|CLONE_NEWNET`, our uid and gid mapped to themselves so files
written keep their owner). The namespace has only `lo`, down: whatever a program digs out of
the interpreter (the real `_socket` through gc, a process it starts), no packet leaves, not
even to 127.0.0.1 of the machine. We fork rather than unshare lanlab itself so that the
caller (a test runner, a notebook) keeps its network; the parent relays the child's output
when its own stdout is not a file descriptor, and exits with the child's status.

`--sandbox` runs the whole command again under bubblewrap: no network, the filesystem
read-only except the run's directory (and a private /tmp), CPU-time and memory limits
(`--app-limits`, setrlimit in the child, kept across exec).
"""

from __future__ import annotations

import functools
import io
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

import click

from lanlab.cli.common import EXIT_INTERRUPTED, EXIT_NO_ANSWER, OUTPUT_FULL, fail, say_output_failed
from lanlab.i18n import L_, _, localize, message_of
from lanlab.units import UnitError, parse_duration

CLONE_NEWUSER = 0x10000000  # <linux/sched.h>
CLONE_NEWNET = 0x40000000
SANDBOXED_ENV = "LANLAB_SANDBOXED"  # set inside bubblewrap: the network is already walled off
SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
}
MOST_MEMORY = 2**47  # x86-64's user address space (47 bits): a larger RLIMIT_AS limits nothing
_FRAME_HEADER = 5  # one byte: which stream, four: length


@dataclass(frozen=True)
class Limits:
    """--app-limits: CPU seconds and address-space bytes of the process that runs the simulation."""

    cpu: int | None = None
    mem: int | None = None

    def text(self) -> str:
        parts = ([f"cpu={self.cpu}s"] if self.cpu is not None else []) + (
            [f"mem={self.mem // 1024**2}MiB"] if self.mem is not None else []
        )
        return ",".join(parts)


def parse_limits(text: str) -> Limits:
    """`cpu=10s,mem=512MiB` (either may be left out)."""
    values: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("cpu", "mem"):
            fail(
                _("--app-limits {text}: expected cpu=DURATION and/or mem=SIZE, like cpu=10s,mem=512MiB").format(
                    text=repr(text)
                )
            )
        if key in values:
            fail(_("--app-limits {text}: {key} is given twice").format(text=repr(text), key=key))
        if key == "cpu":
            try:
                seconds = parse_duration(value.strip()) / 1e9
            except UnitError as error:
                fail(_("--app-limits cpu={value}: {error}").format(value=value, error=localize(message_of(error))))
            if seconds < 1:
                fail(
                    _("--app-limits cpu={value}: the kernel counts CPU time in whole seconds; give 1s or more").format(
                        value=value
                    )
                )
            values["cpu"] = int(seconds)
        else:
            values["mem"] = _parse_size(value.strip(), text)
    return Limits(**values)


def _parse_size(value: str, text: str) -> int:
    number = value.rstrip("bBkKmMgGiI")
    unit = value[len(number) :].lower()
    try:
        size = float(number) * SIZE_UNITS[unit]
    except (ValueError, KeyError):
        size = math.nan
    if not math.isfinite(size):  # float() reads nan and inf too
        fail(_("--app-limits mem={value}: expected a size like 512MiB, 2GiB or 800MB").format(value=value))
    if size > MOST_MEMORY:  # setrlimit takes a C long
        fail(
            _("--app-limits mem={value}: more than a process can address (128TiB); give a size like 2GiB").format(
                value=value
            )
        )
    if size < 64 * 1024**2:
        fail(_("--app-limits mem={value}: Python itself needs more; give 64MiB or more").format(value=value))
    return int(size)


def apply_limits(limits: Limits) -> None:
    """setrlimit on this process (and what it execs). CPU: SIGXCPU at the limit, SIGKILL 1 s later."""
    if limits.cpu is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu, limits.cpu + 1))
        signal.signal(signal.SIGXCPU, _cpu_limit_reached(limits))
    if limits.mem is not None:
        resource.setrlimit(resource.RLIMIT_AS, (limits.mem, limits.mem))


def above_inherited(limits: Limits) -> Limits:
    """The limits with the memory counted from the address space this child inherited at the fork.
    RLIMIT_AS caps the whole address space, and a child forked from a worker starts with the worker's
    (a Dask worker's thread stacks and malloc arenas, a long session's heap: often past 512 MiB of
    virtual memory, little of it resident); a cap below that fails the run's first allocation with a
    MemoryError that is none of the run's doing. `sim run` forks too, from the CLI process or from
    whatever calls its command (a test runner's large heap made a greenlet's first stack fail)."""
    if limits.mem is None:
        return limits
    return replace(limits, mem=limits.mem + _address_space())


def _address_space() -> int:
    """This process's virtual size in bytes (Linux's /proc/self/statm: pages, first field); 0 elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _cpu_limit_reached(limits: Limits) -> Callable[[int, Any], None]:
    def handler(signum: int, frame: Any) -> None:
        message = (
            _(
                "lanlab: the run used its CPU time (--app-limits cpu={cpu}s) and was stopped; "
                "a program probably loops without waiting"
            ).format(cpu=limits.cpu)
            + "\n"
        )
        os.write(2, message.encode())
        os._exit(EXIT_NO_ANSWER)  # a stopped run, as with --max-events

    return handler


# -- the network-namespace wall --------------------------------------------------------------------
def enter_network_namespace() -> str | None:
    """Move this process into a new network namespace; None when done, else why not (one line)."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNET if uid == 0 else CLONE_NEWUSER | CLONE_NEWNET
    try:
        unshare(flags)
    except OSError as error:
        return f"unshare({'CLONE_NEWNET' if uid == 0 else 'CLONE_NEWUSER|CLONE_NEWNET'}): {error.strerror or error}"  # the call's words
    if uid != 0:
        try:  # map ourselves to ourselves, or files we create would fail (EOVERFLOW)
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        except OSError as error:
            return L_("mapping uid {uid} in the new user namespace: {reason}", uid=uid, reason=error.strerror or error)
    return None


def unshare(flags: int) -> None:
    """unshare(2): os.unshare from Python 3.12, libc's through ctypes before."""
    if hasattr(os, "unshare"):
        os.unshare(flags)
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


@dataclass
class Wall:
    """What keeps a run's programs off the real network, for the report and --json."""

    kind: str  # "namespace", "sandbox" or "none"
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason}

    def warning(self) -> str | None:
        if self.kind != "none":
            return None
        return _(
            "warning: no network-namespace wall under the programs ({reason}); only the socket shim "
            "keeps them off the real network (--sandbox adds one with bubblewrap)"
        ).format(reason=localize(self.reason or ""))


_walled_child = False  # this process is a run's walled child: it ends with its run, never returns to a caller


def enter_wall(limits: Limits | None) -> Wall:
    """Fork. The parent waits for the child (relaying its output when its stdout is not a file
    descriptor) and exits with the child's status; the child, behind the wall, returns the Wall
    and runs the rest of the command (`walled_command` ends it there)."""
    global _walled_child
    if os.environ.get(SANDBOXED_ENV):  # bubblewrap's namespace is the wall; limits are ours to keep
        if limits is not None:
            apply_limits(limits)
        return Wall("sandbox")
    relay = not (_has_fd(sys.stdout, 1) and _has_fd(sys.stderr, 2))
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: started with it closed (>&-); the relay drops what goes there
            stream.flush()
    read_end, write_end = os.pipe() if relay else (-1, -1)
    pid = os.fork()
    if pid != 0:
        sys.exit(_wait_for(pid, read_end if relay else None, write_end if relay else None))
    _walled_child = True
    try:
        if relay:
            os.close(read_end)
            sys.stdout, sys.stderr = _framed(write_end, 1), _framed(write_end, 2)
        reason = enter_network_namespace()
        if limits is not None:
            apply_limits(above_inherited(limits))
    except BaseException as error:  # noqa: BLE001 - the child must not return into the caller
        _end_child(error)
    return Wall("namespace") if reason is None else Wall("none", reason)


def walled_command(callback: Callable[..., Any]) -> Callable[..., Any]:
    """A command that may call enter_wall: in the walled child, however the command ends (return,
    sys.exit, a one-line error, a bug) the child process ends there with that status."""

    @functools.wraps(callback)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            result = callback(*args, **kwargs)
        except BaseException as error:
            if _walled_child:
                _end_child(error)
            raise
        if _walled_child:
            _end_child(None)
        return result

    return command


def _end_child(error: BaseException | None) -> NoReturn:
    """Exit the walled child with the status click would give `error`, its output flushed."""
    status = 0 if error is None else _status_of(error)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 - exiting anyway
            pass
    os._exit(status)


def _status_of(error: BaseException) -> int:
    """The exit status click's main would make of what a command raised (showing its message)."""
    if isinstance(error, click.exceptions.Exit):
        return error.exit_code
    if isinstance(error, click.ClickException):
        error.show()
        return error.exit_code
    if isinstance(error, SystemExit):
        return error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, BrokenPipeError):  # the reader of our output went away (| head): as click.main ends it
        return 1
    if isinstance(error, OSError) and error.errno in OUTPUT_FULL:  # as main() says it for an unwalled run
        return say_output_failed(error)
    traceback.print_exception(error)  # a bug: shown as Python would, in the parent's stderr
    return 1


def _has_fd(stream: Any, fd: int) -> bool:
    try:
        return stream.fileno() == fd  # type: ignore[no-any-return]
    except (AttributeError, OSError, ValueError):
        return False


class _FrameWriter(io.RawIOBase):
    """Writes to the shared pipe, each write framed with the stream it belongs to, so the parent
    replays stdout and stderr in the order they were written."""

    def __init__(self, fd: int, stream: int) -> None:
        self.fd = fd
        self.stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        frame = bytes([self.stream]) + len(data).to_bytes(4, "big") + data
        view = memoryview(frame)
        while view:
            view = view[os.write(self.fd, view) :]
        return len(data)


def _framed(fd: int, stream: int) -> io.TextIOWrapper:
    like = sys.stdout if stream == 1 else sys.stderr
    return io.TextIOWrapper(
        _FrameWriter(fd, stream),  # type: ignore[arg-type]
        encoding=getattr(like, "encoding", None) or "utf-8",
        errors=getattr(like, "errors", None) or "strict",
        write_through=True,
    )


def _wait_for(pid: int, read_end: int | None, write_end: int | None) -> int:
    """Wait for the child (relaying its output); Ctrl-C reaches it directly, SIGTERM is passed on."""
    in_main = threading.current_thread() is threading.main_thread()  # only there can handlers be set
    if in_main:
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        previous_term = signal.signal(signal.SIGTERM, lambda signum, frame: _pass_on(pid, signal.SIGTERM))
    try:
        if read_end is not None:
            assert write_end is not None
            os.close(write_end)
            _relay(read_end)
        _, status = os.waitpid(pid, 0)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous_int)
            signal.signal(signal.SIGTERM, previous_term)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def _pass_on(pid: int, signum: int) -> None:
    """A signal to the child, which may have ended (been reaped) just before the handler ran."""
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _relay(fd: int) -> None:
    pending = b""
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while chunk := pipe.read(65536):
            pending += chunk
            while len(pending) >= _FRAME_HEADER:
                size = int.from_bytes(pending[1:_FRAME_HEADER], "big")
                if len(pending) < _FRAME_HEADER + size:
                    break
                stream = sys.stdout if pending[0] == 1 else sys.stderr
                text = pending[_FRAME_HEADER : _FRAME_HEADER + size]
                pending = pending[_FRAME_HEADER + size :]
                if stream is None:
                    continue
                stream.write(text.decode(getattr(stream, "encoding", None) or "utf-8", "replace"))
                stream.flush()


# -- the bubblewrap sandbox ------------------------------------------------------------------------
def run_sandboxed(argv: list[str], writable: list[Path], limits: Limits | None) -> int:
    """`argv` (a lanlab command) under bubblewrap, `writable` the only folders it may write;
    returns its exit status."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        fail(_("--sandbox needs bubblewrap, which is not installed (Debian/Ubuntu: apt install bubblewrap)"))
    binds = [word for folder in writable for word in ("--bind", str(folder.resolve()), str(folder.resolve()))]
    command = [
        bwrap,
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        *binds,
        "--chdir",
        str(Path.cwd()),
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--setenv",
        SANDBOXED_ENV,
        "1",
        sys.executable,
        "-m",
        "lanlab",
        *argv,
    ]
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    relay = not (_has_fd(sys.stdout, 1) and _has_fd(sys.stderr, 2))
    pipe = subprocess.PIPE if relay else None
    try:
        # setrlimit must happen in the child before exec, and no thread of ours runs at that point
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=pipe,
            stderr=pipe,
            preexec_fn=(lambda: apply_limits(limits)) if limits else None,
        )  # noqa: PLW1509  # noqa: PLW1509 - setrlimit must happen in the child before exec
    except OSError as error:
        fail(_("--sandbox: cannot start bubblewrap: {reason}").format(reason=error.strerror or error))
    in_main = threading.current_thread() is threading.main_thread()
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None  # Ctrl-C reaches the run
    try:
        if relay:
            copiers = [
                threading.Thread(target=_copy, args=(source, target), daemon=True)
                for source, target in ((process.stdout, sys.stdout), (process.stderr, sys.stderr))
            ]
            for copier in copiers:
                copier.start()
            for copier in copiers:
                copier.join()
        status = process.wait()
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous_int)
    return status if status >= 0 else 128 - status


def _copy(source: Any, target: Any) -> None:
    for line in source:
        target.write(line.decode(getattr(target, "encoding", None) or "utf-8", "replace"))
        target.flush()


def command_line(ctx: click.Context, drop: tuple[str, ...]) -> list[str]:
    """The command's own words and the options given to it, as a command line (without `drop`)."""
    from click.core import ParameterSource

    words = ctx.command_path.split()[1:]
    positional: list[str] = []
    for param in ctx.command.params:
        name = param.name
        if name is None or name in drop or ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[name]
        if isinstance(param, click.Argument):
            positional.extend(map(str, value if param.multiple or param.nargs != 1 else [value]))
            continue
        assert isinstance(param, click.Option)
        flag = max(param.opts, key=len)
        if param.is_flag:
            if value:
                words.append(flag)
            elif param.secondary_opts:
                words.append(max(param.secondary_opts, key=len))
            continue
        for item in value if param.multiple else [value]:
            words += [flag, str(item)]
    return [*words, "--", *positional] if positional else words
