"""`lanlab udp broadcast` (and multicast) between namespaces on a Linux bridge, never from the
machine's own namespace."""

from __future__ import annotations

import json

import pytest

from running import Running


@pytest.fixture
def responders(lan):
    """A sender (198.18.0.1) and two hosts answering on port 7788 with their own address."""
    sender, *hosts = lan(3).hosts
    running = [Running("udp", "listen", "--reply", f"here is {host.ip}", ns=host) for host in hosts]
    yield sender, hosts
    for listener in running:
        listener.stop()


def test_limited_broadcast_collects_every_responder_as_json(responders):
    """255.255.255.255 reaches both hosts; --expect 2 stops at the second reply; exit 0."""
    sender, hosts = responders
    sender.run("ip", "route", "add", "default", "dev", "eth0")
    result = sender.lanlab("udp", "broadcast", "Hi", "--expect", "2", "--wait", "5", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["sent"] == 1
    assert sorted((r["from"], r["port"], r["text"]) for r in document["replies"]) == sorted(
        (host.ip, 7788, f"here is {host.ip}") for host in hosts
    )
    assert all(set(r) == {"from", "port", "text", "rtt_ms"} and r["rtt_ms"] > 0 for r in document["replies"])


def test_without_a_default_route_the_error_says_what_to_do(responders):
    """No default route: exit 2 with one line naming --interface, --source and --to."""
    sender, _ = responders
    result = sender.lanlab("udp", "broadcast", "Hi", "--wait", "0.5")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "Network is unreachable" in line
    assert all(word in line for word in ("--interface", "--source", "--to"))


def test_with_the_interface_down_the_error_names_it(responders):
    """eth0 down takes the default route with it: the one line says eth0 is down and how to bring it up
    (it said the host has no default route); with --interface eth0 it says that interface is down."""
    sender, _ = responders
    sender.run("ip", "route", "add", "default", "dev", "eth0")
    sender.run("ip", "link", "set", "eth0", "down")
    result = sender.lanlab("udp", "broadcast", "Hi", "--wait", "0.5")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "interfaces are down: eth0;" in line and "`ip link set eth0 up`" in line
    chosen = sender.lanlab("udp", "broadcast", "Hi", "--interface", "eth0", "--wait", "0.5")
    assert (chosen.returncode, chosen.stderr) == (
        2,
        "lanlab: interface eth0 is down; bring it up with `ip link set eth0 up`\n",
    )


@pytest.mark.parametrize("how", [["--interface", "eth0"], ["--source", "198.18.0.1"], ["--to", "198.18.0.255"]])
def test_interface_source_or_subnet_broadcast_work_without_a_default_route(responders, how):
    """Each remedy the error names really works on a host without a default route."""
    sender, hosts = responders
    result = sender.lanlab("udp", "broadcast", *how, "--expect", "2", "--wait", "5")
    assert result.returncode == 0, result.stderr
    for host in hosts:
        assert host.ip in result.stdout and f"here is {host.ip}" in result.stdout
    assert "sent 1, 2 replies" in result.stdout


def test_count_sends_k_datagrams_and_each_is_answered(responders):
    """--count 2 --interval 0.1: sent 2, four replies (two hosts, twice)."""
    sender, _ = responders
    result = sender.lanlab(
        "udp", "broadcast", "--to", "198.18.0.255", "--count", "2", "--interval", "0.1", "--wait", "1", "--json"
    )
    document = json.loads(result.stdout)
    assert document["sent"] == 2 and len(document["replies"]) == 4


def test_nobody_answering_exits_1_after_wait(lan):
    """An empty subnet: exit status 1 and no replies."""
    sender, _ = lan(2).hosts
    result = sender.lanlab("udp", "broadcast", "--to", "198.18.0.255", "--wait", "0.3", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {"sent": 1, "replies": []}


def test_multicast_listener_answers_a_send_to_its_group(lan):
    """`udp listen --group` joins 239.1.2.3; `udp send` to the group gets its unicast reply."""
    sender, member = lan(2).hosts
    for host in (sender, member):
        host.run("ip", "route", "add", "224.0.0.0/4", "dev", "eth0")
    with Running("udp", "listen", "--group", "239.1.2.3", "--port", "5000", "--reply", "joined", ns=member) as listener:
        result = sender.lanlab("udp", "send", "239.1.2.3", "5000", "hello group", "--wait", "2", "--json")
        listener.stop()
    assert "(joined 239.1.2.3)" in listener.first_line
    assert json.loads(result.stdout)["replies"][0]["from"] == member.ip
    assert "hello group" in listener.stdout
