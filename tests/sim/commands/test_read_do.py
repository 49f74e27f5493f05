"""sim.commands.read_do: a --do text read once, for sim run's parse_do and a lab file's check alike."""

from __future__ import annotations

import pytest

from lanlab.sim.commands import CommandError, read_do


def test_a_node_command_with_its_time_and_words():
    """`at 2s pc1 ping pc2 -c 3`: at 2 s, on pc1, the words as sim run prints them, the arguments parsed."""
    words = read_do("at 2s pc1 ping pc2 -c 3", ["pc1", "pc2"])
    assert (words.at, words.at_word, words.node, words.said) == (2_000_000_000, "2s", "pc1", ["ping", "pc2", "-c", "3"])
    assert words.command.args.count == 3


def test_without_nodes_any_word_is_a_node_and_with_them_an_unknown_one_is_said():
    """A lab file is read before its network exists: any node passes; sim run names the nodes there are."""
    assert read_do("pc9 arp").node == "pc9"
    with pytest.raises(CommandError, match=r"no node called 'pc9' \(nodes: pc1, pc2\)"):
        read_do("pc9 arp", ["pc1", "pc2"])


def test_a_network_wide_command_has_no_node_unless_a_node_has_its_name():
    """`link pc1 sw1 down` is the network's; a node called `link` takes the word for its own."""
    assert read_do("link pc1 sw1 down", ["pc1", "sw1"]).node is None
    with pytest.raises(CommandError, match="unknown command 'pc1'"):
        read_do("link pc1 sw1 down", ["link", "pc1", "sw1"])


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("pc1 ping 'pc2", "No closing quotation"),
        ("at soon pc1 arp", "soon"),
        ("pc1", r"expected \[at T\] NODE COMMAND"),
        ("pc1 fly", "unknown command 'fly'"),
        ("pc1 ping pc2 -c zero", "-c"),
    ],
)
def test_each_mistake_names_the_text_and_what_is_wrong(text, said):
    """Unclosed quotes, a time that is none, no command, an unknown command, a bad argument: a CommandError
    that quotes the text."""
    with pytest.raises(CommandError, match=said) as caught:
        read_do(text)
    assert str(caught.value).startswith(repr(text))
