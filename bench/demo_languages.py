"""`lanlab demo` end to end in English and in Chinese: what loading the catalogue and translating
costs a command a student runs first (the issue's budget: under 1 s with the catalogue loaded).

Each round runs `python -m lanlab --lang en demo` and `--lang zh demo` as fresh processes,
alternated, and the import alone (`python -c "import lanlab.i18n; set_language('zh')"`) beside a
bare interpreter; printed: the median and best wall time of each, and zh / en.

    python bench/demo_languages.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MO = Path(__file__).resolve().parent.parent / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    if not MO.exists():
        sys.exit(f"{MO} is missing: run `make` first")
    runs: dict[str, list[float]] = {
        "python -c pass": [],
        "catalogue load (zh)": [],
        "demo --lang en": [],
        "demo --lang zh": [],
    }
    with tempfile.TemporaryDirectory() as directory:
        pcap = str(Path(directory) / "demo.pcapng")
        for _round in range(rounds):
            runs["python -c pass"].append(timed([sys.executable, "-c", "pass"]))
            runs["catalogue load (zh)"].append(
                timed([sys.executable, "-c", "from lanlab.i18n import set_language; set_language('zh')"])
            )
            for word in ("en", "zh"):
                runs[f"demo --lang {word}"].append(
                    timed([sys.executable, "-m", "lanlab", "--lang", word, "demo", "--pcap", pcap])
                )
    print(f"{'what':<22} {'median s':>9} {'best s':>8}   ({rounds} rounds, fresh processes, alternated)")
    for name, seconds in runs.items():
        print(f"{name:<22} {statistics.median(seconds):9.3f} {min(seconds):8.3f}")
    ratio = statistics.median(runs["demo --lang zh"]) / statistics.median(runs["demo --lang en"])
    print(f"demo zh / en: {ratio:.2f}")


if __name__ == "__main__":
    main()
