"""The TCP server in-process on loopback: each mode, and every bad client the issue names."""

from __future__ import annotations

import asyncio
import os
import socket
import struct

from lanlab.net import aio
from lanlab.net.tcp_server import MESSAGES_LOGGED_PER_SECOND, ServerSettings, TcpServer


class Recorder:
    """Collects the server's events as (event, fields) pairs."""

    def __init__(self):
        self.events = []

    def __call__(self, event, **fields):
        self.events.append((event, fields))

    def named(self, event):
        return [fields for name, fields in self.events if name == event]


def run_with_server(scenario, **settings):
    """Start a server on 127.0.0.1:<free>, run `scenario(port, recorder, server)`, close it."""
    recorder = Recorder()

    async def main():
        server = TcpServer(ServerSettings(host="127.0.0.1", port=0, **settings), recorder)
        _, port = await server.start()
        try:
            return await asyncio.wait_for(scenario(port, recorder, server), 20)
        finally:
            server.close()

    return aio.run(main()), recorder


async def read_until_closed(reader, limit=1 << 20):
    """Everything the server sends until it closes (or resets) the connection."""
    data = b""
    try:
        while chunk := await reader.read(limit):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def test_reply_mode_answers_each_message_like_the_note():
    """Without a newline the reply is exactly b'thank YOU!'; after a line it ends a line too."""

    async def scenario(port, recorder, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write("你好".encode())
        first = await reader.readexactly(10)
        writer.write(b"hello\n")
        second = await reader.readexactly(11)
        writer.close()
        return first, second

    (first, second), recorder = run_with_server(scenario)
    assert first == b"thank YOU!" and second == b"thank YOU!\n"
    assert [m["text"] for m in recorder.named("message")] == ["你好", "hello"]


def test_reply_mode_answers_each_line_even_when_lines_arrive_together():
    """Three lines in one segment get three replies and three log entries, in order."""

    async def scenario(port, recorder, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"one\ntwo\r\nthree\n")
        answers = await reader.readexactly(33)
        writer.close()
        return answers

    answers, recorder = run_with_server(scenario)
    assert answers == b"thank YOU!\n" * 3
    assert [m["text"] for m in recorder.named("message")] == ["one", "two", "three"]


def test_reply_mode_answers_a_flood_of_lines_but_logs_only_a_few_per_read():
    """5000 empty lines in one write: 5000 replies, but a bounded number of log entries."""

    async def scenario(port, recorder, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\n" * 5000)
        answers = await reader.readexactly(11 * 5000)
        writer.close()
        return answers

    answers, recorder = run_with_server(scenario)
    assert answers == b"thank YOU!\n" * 5000
    messages = recorder.named("message")
    assert len(messages) < 1000
    assert any(m["text"].startswith("... and ") for m in messages)


def test_reply_mode_logs_undecodable_text_escaped_and_keeps_serving():
    """Garbage bytes in gb2312 mode are logged as escapes; the client still gets its reply."""

    async def scenario(port, recorder, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\xff\xfe\x00garbage")
        answer = await reader.readexactly(10)
        writer.close()
        return answer

    answer, recorder = run_with_server(scenario, encoding="gb2312")
    assert answer == b"thank YOU!"
    assert recorder.named("message")[0]["text"] == "\\xff\\xfe\x00garbage"


def test_echo_mode_sends_back_every_byte_of_a_megabyte():
    """Echo mode returns 1 MiB of arbitrary bytes unchanged."""
    payload = bytes(range(256)) * 4096

    async def scenario(port, recorder, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(payload)
        echoed = await reader.readexactly(len(payload))
        writer.close()
        return echoed

    echoed, _ = run_with_server(scenario, mode="echo")
    assert echoed == payload


def test_chat_relays_each_line_to_every_other_client_with_non_ascii_intact():
    """A line from one chat client reaches the two others byte for byte, not its sender."""
    line = "大家好 — héllo ✓\n".encode()

    async def scenario(port, recorder, server):
        clients = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        while len(server.clients) < 3:
            await asyncio.sleep(0.01)
        (_, sender), *others = clients
        sender.write(line[:5])  # a line split across segments is still one line
        await asyncio.sleep(0.05)
        sender.write(line[5:])
        received = [await reader.readexactly(len(line)) for reader, _ in others]
        sender.write_eof()
        leftover = await clients[0][0].read(100)
        for _, writer in clients:
            writer.close()
        return received, leftover

    (received, leftover), recorder = run_with_server(scenario, mode="chat")
    assert received == [line, line]
    assert leftover == b""  # the sender did not hear itself
    assert recorder.named("message")[0]["text"] == "大家好 — héllo ✓"


def test_chat_line_without_end_is_capped_and_the_client_told_before_close():
    """Sending more than --max-line bytes without a newline closes only that client, politely."""

    async def scenario(port, recorder, server):
        bystander_reader, bystander = await asyncio.open_connection("127.0.0.1", port)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"x" * 5000)
        notice = await read_until_closed(reader)
        bystander.write(b"still here\n")
        other_reader, other = await asyncio.open_connection("127.0.0.1", port)
        while len(server.clients) < 2:
            await asyncio.sleep(0.01)
        bystander.write(b"hello\n")
        relayed = await other_reader.readline()
        for w in (writer, bystander, other):
            w.close()
        return notice, relayed

    (notice, relayed), _ = run_with_server(scenario, mode="chat", max_line=1000)
    assert notice == b"line longer than 1000 bytes; closing\n"
    assert relayed == b"hello\n"


def test_max_clients_refuses_the_extra_client_in_one_line():
    """With --max-clients 1 a second client reads one line and EOF; the first is unharmed."""

    async def scenario(port, recorder, server):
        reader1, writer1 = await asyncio.open_connection("127.0.0.1", port)
        writer1.write(b"one")
        await reader1.readexactly(10)
        reader2, writer2 = await asyncio.open_connection("127.0.0.1", port)
        refusal = await read_until_closed(reader2)
        writer1.write(b"two")
        again = await reader1.readexactly(10)
        writer1.close()
        writer2.close()
        return refusal, again

    (refusal, again), recorder = run_with_server(scenario, max_clients=1)
    assert refusal == b"server full (1 connected); try again later\n"
    assert again == b"thank YOU!"
    assert len(recorder.named("refused")) == 1


def test_idle_timeout_closes_a_silent_client_with_a_reason():
    """A client that connects and never sends is told and closed after --idle-timeout."""

    async def scenario(port, recorder, server):
        loop = asyncio.get_running_loop()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = loop.time()
        notice = await read_until_closed(reader)
        writer.close()
        return notice, loop.time() - started

    (notice, elapsed), _ = run_with_server(scenario, idle_timeout=0.2)
    assert notice == b"idle for 0.2s; closing\n"
    assert 0.15 < elapsed < 2


def test_a_silent_client_does_not_delay_the_others():
    """Without an idle timeout, a client that never sends stays; the next is served at once."""

    async def scenario(port, recorder, server):
        silent = await asyncio.open_connection("127.0.0.1", port)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hi")
        answer = await asyncio.wait_for(reader.readexactly(10), 2)
        still_there = len(server.clients)
        for _, w in (silent, (reader, writer)):
            w.close()
        return answer, still_there

    (answer, still_there), _ = run_with_server(scenario)
    assert answer == b"thank YOU!" and still_there == 2


def test_a_resetting_client_does_not_disturb_the_others():
    """A client that sends and then resets the connection is logged; another is served."""

    async def scenario(port, recorder, server):
        rude = socket.create_connection(("127.0.0.1", port))
        rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        rude.sendall(b"bye")
        await asyncio.sleep(0.05)
        rude.close()  # linger 0: RST instead of FIN
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hi")
        answer = await reader.readexactly(10)
        writer.close()
        await asyncio.sleep(0.05)
        return answer

    answer, recorder = run_with_server(scenario)
    assert answer == b"thank YOU!"
    reasons = [d["reason"] for d in recorder.named("disconnect")]
    assert "reset" in reasons


def test_a_client_that_never_reads_cannot_grow_server_memory():
    """Echoing to a client that does not read pauses reading: the server's buffer stays small."""

    async def scenario(port, recorder, server):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setblocking(False)
        sent = 0
        chunk = b"z" * 65536
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 3
        while sent < 256 * 1024 * 1024 and loop.time() < deadline:
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                await asyncio.sleep(0.01)  # let the server run; if it stops reading we stall
                if not any(c.transport.is_reading() for c in server.clients):
                    break
        [client] = server.clients
        buffered = client.transport.get_write_buffer_size()
        paused = not client.transport.is_reading()
        sock.close()
        return sent, buffered, paused

    (sent, buffered, paused), _ = run_with_server(scenario, mode="echo")
    assert paused
    assert buffered < 4 * 1024 * 1024
    assert sent < 64 * 1024 * 1024


def test_close_reports_how_many_clients_were_served():
    """Shutting down logs the number of clients served and refused."""

    async def scenario(port, recorder, server):
        for _ in range(3):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"x")
            await reader.readexactly(10)
            writer.close()

    _, recorder = run_with_server(scenario)
    assert recorder.named("shutdown") == [{"served": 3, "refused": 0}]


def open_descriptors() -> int:
    """How many file descriptors this process holds."""
    return len(os.listdir("/proc/self/fd"))


async def read_exactly_or_until_closed(reader, size):
    """Exactly `size` bytes, or what came before the server closed."""
    try:
        return await reader.readexactly(size)
    except asyncio.IncompleteReadError as short:
        return short.partial


def test_clients_that_reset_at_once_are_disconnects_that_free_fd_and_slot():
    """500 clients closing with SO_LINGER 0 right after connecting: no error, every slot and
    descriptor freed (--max-clients 5 serves the next client), connects == disconnects."""
    errors = []

    async def scenario(port, recorder, server):
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))
        before = open_descriptors()
        for _ in range(500):
            rude = socket.socket()
            rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            rude.connect(("127.0.0.1", port))
            rude.close()
            await asyncio.sleep(0)
        for _ in range(500):  # let the server see every reset
            if not server.clients and server._admitted == 0:
                break
            await asyncio.sleep(0.01)
        leaked = open_descriptors() - before
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hi")
        answer = await read_exactly_or_until_closed(reader, 10)
        writer.close()
        return leaked, answer

    (leaked, answer), recorder = run_with_server(scenario, max_clients=5)
    assert errors == []
    assert leaked <= 1  # (on main: one per admitted client, forever)
    assert answer == b"thank YOU!"
    refused = len(recorder.named("refused"))
    assert len(recorder.named("connect")) + refused == 501
    assert len(recorder.named("disconnect")) >= 500 - refused


def test_chat_line_longer_than_max_line_over_two_reads_is_refused():
    """--max-line holds for a line whose bytes arrive in two reads: nothing of it is relayed."""

    async def scenario(port, recorder, server):
        listener_reader, listener = await asyncio.open_connection("127.0.0.1", port)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while len(server.clients) < 2:
            await asyncio.sleep(0.01)
        writer.write(b"x" * 1000)  # exactly the limit: not over it yet
        await asyncio.sleep(0.1)
        writer.write(b"y" * 600 + b"\n")  # now a 1600-byte line
        notice = await read_until_closed(reader)
        listener.write_eof()
        relayed = await asyncio.wait_for(listener_reader.read(), 5)
        listener.close()
        return notice, relayed

    (notice, relayed), _ = run_with_server(scenario, mode="chat", max_line=1000)
    assert notice == b"line longer than 1000 bytes; closing\n"
    assert relayed == b""


def test_chat_line_longer_than_max_line_inside_one_read_is_refused():
    """A long line between short ones in a single read is refused too: the long line and
    what follows it are never relayed."""

    async def scenario(port, recorder, server):
        listener_reader, listener = await asyncio.open_connection("127.0.0.1", port)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while len(server.clients) < 2:
            await asyncio.sleep(0.01)
        writer.write(b"short\n" + b"z" * 1500 + b"\nafter\n")
        notice = await read_until_closed(reader)
        listener.write_eof()
        relayed = await asyncio.wait_for(listener_reader.read(), 5)
        listener.close()
        return notice, relayed

    (notice, relayed), _ = run_with_server(scenario, mode="chat", max_line=1000)
    assert notice == b"line longer than 1000 bytes; closing\n"
    assert b"z" not in relayed and b"after" not in relayed


def test_a_line_of_exactly_max_line_bytes_is_relayed():
    """The limit counts the line without its newline: max-line bytes pass, in any number of reads."""
    line = b"w" * 1000 + b"\n"

    async def scenario(port, recorder, server):
        listener_reader, listener = await asyncio.open_connection("127.0.0.1", port)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        while len(server.clients) < 2:
            await asyncio.sleep(0.01)
        writer.write(line[:400])
        await asyncio.sleep(0.05)
        writer.write(line[400:])
        relayed = await asyncio.wait_for(listener_reader.readexactly(len(line)), 5)
        for w in (listener, writer):
            w.close()
        return relayed

    relayed, _ = run_with_server(scenario, mode="chat", max_line=1000)
    assert relayed == line


def test_chat_flood_is_relayed_whole_but_logged_within_the_quota():
    """20,000 lines from one sender all reach the reader; the log shows at most the quota a
    second and counts every line it left out ("... and N more lines", not_shown events)."""
    lines = b"".join(b"line %d\n" % n for n in range(20_000))

    async def scenario(port, recorder, server):
        loop = asyncio.get_running_loop()
        listener_reader, listener = await asyncio.open_connection("127.0.0.1", port)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while len(server.clients) < 2:
            await asyncio.sleep(0.01)
        started = loop.time()
        writer.write(lines)
        relayed = await asyncio.wait_for(listener_reader.readexactly(len(lines)), 15)
        elapsed = loop.time() - started
        await asyncio.sleep(1.1)  # the quota's second ends: the count is logged
        for w in (listener, writer):
            w.close()
        return relayed, elapsed

    (relayed, elapsed), recorder = run_with_server(scenario, mode="chat")
    assert relayed == lines
    messages = recorder.named("message")
    assert len(messages) <= MESSAGES_LOGGED_PER_SECOND * (int(elapsed) + 2)
    summaries = [int(m["text"].split()[2]) for m in messages if m["text"].startswith("... and ")]
    held = sum(event["count"] for event in recorder.named("not_shown"))
    assert held > 0
    assert len(messages) - len(summaries) + sum(summaries) + held == 20_000


def test_slowloris_clients_are_held_and_the_log_keeps_to_its_quota():
    """100 clients sending one byte every 50 ms in reply mode are each answered, but the log
    shows at most the quota a second and says how many messages it left out."""

    async def scenario(port, recorder, server):
        loop = asyncio.get_running_loop()
        clients = [await asyncio.open_connection("127.0.0.1", port) for _ in range(100)]
        started = loop.time()
        for _ in range(20):
            for _, writer in clients:
                writer.write(b"G")
            await asyncio.sleep(0.05)
        answered = 0
        for reader, _ in clients:
            data = await asyncio.wait_for(reader.read(1000), 5)
            answered += data.startswith(b"thank YOU!")
        elapsed = loop.time() - started
        for _, writer in clients:
            writer.close()
        await asyncio.sleep(1.1)
        return answered, elapsed

    (answered, elapsed), recorder = run_with_server(scenario)
    assert answered == 100
    assert len(recorder.named("message")) <= MESSAGES_LOGGED_PER_SECOND * (int(elapsed) + 2)
    assert sum(event["count"] for event in recorder.named("not_shown")) > 0


def test_a_line_started_just_before_the_quiet_timer_fires_is_answered_once():
    """A line's start held at 0 s, finished 0.4 s later together with the next line's start: that next start
    waits a whole quiet period of its own. The first timer answered it at 0.5 s, and its end got a second
    reply, two answers for one line."""

    async def scenario(port, recorder, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"x\nab")
        first = await reader.readexactly(11)
        await asyncio.sleep(0.4)
        writer.write(b"c\nde")
        second = await reader.readexactly(11)
        await asyncio.sleep(0.2)  # 0.6 s after "ab": the first timer has fired; "de" was held only 0.2 s
        writer.write(b"f\n")
        third = await reader.readexactly(11)
        writer.close()
        rest = await read_until_closed(reader)
        return first, second, third, rest

    (first, second, third, rest), recorder = run_with_server(scenario)
    assert first == second == third == b"thank YOU!\n" and rest == b""
    assert [m["text"] for m in recorder.named("message")] == ["x", "abc", "def"]


def test_a_utf16_newline_that_tcp_cuts_in_two_ends_one_line_answered_once():
    """UTF-16 "hi\\n" arriving as 5 bytes and then 1: one message "hi" and one reply line. Each read was a
    message of its own, answered twice, the first logged with half a newline."""
    wide = "utf-16-le"

    async def scenario(port, recorder, server):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        writer.write("hi\n".encode(wide)[:-1])
        await writer.drain()
        await asyncio.sleep(0.2)  # two reads on the server, but less than the quiet
        writer.write(b"\x00")
        answer = await reader.readexactly(len("thank YOU!\n".encode(wide)))
        writer.close()
        return answer + await read_until_closed(reader)

    answer, recorder = run_with_server(scenario, encoding=wide, reply="thank YOU!".encode(wide))
    assert answer.decode(wide) == "thank YOU!\n"
    assert [m["text"] for m in recorder.named("message")] == ["hi"]
