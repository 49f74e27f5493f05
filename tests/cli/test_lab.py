"""`lanlab lab check|new|grade`: the contract's words, output and exit statuses."""

from __future__ import annotations

import json
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from simnets import PROGRAM_LAB

LAB = Path(__file__).resolve().parents[2] / "labs" / "hub_vs_switch"


def lanlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lanlab", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def test_check_reference_exits_0_and_wrong_exits_1_with_hint() -> None:
    """The solution scores full marks (exit 0); the hub-only network fails with the hints (exit 1)."""
    good = lanlab(
        "lab",
        "check",
        str(LAB / "lab.yaml"),
        "--topology",
        str(LAB / "solution/topology.yaml"),
        "--answers",
        str(LAB / "solution/answers.yaml"),
        "--json",
    )
    assert good.returncode == 0, good.stderr
    document = json.loads(good.stdout)
    assert document["score"] == document["total"] > 0
    bad = lanlab("lab", "check", str(LAB / "lab.yaml"), "--topology", str(LAB / "wrong_hub/topology.yaml"))
    assert bad.returncode == 1
    assert "hint: other PCs received the ping" in bad.stdout


def test_check_bad_lab_file_is_file_line_exit_2(tmp_path: Path) -> None:
    """A lab file with a mistake: FILE:LINE on stderr, exit 2, no traceback."""
    lab = tmp_path / "lab.yaml"
    lab.write_text("lab: 1\nname: x\ntopology: t.yaml\nstages: nope\n")
    result = lanlab("lab", "check", str(lab))
    assert result.returncode == 2
    assert f"{lab}:4:" in result.stderr and "Traceback" not in result.stderr


def test_new_writes_variant_and_grade_writes_csv(tmp_path: Path) -> None:
    """lab new writes topology, brief and answers; lab grade rows one student per folder, --csv too."""
    made = lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(tmp_path / "subs/alice"))
    assert made.returncode == 0, made.stderr
    assert {p.name for p in (tmp_path / "subs/alice").iterdir()} == {"topology.yaml", "brief.md", "answers.yaml"}
    shutil.copytree(LAB / "solution", tmp_path / "subs/ref")
    graded = lanlab(
        "lab",
        "grade",
        str(LAB / "lab.yaml"),
        str(tmp_path / "subs"),
        "--csv",
        str(tmp_path / "g.csv"),
        "--workers",
        "2",
    )
    assert graded.returncode == 0, graded.stderr
    rows = (tmp_path / "g.csv").read_text().splitlines()
    assert rows[0].startswith("student,replies,") and rows[1].startswith("alice,") and rows[2].startswith("ref,")
    assert rows[2].split(",")[-2] == "9" and rows[1].split(",")[-2] != "9"


def test_a_student_folder_named_like_a_formula_is_text_in_the_csv(tmp_path: Path) -> None:
    """A folder named =HYPERLINK(...) (a student's choice) is written '=HYPERLINK(...), which a spreadsheet shows
    as text instead of running; scores stay numbers."""
    name = '=HYPERLINK("x","click")'
    shutil.copytree(LAB / "solution", tmp_path / "subs" / name)
    graded = lanlab("lab", "grade", str(LAB / "lab.yaml"), str(tmp_path / "subs"), "--csv", str(tmp_path / "g.csv"))
    assert graded.returncode == 0, graded.stderr
    import csv

    for text in (graded.stdout, (tmp_path / "g.csv").read_text()):
        row = list(csv.reader(text.splitlines()))[1]
        assert row[0] == "'" + name and row[-2] == "9", row


def test_grade_scores_what_a_crashing_submission_passed(tmp_path: Path) -> None:
    """A student's topology that does not load scores 0 on every check and says why."""
    (tmp_path / "subs/broken").mkdir(parents=True)
    (tmp_path / "subs/broken/topology.yaml").write_text("nodes: [1, 2\n")
    graded = lanlab("lab", "grade", str(LAB / "lab.yaml"), str(tmp_path / "subs"), "--json", "--workers", "1")
    student = json.loads(graded.stdout)["students"][0]
    assert student["total"] == 0 and "not valid YAML" in student["problem"]


UDP = LAB.parent / "udp_broadcast"


def test_app_override_by_node_and_by_file_name() -> None:
    """--app pc1=FILE runs FILE on pc1 instead of the folder's program, --app sender.py=FILE replaces the
    lab's sender.py: a wrong sender fails with the lab's hint, the right one rescues a wrong folder."""
    wrong = UDP / "wrong_no_broadcast/sender.py"
    by_node = lanlab(
        "lab",
        "check",
        str(UDP / "lab.yaml"),
        "--topology",
        str(UDP / "solution/topology.yaml"),
        "--answers",
        str(UDP / "solution/answers.yaml"),
        "--app",
        f"pc1={wrong}",
    )
    assert by_node.returncode == 1 and "FAIL one-broadcast" in by_node.stdout
    assert "hint: pc1 must send the broadcast once: set SO_BROADCAST" in by_node.stdout
    rescued = lanlab(
        "lab",
        "check",
        str(UDP / "lab.yaml"),
        "--topology",
        str(UDP / "wrong_no_broadcast/topology.yaml"),
        "--answers",
        str(UDP / "solution/answers.yaml"),
        "--app",
        f"sender.py={UDP / 'solution/sender.py'}",
        "--json",
    )
    assert rescued.returncode == 0, rescued.stdout + rescued.stderr
    assert json.loads(rescued.stdout)["score"] == json.loads(rescued.stdout)["total"]


def test_app_override_missing_file_is_one_line_exit_2() -> None:
    """--app naming a file that does not exist: one line saying the form, exit 2, no traceback."""
    result = lanlab("lab", "check", str(UDP / "lab.yaml"), "--app", "pc1=/nonexistent/sender.py")
    assert result.returncode == 2 and "expected NODE=FILE.py" in result.stderr and "Traceback" not in result.stderr


def _processes_naming(folder: Path, word: bytes = b"") -> list[int]:
    """Processes whose command line names `folder` (and holds `word`): a grader's forked pool workers
    share its command line."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes()
            status = (entry / "stat").read_text()
        except OSError:
            continue
        if entry.name.isdigit() and word in line and str(folder).encode() in line and ") Z" not in status:
            found.append(int(entry.name))
    return found


def _workers_grading(folder: Path) -> list[int]:
    """Processes grading a student of `folder` (lab.isolate's worker)."""
    return _processes_naming(folder, b"lanlab.lab.worker")


def test_ctrl_c_in_grade_prints_the_rows_graded_and_exits_130(tmp_path: Path) -> None:
    """SIGINT while a submission loops: the rows already graded are printed, exit 130, no worker left."""
    subs = tmp_path / "subs"
    shutil.copytree(UDP / "solution", subs / "a_good")
    shutil.copytree(UDP / "solution", subs / "b_loops")
    (subs / "b_loops/sender.py").write_text(
        "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n"
    )
    grader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lanlab",
            "lab",
            "grade",
            str(UDP / "lab.yaml"),
            str(subs),
            "--workers",
            "1",
            "--time-limit",
            "120",
            "--isolation",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _workers_grading(subs / "b_loops") and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.2)
    assert _workers_grading(subs / "b_loops"), "the looping student was never started"
    grader.send_signal(signal.SIGINT)
    out, err = grader.communicate(timeout=60)
    assert grader.returncode == 130, err
    rows = out.splitlines()
    assert rows[0].startswith("student,one-broadcast,") and rows[1].startswith("a_good,") and len(rows) == 2
    assert rows[1].split(",")[-2] == "10"
    assert "interrupted: 1 student graded" in err  # the singular (it read "1 students")
    assert _workers_grading(subs / "b_loops") == []


STUDENTS = 3000


def test_ctrl_c_in_a_data_only_lab_ends_the_pool_and_exits_130(tmp_path: Path) -> None:
    """SIGINT while a pool of workers grades 3,000 hub-vs-switch folders: exit 130 soon, the rows graded so
    far (fewer than 3,000) under the header, the count on stderr, no worker left behind. (300 folders
    were all graded within the second before the signal once grading got faster.)"""
    subs = tmp_path / "subs"
    for n in range(STUDENTS):
        shutil.copytree(LAB / "solution", subs / f"s{n:03d}")
    grader = subprocess.Popen(
        [sys.executable, "-m", "lanlab", "lab", "grade", str(LAB / "lab.yaml"), str(subs), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    children = Path(f"/proc/{grader.pid}/task/{grader.pid}/children")
    deadline = time.monotonic() + 60
    while not children.read_text().split() and time.monotonic() < deadline:  # the pool has started
        time.sleep(0.1)
    time.sleep(1)
    grader.send_signal(signal.SIGINT)
    out, err = grader.communicate(timeout=60)
    assert grader.returncode == 130, err
    rows = out.splitlines()
    assert rows[0].startswith("student,replies,") and len(rows) - 1 < STUDENTS
    graded = len(rows) - 1
    assert f"interrupted: {graded} {'student' if graded == 1 else 'students'} graded" in err
    assert all(row.split(",")[-2] == "9" for row in rows[1:])
    time.sleep(1)  # killed workers are gone once the kernel has reaped them
    assert _processes_naming(subs) == []


def test_grade_json_names_the_wall_and_bad_limits_are_one_line(tmp_path: Path) -> None:
    """--json says which wall the programs ran behind; a time limit of 0 or a memory limit Python cannot
    live in is one line on stderr, exit 2."""
    shutil.copytree(UDP / "solution", tmp_path / "subs/ann")
    graded = lanlab("lab", "grade", str(UDP / "lab.yaml"), str(tmp_path / "subs"), "--isolation", "namespace", "--json")
    assert graded.returncode == 0, graded.stderr
    document = json.loads(graded.stdout)
    assert document["isolation"] == "namespace" and document["students"][0]["total"] == 10
    for bad in (["--time-limit", "0"], ["--app-limits", "mem=1MiB"]):
        result = lanlab("lab", "grade", str(UDP / "lab.yaml"), str(tmp_path / "subs"), *bad)
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr


def test_isolation_bwrap_without_bubblewrap_is_one_line(tmp_path: Path) -> None:
    """--isolation bwrap where bwrap is not on PATH: one line naming the way out, exit 2, nothing graded."""
    shutil.copytree(UDP / "solution", tmp_path / "subs/ann")
    python_only = tmp_path / "bin"
    python_only.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lanlab",
            "lab",
            "grade",
            str(UDP / "lab.yaml"),
            str(tmp_path / "subs"),
            "--isolation",
            "bwrap",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": str(python_only)},
    )
    assert result.returncode == 2 and "--isolation bwrap: bubblewrap (bwrap) is not installed" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo").exists(),
    reason="the zh_CN catalogue is not compiled (run `make`)",
)
def test_isolation_bwrap_without_bubblewrap_says_why_in_chinese(tmp_path: Path) -> None:
    """The same under --lang zh: the reason too is Chinese (没有安装 bubblewrap), one line, exit 2."""
    shutil.copytree(UDP / "solution", tmp_path / "subs/ann")
    (tmp_path / "bin").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "lanlab", "--lang", "zh", "lab", "grade", str(UDP / "lab.yaml"), str(tmp_path / "subs")]
        + ["--isolation", "bwrap"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": str(tmp_path / "bin")},
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "lanlab: --isolation bwrap：没有安装 bubblewrap（bwrap）；请安装 bubblewrap，或选择 --isolation namespace\n"
    )


MO = Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"
needs_mo = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
GATEWAYS = LAB.parent / "gateways"


def wrong(lab: Path, folder: str, *more: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """lab check of one of the lab's wrong answers, in language `lang`."""
    return lanlab(
        "--lang",
        lang,
        "lab",
        "check",
        str(lab / "lab.yaml"),
        "--topology",
        str(lab / folder / "topology.yaml"),
        "--answers",
        str(lab / folder / "answers.yaml"),
        "--student",
        "alice",
        *more,
    )


@needs_mo
def test_check_report_shows_what_was_found_in_chinese() -> None:
    """Under --lang zh the report says what each check found in Chinese (a missing node, an answer
    against the run, no gateway), the teacher's hint as written; under en the English lines as before."""
    hub = wrong(LAB, "wrong_hub", lang="zh")
    assert hub.returncode == 1, hub.stderr
    lines = hub.stdout.splitlines()
    assert "未通过 switch-used (0/1): 没有名为 sw1 的节点" in lines
    assert "未通过 first-arp-ports (0/2): 回答 p2, p3, p4；运行结果是 无" in lines
    assert "     提示：there is no switch sw1; replace hub1 by sw1 (kind: switch)" in lines
    gateway = wrong(GATEWAYS, "wrong_gateway", lang="zh").stdout.splitlines()
    assert "未通过 pc1-gateway (0/2): 没有网关" in gateway
    assert "通过 pc2-gateway (2/2): 网关 198.18.5.1；网关 198.18.5.1 在本机的子网内" in gateway
    english = wrong(LAB, "wrong_hub", lang="en").stdout.splitlines()
    assert "FAIL switch-used (0/1): no node called sw1" in english
    assert "FAIL first-arp-ports (0/2): answered p2, p3, p4; the run shows none" in english


@needs_mo
def test_check_json_and_csv_stay_english_under_zh() -> None:
    """lab check --json and --csv are byte for byte the same under --lang en and zh: what was found stays
    English there (a contract), with the Chinese report beside it."""
    for lab, folder in ((LAB, "wrong_hub"), (GATEWAYS, "wrong_gateway")):
        for form in ("--json", "--csv"):
            english, chinese = (wrong(lab, folder, form, lang=lang) for lang in ("en", "zh"))
            assert english.returncode == chinese.returncode == 1, chinese.stderr
            assert english.stdout == chinese.stdout
    assert "\npc1-gateway,ping,2,False,0,no gateway," in chinese.stdout


@needs_mo
def test_new_writes_the_scaffolding_in_the_students_language(tmp_path: Path) -> None:
    """lab new under --lang zh writes brief.md's and answers.yaml's own words in Chinese, the lab's title and
    questions as the teacher wrote them, answers.yaml still YAML with the question ids; under en, English."""
    import yaml

    for lang in ("zh", "en"):
        made = lanlab(
            "--lang", lang, "lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(tmp_path / lang)
        )
        assert made.returncode == 0, made.stderr
    ask = "Which ports of sw1 does the first ARP request leave by?"
    brief = (tmp_path / "zh/brief.md").read_text(encoding="utf-8").splitlines()
    assert f"- {ask}（在 answers.yaml 里写 `first-arp-ports:` 作答）" in brief
    answers = (tmp_path / "zh/answers.yaml").read_text(encoding="utf-8")
    assert answers.startswith("# Hub vs switch：你的答案，每个问题一行 `id: 答案`\n")
    assert yaml.safe_load(answers) == {"first-arp-ports": None}
    assert (
        f"- {ask} (answer as `first-arp-ports:` in answers.yaml)" in (tmp_path / "en/brief.md").read_text().splitlines()
    )
    english = (tmp_path / "en/answers.yaml").read_text()
    assert english.startswith("# Hub vs switch: your answers, one `id: answer` per question\n")


@needs_mo
def test_a_run_that_cannot_start_says_why_in_chinese(tmp_path: Path) -> None:
    """lab check under --lang zh: a run.do the simulator refuses (the lab file's mistake, at its line, said
    when the lab is read), a missing program, a program on a node the topology lacks (a traceback before)
    and an answers file that is not YAML are each one Chinese line on stderr, exit 2 (the English lines
    under en)."""
    (tmp_path / "t.yaml").write_text("name: t\nnodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n")
    (tmp_path / "answers.yaml").write_text("q: [\n")
    lab = "lab: 1\nname: x\ntopology: t.yaml\nstages:\n  - run: {{{run}}}\n    checks:\n      - {{id: q, output: {{node: pc1, contains: x}}}}\n"
    cases = {
        'do: ["pc1 frobnicate"]': (
            "lab0.yaml:5: stage 1 run: run.do: 'pc1 frobnicate': unknown command",
            "lab0.yaml:5: 第 1 阶段 run：run.do：'pc1 frobnicate'：未知命令",
        ),
        'app: ["pc1=missing.py"]': (
            " (lab check: give one with --app pc1=FILE.py)",
            "里没有 pc1 的程序 missing.py（lab check：用 --app pc1=FILE.py 给出一个）",
        ),
        'app: ["pc7=missing.py"]': (
            "run.app runs a program on pc7, and the topology has no node pc7 (its nodes: pc1)",
            "run.app 要在 pc7 上运行程序，但拓扑里没有节点 pc7（它的节点：pc1）",
        ),
    }
    for number, (run, (english, chinese)) in enumerate(cases.items()):
        (tmp_path / f"lab{number}.yaml").write_text(lab.format(run=run))
        for lang, expected in (("en", english), ("zh", chinese)):
            result = lanlab("--lang", lang, "lab", "check", str(tmp_path / f"lab{number}.yaml"))
            assert result.returncode == 2 and result.stderr.count("\n") == 1 and expected in result.stderr, (
                result.stderr
            )
    answers = lanlab(
        "--lang", "zh", "lab", "check", str(tmp_path / "lab1.yaml"), "--answers", str(tmp_path / "answers.yaml")
    )
    assert answers.returncode == 2 and f"{tmp_path / 'answers.yaml'}:2: 不是合法的 YAML：" in answers.stderr


def test_lab_new_keeps_a_students_files_and_refuses_an_id_that_is_a_path(tmp_path: Path) -> None:
    """A second `lab new` would have written over a student's edited topology: it stops unless --force;
    an id that is empty, . or holds a / would write outside the class's folder."""
    out = tmp_path / "alice"
    assert lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(out)).returncode == 0
    (out / "topology.yaml").write_text("# the student's own work\n")
    again = lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    assert (out / "topology.yaml").read_text() == "# the student's own work\n"
    forced = lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(out), "--force")
    assert forced.returncode == 0 and "student's own" not in (out / "topology.yaml").read_text()
    for student in ("", ".", "../evil", "/tmp/evil"):
        refused = lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", student, cwd=tmp_path)
        assert refused.returncode == 2 and "plain name" in refused.stderr, student
    assert sorted(path.name for path in tmp_path.iterdir()) == ["alice"]


def test_lab_grade_scores_a_student_folder_that_is_a_link_zero_and_says_why(tmp_path: Path) -> None:
    """A student folder linked to the solution's would have graded the solution: it scores 0, the row
    saying it is a link."""
    subs = tmp_path / "subs"
    alice = subs / "alice"
    assert lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(alice)).returncode == 0
    (subs / "mallory").symlink_to(LAB)
    done = lanlab("lab", "grade", str(LAB / "lab.yaml"), str(subs), "--workers", "1")
    rows = {line.split(",")[0]: line for line in done.stdout.splitlines()}
    assert "is a link" in rows["mallory"] and rows["mallory"].split(",")[-2] == "0"


def test_lab_new_and_grade_say_bad_places_in_one_line(tmp_path: Path) -> None:
    """A lab folder without its topology: one line, exit 2, and no empty --out folder left; an --out name
    too long for the file system and a SUBMISSIONS that is a device are one line and exit 2 (all three
    were tracebacks)."""
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(LAB / "lab.yaml", bare / "lab.yaml")
    result = lanlab("lab", "new", str(bare / "lab.yaml"), "--student", "alice", "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and "topology.yaml" in result.stderr
    assert not (tmp_path / "x").exists()
    result = lanlab("lab", "new", str(LAB / "lab.yaml"), "--student", "alice", "--out", str(tmp_path / ("a" * 300)))
    assert result.returncode == 2 and result.stderr.strip().endswith("File name too long")
    result = lanlab("lab", "grade", str(LAB / "lab.yaml"), "/dev/zero")
    assert (result.returncode, result.stderr) == (
        2,
        "lanlab: /dev/zero is not a folder: SUBMISSIONS is a folder holding one folder per student\n",
    )


PAIR = """name: t
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
"""


def test_check_says_why_a_program_ended_badly(tmp_path: Path) -> None:
    """lab check names a program's exit status or error as lab grade's problem column does (it showed
    only "no output", so a student could not find out why): a text line, and "problems" in --json."""
    (tmp_path / "lab.yaml").write_text(PROGRAM_LAB)
    (tmp_path / "topology.yaml").write_text(PAIR)
    for program, said in (
        ("import sys\nprint('hi')\nsys.exit(3)\n", "pc1 prog.py: exit status 3"),
        ("print('hi')\n1 / 0\n", "pc1 prog.py: ZeroDivisionError: division by zero"),
    ):
        (tmp_path / "prog.py").write_text(program)
        text = lanlab("lab", "check", str(tmp_path / "lab.yaml"))
        assert text.returncode == 0 and f"program {said}" in text.stdout.splitlines(), text.stdout + text.stderr
        document = json.loads(lanlab("lab", "check", str(tmp_path / "lab.yaml"), "--json").stdout)
        assert document["problems"] == [said]


@needs_mo
def test_grade_writes_the_problem_column_in_the_readers_language(tmp_path: Path) -> None:
    """lab grade --lang zh: an empty folder and a program's exit status are said in Chinese in the CSV
    (they were English), also from a student's own process; --json keeps them English."""
    (tmp_path / "lab.yaml").write_text(PROGRAM_LAB)
    (tmp_path / "topology.yaml").write_text(PAIR)
    for student in ("empty", "exits"):
        (tmp_path / "subs" / student).mkdir(parents=True)
    (tmp_path / "subs/exits/prog.py").write_text("import sys\nprint('hi')\nsys.exit(3)\n")
    args = ("lab", "grade", str(tmp_path / "lab.yaml"), str(tmp_path / "subs"), "--isolation", "none")
    chinese = lanlab("--lang", "zh", *args)
    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.splitlines()[1:] == ["empty,0,0,空文件夹：什么也没有交", "exits,2,2,pc1 prog.py：退出状态 3"]
    english = json.loads(lanlab("--lang", "zh", *args, "--json").stdout)
    assert [s["problem"] for s in english["students"]] == [
        "empty folder: nothing was handed in",
        "pc1 prog.py: exit status 3",
    ]


def test_a_problem_cell_is_cut_to_a_readable_length() -> None:
    """A problem naming thousands of nodes fills one CSV cell with at most PROBLEM_CELL characters, ending in …;
    a short one is kept whole."""
    from lanlab.cli.lab import PROBLEM_CELL, _cell

    long = "no node called 'pc1' (nodes: " + ", ".join(f"n{i}" for i in range(3000)) + ")"
    assert len(_cell(long)) == PROBLEM_CELL and _cell(long).endswith("…") and _cell(long).startswith(long[:100])
    assert (_cell("short"), _cell(None)) == ("short", "")


def test_the_csv_header_keeps_the_check_ids_as_written() -> None:
    """The header row is the teacher's check ids, which scripts find columns by: "-ttl" stays "-ttl" (it was
    written "'-ttl"); the student's cells below are still made inert."""
    from lanlab.cli.lab import _csv

    assert _csv(["student", "-ttl", "total"], [["=1+1", 1, 1]]).splitlines() == ["student,-ttl,total", "'=1+1,1,1"]
