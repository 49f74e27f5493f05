"""A node's dns: field read into plain data (lanlab.topology.dns), as a kernel back end reads it too."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.topology import read_document
from lanlab.topology.dns import dns_resolver, dns_server
from tests.helpers.languages import CHINESE, check_problems


def node_spec(tmp_path, text: str):
    path = tmp_path / "t.yaml"
    path.write_text(f"nodes:\n  ns: {text}\n")
    document = read_document(path)
    return document.nodes[0].spec, document


def test_a_scalar_is_the_resolver(tmp_path):
    """dns: ADDRESS is one nameserver; a list keeps its order; neither is a server."""
    spec, _ = node_spec(tmp_path, "{kind: host, dns: [198.18.0.53, 198.18.1.53]}")
    assert dns_resolver(spec) == (IPv4Address("198.18.0.53"), IPv4Address("198.18.1.53"))
    assert dns_server(spec) is None


def test_a_mapping_is_a_zone_with_absolute_lower_case_names(tmp_path):
    """records: relative names join the zone, an address is A, a name is a CNAME; ttl defaults to 300."""
    spec, document = node_spec(
        tmp_path,
        "{kind: host, dns: {zone: Lab, auto: yes, records: "
        "{WWW: pc3, files: [198.18.0.9, 198.18.0.10], '@': 198.18.0.53}}}",
    )
    assert dns_resolver(spec) == ()
    assert dns_server(spec) == {
        "zone": "lab.",
        "auto": True,
        "ttl": 300,
        "addresses": {
            "files.lab.": [IPv4Address("198.18.0.9"), IPv4Address("198.18.0.10")],
            "lab.": [IPv4Address("198.18.0.53")],
        },
        "aliases": {"www.lab.": "pc3.lab."},
    }
    assert not document.ctx.problems


def test_a_cname_at_the_zones_own_name_is_refused(tmp_path):
    """'@': www would make the zone's name a CNAME beside its SOA and NS (RFC 1034 3.6.2): refused at its line, and
    the same name given an address is fine (the server answered SOA queries with the CNAME)."""
    spec, document = node_spec(tmp_path, "{kind: host, dns: {zone: lab, records: {'@': www, www: 198.18.0.80}}}")
    dns_server(spec)
    assert [line for line, _ in document.ctx.problems] == [2]
    assert (
        "lab. is the zone's own name" in document.ctx.problems[0][1] and "RFC 1034 3.6.2" in document.ctx.problems[0][1]
    )


def test_more_than_three_servers_is_an_error(tmp_path):
    """glibc reads three nameserver lines (MAXNS): a fourth is refused with the line."""
    spec, document = node_spec(tmp_path, "{kind: host, dns: [198.18.0.1, 198.18.0.2, 198.18.0.3, 198.18.0.4]}")
    dns_resolver(spec)
    assert [line for line, _ in document.ctx.problems] == [2]
    assert "at most 3 servers" in document.ctx.problems[0][1]


BAD_ZONE = """nodes:
  ns:
    kind: host
    ip: 198.18.0.53/24
    dns:
      zone: lab.
      ttl: -1
      records: {www: nope, "a..b": 198.18.0.9, x: [198.18.0.1, foo], out.example.: 198.18.0.2, far: 198.19.9.9}
  pc1: {kind: host, ip: 198.18.0.1/24, dns: [198.18.0.53, 198.18.0.54, 198.18.0.55, 198.18.0.56]}
"""


def test_dns_problems_are_shown_in_chinese_at_the_same_lines_and_stay_english_text(tmp_path):
    """`sim check` under --lang zh gives each dns: problem in Chinese at the same FILE:LINE as
    English, and the English lines are the ones lanlab has always printed."""
    path = tmp_path / "t.yaml"
    path.write_text(BAD_ZONE)
    shown = check_problems(path)
    assert [text for _, text in shown["en"]] == [
        "node ns dns: ttl must be from 0 to 2147483647 seconds (RFC 2181 8), not -1",
        "node ns dns: records: 'a..b' is not a name (each label between dots is 1 to 63 characters)",
        "node ns dns: records: x.lab.: 'foo' is not an IPv4 address (a name alone is a CNAME)",
        "node ns dns: records: out.example. is outside the zone lab.: this server answers only for lab.",
        "node ns dns: records: www.lab. is an alias of nope.lab., which the zone does not hold "
        "(add it to records, or auto: true to serve the nodes' names)",
        "node ns dns: records: far.lab. 198.19.9.9 is on no subnet of this file: no node could reach it",
        "node pc1: dns: at most 3 servers (glibc uses the first 3 nameserver lines)",
    ]
    for _, text in shown["zh"]:
        assert CHINESE.search(text.replace("节点", "")), text  # more than the owner's word
    assert (
        shown["zh"][1][1] == "节点 ns 的 dns：records：'a..b' 不是一个名字（点与点之间的每个标签须为 1 到 63 个字符）"
    )
