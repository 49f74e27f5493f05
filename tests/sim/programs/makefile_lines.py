"""socket.create_server and create_connection, makefile('rw') with readline in both threads,
shutdown(SHUT_WR) then reading the rest, and a refused create_connection."""

import socket
import threading

srv = socket.create_server(("", 8804))
print("family", srv.family.name, "listening", srv.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))


def serve():
    conn, _ = srv.accept()
    with conn, conn.makefile("rw", encoding="utf-8", newline="\n") as f:
        for line in f:
            f.write(f"{len(line.strip())} {line.strip()[::-1]}\n")
            f.flush()
        print("server: end of client")  # before the close: the client's last recv returns after it


t = threading.Thread(target=serve)
t.start()
with socket.create_connection(("127.0.0.1", 8804), timeout=2) as c:
    print("timeout", c.gettimeout())
    f = c.makefile("rw", encoding="utf-8", newline="\n")
    for word in ("alpha", "β-gamma", "delta"):
        f.write(word + "\n")
        f.flush()
        print("got", f.readline().rstrip("\n"))
    f.close()
    c.shutdown(socket.SHUT_WR)
    print("rest", c.recv(10))
t.join()
try:
    socket.create_connection(("127.0.0.1", 8805), timeout=1)
except OSError as e:
    print("refused:", type(e).__name__, e.errno)
print("done")
