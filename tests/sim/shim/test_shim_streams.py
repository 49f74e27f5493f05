"""Descriptors 0, 1 and 2 of a program on a simulated host are pipes, as to `echo | python3 prog.py | cat`:
each test runs one small program by this machine's Python through pipes and on a simulated host, and
compares what the two print."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from programs import PRELUDE, on_simulated_host
from terminals import program_lines

ROOT = Path(__file__).parent.parent.parent.parent

TERMINAL = (
    PRELUDE
    + """import shutil, stat
for fd in (0, 1, 2):
    show(f"isatty {fd}", lambda: os.isatty(fd))
    show(f"get_terminal_size {fd}", lambda: os.get_terminal_size(fd))
    show(f"ttyname {fd}", lambda: os.ttyname(fd))
    show(f"tcgetpgrp {fd}", lambda: os.tcgetpgrp(fd))
    show(f"tcsetpgrp {fd}", lambda: os.tcsetpgrp(fd, os.getpgrp()))
    show(f"device_encoding {fd}", lambda: os.device_encoding(fd))
    for name, call in (("fstat", os.fstat), ("stat", os.stat)):
        show(f"{name} {fd}", lambda: (stat.S_ISFIFO(call(fd).st_mode), oct(call(fd).st_mode), call(fd).st_size))
    show(f"getsize {fd}", lambda: (os.path.getsize(fd), os.path.isfile(fd), os.path.exists(fd)))
show("get_terminal_size()", lambda: os.get_terminal_size())
show("named", lambda: (os.device_encoding(fd=1), stat.S_ISFIFO(os.fstat(fd=1).st_mode)))
show("ftruncate named", lambda: os.ftruncate(fd=1, length=0))
show("same pipe", lambda: (os.path.samefile(1, 2), os.path.samefile(0, 1)))
show("shutil", lambda: tuple(shutil.get_terminal_size()))
"""
)

ANSWERS = (
    PRELUDE
    + """import fcntl, tempfile
source = tempfile.TemporaryFile()
source.write(b"hello")
source.flush()
for fd in (0, 1, 2):
    show(f"ftruncate {fd}", lambda: os.ftruncate(fd, 0))
    show(f"truncate {fd}", lambda: os.truncate(fd, 0))
    show(f"lseek {fd}", lambda: os.lseek(fd, 0, os.SEEK_SET))
    show(f"fsync {fd}", lambda: os.fsync(fd))
    show(f"fdatasync {fd}", lambda: os.fdatasync(fd))
    show(f"pread {fd}", lambda: os.pread(fd, 1, 0))
    show(f"pwrite {fd}", lambda: os.pwrite(fd, b"", 0))
    show(f"posix_fallocate {fd}", lambda: os.posix_fallocate(fd, 0, 1))
    show(f"posix_fadvise {fd}", lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_NORMAL))
    show(f"lockf {fd}", lambda: os.lockf(fd, os.F_TLOCK, 0))
    show(f"fchdir {fd}", lambda: os.fchdir(fd))
    show(f"listdir {fd}", lambda: os.listdir(fd))
    show(f"chdir {fd}", lambda: os.chdir(fd))
    show(f"fpathconf {fd}", lambda: os.fpathconf(fd, "PC_PIPE_BUF"))
    show(f"inheritable {fd}", lambda: os.get_inheritable(fd))
    show(f"fchmod {fd}", lambda: os.fchmod(fd, 0o600))
    show(f"chmod {fd}", lambda: os.chmod(fd, 0o600))
    show(f"utime {fd}", lambda: os.utime(fd))
    show(f"readv {fd}", lambda: os.readv(fd, [bytearray(1)]))
    show(f"copy_file_range {fd}", lambda: os.copy_file_range(source.fileno(), fd, 1))
    show(f"sendfile in {fd}", lambda: os.sendfile(source.fileno(), fd, None, 1))
    for lock in (fcntl.LOCK_EX | fcntl.LOCK_NB, fcntl.LOCK_SH | fcntl.LOCK_NB, fcntl.LOCK_UN):
        show(f"fcntl.lockf {fd} {lock}", lambda: fcntl.lockf(fd, lock))
show("fstat True", lambda: os.fstat(True).st_size)
show("writev 1", lambda: os.writev(1, [b"written ", b"by writev\\n"]))
show("sendfile 1", lambda: os.sendfile(1, source.fileno(), 0, 5))
print(flush=True)
"""
)

TERMIOS = (
    PRELUDE
    + """import socket
from termios import *
show("star import", lambda: (TCSANOW, ECHO, error.__name__))
import termios, tty
show("setraw", lambda: tty.setraw(0))
show("setcbreak", lambda: tty.setcbreak(sys.stdin.fileno()))
show("tcgetattr 2", lambda: termios.tcgetattr(2))
show("tcgetwinsize", lambda: termios.tcgetwinsize(sys.stdout))
show("tcsetattr", lambda: termios.tcsetattr(1, termios.TCSANOW, [0]))
show("tcflush", lambda: termios.tcflush(1, termios.TCIOFLUSH))
show("socket", lambda: termios.tcgetattr(socket.socket()))
show("not open", lambda: termios.tcgetattr(99))
"""
)

NAMED = (
    PRELUDE
    + """import stat
for path in ("/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/fd/1", "/proc/self/fd/2", b"/proc/self/fd/1"):
    show(f"readlink {path}", lambda: os.readlink(path)[:5])
    show(f"stat {path}", lambda: (stat.S_ISFIFO(os.stat(path).st_mode), os.stat(path).st_size))
    show(f"lstat {path}", lambda: stat.S_ISLNK(os.lstat(path).st_mode))
    show(f"os.path {path}", lambda: (os.path.isfile(path), os.path.getsize(path), os.path.exists(path)))
    show(f"getxattr {path}", lambda: os.getxattr(path, "user.x"))
with open("/dev/stdout", "w") as out:
    show("name", lambda: out.name)
    out.write("through /dev/stdout\\n")
with open("/proc/self/fd/2", "wb") as out:
    out.write(b"through /proc/self/fd/2\\n")
with open("/dev/stdin") as given:
    show("stdin", lambda: given.read())
show("samefile", lambda: os.path.samefile("/dev/stdout", 1))
"""
)

INPUT = """import sys
kept = sys.stderr
def show(label, set_up):
    saved = sys.stdin, sys.stdout, sys.stderr
    try:
        set_up()
        input("prompt")
    except BaseException as e:
        print(label, type(e).__name__, e, file=kept)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
show("stdin None", lambda: setattr(sys, "stdin", None))
show("stdout None", lambda: setattr(sys, "stdout", None))
show("stderr None", lambda: setattr(sys, "stderr", None))
show("stdin deleted", lambda: delattr(sys, "stdin"))
show("stdout deleted", lambda: delattr(sys, "stdout"))
show("stdin None, stdout deleted", lambda: (setattr(sys, "stdin", None), delattr(sys, "stdout")))
show("a line", lambda: None)
print(file=kept)
print(repr(input(0)))
show("at the end", lambda: None)
"""


def _environment() -> dict[str, str]:
    """This process's environment without COLUMNS and LINES (shutil.get_terminal_size would read them)."""
    return {name: value for name, value in os.environ.items() if name not in ("COLUMNS", "LINES")}


def _through_pipes(path: Path, stdin: str = "") -> list[str]:
    """What this machine's Python prints running `path` with stdin a pipe and 1 and 2 one pipe."""
    done = subprocess.run(
        [sys.executable, str(path)],
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        env=_environment(),
        check=True,
    )
    return done.stdout.splitlines()


def _in_terminal(path: Path) -> list[str]:
    """The lines `lanlab sim run` prints of the program at `path` on pc1, run in a terminal of 123x45 (a pty as
    its stdin, stdout and stderr)."""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 123, 0, 0))
    command = [sys.executable, "-m", "lanlab", "sim", "run", str(ROOT / "examples" / "arp.yaml"), "--until", "1s"]
    child = subprocess.Popen(
        [*command, "--app", f"pc1={path}"], stdin=terminal, stdout=terminal, stderr=terminal, env=_environment()
    )
    os.close(terminal)
    return program_lines(main, child)


def test_standard_descriptors_are_no_terminal_even_when_lanlab_runs_in_one(tmp_path: Path):
    """Under a terminal of 123x45, a program's 0-2 answer as pipes: get_terminal_size, ttyname, tcgetpgrp and
    tcsetpgrp are ENOTTY, device_encoding None, fstat and stat a FIFO, empty, shutil.get_terminal_size() 80x24,
    with the descriptor given, named (fd=1) or left out (get_terminal_size()), as python3 through pipes prints
    (they were the terminal's: 123 columns, /dev/pts/N, a character device)."""
    path = tmp_path / "terminal.py"
    path.write_text(TERMINAL)
    expected = _through_pipes(path)
    assert "shutil (80, 24)" in expected
    assert _in_terminal(path) == expected


def test_termios_finds_no_terminal_even_when_lanlab_runs_in_one(tmp_path: Path):
    """Under a terminal, termios on 0-2 and on a socket is termios.error ENOTTY after CPython's own argument checks,
    on a number the program lacks EBADF, and tty.setraw(0) fails as through pipes (it set lanlab's terminal
    raw); `from termios import *`, as tty does it, gives the constants."""
    path = tmp_path / "terminal_calls.py"  # not termios.py: it would be the module tty imports
    path.write_text(TERMIOS)
    expected = _through_pipes(path)
    assert "setraw ('error', None, \"(25, 'Inappropriate ioctl for device')\")" in expected
    assert _in_terminal(path) == expected


def test_standard_descriptors_answer_the_file_calls_as_linux_does_a_pipe(tmp_path: Path):
    """os.ftruncate, truncate, fsync, fdatasync on 0-2 are EINVAL, lseek, pread, pwrite, posix_fadvise ESPIPE,
    the wrong end of the pipe EBADF, writev and sendfile to 1 write the output: the lines python3 through pipes
    prints (ftruncate, lseek and fsync were EBADF, chmod EINVAL, fcntl.lockf EINVAL, fstat(True) EBADF)."""
    path = tmp_path / "answers.py"
    path.write_text(ANSWERS)
    assert on_simulated_host(path) == _through_pipes(path)


def test_dev_stdout_and_proc_self_fd_name_the_programs_own_streams(tmp_path: Path):
    """open('/dev/stdout', 'w') and open('/proc/self/fd/2') write to the program's output and /dev/stdin reads its
    stdin; os.stat of them is the pipe's and readlink('/proc/self/fd/1') 'pipe:[...]', as python3 through pipes
    prints (they reached lanlab's own descriptors: the write went past the capture, into a --json document)."""
    path = tmp_path / "named.py"
    path.write_text(NAMED)
    assert on_simulated_host(path, "given\n") == _through_pipes(path, "given\n")


def test_input_without_its_streams_is_cpythons_runtime_error(tmp_path: Path):
    """input() with sys.stdin, sys.stdout or sys.stderr None or deleted raises RuntimeError 'input(): lost
    sys.stdin' (stdin checked first), and input(0) prompts '0', as python3 prints (None was an AttributeError)."""
    path = tmp_path / "input.py"
    path.write_text(INPUT)
    assert on_simulated_host(path, "first\nsecond\n") == _through_pipes(path, "first\nsecond\n")
