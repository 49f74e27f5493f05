"""Mistakes that load and run, said as warnings before a run (lanlab.sim.mistakes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanlab.sim import load_topology
from lanlab.sim.mistakes import addressing_warnings, cabling_warnings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

WRONG_SUBNETS = """name: wrong
nodes:
  pc1: {kind: host, ip: 198.18.1.10/24, gateway: 198.18.1.1}
  pc2: {kind: host, ip: 198.18.2.10/24, gateway: 198.18.2.1}
  pc3: {kind: host, ip: 198.18.2.11/24, gateway: 198.18.2.1}
  sw1: {kind: switch}
  r1:
    kind: router
    interfaces: {eth0: 198.18.2.1/24, eth1: 198.18.3.1/24}
links:
  - [pc1:eth0, sw1:p1]
  - [pc3:eth0, sw1:p3]
  - [sw1:p2, r1:eth0]
  - [pc2:eth0, r1:eth1]
"""


def warnings_of(text: str) -> list[str]:
    return [str(w) for w in addressing_warnings(load_topology("t.yaml", text=text))]


def test_a_host_on_a_router_segment_of_another_subnet_and_its_unreachable_gateway_are_warned():
    """pc1 behind the switch and pc2 cabled to r1:eth1 are in no subnet of their router interface, and
    their gateways are nothing on their segments; pc3, rightly addressed, gets no warning."""
    found = warnings_of(WRONG_SUBNETS)
    assert len(found) == 4
    assert found[0].startswith(
        "pc1:eth0 (198.18.1.10/24) shares a segment with router interface r1:eth0 (198.18.2.1/24)"
    )
    assert found[1].startswith("pc2:eth0 (198.18.2.10/24) shares a segment with router interface r1:eth1")
    assert found[2].startswith("pc1's gateway 198.18.1.1 is the address of nothing on its segments")
    assert found[3].startswith("pc2's gateway 198.18.2.1 ")
    assert not any("pc3" in w for w in found)


def test_a_host_in_the_subnet_of_a_second_router_interface_is_not_warned():
    """Two router interfaces of different subnets on one switch: a host in either subnet is fine."""
    text = WRONG_SUBNETS.replace("eth1: 198.18.3.1/24}", "eth1: 198.18.1.1/24}").replace(
        "[pc2:eth0, r1:eth1]", "[sw1:p4, r1:eth1]"
    )
    text = text.replace(
        "pc2: {kind: host, ip: 198.18.2.10/24, gateway: 198.18.2.1}", "pc2: {kind: host, ip: 198.18.2.10/24}"
    )
    assert warnings_of(text) == []


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_is_addressed_without_a_warning(example):
    """The examples' hosts sit in their routers' subnets with gateways on their segments."""
    assert warnings_of(example.read_text()) == []


SELF_CABLED = """name: loops
nodes:
  pc1: {kind: host, ip: 198.18.0.1/24}
  sw1: {kind: switch}
  sw2: {kind: switch, stp: {enabled: true}}
  hub1: {kind: hub}
links:
  - [pc1:eth0, sw1:p1]
  - [sw1:p3, sw1:p4]
  - [sw2:p1, sw2:p2]
  - [sw1:p2, hub1:p1]
  - [hub1:p2, hub1:p3]
"""


def test_a_switch_or_hub_cabled_to_itself_is_warned_of_unless_stp_blocks_it():
    """sw1:p3-sw1:p4 and hub1:p2-hub1:p3 are loops of one device (the run storms); sw2 runs STP, which
    blocks one of its ports, so it is not warned of."""
    found = [str(w) for w in cabling_warnings(load_topology("t.yaml", text=SELF_CABLED))]
    assert [w.split(" on the same ")[0] for w in found] == [
        "sw1:p3 is cabled to sw1:p4",
        "hub1:p2 is cabled to hub1:p3",
    ]
    assert "switch: a loop" in found[0] and "hub: a loop" in found[1]


def test_the_self_cabled_warning_names_the_device_kind_in_the_users_language():
    """In Chinese the kind is 交换机, not the English word inside a Chinese sentence."""
    from lanlab.i18n import localize, set_language

    [warning] = cabling_warnings(load_topology("t.yaml", text=SELF_CABLED.replace("  - [hub1:p2, hub1:p3]\n", "")))
    set_language("zh")
    try:
        said = localize(warning)
    finally:
        set_language("en")
    assert "同一台交换机的 sw1:p4" in said and "switch" not in said
