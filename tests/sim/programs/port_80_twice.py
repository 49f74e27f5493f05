"""Binds port 80 twice, over TCP (with SO_REUSEADDR too) and over UDP, and starts an HTTP server on it."""

import http.server
import socket

first = socket.socket()
first.bind(("", 80))
first.listen()
print("first bind", first.getsockname())
for name, make in (
    ("second tcp bind", lambda: socket.socket().bind(("", 80))),
    ("HTTPServer", lambda: http.server.HTTPServer(("", 80), http.server.SimpleHTTPRequestHandler)),
):
    try:
        make()
        print(name, "bound?!")
    except OSError as e:
        print(name + ":", type(e).__name__, e.errno, e.strerror)
again = socket.socket()
again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    again.bind(("198.18.0.1", 80))
except OSError as e:
    print("with SO_REUSEADDR:", e.errno, e.strerror)
udp = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
udp[0].bind(("", 80))
try:
    udp[1].bind(("", 80))
except OSError as e:
    print("second udp bind:", e.errno, e.strerror)
print("done")
