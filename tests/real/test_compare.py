"""lanlab.real.compare: differences between `sim run --json` and `real run --json` documents."""

from __future__ import annotations

import copy

from lanlab.program_lines import busy_error
from lanlab.real.compare import _clock_only, differences, normalise_output


def document(received: int = 2, mac: str = "02:00:00:00:00:02", text: str = "hello") -> dict:
    return {
        "commands": [
            {
                "node": "pc1",
                "command": "ping pc2 -c 2",
                "at": 0.0,
                "result": {"transmitted": 2, "received": received, "rtt_ms": [0.1, 0.2]},
            },
            {
                "node": "pc1",
                "command": "udp broadcast Hi --wait 1",
                "at": 0.0,
                "result": {"sent": 1, "replies": [{"from": "198.18.0.2", "port": 7788, "text": text, "rtt_ms": 1.0}]},
            },
        ],
        "tables": {
            "pc1": {"arp": [{"ip": "198.18.0.2", "mac": mac}]},
            "sw1": {"mac": [{"mac": mac, "port": "p2", "age": 1.0}]},
        },
        "programs": [
            {
                "node": "pc1",
                "path": "a.py",
                "exit": 0,
                "output": [{"t": 0.5, "text": "('198.18.0.2', 40001) said hi"}],
                "error": None,
            }
        ],
    }


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
    assert [line.split(":")[0] for line in found] == [
        "command pc1$ ping pc2 -c 2",
        "command pc1$ udp broadcast Hi --wait 1",
        "table sw1 mac",
    ]


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


def test_a_table_or_program_missing_on_one_side_counts_even_under_an_unapplied_link_property():
    """A node's table or a program present on one side only is counted: no skipped delay or loss explains it."""
    real = document()
    real["not_applied"] = [{"where": "pc1:eth0 - sw1:p1", "property": "delay 1ms", "why": "no netem"}]
    del real["tables"]["sw1"]
    real["programs"] = []
    found, _ = differences(document(), real, SIM_OWNERS, SIM_OWNERS)
    assert found == ["table sw1 mac: missing on the kernel", "programs: 1 in the simulator, 0 on the kernel"]


def test_normalise_output_keeps_well_known_ports():
    """7788 stays, an ephemeral port (32768 and up) becomes <port>."""
    assert (
        normalise_output("('198.18.0.1', 7788) ('198.18.0.1', 43210)") == "('198.18.0.1', 7788) ('198.18.0.1', <port>)"
    )


def test_a_clock_reading_in_the_ephemeral_range_is_not_a_port():
    """45123.866 (a monotonic clock after 12.5 hours of uptime) and 0.43210 stay numbers, so clocks compare."""
    assert normalise_output("answer 45123.866 at 0.43210 port 43210") == "answer 45123.866 at 0.43210 port <port>"
    sim, real = document(), document()
    sim["programs"][0]["output"] = [{"t": 0.1, "text": "answer 0.01 from 198.18.0.1 on attempt 1"}]
    real["programs"][0]["output"] = [{"t": 0.1, "text": "answer 45123.866 from 198.18.0.1 on attempt 1"}]
    found, known = differences(sim, real, SIM_OWNERS, SIM_OWNERS)
    assert found == [] and "clock" in known[0]


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


def command(words: str, result: dict) -> dict:
    return {"commands": [{"node": "pc1", "command": words, "at": 0.0, "result": result}]}


def test_tcp_connect_compares_the_bytes_not_their_reads_and_serve_the_peers_address():
    """Two reads or one, with the tool's closing newline, are the same; a client's port is not compared."""
    sim = command(
        "tcp connect pc2 7788 --send hi",
        {"connected": 1.0, "sent": ["hi"], "error": None, "received": [{"t": 1, "text": "a\n"}, {"t": 1, "text": "b"}]},
    )
    real = command(
        "tcp connect pc2 7788 --send hi",
        {"connected": 1.2, "sent": ["hi"], "error": None, "received": [{"t": 2, "text": "a\nb\n"}]},
    )
    assert differences(sim, real, {}, {}) == ([], [])
    real["commands"][0]["result"]["received"] = [{"t": 2, "text": "a b\n"}]
    assert differences(sim, real, {}, {})[0]
    serve = [{"t": 1, "event": "message", "client": "198.18.0.1:40000", "bytes": 2, "text": "hi"}]
    other = [{**serve[0], "client": "198.18.0.1:51000"}]
    assert differences(command("tcp serve", {"events": serve}), command("tcp serve", {"events": other}), {}, {}) == (
        [],
        [],
    )


def test_traceroute_compares_who_answered_each_probe_and_stp_the_roles():
    """A hop answered by another router, or a port in another role, is a difference; RTTs are not."""
    hops = {"reached": True, "hops": [{"ttl": 1, "probes": [{"address": "198.18.1.1", "rtt_ms": 0.1}, None]}]}
    faster = copy.deepcopy(hops)
    faster["hops"][0]["probes"][0]["rtt_ms"] = 9.0
    assert differences(command("traceroute pc2", hops), command("traceroute pc2", faster), {}, {}) == ([], [])
    faster["hops"][0]["probes"][1] = {"address": "198.18.1.1", "rtt_ms": 1.0}
    assert differences(command("traceroute pc2", hops), command("traceroute pc2", faster), {}, {})[0]
    tree = {
        "bridge_id": "b",
        "root_id": "r",
        "root_port": "p1",
        "root_cost": 4,
        "ports": [{"port": "p1", "role": "root", "state": "forwarding", "port_id": "0x8001"}],
    }
    renumbered = copy.deepcopy(tree)
    renumbered["ports"][0]["port_id"] = "0x8002"
    assert differences(command("stp", {"stp": tree}), command("stp", {"stp": renumbered}), {}, {}) == ([], [])
    renumbered["ports"][0]["role"] = "alternate"
    assert differences(command("stp", {"stp": tree}), command("stp", {"stp": renumbered}), {}, {})[0]


def test_a_kernel_arp_entry_unconfirmed_past_the_simulators_timeout_is_known():
    """The kernel keeps an entry confirmed 60 s ago or more (STALE since) that the simulator has
    forgotten: known; the same extra entry confirmed recently, or never confirmed (created 4 s ago:
    the kernel dates a new entry's confirmation 60 s back), is a difference."""
    sim = {"tables": {"r1": {"arp": []}}}
    row = {"ip": "198.18.12.2", "mac": "aa:bb:cc:00:00:02", "confirmed": 71.0, "updated": 41.0}
    real = {"tables": {"r1": {"arp": [row]}}}
    found, known = differences(sim, real, SIM_OWNERS, REAL_OWNERS)
    assert found == [] and len(known) == 1 and known[0].startswith("table r1 arp: the kernel keeps ARP entries")
    for confirmed, updated in ((12.0, 0.0), (64.0, 4.0)):
        row.update(confirmed=confirmed, updated=updated)
        found, known = differences(sim, real, SIM_OWNERS, REAL_OWNERS)
        assert len(found) == 1 and found[0].startswith("table r1 arp: sim") and known == []


def test_arp_entries_dnsmasq_wrote_on_a_dhcp_server_or_relay_are_known():
    """A relay's extra entry for a client and a client's for its server are known (dnsmasq wrote
    the one, the kernel's revalidating ARP request taught the other); a client's extra entry for
    another client, or any on a node with no part in DHCP, is a difference."""
    sim = {"tables": {"r1": {"arp": []}}}
    real = {"tables": {"r1": {"arp": [{"ip": "198.18.1.100", "mac": "aa:bb:cc:00:00:02"}]}}}
    owners = {"aa:bb:cc:00:00:02": "pc2:eth0"}
    for roles, counted in (
        ({"r1": "relay", "pc2": "client"}, 0),
        ({"r1": "client", "pc2": "server"}, 0),
        ({"r1": "client", "pc2": "client"}, 1),
        ({"pc2": "client"}, 1),
    ):
        real["dhcp_roles"] = roles
        found, known = differences(sim, real, owners, owners)
        assert len(found) == counted, roles
        assert [line.startswith("table r1 arp: dnsmasq wrote ARP entries") for line in known] == [True][counted:]


def program(exit: int | None, lines: list[str], error: str | None = None) -> dict:
    return {
        "programs": [
            {
                "node": "pc2",
                "path": "p.py",
                "exit": exit,
                "output": [{"t": 0, "text": t} for t in lines],
                "error": error,
            }
        ]
    }


def test_a_program_the_simulator_stopped_as_a_busy_loop_is_known_while_the_kernel_ran_it():
    """exit 1 for computing without waiting (the simulator's CPU limit) against still running on the
    kernel, with the same first lines: known; another exit status in the simulator is a difference."""
    sim = program(1, ["start"], busy_error("p.py", 0.2, " at line 4"))
    found, known = differences(sim, program(None, ["start", "more"]), {}, {})
    assert found == [] and known[0].startswith("program pc2 p.py: CPU: ")
    found, _ = differences(program(1, ["start"], "p.py: ZeroDivisionError"), program(None, ["start"]), {}, {})
    assert len(found) == 1
    found, _ = differences(sim, program(None, ["begin"]), {}, {})
    assert len(found) == 1


def test_output_differing_only_in_numbers_with_a_fraction_is_a_known_clock_difference():
    """time.monotonic()'s readings differ; a whole number, a word or a missing line does not pass as a clock."""
    found, known = differences(
        program(0, ["answer 0.01 on attempt 1"]), program(0, ["answer 8086.004 on attempt 1"]), {}, {}
    )
    assert found == [] and known[0].startswith("program pc2 p.py: clock: ")
    for other in (["answer 0.01 on attempt 2"], ["answer 0.01 on try 1"], ["answer 0.01 on attempt 1", "again"]):
        found, _ = differences(program(0, ["answer 0.01 on attempt 1"]), program(0, other), {}, {})
        assert len(found) == 1, other


def traceroute(*hops: list) -> dict:
    return {
        "commands": [
            {
                "node": "pc1",
                "command": "traceroute 198.18.9.9 -q 1",
                "result": {
                    "reached": False,
                    "hops": [
                        {"probes": [None if p is None else {"address": p[0], "note": p[1]} for p in hop]}
                        for hop in hops
                    ],
                },
            }
        ]
    }


def test_a_no_route_answer_the_kernel_rate_limited_is_known():
    """Both answer !N at the router without a route; a `*` there on the kernel (Linux's rate limit of route errors,
    traceroute then meeting the !N a hop on) is known; !N from another router, or a missing !N, differs."""
    sim = traceroute([("198.18.1.1", "!N")])
    assert differences(sim, traceroute([("198.18.1.1", "!N")]), {}, {}) == ([], [])
    found, known = differences(sim, traceroute([None], [("198.18.1.1", "!N")]), {}, {})
    assert found == [] and "Linux's rate limit of route errors kept some of 198.18.1.1's !N" in known[0]
    two = traceroute([("198.18.1.1", "!N"), ("198.18.1.1", "!N")])
    found, known = differences(two, traceroute([("198.18.1.1", "!N"), None]), {}, {})
    assert found == [] and len(known) == 1
    found, known = differences(sim, traceroute([None], [None]), {}, {})
    assert len(found) == 1 and known == []
    found, _ = differences(sim, traceroute([("198.18.12.2", "!N")]), {}, {})
    assert len(found) == 1
    longer = traceroute([("198.18.1.1", None)], [("198.18.12.2", "!N")])
    found, _ = differences(longer, traceroute([None], [("198.18.12.2", "!N")]), {}, {})
    assert len(found) == 1


def test_mac_entries_of_hosts_that_sent_igmp_reports_are_known():
    """A switch's kernel entries for hosts whose programs sent IGMP reports are known; an extra entry
    for a host that sent none is a difference."""
    sim = {"tables": {"sw1": {"mac": [{"mac": "02:00:00:00:00:01", "port": "p1"}]}}}
    real = copy.deepcopy(sim)
    real["tables"]["sw1"]["mac"].append({"mac": "02:00:00:00:00:02", "port": "p2"})
    owners = {"02:00:00:00:00:01": "server:eth0", "02:00:00:00:00:02": "pc2:eth0"}
    real["igmp_reports"] = {"pc2": 2}
    found, known = differences(sim, real, owners, owners)
    assert found == [] and known[0].startswith("table sw1 mac: IGMP: pc2 sent membership reports")
    real["igmp_reports"] = {"pc3": 2}
    found, known = differences(sim, real, owners, owners)
    assert len(found) == 1 and known == []


def test_dhcp_messages_compare_per_interface_in_any_order_and_a_nak_race_is_known():
    """The same messages each way on an interface, in another order, agree; a missing one differs;
    a kernel exchange with a NAK the simulator's lacks (dnsmasq offered one address twice) is known."""
    sim = {"dhcp_messages": {"pc1:eth0": [["tx", "DHCP Discover"], ["rx", "DHCP Offer"], ["rx", "DHCP Discover"]]}}
    real = {"dhcp_messages": {"pc1:eth0": [["rx", "DHCP Discover"], ["tx", "DHCP Discover"], ["rx", "DHCP Offer"]]}}
    assert differences(sim, real, {}, {}) == ([], [])
    real["dhcp_messages"]["pc1:eth0"].pop()
    found, _ = differences(sim, real, {}, {})
    assert len(found) == 1 and found[0].startswith("dhcp messages pc1:eth0: sim")
    real["dhcp_messages"]["pc1:eth0"] += [["rx", "DHCP NAK"], ["rx", "DHCP Offer"]]
    found, known = differences(sim, real, {}, {})
    assert found == [] and known[0].startswith("dhcp messages pc1:eth0: dnsmasq offered one address to two")


def test_arp_entries_for_the_neighbour_across_a_pulled_cable_are_known_when_only_the_simulator_keeps_them():
    """After `link r2:eth1 r3:eth0 down` the kernel's r2 flushed r3's entry, the simulator's keeps it:
    known; once the link is up again, or for another neighbour, it is a difference."""
    owners = {"02:00:00:00:00:03": "r3:eth0"}
    sim = {"tables": {"r2": {"arp": [{"ip": "198.18.23.3", "mac": "02:00:00:00:00:03"}]}}}
    real = {
        "tables": {"r2": {"arp": []}},
        "commands": [{"node": "net", "command": "link r2:eth1 r3:eth0 down", "at": 6.0, "result": None}],
    }
    found, known = differences(sim, real, owners, owners)
    assert found == [] and known[0].startswith("table r2 arp: Linux flushed the entries")
    real["commands"].append({"node": "net", "command": "link r2:eth1 r3:eth0 up", "at": 7.0, "result": None})
    assert len(differences(sim, real, owners, owners)[0]) == 1
    real["commands"].pop()
    another = {"02:00:00:00:00:03": "pc3:eth0", "02:00:00:00:00:04": "r3:eth0"}
    assert len(differences(sim, real, another, another)[0]) == 1


def test_every_arp_entry_of_a_host_whose_cable_to_a_switch_was_pulled_is_known_flushed():
    """`link pc2:eth0 sw1:p2 down`: the kernel's pc2 flushed every neighbour (all behind the switch), in its
    table and in a later `pc2 arp` command, the simulator's keeps them: known, not a difference (the
    neighbour across the cable is a switch port, so the rule for the neighbour across never matched)."""
    owners = {"02:00:00:00:00:01": "pc1:eth0", "02:00:00:00:00:02": "pc2:eth0"}
    entry = {"ip": "198.18.0.1", "mac": "02:00:00:00:00:01"}
    link = {"node": "net", "command": "link pc2:eth0 sw1:p2 down", "at": 1.0, "result": None}
    sim = {
        "tables": {"pc2": {"arp": [entry]}},
        "commands": [link, {"node": "pc2", "command": "arp", "at": 3.0, "result": {"arp": [entry]}}],
    }
    real = {
        "tables": {"pc2": {"arp": []}},
        "commands": [link, {"node": "pc2", "command": "arp", "at": 3.0, "result": {"arp": []}}],
    }
    found, known = differences(sim, real, owners, owners)
    assert found == []
    assert [k.split(":")[0] for k in known] == ["command pc2$ arp", "table pc2 arp"]


def test_each_sentence_is_english_data_and_shown_in_the_users_language():
    """differences() gives English strings (--json's, unchanged) that --lang zh shows in Chinese:
    a difference, a known reordering, a link property not applied, its reason."""
    from lanlab.i18n import localize, set_language

    sim = document()
    sim["programs"][0]["output"] = [{"t": 0.1, "text": "from pc2"}, {"t": 0.1, "text": "from pc3"}]
    real = copy.deepcopy(sim)
    real["programs"][0]["output"].reverse()
    real["commands"][0]["result"]["received"] = 1
    found, known = differences(sim, real, SIM_OWNERS, SIM_OWNERS)
    assert found == [
        "command pc1$ ping pc2 -c 2: sim {'transmitted': 2, 'received': 2}, kernel {'transmitted': 2, 'received': 1}"
    ]
    assert known[0].startswith("program pc1 ") and "the same lines in another order (timing)" in known[0]
    real["not_applied"] = [{"where": "pc1:eth0 - sw1:p1", "property": "delay 1ms", "why": "no netem"}]
    _, known_too = differences(sim, real, SIM_OWNERS, SIM_OWNERS)
    assert known_too[0] == "pc1:eth0 - sw1:p1: delay 1ms not applied on the kernel (no netem)"
    assert known_too[-1].startswith("(a link property not applied) command pc1$ ping")
    set_language("zh")
    assert localize(found[0]).startswith("命令 pc1$ ping pc2 -c 2：模拟器 {")
    assert "同样的行，顺序不同（时序）" in localize(known[0]) and localize(known[0]).startswith("程序 pc1 ")
    assert localize(known_too[0]) == "pc1:eth0 - sw1:p1：delay 1ms 未在内核上应用（no netem）"
    assert localize(known_too[-1]).startswith("（有链路属性未应用）命令 pc1$ ping pc2 -c 2：模拟器")


def test_counts_and_addresses_are_compared_not_taken_for_ports_or_clocks():
    """ "got 65507 bytes" keeps its number (only a port where one is written becomes <port>), and outputs that
    differ in an address (10.0.0.1 against 10.0.0.47) are a difference, not a clock's readings."""
    assert normalise_output("got 65507 bytes, bytes 38600") == "got 65507 bytes, bytes 38600"
    assert normalise_output("198.18.0.1:43210 and port=50000") == "198.18.0.1:<port> and port=<port>"
    for shape in ('["198.18.0.1", 43210]', '{"port": 43210}', "Port 43210", "local port is 43210", "198.18.0.1 43210"):
        assert normalise_output(shape) == shape.replace("43210", "<port>"), shape
    assert _clock_only(["rtt 1.23."], ["rtt 4.56."])  # a reading that ends a sentence is still one
    assert normalise_output("sent to pc2:43210 ('pc2', 43210)") == "sent to pc2:<port> ('pc2', <port>)"
    for count in ("import 40000 rows", "report 45000 lines", "support: 50000 users"):
        assert normalise_output(count) == count
    sim, real = document(), document()
    sim["programs"][0]["output"] = [{"t": 0.1, "text": "addr 10.0.0.1"}]
    real["programs"][0]["output"] = [{"t": 0.1, "text": "addr 10.0.0.47"}]
    found, known = differences(sim, real, SIM_OWNERS, SIM_OWNERS)
    assert found and not any("clock" in str(k) for k in known)


def test_dates_and_times_of_day_are_a_clock_difference_not_a_program_one():
    """ctime, ISO 8601, logging's asctime and http.server's [07/Dec/2026 12:53:47] differ as clocks: known."""
    sim, real = document(), document()
    lines = {
        "sim": [
            "Thu Jan  1 00:00:00 2026",
            "2026-01-01T00:00:00",
            "2026-01-01 00:00:00,000 INFO up",
            "- - [01/Jan/2026 00:00:00] x",
        ],
        "kernel": [
            "Mon Dec  7 12:53:47 2026",
            "2026-12-07T12:53:47.5",
            "2026-12-07 12:53:47,120 INFO up",
            "- - [07/Dec/2026 12:53:47] x",
        ],
    }
    sim["programs"][0]["output"] = [{"t": 0.0, "text": text} for text in lines["sim"]]
    real["programs"][0]["output"] = [{"t": 0.1, "text": text} for text in lines["kernel"]]
    found, known = differences(sim, real, SIM_OWNERS, SIM_OWNERS)
    assert found == [] and len(known) == 1 and "dates and times of day" in str(known[0])
    real["programs"][0]["output"][0]["text"] = "Mon Dec  7 12:53:47 2026 and more"
    assert differences(sim, real, SIM_OWNERS, SIM_OWNERS)[0]  # more than a date differs: counted


def test_a_clock_reading_python_writes_with_an_exponent_is_a_clock_difference():
    """The simulator's time.monotonic() microseconds in prints 2e-06 or 1.5e-05: a clock reading like the kernel's."""
    for sim_line in ("monotonic 2e-06", "monotonic 1.5e-05 s"):
        kernel_line = "monotonic 30402.292644262" + (" s" if sim_line.endswith(" s") else "")
        found, known = differences(program(0, [sim_line]), program(0, [kernel_line]), {}, {})
        assert found == [] and known[0].startswith("program pc2 p.py: clock: "), sim_line
    found, _ = differences(program(0, ["count 2e-06"]), program(0, ["count 7"]), {}, {})  # a whole number: counted
    assert len(found) == 1
