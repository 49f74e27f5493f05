"""A host's resolver asking the zone server on the host itself (nameserver 127.0.0.1, or its own address)."""

from __future__ import annotations

from pathlib import Path

from lanlab.sim import load_topology
from lanlab.sim.commands import schedule

ADDRESSES = ", ".join(f"198.18.0.{i}" for i in range(100, 250))  # 150 A records: some 2,500 bytes
ZONE = f"""nodes:
  ns: {{kind: host, ip: 198.18.0.53/24, dns: {{zone: lab., records: {{many: [{ADDRESSES}]}}}}}}
  pc1: {{kind: host, ip: 198.18.0.1/24, dns: 198.18.0.53}}
  sw1: {{kind: switch}}
links:
  - [ns:eth0, sw1:p1]
  - [pc1:eth0, sw1:p2]
"""


def test_an_answer_too_long_for_udp_is_cut_on_the_servers_own_host_too(tmp_path: Path):
    """dig on the server's own host took a 2,500-byte answer whole "(UDP)" past the 1,232 bytes it offered: the
    query skipped the wire and the cut. It now comes cut with TC, as from another host and as over a real lo,
    and dig asks again over TCP, on pc1 and on ns alike."""
    path = tmp_path / "own.yaml"
    path.write_text(ZONE)
    net = load_topology(path)
    there = schedule(net, "at 1s pc1 dig many.lab")
    here = schedule(net, "at 2s ns dig @127.0.0.1 many.lab")
    net.run(3)
    for dig in (there, here):
        shown = "\n".join(dig.command.lines())
        assert ";; Truncated, retrying in TCP mode." in shown and "(TCP)" in shown, shown
        assert shown.count("IN\tA\t198.18.0.") == 150
