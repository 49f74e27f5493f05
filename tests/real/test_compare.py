"""lanlab.real.compare: differences between `sim run --json` and `real run --json` documents."""

from __future__ import annotations

import copy

from lanlab.real.compare import differences, normalise_output


def document(received: int = 2, mac: str = "02:00:00:00:00:02", text: str = "hello") -> dict:
    return {"commands": [{"node": "pc1", "command": "ping pc2 -c 2", "at": 0.0,
                          "result": {"transmitted": 2, "received": received, "rtt_ms": [0.1, 0.2]}},
                         {"node": "pc1", "command": "udp broadcast Hi --wait 1", "at": 0.0,
                          "result": {"sent": 1, "replies": [{"from": "198.18.0.2", "port": 7788, "text": text,
                                                              "rtt_ms": 1.0}]}}],
            "tables": {"pc1": {"arp": [{"ip": "198.18.0.2", "mac": mac}]},
                       "sw1": {"mac": [{"mac": mac, "port": "p2", "age": 1.0}]}},
            "programs": [{"node": "pc1", "path": "a.py", "exit": 0,
                          "output": [{"t": 0.5, "text": "('198.18.0.2', 40001) said hi"}], "error": None}]}


SIM_OWNERS = {"02:00:00:00:00:02": "pc2:eth0"}
REAL_OWNERS = {"aa:bb:cc:00:00:02": "pc2:eth0"}


def test_same_results_with_other_times_macs_and_ports_are_no_difference():
    """RTTs, program times, MAC values (named by their owner) and ephemeral ports are normalised."""
    real = document(mac="aa:bb:cc:00:00:02")
    real["commands"][0]["result"]["rtt_ms"] = [9.0, 9.0]
    real["programs"][0]["output"] = [{"t": 1.7, "text": "('198.18.0.2', 51234) said hi"}]
    assert differences(document(), real, SIM_OWNERS, REAL_OWNERS) == ([], [])


def test_a_ping_count_a_replier_and_a_mac_port_are_differences():
    """Fewer replies, another reply text and an entry on another port are each one difference."""
    real = document(received=1, mac="aa:bb:cc:00:00:02", text="hey")
    real["tables"]["sw1"]["mac"][0]["port"] = "p3"
    found, known = differences(document(), real, SIM_OWNERS, REAL_OWNERS)
    assert len(found) == 3 and known == []
    assert [line.split(":")[0] for line in found] == ["command pc1$ ping pc2 -c 2", "command pc1$ udp broadcast Hi --wait 1",
                                                      "table sw1 mac"]


def test_a_program_line_that_differs_is_a_difference():
    """Program output compares line by line, text only."""
    real = copy.deepcopy(document())
    real["programs"][0]["output"][0]["text"] = "something else"
    found, _ = differences(document(), real, SIM_OWNERS, SIM_OWNERS)
    assert found and found[0].startswith("program pc1 a.py")


def test_differences_under_an_unapplied_link_property_are_known_not_counted():
    """With a link's delay not applied on the kernel, what differs is listed as known."""
    real = document(received=0)
    real["not_applied"] = [{"where": "pc1:eth0 - sw1:p1", "property": "delay 1ms", "why": "no netem"}]
    found, known = differences(document(), real, SIM_OWNERS, SIM_OWNERS)
    assert found == []
    assert known[0].startswith("pc1:eth0 - sw1:p1: delay 1ms not applied") and "ping" in known[1]


def test_normalise_output_keeps_well_known_ports():
    """7788 stays, an ephemeral port (32768 and up) becomes <port>."""
    assert normalise_output("('198.18.0.1', 7788) ('198.18.0.1', 43210)") == "('198.18.0.1', 7788) ('198.18.0.1', <port>)"


def test_the_same_program_lines_in_another_order_are_known_timing():
    """Replies from several hosts may race on the kernel: reordered lines are known, not counted."""
    sim = document()
    sim["programs"][0]["output"] = [{"t": 0.1, "text": "from pc2"}, {"t": 0.1, "text": "from pc3"}]
    real = copy.deepcopy(sim)
    real["programs"][0]["output"].reverse()
    found, known = differences(sim, real, SIM_OWNERS, SIM_OWNERS)
    assert found == [] and "another order" in known[0]
    real["programs"][0]["output"][0]["text"] = "from pc4"
    assert differences(sim, real, SIM_OWNERS, SIM_OWNERS)[0]
