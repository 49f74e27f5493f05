"""The Python API's rules for time and for names written as strings (issue 12's items)."""

import re
from pathlib import Path

import pytest

from lanlab.sim import CommandError, Network
from lanlab.sim.shim import run_programs
from lanlab.units import SECOND


def lan() -> Network:
    net = Network("api")
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.add_switch("sw1")
    net.link("pc1", "sw1:p1")
    net.link("pc2", "sw1:p2")
    return net


def test_a_command_scheduled_in_the_past_names_the_clock():
    """net.do("at 1s ...") once the clock is at 4 s is an error that says where the clock is."""
    net = lan()
    net.run("4s")
    with pytest.raises(CommandError, match=r"1s is in the past: the network's clock is already at 4s"):
        net.do("at 1s pc1 ping pc2 -c 1")


def test_a_command_without_at_starts_now():
    """Without `at`, a command starts at the clock's time, and says so."""
    net = lan()
    net.run("2s")
    scheduled = net.do("pc1 ping pc2 -c 1")
    net.run("3s")
    assert scheduled.at == 2 * SECOND
    assert scheduled.started and scheduled.command.answered()


def test_run_programs_takes_a_unit_string():
    """run_programs(net, "2s") runs to 2 s, as run_programs(net, 2 * SECOND) does."""
    net = lan()
    run_programs(net, "2s")
    assert net.now == 2 * SECOND


def test_add_router_and_interfaces_from_strings():
    """add_router and Router.add_interface take "a.b.c.d/len" strings; each interface gets its connected route."""
    net = lan()
    router = net.add_router("r1", {"eth0": "198.18.0.254/24"}, routes={"198.18.9.0/24": "198.18.0.2"})
    router.add_interface("eth1", "198.18.1.1/24")
    assert net.node("r1") is router
    assert [str(nic.address) for nic in router.nics] == ["198.18.0.254/24", "198.18.1.1/24"]
    assert {str(route.prefix) for route in router.table} == {"198.18.0.0/24", "198.18.1.0/24", "198.18.9.0/24"}


def test_an_address_without_prefix_is_refused():
    """An interface address must say its prefix length, like the topology files."""
    net = lan()
    with pytest.raises(ValueError, match="needs a prefix length"):
        net.add_router("r1", {"eth0": "198.18.0.254"})


def test_trace_event_repr_reads_like_the_event_list():
    """repr(TraceEvent) shows time in seconds, device, port, kind, protocol and summary."""
    net = Network("api", trace=True)
    net.add_host("pc1", ip="198.18.0.1/24")
    net.add_host("pc2", ip="198.18.0.2/24")
    net.link("pc1", "pc2")
    net.ping("pc1", "pc2", count=1)
    first = repr(net.trace[0])
    assert first.startswith("<TraceEvent 0.000000 s pc1 eth0 tx ARP Who has 198.18.0.2? Tell 198.18.0.1")


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"ttl": 300}, "ping ttl=300: give a whole number from 1 to 255"),
        ({"size": 70000}, "ping size=70000: give a whole number from 0 to 65507"),
        ({"size": -5}, "ping size=-5: give a whole number from 0 to 65507"),
        ({"count": "2"}, "ping count='2': give a whole number at least 1"),
    ],
)
def test_ping_refuses_what_ping_s_options_refuse_before_anything_is_sent(options, said):
    """net.ping checks ttl, size and count as ping's -t, -s and -c do: a NetworkError, nothing sent (ttl=300
    went out as such and crashed the capture's writer mid-run; size=-5 was sent as 0)."""
    from lanlab.sim import NetworkError

    net = lan()
    with pytest.raises(NetworkError, match=re.escape(said)):
        net.ping("pc1", "pc2", **options)
    assert net.now == 0


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (5, "a node's name is text, like pc1 (not 5)"),
        ("", "a node's name is empty"),
        ("a:b", "node name 'a:b': a name has no ':'"),
        (" h", "node name ' h': a name neither starts nor ends with a space"),
    ],
)
def test_a_node_name_a_topology_file_would_refuse_is_refused_by_the_api(name, said):
    """add_host/add_switch check names as the topology reader does: NetworkError at once (they were taken,
    and later net.node() raised TypeError or a name with ':' could never be linked)."""
    from lanlab.sim import NetworkError

    net = Network("names")
    with pytest.raises(NetworkError, match=re.escape(said)):
        net.add_switch(name)
    assert net.nodes == {}


def test_add_router_checks_rip_options_at_once_and_adds_no_router():
    """An unknown or wrong RIP option is a NetworkError from add_router itself, naming the options there are,
    and no router is added (the error came from the next ping, as a TypeError, with the router left in)."""
    from lanlab.sim import NetworkError

    net = Network("rip")
    with pytest.raises(NetworkError, match=re.escape("r1: rip: no option bogus (there are passive, password")):
        net.add_router("r1", {"eth0": "198.18.1.1/24"}, rip={"bogus": 1})
    with pytest.raises(NetworkError, match=re.escape("r1: rip: split_horizon 'maybe': use none, simple")):
        net.add_router("r1", {"eth0": "198.18.1.1/24"}, rip={"split_horizon": "maybe"})
    assert net.nodes == {}
    assert net.add_router("r1", {"eth0": "198.18.1.1/24"}, rip={"split_horizon": "simple"}).name == "r1"


def test_running_to_a_time_already_past_says_so():
    """net.run takes an absolute time: run("1s") after run("2s") is a PastTimeError saying the clock is at 2s
    (it returned 0 and did nothing, as if a duration were meant and ignored)."""
    from lanlab.sim.core.engine import PastTimeError

    net = lan()
    net.run("2s")
    with pytest.raises(PastTimeError, match=re.escape("cannot run to 1s: the clock is already at 2s")):
        net.run("1s")
    assert net.run("2s") == 0 and net.now == 2 * SECOND


def test_a_programs_start_and_run_programs_end_take_ns_or_a_unit_string_never_a_float(tmp_path):
    """run_program(at="1s") starts at 1 s and at=0.5 or until=2.0 are ValueErrors before anything is made (0.5
    meant half a nanosecond, "1s" was a TypeError that left a program in net.programs)."""
    program = tmp_path / "p.py"
    program.write_text("import time\nprint(time.monotonic())\n")
    net = lan()
    with pytest.raises(ValueError, match=re.escape('at=0.5: give whole nanoseconds or a unit string like "0.5s"')):
        net.node("pc1").run_program(str(program), at=0.5)
    with pytest.raises(ValueError, match=re.escape("until=2.0: give whole nanoseconds")):
        run_programs(net, 2.0)
    assert net.programs == []
    started = net.node("pc1").run_program(str(program), at="1s")
    run_programs(net, "2s")
    assert started.output == [(SECOND, "1.0")]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"loss": "0.5"}, "loss must be between 0 and 1, not '0.5'"),
        ({"mtu": "x"}, "mtu must be from 68 to 65535 bytes, not 'x'"),
        ({"queue": -1}, "queue must be a whole number of frames, at least 1, not -1"),
    ],
)
def test_link_options_of_the_wrong_type_or_range_are_one_line_network_errors(options, said):
    """net.link(loss="0.5") and mtu="x" were TypeErrors from a comparison, queue=-1 was taken."""
    from lanlab.sim import NetworkError

    net = Network("links")
    net.add_host("a", ip="198.18.0.1/24")
    net.add_host("b", ip="198.18.0.2/24")
    with pytest.raises(NetworkError, match=re.escape(said)):
        net.link("a:eth0", "b:eth0", **options)
    assert net.links == []


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda net: net.link(1, 2), "an end of a link is NODE:PORT, like pc1:eth0 (not 1)"),
        (lambda net: net.link("pc1", None), "an end of a link is NODE:PORT, like pc1:eth0 (not None)"),
        (lambda net: net.add_host("pc3", ip=5), "pc3: ip 5 needs a prefix length"),
        (lambda net: net.add_host("pc3", ip="198.18.0.3"), "pc3: ip '198.18.0.3' needs a prefix length"),
        (lambda net: net.add_host("pc3", interfaces={"eth1": {"ip": "198.18.0.3"}}), "needs a prefix length"),
        (lambda net: net.add_host("pc3", ip="198.18.0.300/24"), "pc3: ip '198.18.0.300/24': Octet 300"),
        (lambda net: net.add_host("pc3", ip="198.18.0.3/24", gateway=5), "pc3: gateway 5 is no address"),
        (lambda net: net.add_host("pc3", ip="198.18.0.3/24", gateway="x"), "pc3: gateway 'x': Expected 4 octets"),
    ],
)
def test_ends_addresses_and_gateways_of_the_wrong_kind_are_network_errors(make, said):
    """net.link(1, 2) was an AttributeError, and ip=5 or a bare address made a /32 host the file refuses."""
    from lanlab.sim import NetworkError

    net = lan()
    with pytest.raises(NetworkError, match=re.escape(said)):
        make(net)
    assert sorted(net.nodes) == ["pc1", "pc2", "sw1"] and len(net.links) == 2


def test_a_command_that_is_not_text_is_a_command_error():
    """net.do(5) says a command is --do words (shlex read the number as a stream: AttributeError)."""
    with pytest.raises(
        CommandError, match=re.escape("a command is text in --do words, like 'at 1s pc1 ping pc2' (not 5)")
    ):
        lan().do(5)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((5,), "a network's name is text, like lab1 (not 5)"),
        (("x", "a"), "a seed is a whole number, like 1 or -7 (not 'a')"),
        (("x", 1.5), "a seed is a whole number, like 1 or -7 (not 1.5)"),
        (("x", True), "a seed is a whole number, like 1 or -7 (not True)"),
    ],
)
def test_a_network_takes_a_text_name_and_a_whole_seed(args, said):
    """Network(5) and seed='a' or 1.5 were taken by pure Python (the compiled engine refused them with
    mypyc's own TypeError); both builds now say the same one line."""
    from lanlab.sim import NetworkError

    with pytest.raises(NetworkError, match=re.escape(said)):
        Network(*args)
    assert Network("x", -7).engine.seed == -7


def test_building_pauses_the_collector_and_gives_it_back_as_it_was():
    """net.building() disables the cyclic GC inside (its full passes cost most of a big build) and restores
    it after, an exception included; a collector the caller had disabled stays disabled; from_yaml uses it."""
    import gc

    from lanlab.sim import Network

    net = Network("bulk")
    assert gc.isenabled()
    with net.building():
        assert not gc.isenabled()
        net.add_host("pc1", ip="198.18.0.1/24")
    assert gc.isenabled() and "pc1" in net.nodes
    with pytest.raises(RuntimeError), net.building():
        raise RuntimeError("a mistake half way")
    assert gc.isenabled()
    gc.disable()
    try:
        with net.building():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    Network.from_yaml(Path(__file__).resolve().parents[2] / "examples" / "arp.yaml")
    assert gc.isenabled()
