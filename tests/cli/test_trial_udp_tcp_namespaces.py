"""A hostile user's trial of `lanlab udp` and `lanlab tcp`, between network namespaces on a bridge
(198.18.0.0/24, no default route): each test is a defect the trial found, checked against the real
kernel and, where they say something, socat and ncat as third-party peers.

Every test makes its own namespaces (the `lan` fixture) and skips where they cannot be made."""

from __future__ import annotations

import json
import shutil
import signal
import sys
import textwrap
import threading
import time

import pytest

from running import Running

pytestmark = pytest.mark.netns

# A client written with the standard library alone, run by this interpreter in a namespace: it pipelines
# LINES lines on each of CLIENTS connections at once, in writes of 997 bytes a millisecond apart (so
# reads end inside lines, as TCP's segments do), half-closes, and prints what came back as JSON.
PIPELINING_CLIENT = textwrap.dedent(
    """
    import json, socket, sys, threading, time
    host, port, clients, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    got = {}
    def one(i):
        s = socket.create_connection((host, port), timeout=30)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload = b"".join(b"client %d line %d \\xe4\\xbd\\xa0\\n" % (i, j) for j in range(lines))
        for start in range(0, len(payload), 997):
            s.sendall(payload[start : start + 997])
            time.sleep(0.001)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
        got[i] = data.decode("latin-1")
    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(json.dumps(got))
    """
)


def serve(ns, *args):
    return Running("tcp", "serve", "--port", "0", *args, ns=ns)


def test_reply_mode_answers_each_pipelined_line_once_whatever_the_reads(lan):
    """50 clients each pipelining 2000 lines: every client gets exactly 2000 reply lines. A line
    TCP delivered in two reads got two answers (b'thank YOU!' for its start, then a reply line)."""
    client, server = lan(2).hosts
    with serve(server) as running:
        done = client.python("-c", PIPELINING_CLIENT, server.ip, str(running.port), "50", "2000", timeout=120)
        running.stop()
    replies = json.loads(done.stdout)
    assert len(replies) == 50
    assert all(data == "thank YOU!\n" * 2000 for data in replies.values()), {
        i: len(data) for i, data in replies.items() if data != "thank YOU!\n" * 2000
    }
    assert "Traceback" not in running.stderr


def test_a_line_start_is_answered_when_the_sender_pauses_or_half_closes(lan):
    """b'a\\nb' then silence: 'a' is a line, 'b' a message without a newline, answered after a pause;
    a newline after an answered message only ends its reply line; what is held at EOF is answered."""
    code = textwrap.dedent(
        """
        import socket, sys, time
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
        def read(n):
            data = b""
            while len(data) < n:
                data += s.recv(n - len(data))
            return data
        s.sendall(b"a\\nb")
        started = time.monotonic()
        print(read(11), read(10), time.monotonic() - started >= 0.3)
        s.sendall(b"\\n")
        print(read(1))
        s.sendall(b"c\\nd")
        s.shutdown(socket.SHUT_WR)
        rest = b""
        while chunk := s.recv(100):
            rest += chunk
        print(rest)
        """
    )
    client, server = lan(2).hosts
    with serve(server, "--json") as running:
        done = client.python("-c", code, server.ip, str(running.port))
        running.stop()
    assert done.stdout.splitlines() == [
        "b'thank YOU!\\n' b'thank YOU!' True",
        "b'\\n'",
        "b'thank YOU!\\nthank YOU!'",
    ]
    texts = [event["text"] for event in map(json.loads, running.stdout.splitlines()) if event["event"] == "message"]
    assert texts == ["a", "b", "c", "d"]


def test_the_notes_client_still_gets_its_answer_at_once(lan):
    """A read without a newline (the note's client sends one and waits) is answered at once, as before."""
    code = (
        "import socket,sys,time; s=socket.create_connection((sys.argv[1], int(sys.argv[2]))); "
        "t=time.monotonic(); s.send('你好'.encode()); print(s.recv(1024), time.monotonic()-t < 0.3)"
    )
    client, server = lan(2).hosts
    with serve(server) as running:
        done = client.python("-c", code, server.ip, str(running.port))
        running.stop()
    assert done.stdout == "b'thank YOU!' True\n"


def test_chat_relays_a_last_line_without_newline_when_its_sender_closes(lan):
    """`printf 'hi\\nbye' | tcp connect` to a chat room: 'bye' was lost (only complete lines were relayed)."""
    listener, talker, server = lan(3).hosts
    with serve(server, "--mode", "chat") as running:
        port = str(running.port)
        reader = listener.popen(
            sys.executable, "-m", "lanlab", "tcp", "connect", server.ip, port, "--send", "here", "--wait", "3",
            stdout=-1, stderr=-1, text=True,
        )  # fmt: skip
        running.expect("here")
        sent = talker.lanlab("tcp", "connect", server.ip, port, input="大家好\nno newline at the end")
        heard, _ = reader.communicate(timeout=10)
        running.stop()
    assert sent.returncode == 0, sent.stderr
    assert (reader.returncode, heard) == (0, "大家好\nno newline at the end\n")
    assert "no newline at the end" in running.stdout


def test_utf16_client_and_server_answer_each_line_once_without_a_traceback(lan):
    """--encoding utf-16: the client died on its first reply ("UTF-16 stream does not start with BOM",
    a traceback, nothing printed, exit 0); the server cut lines at any 0a byte, answered one line twice
    and ended its reply lines with a one-byte newline."""
    client, server = lan(2).hosts
    with serve(server, "--encoding", "utf-16") as running:
        done = client.lanlab(
            "tcp", "connect", server.ip, str(running.port), "--encoding", "utf-16", "--send", "你好", "--send", "ਊĀ two"
        )
        piped = client.lanlab("tcp", "connect", server.ip, str(running.port), "--encoding", "utf-16", input="a\nb\n")
        running.stop()
    assert (done.returncode, done.stdout, done.stderr) == (0, "thank YOU!\nthank YOU!\n", "")
    assert (piped.returncode, piped.stdout) == (0, "thank YOU!\nthank YOU!\n")
    assert "  你好" in running.stdout and "  ਊĀ two" in running.stdout and "\\x00" not in running.stdout


@pytest.mark.skipif(shutil.which("socat") is None, reason="needs socat")
def test_utf16_client_reads_a_server_that_writes_no_byte_order_mark(lan, tmp_path):
    """socat answering in UTF-16LE without a BOM, as most servers do: shown, not a traceback."""
    client, server = lan(2).hosts
    greeting = tmp_path / "greeting"
    greeting.write_bytes("欢迎\n".encode("utf-16-le"))
    proc = server.popen("socat", "-u", f"OPEN:{greeting},rdonly", "TCP-LISTEN:7788,reuseaddr")
    try:
        deadline = time.monotonic() + 5
        while not server.run("ss", "-ltnH", "sport = :7788").stdout.strip() and time.monotonic() < deadline:
            time.sleep(0.05)
        done = client.lanlab("tcp", "connect", server.ip, "7788", "--encoding", "utf-16", "--wait", "1", input="")
    finally:
        proc.kill()
        proc.wait()
    assert (done.returncode, done.stdout, done.stderr) == (0, "欢迎\n", "")


@pytest.mark.parametrize("name", ["idna", "punycode"])
def test_an_encoding_without_escapes_is_refused_before_connecting(lan, name):
    """`tcp connect --encoding idna` hung for ever after a transport error; `udp send` gave a traceback."""
    client, server = lan(2).hosts
    with serve(server) as running:
        tcp = client.lanlab("tcp", "connect", server.ip, str(running.port), "--encoding", name, "--send", "hi")
        udp = client.lanlab("udp", "send", server.ip, "7788", "hi", "--encoding", name, "--wait", "0.2")
        running.stop()
    for done in (tcp, udp):
        assert done.returncode == 2
        assert "cannot show the bytes a peer sends" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(shutil.which("socat") is None or shutil.which("ncat") is None, reason="needs socat and ncat")
def test_half_close_lets_the_server_answer_after_our_input_ends_as_with_ncat(lan):
    """At the end of stdin the client shuts its write side and prints what the server says after
    (socat's `wc -c; echo bye` answers only once it read EOF), as ncat does."""
    client, server = lan(2).hosts
    outputs = {}
    for name, port in (("lanlab", 7788), ("ncat", 7789)):
        proc = server.popen("socat", "-t", "5", f"TCP-LISTEN:{port},reuseaddr", "SYSTEM:'wc -c; echo bye'")
        try:
            deadline = time.monotonic() + 5
            while not server.run("ss", "-ltnH", f"sport = :{port}").stdout.strip() and time.monotonic() < deadline:
                time.sleep(0.05)
            if name == "lanlab":
                done = client.lanlab("tcp", "connect", server.ip, str(port), input="hello\nworld\n")
            else:
                done = client.run("ncat", server.ip, str(port), input="hello\nworld\n", check=False)
        finally:
            proc.kill()
            proc.wait()
        outputs[name] = (done.returncode, done.stdout.split())
    assert outputs["lanlab"] == outputs["ncat"] == (0, ["12", "bye"])


def test_tcp_connect_to_a_group_or_the_broadcast_address_says_why(lan):
    """It said "network is unreachable (no route to it; see `ip route`)", sending people to their routes."""
    (client,) = lan(1).hosts
    for address in ("239.1.2.3", "255.255.255.255"):
        done = client.lanlab("tcp", "connect", address, "7788", "--send", "x")
        assert done.returncode == 2
        assert "TCP connects to one host" in done.stderr and "udp" in done.stderr
    # the subnet's broadcast: the kernel's connect says ENETUNREACH, and the line names broadcast beside routes
    done = client.lanlab("tcp", "connect", "198.18.0.255", "7788", "--send", "x")
    assert done.returncode == 2 and "or a subnet's broadcast address" in done.stderr, done.stderr


def test_a_responder_survives_a_datagram_it_cannot_answer(lan):
    """A datagram from an address with no route back (forged, or a misconfigured host) stopped
    `udp listen --reply` with a traceback (sendto: Network is unreachable); now it says so and goes on."""
    client, server = lan(2).hosts
    client.run("ip", "addr", "add", "198.18.9.1/32", "dev", "eth0")
    with Running("udp", "listen", "--port", "0", "--reply", "pong", ns=server) as listener:
        port = str(listener.port)
        client.lanlab("udp", "broadcast", "--source", "198.18.9.1", "--to", server.ip, "--port", port, "--wait", "0.2")
        listener.expect("not answered")
        answered = client.lanlab("udp", "send", server.ip, port, "still there?", "--wait", "2")
        assert listener.stop() == 0
    assert answered.returncode == 0 and "pong" in answered.stdout
    assert "198.18.9.1" in listener.stdout and "network is unreachable" in listener.stdout
    assert "Traceback" not in listener.stderr


def test_a_responders_json_says_why_it_did_not_answer(lan):
    client, server = lan(2).hosts
    client.run("ip", "addr", "add", "198.18.9.1/32", "dev", "eth0")
    with Running("udp", "listen", "--port", "0", "--echo", "--json", ns=server) as listener:
        port = str(listener.port)
        client.lanlab("udp", "broadcast", "--source", "198.18.9.1", "--to", server.ip, "--port", port, "--wait", "0.2")
        line = listener.expect("datagram")
        listener.stop()
    event = json.loads(line)
    assert event["replied"] is None and "network is unreachable" in event["unanswered"]


def test_broadcast_with_no_interval_still_hears_the_replies(lan):
    """--interval 0 --expect 2: the replies were never read (each wait ran out before looking), so it
    broadcast --count times with nobody heard; now it stops at the second reply."""
    sender, *hosts = lan(3).hosts
    listeners = [Running("udp", "listen", "--reply", "here", ns=host) for host in hosts]
    try:
        started = time.monotonic()
        done = sender.lanlab(
            "udp", "broadcast", "--to", "198.18.0.255", "--count", "100000", "--interval", "0", "--wait", "0",
            "--expect", "2", "--json", timeout=60,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    finally:
        for listener in listeners:
            listener.stop()
    document = json.loads(done.stdout)
    assert done.returncode == 0 and len(document["replies"]) >= 2
    assert document["sent"] < 100000 and elapsed < 30


@pytest.mark.parametrize("command", [["broadcast", "--to", "198.18.0.255"], ["send", "198.18.0.2", "7788", "x"]])
def test_sigterm_ends_a_wait_with_the_replies_so_far(lan, command):
    """`timeout 3 lanlab udp broadcast --wait 10 --json` printed nothing (SIGTERM killed it): now
    SIGTERM is Ctrl-C, the document so far and exit 1 (nobody answered)."""
    sender, _ = lan(2).hosts
    proc = sender.popen(
        sys.executable, "-m", "lanlab", "udp", *command, "--wait", "30", "--json", stdout=-1, stderr=-1, text=True
    )
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1, err
    assert json.loads(out) == {"sent": 1, "replies": []}


def test_a_group_listener_without_a_route_says_what_to_do(lan):
    """`udp listen --group` on a host without a default route said "no such network interface (see
    `ip link`)"; --bind eth0 gave Python's "illegal IP address string passed to inet_aton"."""
    (host,) = lan(1).hosts
    unrouted = host.lanlab("udp", "listen", "--group", "239.1.2.3", "--count", "1")
    assert unrouted.returncode == 2
    [line] = unrouted.stderr.splitlines()
    assert "--bind" in line and "ip route add 224.0.0.0/4" in line
    named = host.lanlab("udp", "listen", "--group", "239.1.2.3", "--bind", "eth0", "--count", "1")
    assert named.returncode == 2 and "--bind eth0 is not an IPv4 address" in named.stderr


@pytest.mark.parametrize("how", [["--interface", "eth0"], ["--source", "198.18.0.1"]])
def test_send_to_a_group_works_without_routes_given_where_it_leaves(lan, how):
    """The help's `udp send 239.1.2.3 5000 hello` could not work on a host without a default route,
    and nothing said how; --interface and --source (as broadcast has) choose the way out."""
    sender, member = lan(2).hosts
    with Running(
        "udp", "listen", "--group", "239.1.2.3", "--bind", member.ip, "--port", "5000", "--reply", "joined", ns=member
    ) as listener:
        unrouted = sender.lanlab("udp", "send", "239.1.2.3", "5000", "hello", "--wait", "0.3")
        done = sender.lanlab("udp", "send", "239.1.2.3", "5000", "hello", *how, "--wait", "2", "--json")
        listener.stop()
    assert unrouted.returncode == 2 and "--interface IF or --source ADDR" in unrouted.stderr
    assert done.returncode == 0, done.stderr
    [reply] = json.loads(done.stdout)["replies"]
    assert (reply["from"], reply["port"], reply["text"]) == (member.ip, 5000, "joined")


def test_send_to_a_subnet_broadcast_points_to_udp_broadcast(lan):
    """EACCES said "a port below 1024 needs root; ...", though no port was bound."""
    (sender,) = lan(1).hosts
    done = sender.lanlab("udp", "send", "198.18.0.255", "7788", "hi")
    assert done.returncode == 2
    assert done.stderr == (
        "lanlab: 198.18.0.255 is a broadcast address: send to it with `lanlab udp broadcast --to 198.18.0.255`\n"
    )


@pytest.mark.skipif(shutil.which("socat") is None, reason="needs socat")
def test_a_peer_that_does_not_read_stops_our_input_instead_of_growing_us(lan):
    """`cat big | tcp connect` to a peer that never reads: the client read all of stdin into its send
    buffer (572 MB resident for a 300 MB pipe). Now it stops reading its input, as ncat does: what the
    pipe takes is bounded by the kernel's buffers, whatever the size of the input."""
    client, server = lan(2).hosts
    peer = server.popen("socat", "TCP-LISTEN:7788,reuseaddr", "SYSTEM:'sleep 30'")
    try:
        deadline = time.monotonic() + 5
        while not server.run("ss", "-ltnH", "sport = :7788").stdout.strip() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc = client.popen(
            sys.executable, "-m", "lanlab", "tcp", "connect", server.ip, "7788", stdin=-1, stdout=-3, stderr=-3
        )
        written = 0
        chunk = b"x" * 99 + b"\n"
        chunk *= 10_000  # 1 MB of lines

        def feed():
            nonlocal written
            try:
                while written < 300_000_000:
                    proc.stdin.write(chunk)
                    proc.stdin.flush()
                    written += len(chunk)
            except (BrokenPipeError, ValueError, OSError):
                pass

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        time.sleep(4)
        taken = written
        proc.kill()
        proc.wait()
        feeder.join(5)
    finally:
        peer.kill()
        peer.wait()
    assert taken < 64_000_000, f"the client took {taken:,} bytes of input from a peer that reads nothing"
