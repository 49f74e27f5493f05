"""One door to the network: every route a program has to sockets and processes ends at the
simulated host (issue 11, item 1)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lanlab.sim.shim import run_programs
from lanlab.units import SECOND as S


def program(tmp_path: Path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def texts(prog) -> list[str]:
    return [text for _, text in prog.output]


def run_file(net, tmp_path, source: str, node: str = "pc1", until: int = 10 * S):
    prog = net.node(node).run_program(program(tmp_path, f"{node}_prog.py", source))
    run_programs(net, until)
    return prog


def test_every_import_route_reaches_the_simulated_socket(net, tmp_path):
    """socket, _socket, importlib, __import__, sys.modules and the stdlib clients all hold the host's socket;
    the host's name is the node name os.uname() and platform give."""
    prog = run_file(
        net,
        tmp_path,
        """
        import socket, _socket, importlib, sys, os, platform
        import http.client, urllib.request, ftplib, smtplib, socketserver, xmlrpc.client, logging.handlers
        checks = {
            "_socket": _socket.socket is socket.socket,
            "import_module": importlib.import_module("socket") is socket,
            "__import__": __import__("socket") is socket,
            "sys.modules": sys.modules["socket"] is socket,
            "http.client": http.client.socket is socket,
            "urllib": urllib.request.http.client is http.client,
            "ftplib": ftplib.socket is socket, "smtplib": smtplib.socket is socket,
            "socketserver": socketserver.socket is socket,
            "xmlrpc": xmlrpc.client.http.client is http.client,
            "logging.handlers": logging.handlers.socket is socket,
            "gethostname": socket.gethostname(),
            "uname": os.uname().nodename,
            "platform.node": platform.node(),
            "platform.uname": platform.uname().node,
        }
        print(checks)
    """,
    )
    assert prog.exit == 0, texts(prog)
    checks = eval(texts(prog)[0])
    names = {"gethostname": "pc1", "uname": "pc1", "platform.node": "pc1", "platform.uname": "pc1"}
    assert checks == {**{key: True for key in checks}, **names}


def test_urlopen_talks_to_a_simulated_http_server(net, tmp_path):
    """urllib.request.urlopen on pc2 fetches from http.server on pc1, inside the simulation."""
    server = net.node("pc1").run_program(
        program(
            tmp_path,
            "server.py",
            """
        from http.server import HTTPServer, BaseHTTPRequestHandler

        class Hello(BaseHTTPRequestHandler):
            def do_GET(self):
                body = f"hello {self.client_address[0]} {self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        HTTPServer(("", 80), Hello).handle_request()
    """,
        )
    )
    client = net.node("pc2").run_program(
        program(
            tmp_path,
            "client.py",
            """
        from urllib.request import urlopen
        with urlopen("http://198.18.0.1/page", timeout=5) as reply:
            print(reply.status, reply.read().decode())
    """,
        ),
        at=S // 10,
    )
    run_programs(net, 10 * S)
    assert texts(client) == ["200 hello 198.18.0.2 /page"] and client.exit == 0
    assert server.exit == 0 and '"GET /page HTTP/1.1" 200' in texts(server)[0]


def test_two_programs_get_their_own_copies_of_the_standard_library(net, tmp_path):
    """A module a program imports is executed for it alone: pc1's http.client is not pc2's."""
    seen = []

    def remember():
        import http.client

        seen.append(http.client)

    net.node("pc1").run(remember)
    net.node("pc2").run(remember)
    run_programs(net, S)
    import http.client as lanlab_http_client

    assert len(seen) == 2 and seen[0] is not seen[1]
    assert lanlab_http_client not in seen


@pytest.mark.parametrize(
    ("call", "named"),
    [
        ("os.spawnvp(os.P_WAIT, 'true', ['true'])", "os.spawnvp()"),
        ("os.system('true')", "os.system()"),
        ("os.posix_spawn('/bin/true', ['true'], {})", "os.posix_spawn()"),
        ("os.execv('/bin/true', ['true'])", "os.execv()"),
        ("os.popen('true')", "os.popen()"),
        ("importlib.import_module('subprocess').run(['true'])", "subprocess.run"),
        ("importlib.import_module('posix').system('true')", "posix.system()"),
        ("importlib.import_module('multiprocessing').Process(target=print).start()", "multiprocessing.Process"),
        ("importlib.import_module('pty').fork()", "pty.fork"),
        # a context can be made and set up (urllib makes one per opener since 3.12); the handshake cannot
        (
            "importlib.import_module('ssl').create_default_context().wrap_socket(__import__('socket').socket())",
            "an ssl handshake",
        ),
        ("importlib.import_module('signal').alarm(1)", "signal.alarm()"),
        ("importlib.import_module('ctypes').CDLL(None)", "ctypes.CDLL"),
        ("__import__('socket').sethostname('x')", "socket.sethostname"),
        ("importlib.import_module('_thread')._excepthook(None)", "_thread._excepthook"),  # in 3.11-3.13 alike
        ("__import__('ssl').SSLContext().wrap_bio(None, None)", "an ssl handshake"),
    ],
)
def test_what_cannot_be_simulated_raises_naming_the_call_and_the_host(net, tmp_path, call, named):
    """Processes, ssl, signals, ctypes and missing socket calls raise UnsupportedInSimulation, never the real thing."""
    prog = run_file(
        net,
        tmp_path,
        f"""
        import os, importlib
        try:
            {call}
        except Exception as error:
            print(type(error).__name__, error)
    """,
        node="pc3",
    )
    assert texts(prog) == [f"UnsupportedInSimulation {named} is not available to a program on simulated host pc3"]


def test_a_missing_name_still_answers_feature_tests_no(net, tmp_path):
    """hasattr() and getattr(default) on a simulated module say no for what it cannot do (selectors relies on it)."""
    prog = run_file(
        net,
        tmp_path,
        """
        import socket
        print(hasattr(socket, "sethostname"), getattr(socket, "sethostname", "absent"), hasattr(socket, "nonsense"))
    """,
    )
    assert texts(prog) == ["False absent False"]


def test_a_spec_executed_by_hand_still_sits_on_the_simulated_socket(net, tmp_path):
    """module_from_spec + exec_module: the door's spec gives the simulated socket; the real socket.py run by
    hand imports the simulated _socket (and fails on it), never the real one."""
    prog = run_file(
        net,
        tmp_path,
        """
        import importlib.util, socket, sys
        spec = importlib.util.find_spec("socket")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        real_spec = importlib.machinery.PathFinder.find_spec("socket")
        again = importlib.util.module_from_spec(real_spec)
        try:
            real_spec.loader.exec_module(again)
        except TypeError:
            pass  # its class socket(_socket.socket) does not fit the simulated class
        print(module is socket, again._socket is socket, sys.modules["socket"] is socket)
    """,
    )
    assert texts(prog) == ["True True True"], texts(prog)


def test_os_exit_ends_that_program_only_with_its_status(net, tmp_path):
    """os._exit(5) from a thread stops the whole program with status 5; lanlab and the other programs go on."""
    ending = net.node("pc1").run_program(
        program(
            tmp_path,
            "ending.py",
            """
        import os, socket, threading, time

        def worker():
            time.sleep(1)
            print("worker ends the process")
            os._exit(5)

        threading.Thread(target=worker).start()
        threading.Thread(target=lambda: (time.sleep(10), print("never"))).start()
        listener = socket.create_server(("", 7))
        listener.accept()
        print("never either")
    """,
        )
    )
    other = net.node("pc2").run_program(
        program(
            tmp_path,
            "other.py",
            """
        import time
        time.sleep(2)
        print("pc2 still runs")
        raise SystemExit(3)
    """,
        )
    )
    run_programs(net, 5 * S)
    assert texts(ending) == ["worker ends the process"] and ending.exit == 5
    assert texts(other) == ["pc2 still runs"] and other.exit == 3


def test_low_level_threads_and_queues_run_on_simulated_threads(net, tmp_path):
    """_thread.start_new_thread and queue.SimpleQueue block in virtual time, not on real locks."""
    prog = run_file(
        net,
        tmp_path,
        """
        import _thread, queue, time
        box = queue.SimpleQueue()
        _thread.start_new_thread(lambda: (time.sleep(2), box.put("late")), ())
        print(box.get(timeout=5), time.monotonic())
    """,
    )
    assert texts(prog) == ["late 2.0"] and prog.exit == 0


def test_a_programs_own_package_imports_relatively(net, tmp_path):
    """A program's package beside it (relative imports, from-imports of submodules) loads through the door."""
    package = tmp_path / "tools"
    package.mkdir()
    (package / "__init__.py").write_text("from .names import who\n")
    (package / "names.py").write_text("import socket\n\ndef who():\n    return socket.gethostname()\n")
    prog = run_file(
        net,
        tmp_path,
        """
        from tools import who, names
        import tools.names
        print(who(), tools.names is names)
    """,
        node="pc4",
    )
    assert texts(prog) == ["pc4 True"], texts(prog)


def test_builtins_exit_and_import_are_the_programs(net, tmp_path):
    """builtins is the program's own: replacing print there changes only that program; exit() ends it."""
    prog = run_file(
        net,
        tmp_path,
        """
        import builtins, sys
        print(builtins.__import__("sys") is sys, "sys" in sys.modules, "__main__" in sys.modules)
        exit(4)
    """,
    )
    assert texts(prog) == ["True True True"] and prog.exit == 4


def test_asyncio_runs_on_the_simulated_host_in_virtual_time(net, tmp_path):
    """asyncio.run: a streams server on pc1 answers a client on pc2; asyncio.sleep(1.5) takes 1.5 s of virtual time."""
    server = net.node("pc1").run_program(
        program(
            tmp_path,
            "aserver.py",
            """
        import asyncio

        async def echo(reader, writer):
            line = await reader.readline()
            writer.write(b"echo " + line)
            await writer.drain()
            writer.close()

        async def main():
            server = await asyncio.start_server(echo, "0.0.0.0", 8888)
            async with server:
                await asyncio.sleep(3)

        asyncio.run(main())
    """,
        )
    )
    client = net.node("pc2").run_program(
        program(
            tmp_path,
            "aclient.py",
            """
        import asyncio, time

        async def main():
            reader, writer = await asyncio.open_connection("198.18.0.1", 8888)
            writer.write(b"hi\\n")
            print((await reader.readline()).decode().strip())
            await asyncio.sleep(1.5)
            print(round(time.monotonic(), 1))

        asyncio.run(main())
    """,
        ),
        at=S // 10,
    )
    run_programs(net, 5 * S)
    assert texts(client) == ["echo hi", "1.6"] and client.exit == 0, texts(client)
    assert server.exit == 0, texts(server)


def test_signal_handlers_are_the_programs_own(net, tmp_path):
    """signal.signal in a program records its handler (returned by getsignal) and leaves lanlab's alone."""
    import signal as real_signal

    before = real_signal.getsignal(real_signal.SIGTERM)
    prog = run_file(
        net,
        tmp_path,
        """
        import signal
        previous = signal.signal(signal.SIGTERM, lambda number, frame: print("never"))
        print(previous is signal.SIG_DFL, callable(signal.getsignal(signal.SIGTERM)),
              signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """,
    )
    assert texts(prog) == ["True True True"] and prog.exit == 0
    assert real_signal.getsignal(real_signal.SIGTERM) is before


def test_asyncio_add_signal_handler_runs_and_siginterrupt_checks_as_the_kernel(net, tmp_path):
    """loop.add_signal_handler (which calls signal.siginterrupt) runs in a program; siginterrupt refuses the
    signals sigaction refuses (SIGKILL, glibc's 32) and out-of-range numbers, as in this process."""
    import signal as real_signal

    def answer(call) -> str:
        try:
            call()
        except Exception as error:
            return f"{type(error).__name__} {error}"
        return "None"

    # numbers whose action the kernel will not change: asking changes nothing in this process
    expected = [answer(lambda n=n: real_signal.siginterrupt(n, 0)) for n in (0, 9, 32, 65)]
    before = real_signal.getsignal(real_signal.SIGTERM)
    prog = run_file(
        net,
        tmp_path,
        """
        import asyncio, signal

        async def main():
            loop = asyncio.get_running_loop()
            stop = loop.create_future()
            loop.add_signal_handler(signal.SIGTERM, stop.set_result, "term")
            try:
                await asyncio.wait_for(stop, 0.5)
            except asyncio.TimeoutError:
                print("no signal came", loop.time() >= 0.5)
            print(loop.remove_signal_handler(signal.SIGTERM))

        asyncio.run(main())
        for n in (0, 9, 32, 65):
            try:
                print(signal.siginterrupt(n, 0))
            except Exception as error:
                print(type(error).__name__, error)
        print(signal.siginterrupt(signal.SIGUSR1, True))
    """,
    )
    assert texts(prog) == ["no signal came True", "True", *expected, "None"] and prog.exit == 0, texts(prog)
    assert real_signal.getsignal(real_signal.SIGTERM) is before


def test_a_programs_warnings_print_under_its_host(net, tmp_path):
    """warnings.warn in a program is a line of that program's output (not lanlab's stderr), as Python prints it."""
    prog = run_file(
        net,
        tmp_path,
        """
        import warnings
        warnings.warn("careful")
        print("after")
    """,
    )
    assert texts(prog)[0].endswith("pc1_prog.py:3: UserWarning: careful") and texts(prog)[-1] == "after"


def test_open_of_descriptors_0_to_2_is_the_programs_own_and_others_never_lanlabs(net, tmp_path, capfd):
    """open(1, "w"), open(fileno(), "wb") and os.fdopen(2) write lines of the program's output, open(0) reads
    its stdin; nothing reaches lanlab's own stdout or stderr (a --json document stayed whole); open() of a
    number it does not have is EBADF, of a socket's a clear UnsupportedInSimulation."""
    prog = run_file(
        net,
        tmp_path,
        """
        import os, socket, sys
        out = open(1, "w", encoding="utf-8", closefd=False)
        out.write("via open(1)\\n")
        out.flush()
        raw = open(sys.stdout.fileno(), "wb", closefd=False)
        raw.write(b"bytes line\\n")
        err = os.fdopen(2, "w", closefd=False)
        err.write("via fdopen(2)\\n")
        err.flush()
        print("stdin says", repr(open(0, closefd=False).read()))
        sock = socket.socket()
        for fd in (57, sock.fileno()):
            try:
                open(fd, "rb")
            except Exception as error:
                print(type(error).__name__, error)
    """,
    )
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")
    assert texts(prog) == [
        "via open(1)",
        "bytes line",
        "via fdopen(2)",
        "stdin says ''",
        "OSError [Errno 9] Bad file descriptor",
        "UnsupportedInSimulation open() of socket descriptor 3 is not available to a program on simulated host pc1 "
        "(sock.makefile() is)",
    ], texts(prog)
