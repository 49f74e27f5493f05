"""scripts/make_oui_blocks.py: MA-M/MA-S blocks read from Wireshark's manuf and from the IEEE CSVs agree."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_oui_blocks.py"
spec = importlib.util.spec_from_file_location("make_oui_blocks", SCRIPT)
make_oui_blocks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_oui_blocks)

MANUF = """# comment
00:00:0C\tCisco\tCisco Systems, Inc
00:55:DA:10:00:00/28\tKoolPOS\tKoolPOS Inc.
70:B3:D5:00:10:00/36\tSOREDIto\tSOREDI touch systems GmbH
01:80:C2:00:00:00/48\tSpanning-tree-(for-bridges)_00
"""
IEEE_MAM = """Registry,Assignment,Organization Name,Organization Address
MA-M,0055DA1,KoolPOS Inc.,"Room 1, Shenzhen CN"
"""
IEEE_MAS = """Registry,Assignment,Organization Name,Organization Address
MA-S,70B3D5001,SOREDI touch systems GmbH,Werkstrasse 2 Germany
"""


def test_manuf_and_ieee_csv_give_the_same_blocks():
    """Only /28 and /36 lines are kept, as 7 and 9 hex digits; both sources give the same pairs."""
    from_manuf = sorted(make_oui_blocks.blocks_from_manuf(MANUF.splitlines(True)))
    from_csv = sorted(
        [
            *make_oui_blocks.blocks_from_ieee_csv(IEEE_MAM.splitlines(True)),
            *make_oui_blocks.blocks_from_ieee_csv(IEEE_MAS.splitlines(True)),
        ]
    )
    assert from_manuf == from_csv == [("0055DA1", "KoolPOS Inc."), ("70B3D5001", "SOREDI touch systems GmbH")]


def test_shipped_file_has_ma_m_and_ma_s_lines_only():
    """The shipped table holds thousands of 7- and 9-digit prefixes and nothing else."""
    shipped = (SCRIPT.parent.parent / "src" / "lanlab" / "data" / "ieee-small-blocks.tsv").read_text().splitlines()
    widths = {len(line.split("\t")[0]) for line in shipped}
    assert widths == {7, 9} and len(shipped) > 10_000
