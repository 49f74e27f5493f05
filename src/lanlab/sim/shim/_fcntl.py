"""`fcntl` for a program on a simulated host: its descriptor numbers are its own (`Program.new_fd`), so
fcntl, ioctl, flock and lockf go to the real call only for a file the program opened; on one of its
simulated sockets they act on that socket as Linux would; on any other number they are EBADF (the real
call would reach whatever lanlab itself has open under that number).
"""

from __future__ import annotations

import array
import errno
import fcntl as _real_fcntl
import os as _real_os
import socket as _real_socket
import struct
import termios
from typing import TYPE_CHECKING, Any

from lanlab.sim.shim._arguments import c_int
from lanlab.sim.shim._process import UnsupportedInSimulation
from lanlab.sim.shim._proxy import Proxy
from lanlab.sim.shim._streams import stream_call

if TYPE_CHECKING:
    from lanlab.sim.shim._process import Program

SIOCINQ = termios.FIONREAD  # bytes waiting to be read (a datagram socket: the next datagram's size)
SIOCOUTQ = termios.TIOCOUTQ  # bytes sent and not yet acknowledged, or not yet sent
STANDARD = object()  # descriptors 0-2: the program's standard streams
# the interface requests of netdevice(7) a program asks its own interfaces with (the classic "my IP address"
# recipe: ioctl(s, SIOCGIFADDR, struct.pack("256s", b"eth0"))[20:24]); each reads a struct ifreq
SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFHWADDR, SIOCGIFMTU, SIOCGIFINDEX = 0x8915, 0x891B, 0x8927, 0x8921, 0x8933
IFREQ_SIZE, IFNAMSIZ = 40, 16  # sizeof(struct ifreq) on 64-bit Linux; the name's 16 bytes, NUL included
ARPHRD_ETHER, ARPHRD_LOOPBACK = 1, 772
# the commands that make a new descriptor for the same open file (os.dup's, from a lowest number on)
DUPLICATING = {
    cmd: name for name in ("F_DUPFD", "F_DUPFD_CLOEXEC") if (cmd := getattr(_real_fcntl, name, None)) is not None
}


def _error(code: int) -> OSError:
    return OSError(code, _real_os.strerror(code))


def _number(fd: Any) -> int:
    """A descriptor as fcntl takes it: an int or an object with fileno()."""
    if isinstance(fd, int):
        return fd
    fileno = getattr(fd, "fileno", None)
    if fileno is None:
        raise TypeError("argument must be an int, or have a fileno() method.")
    return int(fileno())


def _ioctl_result(value: int, arg: Any, mutate: bool) -> Any:
    """The int a socket ioctl writes, given back the way fcntl.ioctl gives a C int out: in a copy of
    an immutable buffer, in a mutable one (returning 0), never through an int (EFAULT)."""
    if isinstance(arg, int):
        raise _error(errno.EFAULT)  # the kernel would write through the integer as a pointer
    packed = struct.pack("i", value)
    if isinstance(arg, str):
        arg = arg.encode()
    if isinstance(arg, (bytearray, array.array, memoryview)) and mutate:
        view = memoryview(arg).cast("B")
        if len(view) < len(packed):
            raise _error(errno.EFAULT)
        view[: len(packed)] = packed
        return 0
    if len(arg) < len(packed):
        raise _error(errno.EFAULT)
    return packed + bytes(arg)[len(packed) :]


class DescriptorControl:
    """fcntl's calls on one program's descriptors."""

    def __init__(self, program: Program) -> None:
        self.program = program

    def _socket_or_file(self, fd: Any) -> tuple[int, Any]:
        """(number, its simulated socket, or STANDARD for 0-2, or None for a file of the program's); EBADF
        for anything else."""
        number = _number(fd)
        if number in (0, 1, 2):
            return number, STANDARD
        sock = self.program.socket_at(number)
        if sock is None and not self.program.holds_file(number):
            raise _error(errno.EBADF)
        return number, sock

    def fcntl(self, fd: Any, cmd: int, arg: Any = 0, /) -> Any:
        number, sock = self._socket_or_file(fd)
        if cmd in DUPLICATING:
            return self._duplicate(number, sock, cmd, arg)
        if sock is None:
            return _real_fcntl.fcntl(number, cmd, arg)
        if sock is STANDARD:
            # the program's own streams, which lanlab feeds and captures: their flags read as a pipe's
            if cmd == _real_fcntl.F_GETFL:
                return _real_os.O_RDONLY if number == 0 else _real_os.O_WRONLY
            if cmd in (_real_fcntl.F_SETFL, _real_fcntl.F_GETFD, _real_fcntl.F_SETFD):
                return 0
            raise _error(errno.EINVAL)
        if cmd == _real_fcntl.F_GETFL:
            return _real_os.O_RDWR | (0 if sock.getblocking() else _real_os.O_NONBLOCK)
        if cmd == _real_fcntl.F_SETFL:
            sock.setblocking(not int(arg) & _real_os.O_NONBLOCK)  # O_NONBLOCK is the flag a socket keeps
            return 0
        if cmd == _real_fcntl.F_GETFD:
            return 0 if sock.get_inheritable() else _real_fcntl.FD_CLOEXEC
        if cmd == _real_fcntl.F_SETFD:
            sock.set_inheritable(not int(arg) & _real_fcntl.FD_CLOEXEC)
            return 0
        raise _error(errno.EINVAL)  # duplicating, locking, leases, signals: not for a simulated socket

    def _duplicate(self, number: int, sock: Any, cmd: int, arg: Any) -> int:
        """F_DUPFD, F_DUPFD_CLOEXEC: a file's new descriptor is the program's own, past its sockets' numbers (the
        real one could take a socket's number, and os.write of it reached the socket). A socket or 0-2 cannot
        be duplicated, as os.dup cannot: a second number for a simulated socket or stream."""
        if sock is None:
            floor = c_int(arg)  # a negative one is the real call's EINVAL
            return self.program.own_descriptor(_real_fcntl.fcntl(number, cmd, floor), above=floor)
        raise UnsupportedInSimulation(
            f"fcntl.fcntl({number}, {DUPLICATING[cmd]}) is not available to a program on simulated host "
            f"{self.program.node}"
        )

    def ioctl(self, fd: Any, request: int, arg: Any = 0, mutate_flag: bool = True, /) -> Any:
        number, sock = self._socket_or_file(fd)
        if sock is None:
            return _real_fcntl.ioctl(number, request, arg, mutate_flag)
        if sock is STANDARD:
            raise _error(errno.ENOTTY)  # not a terminal, as isatty() says
        if request == SIOCINQ:
            return _ioctl_result(sock.bytes_waiting(), arg, mutate_flag)
        if request == SIOCOUTQ:
            return _ioctl_result(sock.bytes_unacknowledged(), arg, mutate_flag)
        if request in (SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFHWADDR, SIOCGIFMTU, SIOCGIFINDEX):
            return self._interface(request, arg, mutate_flag)
        raise _error(errno.ENOTTY)  # sock_ioctl: no such request for this socket

    def _interface(self, request: int, arg: Any, mutate: bool) -> Any:
        """A netdevice(7) request about one of the host's interfaces (or lo), named in the ifreq `arg`: its
        IPv4 address, netmask, MAC, MTU or index written after the name, as Linux's dev_ifsioc_locked and
        inet_ioctl write them; ENODEV for a name the host lacks, EADDRNOTAVAIL for an interface with no address."""
        if isinstance(arg, int):
            raise _error(errno.EFAULT)
        given = arg.encode() if isinstance(arg, str) else bytes(memoryview(arg).cast("B"))
        ifreq = bytearray(given[:IFREQ_SIZE].ljust(IFREQ_SIZE, b"\0"))  # the kernel reads a whole struct ifreq
        name = bytes(ifreq[: IFNAMSIZ - 1]).split(b"\0")[0].decode("latin-1")
        # (index, MAC, hardware type, address, netmask, MTU): lo is 1 in every namespace, the host's own follow
        found = [(1, b"\0" * 6, ARPHRD_LOOPBACK, "127.0.0.1", "255.0.0.0", 65536)] if name == "lo" else []
        for index, nic in enumerate(self.program.host.nics, start=2):
            if nic.name == name:
                address = nic.address
                ip, mask = (str(address.ip), str(address.netmask)) if address is not None else (None, None)
                found.append((index, bytes(nic.mac), ARPHRD_ETHER, ip, mask, nic.mtu))
        if not found:
            raise _error(errno.ENODEV)
        index, mac, hardware, ip, mask, mtu = found[0]
        if request in (SIOCGIFADDR, SIOCGIFNETMASK):
            if ip is None:
                raise _error(errno.EADDRNOTAVAIL)
            ifreq[16:32] = struct.pack(
                "=H2s4s8x", _real_socket.AF_INET, b"", _real_socket.inet_aton(ip if request == SIOCGIFADDR else mask)
            )
        elif request == SIOCGIFHWADDR:
            ifreq[16:32] = struct.pack("=H6s8x", hardware, mac)
        else:
            ifreq[16:20] = struct.pack("i", mtu if request == SIOCGIFMTU else index)
        if isinstance(arg, (bytearray, array.array, memoryview)) and mutate:
            view = memoryview(arg).cast("B")
            size = min(len(view), IFREQ_SIZE)
            view[:size] = ifreq[:size]
            return 0
        return bytes(ifreq[: len(given)]) + given[IFREQ_SIZE:]

    def flock(self, fd: Any, operation: int, /) -> None:
        number, sock = self._socket_or_file(fd)
        if sock is None:
            _real_fcntl.flock(number, operation)  # a socket's lock has no one to contend with: granted

    def lockf(self, fd: Any, cmd: int, len: int = 0, start: int = 0, whence: int = 0, /) -> Any:  # noqa: A002
        number, sock = self._socket_or_file(fd)
        if sock is STANDARD:  # a pipe's end takes the lock of its direction, as on Linux
            return stream_call(self.program, "fcntl.lockf", number, 0, number, cmd)
        if sock is not None:
            raise _error(errno.EINVAL)  # POSIX locks need a regular file, not a socket
        return _real_fcntl.lockf(number, cmd, len, start, whence)


def fcntl_module(program: Program) -> Proxy:
    control = DescriptorControl(program)
    return Proxy(
        _real_fcntl,
        {"fcntl": control.fcntl, "ioctl": control.ioctl, "flock": control.flock, "lockf": control.lockf},
    )


def termios_module(program: Program) -> Proxy:
    """termios on the program's descriptors: the real call on a file the program opened; on 0-2 and its
    simulated sockets, the real call on a pipe of the machine's own (termios.error ENOTTY after the same
    argument checks: none is a terminal, as isatty says); on any other number EBADF (the real call would read,
    or set, lanlab's own terminal: tty.setraw(0) put the teacher's terminal in raw mode)."""
    control = DescriptorControl(program)

    def guarded(name: str) -> Any:
        real = getattr(termios, name)

        def call(fd: Any, /, *args: Any) -> Any:
            try:
                number, sock = control._socket_or_file(fd)
            except OSError as error:
                raise termios.error(error.errno, error.strerror) from None
            if sock is None:
                return real(number, *args)
            read_end, write_end = _real_os.pipe()
            try:
                return real(read_end if number == 0 else write_end, *args)
            finally:
                _real_os.close(read_end)
                _real_os.close(write_end)

        call.__name__ = call.__qualname__ = name
        call.__doc__ = real.__doc__
        return call

    names = ("tcgetattr", "tcsetattr", "tcsendbreak", "tcdrain", "tcflush", "tcflow", "tcgetwinsize", "tcsetwinsize")
    return Proxy(termios, {name: guarded(name) for name in names if hasattr(termios, name)})
