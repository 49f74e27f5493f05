"""`lanlab sim run --app/--stdin/--arg` and `--do "... tcp serve|connect"`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = str(REPO / "examples" / "broadcast.yaml")
SEED = Path(os.environ.get("LANLAB_SEED", REPO.parent / "shared" / "seed")) / "programs"
needs_seed = pytest.mark.skipif(not SEED.is_dir(), reason=f"the note's programs are not at {SEED} (set LANLAB_SEED)")


def run(*args: str):
    return CliRunner().invoke(cli, ["sim", "run", EXAMPLE, *args])


@needs_seed
def test_note_programs_print_under_their_host_with_virtual_time():
    """Each printed line appears as `[  time] NODE | text`; both programs exit 0."""
    result = run(
        "--app",
        f"pc1={SEED / 'tcp_server_once.py'}",
        "--app",
        f"at 0.1s pc1={SEED / 'tcp_client.py'}",
        "--stdin",
        "pc1=hello",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "[  0.100050] pc1 | 请输入您要发送的数据：接收的数据为:b'thank YOU!'" in lines
    assert "[  0.100040] pc1 | 接收数据为：hello" in lines
    assert f"pc1 {SEED / 'tcp_client.py'}: exit 0" in lines


@needs_seed
def test_json_programs_key_has_exactly_the_issue_fields():
    """--json lists programs as {node, path, exit, output: [{t, text}], error} and started, which tells a
    program still running at the end (true) from one --until came before (false; both had only exit null)."""
    result = run(
        "--app",
        f"pc1={SEED / 'udp_broadcast_sender.py'}",
        "--app",
        f"at 5s pc2={SEED / 'udp_broadcast_sender.py'}",
        "--do",
        "pc2 udp listen 7788 --reply hello",
        "--until",
        "1s",
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    [program, late] = document["programs"]
    assert set(program) == {"node", "path", "exit", "output", "error", "started"}
    assert program["node"] == "pc1" and program["exit"] is None and program["error"] is None
    assert (program["started"], late["started"], late["exit"], late["output"]) == (True, False, None, [])
    assert all(set(line) == {"t", "text"} for line in program["output"])
    assert program["output"][1]["text"] == "Received from ('198.18.0.2', 7788): b'hello'"


def test_arguments_reach_sys_argv_and_a_failing_program_exits_1(tmp_path):
    """--arg values become sys.argv[1:]; a program that raises shows its traceback and makes the exit 1."""
    script = tmp_path / "args.py"
    script.write_text("import sys\nprint(sys.argv[1:])\nraise SystemExit(3)\n")
    result = run("--app", f"pc2={script}", "--arg", "pc2=one", "--arg", "pc2=two")
    assert "[  0.000000] pc2 | ['one', 'two']" in result.output.splitlines()
    assert result.exit_code == 1 and f"pc2 {script}: exit 3" in result.output


def test_controls_a_program_prints_are_escaped_on_screen_and_kept_in_json(tmp_path):
    """An escape sequence, a bell or a bidi override a program prints shows as an escape in its line;
    --json keeps the text as printed."""
    script = tmp_path / "hostile.py"
    script.write_text('print("got \\u202eabc \\x1b[31mred\\x07\\tend")\n')
    result = run("--app", f"pc2={script}")
    assert "[  0.000000] pc2 | got \\u202eabc \\x1b[31mred\\x07\tend" in result.output.splitlines()
    document = json.loads(run("--app", f"pc2={script}", "--json").stdout)
    assert document["programs"][0]["output"][0]["text"] == "got \u202eabc \x1b[31mred\x07\tend"


def test_do_tcp_serve_and_connect_in_the_simulator():
    """The real CLI's words: the client gets the server's reply line (a line answers a line, as
    `lanlab tcp serve` does), the server logs the message."""
    result = run("--do", "pc1 tcp serve --port 7788", "--do", "pc2 tcp connect pc1 7788 --send hi", "--json")
    assert result.exit_code == 0, result.output
    serve, connect = json.loads(result.output)["commands"]
    assert [r["text"] for r in connect["result"]["received"]] == ["thank YOU!\n"]
    assert connect["result"]["sent"] == ["hi"]
    messages = [e for e in serve["result"]["events"] if e["event"] == "message"]
    assert [(m["client"].split(":")[0], m["text"]) for m in messages] == [("198.18.0.2", "hi")]


def test_do_tcp_serve_echo_logs_what_it_echoes_as_the_real_server():
    """--mode echo sends the bytes back and logs each line as a message, as `lanlab tcp serve --mode echo`
    now does (the simulated twin logged none, so `lanlab compare` found a difference)."""
    result = run(
        "--do", "pc1 tcp serve --port 7 --mode echo", "--do", "pc2 tcp connect pc1 7 --send one --send two", "--json"
    )
    assert result.exit_code == 0, result.output
    serve, connect = json.loads(result.output)["commands"]
    assert "".join(r["text"] for r in connect["result"]["received"]) == "one\ntwo\n"
    messages = [e["text"] for e in serve["result"]["events"] if e["event"] == "message"]
    assert messages == ["one", "two"]


def test_connect_to_a_closed_port_says_refused_and_exits_1():
    """Nobody listening: tcp connect reports the refusal in the real `lanlab tcp connect`'s words, in English
    and in Chinese; the command got no answer (exit 1); a --timeout of 0 is refused as the real CLI refuses it."""
    result = run("--do", "pc2 tcp connect pc1 7788 --send hi")
    assert result.exit_code == 1
    said = "error: connection refused by tcp pc1:7788: nothing listens there (is the server running?)"
    assert said in result.output.splitlines()
    zero = run("--do", "pc2 tcp connect pc1 7788 --timeout 0")
    assert zero.exit_code == 2 and "0 is no time to wait: give more than 0, like 5s" in zero.output
    chinese = CliRunner().invoke(cli, ["--lang", "zh", "sim", "run", EXAMPLE, "--do", "pc2 tcp connect pc1 7788"])
    assert "错误：tcp pc1:7788 拒绝连接：那里没有程序在监听（服务器在运行吗？）" in chinese.output.splitlines()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--app", "pc9=x.py"], "no host called 'pc9'"),
        (["--app", "sw1=x.py"], "sw1 is a switch; programs run on hosts and routers (pc1, pc2, pc3, pc4)"),
        (["--app", "pc1=/nonexistent.py"], "no such file"),
        (["--app", "pc1"], "expected [at T] NODE=FILE.py"),
        (["--stdin", "pc7=hi"], "no node called 'pc7'"),
    ],
)
def test_bad_app_options_are_one_line_errors(args, message):
    """Mistakes in --app/--stdin are one-line errors with exit status 2."""
    result = run(*args)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


@needs_seed
def test_same_seed_same_programs_same_document():
    """Two runs with the same file, seed and programs give the same --json document."""
    args = (
        "--app",
        f"pc1={SEED / 'udp_broadcast_sender.py'}",
        "--do",
        "pc2 udp listen 7788 --reply hello",
        "--do",
        "pc1 tcp serve --port 7000",
        "--do",
        "pc3 tcp connect pc1 7000 --send x",
        "--until",
        "2s",
        "--json",
    )
    assert run(*args).output == run(*args).output


def test_a_hosts_programs_share_one_stdin_read_in_start_order(tmp_path):
    """--stdin lines are one stream per host: the program started first reads the first line, the next the second."""
    reader = tmp_path / "reader.py"
    reader.write_text("print('got', input())\n")
    result = run(
        "--app",
        f"pc2={reader}",
        "--app",
        f"pc2={reader}",
        "--app",
        f"pc3={reader}",
        "--stdin",
        "pc2=first",
        "--stdin",
        "pc2=second",
        "--stdin",
        "pc3=third",
    )
    lines = [line.split("| ")[1] for line in result.output.splitlines() if " | " in line]
    assert lines == ["got first", "got second", "got third"]


def test_stdout_and_stdin_have_the_encoding_and_buffer_of_linux(tmp_path):
    """sys.stdout.reconfigure(encoding="utf-8") (common in programs written for a Windows console), .encoding,
    .buffer (a character split across two writes kept whole), a TextIOWrapper over it, and sys.stdin.buffer
    work as on Linux (AttributeError before)."""
    program = tmp_path / "stdio.py"
    program.write_text(
        "import io, sys\n"
        "sys.stdout.reconfigure(encoding='utf-8')\n"
        "print(sys.stdout.encoding, sys.stdin.encoding)\n"
        "sys.stdout.buffer.write('半'.encode()[:2])\n"
        "sys.stdout.buffer.write('半'.encode()[2:] + b'\\n')\n"
        "wrapped = io.TextIOWrapper(sys.stdout.buffer, encoding='utf-8')\n"
        "wrapped.write('包装\\n')\n"
        "wrapped.flush()\n"
        "print(sys.stdin.buffer.readline().decode().strip(), input())\n",
        encoding="utf-8",
    )
    result = run("--until", "1s", "--app", f"pc1={program}", "--stdin", "pc1=第一行", "--stdin", "pc1=second")
    assert result.exit_code == 0, result.output
    lines = [line.split("| ")[1] for line in result.output.splitlines() if " | " in line]
    assert lines == ["utf-8 utf-8", "半", "包装", "第一行 second"]


def test_a_run_ends_at_until_not_when_its_programs_end(tmp_path):
    """A program that ends at once does not end the run: --do commands after it still run, to --until."""
    noop = tmp_path / "noop.py"
    noop.write_text("pass\n")
    result = run(
        "--until", "5s", "--app", f"pc1={noop}", "--do", "pc2 ping pc3 -c 3", "--do", "at 4s pc2 ping pc4 -c 1"
    )
    assert result.exit_code == 0, result.output
    assert "3 packets transmitted, 3 received" in result.output
    assert "1 packets transmitted, 1 received" in result.output
    assert "ran 'broadcast' to 5s" in result.output


def test_a_busy_loop_is_stopped_naming_host_program_and_line_and_the_run_reports(tmp_path):
    """while True: pass is stopped after --app-cpu, the report names host, program and line; the run reaches --until."""
    busy = tmp_path / "busy.py"
    busy.write_text("print('start')\nwhile True:\n    pass\n")
    result = run("--until", "2s", "--app-cpu", "300ms", "--app", f"pc1={busy}", "--do", "at 1s pc2 ping pc3 -c 1")
    assert result.exit_code == 1
    assert f"pc1: {busy} ran 0.3 s without waiting (a busy loop?) at line 2" in result.output.splitlines()
    assert "1 packets transmitted, 1 received" in result.output and "ran 'broadcast' to 2s" in result.output


def test_max_events_stops_a_busy_wait_on_the_clock(tmp_path):
    """A program polling time.time() forever pays virtual time, so --max-events (and --until) end the run."""
    poll = tmp_path / "poll.py"
    poll.write_text("import time\nwhile True:\n    time.time()\n")
    result = run("--until", "1000s", "--max-events", "500", "--app", f"pc1={poll}")
    assert result.exit_code == 1
    assert "--max-events 500" in result.output
    result = run("--until", "50ms", "--app", f"pc1={poll}")
    assert "ran 'broadcast' to 50ms" in result.output


def test_sigterm_prints_the_report_like_ctrl_c(tmp_path):
    """SIGTERM during a run stops it with the report so far and exit 130, as Ctrl-C does."""
    import signal
    import subprocess
    import sys
    import time

    busy = tmp_path / "busy.py"
    busy.write_text("print('started', flush=True)\nwhile True:\n    pass\n")
    lanlab = str(Path(sys.executable).with_name("lanlab"))
    process = subprocess.Popen(
        [lanlab, "sim", "run", EXAMPLE, "--app-cpu", "0", "--app", f"pc1={busy}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        line = process.stdout.readline()
        assert "started" in line
        while time.monotonic() < deadline and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(1)
            except subprocess.TimeoutExpired:
                pass
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "interrupted at sim time" in err and "ran 'broadcast'" in out


def test_files_keeps_each_hosts_files_in_its_own_folder(tmp_path):
    """--files DIR: two hosts' programs writing out.txt leave DIR/pc1/out.txt and DIR/pc2/out.txt."""
    script = tmp_path / "write.py"
    script.write_text("import socket\nopen('out.txt', 'w').write(socket.gethostname())\n")
    kept = tmp_path / "kept"
    result = run("--until", "1s", "--files", str(kept), "--app", f"pc1={script}", "--app", f"pc2={script}")
    assert result.exit_code == 0, result.output
    assert (kept / "pc1" / "out.txt").read_text() == "pc1" and (kept / "pc2" / "out.txt").read_text() == "pc2"
    assert "--files DIR" in CliRunner().invoke(cli, ["sim", "run", "--help"]).output


def test_a_reader_that_stops_early_ends_the_run_without_a_traceback(tmp_path):
    """`lanlab sim run --app ... | head -1`: the closed pipe ends the run quietly with status 1, as click ends a
    command (lanlab printed a BrokenPipeError traceback from the run behind the wall)."""
    import subprocess
    import sys

    program = tmp_path / "many.py"
    program.write_text("import time\nfor i in range(2000):\n    print('line', i)\n    time.sleep(0.001)\n")
    command = [sys.executable, "-m", "lanlab", "sim", "run", EXAMPLE, "--until", "3s", "--app", f"pc1={program}"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        assert run.stdout is not None and run.stderr is not None
        first = run.stdout.readline()
        run.stdout.close()
        stderr = run.stderr.read().decode()
        status = run.wait(timeout=120)
    assert first.decode().endswith("pc1 | line 0\n")
    assert status == 1 and "Traceback" not in stderr, stderr


def test_descriptor_calls_stay_inside_the_program(tmp_path):
    """os.write(1)/os.read(0) are the program's own stdout and stdin (os.write(1) reached lanlab's stdout and
    broke a --json document), os.close(0..2) leaves lanlab's streams open, a socket's number reaches the
    socket, a file's number the file, and os.dup2 is unsupported."""
    script = tmp_path / "fds.py"
    script.write_text(
        "import os, socket\n"
        "os.write(1, 'raw 你好\\n'.encode())\n"
        "print('stdin', os.read(0, 5))\n"
        "os.close(0); os.close(1); os.close(2)\n"
        "print('still printing')\n"
        "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))\n"
        "v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.connect(u.getsockname())\n"
        "os.write(v.fileno(), b'datagram'); print('socket', os.read(u.fileno(), 100))\n"
        "os.set_blocking(u.fileno(), False); print('blocking', u.getblocking(), os.get_blocking(u.fileno()))\n"
        "fd = os.open('notes.txt', os.O_CREAT | os.O_RDWR); os.write(fd, b'file'); os.lseek(fd, 0, 0)\n"
        "print('file', os.read(fd, 10)); os.close(fd)\n"
        "try:\n    os.dup2(3, 1)\nexcept Exception as error:\n    print(type(error).__name__)\n"
    )
    result = run("--app", f"pc1={script}", "--stdin", "pc1=hello", "--json", "--files", str(tmp_path / "files"))
    document = json.loads(result.stdout)
    texts = [line["text"] for line in document["programs"][0]["output"]]
    assert texts == [
        "raw 你好",
        "stdin b'hello'",
        "still printing",
        "socket b'datagram'",
        "blocking False False",
        "file b'file'",
        "UnsupportedInSimulation",
    ]
