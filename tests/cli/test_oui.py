"""`lanlab oui`: vendors in every notation, the address bits, --search, --json, exit codes."""

import json

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, ["oui", *args])


@pytest.mark.parametrize("notation", ["b8:27:eb:12:34:56", "B8-27-EB-12-34-56", "b827.eb12.3456", "b827eb123456"])
def test_every_common_notation_names_the_vendor(notation):
    """Colon, dash, Cisco-dotted and bare hex notations all name the Raspberry Pi Foundation."""
    result = run(notation)
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "b8:27:eb:12:34:56  Raspberry Pi Foundation  (MA-L B8:27:EB/24)"
    assert "unicast, globally administered" in result.output


def test_json_lists_vendor_registry_and_bits():
    """--json gives one object per MAC with vendor, registry, prefix and the I/G, U/L bits."""
    rows = json.loads(run("70:b3:d5:00:12:34", "03:00:00:00:00:01", "--json").output)
    assert rows[0] == {
        "mac": "70:b3:d5:00:12:34",
        "vendor": "SOREDI touch systems GmbH",
        "registry": "MA-S",
        "prefix": "70:B3:D5:00:1/36",
        "multicast": False,
        "broadcast": False,
        "local": False,
    }
    assert (rows[1]["vendor"], rows[1]["multicast"], rows[1]["local"]) == (None, True, True)


def test_unknown_vendor_exits_1():
    """A locally administered MAC has no vendor: printed as unknown, exit 1."""
    result = run("02:00:00:00:00:01")
    assert result.exit_code == 1
    assert "no vendor: locally administered" in result.output


def test_search_lists_prefixes_and_exits_1_when_nothing_matches():
    """--search prints one block per line; no match exits 1."""
    result = run("--search", "raspberry pi")
    assert result.exit_code == 0
    assert "B8:27:EB/24         MA-L  Raspberry Pi Foundation" in result.output
    assert run("--search", "zzqx no such vendor").exit_code == 1


@pytest.mark.parametrize("args", [["zz:zz"], [], ["b8:27:eb:12:34:56", "--search", "x"]])
def test_bad_input_is_one_line_exit_2(args):
    """A malformed MAC, no argument, or MACs with --search: one line, exit 2."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("lanlab: ")


@pytest.mark.parametrize("notation", ["00:00:0C", "00-00-0c", "00000c"])
def test_an_oui_alone_names_its_ma_l_owner(notation):
    """Three bytes in any notation are an OUI: its MA-L owner and its bits, exit 0."""
    result = run(notation)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "00:00:0c           Cisco Systems, Inc  (MA-L 00:00:0C/24)"
    assert "unicast, globally administered" in result.output


def test_an_oui_carved_into_blocks_says_a_whole_mac_is_needed():
    """70:B3:D5 is the IEEE's own, carved into MA-S blocks: --json counts them, the text says to give a MAC."""
    result = run("70:b3:d5")
    assert result.exit_code == 0
    assert "smaller blocks (MA-M, MA-S) inside: give a whole MAC address for their owners" in result.output
    (row,) = json.loads(run("70b3d5", "--json").output)
    assert (row["oui"], row["vendor"], row["registry"], row["prefix"]) == (
        "70:b3:d5",
        "IEEE Registration Authority",
        "MA-L",
        "70:B3:D5/24",
    )
    assert row["blocks"] > 4000


def test_a_locally_administered_oui_has_no_vendor_and_exits_1():
    """An OUI with the U/L bit set is nobody's: no vendor, exit 1; a group OUI is its owner's (01:00:5E: IANA)."""
    local = run("02:00:00", "--json")
    assert local.exit_code == 1
    assert json.loads(local.output)[0]["vendor"] is None
    assert json.loads(run("01-00-5E", "--json").output)[0]["vendor"] == "ICANN, IANA Department"


@pytest.mark.parametrize(("text", "hint"), [("cisco", "--search cisco"), ("raspberry pi", "--search 'raspberry pi'")])
def test_a_vendor_name_given_as_an_address_points_to_search(text, hint):
    """A name where a MAC belongs is one line saying to use --search with it, exit 2."""
    result = run(text)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.rstrip().endswith(hint)


def test_macos_arp_notation_without_leading_zeros_names_the_vendor():
    """macOS's `arp -a` drops leading zeros (0:1b:63:84:45:e6): pasted as is, it still names the vendor."""
    result = run("0:1b:63:84:45:e6")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "00:1b:63:84:45:e6  Apple, Inc.  (MA-L 00:1B:63/24)"


def test_broadcast_is_said_to_be_broadcast_only_not_locally_administered():
    """ff:ff:ff:ff:ff:ff is broadcast only: its U/L bit is no assignment, so neither line calls it locally administered."""
    result = run("ff:ff:ff:ff:ff:ff")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "ff:ff:ff:ff:ff:ff  no vendor: the broadcast address, not an IEEE assignment",
        f"{'':19}broadcast",
    ]


def test_a_group_address_keeps_its_universal_or_local_bit():
    """The U/L bit holds for multicast: 01:00:5e (IANA) is universal, 33:33 (IPv6, RFC 7042 2.3.1) is local."""
    result = run("01:00:5e:00:00:01", "33:33:00:00:00:01")
    lines = result.output.splitlines()
    assert lines[1].strip() == "multicast (group), globally administered (universal)"
    assert lines[3].strip() == "multicast (group), locally administered"
