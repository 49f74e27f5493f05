"""The topology reader's YAML tree: libyaml's composer where PyYAML has it, the same tree as PyYAML's."""

import os
from pathlib import Path

import pytest
import yaml

from lanlab.sim import TopologyError, load_topology  # the node kinds claim the addresses
from lanlab.topology import reader
from hostile_yaml import alias_chain, forbid_recursive_composer, yaml_bomb

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def shape(node: yaml.Node) -> object:
    """A node as comparable values: tag, value and the line and column it starts at."""
    mark = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.style or None, mark)  # libyaml says "" for plain, PyYAML None
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [shape(item) for item in node.value], mark)
    return (node.tag, [(shape(key), shape(value)) for key, value in node.value], mark)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML here was built without libyaml")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_libyaml_composes_every_example_as_pyyaml_does(path):
    """Each example's tree, lines and columns included, is the same from either composer."""
    text = path.read_text()
    assert reader.COMPOSER is yaml.CSafeLoader
    assert shape(yaml.compose(text, Loader=yaml.CSafeLoader)) == shape(yaml.compose(text, Loader=yaml.SafeLoader))


def test_depth_and_values_are_counted_without_recursion():
    """A mapping in a list in a mapping is 3 deep; 900 levels are counted, not a RecursionError;
    an alias's values count each time it is used, its node measured once."""
    assert reader.measure(yaml.compose("a: [{b: 1}]")) == (4, 6)  # depth: mapping, list, mapping, scalar
    assert reader.measure(yaml.compose("[" * 900 + "]" * 900, Loader=reader.COMPOSER))[0] == 900
    assert reader.measure(yaml.compose("a: &x [1, 2]\nb: *x\n")) == (3, 9)


def test_an_alias_inside_the_value_it_names_is_refused_at_its_line(tmp_path):
    """A value that would contain itself (a: &a [*a]) is one line of error, not a hang."""
    path = tmp_path / "t.yaml"
    path.write_text("nodes:\n  pc1: &a\n    kind: host\n    more: [*a]\n")
    with pytest.raises(reader.TopologyError) as caught:
        reader.compose(path)
    assert caught.value.problems == [
        f"{path}:2: this value holds an alias of itself (its &anchor used inside it): it would contain itself"
    ]


def test_a_yaml_bomb_is_refused_before_it_is_walked(tmp_path):
    """Aliases that list the one before ten times, nine deep (a billion values), are refused at once."""
    path = tmp_path / "bomb.yaml"
    path.write_text(yaml_bomb())
    with pytest.raises(reader.TopologyError) as caught:
        reader.compose(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: its aliases expand to ") and "more than 1,000,000" in problem


def test_a_file_that_never_ends_is_read_no_further_than_the_limit(monkeypatch):
    """/dev/zero is refused after MAX_BYTES, not read for ever; a pipe is read as a file is."""
    monkeypatch.setattr(reader, "MAX_BYTES", 1024)
    with pytest.raises(reader.TopologyError) as caught:
        reader.read_text("/dev/zero")
    assert caught.value.problems == ["/dev/zero: more than 0 MiB; a topology is a few KiB of YAML text"]
    read_end, write_end = os.pipe()
    os.write(write_end, b"nodes: {}\n")
    os.close(write_end)
    assert reader.read_text(f"/dev/fd/{read_end}") == "nodes: {}\n"
    os.close(read_end)


def only_problem(tmp_path: Path, text: str) -> str:
    """The one problem loading a topology of `text` finds."""
    from lanlab.sim import TopologyError, load_topology  # the node kinds read their fields through reader.Spec

    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(TopologyError) as raised:
        load_topology(path)
    [problem] = raised.value.problems
    return problem


def in_chinese(problem: str) -> str:
    """A problem as --lang zh shows it (the language put back after)."""
    from lanlab.i18n import localize, set_language

    set_language("zh")
    try:
        return localize(problem)
    finally:
        set_language("en")


BAD_FOR_BOTH_LANGUAGES = """nodes:
  pc1: {kind: host, ip: 198.18.0.0/24, colour: red}
  pc2: {kind: host, ip: 198.18.0.300}
links:
  - [pc1:eth0, pc2]
"""


def test_problems_are_english_and_shown_in_chinese(tmp_path):
    """A topology's problems are English text (FILE:LINE: ...), and localize() shows each in Chinese
    with the file, line, names and values unchanged."""
    from lanlab.i18n import localize, set_language
    from lanlab.sim import TopologyError, load_topology  # the node kinds read their fields through reader.Spec

    mo = Path(__file__).resolve().parents[2] / "src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.mo"
    if not mo.exists():
        pytest.skip("the zh_CN catalogue is not compiled (run `make`)")
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FOR_BOTH_LANGUAGES)
    with pytest.raises(TopologyError) as raised:
        load_topology(path)
    problems = raised.value.problems
    english = [str(problem) for problem in problems]
    assert f"{path}:2: node pc1: unknown field 'colour'" in english[0]
    assert any("is the network address of 198.18.0.0/24, not a host's" in line for line in english)
    set_language("zh")
    try:
        chinese = [localize(problem) for problem in problems]
    finally:
        set_language("en")
    assert chinese[0].startswith(f"{path}:2: 节点 pc1：未知字段 'colour'")
    assert any("是 198.18.0.0/24 的网络地址，不能分配给主机" in line for line in chinese)
    assert any("链路端点 'pc2' 必须是 节点:端口" in line for line in chinese)
    assert [str(problem) for problem in problems] == english


@pytest.mark.parametrize(
    ("used", "line"),
    [("nodes:\n  pc1: {kind: host, extra: *a119}\n", 123), ("", 121)],
    ids=["used by a node", "only defined"],
)
def test_a_chain_of_aliases_too_deep_is_reported_where_the_chain_is_used(tmp_path, used, line):
    """Anchors that each list the one before nest past 100 levels only through their aliases: the
    error names the line of the alias that makes the deepest path (it named line 1)."""
    chain = ["name: deep", *alias_chain(120)]
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(chain) + "\n" + used)
    with pytest.raises(reader.TopologyError) as caught:
        reader.compose(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:{line}: nested more than 100 levels deep")


@pytest.mark.parametrize(
    ("content", "in_english", "in_chinese"),
    [
        (
            b"- a\n- b\n",
            "F:1: a topology is a mapping with nodes: and links:",
            "F:1: 拓扑文件应是含有 nodes: 和 links: 的映射",
        ),
        (
            b"# only a comment\n",
            "F:1: a topology is a mapping with nodes: and links:",
            "F:1: 拓扑文件应是含有 nodes: 和 links: 的映射",
        ),
        (
            b"\xff\xfe",
            "F: not a text file: byte 0xff at offset 0 is not UTF-8 (a topology is YAML text)",
            "F：不是文本文件：偏移 0 处的字节 0xff 不是 UTF-8（拓扑文件是 YAML 文本）",
        ),
        (
            b"a: " + b"[" * 300 + b"]" * 300 + b"\n",
            "F:1: nested more than 100 levels deep; a topology needs a few (nodes: -> a node -> its interfaces)",
            "F:1: 嵌套超过 100 层；拓扑文件只需要几层（nodes: -> 节点 -> 它的接口）",
        ),
    ],
    ids=["not a mapping", "no document", "not UTF-8", "too deep"],
)
def test_a_file_that_is_no_topology_is_said_in_the_users_language(tmp_path, content, in_english, in_chinese):
    """A file that is not a YAML mapping, not text, or nested too deep: the English problem, Chinese where shown."""
    from lanlab.i18n import localize, set_language

    path = tmp_path / "t.yaml"
    path.write_bytes(content)
    with pytest.raises(reader.TopologyError) as caught:
        reader.compose(path)
    [problem] = caught.value.problems
    assert problem == in_english.replace("F", str(path), 1)
    set_language("zh")
    assert localize(problem) == in_chinese.replace("F", str(path), 1)


@pytest.mark.parametrize(
    ("value", "in_english", "shown"),
    [
        ("198.18.0.300/24", "(300 is more than 255)", "（300 大于 255）"),
        (
            "198.18.0.1/99",
            "('99' is neither a prefix length from 0 to 32 nor a netmask)",
            "（'99' 既不是 0 到 32 的前缀长度，也不是子网掩码）",
        ),
        ("198.18.x.1/24", "('x' is not a number)", "（'x' 不是数）"),
        ("198.18.01.1/24", "(a number with a leading zero is ambiguous)", "（以 0 开头的数有歧义）"),
        ("198.18..1/24", "(a number between two dots is missing)", "（两个点之间缺少数）"),
        ("1.2.3/24", "(an address is 4 numbers separated by dots)", "（地址是用点隔开的 4 个数）"),
        ("1.2.3.4/5/6", "(only one '/' may come before the prefix length)", "（前缀长度前面只能有一个 '/'）"),
    ],
)
def test_an_address_mistake_is_said_plainly_in_both_languages(tmp_path, value, in_english, shown):
    """ipaddress's words for a mistyped address (Octet 300 (> 255) not permitted in ...) become a
    plain sentence, Chinese where shown, after what the field expected."""
    problem = only_problem(tmp_path, f"nodes:\n  pc1: {{kind: host, ip: {value}}}\n")
    assert problem.endswith(f":2: node pc1: ip: {value!r} is not an IPv4 address with a prefix length {in_english}")
    assert in_chinese(problem).endswith(shown)


def test_a_bad_mac_is_said_once_and_its_interface_in_chinese(tmp_path):
    """A MAC that is no MAC says what was expected once (not again in wire's words), and the
    interface it sits under reads 节点 pc1 的 interfaces.eth0 in Chinese."""
    from lanlab.i18n import localize, set_language
    from lanlab.sim import TopologyError, load_topology

    path = tmp_path / "t.yaml"
    path.write_text("nodes:\n  pc1: {kind: host, interfaces: {eth0: {ip: 198.18.0.1/24, mac: zz}}}\n")
    with pytest.raises(TopologyError) as raised:
        load_topology(path)
    [problem] = raised.value.problems
    assert str(problem) == f"{path}:2: node pc1 interfaces.eth0: mac: 'zz' is not a MAC address like 02:00:00:00:00:01"
    set_language("zh")
    try:
        assert (
            localize(problem)
            == f"{path}:2: 节点 pc1 的 interfaces.eth0：mac：'zz' 不是像 02:00:00:00:00:01 这样的 MAC 地址"
        )
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("text", "in_english", "shown"),
    [
        ("nodes: [\n", "a [list] or {mapping} not closed?", "[列表] 或 {映射} 没有闭合？"),
        ('nodes:\n  pc1: {kind: "host}\n', "the file ends inside a quoted value", "文件在带引号的值中间结束了"),
        ("nodes:\n\tpc1: {}\n", "a tab: YAML indents with spaces only", "制表符：YAML 只能用空格缩进"),
    ],
)
def test_a_yaml_mistake_is_said_plainly_in_both_languages(tmp_path, text, in_english, shown):
    """PyYAML's words for the common mistakes follow a plain sentence, Chinese where shown."""
    problem = only_problem(tmp_path, text)
    assert in_english in problem and "(YAML says: " in problem
    assert shown in in_chinese(problem) and "（YAML 的原话：" in in_chinese(problem)


def test_a_network_with_host_bits_and_a_number_that_is_no_integer_are_said_plainly(tmp_path):
    """routes: to: 198.18.5.1/24 (a host's address) and mtu: 1e3 read as plain sentences in both languages."""
    from lanlab.sim import TopologyError, load_topology

    path = tmp_path / "t.yaml"
    path.write_text(
        "nodes:\n"
        "  r1: {kind: router, interfaces: {eth0: 198.18.0.1/24}, routes: [{to: 198.18.5.1/24, via: 198.18.0.2}]}\n"
        "  pc1: {kind: host, ip: 198.18.0.2/24, mtu: 1e3}\n"
    )
    with pytest.raises(TopologyError) as raised:
        load_topology(path)
    route, mtu = raised.value.problems
    assert route.endswith("(198.18.5.1/24 is a host's address, not the network's)")
    assert in_chinese(route).endswith("（198.18.5.1/24 是主机的地址，不是网络的地址）")
    assert mtu.endswith("mtu: '1e3' is not a number of bytes") and in_chinese(mtu).endswith("mtu：'1e3' 不是字节数")


def test_a_list_used_as_a_key_or_a_name_is_named_by_its_line_not_printed(tmp_path):
    """`? [...]` keys (aliases can make them millions of values) are named 'a list on line N';
    an interface or port named by a list is refused."""
    text = (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "nodes:\n"
        "  r1: {kind: router, interfaces: {[a]: 198.18.0.1/24}}\n"
        "  pc1: {kind: host, ip: 198.18.0.2/24, ? [*a, *a, *a] : 1}\n"
    )
    from lanlab.sim import TopologyError, load_topology

    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(TopologyError) as raised:
        load_topology(path)
    problems = [str(p) for p in raised.value.problems]
    assert any(p.endswith(":3: node r1: interfaces: a name is one word, like eth0") for p in problems)
    assert any(":4: node pc1: unknown field a list on line 4 (expected one of" in p for p in problems)
    assert max(len(p) for p in problems) < 300


def test_a_large_file_of_plain_values_is_refused_before_it_is_composed(tmp_path, monkeypatch):
    """Past LARGE_TEXT, the values written are counted from the parser's events first: a file of
    more than MAX_VALUES plain values is refused without building its tree (8 MiB took 27 s)."""
    monkeypatch.setattr(reader, "LARGE_TEXT", 100)
    monkeypatch.setattr(reader, "MAX_VALUES", 50)
    composed = []
    monkeypatch.setattr(reader, "_compose", lambda text: composed.append(text))
    path = tmp_path / "t.yaml"
    path.write_text("nodes: {}\nx: [" + "0, " * 60 + "0]\n")
    with pytest.raises(reader.TopologyError) as caught:
        reader.compose(path)
    assert caught.value.problems == [f"{path}: more than 50 values; a topology needs far fewer"]
    assert composed == []


MERGES = [
    "a: &d {kind: host, ip: 198.18.0.1/24}\nb: {<<: *d, ip: 198.18.0.2/24}\n",
    "a: &d {kind: host}\nb: &e {mtu: 1400, kind: switch}\nc: {<<: [*d, *e], ip: x}\n",  # the first listed wins
    "a: &d {kind: host}\nb: &e {<<: *d, mtu: 9000}\nc:\n  <<: *e\n  mtu: 1500\n",  # a merge of a merge
    "a: &d {x: 1}\nb: [{<<: *d}, {<<: *d, x: 2}]\n",
    "a: &d {k: h, x: 9}\nb: &e {<<: *d, x: 1}\nc: {<<: *e, x: 2}\n",  # a chain, each overriding: no "given twice"
]


@pytest.mark.parametrize("text", MERGES)
def test_merge_keys_give_what_yaml_safe_load_gives_and_no_key_twice(tmp_path, text):
    """<<: merges as yaml.safe_load does (own keys win, the first listed mapping wins), and no mapping is
    left with a key twice (the reader would call it "given twice")."""
    path = tmp_path / "m.yaml"
    path.write_text(text)
    _, root = reader.compose(path)
    assert yaml.SafeLoader("").construct_document(root) == yaml.safe_load(text)
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            keys = [key.value for key, _ in node.value]
            assert len(keys) == len(set(keys)) and "<<" not in keys
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def test_a_merge_of_something_not_a_mapping_is_a_line_error(tmp_path):
    """<<: 5 is said at its line, what a merge takes named, no traceback."""
    path = tmp_path / "m.yaml"
    path.write_text("nodes:\n  pc1: {kind: host}\n  pc2: {<<: 5}\n")
    with pytest.raises(reader.TopologyError) as caught:
        reader.compose(path)
    assert caught.value.problems == [f"{path}:3: << merges a mapping or a list of mappings (like <<: *defaults)"]


def test_a_character_yaml_refuses_is_said_at_its_line_in_one_line(tmp_path):
    """A NUL on line 3: "FILE:3: ... U+0000 ...", one line (PyYAML's second line named "<unicode string>",
    and the line was always 1), in Chinese too."""
    problem = only_problem(tmp_path, "nodes:\n  pc1: {kind: host}\n  pc2: {kind: host}\x00\n")
    assert problem.endswith(":3: not valid YAML: the character U+0000 cannot be in a YAML file (is it text?)")
    assert "\n" not in problem and "U+0000" in in_chinese(problem)


@pytest.mark.parametrize(
    "text, line",
    [
        ("nodes:\n  {name}: {{kind: host}}\nlinks: []\n", 2),  # the first key: "mapping values are not allowed"
        ("nodes:\n  pc1: {{kind: host}}\n  {name}: {{kind: host}}\n", 3),  # a later one: "could not find ':'"
        ("nodes: {{pc1: {{kind: host}}, {name}: {{kind: host}}}}\n", 1),  # in a {flow mapping}
    ],
)
def test_a_key_past_yamls_1024_characters_is_said_to_be_too_long(tmp_path, text, line):
    """A node name of 1,100 characters: one FILE:LINE line saying the key is longer than YAML's 1024 (not 'a ':'
    where a value cannot have one'), from PyYAML's words and from libyaml's (a text past LARGE_TEXT keeps them)."""
    text = text.format(name="p" * 1100)
    said = "a key 1100 characters long; YAML reads one of at most 1024 before its ':' (give a shorter name)"
    path = tmp_path / "long.yaml"
    path.write_text(text)
    with pytest.raises(reader.TopologyError) as caught:
        reader.compose(path)
    assert caught.value.problems == [f"{path}:{line}: not valid YAML: {said}"]
    for loader in [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else []):
        with pytest.raises(yaml.YAMLError) as refused:
            yaml.compose(text, Loader=loader)
        assert reader.yaml_mistake(refused.value, text) == (line, said), loader


def test_a_key_missing_its_colon_or_a_value_with_one_is_not_called_too_long(tmp_path):
    """A long value holding ': ' and a key with no ':' keep their own sentences."""
    path = tmp_path / "v.yaml"
    for text, said in (
        (f"nodes:\n  pc1: {{}}\n  pc2: {'x' * 1100}: y\n", "a ':' where a value cannot have one"),
        (f"nodes:\n  pc1: {{}}\n  {'p' * 1100}\n", "a key without its ':'"),
    ):
        path.write_text(text)
        with pytest.raises(reader.TopologyError) as caught:
            reader.compose(path)
        assert said in caught.value.problems[0] and "characters long" not in caught.value.problems[0]


def test_nodes_given_twice_is_the_one_problem_said(tmp_path):
    """A second top-level nodes: after links: is reported at its line, with no 'unknown node' for the links that
    name the first one's nodes (YAML keeps the last mapping)."""
    path = tmp_path / "twice.yaml"
    path.write_text(
        "name: d\nnodes:\n  pc1: {kind: host, ip: 198.18.0.1/24}\n  sw1: {kind: switch}\nlinks:\n"
        "  - [pc1:eth0, sw1:p1]\nnodes:\n  pc2: {kind: host, ip: 198.18.0.2/24}\n"
    )
    with pytest.raises(reader.TopologyError) as caught:
        reader.read_document(path)
    assert caught.value.problems == [f"{path}:7: topology: field 'nodes' given twice"]


@pytest.mark.parametrize(
    "nodes, lines",
    [
        ("  pc1: &h {kind: host, ip: 198.18.0.1/24}\n  pc2: *h\n", [4]),  # the whole node an alias
        ("  pc1: {kind: host, ip: &a 198.18.0.1/24}\n  pc2: {kind: host, ip: *a}\n", [4]),  # its address one
        ("  pc1: &h {kind: host, ip: 198.18.0.1/24}\n  pc2: *h\n  pc3: {<<: *h}\n  pc4: *h\n", [4, 5, 6]),
    ],
)
def test_an_address_brought_again_by_an_alias_is_a_duplicate_at_the_aliass_line(tmp_path, nodes, lines):
    """pc2: *h on line 4 reuses line 3's address: the duplicate is said at line 4 (it said line 3, the anchor's,
    twice), each further use at its own line."""
    path = tmp_path / "alias.yaml"
    path.write_text(f"name: a\nnodes:\n{nodes}")
    with pytest.raises(TopologyError) as caught:
        load_topology(path)
    duplicates = [problem for problem in caught.value.problems if "duplicate IP address" in problem]
    assert duplicates == [f"{path}:{line}: duplicate IP address 198.18.0.1 (already used on line 3)" for line in lines]


@pytest.mark.parametrize("text", ["a: " + "[" * 5000, "a: " + "[" * 5000 + "]" * 5000, "- " * 400 + "x\n"])
def test_a_text_nested_past_the_depth_is_refused_before_pyyamls_recursive_composer(monkeypatch, text):
    """Past libyaml's own 1,000 levels (or unclosed), the reader re-read the text with PyYAML's Python
    composer for its words, and caught the RecursionError; now the depth is counted first."""
    forbid_recursive_composer(monkeypatch)
    with pytest.raises(TopologyError, match="nested more than 100 levels deep"):
        reader.compose("F", text)
