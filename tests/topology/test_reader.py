"""The topology reader's YAML tree: libyaml's composer where PyYAML has it, the same tree as PyYAML's."""

from pathlib import Path

import pytest
import yaml

from lanlab.topology import reader

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


def test_depth_is_counted_without_recursion():
    """A mapping in a list in a mapping is 3 deep; 5000 levels are counted, not a RecursionError."""
    assert reader.depth_of(yaml.compose("a: [{b: 1}]")) == 4  # mapping, list, mapping, scalar
    assert reader.depth_of(yaml.compose("[" * 900 + "]" * 900, Loader=reader.COMPOSER)) == 900


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
