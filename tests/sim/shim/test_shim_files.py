"""Files per host: each host's programs work in their own folder; the files a run was given stay readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND as S


def pair(files: Path) -> Network:
    net = Network("pair")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.link("pc1:eth0", "sw1:p1")
    net.link("pc2:eth0", "sw1:p2")
    net.files = str(files)  # as lanlab sim run --files DIR
    return net


def writer(text):
    import os

    with open("out.txt", "w") as file:
        file.write(text)
    return os.getcwd(), sorted(os.listdir())


def test_two_hosts_writing_the_same_name_keep_two_files(tmp_path, monkeypatch):
    """open("out.txt", "w") on pc1 and on pc2 makes FILES/pc1/out.txt and FILES/pc2/out.txt, nothing in lanlab's cwd."""
    launch = tmp_path / "launch"
    launch.mkdir()
    monkeypatch.chdir(launch)
    net = pair(tmp_path / "files")
    one, two = net.node("pc1").run(writer, "one"), net.node("pc2").run(writer, "two")
    run_programs(net, S)
    assert one.result == (str(tmp_path / "files" / "pc1"), ["out.txt"])
    assert two.result == (str(tmp_path / "files" / "pc2"), ["out.txt"])
    assert (tmp_path / "files" / "pc1" / "out.txt").read_text() == "one"
    assert (tmp_path / "files" / "pc2" / "out.txt").read_text() == "two"
    assert list(launch.iterdir()) == []


def test_os_pathlib_shutil_and_chdir_work_inside_the_hosts_folder(tmp_path, monkeypatch):
    """pathlib, os.makedirs/walk/path, shutil.copy and os.chdir all act on the host's folder."""
    monkeypatch.chdir(tmp_path)
    net = pair(tmp_path / "files")

    def program():
        import os
        import pathlib
        import shutil

        pathlib.Path("notes.txt").write_text("hello")
        os.makedirs("a/b")
        shutil.copy("notes.txt", "a/b/copy.txt")
        walked = [(top, sorted(files)) for top, _, files in os.walk("a")]
        os.chdir("a")
        with open("here.txt", "w") as file:
            file.write("in a")
        return (
            walked,
            os.path.exists("b/copy.txt"),
            os.path.isfile("../notes.txt"),
            pathlib.Path("b/copy.txt").read_text(),
            os.path.abspath("x"),
            str(pathlib.Path.cwd()),
        )

    started = net.node("pc1").run(program)
    run_programs(net, S)
    folder = tmp_path / "files" / "pc1"
    assert started.result == (
        [("a", []), ("a/b", ["copy.txt"])],
        True,
        True,
        "hello",
        str(folder / "a" / "x"),
        str(folder / "a"),
    )
    assert (folder / "a" / "here.txt").read_text() == "in a" and not (tmp_path / "notes.txt").exists()


def test_a_given_file_is_read_from_where_lanlab_started_and_written_in_the_hosts_folder(tmp_path, monkeypatch):
    """A relative path the host's folder lacks is read from lanlab's directory; writing it makes the host's own copy."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "given.txt").write_text("from the user")
    net = pair(tmp_path / "files")

    def program():
        with open("given.txt") as file:
            first = file.read()
        with open("given.txt", "w") as file:
            file.write("changed on pc1")
        with open("given.txt") as file:
            return first, file.read()

    started = net.node("pc1").run(program)
    run_programs(net, S)
    assert started.result == ("from the user", "changed on pc1")
    assert (tmp_path / "given.txt").read_text() == "from the user"


def test_without_a_files_directory_each_network_gets_a_temporary_one(tmp_path, monkeypatch):
    """With no --files, programs work in a temporary folder per host, not in lanlab's directory."""
    monkeypatch.chdir(tmp_path)
    net = Network("one")
    net.add_host("pc1", ip="198.18.0.1/24")
    started = net.node("pc1").run(writer, "x")
    run_programs(net, S)
    cwd, names = started.result
    assert names == ["out.txt"] and Path(cwd).name == "pc1" and Path(cwd).parent != tmp_path
    assert not (tmp_path / "out.txt").exists()


def test_a_host_named_like_a_path_gets_no_folder_outside_the_files_root(tmp_path: Path):
    """A host named "../x" is refused by the Python API as by the topology reader, and a host that got such a
    name anyway is refused a folder: its files would land outside the network's --files folder."""
    from lanlab.sim import NetworkError
    from lanlab.sim.shim._files import host_folder

    net = Network("escape")
    with pytest.raises(NetworkError, match="a name is no path"):
        net.add_host("../x", ip="198.18.0.1/24")
    host = net.add_host("x", ip="198.18.0.1/24")
    host.name = "../x"  # past the API's check
    net.files = str(tmp_path / "files")
    with pytest.raises(ValueError, match="is a path"):
        host_folder(host)
    assert not (tmp_path / "x").exists()


def test_a_programs_file_is_absolute_so_data_beside_it_is_found(tmp_path, monkeypatch):
    """Started as proj/readdata.py, the program's __file__ is absolute (Python 3.9+) and the file beside it opens
    through os.path.dirname(os.path.abspath(__file__)): a relative __file__ resolved against the host's folder."""
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "data.txt").write_text("some data\n")
    (tmp_path / "proj" / "readdata.py").write_text(
        "import os, pathlib\n"
        "print(os.path.isabs(__file__))\n"
        "print(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data.txt')).read().strip())\n"
        "print((pathlib.Path(__file__).resolve().parent / 'data.txt').read_text().strip())\n"
    )
    monkeypatch.chdir(tmp_path)
    net = pair(tmp_path / "files")
    program = net.node("pc1").run_program("proj/readdata.py")
    run_programs(net, S)
    assert [text for _, text in program.output] == ["True", "some data", "some data"], program.output


def test_file_times_read_the_hosts_clock(tmp_path, monkeypatch):
    """A file written at virtual time t has its mtime at t in os.stat, fstat, lstat, os.path.getmtime and
    pathlib (not the machine's date); os.utime() sets the host's now, explicit times come back as set; a
    given file written an hour before the run reads an hour before virtual time 0."""
    import os
    import time

    monkeypatch.chdir(tmp_path)
    given = tmp_path / "given.txt"
    given.write_text("data")
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(given, ns=(hour_ago, hour_ago))
    net = pair(tmp_path / "files")

    def program():
        import os
        import pathlib
        import time

        time.sleep(2.2)
        written = time.time()
        with open("out.txt", "w") as file:
            file.write("x")
            fstat = os.fstat(file.fileno()).st_mtime
        time.sleep(1)
        seen = [os.stat("out.txt").st_mtime, fstat, os.lstat("out.txt").st_mtime]
        seen += [os.path.getmtime("out.txt"), pathlib.Path("out.txt").stat().st_mtime]
        stat = os.stat("out.txt")
        os.utime("out.txt")
        touched = os.stat("out.txt")
        os.utime("out.txt", (1000.5, 2000.25))
        explicit = os.stat("out.txt")
        return (
            [round(t - written, 3) for t in seen],
            (stat[8], stat.st_mtime_ns // 10**9) == (int(stat.st_mtime),) * 2,
            round(touched.st_mtime - time.time(), 3),
            (explicit.st_atime, explicit.st_mtime),
            round(time.time() - os.path.getmtime("given.txt")),
        )

    prog = net.node("pc1").run(program)
    run_programs(net, 5 * S)
    assert prog.result == ([0.0] * 5, True, 0.0, (1000.5, 2000.25), 3600 + 3), prog.output


def test_a_timed_rotating_log_rotates_in_virtual_time(tmp_path, monkeypatch):
    """logging's TimedRotatingFileHandler (when="S") started at 0 s and logging at 0, 1.1 and 2.2 s keeps three
    files, as on the kernel: it reads the log's mtime to plan the first rollover."""
    monkeypatch.chdir(tmp_path)
    net = pair(tmp_path / "files")

    def program():
        import logging.handlers
        import os
        import time

        log = logging.getLogger("timed")
        log.addHandler(logging.handlers.TimedRotatingFileHandler("timed.log", when="S", backupCount=5))
        for i in range(3):
            log.warning("tick %d", i)
            time.sleep(1.1)
        return sorted(name for name in os.listdir() if name.startswith("timed"))

    prog = net.node("pc1").run(program)
    run_programs(net, 5 * S)
    assert prog.result is not None and len(prog.result) == 3, (prog.result, prog.output)


def test_shutil_copy2_copytree_symlink_scandir_and_relpath_act_in_the_hosts_folder(tmp_path, monkeypatch):
    """With relative paths, as on Linux: shutil.copy2 and copytree copy (their xattr calls find the file) and keep
    the mtime; os.symlink makes its link in the host's folder; os.scandir's entries are spelled from the
    directory given, their stat() as os.stat's; os.path.relpath of an abspath is the relative path."""
    monkeypatch.chdir(tmp_path)
    net = pair(tmp_path / "files")

    def program():
        import os
        import shutil
        import time

        os.makedirs("src/sub")
        with open("src/a.txt", "w") as file:
            file.write("a")
        time.sleep(2)
        shutil.copy2("src/a.txt", "b.txt")
        shutil.copytree("src", "dst")
        os.symlink("b.txt", "link.txt")
        with os.scandir("src") as entries:
            seen = sorted(
                (e.name, e.path, os.fspath(e), e.stat().st_mtime == os.stat(e.path).st_mtime) for e in entries
            )
        return (
            open("link.txt").read(),
            os.readlink("link.txt"),
            os.path.getmtime("b.txt") == os.path.getmtime("dst/a.txt") == os.path.getmtime("src/a.txt"),
            seen,
            os.path.relpath(os.path.abspath("q/r")),
            os.path.relpath("src/sub", "dst"),
        )

    prog = net.node("pc1").run(program)
    run_programs(net, 5 * S)
    assert prog.result == (
        "a",
        "b.txt",
        True,
        [("a.txt", "src/a.txt", "src/a.txt", True), ("sub", "src/sub", "src/sub", True)],
        "q/r",
        "../src/sub",
    ), prog.output
    assert (tmp_path / "files" / "pc1" / "link.txt").is_symlink() and not (tmp_path / "link.txt").exists()


def test_a_directory_reads_the_time_an_entry_was_made_in_it(tmp_path, monkeypatch):
    """Making a file in a folder, or removing or renaming one, changes the folder's mtime at that virtual moment
    (not when a program first looks at it), as the kernel does."""
    monkeypatch.chdir(tmp_path)
    net = pair(tmp_path / "files")

    def program():
        import os
        import time

        os.mkdir("box")
        time.sleep(1)
        made = time.time()
        open("box/new.txt", "w").close()
        time.sleep(1)
        renamed = time.time()
        os.rename("box/new.txt", "box/old.txt")
        time.sleep(1)
        return round(os.stat("box").st_mtime - renamed, 3), round(renamed - made, 3)

    prog = net.node("pc1").run(program)
    run_programs(net, 5 * S)
    assert prog.result == (0.0, 1.0), prog.output


FAILING_CALLS = [
    "open('missing.txt')",
    "open('nodir/x.txt', 'w')",
    "os.stat('missing.txt')",
    "os.path.getsize('missing.txt')",
    "os.remove('missing.txt')",
    "os.listdir(b'nodir')",
    "os.open(pathlib.Path('missing.txt'), os.O_RDONLY)",
    "os.rename('missing.txt', 'x.txt')",
    "os.mkdir('.')",
    "os.chdir('nodir')",
    "os.utime('missing.txt')",
    "os.scandir('nodir')",
    "pathlib.Path('missing.txt').read_text()",
]


def failures(calls: list[str]) -> list[str]:
    """What each call raises, as `Type: message` and its filename."""
    import os
    import pathlib

    said = []
    for call in calls:
        try:
            eval(call, {"os": os, "pathlib": pathlib})  # noqa: S307 - the test's own fixed calls
            said.append("no error")
        except OSError as error:
            said.append(f"{type(error).__name__}: {error} ({error.filename!r})")
    return said


def test_a_failing_file_call_names_the_path_as_the_program_gave_it(tmp_path, monkeypatch):
    """FileNotFoundError and the other OSErrors of open, os.* and pathlib say 'missing.txt' as on Linux (this
    process in an empty folder), not the host folder's temporary path, which changes from run to run."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    expected = failures(FAILING_CALLS)
    monkeypatch.chdir(tmp_path)
    net = pair(tmp_path / "files")
    prog = net.node("pc1").run(failures, FAILING_CALLS)
    run_programs(net, S)
    assert prog.result == expected, prog.output


def test_paths_relative_to_a_directory_descriptor_are_found_from_it(tmp_path, monkeypatch):
    """os.stat, os.open, os.mkdir, os.rename and os.unlink with dir_fd (src_dir_fd, dst_dir_fd) find the path
    from that directory, as the kernel does, not from the working directory."""
    monkeypatch.chdir(tmp_path)
    net = pair(tmp_path / "files")

    def program():
        import os

        os.makedirs("d/e")
        with open("d/e/f.txt", "w") as file:
            file.write("x")
        fd = os.open("d", os.O_RDONLY)
        seen = [os.listdir(fd), os.stat("e", dir_fd=fd).st_ino == os.stat("d/e").st_ino]
        inner = os.open("e/f.txt", os.O_RDONLY, dir_fd=fd)
        seen.append(os.read(inner, 10))
        os.close(inner)
        os.mkdir("g", dir_fd=fd)
        os.rename("g", "h", src_dir_fd=fd, dst_dir_fd=fd)
        os.unlink("e/f.txt", dir_fd=fd)
        os.close(fd)
        return seen, sorted(os.listdir("d")), os.listdir("d/e")

    prog = net.node("pc1").run(program)
    run_programs(net, S)
    assert prog.result == ([["e"], True, b"x"], ["e", "h"], []), prog.output


def test_path_calls_given_a_descriptor_reach_only_the_programs_own(tmp_path, monkeypatch, capfd):
    """os.stat, os.truncate and os.chmod given a descriptor act on a file the program opened; given lanlab's own
    descriptor (here the test's file) they are EBADF and leave it whole; on 1, a pipe, os.truncate is EINVAL and
    os.chmod done as Linux does them (_streams), never lanlab's stdout truncated."""
    import os

    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "lanlabs.txt"
    mine.write_text("lanlab's own file")
    number = os.open(mine, os.O_RDWR)
    net = pair(tmp_path / "files")

    def program(theirs):
        import errno
        import os

        fd = os.open("f.txt", os.O_RDWR | os.O_CREAT)
        os.write(fd, b"hello")
        os.truncate(fd, 2)
        os.chmod(fd, 0o600)
        own = (os.stat(fd).st_size, oct(os.stat(fd).st_mode & 0o777))
        refused = []
        for call in (os.stat, lambda n: os.truncate(n, 0), lambda n: os.chmod(n, 0)):
            for target in (theirs, 1):
                try:
                    call(target)
                    refused.append("done")
                except OSError as error:
                    refused.append(errno.errorcode[error.errno])
        return own, refused

    try:
        prog = net.node("pc1").run(program, number)
        run_programs(net, S)
    finally:
        os.close(number)
    assert prog.result == ((2, "0o600"), ["EBADF", "done", "EBADF", "EINVAL", "EBADF", "done"]), prog.output
    assert mine.read_text() == "lanlab's own file"
