"""Opens 2000 UDP sockets and 2000 listening TCP sockets on ephemeral ports, then closes them."""

import socket

socks = []
for _ in range(2000):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", 0))
    socks.append(s)
print("udp sockets:", len(socks), "descriptors", socks[0].fileno(), "to", socks[-1].fileno())
for _ in range(2000):
    t = socket.socket()
    t.bind(("", 0))
    t.listen(1)
    socks.append(t)
print("all sockets:", len(socks))
for s in socks:
    s.close()
print("a new socket takes descriptor", socket.socket().fileno())
