"""`lanlab lab` with what a class hands in unpacked from archives: folders whose names are not UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from simnets import LOOP_YAML, PAIR_YAML

LAB = """lab: 1
name: names
topology: topology.yaml
vars:
  count: ["1", "2", "3", "4", "5", "6", "7", "8"]
stages:
  - run: {do: ["pc1 ping pc2 -c {{count}}"], until: 10s}
    checks:
      - {id: pings, points: 2, trace: {where: {kind: tx, device: pc1, proto: icmp}, measure: count, equals: "{{count}}"}}
"""
# 张三 in GBK, as unzip leaves a name an archive made on a Chinese Windows holds
GBK_NAME = os.fsdecode("张三".encode("gbk"))


def lanlab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "lanlab", "--lang", "en", *args],
        capture_output=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )


def test_a_student_folder_named_in_gbk_is_graded(tmp_path: Path) -> None:
    """A folder whose name is not UTF-8 ended lab grade in a traceback (the variant's seed encoded the name
    strictly), every row lost; now it is graded with the variant lab new gives that name, and the reports
    (CSV, --csv file, --json) are UTF-8 showing the byte as \\xNN."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    subs = tmp_path / "subs"
    subs.mkdir()
    new = lanlab("lab", "new", str(tmp_path / "lab.yaml"), "--student", GBK_NAME, "--out", str(subs / GBK_NAME))
    assert new.returncode == 0, new.stderr
    (subs / "alice").mkdir()
    (subs / "alice" / "topology.yaml").write_text(PAIR_YAML)
    shown = "\\xd5\\xc5\\xc8\\xfd"
    done = lanlab("lab", "grade", str(tmp_path / "lab.yaml"), str(subs), "--csv", str(tmp_path / "g.csv"))
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    rows = done.stdout.decode("utf-8").splitlines()
    assert rows[0] == "student,pings,total,problem"
    assert rows[2] == f"{shown},2,2,"  # their own topology, their own count: every point
    assert (tmp_path / "g.csv").read_text(encoding="utf-8").splitlines() == rows
    report = json.loads(lanlab("lab", "grade", str(tmp_path / "lab.yaml"), str(subs), "--json").stdout.decode())
    assert [s["student"] for s in report["students"]] == ["alice", shown]


def test_lab_check_for_a_student_id_not_in_utf8(tmp_path: Path) -> None:
    """lab check --student with a name in GBK bytes crashed drawing the variant; --json and --html now write it."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB)
    args = ["lab", "check", str(tmp_path / "lab.yaml"), "--student", GBK_NAME]
    done = lanlab(*args, "--json", "--html", str(tmp_path / "page.html"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["student"] == "\\xd5\\xc5\\xc8\\xfd"
    assert (tmp_path / "page.html").read_text(encoding="utf-8")


def test_every_command_refuses_a_pool_value_that_makes_the_lab_wrong(tmp_path: Path) -> None:
    """A value only some students draw (a count of x) was found in their rows, or a traceback; check, new
    and grade now each say it as FILE:LINE with the value, exit 2, before anything runs."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(LAB.replace('"7", "8"', '"7", "x"'))
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    lab = str(tmp_path / "lab.yaml")
    for args in (
        ["check", lab],
        ["new", lab, "--student", "bob", "--out", str(tmp_path / "bob")],
        ["grade", lab, str(tmp_path / "subs")],
    ):
        done = lanlab("lab", *args)
        assert done.returncode == 2, args
        assert done.stdout == b""
        assert done.stderr.decode().splitlines() == [
            f"{lab}:7: stage 1 run: run.do: 'pc1 ping pc2 -c x': argument -c: 'x' is not a whole number (with count: 'x')",
            f"{lab}:9: check pings trace: equals: 'x' is not a whole number (with count: 'x')",
        ]
    assert not (tmp_path / "bob").exists()


QUESTIONS = """lab: 1
name: q
title: |
  ARP lab
  (week 3: caches)
topology: topology.yaml
stages:
  - run: {do: ["pc1 ping pc2 -c 1"], until: 1s}
    checks:
      - id: q1
        question:
          ask: |
            How many ARP requests does pc1 send?
            Hint: think about the cache. Write: a number
          where: {kind: tx, device: pc1, proto: arp}
      - {id: "a: b", question: {ask: and now?, where: {kind: tx, device: pc1, proto: arp}}}
      - {id: "#3", question: {ask: and then?, where: {kind: tx, device: pc1, proto: arp}}}
"""


def test_lab_new_writes_an_answers_template_that_is_yaml(tmp_path: Path) -> None:
    """A title or question over several lines put its second line in answers.yaml as YAML text, and an id
    like `a: b` or `#3` was no key: the student's filled-in template was refused or its answers lost."""
    import yaml

    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(QUESTIONS)
    done = lanlab("lab", "new", str(tmp_path / "lab.yaml"), "--student", "ann", "--out", str(tmp_path / "ann"))
    assert done.returncode == 0, done.stderr
    template = (tmp_path / "ann" / "answers.yaml").read_text()
    assert yaml.load(template, Loader=yaml.BaseLoader) == {"q1": "", "a: b": "", "#3": ""}
    (tmp_path / "ann" / "answers.yaml").write_text(template.replace(":\n", ": 1\n"))
    check = lanlab("lab", "check", str(tmp_path / "lab.yaml"), "--answers", str(tmp_path / "ann" / "answers.yaml"))
    assert check.returncode == 0, check.stdout + check.stderr
    brief = (tmp_path / "ann" / "brief.md").read_text().splitlines()
    assert brief[0] == "# ARP lab (week 3: caches)"
    assert "  Hint: think about the cache. Write: a number (answer as `q1:` in answers.yaml)" in brief


def test_lab_check_says_a_run_stopped_by_a_storm(tmp_path: Path) -> None:
    """lab check on a topology with a loop printed only failed checks; it now says the run stopped, and why
    (text: a line before the score; --json: stopped)."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "loop.yaml").write_text(LOOP_YAML)
    (tmp_path / "lab.yaml").write_text(LAB.replace("vars:\n  count", "vars:\n  n").replace("{{count}}", "1"))
    args = ["lab", "check", str(tmp_path / "lab.yaml"), "--topology", str(tmp_path / "loop.yaml")]
    text = lanlab(*args).stdout.decode().splitlines()
    assert text[0] == "FAIL pings (0/2): 0" and text[-1] == "score 0/2"
    assert text[1].startswith("stage stage 1: the run stopped at ") and "broadcast storm" in text[1]
    report = json.loads(lanlab(*args, "--json").stdout)
    assert report["stopped"] == [text[1]]


PRINTS = """lab: 1
name: prints
topology: topology.yaml
stages:
  - run: {app: ["pc1=prog.py"], until: 1s}
    checks:
      - {id: says-hi, points: 2, output: {node: pc1, exactly: [hi]}}
"""
# \r and an escape sequence, which a terminal obeys: the report's FAIL line written over as PASS
FORGER = 'print("nope\\rPASS says-hi (2/2): hi\\x1b[K")\nraise ValueError("\\rall good\\x1b[2K")\n'


def test_what_a_program_prints_cannot_redraw_the_report(tmp_path: Path) -> None:
    """A program printing "\\rPASS ..." and an escape sequence had them written raw into lab check's report and
    lab grade's problem cell, so a terminal showed its FAIL line as PASS; now they are escaped (\\r, \\x1b)."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "lab.yaml").write_text(PRINTS)
    (tmp_path / "subs" / "eve").mkdir(parents=True)
    (tmp_path / "subs" / "eve" / "prog.py").write_text(FORGER)
    check = lanlab("lab", "check", str(tmp_path / "lab.yaml"), "--app", f"pc1={tmp_path / 'subs' / 'eve' / 'prog.py'}")
    assert check.returncode == 1
    lines = check.stdout.decode().splitlines()
    assert lines[0].startswith("FAIL says-hi (0/2): nope\\rPASS says-hi (2/2): hi\\x1b[K | Traceback")
    assert lines[-2] == "program pc1 prog.py: ValueError: \\rall good\\x1b[2K"
    grade = lanlab("lab", "grade", str(tmp_path / "lab.yaml"), str(tmp_path / "subs"), "--isolation", "none")
    assert grade.returncode == 0
    assert grade.stdout.decode().splitlines()[1] == "eve,0,0,pc1 prog.py: ValueError: \\rall good\\x1b[2K"
    for out in (check.stdout, grade.stdout):
        assert b"\r" not in out and b"\x1b" not in out
