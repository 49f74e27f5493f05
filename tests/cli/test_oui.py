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
