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
