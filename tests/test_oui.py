"""IEEE registry lookups (MA-L, MA-M, MA-S) checked against arp-scan's independent copy of the registry."""

import os

import pytest

from lanlab import oui

ARP_SCAN_OUI = "/usr/share/arp-scan/ieee-oui.txt"


def _arp_scan_rows(width):
    with open(ARP_SCAN_OUI, encoding="utf-8", errors="replace") as file:
        rows = [line.rstrip("\n").split("\t") for line in file if line[0] not in "#\n"]
    return [row for row in rows if len(row[0]) == width][::40]  # a deterministic sample


@pytest.mark.skipif(not os.path.exists(ARP_SCAN_OUI), reason="arp-scan's ieee-oui.txt is not installed")
@pytest.mark.parametrize("width, registry", [(6, "MA-L"), (7, "MA-M"), (9, "MA-S")])
def test_blocks_agree_with_arp_scan_registry(width, registry):
    """Every sampled MA-M/MA-S block of arp-scan's file is found at that length; names agree for 95%+."""
    rows = _arp_scan_rows(width)
    found = [oui.lookup(bytes.fromhex((prefix + "0" * 12)[:12])) for prefix, _ in rows]
    same_block = [
        a is not None and a.prefix == prefix and a.registry == registry for a, (prefix, _) in zip(found, rows)
    ]
    same_name = [a is not None and a.organization.casefold() == name.casefold() for a, (_, name) in zip(found, rows)]
    assert sum(same_block) / len(rows) > (0.95 if registry == "MA-L" else 0.999)
    assert sum(same_name) / len(rows) > 0.95


def test_longest_block_wins():
    """A MAC inside an MA-S block names the MA-S owner, not the IEEE's own MA-L prefix."""
    assignment = oui.lookup(bytes.fromhex("70b3d5001234"))
    assert (assignment.registry, assignment.prefix, assignment.bits) == ("MA-S", "70B3D5001", 36)
    assert oui.lookup(bytes.fromhex("70b3d5001234")).organization != oui._ma_l("70B3D5")


def test_locally_administered_and_unregistered_have_no_vendor():
    """A locally administered address (02:...) is never an IEEE assignment."""
    assert oui.lookup(bytes.fromhex("020000000001")) is None
    assert oui.vendor(bytes.fromhex("b827eb000001")) == "Raspberry Pi Foundation"


def test_group_address_belongs_to_the_oui_without_the_group_bit():
    """01:00:5e:... (IPv4 multicast) is IANA's 00:00:5E."""
    assert oui.lookup(bytes.fromhex("01005e000001")).prefix == "00005E"


def test_search_finds_every_block_of_a_vendor():
    """--search lists MA-L then smaller blocks whose organization contains the text, any case."""
    found = oui.search("RASPBERRY PI")
    assert {"B827EB", "DCA632", "D83ADD"} <= {a.prefix for a in found}
    assert all("raspberry pi" in a.organization.casefold() for a in found)
    assert oui.search("no vendor is called this zzqx") == []


def test_prefix_text_shows_the_block_length():
    """Prefixes print as B8:27:EB/24 and 70:B3:D5:00:1/36."""
    assert oui.Assignment("MA-L", "B827EB", "x").prefix_text == "B8:27:EB/24"
    assert oui.Assignment("MA-S", "70B3D5001", "x").prefix_text == "70:B3:D5:00:1/36"


def test_ma_l_lookup_agrees_with_netaddr_api():
    """Reading netaddr's oui.idx/oui.txt directly gives what netaddr.OUI(...).registration() says."""
    import netaddr

    keys = [int(line.split(",")[0]) for line in oui._ma_l_index().split()][::97]
    assert len(keys) > 300
    for key in keys:
        assert oui._ma_l(f"{key:06X}") == netaddr.OUI(key).registration().org.strip()
    assert oui._ma_l("FFFFFE") is None
