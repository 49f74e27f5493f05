"""One bulk transfer with a reply, run the same way on a Linux host and on a simulated one:
the client sends SIZE bytes in one sendall() and waits for the server's two-byte "ok"; the
server reads SIZE bytes, answers, closes. (socket is imported inside the functions so that a
simulated host's program gets the simulated module.)

    python bulk_reply.py server PORT SIZE      prints "listening", then the bytes it read
    python bulk_reply.py client HOST PORT SIZE  prints the reply
"""

from __future__ import annotations

import sys


def serve(port: int, size: int, ready: bool = False) -> int:
    import socket

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("", port))
    listener.listen(1)
    if ready:
        print("listening", flush=True)
    conn, _ = listener.accept()
    got = 0
    while got < size:
        chunk = conn.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    conn.sendall(b"ok")
    conn.close()
    listener.close()
    return got


def send(host: str, port: int, size: int) -> bytes:
    import socket

    with socket.create_connection((host, port)) as conn:
        conn.sendall(bytes(size))
        return conn.recv(16)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        print(serve(int(sys.argv[2]), int(sys.argv[3]), ready=True), flush=True)
    else:
        print(send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])).decode(), flush=True)
