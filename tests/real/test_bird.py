"""lanlab.real.bird: a router's rip: settings as a BIRD 2 configuration."""

from __future__ import annotations

from ipaddress import IPv4Interface

from lanlab.proto.rip import SplitHorizon
from lanlab.real.bird import config
from lanlab.real.model import RealNode


def router(**rip) -> RealNode:
    interfaces = {"eth0": {"ip": IPv4Interface("198.18.1.1/24")}, "eth1": {"ip": IPv4Interface("198.18.12.1/24")}}
    return RealNode("r1", "router", interfaces, rip=rip)


def test_split_horizon_modes_map_to_birds_two_switches():
    """none: both off; simple: split horizon only; poisoned_reverse (the default): both on."""
    assert "split horizon off;\n    poison reverse off;" in config(router(split_horizon=SplitHorizon.NONE))
    assert "split horizon on;\n    poison reverse off;" in config(router(split_horizon=SplitHorizon.SIMPLE))
    assert "split horizon on;\n    poison reverse on;" in config(router())


def test_passive_interfaces_are_left_out_and_the_password_is_plaintext():
    """A passive interface speaks no RIP; auth's password becomes BIRD's plaintext authentication."""
    text = config(router(passive=["eth0"], password="s3cret"))
    assert 'interface "eth1" {' in text and '"eth0"' not in text.split("protocol rip")[1]
    assert 'authentication plaintext;\n    password "s3cret";' in text


def test_router_id_is_the_first_address_and_timers_are_rfc_2453s():
    """router id from the YAML (no other address is invented); 30/180/120 s timers written out."""
    text = config(router())
    assert "router id 198.18.1.1;" in text
    assert "update time 30;" in text and "timeout time 180;" in text and "garbage time 120;" in text
