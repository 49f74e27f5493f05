"""--do "NODE tcp serve ...": messages framed as `lanlab tcp serve` frames them (proto.line_framing)."""

from __future__ import annotations

import socket
import time

import pytest

from simnets import one_switch as lan

from lanlab.sim import Network


def served(net: Network) -> list[str]:
    """The texts of the messages the server on pc1 logged."""
    return [event["text"] for event in net.commands[0].as_dict()["result"]["events"] if event["event"] == "message"]


def test_utf16_lines_are_one_message_each_and_the_replies_read_in_utf16():
    """tcp serve --encoding utf-16: each line one message, each reply a UTF-16 line. It split on the byte
    0a (logging a bogus "\\x00" message) and sent the reply's byte order mark and a one-byte newline."""
    net = lan("pc1", "pc2")
    net.do("pc1 tcp serve --encoding utf-16")
    client = net.do("at 1s pc2 tcp connect pc1 7788 --send hi --send 你好 --encoding utf-16")
    net.run(3)
    assert served(net) == ["hi", "你好"]
    assert [r["text"] for r in client.as_dict()["result"]["received"]] == ["thank YOU!\n", "thank YOU!\n"]


def sender(pieces: list[tuple[float, bytes]], received: list[bytes], read_after: float = 0.0) -> None:
    """Send each piece after its pause; `read_after` seconds later read until the server is quiet a second."""
    conn = socket.create_connection(("198.18.0.1", 7788))
    for pause, piece in pieces:
        time.sleep(pause)
        conn.sendall(piece)
    time.sleep(read_after)
    conn.settimeout(1)
    try:
        while data := conn.recv(65536):
            received.append(data)
    except socket.timeout:
        pass
    conn.close()


def test_a_line_in_two_reads_is_one_message_answered_once():
    """ "x\\nhel" then, 0.1 s later, "lo\\n": two messages, x and hello, two reply lines (each read's rest was
    answered as a message: "hel" and "lo" got three replies in all)."""
    net = lan("pc1", "pc2")
    net.do("pc1 tcp serve")
    received: list[bytes] = []
    net.node("pc2").run(sender, [(1.0, b"x\nhel"), (0.1, b"lo\n")], received)
    net.run(4)
    assert served(net) == ["x", "hello"]
    assert b"".join(received) == b"thank YOU!\nthank YOU!\n"


def test_a_start_of_a_line_the_sender_leaves_quiet_is_a_message_of_its_own():
    """ "x\\nhel" then "lo\\n" a second later: "x" at once, "hel" after the half-second quiet (answered
    without a newline), and the "lo\\n" that ends it is a message whose newline only ends that answer."""
    net = lan("pc1", "pc2")
    net.do("pc1 tcp serve")
    received: list[bytes] = []
    net.node("pc2").run(sender, [(1.0, b"x\nhel"), (1.0, b"lo\n")], received)
    net.run(5)
    assert served(net) == ["x", "hel", "lo"]
    assert b"".join(received) == b"thank YOU!\nthank YOU!thank YOU!\n"


@pytest.mark.parametrize("late", [1, 3, 7])
def test_a_held_line_is_answered_whenever_the_quiet_ends(late):
    """A held start is answered at the end of its quiet, whatever the instant: the shim rounds a timeout
    down to whole ns, the quiet was found not over, and a timeout of 0 made the read non-blocking (the
    connection ended with EAGAIN and the held line was never answered)."""
    net = lan("pc1", "pc2")
    net.do("pc1 tcp serve")
    received: list[bytes] = []
    net.node("pc2").run(sender, [(1.0 + late * 0.0000137, b"x\nhel"), (1.0, b"lo\n")], received)
    net.run(5)
    assert served(net) == ["x", "hel", "lo"]
    assert b"".join(received) == b"thank YOU!\nthank YOU!thank YOU!\n"


def test_echo_to_a_reader_slower_than_the_quiet_loses_nothing():
    """tcp serve --mode echo, a line's start held while the echo waits 2 s for a reader (past the quiet):
    every byte comes back, the send not cut short by the read's timeout."""
    net = lan("pc1", "pc2")
    net.do("pc1 tcp serve --mode echo")
    data = b"x\nhel" + b"y" * 600_000
    received: list[bytes] = []
    net.node("pc2").run(sender, [(0.0, data)], received, 2.0)
    net.run(8)
    assert b"".join(received) == data
