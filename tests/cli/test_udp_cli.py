"""`lanlab udp` from the command line, on loopback: output, JSON shapes, exit codes, errors."""

from __future__ import annotations

import json
import socket

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
    assert sorted(event) == ["event", "from", "port", "replied", "size", "text", "time"]  # no text-line dressing


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
