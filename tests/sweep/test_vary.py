"""--vary paths on a topology's YAML tree, and --seeds."""

import pytest
import yaml

from lanlab.sweep.vary import (
    MAX_RUNS,
    SweepError,
    Vary,
    apply,
    check_runs,
    combinations,
    parse_seeds,
    parse_vary,
    seeds_given,
)

RING = """
nodes:
  pc1: {kind: host, ip: 198.18.1.10/24}
  r1: {kind: router, rip: {enabled: true}}
  r2: {kind: router, rip: {enabled: true, split_horizon: none}}
links:
  - [pc1:eth0, r1:eth0]
  - {endpoints: [r1:eth1, r2:eth0], delay: 1ms}
"""


def data_of(root):
    """The plain data a YAML tree stands for."""
    return yaml.safe_load(yaml.serialize(root))


def test_a_star_sets_every_link_and_turns_a_pair_into_a_mapping():
    """links.*.loss reaches both link forms; [a, b] becomes {endpoints: [a, b], loss: ...}."""
    root = yaml.compose(RING)
    assert apply(root, "links.*.loss", 0.05) == 2
    data = data_of(root)
    assert data["links"][0] == {"endpoints": ["pc1:eth0", "r1:eth0"], "loss": 0.05}
    assert data["links"][1]["loss"] == 0.05 and data["links"][1]["delay"] == "1ms"


def test_a_star_over_nodes_skips_nodes_without_the_inner_mapping():
    """nodes.*.rip.split_horizon sets the routers' RIP and gives the host no rip: at all."""
    root = yaml.compose(RING)
    assert apply(root, "nodes.*.rip.split_horizon", "poisoned_reverse") == 2
    data = data_of(root)
    assert "rip" not in data["nodes"]["pc1"]
    assert [data["nodes"][r]["rip"]["split_horizon"] for r in ("r1", "r2")] == ["poisoned_reverse"] * 2


def test_a_named_path_makes_missing_mappings():
    """nodes.r1.stp.mode on a node without stp: creates the mapping."""
    root = yaml.compose(RING)
    assert apply(root, "nodes.r1.stp.mode", "rstp") == 1
    data = data_of(root)
    assert data["nodes"]["r1"]["stp"] == {"mode": "rstp"}


def test_an_index_past_the_list_is_an_error():
    """links.5.loss on two links says which indexes exist."""
    with pytest.raises(SweepError, match="0 to 1"):
        apply(yaml.compose(RING), "links.5.loss", 0.1)


def test_a_varied_value_keeps_the_line_it_replaces_and_a_new_one_takes_its_mappings():
    """links.1.delay keeps the line the delay was written on; nodes.pc1.mtu, new, gets pc1's mapping's line."""
    root = yaml.compose(RING)
    assert apply(root, "links.1.delay", "2ms") == 1 and apply(root, "nodes.pc1.mtu", 1400) == 1
    nodes, links = (value for _key, value in root.value)
    delay = next(value for key, value in links.value[1].value if key.value == "delay")
    pc1 = next(value for key, value in nodes.value if key.value == "pc1")
    mtu = next(value for key, value in pc1.value if key.value == "mtu")
    assert (delay.value, delay.start_mark.line + 1) == ("2ms", 8)
    assert (mtu.value, mtu.start_mark.line + 1) == ("1400", 3)


def test_an_empty_key_is_filled_and_a_plain_value_is_not_gone_into():
    """`stp:` written empty takes nodes.r1.stp.mode like a missing key; `rip: true` cannot take rip.x."""
    root = yaml.compose("nodes:\n  r1: {kind: router, stp:, rip: true}\n")
    assert apply(root, "nodes.r1.stp.mode", "rstp") == 1
    assert data_of(root)["nodes"]["r1"]["stp"] == {"mode": "rstp"}
    with pytest.raises(SweepError, match="cannot go into 'true' with 'x'"):
        apply(root, "nodes.r1.rip.x", 1)


def test_values_are_read_as_yaml():
    """0.01 is a number, none a word, true a boolean."""
    assert parse_vary("links.*.loss=0, 0.01").values == (0, 0.01)
    assert parse_vary("nodes.*.rip.split_horizon=none,poisoned_reverse").values == ("none", "poisoned_reverse")
    assert parse_vary("nodes.sw1.stp.enabled=true,false").values == (True, False)


@pytest.mark.parametrize(
    "text",
    [
        "links.*.loss",
        "=1,2",
        "loss=1",
        "nodes..x=1",
        "links.*.loss=[[[[",
        "links.*.loss=" + "[" * 5000,
        "nodes.pc1.mtu=&a [*a]",
    ],
)
def test_a_malformed_vary_is_a_sweep_error(text):
    """A --vary without a value, a path or a top-level key it can reach is refused, and so is a value that
    is no YAML (an unclosed [ was a ParserError traceback, thousands of them a RecursionError, and a list
    holding itself, &a [*a], a "Circular reference detected" traceback)."""
    with pytest.raises(SweepError):
        parse_vary(text)


def test_the_runs_are_the_product_of_the_varies():
    """Two --vary of 2 and 3 values give 6 combinations, each value of each once per other."""
    runs = list(combinations([parse_vary("nodes.a.x=1,2"), parse_vary("links.y=p,q,r")]))
    assert len(runs) == 6
    assert {(r["nodes.a.x"], r["links.y"]) for r in runs} == {(a, b) for a in (1, 2) for b in "pqr"}


def test_seeds_ranges_and_lists():
    """1-3,7,2 gives 1 2 3 7 (a repeated seed runs once); a backwards range is refused."""
    assert parse_seeds("1-3,7,2") == [1, 2, 3, 7]
    with pytest.raises(SweepError, match="backwards"):
        parse_seeds("9-1")
    with pytest.raises(SweepError):
        parse_seeds("one")


def test_negative_seeds_and_dotted_ranges_are_read():
    """Seeds are any integers, as sim run --seed takes them: -5, -3-2, -3..2, 1..3 (-5 and -3..2 were refused)."""
    assert parse_seeds("-5") == [-5]
    assert parse_seeds("-3-2") == parse_seeds("-3..2") == [-3, -2, -1, 0, 1, 2]
    assert parse_seeds("1..3, 7") == [1, 2, 3, 7]
    assert parse_seeds("-5--4") == [-5, -4]


def test_a_backwards_range_suggests_a_range_that_is_read():
    """3--1 and 5..1 run backwards; the range suggested in their place is one --seeds then reads."""
    for text, suggested in (("3--1", "-1-3"), ("5..1", "1-5")):
        with pytest.raises(SweepError, match=f"runs backwards; write {suggested}$"):
            parse_seeds(text)
        assert parse_seeds(suggested)


def test_a_repeated_seed_is_counted_as_given():
    """1,1,1 names 3 seeds (one runs); 1-10,5 names 11; what is not a seed is refused there too."""
    assert seeds_given("1,1,1") == 3 and parse_seeds("1,1,1") == [1]
    assert seeds_given("1-10,5") == 11
    for text in ("1..", "..3", "1-2-3", "1.5", "--1", ""):
        with pytest.raises(SweepError, match="give numbers and ranges"):
            seeds_given(text)


def test_a_million_seeds_are_read_at_once_and_more_are_refused():
    """1-1000000 is a million seeds in order (each was looked up in the list so far: hours); past
    MAX_RUNS the range is refused before any list is made, saying how many and what to do."""
    seeds = parse_seeds(f"1-{MAX_RUNS}")
    assert len(seeds) == MAX_RUNS and seeds[0] == 1 and seeds[-1] == MAX_RUNS
    with pytest.raises(SweepError, match=r"100,000,000 runs, more than the 1,000,000 a sweep may have; split it"):
        parse_seeds("1-100000000")


def test_seeds_times_the_vary_combinations_are_bounded():
    """1,000 seeds over 2 x 600 --vary values is 1.2 million runs: refused, naming both counts."""
    varies = [Vary("a", (1, 2)), Vary("b", tuple(range(600)))]
    with pytest.raises(SweepError, match=r"1,000 seeds times 1,200 combinations of --vary: 1,200,000 runs"):
        check_runs(1000, varies)
    check_runs(MAX_RUNS // 1200, varies)  # within the bound: nothing said


def test_a_field_of_a_node_the_topology_lacks_is_said_plainly():
    """nodes.pc9.ip on a file without pc9 names the missing node and the ones there are (it made a pc9
    without a kind, and the error pointed at another node's line)."""
    with pytest.raises(
        SweepError, match=r"^--vary nodes.pc9.ip: the topology has no node 'pc9' \(its nodes: pc1, r1, r2\)$"
    ):
        apply(yaml.compose(RING), "nodes.pc9.ip", "198.18.0.9/24")
    assert apply(yaml.compose(RING), "nodes.*.mtu", 1400) == 3  # a star, and fields of nodes there, still go


def test_a_value_may_be_a_yaml_mapping_or_list_with_commas_inside():
    """The commas inside a {...} or [...] value (or quotes) do not split it: two values, a mapping and a list."""
    vary = parse_vary("nodes.sw1.stp={mode: rstp, priority: 4096},[],'a,b'")
    assert vary.values == ({"mode": "rstp", "priority": 4096}, [], "a,b")


def test_a_vary_value_nested_past_the_depth_is_refused_before_pyyamls_recursive_loader(monkeypatch):
    """[[[[... 5,000 deep was loaded (and its RecursionError caught); now it is refused unread."""
    from hostile_yaml import forbid_recursive_composer

    forbid_recursive_composer(monkeypatch)
    with pytest.raises(SweepError, match="is not a value"):
        parse_vary("links.*.loss=" + "[" * 5000 + "]" * 5000)
