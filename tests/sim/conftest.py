"""Networks the simulator tests share."""

from __future__ import annotations

import pytest

from lanlab.sim import Network
from lanlab.sim.builtin import classroom


@pytest.fixture
def net() -> Network:
    """The demo's built-in network: pc1, pc2, pc5 on switch sw1; sw1:p3 to hub1; pc3, pc4 on the hub."""
    return classroom()
