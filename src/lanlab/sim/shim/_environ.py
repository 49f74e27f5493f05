"""A program's environment: its own copy of lanlab's, made as it starts, as a process inherits its parent's
(the kernel lab starts each program so: real/programs.py passes lanlab's environment on). os.environ,
os.environb, getenv, putenv, unsetenv and posix.environ read and change that copy only: a program that sets a
variable changes neither lanlab's environment (TMPDIR, TZ, LANG, which lanlab and its later runs read) nor
another program's, and two programs on two hosts each see their own. CPython's own os._Environ does the work,
its putenv and unsetenv the program's: they check a name and a value as the real ones do and change nothing
of the machine's (nothing in a program reads the C environment: it starts no process)."""

from __future__ import annotations

import errno
import os as _real_os
from typing import Any

from lanlab.sim.shim._proxy import with_globals


def _encoded(value: Any) -> bytes:
    """A name or value as CPython's putenv takes it (PyUnicode_FSConverter): str, bytes or a path, no NUL."""
    encoded = _real_os.fsencode(value)  # TypeError "expected str, bytes or os.PathLike object, not int"
    if b"\0" in encoded:
        raise ValueError("embedded null byte")
    return encoded


def putenv(name: Any, value: Any, /) -> None:
    """os.putenv: setenv(3)'s checks (a name with '=' a ValueError, as CPython's; an empty one EINVAL)."""
    key, _ = _encoded(name), _encoded(value)
    if b"=" in key:
        raise ValueError("illegal environment variable name")
    if not key:
        raise OSError(errno.EINVAL, _real_os.strerror(errno.EINVAL))


def unsetenv(name: Any, /) -> None:
    """os.unsetenv: unsetenv(3)'s checks (an empty name or one with '=' EINVAL)."""
    key = _encoded(name)
    if not key or b"=" in key:
        raise OSError(errno.EINVAL, _real_os.strerror(errno.EINVAL))


# os's globals with the program's putenv and unsetenv: os._Environ's methods set and delete through them
_SCOPE = {**vars(_real_os), "putenv": putenv, "unsetenv": unsetenv}
_Environ: type = type(
    "_Environ",
    (_real_os._Environ,),  # type: ignore[attr-defined]
    {
        "__setitem__": with_globals(_real_os._Environ.__setitem__, _SCOPE),  # type: ignore[attr-defined]
        "__delitem__": with_globals(_real_os._Environ.__delitem__, _SCOPE),  # type: ignore[attr-defined]
        "__module__": "os",
    },
)


class ProgramEnvironment:
    """One program's environment: os.environ and os.environb over one table (bytes to bytes, as CPython keeps
    it on POSIX), and the os calls that read them."""

    def __init__(self, data: dict[bytes, bytes]) -> None:
        self.data = data
        # what /proc/self/environ shows: the environment it started with (the kernel's copy, which setenv leaves)
        self.initial = b"".join(key + b"=" + value + b"\0" for key, value in data.items())
        real = _real_os.environ
        self.environ = _Environ(data, real.encodekey, real.decodekey, real.encodevalue, real.decodevalue)
        self.environb = _Environ(data, _check_bytes, bytes, _check_bytes, bytes)
        scope = {**_SCOPE, "environ": self.environ, "environb": self.environb}
        self.calls: dict[str, Any] = {
            "environ": self.environ,
            "environb": self.environb,
            "putenv": putenv,
            "unsetenv": unsetenv,
            # os.py's own, reading the program's environ
            **{
                name: with_globals(getattr(_real_os, name), scope)
                for name in ("getenv", "getenvb", "get_exec_path")
                if hasattr(_real_os, name)
            },
        }

    def posix_calls(self) -> dict[str, Any]:
        """posix's: its environ is the table os.environ keeps (os.py makes os.environ over posix.environ)."""
        return {"environ": self.data, "putenv": putenv, "unsetenv": unsetenv}


def _check_bytes(value: Any) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"bytes expected, not {type(value).__name__}")
    return value


def inherited() -> dict[bytes, bytes]:
    """lanlab's environment now, copied: what a process it started would inherit."""
    return dict(_real_os.environb)
