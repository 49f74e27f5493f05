"""Run as `python -I -S noipv6.py PROGRAM ARGS...`: install a seccomp filter under which
socket(AF_INET6, ...) fails with EAFNOSUPPORT, as on a Linux host booted with ipv6.disable=1 (the
simulator's hosts are IPv4 only), then exec PROGRAM. The filter is inherited by everything PROGRAM
starts. On a machine whose architecture it does not know, or where the kernel refuses the filter,
PROGRAM runs without it (IPv6 then stays off only by the namespace's disable_ipv6 sysctls).

Standard library only, no lanlab import: it runs before the program, in its namespace."""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

# (AUDIT_ARCH_*, __NR_socket) of the architectures known here
SOCKET_CALL = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
AF_INET6 = 10
EAFNOSUPPORT = 97
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LD_ABS, JEQ, RET = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
ALLOW, ERRNO = 0x7FFF0000, 0x00050000  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO


def _op(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def program(arch: int, nr: int) -> bytes:
    """The BPF program over struct seccomp_data (nr at 0, arch at 4, args[0]'s low word at 16)."""
    return b"".join(
        [
            _op(LD_ABS, 0, 0, 4),
            _op(JEQ, 0, 4, arch),  # another ABI: allow
            _op(LD_ABS, 0, 0, 0),
            _op(JEQ, 0, 2, nr),  # not socket(): allow
            _op(LD_ABS, 0, 0, 16),
            _op(JEQ, 1, 0, AF_INET6),
            _op(RET, 0, 0, ALLOW),
            _op(RET, 0, 0, ERRNO | EAFNOSUPPORT),
        ]
    )


class _Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install() -> bool:
    """Whether the filter is in place for this process and what it execs."""
    known = SOCKET_CALL.get(platform.machine())
    if known is None:
        return False
    code = program(*known)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _Fprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0:
        return True
    # without CAP_SYS_ADMIN the kernel takes a filter only under no_new_privs
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0


if __name__ == "__main__":
    install()
    os.execv(sys.argv[1], sys.argv[1:])
