"""`lanlab sim run` on routed networks: tables.<router>.routes in --json, --show route, link and traceroute."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RING = str(EXAMPLES / "rip-ring.yaml")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def test_json_tables_hold_each_routers_routes_with_exactly_the_issue_keys():
    """tables.r1.routes rows have prefix, via, interface, metric, source, age; hosts have no routes key."""
    result = invoke("sim", "run", RING, "--until", "40s", "--json", "--do", "at 30s r1 route")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    routes = doc["tables"]["r1"]["routes"]
    assert routes and all(set(row) == {"prefix", "via", "interface", "metric", "source", "age"} for row in routes)
    assert {row["source"] for row in routes} == {"connected", "rip"}
    assert "routes" not in doc["tables"]["pc1"]
    assert doc["commands"][-1]["result"]["routes"][0]["prefix"] == "198.18.1.0/24"


def test_show_route_and_traceroute_print_tables_for_people():
    """--show route prints each router's table; a --do traceroute prints Linux's hop lines."""
    result = invoke("sim", "run", RING, "--until", "40s", "--show", "route", "--do", "at 30s pc1 traceroute pc3")
    assert result.exit_code == 0, result.output
    assert "r1 routing table at 40s" in result.output and "r4 routing table" in result.output
    assert "traceroute to pc3 (198.18.3.10), 30 hops max, 60 byte packets" in result.output
    assert " 4  pc3 (198.18.3.10)" in result.output


def test_link_down_in_do_words_and_its_mistakes():
    """`at T link A B down` runs from --do (the file's own later event does not make the exit 1);
    endpoints that are not one link are a one-line error, exit 2."""
    result = invoke("sim", "run", RING, "--until", "70s", "--json", "--do", "at 60s link r1:eth2 r4:eth0 down")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["commands"][-1]["result"] == {"link": "r4:eth0-r1:eth2", "state": "down"}
    bad = invoke("sim", "run", RING, "--do", "at 60s link r1:eth2 r2:eth0 down")
    assert bad.exit_code == 2 and "not r2:eth0" in bad.output and "Traceback" not in bad.output


def test_trace_lists_route_events_with_their_kind():
    """--trace jsonl --filter route... the route events carry kind "route" and a summary."""
    result = invoke(
        "sim", "run", RING, "--until", "65s", "--trace", "jsonl", "--do", "at 60s link r1:eth2 r4:eth0 down"
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    route = [e for e in events if e["kind"] == "route"]
    assert any("198.18.3.0/24 unreachable" in e["summary"] for e in route)
    assert any(e["kind"] == "link" for e in events)
    assert any(e["proto"] == "RIPv2" for e in events)


def test_filter_route_keeps_only_route_and_link_events():
    """--filter route,link selects the frameless route and link events by their kind."""
    result = invoke(
        "sim",
        "run",
        str(EXAMPLES / "count-to-infinity.yaml"),
        "--until",
        "130s",
        "--trace",
        "jsonl",
        "--filter",
        "route,link",
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert {e["kind"] for e in events} == {"route", "link"}
    metrics = [e["summary"] for e in events if "198.18.3.0/24" in e["summary"] and e["device"] == "r1"]
    assert metrics[-1].startswith("rip: 198.18.3.0/24 unreachable, metric 16")


def test_do_route_prints_its_table_in_chinese_with_the_json_unchanged():
    """`--lang zh ... --do "r1 route"` heads the table in Chinese, names the sources 直连/RIP and
    keeps the columns aligned by terminal width; --json stays the same under both languages."""
    import pytest

    from lanlab.i18n import cell_width

    if not (Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo").exists():
        pytest.skip("the zh_CN catalogue is not compiled (run `make`)")
    words = ("sim", "run", RING, "--until", "40s", "--do", "at 39s r1 route")
    chinese = invoke("--lang", "zh", *words)
    assert chinese.exit_code == 0, chinese.output
    table = chinese.output.split("r1$ route\n", 1)[1].splitlines()[:7]
    heading, rows = table[0], table[1:]
    assert heading.split() == ["前缀", "下一跳", "接口", "度量", "来源", "存活时间"]
    assert {row.split()[4] for row in rows} == {"直连", "RIP"}
    assert {cell_width(line) for line in table} == {cell_width(heading)}  # same right edge
    english = invoke("--lang", "en", *words)
    assert "  prefix             via             interface metric  source         age" in english.output
    shown = invoke("--lang", "zh", *words, "--show", "route").output
    assert "r1 路由表（40s 时）" in shown and "at 40s" not in shown
    assert invoke("--lang", "zh", *words, "--json").output == invoke("--lang", "en", *words, "--json").output
