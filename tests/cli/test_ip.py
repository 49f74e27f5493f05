"""`lanlab ip`: the table, --json keys, --split, and one-line errors with exit 2."""

import json

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, ["ip", *args])


def test_table_shows_the_and_in_binary_and_the_counts():
    """The table shows IP AND mask in binary, the network number, broadcast, hosts and kind."""
    result = run("192.168.2.7/24")
    assert result.exit_code == 0
    assert "AND 255.255.255.0  11111111.11111111.11111111.00000000" in result.output
    assert "= 192.168.2.0    11000000.10101000.00000010.00000000" in result.output
    for line in (
        "broadcast  192.168.2.255",
        "first host 192.168.2.1",
        "last host  192.168.2.254",
        "hosts      254",
        "class      C",
        "kind       private",
    ):
        assert line in result.output


def test_mask_argument_and_prefix_give_the_same_output():
    """`lanlab ip A 255.255.255.0` prints exactly what `lanlab ip A/24` prints."""
    assert run("192.168.2.7", "255.255.255.0").output == run("192.168.2.7/24").output


def test_json_has_the_contract_keys():
    """--json carries class, netmask, network, broadcast, first_host, last_host, hosts."""
    document = json.loads(run("172.16.5.4/20", "--json").output)
    assert {
        key: document[key] for key in ("class", "netmask", "network", "broadcast", "first_host", "last_host", "hosts")
    } == {
        "class": "B",
        "netmask": "255.255.240.0",
        "network": "172.16.0.0",
        "broadcast": "172.16.15.255",
        "first_host": "172.16.0.1",
        "last_host": "172.16.15.254",
        "hosts": 4094,
    }


def test_bare_address_says_it_used_the_class_default():
    """A bare address is shown with its class default mask and a note saying so."""
    result = run("10.1.2.3")
    assert "255.0.0.0 = /8  (no mask given: class A default)" in result.output
    assert json.loads(run("10.1.2.3", "--json").output)["mask_from_class"] is True


def test_split_lists_the_subnets_in_text_and_json():
    """--split /26 lists four subnets; in JSON under "subnets"."""
    result = run("192.168.2.0/24", "--split", "/26")
    assert "4 subnets of 192.168.2.0/24" in result.output
    assert "192.168.2.192/26   192.168.2.193   192.168.2.254   192.168.2.255   62" in result.output
    subnets = json.loads(run("192.168.2.0/24", "--split", "26", "--json").output)["subnets"]
    assert [s["network"] for s in subnets] == [
        "192.168.2.0/26",
        "192.168.2.64/26",
        "192.168.2.128/26",
        "192.168.2.192/26",
    ]


def test_a_31_and_a_32_say_they_have_no_broadcast():
    """A /31 (RFC 3021) or /32 shows no broadcast address, says why, and gives null in JSON."""
    assert "broadcast  none: a /31 is a point-to-point link whose two addresses are both hosts (RFC 3021)" in (
        run("198.18.0.0/31").output
    )
    assert "broadcast  none: a /32 is one host" in run("198.18.0.9/32").output
    assert json.loads(run("198.18.0.0/31", "--json").output)["broadcast"] is None


def test_split_into_31s_lists_no_broadcast():
    """--split /31 shows '-' for each subnet's broadcast, and null in JSON."""
    result = run("198.18.0.0/30", "--split", "/31")
    assert "198.18.0.2/31      198.18.0.2      198.18.0.3      -               2" in result.output
    subnets = json.loads(run("198.18.0.0/30", "--split", "/31", "--json").output)["subnets"]
    assert [s["broadcast"] for s in subnets] == [None, None]


def test_a_multicast_group_has_no_broadcast_or_hosts():
    """A class D address says groups are not hosts (RFC 1112): no broadcast, no host range, 0 hosts, nulls in JSON."""
    text = run("224.0.0.1").output
    assert "broadcast  none: class D addresses name multicast groups, not hosts (RFC 1112)" in text
    assert "first host -" in text and "hosts      0" in text
    report = json.loads(run("224.0.0.1", "--json").output)
    assert (report["broadcast"], report["first_host"], report["last_host"], report["hosts"]) == (None, None, None, 0)


def test_a_class_e_address_is_reserved_and_its_split_has_no_hosts():
    """A class E address says it is reserved; splitting a class D block lists no hosts in any subnet."""
    assert "broadcast  none: class E addresses are reserved, not hosts" in run("240.1.2.3").output
    subnets = json.loads(run("239.0.0.0/8", "--split", "/10", "--json").output)["subnets"]
    assert [(s["first_host"], s["broadcast"], s["hosts"]) for s in subnets] == [(None, None, 0)] * 4
    assert (
        "239.64.0.0/10      -               -               -               0"
        in run("239.0.0.0/8", "--split", "/10").output
    )


@pytest.mark.parametrize(
    "args",
    [
        ["300.1.1.1"],
        ["1.2.3.4/33"],
        ["1.2.3.4", "255.0.255.0"],
        ["1.2.3.4/24", "255.0.0.0"],
        ["10.0.0.0/8", "--split", "/4"],
    ],
)
def test_bad_input_is_one_line_exit_2(args):
    """Bad addresses, prefixes, masks and splits exit 2 with one line and no traceback."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("lanlab: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("address", ["::1", "2001:db8::1/64", "fe80::1%eth0"])
def test_ipv6_address_is_said_to_be_ipv4_only(address):
    """An IPv6 address is named as one, in one line: lanlab ip handles IPv4 only (not "needs 4 numbers")."""
    result = run(address)
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "is an IPv6 address: lanlab ip handles IPv4 only" in result.output


@pytest.mark.parametrize("prefix", ["-1", "+24", "", "24/24", "٢٤"])
def test_a_prefix_that_is_no_number_is_named_as_the_prefix(prefix):
    """ADDR/-1, /+24, /, /24/24 and Arabic-Indic digits: one line saying the prefix length is wrong (it said the
    prefix was not an IPv4 address; /٢٤ was taken as /24), exit 2."""
    result = CliRunner().invoke(cli, ["ip", f"198.18.0.1/{prefix}"])
    assert result.exit_code == 2
    assert (
        result.output == f"lanlab: /{prefix} is not a prefix length: give /0 to /32, or a netmask like 255.255.255.0\n"
    )


def test_a_digit_python_reads_but_ipv4_does_not_is_named():
    """A fullwidth digit in an address is 'not a number from 0 to 255', not 'leading zeros are ambiguous'."""
    result = CliRunner().invoke(cli, ["ip", "１.2.3.4"])
    assert result.exit_code == 2
    assert result.output == "lanlab: '１.2.3.4' is not an IPv4 address: '１' is not a number from 0 to 255\n"


def test_a_space_after_the_slash_says_the_mask_after_it_is_empty():
    """ADDR/ MASK: the slash has no mask after it (not 'already has a mask'); one line, exit 2, the way to write it."""
    result = run("1.2.3.4/", "24")
    assert result.exit_code == 2
    assert result.output == (
        "lanlab: the mask after the slash in '1.2.3.4/' is empty; write it right after the slash, e.g. 1.2.3.4/24\n"
    )


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_an_empty_split_is_refused_not_ignored(as_json):
    """--split '' (an unset shell variable) is one error line, exit 2, as --split / is: it was ignored, the
    network shown without its subnets and exit 0."""
    result = CliRunner().invoke(cli, ["ip", "10.0.0.0/24", "--split", "", *as_json])
    assert result.exit_code == 2
    assert result.output.startswith("lanlab: ") and "prefix length" in result.output
    assert result.output.count("\n") == 1
