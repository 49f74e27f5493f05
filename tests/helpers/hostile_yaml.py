"""Topology texts that attack the reader through YAML aliases, shared by the reader's and the CLI's tests."""

from __future__ import annotations


def yaml_bomb(levels: int = 10, fan_out: int = 10) -> str:
    """A "billion laughs": each anchor lists the one before `fan_out` times, `levels` deep (10**10 values),
    used as nodes:."""
    lines = [f"a0: &a0 [{', '.join(['x'] * fan_out)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan_out)}]" for i in range(1, levels)]
    return "\n".join([*lines, f"nodes: *a{levels - 1}"]) + "\n"


def alias_chain(length: int) -> list[str]:
    """Lines 2 to length + 1 after a name: line: anchors that each list the one before, a<length - 1>
    the deepest (each adds a level: deep through aliases only, never in the written text)."""
    return ["a0: &a0 [x]", *(f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, length))]


def forbid_recursive_composer(monkeypatch) -> None:
    """Make PyYAML's Python composer (recursive, once a level) fail the test when it is reached: texts
    nested past the reader's depth must be refused before it, since a RecursionError caught near the
    interpreter's limit still lets the collector's finalizers fail and print tracebacks."""
    import yaml

    def reached(*_args: object) -> None:
        raise AssertionError("PyYAML's recursive composer was handed a text nested too deep")

    monkeypatch.setattr(yaml.composer.Composer, "compose_node", reached)
