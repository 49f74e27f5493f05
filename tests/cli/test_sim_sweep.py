"""`lanlab sim sweep`: rows to csv/jsonl/parquet, plots, a --json summary, one-line errors."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lanlab.cli.main import cli
from hostile_yaml import yaml_bomb

C2I = str(Path(__file__).resolve().parents[2] / "examples" / "count-to-infinity.yaml")
HUB = str(Path(__file__).resolve().parents[2] / "examples" / "hub_vs_switch.yaml")
SWEEP = (
    "sim",
    "sweep",
    C2I,
    "--seeds",
    "1-2",
    "--until",
    "150s",
    "--workers",
    "1",
    "--vary",
    "nodes.*.rip.split_horizon=none,poisoned_reverse",
    "--metric",
    "route_changes",
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def in_a_process(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """lanlab as its own process: matplotlib and pyarrow then stay out of pytest's (an address
    space grown by them broke test_sim_wall's --app-limits mem=256MiB child, which inherits it)."""
    return subprocess.run(
        [sys.executable, "-m", "lanlab", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def test_csv_rows_and_the_summary_table(tmp_path):
    """4 runs: a header and 4 rows in the csv, the table's per-value lines, exit 0."""
    out = tmp_path / "rows.csv"
    result = invoke(*SWEEP, "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [(r["nodes.*.rip.split_horizon"], r["seed"]) for r in rows] == [
        ("none", "1"),
        ("none", "2"),
        ("poisoned_reverse", "1"),
        ("poisoned_reverse", "2"),
    ]
    assert all(r["route_changes"].isdigit() and r["error"] == "" for r in rows)
    assert "poisoned_reverse" in result.output and "4 runs of" in result.output
    assert " s on this process" in result.output  # --json's "in process" is no place to run "on"


def test_json_summary_and_jsonl(tmp_path):
    """--json: runs, failed, each value's median and quartiles; the jsonl has one object per run."""
    out = tmp_path / "rows.jsonl"
    result = invoke(*SWEEP, "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary["runs"] == len(rows) == 4 and summary["failed"] == 0 and not summary["interrupted"]
    by_value = {g["values"]["nodes.*.rip.split_horizon"]: g for g in summary["groups"]}
    none_counts = sorted(r["route_changes"] for r in rows if r["nodes.*.rip.split_horizon"] == "none")
    assert by_value["none"]["route_changes"]["min"] == none_counts[0]
    assert by_value["none"]["route_changes"]["max"] == none_counts[-1]


def test_where_the_runs_ran_is_said_in_the_users_language_and_json_keeps_english():
    """--lang zh: the closing line says 运行于 本进程内 (not "in process"); --json's where stays "in process"."""
    chinese = invoke("--lang", "zh", *SWEEP)
    assert chinese.exit_code == 0, chinese.output
    assert "运行于 本进程内" in chinese.output and "in process" not in chinese.output
    assert json.loads(invoke("--lang", "zh", *SWEEP, "--json").output)["where"] == "in process"


def test_parquet_and_plots(tmp_path):
    """A parquet file pyarrow reads back, a vs plot and a CDF as PNG files."""
    if importlib.util.find_spec("pyarrow") is None or importlib.util.find_spec("matplotlib") is None:
        pytest.skip("the sweep extra (pyarrow, matplotlib) is not installed")
    out, vs, cdf = tmp_path / "rows.parquet", tmp_path / "vs.png", tmp_path / "cdf.svg"
    result = in_a_process(*SWEEP, "--out", str(out), "--plot", str(vs), "--plot", f"route_changes:cdf={cdf}")
    assert result.returncode == 0, result.stderr
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pyarrow.parquet as pq, sys; print(pq.read_table(sys.argv[1]).num_rows)",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert read.stdout.strip() == "4", read.stderr
    assert vs.read_bytes().startswith(b"\x89PNG") and b"<svg" in cdf.read_bytes()


def test_parquet_holds_a_seed_past_int64_and_a_varied_value_of_two_types(tmp_path):
    """Seeds of 2**63 and more go to parquet as uint64, a --vary of 1,abc as text (pyarrow raised, no file)."""
    if importlib.util.find_spec("pyarrow") is None:
        pytest.skip("the sweep extra (pyarrow) is not installed")
    out = tmp_path / "rows.parquet"
    seeds = f"{2**63},{2**64 - 1}"
    result = in_a_process(
        *("sim", "sweep", HUB, "--seeds", seeds, "--until", "1s", "--workers", "1"),
        *("--vary", "name=1,abc", "--out", str(out)),
    )
    assert result.returncode == 0, result.stderr
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, pyarrow.parquet as pq, sys; t = pq.read_table(sys.argv[1]); "
            "print(json.dumps([str(t.schema.field('seed').type), t.column('seed').to_pylist(), t.column('name').to_pylist()]))",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert json.loads(read.stdout) == ["uint64", [2**63, 2**64 - 1] * 2, ["1", "1", "abc", "abc"]], read.stderr


def test_a_list_or_mapping_value_runs_and_shows_as_its_text():
    """--vary links=[] and nodes.sw1.stp={...} run, each shown as its JSON text (a TypeError traceback, exit 1)."""
    result = invoke("sim", "sweep", HUB, "--seeds", "1", "--until", "1s", "--workers", "1", "--vary", "links=[]")
    assert result.exit_code == 0, result.output
    assert "│ []" in result.output and "1 run of" in result.output
    stp = str(Path(C2I).with_name("stp.yaml"))
    result = invoke(
        *("sim", "sweep", stp, "--seeds", "1", "--until", "1s", "--workers", "1", "--json"),
        *("--vary", "nodes.sw1.stp={mode: rstp, priority: 4096},{}"),
    )
    assert result.exit_code == 0, result.output
    groups = json.loads(result.output)["groups"]
    assert sorted(json.dumps(g["values"]["nodes.sw1.stp"]) for g in groups) == [
        '{"mode": "rstp", "priority": 4096}',
        "{}",
    ]


def test_negative_seeds_run_and_a_repeated_seed_is_said(tmp_path):
    """--seeds -2..0,0,-1 runs seeds -2, -1 and 0 once each (it was refused) and warns on stderr that
    5 seeds were named, 3 different (a repeat was dropped silently)."""
    out = tmp_path / "rows.csv"
    result = CliRunner().invoke(cli, [*HUB_RUN[:3], "--seeds=-2..0,0,-1", *HUB_RUN[5:], "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert [row["seed"] for row in csv.DictReader(out.open())] == ["-2", "-1", "0"]
    assert result.stderr == (
        "lanlab: warning: --seeds -2..0,0,-1 names 5 seeds, 3 different; each runs once (the same seed gives "
        "the same run)\n"
    )
    assert json.loads(result.stdout)["runs"] == 3


FULL = Path("/dev/full")
HUB_RUN = ("sim", "sweep", HUB, "--seeds", "1", "--until", "1s", "--workers", "1")


def sweep_to_a_full_device(out: Path, plot: Path, full: Path, *more: str) -> subprocess.CompletedProcess[str]:
    """The one-run sweep with --out and --plot, `full` (one of them) a link to /dev/full."""
    if not FULL.exists() or importlib.util.find_spec("matplotlib") is None:
        pytest.skip("no /dev/full here, or the sweep extra (matplotlib) is not installed")
    full.symlink_to(FULL)
    return in_a_process(*HUB_RUN, "--out", str(out), "--plot", str(plot), *more)


def test_out_on_a_full_device_keeps_the_rows_in_the_cache_and_says_where(tmp_path, monkeypatch):
    """--out on a full device: the summary, then "--out: cannot write FILE: ...; the rows are in KEPT
    instead" (they were lost: "not saved"), KEPT a csv in $XDG_CACHE_HOME/lanlab/sweeps holding the row,
    the plot written, exit 2."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out, plot = tmp_path / "full.csv", tmp_path / "ok.png"
    result = sweep_to_a_full_device(out, plot, out)
    assert result.returncode == 2, result.stderr
    [kept] = (tmp_path / "cache" / "lanlab" / "sweeps").iterdir()
    assert kept.name.startswith("full-") and kept.suffix == ".csv"
    assert result.stderr == (
        f"lanlab: --out: cannot write {out}: No space left on device; the rows are in {kept} instead\n"
    )
    assert [row["seed"] for row in csv.DictReader(kept.open())] == ["1"]
    assert f"rows in {kept}" in result.stdout and f"plot {plot}" in result.stdout
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_rows_no_place_takes_are_said_to_be_lost(tmp_path, monkeypatch):
    """--out, the cache and the temporary directory all on a full device: "the rows are not saved,
    only the summary above", exit 2."""
    if not FULL.exists():
        pytest.skip("no /dev/full here")
    out = tmp_path / "full.jsonl"
    out.symlink_to(FULL)
    (tmp_path / "cache").write_text("a file where the cache directory would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "cache"))
    result = invoke(*HUB_RUN, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"lanlab: --out: cannot write {out}: No space left on device; the rows are not saved, only the summary above\n"
    )


def test_a_plot_on_a_full_device_names_its_file_and_the_rows_are_written(tmp_path):
    """--plot on a full device says "--plot: cannot write FILE" (it said "cannot write None"); --out is written, exit 2."""
    out, plot = tmp_path / "rows.jsonl", tmp_path / "full.png"
    result = sweep_to_a_full_device(out, plot, plot, "--json")
    assert result.returncode == 2, result.stderr
    assert f"lanlab: --plot: cannot write {plot}: No space left on device" in result.stderr
    assert json.loads(result.stdout)["plots"] == [] and len(out.read_text().splitlines()) == 1


def test_a_value_the_topology_refuses_is_one_line():
    """A --vary value the topology refuses is named before any run, with the file's words (exit 2)."""
    result = invoke("sim", "sweep", C2I, "--seeds", "1", "--vary", "nodes.*.rip.split_horizon=sideways")
    assert result.exit_code == 2
    assert "sideways" in result.output and "Traceback" not in result.output


def test_a_topology_mistake_is_said_once_at_its_line(tmp_path):
    """A topology the reader refuses is its FILE:LINE problem, the file not named twice, as sim run says
    it (no lanlab: before it, one line a problem); a YAML bomb is refused before any run."""
    broken = tmp_path / "t.yaml"
    broken.write_text("nodes:\n  pc1: {kind: host, ip: 198.18.0.300/24}\n")
    result = invoke("sim", "sweep", str(broken), "--seeds", "1")
    assert result.exit_code == 2
    assert result.output.startswith(f"{broken}:2: node pc1: ip: ") and result.output.count(str(broken)) == 1
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(yaml_bomb())
    result = invoke("sim", "sweep", str(bomb), "--seeds", "1")
    assert result.exit_code == 2 and "its aliases expand to" in result.output


def test_a_varied_value_the_topology_refuses_is_named_at_the_files_own_lines(tmp_path):
    """A --vary value that makes a mistake is reported at the lines of the file as written (the values go
    into its YAML tree, not into a re-written copy whose lines differ): the link's loss at the link's line,
    a clashing address at the second host's line, citing the first host's."""
    topology = tmp_path / "t.yaml"
    topology.write_text(
        "# two hosts\nname: t\n\nnodes:\n  pc1: {kind: host, ip: 198.18.1.10/24}\n"
        "  pc2: {kind: host, ip: 198.18.1.11/24}\nlinks:\n  - [pc1:eth0, pc2:eth0]\n"
    )
    loss = invoke("sim", "sweep", str(topology), "--seeds", "1", "--vary", "links.*.loss=0,2")
    assert loss.exit_code == 2
    assert (
        loss.output
        == f"lanlab: {topology} with links.*.loss=2: {topology}:8: link: loss must be between 0 and 1, not 2.0\n"
    )
    clash = invoke("sim", "sweep", str(topology), "--seeds", "1", "--vary", "nodes.pc1.ip=198.18.1.11/24")
    assert clash.exit_code == 2
    assert f"{topology}:6: duplicate IP address 198.18.1.11 (already used on line 5)" in clash.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--vary", "loss=1"), "nodes."),
        (("--vary", "links.9.loss=1"), "index"),
        (("--metric", "x=__import__(os)"), "no function"),
        (("--metric", "nosuch"), "built-in"),
        (("--seeds", "9-1"), "backwards"),
        (("--out", "rows.xlsx"), ".csv"),
        (("--plot", "fig.pdf"), ".png"),
        (("--until", "soon"), "--until"),
        (("--do", "pc9 ping pc1"), "--do"),
        (("--app", "pc1=x.py"), "no such file 'x.py'"),
        (("--app", "pc1"), "expected [at T] NODE=FILE.py"),
        (("--app", f"sw1={__file__}"), "no host called 'sw1'"),
        (("--stdin", "pc1=x"), "add --app pc1=PROGRAM.py"),
        (("--app", f"pc1={__file__}", "--arg", "pc1"), "expected NODE=VALUE"),
        (("--app-limits", "cpu=10s"), "add --app"),
        (("--app", f"pc1={__file__}", "--app-limits", "mem=1MiB"), "64MiB or more"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, monkeypatch, args, words):
    """Every mistake is named before (or instead of) running, never with a traceback."""
    monkeypatch.chdir(tmp_path)
    result = invoke("sim", "sweep", C2I, "--seeds", "1", "--workers", "1", "--until", "1s", *args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--vary", "loss=1"), "路径以 nodes. 或 links. 开头"),
        (("--vary", "links.9.loss=1"), "（links.9.loss=1）：--vary：'9' 不是一个有 4 项的列表的下标"),
        (("--metric", "x=__import__(os)"), "没有函数 __import__()"),
        (("--metric", "nosuch"), "不是内置指标"),
        (("--seeds", "9-1"), "范围 9-1 是倒着的；请写成 1-9"),
        (("--out", "rows.xlsx"), "请指定一个 .csv、.jsonl 或 .parquet 文件"),
        (("--plot", "fig.pdf"), "请指定一个 .png 或 .svg 文件"),
        (("--app", f"sw1={__file__}"), "没有叫 'sw1' 的主机"),
        (("--app-limits", "cpu=10s"), "请加上 --app"),
    ],
)
def test_bad_input_is_said_in_the_users_language(tmp_path, monkeypatch, args, words):
    """Under --lang zh the sweep's own mistakes read Chinese (one line, exit 2), the arguments as typed."""
    monkeypatch.chdir(tmp_path)
    result = invoke("--lang", "zh", "sim", "sweep", C2I, "--seeds", "1", "--workers", "1", "--until", "1s", *args)
    assert result.exit_code == 2, result.output
    assert words in result.output and len(result.output.splitlines()) == 1, result.output


def test_stdin_and_arg_reach_the_program_of_every_run(tmp_path):
    """On the command line: --stdin and --arg are each run's, as sim run's; --app-limits is taken."""
    (tmp_path / "echo.py").write_text("import sys\nprint(input(), *sys.argv[1:])\n")
    out = tmp_path / "rows.csv"
    result = in_a_process(
        *("sim", "sweep", str(Path(C2I).parent / "broadcast.yaml"), "--seeds", "1-2", "--until", "1s"),
        *("--workers", "1", "--app", f"pc1={tmp_path / 'echo.py'}", "--stdin", "pc1=hi", "--arg", "pc1=7788"),
        *("--app-limits", "cpu=10s", "--metric", "said=programs.0.output.0.text", "--out", str(out)),
    )
    assert result.returncode == 0, result.stderr
    assert [row["said"] for row in csv.DictReader(out.open())] == ["hi 7788", "hi 7788"]


def test_a_plot_of_a_metric_not_swept_is_refused(tmp_path):
    """--plot nosuch:hist=... names the sweep's metrics before running (exit 2)."""
    result = in_a_process(
        "sim", "sweep", C2I, "--seeds", "1", "--workers", "1", "--plot", "nosuch:hist=fig.png", cwd=tmp_path
    )
    assert result.returncode == 2 and "not a --metric" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "fig.png").exists()


def test_help_teaches_the_command():
    """--help names the flags of the contract and an example."""
    result = invoke("sim", "sweep", "--help")
    for flag in (
        "--seeds",
        "--vary",
        "--do",
        "--app",
        "--stdin",
        "--arg",
        "--app-limits",
        "--until",
        "--metric",
        "--out",
        "--plot",
        "--workers",
        "--scheduler",
        "--json",
    ):
        assert flag in result.output


@pytest.mark.slow
def test_ctrl_c_keeps_the_rows_done_and_exits_130(tmp_path):
    """SIGINT to the sweep's process group (as Ctrl-C sends it): the rows done are written, exit 130,
    no traceback."""
    out = tmp_path / "rows.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, runpy, sys; signal.signal(signal.SIGINT, "
            "signal.default_int_handler); sys.argv = sys.argv[1:]; "
            "runpy.run_module('lanlab', run_name='__main__')",
            "lanlab",
            "sim",
            "sweep",
            C2I,
            "--seeds",
            "1-5000",
            "--until",
            "150s",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(12)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    rows = list(csv.DictReader(out.open()))
    assert 0 < len(rows) < 5000
    assert "interrupted after" in stderr and "Traceback" not in stderr


def test_sigterm_keeps_the_rows_done_and_exits_143(tmp_path):
    """SIGTERM to the sweep (`kill PID`, a batch system's time limit) ends it as Ctrl-C does: the rows
    done are written to --out, the summary and "interrupted after N of M runs" said, exit 143 (it died
    at once, with no row written and nothing said)."""
    out = tmp_path / "rows.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "sim", "sweep", C2I, "--seeds", "1-50000", "--until", "150s"]
        + ["--workers", "1", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    done = len(list(csv.DictReader(out.open())))
    assert stderr == f"lanlab: interrupted after {done} of 50000 runs; those are kept in {out}\n"
    assert f"{done} runs of" in stdout or f"{done} run of" in stdout


def test_resume_makes_only_the_runs_an_interrupted_out_lacks(tmp_path):
    """--resume after a sweep cut short (its csv holding 2 of 4 rows): says 2 are kept, makes the other 2,
    and --out then holds the 4 rows a whole sweep writes (there was no way on: every run made again)."""
    whole, cut = tmp_path / "whole.csv", tmp_path / "cut.csv"
    assert invoke(*SWEEP, "--out", str(whole)).exit_code == 0
    lines = whole.read_text().splitlines(keepends=True)
    cut.write_text("".join(lines[:2] + lines[3:4]))  # the header, the 1st and the 3rd row
    result = invoke(*SWEEP, "--out", str(cut), "--resume")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"lanlab: --resume: 2 of 4 runs are in {cut}; making the other 2\n"

    def plain(path):
        return [{k: v for k, v in row.items() if k != "wall_s"} for row in csv.DictReader(path.open())]

    assert plain(cut) == plain(whole) and len(plain(cut)) == 4


def test_resume_needs_out_and_the_same_columns(tmp_path):
    """--resume without --out, or on a file of another sweep's columns, is one line and exit 2."""
    alone = invoke(*SWEEP, "--resume")
    assert alone.exit_code == 2 and "give --out FILE" in alone.output
    other = tmp_path / "other.csv"
    other.write_text("seed,frames,error,wall_s\n1,5,,0.1\n")
    result = invoke(*SWEEP, "--out", str(other), "--resume")
    assert result.exit_code == 2 and "resume with the same --vary and --metric" in result.output
    assert other.read_text() == "seed,frames,error,wall_s\n1,5,,0.1\n"


def test_an_out_that_is_a_named_pipe_is_refused_before_any_run(tmp_path):
    """--out on a named pipe is one line and exit 2 at once (opening it to check it waited for a reader
    for ever)."""
    out = tmp_path / "rows.csv"
    os.mkfifo(out)
    result = in_a_process(*HUB_RUN, "--out", str(out), timeout=30)
    assert result.returncode == 2
    assert (
        result.stderr == f"lanlab: --out: cannot write {out}: a named pipe or socket, not a file; choose another file\n"
    )


def test_the_eta_is_the_pace_since_the_first_rows_not_the_start_up(monkeypatch, capsys):
    """A cluster that took 10 s to start, then 10 runs a second: the first line says ETA -:--, and with
    11 of 100 done a second later, 0:08 (it said 16:30 and then 1:29, the start-up counted as runs)."""
    from lanlab.cli import sim_sweep

    clock = iter([0.0, 10.0, 11.0])
    monkeypatch.setattr(sim_sweep.time, "perf_counter", lambda: next(clock))
    progress = sim_sweep.Progress(100)
    progress.update([{}])
    progress.update([{}] * 11)
    lines = capsys.readouterr().err.split("\r")
    assert lines[1].strip() == "1/100 runs  0 failed  ETA -:--"
    assert lines[2].strip() == "11/100 runs  0 failed  ETA 0:08"


# A program whose run never ends when its host has the address 198.18.0.11 (it sleeps a microsecond at a
# time, so the busy-loop stop never sees it, over 1000 s of sim time: an hour of work), and ends at once
# with 198.18.0.1: `--vary nodes.pc1.ip` makes half the runs endless.
ENDLESS_ON_11 = """import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("198.18.0.2", 9))
mine = s.getsockname()[0]
print(mine)
while mine == "198.18.0.11":
    time.sleep(0.000001)
"""


@pytest.mark.timeout(120)
def test_a_run_that_never_ends_is_a_row_at_the_run_limit_and_resume_makes_it_again(tmp_path):
    """--run-limit 1.5: the sweep ends (it never did), each endless run a row whose error says it ran out
    of its time, the other runs' rows as without the limit; exit 1, --json says the limit. --resume makes
    the stopped runs again, as it does every failed run, and keeps the others."""
    (tmp_path / "maybe.py").write_text(ENDLESS_ON_11)
    out = tmp_path / "rows.jsonl"
    args = (
        *("sim", "sweep", str(Path(C2I).parent / "broadcast.yaml"), "--seeds", "1-2", "--until", "1000s"),
        *("--workers", "1", "--app", f"pc1={tmp_path / 'maybe.py'}", "--metric", "output_lines"),
        *("--vary", "nodes.pc1.ip=198.18.0.1/24,198.18.0.11/24", "--run-limit", "1.5", "--out", str(out)),
    )
    start = time.monotonic()
    result = in_a_process(*args, "--json", timeout=60)
    assert result.returncode == 1, result.stderr
    assert time.monotonic() - start < 40
    summary = json.loads(result.stdout)
    assert summary["runs"] == 4 and summary["failed"] == 2 and summary["run_limit_s"] == 1.5
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    stopped = [row for row in rows if row["nodes.pc1.ip"] == "198.18.0.11/24"]
    ran = [row for row in rows if row["nodes.pc1.ip"] == "198.18.0.1/24"]
    assert [row["seed"] for row in stopped] == [1, 2] and [row["seed"] for row in ran] == [1, 2]
    for row in stopped:
        assert row["error"].startswith("RunTimedOut: the run took more than --run-limit 1.5s of wall-clock time")
        assert row["output_lines"] is None and row["wall_s"] >= 1.5
    assert all(row["error"] is None and row["output_lines"] == 1 for row in ran)
    again = in_a_process(*args, "--resume", timeout=60)
    assert again.returncode == 1
    assert f"lanlab: --resume: 2 of 4 runs are in {out}; making the other 2\n" in again.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((row["nodes.pc1.ip"], row["seed"], row["error"] is None) for row in rows) == [
        ("198.18.0.1/24", 1, True),
        ("198.18.0.1/24", 2, True),
        ("198.18.0.11/24", 1, False),
        ("198.18.0.11/24", 2, False),
    ]


@pytest.mark.parametrize("option", ["--run-limit", "--sweep-limit"])
@pytest.mark.parametrize("value", ["0", "-5", "soon", "0s", "1e-9"])
def test_a_limit_that_is_no_time_is_one_line_and_exit_2(tmp_path, monkeypatch, option, value):
    """--run-limit or --sweep-limit 0, negative or not a duration: one line naming the option, exit 2,
    before any run."""
    monkeypatch.chdir(tmp_path)
    result = invoke("sim", "sweep", C2I, "--seeds", "1", "--workers", "1", option, value)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"lanlab: {option}") and len(result.output.splitlines()) == 1
    assert "Traceback" not in result.output and "give the seconds it may take" in result.output


def test_the_help_says_the_run_limit_has_no_default_and_why():
    """--help names --run-limit, that it has no default, and the reason."""
    result = invoke("sim", "sweep", "--help")
    assert "--run-limit" in result.output and "Default: none, since how long a run" in " ".join(result.output.split())


@pytest.mark.timeout(120)
def test_the_sweep_limit_stops_a_sweep_that_would_never_end_and_keeps_its_rows(tmp_path):
    """--sweep-limit 3 (no --run-limit), the endless runs last: the sweep stops after about 3 s as Ctrl-C
    stops it, the rows done written, exit 1, --json says so; --resume with --run-limit then makes the
    other runs, each a row at its limit."""
    (tmp_path / "maybe.py").write_text(ENDLESS_ON_11)
    out = tmp_path / "rows.csv"
    args = (
        *("sim", "sweep", str(Path(C2I).parent / "broadcast.yaml"), "--seeds", "1-2", "--until", "1000s"),
        *("--workers", "1", "--app", f"pc1={tmp_path / 'maybe.py'}", "--metric", "output_lines"),
        *("--vary", "nodes.pc1.ip=198.18.0.1/24,198.18.0.11/24", "--out", str(out)),
    )
    start = time.monotonic()
    result = in_a_process(*args, "--sweep-limit", "3", "--json", timeout=60)
    assert result.returncode == 1, result.stderr
    assert 3 <= time.monotonic() - start < 40
    summary = json.loads(result.stdout)
    assert summary["sweep_limit_s"] == 3 and summary["stopped_at_sweep_limit"] and not summary["interrupted"]
    rows = list(csv.DictReader(out.open()))
    assert [(row["nodes.pc1.ip"], row["seed"], row["error"]) for row in rows] == [
        ("198.18.0.1/24", "1", ""),
        ("198.18.0.1/24", "2", ""),
    ]
    assert summary["runs"] == 2 and summary["planned"] == 4
    assert result.stderr == (
        f"lanlab: stopped at --sweep-limit 3 after 2 of 4 runs; those are kept in {out} (--resume makes the others)\n"
    )
    again = in_a_process(*args, "--resume", "--run-limit", "1", timeout=60)
    assert again.returncode == 1 and "making the other 2" in again.stderr
    rows = list(csv.DictReader(out.open()))
    assert [row["error"].startswith("RunTimedOut:") for row in rows] == [False, False, True, True]


RIP_RING = str(Path(__file__).resolve().parents[2] / "examples" / "rip-ring.yaml")
NO_DASK = (  # the sweep as `python -m lanlab`, on a process pool as without Dask
    "import runpy, sys, lanlab.sweep.where as where; where.have_dask = lambda: False; sys.argv = sys.argv[1:]; "
    "runpy.run_module('lanlab', run_name='__main__')"
)


@pytest.mark.parametrize(
    ("engine", "app"), [("dask", False), ("dask", True), ("pool", False)], ids=["dask", "dask-app", "pool"]
)
def test_sigterm_leaves_no_run_folder_in_tmpdir(tmp_path, engine, app):
    """A sweep on 2 workers with --run-limit, SIGTERMed mid-batch (its process group for Dask, as a batch
    system does; the sweep alone for the pool, which kills its workers), leaves no lanlab-run-* in TMPDIR."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    program = tmp_path / "idle.py"
    program.write_text("print('up')\n")
    start = [sys.executable, "-m", "lanlab"] if engine == "dask" else [sys.executable, "-c", NO_DASK, "lanlab"]
    process = subprocess.Popen(
        [*start, "sim", "sweep", RIP_RING, "--seeds", "1-40", "--until", "20000s", "--workers", "2"]
        + ["--run-limit", "1h", *(["--app", f"pc1={program}"] if app else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not list(tmp.rglob("lanlab-run-*")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(tmp.rglob("lanlab-run-*")), "no batch began"
        time.sleep(1)  # a run of 20000 s takes seconds: the batches are under way
        if engine == "dask":
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert not list(tmp.rglob("lanlab-run-*"))
    assert not list(tmp.glob("lanlab-sweep-*"))
