"""`lanlab udp` from the command line, on loopback: output, JSON shapes, exit codes, errors."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from running import Running, lanlab


@pytest.fixture
def replier():
    """`lanlab udp listen --reply "thank YOU!"` on a free loopback port, gb2312 for display."""
    with Running(
        "udp", "listen", "--port", "0", "--bind", "127.0.0.1", "--reply", "thank YOU!", "--encoding", "gb2312"
    ) as running:
        yield running


def test_listen_prints_each_datagram_and_answers_with_reply(replier):
    """send --wait gets the reply and exits 0; listen logs sender, size and gb2312 text."""
    sent = lanlab("udp", "send", "127.0.0.1", str(replier.port), "你好", "--encoding", "gb2312", "--wait", "2")
    assert sent.returncode == 0, sent.stderr
    assert f"reply from 127.0.0.1:{replier.port}" in sent.stdout
    assert "thank YOU!" in sent.stdout
    assert replier.stop() == 0
    assert "4 B  你好  -> answered 10 B" in replier.stdout
    assert replier.stderr == "received 1 datagram\n"


def test_send_json_is_the_documented_document(replier):
    """--json prints {"sent": 1, "replies": [{"from", "port", "text", "rtt_ms"}]}."""
    sent = lanlab("udp", "send", "127.0.0.1", str(replier.port), "hi", "--wait", "2", "--json")
    document = json.loads(sent.stdout)
    assert document["sent"] == 1
    [reply] = document["replies"]
    assert set(reply) == {"from", "port", "text", "rtt_ms"}
    assert (reply["from"], reply["port"], reply["text"]) == ("127.0.0.1", replier.port, "thank YOU!")


def test_send_with_wait_and_no_answer_exits_1():
    """Nobody answering within --wait: exit status 1 and an empty reply list."""
    with Running("udp", "listen", "--port", "0", "--bind", "127.0.0.1") as silent:
        sent = lanlab("udp", "send", "127.0.0.1", str(silent.port), "x", "--wait", "0.2", "--json")
    assert sent.returncode == 1
    assert json.loads(sent.stdout) == {"sent": 1, "replies": []}


def test_listen_echo_count_and_json_lines():
    """--echo answers with the datagram itself, --count 1 stops, --json gives event lines."""
    with Running("udp", "listen", "--port", "0", "--bind", "127.0.0.1", "--echo", "--count", "1", "--json") as echo:
        sent = lanlab("udp", "send", "127.0.0.1", str(echo.port), "é\x01ÿ", "--wait", "2", "--json")
        assert echo.wait() == 0
    assert json.loads(sent.stdout)["replies"][0]["text"] == "é\x01ÿ"
    event = json.loads(echo.stdout.splitlines()[0])
    assert event["event"] == "datagram" and event["from"] == "127.0.0.1"
    assert (event["size"], event["text"], event["replied"]) == (5, "é\x01ÿ", "é\x01ÿ")
    assert sorted(event) == ["event", "from", "port", "replied", "size", "text", "time", "unanswered"]  # no dressing
    assert event["unanswered"] is None


def test_a_listener_does_not_answer_a_datagram_from_a_port_that_answers():
    """--reply leaves unanswered a datagram from its own port (another responder's answer: two listeners on
    7788 answered each other for ever) and one from echo's port 7, saying why; a client's port gets the reply."""
    with Running(
        "udp", "listen", "--port", "0", "--bind", "127.0.0.1", "--reply", "hi", "--count", "3", "--json"
    ) as listener:
        for source_port in (listener.port, 7, 0):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
                peer.bind(("127.0.0.3", source_port))
                peer.settimeout(0.5)
                peer.sendto(b"x", ("127.0.0.1", listener.port))
                try:
                    answered = peer.recv(10)
                except TimeoutError:
                    answered = None
            assert answered == (b"hi" if source_port == 0 else None), source_port
        assert listener.wait() == 0
    events = [json.loads(line) for line in listener.stdout.splitlines()]
    assert [(e["replied"], e["unanswered"]) for e in events] == [
        (None, f"not answered: it comes from port {listener.port}, where a responder answers"),
        (None, "not answered: it comes from port 7, where a responder answers"),
        ("hi", None),
    ]


def test_send_shows_a_reply_escaped_never_obeyed():
    """A reply holding an escape sequence, a newline, a carriage return and a bidi override is shown on one
    line with them escaped: a responder could clear the screen, set the title or forge a line before."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as responder:
        responder.bind(("127.0.0.1", 0))
        port = responder.getsockname()[1]
        sender = subprocess.Popen(
            [sys.executable, "-m", "lanlab", "udp", "send", "127.0.0.1", str(port), "Hi", "--wait", "1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        responder.settimeout(10)
        _, peer = responder.recvfrom(10)
        responder.sendto("A\x1b[2J\x1b]0;T\x07B\u202eC\nreply from 1.2.3.4\r".encode(), peer)
        out, _ = sender.communicate(timeout=20)
    assert sender.returncode == 0
    [line] = [line for line in out.splitlines() if line.startswith("reply from")]
    assert line.endswith(": A\\x1b[2J\\x1b]0;T\\x07B\\u202eC\\nreply from 1.2.3.4\\r")


def test_listen_shows_undecodable_bytes_and_control_characters_escaped():
    """Bytes invalid in the encoding and terminal escapes are printed escaped, one line each."""
    with Running(
        "udp", "listen", "--port", "0", "--bind", "127.0.0.1", "--encoding", "ascii", "--count", "1"
    ) as listener:
        lanlab("udp", "send", "127.0.0.1", str(listener.port), "é\x1b[31m\nx")
        assert listener.wait() == 0
    assert "\\xc3\\xa9\\x1b[31m\\nx" in listener.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["listen", "--reply", "a", "--echo"], "choose one"),
        (["listen", "--group", "10.0.0.1"], "not a multicast address"),
        (["send", "127.0.0.1", "9", "x", "--encoding", "klingon"], "unknown encoding"),
        (["send", "127.0.0.1", "9", "é", "--encoding", "ascii"], "cannot be written in ascii"),
        (["send", "no.such.host.invalid", "9", "x"], "cannot resolve no.such.host.invalid"),
        (["send", "::1", "9", "x"], "::1 has no IPv4 address: lanlab speaks IPv4"),
        (["send", "127.0.0.1", "9", "x" * 65508, "--wait", "0"], "at most 65,507 bytes"),
        (["broadcast", "--interface", "lo", "--source", "127.0.0.1"], "give one"),
        (["broadcast", "--wait", "soon"], "not a number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    """Contradictory or invalid options end with exit status 2 and a one-line message."""
    result = CliRunner().invoke(cli, ["udp", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_listen_on_a_busy_port_says_what_to_do():
    """A port already taken: one line suggesting another --port, exit 2."""
    with Running("udp", "listen", "--port", "0", "--bind", "127.0.0.1") as first:
        second = lanlab("udp", "listen", "--port", str(first.port), "--bind", "127.0.0.1")
    assert second.returncode == 2
    assert second.stderr.strip().count("\n") == 0
    assert "already in use; pick another --port" in second.stderr


def test_help_teaches_with_an_example():
    """Each udp subcommand's --help has an example command line."""
    for sub in ("listen", "send", "broadcast"):
        result = CliRunner().invoke(cli, ["udp", sub, "--help"])
        assert result.exit_code == 0 and "lanlab udp " + sub in result.output


def test_listen_previews_a_large_datagram_like_tcp_serve():
    """A 65,507-byte datagram is logged as its first 200 bytes and a count of the rest."""
    with Running("udp", "listen", "--port", "0", "--bind", "127.0.0.1", "--count", "1") as listener:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"x" * 65507, ("127.0.0.1", listener.port))
        assert listener.wait() == 0
    [line] = listener.stdout.splitlines()
    assert line.endswith("65507 B  " + "x" * 200 + "... (+65307 bytes)")


@pytest.mark.parametrize("as_json", [False, True])
def test_listen_escapes_c1_controls_and_unicode_formatting(as_json):
    """CSI (0x9b), NEL (0x85), U+2028 and U+202E are escaped in the log line; in JSON they are
    \\u escapes and the text reads back unchanged."""
    text = "a\x9b2Jb\x85c\u2028d\u202eevil"
    with Running(
        "udp", "listen", "--port", "0", "--bind", "127.0.0.1", "--count", "1", *(["--json"] if as_json else [])
    ) as listener:
        lanlab("udp", "send", "127.0.0.1", str(listener.port), text)
        assert listener.wait() == 0
    [line] = listener.stdout.splitlines()
    assert not any(char in line for char in "\x9b\x85\u2028\u202e")
    if as_json:
        assert json.loads(line)["text"] == text
    else:
        assert line.endswith(r"a\x9b2Jb\x85c\u2028d\u202eevil")


def test_the_broadcast_table_shows_replies_escaped_and_without_markup(capsys):
    """A responder's reply in `udp broadcast`'s table: [bold] stays text (rich read it as markup) and an
    escape sequence that would clear the screen is shown escaped."""
    from lanlab.cli.udp import _report
    from lanlab.net.udp import Exchange, UdpReply

    _report(Exchange(1, [UdpReply("198.18.0.2", 7788, b"[bold]hi\x1b[2J", 1.0)]), "utf-8", False, table=True)
    out = capsys.readouterr().out
    assert "[bold]hi\\x1b[2J" in out and "\x1b" not in out


def test_a_group_joined_on_an_address_this_host_lacks_says_so():
    """`udp listen --group G --bind ADDR` with an ADDR no interface has: the line names ADDR as not this host's
    (it told the user to give the --bind they had given, and blamed a missing default route)."""
    done = lanlab("udp", "listen", "--group", "239.1.2.3", "--bind", "198.18.9.9", "--count", "1")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("lanlab: cannot join 239.1.2.3 on 198.18.9.9: no interface of this host has that address")
    assert "default route" not in line


def test_listening_on_a_group_address_without_joining_it_says_to_give_group():
    """udp listen --bind 239.1.2.3 without --group bound the group's address and heard nothing (the host never
    joined); it says to give --group, exit 2."""
    done = lanlab("udp", "listen", "--bind", "239.1.2.3", "--port", "0", "--count", "1", timeout=10)
    assert done.returncode == 2 and "listening" not in done.stdout
    [line] = done.stderr.splitlines()
    assert "give --group 239.1.2.3" in line


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare")
@pytest.mark.parametrize("route", ["", "ip route add default dev lo && "])
@pytest.mark.parametrize("host", ["'<broadcast>'", "255.255.255.255"])
def test_send_to_the_limited_broadcast_points_to_udp_broadcast_with_an_address_it_takes(route, host):
    """udp send to the note's '<broadcast>' (Python's name for 255.255.255.255) or to 255.255.255.255 says to use
    `udp broadcast --to 255.255.255.255`, with or without a default route (it said `--to <broadcast>`, which
    --to refuses, and without a route 'network is unreachable ... see ip route'). In a namespace of its own:
    the kernel refuses the datagram, nothing leaves."""
    command = f"ip link set lo up && {route}{sys.executable} -m lanlab udp send {host} 7788 hi"
    done = subprocess.run(["unshare", "-n", "sh", "-c", command], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.endswith(
        " is a broadcast address: send to it with `lanlab udp broadcast --to 255.255.255.255`\n"
    )


@pytest.mark.parametrize("command", [("udp", "listen"), ("tcp", "serve")])
def test_bind_takes_the_address_without_the_spaces_around_it_and_refuses_a_port(command):
    """--bind " 127.0.0.1" (a quoted variable with a space) listens on 127.0.0.1: it was looked up as a name,
    and "cannot resolve 127.0.0.1" blamed the address; --bind 127.0.0.1:80 says the port goes to --port."""
    with Running(*command, "--bind", " 127.0.0.1 ", "--port", "0") as listener:
        assert listener.first_line.startswith(f"listening on {command[0]} 127.0.0.1:")
        listener.stop()
    done = lanlab(*command, "--bind", "127.0.0.1:80", "--port", "0", timeout=10)
    assert done.returncode == 2
    assert "'127.0.0.1:80' has a port; give the address alone (127.0.0.1) and the port with --port" in done.stderr


def test_to_broadcast_as_the_note_writes_it_says_which_address_it_is():
    """--to '<broadcast>' (the note's sendto address, copied) is refused before anything is sent, with the
    address it stands for (it said only "not an IPv4 address like 198.18.0.255")."""
    result = CliRunner().invoke(cli, ["udp", "broadcast", "--to", "<broadcast>"])
    assert result.exit_code == 2
    assert "'<broadcast>' is Python's name for 255.255.255.255" in result.output
