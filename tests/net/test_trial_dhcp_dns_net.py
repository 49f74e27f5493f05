"""The trial's odd DHCP messages against `lanlab dhcp serve` in namespaces: the real server answers each as the
simulated one does (tests/sim/stacks/test_trial_dhcp_dns_stacks.py holds the same lines in the simulator)."""

from __future__ import annotations

import time

from netlab import Lab, needs_netns
from tests.sim.stacks.test_trial_dhcp_dns_stacks import EXPECTED_PROBE, PROBE

pytestmark = needs_netns


def test_lanlab_dhcp_serve_answers_odd_messages_as_the_simulated_server(tmp_path):
    """Same program, same pool: the same OFFERs, ACKs and NAKs with the same options, the same silences."""
    program = tmp_path / "probe.py"
    program.write_text(PROBE)
    lab = Lab()
    try:
        bridge = lab.bridge()
        server, client = lab.namespace("srv"), lab.namespace("cli")
        lab.attach(server, bridge, "198.18.0.1/24")
        lab.attach(client, bridge, "198.18.0.50/24")
        serving = server.dhcp_serving(
            "198.18.0.100-198.18.0.109", "--lease", "2m", "--router", "198.18.0.1", "--timeout", "60s"
        )
        time.sleep(1)
        result = client.python(str(program), "198.18.0.255", "1", check=False, timeout=60)
        serving.terminate()
        serving.communicate(timeout=10)
    finally:
        lab.close()
    assert result.stdout.splitlines() == EXPECTED_PROBE, result.stdout + result.stderr
