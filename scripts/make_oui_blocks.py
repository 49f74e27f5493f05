"""Write src/lanlab/data/ieee-small-blocks.tsv: the IEEE MA-M (28-bit) and MA-S/IAB (36-bit) blocks.

netaddr ships only MA-L (oui.txt) and the old IAB list (iab.txt), so a Raspberry Pi Pico-era
MA-M or MA-S vendor would be unnamed. This reads either the IEEE's own CSV files (mam.csv,
oui36.csv, iab.csv: "Registry,Assignment,Organization Name,...") or Wireshark's `manuf` file
(lines "00:55:DA:10:00:00/28<TAB>Short<TAB>Long name") and writes one line per block:
"<prefix in hex, 7 or 9 digits><TAB><organization>", sorted.

    python scripts/make_oui_blocks.py /usr/share/wireshark/manuf > src/lanlab/data/ieee-small-blocks.tsv
    python scripts/make_oui_blocks.py mam.csv oui36.csv iab.csv > src/lanlab/data/ieee-small-blocks.tsv
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator

HEX_DIGITS_FOR_BITS = {28: 7, 36: 9}


def blocks_from_manuf(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(hex prefix, organization) for every /28 and /36 line of a Wireshark manuf file."""
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        if line.startswith("#") or "/" not in fields[0]:
            continue
        address, bits = fields[0].split("/")
        if int(bits) in HEX_DIGITS_FOR_BITS:
            organization = fields[2] if len(fields) > 2 else fields[1]
            yield address.replace(":", "")[: HEX_DIGITS_FOR_BITS[int(bits)]].upper(), organization.strip()


def blocks_from_ieee_csv(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(hex prefix, organization) for every row of an IEEE registry CSV (MA-M, MA-S or IAB)."""
    for row in csv.DictReader(lines):
        assignment = row["Assignment"].strip().upper()
        if len(assignment) in HEX_DIGITS_FOR_BITS.values():
            yield assignment, row["Organization Name"].strip()


def main(paths: list[str]) -> None:
    blocks: dict[str, str] = {}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as file:
            lines = file.readlines()
        reader = blocks_from_ieee_csv if lines and lines[0].startswith("Registry") else blocks_from_manuf
        blocks.update(reader(lines))
    for prefix in sorted(blocks):
        sys.stdout.write(f"{prefix}\t{blocks[prefix]}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
