"""`lanlab arping --scan` of a /24 with 16 live hosts vs arp-scan, in the same namespaces, same run.

Wall time from starting the command to its complete list (process start-up included), best
and median of several alternating rounds, and whether each found exactly the 16 hosts.
Needs root, iproute2 and arp-scan; says so and exits 0 when they are missing.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "helpers"))

from netlab import Lab, build_lan, netns_unavailable_reason  # noqa: E402

ROUNDS = 5
NETWORK = "198.18.0.0/24"
LIVE_HOSTS = 16


def timed(host, argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = host.run(*argv, check=False, timeout=120).stdout
    return time.perf_counter() - start, out


def ours(host) -> tuple[float, set[tuple[str, str]]]:
    seconds, out = timed(host, [sys.executable, "-m", "lanlab", "arping", "-I", "eth0", "--scan", NETWORK, "--json"])
    return seconds, {(h["ip"], h["mac"]) for h in json.loads(out)["hosts"]}


def arp_scan(host, *extra: str) -> tuple[float, set[tuple[str, str]]]:
    seconds, out = timed(host, ["arp-scan", "-I", "eth0", "-q", "-x", *extra, NETWORK])
    return seconds, {tuple(line.split("\t")[:2]) for line in out.splitlines() if "\t" in line}


def arp_scan_at_our_rate(host) -> tuple[float, set[tuple[str, str]]]:
    return arp_scan(host, "--interval=1")  # 1 ms between requests: lanlab's default 1000 requests/s


def main() -> None:
    reason = netns_unavailable_reason() or (None if shutil.which("arp-scan") else "arp-scan is not installed")
    if reason:
        print(f"bench/scan.py skipped: {reason}")
        return
    lab = Lab()
    try:
        hosts = build_lan(lab, LIVE_HOSTS + 1, NETWORK).hosts
        scanner, expected = hosts[0], {(h.ip, h.mac) for h in hosts[1:]}
        contenders = {"arp-scan": arp_scan, "arp-scan -i1": arp_scan_at_our_rate, "lanlab": ours}
        times: dict[str, list[float]] = {name: [] for name in contenders}
        complete = dict.fromkeys(contenders, True)
        for _ in range(ROUNDS):
            for name, run in contenders.items():
                seconds, found = run(scanner)
                times[name].append(seconds)
                complete[name] &= found == expected
    finally:
        lab.close()
    print(f"scan of {NETWORK} with {LIVE_HOSTS} live hosts, {ROUNDS} rounds each (wall time to the complete list)")
    print("  (arp-scan with its defaults: 2 tries, 500 ms timeout, 256 kbit/s; -i1: at lanlab's 1000 requests/s;")
    print("   lanlab with its defaults: --retry 1 (2 tries), --timeout 0.5, --rate 1000)")
    for name in contenders:
        print(
            f"  {name:<13} best {min(times[name]):.3f} s  median {statistics.median(times[name]):.3f} s  "
            f"found all {LIVE_HOSTS} and nothing else: {'yes' if complete[name] else 'NO'}"
        )
    for baseline in ("arp-scan", "arp-scan -i1"):
        ratio = statistics.median(times[baseline]) / statistics.median(times["lanlab"])
        print(f"  lanlab vs {baseline}: {ratio:.2f}x the speed (median wall time; >1 means faster)")


if __name__ == "__main__":
    main()
