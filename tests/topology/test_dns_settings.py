"""A node's dns: field read into plain data (lanlab.topology.dns), as a kernel back end reads it too."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.topology import read_document
from lanlab.topology.dns import dns_resolver, dns_server


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


def test_more_than_three_servers_is_an_error(tmp_path):
    """glibc reads three nameserver lines (MAXNS): a fourth is refused with the line."""
    spec, document = node_spec(tmp_path, "{kind: host, dns: [198.18.0.1, 198.18.0.2, 198.18.0.3, 198.18.0.4]}")
    dns_resolver(spec)
    assert [line for line, _ in document.ctx.problems] == [2]
    assert "at most 3 servers" in document.ctx.problems[0][1]
