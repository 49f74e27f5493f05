"""A program on a simulated host stays inside the simulation: what names the process's own things (its terminal,
its descriptors, its environment) is the program's, never lanlab's. Each test runs a small program by this
machine's Python, as the kernel lab starts one (pipes, a session of its own: no controlling terminal), and on a
simulated host, and compares what the two print."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from lanlab.sim.shim import run_programs
from lanlab.units import SECOND
from programs import PRELUDE, on_simulated_host
from simnets import pair
from terminals import program_lines

ROOT = Path(__file__).parent.parent.parent.parent

TERMINAL = (
    PRELUDE
    + """import getpass, io, warnings
show("open", lambda: open("/dev/tty").close())
show("os.open", lambda: os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)))
show("bytes", lambda: open(b"/dev/../dev/tty", "rb").close())
shown = io.StringIO()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    show("getpass", lambda: getpass.getpass("password: ", stream=shown))
show("prompted", lambda: shown.getvalue())
show("warned", lambda: [type(w.message).__name__ for w in caught])
"""
)

DESCRIPTORS = (
    PRELUDE
    + """import socket, stat
for path in ("/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/2", b"/proc/thread-self/fd/1"):
    def write(path=path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"written through os.open(%r)\\n" % path)
        found = stat.S_ISFIFO(os.fstat(fd).st_mode)
        os.close(fd)
        return found
    show(f"os.open {path}", write)
def read():
    fd = os.open("/dev/stdin", os.O_RDONLY)
    found = os.read(fd, 100)
    os.close(fd)
    return found
show("stdin", read)
show("directory", lambda: os.open("/dev/stdout", os.O_WRONLY | os.O_DIRECTORY))
show("exclusive", lambda: os.open("/dev/stdout", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
show("still written", lambda: os.write(1, b"after the closes\\n"))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for path in (f"/proc/self/fd/{sock.fileno()}", f"/dev/fd/{sock.fileno()}"):
    show(f"socket {path[:8]}", lambda: os.open(path, os.O_RDONLY))
    show(f"socket open {path[:8]}", lambda: open(path))
given = int(sys.argv[1])  # a number lanlab has a file open under, never opened by the program
show("not its own", lambda: os.open(f"/proc/self/fd/{given}", os.O_RDONLY))
show("not its own open", lambda: open(f"/dev/fd/{given}").read())
with open("own.txt", "w+") as own:
    own.write("its own file")
    own.flush()
    show("its own", lambda: open(f"/dev/fd/{own.fileno()}").read())
"""
)

DUPLICATE = (
    PRELUDE
    + """import fcntl, socket
sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(40)]
numbers = {s.fileno() for s in sockets}
with open("data.bin", "w+b") as data:
    for command in ("F_DUPFD", "F_DUPFD_CLOEXEC"):
        copy = fcntl.fcntl(data.fileno(), getattr(fcntl, command), 3)
        show(f"{command} a socket's number", lambda: copy in numbers)
        show(f"{command} written", lambda: os.write(copy, command.encode() + b" "))
        os.close(copy)
    show("negative", lambda: fcntl.fcntl(data.fileno(), fcntl.F_DUPFD, -1))
    data.seek(0)
    show("the file", lambda: data.read())
"""
)

ENVIRONMENT = (
    PRELUDE
    + """import posix
show("inherited", lambda: os.environ.get("LANLAB_PROBE"))
os.environ["LANLAB_PROBE"] = "changed"
os.environ["HOME"] = "/home/someone"
show("changed", lambda: (os.environ["LANLAB_PROBE"], os.getenv("LANLAB_PROBE"), os.environb[b"LANLAB_PROBE"]))
show("posix.environ", lambda: posix.environ.get(b"LANLAB_PROBE"))
show("expanduser", lambda: os.path.expanduser("~/x"))
show("expandvars", lambda: (os.path.expandvars("$LANLAB_PROBE/y"), os.path.expandvars(b"$LANLAB_PROBE")))
os.environb[b"LANLAB_BYTES"] = b"b"
show("from bytes", lambda: os.environ["LANLAB_BYTES"])
del os.environ["LANLAB_PROBE"]
show("deleted", lambda: ("LANLAB_PROBE" in os.environ, os.getenvb(b"LANLAB_PROBE", b"none")))
show("missing", lambda: os.environ["LANLAB_PROBE"])
show("popped", lambda: os.environ.pop("LANLAB_BYTES"))
show("putenv", lambda: os.putenv("LANLAB_PUT", "p"))
show("putenv seen", lambda: os.environ.get("LANLAB_PUT"))
show("name with =", lambda: os.environ.__setitem__("A=B", "x"))
show("empty name", lambda: os.putenv("", "x"))
show("not str", lambda: os.environ.__setitem__("LANLAB_X", 1))
show("null", lambda: os.putenv("LANLAB_X", "a\\0b"))
show("unsetenv", lambda: os.unsetenv("A=B"))
show("unset int", lambda: os.unsetenv(1))
show("exec path", lambda: os.get_exec_path({"PATH": "/a:/b"}))
show("repr", lambda: repr(os.environ)[:9])
show("copy", lambda: type(os.environ.copy()).__name__)
"""
)

FILE_IO = (
    PRELUDE
    + """import io, _io, pathlib
show("FileIO(1)", lambda: io.FileIO(1, "w", closefd=False).write(b"through FileIO(1)\\n"))
show("FileIO(2)", lambda: io.FileIO(2, "wb").mode)
show("FileIO path", lambda: io.FileIO("/dev/stdout", "w").write(b"through FileIO('/dev/stdout')\\n"))
show("_io.open", lambda: _io.open(1, "w", closefd=False).write("through _io.open(1)\\n"))
show("_io.FileIO", lambda: _io.FileIO(b"/proc/self/fd/1", "a").write(b"through _io.FileIO\\n"))
show("stdin", lambda: io.FileIO(0).read(5))
with io.FileIO("data.bin", "w") as made:
    show("made", lambda: (isinstance(made, io.FileIO), isinstance(made, _io.FileIO), made.name, made.write(b"data")))
show("a path object", lambda: repr(io.FileIO(pathlib.Path("data.bin")).name))
show("open's name", lambda: (open("data.bin").name, open("data.bin", "rb").name, open("data.bin", "rb", 0).name))
show("missing", lambda: io.FileIO("missing.bin"))
show("not its own", lambda: io.FileIO(int(sys.argv[1]), "r", closefd=False).read())
show("tty", lambda: io.FileIO("/dev/tty", "r+"))
"""
)

MASK = (
    PRELUDE
    + """import stat, posix
def mode(path):
    return oct(stat.S_IMODE(os.stat(path).st_mode))
first = os.umask(0o077)
show("inherited", lambda: first == int(sys.argv[1], 8))
show("set", lambda: (oct(os.umask(0o027)), oct(posix.umask(0o077))))
open("opened.txt", "w").close()
os.close(os.open("os_opened.txt", os.O_CREAT | os.O_WRONLY, 0o666))
os.mkdir("made")
os.makedirs("deep/er")
os.mkfifo("fifo")
show("modes", lambda: [mode(p) for p in ("opened.txt", "os_opened.txt", "made", "deep", "deep/er", "fifo")])
show("wide", lambda: oct(os.umask(0o1777)))
show("kept", lambda: oct(os.umask(0)))
open("open.txt", "w").close()
show("unmasked", lambda: mode("open.txt"))
show("not a number", lambda: os.umask("0"))
"""
)


def _without_terminal(path: Path, stdin: str = "", args: tuple[str, ...] = ()) -> list[str]:
    """What this machine's Python prints running `path` as the kernel lab runs a program: stdin a pipe, 1 and 2
    one pipe, a session of its own (no controlling terminal), lanlab's environment, in the program's folder."""
    done = subprocess.run(
        [sys.executable, str(path), *args],
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        start_new_session=True,
        cwd=path.parent,
        check=True,
    )
    return done.stdout.splitlines()


def _with_controlling_terminal(path: Path, stdin: str) -> list[str]:
    """The lines `lanlab sim run` prints of the program at `path` on pc1 (its --stdin `stdin`), lanlab run with a
    pty as its controlling terminal and its stdin, stdout and stderr; a line waits in the terminal, so a program
    that reads the terminal gets it (and does not wait for ever)."""
    main, terminal = os.openpty()

    def take_terminal() -> None:  # in the child: a session whose controlling terminal is the pty
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    command = [sys.executable, "-m", "lanlab", "sim", "run", str(ROOT / "examples" / "arp.yaml"), "--until", "1s"]
    child = subprocess.Popen(
        [*command, "--app", f"pc1={path}", "--stdin", f"pc1={stdin}"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        preexec_fn=take_terminal,  # noqa: PLW1509 - the one way to give a child a controlling terminal
    )
    os.close(terminal)
    os.write(main, b"from the terminal\n")
    return program_lines(main, child)


def test_dev_tty_is_no_terminal_even_when_lanlab_has_one(tmp_path: Path):
    """With lanlab's controlling terminal a pty, a program's open('/dev/tty') and os.open('/dev/tty') are ENXIO and
    getpass reads its stdin, warning GetPassWarning, as python3 with no controlling terminal prints (they opened
    lanlab's terminal: getpass read the line typed there)."""
    path = tmp_path / "terminal_paths.py"
    path.write_text(TERMINAL)
    expected = _without_terminal(path, "typed\n")
    assert "getpass 'typed'" in expected
    assert _with_controlling_terminal(path, "typed") == expected


def test_os_open_of_a_processs_own_descriptors_is_the_programs(tmp_path: Path):
    """os.open('/dev/stdout'), /dev/stderr, /dev/fd/1, /proc/self/fd/2 write the program's output and /dev/stdin
    reads its stdin, as open() of them does; /proc/self/fd/N and /dev/fd/N of its socket are ENXIO and of a number
    it has nothing open under ENOENT, as python3 prints (os.open reached lanlab's descriptors: the writes went past
    the capture, /dev/fd/N read a file of lanlab's)."""
    with open(tmp_path / "lanlab's.txt", "w+") as held:
        held.write("lanlab's own file")
        held.flush()
        number = str(held.fileno())
        path = tmp_path / "descriptors.py"
        path.write_text(DESCRIPTORS)
        expected = _without_terminal(path, "given\n", (number,))
        assert "not its own ('FileNotFoundError', 'ENOENT', \"[Errno 2] No such file or directory: '/proc/self/fd/" in (
            "\n".join(expected)
        )
        assert on_simulated_host(path, "given\n", (number,)) == expected


def test_file_io_reaches_only_the_programs_own_streams_and_files(tmp_path: Path):
    """io.FileIO and _io's open and FileIO of 1, 2 and /dev/stdout write the program's output, of 0 read its stdin,
    of a number it has no file under are EBADF, a relative path is in its folder and named as given (FileIO keeps
    a path object), as python3 prints (FileIO(1) and _io.open(1) wrote to lanlab's standard output, past the
    capture; FileIO('x').name, open('x').name were the host folder's path)."""
    with open(tmp_path / "lanlab's.txt", "w+") as held:
        path = tmp_path / "file_io.py"
        path.write_text(FILE_IO)
        number = str(held.fileno())
        expected = _without_terminal(path, "typed\n", (number,))
        assert "made (True, True, 'data.bin', 4)" in expected
        assert on_simulated_host(path, "typed\n", (number,)) == expected


def test_fcntl_duplicates_a_file_past_the_programs_sockets(tmp_path: Path):
    """fcntl F_DUPFD and F_DUPFD_CLOEXEC of a file give a number none of the program's sockets has, writing that
    file, as python3 prints (the real call's number could be a socket's, and os.write of it reached the socket)."""
    path = tmp_path / "duplicate.py"
    path.write_text(DUPLICATE)
    expected = _without_terminal(path)
    assert "F_DUPFD a socket's number False" in expected
    assert on_simulated_host(path) == expected


def test_fcntl_cannot_duplicate_a_socket_as_os_dup_cannot(tmp_path: Path):
    """F_DUPFD of a simulated socket or of 0-2 is UnsupportedInSimulation naming the call and the host, as os.dup
    is (it was EINVAL, an answer Linux never gives there)."""
    path = tmp_path / "duplicate_socket.py"
    path.write_text(
        PRELUDE
        + "import fcntl, socket\nsock = socket.socket()\n"
        + "show('socket', lambda: fcntl.fcntl(sock, fcntl.F_DUPFD, 0))\n"
        + "show('stdout', lambda: fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 0))\n"
    )
    assert on_simulated_host(path) == [
        "socket ('UnsupportedInSimulation', None, 'fcntl.fcntl(3, F_DUPFD) is not available to a program on "
        "simulated host pc1')",
        "stdout ('UnsupportedInSimulation', None, 'fcntl.fcntl(1, F_DUPFD_CLOEXEC) is not available to a program "
        "on simulated host pc1')",
    ]


def test_a_programs_environment_is_its_own_copy_of_lanlabs(tmp_path: Path, monkeypatch):
    """A program's os.environ starts as lanlab's and what it sets, deletes or putenvs (os.environ, environb,
    getenv, expanduser, expandvars, posix.environ) behaves as in python3 started with that environment; errors
    too (the changes were lanlab's own environment's)."""
    monkeypatch.setenv("LANLAB_PROBE", "given")
    path = tmp_path / "environment.py"
    path.write_text(ENVIRONMENT)
    expected = _without_terminal(path)
    assert "expanduser '/home/someone/x'" in expected
    home = os.environ.get("HOME")
    assert on_simulated_host(path) == expected
    assert (os.environ.get("LANLAB_PROBE"), os.environ.get("HOME")) == ("given", home)
    assert "LANLAB_PUT" not in os.environ and "LANLAB_BYTES" not in os.environ


def test_two_programs_never_see_each_others_environment(tmp_path: Path, monkeypatch):
    """What pc1's program sets in its environment, pc2's program started later does not see, nor lanlab."""
    monkeypatch.setenv("LANLAB_PROBE", "lanlab's")
    setter, reader = tmp_path / "setter.py", tmp_path / "reader.py"
    setter.write_text("import os\nos.environ['LANLAB_PROBE'] = 'pc1'\nos.environ.pop('LANLAB_OTHER', None)\n")
    reader.write_text("import os\nprint(os.environ.get('LANLAB_PROBE'), os.getenv('LANLAB_OTHER'))\n")
    monkeypatch.setenv("LANLAB_OTHER", "kept")
    net = pair()
    first = net.node("pc1").run_program(str(setter))
    second = net.node("pc2").run_program(str(reader), at="1s")
    run_programs(net, 5 * SECOND)
    assert first.exit == 0 and second.exit == 0, (first.output, second.output)
    assert [text for _, text in second.output] == ["lanlab's kept"]
    assert os.environ["LANLAB_PROBE"] == "lanlab's"


def test_a_programs_umask_is_its_own(tmp_path: Path):
    """os.umask in a program starts as lanlab's, sets the program's own mask, which the files and folders it
    makes take, as python3 prints; lanlab's mask stays as it was (it was set for lanlab, every host and later
    runs)."""
    lanlab = os.umask(0o022)
    os.umask(lanlab)
    path = tmp_path / "mask.py"
    path.write_text(MASK)
    expected = _without_terminal(path, args=(oct(lanlab),))
    assert "modes ['0o600', '0o600', '0o700', '0o700', '0o700', '0o600']" in expected
    assert on_simulated_host(path, args=(oct(lanlab),)) == expected
    assert os.umask(lanlab) == lanlab


def test_an_audit_hook_is_not_available(tmp_path: Path):
    """sys.addaudithook is UnsupportedInSimulation naming the host (a program's hook was the whole process's for
    good: it saw, and could stop, lanlab's own events and every other program's)."""
    path = tmp_path / "audit.py"
    path.write_text(
        PRELUDE
        + "show('hook', lambda: sys.addaudithook(lambda event, args: print('seen', event)))\n"
        + "show('audit', lambda: sys.audit('lanlab.test'))\n"
    )
    assert on_simulated_host(path) == [
        "hook ('UnsupportedInSimulation', None, 'sys.addaudithook() is not available to a program on simulated host "
        "pc1')",
        "audit None",
    ]


RECURSION = (
    PRELUDE
    + """import time
show("start", lambda: sys.getrecursionlimit())
for n in (1, 2, 5):
    show(f"set {n}", lambda: sys.setrecursionlimit(n))
def reached(k):
    try:
        return reached(k + 1)
    except RecursionError:
        return k
sys.setrecursionlimit(300)
low = reached(1)
sys.setrecursionlimit(600)
high = reached(1)
show("deeper by", lambda: (high - low, sys.getrecursionlimit()))
for value in (0, "a", 2**40, 2.5):
    show(f"bad {value!r}", lambda: sys.setrecursionlimit(value))
sys.setrecursionlimit(20)
time.sleep(0.5)
show("after a wait", lambda: sys.getrecursionlimit())
sys.setrecursionlimit(100000)
def count(k):
    return k if k == 0 else 1 + count(k - 1)
show("deep", lambda: count(20000))
sys.setrecursionlimit(20)
"""
)


def test_a_programs_recursion_limit_is_its_own(tmp_path: Path):
    """sys.setrecursionlimit in a program sets its own limit, checked and counted from its own frames as python3
    prints (600 lets it recurse 300 deeper than 300), kept across a wait; lanlab's limit stays as it was and a limit
    of 20 never makes lanlab's engine raise RecursionError (it was the whole process's limit)."""
    lanlab = sys.getrecursionlimit()
    path = tmp_path / "recursion.py"
    path.write_text(RECURSION)
    expected = _without_terminal(path)
    assert "deeper by (300, 600)" in expected and "deep 20000" in expected
    assert on_simulated_host(path) == expected
    assert sys.getrecursionlimit() == lanlab


def test_each_program_has_its_own_recursion_limit(tmp_path: Path):
    """What pc1's program sets as its recursion limit, pc2's program does not see: its limit is lanlab's."""
    setter, reader = tmp_path / "setter.py", tmp_path / "reader.py"
    setter.write_text("import sys, time\nsys.setrecursionlimit(50)\ntime.sleep(2)\nprint(sys.getrecursionlimit())\n")
    reader.write_text("import sys\nprint(sys.getrecursionlimit())\n")
    net = pair()
    first = net.node("pc1").run_program(str(setter))
    second = net.node("pc2").run_program(str(reader), at="1s")
    run_programs(net, 5 * SECOND)
    assert first.exit == 0 and second.exit == 0, (first.output, second.output)
    assert [text for _, text in first.output] == ["50"]
    assert [text for _, text in second.output] == [str(sys.getrecursionlimit())]


COLLECTOR = (
    PRELUDE
    + """import gc, time
show("start", lambda: (gc.isenabled(), gc.get_threshold(), gc.get_debug()))
gc.disable()
gc.set_threshold(5)
gc.set_debug(gc.DEBUG_UNCOLLECTABLE)
time.sleep(0.1)
show("set", lambda: (gc.isenabled(), gc.get_threshold(), gc.get_debug()))
for args in ((), (1, 2, 3, 4), ("a",), (2**40,)):
    show(f"threshold {args!r}", lambda: gc.set_threshold(*args))
gc.set_threshold(100, 20)
show("two", lambda: gc.get_threshold())
seen = []
gc.callbacks.append(lambda phase, info: seen.append((phase, sorted(info))))
show("collect", lambda: type(gc.collect()).__name__)
show("callbacks", lambda: seen)
show("bad generation", lambda: gc.collect(3))
gc.enable()
show("again", lambda: gc.isenabled())
gc.disable()
"""
)


def test_a_programs_garbage_collector_switches_are_its_own(tmp_path: Path):
    """gc.disable, enable, isenabled, set_threshold, get_threshold, set_debug and callbacks in a program answer as
    in python3, errors too; lanlab's collector stays on with its thresholds, no debug flags and no callbacks (a
    program's gc.disable() left it off for good)."""
    import gc

    state = (gc.isenabled(), gc.get_threshold(), gc.get_debug(), list(gc.callbacks))
    path = tmp_path / "collector.py"
    path.write_text(COLLECTOR)
    expected = _without_terminal(path)
    assert expected[1].startswith("set (False, (5, ") and "callbacks [('start', [" in "\n".join(expected)
    assert on_simulated_host(path) == expected
    assert (gc.isenabled(), gc.get_threshold(), gc.get_debug(), list(gc.callbacks)) == state


def test_gc_freeze_is_not_available(tmp_path: Path):
    """gc.freeze in a program is UnsupportedInSimulation naming the host (it froze lanlab's objects, and serves only
    a fork to come, which os.fork cannot); unfreeze and get_freeze_count are about the program's none."""
    path = tmp_path / "freeze.py"
    path.write_text(PRELUDE + "import gc\nshow('freeze', gc.freeze)\nshow('count', gc.get_freeze_count)\n")
    assert on_simulated_host(path) == [
        "freeze ('UnsupportedInSimulation', None, 'gc.freeze() is not available to a program on simulated host pc1')",
        "count 0",
    ]


LOCALE = (
    PRELUDE
    + """import locale, time
show("start", lambda: locale.setlocale(locale.LC_ALL))
show("numeric", lambda: locale.setlocale(locale.LC_NUMERIC, "C.UTF-8"))
show("time", lambda: locale.setlocale(locale.LC_TIME, "C.UTF-8"))
time.sleep(0.1)
show("kept", lambda: locale.setlocale(locale.LC_ALL))
show("one", lambda: locale.setlocale(locale.LC_NUMERIC))
show("unknown", lambda: locale.setlocale(locale.LC_ALL, "xx_YY.nowhere"))
show("conv", lambda: (locale.localeconv()["decimal_point"], f"{1234567:n}", locale.atof("1.5")))
"""
)


def test_a_programs_locale_is_its_own(tmp_path: Path):
    """locale.setlocale in a program sets its own locale, kept across a wait and answered back as python3 prints
    (errors too); lanlab's locale stays as it was (it was the whole process's: lanlab's own formatting changed)."""
    import locale

    lanlab = locale.setlocale(locale.LC_ALL)
    path = tmp_path / "locale_set.py"
    path.write_text(LOCALE)
    expected = _without_terminal(path)
    assert any(line.startswith("kept 'LC_CTYPE=") and "LC_NUMERIC=C.UTF-8" in line for line in expected)
    assert on_simulated_host(path) == expected
    assert locale.setlocale(locale.LC_ALL) == lanlab


def test_each_program_has_its_own_locale(tmp_path: Path):
    """What pc1's program sets as its locale, pc2's program started later does not see: its locale is lanlab's."""
    import locale

    lanlab = locale.setlocale(locale.LC_ALL)
    setter, reader = tmp_path / "setter.py", tmp_path / "reader.py"
    setter.write_text(
        "import locale, time\nlocale.setlocale(locale.LC_MONETARY, 'C.UTF-8')\ntime.sleep(2)\n"
        + "print(locale.setlocale(locale.LC_MONETARY))\n"
    )
    reader.write_text("import locale\nprint(locale.setlocale(locale.LC_ALL))\n")
    net = pair()
    first = net.node("pc1").run_program(str(setter))
    second = net.node("pc2").run_program(str(reader), at="1s")
    run_programs(net, 5 * SECOND)
    assert first.exit == 0 and second.exit == 0, (first.output, second.output)
    assert [text for _, text in first.output] == ["C.UTF-8"]
    assert [text for _, text in second.output] == [lanlab]
    assert locale.setlocale(locale.LC_ALL) == lanlab


def test_a_trace_or_profile_function_is_not_available(tmp_path: Path):
    """sys.settrace and sys.setprofile of a function, pdb and cProfile are UnsupportedInSimulation naming the host (a
    trace function is the real thread's: it traced lanlab's engine and every other program); gettrace answers None
    and setting None changes nothing (doctest sets back what it read)."""
    path = tmp_path / "trace.py"
    path.write_text(
        PRELUDE
        + "import cProfile, pdb\n"
        + "show('settrace', lambda: sys.settrace(lambda *args: None))\n"
        + "show('setprofile', lambda: sys.setprofile(lambda *args: None))\n"
        + "show('pdb', lambda: pdb.Pdb().set_trace())\n"
        + "show('cProfile', lambda: cProfile.Profile())\n"
        + "show('none', lambda: (sys.gettrace(), sys.getprofile(), sys.settrace(None), sys.setprofile(None)))\n"
    )
    tracing = sys.gettrace()
    assert on_simulated_host(path) == [
        "settrace ('UnsupportedInSimulation', None, 'sys.settrace() is not available to a program on simulated host "
        "pc1')",
        "setprofile ('UnsupportedInSimulation', None, 'sys.setprofile() is not available to a program on simulated "
        "host pc1')",
        "pdb ('UnsupportedInSimulation', None, 'sys.settrace() is not available to a program on simulated host pc1')",
        "cProfile ('UnsupportedInSimulation', None, '_lsprof.Profiler is not available to a program on simulated host "
        "pc1')",
        "none (None, None, None, None)",
    ]
    assert sys.gettrace() is tracing


def test_threadings_trace_and_profile_functions_are_refused_as_sys_ones(tmp_path: Path):
    """threading.settrace and setprofile of a function (for the threads to come) are UnsupportedInSimulation as
    sys.settrace is, and None changes nothing (they were silent no-ops: a program's trace function did nothing)."""
    path = tmp_path / "trace.py"
    path.write_text(
        PRELUDE
        + "import threading\n"
        + "show('settrace', lambda: threading.settrace(lambda *args: None))\n"
        + "show('setprofile', lambda: threading.setprofile(lambda *args: None))\n"
        + "show('none', lambda: (threading.settrace(None), threading.setprofile(None)))\n"
        + "show('all', lambda: 'settrace' in threading.__all__ and 'setprofile' in threading.__all__)\n"
    )
    assert on_simulated_host(path) == [
        "settrace ('UnsupportedInSimulation', None, 'threading.settrace() is not available to a program on simulated "
        "host pc1')",
        "setprofile ('UnsupportedInSimulation', None, 'threading.setprofile() is not available to a program on "
        "simulated host pc1')",
        "none (None, None)",
        "all True",
    ]


DIGITS = (
    PRELUDE
    + """import time
show("start", lambda: (sys.get_int_max_str_digits(), sys.getswitchinterval()))
for value in (100, -1, "a"):
    show(f"digits {value!r}", lambda: sys.set_int_max_str_digits(value))
sys.set_int_max_str_digits(0)
time.sleep(0.1)
show("big", lambda: (len(str(10**5000)), sys.get_int_max_str_digits()))
for value in (0, "a", 0.25):
    show(f"interval {value!r}", lambda: sys.setswitchinterval(value))
show("interval", lambda: sys.getswitchinterval())
"""
)


def test_int_digits_and_switch_interval_are_the_programs_own(tmp_path: Path):
    """sys.set_int_max_str_digits(0) lets a program print a 5,001-digit int after a wait, and setswitchinterval sets
    its own interval, as python3 prints (errors too); lanlab's limit and interval stay as they were (they were the
    whole process's)."""
    lanlab = (sys.get_int_max_str_digits(), sys.getswitchinterval())
    path = tmp_path / "digits.py"
    path.write_text(DIGITS)
    expected = _without_terminal(path)
    assert "big (5001, 0)" in expected
    assert on_simulated_host(path) == expected
    assert (sys.get_int_max_str_digits(), sys.getswitchinterval()) == lanlab


FAULTS = (
    PRELUDE
    + """import faulthandler, io, time
show("start", faulthandler.is_enabled)
show("enable", faulthandler.enable)
time.sleep(0.1)
show("enabled", faulthandler.is_enabled)
show("disable", lambda: (faulthandler.disable(), faulthandler.disable(), faulthandler.is_enabled()))
show("no descriptor", lambda: faulthandler.enable(file=io.StringIO()))
show("not a file", lambda: faulthandler.enable(file=5.5))
show("negative", lambda: faulthandler.enable(file=-1))
show("nothing to undo", lambda: (faulthandler.unregister(10), faulthandler.cancel_dump_traceback_later()))
"""
)


def test_faulthandler_is_the_programs_own(tmp_path: Path):
    """faulthandler.enable, disable and is_enabled in a program answer as in python3 (errors too) and leave lanlab's
    handler as it was (a program's disable() turned lanlab's off); a dump later, which a real thread would make and
    which exit=True ended lanlab with, is UnsupportedInSimulation naming the host."""
    import faulthandler

    lanlab = faulthandler.is_enabled()
    path = tmp_path / "faults.py"
    path.write_text(FAULTS)
    expected = _without_terminal(path)
    assert "disable (True, False, False)" in expected
    assert on_simulated_host(path) == expected
    later = tmp_path / "later.py"
    later.write_text(
        PRELUDE + "import faulthandler\nshow('later', lambda: faulthandler.dump_traceback_later(5, exit=True))\n"
    )
    assert on_simulated_host(later) == [
        "later ('UnsupportedInSimulation', None, 'faulthandler.dump_traceback_later() is not available to a program on "
        "simulated host pc1')"
    ]
    assert faulthandler.is_enabled() == lanlab


PROCESS_FILES = (
    PRELUDE
    + """os.environ["LANLAB_LATER"] = "set after the start"
def environ(path):
    with open(path, "rb") as file:
        return sorted(entry for entry in file.read().split(b"\\0") if entry.startswith((b"LANLAB_PROBE", b"LANLAB_LATER")))
show("environ", lambda: environ("/proc/self/environ"))
show("thread-self", lambda: environ("/proc/thread-self/environ"))
show("cmdline", lambda: open("/proc/self/cmdline", "rb").read().split(b"\\0"))
show("by pid", lambda: open(f"/proc/{os.getpid()}/cmdline", "rb").read() == open("/proc/self/cmdline", "rb").read())
show("os.open", lambda: os.read(os.open("/proc/self/environ", os.O_RDONLY), 1 << 20) == open("/proc/self/environ", "rb").read())
"""
)


def test_proc_self_environ_and_cmdline_are_the_programs(tmp_path: Path, monkeypatch):
    """/proc/self/environ is the environment the program started with (not what it set since) and /proc/self/cmdline
    python3 -u PATH ARGS, by /proc/thread-self and /proc/PID of its own pid too, as python3 started so by the kernel
    lab reads them (they were lanlab's own)."""
    monkeypatch.setenv("LANLAB_PROBE", "given")
    path = tmp_path / "process_files.py"
    path.write_text(PROCESS_FILES)
    expected = subprocess.run(
        [sys.executable, "-u", str(path.resolve()), "an argument"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=True,
    ).stdout.splitlines()
    assert "environ [b'LANLAB_PROBE=given']" in expected
    assert on_simulated_host(path, args=("an argument",)) == expected


def test_other_proc_self_files_are_not_available(tmp_path: Path):
    """Opening /proc/self/status (and any other file of /proc/self that describes the process: its memory, threads,
    limits) is UnsupportedInSimulation naming it and the host (it read lanlab's)."""
    path = tmp_path / "status.py"
    path.write_text(PRELUDE + "show('status', lambda: open('/proc/self/status').read())\n")
    assert on_simulated_host(path) == [
        "status ('UnsupportedInSimulation', None, \"/proc/self/status (lanlab's process) is not available to a program "
        'on simulated host pc1")'
    ]


PROCESS_ENTRIES = (
    PRELUDE
    + """import socket
show("cwd", lambda: os.readlink("/proc/self/cwd") == os.getcwd())
show("cwd bytes", lambda: os.readlink(b"/proc/thread-self/cwd") == os.getcwdb())
show("fd", lambda: os.listdir("/proc/self/fd"))
sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
held = open("held.txt", "w")
closed = sockets[0].fileno()
sockets[0].close()
def listed(folder):
    found = os.listdir(folder)
    mine = [str(number).encode() if isinstance(folder, bytes) else str(number) for number in (sockets[1].fileno(), held.fileno())]
    # the closed socket's number is the listing's own descriptor now, as opendir takes the lowest free
    return len(found), [number in found for number in mine], str(closed) in map(os.fsdecode, found)
show("fd with some open", lambda: listed("/dev/fd"))
show("fd bytes", lambda: listed(b"/proc/self/fd/"))
"""
)


def test_proc_self_cwd_and_fd_are_the_programs(tmp_path: Path):
    """os.readlink('/proc/self/cwd') is the program's working directory and os.listdir('/proc/self/fd') (and /dev/fd)
    its descriptors, the listing's own among them, as python3 prints (they were lanlab's)."""
    with open(tmp_path / "lanlab's.txt", "w"):  # a descriptor of lanlab's, listed when the listing was lanlab's
        path = tmp_path / "process_entries.py"
        path.write_text(PROCESS_ENTRIES)
        expected = _without_terminal(path)
        assert "fd ['0', '1', '2', '3']" in expected
        assert on_simulated_host(path) == expected


def test_a_program_that_ended_costs_the_others_switches_nothing(tmp_path: Path):
    """A program that set its own recursion limit and ended is no longer among those whose values a switch puts in
    (while it was, every switch of every program looked its thread up, some 0.3 us more per wait)."""
    from lanlab.sim.shim import _process

    path = tmp_path / "limit.py"
    path.write_text("import sys\nsys.setrecursionlimit(5000)\n")
    net = pair()
    program = net.node("pc1").run_program(str(path))
    run_programs(net, 1 * SECOND)
    assert program.exit == 0 and program.interpreter is not None
    assert not any(ref() is program for ref in _process._OWNING)


DISPLAY = '''import code, doctest, sys
def add(a, b):
    """
    >>> add(1, 2)
    3
    >>> [add(2, 2), 'x']
    [4, 'x']
    """
    return a + b
print(doctest.testmod())
interpreter = code.InteractiveInterpreter()
interpreter.runsource("1 + 1")
interpreter.runsource("_ * 10")
sys.displayhook("shown")
print(_)
sys.displayhook = lambda value: print("own hook", value)
interpreter.runsource("3 * 3")
'''


def test_expression_values_are_shown_on_the_programs_output(tmp_path: Path, capsys):
    """An expression's value in code compiled in 'single' mode (doctest's examples, code's interpreter) and
    sys.displayhook are shown on the program's output, `_` set and a hook of its own called, as python3 prints
    (the interpreter called the real sys.displayhook, which wrote to lanlab's standard output: doctest failed)."""
    path = tmp_path / "display.py"
    path.write_text(DISPLAY)
    expected = _without_terminal(path)
    assert expected[0] == "TestResults(failed=0, attempted=2)"
    assert on_simulated_host(path) == expected
    assert capsys.readouterr().out == ""
    assert sys.displayhook is sys.__displayhook__


def test_a_program_has_no_future_import_of_lanlabs(tmp_path: Path):
    """A program's module-level annotations are evaluated, as python3 evaluates them without a __future__ import
    (its code was compiled with the shim's `from __future__ import annotations`: they were strings, and an undefined
    name in one raised no NameError)."""
    path = tmp_path / "annotations.py"
    path.write_text(
        PRELUDE + "count: int = 3\nshow('annotations', lambda: __annotations__)\nmissing: not_defined = 1\n"
    )
    net = pair()
    program = net.node("pc1").run_program(str(path))
    run_programs(net, 1 * SECOND)
    lines = [text for _, text in program.output]
    assert lines[0] == "annotations {'count': <class 'int'>}"
    assert lines[-1] == "NameError: name 'not_defined' is not defined" and program.exit == 1


BREAKPOINTS = """import os, sys
os.environ["PYTHONBREAKPOINT"] = "0"
print(breakpoint())
os.environ["PYTHONBREAKPOINT"] = "json.dumps"
print(breakpoint([1, 2]))
del sys.breakpointhook
try:
    breakpoint()
except RuntimeError as error:
    print(error)
sys.breakpointhook = sys.__breakpointhook__
os.environ["PYTHONBREAKPOINT"] = "nosuchmodule.hook"
print(breakpoint())
"""


def test_breakpoint_is_the_programs_own(tmp_path: Path):
    """breakpoint() and sys.breakpointhook read PYTHONBREAKPOINT from the program's environment and import its hook as
    the program, as python3 prints (warning too); with none set, pdb is the program's, whose sys.settrace is
    UnsupportedInSimulation (the real hook ran lanlab's pdb, tracing lanlab's frames)."""
    path = tmp_path / "breakpoints.py"
    path.write_text(BREAKPOINTS)
    expected = _without_terminal(path)
    assert expected[:3] == ["None", "[1, 2]", "lost sys.breakpointhook"]
    assert on_simulated_host(path) == expected
    default = tmp_path / "default.py"
    default.write_text(PRELUDE + "os.environ.pop('PYTHONBREAKPOINT', None)\nshow('pdb', breakpoint)\n")
    tracing = sys.gettrace()
    assert on_simulated_host(default) == [
        "pdb ('UnsupportedInSimulation', None, 'sys.settrace() is not available to a program on simulated host pc1')"
    ]
    assert sys.gettrace() is tracing


def test_a_module_sent_with_a_program_has_no_future_import_of_lanlabs():
    """A module that travels with a program (a sweep's SentModule) is compiled with its own __future__ imports only:
    its module-level annotations are evaluated, and one naming an undefined name is a NameError, as in python3 (they
    were strings, as the program file's were before 768fde4)."""
    from lanlab.sim.shim import SentModule
    from lanlab.sim.shim._imports import SentLoader

    code = SentLoader(SentModule("mod", "/nowhere/mod.py", b"count: int = 3\nmissing: not_defined = 1\n")).get_code(
        "mod"
    )
    namespace: dict = {}
    with pytest.raises(NameError, match="not_defined"):
        exec(code, namespace)
    assert namespace["__annotations__"] == {"count": int}
