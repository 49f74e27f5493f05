"""Opens COUNT connections (argv[2], 2000 by default) to argv[1]'s port 8850, sends on each, reads each echo."""

import socket
import sys

count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
conns = [socket.create_connection((sys.argv[1], 8850)) for _ in range(count)]
print(count, "connected")
for c in conns:
    c.sendall(b"ping")
print("echoed", sum(c.recv(10) == b"ping" for c in conns))
for c in conns:
    c.close()
print("done")
