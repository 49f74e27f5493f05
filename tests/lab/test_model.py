"""The lab file loader: FILE:LINE errors, variants drawn from the student id, paths kept inside."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lanlab.lab import LabError, Submission, load_lab, run_lab
from lanlab.lab.variants import draw
from simnets import PAIR_YAML


def write_lab(tmp_path: Path, checks: str, extra: str = "") -> Path:
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        f'lab: 1\nname: t\ntopology: topology.yaml\n{extra}stages:\n  - run: {{do: ["pc1 ping pc2 -c 1"], '
        f"until: 1s}}\n    checks:\n{checks}"
    )
    return lab


def test_every_mistake_is_file_line(tmp_path: Path) -> None:
    """Unknown fields, a bad measure and a missing comparison are each reported at their line."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        bogus: 1\n        trace: {where: {kind: tx}, measure: colour}\n"
        "      - id: b\n        trace: {where: {kind: tx}}\n",
    )
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    problems = caught.value.problems
    assert any(p.startswith(f"{lab}:8:") and "bogus" in p for p in problems)
    assert any(p.startswith(f"{lab}:9:") and "colour" in p for p in problems)
    assert any(p.startswith(f"{lab}:11:") and "equals" in p for p in problems)


def test_unknown_placeholder_is_file_line(tmp_path: Path) -> None:
    """A {{name}} no vars: pool gives is an error at its line."""
    lab = write_lab(
        tmp_path, "      - id: a\n        hint: '{{nope}}'\n        trace: {where: {kind: tx}, equals: 1}\n"
    )
    with pytest.raises(LabError, match=r"lab.yaml:8: unknown placeholder \{\{nope\}\}"):
        load_lab(lab)


def test_variant_is_the_same_in_every_process() -> None:
    """The draw is a function of lab and student id (SHA-256), not of Python's per-process hash()."""
    pools = {"target": [f"pc{n}" for n in range(2, 40)], "n": [str(n) for n in range(100)]}
    here = draw(pools, "lab", "alice")
    code = (
        "from lanlab.lab.variants import draw; print(draw({'target': [f'pc{n}' for n in range(2, 40)], "
        "'n': [str(n) for n in range(100)]}, 'lab', 'alice'))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert there == str(here)
    assert {str(draw(pools, "lab", f"s{n}")) for n in range(20)} != {str(here)}


def test_topology_outside_the_lab_folder_is_refused(tmp_path: Path) -> None:
    """topology: ../x.yaml (or a link leading out) is refused, not read."""
    (tmp_path / "outside.yaml").write_text(PAIR_YAML)
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    for name in ("../outside.yaml", "link.yaml"):
        (folder / "lab.yaml").write_text(
            f"lab: 1\nname: t\ntopology: {name}\nstages:\n  - checks:\n"
            "      - {id: a, trace: {where: {kind: tx}, equals: 1}}\n"
        )
        with pytest.raises(LabError, match="lab.yaml:3: .*outside"):
            load_lab(folder / "lab.yaml")


def test_student_program_outside_the_folder_is_refused(tmp_path: Path) -> None:
    """A program named ../x.py or /x.py in run.app is the lab file's mistake, told at its line when the lab
    is read; one in the student's folder that is a link leading out is refused when the stage runs."""
    lab_file = write_lab(tmp_path, "      - id: a\n        output: {node: pc1, contains: hi}\n")
    (tmp_path.parent / "evil.py").write_text("print('hi')\n")
    for name in ("../evil.py", str(tmp_path.parent / "evil.py")):
        lab_file.write_text(
            write_lab(tmp_path, "      - id: a\n        output: {node: pc1, contains: hi}\n")
            .read_text()
            .replace('do: ["pc1 ping pc2 -c 1"]', f'app: ["pc1={name}"]')
        )
        with pytest.raises(LabError) as caught:
            load_lab(lab_file)
        assert caught.value.problems == [
            f"{lab_file}:5: stage 1 run: run.app: {name!r} is a path out of the student's folder; name a file in "
            "it, like client.py (the teacher's own programs are run.lab_app)"
        ]
    lab_file.write_text(lab_file.read_text().replace(f"pc1={name}", "pc1=prog.py"))
    student = tmp_path / "student"
    student.mkdir()
    (student / "prog.py").symlink_to(tmp_path.parent / "evil.py")
    with pytest.raises(LabError, match=r"'prog\.py' is outside"):
        run_lab(load_lab(lab_file), Submission(tmp_path / "topology.yaml", student))


def test_state_check_at_a_time_sees_that_instant(tmp_path: Path) -> None:
    """A state check at 1 us sees an empty ARP cache that at the end holds pc2."""
    lab = write_lab(
        tmp_path,
        "      - id: early\n        state: {node: pc1, table: arp, at: 1us, lacks: {ip: pc2}}\n"
        "      - id: late\n        state: {node: pc1, table: arp, has: {ip: pc2}}\n",
    )
    results = run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path))
    assert [r.passed for r in results] == [True, True]


def test_comparison_values_are_checked_when_the_lab_is_read(tmp_path: Path) -> None:
    """`at_least: many` on ports and `includes` on a count are FILE:LINE errors, not a crash at run time."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        trace: {where: {kind: tx}, measure: ports, at_least: many}\n"
        "      - id: b\n        trace: {where: {kind: tx}, measure: count, includes: p1}\n"
        "      - id: c\n        trace: {where: {kind: tx}, measure: ports, includes: p1}\n",
    )
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    problems = caught.value.problems
    assert any(p.startswith(f"{lab}:8:") and "whole number" in p for p in problems)
    assert any(p.startswith(f"{lab}:10:") and "compares names" in p for p in problems)
    assert not any(p.startswith(f"{lab}:12:") for p in problems)


INLINE_LAB = """lab: 1
name: inline
vars:
  last: [10, 11, 12, 13, 14, 15, 16, 17]
topology:
  name: t
  nodes:
    pc1: {kind: host, ip: "198.18.0.{{last}}/24"}
    pc2: {kind: host, ip: 198.18.0.2/24}
    sw1: {kind: SWITCH}
  links:
    - [pc1:eth0, sw1:p1]
    - [pc2:eth0, sw1:p2]
stages:
  - run: {do: ["pc1 ping pc2 -c 1"], until: 1s}
    checks:
      - id: addr
        expect: {node: pc1, address_in: 198.18.0.0/24}
      - id: replied
        trace: {where: {kind: deliver, device: pc1, proto: icmp}, measure: count, equals: 1}
"""


def test_an_inline_topology_runs_with_the_students_values(tmp_path: Path) -> None:
    """topology: written in the lab file is the network the stages run, with each student's values
    filled in; `lab new` writes it as the student's topology.yaml."""
    lab_file = tmp_path / "lab.yaml"
    lab_file.write_text(INLINE_LAB.replace("SWITCH", "switch"))
    addresses = set()
    for student in ("alice", "bob", "carol", "dave"):
        lab = load_lab(lab_file, student)
        results = run_lab(lab, Submission(lab.topology, tmp_path))
        assert [r.passed for r in results] == [True, True]
        addresses.add(results[0].found)
        assert f"198.18.0.{lab.values['last']}/24" in results[0].found
    assert len(addresses) > 1
    out = tmp_path / "bob"
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", "lab", "new", str(lab_file), "--student", "bob", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = (out / "topology.yaml").read_text()
    assert (
        written.startswith("name: t\nnodes:\n") and f"198.18.0.{load_lab(lab_file, 'bob').values['last']}/24" in written
    )


def test_a_mistake_in_an_inline_topology_is_the_lab_files_line(tmp_path: Path) -> None:
    """A wrong node kind inside the inline topology is reported at its line of the lab file."""
    lab_file = tmp_path / "lab.yaml"
    lab_file.write_text(INLINE_LAB)
    lab = load_lab(lab_file)
    with pytest.raises(LabError) as caught:
        run_lab(lab, Submission(lab.topology, tmp_path))
    assert any(p.startswith(f"{lab_file}:10:") and "SWITCH" in p for p in caught.value.problems)


def test_a_question_with_a_comparison_is_told_once(tmp_path: Path) -> None:
    """A question given equals: (a question has no comparison) is one problem, naming ask: among its fields."""
    lab = write_lab(tmp_path, "      - id: q\n        question: {ask: how many?, where: {kind: tx}, equals: 3}\n")
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    told = [p for p in caught.value.problems if "equals" in p]
    assert len(told) == 1 and "ask" in told[0]


MISTAKES = """lab: 2
name: bad
vars: {host: [pc3, pc4]}
topology: ../../outside.yaml
stages:
  - 5
  - run: {do: "pc1 ping {{host}} -c 1", until: 1s, seed: x, colour: red}
    topology: mine
    checks:
      - {id: a, points: two, trace: {where: {kind: tx, frame: 3}, measure: sizes}}
      - {id: a, expect: {node: pc1}, state: {node: pc1}}
      - {id: b, state: {table: cam, has: 3}}
      - {id: c, output: {}}
      - {id: d, question: {where: {kind: rx}, measure: order}}
      - {id: e, trace: {where: {kind: rx}, measure: count, includes: pc1, then: {kind: tx}}}
      - {id: f, trace: {where: x}}
      - {id: g, trace: {where: {kind: rx}}}
      - 7
      - {points: 1}
      - {id: h, trace: 5}
  - run: 4
    checks: 3
"""
MISTAKES_EN = [
    "LAB:1: lab: say which lab format this is: lab: 1",
    "LAB:4: lab: topology '../../outside.yaml' is outside FOLDER (files are read only from the lab's own folder)",
    "LAB:6: stage 1: give it as a mapping with run: and checks:",
    "LAB:7: stage 2 run: unknown field 'colour' (expected one of app, arg, do, lab_app, seed, stdin, until)",
    "LAB:7: stage 2 run: seed: 'x' is not a whole number",
    "LAB:8: stage 2: topology: is lab (the lab's own network) or student (the default)",
    "LAB:10: check a: points: 'two' is not a whole number",
    "LAB:10: check a trace where: frame: is a selection, like {kind: tx, device: pc1, proto: arp}",
    "LAB:10: check a trace: measure 'sizes': choose from count, ports, devices, frames, first, last, order",
    "LAB:10: check a trace: say what the sizes must be with one of equals, at_least, at_most, includes, excludes",
    "LAB:11: check a: id 'a' is used twice (first on line 10)",
    "LAB:11: check a: give exactly one of expect, state, trace, output, question",
    "LAB:12: check b state: node: names the device this check is about",
    "LAB:12: check b state: table: choose from mac, arp, route, stp",
    "LAB:12: check b state: has: is a row's fields, like {mac: pc3, port: p3}",
    "LAB:13: check c output: node: names the device this check is about",
    "LAB:13: check c output: say how the lines must look with one of exactly, matches, set, contains",
    "LAB:14: check d question: ask: is the question the student answers",
    "LAB:14: check d question: measure: order needs then: (the selection that must come second)",
    "LAB:15: check e trace: then: is for measure: order",
    "LAB:15: check e trace: includes compares names; a count is a number (equals, at_least, at_most)",
    "LAB:16: check f trace: where: is the selection of events, like {kind: tx, device: sw1, proto: icmp}",
    "LAB:17: check g trace: say what the count must be with one of equals, at_least, at_most, includes, excludes",
    "LAB:18: stage 2: a check is a mapping with id:, points:, hint: and one of expect, state, trace, output, question",
    "LAB:19: stage 2 check: give the check an id:, a word its column is named by",
    "LAB:20: check h: trace: is a mapping (see docs/labs.md)",
    'LAB:21: stage 3: run: is a mapping like {do: ["pc1 ping pc3 -c 2"], until: 2s}',
    "LAB:22: stage 3: checks: is a list of checks, each with id:, points:, hint: and one of expect, state, trace, output, question",
]
MO = Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"


@pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
def test_a_lab_files_mistakes_are_english_in_the_error_and_chinese_shown(tmp_path: Path) -> None:
    """28 mistakes of a lab file: the English lines as before (the error's text), and each shown in Chinese
    under zh by localize at the same FILE:LINE (lab check prints them so)."""
    from lanlab.i18n import localize, set_language

    (tmp_path / "lab.yaml").write_text(MISTAKES)
    with pytest.raises(LabError) as caught:
        load_lab(tmp_path / "lab.yaml")
    problems = caught.value.problems
    shown = [str(p).replace(str(tmp_path / "lab.yaml"), "LAB").replace(str(tmp_path), "FOLDER") for p in problems]
    assert shown == MISTAKES_EN
    set_language("zh")
    chinese = [localize(p).replace(str(tmp_path / "lab.yaml"), "LAB") for p in problems]
    assert [line.split(":")[1] for line in chinese] == [line.split(":")[1] for line in MISTAKES_EN]
    assert all(re.search("[\u4e00-\u9fff]", line) for line in chinese), chinese
    assert "LAB:11: 检查 a：id 'a' 用了两次（第一次在第 10 行）" in chinese
    assert "LAB:19: 第 2 阶段的检查：请给这项检查一个 id:，即它那一列的名字（一个词）" in chinese
    assert (
        "LAB:10: 检查 a trace：measure 'sizes'：请从 count, ports, devices, frames, first, last, order 中选择"
        in chinese
    )


def refused(lab: Path) -> list[str]:
    """The mistakes load_lab reports for `lab` (it must refuse it)."""
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    return caught.value.problems


def test_a_bad_network_in_address_in_is_file_line(tmp_path: Path) -> None:
    """expect: address_in: 300.0.0.0/8 is refused when the lab is read, at its line, not a crash when judged."""
    lab = write_lab(tmp_path, "      - id: a\n        expect: {node: pc1, address_in: 300.0.0.0/8}\n")
    (problem,) = refused(lab)
    assert problem.startswith(f"{lab}:8: ") and "address_in: '300.0.0.0/8' is not a network like" in problem


def test_a_bad_gateway_or_prefix_length_is_file_line(tmp_path: Path) -> None:
    """expect: gateway: nope and prefix_length: 40 are refused when the lab is read, each at its line."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        expect: {node: pc1, gateway: nope}\n"
        "      - id: b\n        expect: {node: pc1, prefix_length: 40}\n",
    )
    problems = refused(lab)
    assert [p.split(": ")[0] for p in problems] == [f"{lab}:8", f"{lab}:10"]
    assert "gateway: 'nope' is not an IPv4 address" in problems[0] and "not from 0 to 32" in problems[1]


def test_a_bad_regular_expression_in_matches_is_file_line(tmp_path: Path) -> None:
    """output: matches: ["(unclosed"] is refused when the lab is read, saying how to match the character itself."""
    lab = write_lab(tmp_path, '      - id: a\n        output: {node: pc1, matches: ["ok", "(unclosed"]}\n')
    (problem,) = refused(lab)
    assert problem.startswith(f"{lab}:8: ") and "'(unclosed' is not a regular expression" in problem
    assert "backslash" in problem


def test_negative_points_are_file_line(tmp_path: Path) -> None:
    """points: -3 is refused when the lab is read (0 is allowed: a check that counts for nothing)."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        points: -3\n        trace: {where: {kind: tx}, equals: 1}\n"
        "      - id: b\n        points: 0\n        trace: {where: {kind: tx}, equals: 1}\n",
    )
    (problem,) = refused(lab)
    assert problem.startswith(f"{lab}:8: ") and "points: -3 is below 0" in problem


def test_a_state_check_after_the_stage_ends_is_file_line(tmp_path: Path) -> None:
    """state at: 5s in a stage that runs until 1s is refused (it would be judged at 1 s); at: 1s is fine."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        state: {node: pc1, table: arp, at: 5s, has: {ip: pc2}}\n"
        "      - id: b\n        state: {node: pc1, table: arp, at: 1s, has: {ip: pc2}}\n",
    )
    (problem,) = refused(lab)
    assert problem.startswith(f"{lab}:8: ") and "at: 5s is after the stage's run ends (until: 1s)" in problem


def test_two_stages_with_one_name_are_file_line(tmp_path: Path) -> None:
    """A second stage with the first one's name is refused at its name's line, naming the first's line."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "lab: 1\nname: t\ntopology: topology.yaml\nstages:\n"
        "  - name: ping\n    checks:\n      - {id: a, trace: {where: {kind: tx}, equals: 1}}\n"
        "  - name: ping\n    checks:\n      - {id: b, trace: {where: {kind: tx}, equals: 1}}\n"
    )
    (problem,) = refused(lab)
    assert problem.startswith(f"{lab}:8: ") and "stage name 'ping' is used twice (first on line 5)" in problem


def test_lab_check_refuses_a_lab_files_run_time_mistakes_in_one_line_each(tmp_path: Path) -> None:
    """lab check on a lab with a bad network and a bad regular expression exits 2 with FILE:LINE lines, no traceback."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        expect: {node: pc1, address_in: 300.0.0.0/8}\n"
        '      - id: b\n        output: {node: pc1, matches: ["(unclosed"]}\n',
    )
    result = subprocess.run(
        [sys.executable, "-m", "lanlab", "lab", "check", str(lab)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == [f"{lab}:8", f"{lab}:10"]


def test_a_kind_proto_or_table_field_no_event_or_row_has_is_file_line(tmp_path: Path) -> None:
    """kind: bogus and proto: notaproto selected nothing (a check of count 0 always passed), a has: field
    the table lacks never matched: each is refused when the lab is read, saying what there is."""
    lab = write_lab(
        tmp_path,
        "      - id: a\n        trace: {where: {kind: bogus}, measure: count, equals: 0}\n"
        "      - id: b\n        trace: {where: {proto: [icmp, notaproto]}, measure: count, equals: 0}\n"
        "      - id: c\n        state: {node: pc1, table: arp, has: {ip: pc2, zzz: 1}}\n",
    )
    problems = refused(lab)
    assert [p.split(": ")[0] for p in problems] == [f"{lab}:8", f"{lab}:10", f"{lab}:12"]
    assert "'bogus'" in problems[0] and "flood" in problems[0]
    assert "'notaproto'" in problems[1] and "icmp" in problems[1]
    assert "no field 'zzz'" in problems[2] and "ip, mac, interface" in problems[2]


def test_a_pattern_whose_repeats_would_fill_the_memory_is_file_line(tmp_path: Path) -> None:
    """a{1000000000} compiles to a billion items in the regex module (it took all memory): refused when read;
    a{0,1000000000} (nothing written out) and a{500} are fine."""
    lab = write_lab(
        tmp_path,
        '      - id: a\n        output: {node: pc1, matches: ["a{1000000000}", "(x{1000}){1000}"]}\n'
        '      - id: b\n        output: {node: pc1, matches: ["a{0,1000000000}", "a{500}"]}\n',
    )
    problems = refused(lab)
    assert len(problems) == 2 and all(p.startswith(f"{lab}:8: ") and "repeats too much" in p for p in problems)


def test_the_table_fields_a_lab_may_name_are_the_simulator_s() -> None:
    """model.TABLE_FIELDS is every field of the simulator's mac, arp, route and stp rows, and no other."""
    from lanlab.lab.checks import table_rows
    from lanlab.lab.model import TABLE_FIELDS
    from lanlab.sim import load_topology

    examples = Path(__file__).resolve().parents[2] / "examples"
    seen: dict[str, set[str]] = {table: set() for table in TABLE_FIELDS}
    for name, command in (("hub_vs_switch.yaml", "pc1 ping pc3 -c 1"), ("rip-ring.yaml", None), ("stp.yaml", None)):
        net = load_topology(examples / name)
        if command:
            net.do(command)
        net.run(40)
        for node in net.nodes.values():
            for table in TABLE_FIELDS:
                for row in table_rows(net, node, table):
                    seen[table].update(row)
    assert {table: set(fields) for table, fields in TABLE_FIELDS.items()} == seen


def test_run_lines_are_checked_when_the_lab_is_read(tmp_path: Path) -> None:
    """run.app, run.lab_app, run.stdin, run.arg and run.do lines the stage could not run are the lab file's
    mistakes, each told at its line when the lab is read (an `at` that is not a time was a traceback; the
    others were found only when a stage ran, in every student's row)."""
    (tmp_path / "topology.yaml").write_text(PAIR_YAML)
    (tmp_path / "client.py").write_text("print('hi')\n")
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "lab: 1\nname: t\ntopology: topology.yaml\nstages:\n  - run:\n"
        '      app: ["pc1", "at soon pc1=a.py", "at 1s pc1=a.py", "pc1 = b.py"]\n'
        '      lab_app: ["at never pc2=client.py", "pc2=client.py"]\n'
        '      stdin: ["pc1", "pc1=hello"]\n'
        '      arg: ["=7788"]\n'
        "      do:\n"
        '        - "pc1 fly to the moon"\n'
        '        - "at 1s pc1 ping"\n'
        '        - "pc1 ping pc2 --bogus"\n'
        '        - "link pc1:eth0 pc2:eth0 sideways"\n'
        '        - "at 2s pc1 ping pc2 -c 1"\n'
        '        - "at 3s link pc1:eth0 pc2:eth0 down"\n'
        "    checks:\n      - {id: a, expect: {node: pc1, stp: maybe}}\n"
    )
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    run = f"{lab}:{{line}}: stage 1 run: run."
    assert caught.value.problems == [
        run.format(line=6) + "app: 'pc1' is not [at TIME] NODE=PROGRAM.py, like \"at 0.5s pc1=client.py\"",
        run.format(line=6) + "app: 'at soon pc1=a.py': 'soon' is not a number with a unit, like 2s or 200ms",
        run.format(line=7) + "lab_app: 'at never pc2=client.py': 'never' is not a number with a unit, like 2s or 200ms",
        run.format(line=8) + "stdin: 'pc1' is not NODE=TEXT, like pc1=hello",
        run.format(line=9) + "arg: '=7788' is not NODE=TEXT, like pc1=7788",
        run.format(line=11) + "do: 'pc1 fly to the moon': unknown command 'fly' (known: arp, dhcp release, dhcp "
        "renew, dig, link, mac, nslookup, ping, route, start, stop, stp, tcp connect, tcp serve, traceroute, udp "
        "broadcast, udp listen, udp send)",
        run.format(line=12) + "do: 'at 1s pc1 ping': ping: the following arguments are required: target",
        run.format(line=13) + "do: 'pc1 ping pc2 --bogus': ping: unrecognized arguments: --bogus",
        run.format(line=14)
        + "do: 'link pc1:eth0 pc2:eth0 sideways': argument state: invalid choice: 'sideways' (choose from 'down', 'up')",
        f"{lab}:18: check a expect: stp: 'maybe' is not a mode; choose from stp, rstp, off",
    ]


def test_a_topology_file_that_cannot_be_read_is_the_lab_files_line(tmp_path: Path) -> None:
    """topology: naming a file that is not there is told at the lab file's line when it is read (every
    student's row said `cannot read`, and lab grade exited 0)."""
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "lab: 1\nname: t\ntopology: nothere.yaml\nstages:\n  - checks:\n"
        "      - {id: a, trace: {where: {kind: tx}, equals: 1}}\n"
    )
    with pytest.raises(LabError) as caught:
        load_lab(lab)
    assert caught.value.problems == [
        f"{lab}:3: lab: {tmp_path / 'nothere.yaml'}: cannot read: No such file or directory"
    ]


def test_a_run_do_on_a_node_the_topology_lacks_is_told_at_its_line(tmp_path: Path) -> None:
    """Whether a run.do's node is there is known only with the stage's topology (a student's may add it):
    then the LabError names the lab file's line of that command."""
    lab = write_lab(tmp_path, "      - {id: a, trace: {where: {kind: tx}, equals: 1}}\n")
    lab.write_text(lab.read_text().replace('do: ["pc1 ping pc2 -c 1"]', 'do: ["pc1 arp", "pc9 ping pc1 -c 1"]'))
    with pytest.raises(LabError) as caught:
        run_lab(load_lab(lab), Submission(tmp_path / "topology.yaml", tmp_path))
    assert caught.value.problems == [
        f"{lab}:5: run.do: 'pc9 ping pc1 -c 1': no node called 'pc9' (nodes: pc1, pc2, sw1)"
    ]
