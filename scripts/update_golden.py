"""Record what the simulator prints and captures, so a refactoring can prove it changed nothing.

Each case is a `lanlab` command line: every example in examples/ run as its header comment says,
every `lanlab sim run` the README shows (its `| grep` left off), two unchanged programs under
--app, and `lanlab demo`. Each is run with `--trace jsonl` and a pcapng of every link; the sha256
of its standard output and of its capture go into tests/sim/golden/digests.json, which
tests/sim/test_golden.py compares byte for byte.

    .venv/bin/python scripts/update_golden.py          # rewrite the digests (on purpose!)
    .venv/bin/python scripts/update_golden.py --check  # what the test does

Regenerate only when a change of behaviour is intended (new default MACs, a timer fixed ...),
and say in the commit message which cases changed and why.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "sim" / "golden" / "digests.json"
PROGRAMS = ROOT / "tests" / "sim" / "programs"
# Tables are as wide as the terminal says: pin it, so a digest does not depend on who ran it.
ENVIRONMENT = {**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "dumb", "NO_COLOR": "1"}


class Case(NamedTuple):
    """One command line to replay: `name` keys its digests, `args` follow `lanlab`."""

    name: str
    args: tuple[str, ...]


def command_in(comment: str) -> str | None:
    """The `lanlab sim run ...` command a header comment gives, its continuation lines joined."""
    start = comment.find("lanlab sim run")
    if start < 0:
        return None
    return comment[start:]


def example_cases() -> list[Case]:
    """Every example, run as its header comment intends (or plainly when it gives no command)."""
    cases = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        header = [line[1:].strip() for line in path.read_text().splitlines() if line.startswith("#")]
        words: list[str] = []
        for index, line in enumerate(header):
            text = command_in(line)
            if text is None:
                continue
            while text.endswith("\\") and index + 1 < len(header):
                index += 1
                text = text[:-1] + " " + header[index]
            words = shlex.split(text)[1:]  # after "lanlab"
            break
        cases.append(Case(f"example-{path.stem}", tuple(words or ["sim", "run", f"examples/{path.name}"])))
    return cases


def readme_cases() -> list[Case]:
    """Every `$ lanlab sim run` the README shows, but those with --app (see app_cases)."""
    lines = (ROOT / "README.md").read_text().splitlines()
    cases = []
    for index, line in enumerate(lines):
        if not line.startswith("$ lanlab sim run"):
            continue
        text = line[2:]
        while text.endswith("\\"):
            index += 1
            text = text[:-1] + " " + lines[index].strip()
        text = text.split(" | ")[0]
        words = shlex.split(text)[1:]
        if "--app" in words:
            continue  # their programs are the note's or made up for the page; app_cases runs ours
        # Named by their words, not their place, so a README that grows keeps every name.
        cases.append(Case(f"readme-{hashlib.sha256(' '.join(words).encode()).hexdigest()[:8]}", tuple(words)))
    return cases


def app_cases() -> list[Case]:
    """Unchanged programs on simulated hosts: a thread per client, TCP, several client threads."""
    return [
        Case(
            "app-threaded-echo",
            (
                "sim",
                "run",
                "examples/broadcast.yaml",
                "--until",
                "3s",
                "--app",
                f"pc1={PROGRAMS / 'threaded_echo_server.py'}",
                "--app",
                f"at 0.01s pc2={PROGRAMS / 'threaded_clients.py'}",
                "--arg",
                "pc2=pc1",
            ),
        ),
    ]


def cases() -> list[Case]:
    """Every case once (the README repeats some examples' commands)."""
    unique: dict[tuple[str, ...], Case] = {}
    for case in example_cases() + readme_cases() + app_cases() + [Case("demo", ("demo",))]:
        unique.setdefault(tuple(traced(case.args, Path("capture.pcapng"))), case)
    return list(unique.values())


def traced(args: tuple[str, ...], pcap: Path) -> list[str]:
    """The command with `--trace jsonl` (instead of any other trace format) and a capture of every link."""
    words = list(args)
    if words[0] == "demo":
        return words + ["--pcap", str(pcap)]
    while "--trace" in words:
        at = words.index("--trace")
        del words[at : at + 2]
    if "--json" in words:  # one document at the end, its events included (--trace is refused with it)
        return words + ["--pcap", str(pcap)]
    return words + ["--trace", "jsonl", "--pcap", str(pcap)]


def outputs(case: Case, scratch: Path) -> dict[str, bytes]:
    """Run one case: its exit status, standard output and error (scratch paths neutral), and capture."""
    pcap = scratch / f"{case.name}.pcapng"
    done = subprocess.run(
        [sys.executable, "-m", "lanlab", *traced(case.args, pcap)],
        cwd=ROOT,
        env=ENVIRONMENT,
        capture_output=True,
        timeout=600,
    )
    stdout = f"exit {done.returncode}\n".encode() + done.stdout + b"\n--- stderr\n" + done.stderr
    stdout = stdout.replace(str(scratch).encode(), b"<tmp>").replace(str(ROOT).encode(), b"<root>")
    found = {f"{case.name}.stdout": stdout}
    if pcap.exists():
        found[f"{case.name}.pcapng"] = pcap.read_bytes()
    return found


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_all(scratch: Path) -> dict[str, bytes]:
    """Every case's outputs, two cases at a time (each is its own process)."""
    scratch.mkdir(parents=True, exist_ok=True)
    found: dict[str, bytes] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for result in pool.map(lambda case: outputs(case, scratch), cases()):
            found.update(result)
    return found


def differences(found: dict[str, bytes], expected: dict[str, str]) -> list[str]:
    """One line per file whose digest differs, is new or is missing."""
    lines = []
    for name in sorted(set(found) | set(expected)):
        if name not in expected:
            lines.append(f"{name}: new (no golden digest; run scripts/update_golden.py)")
        elif name not in found:
            lines.append(f"{name}: not produced any more")
        elif digest(found[name]) != expected[name]:
            lines.append(f"{name}: differs (sha256 {digest(found[name])[:16]}..., golden {expected[name][:16]}...)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the stored digests instead of writing")
    parser.add_argument("--keep", type=Path, help="also write every output into this directory (to diff by hand)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        found = run_all(Path(scratch))
    if options.keep:
        options.keep.mkdir(parents=True, exist_ok=True)
        for name, data in found.items():
            (options.keep / name).write_bytes(data)
    if options.check:
        expected = json.loads(GOLDEN.read_text())
        lines = differences(found, expected)
        print("\n".join(lines) or f"all {len(found)} outputs as golden")
        return 1 if lines else 0
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps({name: digest(data) for name, data in sorted(found.items())}, indent=1) + "\n")
    print(f"wrote {len(found)} digests to {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
