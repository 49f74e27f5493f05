"""Hostile dns: settings (a trial): each is one FILE:LINE line that says what to do, exit status 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

LONG = ".".join(["b" * 62] * 4)  # 251 characters: with the zone past 253


def topology(dns: str, extra_nodes: str = "") -> str:
    return (
        "nodes:\n"
        "  ns:\n"
        "    kind: host\n"
        "    ip: 198.18.0.53/24\n"
        f"    dns: {dns}\n"
        "  pc1: {kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}\n"
        f"{extra_nodes}"
        "links:\n"
        "  - [ns:eth0, pc1:eth0]\n"
    )


def sim_check(tmp_path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "lanlab", "sim", "check", str(path)], capture_output=True, text=True, timeout=120
    )


CHAIN = ", ".join(f"c{i}: c{i + 1}" for i in range(1, 10)) + ", c10: pc1"


@pytest.mark.parametrize(
    "dns, extra, said",
    [
        (
            "{zone: lab.test., records: {www: 198.18.0.1, www.lab.test.: 198.18.0.53}}",
            "",
            "records: www.lab.test. is given twice (also on line 5): give it once, with a list of addresses",
        ),
        (
            "{zone: lab.test., records: {www: 198.18.0.1, WWW: 198.18.0.53}}",
            "",
            "records: www.lab.test. is given twice",
        ),
        (
            "{zone: lab.test., records: {www: 198.18.0.1, www: 198.18.0.53}}",
            "",
            "records: www.lab.test. is given twice",
        ),
        (
            f"{{zone: lab.test., records: {{{LONG}: 198.18.0.1}}}}",
            "",
            "is not a name (longer than 253 characters)",
        ),
        ("{zone: lab.test..}", "", "zone: 'lab.test..' is not a domain name like lab."),
        ("{zone: 198.18.0.53}", "", "that is an address; the zone is the domain the server answers for"),
        (
            f"{{zone: lab.test., auto: true, records: {{{CHAIN}}}}}",
            "",
            "records: c1.lab.test. starts a chain of 10 aliases; the server follows at most 8",
        ),
        (
            "{zone: lab.test., auto: true}",
            "  " + "a" * 64 + ": {kind: host, ip: 198.18.0.9/24}\n",
            "cannot be served as " + "a" * 64 + ".lab.test. (label too long): give the node a shorter name",
        ),
    ],
)
def test_a_bad_zone_is_a_line_that_says_what_to_do(tmp_path, dns, extra, said):
    """Two spellings of one record name (www and www.lab.test., www and WWW, a YAML key given twice) were
    silently one; a relative name too long with its zone was a traceback; 'lab.test..' and an address were
    taken as zones; a chain of aliases longer than the server follows, and an auto zone's node name longer
    than a label, were served wrong or crashed the run at the first PTR question."""
    result = sim_check(tmp_path, topology(dns, extra))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert any(said in line and line.startswith(str(tmp_path / "t.yaml") + ":") for line in lines), lines


def test_an_auto_zone_with_names_in_other_scripts_is_served(tmp_path):
    """A node named in Chinese is served under auto as its UTF-8 bytes (dig writes them \\DDD): no error."""
    result = sim_check(tmp_path, topology("{zone: lab.test., auto: true}", "  主机: {kind: host, ip: 198.18.0.9/24}\n"))
    assert result.returncode == 0, result.stdout + result.stderr
