"""The format-1 document: its keys, frames shared by events, and tables at any event equal to
what `sim run --show` prints for the same run stopped at that time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from lanlab.cli.demo_routing import route_table
from lanlab.cli.main import cli
from lanlab.cli.sim import arp_table, mac_table
from lanlab.units import format_duration
from lanlab.view import last_event_at, read_document, shown_rows, tables_at

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUB = str(EXAMPLES / "hub_vs_switch.yaml")
PINGS = ("--do", "pc1 ping pc3 -c 2 -i 0.2", "--do", "at 1s pc1 ping pc2 -c 2 -i 0.2")
ROUTED = str(EXAMPLES / "count-to-infinity.yaml")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def page_document(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "run.html"
    result = invoke("sim", "run", *args, "--html", str(out))
    assert result.exit_code in (0, 1), result.output
    return read_document(out)


def rendered(tables: dict, t: int, words: tuple[str, ...]) -> str:
    """The --show text of reconstructed tables, through the CLI's own table functions."""
    console = Console(highlight=False, record=True, width=100, file=open("/dev/null", "w"))  # noqa: SIM115
    for word in words:
        key = {"mac": "mac", "arp": "arp", "route": "route"}[word]
        for name, held in tables.items():
            if key not in held:
                continue
            rows = shown_rows(key, held[key], t)
            if word == "mac":
                console.print(mac_table(name, rows))
            elif word == "arp":
                console.print(arp_table(name, rows))
            else:
                console.print(route_table(name, rows, f"at {format_duration(t)}"))
    return console.export_text()


def shown_by_cli(file: str, t: int, words: tuple[str, ...], *args: str) -> str:
    """The tables part of `sim run --until T --show WORDS`: from the first table's title to the summary."""
    result = invoke("sim", "run", file, "--until", f"{t}ns", "--show", ",".join(words), *args)
    lines = result.output.splitlines()
    first = next(
        i
        for i, line in enumerate(lines)
        if line.rstrip().endswith(("MAC table", "ARP table")) or " routing table at " in line
    )
    last = max(i for i, line in enumerate(lines) if line.startswith("ran "))
    return "\n".join(lines[first:last]).strip()


def test_document_has_the_format_1_keys(tmp_path: Path):
    """The page's data: format 1, topology with kinds, addresses and port names, events by column."""
    doc = page_document(tmp_path, HUB, *PINGS, "--until", "2s")
    assert doc["format"] == 1
    kinds = {node["name"]: node["kind"] for node in doc["nodes"]}
    assert kinds == {"pc1": "host", "pc2": "host", "pc3": "host", "pc4": "host", "sw1": "switch", "hub1": "hub"}
    pc1 = next(node for node in doc["nodes"] if node["name"] == "pc1")
    assert pc1["addresses"] == ["198.18.0.1"] and pc1["ports"][0]["name"] == "eth0"
    assert {(link["a"], link["b"]) for link in doc["links"]} >= {("pc1:eth0", "sw1:p1"), ("sw1:p3", "hub1:p1")}
    events = doc["events"]
    assert set(events) == {"t", "node", "port", "kind", "proto", "note", "frame"}
    assert len({len(column) for column in events.values()}) == 1 and len(events["t"]) > 50
    assert events["t"] == sorted(events["t"])


def test_docs_name_every_top_level_key(tmp_path: Path):
    """docs/viewer-format.md's Top level table names every key of a run's document."""
    docs = (EXAMPLES.parent / "docs" / "viewer-format.md").read_text(encoding="utf-8")
    table = docs.split("\n## Top level", 1)[1].split("\n## ", 1)[0]
    doc = page_document(tmp_path, HUB, *PINGS, "--until", "1s")
    assert sorted(key for key in doc if f"| `{key}` |" not in table) == []


def test_frames_are_shared_and_decoded_like_decode_verbose(tmp_path: Path):
    """A frame a switch floods is stored once; its layers carry decode --verbose's names and values
    with the bytes each field occupies."""
    doc = page_document(tmp_path, HUB, *PINGS, "--until", "2s")
    frame_of = doc["events"]["frame"]
    assert len(doc["frames"]) < len([f for f in frame_of if f >= 0]) / 3
    first_arp = next(i for i, f in enumerate(frame_of) if f >= 0 and doc["frames"][f]["protocol"] == "ARP")
    frame = doc["frames"][frame_of[first_arp]]
    assert doc["events"]["kind"][first_arp] == "tx" and doc["nodes"][doc["events"]["node"][first_arp]]["name"] == "pc1"
    eth, arp = frame["layers"][0], frame["layers"][1]
    assert eth["layer"] == "Ethernet" and ["dst", "ff:ff:ff:ff:ff:ff", 0, 6] in eth["fields"]
    assert ["ethertype", "0x0806 (ARP)", 12, 14] in eth["fields"]
    import base64

    raw = base64.b64decode(frame["bytes"])
    target = next(field for field in arp["fields"] if field[0] == "target_ip")
    assert raw[target[2] : target[3]] == bytes([198, 18, 0, 3])
    icmp = next(f for f in doc["frames"] if f["protocol"] == "ICMP")
    ttl = next(
        field for layer in icmp["layers"] if layer["layer"] == "IPv4" for field in layer["fields"] if field[0] == "ttl"
    )
    assert ttl[1] == "64" and base64.b64decode(icmp["bytes"])[ttl[2]] == 64


@pytest.mark.parametrize("kind_of_moment", ["learn", "deliver", "drop", "tx"])
def test_tables_at_an_event_equal_show_for_the_run_stopped_then(tmp_path: Path, kind_of_moment: str):
    """The MAC and ARP tables rebuilt at the last event of an instant are what --show prints
    for the same run stopped at that instant."""
    doc = page_document(tmp_path, HUB, *PINGS, "--until", "2s")
    times = doc["events"]["t"]
    moments = sorted({times[i] for i, kind in enumerate(doc["events"]["kind"]) if kind == kind_of_moment})
    assert moments
    for t in (moments[0], moments[len(moments) // 2], moments[-1]):
        index = last_event_at(doc, t)
        expected = shown_by_cli(HUB, t, ("mac", "arp"), *PINGS)
        assert rendered(tables_at(doc, index), t, ("mac", "arp")).strip() == expected


def test_tables_at_an_event_equal_show_in_a_run_with_programs(tmp_path: Path):
    """With an --app program (the run goes through the shim's loop) the routes at the last event
    of an instant are --show's for the run stopped then: a RIP update's refresh, made after the
    router recorded the update, is not one event late."""
    program = tmp_path / "send.py"
    program.write_text(
        "import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "for n in range(3):\n    s.sendto(b'hi', ('198.18.3.10', 9))\n    time.sleep(10)\n"
    )
    app = ("--app", f"pc1={program}")
    doc = page_document(tmp_path, ROUTED, *app, "--until", "40s")
    times, kinds = doc["events"]["t"], doc["events"]["kind"]
    updates = sorted(
        {times[i] for i, kind in enumerate(kinds) if kind == "deliver" and doc["events"]["proto"][i].startswith("RIP")}
    )
    assert len(updates) >= 4
    for t in updates[-4:]:
        expected = shown_by_cli(ROUTED, t, ("route",), *app)
        assert rendered(tables_at(doc, last_event_at(doc, t)), t, ("route",)).strip() == expected, t


def test_route_tables_at_an_event_equal_show(tmp_path: Path):
    """Routers' tables (source, metric, age) rebuilt at an event equal --show route then."""
    doc = page_document(tmp_path, ROUTED, "--until", "40s")
    times = doc["events"]["t"]
    route_moments = sorted({times[i] for i, kind in enumerate(doc["events"]["kind"]) if kind == "route"})
    assert len(route_moments) >= 2
    for t in (route_moments[0], route_moments[-1], times[len(times) // 2], times[-1]):
        expected = shown_by_cli(ROUTED, t, ("route",))
        assert rendered(tables_at(doc, last_event_at(doc, t)), t, ("route",)).strip() == expected


def test_stepping_back_gives_the_tables_before(tmp_path: Path):
    """The tables before the first learn event hold no entry the learn added."""
    doc = page_document(tmp_path, HUB, *PINGS, "--until", "2s")
    learn = doc["events"]["kind"].index("learn")
    before, after = tables_at(doc, learn - 1)["sw1"]["mac"], tables_at(doc, learn)["sw1"]["mac"]
    assert len(after) == len(before) + 1


def test_document_is_json_safe_for_a_script_element(tmp_path: Path):
    """No `<` survives in the embedded data: a network called </script> (a node's name holds no '/') and a
    node called <b>x cannot end the element."""
    topology = tmp_path / "evil.yaml"
    topology.write_text(
        'name: "</script><b>x"\nnodes:\n  "<b>x":\n    kind: host\n    ip: 198.18.0.1/24\n'
        '  sw1: {kind: switch}\nlinks:\n  - ["<b>x:eth0", sw1:p1]\n'
    )
    out = tmp_path / "evil.html"
    result = invoke("sim", "run", str(topology), "--until", "1s", "--html", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    data = text[text.index('id="lanlab-data">') :]
    data = data[: data.index("</script>")]
    assert "<" not in data.split(">", 1)[1]
    assert read_document(out)["network"] == "</script><b>x"
    assert read_document(out)["nodes"][0]["name"] == "<b>x"
    json.dumps(read_document(out))


@pytest.mark.parametrize("topology", [HUB, ROUTED])
def test_every_table_row_has_the_columns_the_document_names(tmp_path: Path, topology: str):
    """tables.columns names each entry of a mac, arp or route row, initial or changed (arp: ip, mac, interface)."""
    document = page_document(tmp_path, topology, "--until", "10s", "--do", "pc1 ping pc3 -c 1")
    columns, tables = document["tables"]["columns"], document["tables"]
    rows = [
        (name, row)
        for held in tables["initial"].values()
        for name, table in held.items()
        if name != "stp"
        for row in table
    ]
    rows += [
        (name, row)
        for _, _, name, key, row in tables["changes"]
        if name != "stp" and key is not None and row is not None
    ]
    assert "arp" in {name for name, _ in rows}
    for name, row in rows:
        assert len(row) == len(columns[name]), (name, row, columns[name])
