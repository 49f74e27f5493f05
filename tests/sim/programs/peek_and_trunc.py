"""MSG_PEEK and MSG_TRUNC: a datagram longer than the buffer (the rest is lost, MSG_TRUNC says how long
it was), recvfrom_into, an empty datagram, and on a stream MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT and
MSG_TRUNC (the bytes are skipped, never copied)."""

import socket
import time

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 8807))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"A" * 100, ("127.0.0.1", 8807))
s.sendto(b"second", ("127.0.0.1", 8807))
print("peek", u.recvfrom(10, socket.MSG_PEEK)[0])
print("peek with MSG_TRUNC", len(u.recv(10, socket.MSG_PEEK | socket.MSG_TRUNC)))
print("short read", u.recvfrom(10)[0])
print("next", u.recvfrom(100)[0])
s.sendto(b"B" * 50, ("127.0.0.1", 8807))
buf = bytearray(20)
n, _ = u.recvfrom_into(buf)
print("recvfrom_into", n, bytes(buf[:n]))
s.sendto(b"C" * 50, ("127.0.0.1", 8807))
print("recv_into with MSG_TRUNC", u.recv_into(buf, 5, socket.MSG_TRUNC))
u.setblocking(False)
try:
    u.recv(10, socket.MSG_PEEK)
except BlockingIOError as e:
    print("nothing queued:", e.errno)
s.sendto(b"", ("127.0.0.1", 8807))
u.setblocking(True)
print("empty datagram", u.recvfrom(10, socket.MSG_DONTWAIT)[0])

srv = socket.create_server(("127.0.0.1", 8808))
c = socket.create_connection(("127.0.0.1", 8808))
conn, _ = srv.accept()
c.sendall(b"hello world, and more")
time.sleep(0.05)
print("stream peek", conn.recv(5, socket.MSG_PEEK), conn.recv(11, socket.MSG_PEEK))
buf = bytearray(b"........")
print("recv_into with MSG_TRUNC", conn.recv_into(buf, 6, socket.MSG_TRUNC), bytes(buf))
print("recv with MSG_TRUNC", len(conn.recv(5, socket.MSG_TRUNC)))
print("stream read", conn.recv(100))
c.sendall(b"abc")
time.sleep(0.05)
print("waitall", conn.recv(3, socket.MSG_WAITALL))
try:
    conn.recv(10, socket.MSG_DONTWAIT)
except BlockingIOError as e:
    print("dontwait:", e.errno)
c.close()
print("after the peer closed", conn.recv(10), conn.recv(10, socket.MSG_PEEK))
print("done")
