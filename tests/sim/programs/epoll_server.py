"""One thread, thousands of clients: selectors' epoll serves COUNT connections (argv[1], 2000 by default),
echoing what each sends until it closes."""

import selectors
import socket
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
sel = selectors.DefaultSelector()
srv = socket.create_server(("", 8850), backlog=4096)
srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ)
accepted = closed = 0
while closed < count:
    for key, _ in sel.select(timeout=5):
        if key.fileobj is srv:
            while True:
                try:
                    conn, _ = srv.accept()
                except BlockingIOError:
                    break
                accepted += 1
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ)
        elif data := key.fileobj.recv(10):
            key.fileobj.send(data)
        else:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            closed += 1
print("accepted", accepted, "closed", closed)
