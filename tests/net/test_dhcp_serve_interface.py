"""The interface `lanlab dhcp serve` is given: read with ioctls only (nothing is sent, no socket bound)."""

from __future__ import annotations

import pytest

from lanlab.net.dhcp_server import DhcpServerError, interface_address


def test_the_loopback_interface_is_refused():
    """-I lo with a pool in 127/8 served a link no DHCP client is ever on, and waited; it is refused now."""
    with pytest.raises(DhcpServerError) as caught:
        interface_address("lo")
    assert str(caught.value) == (
        "lo is a loopback interface (127.0.0.1/8): no DHCP client is ever on it; give the LAN's"
    )
