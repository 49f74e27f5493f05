"""`--do "... tcp connect HOST PORT"`: what the simulator says of a host TCP cannot connect to."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli

ARP = str(Path(__file__).resolve().parents[3] / "examples" / "arp.yaml")


def sim_run(*do: str) -> tuple[int, str]:
    args = ["sim", "run", ARP, "--until", "3s"]
    for text in do:
        args += ["--do", text]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def test_a_group_or_the_limited_broadcast_is_refused_before_the_run_as_lanlab_tcp_connect_refuses_it():
    """239.1.2.3 and 255.255.255.255 are refused in the words of `lanlab tcp connect` (the run said "network is
    unreachable (no route to it; see `ip route`)", sending people to their routes)."""
    for address in ("239.1.2.3", "255.255.255.255"):
        code, output = sim_run(f"pc1 tcp connect {address} 7 --send hi")
        assert code == 2 and "ran 'arp'" not in output
        assert f"{address} is a multicast or broadcast address, and TCP connects to one host" in output
        assert "`udp send` or `udp broadcast`" in output


def test_a_subnet_broadcast_address_is_named_as_a_cause_of_network_unreachable():
    """198.18.0.255 is pc1's subnet broadcast: the kernel's connect says ENETUNREACH, and the line names a
    broadcast address beside a missing route."""
    code, output = sim_run("pc1 tcp connect 198.18.0.255 7 --send hi")
    assert "tcp 198.18.0.255:7: network is unreachable (no route to it, see `ip route`; or a subnet" in output
