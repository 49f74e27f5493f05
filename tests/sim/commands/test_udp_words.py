"""--do "NODE udp send|broadcast ...": what the sender collects in its wait."""

from __future__ import annotations

from simnets import one_switch as lan


def test_broadcast_expect_stops_at_that_many_replies():
    """udp broadcast --expect 2 keeps the first two of three replies and stops listening."""
    net = lan("pc1", "pc2", "pc3", "pc4")
    for name in ("pc2", "pc3", "pc4"):
        net.do(f"{name} udp listen 7788 --reply {name}")
    sent = net.do("at 1s pc1 udp broadcast Hi --expect 2 --wait 2s")
    net.run(5)
    replies = sent.as_dict()["result"]["replies"]
    assert len(replies) == 2 and {r["text"] for r in replies} < {"pc2", "pc3", "pc4"}


def test_broadcast_without_expect_keeps_every_reply_of_its_wait():
    """udp broadcast with no --expect collects every reply that arrives within --wait."""
    net = lan("pc1", "pc2", "pc3", "pc4")
    for name in ("pc2", "pc3", "pc4"):
        net.do(f"{name} udp listen 7788 --reply {name}")
    sent = net.do("at 1s pc1 udp broadcast Hi --wait 2s")
    net.run(5)
    assert sorted(r["text"] for r in sent.as_dict()["result"]["replies"]) == ["pc2", "pc3", "pc4"]


def test_send_collects_the_one_reply():
    """udp send to one host collects that host's reply (udp send has no --expect)."""
    net = lan("pc1", "pc2")
    net.do("pc2 udp listen 7788 --reply pong")
    sent = net.do("at 1s pc1 udp send pc2 7788 ping --wait 1s")
    net.run(5)
    assert [r["text"] for r in sent.as_dict()["result"]["replies"]] == ["pong"]


def test_send_to_a_broadcast_address_is_refused_as_linux_refuses_it():
    """udp send to the subnet's broadcast or 255.255.255.255 fails with EACCES and sends nothing, as `lanlab udp
    send` fails on Linux (a socket without SO_BROADCAST); the error says to use udp broadcast."""
    for address in ("198.18.0.255", "255.255.255.255"):
        net = lan("pc1", "pc2")
        net.do("pc2 udp listen 7788 --reply x")
        sent = net.do(f"at 1s pc1 udp send {address} 7788 hi --wait 1s")
        net.run(3)
        assert sent.as_dict()["result"] == {
            "error": f"sendto: Permission denied (EACCES): {address} is a broadcast address; "
            f"use udp broadcast --to {address}"
        }
        assert sum(link.frames for link in net.links) == 0
