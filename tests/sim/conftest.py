"""Networks the simulator tests share."""

from __future__ import annotations

import pytest

from lanlab.sim import Network


def classroom(seed: int = 1) -> Network:
    """pc1, pc2 on switch sw1; sw1:p3 to hub1; pc3, pc4 on the hub. 198.18.0.N/24."""
    net = Network("classroom", seed)
    for n in range(1, 5):
        net.add_host(f"pc{n}", ip=f"198.18.0.{n}/24")
    net.add_switch("sw1")
    net.add_hub("hub1")
    net.link("pc1:eth0", "sw1:p1")
    net.link("pc2:eth0", "sw1:p2")
    net.link("sw1:p3", "hub1:p1")
    net.link("pc3:eth0", "hub1:p2")
    net.link("pc4:eth0", "hub1:p3")
    return net


@pytest.fixture
def net() -> Network:
    return classroom()
