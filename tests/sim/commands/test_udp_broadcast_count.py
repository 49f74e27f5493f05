"""--do "NODE udp broadcast" takes `lanlab udp broadcast`'s --count and --interval and exits as it does: K
datagrams an interval apart, replies collected meanwhile and for --wait after the last, "sent": K in the result;
no answer is exit status 1 with --wait 0 too."""

from __future__ import annotations

from simnets import one_switch as lan

from lanlab.sim.commands import schedule


def test_count_sends_that_many_an_interval_apart_and_waits_after_the_last():
    """--count 3 --interval 0.5: the listener hears three datagrams 0.5 s apart; each round trip counts from the
    latest datagram; the sender stops --wait after the third, and its result says it sent 3."""
    net = lan("pc1", "pc2")
    heard = schedule(net, "pc2 udp listen 7788 --reply ok")
    sent = schedule(net, "at 1s pc1 udp broadcast Hi --count 3 --interval 0.5 --wait 1")
    net.run(5)
    times = [round(r["t"], 3) for r in heard.command.result()["received"]]
    assert times == [1.0, 1.5, 2.0]
    result = sent.command.result()
    assert result["sent"] == 3 and len(result["replies"]) == 3
    assert all(r["rtt_ms"] < 1 for r in result["replies"])
    assert not sent.cut_short() and sent.command.answered()


def test_expect_stops_the_sending_too():
    """--expect 1 with --count 5: the first reply ends it, and nothing more is sent (as exchange() breaks)."""
    net = lan("pc1", "pc2")
    heard = schedule(net, "pc2 udp listen 7788 --reply ok")
    sent = schedule(net, "at 1s pc1 udp broadcast Hi --count 5 --expect 1")
    net.run(10)
    assert sent.command.result()["sent"] == 1 and len(heard.command.result()["received"]) == 1


def test_a_broadcast_nobody_answers_is_no_answer_even_with_wait_0():
    """--wait 0 and no listener: "0 replies" and no answer (exit status 1), as `lanlab udp broadcast --wait 0`."""
    net = lan("pc1", "pc2")
    sent = schedule(net, "pc1 udp broadcast Hi --port 9 --wait 0")
    net.run(2)
    assert sent.command.answered() is False
    assert sent.lines() == ["0 replies"]


def test_an_interval_of_0_sends_the_count_at_one_instant_and_the_run_goes_on():
    """--count 3 --interval 0 (`lanlab udp broadcast` accepts 0): three datagrams at one instant, the sender stops
    --wait after them and the run goes on to its end."""
    net = lan("pc1", "pc2")
    heard = schedule(net, "pc2 udp listen 7788 --reply ok")
    sent = schedule(net, "at 1s pc1 udp broadcast Hi --count 3 --interval 0 --wait 1")
    net.run(5)
    times = [round(r["t"], 3) for r in heard.command.result()["received"]]
    assert times == [1.0, 1.0, 1.0]
    assert sent.command.result()["sent"] == 3
    assert not sent.cut_short() and sent.command.answered()
    assert net.now == 5 * 10**9
