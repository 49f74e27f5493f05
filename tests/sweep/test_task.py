"""One run of a sweep is exactly `lanlab sim run FILE --seed S --json` with those values."""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from lanlab.sweep.metrics import parse_metric
from lanlab.sweep.plan import make_plan
from lanlab.sweep.task import Task, run_batch, run_task
from lanlab.sweep.vary import SweepError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def sim_run_json(path: Path, *args: str) -> dict:
    """What the command line prints (a process of its own, as a user runs it)."""
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "sim", "run", str(path), "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_a_varied_row_is_sim_run_of_the_file_with_that_value(tmp_path):
    """Seed 1 of count-to-infinity (which loops without poisoned reverse) with split_horizon poisoned_reverse: the row's document (route
    events in it, as the built-in needs) is sim run's of the file edited by hand, and its metric
    is read from that."""
    edited = tmp_path / "c2i.yaml"
    edited.write_text(
        (EXAMPLES / "count-to-infinity.yaml")
        .read_text()
        .replace("split_horizon: none", "split_horizon: poisoned_reverse")
    )
    plan = make_plan(
        EXAMPLES / "count-to-infinity.yaml",
        [1],
        ["nodes.*.rip.split_horizon=poisoned_reverse"],
        until="150s",
        metrics=["routing_convergence"],
        keep_documents=True,
    )
    row = run_task(plan.tasks[0])
    expected = sim_run_json(edited, "--seed", "1", "--until", "150s", "--trace", "jsonl", "--filter", "route,stp")
    assert row["document"] == expected
    assert row["routing_convergence"] == expected["events"][-1]["t"]
    assert row["nodes.*.rip.split_horizon"] == "poisoned_reverse" and row["error"] is None


def test_a_row_with_do_is_sim_run_with_that_do():
    """rip-ring, seed 5, a ping at 30 s: the same document, ping counts read from it."""
    do = "at 30s pc1 ping pc3 -c 5"
    plan = make_plan(
        EXAMPLES / "rip-ring.yaml", [5], do=[do], until="40s", metrics=["ping_received", "frames"], keep_documents=True
    )
    row = run_task(plan.tasks[0])
    expected = sim_run_json(EXAMPLES / "rip-ring.yaml", "--seed", "5", "--until", "40s", "--do", do)
    assert row["document"] == expected
    assert row["ping_received"] == expected["commands"][-1]["result"]["received"]
    assert row["frames"] == sum(link["frames"] for link in expected["links"])


def test_a_failed_run_is_a_row_with_its_error():
    """A topology that does not read gives a row naming the problem and empty metrics."""
    row = run_task(Task("broken.yaml", "nodes: {pc1: {kind: host}\n", 1, {}, metrics=(parse_metric("frames"),)))
    assert row["seed"] == 1 and row["frames"] is None
    assert "broken.yaml" in row["error"]


def test_different_seeds_can_differ():
    """Seeds reach the run: count-to-infinity without split horizon loops on seed 1, not on all."""
    plan = make_plan(EXAMPLES / "count-to-infinity.yaml", "1-4", until="150s", metrics=["route_changes"])
    counts = [run_task(task)["route_changes"] for task in plan.tasks]
    assert len(set(counts)) > 1


SERVER = """import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 7788))
for _ in range(2):
    data, peer = s.recvfrom(100)
    s.sendto(data.upper(), peer)
"""
CLIENT = """import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for word in ("one", "two"):
    s.sendto(word.encode(), ("198.18.0.2", 7788))
    print(s.recvfrom(100)[0].decode(), time.time())
"""


def programs(tmp_path: Path) -> list[str]:
    (tmp_path / "server.py").write_text(SERVER)
    (tmp_path / "client.py").write_text(CLIENT)
    return [f"pc2={tmp_path / 'server.py'}", f"at 0.5s pc1={tmp_path / 'client.py'}"]


def test_a_row_with_apps_is_sim_run_with_those_apps(tmp_path):
    """broadcast.yaml, seed 4, a UDP server on pc2 and a client on pc1 from 0.5 s: the row's document
    (programs, their output lines and the wall in it) is sim run --app's; the built-ins read it."""
    apps = programs(tmp_path)
    plan = make_plan(
        EXAMPLES / "broadcast.yaml",
        [4],
        until="2s",
        metrics=["program_exit", "output_lines"],
        keep_documents=True,
        apps=apps,
    )
    row = run_task(plan.tasks[0])
    expected = sim_run_json(
        EXAMPLES / "broadcast.yaml", "--seed", "4", "--until", "2s", *(word for app in apps for word in ("--app", app))
    )
    assert row["document"] == expected
    assert [line["text"].split()[0] for line in expected["programs"][1]["output"]] == ["ONE", "TWO"]
    assert row["program_exit"] == 0 and row["output_lines"] == 2 and row["error"] is None


def test_the_program_text_travels_with_the_task(tmp_path):
    """The file is read once, when the sweep is planned: a run on a machine without it (here: the
    file deleted) still runs the program, under the name it was given."""
    apps = programs(tmp_path)
    plan = make_plan(
        EXAMPLES / "broadcast.yaml", [1], until="2s", metrics=["output_lines"], keep_documents=True, apps=apps
    )
    (tmp_path / "server.py").unlink()
    (tmp_path / "client.py").unlink()
    row = run_task(plan.tasks[0])
    assert row["error"] is None and row["output_lines"] == 2
    assert [p["path"] for p in row["document"]["programs"]] == [
        str(tmp_path / "server.py"),
        str(tmp_path / "client.py"),
    ]


def test_a_failing_program_is_its_exit_status_not_a_failed_run(tmp_path):
    """A program that raises: program_exit 1, its traceback's last line in its output, the row has no error."""
    (tmp_path / "bad.py").write_text("raise ValueError('nope')\n")
    plan = make_plan(
        EXAMPLES / "broadcast.yaml",
        [1],
        until="1s",
        metrics=["program_exit"],
        keep_documents=True,
        apps=[f"pc1={tmp_path / 'bad.py'}"],
    )
    row = run_task(plan.tasks[0])
    assert row["program_exit"] == 1 and row["error"] is None
    assert row["document"]["programs"][0]["output"][-1]["text"] == "ValueError: nope"


ECHO = """import os, sys
import helper
from pkg import twice
print(helper.shout(input()), twice(sys.argv[1]), os.getpid())
print(input())
"""


def program_folder(tmp_path: Path) -> Path:
    """echo.py beside the module it imports (helper.py) and a package (pkg/, a relative import inside)."""
    (tmp_path / "helper.py").write_text("def shout(text):\n    return text.upper() + '!'\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .inner import twice\n")
    (tmp_path / "pkg" / "inner.py").write_text("def twice(x):\n    return x * 2\n")
    (tmp_path / "echo.py").write_text(ECHO)
    return tmp_path / "echo.py"


def test_stdin_and_args_are_sim_runs_in_every_run(tmp_path):
    """--stdin (two lines) and --arg: each row's document is sim run's with the same options; two
    runs of one batch (one process behind one wall) each see pid 1000 as sim run's program does."""
    echo = program_folder(tmp_path)
    options = ("--app", f"pc1={echo}", "--stdin", "pc1=hi", "--stdin", "pc1=there", "--arg", "pc1=ab")
    plan = make_plan(
        EXAMPLES / "broadcast.yaml",
        [1, 2],
        until="1s",
        metrics=["output_lines"],
        keep_documents=True,
        apps=[f"pc1={echo}"],
        stdins=["pc1=hi", "pc1=there"],
        args=["pc1=ab"],
    )
    rows = run_batch(plan.tasks)
    expected = sim_run_json(EXAMPLES / "broadcast.yaml", "--seed", "1", "--until", "1s", *options)
    assert [line["text"] for line in expected["programs"][0]["output"]] == ["HI! abab 1000", "there"]
    assert rows[0]["document"] == expected
    assert rows[1]["document"]["programs"] == expected["programs"]


def test_modules_beside_the_program_travel_with_it(tmp_path):
    """helper.py and pkg/ are read when the sweep is planned: deleted before the run (a worker
    without the folder), the program still imports them."""
    echo = program_folder(tmp_path)
    plan = make_plan(
        EXAMPLES / "broadcast.yaml",
        [1],
        until="1s",
        metrics=["program_exit"],
        keep_documents=True,
        apps=[f"pc1={echo}"],
        stdins=["pc1=hi", "pc1=x"],
        args=["pc1=ab"],
    )
    assert [m.name for m in plan.tasks[0].apps[0].modules] == ["helper", "pkg", "pkg.inner"]
    shutil.rmtree(tmp_path)
    row = run_task(plan.tasks[0])
    assert row["error"] is None and row["program_exit"] == 0
    assert row["document"]["programs"][0]["output"][0]["text"] == "HI! abab 1000"


def test_a_run_past_its_cpu_limit_is_a_row_with_that_error(tmp_path, monkeypatch):
    """--app-limits cpu=1s against a program that computes for ever (and --app-cpu's 5 s would stop
    later): that run's row says the limit stopped it; the next run of the batch runs on; the killed
    run's files are gone (its host's temporary folder stayed behind)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    (tmp_path / "spin.py").write_text("import sys\nif sys.argv[1:] == ['spin']:\n    while True:\n        pass\n")
    spin = make_plan(
        EXAMPLES / "broadcast.yaml",
        [1],
        until="1s",
        metrics=["program_exit"],
        apps=[f"pc1={tmp_path / 'spin.py'}"],
        args=["pc1=spin"],
        app_limits="cpu=1s",
    ).tasks
    calm = make_plan(
        EXAMPLES / "broadcast.yaml",
        [2],
        until="1s",
        metrics=["program_exit"],
        apps=[f"pc1={tmp_path / 'spin.py'}"],
        app_limits="cpu=1s,mem=512MiB",
    ).tasks
    assert spin[0].limits.cpu == 1 and calm[0].limits.mem == 512 * 1024**2
    rows = run_batch(spin + calm)
    assert "--app-limits cpu=1s" in rows[0]["error"] and rows[0]["program_exit"] is None
    assert rows[1]["error"] is None and rows[1]["program_exit"] == 0
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (dict(stdins=["pc9=x"]), "no node called 'pc9'"),
        (dict(args=["pc2=x"]), "pc2 runs no program"),
        (dict(stdins=["nothing"]), "expected NODE=VALUE"),
        (dict(app_limits="cpu=0.5s"), "whole seconds"),
        (dict(app_limits="disk=1G"), "expected cpu=DURATION"),
    ],
)
def test_bad_inputs_are_sim_runs_errors(tmp_path, options, words):
    """A bad --stdin/--arg/--app-limits is one SweepError, in sim run's words, before anything runs."""
    (tmp_path / "p.py").write_text("print(1)\n")
    with pytest.raises(SweepError, match=words):
        make_plan(EXAMPLES / "broadcast.yaml", [1], apps=[f"pc1={tmp_path / 'p.py'}"], **options)


def test_app_limits_without_programs_is_an_error():
    """As sim run says: the limits are those of a run's programs."""
    with pytest.raises(SweepError, match="add --app"):
        make_plan(EXAMPLES / "broadcast.yaml", [1], app_limits="cpu=2s")


def test_a_broken_module_beside_the_program_is_said_at_planning(tmp_path):
    """An imported helper that is not Python is named, with its line, before anything runs."""
    (tmp_path / "helper.py").write_text("def (:\n")
    (tmp_path / "p.py").write_text("import helper\n")
    with pytest.raises(SweepError, match=r"helper.py, which it imports, is not valid Python.*line 1"):
        make_plan(EXAMPLES / "broadcast.yaml", [1], apps=[f"pc1={tmp_path / 'p.py'}"])


def test_a_memory_limit_counts_from_the_size_the_worker_already_has(tmp_path):
    """--app-limits mem=256MiB in a worker already holding 1 GiB of address space (a Dask worker's
    thread stacks and arenas, a long test session): the run has its 256 MiB on top, not a MemoryError
    for the worker's own size; a program that allocates past it still fails."""
    import mmap

    (tmp_path / "calm.py").write_text("print('fine')\n")
    (tmp_path / "greedy.py").write_text("block = bytearray(1 << 30)\nprint('allocated')\n")

    def tasks(program: str):
        return make_plan(
            EXAMPLES / "broadcast.yaml",
            [1],
            until="1s",
            metrics=["program_exit"],
            apps=[f"pc1={tmp_path / program}"],
            app_limits="mem=256MiB",
        ).tasks

    reserved = mmap.mmap(-1, 1 << 30)  # address space only: never touched, so no memory is used
    try:
        calm, greedy = run_batch(tasks("calm.py") + tasks("greedy.py"))
    finally:
        reserved.close()
    assert calm["error"] is None and calm["program_exit"] == 0
    assert greedy["program_exit"] == 1


def test_a_failed_rows_error_is_one_line():
    """An error whose text has line breaks (Dask's on a lost scheduler) is one line in the row."""
    from lanlab.sweep.task import Task, failed_row

    error = RuntimeError("cancelled for reason: scheduler-connection-lost.\nClient lost the connection")
    row = failed_row(Task("t.yaml", "", 3, {"a": 1}), error)
    assert row["error"] == "RuntimeError: cancelled for reason: scheduler-connection-lost. Client lost the connection"
    assert (row["seed"], row["a"], row["wall_s"]) == (3, 1, None)


@pytest.mark.timeout(60)
def test_a_run_past_the_run_limit_is_a_row_saying_so_and_the_batch_goes_on():
    """run_limit=1.5 s: a run of count-to-infinity.yaml over 10^9 s of sim time (hours of work) between two
    short ones is a row whose error says it was stopped at --run-limit, with how long it ran; the short
    runs' rows are what they are without the limit."""
    limited = dict(until="150s", metrics=["route_changes"], run_limit="1.5s")
    short = make_plan(EXAMPLES / "count-to-infinity.yaml", [1, 2], **limited).tasks
    endless = make_plan(EXAMPLES / "count-to-infinity.yaml", [3], **{**limited, "until": "1000000000s"}).tasks
    assert short[0].run_limit == 1.5
    rows = run_batch([short[0], *endless, short[1]])
    assert [row["seed"] for row in rows] == [1, 3, 2]
    assert rows[1]["error"].startswith("RunTimedOut: the run took more than --run-limit 1.5s")
    assert rows[1]["route_changes"] is None and 1.5 <= rows[1]["wall_s"] < 10
    unlimited = make_plan(EXAMPLES / "count-to-infinity.yaml", [1, 2], until="150s", metrics=["route_changes"]).tasks
    expected = [run_task(task) for task in unlimited]
    for row, alone in zip((rows[0], rows[2]), expected):
        assert row["error"] is None and row["route_changes"] == alone["route_changes"]


@pytest.mark.timeout(60)
def test_a_program_that_never_ends_is_stopped_at_the_run_limit(tmp_path):
    """A program that sleeps a microsecond in a loop (never the busy-loop stop: it waits) over 1000 s of
    sim time: with run_limit=1 its run is a RunTimedOut row; the next run of the batch, whose program
    ends, runs on behind the wall."""
    (tmp_path / "loop.py").write_text(
        "import sys, time\nwhile sys.argv[1:] == ['loop']:\n    time.sleep(0.000001)\nprint('done')\n"
    )
    common = dict(until="1000s", metrics=["output_lines"], apps=[f"pc1={tmp_path / 'loop.py'}"], run_limit=1)
    looping = make_plan(EXAMPLES / "broadcast.yaml", [1], args=["pc1=loop"], **common).tasks
    ending = make_plan(EXAMPLES / "broadcast.yaml", [2], **common).tasks
    rows = run_batch(looping + ending)
    assert "RunTimedOut" in rows[0]["error"] and "--run-limit 1s" in rows[0]["error"]
    assert rows[1]["error"] is None and rows[1]["output_lines"] == 1
